/* SPDX-License-Identifier: MIT */
/*
 * .topo parser: libyaml's document API into struct topo, then validation. The shape follows
 * scionproto's tools/topology/topo.py (TopoGenerator._read_links, LinkEP) and the files in its
 * topology/ folder; `hidden` is ours.
 */
#include "topo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct topo_ctx {
	const char *name;
	yaml_document_t *doc;
	struct topo *t;
	struct topo_error *err;
};

/* Keys of the reference format that describe PKI or services: accepted, ignored. */
static const char *const ignored_as_keys[] = {
    "voting",
    "authoritative",
    "issuing",
    "cert_issuer",
    "control_servers",
    "colibri_servers",
    "test_dispatcher",
    "dispatched_ports",
    "endhost_port_range",
    NULL,
};
static const char *const ignored_link_keys[] = {"bw", "latency", NULL};

static unsigned node_line(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

/* Copies a token for an error message: bounded, printable, no quotes inside. */
static void quote_token(const yaml_node_t *n, char *buf, size_t cap)
{
	size_t i = 0, len = 0;
	const unsigned char *s = (const unsigned char *)"";

	if (n && n->type == YAML_SCALAR_NODE) {
		s = n->data.scalar.value;
		len = n->data.scalar.length;
	} else if (n && n->type == YAML_MAPPING_NODE) {
		s = (const unsigned char *)"{...}";
		len = 5;
	} else if (n && n->type == YAML_SEQUENCE_NODE) {
		s = (const unsigned char *)"[...]";
		len = 5;
	}
	for (; i < len && i + 1 < cap; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'') ? (char)s[i] : '?';
	buf[i] = '\0';
}

static int fail(struct topo_ctx *c, const yaml_node_t *n, int code, const char *what)
{
	char tok[64];

	quote_token(n, tok, sizeof(tok));
	snprintf(c->err->msg, sizeof(c->err->msg), "%s:%u: %s '%s'", c->name, n ? node_line(n) : 1,
		 what, tok);
	return code;
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	size_t len = strlen(s);

	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == len &&
	       memcmp(n->data.scalar.value, s, len) == 0;
}

static bool in_list(const yaml_node_t *key, const char *const *list)
{
	for (; *list; list++)
		if (scalar_is(key, *list))
			return true;
	return false;
}

/* A scalar node as a bounded C string; false if it does not fit or holds a NUL. */
static bool scalar_str(const yaml_node_t *n, char *buf, size_t cap)
{
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.length >= cap)
		return false;
	memcpy(buf, n->data.scalar.value, n->data.scalar.length);
	buf[n->data.scalar.length] = '\0';
	return strlen(buf) == n->data.scalar.length;
}

static int parse_bool(struct topo_ctx *c, const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", NULL};
	static const char *const no[] = {"false", "False", "FALSE", NULL};

	if (in_list(n, yes))
		*out = true;
	else if (in_list(n, no))
		*out = false;
	else
		return fail(c, n, TOPO_ERR_VALUE, "expected true or false, got");
	return 0;
}

static int parse_uint(struct topo_ctx *c, const yaml_node_t *n, unsigned long min,
		      unsigned long max, unsigned long *out)
{
	char buf[16], *end;

	if (!scalar_str(n, buf, sizeof(buf)) || buf[0] < '0' || buf[0] > '9')
		return fail(c, n, TOPO_ERR_VALUE, "expected a decimal number, got");
	errno = 0;
	*out = strtoul(buf, &end, 10);
	if (errno || *end != '\0')
		return fail(c, n, TOPO_ERR_VALUE, "expected a decimal number, got");
	if (*out < min || *out > max)
		return fail(c, n, TOPO_ERR_VALUE, "number out of range");
	return 0;
}

static int parse_mtu(struct topo_ctx *c, const yaml_node_t *n, uint16_t *mtu)
{
	unsigned long v;
	int rc = parse_uint(c, n, TOPO_MIN_MTU, TOPO_MAX_MTU, &v);

	if (rc == 0)
		*mtu = (uint16_t)v;
	return rc;
}

