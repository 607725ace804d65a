/* SPDX-License-Identifier: MIT */
/*
 * TUN offloads (vnet.h): the fast checksum against a naive RFC 1071 sum; TSO super-segments
 * (IPv4 and IPv6) cut into segments checked field by field and by independent checksums;
 * those segments joined back into the original super-segment; the cases that must not be
 * joined; a partial checksum finished.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/ip/packet.h"
#include "adapters/ip/vnet.h"
#include "base/cursor.h"

enum { PAYLOAD = 10000, MSS = 1000, SEQ0 = 0xfffff000u /* wraps during the stream */ };

static uint8_t super[VNET_IP_MAX];
static uint8_t segs[16][2048];
static int seg_len[16];

static uint16_t naive_sum(const uint8_t *p, size_t n, uint64_t sum)
{
	for (size_t i = 0; i < n; i++)
		sum += (i % 2 == 0) ? (uint64_t)p[i] << 8 : p[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* TCP checksum check with an independent pseudo-header. */
static bool tcp_sum_ok(const uint8_t *ip, size_t len, bool v6)
{
	size_t l4 = v6 ? 40 : 20;
	uint8_t ph[40] = {0};
	uint16_t s;

	if (v6) {
		memcpy(ph, ip + 8, 32);
		store_u32be(ph + 32, (uint32_t)(len - l4));
		ph[39] = 6;
		s = naive_sum(ph, 40, 0);
	} else {
		memcpy(ph, ip + 12, 8);
		ph[9] = 6;
		store_u16be(ph + 10, (uint16_t)(len - l4));
		s = naive_sum(ph, 12, 0);
	}
	return naive_sum(ip + l4, len - l4, s) == 0xffff;
}

/* A super-segment as the kernel hands it with TSO: lengths of the whole, partial checksum. */
static size_t make_super(bool v6, uint8_t flags)
{
	size_t l4 = v6 ? 40 : 20, len = l4 + 32 + PAYLOAD;
	uint8_t *t = super + l4;

	memset(super, 0, l4 + 32);
	if (v6) {
		super[0] = 0x60;
		store_u16be(super + 4, (uint16_t)(len - 40));
		super[6] = 6;
		super[7] = 64;
		super[8] = 0xfd;
		super[23] = 1;
		super[24] = 0xfd;
		super[39] = 2;
	} else {
		super[0] = 0x45;
		store_u16be(super + 2, (uint16_t)len);
		store_u16be(super + 4, 0x1234);
		store_u16be(super + 6, 0x4000);
		super[8] = 64;
		super[9] = 6;
		memcpy(super + 12, (uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2}, 8);
	}
	store_u16be(t, 40000);
	store_u16be(t + 2, 5201);
	store_u32be(t + 4, SEQ0);
	store_u32be(t + 8, 777);
	t[12] = 8 << 4; /* 32 bytes: timestamps */
	t[13] = flags;
	store_u16be(t + 14, 500);
	memcpy(t + 20, (uint8_t[]){1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}, 12);
	for (size_t i = 0; i < PAYLOAD; i++)
		t[32 + i] = (uint8_t)(i * 7 + 3);
	store_u16be(t + 16, 0xbeef); /* partial: whatever the kernel left, recomputed */
	return len;
}

static void test_csum_matches_naive(void **state)
{
	uint8_t buf[3000];

	(void)state;
	srand(7);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t len = 0; len < sizeof(buf); len += 1 + len / 3)
		for (size_t off = 0; off < 4; off++)
			assert_int_equal(vnet_csum(buf + off, len, 0x1234),
					 naive_sum(buf + off, len, 0x1234));
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(vnet_csum(buf, 2048, 0xffff), naive_sum(buf, 2048, 0xffff));
}

static int split_all(bool v6, uint8_t flags, uint8_t gso_extra)
{
	size_t len = make_super(v6, flags);
	struct vnet_hdr h = {.flags = VNET_F_NEEDS_CSUM,
			     .gso_type =
				 (uint8_t)((v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4) | gso_extra),
			     .gso_size = MSS,
			     .csum_start = v6 ? 40 : 20,
			     .csum_offset = 16};
	struct vnet_split s;
	int n = 0, r;

	assert_int_equal(vnet_split_init(&s, super, len, &h), VNET_OK);
	while ((r = vnet_split_next(&s, segs[n], sizeof(segs[n]))) > 0) {
		seg_len[n++] = r;
		assert_true(n < 16);
	}
	assert_int_equal(r, 0);
	return n;
}

static void check_segments(bool v6, int n, uint8_t flags)
{
	size_t l4 = v6 ? 40 : 20;

	assert_int_equal(n, PAYLOAD / MSS);
	for (int i = 0; i < n; i++) {
		const uint8_t *p = segs[i], *t = p + l4;
		struct ip_packet_info info;

		assert_int_equal(seg_len[i], (int)(l4 + 32 + MSS));
		assert_int_equal(ip_packet_parse(p, (size_t)seg_len[i], &info), IP_PACKET_OK);
		assert_int_equal(info.total_len, seg_len[i]);
		if (!v6)
			assert_int_equal(load_u16be(p + 4), 0x1234 + i);
		assert_true(tcp_sum_ok(p, (size_t)seg_len[i], v6));
		assert_int_equal(load_u32be(t + 4), (uint32_t)(SEQ0 + (uint32_t)i * MSS));
		assert_int_equal(t[13] & 0x08, i == n - 1 ? (flags & 0x08) : 0); /* PSH: last */
		assert_int_equal(t[13] & 0x80, i == 0 ? (flags & 0x80) : 0);	 /* CWR: first */
		assert_memory_equal(t + 32, super + l4 + 32 + (size_t)i * MSS, MSS);
	}
}

static void test_split_v4(void **state)
{
	(void)state;
	check_segments(false, split_all(false, 0x18, 0), 0x18);
	check_segments(false, split_all(false, 0x90, VNET_GSO_ECN), 0x90);
}

static void test_split_v6(void **state)
{
	(void)state;
	check_segments(true, split_all(true, 0x18, 0), 0x18);
}

static void test_split_rejects(void **state)
{
	struct vnet_hdr h = {.gso_type = VNET_GSO_TCPV4, .gso_size = MSS, .csum_start = 20};
	struct vnet_split s;
	size_t len = make_super(false, 0x10);
	uint8_t small[100];

	(void)state;
	h.gso_type = 3; /* UDP: not offered */
	assert_int_equal(vnet_split_init(&s, super, len, &h), VNET_ERR_GSO_TYPE);
	h.gso_type = VNET_GSO_TCPV4;
	assert_int_equal(vnet_split_init(&s, super, 30, &h), VNET_ERR_MALFORMED);
	h.gso_size = 0;
	assert_int_equal(vnet_split_init(&s, super, len, &h), VNET_ERR_MALFORMED);
	h.gso_size = MSS;
	h.gso_type = VNET_GSO_TCPV6; /* an IPv4 packet */
	assert_int_equal(vnet_split_init(&s, super, len, &h), VNET_ERR_MALFORMED);
	h.gso_type = VNET_GSO_TCPV4;
	assert_int_equal(vnet_split_init(&s, super, len, &h), VNET_OK);
	assert_int_equal(vnet_split_next(&s, small, sizeof(small)), VNET_ERR_MALFORMED);
}

/* Concatenates what a writev of g would write. */
static size_t gather(const struct vnet_gro *g, size_t iovcnt, uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < iovcnt; i++) {
		memcpy(out + n, g->iov[i].iov_base, g->iov[i].iov_len);
		n += g->iov[i].iov_len;
	}
	return n;
}

