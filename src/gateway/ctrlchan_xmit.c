/* SPDX-License-Identifier: MIT */
/*
 * The control channel's sender at work (docs/control-channel.md "Sending, retransmission
 * and flow control"): the scoreboard of frames in flight (struct ctrlchan_seg), the acks
 * and SACKs applied to it, and poll(), which emits the frames declared lost, new data cut
 * from the message queue (ctrlchan.c) within the windows, and acks; next_timeout() mirrors
 * poll's rules. When a frame counts as lost, and how large the congestion window is, is
 * decided by ctrlchan_loss.c; the ack section of every frame comes from ctrlchan_recv.c.
 *
 * Thread: as ctrlchan.h.
 */
#include "ctrlchan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctrlchan_internal.h"
#include "ctrlchan_loss.h"

enum {
	SEG_SACKED = CTRLCHAN_SEG_SACKED,
	SEG_LOST = CTRLCHAN_SEG_LOST,
};

/* The timestamp clock of the frames: microseconds, wrapping; 0 is kept for "none". */
static uint32_t ts_clock(uint64_t now)
{
	uint32_t t = (uint32_t)(now / 1000);
	return t ? t : 1;
}

/* ---- acks received: the sender's side ---- */

int ctrlchan_ack_validate(const struct ctrlchan *ch, const struct ctrlchan_frame *f)
{
	if (ctrlchan_seq_lt(f->ack, ch->snd_una))
		return 0; /* older than one seen: ignored, not wrong */
	if (ctrlchan_seq_lt(ch->snd_nxt, f->ack))
		return CTRLCHAN_ERR_ACK_UNSENT;
	for (unsigned i = 0; i < f->nsack; i++)
		if (ctrlchan_seq_lt(ch->snd_nxt, f->sack[i].end))
			return CTRLCHAN_ERR_ACK_UNSENT;
	return 0;
}

static bool seg_sacked_by(const struct ctrlchan_seg *s, const struct ctrlchan_frame *f)
{
	for (unsigned i = 0; i < f->nsack; i++)
		if (ctrlchan_seq_le(f->sack[i].start, s->start) &&
		    ctrlchan_seq_le(s->end, f->sack[i].end))
			return true;
	return false;
}

/* The latest transmission an ack proves arrived; a frame sent more than once is left out,
 * as it is unknown which transmission arrived. */
static void note_delivered(const struct ctrlchan_seg *s, struct ctrlchan_delivered *d)
{
	if (s->tx_count == 1 && s->xmit > d->xmit) {
		d->xmit = s->xmit;
		d->sent_ns = s->sent_ns;
	}
}

/* Frees the acked front of the scoreboard and of the message ring. */
static void ack_cumulative(struct ctrlchan *ch, const struct ctrlchan_frame *f,
			   struct ctrlchan_delivered *delivered)
{
	unsigned n = 0;

	while (n < ch->nsegs && ctrlchan_seq_le(ch->segs[n].end, f->ack)) {
		const struct ctrlchan_seg *s = &ch->segs[n];
		if (!(s->flags & SEG_SACKED))
			note_delivered(s, delivered);
		n++;
	}
	if (n) {
		memmove(ch->segs, ch->segs + n, (ch->nsegs - n) * sizeof(ch->segs[0]));
		ch->nsegs -= n;
	}
	/* A frame re-cut by a smaller MTU may be acked in part. */
	if (ch->nsegs && ctrlchan_seq_lt(ch->segs[0].start, f->ack))
		ch->segs[0].start = f->ack;
	ch->snd_una = f->ack;
	while (ch->rec_count && ctrlchan_seq_le(ch->rec_end[ch->rec_head], f->ack)) {
		ch->snd_base = ch->rec_end[ch->rec_head];
		ch->rec_head = (ch->rec_head + 1) % CTRL_SEND_MSGS_MAX;
		ch->rec_count--;
		if (ch->head_is_prefix)
			ch->head_is_prefix = false;
		else
			ch->msgs_acked++;
	}
}