/* The reference's two values (topo.py UNDERLAY_4, UNDERLAY_6), spelled exactly so. */
static int parse_underlay(struct topo_ctx *c, const yaml_node_t *n, enum topo_underlay *u)
{
	if (scalar_is(n, "UDP/IPv4"))
		*u = TOPO_UNDERLAY_IPV4;
	else if (scalar_is(n, "UDP/IPv6"))
		*u = TOPO_UNDERLAY_IPV6;
	else
		return fail(c, n, TOPO_ERR_VALUE, "underlay must be UDP/IPv4 or UDP/IPv6, got");
	return 0;
}

/* An empty value (`"1-ff00:0:111":` with nothing after it) stands for an empty mapping. */
static bool is_empty_scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	       (n->data.scalar.length == 0 || scalar_is(n, "~") || scalar_is(n, "null"));
}

static int parse_as(struct topo_ctx *c, const yaml_node_t *key, const yaml_node_t *val)
{
	struct topo *t = c->t;
	struct topo_as *as;
	yaml_node_pair_t *p;
	int rc;

	if (t->num_ases == TOPO_MAX_ASES)
		return fail(c, key, TOPO_ERR_LIMIT, "too many ASes at");
	as = &t->ases[t->num_ases];
	*as = (struct topo_as){.mtu = TOPO_DEFAULT_MTU, .line = node_line(key)};
	if (key->type != YAML_SCALAR_NODE ||
	    scion_ia_parse((const char *)key->data.scalar.value, key->data.scalar.length,
			   &as->ia) != 0 ||
	    scion_ia_isd(as->ia) == 0 || scion_ia_as(as->ia) == 0)
		return fail(c, key, TOPO_ERR_VALUE, "bad ISD-AS");
	if (topo_as_index(t, as->ia) >= 0)
		return fail(c, key, TOPO_ERR_DUP, "AS defined twice:");
	if (is_empty_scalar(val)) {
		t->num_ases++;
		return 0;
	}
	if (val->type != YAML_MAPPING_NODE)
		return fail(c, val, TOPO_ERR_SYNTAX, "expected a mapping of AS attributes, got");
	for (p = val->data.mapping.pairs.start; p < val->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);

		if (!k || !v)
			return fail(c, val, TOPO_ERR_SYNTAX, "broken mapping");
		if (scalar_is(k, "core"))
			rc = parse_bool(c, v, &as->core);
		else if (scalar_is(k, "mtu"))
			rc = parse_mtu(c, v, &as->mtu);
		else if (scalar_is(k, "underlay"))
			rc = parse_underlay(c, v, &as->underlay);
		else if (in_list(k, ignored_as_keys))
			rc = 0;
		else
			rc = fail(c, k, TOPO_ERR_KEY, "unknown AS key");
		if (rc)
			return rc;
	}
	t->num_ases++;
	return 0;
}

static int parse_ases(struct topo_ctx *c, const yaml_node_t *n)
{
	yaml_node_pair_t *p;
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, TOPO_ERR_SYNTAX, "ASes: expected a mapping, got");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);

		if (!k || !v)
			return fail(c, n, TOPO_ERR_SYNTAX, "broken mapping");
		rc = parse_as(c, k, v);
		if (rc)
			return rc;
	}
	return 0;
}

