/* SPDX-License-Identifier: MIT */
/* Path manager: candidates, probing, liveness, failover, hysteresis, hidden and redundant
 * selection; the original's fixed probe timeout and seg's adaptive one. Time is simulated; a
 * small network model answers probes of "up" paths, with optional jitter and loss. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/pathmgr.h"

#define MS	 1000000ull
#define SEC	 1000000000ull
#define UNIX_NOW 1700000000ull
#define T0	 (1000 * SEC) /* monotonic start, not 0 on purpose */

enum { MAX_CANDS = 32, MAX_IDS = 64, MAX_PENDING = 1024 };

static struct pathmgr_candidate cands[MAX_CANDS];

/* A path of `hops` inter-AS links whose interfaces are unique to `tag`. */
static void make_cand(struct pathmgr_candidate *c, unsigned tag, unsigned hops, bool hidden)
{
	memset(c, 0, sizeof(*c));
	c->raw_len = 4 + 8 + 12 * (hops + 1);
	memset(c->raw, (int)tag, c->raw_len);
	c->path_type = 1;
	c->num_ifaces = 2 * hops;
	for (size_t i = 0; i < c->num_ifaces; i++) {
		c->ifaces[i].ia = scion_ia_make(1, 0xff0000000000ull + i / 2 + (i & 1));
		c->ifaces[i].ifid = tag * 100 + i + 1;
	}
	c->mtu = 1472;
	c->expiry = UNIX_NOW + 3600;
	c->hidden = hidden;
}

/* The original's pathing values written out (50/300/30/500 ms: a fixed probe timeout), as
 * most tests below state their times in them. */
static void config_seed(struct pathmgr_config *cfg)
{
	pathmgr_config_default(cfg);
	cfg->keepalive_interval_ns = 50 * MS;
	cfg->keepalive_timeout_ns = 300 * MS;
	cfg->keepalive_timeout_interval_ns = 30 * MS;
	cfg->migrate_grace_timeout_ns = 500 * MS;
}

static struct pathmgr *new_pm_from(const struct pathmgr_config *cfg)
{
	struct pathmgr *pm = NULL;

	assert_int_equal(pathmgr_create(cfg, &pm), 0);
	assert_non_null(pm);
	return pm;
}

/* seg's defaults (adaptive probe timeout). */
static struct pathmgr *new_pm_default(void)
{
	struct pathmgr_config cfg;

	pathmgr_config_default(&cfg);
	return new_pm_from(&cfg);
}

static struct pathmgr *new_pm(bool hidden_first, bool redundant, enum pathpolicy_kind policy)
{
	struct pathmgr_config cfg;
	struct pathmgr *pm = NULL;

	config_seed(&cfg);
	cfg.hidden_first = hidden_first;
	cfg.redundant = redundant;
	cfg.policy = policy;
	assert_int_equal(pathmgr_create(&cfg, &pm), 0);
	assert_non_null(pm);
	return pm;
}

static void update(struct pathmgr *pm, enum pathmgr_set set, size_t n, uint64_t now)
{
	assert_int_equal(pathmgr_update_candidates(pm, set, cands, n, now, UNIX_NOW), 0);
}

/* The simulated network: per path id, whether probes come back and after how long. */
struct sim {
	struct pathmgr *pm;
	uint64_t now;
	uint64_t seq;
	bool up[MAX_IDS];
	uint64_t rtt[MAX_IDS];
	uint64_t jitter[MAX_IDS];	/* each reply takes rtt + uniform [0, jitter) */
	unsigned loss_percent[MAX_IDS]; /* probes lost at random */
	uint32_t rng;
	unsigned probes[MAX_IDS];
	struct {
		uint32_t id;
		uint64_t seq;
		uint64_t at;
	} pending[MAX_PENDING];
	size_t npending;
};

static void sim_init(struct sim *s, struct pathmgr *pm, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->pm = pm;
	s->now = now;
	for (size_t i = 0; i < MAX_IDS; i++) {
		s->up[i] = true;
		s->rtt[i] = 10 * MS;
	}
	s->rng = 12345;
}

/* Deterministic xorshift32: the same network every run. */
static uint32_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 17;
	s->rng ^= s->rng << 5;
	return s->rng;
}

/* Runs the glue loop in 1 ms steps until `until`: deliver replies, send probes, tick. */
static void sim_run(struct sim *s, uint64_t until)
{
	for (; s->now < until; s->now += MS) {
		uint32_t id;

		for (size_t i = 0; i < s->npending;) {
			if (s->pending[i].at <= s->now) {
				/* A reply may race a removal; both outcomes are fine here. */
				int rc = pathmgr_probe_reply(s->pm, s->pending[i].id,
							     s->pending[i].seq, s->now);
				assert_true(rc == 0 || rc == PATHMGR_ERR_UNKNOWN_PATH);
				s->pending[i] = s->pending[--s->npending];
			} else {
				i++;
			}
		}
		while (pathmgr_next_probe(s->pm, s->now, &id)) {
			assert_true(id < MAX_IDS);
			assert_int_equal(pathmgr_probe_sent(s->pm, id, ++s->seq, s->now), 0);
			s->probes[id]++;
			if (s->up[id] && sim_rand(s) % 100 >= s->loss_percent[id]) {
				uint64_t j = s->jitter[id] ? sim_rand(s) % s->jitter[id] : 0;

				assert_true(s->npending < MAX_PENDING);
				s->pending[s->npending].id = id;
				s->pending[s->npending].seq = s->seq;
				s->pending[s->npending].at = s->now + s->rtt[id] + j;
				s->npending++;
			}
		}
		if (pathmgr_next_wakeup(s->pm) <= s->now)
			pathmgr_tick(s->pm, s->now);
	}
}

