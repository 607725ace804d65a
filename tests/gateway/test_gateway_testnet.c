/* SPDX-License-Identifier: MIT */
/*
 * Two gateways on seg-testnet's multipath network (topologies/multipath.topo), in the
 * process, on loopback, no root:
 *
 *      110 ============ 120 ============ 130        cores (plus 110 == 130)
 *      /  \              |               /  \
 *    112   \            121 (R)         /    132     112 -- 132 peering
 *     | \   \          .    \          /   /  |
 *     +------ 111 (A)          131 (B) -------+     121 -> 111 hidden CHILD link
 *
 * Gateway A in 1-ff00:0:111, gateway B in 1-ff00:0:131, each with the other as remote and
 * rendezvousAddr 1-ff00:0:121. A test adapter on A sends a sequence-numbered stream (one
 * packet every 2 ms, bounded in count and time); B's adapter records arrival times. Links
 * are changed with netrun_link_apply, as `seg-testnet link` does:
 *
 *  (a) link down on the active path: SCMP-triggered failover; link up: back per policy;
 *  (b) 100 % loss on the active path (silent): probes detect it, failover;
 *  (c) every public path down (both uplinks of A): the hidden path carries the traffic;
 *  (d) hidden_failover (-hiddenFailover): the hidden path is active first;
 *  (e) redundant mode: one link down, no packet lost;
 *  (f) the handshake time (printed in every test's setup).
 *
 * Outages and times are printed, not asserted (noisy machines); the assertions are liveness
 * with generous bounds (traffic resumes within 5 s).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <seg/adapter.h>

#include "base/evloop.h"
#include "base/log.h"
#include "base/time.h"
#include "gateway/gateway.h"
#include "gateway/status.h"
#include "gw_fixture.h"
#include "netrun.h"

#define IA_A "1-ff00:0:111"
#define IA_B "1-ff00:0:131"
#define IA_R "1-ff00:0:121"
static const scion_ia_t IA_A_NUM = 0x0001ff0000000111ull;
static const scion_ia_t IA_B_NUM = 0x0001ff0000000131ull;

enum {
	GW_PORT = 31337,
	STREAM_MAX = 20000, /* packets per test: 40 s at one per 2 ms */
	STREAM_GAP_MS = 2,  /* one packet every 2 ms */
	RESUME_PKTS = 250,  /* "traffic resumed": this many after the event (0.5 s) */
	LIVENESS_MS = 5000, /* generous bound on any recovery */
	PKT_LEN = 200,
	MAX_IFACES = 64,
};

/* ---- the network, shared by every test -------------------------------------------------- */

static struct netrun *NET;
static char NET_DIR[64];

