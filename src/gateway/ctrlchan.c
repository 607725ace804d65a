/* SPDX-License-Identifier: MIT */
/*
 * The reliable control channel (ctrlchan.h; docs/control-channel.md): its lifecycle, the
 * buffers it holds only while in use, the sender's message queue and the session resets
 * that renumber it, and ctrlchan_input(), which checks a received frame whole against the
 * channel's state before applying any of it. The two directions have their own files:
 *
 * Sender (ctrlchan_xmit.c): messages are appended here as records to a byte ring; poll()
 * cuts frames from it at the MTU of the moment, records each in a scoreboard (struct
 * ctrlchan_seg) and retransmits the frames that ctrlchan_loss.c declares lost, within the
 * congestion window. A retransmission that no longer fits the path is split, as the stream
 * is numbered in bytes.
 * Receiver (ctrlchan_recv.c): a byte ring as reorder window with a bitmap of the bytes
 * received out of order, in-order delivery of each complete record, delayed acks
 * (RFC 5681 4.2).
 */
#include "ctrlchan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "ctrlchan_internal.h"
#include "ctrlchan_loss.h"

static const char *const drop_names[CTRLCHAN_DROP_COUNT] = {
#define CTRLCHAN_X(name, text) [CTRLCHAN_DROP_##name] = text,
    CTRLCHAN_DROP_LIST(CTRLCHAN_X)
#undef CTRLCHAN_X
};

const char *ctrlchan_drop_name(enum ctrlchan_drop reason)
{
	return (unsigned)reason < CTRLCHAN_DROP_COUNT ? drop_names[reason] : "?";
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

bool ctrlchan_receiver_alloc(struct ctrlchan *ch)
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

bool ctrlchan_frame_alloc(struct ctrlchan *ch)
{
	if (!ch->frame)
		ch->frame = malloc(CTRL_FRAME_MAX);
	return ch->frame != NULL;
}

/* Frees what the channel's state no longer needs. */
void ctrlchan_buffers_trim(struct ctrlchan *ch)
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
	ctrlchan_ring_write(ch->sbuf, CTRLCHAN_SBUF_MASK, ch->sbuf_off, hdr, sizeof(hdr));
	ctrlchan_ring_write(ch->sbuf, CTRLCHAN_SBUF_MASK, ch->sbuf_off + CTRL_REC_HDR_LEN, msg,
			    len);
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
	ctrlchan_ring_write(ch->sbuf, CTRLCHAN_SBUF_MASK, ch->snd_end + ch->sbuf_off, hdr,
			    sizeof(hdr));
	ctrlchan_ring_write(ch->sbuf, CTRLCHAN_SBUF_MASK,
			    ch->snd_end + ch->sbuf_off + CTRL_REC_HDR_LEN, msg, len);
	ch->snd_end += (uint32_t)(CTRL_REC_HDR_LEN + len);
	ch->rec_end[(ch->rec_head + ch->rec_count) % CTRL_SEND_MSGS_MAX] = ch->snd_end;
	ch->rec_count++;
	ch->stats.msgs_queued++;
	return 0;
}

/* ---- input: a received frame, checked whole against the state, then applied ---- */

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
		r = ctrlchan_ack_validate(ch, &f);
	if (!r && f.has_data)
		r = ctrlchan_data_validate(ch, &f);
	if (r)
		return drop(ch, r);
	ch->stats.frames_received++;
	if (f.has_ack)
		ctrlchan_ack_apply(ch, &f, now);
	if (f.has_data)
		r = ctrlchan_data_apply(ch, &f, now, deliver, ctx);
	ctrlchan_buffers_trim(ch);
	return r ? drop(ch, r) : 0;
}
