/* SPDX-License-Identifier: MIT */
/*
 * What the control channel's files share, internal to them (ctrlchan.h is the API): the
 * byte rings both directions keep their stream in, and the calls between
 *   ctrlchan.c       the channel: lifecycle, buffers on demand, message queue, resets, input;
 *   ctrlchan_recv.c  the receiver: reorder window, delivery, the ack it owes;
 *   ctrlchan_xmit.c  the sender's scoreboard: acks applied, frames emitted by poll.
 * The frame codec (ctrlchan_frame.c) needs none of it; loss recovery has ctrlchan_loss.h.
 *
 * Thread: as ctrlchan.h.
 */
#ifndef SEG_GATEWAY_CTRLCHAN_INTERNAL_H
#define SEG_GATEWAY_CTRLCHAN_INTERNAL_H

#include <string.h>

#include "ctrlchan.h"

/* Both rings are powers of two: a stream position maps to its byte by a mask. */
enum {
	CTRLCHAN_SBUF_MASK = CTRL_SEND_BUF - 1,
	CTRLCHAN_RBUF_MASK = CTRL_RECV_WINDOW - 1,
};

_Static_assert((CTRL_SEND_BUF & CTRLCHAN_SBUF_MASK) == 0, "send ring size is a power of two");
_Static_assert((CTRL_RECV_WINDOW & CTRLCHAN_RBUF_MASK) == 0, "receive ring size is a power of two");
_Static_assert(CTRL_RECV_WINDOW >= CTRL_REC_MAX, "the window must hold the largest message");
_Static_assert((int)CTRL_SEND_BUF >= (int)CTRL_REC_MAX,
	       "the send ring must hold the largest message");
_Static_assert(CTRL_DATA_MIN > 0, "the smallest frame carries data");
_Static_assert(CTRL_FRAME_MAX - CTRL_FRAME_OVERHEAD_MAX <= UINT16_MAX, "data length is u16");

static inline uint32_t ctrlchan_min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Of n bytes at stream position pos, how many fit before the ring wraps to its start. */
static inline size_t ctrlchan_ring_first(uint32_t mask, uint32_t pos, size_t n)
{
	size_t room = (size_t)mask + 1 - (pos & mask);

	return room < n ? room : n;
}

static inline void ctrlchan_ring_write(uint8_t *ring, uint32_t mask, uint32_t pos,
				       const uint8_t *src, size_t n)
{
	size_t first = ctrlchan_ring_first(mask, pos, n);

	if (n == 0)
		return;
	memcpy(ring + (pos & mask), src, first);
	memcpy(ring, src + first, n - first);
}

static inline void ctrlchan_ring_read(const uint8_t *ring, uint32_t mask, uint32_t pos,
				      uint8_t *dst, size_t n)
{
	size_t first = ctrlchan_ring_first(mask, pos, n);

	if (n == 0)
		return;
	memcpy(dst, ring + (pos & mask), first);
	memcpy(dst + first, ring, n - first);
}

/*
 * Buffers on demand (ctrlchan.c): the receiver's ring, bitmap and reassembly copy, and the
 * scratch of the frame being emitted; false when the allocation failed. Trimming frees
 * what the channel's state no longer needs, after each input and poll.
 */
SEG_MUST_CHECK bool ctrlchan_receiver_alloc(struct ctrlchan *ch);
SEG_MUST_CHECK bool ctrlchan_frame_alloc(struct ctrlchan *ch);
void ctrlchan_buffers_trim(struct ctrlchan *ch);

/*
 * A received frame's sections (ctrlchan_input() in ctrlchan.c): each is validated against
 * the channel's state first (0 or a CTRLCHAN_ERR_*), so that a rejected frame changes
 * nothing; then applied. Data (ctrlchan_recv.c) delivers what it completes; its apply
 * returns 0, a CTRLCHAN_ERR_*, or -ENOMEM when the frame is dropped for want of memory.
 * Acks (ctrlchan_xmit.c) update the scoreboard, the RTT and loss recovery.
 */
SEG_MUST_CHECK int ctrlchan_data_validate(const struct ctrlchan *ch,
					  const struct ctrlchan_frame *f);
SEG_MUST_CHECK int ctrlchan_data_apply(struct ctrlchan *ch, const struct ctrlchan_frame *f,
				       uint64_t now, ctrlchan_deliver_fn deliver, void *ctx);
SEG_MUST_CHECK int ctrlchan_ack_validate(const struct ctrlchan *ch, const struct ctrlchan_frame *f);
void ctrlchan_ack_apply(struct ctrlchan *ch, const struct ctrlchan_frame *f, uint64_t now);

/* The receiver's ack section of a frame about to be emitted (ctrlchan_recv.c, for poll). */
void ctrlchan_ack_fill(const struct ctrlchan *ch, struct ctrlchan_frame *f);

#endif /* SEG_GATEWAY_CTRLCHAN_INTERNAL_H */
