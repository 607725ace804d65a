/* SPDX-License-Identifier: MIT */
/*
 * Path policy: the order in which the path manager prefers the live paths to a peer.
 *
 *  - hops:    fewest inter-AS hops first, as the original sorted its paths (by the length of
 *             the interface list); ties by lower smoothed RTT is deliberately NOT used, so that
 *             RTT noise cannot reorder paths of equal length; ties by fingerprint, then id.
 *  - latency: lowest smoothed RTT first (paths without an RTT sample after all with one),
 *             ties by fewest hops, then fingerprint, then id.
 *
 * Both orders are total and deterministic: two different paths never compare equal.
 * A voluntary migration (the active path is alive but another ranks better) is gated by
 * pathpolicy_worth_switch(), which asks for a real gain (a hop fewer; a latency margin).
 *
 * Thread: any; all functions are pure.
 */
#ifndef SEG_GATEWAY_PATHPOLICY_H
#define SEG_GATEWAY_PATHPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>

enum pathpolicy_kind {
	PATHPOLICY_HOPS = 0,
	PATHPOLICY_LATENCY = 1,
};

enum {
	/* latency: a voluntary switch needs the candidate's SRTT lower by this share of the
	 * current path's SRTT ... */
	PATHPOLICY_LATENCY_MARGIN_PERCENT = 10,
	/* ... and by at least this much, so sub-millisecond jitter never moves traffic. */
	PATHPOLICY_LATENCY_MARGIN_MIN_NS = 1000000,
};

enum pathpolicy_err {
	PATHPOLICY_ERR_UNKNOWN = -320, /* not a policy name */
};

/* What a policy looks at for one path. */
struct pathpolicy_metrics {
	uint32_t hops;	      /* inter-AS links crossed: interface count / 2 */
	bool rtt_known;	      /* at least one probe answered */
	uint64_t srtt_ns;     /* smoothed RTT; meaningful only when rtt_known */
	uint64_t fingerprint; /* interface fingerprint (pathmgr.h), tie-break */
	uint32_t id;	      /* path id, last tie-break (fingerprints may collide) */
};

/* <0 when a is preferred, >0 when b is, 0 only for identical metrics. */
int pathpolicy_compare(enum pathpolicy_kind kind, const struct pathpolicy_metrics *a,
		       const struct pathpolicy_metrics *b);

/* True when moving traffic from cur to cand gains enough under the policy. */
bool pathpolicy_worth_switch(enum pathpolicy_kind kind, const struct pathpolicy_metrics *cur,
			     const struct pathpolicy_metrics *cand);

/* Sorts best first (insertion sort: n is at most a few dozen). */
void pathpolicy_sort(enum pathpolicy_kind kind, struct pathpolicy_metrics *m, size_t n);

/* "hops" or "latency" (exactly len bytes) to a kind. */
SEG_MUST_CHECK int pathpolicy_parse(const char *s, size_t len, enum pathpolicy_kind *out);
const char *pathpolicy_name(enum pathpolicy_kind kind);

#endif /* SEG_GATEWAY_PATHPOLICY_H */