static const struct pathmgr_path_info *info_of(struct pathmgr *pm, uint32_t id, uint64_t now)
{
	static struct pathmgr_path_info info;

	for (size_t i = 0; i < pathmgr_path_count(pm); i++) {
		assert_int_equal(pathmgr_path_info(pm, i, now, &info), 0);
		if (info.id == id)
			return &info;
	}
	return NULL;
}

/* Pops events until one of `kind`; fails if none. */
static struct pathmgr_event find_event(struct pathmgr *pm, enum pathmgr_event_kind kind)
{
	struct pathmgr_event ev;

	while (pathmgr_event_pop(pm, &ev))
		if (ev.kind == kind)
			return ev;
	fail_msg("no event of kind %d", kind);
	return ev;
}

static void drain(struct pathmgr *pm)
{
	struct pathmgr_event ev;

	while (pathmgr_event_pop(pm, &ev))
		;
}

static void test_config(void **state)
{
	struct pathmgr_config cfg;
	struct pathmgr *pm = NULL;

	(void)state;
	pathmgr_config_default(&cfg);
	assert_int_equal(pathmgr_config_validate(&cfg), 0);
	/* seg's defaults: 20 ms probes of the active path, adaptive timeout. */
	assert_int_equal(cfg.keepalive_interval_ns, 20 * MS);
	assert_int_equal(cfg.keepalive_timeout_ns, PATHMGR_TIMEOUT_AUTO);
	assert_int_equal(cfg.keepalive_timeout_interval_ns, 30 * MS);
	assert_int_equal(cfg.migrate_grace_timeout_ns, 500 * MS);
	config_seed(&cfg);
	assert_int_equal(pathmgr_config_validate(&cfg), 0);
	/* A fixed timeout must outlast a probe period; zero periods are invalid. */
	cfg.keepalive_timeout_ns = cfg.keepalive_interval_ns;
	assert_int_equal(pathmgr_create(&cfg, &pm), PATHMGR_ERR_CONFIG);
	assert_null(pm);
	config_seed(&cfg);
	cfg.keepalive_interval_ns = 0;
	assert_int_equal(pathmgr_config_validate(&cfg), PATHMGR_ERR_CONFIG);
	config_seed(&cfg);
	cfg.keepalive_timeout_interval_ns = 0;
	assert_int_equal(pathmgr_config_validate(&cfg), PATHMGR_ERR_CONFIG);
	pathmgr_config_default(&cfg);
	cfg.keepalive_interval_ns = UINT64_MAX / 2; /* the adaptive floor would overflow */
	cfg.idle_probe_interval_ns = UINT64_MAX;
	assert_int_equal(pathmgr_config_validate(&cfg), PATHMGR_ERR_CONFIG);
	pathmgr_config_default(&cfg);
	cfg.idle_probe_interval_ns = cfg.keepalive_interval_ns - 1;
	assert_int_equal(pathmgr_config_validate(&cfg), PATHMGR_ERR_CONFIG);
}

static void test_dedup_keeps_stats(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	uint32_t id;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 3, false);
	cands[1].expiry = UNIX_NOW + 100;
	cands[2] = cands[1]; /* same interfaces, later expiry and other bytes: wins */
	cands[2].expiry = UNIX_NOW + 200;
	cands[2].raw[0] = 0xee;
	update(pm, PATHMGR_SET_PUBLIC, 3, T0);
	assert_int_equal(pathmgr_path_count(pm), 2);
	const struct pathmgr_candidate *c = pathmgr_path_lookup(pm, 2);
	assert_non_null(c);
	assert_int_equal(c->expiry, UNIX_NOW + 200);
	assert_int_equal(c->raw[0], 0xee);
	assert_int_equal(pathmgr_active(pm), 1); /* fewest hops */

	/* Probe path 2 and answer: it has an RTT. A refresh keeps it and its id. */
	assert_int_equal(pathmgr_probe_sent(pm, 2, 7, T0), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 2, 7, T0 + 5 * MS), 0);
	cands[0] = cands[1];
	cands[0].raw[0] = 0x11;
	update(pm, PATHMGR_SET_PUBLIC, 1, T0 + 10 * MS);
	assert_int_equal(pathmgr_path_count(pm), 1);
	const struct pathmgr_path_info *in = info_of(pm, 2, T0 + 10 * MS);
	assert_non_null(in);
	assert_true(in->rtt_known);
	assert_int_equal(in->srtt_ns, 5 * MS);
	assert_int_equal(in->state, PATHMGR_PATH_ALIVE);
	assert_int_equal(pathmgr_path_lookup(pm, 2)->raw[0], 0x11);
	/* Path 1 vanished: the active path moved with reason "removed". */
	assert_null(pathmgr_path_lookup(pm, 1));
	assert_int_equal(pathmgr_active(pm), 2);
	assert_false(pathmgr_next_probe(pm, T0 + 10 * MS, &id) && id == 1);
	pathmgr_destroy(pm);
}

static void test_fingerprint(void **state)
{
	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 1, 2, false);
	assert_int_equal(pathmgr_fingerprint(cands[0].ifaces, 4),
			 pathmgr_fingerprint(cands[1].ifaces, 4));
	cands[1].ifaces[3].ifid++;
	assert_int_not_equal(pathmgr_fingerprint(cands[0].ifaces, 4),
			     pathmgr_fingerprint(cands[1].ifaces, 4));
	/* FNV-1a 64 of the empty input is the offset basis. */
	assert_int_equal(pathmgr_fingerprint(NULL, 0), 0xcbf29ce484222325ull);
}

