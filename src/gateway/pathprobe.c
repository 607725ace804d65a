/* SPDX-License-Identifier: MIT */
/*
 * Path manager: probing schedule, RTT and loss, liveness (a probe unanswered for the probe
 * timeout: keepAliveTimeout, or adaptive from SRTT/RTTVAR; checked every
 * keepAliveTimeoutInterval and, when adaptive, at the deadline), SCMP interface down, and the
 * per-path status queries.
 */
#include "pathmgr.h"
#include "pathmgr_internal.h"

static uint64_t probe_interval(const struct pathmgr *pm, const struct pathmgr_path *p)
{
	if (p->id == pm->active || p->id == pm->second)
		return pm->cfg.keepalive_interval_ns;
	return pm->cfg.idle_probe_interval_ns;
}

bool pathmgr_next_probe(const struct pathmgr *pm, uint64_t now_ns, uint32_t *path_id)
{
	const struct pathmgr_path *due = NULL;

	for (size_t i = 0; i < pm->num_paths; i++) {
		const struct pathmgr_path *p = &pm->paths[i];

		if (p->next_probe_ns <= now_ns && (!due || p->next_probe_ns < due->next_probe_ns))
			due = p;
	}
	if (due)
		*path_id = due->id;
	return due != NULL;
}

int pathmgr_probe_sent(struct pathmgr *pm, uint32_t path_id, uint64_t seq, uint64_t now_ns)
{
	struct pathmgr_path *p = pathmgr_find(pm, path_id);

	if (!p)
		return PATHMGR_ERR_UNKNOWN_PATH;
	p->ring[p->ring_next] = (struct probe_slot){.seq = seq, .sent_ns = now_ns, .used = true};
	p->ring_next = (p->ring_next + 1) % PATHMGR_LOSS_WINDOW;
	p->probes_sent++;
	p->probed = true;
	p->last_probe_ns = now_ns;
	p->next_probe_ns = now_ns + probe_interval(pm, p);
	return 0;
}

/*
 * How long a probe of p may stay unanswered before p is dead (pathmgr.h has the rule). The
 * adaptive value is RFC 6298 section 2.3's RTO = SRTT + max(G, K * RTTVAR) with K = 4 and the
 * probe period as the clock granularity G (a reply cannot be expected sooner than the next
 * probe could tell), floored at PATHMGR_AUTO_MIN_LOST probe periods and capped.
 */
static uint64_t probe_timeout(const struct pathmgr *pm, const struct pathmgr_path *p)
{
	uint64_t iv = pm->cfg.keepalive_interval_ns;
	uint64_t floor = PATHMGR_AUTO_MIN_LOST * iv, t = PATHMGR_AUTO_INITIAL_TIMEOUT_NS;

	if (pm->cfg.keepalive_timeout_ns != PATHMGR_TIMEOUT_AUTO)
		return pm->cfg.keepalive_timeout_ns;
	if (p->rtt_known) {
		/* Saturating: samples are bounded by the probe memory, but cheap to be sure. */
		uint64_t var = p->rttvar_ns > UINT64_MAX / 4 ? UINT64_MAX : 4 * p->rttvar_ns;
		uint64_t g = var > iv ? var : iv;

		t = p->srtt_ns > UINT64_MAX - g ? UINT64_MAX : p->srtt_ns + g;
		if (t > PATHMGR_AUTO_MAX_TIMEOUT_NS)
			t = PATHMGR_AUTO_MAX_TIMEOUT_NS;
	}
	return t > floor ? t : floor;
}

/* RFC 6298 section 2 smoothing (alpha 1/8, beta 1/4), in integer ns. */
static void rtt_sample(struct pathmgr_path *p, uint64_t r)
{
	if (!p->rtt_known) {
		p->srtt_ns = r;
		p->rttvar_ns = r / 2;
		p->rtt_known = true;
		return;
	}
	uint64_t diff = p->srtt_ns > r ? p->srtt_ns - r : r - p->srtt_ns;
	p->rttvar_ns = p->rttvar_ns - p->rttvar_ns / 4 + diff / 4;
	p->srtt_ns = p->srtt_ns - p->srtt_ns / 8 + r / 8;
}

int pathmgr_probe_reply(struct pathmgr *pm, uint32_t path_id, uint64_t seq, uint64_t now_ns)
{
	struct pathmgr_path *p = pathmgr_find(pm, path_id);
	struct probe_slot *s = NULL;

	if (!p)
		return PATHMGR_ERR_UNKNOWN_PATH;
	for (size_t i = 0; i < PATHMGR_LOSS_WINDOW && !s; i++)
		if (p->ring[i].used && !p->ring[i].answered && p->ring[i].seq == seq)
			s = &p->ring[i];
	if (!s || now_ns < s->sent_ns)
		return PATHMGR_ERR_UNKNOWN_PROBE;
	s->answered = true;
	p->replies++;
	rtt_sample(p, now_ns - s->sent_ns);
	if (!p->answered_any || s->sent_ns > p->last_answered_sent_ns)
		p->last_answered_sent_ns = s->sent_ns;
	p->answered_any = true;
	/* A reply to a probe that left before the path died proves nothing about now. */
	if (p->state == PATHMGR_PATH_DEAD && s->sent_ns < p->dead_since_ns)
		return 0;
	if (p->state != PATHMGR_PATH_ALIVE) {
		p->state = PATHMGR_PATH_ALIVE;
		pathmgr_push_event(pm, PATHMGR_EVENT_PATH_UP, PATHMGR_REASON_PROBE_REPLY, p->id,
				   PATHMGR_NO_PATH, now_ns);
	}
	pathmgr_select_active(pm, now_ns);
	return 0;
}

