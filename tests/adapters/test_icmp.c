/* SPDX-License-Identifier: MIT */
/*
 * ICMP/ICMPv6 error replies: every header field of crafted replies, checksums verified here by
 * an independent one's-complement sum, quotes cut at 576/1280 bytes in all, and every rule for
 * not answering (ICMP errors, fragments, multicast/broadcast/unspecified sources and
 * destinations); the header parser on valid and malformed packets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/ip/icmp.h"
#include "adapters/ip/packet.h"

static uint8_t pkt[2048];
static uint8_t out[ICMP_REPLY_MAX];

/* RFC 1071 over 16-bit words, written independently of packet.c: sum all words as a 64-bit
 * integer, then fold. A correct checksummed region sums to 0xffff. */
static uint16_t fold_sum(const uint8_t *p, size_t n, uint64_t sum)
{
	for (size_t i = 0; i < n; i++)
		sum += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void v4addr(uint8_t *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	p[0] = a;
	p[1] = b;
	p[2] = c;
	p[3] = d;
}

/* An IPv4 packet of total bytes from 10.0.0.2 to 192.0.2.1, proto, payload a counting pattern. */
static size_t make_v4(size_t total, uint8_t proto, uint16_t frag)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(total >> 8);
	pkt[3] = (uint8_t)total;
	pkt[4] = 0x12;
	pkt[5] = 0x34;
	pkt[6] = (uint8_t)(frag >> 8);
	pkt[7] = (uint8_t)frag;
	pkt[8] = 63;
	pkt[9] = proto;
	v4addr(pkt + 12, 10, 0, 0, 2);
	v4addr(pkt + 16, 192, 0, 2, 1);
	for (size_t i = 20; i < total; i++)
		pkt[i] = (uint8_t)i;
	return total;
}

static void v4_fix_csum(void)
{
	pkt[10] = pkt[11] = 0;
	uint16_t c = (uint16_t)~fold_sum(pkt, (size_t)(pkt[0] & 0xf) * 4, 0);

	pkt[10] = (uint8_t)(c >> 8);
	pkt[11] = (uint8_t)c;
}

static size_t make_v4_ok(size_t total, uint8_t proto, uint16_t frag)
{
	size_t n = make_v4(total, proto, frag);

	v4_fix_csum();
	return n;
}

static const struct ip_addr gw4 = {.family = IP_FAMILY_V4, .bytes = {10, 0, 0, 1}};
static const struct ip_addr gw6 = {.family = IP_FAMILY_V6,
				   .bytes = {0xfd, 0, [14] = 0xff, [15] = 1}};

/* Checks every field of an IPv4 ICMP error reply to pkt[0..plen). */
static void check_v4_reply(size_t rlen, size_t plen, uint8_t code, uint16_t mtu)
{
	size_t quote = plen < 548 ? plen : 548;

	assert_int_equal(rlen, 20 + 8 + quote);
	assert_true(rlen <= 576);
	assert_int_equal(out[0], 0x45);
	assert_int_equal(out[1], 0xc0);
	assert_int_equal(be16(out + 2), rlen);
	assert_int_equal(be16(out + 4), 0);
	assert_int_equal(be16(out + 6), 0x4000); /* DF, offset 0 */
	assert_int_equal(out[8], 64);
	assert_int_equal(out[9], 1);
	assert_int_equal(fold_sum(out, 20, 0), 0xffff);
	assert_memory_equal(out + 12, gw4.bytes, 4);
	assert_memory_equal(out + 16, pkt + 12, 4); /* to the offending source */
	const uint8_t *icmp = out + 20;

	assert_int_equal(icmp[0], 3);
	assert_int_equal(icmp[1], code);
	assert_int_equal(fold_sum(icmp, rlen - 20, 0), 0xffff);
	assert_int_equal(be16(icmp + 4), 0);
	assert_int_equal(be16(icmp + 6), mtu);
	assert_memory_equal(icmp + 8, pkt, quote);
}

