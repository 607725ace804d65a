/* SPDX-License-Identifier: MIT */
#include "testnet_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

int test_keys_make(const struct topo *t, uint8_t salt, struct test_keys *k)
{
	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < t->num_ases; i++) {
		uint8_t key[SCION_MAC_KEY_LEN];

		for (int b = 0; b < 8; b++)
			key[b] = (uint8_t)(t->ases[i].ia >> (56 - 8 * b));
		for (int b = 8; b < SCION_MAC_KEY_LEN; b++)
			key[b] = (uint8_t)(salt + 31 * b);
		k->objs[i] = scion_mac_key_new(key);
		if (!k->objs[i])
			return -1;
		k->keys[i] = (struct beacon_key){.ia = t->ases[i].ia, .key = k->objs[i]};
		k->num = i + 1;
	}
	return 0;
}

void test_keys_free(struct test_keys *k)
{
	for (size_t i = 0; i < k->num; i++)
		scion_mac_key_free(k->objs[i]);
	memset(k, 0, sizeof(*k));
}

struct topo *test_topo_load(const char *relpath)
{
	char path[512];
	struct topo_error err;
	struct topo *t = NULL;

	snprintf(path, sizeof(path), "%s/%s", SEG_SOURCE_DIR, relpath);
	if (topo_load(path, &t, &err) != 0)
		fail_msg("%s", err.msg);
	return t;
}

struct topo *test_topo_parse(const char *text)
{
	struct topo_error err;
	struct topo *t = NULL;

	if (topo_parse("inline.topo", (const uint8_t *)text, strlen(text), &t, &err) != 0)
		fail_msg("%s", err.msg);
	return t;
}

scion_ia_t test_ia(const char *s)
{
	scion_ia_t ia = 0;

	assert_int_equal(scion_ia_parse(s, strlen(s), &ia), 0);
	return ia;
}

void test_format_ifaces(const struct combinator_path *p, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < p->num_ifaces && used < cap; i++) {
		char ia[SCION_IA_STRLEN];

		if (scion_ia_format(p->ifaces[i].ia, ia, sizeof(ia)) != 0)
			snprintf(ia, sizeof(ia), "?");
		used += (size_t)snprintf(buf + used, cap - used, "%s%s#%u", i ? " " : "", ia,
					 p->ifaces[i].ifid);
	}
}

int test_path_cmp(const void *a, const void *b)
{
	const struct combinator_path *x = a, *y = b;

	if (x->hops != y->hops)
		return x->hops < y->hops ? -1 : 1;
	if (x->num_ifaces != y->num_ifaces)
		return x->num_ifaces < y->num_ifaces ? -1 : 1;
	for (size_t i = 0; i < x->num_ifaces; i++) {
		if (x->ifaces[i].ia != y->ifaces[i].ia)
			return x->ifaces[i].ia < y->ifaces[i].ia ? -1 : 1;
		if (x->ifaces[i].ifid != y->ifaces[i].ifid)
			return x->ifaces[i].ifid < y->ifaces[i].ifid ? -1 : 1;
	}
	return 0;
}

/* ---- router emulation ------------------------------------------------------------------ */

/* The type of a link seen from one of its ends (the reference's link_to). */
enum link_to { LINK_TO_CORE, LINK_TO_CHILD, LINK_TO_PARENT, LINK_TO_PEER };

static enum link_to link_to(const struct topo_link *l, bool local_is_a)
{
	switch (l->type) {
	case TOPO_LINK_CORE:
		return LINK_TO_CORE;
	case TOPO_LINK_PEER:
		return LINK_TO_PEER;
	case TOPO_LINK_CHILD:
		break;
	}
	return local_is_a ? LINK_TO_CHILD : LINK_TO_PARENT;
}

#define WALK_FAIL(...)                                       \
	do {                                                 \
		if (msg)                                     \
			snprintf(msg, msg_len, __VA_ARGS__); \
		return __LINE__;                             \
	} while (0)

