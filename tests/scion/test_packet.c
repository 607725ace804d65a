/* SPDX-License-Identifier: MIT */
/*
 * The SCION header and packet codec: round trips over every host type and path type,
 * extensions, SCION/UDP with checksums, and rejection of malformed packets with their
 * specific error codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <seg/scion_packet.h>

#define IA(isd, as) scion_ia_make(isd, as)

static uint8_t path_buf[SCION_MAX_STD_PATH_LEN];

static void make_host(struct scion_host *h, enum scion_host_type t, uint8_t seed)
{
	uint8_t ip[16];

	for (int i = 0; i < 16; i++)
		ip[i] = (uint8_t)(seed + i);
	switch (t) {
	case SCION_HOST_IPV4:
		scion_host_from_ipv4(h, ip);
		break;
	case SCION_HOST_IPV6:
		scion_host_from_ipv6(h, ip);
		break;
	case SCION_HOST_SVC:
		memset(h, 0, sizeof(*h));
		h->type = SCION_HOST_SVC;
		h->svc = 0x0002; /* CS */
		break;
	}
}

/* Path kinds: 0 empty, 1..3 SCION with that many segments, 4 one-hop. */
static void make_path(struct scion_header *h, int kind)
{
	size_t len = 0;

	if (kind == 0) {
		h->path_type = SCION_PATH_TYPE_EMPTY;
		h->path = NULL;
		h->path_len = 0;
		return;
	}
	if (kind == 4) {
		struct scion_onehop_path o = {0};

		o.info.seg_id = 77;
		o.first.cons_egress = 3;
		assert_int_equal(scion_onehop_path_encode(&o, path_buf, sizeof(path_buf), &len), 0);
		h->path_type = SCION_PATH_TYPE_ONEHOP;
	} else {
		struct scion_std_path p;

		memset(&p, 0, sizeof(p));
		p.num_infs = (uint8_t)kind;
		for (int i = 0; i < kind; i++) {
			p.meta.seg_len[i] = (uint8_t)(2 + i);
			p.num_hops = (uint8_t)(p.num_hops + 2 + i);
			p.inf[i].seg_id = (uint16_t)(i + 1);
		}
		for (int i = 0; i < p.num_hops; i++)
			p.hop[i].cons_ingress = (uint16_t)i;
		assert_int_equal(scion_std_path_encode(&p, path_buf, sizeof(path_buf), &len), 0);
		h->path_type = SCION_PATH_TYPE_SCION;
	}
	h->path = path_buf;
	h->path_len = len;
}

static void make_header(struct scion_header *h, enum scion_host_type dt, enum scion_host_type st,
			int path_kind)
{
	memset(h, 0, sizeof(*h));
	h->traffic_class = 0x2e;
	h->flow_id = 0xfedcb;
	h->next_hdr = SCION_PROTO_UDP;
	h->dst.ia = IA(1, 0xff0000000110ull);
	h->src.ia = IA(65535, 0xffffffffffffull);
	make_host(&h->dst.host, dt, 1);
	make_host(&h->src.host, st, 100);
	make_path(h, path_kind);
}

static void assert_header_equal(const struct scion_header *a, const struct scion_header *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->traffic_class, b->traffic_class);
	assert_int_equal(a->flow_id, b->flow_id);
	assert_int_equal(a->path_type, b->path_type);
	assert_true(scion_addr_equal(&a->dst, &b->dst));
	assert_true(scion_addr_equal(&a->src, &b->src));
	assert_int_equal(a->path_len, b->path_len);
	if (a->path_len)
		assert_memory_equal(a->path, b->path, a->path_len);
}

