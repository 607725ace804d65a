/* SPDX-License-Identifier: MIT */
/*
 * The control channel's receiver (docs/control-channel.md "Receiving"): data frames into a
 * byte ring that is the reorder window, with a bitmap of the bytes received out of order;
 * in-order delivery of each complete record; and the ack the receiver owes, delayed for
 * in-order data (RFC 5681 4.2), with SACK blocks and the timestamp echo, which poll
 * (ctrlchan_xmit.c) sends alone or on a data frame. Apart from that ack section it touches
 * only the receiver's half of struct ctrlchan, so it reads on its own.
 *
 * Thread: as ctrlchan.h.
 */
#include "ctrlchan.h"

#include <errno.h>
#include <stdlib.h>

#include "base/cursor.h"
#include "base/time.h"
#include "ctrlchan_internal.h"

int ctrlchan_data_validate(const struct ctrlchan *ch, const struct ctrlchan_frame *f)
{
	uint32_t start = f->seq, end = f->seq + f->len;
	uint32_t edge = ch->rcv_rec + CTRL_RECV_WINDOW;

	if (ctrlchan_seq_lt(edge, end) || ctrlchan_seq_lt(start, ch->rcv_nxt - CTRL_RECV_WINDOW))
		return CTRLCHAN_ERR_OUTSIDE_WINDOW;
	return 0;
}

/*
 * The receive bitmap: bit (seq mod window) is set for each byte received above rcv_nxt.
 * Runs are found a word at a time. Bits below rcv_nxt are always clear, so a position is
 * clean when the window slides over it again.
 */
static void map_assign(uint64_t *map, uint32_t seq, uint32_t n, bool set)
{
	while (n) {
		uint32_t pos = seq & CTRLCHAN_RBUF_MASK, bit = pos % 64,
			 k = ctrlchan_min_u32(64 - bit, n);
		uint64_t mask = (k == 64 ? ~0ull : (1ull << k) - 1) << bit;
		if (set)
			map[pos / 64] |= mask;
		else
			map[pos / 64] &= ~mask;
		seq += k;
		n -= k;
	}
}

/* Length of the run of bits equal to set from seq on, at most limit. */
static uint32_t map_run(const uint64_t *map, uint32_t seq, uint32_t limit, bool set)
{
	uint32_t n = 0;

	while (n < limit) {
		uint32_t pos = (seq + n) & CTRLCHAN_RBUF_MASK, bit = pos % 64, avail = 64 - bit, k;
		uint64_t word = map[pos / 64] >> bit;
		if (!set)
			word = ~word;
		k = ~word == 0 ? 64 : (uint32_t)__builtin_ctzll(~word);
		n += k < avail ? k : avail;
		if (k < avail)
			break;
	}
	return ctrlchan_min_u32(n, limit);
}

/* Delivers every complete record at the head of the in-order data. */
static int deliver_records(struct ctrlchan *ch, ctrlchan_deliver_fn deliver, void *ctx)
{
	for (;;) {
		uint8_t hdr[CTRL_REC_HDR_LEN], kind;
		uint32_t avail = ch->rcv_nxt - ch->rcv_rec, len, at;
		struct rcursor c = rcursor_init(hdr, sizeof(hdr));
		const uint8_t *msg;

		if (avail < CTRL_REC_HDR_LEN)
			return 0;
		ctrlchan_ring_read(ch->rbuf, CTRLCHAN_RBUF_MASK, ch->rcv_rec, hdr, sizeof(hdr));
		if (!rcursor_u8(&c, &kind) || !rcursor_u32be(&c, &len))
			abort(); /* hdr holds exactly these */
		if (len > CTRL_MSG_MAX) {
			/* Authenticated yet malformed: the peer is broken; nothing after this
			 * can be framed, so stop until the session is reset. */
			ch->broken = true;
			return CTRLCHAN_ERR_BAD_RECORD;
		}
		if (avail - CTRL_REC_HDR_LEN < len)
			return 0;
		at = (ch->rcv_rec + CTRL_REC_HDR_LEN) & CTRLCHAN_RBUF_MASK;
		if (at + len <= CTRL_RECV_WINDOW) {
			msg = ch->rbuf + at;
		} else {
			ctrlchan_ring_read(ch->rbuf, CTRLCHAN_RBUF_MASK,
					   ch->rcv_rec + CTRL_REC_HDR_LEN, ch->rmsg, len);
			msg = ch->rmsg;
		}
		ch->rcv_rec += CTRL_REC_HDR_LEN + len;
		if (kind > CTRL_KIND_MAX) {
			ch->stats.drops[CTRLCHAN_DROP_UNKNOWN_KIND]++;
			continue;
		}
		ch->stats.msgs_delivered++;
		deliver(ctx, kind, msg, len);
	}
}