static void test_expiry(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	struct pathmgr_event ev;

	(void)state;
	make_cand(&cands[0], 1, 1, false);
	cands[0].expiry = UNIX_NOW; /* already expired */
	make_cand(&cands[1], 2, 2, false);
	cands[1].expiry = UNIX_NOW + 10;
	make_cand(&cands[2], 3, 3, false);
	update(pm, PATHMGR_SET_PUBLIC, 3, T0);
	assert_int_equal(pathmgr_path_count(pm), 2);
	assert_int_equal(pathmgr_stats(pm)->candidates_rejected, 1);
	uint32_t active = pathmgr_active(pm);
	assert_int_equal(pathmgr_path_lookup(pm, active)->expiry, UNIX_NOW + 10);
	assert_true(pathmgr_next_wakeup(pm) <= T0 + 10 * SEC);

	drain(pm);
	pathmgr_tick(pm, T0 + 10 * SEC - 1);
	assert_int_equal(pathmgr_path_count(pm), 2);
	pathmgr_tick(pm, T0 + 10 * SEC);
	assert_int_equal(pathmgr_path_count(pm), 1);
	assert_int_not_equal(pathmgr_active(pm), active);
	ev = find_event(pm, PATHMGR_EVENT_ACTIVE_CHANGED);
	assert_int_equal(ev.reason, PATHMGR_REASON_REMOVED);
	assert_int_equal(ev.from, active);
	pathmgr_destroy(pm);
}

static void test_malformed_candidates(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);

	(void)state;
	make_cand(&cands[0], 1, 1, false);
	cands[0].raw_len = PATHMGR_MAX_RAW_PATH + 1;
	make_cand(&cands[1], 2, 1, false);
	cands[1].num_ifaces = PATHMGR_MAX_INTERFACES + 2;
	make_cand(&cands[2], 3, 1, true); /* hidden flag in the public set */
	make_cand(&cands[3], 4, 1, false);
	cands[3].num_ifaces = 3; /* interfaces come in pairs */
	update(pm, PATHMGR_SET_PUBLIC, 4, T0);
	assert_int_equal(pathmgr_path_count(pm), 0);
	assert_int_equal(pathmgr_stats(pm)->candidates_rejected, 4);
	assert_int_equal(pathmgr_active(pm), PATHMGR_NO_PATH);
	assert_int_equal(pathmgr_update_candidates(pm, (enum pathmgr_set)7, cands, 0, T0, UNIX_NOW),
			 PATHMGR_ERR_INVALID);
	pathmgr_destroy(pm);
}

static void test_limit_keeps_best_and_active(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	struct pathmgr_path_info in;

	(void)state;
	/* First only a long path: it becomes active. */
	make_cand(&cands[0], 30, 9, false);
	update(pm, PATHMGR_SET_PUBLIC, 1, T0);
	assert_int_equal(pathmgr_active(pm), 1);
	/* Then 20 more, 16 of them shorter: the limit keeps the active one and the 15 best. */
	for (unsigned i = 1; i <= 20; i++)
		make_cand(&cands[i], i, 1 + i % 8, false);
	update(pm, PATHMGR_SET_PUBLIC, 21, T0 + MS);
	assert_int_equal(pathmgr_path_count(pm), PATHMGR_MAX_PUBLIC_PATHS);
	assert_int_equal(pathmgr_stats(pm)->candidates_dropped, 21 - PATHMGR_MAX_PUBLIC_PATHS);
	assert_non_null(pathmgr_path_lookup(pm, 1));
	unsigned max_hops = 0, long_paths = 0;
	for (size_t i = 0; i < pathmgr_path_count(pm); i++) {
		assert_int_equal(pathmgr_path_info(pm, i, T0, &in), 0);
		if (in.id == 1) {
			long_paths++;
			continue;
		}
		if (in.hops > max_hops)
			max_hops = in.hops;
	}
	assert_int_equal(long_paths, 1);
	/* Hops 1..8 occur 2-3 times each among 20; the 15 best stop at hops 6. */
	assert_true(max_hops <= 6);
	assert_int_equal(pathmgr_path_info(pm, PATHMGR_MAX_PUBLIC_PATHS, T0, &in),
			 PATHMGR_ERR_INVALID);
	pathmgr_destroy(pm);
}

static void test_probe_schedule(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	static struct sim s;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 3, false);
	make_cand(&cands[2], 3, 4, false);
	update(pm, PATHMGR_SET_PUBLIC, 3, T0);
	sim_init(&s, pm, T0);
	sim_run(&s, T0 + 2 * SEC);
	assert_int_equal(pathmgr_active(pm), 1);
	/* Active: one probe at once, then every 50 ms; others every 500 ms. */
	assert_int_equal(s.probes[1], 2 * SEC / (50 * MS));
	assert_int_equal(s.probes[2], 2 * SEC / (500 * MS));
	assert_int_equal(s.probes[3], 2 * SEC / (500 * MS));
	const struct pathmgr_path_info *in = info_of(pm, 1, s.now);
	assert_int_equal(in->state, PATHMGR_PATH_ALIVE);
	assert_int_equal(in->srtt_ns, 10 * MS);
	assert_int_equal(in->loss_permille, 0);
	/* The glue never needs to wake later than the next check. */
	assert_true(pathmgr_next_wakeup(pm) <= s.now + 30 * MS);
	pathmgr_destroy(pm);
}

