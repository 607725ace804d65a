/* SPDX-License-Identifier: MIT */
/*
 * Beaconing: a depth-first walk from every core AS, over CORE links for core segments and
 * down CHILD links for non-core segments, emitting one terminated segment per AS reached.
 * Hop fields and SegID chaining follow scionproto control/beaconing/extender.go:
 *   hop field i:      MAC under beta_i
 *   peer hop fields:  MAC under beta_{i+1} = beta_i ^ MAC_i[0:2] (they chain to hop field i)
 */
#include "beacon.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

/* One AS on the walk: where the beacon entered it and where it leaves it. */
struct beacon_hop {
	unsigned as;
	uint16_t ingress;
	uint16_t egress;
	uint16_t ingress_mtu;
	bool ingress_hidden;
};

struct beacon_ctx {
	const struct topo *t;
	struct scion_mac_key *key_of[TOPO_MAX_ASES];
	struct beacon_params params;
	uint32_t now;
	struct segment_set *out;
	enum segment_type type;
	unsigned len;
	struct beacon_hop path[SEGMENT_MAX_ENTRIES];
	bool visited[TOPO_MAX_ASES];
};

void beacon_params_default(struct beacon_params *p)
{
	*p = (struct beacon_params){
	    .exp_time = BEACON_DEFAULT_EXP_TIME,
	    .max_core_entries = BEACON_DEFAULT_MAX_CORE_ENTRIES,
	    .max_down_entries = BEACON_DEFAULT_MAX_DOWN_ENTRIES,
	};
}

void segment_set_free(struct segment_set *s)
{
	free(s->segs);
	*s = (struct segment_set){0};
}

static struct segment *segment_set_add(struct segment_set *s)
{
	if (s->num == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		struct segment *segs;

		if (cap > SEGMENT_SET_MAX)
			cap = SEGMENT_SET_MAX;
		if (cap <= s->num)
			return NULL;
		segs = realloc(s->segs, cap * sizeof(*segs));
		if (!segs)
			return NULL;
		s->segs = segs;
		s->cap = cap;
	}
	memset(&s->segs[s->num], 0, sizeof(s->segs[0]));
	return &s->segs[s->num++];
}

static int add_peer_entries(struct beacon_ctx *c, unsigned as, struct segment_as_entry *e,
			    uint16_t beta)
{
	const struct topo *t = c->t;

	if (t->ases[as].core)
		return 0;
	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];
		const struct topo_endpoint *local, *remote;
		struct segment_peer_entry *pe;

		if (l->type != TOPO_LINK_PEER || (l->a.as != as && l->b.as != as))
			continue;
		local = l->a.as == as ? &l->a : &l->b;
		remote = l->a.as == as ? &l->b : &l->a;
		/* Peering with core ASes is not modelled (see docs/testnet.md). */
		if (t->ases[remote->as].core)
			continue;
		if (e->num_peers == SEGMENT_MAX_PEERS)
			return BEACON_ERR_LIMIT;
		pe = &e->peers[e->num_peers++];
		pe->peer = t->ases[remote->as].ia;
		pe->peer_ifid = remote->ifid;
		pe->peer_mtu = l->mtu;
		pe->hidden = l->hidden;
		pe->hf = (struct scion_hop_field){
		    .exp_time = c->params.exp_time,
		    .cons_ingress = local->ifid,
		    .cons_egress = e->hf.cons_egress,
		};
		if (scion_hop_mac(c->key_of[as], beta, c->now, &pe->hf, pe->hf.mac) != 0)
			return BEACON_ERR_CRYPTO;
	}
	return 0;
}