void ctrlchan_ack_apply(struct ctrlchan *ch, const struct ctrlchan_frame *f, uint64_t now)
{
	struct ctrlchan_delivered delivered = {0, 0};
	uint32_t edge = f->ack + f->window, acked, rtt_us;
	bool advanced;

	if (ctrlchan_seq_lt(f->ack, ch->snd_una)) {
		ch->stats.stale_acks++;
		return;
	}
	if (ctrlchan_seq_lt(ch->peer_edge, edge))
		ch->peer_edge = edge;
	acked = f->ack - ch->snd_una;
	advanced = acked > 0;
	ack_cumulative(ch, f, &delivered);
	for (unsigned i = 0; f->nsack && i < ch->nsegs; i++) {
		struct ctrlchan_seg *s = &ch->segs[i];
		if (!(s->flags & SEG_SACKED) && seg_sacked_by(s, f)) {
			s->flags = (uint8_t)((s->flags | SEG_SACKED) & ~SEG_LOST);
			acked += s->end - s->start;
			note_delivered(s, &delivered);
		}
	}
	/* RTT from the echoed timestamp, on acks that advance only (RFC 7323 4.1). */
	rtt_us = ts_clock(now) - f->echo;
	if (advanced && f->echo && rtt_us < (uint32_t)CTRL_RTO_MAX_MS * 1000)
		ctrlchan_rtt_sample(ch, (uint64_t)rtt_us * 1000);
	ctrlchan_loss_on_ack(ch, acked, &delivered, now);
}

/* ---- poll: what goes out ---- */

/* Data per frame: room is left for a full ack section whatever it holds now, so that a
 * frame retransmitted on the same path never needs cutting again. */
static uint32_t data_room(size_t max_frame)
{
	return (uint32_t)(max_frame - CTRL_FRAME_OVERHEAD_MAX);
}

static int emit_frame(struct ctrlchan *ch, const struct ctrlchan_frame *f, uint32_t seq,
		      ctrlchan_emit_fn emit, void *ctx)
{
	uint8_t *data_at = NULL;
	size_t len;

	if (!ctrlchan_frame_alloc(ch))
		return -EIO; /* as a lost frame: sent again on its timeout */
	if (ctrlchan_frame_encode(f, ch->frame, CTRL_FRAME_MAX, &len, &data_at))
		abort(); /* poll sizes every frame to fit CTRL_FRAME_MAX */
	if (f->has_data)
		ctrlchan_ring_read(ch->sbuf, CTRLCHAN_SBUF_MASK, seq + ch->sbuf_off, data_at,
				   f->len);
	ch->ack_pending = ch->ack_now = ch->ts_fresh = false;
	ch->unacked_frames = 0;
	ch->stats.frames_sent++;
	return emit(ctx, ch->frame, len) < 0 ? -EIO : 0;
}

static int emit_data(struct ctrlchan *ch, uint32_t seq, uint32_t len, uint64_t now,
		     ctrlchan_emit_fn emit, void *ctx)
{
	struct ctrlchan_frame f = {0};

	ctrlchan_ack_fill(ch, &f);
	f.has_data = true;
	f.seq = seq;
	f.tsval = ts_clock(now);
	f.len = (uint16_t)len;
	return emit_frame(ch, &f, seq, emit, ctx);
}

static void seg_sent(struct ctrlchan *ch, struct ctrlchan_seg *s, uint64_t now)
{
	s->flags &= (uint8_t)~SEG_LOST;
	s->sent_ns = now;
	s->xmit = ch->xmit_next++;
	if (s->tx_count < UINT16_MAX)
		s->tx_count++;
}

static int poll_retransmit(struct ctrlchan *ch, uint64_t now, ctrlchan_emit_fn emit, void *ctx,
			   size_t max_frame, uint32_t *pipe, int *n)
{
	for (unsigned i = 0; i < ch->nsegs && *pipe < ch->cwnd; i++) {
		struct ctrlchan_seg *s = &ch->segs[i];
		uint32_t room = data_room(max_frame), len = s->end - s->start;

		if (!(s->flags & SEG_LOST))
			continue;
		if (len > room) {
			/* The path shrank: split the frame. Without scoreboard room, send its
			 * head; the partial ack trims the frame and the rest follows. */
			if (ch->nsegs < CTRL_SEGS_MAX) {
				memmove(s + 1, s, (ch->nsegs - i) * sizeof(*s));
				ch->nsegs++;
				s[1].start = s->start + room;
				s->end = s->start + room;
			}
			len = room;
		}
		seg_sent(ch, s, now);
		*pipe += s->end - s->start;
		ch->stats.frames_retransmitted++;
		(*n)++;
		if (emit_data(ch, s->start, len, now, emit, ctx))
			return -EIO;
	}
	return 0;
}

