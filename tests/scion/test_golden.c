/* SPDX-License-Identifier: MIT */
/*
 * Golden SCION packets produced by the reference (shared/vectors/slayers, from scionproto
 * pkg/slayers/testdata). Each must decode to the values scionproto's own tests assert
 * (pkg/slayers/slayers_test.go, scion_test.go, bfd_test.go) and re-encode to the same bytes.
 * A missing vectors directory fails the test: it never skips.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <seg/scion_packet.h>

#define VEC(name) SEG_VECTORS_DIR "/slayers/" name

/* 1-ff00:0:111, 2-ff00:0:222 and 1-ff00:0:110 as the reference tests write them. */
#define IA_1_111 scion_ia_make(1, 0xff0000000111ull)
#define IA_2_222 scion_ia_make(2, 0xff0000000222ull)
#define IA_1_110 scion_ia_make(1, 0xff0000000110ull)

static const uint8_t ip6_addr[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x68};
static const uint8_t ip4_addr[4] = {10, 0, 0, 100};

/* scion_test.go rawPath: 2 segments of 2 hops. */
static const uint8_t raw_path[] = {
    0x00, 0x00, 0x20, 0x80, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00,
    0x02, 0x22, 0x00, 0x00, 0x01, 0x00, 0x00, 0x3f, 0x00, 0x01, 0x00, 0x00, 0x01, 0x02,
    0x03, 0x04, 0x05, 0x06, 0x00, 0x3f, 0x00, 0x03, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04,
    0x05, 0x06, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
    0x00, 0x3f, 0x00, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
};

struct blob {
	uint8_t *p;
	size_t len;
};

static struct blob read_vector(const char *path)
{
	struct blob b = {0};
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("cannot open golden vector %s (shared/vectors missing?)", path);
	b.p = malloc(65536 + 1024);
	assert_non_null(b.p);
	b.len = fread(b.p, 1, 65536 + 1024, f);
	fclose(f);
	assert_true(b.len > 0);
	return b;
}

static void assert_reencodes(const struct blob *b, const struct scion_packet *p)
{
	uint8_t *out = malloc(b->len);
	size_t n = 0;

	assert_non_null(out);
	assert_int_equal(scion_packet_encode(p, out, b->len, &n), 0);
	assert_int_equal(n, b->len);
	assert_memory_equal(out, b->p, b->len);
	/* One byte short must fail cleanly. */
	assert_int_equal(scion_packet_encode(p, out, b->len - 1, &n), SCION_PKT_ERR_SPACE);
	free(out);
}

/* prepPacket() of scion_test.go: TC 0xb8, FlowID 0xdead, IPv6 dst, IPv4 src, rawPath. */
static void assert_prep_header(const struct scion_packet *p, uint8_t next_hdr)
{
	const struct scion_header *h = &p->hdr;

	assert_int_equal(h->version, 0);
	assert_int_equal(h->traffic_class, 0xb8);
	assert_int_equal(h->flow_id, 0xdead);
	assert_int_equal(h->next_hdr, next_hdr);
	assert_int_equal(p->hdr_len, 29 * 4);
	assert_int_equal(h->path_type, SCION_PATH_TYPE_SCION);
	assert_true(h->dst.ia == IA_1_111);
	assert_true(h->src.ia == IA_2_222);
	assert_int_equal(h->dst.host.type, SCION_HOST_IPV6);
	assert_memory_equal(h->dst.host.ip, ip6_addr, 16);
	assert_int_equal(h->src.host.type, SCION_HOST_IPV4);
	assert_memory_equal(h->src.host.ip, ip4_addr, 4);
	assert_int_equal(h->path_len, sizeof(raw_path));
	assert_memory_equal(h->path, raw_path, sizeof(raw_path));
}