/* `IA#IFID` or `IA-NAME#IFID`; the IA itself is `ISD-AS`, so a second '-' starts NAME. */
static int parse_endpoint(struct topo_ctx *c, const yaml_node_t *n, struct topo_endpoint *ep)
{
	char buf[64], *hash, *dash, *br = NULL, *end;
	unsigned long ifid;
	scion_ia_t ia;
	int idx;

	if (!scalar_str(n, buf, sizeof(buf)))
		return fail(c, n, TOPO_ERR_VALUE, "bad link endpoint");
	hash = strchr(buf, '#');
	if (!hash || hash[1] < '1' || hash[1] > '9')
		return fail(c, n, TOPO_ERR_VALUE, "link endpoint needs IA#IFID:");
	*hash = '\0';
	errno = 0;
	ifid = strtoul(hash + 1, &end, 10);
	if (errno || *end != '\0' || ifid == 0 || ifid > UINT16_MAX)
		return fail(c, n, TOPO_ERR_VALUE, "bad interface id in");
	dash = strchr(buf, '-');
	if (dash && (dash = strchr(dash + 1, '-'))) {
		*dash = '\0';
		br = dash + 1;
		if (*br == '\0' || strlen(br) >= TOPO_BR_NAME_LEN)
			return fail(c, n, TOPO_ERR_VALUE, "bad border router name in");
		for (end = br; *end; end++)
			if (!((*end >= 'A' && *end <= 'Z') || (*end >= 'a' && *end <= 'z') ||
			      (*end >= '0' && *end <= '9') || *end == '_'))
				return fail(c, n, TOPO_ERR_VALUE, "bad border router name in");
	}
	if (scion_ia_parse(buf, strlen(buf), &ia) != 0)
		return fail(c, n, TOPO_ERR_VALUE, "bad ISD-AS in link endpoint");
	idx = topo_as_index(c->t, ia);
	if (idx < 0)
		return fail(c, n, TOPO_ERR_LINK, "link endpoint names an undefined AS:");
	*ep = (struct topo_endpoint){.as = (unsigned)idx, .ifid = (uint16_t)ifid};
	if (br)
		snprintf(ep->br, sizeof(ep->br), "%s", br);
	return 0;
}

static int parse_link_type(struct topo_ctx *c, const yaml_node_t *n, enum topo_link_type *type)
{
	char buf[8];

	if (!scalar_str(n, buf, sizeof(buf)))
		return fail(c, n, TOPO_ERR_VALUE, "linkAtoB must be CORE, CHILD or PEER, got");
	/* The reference upper-cases the value (LinkType[...upper()]). */
	for (char *s = buf; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
	if (!strcmp(buf, "CORE"))
		*type = TOPO_LINK_CORE;
	else if (!strcmp(buf, "CHILD"))
		*type = TOPO_LINK_CHILD;
	else if (!strcmp(buf, "PEER"))
		*type = TOPO_LINK_PEER;
	else
		return fail(c, n, TOPO_ERR_VALUE, "linkAtoB must be CORE, CHILD or PEER, got");
	return 0;
}

/* Checks one endpoint against every earlier link: interface ids are unique per AS. */
static int check_ifid_unique(struct topo_ctx *c, const yaml_node_t *n,
			     const struct topo_endpoint *ep, size_t upto)
{
	for (size_t i = 0; i < upto; i++) {
		const struct topo_link *l = &c->t->links[i];

		if ((l->a.as == ep->as && l->a.ifid == ep->ifid) ||
		    (l->b.as == ep->as && l->b.ifid == ep->ifid))
			return fail(c, n, TOPO_ERR_DUP, "interface id used twice in its AS:");
	}
	return 0;
}

static int check_link(struct topo_ctx *c, const yaml_node_t *a_node, const yaml_node_t *b_node,
		      struct topo_link *l)
{
	const struct topo_as *a = &c->t->ases[l->a.as], *b = &c->t->ases[l->b.as];
	int rc;

	if (l->a.as == l->b.as)
		return fail(c, b_node, TOPO_ERR_LINK, "link joins an AS to itself:");
	rc = check_ifid_unique(c, a_node, &l->a, c->t->num_links);
	if (rc == 0)
		rc = check_ifid_unique(c, b_node, &l->b, c->t->num_links);
	if (rc)
		return rc;
	switch (l->type) {
	case TOPO_LINK_CORE:
		if (!a->core || !b->core)
			return fail(c, a->core ? b_node : a_node, TOPO_ERR_LINK,
				    "CORE link to a non-core AS:");
		break;
	case TOPO_LINK_CHILD:
		if (b->core)
			return fail(c, b_node, TOPO_ERR_LINK, "a core AS cannot be a CHILD:");
		if (scion_ia_isd(a->ia) != scion_ia_isd(b->ia))
			return fail(c, b_node, TOPO_ERR_LINK, "CHILD link crosses ISDs:");
		break;
	case TOPO_LINK_PEER:
		break;
	}
	return 0;
}

static int parse_link(struct topo_ctx *c, const yaml_node_t *n)
{
	struct topo_link *l = &c->t->links[c->t->num_links];
	const yaml_node_t *a_node = NULL, *b_node = NULL, *type_node = NULL;
	yaml_node_pair_t *p;
	int rc = 0;

	if (n->type != YAML_MAPPING_NODE)
		return fail(c, n, TOPO_ERR_SYNTAX, "a link must be a mapping, got");
	if (c->t->num_links == TOPO_MAX_LINKS)
		return fail(c, n, TOPO_ERR_LIMIT, "too many links at");
	*l = (struct topo_link){.mtu = TOPO_DEFAULT_MTU, .line = node_line(n)};
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top && !rc; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);

		if (!k || !v)
			return fail(c, n, TOPO_ERR_SYNTAX, "broken mapping");
		if (scalar_is(k, "a") && !a_node)
			rc = parse_endpoint(c, a_node = v, &l->a);
		else if (scalar_is(k, "b") && !b_node)
			rc = parse_endpoint(c, b_node = v, &l->b);
		else if (scalar_is(k, "linkAtoB") && !type_node)
			rc = parse_link_type(c, type_node = v, &l->type);
		else if (scalar_is(k, "mtu"))
			rc = parse_mtu(c, v, &l->mtu);
		else if (scalar_is(k, "hidden"))
			rc = parse_bool(c, v, &l->hidden);
		else if (scalar_is(k, "underlay") && !l->has_underlay) {
			rc = parse_underlay(c, v, &l->underlay);
			l->has_underlay = true;
		} else if (in_list(k, ignored_link_keys))
			rc = 0;
		else
			rc = fail(c, k, TOPO_ERR_KEY, "unknown or repeated link key");
	}
	if (rc)
		return rc;
	if (!a_node || !b_node || !type_node)
		return fail(c, n, TOPO_ERR_KEY, "link needs a, b and linkAtoB:");
	rc = check_link(c, a_node, b_node, l);
	if (rc == 0)
		c->t->num_links++;
	return rc;
}