static void test_rtt_and_loss(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	const struct pathmgr_path_info *in;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	update(pm, PATHMGR_SET_PUBLIC, 1, T0);
	assert_int_equal(pathmgr_probe_sent(pm, 1, 1, T0), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 1, T0 + 10 * MS), 0);
	in = info_of(pm, 1, T0 + 10 * MS);
	assert_int_equal(in->srtt_ns, 10 * MS);
	assert_int_equal(in->rttvar_ns, 5 * MS);
	assert_int_equal(pathmgr_probe_sent(pm, 1, 2, T0 + 20 * MS), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 2, T0 + 40 * MS), 0);
	in = info_of(pm, 1, T0 + 40 * MS);
	/* RFC 6298: rttvar = 3/4*5 + 1/4*|10-20| = 6.25; srtt = 7/8*10 + 1/8*20 = 11.25 */
	assert_int_equal(in->rttvar_ns, 6250000);
	assert_int_equal(in->srtt_ns, 11250000);
	/* Duplicate and unknown replies are rejected and change nothing. */
	assert_int_equal(pathmgr_probe_reply(pm, 1, 2, T0 + 41 * MS), PATHMGR_ERR_UNKNOWN_PROBE);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 99, T0 + 41 * MS), PATHMGR_ERR_UNKNOWN_PROBE);
	assert_int_equal(pathmgr_probe_reply(pm, 9, 1, T0 + 41 * MS), PATHMGR_ERR_UNKNOWN_PATH);
	assert_int_equal(pathmgr_probe_sent(pm, 9, 1, T0), PATHMGR_ERR_UNKNOWN_PATH);
	assert_int_equal(info_of(pm, 1, T0)->replies, 2);

	/* 8 more probes, 4 answered: 4 lost of 10 settled once the timeout has passed. */
	uint64_t t = T0 + 100 * MS;
	for (uint64_t seq = 3; seq <= 10; seq++, t += MS) {
		assert_int_equal(pathmgr_probe_sent(pm, 1, seq, t), 0);
		if (seq % 2)
			assert_int_equal(pathmgr_probe_reply(pm, 1, seq, t + MS / 2), 0);
	}
	in = info_of(pm, 1, t);
	assert_int_equal(in->loss_permille, 0); /* the unanswered ones are still pending */
	in = info_of(pm, 1, t + 300 * MS);
	assert_int_equal(in->loss_permille, 400);
	assert_int_equal(in->probes_sent, 10);
	/* The window holds the last PATHMGR_LOSS_WINDOW probes only. */
	for (uint64_t seq = 11; seq < 11 + PATHMGR_LOSS_WINDOW; seq++, t += MS) {
		assert_int_equal(pathmgr_probe_sent(pm, 1, seq, t), 0);
		assert_int_equal(pathmgr_probe_reply(pm, 1, seq, t + MS / 2), 0);
	}
	assert_int_equal(info_of(pm, 1, t + SEC)->loss_permille, 0);
	pathmgr_destroy(pm);
}

static void test_death_and_failover(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	static struct sim s;
	struct pathmgr_event ev;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 3, false);
	make_cand(&cands[2], 3, 4, false);
	update(pm, PATHMGR_SET_PUBLIC, 3, T0);
	sim_init(&s, pm, T0);
	sim_run(&s, T0 + SEC);
	assert_int_equal(pathmgr_active(pm), 1);
	drain(pm);

	/* Path 1 stops answering; its first lost probe leaves at T0+1s (every 50 ms). */
	s.up[1] = false;
	sim_run(&s, T0 + SEC + 300 * MS);
	assert_int_equal(pathmgr_active(pm), 1);
	assert_int_equal(info_of(pm, 1, s.now)->state, PATHMGR_PATH_ALIVE);
	/* Dead after keepAliveTimeout, seen by the next check (<= 30 ms later). */
	sim_run(&s, T0 + SEC + 300 * MS + 31 * MS);
	assert_int_equal(info_of(pm, 1, s.now)->state, PATHMGR_PATH_DEAD);
	assert_int_equal(pathmgr_active(pm), 2); /* next best by hops */
	ev = find_event(pm, PATHMGR_EVENT_PATH_DOWN);
	assert_int_equal(ev.from, 1);
	assert_int_equal(ev.reason, PATHMGR_REASON_PROBE_TIMEOUT);
	ev = find_event(pm, PATHMGR_EVENT_ACTIVE_CHANGED);
	assert_int_equal(ev.from, 1);
	assert_int_equal(ev.to, 2);
	assert_int_equal(ev.reason, PATHMGR_REASON_PROBE_TIMEOUT);
	assert_int_equal(pathmgr_stats(pm)->failovers, 1);
	assert_true(info_of(pm, 1, s.now)->loss_permille > 0);

	/* Path 2 dies too: on to path 3. */
	s.up[2] = false;
	sim_run(&s, s.now + 400 * MS);
	assert_int_equal(pathmgr_active(pm), 3);
	/* All dead: stay on the last one rather than flap among dead paths. */
	s.up[3] = false;
	sim_run(&s, s.now + 400 * MS);
	assert_int_equal(pathmgr_active(pm), 3);
	assert_int_equal(info_of(pm, 3, s.now)->state, PATHMGR_PATH_DEAD);
	pathmgr_destroy(pm);
}

