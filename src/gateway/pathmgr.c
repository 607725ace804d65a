/* SPDX-License-Identifier: MIT */
/*
 * Path manager: lifetime, candidates (dedup, limit, refresh) and the choice of the active
 * path. Probing and liveness are in pathprobe.c. The rules: pathmgr.h and
 * docs/path-management.md.
 */
#include "pathmgr.h"
#include "pathmgr_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- configuration and lifetime ---- */

void pathmgr_config_default(struct pathmgr_config *cfg)
{
	*cfg = (struct pathmgr_config){
	    .keepalive_interval_ns = PATHMGR_DEFAULT_KEEPALIVE_INTERVAL_NS,
	    .keepalive_timeout_ns = PATHMGR_DEFAULT_KEEPALIVE_TIMEOUT_NS,
	    .keepalive_timeout_interval_ns = PATHMGR_DEFAULT_KEEPALIVE_TIMEOUT_INTERVAL_NS,
	    .migrate_grace_timeout_ns = PATHMGR_DEFAULT_MIGRATE_GRACE_TIMEOUT_NS,
	    .idle_probe_interval_ns = PATHMGR_DEFAULT_IDLE_PROBE_INTERVAL_NS,
	    .policy = PATHPOLICY_HOPS,
	};
}

int pathmgr_config_validate(const struct pathmgr_config *cfg)
{
	/* keepalive_timeout_ns 0 is PATHMGR_TIMEOUT_AUTO; a fixed one must outlast a probe
	 * period (config.c says so to the user with the file's line). */
	if (!cfg->keepalive_interval_ns || !cfg->keepalive_timeout_interval_ns)
		return PATHMGR_ERR_CONFIG;
	if (cfg->keepalive_timeout_ns != PATHMGR_TIMEOUT_AUTO &&
	    cfg->keepalive_timeout_ns <= cfg->keepalive_interval_ns)
		return PATHMGR_ERR_CONFIG;
	/* The adaptive floor (PATHMGR_AUTO_MIN_LOST intervals) must not overflow. */
	if (cfg->keepalive_interval_ns > UINT64_MAX / 4 / PATHMGR_AUTO_MIN_LOST)
		return PATHMGR_ERR_CONFIG;
	/* Backups are probed no faster than the path carrying data. */
	if (cfg->idle_probe_interval_ns < cfg->keepalive_interval_ns)
		return PATHMGR_ERR_CONFIG;
	if (cfg->policy != PATHPOLICY_HOPS && cfg->policy != PATHPOLICY_LATENCY)
		return PATHMGR_ERR_CONFIG;
	return 0;
}

int pathmgr_create(const struct pathmgr_config *cfg, struct pathmgr **out)
{
	struct pathmgr *pm;
	int err = pathmgr_config_validate(cfg);

	if (err)
		return err;
	pm = calloc(1, sizeof(*pm));
	if (!pm)
		return PATHMGR_ERR_NOMEM;
	pm->cfg = *cfg;
	pm->next_id = 1;
	*out = pm;
	return 0;
}

void pathmgr_destroy(struct pathmgr *pm)
{
	if (pm)
		free(pm->paths);
	free(pm);
}

/* Room for n paths (n <= PATHMGR_MAX_PATHS), before any state changes. */
static int paths_reserve(struct pathmgr *pm, size_t n)
{
	struct pathmgr_path *p;

	if (n <= pm->cap_paths)
		return 0;
	p = realloc(pm->paths, n * sizeof(*p));
	if (!p)
		return PATHMGR_ERR_NOMEM;
	pm->paths = p;
	pm->cap_paths = n;
	return 0;
}

/* ---- small helpers ---- */

uint64_t pathmgr_fingerprint(const struct pathmgr_interface *ifaces, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 offset basis */

	for (size_t i = 0; i < n; i++) {
		for (int b = 56; b >= 0; b -= 8)
			h = (h ^ (uint8_t)(ifaces[i].ia >> b)) * 0x100000001b3ull;
		for (int b = 56; b >= 0; b -= 8)
			h = (h ^ (uint8_t)(ifaces[i].ifid >> b)) * 0x100000001b3ull;
	}
	return h;
}

