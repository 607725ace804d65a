/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the control channel: the frame decoder (every decoded frame re-encodes to the same
 * bytes), and two channels over a link the fuzzer drives (send, poll at any MTU, deliver,
 * drop, duplicate, reorder, advance time, reset, inject raw frames). Without injected
 * frames, what B delivers must be a prefix of what A sent, in order and intact.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/ctrlchan.h"

enum { QMAX = 64, FRAME_CAP = 2048, MSGS_MAX = 512 };

struct link {
	unsigned n;
	size_t len[QMAX];
	uint8_t buf[QMAX][FRAME_CAP];
};

static struct {
	struct ctrlchan a, b;
	struct link ab, ba;
	size_t max_frame;
	bool tainted;
	unsigned sent, got;
	size_t sent_len[MSGS_MAX];
	uint8_t msg[CTRL_MSG_MAX];
} W;

static int link_emit(void *ctx, const uint8_t *frame, size_t len)
{
	struct link *l = ctx;
	struct ctrlchan_frame f;

	if (len > W.max_frame || ctrlchan_frame_decode(frame, len, &f) != 0)
		abort(); /* poll emits only well-formed frames that fit */
	if (l->n == QMAX)
		return -1;
	memcpy(l->buf[l->n], frame, len);
	l->len[l->n++] = len;
	return 0;
}

static uint8_t msg_byte(unsigned i, size_t j)
{
	return (uint8_t)(i * 7 + j * 13 + (j >> 8));
}

static void b_deliver(void *ctx, uint8_t kind, const uint8_t *msg, size_t len)
{
	(void)ctx;
	if (W.tainted)
		return;
	if (W.got >= W.sent || kind != W.got % 2 || len != W.sent_len[W.got])
		abort();
	for (size_t j = 0; j < len; j++)
		if (msg[j] != msg_byte(W.got, j))
			abort();
	W.got++;
}

static void a_deliver(void *ctx, uint8_t kind, const uint8_t *msg, size_t len)
{
	(void)ctx, (void)kind, (void)msg, (void)len;
}

static uint8_t take(const uint8_t **p, size_t *n)
{
	uint8_t v = 0;

	if (*n) {
		v = **p;
		(*p)++;
		(*n)--;
	}
	return v;
}

static void decode_roundtrip(const uint8_t *data, size_t size)
{
	struct ctrlchan_frame f;
	static uint8_t out[CTRL_FRAME_MAX * 5];
	size_t len;

	if (ctrlchan_frame_decode(data, size, &f) != 0)
		return;
	if (ctrlchan_frame_encode(&f, out, sizeof(out), &len, NULL) != 0 || len != size ||
	    memcmp(out, data, size) != 0)
		abort();
}

static void link_remove(struct link *l, unsigned idx)
{
	l->n--;
	memmove(l->buf[idx], l->buf[idx + 1], (l->n - idx) * sizeof(l->buf[0]));
	memmove(l->len + idx, l->len + idx + 1, (l->n - idx) * sizeof(l->len[0]));
}

static void deliver_one(struct link *l, struct ctrlchan *to, ctrlchan_deliver_fn fn, unsigned idx,
			bool keep, uint64_t now)
{
	if (l->n == 0)
		return;
	idx %= l->n;
	(void)ctrlchan_input(to, l->buf[idx], l->len[idx], now, fn, NULL);
	if (!keep)
		link_remove(l, idx);
}

static void drop_one(struct link *l, unsigned idx)
{
	if (l->n)
		link_remove(l, idx % l->n);
}

static void run_link(const uint8_t *p, size_t n)
{
	uint64_t now = 1000000000ull;

	memset(&W.ab, 0, sizeof(W.ab));
	memset(&W.ba, 0, sizeof(W.ba));
	W.tainted = false;
	W.sent = W.got = 0;
	if (ctrlchan_init(&W.a) || ctrlchan_init(&W.b))
		abort();
	while (n) {
		uint8_t op = take(&p, &n), x = take(&p, &n);
		switch (op % 10) {
		case 0: { /* A sends a message of kind sent % 2 */
			size_t len = ((size_t)x << 4 | take(&p, &n)) % 5000;
			if (x == 0xff)
				len = CTRL_MSG_MAX;
			for (size_t j = 0; j < len; j++)
				W.msg[j] = msg_byte(W.sent, j);
			if (W.sent < MSGS_MAX &&
			    ctrlchan_send(&W.a, (uint8_t)(W.sent % 2), W.msg, len, now) == 0)
				W.sent_len[W.sent++] = len;
			break;
		}
		case 1:
		case 2: { /* a side polls at some MTU */
			W.max_frame = CTRL_FRAME_MIN + (size_t)x * 8;
			if (W.max_frame > FRAME_CAP)
				W.max_frame = FRAME_CAP;
			if (op % 10 == 1)
				(void)ctrlchan_poll(&W.a, now, link_emit, &W.ab, W.max_frame);
			else
				(void)ctrlchan_poll(&W.b, now, link_emit, &W.ba, W.max_frame);
			break;
		}
		case 3: /* deliver, in any order */
			deliver_one(&W.ab, &W.b, b_deliver, x, false, now);
			break;
		case 4:
			deliver_one(&W.ba, &W.a, a_deliver, x, false, now);
			break;
		case 5: /* duplicate */
			if (x & 1)
				deliver_one(&W.ab, &W.b, b_deliver, x >> 1, true, now);
			else
				deliver_one(&W.ba, &W.a, a_deliver, x >> 1, true, now);
			break;
		case 6: /* drop */
			drop_one(x & 1 ? &W.ab : &W.ba, x >> 1);
			break;
		case 7: /* time passes */
			now += (uint64_t)x * 1000000ull;
			break;
		case 8: { /* raw frame injected into either side */
			size_t len = x < n ? x : n;
			W.tainted = true;
			(void)ctrlchan_input(op & 16 ? &W.a : &W.b, p, len, now,
					     op & 16 ? a_deliver : b_deliver, NULL);
			p += len;
			n -= len;
			break;
		}
		case 9: /* session reset on both sides */
			ctrlchan_reset(&W.a);
			ctrlchan_reset(&W.b);
			W.ab.n = W.ba.n = 0;
			W.tainted = true; /* at-least-once across a reset */
			break;
		}
	}
	ctrlchan_free(&W.a);
	ctrlchan_free(&W.b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		decode_roundtrip(data + 1, size - 1);
	else
		run_link(data + 1, size - 1);
	return 0;
}
