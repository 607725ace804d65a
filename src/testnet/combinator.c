/* SPDX-License-Identifier: MIT */
/*
 * Path combination, after scionproto private/path/combinator (graph.go, combinator.go). We
 * enumerate the segment combinations directly instead of searching a multigraph: an optional
 * up part (an up segment cut at any of its ASes, or ending in a peer hop field), an optional
 * core part, an optional down part (entered at any of its ASes, or starting with a peer hop
 * field).
 *
 * SegID of each info field (calculateBeta in graph.go, and the router's checks in
 * router/dataplane.go): the router verifies the first hop field of a segment in travel order
 * with the info field's SegID unchanged, so the info field carries the beta under which that
 * hop field was MACed: beta_i for a regular hop field i, beta_{i+1} for a peer hop field of
 * entry i. Against construction direction the routers then XOR each MAC in at ingress, in
 * construction direction at egress, and never at a peering hop.
 */
#include "combinator.h"

#include <stdlib.h>
#include <string.h>

/* Three parts of at most SEGMENT_MAX_ENTRIES hop fields always fit a standard path. */
_Static_assert(3 * SEGMENT_MAX_ENTRIES <= SCION_MAX_HOPS, "segments too long for a path");

/* One segment's share of a path. */
struct comb_part {
	const struct segment *seg;
	unsigned from; /* first entry used in construction order (the cut) */
	bool cons_dir; /* down part; up and core parts run against construction direction */
	int peer;      /* peer entry used at entry `from`, or -1 */
};

struct comb_ctx {
	const struct segment_set *set;
	scion_ia_t src;
	scion_ia_t dst;
	bool allow_hidden;
	struct combinator_result *out;
	struct combinator_path scratch;
	struct scion_std_path sp;
};

static bool usable(const struct comb_ctx *c, const struct segment *s)
{
	return c->allow_hidden || !s->hidden;
}

static const struct scion_hop_field *part_hf(const struct comb_part *p, unsigned i)
{
	if (i == p->from && p->peer >= 0)
		return &p->seg->entries[i].peers[p->peer].hf;
	return &p->seg->entries[i].hf;
}

static uint16_t part_seg_id(const struct comb_part *p)
{
	unsigned last = p->seg->num_entries - 1u;
	unsigned first = p->cons_dir ? p->from : last;

	return segment_beta(p->seg, first + (first == p->from && p->peer >= 0 ? 1u : 0u));
}

static uint16_t min_mtu(uint16_t a, uint16_t b)
{
	return b && b < a ? b : a;
}

static void add_iface(struct combinator_path *r, scion_ia_t ia, uint16_t ifid)
{
	if (ifid && r->num_ifaces < COMBINATOR_MAX_IFACES)
		r->ifaces[r->num_ifaces++] = (struct combinator_iface){.ia = ia, .ifid = ifid};
}

/*
 * Appends one part: hop fields and info field to the std path, interfaces and MTU to r. An
 * AS is crossed fully except at a cut: the up part leaves its last AS towards the down
 * part, the down part enters its first AS from the up part.
 */
static void append_part(struct comb_ctx *c, const struct comb_part *p)
{
	const struct segment *s = p->seg;
	struct combinator_path *r = &c->scratch;
	struct scion_std_path *sp = &c->sp;
	unsigned last = s->num_entries - 1u, n = last - p->from + 1u;

	sp->inf[sp->num_infs] = (struct scion_info_field){
	    .peer = p->peer >= 0,
	    .cons_dir = p->cons_dir,
	    .seg_id = part_seg_id(p),
	    .timestamp = s->timestamp,
	};
	sp->meta.seg_len[sp->num_infs++] = (uint8_t)n;
	for (unsigned k = 0; k < n; k++) {
		unsigned i = p->cons_dir ? p->from + k : last - k;
		const struct segment_as_entry *e = &s->entries[i];
		const struct scion_hop_field *hf = part_hf(p, i);
		bool whole = i != p->from || p->peer >= 0;
		uint16_t in = p->cons_dir ? hf->cons_ingress : hf->cons_egress;
		uint16_t out = p->cons_dir ? hf->cons_egress : hf->cons_ingress;
		uint64_t exp = scion_hop_expiry(s->timestamp, hf->exp_time);

		sp->hop[sp->num_hops++] = *hf;
		if (!whole && p->cons_dir)
			in = 0;
		else if (!whole)
			out = 0;
		add_iface(r, e->ia, in);
		add_iface(r, e->ia, out);
		r->mtu = min_mtu(r->mtu, e->mtu);
		/* The link at ConsIngress is crossed unless the part is cut there. */
		if (i == p->from && p->peer >= 0)
			r->mtu = min_mtu(r->mtu, e->peers[p->peer].peer_mtu);
		else if (i != p->from)
			r->mtu = min_mtu(r->mtu, e->ingress_mtu);
		if (exp < r->expiry)
			r->expiry = exp;
		if (p->peer >= 0 && i == p->from && e->peers[p->peer].hidden)
			r->hidden = true;
	}
	r->hidden |= s->hidden;
}

