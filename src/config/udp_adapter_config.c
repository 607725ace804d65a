// SPDX-License-Identifier: MIT
/* The UDP service adapter's configuration file (udp_adapter_config.h). */
#include "config/udp_adapter_config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/yaml_walk.h"

struct udp_parse {
	struct seg_udp_adapter_config *c;
	bool type_seen;
};

static int parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;

	if (!*s || *s == '0' || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int seg_udp_sockaddr_parse(const char *s, struct seg_udp_sockaddr *out)
{
	char host[64];
	const char *colon;
	uint16_t port;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, (size_t)(end - s - 1));
		host[end - s - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		if (strchr(host, ':'))
			return -1; /* IPv6 needs brackets */
	}
	if (parse_port(colon + 1, &port))
		return -1;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
	if (s[0] != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		out->len = sizeof(*v4);
		return 0;
	}
	if (s[0] == '[' && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		out->len = sizeof(*v6);
		return 0;
	}
	return -1;
}

static int sockaddr_key(struct yaml_walk *w, yaml_node_t *n, const char *what,
			struct seg_udp_sockaddr *out)
{
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, what, 64, &s);

	if (ret)
		return ret;
	ret = seg_udp_sockaddr_parse(s, out);
	free(s);
	if (ret)
		return yaml_walk_error(w, n, "bad %s %s (want IP:port or [IPv6]:port)", what,
				       yaml_walk_quote(n, q, sizeof(q)));
	return 0;
}

static int name_key(struct yaml_walk *w, yaml_node_t *n, const char *what, char *out)
{
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, what, SEG_UDP_NAME_MAX, &s);
	bool ok;

	if (ret)
		return ret;
	ok = s[0] != '\0';
	for (const char *p = s; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-';
	if (ok)
		memcpy(out, s, strlen(s) + 1);
	free(s);
	if (!ok)
		return yaml_walk_error(w, n, "bad %s %s (1..32 of A-Z a-z 0-9 . _ -)", what,
				       yaml_walk_quote(n, q, sizeof(q)));
	return 0;
}

static int gateway_key(struct yaml_walk *w, yaml_node_t *n, const char *what,
		       struct scion_addr *out)
{
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, what, 128, &s);

	if (ret)
		return ret;
	ret = scion_addr_parse(s, out);
	free(s);
	if (ret)
		return yaml_walk_error(w, n,
				       "bad %s %s (want ISD-AS,IP, e.g. 1-ff00:0:110,10.0.0.1)",
				       what, yaml_walk_quote(n, q, sizeof(q)));
	return 0;
}

/* ---- services ---- */

static int svc_name(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return name_key(w, n, "name", ((struct seg_udp_service *)ctx)->name);
}

static int svc_address(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return sockaddr_key(w, n, "address", &((struct seg_udp_service *)ctx)->address);
}

static int svc_allowed(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_udp_service *s = ctx;
	size_t count;

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.length == 3 &&
	    memcmp(n->data.scalar.value, "any", 3) == 0) {
		s->allow_any = true;
		return 0;
	}
	int ret = yaml_walk_expect(w, n, YAML_SEQUENCE_NODE, "allowedPeers (a list or any)");
	if (ret)
		return ret;
	s->allow_any = false;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > SEG_UDP_PEERS_MAX)
		return yaml_walk_error(w, n, "more than %d allowedPeers", SEG_UDP_PEERS_MAX);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_walk_node(w, n->data.sequence.items.start[i]);

		if (!item)
			return yaml_walk_error(w, n, "malformed list");
		ret = gateway_key(w, item, "allowedPeers entry", &s->allowed[s->allowed_len++]);
		if (ret)
			return ret;
	}
	return 0;
}

static const struct yaml_walk_key service_keys[] = {
    {"name", svc_name},
    {"address", svc_address},
    {"allowedPeers", svc_allowed},
};

/* ---- forwards ---- */

static int fwd_listen(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return sockaddr_key(w, n, "listen", &((struct seg_udp_forward *)ctx)->listen);
}

static int fwd_peer(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return gateway_key(w, n, "peer", &((struct seg_udp_forward *)ctx)->peer);
}

static int fwd_service(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return name_key(w, n, "service", ((struct seg_udp_forward *)ctx)->service);
}

static const struct yaml_walk_key forward_keys[] = {
    {"listen", fwd_listen},
    {"peer", fwd_peer},
    {"service", fwd_service},
};

/* Walks a list of mappings, each against keys, all required (mask all_keys). */
static int list_of(struct yaml_walk *w, yaml_node_t *n, const char *what, size_t max,
		   const struct yaml_walk_key *keys, size_t nkeys, uint64_t required, void *items,
		   size_t item_size, size_t *count)
{
	size_t c;
	int ret = yaml_walk_expect(w, n, YAML_SEQUENCE_NODE, what);

	if (ret)
		return ret;
	c = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (c > max)
		return yaml_walk_error(w, n, "more than %zu %s", max, what);
	for (size_t i = 0; i < c; i++) {
		yaml_node_t *item = yaml_walk_node(w, n->data.sequence.items.start[i]);
		void *dst = (uint8_t *)items + i * item_size;
		uint64_t seen = 0;

		if (!item)
			return yaml_walk_error(w, n, "malformed list");
		ret = yaml_walk_expect(w, item, YAML_MAPPING_NODE, what);
		if (!ret)
			ret = yaml_walk_mapping(w, item, keys, nkeys, dst, &seen);
		if (ret)
			return ret;
		for (size_t k = 0; k < nkeys; k++)
			if ((required & (1ull << k)) && !(seen & (1ull << k)))
				return yaml_walk_error(w, item, "%s entry: missing key \"%s\"",
						       what, keys[k].name);
	}
	*count = c;
	return 0;
}

