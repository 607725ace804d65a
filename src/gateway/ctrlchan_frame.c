/* SPDX-License-Identifier: MIT */
/*
 * Control channel frame codec (docs/control-channel.md "Frame format"). Pure: bytes in,
 * struct out. Every check that needs no channel state is made here, so the fuzzer reaches
 * all of them; checks against the channel's state are ctrlchan_input()'s (ctrlchan.c, with
 * ctrlchan_recv.c and ctrlchan_xmit.c).
 */
#include "ctrlchan.h"

#include <errno.h>

#include "base/cursor.h"

static int frame_decode_ack(struct rcursor *c, struct ctrlchan_frame *f)
{
	if (!rcursor_u32be(c, &f->ack) || !rcursor_u32be(c, &f->window) ||
	    !rcursor_u32be(c, &f->echo) || !rcursor_u8(c, &f->nsack))
		return CTRLCHAN_ERR_TRUNCATED;
	if (f->window > CTRL_RECV_WINDOW)
		return CTRLCHAN_ERR_WINDOW;
	if (f->nsack > CTRL_SACK_MAX)
		return CTRLCHAN_ERR_SACK_COUNT;
	/* Blocks lie above the ack (a block touching it would have advanced it), ascending
	 * and disjoint, and within one receive window of the ack. */
	uint32_t prev_end = f->ack;
	for (unsigned i = 0; i < f->nsack; i++) {
		uint32_t start, end;
		if (!rcursor_u32be(c, &start) || !rcursor_u32be(c, &end))
			return CTRLCHAN_ERR_TRUNCATED;
		if (!ctrlchan_seq_lt(prev_end, start) || !ctrlchan_seq_lt(start, end) ||
		    end - f->ack > CTRL_RECV_WINDOW)
			return CTRLCHAN_ERR_SACK_RANGE;
		f->sack[i].start = start;
		f->sack[i].end = end;
		prev_end = end;
	}
	return 0;
}

int ctrlchan_frame_decode(const uint8_t *buf, size_t len, struct ctrlchan_frame *out)
{
	struct rcursor c = rcursor_init(buf, len);
	struct ctrlchan_frame f = {0};
	uint8_t flags;
	int r;

	if (!rcursor_u8(&c, &flags))
		return CTRLCHAN_ERR_TRUNCATED;
	if (flags & ~CTRL_FLAGS_KNOWN)
		return CTRLCHAN_ERR_FLAGS;
	if (!(flags & CTRL_FLAGS_KNOWN))
		return CTRLCHAN_ERR_EMPTY;
	f.has_ack = flags & CTRL_FLAG_ACK;
	f.has_data = flags & CTRL_FLAG_DATA;
	if (f.has_ack) {
		r = frame_decode_ack(&c, &f);
		if (r)
			return r;
	}
	if (f.has_data) {
		if (!rcursor_u32be(&c, &f.seq) || !rcursor_u32be(&c, &f.tsval) ||
		    !rcursor_u16be(&c, &f.len))
			return CTRLCHAN_ERR_TRUNCATED;
		if (f.len == 0)
			return CTRLCHAN_ERR_DATA_EMPTY;
		if (!rcursor_view(&c, &f.data, f.len))
			return CTRLCHAN_ERR_TRUNCATED;
	}
	if (c.len != 0)
		return CTRLCHAN_ERR_TRAILING;
	*out = f;
	return 0;
}

size_t ctrlchan_frame_size(bool has_ack, unsigned nsack, bool has_data, size_t data_len)
{
	size_t n = CTRL_FLAGS_LEN;
	if (has_ack)
		n += CTRL_ACK_FIXED_LEN + (size_t)nsack * CTRL_SACK_BLOCK_LEN;
	if (has_data)
		n += CTRL_DATA_HDR_LEN + data_len;
	return n;
}

int ctrlchan_frame_encode(const struct ctrlchan_frame *f, uint8_t *buf, size_t cap, size_t *out_len,
			  uint8_t **data_at)
{
	struct wcursor c = wcursor_init(buf, cap);
	uint8_t flags =
	    (uint8_t)((f->has_ack ? CTRL_FLAG_ACK : 0) | (f->has_data ? CTRL_FLAG_DATA : 0));
	bool ok = f->nsack <= CTRL_SACK_MAX && wcursor_u8(&c, flags);

	if (ok && f->has_ack) {
		ok = wcursor_u32be(&c, f->ack) && wcursor_u32be(&c, f->window) &&
		     wcursor_u32be(&c, f->echo) && wcursor_u8(&c, f->nsack);
		for (unsigned i = 0; ok && i < f->nsack; i++)
			ok = wcursor_u32be(&c, f->sack[i].start) &&
			     wcursor_u32be(&c, f->sack[i].end);
	}
	if (ok && f->has_data) {
		uint8_t *at = NULL;
		ok = wcursor_u32be(&c, f->seq) && wcursor_u32be(&c, f->tsval) &&
		     wcursor_u16be(&c, f->len) && wcursor_reserve(&c, &at, f->len);
		if (ok && f->data)
			memcpy(at, f->data, f->len);
		if (data_at)
			*data_at = at;
	}
	if (!ok)
		return -EMSGSIZE;
	*out_len = cap - c.cap;
	return 0;
}