/* True if an AS appears twice: such paths carry useless loops (filterLongPaths). */
static bool has_loop(const struct combinator_path *r)
{
	scion_ia_t seen[COMBINATOR_MAX_IFACES];
	size_t n = 0;

	for (size_t i = 0; i < r->num_ifaces; i++) {
		scion_ia_t ia = r->ifaces[i].ia;

		if (n && seen[n - 1] == ia)
			continue;
		for (size_t k = 0; k < n; k++)
			if (seen[k] == ia)
				return true;
		seen[n++] = ia;
	}
	return false;
}

static int iface_cmp(const struct combinator_path *a, const struct combinator_path *b)
{
	if (a->hops != b->hops)
		return a->hops < b->hops ? -1 : 1;
	if (a->num_ifaces != b->num_ifaces)
		return a->num_ifaces < b->num_ifaces ? -1 : 1;
	for (size_t i = 0; i < a->num_ifaces; i++) {
		if (a->ifaces[i].ia != b->ifaces[i].ia)
			return a->ifaces[i].ia < b->ifaces[i].ia ? -1 : 1;
		if (a->ifaces[i].ifid != b->ifaces[i].ifid)
			return a->ifaces[i].ifid < b->ifaces[i].ifid ? -1 : 1;
	}
	return 0;
}

/* Whether a should replace b, its duplicate: public first, then the longest-lived. */
static bool better_duplicate(const struct combinator_path *a, const struct combinator_path *b)
{
	if (a->hidden != b->hidden)
		return !a->hidden;
	return a->expiry > b->expiry;
}

static int keep(struct comb_ctx *c)
{
	struct combinator_result *o = c->out;
	size_t worst = 0;

	for (size_t i = 0; i < o->num; i++) {
		if (iface_cmp(&c->scratch, &o->paths[i]) == 0) {
			if (better_duplicate(&c->scratch, &o->paths[i]))
				o->paths[i] = c->scratch;
			return 0;
		}
		if (o->paths[i].hops > o->paths[worst].hops)
			worst = i;
	}
	if (o->num == o->cap && o->cap < COMBINATOR_MAX_PATHS) {
		size_t cap = o->cap ? 2 * o->cap : 16;
		struct combinator_path *p;

		if (cap > COMBINATOR_MAX_PATHS)
			cap = COMBINATOR_MAX_PATHS;
		p = realloc(o->paths, cap * sizeof(*p));
		if (!p)
			return COMBINATOR_ERR_NOMEM;
		o->paths = p;
		o->cap = cap;
	}
	if (o->num < o->cap)
		o->paths[o->num++] = c->scratch;
	else if (c->scratch.hops < o->paths[worst].hops)
		o->paths[worst] = c->scratch;
	return 0;
}

/* Builds the path of up to three parts (NULL parts are absent) and keeps it if loop-free. */
static int emit(struct comb_ctx *c, const struct comb_part *up, const struct comb_part *core,
		const struct comb_part *down)
{
	const struct comb_part *parts[3] = {up, core, down};
	struct combinator_path *r = &c->scratch;
	size_t written;

	memset(&c->sp, 0, sizeof(c->sp));
	r->num_ifaces = 0;
	r->mtu = UINT16_MAX;
	r->expiry = UINT64_MAX;
	r->hidden = false;
	for (unsigned i = 0; i < 3; i++)
		if (parts[i])
			append_part(c, parts[i]);
	if (c->sp.num_hops > SCION_MAX_HOPS || has_loop(r))
		return 0;
	r->hops = (unsigned)(r->num_ifaces / 2);
	r->num_segs = c->sp.num_infs;
	if (scion_std_path_encode(&c->sp, r->raw, sizeof(r->raw), &written) != 0)
		return COMBINATOR_ERR_PATH;
	r->raw_len = written;
	return keep(c);
}

static scion_ia_t last_ia(const struct segment *s)
{
	return s->entries[s->num_entries - 1].ia;
}

/* Down parts from AS y (entered at entry j >= 0 of a segment ending at dst). */
static int combine_down(struct comb_ctx *c, const struct comb_part *up,
			const struct comb_part *core, scion_ia_t y)
{
	const struct segment_set *set = c->set;
	int rc = 0;

	if (y == c->dst)
		return up || core ? emit(c, up, core, NULL) : 0;
	for (size_t d = 0; d < set->num && rc == 0; d++) {
		const struct segment *s = &set->segs[d];

		if (s->type != SEGMENT_NONCORE || !usable(c, s) || last_ia(s) != c->dst)
			continue;
		for (unsigned j = 0; j + 1u < s->num_entries && rc == 0; j++) {
			struct comb_part down = {.seg = s, .from = j, .cons_dir = true, .peer = -1};

			/* After a core part, only a whole down segment (core ASes are first). */
			if (s->entries[j].ia == y && (!core || j == 0))
				rc = emit(c, up, core, &down);
		}
	}
	return rc;
}