static int build(size_t plen, enum icmp_reason reason, uint32_t mtu, const struct ip_addr *src,
		 size_t *rlen)
{
	memset(out, 0xee, sizeof(out));
	return icmp_build_error(pkt, plen, reason, mtu, src, out, sizeof(out), rlen);
}

static void test_v4_unreach(void **state)
{
	size_t rlen, n;

	(void)state;
	n = make_v4_ok(60, IP_PROTO_UDP, 0);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 0, 0);
	assert_int_equal(build(n, ICMP_REASON_HOST_UNREACH, 0, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 1, 0);
	assert_int_equal(build(n, ICMP_REASON_PROHIBITED, 0, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 13, 0);
	/* Trailing bytes past the total length (link padding) are not quoted. */
	assert_int_equal(build(n + 20, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 0, 0);
	/* A big packet: the reply is exactly 576 bytes, the quote cut at 548. */
	n = make_v4_ok(1400, IP_PROTO_TCP, 0x4000);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_OK);
	assert_int_equal(rlen, 576);
	check_v4_reply(rlen, n, 0, 0);
	/* Exactly header + 8 bytes. */
	n = make_v4_ok(28, IP_PROTO_UDP, 0);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 0, 0);
	/* An ICMP query is answered. */
	n = make_v4_ok(84, IP_PROTO_ICMP, 0);
	pkt[20] = ICMP_TYPE_ECHO_REQUEST;
	v4_fix_csum();
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 0, 0);
	/* The first fragment of a datagram is answered. */
	n = make_v4_ok(100, IP_PROTO_UDP, IPV4_FLAG_MF);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_OK);
	/* Output too small: refused, nothing claimed. */
	assert_int_equal(icmp_build_error(pkt, n, ICMP_REASON_NO_ROUTE, 0, &gw4, out, 100, &rlen),
			 ICMP_ERR_SPACE);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_ERR_FAMILY);
	assert_int_equal(build(n, (enum icmp_reason)99, 0, &gw4, &rlen), ICMP_ERR_REASON);
}

static void test_v4_frag_needed(void **state)
{
	size_t rlen, n = make_v4_ok(1400, IP_PROTO_UDP, IPV4_FLAG_DF);
	struct ip_packet_info info;

	(void)state;
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_OK);
	assert_true(info.dont_fragment);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 1200, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 4, 1200);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 68, &gw4, &rlen), ICMP_OK);
	check_v4_reply(rlen, n, 4, 68);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 67, &gw4, &rlen), ICMP_ERR_MTU);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 65536, &gw4, &rlen), ICMP_ERR_MTU);
}

static void test_v4_suppressed(void **state)
{
	static const uint8_t icmp_errors[] = {3, 4, 5, 11, 12, 42, 255};
	static const uint8_t bad_src[][4] = {
	    {0, 0, 0, 0},   {0, 1, 2, 3},   {127, 0, 0, 1},	  {224, 0, 0, 1},
	    {239, 1, 1, 1}, {240, 0, 0, 1}, {255, 255, 255, 255},
	};
	static const uint8_t bad_dst[][4] = {
	    {224, 0, 0, 5}, {239, 255, 255, 250}, {255, 255, 255, 255}};
	size_t rlen, n;

	(void)state;
	for (size_t i = 0; i < sizeof(icmp_errors); i++) {
		n = make_v4(70, IP_PROTO_ICMP, 0);
		pkt[20] = icmp_errors[i];
		v4_fix_csum();
		assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen),
				 ICMP_ERR_SUPPRESS_ICMP_ERR);
	}
	/* A later fragment (offset != 0), of any protocol. */
	n = make_v4_ok(100, IP_PROTO_UDP, 185);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen),
			 ICMP_ERR_SUPPRESS_ICMP_ERR);
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		n = make_v4(60, IP_PROTO_UDP, 0);
		memcpy(pkt + 12, bad_src[i], 4);
		v4_fix_csum();
		assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen),
				 ICMP_ERR_SUPPRESS_SOURCE);
	}
	for (size_t i = 0; i < sizeof(bad_dst) / sizeof(bad_dst[0]); i++) {
		n = make_v4(60, IP_PROTO_UDP, 0);
		memcpy(pkt + 16, bad_dst[i], 4);
		v4_fix_csum();
		assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 1200, &gw4, &rlen),
				 ICMP_ERR_SUPPRESS_DEST);
	}
}