/* Every host type pair, every path type: build SCION/UDP, decode, verify, re-encode. */
static void test_roundtrip_all(void **state)
{
	static const uint8_t payload[] = "hello, SCION";
	static uint8_t buf[2048], again[2048];

	(void)state;
	for (int dt = SCION_HOST_IPV4; dt <= SCION_HOST_SVC; dt++) {
		for (int st = SCION_HOST_IPV4; st <= SCION_HOST_SVC; st++) {
			for (int kind = 0; kind <= 4; kind++) {
				struct scion_header h;
				struct scion_packet p;
				struct scion_udp u;
				size_t n = 0, m = 0;

				make_header(&h, dt, st, kind);
				assert_int_equal(scion_udp_packet_build(&h, 4000, 53, payload,
									sizeof(payload), buf,
									sizeof(buf), &n),
						 0);
				assert_int_equal(n, scion_header_len(&h) + 8 + sizeof(payload));
				assert_int_equal(scion_packet_decode(buf, n, &p), 0);
				assert_header_equal(&p.hdr, &h);
				assert_int_equal(p.hdr_len, scion_header_len(&h));
				assert_int_equal(p.hdr.next_hdr, SCION_PROTO_UDP);
				assert_int_equal(p.hdr.payload_len, 8 + sizeof(payload));
				assert_int_equal(scion_udp_decode(&p.hdr, p.l4, p.l4_len, true, &u),
						 0);
				assert_int_equal(u.src_port, 4000);
				assert_int_equal(u.dst_port, 53);
				assert_int_equal(u.payload_len, sizeof(payload));
				assert_memory_equal(u.payload, payload, sizeof(payload));
				assert_int_equal(scion_packet_encode(&p, again, sizeof(again), &m),
						 0);
				assert_int_equal(m, n);
				assert_memory_equal(again, buf, n);
			}
		}
	}
}

