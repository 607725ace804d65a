/* SPDX-License-Identifier: MIT */
/* ICMP/ICMPv6 error replies; the rules on when not to answer are in icmp.h. */
#include "adapters/ip/icmp.h"

#include <string.h>

#include "adapters/ip/packet.h"
#include "base/cursor.h"

/*
 * ICMPv4 messages known not to be errors (RFC 792, RFC 950, RFC 1256): echo, router
 * advertisement/solicitation, timestamp, information, address mask. Every other type, known or
 * not, is treated as an error and never answered (RFC 1122 3.2.2, RFC 1812 4.3.2.7).
 */
static bool icmpv4_is_query(uint8_t type)
{
	switch (type) {
	case 0:
	case 8:
	case 9:
	case 10:
	case 13:
	case 14:
	case 15:
	case 16:
	case 17:
	case 18:
		return true;
	default:
		return false;
	}
}

/* RFC 1812 4.3.2.7: 0/8, 127/8, class D and E (which includes 255.255.255.255). */
static bool v4_source_ok(const uint8_t *a)
{
	return a[0] != 0 && a[0] != 127 && a[0] < 224;
}

static bool v4_dest_ok(const uint8_t *a)
{
	static const uint8_t bcast[4] = {255, 255, 255, 255};

	return (a[0] & 0xf0) != 0xe0 && memcmp(a, bcast, 4) != 0;
}

/* RFC 4443 2.4 e.6: the source must identify a single node. */
static bool v6_source_ok(const uint8_t *a)
{
	static const uint8_t zero[16];
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};

	if (a[0] == 0xff)
		return false;
	if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
		return false; /* :: and ::1 */
	return memcmp(a, mapped, sizeof(mapped)) != 0;
}

/* Whether the offending packet may be answered at all; ICMP_OK or a suppression code. */
static int check_answerable(const uint8_t *pkt, const struct ip_packet_info *in,
			    enum icmp_reason reason)
{
	bool v4 = in->family == IP_FAMILY_V4;
	uint8_t icmp_proto = v4 ? IP_PROTO_ICMP : IP_PROTO_ICMPV6;

	if (!in->upper_known)
		return ICMP_ERR_SUPPRESS_ICMP_ERR; /* a later fragment: its type is unknowable */
	if (in->upper_proto == icmp_proto) {
		if (in->upper_offset >= in->total_len)
			return ICMP_ERR_MALFORMED; /* no room for the type byte */
		uint8_t type = pkt[in->upper_offset];

		if (v4 ? !icmpv4_is_query(type) : type < ICMPV6_TYPE_INFO_MIN)
			return ICMP_ERR_SUPPRESS_ICMP_ERR;
	}
	if (v4) {
		if (!v4_source_ok(in->src.bytes))
			return ICMP_ERR_SUPPRESS_SOURCE;
		if (!v4_dest_ok(in->dst.bytes))
			return ICMP_ERR_SUPPRESS_DEST;
		return ICMP_OK;
	}
	if (!v6_source_ok(in->src.bytes))
		return ICMP_ERR_SUPPRESS_SOURCE;
	if (in->dst.bytes[0] == 0xff && reason != ICMP_REASON_TOO_BIG)
		return ICMP_ERR_SUPPRESS_DEST;
	return ICMP_OK;
}

