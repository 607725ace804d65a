/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter: a TUN device whose packets travel to peer gateways over seg, with routes
 * to the subnets each peer announces (docs/ip-adapter.md).
 *
 *  - Setup (ipadapter_create): opens the TUN (inside adapter.yaml's netns if set), gives it
 *    the address (/32 or /128: the subnets are behind this gateway, not on the TUN), MTU,
 *    txqueuelen, sets it up, registers the adapter with the gateway and starts the reader.
 *  - Announcements: on every peer_up (first session, or the peer restarted) the local
 *    subnets go to the peer (ipadapter_announce.h). A peer's announcement replaces its
 *    previous one; the accepted subnets (ipadapter_route.h: allow-list, overlaps) become
 *    device routes on the TUN (netlink) and entries of the LPM table the reader uses.
 *  - Down for good: a peer that reports peer_down and is not up again within the hold time
 *    (IPA_HOLD_TIME_S, opts.hold_ns) loses its routes; a shorter outage keeps them, so
 *    applications see host unreachable rather than their routes flapping.
 *  - Egress (reader thread): batches from the TUN, longest prefix match on the published
 *    table, one seg_peer_send_data() per peer and batch; no route → ICMP/ICMPv6 destination
 *    unreachable to the sender (rate-limited); peer down → host/address unreachable.
 *  - Ingress (gateway callback): each packet's source must be inside a subnet routed to
 *    that peer, its destination inside our subnets or the TUN address; then it is written
 *    to the TUN. Everything else is dropped and counted.
 *
 * Threads: ipadapter_create/ipadapter_destroy and the callbacks run on the gateway's
 * control thread (the loop given in opts); one reader thread per adapter reads the TUN. The
 * route table is published by pointer swap; the control thread frees a replaced table only
 * after the reader has passed a quiescent point (between batches).
 */
#ifndef SEG_ADAPTERS_IP_IPADAPTER_H
#define SEG_ADAPTERS_IP_IPADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "seg/adapter.h"

struct evloop;
struct seg_adapter_config;
struct seg_config;

enum {
	/* peer_down followed by no peer_up for this long: the peer's routes are removed. */
	IPA_HOLD_TIME_S = 10,
	/* Packets read from the TUN per batch, and packets handed to the peers per batch. */
	IPA_BATCH = 64,
	/* Reads per batch with TSO (each up to 64 KiB, cut into up to ~55 packets). */
	IPA_TSO_READS = 16,
	/* ICMP errors: a token bucket of this rate per second and burst (RFC 4443 2.4 f). */
	IPA_ICMP_RATE = 100,
	IPA_ICMP_BURST = 50,
	/* Replaced route tables waiting for the reader's quiescent point; when full, the next
	 * publication waits for the reap timer (IPA_REAP_MS). */
	IPA_RETIRED_MAX = 8,
	IPA_REAP_MS = 50,
	/* Peers the adapter tracks (one per peer object the gateway reported). */
	IPA_PEERS_MAX = 2048,
	IPA_ERRLEN = 512,
};

/* Counters, one per outcome; declared once here (X-macro). */
#define IPA_COUNTERS(X)                                                                 \
	X(TUN_RX, "packets read from the TUN")                                          \
	X(TUN_RX_CUT, "packets from the TUN larger than the buffer")                    \
	X(TUN_RX_SEGMENTS, "packets cut from TUN TSO super-segments")                   \
	X(TX_SENT, "packets handed to a peer")                                          \
	X(TX_NO_ROUTE, "packets to no announced subnet (ICMP net unreachable)")         \
	X(TX_PEER_DOWN, "packets to a peer without a session (ICMP host unreachable)")  \
	X(TX_MALFORMED, "packets from the TUN that do not parse")                       \
	X(TX_FAILED, "packets the gateway refused (too big, no path)")                  \
	X(ICMP_SENT, "ICMP errors written to the TUN")                                  \
	X(ICMP_RATE_LIMITED, "ICMP errors not sent: rate limit")                        \
	X(ICMP_SUPPRESSED, "ICMP errors not sent: never answered (RFC 1812, RFC 4443)") \
	X(RX_DELIVERED, "packets from peers written to the TUN")                        \
	X(RX_TUN_WRITES, "TUN writes for them (fewer: segments joined, GRO-like)")      \
	X(RX_MALFORMED, "packets from peers that do not parse")                         \
	X(RX_SPOOFED, "packets from peers with a source outside their subnets")         \
	X(RX_NOT_LOCAL, "packets from peers to a destination outside our subnets")      \
	X(RX_TUN_DROPPED, "packets from peers the TUN refused or had no room for")      \
	X(CTRL_BAD, "malformed announcements")                                          \
	X(ROUTE_REJECTED, "announced subnets rejected (allow-list, overlap, full)")     \
	X(ROUTE_NETLINK_ERR, "route changes the kernel refused")

enum ipa_counter {
#define IPA_COUNTER_ENUM(name, desc) IPA_CNT_##name,
	IPA_COUNTERS(IPA_COUNTER_ENUM)
#undef IPA_COUNTER_ENUM
	    IPA_CNT__COUNT
};

struct ipadapter_opts {
	const struct seg_adapter_config *cfg; /* adapter.yaml; copied */
	const struct seg_config *gw_cfg;      /* conf.yaml: the remotes' allowedSubnets */
	struct gateway *gw;
	struct evloop *loop; /* the gateway's control loop: timers run there */
	uint64_t hold_ns;    /* 0: IPA_HOLD_TIME_S */
};

struct ipadapter;

/* Sets everything up and registers with the gateway; on failure err says what to do (for a
 * missing privilege: which capability, and the setcap command). */
SEG_MUST_CHECK int ipadapter_create(const struct ipadapter_opts *opts, struct ipadapter **out,
				    char *err, size_t errlen);

/* Stops the TUN reader thread (no more seg_peer_send_data from the adapter): call before
 * gateway_free, which may still call peer_down. Idempotent. */
void ipadapter_stop(struct ipadapter *ad);

/* Stops the reader, removes the routes, closes the TUN (the device goes with it). Call after
 * the gateway stopped calling back (after gateway_run returned). NULL is a no-op. */
void ipadapter_destroy(struct ipadapter *ad);

/* A snapshot of the counters. Any thread. */
void ipadapter_counters(const struct ipadapter *ad, uint64_t out[IPA_CNT__COUNT]);
const char *ipadapter_counter_name(enum ipa_counter c);

#endif /* SEG_ADAPTERS_IP_IPADAPTER_H */
