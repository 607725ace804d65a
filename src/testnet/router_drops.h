/* SPDX-License-Identifier: MIT */
/*
 * Why seg-testnet's border router did not forward a packet: one counter per reason, declared
 * once here (an X-macro) and shared by the processing code (router.c), the runtime
 * (router_io.c), the statistics (router_rt_stats) and the docs.
 *
 * A reason marked "scmp" is one where the reference router (scionproto router/dataplane.go)
 * answers with an SCMP error instead of forwarding; the packet counts here all the same, and
 * the reply counts in router_counters.replies, or in replies_suppressed when none may or can
 * be sent (the packet is an SCMP error itself, its path is not reversible). The others are
 * dropped silently, as the reference drops them (errorDiscard). Echo and traceroute replies
 * are answers, not drops: they count in replies only.
 *
 * Thread: none; plain declarations.
 */
#ifndef SEG_TESTNET_ROUTER_DROPS_H
#define SEG_TESTNET_ROUTER_DROPS_H

/* X(NAME, "description") */
#define ROUTER_DROP_REASONS(X)                                                                   \
	/* Decoding: silent drops (reference: decodeLayers, parsePath, determinePeer). */        \
	X(TRUNCATED, "shorter than its common, address or path header")                          \
	X(VERSION, "SCION version is not 0")                                                     \
	X(HDR_LEN, "HdrLen too short for the address header or past the packet")                 \
	X(ADDR_TYPE, "unknown DT/DL or ST/SL address type")                                      \
	X(PATH_TYPE, "path type the router does not forward (one-hop, EPIC, COLIBRI, ...)")      \
	X(EMPTY_PATH, "empty path and not an echo request to the AS host")                       \
	X(PATH_MALFORMED, "path meta header, length or CurrINF/CurrHF inconsistent")             \
	X(SINGLETON_SEGMENT, "a one-hop segment without the peering flag")                       \
	X(PEERING_MALFORMED, "peering flag on a path that is not two segments")                  \
	X(TRANSIT_FROM_INTERNAL, "not at its first hop but sent by an endhost")                  \
	X(PATH_END, "no hop left to advance to")                                                 \
	X(ALERT_NOT_TRACEROUTE, "router alert flag on a packet that is not a traceroute")        \
	X(L4_TRUNCATED, "upper-layer header too short to find the destination port")             \
	X(SCMP_UNDELIVERABLE, "SCMP message with no port to deliver to")                         \
	X(ECHO_BAD, "echo request to the AS host with a bad checksum or header")                 \
	/* Validation: the reference answers these with SCMP. */                                 \
	X(EXPIRED_HOP, "scmp: hop field expired")                                                \
	X(BAD_INGRESS, "scmp: arrived on an interface other than the hop field's")               \
	X(BAD_PKT_LEN, "scmp: PayloadLen disagrees with the packet size")                        \
	X(BAD_SRC_IA, "scmp: source ISD-AS invalid here")                                        \
	X(BAD_DST_IA, "scmp: destination ISD-AS invalid here")                                   \
	X(BAD_SRC_HOST, "scmp: source host of a local packet invalid")                           \
	X(BAD_DST_HOST, "scmp: destination host unspecified or IPv4-mapped")                     \
	X(BAD_MAC, "scmp: hop-field MAC verification failed")                                    \
	X(UNKNOWN_EGRESS, "scmp: hop field names an interface this AS does not have")            \
	X(BAD_LINK_PAIR, "scmp: ingress/egress link types not allowed within a segment")         \
	X(BAD_SEGMENT_CHANGE, "scmp: ingress/egress link types not allowed at a segment switch") \
	X(LINK_DOWN, "scmp: egress link is down")                                                \
	X(NO_SVC, "scmp: service address with no instance in this AS")                           \
	X(UNKNOWN_INGRESS, "arrived on an interface this router does not have")                  \
	X(INGRESS_DOWN, "arrived over a link that is down")                                      \
	/* Runtime (router_io.c). */                                                             \
	X(OVERSIZE, "larger than the receive buffer")                                            \
	X(LINK_LOSS, "emulated loss on the egress link")                                         \
	X(DELAY_QUEUE_FULL, "egress link's delay queue full")                                    \
	X(NON_LOOPBACK, "endhost destination outside loopback (testnet safety)")                 \
	X(HOST_FAMILY, "endhost destination not of the internal socket's address family")        \
	X(SEND_FAILED, "sendmmsg failed")

enum router_drop_reason {
#define ROUTER_DROP_ENUM(name, desc) ROUTER_DROP_##name,
	ROUTER_DROP_REASONS(ROUTER_DROP_ENUM)
#undef ROUTER_DROP_ENUM
	    ROUTER_DROP_MAX,
	/* Not dropped: the value of router_action.reason on success. */
	ROUTER_DROP_NONE = ROUTER_DROP_MAX,
};

/* Lowercase name ("bad_mac") and description of a reason; "?" for an invalid value. */
const char *router_drop_name(enum router_drop_reason r);
const char *router_drop_desc(enum router_drop_reason r);

#endif /* SEG_TESTNET_ROUTER_DROPS_H */