static void test_migrate_back_after_recovery(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	static struct sim s;
	struct pathmgr_event ev;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 3, false);
	update(pm, PATHMGR_SET_PUBLIC, 2, T0);
	sim_init(&s, pm, T0);
	sim_run(&s, T0 + SEC);
	s.up[1] = false;
	sim_run(&s, T0 + 2 * SEC);
	assert_int_equal(pathmgr_active(pm), 2);
	drain(pm);
	s.up[1] = true;
	/* Path 1's idle probes (every 500 ms) bring it back within about 510 ms. */
	uint64_t back = 0, end = s.now + 2 * SEC;
	for (uint64_t t = s.now; t < end && !back; t += MS) {
		sim_run(&s, t + MS);
		if (info_of(pm, 1, s.now)->state == PATHMGR_PATH_ALIVE)
			back = s.now;
	}
	assert_true(back != 0);
	ev = find_event(pm, PATHMGR_EVENT_PATH_UP);
	assert_int_equal(ev.from, 1);
	assert_int_equal(ev.reason, PATHMGR_REASON_PROBE_REPLY);
	/* The failover was more than 500 ms ago: migrating back happens at once. */
	assert_int_equal(pathmgr_active(pm), 1);
	ev = find_event(pm, PATHMGR_EVENT_ACTIVE_CHANGED);
	assert_int_equal(ev.reason, PATHMGR_REASON_BETTER);
	assert_int_equal(ev.to, 1);
	assert_int_equal(pathmgr_stats(pm)->migrations, 1);
	pathmgr_destroy(pm);
}

static void test_grace_exact(void **state)
{
	/* Hand-driven, so the times are exact: failover at t1, better path alive at t1 + 10 ms,
	 * migration back only at the first event at or after t1 + migrateGraceTimeout. */
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	uint64_t t = T0;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 3, false);
	update(pm, PATHMGR_SET_PUBLIC, 2, t);
	assert_int_equal(pathmgr_probe_sent(pm, 1, 1, t), 0);
	assert_int_equal(pathmgr_probe_sent(pm, 2, 2, t), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 1, t + MS), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 2, 2, t + MS), 0);
	assert_int_equal(pathmgr_active(pm), 1);
	/* Path 1 misses a probe. */
	assert_int_equal(pathmgr_probe_sent(pm, 1, 3, t + 10 * MS), 0);
	pathmgr_tick(pm, t + 10 * MS + 300 * MS - 1);
	assert_int_equal(pathmgr_active(pm), 1);
	uint64_t t1 = t + 10 * MS + 300 * MS;
	pathmgr_tick(pm, t1);
	assert_int_equal(pathmgr_active(pm), 2);
	/* Path 1 answers a new probe. */
	assert_int_equal(pathmgr_probe_sent(pm, 1, 4, t1 + 5 * MS), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 4, t1 + 10 * MS), 0);
	assert_int_equal(info_of(pm, 1, t1)->state, PATHMGR_PATH_ALIVE);
	assert_int_equal(pathmgr_active(pm), 2);
	pathmgr_tick(pm, t1 + 500 * MS - 1);
	assert_int_equal(pathmgr_active(pm), 2);
	pathmgr_tick(pm, t1 + 500 * MS);
	assert_int_equal(pathmgr_active(pm), 1);
	pathmgr_destroy(pm);
}

static void test_interface_down(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	struct pathmgr_event ev;
	uint64_t t = T0;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 3, false);
	cands[1].ifaces[0] = cands[0].ifaces[0]; /* shares the first link with path 1 */
	cands[1].ifaces[1] = cands[0].ifaces[1];
	make_cand(&cands[2], 3, 4, false);
	update(pm, PATHMGR_SET_PUBLIC, 3, t);
	for (uint32_t id = 1; id <= 3; id++) {
		assert_int_equal(pathmgr_probe_sent(pm, id, id, t), 0);
		assert_int_equal(pathmgr_probe_reply(pm, id, id, t + MS), 0);
	}
	assert_int_equal(pathmgr_active(pm), 1);
	/* A probe in flight when the interface goes down. */
	assert_int_equal(pathmgr_probe_sent(pm, 1, 10, t + 2 * MS), 0);
	drain(pm);
	assert_int_equal(
	    pathmgr_interface_down(pm, cands[0].ifaces[1].ia, cands[0].ifaces[1].ifid, t + 3 * MS),
	    2);
	assert_int_equal(pathmgr_active(pm), 3); /* immediate, skipping path 2 (same link) */
	ev = find_event(pm, PATHMGR_EVENT_ACTIVE_CHANGED);
	assert_int_equal(ev.reason, PATHMGR_REASON_INTERFACE_DOWN);
	assert_int_equal(ev.from, 1);
	assert_int_equal(ev.to, 3);
	assert_int_equal(info_of(pm, 2, t)->state, PATHMGR_PATH_DEAD);
	/* An unrelated interface changes nothing. */
	assert_int_equal(pathmgr_interface_down(pm, 42, 4242, t + 3 * MS), 0);
	/* The reply to the probe sent before the SCMP does not revive the path... */
	assert_int_equal(pathmgr_probe_reply(pm, 1, 10, t + 4 * MS), 0);
	assert_int_equal(info_of(pm, 1, t)->state, PATHMGR_PATH_DEAD);
	/* ... a reply to a later probe does. */
	assert_int_equal(pathmgr_probe_sent(pm, 1, 11, t + 5 * MS), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 11, t + 6 * MS), 0);
	assert_int_equal(info_of(pm, 1, t)->state, PATHMGR_PATH_ALIVE);
	pathmgr_destroy(pm);
}