static int parse_links(struct topo_ctx *c, const yaml_node_t *n)
{
	yaml_node_item_t *it;
	int rc;

	if (is_empty_scalar(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return fail(c, n, TOPO_ERR_SYNTAX, "links: expected a list, got");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *l = yaml_document_get_node(c->doc, *it);

		if (!l)
			return fail(c, n, TOPO_ERR_SYNTAX, "broken list");
		rc = parse_link(c, l);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Beacons flow from parents to children, so the CHILD relation must be acyclic: peel off
 * ASes whose parents are all settled; what remains sits on a cycle.
 */
static int check_child_cycles(struct topo_ctx *c)
{
	struct topo *t = c->t;
	bool settled[TOPO_MAX_ASES] = {false};
	size_t done = 0, progress = 1;

	while (progress) {
		progress = 0;
		for (size_t i = 0; i < t->num_ases; i++) {
			bool ready = !settled[i];

			for (size_t j = 0; j < t->num_links && ready; j++) {
				const struct topo_link *l = &t->links[j];

				if (l->type == TOPO_LINK_CHILD && l->b.as == i && !settled[l->a.as])
					ready = false;
			}
			if (ready) {
				settled[i] = true;
				progress++;
				done++;
			}
		}
	}
	if (done == t->num_ases)
		return 0;
	for (size_t j = 0; j < t->num_links; j++) {
		const struct topo_link *l = &t->links[j];

		if (l->type == TOPO_LINK_CHILD && !settled[l->b.as]) {
			snprintf(c->err->msg, sizeof(c->err->msg),
				 "%s:%u: CHILD links form a cycle through this link", c->name,
				 l->line);
			break;
		}
	}
	return TOPO_ERR_LINK;
}

static int parse_root(struct topo_ctx *c, const yaml_node_t *root)
{
	const yaml_node_t *ases = NULL, *links = NULL;
	yaml_node_pair_t *p;
	int rc;

	if (root->type != YAML_MAPPING_NODE)
		return fail(c, root, TOPO_ERR_SYNTAX,
			    "expected a mapping with ASes and links, got");
	for (p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);

		if (!k || !v)
			return fail(c, root, TOPO_ERR_SYNTAX, "broken mapping");
		if (scalar_is(k, "ASes") && !ases)
			ases = v;
		else if (scalar_is(k, "links") && !links)
			links = v;
		else
			return fail(c, k, TOPO_ERR_KEY, "unknown or repeated top-level key");
	}
	if (!ases)
		return fail(c, root, TOPO_ERR_KEY, "missing ASes:");
	/* All ASes first, so that links may refer to any of them. */
	rc = parse_ases(c, ases);
	if (rc == 0 && c->t->num_ases == 0)
		rc = fail(c, ases, TOPO_ERR_KEY, "no ASes in");
	if (rc == 0 && links)
		rc = parse_links(c, links);
	if (rc == 0)
		rc = check_child_cycles(c);
	return rc;
}

int topo_parse(const char *name, const uint8_t *buf, size_t len, struct topo **out,
	       struct topo_error *err)
{
	struct topo_ctx c = {.name = name, .err = err};
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int rc;

	*out = NULL;
	err->msg[0] = '\0';
	c.t = calloc(1, sizeof(*c.t));
	if (!c.t) {
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", name);
		return TOPO_ERR_NOMEM;
	}
	if (!yaml_parser_initialize(&parser)) {
		free(c.t);
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", name);
		return TOPO_ERR_NOMEM;
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err->msg, sizeof(err->msg), "%s:%zu: YAML error: %s", name,
			 parser.problem_mark.line + 1, parser.problem ? parser.problem : "unknown");
		yaml_parser_delete(&parser);
		free(c.t);
		return TOPO_ERR_SYNTAX;
	}
	c.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		snprintf(err->msg, sizeof(err->msg), "%s:1: empty topology", name);
		rc = TOPO_ERR_SYNTAX;
	} else {
		rc = parse_root(&c, root);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc) {
		free(c.t);
		return rc;
	}
	*out = c.t;
	return 0;
}

