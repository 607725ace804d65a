/* SPDX-License-Identifier: MIT */
/*
 * The control channel between two endpoints over a simulated link with deterministic loss,
 * reordering, duplication and a path MTU that changes between polls: every message (0 to
 * 64 KiB) arrives exactly once and in order; plus queue bounds, garbage frames, resets,
 * sequence wrap, delayed acks and RTT estimation.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/ctrlchan.h"

#define MS(x) ((uint64_t)(x)*1000000ull)

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* ---- the simulated link ---- */

struct pkt {
	uint64_t at;
	int to;
	size_t len;
	uint8_t *data;
};

enum { LINK_MAX = 4096, CAPTURE_MAX = 512 };

struct sim;
struct port {
	struct sim *s;
	int side;
};

struct sim {
	struct ctrlchan ch[2];
	struct port port[2];
	uint64_t now, rng;
	unsigned loss_pct, dup_pct;
	uint64_t delay, jitter;
	bool var_mtu;
	size_t mtu, cur_max_frame;
	struct pkt q[LINK_MAX];
	unsigned nq;
	/* traffic: side d sends nmsgs[d] messages; received[d] is what side d got */
	unsigned nmsgs[2], sent[2], received[2];
	const size_t *fixed; /* sizes of the first nfixed messages */
	unsigned nfixed;
	/* capture mode: frames go to cap[] instead of the link */
	bool capture;
	unsigned ncap;
	size_t cap_len[CAPTURE_MAX];
	int cap_from[CAPTURE_MAX];
	uint8_t cap[CAPTURE_MAX][CTRL_FRAME_MAX];
	uint8_t msg[CTRL_MSG_MAX];
};

static uint64_t sim_rand(struct sim *s)
{
	return mix(s->rng += 0x9e3779b97f4a7c15ull);
}

static size_t msg_size(const struct sim *s, int side, unsigned i)
{
	static const size_t special[] = {0,    1,    2,	   5,	  79,	 80,	81,	      1000,
					 1449, 1450, 1451, 16336, 16337, 65535, CTRL_MSG_MAX, 0,
					 0,    3};
	uint64_t h = mix((uint64_t)i * 2 + (uint64_t)side + 77);

	if (i < s->nfixed)
		return s->fixed[i];
	if (i < sizeof(special) / sizeof(special[0]))
		return special[i];
	return h % 8 == 0 ? h % (CTRL_MSG_MAX + 1) : h % 2000;
}

static void msg_fill(uint8_t *p, size_t len, int side, unsigned i)
{
	for (size_t j = 0; j < len; j++)
		p[j] = (uint8_t)(j * 31 + i * 17 + (unsigned)side * 101 + (j >> 8));
}

static uint8_t msg_kind(unsigned i)
{
	return i % 2 ? CTRL_KIND_ADAPTER : CTRL_KIND_GATEWAY;
}

/* Checks each message against what the other side sent, in order. */
static void sim_deliver(void *ctx, uint8_t kind, const uint8_t *msg, size_t len)
{
	struct port *p = ctx;
	struct sim *s = p->s;
	unsigned i = s->received[p->side];

	assert_true(i < s->nmsgs[!p->side]);
	assert_int_equal(kind, msg_kind(i));
	assert_int_equal(len, msg_size(s, !p->side, i));
	msg_fill(s->msg, len, !p->side, i);
	assert_memory_equal(msg, s->msg, len);
	s->received[p->side]++;
}

static void link_push(struct sim *s, int to, const uint8_t *frame, size_t len)
{
	struct pkt *k;

	if (s->nq == LINK_MAX)
		return; /* a full link drops */
	k = &s->q[s->nq++];
	k->at = s->now + s->delay + (s->jitter ? sim_rand(s) % s->jitter : 0);
	k->to = to;
	k->len = len;
	k->data = malloc(len);
	assert_non_null(k->data);
	memcpy(k->data, frame, len);
}