static void test_hidden_selection(void **state)
{
	for (int hidden_first = 0; hidden_first <= 1; hidden_first++) {
		struct pathmgr *pm = new_pm(hidden_first, false, PATHPOLICY_HOPS);
		static struct sim s;

		(void)state;
		make_cand(&cands[0], 1, 3, false);
		make_cand(&cands[1], 2, 4, false);
		update(pm, PATHMGR_SET_PUBLIC, 2, T0);
		make_cand(&cands[0], 3, 2, true); /* fewer hops than any public path */
		update(pm, PATHMGR_SET_HIDDEN, 1, T0);
		assert_int_equal(pathmgr_path_count(pm), 3);
		sim_init(&s, pm, T0);
		sim_run(&s, T0 + SEC);
		if (!hidden_first) {
			assert_int_equal(pathmgr_active(pm), 1);
			s.up[1] = false;
			sim_run(&s, T0 + 2 * SEC);
			assert_int_equal(pathmgr_active(pm), 2); /* public before hidden */
			s.up[2] = false;
			sim_run(&s, T0 + 3 * SEC);
			assert_int_equal(pathmgr_active(pm), 3); /* all public dead */
			assert_true(pathmgr_path_lookup(pm, 3)->hidden);
			/* A public path back: return to it after the grace. */
			s.up[2] = true;
			sim_run(&s, T0 + 5 * SEC);
			assert_int_equal(pathmgr_active(pm), 2);
		} else {
			assert_int_equal(pathmgr_active(pm), 3);
			s.up[3] = false;
			sim_run(&s, T0 + 2 * SEC);
			assert_int_equal(pathmgr_active(pm), 1);
		}
		/* Hidden updates do not touch the public set and vice versa. */
		update(pm, PATHMGR_SET_HIDDEN, 0, s.now);
		assert_int_equal(pathmgr_path_count(pm), 2);
		assert_null(pathmgr_path_lookup(pm, 3));
		pathmgr_destroy(pm);
	}
}

static void test_redundant_disjoint(void **state)
{
	struct pathmgr *pm = new_pm(false, true, PATHPOLICY_HOPS);
	static struct sim s;
	uint32_t ids[2];

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 2, false);
	cands[1].ifaces[3] = cands[0].ifaces[3]; /* shares an interface with path 1 */
	make_cand(&cands[2], 3, 4, false);	 /* disjoint, but longer */
	update(pm, PATHMGR_SET_PUBLIC, 3, T0);
	assert_int_equal(pathmgr_active_set(pm, ids), 1); /* nothing alive yet */
	sim_init(&s, pm, T0);
	sim_run(&s, T0 + SEC);
	assert_int_equal(pathmgr_active_set(pm, ids), 2);
	assert_int_equal(ids[0], 1);
	assert_int_equal(ids[1], 3);
	assert_true(info_of(pm, 3, s.now)->secondary);
	/* The second path is probed at the fast rate too. */
	unsigned before = s.probes[3];
	sim_run(&s, s.now + SEC);
	assert_int_equal(s.probes[3] - before, SEC / (50 * MS));
	/* Without a disjoint alive path: one path only. */
	s.up[3] = false;
	sim_run(&s, s.now + SEC);
	assert_int_equal(pathmgr_active_set(pm, ids), 1);
	assert_int_equal(ids[0], 1);
	pathmgr_destroy(pm);
}

static void test_latency_policy(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_LATENCY);
	static struct sim s;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 5, false);
	update(pm, PATHMGR_SET_PUBLIC, 2, T0);
	sim_init(&s, pm, T0);
	s.rtt[1] = 40 * MS;
	s.rtt[2] = 5 * MS;
	sim_run(&s, T0 + 3 * SEC);
	assert_int_equal(pathmgr_active(pm), 2); /* longer but faster */
	/* Within the margin: no flapping. */
	s.rtt[1] = 5 * MS - 100000;
	sim_run(&s, T0 + 20 * SEC);
	assert_int_equal(pathmgr_active(pm), 2);
	pathmgr_destroy(pm);
}

static void test_event_overflow(void **state)
{
	struct pathmgr *pm = new_pm(false, false, PATHPOLICY_HOPS);
	struct pathmgr_event ev;
	size_t n = 0;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	update(pm, PATHMGR_SET_PUBLIC, 1, T0);
	for (unsigned i = 0; i < 2 * PATHMGR_MAX_EVENTS; i++)
		(void)pathmgr_interface_down(pm, cands[0].ifaces[0].ia, cands[0].ifaces[0].ifid,
					     T0);
	for (uint64_t seq = 1; seq <= 2 * PATHMGR_MAX_EVENTS; seq++) {
		assert_int_equal(pathmgr_probe_sent(pm, 1, seq, T0 + seq * MS), 0);
		assert_int_equal(pathmgr_probe_reply(pm, 1, seq, T0 + seq * MS), 0);
		(void)pathmgr_interface_down(pm, cands[0].ifaces[0].ia, cands[0].ifaces[0].ifid,
					     T0 + seq * MS);
	}
	while (pathmgr_event_pop(pm, &ev))
		n++;
	assert_int_equal(n, PATHMGR_MAX_EVENTS);
	assert_true(pathmgr_stats(pm)->events_dropped > 0);
	assert_string_equal(pathmgr_reason_name(PATHMGR_REASON_INTERFACE_DOWN), "interface down");
	assert_string_equal(pathmgr_liveness_name(PATHMGR_PATH_DEAD), "dead");
	pathmgr_destroy(pm);
}

/* ---- seg's adaptive probe timeout (the defaults) ---- */