static void check_join(bool v6)
{
	static struct vnet_gro g;
	static uint8_t w[VNET_HDR_LEN + VNET_IP_MAX];
	size_t l4 = v6 ? 40 : 20, len, iovcnt, n = (size_t)split_all(v6, 0x18, 0);
	struct vnet_hdr h;

	len = make_super(v6, 0x18);
	vnet_gro_reset(&g);
	for (size_t i = 0; i < n; i++)
		assert_true(vnet_gro_add(&g, segs[i], (size_t)seg_len[i]));
	iovcnt = vnet_gro_finish(&g);
	assert_int_equal(iovcnt, n + 1);
	assert_int_equal(gather(&g, iovcnt, w), VNET_HDR_LEN + len);
	vnet_hdr_read(w, &h);
	assert_int_equal(h.flags, VNET_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4);
	assert_int_equal(h.gso_size, MSS);
	assert_int_equal(h.hdr_len, l4 + 32);
	assert_int_equal(h.csum_start, l4);
	assert_int_equal(h.csum_offset, 16);
	/* The original super-segment, apart from its (partial) checksum fields. */
	assert_memory_equal(w + VNET_HDR_LEN + l4 + 32, super + l4 + 32, PAYLOAD);
	assert_int_equal(w[VNET_HDR_LEN + l4 + 13], 0x18);
	assert_int_equal(load_u32be(w + VNET_HDR_LEN + l4 + 4), SEQ0);
	if (v6) {
		assert_int_equal(load_u16be(w + VNET_HDR_LEN + 4), len - 40);
	} else {
		struct ip_packet_info info;

		assert_int_equal(ip_packet_parse(w + VNET_HDR_LEN, len, &info), IP_PACKET_OK);
		assert_int_equal(info.total_len, len);
	}
	/* Finishing the partial checksum as the kernel would gives a valid segment. */
	assert_int_equal(vnet_csum_finish(w + VNET_HDR_LEN, len, &h), VNET_OK);
	assert_true(tcp_sum_ok(w + VNET_HDR_LEN, len, v6));
}