static int sim_emit(void *ctx, const uint8_t *frame, size_t len)
{
	struct port *p = ctx;
	struct sim *s = p->s;

	assert_true(len <= s->cur_max_frame && len <= CTRL_FRAME_MAX);
	if (s->capture) {
		assert_true(s->ncap < CAPTURE_MAX);
		memcpy(s->cap[s->ncap], frame, len);
		s->cap_len[s->ncap] = len;
		s->cap_from[s->ncap++] = p->side;
		return 0;
	}
	if (sim_rand(s) % 100 < s->loss_pct)
		return 0;
	link_push(s, !p->side, frame, len);
	if (sim_rand(s) % 100 < s->dup_pct)
		link_push(s, !p->side, frame, len);
	return 0;
}

static struct sim *sim_new(unsigned msgs0, unsigned msgs1)
{
	struct sim *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	for (int d = 0; d < 2; d++) {
		assert_int_equal(ctrlchan_init(&s->ch[d]), 0);
		s->port[d] = (struct port){s, d};
	}
	s->nmsgs[0] = msgs0;
	s->nmsgs[1] = msgs1;
	s->now = MS(1000);
	s->delay = MS(10);
	s->mtu = 1500;
	s->rng = 42;
	return s;
}

static void sim_free(struct sim *s)
{
	for (unsigned i = 0; i < s->nq; i++)
		free(s->q[i].data);
	ctrlchan_free(&s->ch[0]);
	ctrlchan_free(&s->ch[1]);
	free(s);
}

static void sim_pump(struct sim *s)
{
	for (int d = 0; d < 2; d++) {
		while (s->sent[d] < s->nmsgs[d]) {
			unsigned i = s->sent[d];
			size_t len = msg_size(s, d, i);
			int r;
			msg_fill(s->msg, len, d, i);
			r = ctrlchan_send(&s->ch[d], msg_kind(i), s->msg, len, s->now);
			if (r == -ENOBUFS)
				break;
			assert_int_equal(r, 0);
			s->sent[d]++;
		}
	}
}

static void sim_poll(struct sim *s)
{
	static const size_t mtus[] = {CTRL_FRAME_MIN, 200, 576, 1200, 1500, 9000, 20000};

	/* The path changes now and then (failover), and its MTU with it. */
	if (s->var_mtu && sim_rand(s) % 50 == 0)
		s->mtu = mtus[sim_rand(s) % 7];
	for (int d = 0; d < 2; d++) {
		s->cur_max_frame = s->mtu;
		assert_true(
		    ctrlchan_poll(&s->ch[d], s->now, sim_emit, &s->port[d], s->cur_max_frame) >= 0);
	}
}

static void sim_input(struct sim *s, int to, const uint8_t *frame, size_t len)
{
	/* Legitimate traffic, however lost, reordered or duplicated, is always accepted. */
	assert_int_equal(ctrlchan_input(&s->ch[to], frame, len, s->now, sim_deliver, &s->port[to]),
			 0);
}

static bool sim_done(const struct sim *s)
{
	return s->received[1] == s->nmsgs[0] && s->received[0] == s->nmsgs[1] &&
	       ctrlchan_idle(&s->ch[0]) && ctrlchan_idle(&s->ch[1]);
}

/* Runs until both sides got everything and have it acked, within a simulated time. */
static void sim_run(struct sim *s, uint64_t limit)
{
	for (unsigned step = 0; step < 2000000; step++) {
		uint64_t t = UINT64_MAX;
		sim_pump(s);
		if (sim_done(s))
			return;
		for (int d = 0; d < 2; d++) {
			uint64_t n = ctrlchan_next_timeout(&s->ch[d]);
			if (n < t)
				t = n;
		}
		for (unsigned i = 0; i < s->nq; i++)
			if (s->q[i].at < t)
				t = s->q[i].at;
		assert_true(t != UINT64_MAX); /* something must be pending */
		if (t > s->now)
			s->now = t;
		if (s->now >= limit)
			print_message("stalled: received %u/%u and %u/%u, %u frames on the link\n",
				      s->received[1], s->nmsgs[0], s->received[0], s->nmsgs[1],
				      s->nq);
		assert_true(s->now < limit);
		for (;;) { /* arrivals due, earliest first */
			unsigned best = s->nq;
			for (unsigned i = 0; i < s->nq; i++)
				if (s->q[i].at <= s->now &&
				    (best == s->nq || s->q[i].at < s->q[best].at))
					best = i;
			if (best == s->nq)
				break;
			struct pkt k = s->q[best];
			s->q[best] = s->q[--s->nq];
			sim_input(s, k.to, k.data, k.len);
			free(k.data);
		}
		sim_poll(s);
	}
	fail_msg("simulation did not finish");
}