/* decoded_test.go: the path's info and hop fields. */
static void assert_raw_path_fields(const uint8_t *path, size_t len)
{
	static const uint16_t ing[4] = {1, 3, 0, 1}, eg[4] = {0, 2, 2, 0};
	static const uint8_t mac[6] = {1, 2, 3, 4, 5, 6};
	struct scion_std_path sp;

	assert_int_equal(scion_std_path_decode(path, len, &sp), 0);
	assert_int_equal(sp.meta.curr_inf, 0);
	assert_int_equal(sp.meta.curr_hf, 0);
	assert_int_equal(sp.meta.seg_len[0], 2);
	assert_int_equal(sp.meta.seg_len[1], 2);
	assert_int_equal(sp.meta.seg_len[2], 0);
	assert_int_equal(sp.num_infs, 2);
	assert_int_equal(sp.num_hops, 4);
	assert_false(sp.inf[0].peer);
	assert_false(sp.inf[0].cons_dir);
	assert_int_equal(sp.inf[0].seg_id, 0x111);
	assert_int_equal(sp.inf[0].timestamp, 0x100);
	assert_false(sp.inf[1].peer);
	assert_true(sp.inf[1].cons_dir);
	assert_int_equal(sp.inf[1].seg_id, 0x222);
	assert_int_equal(sp.inf[1].timestamp, 0x100);
	for (int i = 0; i < 4; i++) {
		assert_false(sp.hop[i].ingress_alert);
		assert_false(sp.hop[i].egress_alert);
		assert_int_equal(sp.hop[i].exp_time, 63);
		assert_int_equal(sp.hop[i].cons_ingress, ing[i]);
		assert_int_equal(sp.hop[i].cons_egress, eg[i]);
		assert_memory_equal(sp.hop[i].mac, mac, 6);
	}
}

/* mkPayload(1024) of slayers_test.go. */
static void assert_mk_payload(const uint8_t *p, size_t len)
{
	assert_int_equal(len, 1024);
	for (size_t i = 0; i < len; i++)
		assert_int_equal(p[i], i % 256);
}

static void assert_udp(const struct scion_packet *p, uint16_t checksum)
{
	struct scion_udp u;

	assert_int_equal(p->l4_proto, SCION_PROTO_UDP);
	assert_int_equal(scion_udp_decode(&p->hdr, p->l4, p->l4_len, true, &u), 0);
	assert_int_equal(u.src_port, 1280);
	assert_int_equal(u.dst_port, 80);
	assert_int_equal(u.length, 1032);
	assert_int_equal(u.checksum, checksum);
	assert_mk_payload(u.payload, u.payload_len);
}

/* Building the same packet from its fields in one call must give the golden bytes. */
static void assert_udp_build(const struct blob *b, const struct scion_packet *p)
{
	uint8_t *out = malloc(b->len), payload[1024];
	size_t n = 0;

	assert_non_null(out);
	for (size_t i = 0; i < sizeof(payload); i++)
		payload[i] = (uint8_t)i;
	assert_int_equal(
	    scion_udp_packet_build(&p->hdr, 1280, 80, payload, sizeof(payload), out, b->len, &n),
	    0);
	assert_int_equal(n, b->len);
	assert_memory_equal(out, b->p, b->len);
	free(out);
}

static void test_scion_udp(void **state)
{
	struct blob b = read_vector(VEC("scion-udp.bin"));
	struct scion_packet p;

	(void)state;
	assert_int_equal(b.len, 1148);
	assert_int_equal(scion_packet_decode(b.p, b.len, &p), 0);
	assert_prep_header(&p, SCION_PROTO_UDP);
	assert_int_equal(p.hdr.payload_len, 1032);
	assert_false(p.hbh.present);
	assert_false(p.e2e.present);
	assert_raw_path_fields(p.hdr.path, p.hdr.path_len);
	assert_udp(&p, 0xb7d2);
	assert_reencodes(&b, &p);
	assert_udp_build(&b, &p);
	free(b.p);
}