/* The end (exclusive) of the hop fields of info field inf. */
static unsigned seg_end(const struct scion_std_path *sp, unsigned inf)
{
	unsigned end = 0;

	for (unsigned i = 0; i <= inf; i++)
		end += sp->meta.seg_len[i];
	return end;
}

int test_router_walk(const struct topo *t, const struct test_keys *k, scion_ia_t src,
		     scion_ia_t dst, const struct combinator_path *p, uint32_t now, char *msg,
		     size_t msg_len)
{
	struct scion_std_path sp;
	struct combinator_iface seen[COMBINATOR_MAX_IFACES];
	size_t num_seen = 0;
	unsigned hf_i = 0, inf_i = 0;
	uint16_t ingress = 0;
	int as = topo_as_index(t, src);

	if (as < 0 || topo_as_index(t, dst) < 0)
		WALK_FAIL("unknown src or dst");
	if (p->raw_len == 0) {
		if (src != dst || p->num_ifaces)
			WALK_FAIL("empty path between different ASes");
		return 0;
	}
	if (scion_std_path_decode(p->raw, p->raw_len, &sp) != 0)
		WALK_FAIL("raw path does not decode");
	if (sp.meta.curr_inf != 0 || sp.meta.curr_hf != 0)
		WALK_FAIL("CurrINF/CurrHF not 0");
	for (unsigned step = 0; step <= SCION_MAX_HOPS; step++) {
		struct scion_info_field *inf = &sp.inf[inf_i];
		struct scion_hop_field *hf = &sp.hop[hf_i];
		unsigned len0 = sp.meta.seg_len[0];
		bool peering = inf->peer && (hf_i + 1 == len0 || hf_i == len0);
		bool xover = false;
		const struct topo_link *l;
		bool local_is_a;
		uint16_t egress;
		unsigned remote;

		if (inf->peer && (sp.num_infs != 2))
			WALK_FAIL("peering path with %u segments", sp.num_infs);
		if (now > scion_hop_expiry(inf->timestamp, hf->exp_time))
			WALK_FAIL("hop %u expired", hf_i);
		if (ingress && ingress != (inf->cons_dir ? hf->cons_ingress : hf->cons_egress))
			WALK_FAIL("hop %u: packet arrived on %u, hop field says otherwise", hf_i,
				  ingress);
		if (!inf->cons_dir && ingress && !peering)
			inf->seg_id = scion_seg_id_next(inf->seg_id, hf->mac);
		if (!scion_hop_mac_verify(k->objs[as], inf->seg_id, inf->timestamp, hf))
			WALK_FAIL("hop %u: MAC does not verify", hf_i);
		if (hf_i + 1u == sp.num_hops) {
			if (t->ases[as].ia != dst)
				WALK_FAIL("path ends before dst");
			break;
		}
		if (t->ases[as].ia == dst)
			WALK_FAIL("path passes dst");
		if (hf_i + 1u == seg_end(&sp, inf_i) && !peering) {
			/* Segment crossover: the next hop field belongs to this AS too. */
			hf_i++;
			inf_i++;
			inf = &sp.inf[inf_i];
			hf = &sp.hop[hf_i];
			if (now > scion_hop_expiry(inf->timestamp, hf->exp_time))
				WALK_FAIL("hop %u expired", hf_i);
			if (!scion_hop_mac_verify(k->objs[as], inf->seg_id, inf->timestamp, hf))
				WALK_FAIL("hop %u (after crossover): MAC does not verify", hf_i);
			xover = true;
		}
		egress = inf->cons_dir ? hf->cons_egress : hf->cons_ingress;
		l = egress ? topo_link_at(t, (unsigned)as, egress, &local_is_a) : NULL;
		if (!l)
			WALK_FAIL("hop %u: no egress interface %u", hf_i, egress);
		if (xover) {
			bool in_a;
			const struct topo_link *il = topo_link_at(t, (unsigned)as, ingress, &in_a);
			enum link_to in = il ? link_to(il, in_a) : LINK_TO_PEER;
			enum link_to out = link_to(l, local_is_a);

			if (!ingress || !((in == LINK_TO_CORE && out == LINK_TO_CHILD) ||
					  (in == LINK_TO_CHILD && out == LINK_TO_CORE) ||
					  (in == LINK_TO_CHILD && out == LINK_TO_CHILD)))
				WALK_FAIL("hop %u: invalid segment change", hf_i);
		}
		if (inf->cons_dir && !peering)
			inf->seg_id = scion_seg_id_next(inf->seg_id, hf->mac);
		hf_i++;
		if (hf_i == seg_end(&sp, inf_i))
			inf_i++;
		remote = local_is_a ? l->b.as : l->a.as;
		if (num_seen + 2 > COMBINATOR_MAX_IFACES)
			WALK_FAIL("too many interfaces");
		seen[num_seen++] = (struct combinator_iface){t->ases[as].ia, egress};
		ingress = local_is_a ? l->b.ifid : l->a.ifid;
		seen[num_seen++] = (struct combinator_iface){t->ases[remote].ia, ingress};
		as = (int)remote;
	}
	if (num_seen != p->num_ifaces)
		WALK_FAIL("walked %zu interfaces, path lists %zu", num_seen, p->num_ifaces);
	for (size_t i = 0; i < num_seen; i++)
		if (seen[i].ia != p->ifaces[i].ia || seen[i].ifid != p->ifaces[i].ifid)
			WALK_FAIL("interface %zu differs from the walk", i);
	return 0;
}