/* ---- delivery over lossy links ---- */

struct scenario {
	unsigned loss, dup;
	uint64_t jitter;
	bool var_mtu;
	uint64_t seed;
};

static void run_scenario(const struct scenario *sc, unsigned msgs)
{
	struct sim *s = sim_new(msgs, msgs / 2);

	s->loss_pct = sc->loss;
	s->dup_pct = sc->dup;
	s->jitter = sc->jitter;
	s->var_mtu = sc->var_mtu;
	s->rng = sc->seed;
	sim_run(s, MS(1000) + MS(3600 * 1000));
	for (int d = 0; d < 2; d++) {
		const struct ctrlchan_stats *st = &s->ch[d].stats;
		uint64_t data = st->frames_sent - st->acks_sent;
		if (getenv("SEG_TEST_VERBOSE"))
			print_message("side %d: data %llu rtx %llu (rto %llu fast %llu) dup %llu "
				      "t %llu ms\n",
				      d, (unsigned long long)data,
				      (unsigned long long)st->frames_retransmitted,
				      (unsigned long long)st->rtx_timeout,
				      (unsigned long long)st->rtx_fast,
				      (unsigned long long)st->dup_frames,
				      (unsigned long long)(s->now / 1000000));
		assert_int_equal(st->msgs_delivered, s->nmsgs[!d]);
		assert_int_equal(st->msgs_queued, s->nmsgs[d]);
		assert_int_equal(st->drops[CTRLCHAN_DROP_ACK_UNSENT], 0);
		assert_int_equal(st->drops[CTRLCHAN_DROP_OUTSIDE_WINDOW], 0);
		if (sc->loss == 0 && sc->jitter == 0 && sc->dup == 0) {
			assert_int_equal(st->frames_retransmitted, 0);
			assert_int_equal(st->dup_frames, 0);
		}
		if (sc->loss > 0 && data > 100)
			assert_true(st->frames_retransmitted > 0);
		/* Plausible: about loss/(1-loss) of the data frames, far from resending all. */
		assert_true(st->frames_retransmitted * 100 <= data * (3 * sc->loss + 10));
		/* Every frame resent was declared lost first (on a fixed path; a shrinking
		 * one resends in pieces). */
		if (!sc->var_mtu)
			assert_true(st->frames_retransmitted <= st->rtx_timeout + st->rtx_fast);
	}
	assert_int_equal(s->received[1], msgs);
	assert_int_equal(s->received[0], msgs / 2);
	sim_free(s);
}

static void test_clean_link(void **state)
{
	const struct scenario sc = {0, 0, 0, false, 1};
	(void)state;
	run_scenario(&sc, 120);
}

static void test_reorder_dup_varmtu(void **state)
{
	const struct scenario sc = {0, 10, MS(15), true, 2};
	(void)state;
	run_scenario(&sc, 120);
}

static void test_loss10(void **state)
{
	const struct scenario sc[] = {
	    {10, 0, 0, false, 3},
	    {10, 5, MS(8), true, 4},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++)
		run_scenario(&sc[i], 120);
}

static void test_loss30(void **state)
{
	const struct scenario sc[] = {
	    {30, 0, 0, false, 5},
	    {30, 10, MS(20), true, 6},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(sc) / sizeof(sc[0]); i++)
		run_scenario(&sc[i], 80);
}

/* Sequence numbers wrap around 2^32 in the middle of the traffic. */
static void test_sequence_wrap(void **state)
{
	struct sim *s = sim_new(60, 60);
	const uint32_t x = 0xffff0000u;

	(void)state;
	for (int d = 0; d < 2; d++) {
		struct ctrlchan *ch = &s->ch[d];
		ch->snd_base = ch->snd_una = ch->snd_nxt = ch->snd_end = x;
		ch->peer_edge = x + CTRL_RECV_WINDOW;
		ch->rcv_rec = ch->rcv_nxt = ch->rcv_high = x;
	}
	s->loss_pct = 10;
	s->jitter = MS(5);
	s->var_mtu = true;
	sim_run(s, MS(1000) + MS(600 * 1000));
	assert_true(ctrlchan_seq_lt(x, s->ch[0].snd_una) && s->ch[0].snd_una < x);
	assert_int_equal(s->received[0], 60);
	assert_int_equal(s->received[1], 60);
	sim_free(s);
}