/* Send time of the oldest probe sent after the last answered one, still unanswered. */
static bool oldest_pending(const struct pathmgr_path *p, uint64_t *sent)
{
	bool found = false;

	for (size_t i = 0; i < PATHMGR_LOSS_WINDOW; i++) {
		const struct probe_slot *s = &p->ring[i];

		if (!s->used || s->answered)
			continue;
		if (p->answered_any && s->sent_ns <= p->last_answered_sent_ns)
			continue;
		if (!found || s->sent_ns < *sent)
			*sent = s->sent_ns;
		found = true;
	}
	return found;
}

/* When p dies unless a reply comes first: its oldest pending probe's send time plus the
 * probe timeout; false when nothing is pending (or p is dead already). */
static bool death_deadline(const struct pathmgr *pm, const struct pathmgr_path *p,
			   uint64_t *deadline)
{
	uint64_t sent, timeout;

	if (p->state == PATHMGR_PATH_DEAD || !oldest_pending(p, &sent))
		return false;
	timeout = probe_timeout(pm, p);
	*deadline = sent > UINT64_MAX - timeout ? UINT64_MAX : sent + timeout;
	return true;
}

void pathmgr_tick(struct pathmgr *pm, uint64_t now_ns)
{
	pm->last_check_ns = now_ns;
	for (size_t i = pm->num_paths; i-- > 0;) {
		struct pathmgr_path *p = &pm->paths[i];
		uint64_t deadline;

		if (p->expiry_ns <= now_ns) {
			pathmgr_remove_at(pm, i);
			continue;
		}
		if (death_deadline(pm, p, &deadline) && now_ns >= deadline)
			pathmgr_mark_dead(pm, p, PATHMGR_REASON_PROBE_TIMEOUT, now_ns);
	}
	pathmgr_select_active(pm, now_ns);
}

uint64_t pathmgr_next_wakeup(const struct pathmgr *pm)
{
	uint64_t t = pm->last_check_ns + pm->cfg.keepalive_timeout_interval_ns;
	/* The original checks its fixed timeout on a ticker only (keepAliveTimeoutInterval
	 * keeps that meaning); the adaptive timeout is checked at its deadline too, so that
	 * detection does not wait for the ticker. */
	bool at_deadline = pm->cfg.keepalive_timeout_ns == PATHMGR_TIMEOUT_AUTO;

	for (size_t i = 0; i < pm->num_paths; i++) {
		const struct pathmgr_path *p = &pm->paths[i];
		uint64_t deadline;

		if (p->next_probe_ns < t)
			t = p->next_probe_ns;
		if (p->expiry_ns < t)
			t = p->expiry_ns;
		if (at_deadline && death_deadline(pm, p, &deadline) && deadline < t)
			t = deadline;
	}
	return t;
}

size_t pathmgr_interface_down(struct pathmgr *pm, scion_ia_t ia, uint64_t ifid, uint64_t now_ns)
{
	size_t hit = 0;

	for (size_t i = 0; i < pm->num_paths; i++) {
		if (!pathmgr_has_iface(&pm->paths[i].cand, ia, ifid))
			continue;
		pathmgr_mark_dead(pm, &pm->paths[i], PATHMGR_REASON_INTERFACE_DOWN, now_ns);
		hit++;
	}
	if (hit)
		pathmgr_select_active(pm, now_ns);
	return hit;
}

const struct pathmgr_candidate *pathmgr_path_lookup(const struct pathmgr *pm, uint32_t path_id)
{
	const struct pathmgr_path *p = pathmgr_find(pm, path_id);

	return p ? &p->cand : NULL;
}

size_t pathmgr_path_count(const struct pathmgr *pm)
{
	return pm->num_paths;
}

static uint32_t loss_permille(const struct pathmgr *pm, const struct pathmgr_path *p, uint64_t now)
{
	uint64_t timeout = probe_timeout(pm, p);
	uint32_t ok = 0, lost = 0;

	for (size_t i = 0; i < PATHMGR_LOSS_WINDOW; i++) {
		const struct probe_slot *s = &p->ring[i];

		if (!s->used)
			continue;
		if (s->answered)
			ok++;
		else if (now >= s->sent_ns && now - s->sent_ns >= timeout)
			lost++;
	}
	return ok + lost ? lost * 1000 / (ok + lost) : 0;
}

int pathmgr_path_info(const struct pathmgr *pm, size_t index, uint64_t now_ns,
		      struct pathmgr_path_info *out)
{
	const struct pathmgr_path *p;

	if (index >= pm->num_paths)
		return PATHMGR_ERR_INVALID;
	p = &pm->paths[index];
	*out = (struct pathmgr_path_info){
	    .id = p->id,
	    .fingerprint = p->fingerprint,
	    .hops = (uint32_t)(p->cand.num_ifaces / 2),
	    .hidden = p->cand.hidden,
	    .active = p->id == pm->active,
	    .secondary = p->id == pm->second,
	    .state = p->state,
	    .rtt_known = p->rtt_known,
	    .srtt_ns = p->srtt_ns,
	    .rttvar_ns = p->rttvar_ns,
	    .timeout_ns = probe_timeout(pm, p),
	    .loss_permille = loss_permille(pm, p, now_ns),
	    .probes_sent = p->probes_sent,
	    .replies = p->replies,
	    .mtu = p->cand.mtu,
	    .expiry = p->cand.expiry,
	    .ifaces = p->cand.ifaces,
	    .num_ifaces = p->cand.num_ifaces,
	};
	return 0;
}

const struct pathmgr_stats *pathmgr_stats(const struct pathmgr *pm)
{
	return &pm->stats;
}