static uint64_t timeout_of(struct pathmgr *pm, uint32_t id, uint64_t now)
{
	return info_of(pm, id, now)->timeout_ns;
}

static void test_adaptive_timeout_value(void **state)
{
	struct pathmgr *pm = new_pm_default();
	struct pathmgr_config seed;
	uint64_t t = T0;

	(void)state;
	make_cand(&cands[0], 1, 2, false);
	update(pm, PATHMGR_SET_PUBLIC, 1, t);
	/* No RTT sample yet: RFC 6298's initial 1 s. */
	assert_int_equal(timeout_of(pm, 1, t), PATHMGR_AUTO_INITIAL_TIMEOUT_NS);
	/* 100 ms: srtt 100, rttvar 50: 100 + 4 * 50 = 300 ms. */
	assert_int_equal(pathmgr_probe_sent(pm, 1, 1, t), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 1, t + 100 * MS), 0);
	assert_int_equal(timeout_of(pm, 1, t), 300 * MS);
	/* Steady 1 ms samples: the variance decays and the floor of 4 intervals (80 ms) holds. */
	for (uint64_t seq = 2; seq < 200; seq++) {
		t += 20 * MS;
		assert_int_equal(pathmgr_probe_sent(pm, 1, seq, t), 0);
		assert_int_equal(pathmgr_probe_reply(pm, 1, seq, t + MS), 0);
	}
	assert_int_equal(timeout_of(pm, 1, t), PATHMGR_AUTO_MIN_LOST * 20 * MS);
	/* A very slow path is capped. */
	for (uint64_t seq = 200; seq < 260; seq++) {
		t += 3 * SEC;
		assert_int_equal(pathmgr_probe_sent(pm, 1, seq, t), 0);
		assert_int_equal(pathmgr_probe_reply(pm, 1, seq, t + 2 * SEC), 0);
	}
	assert_int_equal(timeout_of(pm, 1, t), PATHMGR_AUTO_MAX_TIMEOUT_NS);
	pathmgr_destroy(pm);

	/* An explicit keepAliveTimeout is fixed, whatever the RTT. */
	config_seed(&seed);
	pm = new_pm_from(&seed);
	update(pm, PATHMGR_SET_PUBLIC, 1, T0);
	assert_int_equal(timeout_of(pm, 1, T0), 300 * MS);
	assert_int_equal(pathmgr_probe_sent(pm, 1, 1, T0), 0);
	assert_int_equal(pathmgr_probe_reply(pm, 1, 1, T0 + MS), 0);
	assert_int_equal(timeout_of(pm, 1, T0), 300 * MS);
	pathmgr_destroy(pm);
}

/* Runs s until path `id` is dead (1 ms steps, bounded); returns the step that killed it. */
static uint64_t run_until_dead(struct sim *s, uint32_t id, uint64_t limit)
{
	while (s->now < limit) {
		uint64_t step = s->now;

		sim_run(s, step + MS);
		if (info_of(s->pm, id, step)->state == PATHMGR_PATH_DEAD)
			return step;
	}
	fail_msg("path %u still alive at %llu", id, (unsigned long long)s->now);
	return 0;
}

static void test_adaptive_blackhole_detection(void **state)
{
	/* A path blackholed at tb. With seg's defaults and a fast path (1 ms RTT) it is dead
	 * between 4 and 5 probe periods later (the first lost probe leaves within one period,
	 * then the 80 ms floor); with a 65 ms path the timeout is SRTT + one period (85 ms, not
	 * a multiple of the probe period): either way exactly at the deadline, not at the next
	 * probe or the 30 ms ticker. With the original's values it takes keepAliveTimeout
	 * (300 ms) after the first lost probe, seen by the ticker. */
	static const struct {
		bool seed;
		uint64_t rtt;
	} cases[] = {{false, MS}, {false, 65 * MS}, {true, MS}};
	static struct sim s;
	struct pathmgr_config seed;

	(void)state;
	config_seed(&seed);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct pathmgr *pm = cases[c].seed ? new_pm_from(&seed) : new_pm_default();
		uint64_t iv = cases[c].seed ? 50 * MS : 20 * MS;

		make_cand(&cands[0], 1, 2, false);
		make_cand(&cands[1], 2, 3, false);
		update(pm, PATHMGR_SET_PUBLIC, 2, T0);
		sim_init(&s, pm, T0);
		s.rtt[1] = s.rtt[2] = cases[c].rtt;
		sim_run(&s, T0 + SEC + 7 * MS); /* blackhole between two probes */
		assert_int_equal(pathmgr_active(pm), 1);
		drain(pm);
		uint64_t tb = s.now, timeout = timeout_of(pm, 1, tb);
		/* Probes leave at T0 + k * iv; the first one at or after tb is lost. */
		uint64_t first_lost = T0 + (tb - T0 + iv - 1) / iv * iv;
		s.up[1] = false;
		uint64_t dead = run_until_dead(&s, 1, tb + SEC);
		assert_int_equal(pathmgr_active(pm), 2);
		struct pathmgr_event ev = find_event(pm, PATHMGR_EVENT_ACTIVE_CHANGED);
		assert_int_equal(ev.reason, PATHMGR_REASON_PROBE_TIMEOUT);
		assert_int_equal(ev.at_ns, dead);
		if (!cases[c].seed) {
			assert_int_equal(timeout, cases[c].rtt == MS ? 80 * MS : 85 * MS);
			assert_int_equal(dead, first_lost + timeout);
			if (cases[c].rtt == MS)
				assert_true(dead - tb <= 5 * iv);
		} else {
			assert_int_equal(timeout, 300 * MS);
			assert_true(dead >= first_lost + timeout);
			assert_true(dead < first_lost + timeout + 30 * MS);
		}
		pathmgr_destroy(pm);
	}
}

