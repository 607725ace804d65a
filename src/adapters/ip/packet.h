/* SPDX-License-Identifier: MIT */
/*
 * A small IPv4/IPv6 header parser for what the IP adapter needs from a packet read off the TUN:
 * version, addresses, lengths, the protocol, where the upper-layer header starts, and the
 * fragmentation state. Pure; bounds-checked through base/cursor.h; nothing beyond the fixed
 * header and the IPv6 extension-header chain is read.
 *
 * Thread: any; pure.
 */
#ifndef SEG_ADAPTERS_IP_PACKET_H
#define SEG_ADAPTERS_IP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

/* Wire constants (RFC 791, RFC 8200, IANA protocol numbers). */
enum {
	IPV4_HDR_MIN = 20,
	IPV6_HDR_LEN = 40,
	IPV4_FLAG_DF = 0x4000,
	IPV4_FLAG_MF = 0x2000,
	IPV4_FRAG_OFFSET_MASK = 0x1fff,
	IPV6_FRAG_OFFSET_MASK = 0xfff8,
	IPV6_FRAG_HDR_LEN = 8,
	IP_PROTO_HOPOPTS = 0,
	IP_PROTO_ICMP = 1,
	IP_PROTO_TCP = 6,
	IP_PROTO_UDP = 17,
	IP_PROTO_ROUTING = 43,
	IP_PROTO_FRAGMENT = 44,
	IP_PROTO_AH = 51,
	IP_PROTO_ICMPV6 = 58,
	IP_PROTO_NONE = 59,
	IP_PROTO_DSTOPTS = 60,
	/* Extension headers walked before giving up (RFC 8200 4.1 expects a handful). */
	IPV6_EXT_HDR_MAX = 8,
};

enum ip_packet_err {
	IP_PACKET_OK = 0,
	IP_PACKET_ERR_SHORT = -1,     /* shorter than the fixed header */
	IP_PACKET_ERR_VERSION = -2,   /* neither 4 nor 6 */
	IP_PACKET_ERR_HDR_LEN = -3,   /* IPv4 IHL below 5 or past the total length */
	IP_PACKET_ERR_LENGTH = -4,    /* total/payload length past the bytes given (or jumbogram) */
	IP_PACKET_ERR_CHECKSUM = -5,  /* IPv4 header checksum wrong */
	IP_PACKET_ERR_EXT_CHAIN = -6, /* IPv6 extension headers truncated or too many */
};

struct ip_packet_info {
	enum ip_family family;
	struct ip_addr src;
	struct ip_addr dst;
	size_t header_len;   /* IPv4 IHL * 4; IPv6 40 (the fixed header) */
	size_t total_len;    /* from the header; <= the bytes given (trailing bytes are ignored) */
	uint8_t next_header; /* IPv4 protocol; IPv6 Next Header of the fixed header */
	/* The upper-layer protocol after IPv6 extension headers (IPv4: the protocol) and where its
	 * header starts; upper_known is false in a non-first fragment, which has no such header. */
	uint8_t upper_proto;
	size_t upper_offset;
	bool upper_known;
	bool fragment;	    /* part of a fragmented datagram */
	bool dont_fragment; /* IPv4 DF set; always true for IPv6 (only the source fragments) */
	uint8_t ttl;	    /* TTL or hop limit */
};

/* Parses the packet's headers; pkt[0..len) is all that is read. */
SEG_MUST_CHECK int ip_packet_parse(const uint8_t *pkt, size_t len, struct ip_packet_info *out);

/* The Internet checksum (RFC 1071) folded over data, starting from sum; not complemented. */
uint32_t ip_checksum_add(uint32_t sum, const uint8_t *data, size_t len);
uint16_t ip_checksum_fold(uint32_t sum);

const char *ip_packet_strerror(int err);

#endif /* SEG_ADAPTERS_IP_PACKET_H */