/* Type, code and the 32-bit field after the checksum, per family and reason. */
static int type_code(bool v4, enum icmp_reason reason, uint32_t mtu, uint8_t *type, uint8_t *code,
		     uint32_t *rest)
{
	*rest = 0;
	*type = v4 ? ICMP_TYPE_DEST_UNREACH : ICMPV6_TYPE_DEST_UNREACH;
	switch (reason) {
	case ICMP_REASON_NO_ROUTE:
		*code = v4 ? ICMP_CODE_NET_UNREACH : ICMPV6_CODE_NO_ROUTE;
		return ICMP_OK;
	case ICMP_REASON_HOST_UNREACH:
		*code = v4 ? ICMP_CODE_HOST_UNREACH : ICMPV6_CODE_ADDR_UNREACH;
		return ICMP_OK;
	case ICMP_REASON_PROHIBITED:
		*code = v4 ? ICMP_CODE_ADMIN_PROHIBITED : ICMPV6_CODE_ADMIN_PROHIBITED;
		return ICMP_OK;
	case ICMP_REASON_TOO_BIG:
		if (v4) {
			/* RFC 1191 4: unused 16 bits, then the next-hop MTU in 16 bits. */
			if (mtu < ICMP_MTU_MIN_V4 || mtu > 0xffff)
				return ICMP_ERR_MTU;
			*code = ICMP_CODE_FRAG_NEEDED;
			*rest = mtu;
			return ICMP_OK;
		}
		if (mtu < ICMP_MTU_MIN_V6)
			return ICMP_ERR_MTU;
		*type = ICMPV6_TYPE_PACKET_TOO_BIG;
		*code = 0;
		*rest = mtu; /* RFC 4443 3.2: the whole 32 bits */
		return ICMP_OK;
	}
	return ICMP_ERR_REASON;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* IPv4 header (RFC 791) then ICMP (RFC 792); DF with ID 0 is an atomic datagram (RFC 6864). */
static void build_v4(const uint8_t *pkt, const struct ip_packet_info *in, const uint8_t *src,
		     uint8_t type, uint8_t code, uint32_t rest, size_t quote, struct wcursor *w)
{
	uint8_t *ip = w->p, *icmp, *csum;
	uint16_t total = (uint16_t)(IPV4_HDR_MIN + ICMP_HDR_LEN + quote);
	bool ok = wcursor_u8(w, 0x45) && wcursor_u8(w, ICMP_REPLY_TOS) && wcursor_u16be(w, total) &&
		  wcursor_u16be(w, 0) && wcursor_u16be(w, IPV4_FLAG_DF) &&
		  wcursor_u8(w, ICMP_REPLY_TTL) && wcursor_u8(w, IP_PROTO_ICMP) &&
		  wcursor_reserve(w, &csum, 2) && wcursor_bytes(w, src, IP_V4_LEN) &&
		  wcursor_bytes(w, in->src.bytes, IP_V4_LEN);

	icmp = w->p;
	ok = ok && wcursor_u8(w, type) && wcursor_u8(w, code) && wcursor_u16be(w, 0) &&
	     wcursor_u32be(w, rest) && wcursor_bytes(w, pkt, quote);
	if (!ok)
		__builtin_trap(); /* space was checked by the caller */
	store_u16be(csum, (uint16_t)~ip_checksum_fold(ip_checksum_add(0, ip, IPV4_HDR_MIN)));
	store_u16be(icmp + 2,
		    (uint16_t)~ip_checksum_fold(ip_checksum_add(0, icmp, ICMP_HDR_LEN + quote)));
}

/* IPv6 header (RFC 8200) then ICMPv6 (RFC 4443) with the pseudo-header checksum (8200 8.1). */
static void build_v6(const uint8_t *pkt, const struct ip_packet_info *in, const uint8_t *src,
		     uint8_t type, uint8_t code, uint32_t rest, size_t quote, struct wcursor *w)
{
	uint8_t *icmp;
	uint16_t plen = (uint16_t)(ICMP_HDR_LEN + quote);
	bool ok = wcursor_u32be(w, 0x60000000u) && wcursor_u16be(w, plen) &&
		  wcursor_u8(w, IP_PROTO_ICMPV6) && wcursor_u8(w, ICMP_REPLY_TTL) &&
		  wcursor_bytes(w, src, IP_V6_LEN) && wcursor_bytes(w, in->src.bytes, IP_V6_LEN);

	icmp = w->p;
	ok = ok && wcursor_u8(w, type) && wcursor_u8(w, code) && wcursor_u16be(w, 0) &&
	     wcursor_u32be(w, rest) && wcursor_bytes(w, pkt, quote);
	if (!ok)
		__builtin_trap(); /* space was checked by the caller */
	uint8_t pseudo[8] = {0, 0, (uint8_t)(plen >> 8), (uint8_t)plen, 0, 0, 0, IP_PROTO_ICMPV6};
	uint32_t sum = ip_checksum_add(0, src, IP_V6_LEN);

	sum = ip_checksum_add(sum, in->src.bytes, IP_V6_LEN);
	sum = ip_checksum_add(sum, pseudo, sizeof(pseudo));
	sum = ip_checksum_add(sum, icmp, plen);
	store_u16be(icmp + 2, (uint16_t)~ip_checksum_fold(sum));
}

int icmp_build_error(const uint8_t *pkt, size_t len, enum icmp_reason reason, uint32_t mtu,
		     const struct ip_addr *src, uint8_t *out, size_t cap, size_t *out_len)
{
	struct ip_packet_info in;
	uint8_t type, code;
	uint32_t rest;

	if (ip_packet_parse(pkt, len, &in) != IP_PACKET_OK)
		return ICMP_ERR_MALFORMED;
	if (src->family != in.family)
		return ICMP_ERR_FAMILY;
	int err = check_answerable(pkt, &in, reason);

	if (err)
		return err;
	bool v4 = in.family == IP_FAMILY_V4;

	err = type_code(v4, reason, mtu, &type, &code, &rest);
	if (err)
		return err;
	size_t hdr = v4 ? IPV4_HDR_MIN : IPV6_HDR_LEN;
	size_t max = v4 ? ICMP_REPLY_MAX_V4 : ICMP_REPLY_MAX_V6;
	size_t quote = min_size(in.total_len, max - hdr - ICMP_HDR_LEN);

	if (cap < hdr + ICMP_HDR_LEN + quote)
		return ICMP_ERR_SPACE;
	struct wcursor w = wcursor_init(out, cap);

	if (v4)
		build_v4(pkt, &in, src->bytes, type, code, rest, quote, &w);
	else
		build_v6(pkt, &in, src->bytes, type, code, rest, quote, &w);
	*out_len = hdr + ICMP_HDR_LEN + quote;
	return ICMP_OK;
}

const char *icmp_strerror(int err)
{
	switch ((enum icmp_err)err) {
	case ICMP_OK:
		return "ok";
	case ICMP_ERR_MALFORMED:
		return "offending packet malformed";
	case ICMP_ERR_SUPPRESS_ICMP_ERR:
		return "not answering an ICMP error or a later fragment";
	case ICMP_ERR_SUPPRESS_SOURCE:
		return "not answering a source that is not one host";
	case ICMP_ERR_SUPPRESS_DEST:
		return "not answering a multicast or broadcast destination";
	case ICMP_ERR_FAMILY:
		return "gateway address family differs from the packet's";
	case ICMP_ERR_MTU:
		return "MTU below the family's minimum";
	case ICMP_ERR_SPACE:
		return "output buffer too small";
	case ICMP_ERR_REASON:
		return "unknown reason";
	}
	return "unknown error";
}
