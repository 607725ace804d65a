/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's pure parts: the announcement codec (round trip, every rejection), the
 * allow-list and overlap decisions (table-driven, and first-announcer-wins recomputes), and
 * the egress and ingress decisions on a real LPM table with real IPv4/IPv6 packets.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/ip/ipadapter_announce.h"
#include "adapters/ip/ipadapter_route.h"
#include "adapters/ip/packet.h"

#define V(n) ((void *)(uintptr_t)(n))

static struct cidr P(const char *s) {
	struct cidr c;

	if (cidr_parse(s, &c) != CIDR_OK)
		fail_msg("bad prefix in test: %s", s);
	return c;
}

static struct ip_addr
A(const char *s) {
	struct ip_addr a;

	if (ip_addr_parse(s, &a) != CIDR_OK)
		fail_msg("bad address in test: %s", s);
	return a;
}

/* ---- announcement codec ---- */

static void
test_announce_roundtrip(void **state)
{
	struct cidr in[] = {P("10.1.0.0/16"), P("fd00:1::/64"), P("0.0.0.0/0"), P("::/0"),
			    P("192.0.2.1/32")};
	struct cidr out[IPA_MSG_SUBNETS_MAX];
	uint8_t msg[IPA_MSG_MAX];
	size_t len, n;

	(void)state;
	assert_int_equal(ipa_msg_encode_subnets(in, 5, msg, sizeof(msg), &len), IPA_MSG_OK);
	assert_int_equal(len, 6 + (2 + 4) * 3 + (2 + 16) * 2);
	assert_int_equal(msg[0], 'I');
	assert_int_equal(msg[1], 1);
	assert_int_equal(msg[2], 1);
	assert_int_equal(msg[3], 0);
	assert_int_equal(msg[4] << 8 | msg[5], 5);
	assert_int_equal(ipa_msg_decode_subnets(msg, len, out, IPA_MSG_SUBNETS_MAX, &n),
			 IPA_MSG_OK);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].len, in[i].len);
		assert_true(ip_addr_equal(&out[i].addr, &in[i].addr));
	}
	/* An empty set withdraws everything: valid. */
	assert_int_equal(ipa_msg_encode_subnets(in, 0, msg, sizeof(msg), &len), IPA_MSG_OK);
	assert_int_equal(len, IPA_MSG_HDR_LEN);
	assert_int_equal(ipa_msg_decode_subnets(msg, len, out, 4, &n), IPA_MSG_OK);
	assert_int_equal(n, 0);
	/* Every cut is "truncated", never a crash or a partial success. */
	assert_int_equal(ipa_msg_encode_subnets(in, 5, msg, sizeof(msg), &len), IPA_MSG_OK);
	for (size_t cut = 1; cut < len; cut++)
		assert_int_equal(ipa_msg_decode_subnets(msg, cut, out, IPA_MSG_SUBNETS_MAX, &n),
				 IPA_MSG_ERR_SHORT);
	/* Encoding into too small a buffer fails. */
	assert_int_equal(ipa_msg_encode_subnets(in, 5, msg, len - 1, &len), IPA_MSG_ERR_SPACE);
}

struct bad_msg {
	const char *name;
	uint8_t bytes[32];
	size_t len;
	int want;
};

