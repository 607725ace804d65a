// SPDX-License-Identifier: MIT
/*
 * YAML loading and node checks shared by conf.yaml and adapter.yaml (see yaml_walk.h).
 * A first pass over libyaml's events rejects syntax errors, a second document and
 * nesting beyond YAML_WALK_DEPTH_MAX before the document tree is built.
 */
#include "config/yaml_walk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "config/duration.h"

int yaml_walk_read_file(const char *path, uint8_t **buf, size_t *len, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return SEG_CONFIG_ERR_IO;
	}
	/* One byte more than allowed, to tell "exactly the limit" from "too big". */
	uint8_t *data = malloc(SEG_CONFIG_FILE_MAX + 1);
	size_t n = 0;
	int ret = 0;
	if (!data) {
		snprintf(err, errlen, "%s: out of memory", path);
		ret = SEG_CONFIG_ERR_NOMEM;
		goto out;
	}
	while (n <= SEG_CONFIG_FILE_MAX) {
		ssize_t r = read(fd, data + n, SEG_CONFIG_FILE_MAX + 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
			ret = SEG_CONFIG_ERR_IO;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > SEG_CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, SEG_CONFIG_FILE_MAX);
		ret = SEG_CONFIG_ERR_TOO_BIG;
		goto out;
	}
	*buf = data;
	*len = n;
	data = NULL;
out:
	free(data);
	close(fd);
	return ret;
}

static int syntax_error(struct yaml_walk *w, const yaml_parser_t *p)
{
	const char *problem = p->problem ? p->problem : "malformed YAML";

	if (p->error == YAML_READER_ERROR)
		snprintf(w->err, w->errlen, "%s: byte %zu: invalid input: %s", w->name,
			 p->problem_offset, problem);
	else
		snprintf(w->err, w->errlen, "%s:%zu:%zu: YAML syntax error: %s", w->name,
			 p->problem_mark.line + 1, p->problem_mark.column + 1, problem);
	return SEG_CONFIG_ERR_SYNTAX;
}

/*
 * conf.yaml may hold the pre-shared key, and libyaml frees its copies of the text without
 * wiping them: its input and decode buffers, each scalar event, each scalar node. These
 * helpers wipe them before every yaml_*_delete, whether or not the parse got as far as the
 * key (an error in an earlier key leaves the key's node unvisited).
 */
static void wipe_parser(yaml_parser_t *p)
{
	if (p->raw_buffer.start)
		OPENSSL_cleanse(p->raw_buffer.start,
				(size_t)(p->raw_buffer.end - p->raw_buffer.start));
	if (p->buffer.start)
		OPENSSL_cleanse(p->buffer.start, (size_t)(p->buffer.end - p->buffer.start));
}

static void wipe_event(yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.value)
		OPENSSL_cleanse(ev->data.scalar.value, ev->data.scalar.length);
}

static void wipe_document(yaml_document_t *doc)
{
	for (yaml_node_t *n = doc->nodes.start; n && n < doc->nodes.top; n++) {
		if (n->type == YAML_SCALAR_NODE && n->data.scalar.value)
			OPENSSL_cleanse(n->data.scalar.value, n->data.scalar.length);
	}
}

/* The event pass: syntax, one document, bounded depth. */
static int precheck(struct yaml_walk *w, const uint8_t *buf, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, docs = 0, ret = 0;
	bool done = false;

	if (!yaml_parser_initialize(&p)) {
		snprintf(w->err, w->errlen, "%s: out of memory", w->name);
		return SEG_CONFIG_ERR_NOMEM;
	}
	yaml_parser_set_input_string(&p, buf, len);
	while (!done && ret == 0) {
		if (!yaml_parser_parse(&p, &ev)) {
			ret = syntax_error(w, &p);
			break;
		}
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++docs > 1) {
				snprintf(w->err, w->errlen,
					 "%s:%zu:%zu: more than one YAML document", w->name,
					 ev.start_mark.line + 1, ev.start_mark.column + 1);
				ret = SEG_CONFIG_ERR_SYNTAX;
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > YAML_WALK_DEPTH_MAX) {
				snprintf(w->err, w->errlen,
					 "%s:%zu:%zu: nested deeper than %d levels", w->name,
					 ev.start_mark.line + 1, ev.start_mark.column + 1,
					 YAML_WALK_DEPTH_MAX);
				ret = SEG_CONFIG_ERR_SYNTAX;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		default:
			break;
		}
		wipe_event(&ev);
		yaml_event_delete(&ev);
	}
	wipe_parser(&p);
	yaml_parser_delete(&p);
	return ret;
}

