/* SPDX-License-Identifier: MIT */
/*
 * The UDP service adapter's flow table: bounded, hashed, with an idle timeout. One table on
 * each side of a forwarded service:
 *
 *  - forwarding side: key (forward index, local client address) → a flow id sent with each
 *    datagram; a reply carrying that id finds the client again (udpa_flows_by_id);
 *  - exposing side: key (peer, service id, flow id) → a socket connected to the service, so
 *    the service's replies to that socket belong to exactly that remote flow.
 *
 * A flow id is the entry's index in the low 16 bits and a generation counter in the high 16,
 * so a reply for a flow that expired and whose slot was reused is recognised as stale.
 *
 * Bounds: at most max entries (UDPA_FLOWS_MAX by default). When full, a new flow evicts the
 * least recently used one (a scan, only on that rare path); idle flows are expired by
 * udpa_flows_expire, which the adapter calls from a timer. Every removal calls on_evict, which
 * releases what the caller attached (the exposing side's socket).
 *
 * Thread: one (the adapter runs on the gateway's control thread).
 */
#ifndef SEG_ADAPTERS_UDP_UDP_FLOWS_H
#define SEG_ADAPTERS_UDP_UDP_FLOWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/scion_addr.h" /* SEG_MUST_CHECK */

enum {
	UDPA_FLOWS_MAX = 1024,
	UDPA_FLOWS_LIMIT = 65535, /* indices fit the flow id's low 16 bits */
};

/* Zero-initialise a key, then fill what identifies the flow on that side. */
struct udpa_flow_key {
	const void *peer;
	uint32_t id;   /* forward index, or service id */
	uint32_t flow; /* the remote flow id (exposing side) */
	uint8_t family;
	uint16_t port;
	uint8_t ip[16];
};

struct udpa_flow {
	struct udpa_flow_key key;
	uint64_t last_used;
	int fd;	     /* the caller's: the exposing side's service socket, else -1 */
	void *owner; /* the caller's: given to its callbacks */
	/* private */
	uint32_t next; /* bucket chain or free list; UINT32_MAX ends it */
	uint16_t gen;
	bool used;
};

struct udpa_flows {
	struct udpa_flow *v;
	uint32_t *buckets;
	size_t max, n, nbuckets;
	uint32_t free_head;
	uint64_t idle_ns;
	void (*on_evict)(struct udpa_flow *f, void *ctx);
	void *ctx;
};

SEG_MUST_CHECK int udpa_flows_init(struct udpa_flows *t, size_t max, uint64_t idle_ns,
				   void (*on_evict)(struct udpa_flow *, void *), void *ctx);
/* Evicts everything (on_evict for each) and frees. */
void udpa_flows_free(struct udpa_flows *t);

/* The flow of key, touched at now; or NULL. */
struct udpa_flow *udpa_flows_find(struct udpa_flows *t, const struct udpa_flow_key *key,
				  uint64_t now);
/* Adds key (not present) at now, evicting the least recently used flow when full; its fd is
 * -1. NULL only when max is 0. */
struct udpa_flow *udpa_flows_add(struct udpa_flows *t, const struct udpa_flow_key *key,
				 uint64_t now);
/* The flow with this id if it is still the same flow, touched at now; or NULL. */
struct udpa_flow *udpa_flows_by_id(struct udpa_flows *t, uint32_t id, uint64_t now);
uint32_t udpa_flow_id(const struct udpa_flows *t, const struct udpa_flow *f);
void udpa_flows_remove(struct udpa_flows *t, struct udpa_flow *f);
/* Removes flows idle for idle_ns at now; returns how many. */
size_t udpa_flows_expire(struct udpa_flows *t, uint64_t now);

#endif /* SEG_ADAPTERS_UDP_UDP_FLOWS_H */