static void test_announce_rejects(void **state)
{
	static const struct bad_msg cases[] = {
	    {"empty", {0}, 0, IPA_MSG_ERR_SHORT},
	    {"udp adapter", {'U', 1, 1, 0, 0, 0}, 6, IPA_MSG_ERR_OTHER_ADAPTER},
	    {"version 2", {'I', 2, 1, 0, 0, 0}, 6, IPA_MSG_ERR_VERSION},
	    {"type 9", {'I', 1, 9, 0, 0, 0}, 6, IPA_MSG_ERR_TYPE},
	    {"flags", {'I', 1, 1, 0x80, 0, 0}, 6, IPA_MSG_ERR_FLAGS},
	    {"count 257", {'I', 1, 1, 0, 1, 1}, 6, IPA_MSG_ERR_COUNT},
	    {"family 5", {'I', 1, 1, 0, 0, 1, 5, 8, 10, 0, 0, 0}, 12, IPA_MSG_ERR_FAMILY},
	    {"v4 /33", {'I', 1, 1, 0, 0, 1, 4, 33, 10, 0, 0, 0}, 12, IPA_MSG_ERR_PREFIX},
	    {"host bits", {'I', 1, 1, 0, 0, 1, 4, 8, 10, 0, 0, 1}, 12, IPA_MSG_ERR_PREFIX},
	    {"v6 /129",
	     {'I', 1, 1, 0, 0, 1, 6, 129, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
	     24,
	     IPA_MSG_ERR_PREFIX},
	    {"duplicate",
	     {'I', 1, 1, 0, 0, 2, 4, 8, 10, 0, 0, 0, 4, 8, 10, 0, 0, 0},
	     18,
	     IPA_MSG_ERR_DUPLICATE},
	    {"trailing", {'I', 1, 1, 0, 0, 1, 4, 8, 10, 0, 0, 0, 0}, 13, IPA_MSG_ERR_TRAILING},
	    {"count past entries", {'I', 1, 1, 0, 0, 2, 4, 8, 10, 0, 0, 0}, 12, IPA_MSG_ERR_SHORT},
	};
	struct cidr out[IPA_MSG_SUBNETS_MAX];
	size_t n = 99;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = ipa_msg_decode_subnets(cases[i].bytes, cases[i].len, out,
						 IPA_MSG_SUBNETS_MAX, &n);

		if (got != cases[i].want)
			fail_msg("%s: got %d (%s), want %d", cases[i].name, got,
				 ipa_msg_strerror(got), cases[i].want);
		assert_int_equal(n, 0);
	}
	/* The caller's cap is a bound too. */
	static const uint8_t two[] = {'I', 1, 1, 0, 0, 2, 4, 8, 10, 0, 0, 0, 4, 8, 11, 0, 0, 0};
	assert_int_equal(ipa_msg_decode_subnets(two, sizeof(two), out, 1, &n), IPA_MSG_ERR_COUNT);
	assert_int_equal(ipa_msg_decode_subnets(two, sizeof(two), out, 2, &n), IPA_MSG_OK);
	/* Encode refuses what decode would refuse. */
	struct cidr bad = P("10.0.0.0/8");
	size_t len;
	uint8_t msg[64];
	bad.addr.bytes[3] = 1;
	assert_int_equal(ipa_msg_encode_subnets(&bad, 1, msg, sizeof(msg), &len),
			 IPA_MSG_ERR_PREFIX);
	assert_int_equal(
	    ipa_msg_encode_subnets(out, IPA_MSG_SUBNETS_MAX + 1, msg, sizeof(msg), &len),
	    IPA_MSG_ERR_COUNT);
}

/* ---- allow-list and overlap decisions ---- */

struct route_case {
	const char *prefix;
	uintptr_t owner;
	enum ipa_route_verdict want;
	uintptr_t conflict;
};