/* Counts TLV options (extension-header.rst: Pad1 is one byte, others type, len, data). */
static int count_options(const uint8_t *o, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len; n++)
		i += o[i] == 0 ? 1 : 2u + (i + 1 < len ? o[i + 1] : 0);
	return n;
}

static void test_scion_udp_extn(void **state)
{
	struct blob b = read_vector(VEC("scion-udp-extn.bin"));
	struct scion_packet p;

	(void)state;
	assert_int_equal(scion_packet_decode(b.p, b.len, &p), 0);
	assert_prep_header(&p, SCION_PROTO_HBH);
	assert_int_equal(p.hdr.payload_len, 1092);
	assert_true(p.hbh.present);
	assert_int_equal(p.hbh.next_hdr, SCION_PROTO_E2E);
	assert_int_equal(b.p[p.hdr_len + 1], 6); /* ExtLen */
	assert_int_equal(p.hbh.options_len + 2, 28);
	assert_int_equal(count_options(p.hbh.options, p.hbh.options_len), 3);
	assert_true(p.e2e.present);
	assert_int_equal(p.e2e.next_hdr, SCION_PROTO_UDP);
	assert_int_equal(b.p[p.hdr_len + 28 + 1], 7);
	assert_int_equal(p.e2e.options_len + 2, 32);
	assert_int_equal(count_options(p.e2e.options, p.e2e.options_len), 4);
	assert_udp(&p, 0xb7d2);
	assert_reencodes(&b, &p);
	free(b.p);
}

static void test_empty_udp(void **state)
{
	struct blob b = read_vector(VEC("empty-udp.bin"));
	struct scion_packet p;

	(void)state;
	assert_int_equal(scion_packet_decode(b.p, b.len, &p), 0);
	assert_int_equal(p.hdr.traffic_class, 0xb8);
	assert_int_equal(p.hdr.flow_id, 0xdead);
	assert_int_equal(p.hdr_len, 12 * 4);
	assert_int_equal(p.hdr.payload_len, 1032);
	assert_int_equal(p.hdr.next_hdr, SCION_PROTO_UDP);
	assert_int_equal(p.hdr.path_type, SCION_PATH_TYPE_EMPTY);
	assert_int_equal(p.hdr.path_len, 0);
	assert_true(p.hdr.dst.ia == IA_1_111);
	assert_true(p.hdr.src.ia == IA_1_111);
	assert_int_equal(p.hdr.dst.host.type, SCION_HOST_IPV6);
	assert_memory_equal(p.hdr.dst.host.ip, ip6_addr, 16);
	assert_int_equal(p.hdr.src.host.type, SCION_HOST_IPV4);
	assert_memory_equal(p.hdr.src.host.ip, ip4_addr, 4);
	assert_udp(&p, 0xb8e4);
	assert_reencodes(&b, &p);
	assert_udp_build(&b, &p);
	free(b.p);
}

static const uint8_t ff18[18] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* The reference wrote these with ComputeChecksums off: the checksum field is zero. */
static void decode_scmp_vector(const char *path, struct blob *b, struct scion_packet *p,
			       struct scmp_msg *m)
{
	uint8_t *out;
	size_t n = 0;

	*b = read_vector(path);
	assert_int_equal(scion_packet_decode(b->p, b->len, p), 0);
	assert_prep_header(p, SCION_PROTO_SCMP);
	assert_int_equal(p->l4_proto, SCION_PROTO_SCMP);
	assert_int_equal(scmp_decode(&p->hdr, p->l4, p->l4_len, true, m), SCION_PKT_ERR_CHECKSUM);
	assert_int_equal(scmp_decode(&p->hdr, p->l4, p->l4_len, false, m), 0);
	assert_int_equal(m->checksum, 0);
	assert_int_equal(m->data_len, 18);
	assert_memory_equal(m->data, ff18, 18);
	assert_reencodes(b, p);
	/* Our encoder computes the checksum; everything else must match the vector. */
	out = malloc(p->l4_len);
	assert_non_null(out);
	assert_int_equal(scmp_encode(&p->hdr, m, out, p->l4_len, &n), 0);
	assert_int_equal(n, p->l4_len);
	assert_memory_equal(out, p->l4, 2);
	assert_memory_equal(out + 4, p->l4 + 4, n - 4);
	assert_int_equal(scion_l4_checksum(&p->hdr, SCION_PROTO_SCMP, out, n), 0);
	free(out);
}

