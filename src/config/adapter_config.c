// SPDX-License-Identifier: MIT
/*
 * adapter.yaml for the IP adapter (see adapter_config.h). The original read it with Go's
 * yaml.v2, whose untagged fields are matched by their lower-cased name: its real keys were
 * addr, subnet, tunName (tagged), mtu and txqlen. seg reads txqlen and the documented
 * spelling txQlen alike.
 */
#include "config/adapter_config.h"

#include <stdlib.h>
#include <string.h>

#include "config/yaml_print.h"
#include "config/yaml_walk.h"

struct adapter_parse {
	struct seg_adapter_config *c;
	bool mtu_given;
	bool txqlen_seen;
	yaml_node_t *mtu_node;
};

static int key_addr(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct adapter_parse *p = ctx;
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, "addr", SEG_CONFIG_ADDR_MAX, &s);
	if (ret)
		return ret;
	int bad = ip_addr_parse(s, &p->c->addr);
	free(s);
	if (bad)
		return yaml_walk_error(w, n, "bad addr %s (want an IPv4 or IPv6 address)",
				       yaml_walk_quote(n, q, sizeof(q)));
	return 0;
}

static int add_subnet(struct yaml_walk *w, yaml_node_t *n, struct seg_adapter_config *c)
{
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, "subnet", SEG_CONFIG_ADDR_MAX, &s);
	if (ret)
		return ret;
	int bad = cidr_parse_masked(s, &c->subnets[c->subnets_len]);
	free(s);
	if (bad)
		return yaml_walk_error(w, n, "bad subnet %s (want e.g. 192.168.1.0/24)",
				       yaml_walk_quote(n, q, sizeof(q)));
	c->subnets_len++;
	return 0;
}

/* One prefix as the original wrote it, or a list of them. */
static int key_subnet(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_adapter_config *c = ((struct adapter_parse *)ctx)->c;
	size_t count = 1;

	if (n->type == YAML_SEQUENCE_NODE)
		count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	else if (n->type != YAML_SCALAR_NODE)
		return yaml_walk_expect(w, n, YAML_SCALAR_NODE, "subnet");
	if (count == 0)
		return yaml_walk_error(w, n, "subnet must list at least one prefix");
	if (count > SEG_ADAPTER_SUBNETS_MAX)
		return yaml_walk_error(w, n, "more than %d subnets", SEG_ADAPTER_SUBNETS_MAX);
	c->subnets = calloc(count, sizeof(*c->subnets));
	if (!c->subnets)
		return yaml_walk_error(w, n, "out of memory");
	if (n->type == YAML_SCALAR_NODE)
		return add_subnet(w, n, c);
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_walk_node(w, n->data.sequence.items.start[i]);
		if (!item)
			return yaml_walk_error(w, n, "malformed list");
		int ret = add_subnet(w, item, c);
		if (ret)
			return ret;
	}
	return 0;
}

/* A name for a link or a namespace: printable, no '/', no spaces, not "." or "..". */
static int name_key(struct yaml_walk *w, yaml_node_t *n, const char *what, bool may_be_empty,
		    char *out, size_t cap)
{
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, what, cap - 1, &s);
	if (ret)
		return ret;
	bool ok = (may_be_empty || s[0]) && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
	for (const char *p = s; ok && *p; p++)
		ok = (unsigned char)*p > ' ' && *p != 0x7f && *p != '/';
	if (ok)
		memcpy(out, s, strlen(s) + 1);
	free(s);
	if (!ok)
		return yaml_walk_error(w, n, "bad %s %s (no spaces or '/')", what,
				       yaml_walk_quote(n, q, sizeof(q)));
	return 0;
}

static int key_tun_name(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_adapter_config *c = ((struct adapter_parse *)ctx)->c;
	return name_key(w, n, "tunName", false, c->tun_name, sizeof(c->tun_name));
}

static int key_netns(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_adapter_config *c = ((struct adapter_parse *)ctx)->c;
	if (yaml_walk_is_null(n))
		return 0;
	return name_key(w, n, "netns", true, c->netns, sizeof(c->netns));
}

static int key_mtu(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct adapter_parse *p = ctx;
	uint64_t v;
	int ret = yaml_walk_uint(w, n, "mtu", SEG_ADAPTER_MIN_MTU, SEG_ADAPTER_MAX_MTU, &v);
	if (ret == 0) {
		p->c->mtu = (uint32_t)v;
		p->mtu_given = true;
		p->mtu_node = n;
	}
	return ret;
}

static int key_txqlen(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct adapter_parse *p = ctx;
	char q[YAML_WALK_QUOTE_MAX + 16];
	uint64_t v;

	/* txqlen and txQlen are one key under two spellings. */
	if (p->txqlen_seen)
		return yaml_walk_error(w, n, "txqlen given twice (as txqlen and txQlen): %s",
				       yaml_walk_quote(n, q, sizeof(q)));
	int ret = yaml_walk_uint(w, n, "txQlen", 1, SEG_ADAPTER_MAX_TXQLEN, &v);
	if (ret == 0) {
		p->c->txqlen = (uint32_t)v;
		p->txqlen_seen = true;
	}
	return ret;
}