static void test_route_decide(void **state)
{
	const struct cidr allowed[] = {P("10.0.0.0/8"), P("fd00::/16")};
	const struct ipa_allow allow = {.any = false, .prefixes = allowed, .n = 2};
	const struct ipa_allow any = {.any = true};
	const struct ipa_allow none = {.any = false};
	const struct cidr local[] = {P("10.1.0.0/16"), P("fd00:1::/64")};
	const struct ipa_route accepted[] = {{P("10.2.0.0/16"), V(1)}, {P("fd00:2::/48"), V(1)}};
	static const struct route_case cases[] = {
	    {"10.3.0.0/16", 2, IPA_ROUTE_ACCEPT, 0},
	    {"10.0.0.0/8", 2, IPA_ROUTE_LOCAL, 0},     /* contains a local subnet */
	    {"10.1.2.0/24", 2, IPA_ROUTE_LOCAL, 0},    /* inside a local subnet */
	    {"10.2.3.0/24", 2, IPA_ROUTE_CONFLICT, 1}, /* inside peer 1's */
	    {"10.2.0.0/15", 2, IPA_ROUTE_CONFLICT, 1}, /* contains peer 1's */
	    {"10.2.0.0/16", 2, IPA_ROUTE_CONFLICT, 1}, /* the same as peer 1's */
	    {"10.2.3.0/24", 1, IPA_ROUTE_ACCEPT, 0},   /* peer 1 nesting its own */
	    {"11.0.0.0/8", 2, IPA_ROUTE_NOT_ALLOWED, 0},
	    {"0.0.0.0/0", 2, IPA_ROUTE_NOT_ALLOWED, 0},
	    {"fd00:3::/48", 2, IPA_ROUTE_ACCEPT, 0},
	    {"fd00:2:0:1::/64", 2, IPA_ROUTE_CONFLICT, 1},
	    {"fd00:1::/96", 2, IPA_ROUTE_LOCAL, 0},
	    {"fe80::/10", 2, IPA_ROUTE_NOT_ALLOWED, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cidr p = P(cases[i].prefix);
		void *conflict = NULL;
		enum ipa_route_verdict v = ipa_route_decide(&p, V(cases[i].owner), &allow, local, 2,
							    accepted, 2, &conflict);

		if (v != cases[i].want)
			fail_msg("%s from %u: %s, want %s", cases[i].prefix,
				 (unsigned)cases[i].owner, ipa_route_verdict_name(v),
				 ipa_route_verdict_name(cases[i].want));
		assert_ptr_equal(conflict, V(cases[i].conflict));
	}
	/* Any allows everything not local or taken; none allows nothing. */
	struct cidr p = P("0.0.0.0/1");
	assert_int_equal(ipa_route_decide(&p, V(2), &any, NULL, 0, NULL, 0, NULL),
			 IPA_ROUTE_ACCEPT);
	assert_int_equal(ipa_route_decide(&p, V(2), &any, local, 2, NULL, 0, NULL),
			 IPA_ROUTE_LOCAL);
	assert_int_equal(ipa_route_decide(&p, V(2), &none, NULL, 0, NULL, 0, NULL),
			 IPA_ROUTE_NOT_ALLOWED);
	/* Families never overlap. */
	struct cidr v4all = P("0.0.0.0/0"), v6all = P("::/0");
	assert_false(ipa_prefix_overlap(&v4all, &v6all));
	assert_true(ipa_prefix_overlap(&v6all, &v6all));
}

static void test_routes_compute_first_wins(void **state)
{
	const struct ipa_allow any = {.any = true};
	const struct cidr a_subnets[] = {P("10.2.0.0/16"), P("10.9.0.0/16")};
	const struct cidr b_subnets[] = {P("10.2.0.0/24"), P("10.3.0.0/16"), P("10.1.0.0/24")};
	const struct cidr local[] = {P("10.1.0.0/16")};
	enum ipa_route_verdict va[2], vb[3];
	struct ipa_announcer ann[2] = {
	    {V(1), &any, a_subnets, 2, va},
	    {V(2), &any, b_subnets, 3, vb},
	};
	struct ipa_route out[8];
	size_t n;

	(void)state;
	n = ipa_routes_compute(ann, 2, local, 1, out, 8);
	assert_int_equal(n, 3);
	assert_int_equal(va[0], IPA_ROUTE_ACCEPT);
	assert_int_equal(va[1], IPA_ROUTE_ACCEPT);
	assert_int_equal(vb[0], IPA_ROUTE_CONFLICT);
	assert_int_equal(vb[1], IPA_ROUTE_ACCEPT);
	assert_int_equal(vb[2], IPA_ROUTE_LOCAL);
	assert_ptr_equal(out[2].owner, V(2));

	/* Peer 1 withdraws 10.2.0.0/16: on the recompute peer 2 gets 10.2.0.0/24. */
	ann[0].n = 1;
	ann[0].subnets = &a_subnets[1];
	n = ipa_routes_compute(ann, 2, local, 1, out, 8);
	assert_int_equal(n, 3);
	assert_int_equal(vb[0], IPA_ROUTE_ACCEPT);

	/* The output bound is a verdict, not an overflow. */
	n = ipa_routes_compute(ann, 2, local, 1, out, 2);
	assert_int_equal(n, 2);
	assert_int_equal(vb[1], IPA_ROUTE_FULL);
}

/* ---- egress and ingress ---- */

static size_t ipv4_packet(uint8_t *b, const char *src, const char *dst)
{
	struct ip_addr s = A(src), d = A(dst);

	memset(b, 0, 28);
	b[0] = 0x45;
	b[3] = 28; /* total length: header + 8-byte UDP header */
	b[8] = 64;
	b[9] = IP_PROTO_UDP;
	memcpy(b + 12, s.bytes, 4);
	memcpy(b + 16, d.bytes, 4);
	uint16_t sum = (uint16_t)~ip_checksum_fold(ip_checksum_add(0, b, 20));
	b[10] = (uint8_t)(sum >> 8);
	b[11] = (uint8_t)sum;
	return 28;
}

static size_t ipv6_packet(uint8_t *b, const char *src, const char *dst)
{
	struct ip_addr s = A(src), d = A(dst);

	memset(b, 0, 48);
	b[0] = 0x60;
	b[5] = 8; /* payload length */
	b[6] = IP_PROTO_UDP;
	b[7] = 64;
	memcpy(b + 8, s.bytes, 16);
	memcpy(b + 24, d.bytes, 16);
	return 48;
}

static void test_egress_ingress(void **state)
{
	struct lpm *t = lpm_create(0);
	const struct cidr local[] = {P("10.1.0.0/16"), P("fd00:1::/64")};
	const struct ip_addr tun = A("10.1.255.254");
	struct cidr r1 = P("10.2.0.0/16"), r2 = P("10.0.0.0/8"), r3 = P("fd00:2::/64");
	uint8_t pkt[64];
	size_t len;
	void *o;

	(void)state;
	assert_non_null(t);
	assert_int_equal(lpm_insert(t, &r1, V(1)), LPM_OK);
	assert_int_equal(lpm_insert(t, &r2, V(2)), LPM_OK);
	assert_int_equal(lpm_insert(t, &r3, V(1)), LPM_OK);

	/* Longest prefix wins. */
	len = ipv4_packet(pkt, "10.1.0.5", "10.2.3.4");
	assert_int_equal(ipa_egress_decide(t, pkt, len, &o), IPA_EGRESS_SEND);
	assert_ptr_equal(o, V(1));
	len = ipv4_packet(pkt, "10.1.0.5", "10.3.3.4");
	assert_int_equal(ipa_egress_decide(t, pkt, len, &o), IPA_EGRESS_SEND);
	assert_ptr_equal(o, V(2));
	len = ipv4_packet(pkt, "10.1.0.5", "192.0.2.1");
	assert_int_equal(ipa_egress_decide(t, pkt, len, &o), IPA_EGRESS_NO_ROUTE);
	assert_int_equal(ipa_egress_decide(NULL, pkt, len, &o), IPA_EGRESS_NO_ROUTE);
	len = ipv6_packet(pkt, "fd00:1::5", "fd00:2::9");
	assert_int_equal(ipa_egress_decide(t, pkt, len, &o), IPA_EGRESS_SEND);
	assert_ptr_equal(o, V(1));
	len = ipv6_packet(pkt, "fd00:1::5", "fd00:3::9");
	assert_int_equal(ipa_egress_decide(t, pkt, len, &o), IPA_EGRESS_NO_ROUTE);
	assert_int_equal(ipa_egress_decide(t, pkt, 20, &o), IPA_EGRESS_MALFORMED);
	pkt[0] = 0x50;
	assert_int_equal(ipa_egress_decide(t, pkt, len, &o), IPA_EGRESS_MALFORMED);

	/* Ingress: from peer 1's subnet to ours is delivered. */
	len = ipv4_packet(pkt, "10.2.0.7", "10.1.0.5");
	assert_int_equal(ipa_ingress_decide(t, V(1), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_DELIVER);
	/* Peer 2 holds 10.0.0.0/8 but not 10.2.0.0/16, which is peer 1's: spoofed. */
	assert_int_equal(ipa_ingress_decide(t, V(2), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_SPOOFED);
	/* A peer we know nothing of, or a source no one announced. */
	assert_int_equal(ipa_ingress_decide(t, NULL, pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_SPOOFED);
	len = ipv4_packet(pkt, "192.0.2.1", "10.1.0.5");
	assert_int_equal(ipa_ingress_decide(t, V(1), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_SPOOFED);
	/* To the TUN address itself; to somewhere else (no open relay). */
	len = ipv4_packet(pkt, "10.3.0.1", "10.1.255.254");
	assert_int_equal(ipa_ingress_decide(t, V(2), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_DELIVER);
	len = ipv4_packet(pkt, "10.3.0.1", "192.0.2.1");
	assert_int_equal(ipa_ingress_decide(t, V(2), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_NOT_LOCAL);
	/* IPv6. */
	len = ipv6_packet(pkt, "fd00:2::1", "fd00:1::5");
	assert_int_equal(ipa_ingress_decide(t, V(1), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_DELIVER);
	assert_int_equal(ipa_ingress_decide(t, V(2), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_SPOOFED);
	/* A broken IPv4 header checksum is malformed. */
	len = ipv4_packet(pkt, "10.2.0.7", "10.1.0.5");
	pkt[10] ^= 1;
	assert_int_equal(ipa_ingress_decide(t, V(1), pkt, len, local, 2, &tun, 1),
			 IPA_INGRESS_MALFORMED);
	lpm_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_announce_roundtrip),
	    cmocka_unit_test(test_announce_rejects),
	    cmocka_unit_test(test_route_decide),
	    cmocka_unit_test(test_routes_compute_first_wins),
	    cmocka_unit_test(test_egress_ingress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