int ctrlchan_data_apply(struct ctrlchan *ch, const struct ctrlchan_frame *f, uint64_t now,
			ctrlchan_deliver_fn deliver, void *ctx)
{
	uint32_t start = f->seq, end = f->seq + f->len;
	const uint8_t *data = f->data;
	bool in_order;

	ch->ack_pending = true;
	if (ctrlchan_seq_le(end, ch->rcv_nxt)) {
		/* Our ack was lost or late: tell the sender at once. */
		ch->stats.dup_frames++;
		ch->ack_now = true;
		return 0;
	}
	if (ctrlchan_seq_lt(start, ch->rcv_nxt)) {
		data += ch->rcv_nxt - start;
		start = ch->rcv_nxt;
	}
	if (!ctrlchan_receiver_alloc(ch))
		return -ENOMEM; /* dropped; the peer sends it again */
	ctrlchan_ring_write(ch->rbuf, CTRLCHAN_RBUF_MASK, start, data, end - start);
	in_order = start == ch->rcv_nxt && !ctrlchan_seq_lt(ch->rcv_nxt, ch->rcv_high);
	map_assign(ch->rmap, start, end - start, true);
	if (ctrlchan_seq_lt(ch->rcv_high, end))
		ch->rcv_high = end;
	if (start == ch->rcv_nxt) {
		/* Echo the earliest frame that advanced the ack since the last ack sent
		 * (RFC 7323 4.3): out-of-order frames do not, a frame filling a hole does. */
		if (!ch->ts_fresh && f->tsval) {
			ch->ts_recent = f->tsval;
			ch->ts_fresh = true;
		}
		uint32_t run = map_run(ch->rmap, start, ch->rcv_high - start, true);
		map_assign(ch->rmap, start, run, false);
		ch->rcv_nxt = start + run;
	}
	/* Out-of-order data and filled holes are acked at once so that the sender learns of
	 * the hole or of its repair; in-order data every CTRL_ACK_EVERY frames or after the
	 * ack delay (RFC 5681 4.2). */
	if (!in_order || ctrlchan_seq_lt(ch->rcv_nxt, ch->rcv_high) ||
	    ++ch->unacked_frames >= CTRL_ACK_EVERY)
		ch->ack_now = true;
	else if (ch->unacked_frames == 1)
		ch->ack_due = now + SEG_MS(CTRL_ACK_DELAY_MS);
	return deliver_records(ch, deliver, ctx);
}

/* ---- the ack owed: its section, built for each frame poll emits ---- */

void ctrlchan_ack_fill(const struct ctrlchan *ch, struct ctrlchan_frame *f)
{
	f->has_ack = true;
	f->ack = ch->rcv_nxt;
	f->window = ch->rcv_rec + CTRL_RECV_WINDOW - ch->rcv_nxt;
	/* Only the first ack after the advance echoes it: a later one, sent because the
	 * first was lost or for other reasons, would stretch the RTT sample. */
	f->echo = ch->ts_fresh ? ch->ts_recent : 0;
	/* SACK the lowest runs received above the hole: those the sender must fill first. */
	uint32_t seq = ch->rcv_nxt, left = ch->rcv_high - ch->rcv_nxt;
	f->nsack = 0;
	while (ctrlchan_seq_lt(ch->rcv_nxt, ch->rcv_high) && left && f->nsack < CTRL_SACK_MAX) {
		uint32_t gap = map_run(ch->rmap, seq, left, false), run;
		seq += gap;
		left -= gap;
		run = map_run(ch->rmap, seq, left, true);
		if (run == 0)
			break;
		f->sack[f->nsack].start = seq;
		f->sack[f->nsack++].end = seq + run;
		seq += run;
		left -= run;
	}
}