int topo_load(const char *path, struct topo **out, struct topo_error *err)
{
	uint8_t *buf;
	size_t len;
	FILE *f;
	int rc;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path, strerror(errno));
		return TOPO_ERR_IO;
	}
	buf = malloc(TOPO_MAX_FILE_LEN + 1);
	if (!buf) {
		fclose(f);
		snprintf(err->msg, sizeof(err->msg), "%s: out of memory", path);
		return TOPO_ERR_NOMEM;
	}
	len = fread(buf, 1, TOPO_MAX_FILE_LEN + 1, f);
	if (ferror(f) || len > TOPO_MAX_FILE_LEN) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
			 ferror(f) ? "read error" : "file too large");
		rc = TOPO_ERR_IO;
	} else {
		rc = topo_parse(path, buf, len, out, err);
	}
	fclose(f);
	free(buf);
	return rc;
}

void topo_free(struct topo *t)
{
	free(t);
}

int topo_as_index(const struct topo *t, scion_ia_t ia)
{
	for (size_t i = 0; i < t->num_ases; i++)
		if (t->ases[i].ia == ia)
			return (int)i;
	return -1;
}

const struct topo_link *topo_link_at(const struct topo *t, unsigned as_idx, uint16_t ifid,
				     bool *local_is_a)
{
	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.as == as_idx && l->a.ifid == ifid) {
			*local_is_a = true;
			return l;
		}
		if (l->b.as == as_idx && l->b.ifid == ifid) {
			*local_is_a = false;
			return l;
		}
	}
	return NULL;
}

enum topo_underlay topo_link_underlay(const struct topo *t, const struct topo_link *l)
{
	if (l->has_underlay)
		return l->underlay;
	return t->ases[l->a.as].underlay == TOPO_UNDERLAY_IPV6 &&
		       t->ases[l->b.as].underlay == TOPO_UNDERLAY_IPV6
		   ? TOPO_UNDERLAY_IPV6
		   : TOPO_UNDERLAY_IPV4;
}

const char *topo_underlay_name(enum topo_underlay u)
{
	return u == TOPO_UNDERLAY_IPV6 ? "UDP/IPv6" : "UDP/IPv4";
}

const char *topo_link_type_name(enum topo_link_type type)
{
	switch (type) {
	case TOPO_LINK_CORE:
		return "CORE";
	case TOPO_LINK_CHILD:
		return "CHILD";
	case TOPO_LINK_PEER:
		return "PEER";
	}
	return "?";
}