static void test_adaptive_wakeup_at_deadline(void **state)
{
	/* Hand-driven: the glue is asked to wake at the deadline of the oldest unanswered
	 * probe, not at the next ticker (30 ms) or probe; the fixed timeout keeps the ticker. */
	struct pathmgr_config seed;
	uint64_t t = T0;

	(void)state;
	for (int profile = 0; profile < 2; profile++) {
		struct pathmgr *pm =
		    profile ? (config_seed(&seed), new_pm_from(&seed)) : new_pm_default();
		uint64_t iv = profile ? 50 * MS : 20 * MS;
		uint64_t timeout = profile ? 300 * MS : 80 * MS;
		uint64_t seq = 1, first_lost;

		make_cand(&cands[0], 1, 2, false);
		update(pm, PATHMGR_SET_PUBLIC, 1, t);
		for (int i = 0; i < 40; i++, t += iv, seq++) {
			assert_int_equal(pathmgr_probe_sent(pm, 1, seq, t), 0);
			assert_int_equal(pathmgr_probe_reply(pm, 1, seq, t + MS / 2), 0);
			pathmgr_tick(pm, t + MS / 2);
		}
		/* From now on nothing comes back; the glue sends when due, ticks when woken. */
		first_lost = t;
		uint64_t deadline = first_lost + timeout;
		while (info_of(pm, 1, t)->state != PATHMGR_PATH_DEAD) {
			uint32_t id;

			assert_true(t <= deadline + 30 * MS);
			if (pathmgr_next_probe(pm, t, &id))
				assert_int_equal(pathmgr_probe_sent(pm, id, seq++, t), 0);
			pathmgr_tick(pm, t);
			if (info_of(pm, 1, t)->state == PATHMGR_PATH_DEAD)
				break;
			uint64_t next = pathmgr_next_wakeup(pm);
			assert_true(next > t);
			if (profile == 0)
				assert_true(next <= deadline || t >= deadline);
			t = next;
		}
		if (profile == 0)
			assert_int_equal(t, deadline); /* woken exactly at the deadline */
		else
			assert_true(t >= deadline && t < deadline + 30 * MS);
		pathmgr_destroy(pm);
	}
}

/* Runs a jittery, lossy path for `dur` with one backup; returns the PATH_DOWN events of the
 * jittery path. */
static unsigned flaps_under_jitter(const struct pathmgr_config *cfg, uint64_t dur)
{
	static struct sim s;
	struct pathmgr *pm = new_pm_from(cfg);
	struct pathmgr_event ev;
	unsigned downs = 0;

	make_cand(&cands[0], 1, 2, false);
	make_cand(&cands[1], 2, 3, false);
	update(pm, PATHMGR_SET_PUBLIC, 2, T0);
	sim_init(&s, pm, T0);
	s.rtt[1] = s.rtt[2] = 5 * MS;
	sim_run(&s, T0 + SEC);
	drain(pm);
	/* Then: 5..65 ms RTT and 3 % loss on the active path. */
	s.jitter[1] = 60 * MS;
	s.loss_percent[1] = 3;
	for (uint64_t end = s.now + dur; s.now < end;) {
		sim_run(&s, s.now + 10 * MS);
		while (pathmgr_event_pop(pm, &ev))
			downs += ev.kind == PATHMGR_EVENT_PATH_DOWN && ev.from == 1;
	}
	pathmgr_destroy(pm);
	return downs;
}

static void test_adaptive_no_flap_on_jitter(void **state)
{
	struct pathmgr_config cfg;

	(void)state;
	/* seg's defaults: healthy but jittery and slightly lossy, never declared dead. */
	pathmgr_config_default(&cfg);
	assert_int_equal(flaps_under_jitter(&cfg, 20 * SEC), 0);
	/* A fixed timeout short enough for the same detection speed (the bench's "fast"
	 * profile, 10/50/5 ms) flaps on the same path: what the adaptive timeout avoids. */
	cfg.keepalive_interval_ns = 10 * MS;
	cfg.keepalive_timeout_ns = 50 * MS;
	cfg.keepalive_timeout_interval_ns = 5 * MS;
	assert_true(flaps_under_jitter(&cfg, 20 * SEC) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_fingerprint),
	    cmocka_unit_test(test_dedup_keeps_stats),
	    cmocka_unit_test(test_expiry),
	    cmocka_unit_test(test_malformed_candidates),
	    cmocka_unit_test(test_limit_keeps_best_and_active),
	    cmocka_unit_test(test_probe_schedule),
	    cmocka_unit_test(test_rtt_and_loss),
	    cmocka_unit_test(test_death_and_failover),
	    cmocka_unit_test(test_migrate_back_after_recovery),
	    cmocka_unit_test(test_grace_exact),
	    cmocka_unit_test(test_interface_down),
	    cmocka_unit_test(test_hidden_selection),
	    cmocka_unit_test(test_redundant_disjoint),
	    cmocka_unit_test(test_latency_policy),
	    cmocka_unit_test(test_event_overflow),
	    cmocka_unit_test(test_adaptive_timeout_value),
	    cmocka_unit_test(test_adaptive_blackhole_detection),
	    cmocka_unit_test(test_adaptive_wakeup_at_deadline),
	    cmocka_unit_test(test_adaptive_no_flap_on_jitter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