static void test_v4_malformed(void **state)
{
	size_t rlen, n;
	struct ip_packet_info info;

	(void)state;
	n = make_v4(60, IP_PROTO_UDP, 0); /* checksum left zero */
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_ERR_CHECKSUM);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_ERR_MALFORMED);
	n = make_v4_ok(60, IP_PROTO_UDP, 0);
	assert_int_equal(ip_packet_parse(pkt, 59, &info), IP_PACKET_ERR_LENGTH);
	assert_int_equal(ip_packet_parse(pkt, 19, &info), IP_PACKET_ERR_SHORT);
	assert_int_equal(ip_packet_parse(pkt, 0, &info), IP_PACKET_ERR_SHORT);
	pkt[0] = 0x44;
	v4_fix_csum();
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_ERR_HDR_LEN);
	pkt[0] = 0x4f; /* 60-byte header in a 60-byte packet is fine; in a 40-byte one not */
	pkt[3] = 40;
	v4_fix_csum();
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_ERR_HDR_LEN);
	pkt[0] = 0x55;
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_ERR_VERSION);
	/* An ICMP packet without room for its type byte. */
	n = make_v4_ok(20, IP_PROTO_ICMP, 0);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_ERR_MALFORMED);
	/* Parsed fields of a good one. */
	n = make_v4_ok(60, IP_PROTO_UDP, IPV4_FLAG_MF);
	assert_int_equal(ip_packet_parse(pkt, n + 3, &info), IP_PACKET_OK);
	assert_int_equal(info.family, IP_FAMILY_V4);
	assert_int_equal(info.total_len, 60);
	assert_int_equal(info.header_len, 20);
	assert_int_equal(info.next_header, IP_PROTO_UDP);
	assert_int_equal(info.upper_offset, 20);
	assert_true(info.fragment);
	assert_true(info.upper_known);
	assert_false(info.dont_fragment);
	assert_int_equal(info.ttl, 63);
	assert_memory_equal(info.src.bytes, pkt + 12, 4);
	assert_memory_equal(info.dst.bytes, pkt + 16, 4);
	assert_string_not_equal(ip_packet_strerror(IP_PACKET_ERR_LENGTH), "unknown error");
	assert_string_not_equal(icmp_strerror(ICMP_ERR_SUPPRESS_SOURCE), "unknown error");
}

/* An IPv6 packet from fd00::2 to 2001:db8::1: fixed header, then ext[0..ext_len), then
 * an upper-layer part of upper bytes (first byte: type). */
static size_t make_v6(uint8_t nh, const uint8_t *ext, size_t ext_len, size_t upper, uint8_t type)
{
	size_t plen = ext_len + upper;

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[1] = 0x0a; /* some traffic class and flow label, to be ignored */
	pkt[3] = 0x55;
	pkt[4] = (uint8_t)(plen >> 8);
	pkt[5] = (uint8_t)plen;
	pkt[6] = nh;
	pkt[7] = 50;
	pkt[8] = 0xfd;
	pkt[23] = 2;
	pkt[24] = 0x20;
	pkt[25] = 0x01;
	pkt[26] = 0x0d;
	pkt[27] = 0xb8;
	pkt[39] = 1;
	if (ext_len)
		memcpy(pkt + 40, ext, ext_len);
	for (size_t i = 0; i < upper; i++)
		pkt[40 + ext_len + i] = (uint8_t)(i * 7);
	if (upper)
		pkt[40 + ext_len] = type;
	return 40 + plen;
}

