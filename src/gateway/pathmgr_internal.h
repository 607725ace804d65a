/* SPDX-License-Identifier: MIT */
/*
 * Internal state of the path manager, shared by pathmgr.c (candidates, selection) and
 * pathprobe.c (probing, liveness). Storage is one array of paths per peer, grown on demand
 * up to PATHMGR_MAX_PATHS (most peers have one or two paths; all 24 are ~85 KiB) and
 * compacted on removal; every scan is over at most that many entries.
 */
#ifndef SEG_GATEWAY_PATHMGR_INTERNAL_H
#define SEG_GATEWAY_PATHMGR_INTERNAL_H

#include "pathmgr.h"

struct probe_slot {
	uint64_t seq;
	uint64_t sent_ns;
	bool used;
	bool answered;
};

struct pathmgr_path {
	uint32_t id;
	uint64_t fingerprint;
	struct pathmgr_candidate cand;
	uint64_t expiry_ns; /* cand.expiry on the monotonic clock */

	enum pathmgr_liveness state;
	enum pathmgr_reason down_reason;
	uint64_t dead_since_ns;

	bool probed; /* last_probe_ns is valid */
	uint64_t last_probe_ns;
	uint64_t next_probe_ns;
	bool answered_any; /* last_answered_sent_ns is valid */
	uint64_t last_answered_sent_ns;

	bool rtt_known;
	uint64_t srtt_ns;
	uint64_t rttvar_ns;
	uint64_t probes_sent;
	uint64_t replies;
	struct probe_slot ring[PATHMGR_LOSS_WINDOW];
	unsigned ring_next;
};

struct pathmgr {
	struct pathmgr_config cfg;
	struct pathmgr_path *paths; /* cap_paths allocated, num_paths used */
	size_t num_paths, cap_paths;
	uint32_t next_id;
	uint32_t active;
	uint32_t second;
	bool switched; /* last_switch_ns is valid */
	uint64_t last_switch_ns;
	uint64_t last_check_ns;
	struct pathmgr_event events[PATHMGR_MAX_EVENTS];
	size_t ev_head;
	size_t ev_count;
	struct pathmgr_stats stats;
};

struct pathmgr_path *pathmgr_find(const struct pathmgr *pm, uint32_t id);
bool pathmgr_has_iface(const struct pathmgr_candidate *c, scion_ia_t ia, uint64_t ifid);
void pathmgr_push_event(struct pathmgr *pm, enum pathmgr_event_kind kind,
			enum pathmgr_reason reason, uint32_t from, uint32_t to, uint64_t now);
/* Re-evaluates the active (and redundant second) path after any change of state. */
void pathmgr_select_active(struct pathmgr *pm, uint64_t now);
/* Removes paths[i] (the last one takes its place). */
void pathmgr_remove_at(struct pathmgr *pm, size_t i);
void pathmgr_mark_dead(struct pathmgr *pm, struct pathmgr_path *p, enum pathmgr_reason reason,
		       uint64_t now);

#endif /* SEG_GATEWAY_PATHMGR_INTERNAL_H */