static int group_setup(void **state)
{
	char err[NETRUN_ERR_LEN];

	(void)state;
	snprintf(NET_DIR, sizeof(NET_DIR), "/tmp/seg-gwtn-XXXXXX");
	if (!mkdtemp(NET_DIR) || netrun_start(SEG_SOURCE_DIR "/topologies/multipath.topo", NET_DIR,
					      NULL, &NET, err, sizeof(err)) != 0) {
		fprintf(stderr, "netrun_start: %s\n", err);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	(void)state;
	netrun_stop(NET);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", NET_DIR);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- the receiving adapter and the stream ----------------------------------------------- */

/* B's adapter: gw_fixture.h's recorder, which also hands each packet to rx_arrived. */
struct rx_log {
	struct gw_fixture_rec rec;
	uint64_t at[STREAM_MAX];    /* arrival time by sequence number; 0: not (yet) */
	uint64_t order[STREAM_MAX]; /* arrival times in arrival order */
	size_t n, dups;
};

static struct rx_log RX;

static void rx_arrived(struct gw_fixture_rec *rec, const struct seg_buf *pkt, uint64_t now)
{
	struct rx_log *r = (struct rx_log *)rec; /* rec is its first member */
	uint32_t seq;

	if (pkt->len < 4)
		return;
	seq = (uint32_t)pkt->data[0] << 24 | (uint32_t)pkt->data[1] << 16 |
	      (uint32_t)pkt->data[2] << 8 | pkt->data[3];
	if (seq >= STREAM_MAX)
		return;
	if (r->at[seq]) {
		r->dups++;
		return;
	}
	r->at[seq] = now;
	r->order[r->n++] = now;
}

struct pair {
	struct evloop *loop;
	struct gateway *a, *b;
	struct gw_fixture_rec rxa; /* A's adapter: only peer_up counts */
	struct seg_peer *pab;
	bool streaming;
	uint32_t next_seq;
	uint64_t next_send_ns;
	uint64_t send_at[STREAM_MAX];
	size_t send_failures;
};

static struct pair P;

static void stream_tick(struct pair *p)
{
	uint8_t buf[PKT_LEN] = {0};
	uint64_t now = seg_time_now();

	/* At most a few per tick: a late tick catches up without a burst. */
	for (int k = 0; k < 4 && p->streaming && p->next_seq < STREAM_MAX && p->next_send_ns <= now;
	     k++) {
		struct seg_buf b = {.data = buf, .len = sizeof(buf)};
		uint32_t s = p->next_seq++;

		buf[0] = (uint8_t)(s >> 24);
		buf[1] = (uint8_t)(s >> 16);
		buf[2] = (uint8_t)(s >> 8);
		buf[3] = (uint8_t)s;
		p->send_at[s] = now;
		if (seg_peer_send_data(p->pab, &b, 1) != 1)
			p->send_failures++;
		p->next_send_ns += SEG_MS(STREAM_GAP_MS);
	}
}

/* ---- running the loop ------------------------------------------------------------------- */

typedef bool cond_fn(void);

static bool wait_cond(void *arg)
{
	cond_fn **cond = arg;

	return (*cond)();
}

static void wait_each(void *arg)
{
	(void)arg;
	stream_tick(&P);
}

/* Runs the gateways (and the stream) until cond() or ms elapsed; returns cond(). */
static bool run_until(cond_fn *cond, uint64_t ms)
{
	const struct gw_fixture_wait w = {
	    .cond = cond ? wait_cond : NULL,
	    .each = wait_each,
	    .arg = &cond,
	    .tick_ms = 1,
	    .timeout_ms = ms,
	};
	bool held;

	assert_int_equal(gw_fixture_run_until(P.loop, &w, &held), 0);
	return held;
}

/* ---- gateways ---------------------------------------------------------------------------- */

static struct gateway *gw_start(const struct netrun_as *self, const struct netrun_as *peer,
				const char *extra, const struct gateway_opts *opts,
				struct gw_fixture_rec *rec)
{
	char remotes[256], err[GW_FIXTURE_ERRLEN];
	const struct gw_fixture_config c = {
	    .ia = self->ia_str,
	    .host = self->host_ip,
	    .port = GW_PORT,
	    .daemon = self->daemon,
	    .extra = extra,
	    .remotes = remotes,
	};
	struct gateway *gw = NULL;

	snprintf(remotes, sizeof(remotes),
		 "  - address: %s,%s:%u\n"
		 "    rendezvousAddr: " IA_R "\n"
		 "    description: %s\n",
		 peer->ia_str, peer->host_ip, GW_PORT, peer->ia_str);
	if (gw_fixture_gateway_start(&c, opts, rec, &gw, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return gw;
}

static bool both_up(void)
{
	return RX.rec.ups >= 1 && P.rxa.ups >= 1;
}

/* (f) Starts A and B, prints the time until both are up (keys, paths, handshake). */
static void pair_start(const char *extra, bool hidden_failover)
{
	const struct netrun_as *as_a = netrun_as_find(NET, IA_A_NUM);
	const struct netrun_as *as_b = netrun_as_find(NET, IA_B_NUM);
	struct gateway_opts opts = {0};
	struct scion_addr addr_b;
	char s[96];
	uint64_t t0;

	assert_non_null(as_a);
	assert_non_null(as_b);
	memset(&P, 0, sizeof(P));
	memset(&RX, 0, sizeof(RX));
	RX.rec.on_data = rx_arrived;
	P.loop = evloop_new();
	assert_non_null(P.loop);
	opts.loop = P.loop;
	opts.daemon_timeout_ms = 5000;
	opts.hidden_failover = hidden_failover;
	t0 = seg_time_now();
	P.a = gw_start(as_a, as_b, extra, &opts, &P.rxa);
	P.b = gw_start(as_b, as_a, extra, &opts, &RX.rec);
	assert_true(run_until(both_up, LIVENESS_MS));
	print_message("(f) handshake on the testnet: both gateways up %.1f ms after start "
		      "(DRKey and paths from the daemons, then one round trip)\n",
		      (double)(seg_time_now() - t0) / 1e6);
	snprintf(s, sizeof(s), "%s,%s", as_b->ia_str, as_b->host_ip);
	assert_int_equal(scion_addr_parse(s, &addr_b), 0);
	P.pab = seg_gateway_peer_by_addr(P.a, &addr_b);
	assert_non_null(P.pab);
}

static void pair_stop(void)
{
	seg_peer_put(P.pab);
	gateway_free(P.a);
	gateway_free(P.b);
	evloop_free(P.loop);
}

/* ---- paths as `seg status` shows them ----------------------------------------------------- */

struct link_end {
	scion_ia_t ia;
	uint16_t ifid;
};

struct path_view {
	bool found, hidden;
	unsigned hops;
	char ifaces[GW_STATUS_IFACES_LEN];
	struct link_end ends[MAX_IFACES];
	size_t n_ends;
};

/* "1-ff00:0:110#2 1-ff00:0:111#1 ..." into (ia, ifid) pairs. */
static void ifaces_parse(struct path_view *v)
{
	char buf[GW_STATUS_IFACES_LEN];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v->ifaces);
	v->n_ends = 0;
	for (char *tok = strtok_r(buf, " ", &save); tok && v->n_ends < MAX_IFACES;
	     tok = strtok_r(NULL, " ", &save)) {
		char *hash = strchr(tok, '#');

		assert_non_null(hash);
		assert_int_equal(scion_ia_parse(tok, (size_t)(hash - tok), &v->ends[v->n_ends].ia),
				 0);
		v->ends[v->n_ends].ifid = (uint16_t)strtoul(hash + 1, NULL, 10);
		v->n_ends++;
	}
}

static void view_from(const struct gw_status_path *sp, struct path_view *v)
{
	v->found = true;
	v->hidden = sp->hidden;
	v->hops = sp->hops;
	snprintf(v->ifaces, sizeof(v->ifaces), "%s", sp->ifaces);
	ifaces_parse(v);
}

/* A's active path to B. */
static struct path_view active_of(struct gateway *gw)
{
	struct gw_status s;
	struct path_view v = {0};

	assert_int_equal(gateway_status_collect(gw, &s), 0);
	if (s.n_peers == 1 && s.peers[0].active_path >= 0)
		view_from(&s.peers[0].paths[s.peers[0].active_path], &v);
	gw_status_free(&s);
	return v;
}

static bool shares_interface(const struct path_view *x, const struct path_view *y)
{
	for (size_t i = 0; i < x->n_ends; i++)
		for (size_t j = 0; j < y->n_ends; j++)
			if (x->ends[i].ia == y->ends[j].ia && x->ends[i].ifid == y->ends[j].ifid)
				return true;
	return false;
}

/* Another public path as short as active, sharing no interface with it. */
static struct path_view twin_of(struct gateway *gw, const struct path_view *active)
{
	struct gw_status s;
	struct path_view v = {0};

	assert_int_equal(gateway_status_collect(gw, &s), 0);
	for (size_t i = 0; s.n_peers == 1 && i < s.peers[0].n_paths && !v.found; i++) {
		const struct gw_status_path *sp = &s.peers[0].paths[i];
		if (sp->hidden || sp->hops != active->hops || !strcmp(sp->ifaces, active->ifaces))
			continue;
		view_from(sp, &v);
		if (shares_interface(&v, active))
			v.found = false;
	}
	gw_status_free(&s);
	return v;
}

static size_t alive_hidden(struct gateway *gw)
{
	struct gw_status s;
	size_t n = 0;

	assert_int_equal(gateway_status_collect(gw, &s), 0);
	for (size_t i = 0; s.n_peers == 1 && i < s.peers[0].n_paths; i++)
		n += s.peers[0].paths[i].hidden && s.peers[0].paths[i].alive;
	gw_status_free(&s);
	return n;
}

/* The middle link of a path (the one a link failure there hits, away from both sites). */
static struct link_end middle_link(const struct path_view *v)
{
	size_t links = v->n_ends / 2;

	assert_true(links >= 1);
	return v->ends[2 * (links / 2)];
}

static void link_set(struct link_end l, unsigned field, const struct netrun_link_state *st)
{
	assert_int_equal(netrun_link_apply(NET, l.ia, l.ifid, field, st), 0);
}

static void link_updown(struct link_end l, bool up)
{
	struct netrun_link_state st = {.up = up};

	link_set(l, NETRUN_LINK_UP, &st);
}

static void link_loss(struct link_end l, uint32_t ppm)
{
	struct netrun_link_state st = {.loss_ppm = ppm};

	link_set(l, NETRUN_LINK_LOSS, &st);
}

/* ---- measuring ---------------------------------------------------------------------------- */

static uint64_t EVENT_NS;

static size_t received_after(uint64_t t)
{
	size_t n = 0;

	for (size_t i = RX.n; i > 0 && RX.order[i - 1] > t; i--)
		n++;
	return n;
}

static bool resumed(void)
{
	return received_after(EVENT_NS) >= RESUME_PKTS;
}

/* Longest gap between consecutive arrivals that ends after t: the outage around an event. */
static uint64_t outage_after(uint64_t t)
{
	uint64_t worst = 0;

	for (size_t i = 1; i < RX.n; i++)
		if (RX.order[i] > t && RX.order[i] - RX.order[i - 1] > worst)
			worst = RX.order[i] - RX.order[i - 1];
	return worst;
}

/* Sequence numbers sent in [from, to) that never arrived. */
static size_t lost_between(uint64_t from, uint64_t to)
{
	size_t n = 0;

	for (uint32_t s = 0; s < P.next_seq; s++)
		if (P.send_at[s] >= from && P.send_at[s] < to && !RX.at[s])
			n++;
	return n;
}

static bool flowing(void)
{
	return RX.n >= RESUME_PKTS;
}

static void stream_start(void)
{
	P.streaming = true;
	P.next_send_ns = seg_time_now();
	assert_true(run_until(flowing, LIVENESS_MS));
}

/* Stops the stream and lets the packets in flight arrive. */
static void stream_stop(void)
{
	P.streaming = false;
	run_until(NULL, 300);
}

/* An event (link change) at now, then until traffic resumed; prints the outage. */
static uint64_t event_and_resume(const char *what)
{
	uint64_t out;

	assert_true(run_until(resumed, LIVENESS_MS));
	out = outage_after(EVENT_NS);
	print_message("%s: outage %.1f ms, %zu packets lost\n", what, (double)out / 1e6,
		      lost_between(EVENT_NS - SEG_MS(50), seg_time_now() - SEG_MS(100)));
	assert_true(out < SEG_MS(LIVENESS_MS));
	return out;
}

static struct path_view STEADY;

static bool active_is_steady(void)
{
	struct path_view v = active_of(P.a);

	return v.found && !strcmp(v.ifaces, STEADY.ifaces);
}

static bool active_moved(void)
{
	struct path_view v = active_of(P.a);

	return v.found && strcmp(v.ifaces, STEADY.ifaces) != 0;
}

static bool active_hidden(void)
{
	return active_of(P.a).hidden;
}

static bool active_public(void)
{
	struct path_view v = active_of(P.a);

	return v.found && !v.hidden;
}

static bool hidden_alive(void)
{
	return alive_hidden(P.a) > 0;
}

/* Starts the pair and the stream; STEADY = A's active path once it has settled. */
static void steady_start(const char *extra)
{
	pair_start(extra, false);
	stream_start();
	/* Probes settle (RTTs, liveness of every candidate). */
	run_until(NULL, 1000);
	STEADY = active_of(P.a);
	assert_true(STEADY.found);
	assert_false(STEADY.hidden);
	print_message("active path A->B: %s (%u hops)\n", STEADY.ifaces, STEADY.hops);
}

/* ---- tests -------------------------------------------------------------------------------- */

/* (a) link down on the active path: SCMP external-interface-down, immediate failover; link
 * up: the better path comes back after migrateGraceTimeout. */
static void test_link_down_scmp_failover(void **state)
{
	struct path_view twin;
	struct link_end down, twin_link;
	uint64_t t_up;

	(void)state;
	steady_start("");
	/* Make the way back a strict improvement under the hops policy: the equally short
	 * disjoint twin goes down first, so the failover lands on a longer path. */
	twin = twin_of(P.a, &STEADY);
	if (twin.found) {
		twin_link = middle_link(&twin);
		link_updown(twin_link, false);
		run_until(NULL, 700); /* its idle probe meets the SCMP */
	}
	down = middle_link(&STEADY);
	EVENT_NS = seg_time_now();
	link_updown(down, false);
	event_and_resume("(a) link down (SCMP-triggered failover)");
	assert_true(run_until(active_moved, LIVENESS_MS));
	print_message("(a) failed over to: %s\n", active_of(P.a).ifaces);

	t_up = seg_time_now();
	link_updown(down, true);
	assert_true(run_until(active_is_steady, LIVENESS_MS));
	/* The failover was more than migrateGraceTimeout ago: only the probe that finds the
	 * path alive again delays the way back. */
	print_message("(a) link up: back on the better path after %.1f ms\n",
		      (double)(seg_time_now() - t_up) / 1e6);
	run_until(NULL, 200);
	print_message("(a) packets lost during the migration back: %zu\n",
		      lost_between(t_up, seg_time_now() - SEG_MS(100)));
	if (twin.found)
		link_updown(twin_link, true);
	stream_stop();
	assert_int_equal(RX.dups, 0);
	pair_stop();
}

/* (b) a blackholed link (100 % loss, no SCMP): probes find it, failover. */
static void test_blackhole_probe_failover(void **state)
{
	struct link_end l;

	(void)state;
	steady_start("");
	l = middle_link(&STEADY);
	EVENT_NS = seg_time_now();
	link_loss(l, 1000000);
	event_and_resume("(b) 100% loss (probe-triggered failover, adaptive keepAliveTimeout)");
	assert_true(active_moved());
	link_loss(l, 0);
	stream_stop();
	pair_stop();
}

/* (c) every public path down: the hidden path through R carries the traffic. */
static void test_hidden_when_public_down(void **state)
{
	const struct link_end uplinks[] = {{IA_A_NUM, 1}, {IA_A_NUM, 2}};
	uint64_t t_up;

	(void)state;
	steady_start("");
	assert_true(run_until(hidden_alive, LIVENESS_MS));
	EVENT_NS = seg_time_now();
	for (size_t i = 0; i < 2; i++)
		link_updown(uplinks[i], false);
	event_and_resume("(c) every public path down (hidden-path failover)");
	assert_true(active_hidden());
	print_message("(c) on the hidden path: %s\n", active_of(P.a).ifaces);

	t_up = seg_time_now();
	for (size_t i = 0; i < 2; i++)
		link_updown(uplinks[i], true);
	assert_true(run_until(active_public, LIVENESS_MS));
	print_message("(c) public paths back: public again after %.1f ms\n",
		      (double)(seg_time_now() - t_up) / 1e6);
	stream_stop();
	pair_stop();
}

/* (d) -hiddenFailover: hidden paths first. */
static void test_hidden_failover_flag(void **state)
{
	uint64_t t0 = seg_time_now();
	size_t before;

	(void)state;
	pair_start("", true);
	assert_true(run_until(active_hidden, LIVENESS_MS));
	print_message("(d) -hiddenFailover: hidden path %s active %.1f ms after start\n",
		      active_of(P.a).ifaces, (double)(seg_time_now() - t0) / 1e6);
	stream_start();
	before = RX.n;
	run_until(NULL, 500);
	assert_true(active_hidden());
	assert_true(RX.n > before);
	stream_stop();
	pair_stop();
}

/* (e) redundant mode: every packet on the two best disjoint paths; one link down loses
 * nothing (the replay window drops the second copy). */
static void test_redundant_no_loss(void **state)
{
	size_t lost;

	(void)state;
	steady_start("redundant: true\n");
	EVENT_NS = seg_time_now();
	link_updown(middle_link(&STEADY), false);
	event_and_resume("(e) redundant: link down");
	run_until(NULL, 500);
	stream_stop();
	lost = lost_between(0, UINT64_MAX);
	print_message("(e) redundant: %u packets sent, %zu lost, %zu duplicates delivered\n",
		      P.next_seq, lost, RX.dups);
	assert_int_equal(lost, 0);
	assert_int_equal(RX.dups, 0);
	link_updown(middle_link(&STEADY), true);
	pair_stop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_down_scmp_failover),
	    cmocka_unit_test(test_blackhole_probe_failover),
	    cmocka_unit_test(test_hidden_when_public_down),
	    cmocka_unit_test(test_hidden_failover_flag),
	    cmocka_unit_test(test_redundant_no_loss),
	};

	seg_log_set_level(getenv("SEG_TEST_LOG") ? SEG_LOG_DEBUG : SEG_LOG_WARN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