/* Core parts from AS x, then down parts. */
static int combine_core(struct comb_ctx *c, const struct comb_part *up, scion_ia_t x)
{
	const struct segment_set *set = c->set;
	int rc = combine_down(c, up, NULL, x);

	for (size_t i = 0; i < set->num && rc == 0; i++) {
		const struct segment *s = &set->segs[i];
		struct comb_part core = {.seg = s, .from = 0, .cons_dir = false, .peer = -1};

		if (s->type == SEGMENT_CORE && usable(c, s) && last_ia(s) == x)
			rc = combine_down(c, up, &core, s->entries[0].ia);
	}
	return rc;
}

/* Peering: the up segment's entry k peers with entry j of a down segment to dst. */
static int combine_peer(struct comb_ctx *c, const struct segment *u)
{
	const struct segment_set *set = c->set;
	int rc = 0;

	for (unsigned k = 0; k < u->num_entries && rc == 0; k++) {
		for (unsigned pi = 0; pi < u->entries[k].num_peers && rc == 0; pi++) {
			const struct segment_peer_entry *p = &u->entries[k].peers[pi];

			if (p->hidden && !c->allow_hidden)
				continue;
			for (size_t d = 0; d < set->num && rc == 0; d++) {
				const struct segment *s = &set->segs[d];

				if (s->type != SEGMENT_NONCORE || !usable(c, s) ||
				    last_ia(s) != c->dst)
					continue;
				for (unsigned j = 0; j < s->num_entries && rc == 0; j++) {
					const struct segment_as_entry *e = &s->entries[j];

					if (e->ia != p->peer)
						continue;
					for (unsigned qi = 0; qi < e->num_peers && rc == 0; qi++) {
						const struct segment_peer_entry *q = &e->peers[qi];
						struct comb_part up = {u, k, false, (int)pi};
						struct comb_part down = {s, j, true, (int)qi};

						if (q->peer == u->entries[k].ia &&
						    q->peer_ifid == p->hf.cons_ingress &&
						    q->hf.cons_ingress == p->peer_ifid)
							rc = emit(c, &up, NULL, &down);
					}
				}
			}
		}
	}
	return rc;
}

static int combine(struct comb_ctx *c)
{
	const struct segment_set *set = c->set;
	int rc = combine_core(c, NULL, c->src);

	for (size_t i = 0; i < set->num && rc == 0; i++) {
		const struct segment *u = &set->segs[i];

		if (u->type != SEGMENT_NONCORE || !usable(c, u) || last_ia(u) != c->src)
			continue;
		for (unsigned k = 0; k + 1u < u->num_entries && rc == 0; k++) {
			struct comb_part up = {.seg = u, .from = k, .cons_dir = false, .peer = -1};

			/* A core part can only follow a whole up segment (k == 0). */
			rc = k == 0 ? combine_core(c, &up, u->entries[k].ia)
				    : combine_down(c, &up, NULL, u->entries[k].ia);
		}
		if (rc == 0)
			rc = combine_peer(c, u);
	}
	return rc;
}

static int path_order(const void *a, const void *b)
{
	return iface_cmp(a, b);
}

static int empty_path(struct comb_ctx *c)
{
	struct combinator_path *r = &c->scratch;

	memset(r, 0, sizeof(*r));
	r->expiry = c->set->expiry;
	for (size_t i = 0; i < c->set->num && !r->mtu; i++)
		for (unsigned k = 0; k < c->set->segs[i].num_entries; k++)
			if (c->set->segs[i].entries[k].ia == c->src)
				r->mtu = c->set->segs[i].entries[k].mtu;
	return keep(c);
}

int combinator_paths(const struct segment_set *set, scion_ia_t src, scion_ia_t dst,
		     bool allow_hidden, struct combinator_result *out)
{
	struct comb_ctx *c;
	int rc;

	*out = (struct combinator_result){0};
	c = calloc(1, sizeof(*c));
	if (!c)
		return COMBINATOR_ERR_NOMEM;
	*c = (struct comb_ctx){
	    .set = set, .src = src, .dst = dst, .allow_hidden = allow_hidden, .out = out};
	rc = src == dst ? empty_path(c) : combine(c);
	free(c);
	if (rc) {
		combinator_result_free(out);
		return rc;
	}
	if (out->num)
		qsort(out->paths, out->num, sizeof(out->paths[0]), path_order);
	return 0;
}

void combinator_result_free(struct combinator_result *r)
{
	free(r->paths);
	*r = (struct combinator_result){0};
}