/* ---- bounds ---- */

static void test_send_queue_bounds(void **state)
{
	struct sim *s = sim_new(0, 0);
	static uint8_t big[CTRL_MSG_MAX + 1];
	static const size_t zero[CTRL_SEND_MSGS_MAX + 50];
	unsigned n = 0;

	(void)state;
	assert_int_equal(ctrlchan_send(&s->ch[0], CTRL_KIND_MAX + 1, big, 1, 0), -EINVAL);
	assert_int_equal(ctrlchan_send(&s->ch[0], 0, big, CTRL_MSG_MAX + 1, 0), -EMSGSIZE);
	/* large messages are bounded by bytes */
	while (ctrlchan_send(&s->ch[0], 0, big, CTRL_MSG_MAX, 0) == 0)
		n++;
	assert_int_equal(n, CTRL_SEND_BUF / CTRL_REC_MAX);
	assert_int_equal(ctrlchan_send(&s->ch[0], 0, big, CTRL_MSG_MAX, 0), -ENOBUFS);
	assert_int_equal(s->ch[0].stats.msgs_rejected, 2);
	assert_int_equal(s->ch[0].stats.msgs_queued, n);
	sim_free(s);

	/* empty messages by count; once delivered and acked, the queue takes more */
	s = sim_new(CTRL_SEND_MSGS_MAX + 50, 0);
	s->fixed = zero;
	s->nfixed = CTRL_SEND_MSGS_MAX + 50;
	sim_pump(s);
	/* One record stays free for the stream header of a reset (ctrlchan_reset_prefix). */
	assert_int_equal(s->sent[0], CTRL_SEND_MSGS_MAX - 1);
	assert_int_equal(s->ch[0].stats.msgs_rejected, 1);
	sim_run(s, MS(100000));
	assert_int_equal(s->received[1], CTRL_SEND_MSGS_MAX + 50);
	sim_free(s);
}

/* Frame bytes for tests: flags, optional ack (no sacks), optional data. */
static size_t frame_build(uint8_t *buf, size_t cap, bool ack, uint32_t cum, uint32_t wnd, bool data,
			  uint32_t seq, const void *bytes, uint16_t len)
{
	struct ctrlchan_frame f = {.has_ack = ack,
				   .ack = cum,
				   .window = wnd,
				   .has_data = data,
				   .seq = seq,
				   .len = len,
				   .data = bytes};
	size_t n = 0;

	assert_int_equal(ctrlchan_frame_encode(&f, buf, cap, &n, NULL), 0);
	return n;
}

static void test_receive_window_bounds(void **state)
{
	struct sim *s = sim_new(0, 0);
	uint8_t buf[256], data[10] = {0};
	struct ctrlchan *ch = &s->ch[1];
	size_t n;

	(void)state;
	n = frame_build(buf, sizeof(buf), false, 0, 0, true, CTRL_RECV_WINDOW - 5, data, 10);
	assert_int_equal(ctrlchan_input(ch, buf, n, 0, sim_deliver, &s->port[1]),
			 CTRLCHAN_ERR_OUTSIDE_WINDOW);
	n = frame_build(buf, sizeof(buf), false, 0, 0, true, 0u - CTRL_RECV_WINDOW - 20, data, 10);
	assert_int_equal(ctrlchan_input(ch, buf, n, 0, sim_deliver, &s->port[1]),
			 CTRLCHAN_ERR_OUTSIDE_WINDOW);
	/* any number of out-of-order pieces is held within the window */
	for (unsigned i = 0; i < 1000; i++) {
		n = frame_build(buf, sizeof(buf), false, 0, 0, true, 100 + 20 * i, data, 10);
		assert_int_equal(ctrlchan_input(ch, buf, n, 0, sim_deliver, &s->port[1]), 0);
	}
	/* data touching two pieces joins them */
	n = frame_build(buf, sizeof(buf), false, 0, 0, true, 110, data, 10);
	assert_int_equal(ctrlchan_input(ch, buf, n, 0, sim_deliver, &s->port[1]), 0);
	assert_int_equal(ch->rcv_nxt, 0);
	assert_int_equal(ch->rcv_high, 100 + 20 * 999 + 10);
	assert_int_equal(ch->stats.drops[CTRLCHAN_DROP_OUTSIDE_WINDOW], 2);
	/* the ack reports the lowest ranges as SACK blocks */
	s->capture = true;
	s->cur_max_frame = 1500;
	assert_int_equal(ctrlchan_poll(ch, 0, sim_emit, &s->port[1], 1500), 1);
	struct ctrlchan_frame f;
	assert_int_equal(ctrlchan_frame_decode(s->cap[0], s->cap_len[0], &f), 0);
	assert_true(f.has_ack && !f.has_data);
	assert_int_equal(f.ack, 0);
	assert_int_equal(f.nsack, CTRL_SACK_MAX);
	assert_int_equal(f.sack[0].start, 100);
	assert_int_equal(f.sack[0].end, 130);
	assert_int_equal(f.sack[1].start, 140);
	assert_int_equal(f.window, CTRL_RECV_WINDOW);
	assert_int_equal(ctrlchan_poll(ch, 0, sim_emit, &s->port[1], CTRL_FRAME_MIN - 1),
			 -EMSGSIZE);
	sim_free(s);
}