static void test_scmp_dest_unreachable(void **state)
{
	struct blob b;
	struct scion_packet p;
	struct scmp_msg m;

	(void)state;
	decode_scmp_vector(VEC("scion-scmp-dest-unreachable.bin"), &b, &p, &m);
	assert_int_equal(m.type, SCMP_DEST_UNREACHABLE);
	assert_int_equal(m.code, 6); /* SCMPCodeRejectRouteToDest */
	assert_true(scmp_is_error(m.type));
	free(b.p);
}

static void test_scmp_ext_if_down(void **state)
{
	struct blob b;
	struct scion_packet p;
	struct scmp_msg m;

	(void)state;
	decode_scmp_vector(VEC("scion-scmp-ext-int-down.bin"), &b, &p, &m);
	assert_int_equal(m.type, SCMP_EXTERNAL_INTERFACE_DOWN);
	assert_int_equal(m.code, 0);
	assert_true(m.u.ext_down.ia == IA_1_111);
	assert_int_equal(m.u.ext_down.ifid, 5);
	free(b.p);
}

static void test_scmp_int_conn_down(void **state)
{
	struct blob b;
	struct scion_packet p;
	struct scmp_msg m;

	(void)state;
	decode_scmp_vector(VEC("scion-scmp-int-conn-down.bin"), &b, &p, &m);
	assert_int_equal(m.type, SCMP_INTERNAL_CONNECTIVITY_DOWN);
	assert_int_equal(m.code, 0);
	assert_true(m.u.int_down.ia == IA_1_111);
	assert_int_equal(m.u.int_down.ingress, 5);
	assert_int_equal(m.u.int_down.egress, 15);
	free(b.p);
}

/* bfd_test.go: the SCION layer decodes; BFD (NextHdr 203) is left to the caller. */
static void test_bfd(void **state)
{
	static const uint8_t dst[4] = {127, 0, 0, 9}, src[4] = {127, 0, 0, 10};
	struct blob b = read_vector(VEC("scion-bfd.bin"));
	struct scion_packet p;

	(void)state;
	assert_int_equal(scion_packet_decode(b.p, b.len, &p), 0);
	assert_int_equal(p.hdr.flow_id, 0xdead);
	assert_int_equal(p.hdr.next_hdr, SCION_PROTO_BFD);
	assert_int_equal(p.l4_proto, SCION_PROTO_BFD);
	assert_int_equal(p.hdr.path_type, SCION_PATH_TYPE_EMPTY);
	assert_true(p.hdr.dst.ia == IA_1_110);
	assert_true(p.hdr.src.ia == IA_1_110);
	assert_int_equal(p.hdr.dst.host.type, SCION_HOST_IPV4);
	assert_memory_equal(p.hdr.dst.host.ip, dst, 4);
	assert_memory_equal(p.hdr.src.host.ip, src, 4);
	assert_int_equal(p.l4_len, 24); /* a BFD control packet without authentication */
	assert_int_equal(p.l4[3], 24);	/* BFD Length field */
	assert_reencodes(&b, &p);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scion_udp),
	    cmocka_unit_test(test_scion_udp_extn),
	    cmocka_unit_test(test_empty_udp),
	    cmocka_unit_test(test_scmp_dest_unreachable),
	    cmocka_unit_test(test_scmp_ext_if_down),
	    cmocka_unit_test(test_scmp_int_conn_down),
	    cmocka_unit_test(test_bfd),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
