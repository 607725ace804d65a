/* SPDX-License-Identifier: MIT */
/*
 * Anti-replay sliding window for transport counters (RFC 6479, docs/protocol.md §8): a ring
 * of SEG_REPLAY_BLOCKS 64-bit blocks. A counter is accepted once, if it is below
 * SEG_REJECT_AFTER_MESSAGES and not more than SEG_REPLAY_WINDOW - 1 behind the greatest
 * counter accepted so far. Call it only after the AEAD opened the packet: a forged counter
 * must never move the window.
 *
 * Thread: a window belongs to its session's receive path; no locking inside.
 */
#ifndef SEG_GATEWAY_REPLAY_H
#define SEG_GATEWAY_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "protocol.h"

struct replay_window {
	uint64_t greatest; /* greatest counter accepted; 0 before any (then bit 0 is clear) */
	uint64_t blocks[SEG_REPLAY_BLOCKS];
};

/* Resets to the empty window (no counter seen). */
void replay_init(struct replay_window *w);

/* Accepts counter (true, and records it) or rejects it as replayed, too old or past the
 * message limit (false, window unchanged). */
bool replay_check_and_update(struct replay_window *w, uint64_t counter);

#endif /* SEG_GATEWAY_REPLAY_H */