/* ---- garbage ---- */

static void ignore_deliver(void *ctx, uint8_t kind, const uint8_t *msg, size_t len)
{
	(void)ctx, (void)kind, (void)msg, (void)len;
}

static void test_garbage_frames(void **state)
{
	const struct {
		const char *bytes;
		size_t len;
		int err;
	} cases[] = {
	    {"", 0, CTRLCHAN_ERR_TRUNCATED},
	    {"\x04", 1, CTRLCHAN_ERR_FLAGS},
	    {"\x80", 1, CTRLCHAN_ERR_FLAGS},
	    {"\x00", 1, CTRLCHAN_ERR_EMPTY},
	    {"\x01\x00\x00\x00", 4, CTRLCHAN_ERR_TRUNCATED},
	    {"\x01\x00\x00\x00\x00\x00\x02\x00\x01\x00\x00\x00\x00\x00", 14, CTRLCHAN_ERR_WINDOW},
	    {"\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x05", 14,
	     CTRLCHAN_ERR_SACK_COUNT},
	    {"\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x01\x00\x00\x00\x05", 18,
	     CTRLCHAN_ERR_TRUNCATED},
	    {"\x01\x00\x00\x00\x05\x00\x00\x00\x10\x00\x00\x00\x00\x01\x00\x00\x00\x05\x00\x00\x00"
	     "\x09",
	     22, CTRLCHAN_ERR_SACK_RANGE},
	    {"\x01\x00\x00\x00\x05\x00\x00\x00\x10\x00\x00\x00\x00\x01\x00\x00\x00\x09\x00\x00\x00"
	     "\x09",
	     22, CTRLCHAN_ERR_SACK_RANGE},
	    {"\x01\x00\x00\x00\x05\x00\x00\x00\x10\x00\x00\x00\x00\x02\x00\x00\x00\x20\x00\x00\x00"
	     "\x30\x00\x00\x00\x10\x00\x00\x00\x18",
	     30, CTRLCHAN_ERR_SACK_RANGE},
	    {"\x01\x00\x00\x00\x05\x00\x00\x00\x10\x00\x00\x00\x00\x01\x00\x00\x00\x09\x00\x10\x00"
	     "\x00",
	     22, CTRLCHAN_ERR_SACK_RANGE},
	    {"\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 11, CTRLCHAN_ERR_DATA_EMPTY},
	    {"\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x05\x41", 12, CTRLCHAN_ERR_TRUNCATED},
	    {"\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x41\x42", 13, CTRLCHAN_ERR_TRAILING},
	    {"\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x99", 15,
	     CTRLCHAN_ERR_TRAILING},
	    {"\x01\x00\x00\x00\x05\x00\x00\x00\x10\x00\x00\x00\x00\x00", 14,
	     CTRLCHAN_ERR_ACK_UNSENT},
	    {"\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00"
	     "\x03",
	     22, CTRLCHAN_ERR_ACK_UNSENT},
	    {"\x01\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00", 14, 0},
	};
	struct sim *s = sim_new(3, 3);
	struct ctrlchan *ch = &s->ch[0];
	uint64_t rejected = 0, sum = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = ctrlchan_input(ch, (const uint8_t *)cases[i].bytes, cases[i].len, 0,
				       sim_deliver, &s->port[0]);
		assert_int_equal(r, cases[i].err);
		rejected += r != 0;
	}
	assert_int_equal(ch->stats.drops[CTRLCHAN_DROP_SACK_RANGE], 4);
	assert_int_equal(ch->stats.drops[CTRLCHAN_DROP_ACK_UNSENT], 2);
	/* Random frames: rejected ones are counted, once each, and nothing breaks. */
	for (unsigned i = 0; i < 20000; i++) {
		uint8_t buf[64];
		size_t len = sim_rand(s) % sizeof(buf);
		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)sim_rand(s);
		if (len)
			buf[0] &= 0x03; /* reach past the flags check most of the time */
		int r = ctrlchan_input(&s->ch[1], buf, len, 0, ignore_deliver, NULL);
		rejected += r != 0;
		if (r)
			assert_true(r <= -CTRLCHAN_ERR_BASE &&
				    r > -CTRLCHAN_ERR_BASE - CTRLCHAN_DROP_COUNT);
	}
	for (int d = 0; d < 2; d++)
		for (unsigned k = 0; k < CTRLCHAN_DROP_COUNT; k++)
			if (k != CTRLCHAN_DROP_UNKNOWN_KIND)
				sum += s->ch[d].stats.drops[k];
	assert_int_equal(sum, rejected);
	assert_string_equal(ctrlchan_drop_name(CTRLCHAN_DROP_TRUNCATED), "truncated");
	sim_free(s);
}

