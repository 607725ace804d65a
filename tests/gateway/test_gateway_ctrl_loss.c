/* SPDX-License-Identifier: MIT */
/*
 * The control channel under loss, delay and reordering, over seg-testnet (gwnet_fixture.h):
 *
 *   gateway A (111) ──#41── 30 % loss, delay ──#1── 110 ──#2── 30 % loss, delay ──#1── (112) B
 *
 * Each direction crosses two lossy links (about half of all packets lost). Both adapters
 * send many control messages of 8 bytes to 64 KiB through the adapter API
 * (seg_peer_send_ctrl, retried on -ENOBUFS); each side must get every message of the other
 * exactly once, in order, with its content intact, and the session must stay up. A second
 * test adds jitter (delay changed while messages are in flight), which reorders frames.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/log.h"
#include "base/time.h"
#include "gateway/status.h"
#include "gwnet_fixture.h"

enum { TIMEOUT_MS = 150000 };

static uint32_t n_msgs;

/*
 * Message sizes, cycled: tiny, around one path MTU, several frames; the first run also has
 * the largest messages. Both stay small in total: at about half the packets lost each way
 * (a quarter of round trips complete) the channel's RTO backoff (RFC 6298) keeps it to a few
 * KB/s, as it would TCP.
 */
static const size_t SIZES_LARGE[] = {8, 100,  1200, 1400,  5000, 300, SEG_CTRL_MSG_MAX,
				     9, 2900, 600,  12000, 700};
static const size_t SIZES_SMALL[] = {8, 100, 1200, 1400, 5000, 300, 9, 2900, 600, 3000};

static const size_t *sizes;
static size_t n_sizes;

struct sender {
	struct seg_peer *peer;
	uint32_t next;
	unsigned enobufs;
};

struct run {
	struct sender a, b; /* a sends from A to B */
	uint64_t jitter_next_ns;
	bool jitter;
	unsigned jitter_steps;
};

static uint8_t msgbuf[SEG_CTRL_MSG_MAX];

static size_t msg_size(uint32_t seq)
{
	return sizes[seq % n_sizes];
}

static uint64_t total_bytes(void)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < n_msgs; i++)
		n += msg_size(i);
	return n;
}

static void sender_fill(struct sender *s)
{
	while (s->next < n_msgs) {
		size_t len = msg_size(s->next);
		int err;

		gwnet_ctrl_make(msgbuf, s->next, len);
		err = seg_peer_send_ctrl(s->peer, msgbuf, len);
		if (err == -ENOBUFS) {
			s->enobufs++;
			return;
		}
		assert_int_equal(err, 0);
		s->next++;
	}
}

static void links_set(struct gwnet *g, uint32_t loss_ppm, uint32_t delay_us)
{
	struct netrun_link_state st = {.up = true, .loss_ppm = loss_ppm, .delay_us = delay_us};

	assert_int_equal(
	    netrun_link_apply(g->net, GWNET_IA_110, 1, NETRUN_LINK_LOSS | NETRUN_LINK_DELAY, &st),
	    0);
	assert_int_equal(
	    netrun_link_apply(g->net, GWNET_IA_110, 2, NETRUN_LINK_LOSS | NETRUN_LINK_DELAY, &st),
	    0);
}

static struct gwnet g;

static bool run_each(struct gwnet *gw, void *arg)
{
	struct run *r = arg;
	uint64_t now = seg_time_now();

	sender_fill(&r->a);
	sender_fill(&r->b);
	/* Jitter: the links' delay moves between 1 and 25 ms every 7 ms, so frames sent later
	 * overtake earlier ones. */
	if (r->jitter && now >= r->jitter_next_ns) {
		r->jitter_next_ns = now + SEG_MS(7);
		links_set(gw, 300000, 1000 + (r->jitter_steps * 7919u) % 24000u);
		r->jitter_steps++;
	}
	return false;
}

static uint64_t rekeys_of(struct gateway *gw)
{
	struct gw_status st;
	uint64_t n;

	assert_int_equal(gateway_status_collect(gw, &st), 0);
	n = st.n_peers ? st.peers[0].rekeys : 0;
	gw_status_free(&st);
	return n;
}

static bool all_arrived(struct gwnet *gw, void *arg)
{
	(void)arg;
	return gw->a.rec.n_ctrl >= n_msgs && gw->b.rec.n_ctrl >= n_msgs;
}