static void check_v6_reply(size_t rlen, size_t plen, uint8_t type, uint8_t code, uint32_t rest)
{
	size_t quote = plen < 1232 ? plen : 1232;
	uint8_t pseudo[40];

	assert_int_equal(rlen, 40 + 8 + quote);
	assert_true(rlen <= 1280);
	assert_int_equal(be32(out), 0x60000000u);
	assert_int_equal(be16(out + 4), rlen - 40);
	assert_int_equal(out[6], 58);
	assert_int_equal(out[7], 64);
	assert_memory_equal(out + 8, gw6.bytes, 16);
	assert_memory_equal(out + 24, pkt + 8, 16);
	const uint8_t *icmp = out + 40;

	assert_int_equal(icmp[0], type);
	assert_int_equal(icmp[1], code);
	assert_int_equal(be32(icmp + 4), rest);
	assert_memory_equal(icmp + 8, pkt, quote);
	/* RFC 8200 8.1 pseudo-header: src, dst, 32-bit length, 3 zero bytes, next header. */
	memcpy(pseudo, out + 8, 32);
	pseudo[32] = pseudo[33] = 0;
	pseudo[34] = (uint8_t)((rlen - 40) >> 8);
	pseudo[35] = (uint8_t)(rlen - 40);
	pseudo[36] = pseudo[37] = pseudo[38] = 0;
	pseudo[39] = 58;
	uint16_t ps = fold_sum(pseudo, sizeof(pseudo), 0);

	assert_int_equal(fold_sum(icmp, rlen - 40, ps), 0xffff);
}

static void test_v6_replies(void **state)
{
	size_t rlen, n;

	(void)state;
	n = make_v6(IP_PROTO_UDP, NULL, 0, 33, 0);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 1, 0, 0);
	assert_int_equal(build(n, ICMP_REASON_HOST_UNREACH, 0, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 1, 3, 0);
	assert_int_equal(build(n, ICMP_REASON_PROHIBITED, 0, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 1, 1, 0);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 1280, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 2, 0, 1280);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 70000, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 2, 0, 70000);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 1279, &gw6, &rlen), ICMP_ERR_MTU);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw4, &rlen), ICMP_ERR_FAMILY);
	/* Big: cut to 1280 in all. */
	n = make_v6(IP_PROTO_TCP, NULL, 0, 1460, 0);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 1400, &gw6, &rlen), ICMP_OK);
	assert_int_equal(rlen, 1280);
	check_v6_reply(rlen, n, 2, 0, 1400);
	/* An echo request is answered; so is an odd-length packet (checksum pad byte). */
	n = make_v6(IP_PROTO_ICMPV6, NULL, 0, 17, 128);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 1, 0, 0);
	/* Multicast destination: only packet too big is sent (RFC 4443 2.4 e.3). */
	n = make_v6(IP_PROTO_UDP, NULL, 0, 40, 0);
	pkt[24] = 0xff;
	pkt[25] = 0x02;
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_ERR_SUPPRESS_DEST);
	assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 1280, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 2, 0, 1280);
}

