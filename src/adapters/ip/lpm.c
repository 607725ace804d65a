/* SPDX-License-Identifier: MIT */
/*
 * Path-compressed binary trie (see lpm.h). Invariants, checked by lpm_validate after every
 * step of the differential test:
 *  - a node's key has no bits set past node->bits;
 *  - a child's prefix extends its parent's, and child[b] continues with bit b at index
 *    parent->bits;
 *  - a node without a value has exactly two children (otherwise it would be spliced out).
 */
#include "adapters/ip/lpm.h"

#include <stdlib.h>
#include <string.h>

struct lpm_node {
	struct lpm_node *child[2];
	void *value; /* NULL: a branching node only */
	uint8_t key[IP_V6_LEN];
	uint8_t bits;
};

struct lpm {
	struct lpm_node *root[2]; /* [0] IPv4, [1] IPv6 */
	size_t count;
	size_t max;
};

static int family_slot(enum ip_family f)
{
	return f == IP_FAMILY_V4 ? 0 : 1;
}

static unsigned bit_at(const uint8_t *key, unsigned i)
{
	return (key[i / 8] >> (7 - i % 8)) & 1u;
}

/* Number of leading bits a and b share, at most limit. */
static unsigned common_bits(const uint8_t *a, const uint8_t *b, unsigned limit)
{
	unsigned n = 0;

	for (unsigned i = 0; n < limit; i++) {
		uint8_t x = a[i] ^ b[i];

		if (x == 0) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			x = (uint8_t)(x << 1);
			n++;
		}
		break;
	}
	return n < limit ? n : limit;
}

static bool node_matches(const struct lpm_node *n, const uint8_t *key)
{
	return common_bits(n->key, key, n->bits) == n->bits;
}

/* A node for the first bits of key, the rest cleared. */
static struct lpm_node *node_new(const uint8_t *key, unsigned bits, void *value)
{
	struct lpm_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	struct cidr c = {.addr.family = IP_FAMILY_V6, .len = (uint8_t)bits};

	memcpy(c.addr.bytes, key, IP_V6_LEN);
	c = cidr_network(&c);
	memcpy(n->key, c.addr.bytes, IP_V6_LEN);
	n->bits = (uint8_t)bits;
	n->value = value;
	return n;
}

static void node_free(struct lpm_node *n)
{
	if (!n)
		return;
	node_free(n->child[0]);
	node_free(n->child[1]);
	free(n);
}

static struct lpm_node *node_clone(const struct lpm_node *n, bool *ok)
{
	if (!n || !*ok)
		return NULL;
	struct lpm_node *c = malloc(sizeof(*c));

	if (!c) {
		*ok = false;
		return NULL;
	}
	*c = *n;
	c->child[0] = node_clone(n->child[0], ok);
	c->child[1] = node_clone(n->child[1], ok);
	return c;
}

struct lpm *lpm_create(size_t max_entries)
{
	struct lpm *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max_entries ? max_entries : LPM_MAX_ENTRIES;
	return t;
}

void lpm_clear(struct lpm *t)
{
	for (int i = 0; i < 2; i++) {
		node_free(t->root[i]);
		t->root[i] = NULL;
	}
	t->count = 0;
}

void lpm_free(struct lpm *t)
{
	if (!t)
		return;
	lpm_clear(t);
	free(t);
}

struct lpm *lpm_clone(const struct lpm *t)
{
	struct lpm *c = lpm_create(t->max);
	bool ok = true;

	if (!c)
		return NULL;
	for (int i = 0; i < 2; i++)
		c->root[i] = node_clone(t->root[i], &ok);
	c->count = t->count;
	if (!ok) {
		lpm_free(c);
		return NULL;
	}
	return c;
}

static bool prefix_valid(const struct cidr *p)
{
	if (p->addr.family != IP_FAMILY_V4 && p->addr.family != IP_FAMILY_V6)
		return false;
	if (p->len > ip_family_bits(p->addr.family))
		return false;
	struct cidr net = cidr_network(p);

	return memcmp(net.addr.bytes, p->addr.bytes, IP_V6_LEN) == 0;
}