static bool same_ifaces(const struct pathmgr_candidate *a, const struct pathmgr_candidate *b)
{
	return a->num_ifaces == b->num_ifaces &&
	       memcmp(a->ifaces, b->ifaces, a->num_ifaces * sizeof(a->ifaces[0])) == 0;
}

bool pathmgr_has_iface(const struct pathmgr_candidate *c, scion_ia_t ia, uint64_t ifid)
{
	for (size_t i = 0; i < c->num_ifaces; i++)
		if (c->ifaces[i].ia == ia && c->ifaces[i].ifid == ifid)
			return true;
	return false;
}

static bool disjoint(const struct pathmgr_candidate *a, const struct pathmgr_candidate *b)
{
	for (size_t i = 0; i < a->num_ifaces; i++)
		if (pathmgr_has_iface(b, a->ifaces[i].ia, a->ifaces[i].ifid))
			return false;
	return true;
}

struct pathmgr_path *pathmgr_find(const struct pathmgr *pm, uint32_t id)
{
	for (size_t i = 0; i < pm->num_paths; i++)
		if (pm->paths[i].id == id)
			return (struct pathmgr_path *)&pm->paths[i];
	return NULL;
}

void pathmgr_push_event(struct pathmgr *pm, enum pathmgr_event_kind kind,
			enum pathmgr_reason reason, uint32_t from, uint32_t to, uint64_t now)
{
	size_t slot;

	if (pm->ev_count == PATHMGR_MAX_EVENTS) {
		pm->ev_head = (pm->ev_head + 1) % PATHMGR_MAX_EVENTS;
		pm->ev_count--;
		pm->stats.events_dropped++;
	}
	slot = (pm->ev_head + pm->ev_count) % PATHMGR_MAX_EVENTS;
	pm->events[slot] = (struct pathmgr_event){
	    .kind = kind,
	    .reason = reason,
	    .from = from,
	    .to = to,
	    .at_ns = now,
	};
	pm->ev_count++;
}

static void metrics_of(const struct pathmgr_path *p, struct pathpolicy_metrics *m)
{
	*m = (struct pathpolicy_metrics){
	    .hops = (uint32_t)(p->cand.num_ifaces / 2),
	    .rtt_known = p->rtt_known,
	    .srtt_ns = p->srtt_ns,
	    .fingerprint = p->fingerprint,
	    .id = p->id,
	};
}

/* ---- ranking and the choice of the active path ---- */

/* Whether a path's class (public/hidden) is the preferred one. */
static bool preferred_class(const struct pathmgr *pm, const struct pathmgr_path *p)
{
	return p->cand.hidden == pm->cfg.hidden_first;
}

/* The total order of the paths: liveness (alive, unknown, dead), then the preferred class
 * (public unless hidden_first), then the policy. Negative when a ranks before b. */
static int rank_compare(const struct pathmgr *pm, const struct pathmgr_path *a,
			const struct pathmgr_path *b)
{
	static const int tier[] = {
	    [PATHMGR_PATH_ALIVE] = 0,
	    [PATHMGR_PATH_UNKNOWN] = 1,
	    [PATHMGR_PATH_DEAD] = 2,
	};
	struct pathpolicy_metrics ma, mb;

	if (tier[a->state] != tier[b->state])
		return tier[a->state] - tier[b->state];
	if (preferred_class(pm, a) != preferred_class(pm, b))
		return preferred_class(pm, a) ? -1 : 1;
	metrics_of(a, &ma);
	metrics_of(b, &mb);
	return pathpolicy_compare(pm->cfg.policy, &ma, &mb);
}

static struct pathmgr_path *best_path(const struct pathmgr *pm)
{
	const struct pathmgr_path *best = NULL;

	for (size_t i = 0; i < pm->num_paths; i++)
		if (!best || rank_compare(pm, &pm->paths[i], best) < 0)
			best = &pm->paths[i];
	return (struct pathmgr_path *)best;
}

/* A voluntary migration from a working cur to best (which ranks before it) must gain
 * something: liveness, the preferred class, or enough under the policy. */