static void collect(void *ctx, uint8_t kind, const uint8_t *msg, size_t len)
{
	char *out = ctx;
	size_t n = strlen(out);

	out[n] = (char)('0' + kind);
	memcpy(out + n + 1, msg, len);
	out[n + 1 + len] = '\0';
}

static void test_bad_records(void **state)
{
	struct ctrlchan ch;
	uint8_t buf[64];
	char got[64] = "";
	/* an unknown kind 9 with "abc", then kind 1 with "hi" */
	const uint8_t two[] = {9, 0, 0, 0, 3, 'a', 'b', 'c', 1, 0, 0, 0, 2, 'h', 'i'};
	const uint8_t huge[] = {0, 0, 1, 0, 1}; /* 65537 bytes: more than a message may be */
	size_t n;

	(void)state;
	assert_int_equal(ctrlchan_init(&ch), 0);
	n = frame_build(buf, sizeof(buf), false, 0, 0, true, 0, two, sizeof(two));
	assert_int_equal(ctrlchan_input(&ch, buf, n, 0, collect, got), 0);
	assert_string_equal(got, "1hi");
	assert_int_equal(ch.stats.drops[CTRLCHAN_DROP_UNKNOWN_KIND], 1);
	n = frame_build(buf, sizeof(buf), false, 0, 0, true, sizeof(two), huge, sizeof(huge));
	assert_int_equal(ctrlchan_input(&ch, buf, n, 0, collect, got), CTRLCHAN_ERR_BAD_RECORD);
	n = frame_build(buf, sizeof(buf), true, 0, 0, false, 0, NULL, 0);
	assert_int_equal(ctrlchan_input(&ch, buf, n, 0, collect, got), CTRLCHAN_ERR_BROKEN);
	ctrlchan_reset(&ch);
	n = frame_build(buf, sizeof(buf), false, 0, 0, true, 0, two + 8, 7);
	assert_int_equal(ctrlchan_input(&ch, buf, n, 0, collect, got), 0);
	assert_string_equal(got, "1hi1hi");
	ctrlchan_free(&ch);
}

/* ---- timing: delayed and piggybacked acks, RTT ---- */