/* ---- naive reference --------------------------------------------------------------------- */

enum move { MOVE_UP, MOVE_CORE, MOVE_PEER, MOVE_DOWN };

struct naive_ctx {
	const struct topo *t;
	const struct beacon_params *p;
	unsigned dst;
	bool allow_hidden;
	unsigned depth[TOPO_MAX_ASES]; /* ASes on the shortest CHILD chain from a core; 0: none */
	bool visited[TOPO_MAX_ASES];
	unsigned len;
	unsigned as_at[SCION_MAX_HOPS + 1];
	enum move moves[SCION_MAX_HOPS];
	const struct topo_link *links[SCION_MAX_HOPS];
	struct naive_result *out;
};

static bool allowed(const struct naive_ctx *c, const struct topo_link *l)
{
	return c->allow_hidden || !l->hidden;
}

static void compute_depth(struct naive_ctx *c)
{
	const struct topo *t = c->t;
	bool changed = true;

	for (size_t i = 0; i < t->num_ases; i++)
		c->depth[i] = t->ases[i].core ? 1 : 0;
	while (changed) {
		changed = false;
		for (size_t i = 0; i < t->num_links; i++) {
			const struct topo_link *l = &t->links[i];
			unsigned d = c->depth[l->a.as];

			if (l->type != TOPO_LINK_CHILD || !allowed(c, l) || !d)
				continue;
			if (!c->depth[l->b.as] || d + 1 < c->depth[l->b.as]) {
				c->depth[l->b.as] = d + 1;
				changed = true;
			}
		}
	}
}

/* Whether a part of `moves` links starting at (or ending at) top exists as a segment piece. */
static bool beaconed(const struct naive_ctx *c, unsigned top, unsigned moves)
{
	return c->depth[top] && c->depth[top] + moves <= c->p->max_down_entries;
}

static bool naive_valid(const struct naive_ctx *c)
{
	unsigned i = 0, up = 0, core = 0, down = 0, x, y;
	bool peer = false;

	while (i < c->len && c->moves[i] == MOVE_UP)
		i++, up++;
	x = c->as_at[i];
	while (i < c->len && c->moves[i] == MOVE_CORE)
		i++, core++;
	if (i < c->len && c->moves[i] == MOVE_PEER)
		i++, peer = true;
	y = c->as_at[i];
	while (i < c->len && c->moves[i] == MOVE_DOWN)
		i++, down++;
	if (i != c->len)
		return false;
	if ((up || peer) && !beaconed(c, x, up))
		return false;
	if (core && core + 1 > c->p->max_core_entries)
		return false;
	if (peer && (c->t->ases[x].core || c->t->ases[y].core))
		return false;
	if ((down || peer) && !beaconed(c, y, down))
		return false;
	return true;
}

