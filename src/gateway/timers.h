/* SPDX-License-Identifier: MIT */
/*
 * Every timer of a peer, armed and cancelled only in timers.c, driven by event hooks that
 * the packet and handshake code call when something happens. The list, with its constant:
 *
 *   t_handshake  Init retransmission            rekey_timeout (SEG_REKEY_TIMEOUT_S, 5 s)
 *   t_rekey      initiator rekeys on time       rekey_after_time (SEG_REKEY_AFTER_TIME_S)
 *   t_keepalive  keepalive, liveness, expiry    keepalive_timeout / 2 (SEG_KEEPALIVE_TIMEOUT_S)
 *   t_probe      path probes and liveness       pathmgr_next_wakeup (pathing: keepAlive*)
 *   t_paths      path refresh                   TIMERS_PATH_REFRESH_NS, before expiry;
 *                                               after a failure TIMERS_RETRY_NS doubling
 *                                               per failure up to TIMERS_RETRY_MAX_NS
 *   t_ctrl       control channel poll           ctrlchan_next_timeout (CTRL_*_MS)
 *   t_reasm      reassembly expiry              frag_reasm_next_timeout (FRAG_TIMEOUT_MS)
 *   t_keys       DRKey refresh                  the epoch's end; on failure as t_paths
 *
 * The gateway (struct gw_timing) holds the effective values: the protocol's, or a test's
 * shorter ones (gateway_opts.test_*).
 *
 * Thread: control thread only.
 */
#ifndef SEG_GATEWAY_TIMERS_H
#define SEG_GATEWAY_TIMERS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/time.h"

struct seg_peer;

#define TIMERS_PATH_REFRESH_NS SEG_SEC(60)
#define TIMERS_RETRY_NS	       SEG_SEC(1)
/*
 * Bound of the retry backoff against an absent daemon: a daemon that comes back is used
 * again within this (plus the daemon client's reconnect backoff, also 5 s), and a gateway
 * whose daemon stays away asks twice per 5 s per peer, not more.
 */
#define TIMERS_RETRY_MAX_NS SEG_SEC(5)
/* Refresh paths this long before the earliest expiry. */
#define TIMERS_PATH_EXPIRY_MARGIN_NS SEG_SEC(30)

void timers_peer_init(struct seg_peer *p);
/* Cancels every timer of the peer (teardown). */
void timers_peer_stop(struct seg_peer *p);
/* The peer's first moves: keys, paths, liveness. */
void timers_peer_started(struct seg_peer *p);

void timers_handshake_initiated(struct seg_peer *p);
void timers_handshake_complete(struct seg_peer *p);
/* A new current session; initiator: we rekey it on time. */
void timers_session_established(struct seg_peer *p, bool initiator);
/* Daemon answers and failures. A failure counts towards the backoff and returns the delay
 * until the retry; an answer resets the count. */
void timers_keys_fetched(struct seg_peer *p, uint64_t epoch_left_ns);
uint64_t timers_keys_failed(struct seg_peer *p);
/* Re-arms the keys retry at the current backoff without counting a failure (the responder's
 * host-AS key failed; the host-host job counts). */
void timers_keys_retry(struct seg_peer *p);
void timers_paths_fetched(struct seg_peer *p);
uint64_t timers_paths_failed(struct seg_peer *p);
/* The path manager's schedule may have moved (probe sent, reply, new paths). */
void timers_paths_changed(struct seg_peer *p);
void timers_ctrl_changed(struct seg_peer *p);
void timers_reasm_changed(struct seg_peer *p);

#endif /* SEG_GATEWAY_TIMERS_H */
