/* SPDX-License-Identifier: MIT */
/* IPv4 (RFC 791) and IPv6 (RFC 8200) header parsing; see packet.h. */
#include "adapters/ip/packet.h"

#include <string.h>

#include "base/cursor.h"

uint32_t ip_checksum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	size_t i = 0;

	for (; i + 1 < len; i += 2) {
		sum += load_u16be(data + i);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	if (i < len) {
		sum += (uint32_t)data[i] << 8;
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return sum;
}

uint16_t ip_checksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static int parse_v4(const uint8_t *pkt, size_t len, struct ip_packet_info *out)
{
	struct rcursor c = rcursor_init(pkt, len);
	uint8_t vihl, tos, ttl, proto;
	uint16_t total, id, frag, csum;

	if (!rcursor_u8(&c, &vihl) || !rcursor_u8(&c, &tos) || !rcursor_u16be(&c, &total) ||
	    !rcursor_u16be(&c, &id) || !rcursor_u16be(&c, &frag) || !rcursor_u8(&c, &ttl) ||
	    !rcursor_u8(&c, &proto) || !rcursor_u16be(&c, &csum) ||
	    !rcursor_bytes(&c, out->src.bytes, IP_V4_LEN) ||
	    !rcursor_bytes(&c, out->dst.bytes, IP_V4_LEN))
		return IP_PACKET_ERR_SHORT;
	size_t hlen = (size_t)(vihl & 0x0f) * 4;

	if (hlen < IPV4_HDR_MIN)
		return IP_PACKET_ERR_HDR_LEN;
	if (total > len)
		return IP_PACKET_ERR_LENGTH;
	if (hlen > total)
		return IP_PACKET_ERR_HDR_LEN;
	/* A correct header sums to 0xffff, checksum field included (RFC 1071). */
	if (ip_checksum_fold(ip_checksum_add(0, pkt, hlen)) != 0xffff)
		return IP_PACKET_ERR_CHECKSUM;
	out->family = IP_FAMILY_V4;
	out->src.family = out->dst.family = IP_FAMILY_V4;
	out->header_len = hlen;
	out->total_len = total;
	out->next_header = out->upper_proto = proto;
	out->upper_offset = hlen;
	out->fragment = (frag & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)) != 0;
	out->upper_known = (frag & IPV4_FRAG_OFFSET_MASK) == 0;
	out->dont_fragment = (frag & IPV4_FLAG_DF) != 0;
	out->ttl = ttl;
	return IP_PACKET_OK;
}

/*
 * Walks the extension headers (RFC 8200 4) that precede the upper-layer header: Hop-by-Hop,
 * Routing and Destination Options have (len + 1) * 8 bytes, AH (RFC 4302 2.2) (len + 2) * 4,
 * Fragment 8. Anything else is the upper layer (or opaque, like ESP).
 */
static int walk_ext_headers(struct rcursor *c, struct ip_packet_info *out)
{
	uint8_t nh = out->next_header;

	for (int i = 0; i <= IPV6_EXT_HDR_MAX; i++) {
		uint8_t next, hlen;
		size_t skip;

		switch (nh) {
		case IP_PROTO_HOPOPTS:
		case IP_PROTO_ROUTING:
		case IP_PROTO_DSTOPTS:
		case IP_PROTO_AH:
		case IP_PROTO_FRAGMENT:
			break;
		default:
			out->upper_proto = nh;
			out->upper_offset = out->total_len - c->len;
			out->upper_known = true;
			return IP_PACKET_OK;
		}
		if (i == IPV6_EXT_HDR_MAX)
			break;
		struct rcursor h = *c;

		if (!rcursor_u8(&h, &next) || !rcursor_u8(&h, &hlen))
			return IP_PACKET_ERR_EXT_CHAIN;
		if (nh == IP_PROTO_FRAGMENT) {
			uint16_t off;

			if (!rcursor_u16be(&h, &off))
				return IP_PACKET_ERR_EXT_CHAIN;
			out->fragment = true;
			if (off & IPV6_FRAG_OFFSET_MASK) {
				/* A later fragment: the upper-layer header is in the first one. */
				out->upper_proto = next;
				out->upper_known = false;
				return IP_PACKET_OK;
			}
			skip = IPV6_FRAG_HDR_LEN;
		} else if (nh == IP_PROTO_AH) {
			skip = ((size_t)hlen + 2) * 4;
		} else {
			skip = ((size_t)hlen + 1) * 8;
		}
		if (!rcursor_skip(c, skip))
			return IP_PACKET_ERR_EXT_CHAIN;
		nh = next;
	}
	return IP_PACKET_ERR_EXT_CHAIN;
}

static int parse_v6(const uint8_t *pkt, size_t len, struct ip_packet_info *out)
{
	struct rcursor c = rcursor_init(pkt, len);
	uint32_t vtcfl;
	uint16_t plen;
	uint8_t nh, hops;

	if (!rcursor_u32be(&c, &vtcfl) || !rcursor_u16be(&c, &plen) || !rcursor_u8(&c, &nh) ||
	    !rcursor_u8(&c, &hops) || !rcursor_bytes(&c, out->src.bytes, IP_V6_LEN) ||
	    !rcursor_bytes(&c, out->dst.bytes, IP_V6_LEN))
		return IP_PACKET_ERR_SHORT;
	/* Payload length 0 with a Hop-by-Hop header means a jumbogram (RFC 2675): not on a TUN
	 * whose MTU is at most 65535, so it is rejected as a length error. */
	if (plen == 0 && nh == IP_PROTO_HOPOPTS)
		return IP_PACKET_ERR_LENGTH;
	if ((size_t)plen > c.len)
		return IP_PACKET_ERR_LENGTH;
	out->family = IP_FAMILY_V6;
	out->src.family = out->dst.family = IP_FAMILY_V6;
	out->header_len = IPV6_HDR_LEN;
	out->total_len = IPV6_HDR_LEN + (size_t)plen;
	out->next_header = nh;
	out->dont_fragment = true;
	out->fragment = false;
	out->ttl = hops;
	struct rcursor payload;

	if (!rcursor_sub(&c, &payload, plen))
		return IP_PACKET_ERR_LENGTH;
	return walk_ext_headers(&payload, out);
}

int ip_packet_parse(const uint8_t *pkt, size_t len, struct ip_packet_info *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 1)
		return IP_PACKET_ERR_SHORT;
	switch (pkt[0] >> 4) {
	case 4:
		return parse_v4(pkt, len, out);
	case 6:
		return parse_v6(pkt, len, out);
	default:
		return IP_PACKET_ERR_VERSION;
	}
}

const char *ip_packet_strerror(int err)
{
	switch ((enum ip_packet_err)err) {
	case IP_PACKET_OK:
		return "ok";
	case IP_PACKET_ERR_SHORT:
		return "shorter than an IP header";
	case IP_PACKET_ERR_VERSION:
		return "IP version neither 4 nor 6";
	case IP_PACKET_ERR_HDR_LEN:
		return "IPv4 header length invalid";
	case IP_PACKET_ERR_LENGTH:
		return "IP length field past the packet";
	case IP_PACKET_ERR_CHECKSUM:
		return "IPv4 header checksum wrong";
	case IP_PACKET_ERR_EXT_CHAIN:
		return "IPv6 extension headers truncated or too many";
	}
	return "unknown error";
}
