/* SPDX-License-Identifier: MIT */
/*
 * ICMP and ICMPv6 error replies the IP adapter sends back into the TUN for a packet it cannot
 * deliver: destination unreachable (no peer announces a route), and fragmentation needed /
 * packet too big (for a caller that decides not to fragment; see docs/ip-adapter.md).
 *
 * RFC 792 and RFC 1191 (ICMPv4), RFC 1812 4.3.2 (what to quote, when not to answer), RFC 4443
 * (ICMPv6). The reply quotes as much of the offending packet as fits in 576 bytes (IPv4) or
 * 1280 bytes (IPv6) in all, and is never sent for:
 *  - a malformed packet (the packet parser rejects it);
 *  - an ICMP error message (ICMPv4 types other than the queries/replies listed in icmp.c;
 *    ICMPv6 types below 128), or a non-first fragment whose type cannot be known;
 *  - a source that does not name one host: unspecified, loopback, multicast, broadcast or
 *    reserved (IPv4 0/8, 127/8, 224/4, 240/4; IPv6 ::, ::1, ff00::/8, ::ffff:0:0/96);
 *  - a multicast or broadcast destination (IPv6: except packet too big, RFC 4443 2.4 e.3).
 * Each refusal has its own code so the caller can count it.
 *
 * Thread: any; pure.
 */
#ifndef SEG_ADAPTERS_IP_ICMP_H
#define SEG_ADAPTERS_IP_ICMP_H

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

/* Wire constants. */
enum {
	ICMP_HDR_LEN = 8,
	ICMP_TYPE_ECHO_REPLY = 0,
	ICMP_TYPE_DEST_UNREACH = 3,
	ICMP_TYPE_ECHO_REQUEST = 8,
	ICMP_CODE_NET_UNREACH = 0,
	ICMP_CODE_HOST_UNREACH = 1,
	ICMP_CODE_FRAG_NEEDED = 4,
	ICMP_CODE_ADMIN_PROHIBITED = 13, /* RFC 1812 5.2.7.1 */
	ICMPV6_TYPE_DEST_UNREACH = 1,
	ICMPV6_TYPE_PACKET_TOO_BIG = 2,
	ICMPV6_TYPE_INFO_MIN = 128, /* RFC 4443 2.1: types below are errors */
	ICMPV6_CODE_NO_ROUTE = 0,
	ICMPV6_CODE_ADMIN_PROHIBITED = 1,
	ICMPV6_CODE_ADDR_UNREACH = 3,
	/* The whole reply, IP header included, stays within these (RFC 1812 4.3.2.3, RFC 4443
	 * 2.4 c). */
	ICMP_REPLY_MAX_V4 = 576,
	ICMP_REPLY_MAX_V6 = 1280,
	ICMP_REPLY_MAX = ICMP_REPLY_MAX_V6,
	/* Smallest MTUs a packet-too-big may announce (RFC 791, RFC 8200 5). */
	ICMP_MTU_MIN_V4 = 68,
	ICMP_MTU_MIN_V6 = 1280,
	/* TTL / hop limit of replies, as Linux's default. */
	ICMP_REPLY_TTL = 64,
	/* IPv4 TOS of replies: precedence "internetwork control" (RFC 1812 4.3.2.5, 5.3.3). */
	ICMP_REPLY_TOS = 0xc0,
};

/* Why the adapter cannot deliver the packet; mapped to a type and code per family. */
enum icmp_reason {
	ICMP_REASON_NO_ROUTE,	  /* v4: net unreachable;  v6: no route to destination */
	ICMP_REASON_HOST_UNREACH, /* v4: host unreachable; v6: address unreachable (peer down) */
	ICMP_REASON_PROHIBITED,	  /* v4: admin prohibited; v6: administratively prohibited */
	ICMP_REASON_TOO_BIG,	  /* v4: fragmentation needed (RFC 1191); v6: packet too big */
};

enum icmp_err {
	ICMP_OK = 0,
	ICMP_ERR_MALFORMED = -1,	 /* the offending packet does not parse */
	ICMP_ERR_SUPPRESS_ICMP_ERR = -2, /* it is itself an ICMP error (or a later fragment) */
	ICMP_ERR_SUPPRESS_SOURCE = -3,	 /* its source does not name one host */
	ICMP_ERR_SUPPRESS_DEST = -4,	 /* sent to multicast or broadcast */
	ICMP_ERR_FAMILY = -5,		 /* the gateway address is of the other family */
	ICMP_ERR_MTU = -6,		 /* TOO_BIG with an MTU below the family's minimum */
	ICMP_ERR_SPACE = -7,		 /* output buffer too small */
	ICMP_ERR_REASON = -8,		 /* unknown reason */
};

/*
 * Builds the error reply to pkt[0..len) into out (cap bytes; ICMP_REPLY_MAX always suffices),
 * from gateway address src (same family as the packet) to the packet's source. mtu is the
 * next-hop MTU for ICMP_REASON_TOO_BIG and ignored otherwise. *out_len gets the reply length.
 */
SEG_MUST_CHECK int icmp_build_error(const uint8_t *pkt, size_t len, enum icmp_reason reason,
				    uint32_t mtu, const struct ip_addr *src, uint8_t *out,
				    size_t cap, size_t *out_len);

const char *icmp_strerror(int err);

#endif /* SEG_ADAPTERS_IP_ICMP_H */
