// SPDX-License-Identifier: MIT
/* The JSON writer of json.h. */
#include "base/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

void json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void indent(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (unsigned i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Before any value: a comma and indentation inside an array; nothing after a key. */
static void before_value(struct json *j)
{
	if (j->depth == 0)
		return;
	if (j->in_object[j->depth - 1]) {
		if (j->want_key)
			j->failed = true; /* a value without its key */
		j->want_key = true;
		return;
	}
	if (!j->empty[j->depth - 1])
		fputc(',', j->f);
	j->empty[j->depth - 1] = false;
	indent(j);
}

static void container_open(struct json *j, bool object)
{
	before_value(j);
	if (j->depth >= JSON_DEPTH_MAX) {
		j->failed = true;
		return;
	}
	fputc(object ? '{' : '[', j->f);
	j->in_object[j->depth] = object;
	j->empty[j->depth] = true;
	j->depth++;
	j->want_key = object;
}

static void container_close(struct json *j, bool object)
{
	if (j->depth == 0 || j->in_object[j->depth - 1] != object || (object && !j->want_key)) {
		j->failed = true;
		return;
	}
	bool was_empty = j->empty[j->depth - 1];
	j->depth--;
	if (!was_empty)
		indent(j);
	fputc(object ? '}' : ']', j->f);
	j->want_key = j->depth > 0 && j->in_object[j->depth - 1];
}

void json_object_begin(struct json *j)
{
	container_open(j, true);
}

void json_object_end(struct json *j)
{
	container_close(j, true);
}

void json_array_begin(struct json *j)
{
	container_open(j, false);
}

void json_array_end(struct json *j)
{
	container_close(j, false);
}

void json_key(struct json *j, const char *key)
{
	if (j->depth == 0 || !j->in_object[j->depth - 1] || !j->want_key) {
		j->failed = true;
		return;
	}
	if (!j->empty[j->depth - 1])
		fputc(',', j->f);
	j->empty[j->depth - 1] = false;
	indent(j);
	json_write_escaped(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->want_key = false;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), or 0 when it is not one. */
static size_t utf8_sequence_len(const unsigned char *s)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_write_escaped(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		unsigned char c = *s;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\r') {
			fputs("\\r", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else {
			size_t n = utf8_sequence_len(s);
			if (n == 0) {
				fputs("\\ufffd", f);
				n = 1;
			} else {
				fwrite(s, 1, n, f);
			}
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

void json_string(struct json *j, const char *s)
{
	if (!s) {
		json_null(j);
		return;
	}
	before_value(j);
	json_write_escaped(j->f, s);
}

void json_uint(struct json *j, uint64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRIu64, v);
}

void json_int(struct json *j, int64_t v)
{
	before_value(j);
	fprintf(j->f, "%" PRId64, v);
}

void json_double(struct json *j, double v, int decimals)
{
	if (!isfinite(v)) {
		json_null(j);
		return;
	}
	before_value(j);
	fprintf(j->f, "%.*f", decimals, v);
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	before_value(j);
	fputs("null", j->f);
}

int json_finish(struct json *j)
{
	if (j->pretty)
		fputc('\n', j->f);
	if (fflush(j->f) != 0 || ferror(j->f) || j->failed || j->depth != 0)
		return -1;
	return 0;
}