static int naive_record(struct naive_ctx *c)
{
	struct naive_result *o = c->out;
	struct combinator_path *r;

	if (!naive_valid(c))
		return 0;
	if (o->num == o->cap) {
		size_t cap = o->cap ? 2 * o->cap : 16;
		struct combinator_path *p = realloc(o->paths, cap * sizeof(*p));

		if (!p)
			return -1;
		o->paths = p;
		o->cap = cap;
	}
	r = &o->paths[o->num++];
	memset(r, 0, sizeof(*r));
	r->mtu = c->t->ases[c->as_at[0]].mtu;
	for (unsigned i = 0; i < c->len; i++) {
		const struct topo_link *l = c->links[i];
		bool a_first = l->a.as == c->as_at[i];
		const struct topo_endpoint *from = a_first ? &l->a : &l->b;
		const struct topo_endpoint *to = a_first ? &l->b : &l->a;

		r->ifaces[r->num_ifaces++] =
		    (struct combinator_iface){c->t->ases[from->as].ia, from->ifid};
		r->ifaces[r->num_ifaces++] =
		    (struct combinator_iface){c->t->ases[to->as].ia, to->ifid};
		if (l->mtu < r->mtu)
			r->mtu = l->mtu;
		if (c->t->ases[to->as].mtu < r->mtu)
			r->mtu = c->t->ases[to->as].mtu;
	}
	r->hops = c->len;
	return 0;
}

static int naive_dfs(struct naive_ctx *c, unsigned as)
{
	const struct topo *t = c->t;
	enum move last = c->len ? c->moves[c->len - 1] : MOVE_UP;
	int rc = 0;

	if (as == c->dst)
		return c->len ? naive_record(c) : 0;
	if (c->len == SCION_MAX_HOPS)
		return 0;
	c->visited[as] = true;
	for (size_t i = 0; i < t->num_links && rc == 0; i++) {
		const struct topo_link *l = &t->links[i];
		bool local_a = l->a.as == as;
		unsigned next = local_a ? l->b.as : l->a.as;
		enum move m;

		if ((l->a.as != as && l->b.as != as) || !allowed(c, l) || c->visited[next])
			continue;
		if (l->type == TOPO_LINK_CORE)
			m = MOVE_CORE;
		else if (l->type == TOPO_LINK_PEER)
			m = MOVE_PEER;
		else
			m = local_a ? MOVE_DOWN : MOVE_UP;
		/* Valley-free: up*, then core* or one peer link, then down*. */
		if ((m == MOVE_UP && last != MOVE_UP) ||
		    (m == MOVE_CORE && last != MOVE_UP && last != MOVE_CORE) ||
		    (m == MOVE_PEER && last != MOVE_UP))
			continue;
		c->moves[c->len] = m;
		c->links[c->len] = l;
		c->as_at[++c->len] = next;
		rc = naive_dfs(c, next);
		c->len--;
	}
	c->visited[as] = false;
	return rc;
}

int naive_paths(const struct topo *t, const struct beacon_params *p, scion_ia_t src, scion_ia_t dst,
		bool allow_hidden, struct naive_result *out)
{
	struct naive_ctx *c = calloc(1, sizeof(*c));
	int s = topo_as_index(t, src), d = topo_as_index(t, dst), rc;

	memset(out, 0, sizeof(*out));
	if (!c || s < 0 || d < 0) {
		free(c);
		return -1;
	}
	c->t = t;
	c->p = p;
	c->dst = (unsigned)d;
	c->allow_hidden = allow_hidden;
	c->out = out;
	c->as_at[0] = (unsigned)s;
	compute_depth(c);
	rc = naive_dfs(c, (unsigned)s);
	free(c);
	if (out->num)
		qsort(out->paths, out->num, sizeof(out->paths[0]), test_path_cmp);
	return rc;
}

void naive_result_free(struct naive_result *r)
{
	free(r->paths);
	memset(r, 0, sizeof(*r));
}