static const struct yaml_walk_key adapter_keys[] = {
    {"addr", key_addr},	    {"subnet", key_subnet}, {"tunName", key_tun_name}, {"mtu", key_mtu},
    {"txQlen", key_txqlen}, {"txqlen", key_txqlen}, {"netns", key_netns},
};

static bool has_ipv6(const struct seg_adapter_config *c)
{
	if (c->addr.family == IP_FAMILY_V6)
		return true;
	for (size_t i = 0; i < c->subnets_len; i++) {
		if (c->subnets[i].addr.family == IP_FAMILY_V6)
			return true;
	}
	return false;
}

static int validate(struct yaml_walk *w, yaml_node_t *root, struct adapter_parse *p, uint64_t seen)
{
	struct seg_adapter_config *c = p->c;

	if (!(seen & 1))
		return yaml_walk_error(w, root, "missing key \"addr\"");
	if (!(seen & 2))
		return yaml_walk_error(w, root, "missing key \"subnet\"");
	if (has_ipv6(c)) {
		if (!p->mtu_given)
			c->mtu = SEG_ADAPTER_IPV6_MIN_MTU;
		else if (c->mtu < SEG_ADAPTER_IPV6_MIN_MTU)
			return yaml_walk_error(w, p->mtu_node,
					       "mtu %u is below %d, the minimum for IPv6", c->mtu,
					       SEG_ADAPTER_IPV6_MIN_MTU);
	}
	return 0;
}

int seg_adapter_config_parse(const char *name, const uint8_t *buf, size_t len,
			     struct seg_adapter_config **out, char *err, size_t errlen)
{
	struct yaml_walk w;
	struct adapter_parse p = {0};
	uint64_t seen = 0;

	*out = NULL;
	int ret = yaml_walk_load(&w, name, buf, len, err, errlen);
	if (ret)
		return ret;
	p.c = calloc(1, sizeof(*p.c));
	if (!p.c) {
		ret = SEG_CONFIG_ERR_NOMEM;
		snprintf(err, errlen, "%s: out of memory", name);
		goto out;
	}
	p.c->mtu = SEG_ADAPTER_DEFAULT_MTU;
	p.c->txqlen = SEG_ADAPTER_DEFAULT_TXQLEN;
	memcpy(p.c->tun_name, SEG_ADAPTER_DEFAULT_TUN_NAME, sizeof(SEG_ADAPTER_DEFAULT_TUN_NAME));

	yaml_node_t *root = yaml_walk_root(&w);
	if (!root || yaml_walk_is_null(root)) {
		ret = yaml_walk_error(&w, NULL, "empty configuration: missing key \"addr\"");
		goto out;
	}
	ret = yaml_walk_expect(&w, root, YAML_MAPPING_NODE, "the adapter configuration");
	if (ret == 0)
		ret = yaml_walk_mapping(&w, root, adapter_keys,
					sizeof(adapter_keys) / sizeof(adapter_keys[0]), &p, &seen);
	if (ret == 0)
		ret = validate(&w, root, &p, seen);
out:
	yaml_walk_free(&w);
	if (ret) {
		seg_adapter_config_free(p.c);
		return ret;
	}
	*out = p.c;
	return 0;
}

int seg_adapter_config_load(const char *path, struct seg_adapter_config **out, char *err,
			    size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	*out = NULL;
	int ret = yaml_walk_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = seg_adapter_config_parse(path, buf, len, out, err, errlen);
	free(buf);
	return ret;
}

void seg_adapter_config_free(struct seg_adapter_config *c)
{
	if (!c)
		return;
	free(c->subnets);
	free(c);
}

void seg_adapter_config_print(FILE *f, const struct seg_adapter_config *c)
{
	char buf[CIDR_STRLEN];

	if (ip_addr_format(&c->addr, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	fputs("addr: ", f);
	yaml_print_string(f, buf);
	fputs("\nsubnet:\n", f);
	for (size_t i = 0; i < c->subnets_len; i++) {
		if (cidr_format(&c->subnets[i], buf, sizeof(buf)) < 0)
			buf[0] = '\0';
		fputs("  - ", f);
		yaml_print_string(f, buf);
		fputc('\n', f);
	}
	fputs("tunName: ", f);
	yaml_print_string(f, c->tun_name);
	fprintf(f, "\nmtu: %u\ntxQlen: %u\nnetns: ", c->mtu, c->txqlen);
	yaml_print_string(f, c->netns);
	fputc('\n', f);
}

bool seg_adapter_config_equal(const struct seg_adapter_config *a,
			      const struct seg_adapter_config *b)
{
	if (!ip_addr_equal(&a->addr, &b->addr) || a->subnets_len != b->subnets_len ||
	    strcmp(a->tun_name, b->tun_name) != 0 || a->mtu != b->mtu || a->txqlen != b->txqlen ||
	    strcmp(a->netns, b->netns) != 0)
		return false;
	for (size_t i = 0; i < a->subnets_len; i++) {
		if (!cidr_equal(&a->subnets[i], &b->subnets[i]))
			return false;
	}
	return true;
}