/* Extensions: HBH only, E2E only, both; options kept raw. */
static void test_extensions(void **state)
{
	static const uint8_t opts_hbh[6] = {1, 4, 0, 0, 0, 0}; /* PadN of 6 */
	static const uint8_t opts_e2e[10] = {2, 8, 1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t l4[5] = {9, 9, 9, 9, 9};
	static uint8_t buf[1024], again[1024];

	(void)state;
	for (int mask = 0; mask < 4; mask++) {
		struct scion_packet in = {0}, out;
		size_t n = 0, m = 0;

		make_header(&in.hdr, SCION_HOST_IPV4, SCION_HOST_IPV6, 2);
		in.hbh = (struct scion_ext){
		    .present = mask & 1, .options = opts_hbh, .options_len = sizeof(opts_hbh)};
		in.e2e = (struct scion_ext){
		    .present = mask & 2, .options = opts_e2e, .options_len = sizeof(opts_e2e)};
		in.l4_proto = 99;
		in.l4 = l4;
		in.l4_len = sizeof(l4);
		assert_int_equal(scion_packet_encode(&in, buf, sizeof(buf), &n), 0);
		assert_int_equal(scion_packet_decode(buf, n, &out), 0);
		assert_int_equal(out.hdr.next_hdr, (mask & 1)	? SCION_PROTO_HBH
						   : (mask & 2) ? SCION_PROTO_E2E
								: 99);
		assert_int_equal(out.hbh.present, !!(mask & 1));
		assert_int_equal(out.e2e.present, !!(mask & 2));
		if (mask & 1) {
			assert_int_equal(out.hbh.next_hdr, (mask & 2) ? SCION_PROTO_E2E : 99);
			assert_int_equal(out.hbh.options_len, sizeof(opts_hbh));
			assert_memory_equal(out.hbh.options, opts_hbh, sizeof(opts_hbh));
		}
		if (mask & 2) {
			assert_int_equal(out.e2e.next_hdr, 99);
			assert_memory_equal(out.e2e.options, opts_e2e, sizeof(opts_e2e));
		}
		assert_int_equal(out.l4_proto, 99);
		assert_int_equal(out.l4_len, sizeof(l4));
		assert_memory_equal(out.l4, l4, sizeof(l4));
		assert_int_equal(scion_packet_encode(&out, again, sizeof(again), &m), 0);
		assert_int_equal(m, n);
		assert_memory_equal(again, buf, n);
	}
}

/* A reference packet for the malformed cases: IPv6 dst, IPv4 src, 2-segment path, HBH. */
static size_t build_reference(uint8_t *buf, size_t cap, struct scion_packet *in)
{
	static const uint8_t opts[6] = {1, 4, 0, 0, 0, 0};
	static const uint8_t l4[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	size_t n = 0;

	memset(in, 0, sizeof(*in));
	make_header(&in->hdr, SCION_HOST_IPV6, SCION_HOST_IPV4, 2);
	in->hbh = (struct scion_ext){.present = true, .options = opts, .options_len = 6};
	in->l4_proto = 77;
	in->l4 = l4;
	in->l4_len = sizeof(l4);
	assert_int_equal(scion_packet_encode(in, buf, cap, &n), 0);
	return n;
}

static void test_truncated_every_length(void **state)
{
	static uint8_t buf[1024];
	struct scion_packet in, p;
	size_t n = build_reference(buf, sizeof(buf), &in);
	size_t addr_end = 12 + 16 + 16 + 4, hdr_len = scion_header_len(&in.hdr);

	(void)state;
	assert_int_equal(scion_packet_decode(buf, n, &p), 0);
	for (size_t l = 0; l < n; l++) {
		int want = l < addr_end	 ? SCION_PKT_ERR_TRUNCATED
			   : l < hdr_len ? SCION_PKT_ERR_HDR_LEN
					 : SCION_PKT_ERR_PAYLOAD_LEN;

		assert_int_equal(scion_packet_decode(buf, l, &p), want);
	}
	/* One byte too many also disagrees with PayloadLen. */
	assert_int_equal(scion_packet_decode(buf, n + 1, &p), SCION_PKT_ERR_PAYLOAD_LEN);
}

static void test_malformed_header(void **state)
{
	static uint8_t buf[1024], bad[1024];
	struct scion_packet in, p;
	size_t n = build_reference(buf, sizeof(buf), &in);

	(void)state;
#define MUTATE(stmt, err)                                               \
	do {                                                            \
		memcpy(bad, buf, n);                                    \
		stmt;                                                   \
		assert_int_equal(scion_packet_decode(bad, n, &p), err); \
	} while (0)
	MUTATE(bad[0] = 0x10, SCION_PKT_ERR_VERSION);
	MUTATE(bad[0] = 0xf0, SCION_PKT_ERR_VERSION);
	/* HdrLen past the buffer, or shorter than common + address header. */
	MUTATE(bad[5] = 255, SCION_PKT_ERR_HDR_LEN);
	MUTATE(bad[5] = 11, SCION_PKT_ERR_HDR_LEN);
	MUTATE(bad[5] = 0, SCION_PKT_ERR_HDR_LEN);
	/* HdrLen moved by one line: the path no longer matches its meta header. */
	MUTATE((bad[5]--, bad[7] += 4), SCION_PKT_ERR_PATH);
	/* PayloadLen off in either direction, or past the buffer. */
	MUTATE(bad[7]++, SCION_PKT_ERR_PAYLOAD_LEN);
	MUTATE(bad[7]--, SCION_PKT_ERR_PAYLOAD_LEN);
	MUTATE(bad[6] = 0xff, SCION_PKT_ERR_PAYLOAD_LEN);
	/* Undefined DT/DL or ST/SL combinations (DL 1, 2; DT 1 with DL 3; DT 2, 3). */
	static const uint8_t bad_codes[] = {0x1, 0x2, 0x7, 0x8, 0xc, 0xf};
	for (size_t i = 0; i < sizeof(bad_codes); i++) {
		MUTATE(bad[9] = (uint8_t)(bad_codes[i] << 4), SCION_PKT_ERR_ADDR_TYPE);
		MUTATE(bad[9] = (uint8_t)(0x30 | bad_codes[i]), SCION_PKT_ERR_ADDR_TYPE);
	}
	/* Unsupported path types; a path that does not fit its type. */
	MUTATE(bad[8] = SCION_PATH_TYPE_EPIC, SCION_PKT_ERR_PATH_TYPE);
	MUTATE(bad[8] = SCION_PATH_TYPE_COLIBRI, SCION_PKT_ERR_PATH_TYPE);
	MUTATE(bad[8] = 200, SCION_PKT_ERR_PATH_TYPE);
	MUTATE(bad[8] = SCION_PATH_TYPE_EMPTY, SCION_PKT_ERR_PATH);
	MUTATE(bad[8] = SCION_PATH_TYPE_ONEHOP, SCION_PKT_ERR_PATH);
	/* Path meta: zero then non-zero SegLen, CurrHF out of range, CurrINF out of range. */
	size_t meta = 12 + 16 + 16 + 4;
	MUTATE(bad[meta + 2] &= 0x0f, SCION_PKT_ERR_PATH);
	MUTATE(bad[meta] = 0x3f, SCION_PKT_ERR_PATH);
	MUTATE(bad[meta] = 0x80, SCION_PKT_ERR_PATH);
	/* Reserved bits of the common header are ignored. */
	MUTATE(bad[10] = 0xff, 0);
	/* Extensions: ExtLen past the payload, HBH repeated, E2E before HBH, E2E repeated. */
	size_t ext = scion_header_len(&in.hdr);
	MUTATE(bad[ext + 1] = 5, SCION_PKT_ERR_EXT); /* 24 bytes, 20 present */
	MUTATE(bad[ext + 1] = 3, 0);		     /* 16 bytes: fits, L4 shrinks */
	MUTATE(bad[ext + 1] = 255, SCION_PKT_ERR_EXT);
	MUTATE(bad[ext] = SCION_PROTO_HBH, SCION_PKT_ERR_EXT);
	MUTATE((bad[4] = SCION_PROTO_E2E, bad[ext] = SCION_PROTO_HBH), SCION_PKT_ERR_EXT);
	MUTATE((bad[4] = SCION_PROTO_E2E, bad[ext] = SCION_PROTO_E2E), SCION_PKT_ERR_EXT);
	/* HBH then E2E whose length runs past the packet. */
	MUTATE((bad[ext] = SCION_PROTO_E2E, bad[ext + 8 + 1] = 200), SCION_PKT_ERR_EXT);
#undef MUTATE
	/* An extension header cut after its first byte. */
	memcpy(bad, buf, n);
	bad[6] = 0;
	bad[7] = 1;
	assert_int_equal(scion_packet_decode(bad, ext + 1, &p), SCION_PKT_ERR_EXT);
}

static void test_encode_errors(void **state)
{
	static uint8_t buf[2048];
	struct scion_header h;
	struct scion_packet p = {0};
	size_t n;

	(void)state;
	make_header(&h, SCION_HOST_IPV4, SCION_HOST_IPV4, 1);
	assert_int_equal(scion_header_encode(&h, 0, buf, scion_header_len(&h) - 1, &n),
			 SCION_PKT_ERR_SPACE);
	assert_int_equal(scion_header_encode(&h, 65536, buf, sizeof(buf), &n),
			 SCION_PKT_ERR_INVALID);
	h.flow_id = 0x100000;
	assert_int_equal(scion_header_encode(&h, 0, buf, sizeof(buf), &n), SCION_PKT_ERR_INVALID);
	make_header(&h, SCION_HOST_IPV4, SCION_HOST_IPV4, 1);
	h.dst.host.type = (enum scion_host_type)7;
	assert_int_equal(scion_header_encode(&h, 0, buf, sizeof(buf), &n), SCION_PKT_ERR_ADDR_TYPE);
	make_header(&h, SCION_HOST_IPV4, SCION_HOST_IPV4, 1);
	h.path_len -= 12; /* no longer what the meta header says */
	assert_int_equal(scion_header_encode(&h, 0, buf, sizeof(buf), &n), SCION_PKT_ERR_PATH);
	h.path_len = 1020; /* header past 1020 bytes */
	assert_int_equal(scion_header_encode(&h, 0, buf, sizeof(buf), &n), SCION_PKT_ERR_HDR_LEN);
	make_header(&h, SCION_HOST_IPV4, SCION_HOST_IPV4, 1);
	h.path_type = SCION_PATH_TYPE_EPIC;
	assert_int_equal(scion_header_encode(&h, 0, buf, sizeof(buf), &n), SCION_PKT_ERR_PATH_TYPE);

	make_header(&p.hdr, SCION_HOST_IPV4, SCION_HOST_IPV4, 0);
	p.l4_proto = SCION_PROTO_HBH;
	assert_int_equal(scion_packet_encode(&p, buf, sizeof(buf), &n), SCION_PKT_ERR_INVALID);
	p.l4_proto = SCION_PROTO_UDP;
	p.hbh = (struct scion_ext){.present = true, .options = buf, .options_len = 3};
	assert_int_equal(scion_packet_encode(&p, buf + 512, 512, &n), SCION_PKT_ERR_EXT);
	p.hbh.options_len = 1024 + 2;
	assert_int_equal(scion_packet_encode(&p, buf + 512, 512, &n), SCION_PKT_ERR_EXT);
	p.hbh.present = false;
	p.l4 = buf;
	p.l4_len = 65536;
	assert_int_equal(scion_packet_encode(&p, buf, sizeof(buf), &n), SCION_PKT_ERR_INVALID);
	p.l4_len = 100;
	assert_int_equal(scion_packet_encode(&p, buf + 1024, 100, &n), SCION_PKT_ERR_SPACE);
	assert_int_equal(scion_udp_packet_build(&p.hdr, 1, 2, buf, 65535, buf, sizeof(buf), &n),
			 SCION_PKT_ERR_INVALID);
	assert_int_equal(scion_udp_packet_build(&p.hdr, 1, 2, buf, 100, buf + 1024, 100, &n),
			 SCION_PKT_ERR_SPACE);
}

/* TestSCIONComputeChecksum of scionproto pkg/slayers/scion_test.go. */
static void test_checksum_vectors(void **state)
{
	static const uint8_t src4[4] = {174, 16, 4, 1}, dst4[4] = {172, 16, 4, 2};
	static const uint8_t dst6[16] = {0xde, 0xad, 0, 0, 0, 0, 0,    0,
					 0,    0,    0, 0, 0, 0, 0xbe, 0xef};
	struct scion_header h = {0};
	uint8_t ul[6] = {0, 0, 0xaa, 0xbb, 0xcc, 0xdd};
	uint16_t c;

	(void)state;
	h.src.ia = IA(1, 0xff0000000110ull);
	h.dst.ia = IA(1, 0xff0000000112ull);
	scion_host_from_ipv4(&h.src.host, src4);
	scion_host_from_ipv4(&h.dst.host, dst4);
	assert_int_equal(scion_l4_checksum(&h, 1, ul, sizeof(ul)), 0x2615);
	scion_host_from_ipv6(&h.dst.host, dst6);
	assert_int_equal(c = scion_l4_checksum(&h, 17, ul, sizeof(ul)), 0x387a);
	/* With the checksum stored, the sum over everything is zero. */
	ul[0] = (uint8_t)(c >> 8);
	ul[1] = (uint8_t)c;
	assert_int_equal(scion_l4_checksum(&h, 17, ul, sizeof(ul)), 0);
	ul[0] = ul[1] = 0;
	memset(&h.dst.host, 0, sizeof(h.dst.host));
	h.dst.host.type = SCION_HOST_SVC;
	h.dst.host.svc = 0x0002;
	assert_int_equal(scion_l4_checksum(&h, 223, ul, sizeof(ul)), 0xd547);
	/* Odd lengths pad with a zero byte: the stored checksum still verifies. */
	c = scion_l4_checksum(&h, 223, ul, 5);
	ul[0] = (uint8_t)(c >> 8);
	ul[1] = (uint8_t)c;
	assert_int_equal(scion_l4_checksum(&h, 223, ul, 5), 0);
}

static void test_udp(void **state)
{
	static uint8_t buf[256];
	struct scion_header h;
	struct scion_udp u;
	const uint8_t payload[3] = {1, 2, 3};
	size_t n = 0;

	(void)state;
	make_header(&h, SCION_HOST_IPV6, SCION_HOST_SVC, 0);
	assert_int_equal(scion_udp_encode(&h, 7, 8, payload, 3, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 11);
	assert_int_equal(scion_udp_decode(&h, buf, n, true, &u), 0);
	assert_int_equal(u.length, 11);
	/* Zero-copy: the payload already in place. */
	memmove(buf + 8, payload, 3);
	assert_int_equal(scion_udp_encode(&h, 7, 8, buf + 8, 3, buf, sizeof(buf), &n), 0);
	assert_int_equal(scion_udp_decode(&h, buf, n, true, &u), 0);
	assert_memory_equal(u.payload, payload, 3);
	for (size_t l = 0; l < 8; l++)
		assert_int_equal(scion_udp_decode(&h, buf, l, true, &u), SCION_PKT_ERR_TRUNCATED);
	assert_int_equal(scion_udp_decode(&h, buf, n - 1, false, &u), SCION_PKT_ERR_L4_LEN);
	assert_int_equal(scion_udp_decode(&h, buf, n + 1, false, &u), SCION_PKT_ERR_L4_LEN);
	buf[9] ^= 0x40;
	assert_int_equal(scion_udp_decode(&h, buf, n, true, &u), SCION_PKT_ERR_CHECKSUM);
	assert_int_equal(scion_udp_decode(&h, buf, n, false, &u), 0);
	buf[9] ^= 0x40;
	/* The checksum covers the addresses: another source fails it. */
	h.src.host.svc = 0x0001;
	assert_int_equal(scion_udp_decode(&h, buf, n, true, &u), SCION_PKT_ERR_CHECKSUM);
	assert_int_equal(scion_udp_encode(&h, 7, 8, payload, 3, buf, 10, &n), SCION_PKT_ERR_SPACE);
}

static void test_hosts(void **state)
{
	static const uint8_t a4[4] = {1, 2, 3, 4}, b4[4] = {1, 2, 3, 5};
	static const uint8_t a6[16] = {0x20, 1, 0xd, 0xb8, [15] = 1};
	struct scion_host a, b;
	struct scion_addr x = {0}, y = {0};

	(void)state;
	scion_host_from_ipv4(&a, a4);
	scion_host_from_ipv4(&b, b4);
	assert_int_equal(scion_host_len(&a), 4);
	assert_false(scion_host_equal(&a, &b));
	scion_host_from_ipv4(&b, a4);
	assert_true(scion_host_equal(&a, &b));
	scion_host_from_ipv6(&b, a6);
	assert_int_equal(scion_host_len(&b), 16);
	assert_false(scion_host_equal(&a, &b));
	b.type = SCION_HOST_SVC;
	b.svc = 1;
	assert_int_equal(scion_host_len(&b), 4);
	a = b;
	a.ip[0] = 9; /* ip is not part of an SVC address */
	assert_true(scion_host_equal(&a, &b));
	a.svc = 2;
	assert_false(scion_host_equal(&a, &b));
	x.ia = IA(1, 5);
	y.ia = IA(1, 5);
	scion_host_from_ipv4(&x.host, a4);
	scion_host_from_ipv4(&y.host, a4);
	assert_true(scion_addr_equal(&x, &y));
	y.ia = IA(2, 5);
	assert_false(scion_addr_equal(&x, &y));
	assert_string_equal(scion_pkt_strerror(SCION_PKT_ERR_EXT),
			    "malformed, repeated or misordered extension header");
	assert_string_equal(scion_pkt_strerror(SCION_PATH_ERR_END), "path already at its last hop");
	assert_string_equal(scion_pkt_strerror(-1000), "unknown packet error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_all),
	    cmocka_unit_test(test_extensions),
	    cmocka_unit_test(test_truncated_every_length),
	    cmocka_unit_test(test_malformed_header),
	    cmocka_unit_test(test_encode_errors),
	    cmocka_unit_test(test_checksum_vectors),
	    cmocka_unit_test(test_udp),
	    cmocka_unit_test(test_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