int yaml_walk_load(struct yaml_walk *w, const char *name, const uint8_t *buf, size_t len, char *err,
		   size_t errlen)
{
	yaml_parser_t p;
	int ret;

	*w = (struct yaml_walk){.name = name, .err = err, .errlen = errlen};
	if (errlen)
		err[0] = '\0';
	ret = precheck(w, buf, len);
	if (ret)
		return ret;
	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return SEG_CONFIG_ERR_NOMEM;
	}
	yaml_parser_set_input_string(&p, buf, len);
	if (!yaml_parser_load(&p, &w->doc)) {
		ret = p.error == YAML_MEMORY_ERROR ? SEG_CONFIG_ERR_NOMEM : syntax_error(w, &p);
		if (ret == SEG_CONFIG_ERR_NOMEM)
			snprintf(err, errlen, "%s: out of memory", name);
	} else {
		w->loaded = true;
	}
	wipe_parser(&p);
	yaml_parser_delete(&p);
	return ret;
}

void yaml_walk_free(struct yaml_walk *w)
{
	if (w->loaded) {
		wipe_document(&w->doc);
		yaml_document_delete(&w->doc);
	}
	w->loaded = false;
}

yaml_node_t *yaml_walk_root(struct yaml_walk *w)
{
	return w->loaded ? yaml_document_get_root_node(&w->doc) : NULL;
}

int yaml_walk_error(struct yaml_walk *w, const yaml_node_t *n, const char *fmt, ...)
{
	size_t line = n ? n->start_mark.line + 1 : 1, col = n ? n->start_mark.column + 1 : 1;
	int k = snprintf(w->err, w->errlen, "%s:%zu:%zu: ", w->name, line, col);

	if (k >= 0 && (size_t)k < w->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->err + k, w->errlen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return SEG_CONFIG_ERR_INVALID;
}

const char *yaml_walk_quote(const yaml_node_t *n, char *buf, size_t cap)
{
	const char *what = n->type == YAML_MAPPING_NODE ? "a mapping" : "a list";
	size_t o = 0;

	if (cap < 8)
		return "";
	if (n->type != YAML_SCALAR_NODE) {
		snprintf(buf, cap, "%s", what);
		return buf;
	}
	const unsigned char *s = n->data.scalar.value;
	size_t len = n->data.scalar.length, shown = len;
	if (shown > YAML_WALK_QUOTE_MAX) {
		shown = YAML_WALK_QUOTE_MAX;
		while (shown > 0 && (s[shown] & 0xc0) == 0x80) /* not inside a UTF-8 sequence */
			shown--;
	}
	buf[o++] = '"';
	for (size_t i = 0; i < shown && o + 6 < cap; i++) {
		unsigned char c = s[i];
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	if (shown < len && o + 4 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);
	return n->data.scalar.length == len && memcmp(n->data.scalar.value, s, len) == 0;
}

bool yaml_walk_is_null(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (n->data.scalar.length == 0 || scalar_is(n, "~") || scalar_is(n, "null") ||
		scalar_is(n, "Null") || scalar_is(n, "NULL"));
}

static const char *type_name(yaml_node_type_t t)
{
	switch (t) {
	case YAML_SCALAR_NODE:
		return "a single value";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_NO_NODE:
		break;
	}
	return "nothing";
}

int yaml_walk_expect(struct yaml_walk *w, const yaml_node_t *n, yaml_node_type_t type,
		     const char *what)
{
	char q[YAML_WALK_QUOTE_MAX + 16];

	if (n->type == type)
		return 0;
	if (n->type == YAML_SCALAR_NODE)
		return yaml_walk_error(w, n, "%s must be %s, got %s", what, type_name(type),
				       yaml_walk_quote(n, q, sizeof(q)));
	return yaml_walk_error(w, n, "%s must be %s, got %s", what, type_name(type),
			       type_name(n->type));
}

int yaml_walk_string(struct yaml_walk *w, const yaml_node_t *n, const char *what, size_t max,
		     char **out)
{
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_expect(w, n, YAML_SCALAR_NODE, what);
	if (ret)
		return ret;
	size_t len = n->data.scalar.length;
	if (memchr(n->data.scalar.value, '\0', len))
		return yaml_walk_error(w, n, "%s must not contain NUL: %s", what,
				       yaml_walk_quote(n, q, sizeof(q)));
	if (len > max)
		return yaml_walk_error(w, n, "%s longer than %zu bytes: %s", what, max,
				       yaml_walk_quote(n, q, sizeof(q)));
	char *s = malloc(len + 1);
	if (!s) {
		snprintf(w->err, w->errlen, "%s: out of memory", w->name);
		return SEG_CONFIG_ERR_NOMEM;
	}
	memcpy(s, n->data.scalar.value, len);
	s[len] = '\0';
	free(*out); /* replaces a default */
	*out = s;
	return 0;
}

int yaml_walk_bool(struct yaml_walk *w, const yaml_node_t *n, const char *what, bool *out)
{
	/* YAML 1.1 booleans, as Go's yaml.v2 read them for the original. */
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes",
					  "YES",  "on",	  "On",	  "ON"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No",
					 "NO",	  "off",   "Off",   "OFF"};
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_expect(w, n, YAML_SCALAR_NODE, what);
	if (ret)
		return ret;
	if (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
			if (scalar_is(n, yes[i]) || scalar_is(n, no[i])) {
				*out = scalar_is(n, yes[i]);
				return 0;
			}
		}
	}
	return yaml_walk_error(w, n, "%s must be true or false, got %s", what,
			       yaml_walk_quote(n, q, sizeof(q)));
}

