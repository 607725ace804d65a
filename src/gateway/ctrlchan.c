/* SPDX-License-Identifier: MIT */
/*
 * The reliable control channel's state machine (ctrlchan.h; docs/control-channel.md).
 *
 * Sender: messages are appended as records to a byte ring; poll() cuts frames from it at
 * the MTU of the moment, records each in a scoreboard (struct ctrlchan_seg) and retransmits
 * the frames that ctrlchan_loss.c declares lost, within the congestion window. A
 * retransmission that no longer fits the path is split, as the stream is numbered in bytes.
 * Receiver: a byte ring as reorder window with a bitmap of the bytes received out of order,
 * in-order delivery of each complete record, delayed acks (RFC 5681 4.2).
 */
#include "ctrlchan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/time.h"
#include "ctrlchan_loss.h"

enum {
	SEG_SACKED = CTRLCHAN_SEG_SACKED,
	SEG_LOST = CTRLCHAN_SEG_LOST,
	SBUF_MASK = CTRL_SEND_BUF - 1,
	RBUF_MASK = CTRL_RECV_WINDOW - 1,
};

_Static_assert((CTRL_SEND_BUF & SBUF_MASK) == 0, "send ring size is a power of two");
_Static_assert((CTRL_RECV_WINDOW & RBUF_MASK) == 0, "receive ring size is a power of two");
_Static_assert(CTRL_RECV_WINDOW >= CTRL_REC_MAX, "the window must hold the largest message");
_Static_assert((int)CTRL_SEND_BUF >= (int)CTRL_REC_MAX,
	       "the send ring must hold the largest message");
_Static_assert(CTRL_DATA_MIN > 0, "the smallest frame carries data");
_Static_assert(CTRL_FRAME_MAX - CTRL_FRAME_OVERHEAD_MAX <= UINT16_MAX, "data length is u16");

static const char *const drop_names[CTRLCHAN_DROP_COUNT] = {
#define CTRLCHAN_X(name, text) [CTRLCHAN_DROP_##name] = text,
    CTRLCHAN_DROP_LIST(CTRLCHAN_X)
#undef CTRLCHAN_X
};

const char *ctrlchan_drop_name(enum ctrlchan_drop reason)
{
	return (unsigned)reason < CTRLCHAN_DROP_COUNT ? drop_names[reason] : "?";
}

