/* SPDX-License-Identifier: MIT */
/*
 * The control channel sender's loss recovery, internal to the channel (ctrlchan.c resets it,
 * ctrlchan_xmit.c drives it): RTT estimate and RTO (RFC 6298), loss detection from SACKs by
 * transmission order (RFC 8985 in spirit), and the congestion window (RFC 5681) that paces
 * new data and retransmissions alike.
 *
 * Thread: as ctrlchan.h.
 */
#ifndef SEG_GATEWAY_CTRLCHAN_LOSS_H
#define SEG_GATEWAY_CTRLCHAN_LOSS_H

#include "ctrlchan.h"

enum {
	CTRLCHAN_SEG_SACKED = 0x01, /* the peer holds it (SACK): never resent */
	CTRLCHAN_SEG_LOST = 0x02,   /* resend when the congestion window allows */
};

void ctrlchan_loss_reset(struct ctrlchan *ch);
void ctrlchan_rtt_sample(struct ctrlchan *ch, uint64_t rtt_ns);
/* When a frame in flight counts as lost: its RTO, doubled per retransmission. */
uint64_t ctrlchan_seg_deadline(const struct ctrlchan *ch, const struct ctrlchan_seg *s);
/* Bytes in flight: sent, neither SACKed nor deemed lost (RFC 6675's pipe). */
uint32_t ctrlchan_pipe(const struct ctrlchan *ch);
/* What an ack proves: the latest transmission that arrived (xmit 0: none), and when it
 * was sent. */
struct ctrlchan_delivered {
	uint64_t xmit;
	uint64_t sent_ns;
};

/* After an ack: acked bytes newly acked or SACKed. Grows the window, marks frames lost,
 * reacts once per loss episode. */
void ctrlchan_loss_on_ack(struct ctrlchan *ch, uint32_t acked,
			  const struct ctrlchan_delivered *delivered, uint64_t now);
/* Marks frames lost whose RTO or reorder window expired; after an RTO the window
 * collapses (RFC 5681 3.1). */
void ctrlchan_loss_on_timer(struct ctrlchan *ch, uint64_t now);
/* When the next overtaken frame's reorder window expires; UINT64_MAX if none. */
uint64_t ctrlchan_loss_deadline(const struct ctrlchan *ch);

#endif /* SEG_GATEWAY_CTRLCHAN_LOSS_H */