/* Emits the walk so far as a segment terminated at its last AS. */
static int emit_segment(struct beacon_ctx *c)
{
	struct segment *seg = segment_set_add(c->out);
	uint8_t rnd[2];
	uint16_t beta;
	int rc;

	if (!seg)
		return c->out->num == SEGMENT_SET_MAX ? BEACON_ERR_LIMIT : BEACON_ERR_NOMEM;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return BEACON_ERR_CRYPTO;
	seg->type = c->type;
	seg->seg_id = (uint16_t)(rnd[0] << 8 | rnd[1]);
	seg->timestamp = c->now;
	seg->num_entries = (uint8_t)c->len;
	beta = seg->seg_id;
	for (unsigned i = 0; i < c->len; i++) {
		const struct beacon_hop *h = &c->path[i];
		struct segment_as_entry *e = &seg->entries[i];

		seg->hidden |= h->ingress_hidden;
		e->ia = c->t->ases[h->as].ia;
		e->mtu = c->t->ases[h->as].mtu;
		e->ingress_mtu = h->ingress_mtu;
		e->hf = (struct scion_hop_field){
		    .exp_time = c->params.exp_time,
		    .cons_ingress = h->ingress,
		    .cons_egress = i + 1 == c->len ? 0 : h->egress,
		};
		if (scion_hop_mac(c->key_of[h->as], beta, c->now, &e->hf, e->hf.mac) != 0)
			return BEACON_ERR_CRYPTO;
		beta = scion_seg_id_next(beta, e->hf.mac);
		if (c->type == SEGMENT_NONCORE) {
			rc = add_peer_entries(c, h->as, e, beta);
			if (rc)
				return rc;
		}
	}
	return 0;
}

/* Whether link l leads onwards from AS as for the current segment type. */
static bool link_extends(const struct beacon_ctx *c, const struct topo_link *l, unsigned as)
{
	if (c->type == SEGMENT_CORE)
		return l->type == TOPO_LINK_CORE && (l->a.as == as || l->b.as == as);
	return l->type == TOPO_LINK_CHILD && l->a.as == as;
}

static int walk(struct beacon_ctx *c, unsigned as, uint16_t ingress, uint16_t ingress_mtu,
		bool hidden)
{
	unsigned max =
	    c->type == SEGMENT_CORE ? c->params.max_core_entries : c->params.max_down_entries;
	struct beacon_hop *h = &c->path[c->len++];
	int rc = 0;

	*h = (struct beacon_hop){
	    .as = as, .ingress = ingress, .ingress_mtu = ingress_mtu, .ingress_hidden = hidden};
	c->visited[as] = true;
	if (c->len >= 2)
		rc = emit_segment(c);
	for (size_t i = 0; i < c->t->num_links && rc == 0 && c->len < max; i++) {
		const struct topo_link *l = &c->t->links[i];
		const struct topo_endpoint *local, *remote;

		if (!link_extends(c, l, as))
			continue;
		local = l->a.as == as ? &l->a : &l->b;
		remote = l->a.as == as ? &l->b : &l->a;
		if (c->visited[remote->as])
			continue;
		h->egress = local->ifid;
		rc = walk(c, remote->as, remote->ifid, l->mtu, l->hidden);
	}
	c->visited[as] = false;
	c->len--;
	return rc;
}

static int find_keys(struct beacon_ctx *c, const struct beacon_key *keys, size_t num_keys)
{
	for (size_t i = 0; i < c->t->num_ases; i++) {
		for (size_t k = 0; k < num_keys && !c->key_of[i]; k++)
			if (keys[k].ia == c->t->ases[i].ia)
				c->key_of[i] = keys[k].key;
		if (!c->key_of[i])
			return BEACON_ERR_KEY;
	}
	return 0;
}

int beacon_run(const struct topo *t, const struct beacon_key *keys, size_t num_keys,
	       const struct beacon_params *params, uint32_t now, struct segment_set *out)
{
	struct beacon_ctx *c;
	int rc;

	*out = (struct segment_set){0};
	c = calloc(1, sizeof(*c));
	if (!c)
		return BEACON_ERR_NOMEM;
	c->t = t;
	c->now = now;
	c->out = out;
	if (params)
		c->params = *params;
	else
		beacon_params_default(&c->params);
	if (c->params.max_core_entries < 2 || c->params.max_core_entries > SEGMENT_MAX_ENTRIES ||
	    c->params.max_down_entries < 1 || c->params.max_down_entries > SEGMENT_MAX_ENTRIES) {
		rc = BEACON_ERR_PARAM;
		goto out;
	}
	rc = find_keys(c, keys, num_keys);
	for (size_t i = 0; i < t->num_ases && rc == 0; i++) {
		if (!t->ases[i].core)
			continue;
		c->type = SEGMENT_CORE;
		rc = walk(c, (unsigned)i, 0, 0, false);
		if (rc == 0) {
			c->type = SEGMENT_NONCORE;
			rc = walk(c, (unsigned)i, 0, 0, false);
		}
	}
	out->expiry = scion_hop_expiry(now, c->params.exp_time);
out:
	free(c);
	if (rc)
		segment_set_free(out);
	return rc;
}
