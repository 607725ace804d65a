// SPDX-License-Identifier: MIT
/*
 * RFC 6479 sliding window. Counters are grouped in 64-bit blocks; the ring holds the block of
 * the greatest counter and the SEG_REPLAY_BLOCKS - 1 before it. Moving the window forward
 * clears the blocks it enters (at most the whole ring), so the cost per packet is bounded
 * whatever the jump, and nothing is shifted.
 */
#include "replay.h"

#include <string.h>

enum {
	BLOCK_SHIFT = 6, /* log2(SEG_REPLAY_BLOCK_BITS) */
	BLOCK_MASK = SEG_REPLAY_BLOCKS - 1,
	BIT_MASK = SEG_REPLAY_BLOCK_BITS - 1,
};
_Static_assert(1 << BLOCK_SHIFT == SEG_REPLAY_BLOCK_BITS, "block shift");

void replay_init(struct replay_window *w)
{
	memset(w, 0, sizeof(*w));
}

bool replay_check_and_update(struct replay_window *w, uint64_t counter)
{
	if (counter >= SEG_REJECT_AFTER_MESSAGES)
		return false;

	uint64_t block = counter >> BLOCK_SHIFT;
	if (counter > w->greatest) {
		/* Entering new blocks: clear them; beyond a full ring, every block is new. */
		uint64_t current = w->greatest >> BLOCK_SHIFT;
		uint64_t advance = block - current;
		if (advance > SEG_REPLAY_BLOCKS)
			advance = SEG_REPLAY_BLOCKS;
		for (uint64_t i = 1; i <= advance; i++)
			w->blocks[(current + i) & BLOCK_MASK] = 0;
		w->greatest = counter;
	} else if (w->greatest - counter >= SEG_REPLAY_WINDOW) {
		return false;
	}

	uint64_t bit = UINT64_C(1) << (counter & BIT_MASK);
	uint64_t *slot = &w->blocks[block & BLOCK_MASK];
	if (*slot & bit)
		return false;
	*slot |= bit;
	return true;
}