static void test_join_v4_v6(void **state)
{
	(void)state;
	check_join(false);
	check_join(true);
}

static void test_join_refuses(void **state)
{
	static struct vnet_gro g;
	static uint8_t bad[2048];
	size_t n = (size_t)split_all(false, 0x10, 0), iovcnt;

	(void)state;
	/* Out of order: segment 2 after 0. */
	vnet_gro_reset(&g);
	assert_true(vnet_gro_add(&g, segs[0], (size_t)seg_len[0]));
	assert_false(vnet_gro_add(&g, segs[2], (size_t)seg_len[2]));
	/* A corrupted checksum is never joined (the joined packet's is only partial). */
	memcpy(bad, segs[1], (size_t)seg_len[1]);
	bad[100] ^= 1;
	assert_false(vnet_gro_add(&g, bad, (size_t)seg_len[1]));
	/* Another flow (port). */
	memcpy(bad, segs[1], (size_t)seg_len[1]);
	store_u16be(bad + 20, 40001);
	store_u16be(bad + 36, 0);
	store_u16be(bad + 36,
		    (uint16_t)~vnet_csum(bad + 20, (size_t)seg_len[1] - 20,
					 naive_sum((uint8_t[]){10, 0, 0, 1, 10, 0, 0, 2, 0, 6,
							       (uint8_t)((seg_len[1] - 20) >> 8),
							       (uint8_t)(seg_len[1] - 20)},
						   12, 0)));
	assert_true(tcp_sum_ok(bad, (size_t)seg_len[1], false));
	assert_false(vnet_gro_add(&g, bad, (size_t)seg_len[1]));
	/* A SYN (or anything but ACK / ACK+PSH) is written alone: not even a group start. */
	vnet_gro_reset(&g);
	memcpy(bad, segs[0], (size_t)seg_len[0]);
	bad[33] = 0x12;
	assert_true(vnet_gro_add(&g, bad, (size_t)seg_len[0]));
	assert_false(vnet_gro_add(&g, segs[1], (size_t)seg_len[1]));
	iovcnt = vnet_gro_finish(&g);
	assert_int_equal(iovcnt, 2);
	assert_int_equal(g.iov[0].iov_len, VNET_HDR_LEN);
	assert_memory_equal(g.iov[0].iov_base, (uint8_t[VNET_HDR_LEN]){0}, VNET_HDR_LEN);
	assert_ptr_equal(g.iov[1].iov_base, bad);
	/* Two joined segments: the headers, then the two payloads. */
	vnet_gro_reset(&g);
	assert_true(vnet_gro_add(&g, segs[0], (size_t)seg_len[0]));
	assert_true(vnet_gro_add(&g, segs[1], (size_t)seg_len[1]));
	assert_int_equal(n, 10);
	assert_int_equal(vnet_gro_finish(&g), 3);
}

static void test_csum_finish(void **state)
{
	uint8_t p[60] = {0x45, 0, 0, 60, 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2};
	struct vnet_hdr h = {.flags = VNET_F_NEEDS_CSUM, .csum_start = 20, .csum_offset = 6};
	uint8_t ph[12] = {10, 0, 0, 1, 10, 0, 0, 2, 0, 17, 0, 40};

	(void)state;
	store_u16be(p + 24, 40);
	for (int i = 28; i < 60; i++)
		p[i] = (uint8_t)i;
	store_u16be(p + 26, naive_sum(ph, 12, 0)); /* what the kernel leaves there */
	assert_int_equal(vnet_csum_finish(p, sizeof(p), &h), VNET_OK);
	assert_int_equal(naive_sum(p + 20, 40, naive_sum(ph, 12, 0)), 0xffff);
	h.csum_offset = 60;
	assert_int_equal(vnet_csum_finish(p, sizeof(p), &h), VNET_ERR_MALFORMED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csum_matches_naive), cmocka_unit_test(test_split_v4),
	    cmocka_unit_test(test_split_v6),	       cmocka_unit_test(test_split_rejects),
	    cmocka_unit_test(test_join_v4_v6),	       cmocka_unit_test(test_join_refuses),
	    cmocka_unit_test(test_csum_finish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