static void test_delayed_and_piggyback_acks(void **state)
{
	struct sim *s = sim_new(1, 0);
	const size_t sizes[] = {10};
	uint64_t t0 = s->now;

	(void)state;
	s->fixed = sizes;
	s->nfixed = 1;
	s->capture = true;
	s->cur_max_frame = 1500;
	sim_pump(s);
	assert_int_equal(ctrlchan_poll(&s->ch[0], t0, sim_emit, &s->port[0], 1500), 1);
	assert_int_equal(ctrlchan_next_timeout(&s->ch[0]), t0 + MS(CTRL_RTO_INIT_MS));
	/* one in-order frame: the ack waits for CTRL_ACK_DELAY_MS */
	sim_input(s, 1, s->cap[0], s->cap_len[0]);
	assert_int_equal(s->received[1], 1);
	assert_int_equal(ctrlchan_next_timeout(&s->ch[1]), t0 + MS(CTRL_ACK_DELAY_MS));
	assert_int_equal(ctrlchan_poll(&s->ch[1], t0 + MS(1), sim_emit, &s->port[1], 1500), 0);
	/* data going back before the ack is due carries it */
	s->nmsgs[1] = 1;
	sim_pump(s);
	assert_int_equal(ctrlchan_poll(&s->ch[1], t0 + MS(2), sim_emit, &s->port[1], 1500), 1);
	assert_int_equal(s->ch[1].stats.acks_sent, 0);
	s->now = t0 + MS(22);
	sim_input(s, 0, s->cap[1], s->cap_len[1]);
	assert_true(ctrlchan_idle(&s->ch[0]));
	assert_int_equal(s->received[0], 1);
	/* one RTT sample of 22 ms: srtt 22, rttvar 11, rto 66 raised to the minimum */
	assert_int_equal(s->ch[0].srtt, MS(22));
	assert_int_equal(s->ch[0].rttvar, MS(11));
	assert_int_equal(s->ch[0].rto, MS(CTRL_RTO_MIN_MS));
	/* the ack for ch[1]'s message is delayed, then sent alone */
	assert_int_equal(ctrlchan_next_timeout(&s->ch[0]), t0 + MS(22 + CTRL_ACK_DELAY_MS));
	assert_int_equal(ctrlchan_poll(&s->ch[0], t0 + MS(32), sim_emit, &s->port[0], 1500), 1);
	assert_int_equal(s->ch[0].stats.acks_sent, 1);
	sim_input(s, 1, s->cap[2], s->cap_len[2]);
	assert_true(ctrlchan_idle(&s->ch[1]));
	assert_int_equal(ctrlchan_next_timeout(&s->ch[0]), UINT64_MAX);
	assert_int_equal(ctrlchan_next_timeout(&s->ch[1]), UINT64_MAX);
	/* two in-order frames are acked at once */
	s->ncap = 0;
	const size_t two[] = {10, 2000};
	s->fixed = two;
	s->nfixed = 2;
	s->nmsgs[0] = 2;
	sim_pump(s);
	assert_int_equal(ctrlchan_poll(&s->ch[0], t0 + MS(40), sim_emit, &s->port[0], 1500), 2);
	sim_input(s, 1, s->cap[0], s->cap_len[0]);
	sim_input(s, 1, s->cap[1], s->cap_len[1]);
	assert_int_equal(ctrlchan_next_timeout(&s->ch[1]), 0);
	sim_free(s);
}

static void test_rtt_estimate(void **state)
{
	struct sim *s = sim_new(40, 40);

	(void)state;
	s->delay = MS(30);
	sim_run(s, MS(1000) + MS(60000));
	for (int d = 0; d < 2; d++) {
		/* 60 ms round trip plus at most the ack delay */
		assert_true(s->ch[d].srtt >= MS(60) && s->ch[d].srtt <= MS(60 + CTRL_ACK_DELAY_MS));
		assert_true(s->ch[d].rto >= MS(CTRL_RTO_MIN_MS) &&
			    s->ch[d].rto <= MS(CTRL_RTO_MAX_MS));
	}
	sim_free(s);
}