static bool migration_gains(const struct pathmgr *pm, const struct pathmgr_path *cur,
			    const struct pathmgr_path *best)
{
	struct pathpolicy_metrics mc, mb;

	if (best->state == PATHMGR_PATH_ALIVE && cur->state != PATHMGR_PATH_ALIVE)
		return true;
	if (best->state != cur->state)
		return false;
	if (preferred_class(pm, best) && !preferred_class(pm, cur))
		return true;
	metrics_of(cur, &mc);
	metrics_of(best, &mb);
	return pathpolicy_worth_switch(pm->cfg.policy, &mc, &mb);
}

/* A path becoming one that carries data is probed at keepAliveInterval from now on. */
static void speed_up_probing(struct pathmgr *pm, struct pathmgr_path *p, uint64_t now)
{
	uint64_t due = p->probed ? p->last_probe_ns + pm->cfg.keepalive_interval_ns : now;

	if (due < p->next_probe_ns)
		p->next_probe_ns = due;
}

static void set_active(struct pathmgr *pm, struct pathmgr_path *to, enum pathmgr_reason reason,
		       uint64_t now)
{
	uint32_t from = pm->active;

	pm->active = to ? to->id : PATHMGR_NO_PATH;
	if (pm->active == from)
		return;
	if (to)
		speed_up_probing(pm, to, now);
	pm->switched = true;
	pm->last_switch_ns = now;
	if (reason == PATHMGR_REASON_BETTER)
		pm->stats.migrations++;
	else if (reason != PATHMGR_REASON_INITIAL)
		pm->stats.failovers++;
	pathmgr_push_event(pm, PATHMGR_EVENT_ACTIVE_CHANGED, reason, from, pm->active, now);
}

/* Redundant mode: the best-ranked alive path sharing no interface with the active one. */
static void choose_second(struct pathmgr *pm, uint64_t now)
{
	const struct pathmgr_path *act = pathmgr_find(pm, pm->active);
	struct pathmgr_path *second = NULL;

	pm->second = PATHMGR_NO_PATH;
	if (!pm->cfg.redundant || !act || act->state != PATHMGR_PATH_ALIVE)
		return;
	for (size_t i = 0; i < pm->num_paths; i++) {
		struct pathmgr_path *p = &pm->paths[i];

		if (p == act || p->state != PATHMGR_PATH_ALIVE || !disjoint(&act->cand, &p->cand))
			continue;
		if (!second || rank_compare(pm, p, second) < 0)
			second = p;
	}
	if (second) {
		pm->second = second->id;
		speed_up_probing(pm, second, now);
	}
}

/*
 * Re-evaluates the active path after any change. Failover (the active path vanished or is
 * dead and a better-than-dead one exists) is immediate; a voluntary migration waits
 * migrateGraceTimeout since the last change and needs a gain. removed_reason is what to
 * report if the active path disappeared.
 */
void pathmgr_select_active(struct pathmgr *pm, uint64_t now)
{
	struct pathmgr_path *cur = pathmgr_find(pm, pm->active);
	struct pathmgr_path *best = best_path(pm);

	if (!best) {
		set_active(pm, NULL, PATHMGR_REASON_REMOVED, now);
	} else if (!cur) {
		set_active(pm, best,
			   pm->active == PATHMGR_NO_PATH ? PATHMGR_REASON_INITIAL
							 : PATHMGR_REASON_REMOVED,
			   now);
	} else if (best != cur) {
		if (cur->state == PATHMGR_PATH_DEAD) {
			if (best->state != PATHMGR_PATH_DEAD)
				set_active(pm, best, cur->down_reason, now);
		} else if ((!pm->switched ||
			    now - pm->last_switch_ns >= pm->cfg.migrate_grace_timeout_ns) &&
			   migration_gains(pm, cur, best)) {
			set_active(pm, best, PATHMGR_REASON_BETTER, now);
		}
	}
	choose_second(pm, now);
}

void pathmgr_mark_dead(struct pathmgr *pm, struct pathmgr_path *p, enum pathmgr_reason reason,
		       uint64_t now)
{
	p->dead_since_ns = now;
	p->down_reason = reason;
	if (p->state == PATHMGR_PATH_DEAD)
		return;
	p->state = PATHMGR_PATH_DEAD;
	pathmgr_push_event(pm, PATHMGR_EVENT_PATH_DOWN, reason, p->id, PATHMGR_NO_PATH, now);
}

/* ---- candidates ---- */