/*
 * Walks down to where the prefix belongs. Exactly one of three shapes results: the slot is
 * empty (new leaf), the prefix splits an edge above an existing node (new node on top), or it
 * diverges from an existing node (a new branching node with both below). Allocation happens
 * before the trie is touched, so a failure leaves it unchanged.
 */
int lpm_insert(struct lpm *t, const struct cidr *prefix, void *value)
{
	if (!value || !prefix_valid(prefix))
		return LPM_ERR_INVALID;
	const uint8_t *key = prefix->addr.bytes;
	unsigned bits = prefix->len;
	struct lpm_node **slot = &t->root[family_slot(prefix->addr.family)];
	struct lpm_node *n;

	while ((n = *slot)) {
		unsigned limit = n->bits < bits ? n->bits : bits;
		unsigned c = common_bits(n->key, key, limit);

		if (c == n->bits && n->bits == bits) {
			if (n->value)
				return LPM_ERR_EXISTS;
			if (t->count >= t->max)
				return LPM_ERR_FULL;
			n->value = value;
			t->count++;
			return LPM_OK;
		}
		if (c == n->bits) {
			slot = &n->child[bit_at(key, n->bits)];
			continue;
		}
		if (t->count >= t->max)
			return LPM_ERR_FULL;
		struct lpm_node *leaf = node_new(key, bits, value);

		if (!leaf)
			return LPM_ERR_NOMEM;
		if (c == bits) {
			/* The new prefix is a prefix of n: it goes on top. */
			leaf->child[bit_at(n->key, bits)] = n;
			*slot = leaf;
			t->count++;
			return LPM_OK;
		}
		struct lpm_node *fork = node_new(key, c, NULL);

		if (!fork) {
			free(leaf);
			return LPM_ERR_NOMEM;
		}
		fork->child[bit_at(key, c)] = leaf;
		fork->child[bit_at(n->key, c)] = n;
		*slot = fork;
		t->count++;
		return LPM_OK;
	}
	if (t->count >= t->max)
		return LPM_ERR_FULL;
	if (!(*slot = node_new(key, bits, value)))
		return LPM_ERR_NOMEM;
	t->count++;
	return LPM_OK;
}

int lpm_remove(struct lpm *t, const struct cidr *prefix, void **old)
{
	if (!prefix_valid(prefix))
		return LPM_ERR_INVALID;
	const uint8_t *key = prefix->addr.bytes;
	unsigned bits = prefix->len;
	struct lpm_node **slot = &t->root[family_slot(prefix->addr.family)];
	struct lpm_node **parent_slot = NULL;
	struct lpm_node *n;

	while ((n = *slot) && n->bits < bits && node_matches(n, key)) {
		parent_slot = slot;
		slot = &n->child[bit_at(key, n->bits)];
	}
	if (!n || n->bits != bits || !node_matches(n, key) || !n->value)
		return LPM_ERR_NOT_FOUND;
	if (old)
		*old = n->value;
	n->value = NULL;
	t->count--;
	if (n->child[0] && n->child[1])
		return LPM_OK; /* still needed as a branching node */
	*slot = n->child[0] ? n->child[0] : n->child[1];
	free(n);
	/* A branching parent left with one child is spliced out too. */
	struct lpm_node *p = parent_slot ? *parent_slot : NULL;

	if (p && !p->value && !(p->child[0] && p->child[1])) {
		*parent_slot = p->child[0] ? p->child[0] : p->child[1];
		free(p);
	}
	return LPM_OK;
}

void *lpm_lookup(const struct lpm *t, enum ip_family family, const uint8_t *addr)
{
	if (family != IP_FAMILY_V4 && family != IP_FAMILY_V6)
		return NULL;
	uint8_t key[IP_V6_LEN] = {0};
	unsigned max = ip_family_bits(family);
	const struct lpm_node *n = t->root[family_slot(family)];
	void *best = NULL;

	memcpy(key, addr, ip_family_len(family));
	while (n && node_matches(n, key)) {
		if (n->value)
			best = n->value;
		if (n->bits >= max)
			break;
		n = n->child[bit_at(key, n->bits)];
	}
	return best;
}