static void test_v6_ext_headers(void **state)
{
	/* Hop-by-Hop (8 bytes) -> Destination Options (16 bytes) -> ICMPv6. */
	uint8_t ext[24] = {IP_PROTO_DSTOPTS, 0, 1, 4, [8] = IP_PROTO_ICMPV6, [9] = 1};
	uint8_t frag[8] = {IP_PROTO_ICMPV6, 0, 0, 1, 0, 0, 0, 9};
	struct ip_packet_info info;
	size_t rlen, n;

	(void)state;
	n = make_v6(IP_PROTO_HOPOPTS, ext, sizeof(ext), 48, 1);
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_OK);
	assert_int_equal(info.next_header, IP_PROTO_HOPOPTS);
	assert_int_equal(info.upper_proto, IP_PROTO_ICMPV6);
	assert_int_equal(info.upper_offset, 64);
	assert_int_equal(info.total_len, n);
	assert_true(info.upper_known);
	assert_false(info.fragment);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen),
			 ICMP_ERR_SUPPRESS_ICMP_ERR);
	n = make_v6(IP_PROTO_HOPOPTS, ext, sizeof(ext), 48, 129); /* echo reply */
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 1, 0, 0);
	/* First fragment carrying an ICMPv6 error: suppressed; carrying UDP: answered. */
	n = make_v6(IP_PROTO_FRAGMENT, frag, sizeof(frag), 48, 2);
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_OK);
	assert_true(info.fragment);
	assert_int_equal(info.upper_offset, 48);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen),
			 ICMP_ERR_SUPPRESS_ICMP_ERR);
	frag[0] = IP_PROTO_UDP;
	n = make_v6(IP_PROTO_FRAGMENT, frag, sizeof(frag), 48, 2);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_OK);
	/* A later fragment: upper layer unknown, never answered. */
	frag[3] = 0x08; /* offset 1 (8 bytes), M set */
	frag[3] |= 1;
	n = make_v6(IP_PROTO_FRAGMENT, frag, sizeof(frag), 48, 0);
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_OK);
	assert_false(info.upper_known);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen),
			 ICMP_ERR_SUPPRESS_ICMP_ERR);
	/* Extension chain running past the payload. */
	ext[9] = 10;
	n = make_v6(IP_PROTO_HOPOPTS, ext, sizeof(ext), 0, 0);
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_ERR_EXT_CHAIN);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_ERR_MALFORMED);
	/* Too many extension headers (a loop of Destination Options). */
	uint8_t loop[80];

	for (size_t i = 0; i < sizeof(loop); i += 8) {
		memset(loop + i, 0, 8);
		loop[i] = IP_PROTO_DSTOPTS;
	}
	n = make_v6(IP_PROTO_DSTOPTS, loop, sizeof(loop), 8, 0);
	assert_int_equal(ip_packet_parse(pkt, n, &info), IP_PACKET_ERR_EXT_CHAIN);
	/* No Next Header: answered (nothing to learn about it). */
	n = make_v6(IP_PROTO_NONE, NULL, 0, 0, 0);
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_OK);
	check_v6_reply(rlen, n, 1, 0, 0);
}

static void test_v6_suppressed_and_malformed(void **state)
{
	static const uint8_t bad_src[][16] = {
	    {0},
	    {[15] = 1},
	    {0xff, 0x02, [15] = 1},
	    {[10] = 0xff, [11] = 0xff, [12] = 10, [15] = 1},
	};
	struct ip_packet_info info;
	size_t rlen, n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		n = make_v6(IP_PROTO_UDP, NULL, 0, 20, 0);
		memcpy(pkt + 8, bad_src[i], 16);
		assert_int_equal(build(n, ICMP_REASON_TOO_BIG, 1280, &gw6, &rlen),
				 ICMP_ERR_SUPPRESS_SOURCE);
	}
	for (uint8_t t = 0; t < 128; t += 9) {
		n = make_v6(IP_PROTO_ICMPV6, NULL, 0, 20, t);
		assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen),
				 ICMP_ERR_SUPPRESS_ICMP_ERR);
	}
	n = make_v6(IP_PROTO_ICMPV6, NULL, 0, 0, 0); /* no type byte */
	assert_int_equal(build(n, ICMP_REASON_NO_ROUTE, 0, &gw6, &rlen), ICMP_ERR_MALFORMED);
	n = make_v6(IP_PROTO_UDP, NULL, 0, 20, 0);
	assert_int_equal(ip_packet_parse(pkt, n - 1, &info), IP_PACKET_ERR_LENGTH);
	assert_int_equal(ip_packet_parse(pkt, 39, &info), IP_PACKET_ERR_SHORT);
	assert_int_equal(ip_packet_parse(pkt, n + 9, &info), IP_PACKET_OK);
	assert_int_equal(info.total_len, n);
	assert_true(info.dont_fragment);
	assert_int_equal(info.ttl, 50);
	/* Jumbogram form (payload length 0 with Hop-by-Hop): rejected. */
	n = make_v6(IP_PROTO_HOPOPTS, NULL, 0, 0, 0);
	assert_int_equal(ip_packet_parse(pkt, n + 8, &info), IP_PACKET_ERR_LENGTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_v4_unreach),
	    cmocka_unit_test(test_v4_frag_needed),
	    cmocka_unit_test(test_v4_suppressed),
	    cmocka_unit_test(test_v4_malformed),
	    cmocka_unit_test(test_v6_replies),
	    cmocka_unit_test(test_v6_ext_headers),
	    cmocka_unit_test(test_v6_suppressed_and_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
