/* SPDX-License-Identifier: MIT */
/*
 * The UDP service adapter: forwards UDP datagrams of named services between gateways without
 * a TUN and without privileges (docs/udp-adapter.md).
 *
 *  - A gateway exposes services (name → local UDP address) to chosen peers. On every
 *    peer_up it tells the peer which services it may use (udp_frame.h); a datagram for a
 *    service that is not exposed to the sending peer is dropped and counted.
 *  - A gateway forwards a local listen address to a peer's named service: a local client's
 *    datagram gets a flow id (udp_flows.h) and goes to the peer; the exposing side sends it
 *    to the service from a socket of that flow, and the service's replies travel back with
 *    the same flow id to the client's address.
 *
 * Threads: everything runs on the gateway's control loop (the sockets are registered with
 * it): create/destroy there, and the callbacks are the gateway's. No extra thread, no lock.
 */
#ifndef SEG_ADAPTERS_UDP_UDPADAPTER_H
#define SEG_ADAPTERS_UDP_UDPADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "seg/adapter.h"

struct evloop;
struct seg_udp_adapter_config;

enum {
	/* Datagrams taken from one socket per readable event before yielding to the loop. */
	UDPA_READ_BUDGET = 32,
	/* Peers whose service lists are kept. */
	UDPA_PEERS_MAX = 256,
	/* Idle flows are swept this often. */
	UDPA_SWEEP_MS = 1000,
};

#define UDPA_COUNTERS(X)                                                            \
	X(FWD_RX, "datagrams from local clients")                                   \
	X(FWD_TX, "datagrams sent to peers")                                        \
	X(FWD_NO_PEER, "datagrams for a peer that is not a configured remote")      \
	X(FWD_NO_SERVICE, "datagrams for a service the peer has not offered (yet)") \
	X(FWD_SEND_FAILED, "datagrams the gateway refused (no session, too big)")   \
	X(SVC_RX, "datagrams for our services from peers")                          \
	X(SVC_NOT_EXPOSED, "datagrams for a service not exposed to that peer")      \
	X(SVC_SOCKET_ERR, "flows whose service socket could not be made")           \
	X(SVC_REPLY, "replies from our services sent back")                         \
	X(CLIENT_DELIVERED, "replies delivered to local clients")                   \
	X(CLIENT_STALE, "replies for an unknown or expired flow")                   \
	X(RX_MALFORMED, "malformed datagrams from peers")                           \
	X(CTRL_BAD, "malformed control messages")                                   \
	X(FLOWS_EXPIRED, "flows forgotten after the idle timeout or when full")

enum udpa_counter {
#define UDPA_COUNTER_ENUM(name, desc) UDPA_CNT_##name,
	UDPA_COUNTERS(UDPA_COUNTER_ENUM)
#undef UDPA_COUNTER_ENUM
	    UDPA_CNT__COUNT
};

struct udpadapter;

/* Binds the forwards' listen sockets, registers with the gateway. cfg is copied. */
SEG_MUST_CHECK int udpadapter_create(const struct seg_udp_adapter_config *cfg, struct gateway *gw,
				     struct evloop *loop, struct udpadapter **out, char *err,
				     size_t errlen);
/* Closes every socket and forgets every flow; after the gateway stopped calling back. */
void udpadapter_destroy(struct udpadapter *ad);

void udpadapter_counters(const struct udpadapter *ad, uint64_t out[UDPA_CNT__COUNT]);
const char *udpadapter_counter_name(enum udpa_counter c);

#endif /* SEG_ADAPTERS_UDP_UDPADAPTER_H */