/*
 * How many new bytes the windows let us send now: the smaller of our send window and the
 * peer's, avoiding silly windows (RFC 1122 4.2.3.3): with data in flight, a sliver of
 * window is not used until it has grown to a useful size.
 */
static uint32_t new_allowance(const struct ctrlchan *ch)
{
	uint32_t inflight = ch->snd_nxt - ch->snd_una, queued = ch->snd_end - ch->snd_nxt;
	uint32_t limit = CTRL_SEND_WINDOW, peer = 0, allow;

	if (queued == 0 || ch->nsegs >= CTRL_SEGS_NEW_MAX)
		return 0;
	if (ctrlchan_seq_lt(ch->snd_una, ch->peer_edge))
		peer = ch->peer_edge - ch->snd_una;
	limit = ctrlchan_min_u32(limit, peer);
	if (inflight >= limit)
		return 0;
	allow = ctrlchan_min_u32(limit - inflight, queued);
	if (inflight > 0 && allow < ctrlchan_min_u32(queued, CTRL_DATA_MIN))
		return 0;
	return allow;
}

static int poll_new_data(struct ctrlchan *ch, uint64_t now, ctrlchan_emit_fn emit, void *ctx,
			 size_t max_frame, uint32_t *pipe, int *n)
{
	uint32_t allow;

	while (*pipe < ch->cwnd && (allow = new_allowance(ch)) > 0) {
		uint32_t len = ctrlchan_min_u32(allow, data_room(max_frame));
		struct ctrlchan_seg *s = &ch->segs[ch->nsegs++];

		*s = (struct ctrlchan_seg){.start = ch->snd_nxt, .end = ch->snd_nxt + len};
		seg_sent(ch, s, now);
		ch->snd_nxt += len;
		*pipe += len;
		(*n)++;
		if (emit_data(ch, s->start, len, now, emit, ctx))
			return -EIO;
	}
	return 0;
}

int ctrlchan_poll(struct ctrlchan *ch, uint64_t now, ctrlchan_emit_fn emit, void *ctx,
		  size_t max_frame)
{
	uint32_t pipe;
	int n = 0;

	if (max_frame < CTRL_FRAME_MIN)
		return -EMSGSIZE;
	if (max_frame > CTRL_FRAME_MAX)
		max_frame = CTRL_FRAME_MAX;
	ctrlchan_loss_on_timer(ch, now);
	pipe = ctrlchan_pipe(ch);
	if (poll_retransmit(ch, now, emit, ctx, max_frame, &pipe, &n) ||
	    poll_new_data(ch, now, emit, ctx, max_frame, &pipe, &n))
		n = -EIO;
	if (n >= 0 && ch->ack_pending && (ch->ack_now || ch->ack_due <= now)) {
		struct ctrlchan_frame f = {0};
		ctrlchan_ack_fill(ch, &f);
		ch->stats.acks_sent++;
		n++;
		if (emit_frame(ch, &f, 0, emit, ctx))
			n = -EIO;
	}
	ctrlchan_buffers_trim(ch);
	return n;
}

uint64_t ctrlchan_next_timeout(const struct ctrlchan *ch)
{
	bool open = ctrlchan_pipe(ch) < ch->cwnd;
	uint64_t t = UINT64_MAX;

	if (ch->ack_pending)
		t = ch->ack_now ? 0 : ch->ack_due;
	if (open && new_allowance(ch) > 0)
		return 0;
	if (ctrlchan_loss_deadline(ch) < t)
		t = ctrlchan_loss_deadline(ch);
	for (unsigned i = 0; i < ch->nsegs; i++) {
		const struct ctrlchan_seg *s = &ch->segs[i];
		uint64_t d;
		if (s->flags & SEG_LOST) {
			if (open)
				return 0;
			continue; /* waits for the window, which frames in flight will open */
		}
		if (s->flags & SEG_SACKED)
			continue;
		d = ctrlchan_seg_deadline(ch, s);
		if (d < t)
			t = d;
	}
	return t;
}