/* The path MTU shrinks while a message is in flight: retransmissions are re-cut. */
static void test_mtu_shrink(void **state)
{
	struct sim *s = sim_new(1, 0);
	const size_t sizes[] = {60000};
	uint64_t lost = 0;

	(void)state;
	s->fixed = sizes;
	s->nfixed = 1;
	sim_pump(s);
	s->capture = true;
	s->cur_max_frame = 9000;
	assert_true(ctrlchan_poll(&s->ch[0], s->now, sim_emit, &s->port[0], 9000) >= 1);
	for (unsigned i = 0; i < s->ncap; i++) { /* those are lost */
		struct ctrlchan_frame f;
		assert_int_equal(ctrlchan_frame_decode(s->cap[i], s->cap_len[i], &f), 0);
		assert_true(f.len > 300);
		lost +=
		    (f.len + 300 - CTRL_FRAME_OVERHEAD_MAX - 1) / (300 - CTRL_FRAME_OVERHEAD_MAX);
	}
	s->capture = false;
	s->mtu = 300;
	sim_run(s, MS(1000) + MS(600000));
	assert_int_equal(s->received[1], 1);
	/* the lost frames went again in pieces that fit */
	assert_true(s->ch[0].stats.frames_retransmitted >= lost);
	sim_free(s);
}

/* ---- session reset ---- */

static void test_reset_resends_unacked(void **state)
{
	struct sim *s = sim_new(3, 0);
	const size_t sizes[] = {100, 20000, 50};
	unsigned k;

	(void)state;
	s->fixed = sizes;
	s->nfixed = 3;
	sim_pump(s);
	s->capture = true;
	s->cur_max_frame = 1000;
	k = (unsigned)ctrlchan_poll(&s->ch[0], s->now, sim_emit, &s->port[0], 1000);
	assert_true(k >= 6 && k < 30);
	/* B gets message 0 and part of 1, and its ack reaches A */
	for (unsigned i = 0; i < 5; i++)
		sim_input(s, 1, s->cap[i], s->cap_len[i]);
	assert_int_equal(s->received[1], 1);
	assert_int_equal(ctrlchan_poll(&s->ch[1], s->now, sim_emit, &s->port[1], 1000), 1);
	sim_input(s, 0, s->cap[k], s->cap_len[k]);
	assert_int_equal(s->ch[0].rec_count, 2); /* message 0 is acked and gone */
	/* Peer restart: both sides reset. Messages 1 and 2 come whole, 0 not again. */
	ctrlchan_reset(&s->ch[0]);
	ctrlchan_reset(&s->ch[1]);
	assert_int_equal(s->ch[0].snd_una, 0);
	assert_int_equal(s->ch[0].snd_end, 2 * CTRL_REC_HDR_LEN + 20000 + 50);
	s->capture = false;
	sim_run(s, MS(100000));
	assert_int_equal(s->received[1], 3);
	assert_int_equal(s->ch[0].stats.resets, 1);
	sim_free(s);
}

static void test_reset_redelivers_when_ack_lost(void **state)
{
	struct sim *s = sim_new(2, 0);
	const size_t sizes[] = {100, 100};

	(void)state;
	s->fixed = sizes;
	s->nfixed = 2;
	sim_pump(s);
	s->capture = true;
	s->cur_max_frame = 1500;
	assert_int_equal(ctrlchan_poll(&s->ch[0], s->now, sim_emit, &s->port[0], 1500), 1);
	sim_input(s, 1, s->cap[0], s->cap_len[0]);
	assert_int_equal(s->received[1], 2);
	/* the ack is lost; then a reset: both messages come again (at least once) */
	ctrlchan_reset(&s->ch[0]);
	ctrlchan_reset(&s->ch[1]);
	s->received[1] = 0;
	s->capture = false;
	sim_run(s, MS(100000));
	assert_int_equal(s->received[1], 2);
	assert_int_equal(s->ch[1].stats.msgs_delivered, 4);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_clean_link),
	    cmocka_unit_test(test_reorder_dup_varmtu),
	    cmocka_unit_test(test_loss10),
	    cmocka_unit_test(test_loss30),
	    cmocka_unit_test(test_sequence_wrap),
	    cmocka_unit_test(test_send_queue_bounds),
	    cmocka_unit_test(test_receive_window_bounds),
	    cmocka_unit_test(test_garbage_frames),
	    cmocka_unit_test(test_bad_records),
	    cmocka_unit_test(test_delayed_and_piggyback_acks),
	    cmocka_unit_test(test_rtt_estimate),
	    cmocka_unit_test(test_mtu_shrink),
	    cmocka_unit_test(test_reset_resends_unacked),
	    cmocka_unit_test(test_reset_redelivers_when_ack_lost),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