void *lpm_lookup_exact(const struct lpm *t, const struct cidr *prefix)
{
	if (!prefix_valid(prefix))
		return NULL;
	const struct lpm_node *n = t->root[family_slot(prefix->addr.family)];

	while (n && n->bits < prefix->len && node_matches(n, prefix->addr.bytes))
		n = n->child[bit_at(prefix->addr.bytes, n->bits)];
	if (n && n->bits == prefix->len && node_matches(n, prefix->addr.bytes))
		return n->value;
	return NULL;
}

size_t lpm_count(const struct lpm *t)
{
	return t->count;
}

struct walk {
	enum ip_family family;
	void (*fn)(const struct cidr *prefix, void *value, void *ctx);
	void *ctx;
};

static void node_walk(const struct lpm_node *n, const struct walk *w)
{
	if (!n)
		return;
	if (n->value) {
		struct cidr c = {.addr.family = w->family, .len = n->bits};

		memcpy(c.addr.bytes, n->key, ip_family_len(w->family));
		w->fn(&c, n->value, w->ctx);
	}
	node_walk(n->child[0], w);
	node_walk(n->child[1], w);
}

void lpm_walk(const struct lpm *t, void (*fn)(const struct cidr *prefix, void *value, void *ctx),
	      void *ctx)
{
	struct walk w4 = {IP_FAMILY_V4, fn, ctx};
	struct walk w6 = {IP_FAMILY_V6, fn, ctx};

	node_walk(t->root[0], &w4);
	node_walk(t->root[1], &w6);
}

struct collect {
	const void *value;
	struct cidr *out;
	size_t n;
};

static void collect_value(const struct cidr *prefix, void *value, void *ctx)
{
	struct collect *c = ctx;

	if (value == c->value)
		c->out[c->n++] = *prefix;
}

/* Collects first, removes after: the trie is never changed under the walk. */
int lpm_remove_value(struct lpm *t, const void *value)
{
	if (t->count == 0)
		return 0;
	struct collect c = {.value = value, .out = calloc(t->count, sizeof(struct cidr))};

	if (!c.out)
		return LPM_ERR_NOMEM;
	lpm_walk(t, collect_value, &c);
	for (size_t i = 0; i < c.n; i++) {
		if (lpm_remove(t, &c.out[i], NULL) != LPM_OK)
			abort(); /* just seen by the walk: a broken invariant */
	}
	free(c.out);
	return (int)c.n;
}

/* Returns the number of values below n, or -1 when an invariant is broken. */
static long node_validate(const struct lpm_node *n, const struct lpm_node *parent, int side,
			  unsigned max)
{
	if (!n)
		return 0;
	struct cidr c = {.addr.family = IP_FAMILY_V6, .len = n->bits};

	memcpy(c.addr.bytes, n->key, IP_V6_LEN);
	c = cidr_network(&c);
	if (n->bits > max || memcmp(c.addr.bytes, n->key, IP_V6_LEN) != 0)
		return -1;
	if (parent && (n->bits <= parent->bits || !node_matches(parent, n->key) ||
		       bit_at(n->key, parent->bits) != (unsigned)side))
		return -1;
	if (!n->value && !(n->child[0] && n->child[1]))
		return -1;
	long a = node_validate(n->child[0], n, 0, max);
	long b = node_validate(n->child[1], n, 1, max);

	if (a < 0 || b < 0)
		return -1;
	return a + b + (n->value ? 1 : 0);
}

bool lpm_validate(const struct lpm *t)
{
	long v4 = node_validate(t->root[0], NULL, 0, IP_V4_BITS);
	long v6 = node_validate(t->root[1], NULL, 0, IP_V6_BITS);

	return v4 >= 0 && v6 >= 0 && (size_t)(v4 + v6) == t->count && t->count <= t->max;
}

const char *lpm_strerror(int err)
{
	switch ((enum lpm_err)err) {
	case LPM_OK:
		return "ok";
	case LPM_ERR_INVALID:
		return "invalid prefix (length too long or host bits set) or NULL value";
	case LPM_ERR_EXISTS:
		return "prefix already in the table";
	case LPM_ERR_NOT_FOUND:
		return "prefix not in the table";
	case LPM_ERR_FULL:
		return "route table full";
	case LPM_ERR_NOMEM:
		return "out of memory";
	}
	return "unknown error";
}