int yaml_walk_uint(struct yaml_walk *w, const yaml_node_t *n, const char *what, uint64_t min,
		   uint64_t max, uint64_t *out)
{
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_expect(w, n, YAML_SCALAR_NODE, what);
	if (ret)
		return ret;
	const unsigned char *s = n->data.scalar.value;
	size_t len = n->data.scalar.length;
	uint64_t v = 0;
	bool ok = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && len > 0 && len <= 19;
	for (size_t i = 0; ok && i < len; i++) {
		ok = s[i] >= '0' && s[i] <= '9';
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (!ok)
		return yaml_walk_error(w, n, "%s must be a whole number, got %s", what,
				       yaml_walk_quote(n, q, sizeof(q)));
	if (v < min || v > max)
		return yaml_walk_error(w, n, "%s must be between %llu and %llu, got %s", what,
				       (unsigned long long)min, (unsigned long long)max,
				       yaml_walk_quote(n, q, sizeof(q)));
	*out = v;
	return 0;
}

int yaml_walk_duration(struct yaml_walk *w, const yaml_node_t *n, const char *what,
		       uint64_t *out_ns)
{
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_expect(w, n, YAML_SCALAR_NODE, what);
	if (ret)
		return ret;
	ret = seg_duration_parse((const char *)n->data.scalar.value, n->data.scalar.length, out_ns);
	if (ret)
		return yaml_walk_error(w, n, "%s: %s: %s", what, seg_duration_strerror(ret),
				       yaml_walk_quote(n, q, sizeof(q)));
	return 0;
}

int yaml_walk_mapping(struct yaml_walk *w, yaml_node_t *n, const struct yaml_walk_key *keys,
		      size_t nkeys, void *ctx, uint64_t *seen)
{
	char q[YAML_WALK_QUOTE_MAX + 16];

	*seen = 0;
	for (yaml_node_pair_t *pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top;
	     pair++) {
		yaml_node_t *key = yaml_walk_node(w, pair->key);
		yaml_node_t *value = yaml_walk_node(w, pair->value);
		if (!key || !value)
			return yaml_walk_error(w, n, "malformed mapping");
		if (key->type != YAML_SCALAR_NODE)
			return yaml_walk_error(w, key, "keys must be names, got %s",
					       type_name(key->type));
		size_t i = 0;
		while (i < nkeys && !scalar_is(key, keys[i].name))
			i++;
		if (i == nkeys)
			return yaml_walk_error(w, key, "unknown key %s",
					       yaml_walk_quote(key, q, sizeof(q)));
		if (*seen & (UINT64_C(1) << i))
			return yaml_walk_error(w, key, "duplicate key %s",
					       yaml_walk_quote(key, q, sizeof(q)));
		*seen |= UINT64_C(1) << i;
		int ret = keys[i].fn(w, value, ctx);
		if (ret)
			return ret;
	}
	return 0;
}
