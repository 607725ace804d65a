/* SPDX-License-Identifier: MIT */
/*
 * Loss recovery of the control channel's sender (ctrlchan_loss.h).
 *
 * Every frame has its own retransmission deadline, its send time plus the RTO of RFC 6298;
 * the RTO doubles each time the oldest outstanding frame times out (RFC 6298 5.5) and is
 * restored as soon as an ack shows the path delivering again. A frame is also lost when
 * SACKs show that a frame sent CTRL_DUPACK_THRESH transmissions after it has arrived, or
 * that the latest transmission has, and a reorder window of a quarter RTT has passed since
 * it was sent (RACK, RFC 8985). Each loss episode shrinks the congestion window once:
 * to half the data in flight after SACK-detected loss, to one segment after an RTO; the
 * episode ends when everything sent before it is acked.
 */
#include "ctrlchan_loss.h"

#include "base/time.h"

enum {
	/* Per-frame RTO backoff stops doubling here (2^6 x RTO, then capped at RTO max). */
	BACKOFF_SHIFT_MAX = 6,
};

void ctrlchan_loss_reset(struct ctrlchan *ch)
{
	ch->srtt = ch->rttvar = 0;
	ch->rtt_valid = false;
	ch->rto = SEG_MS(CTRL_RTO_INIT_MS);
	ch->backoff = 0;
	ch->xmit_next = 1;
	ch->rack_xmit = 0;
	ch->rack_rtt = 0;
	ch->cwnd = CTRL_CWND_INIT;
	ch->ssthresh = CTRL_CWND_MAX;
	ch->in_recovery = ch->rto_recovery = false;
	ch->recover = 0;
}

void ctrlchan_rtt_sample(struct ctrlchan *ch, uint64_t r)
{
	uint64_t lo = SEG_MS(CTRL_RTO_MIN_MS), hi = SEG_MS(CTRL_RTO_MAX_MS);
	uint64_t g = SEG_MS(CTRL_CLOCK_GRANULARITY_MS);

	if (!ch->rtt_valid) { /* RFC 6298 2.2 */
		ch->srtt = r;
		ch->rttvar = r / 2;
		ch->rtt_valid = true;
	} else { /* RFC 6298 2.3, alpha 1/8, beta 1/4 */
		uint64_t d = ch->srtt > r ? ch->srtt - r : r - ch->srtt;
		ch->rttvar = (3 * ch->rttvar + d) / 4;
		ch->srtt = (7 * ch->srtt + r) / 8;
	}
	ch->rto = ch->srtt + (4 * ch->rttvar > g ? 4 * ch->rttvar : g);
	if (ch->rto < lo)
		ch->rto = lo;
	if (ch->rto > hi)
		ch->rto = hi;
}

uint64_t ctrlchan_seg_deadline(const struct ctrlchan *ch, const struct ctrlchan_seg *s)
{
	uint64_t rto = ch->rto << ch->backoff, hi = SEG_MS(CTRL_RTO_MAX_MS);

	return s->sent_ns + (rto < hi ? rto : hi);
}

uint32_t ctrlchan_pipe(const struct ctrlchan *ch)
{
	uint32_t pipe = 0;

	for (unsigned i = 0; i < ch->nsegs; i++)
		if (!(ch->segs[i].flags & (CTRLCHAN_SEG_SACKED | CTRLCHAN_SEG_LOST)))
			pipe += ch->segs[i].end - ch->segs[i].start;
	return pipe;
}

static uint32_t half_pipe(uint32_t pipe)
{
	return pipe / 2 > CTRL_CWND_MIN ? pipe / 2 : CTRL_CWND_MIN;
}

static void cwnd_grow(struct ctrlchan *ch, uint32_t acked)
{
	uint64_t c = ch->cwnd;

	if (c < ch->ssthresh) /* slow start, at most 2 segments per ack (RFC 3465) */
		c += acked < 2 * CTRL_CWND_MSS ? acked : 2 * CTRL_CWND_MSS;
	else /* congestion avoidance: one segment per window */
		c += (uint64_t)CTRL_CWND_MSS * acked / c + 1;
	ch->cwnd = (uint32_t)(c < CTRL_CWND_MAX ? c : CTRL_CWND_MAX);
}

/*
 * Time a frame overtaken by later ones is given to arrive still, so that reordering is not
 * taken for loss: a quarter RTT (RFC 8985 6.2) or twice the RTT variation, whichever is
 * larger, at most one RTT. (RACK grows its window on DSACK reports instead; we have none.)
 */