static bool candidate_valid(const struct pathmgr_candidate *c, enum pathmgr_set set,
			    uint64_t unix_now)
{
	return c->raw_len <= PATHMGR_MAX_RAW_PATH && c->num_ifaces <= PATHMGR_MAX_INTERFACES &&
	       c->num_ifaces % 2 == 0 && c->hidden == (set == PATHMGR_SET_HIDDEN) &&
	       c->expiry > unix_now;
}

/* Candidate i survives dedup when no other valid duplicate expires later (or equally, earlier
 * in the list). */
static bool candidate_chosen(const struct pathmgr_candidate *cands, size_t n, size_t i,
			     const bool *valid)
{
	for (size_t j = 0; j < n; j++) {
		if (j == i || !valid[j] || !same_ifaces(&cands[i], &cands[j]))
			continue;
		if (cands[j].expiry > cands[i].expiry ||
		    (cands[j].expiry == cands[i].expiry && j < i))
			return false;
	}
	return true;
}

static struct pathmgr_path *find_same(struct pathmgr *pm, const struct pathmgr_candidate *c)
{
	for (size_t i = 0; i < pm->num_paths; i++)
		if (pm->paths[i].cand.hidden == c->hidden && same_ifaces(&pm->paths[i].cand, c))
			return &pm->paths[i];
	return NULL;
}

struct ranked {
	size_t idx;
	bool active;
	struct pathpolicy_metrics m;
};

/* Active path first, then policy order; stable insertion sort (n is small in practice). */
static void rank_candidates(const struct pathmgr *pm, struct ranked *r, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct ranked x = r[i];
		size_t j = i;

		while (j > 0 && ((x.active && !r[j - 1].active) ||
				 (x.active == r[j - 1].active &&
				  pathpolicy_compare(pm->cfg.policy, &x.m, &r[j - 1].m) < 0))) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
}

void pathmgr_remove_at(struct pathmgr *pm, size_t i)
{
	pm->paths[i] = pm->paths[pm->num_paths - 1];
	pm->num_paths--;
}

static void store_candidate(struct pathmgr_path *p, const struct pathmgr_candidate *c, uint64_t now,
			    uint64_t unix_now)
{
	p->cand = *c;
	p->fingerprint = pathmgr_fingerprint(c->ifaces, c->num_ifaces);
	/* Expiry moves to the monotonic clock; saturate rather than wrap. */
	uint64_t left = c->expiry - unix_now;
	p->expiry_ns =
	    left > (UINT64_MAX - now) / 1000000000ull ? UINT64_MAX : now + left * 1000000000ull;
}

static void insert_path(struct pathmgr *pm, const struct pathmgr_candidate *c, uint64_t now,
			uint64_t unix_now)
{
	struct pathmgr_path *p = &pm->paths[pm->num_paths++];

	memset(p, 0, sizeof(*p));
	p->id = pm->next_id++;
	p->state = PATHMGR_PATH_UNKNOWN;
	p->next_probe_ns = now; /* learn its liveness at once */
	store_candidate(p, c, now, unix_now);
}

/* Ranks the deduplicated candidates and keeps at most limit of them (sets keep[]). */
static int select_candidates(struct pathmgr *pm, const struct pathmgr_candidate *cands, size_t n,
			     const bool *valid, size_t limit, bool *keep)
{
	const struct pathmgr_path *act = pathmgr_find(pm, pm->active);
	struct ranked *r = calloc(n ? n : 1, sizeof(*r));
	size_t nr = 0;

	if (!r)
		return PATHMGR_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct pathmgr_path *old;

		keep[i] = false;
		if (!valid[i] || !candidate_chosen(cands, n, i, valid))
			continue;
		old = find_same(pm, &cands[i]);
		r[nr] = (struct ranked){.idx = i, .active = old && old == act};
		if (old) {
			metrics_of(old, &r[nr].m);
		} else {
			r[nr].m.hops = (uint32_t)(cands[i].num_ifaces / 2);
			r[nr].m.fingerprint =
			    pathmgr_fingerprint(cands[i].ifaces, cands[i].num_ifaces);
			r[nr].m.id = UINT32_MAX;
		}
		nr++;
	}
	rank_candidates(pm, r, nr);
	for (size_t k = 0; k < nr; k++) {
		if (k < limit)
			keep[r[k].idx] = true;
		else
			pm->stats.candidates_dropped++;
	}
	free(r);
	return 0;
}