static uint64_t drops_of(struct gateway *gw, const char *reason)
{
	uint64_t n;

	assert_int_equal(gw_fixture_drops(gw, reason, &n), 0);
	return n;
}

static void ctrl_under_loss(bool jitter, uint64_t rekey_ns)
{
	struct run r = {.jitter = jitter};
	uint64_t t0, ms;

	gwnet_setup(&g);
	/* The session is set up before the loss starts. A rekey starts a new stream on the new
	 * session; messages whose ack was lost are resent and must not arrive twice. */
	g.opts.test_rekey_after_time_ns = rekey_ns;
	g.opts.test_rekey_timeout_ns = rekey_ns ? SEG_SEC(1) : 0;
	gwnet_gw_start(&g, &g.a);
	gwnet_gw_start(&g, &g.b);
	assert_true(gwnet_run_until(&g, gwnet_both_up, NULL, NULL, 10000));
	r.a.peer = gwnet_peer(&g, &g.a);
	r.b.peer = gwnet_peer(&g, &g.b);

	links_set(&g, 300000, 5000);
	t0 = seg_time_now();
	if (!gwnet_run_until(&g, all_arrived, run_each, &r, TIMEOUT_MS))
		fail_msg("after %d ms: A sent %u, B got %llu; B sent %u, A got %llu; bad %u/%u; "
			 "downs %u/%u",
			 TIMEOUT_MS, r.a.next, (unsigned long long)g.b.rec.n_ctrl, r.b.next,
			 (unsigned long long)g.a.rec.n_ctrl, g.a.rec.ctrl_bad, g.b.rec.ctrl_bad,
			 g.a.rec.downs, g.b.rec.downs);
	ms = seg_time_to_ms(seg_time_now() - t0);
	/* Nothing more comes: no duplicates after the last one. */
	links_set(&g, 0, 0);
	gwnet_run_until(&g, NULL, NULL, NULL, 1000);
	print_message("%s%s: %u messages each way (%llu bytes) in %llu ms; queue full %u/%u "
		      "times; peer downs %u/%u; rekeys %llu; resent copies dropped %llu/%llu\n",
		      jitter ? "30% loss, 1-25 ms jitter" : "30% loss, 5 ms delay",
		      rekey_ns ? ", rekeys" : "", n_msgs, (unsigned long long)total_bytes(),
		      (unsigned long long)ms, r.a.enobufs, r.b.enobufs, g.a.rec.downs,
		      g.b.rec.downs, (unsigned long long)rekeys_of(g.a.gw),
		      (unsigned long long)drops_of(g.a.gw, "ctrl_duplicate"),
		      (unsigned long long)drops_of(g.b.gw, "ctrl_duplicate"));
	assert_int_equal(g.a.rec.ctrl_bad, 0);
	assert_int_equal(g.b.rec.ctrl_bad, 0);
	assert_int_equal(g.a.rec.n_ctrl, n_msgs);
	assert_int_equal(g.b.rec.n_ctrl, n_msgs);
	assert_int_equal(g.a.rec.downs, 0);
	assert_int_equal(g.b.rec.downs, 0);
	seg_peer_put(r.a.peer);
	seg_peer_put(r.b.peer);
	gwnet_teardown(&g);
}

static void test_ctrl_loss_delay(void **state)
{
	(void)state;
	sizes = SIZES_LARGE;
	n_sizes = sizeof(SIZES_LARGE) / sizeof(SIZES_LARGE[0]);
	n_msgs = 12;
	ctrl_under_loss(false, 0);
}

static void test_ctrl_loss_reorder(void **state)
{
	(void)state;
	sizes = SIZES_SMALL;
	n_sizes = sizeof(SIZES_SMALL) / sizeof(SIZES_SMALL[0]);
	n_msgs = 30;
	ctrl_under_loss(true, 0);
}

/* Rekeys every 2 s while messages are in flight under loss: every one still once. */
static void test_ctrl_loss_rekeys(void **state)
{
	(void)state;
	sizes = SIZES_SMALL;
	n_sizes = sizeof(SIZES_SMALL) / sizeof(SIZES_SMALL[0]);
	n_msgs = 40;
	ctrl_under_loss(false, SEG_SEC(2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ctrl_loss_delay),
	    cmocka_unit_test(test_ctrl_loss_reorder),
	    cmocka_unit_test(test_ctrl_loss_rekeys),
	};

	seg_log_set_level(getenv("SEG_TEST_LOG") ? SEG_LOG_DEBUG : SEG_LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
