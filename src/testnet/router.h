/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's border router, the pure part: one SCION packet in, one decision out.
 *
 * router_process() decides whether a packet is forwarded on an interface, delivered to an
 * endhost of this AS, answered (SCMP error, echo reply, traceroute reply) or dropped, as
 * scionproto's router does (router/dataplane.go, process()): hop-field expiry, ingress
 * interface, MAC, segment crossover (core, shortcut, peering) with the link-type rules of
 * validateEgressID, SegID update, dispatcher-less delivery by destination port. It mutates
 * the packet in place (SegID, CurrINF/CurrHF, cleared router-alert flags) and decodes only
 * what it needs: the common and address header, the path meta header and the current info
 * and hop fields. No sockets, no allocation, no logging: router_io.c runs it.
 *
 * Thread: a struct router belongs to one thread (its MAC key object is not shareable, see
 * seg/scion_mac.h); router_new() gives each router its own copy of the key.
 */
#ifndef SEG_TESTNET_ROUTER_H
#define SEG_TESTNET_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <seg/scion_addr.h>

#include "router_drops.h"

enum {
	/** Interfaces of one router. */
	ROUTER_MAX_IFACES = 64,
	/** Largest packet the router receives (the reference's bufSize is 9000). */
	ROUTER_MAX_PKT_LEN = 9216,
	/**
	 * Room for a reply: an echo reply may be longer than its request when the source and
	 * destination host lengths differ (IPv4 vs IPv6), by at most 12 bytes.
	 */
	ROUTER_REPLY_CAP = ROUTER_MAX_PKT_LEN + 64,
	/** Endhost port for traffic outside the dispatched range (reference topology.EndhostPort).
	 */
	ROUTER_ENDHOST_PORT = 30041,
	/** SCMP error messages are cut to this size (scmp.rst; reference MaxSCMPPacketLen). */
	ROUTER_SCMP_MAX_LEN = 1232,
};

/** Link type as seen from this AS: CHILD is a link to a child (reference topology.LinkType). */
enum router_link_type { ROUTER_LINK_CORE, ROUTER_LINK_PARENT, ROUTER_LINK_CHILD, ROUTER_LINK_PEER };

struct router_iface_config {
	uint16_t ifid;
	enum router_link_type type;
	scion_ia_t remote_ia;
	uint16_t remote_ifid;
	uint16_t mtu;
	struct sockaddr_storage local;	/**< this router's UDP socket for the link */
	struct sockaddr_storage remote; /**< the peer router's socket for the link */
};

struct router_config {
	scion_ia_t ia;
	uint16_t mtu;
	uint8_t forwarding_key[16];
	struct sockaddr_storage internal; /**< where endhosts send (daemon Path next hop) */
	struct scion_host host_ip;   /**< the AS's endhost IP; echo requests to it are answered */
	uint16_t port_min, port_max; /**< dispatched port range, e.g. 31000-32767 */
	const struct router_iface_config *ifaces;
	size_t n_ifaces;
	/** Runtime only (router_io.c): datagrams per recvmmsg, 1..ROUTER_RT_BATCH; 0 for the
	 * default ROUTER_RT_BATCH. */
	unsigned batch;
	/** Runtime only: no UDP GSO/GRO, one datagram per message (benchmarks compare). */
	bool no_offloads;
};

/** What to do with a processed packet. */
enum router_verdict {
	ROUTER_FORWARD, /**< send the (mutated) packet over interface egress */
	ROUTER_DELIVER, /**< send the packet to endhost dst_host:dst_port from the internal socket
			 */
	ROUTER_REPLY,	/**< send reply back where the packet came from; the packet is consumed */
	ROUTER_DROP,	/**< drop; reason says why */
};

struct router_action {
	enum router_verdict verdict;
	/** DROP, and REPLY for an SCMP error: why the packet was not forwarded. */
	enum router_drop_reason reason;
	uint16_t egress; /**< FORWARD */
	struct scion_host dst_host;
	uint16_t dst_port; /**< DELIVER: underlay UDP port */
	/** REPLY: bytes in the router's reply buffer, valid until the next router_process. */
	const uint8_t *reply;
	size_t reply_len;
};

/** Counters of one router; written only by its thread. */
struct router_counters {
	uint64_t processed;
	uint64_t forwarded;
	uint64_t delivered;
	uint64_t replies;	     /**< SCMP errors, echo and traceroute replies built */
	uint64_t replies_suppressed; /**< SCMP errors not sent (see router_drops.h) */
	uint64_t drops[ROUTER_DROP_MAX];
};

struct router;

/** A router for cfg (socket addresses unused); NULL on a bad config or allocation failure. */
struct router *router_new(const struct router_config *cfg, char *err, size_t errlen);
/** Wipes the key and frees; NULL allowed. */
void router_free(struct router *r);

/** Marks interface ifid up or down; -1 when the router has no such interface. */
SEG_MUST_CHECK int router_set_link_up(struct router *r, uint16_t ifid, bool up);

/**
 * Processes one packet of len bytes (at most ROUTER_MAX_PKT_LEN) received on interface
 * ingress (0: the internal socket, from an endhost) at Unix time now_sec. Mutates pkt in
 * place; fills *act and returns act->verdict. Counts the outcome.
 */
enum router_verdict router_process(struct router *r, uint8_t *pkt, size_t len, uint16_t ingress,
				   uint64_t now_sec, struct router_action *act);

const struct router_counters *router_counters_get(const struct router *r);

#endif /* SEG_TESTNET_ROUTER_H */