int pathmgr_update_candidates(struct pathmgr *pm, enum pathmgr_set set,
			      const struct pathmgr_candidate *cands, size_t n, uint64_t now_ns,
			      uint64_t unix_now)
{
	size_t limit =
	    set == PATHMGR_SET_HIDDEN ? PATHMGR_MAX_HIDDEN_PATHS : PATHMGR_MAX_PUBLIC_PATHS;
	bool *flags;
	int err;

	if (set != PATHMGR_SET_PUBLIC && set != PATHMGR_SET_HIDDEN)
		return PATHMGR_ERR_INVALID;
	flags = calloc(2 * (n ? n : 1), sizeof(*flags));
	if (!flags)
		return PATHMGR_ERR_NOMEM;
	bool *valid = flags, *keep = flags + n;

	for (size_t i = 0; i < n; i++) {
		valid[i] = candidate_valid(&cands[i], set, unix_now);
		if (!valid[i])
			pm->stats.candidates_rejected++;
	}
	err = select_candidates(pm, cands, n, valid, limit, keep);
	if (err)
		goto out;
	/* At most every current path plus every kept candidate; never above the maximum, as
	 * each set keeps to its limit. */
	size_t need = pm->num_paths;
	for (size_t j = 0; j < n; j++)
		need += keep[j];
	err = paths_reserve(pm, need < PATHMGR_MAX_PATHS ? need : PATHMGR_MAX_PATHS);
	if (err)
		goto out;

	/* Drop this set's paths that are no longer offered. */
	for (size_t i = pm->num_paths; i-- > 0;) {
		struct pathmgr_path *p = &pm->paths[i];
		bool offered = false;

		if (p->cand.hidden != (set == PATHMGR_SET_HIDDEN))
			continue;
		for (size_t j = 0; j < n && !offered; j++)
			offered = keep[j] && same_ifaces(&p->cand, &cands[j]);
		if (!offered)
			pathmgr_remove_at(pm, i);
	}
	/* Refresh the survivors, add the new ones. */
	for (size_t j = 0; j < n; j++) {
		struct pathmgr_path *p;

		if (!keep[j])
			continue;
		p = find_same(pm, &cands[j]);
		if (p)
			store_candidate(p, &cands[j], now_ns, unix_now);
		else
			insert_path(pm, &cands[j], now_ns, unix_now);
	}
	pathmgr_select_active(pm, now_ns);
out:
	free(flags);
	return err;
}

/* ---- queries ---- */

uint32_t pathmgr_active(const struct pathmgr *pm)
{
	return pm->active;
}

size_t pathmgr_active_set(const struct pathmgr *pm, uint32_t ids[2])
{
	size_t n = 0;

	if (pm->active != PATHMGR_NO_PATH)
		ids[n++] = pm->active;
	if (pm->second != PATHMGR_NO_PATH)
		ids[n++] = pm->second;
	return n;
}

bool pathmgr_event_pop(struct pathmgr *pm, struct pathmgr_event *out)
{
	if (!pm->ev_count)
		return false;
	*out = pm->events[pm->ev_head];
	pm->ev_head = (pm->ev_head + 1) % PATHMGR_MAX_EVENTS;
	pm->ev_count--;
	return true;
}

const char *pathmgr_reason_name(enum pathmgr_reason reason)
{
	switch (reason) {
	case PATHMGR_REASON_INITIAL:
		return "initial";
	case PATHMGR_REASON_PROBE_TIMEOUT:
		return "probe timeout";
	case PATHMGR_REASON_INTERFACE_DOWN:
		return "interface down";
	case PATHMGR_REASON_REMOVED:
		return "path removed";
	case PATHMGR_REASON_BETTER:
		return "better path";
	case PATHMGR_REASON_PROBE_REPLY:
		return "probe reply";
	}
	return "unknown";
}

const char *pathmgr_liveness_name(enum pathmgr_liveness state)
{
	switch (state) {
	case PATHMGR_PATH_UNKNOWN:
		return "unknown";
	case PATHMGR_PATH_ALIVE:
		return "alive";
	case PATHMGR_PATH_DEAD:
		return "dead";
	}
	return "?";
}