/* The timestamp clock of the frames: microseconds, wrapping; 0 is kept for "none". */
static uint32_t ts_clock(uint64_t now)
{
	uint32_t t = (uint32_t)(now / 1000);
	return t ? t : 1;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void ring_write(uint8_t *ring, uint32_t mask, uint32_t pos, const uint8_t *src, size_t n)
{
	uint32_t at = pos & mask;
	size_t first = (size_t)mask + 1 - at;

	if (n == 0)
		return;
	if (first > n)
		first = n;
	memcpy(ring + at, src, first);
	if (n > first)
		memcpy(ring, src + first, n - first);
}

static void ring_read(const uint8_t *ring, uint32_t mask, uint32_t pos, uint8_t *dst, size_t n)
{
	uint32_t at = pos & mask;
	size_t first = (size_t)mask + 1 - at;

	if (n == 0)
		return;
	if (first > n)
		first = n;
	memcpy(dst, ring + at, first);
	if (n > first)
		memcpy(dst + first, ring, n - first);
}

static void state_clear(struct ctrlchan *ch)
{
	ch->snd_base = ch->snd_una = ch->snd_nxt = ch->snd_end = 0;
	ch->rec_head = ch->rec_count = 0;
	/* Until the first ack, assume the receive window the protocol fixes. */
	ch->peer_edge = CTRL_RECV_WINDOW;
	ch->nsegs = 0;
	ctrlchan_loss_reset(ch);
	ch->rcv_rec = ch->rcv_nxt = 0;
	ch->rcv_high = 0;
	if (ch->rmap)
		memset(ch->rmap, 0, CTRL_RECV_WINDOW / 8);
	ch->ack_pending = ch->ack_now = ch->ts_fresh = false;
	ch->ts_recent = 0;
	ch->ack_due = 0;
	ch->unacked_frames = 0;
	ch->broken = false;
}

/*
 * Buffers on demand (an idle peer holds none; bench/handshake.sh counts the bytes per peer):
 * the sender's ring and scoreboard from the first message queued until everything queued is
 * acked; the receiver's ring, bitmap and reassembly copy from the first data received until
 * no partial message or out-of-order data is left; the frame scratch while either exists or
 * an ack is owed. A failed allocation refuses the message (-ENOBUFS, retry later) or drops
 * the frame (the peer retransmits it), as a full buffer would.
 */
static bool sender_alloc(struct ctrlchan *ch)
{
	if (ch->sbuf)
		return true;
	ch->sbuf = malloc(CTRL_SEND_BUF);
	ch->segs = malloc(CTRL_SEGS_MAX * sizeof(*ch->segs));
	if (ch->sbuf && ch->segs)
		return true;
	free(ch->sbuf);
	free(ch->segs);
	ch->sbuf = NULL;
	ch->segs = NULL;
	return false;
}

static bool receiver_alloc(struct ctrlchan *ch)
{
	if (ch->rbuf)
		return true;
	ch->rbuf = malloc(CTRL_RECV_WINDOW);
	ch->rmap = calloc(CTRL_RECV_WINDOW / 64, sizeof(uint64_t));
	ch->rmsg = malloc(CTRL_MSG_MAX);
	if (ch->rbuf && ch->rmap && ch->rmsg)
		return true;
	free(ch->rbuf);
	free(ch->rmap);
	free(ch->rmsg);
	ch->rbuf = ch->rmsg = NULL;
	ch->rmap = NULL;
	return false;
}

static bool frame_alloc(struct ctrlchan *ch)
{
	if (!ch->frame)
		ch->frame = malloc(CTRL_FRAME_MAX);
	return ch->frame != NULL;
}

/* Frees what the channel's state no longer needs. */
static void buffers_trim(struct ctrlchan *ch)
{
	if (ch->sbuf && ch->rec_count == 0 && ch->snd_una == ch->snd_end && ch->nsegs == 0) {
		free(ch->sbuf);
		free(ch->segs);
		ch->sbuf = NULL;
		ch->segs = NULL;
	}
	/* Bits of the bitmap below rcv_nxt are clear, and none above it is set. */
	if (ch->rbuf && ch->rcv_rec == ch->rcv_nxt && ch->rcv_high == ch->rcv_nxt) {
		free(ch->rbuf);
		free(ch->rmap);
		free(ch->rmsg);
		ch->rbuf = ch->rmsg = NULL;
		ch->rmap = NULL;
	}
	if (ch->frame && !ch->sbuf && !ch->rbuf && !ch->ack_pending) {
		free(ch->frame);
		ch->frame = NULL;
	}
}

int ctrlchan_init(struct ctrlchan *ch)
{
	memset(ch, 0, sizeof(*ch));
	state_clear(ch);
	return 0;
}

void ctrlchan_free(struct ctrlchan *ch)
{
	free(ch->sbuf);
	free(ch->rbuf);
	free(ch->rmap);
	free(ch->rmsg);
	free(ch->segs);
	free(ch->frame);
	memset(ch, 0, sizeof(*ch));
}

void ctrlchan_reset(struct ctrlchan *ch)
{
	/* Renumber the stream so that the oldest message not fully acked starts at 0: it and
	 * everything after it are resent whole. The ring offset keeps the bytes in place. */
	uint32_t base = ch->snd_base;
	uint32_t end = ch->snd_end - base;
	uint32_t head = ch->rec_head, count = ch->rec_count;
	uint32_t ends[CTRL_SEND_MSGS_MAX];

	for (unsigned i = 0; i < count; i++)
		ends[i] = ch->rec_end[(head + i) % CTRL_SEND_MSGS_MAX] - base;
	ch->sbuf_off += base;
	state_clear(ch);
	memcpy(ch->rec_end, ends, count * sizeof(ends[0]));
	ch->rec_count = count;
	ch->snd_end = end;
	ch->stats.resets++;
}

int ctrlchan_reset_prefix(struct ctrlchan *ch, uint8_t kind, const void *msg, size_t len)
{
	uint8_t hdr[CTRL_REC_HDR_LEN];
	struct wcursor c = wcursor_init(hdr, sizeof(hdr));
	uint32_t plen = (uint32_t)(CTRL_REC_HDR_LEN + len);

	/* The last reset's prefix, unacked: obsolete, its bytes become free. */
	if (ch->head_is_prefix && ch->rec_count) {
		ch->snd_base = ch->rec_end[ch->rec_head];
		ch->rec_head = (ch->rec_head + 1) % CTRL_SEND_MSGS_MAX;
		ch->rec_count--;
	}
	ch->head_is_prefix = false;
	ctrlchan_reset(ch);
	if (len > CTRL_PREFIX_MAX || kind > CTRL_KIND_MAX)
		return -EMSGSIZE;
	if (!sender_alloc(ch))
		return -ENOMEM;
	/* ctrlchan_send() kept the room: the ring bytes just before stream byte 0 are free. */
	if (ch->rec_count >= CTRL_SEND_MSGS_MAX || CTRL_SEND_BUF - ch->snd_end < plen)
		abort();
	if (!wcursor_u8(&c, kind) || !wcursor_u32be(&c, (uint32_t)len))
		abort(); /* the header buffer is sized for exactly these */
	ch->sbuf_off -= plen;
	ring_write(ch->sbuf, SBUF_MASK, ch->sbuf_off, hdr, sizeof(hdr));
	ring_write(ch->sbuf, SBUF_MASK, ch->sbuf_off + CTRL_REC_HDR_LEN, msg, len);
	for (unsigned i = 0; i < ch->rec_count; i++)
		ch->rec_end[(ch->rec_head + i) % CTRL_SEND_MSGS_MAX] += plen;
	ch->rec_head = (ch->rec_head + CTRL_SEND_MSGS_MAX - 1) % CTRL_SEND_MSGS_MAX;
	ch->rec_end[ch->rec_head] = plen;
	ch->rec_count++;
	ch->snd_end += plen;
	ch->head_is_prefix = true;
	return 0;
}

bool ctrlchan_idle(const struct ctrlchan *ch)
{
	return ch->rec_count == 0 && ch->snd_una == ch->snd_end;
}

int ctrlchan_send(struct ctrlchan *ch, uint8_t kind, const void *msg, size_t len, uint64_t now)
{
	uint8_t hdr[CTRL_REC_HDR_LEN];
	struct wcursor c = wcursor_init(hdr, sizeof(hdr));

	(void)now;
	if (kind > CTRL_KIND_MAX)
		return -EINVAL;
	if (len > CTRL_MSG_MAX)
		return -EMSGSIZE;
	/* Room for the next reset's prefix stays free (ctrlchan_reset_prefix). */
	if (ch->rec_count >= CTRL_SEND_MSGS_MAX - 1 ||
	    CTRL_SEND_BUF - (ch->snd_end - ch->snd_base) <
		CTRL_REC_HDR_LEN + len + CTRL_PREFIX_RESERVE) {
		ch->stats.msgs_rejected++;
		return -ENOBUFS;
	}
	if (!sender_alloc(ch)) {
		ch->stats.msgs_rejected++;
		return -ENOBUFS;
	}
	if (!wcursor_u8(&c, kind) || !wcursor_u32be(&c, (uint32_t)len))
		abort(); /* the header buffer is sized for exactly these */
	ring_write(ch->sbuf, SBUF_MASK, ch->snd_end + ch->sbuf_off, hdr, sizeof(hdr));
	ring_write(ch->sbuf, SBUF_MASK, ch->snd_end + ch->sbuf_off + CTRL_REC_HDR_LEN, msg, len);
	ch->snd_end += (uint32_t)(CTRL_REC_HDR_LEN + len);
	ch->rec_end[(ch->rec_head + ch->rec_count) % CTRL_SEND_MSGS_MAX] = ch->snd_end;
	ch->rec_count++;
	ch->stats.msgs_queued++;
	return 0;
}

/* ---- acks received: the sender's side ---- */

static int ack_validate(const struct ctrlchan *ch, const struct ctrlchan_frame *f)
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

static void ack_apply(struct ctrlchan *ch, const struct ctrlchan_frame *f, uint64_t now)
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

/* ---- data received: the receiver's side ---- */

static int data_validate(const struct ctrlchan *ch, const struct ctrlchan_frame *f)
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
		uint32_t pos = seq & RBUF_MASK, bit = pos % 64, k = min_u32(64 - bit, n);
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
		uint32_t pos = (seq + n) & RBUF_MASK, bit = pos % 64, avail = 64 - bit, k;
		uint64_t word = map[pos / 64] >> bit;
		if (!set)
			word = ~word;
		k = ~word == 0 ? 64 : (uint32_t)__builtin_ctzll(~word);
		n += k < avail ? k : avail;
		if (k < avail)
			break;
	}
	return min_u32(n, limit);
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
		ring_read(ch->rbuf, RBUF_MASK, ch->rcv_rec, hdr, sizeof(hdr));
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
		at = (ch->rcv_rec + CTRL_REC_HDR_LEN) & RBUF_MASK;
		if (at + len <= CTRL_RECV_WINDOW) {
			msg = ch->rbuf + at;
		} else {
			ring_read(ch->rbuf, RBUF_MASK, ch->rcv_rec + CTRL_REC_HDR_LEN, ch->rmsg,
				  len);
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

static int data_apply(struct ctrlchan *ch, const struct ctrlchan_frame *f, uint64_t now,
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
	if (!receiver_alloc(ch))
		return -ENOMEM; /* dropped; the peer sends it again */
	ring_write(ch->rbuf, RBUF_MASK, start, data, end - start);
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

static int drop(struct ctrlchan *ch, int err)
{
	unsigned reason = (unsigned)(-err - CTRLCHAN_ERR_BASE);

	if (reason < CTRLCHAN_DROP_COUNT)
		ch->stats.drops[reason]++;
	return err;
}

int ctrlchan_input(struct ctrlchan *ch, const uint8_t *buf, size_t len, uint64_t now,
		   ctrlchan_deliver_fn deliver, void *ctx)
{
	struct ctrlchan_frame f;
	int r = ctrlchan_frame_decode(buf, len, &f);

	if (!r && ch->broken)
		r = CTRLCHAN_ERR_BROKEN;
	if (!r && f.has_ack)
		r = ack_validate(ch, &f);
	if (!r && f.has_data)
		r = data_validate(ch, &f);
	if (r)
		return drop(ch, r);
	ch->stats.frames_received++;
	if (f.has_ack)
		ack_apply(ch, &f, now);
	if (f.has_data)
		r = data_apply(ch, &f, now, deliver, ctx);
	buffers_trim(ch);
	return r ? drop(ch, r) : 0;
}

/* ---- poll: what goes out ---- */

static void ack_fill(const struct ctrlchan *ch, struct ctrlchan_frame *f)
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

	if (!frame_alloc(ch))
		return -EIO; /* as a lost frame: sent again on its timeout */
	if (ctrlchan_frame_encode(f, ch->frame, CTRL_FRAME_MAX, &len, &data_at))
		abort(); /* poll sizes every frame to fit CTRL_FRAME_MAX */
	if (f->has_data)
		ring_read(ch->sbuf, SBUF_MASK, seq + ch->sbuf_off, data_at, f->len);
	ch->ack_pending = ch->ack_now = ch->ts_fresh = false;
	ch->unacked_frames = 0;
	ch->stats.frames_sent++;
	return emit(ctx, ch->frame, len) < 0 ? -EIO : 0;
}

static int emit_data(struct ctrlchan *ch, uint32_t seq, uint32_t len, uint64_t now,
		     ctrlchan_emit_fn emit, void *ctx)
{
	struct ctrlchan_frame f = {0};

	ack_fill(ch, &f);
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
	limit = min_u32(limit, peer);
	if (inflight >= limit)
		return 0;
	allow = min_u32(limit - inflight, queued);
	if (inflight > 0 && allow < min_u32(queued, CTRL_DATA_MIN))
		return 0;
	return allow;
}

static int poll_new_data(struct ctrlchan *ch, uint64_t now, ctrlchan_emit_fn emit, void *ctx,
			 size_t max_frame, uint32_t *pipe, int *n)
{
	uint32_t allow;

	while (*pipe < ch->cwnd && (allow = new_allowance(ch)) > 0) {
		uint32_t len = min_u32(allow, data_room(max_frame));
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
		ack_fill(ch, &f);
		ch->stats.acks_sent++;
		n++;
		if (emit_frame(ch, &f, 0, emit, ctx))
			n = -EIO;
	}
	buffers_trim(ch);
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