static uint64_t reorder_window(const struct ctrlchan *ch)
{
	uint64_t g = SEG_MS(CTRL_CLOCK_GRANULARITY_MS), w;

	if (!ch->rtt_valid)
		return g;
	w = ch->srtt / 4;
	if (w < 2 * ch->rttvar)
		w = 2 * ch->rttvar;
	if (w > ch->srtt)
		w = ch->srtt;
	return w > g ? w : g;
}

/* Overtaken: a frame sent CTRL_DUPACK_THRESH transmissions later arrived, or the latest. */
static bool seg_overtaken(const struct ctrlchan *ch, const struct ctrlchan_seg *s)
{
	if (s->flags & (CTRLCHAN_SEG_SACKED | CTRLCHAN_SEG_LOST) || ch->rack_xmit <= s->xmit)
		return false;
	return ch->rack_xmit - s->xmit >= CTRL_DUPACK_THRESH || ch->rack_xmit + 1 == ch->xmit_next;
}

uint64_t ctrlchan_loss_deadline(const struct ctrlchan *ch)
{
	uint64_t t = UINT64_MAX, w = ch->rack_rtt + reorder_window(ch);

	for (unsigned i = 0; i < ch->nsegs; i++) {
		const struct ctrlchan_seg *s = &ch->segs[i];
		if (seg_overtaken(ch, s) && s->sent_ns + w < t)
			t = s->sent_ns + w;
	}
	return t;
}

/* Marks overtaken frames as lost once they had a round trip and the reorder window to be
 * acked (RFC 8985 6.2); true if any. */
static bool detect_overtaken(struct ctrlchan *ch, uint64_t now)
{
	uint64_t w = ch->rack_rtt + reorder_window(ch);
	bool lost = false;

	for (unsigned i = 0; i < ch->nsegs; i++) {
		struct ctrlchan_seg *s = &ch->segs[i];
		if (seg_overtaken(ch, s) && s->sent_ns + w <= now) {
			s->flags |= CTRLCHAN_SEG_LOST;
			ch->stats.rtx_fast++;
			lost = true;
		}
	}
	return lost;
}

static void enter_recovery(struct ctrlchan *ch, uint32_t pipe)
{
	if (ch->in_recovery) /* RFC 5681 3.2 step 4, RFC 6675: once per episode */
		return;
	ch->in_recovery = true;
	ch->recover = ch->snd_nxt;
	ch->ssthresh = ch->cwnd = half_pipe(pipe);
}

void ctrlchan_loss_on_ack(struct ctrlchan *ch, uint32_t acked,
			  const struct ctrlchan_delivered *delivered, uint64_t now)
{
	uint32_t pipe = ctrlchan_pipe(ch);

	if (ch->in_recovery && ctrlchan_seq_le(ch->recover, ch->snd_una))
		ch->in_recovery = ch->rto_recovery = false;
	if (acked)
		ch->backoff = 0; /* the path delivers again (RFC 6298 5.7 in spirit) */
	if (delivered->xmit > ch->rack_xmit && now >= delivered->sent_ns) {
		ch->rack_xmit = delivered->xmit;
		ch->rack_rtt = now - delivered->sent_ns;
	}
	if (!ch->in_recovery && acked)
		cwnd_grow(ch, acked);
	if (detect_overtaken(ch, now))
		enter_recovery(ch, pipe);
}

void ctrlchan_loss_on_timer(struct ctrlchan *ch, uint64_t now)
{
	uint32_t pipe = ctrlchan_pipe(ch);
	bool fired = false, oldest = true;

	if (detect_overtaken(ch, now))
		enter_recovery(ch, pipe);

	for (unsigned i = 0; i < ch->nsegs; i++) {
		struct ctrlchan_seg *s = &ch->segs[i];
		if (s->flags & CTRLCHAN_SEG_SACKED)
			continue;
		if (!(s->flags & CTRLCHAN_SEG_LOST) && ctrlchan_seg_deadline(ch, s) <= now) {
			s->flags |= CTRLCHAN_SEG_LOST;
			ch->stats.rtx_timeout++;
			fired = true;
			/* RFC 6298 5.5: the timer of the oldest outstanding frame backs off;
			 * the others' expiries follow from the same outage. */
			if (oldest && ch->backoff < BACKOFF_SHIFT_MAX)
				ch->backoff++;
		}
		oldest = false;
	}
	if (fired && !ch->rto_recovery) { /* RFC 5681 3.1: one segment after an RTO */
		ch->in_recovery = ch->rto_recovery = true;
		ch->recover = ch->snd_nxt;
		ch->ssthresh = half_pipe(pipe);
		ch->cwnd = CTRL_CWND_MSS;
	}
}