static int key_services(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_udp_adapter_config *c = ((struct udp_parse *)ctx)->c;

	for (size_t i = 0; i < SEG_UDP_SERVICES_MAX; i++)
		c->services[i].allow_any = true;
	return list_of(w, n, "services", SEG_UDP_SERVICES_MAX, service_keys, 3, 0x3, c->services,
		       sizeof(c->services[0]), &c->services_len);
}

static int key_forwards(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_udp_adapter_config *c = ((struct udp_parse *)ctx)->c;

	return list_of(w, n, "forwards", SEG_UDP_FORWARDS_MAX, forward_keys, 3, 0x7, c->forwards,
		       sizeof(c->forwards[0]), &c->forwards_len);
}

static int key_type(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, "type", 16, &s);
	bool ok;

	if (ret)
		return ret;
	ok = strcmp(s, "udp") == 0;
	free(s);
	if (!ok)
		return yaml_walk_error(w, n, "type %s: this file is for the udp adapter",
				       yaml_walk_quote(n, q, sizeof(q)));
	((struct udp_parse *)ctx)->type_seen = true;
	return 0;
}

static int key_idle(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_udp_adapter_config *c = ((struct udp_parse *)ctx)->c;
	int ret = yaml_walk_duration(w, n, "flowIdleTimeout", &c->flow_idle_ns);

	if (!ret && !c->flow_idle_ns)
		return yaml_walk_error(w, n, "flowIdleTimeout must be greater than 0");
	return ret;
}

static int key_max_flows(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_udp_adapter_config *c = ((struct udp_parse *)ctx)->c;
	uint64_t v;
	int ret = yaml_walk_uint(w, n, "maxFlows", 1, SEG_UDP_MAX_FLOWS, &v);

	if (!ret)
		c->max_flows = (uint32_t)v;
	return ret;
}

static const struct yaml_walk_key udp_keys[] = {
    {"type", key_type},		 {"services", key_services},
    {"forwards", key_forwards},	 {"flowIdleTimeout", key_idle},
    {"maxFlows", key_max_flows},
};

static int validate(struct yaml_walk *w, yaml_node_t *root, struct seg_udp_adapter_config *c)
{
	for (size_t i = 0; i < c->services_len; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->services[i].name, c->services[j].name))
				return yaml_walk_error(w, root, "service \"%s\" listed twice",
						       c->services[i].name);
	for (size_t i = 0; i < c->forwards_len; i++)
		for (size_t j = 0; j < i; j++)
			if (c->forwards[i].listen.len == c->forwards[j].listen.len &&
			    !memcmp(&c->forwards[i].listen.ss, &c->forwards[j].listen.ss,
				    c->forwards[i].listen.len))
				return yaml_walk_error(w, root,
						       "two forwards listen on one address");
	return 0;
}

bool seg_udp_adapter_config_is_udp(const uint8_t *buf, size_t len)
{
	char err[SEG_CONFIG_ERRLEN];
	struct yaml_walk w;
	yaml_node_t *root;
	bool udp = false;

	if (yaml_walk_load(&w, "", buf, len, err, sizeof(err)))
		return false;
	root = yaml_walk_root(&w);
	if (root && root->type == YAML_MAPPING_NODE) {
		for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
		     p < root->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_walk_node(&w, p->key),
				    *v = yaml_walk_node(&w, p->value);

			if (k && v && k->type == YAML_SCALAR_NODE && v->type == YAML_SCALAR_NODE &&
			    k->data.scalar.length == 4 &&
			    !memcmp(k->data.scalar.value, "type", 4) &&
			    v->data.scalar.length == 3 && !memcmp(v->data.scalar.value, "udp", 3))
				udp = true;
		}
	}
	yaml_walk_free(&w);
	return udp;
}

int seg_udp_adapter_config_parse(const char *name, const uint8_t *buf, size_t len,
				 struct seg_udp_adapter_config **out, char *err, size_t errlen)
{
	struct udp_parse p = {0};
	struct yaml_walk w;
	yaml_node_t *root;
	uint64_t seen = 0;
	int ret;

	*out = NULL;
	ret = yaml_walk_load(&w, name, buf, len, err, errlen);
	if (ret)
		return ret;
	p.c = calloc(1, sizeof(*p.c));
	if (!p.c) {
		snprintf(err, errlen, "%s: out of memory", name);
		ret = SEG_CONFIG_ERR_NOMEM;
		goto out;
	}
	p.c->flow_idle_ns = SEG_UDP_DEFAULT_FLOW_IDLE_TIMEOUT;
	p.c->max_flows = SEG_UDP_DEFAULT_MAX_FLOWS;
	root = yaml_walk_root(&w);
	if (!root || yaml_walk_is_null(root)) {
		ret = yaml_walk_error(&w, NULL, "empty configuration: missing key \"type\"");
		goto out;
	}
	ret = yaml_walk_expect(&w, root, YAML_MAPPING_NODE, "the udp adapter configuration");
	if (!ret)
		ret = yaml_walk_mapping(&w, root, udp_keys, sizeof(udp_keys) / sizeof(udp_keys[0]),
					&p, &seen);
	if (!ret && !p.type_seen)
		ret = yaml_walk_error(&w, root, "missing key \"type\" (type: udp)");
	if (!ret)
		ret = validate(&w, root, p.c);
out:
	yaml_walk_free(&w);
	if (ret) {
		free(p.c);
		return ret;
	}
	*out = p.c;
	return 0;
}

void seg_udp_adapter_config_free(struct seg_udp_adapter_config *c)
{
	free(c);
}
