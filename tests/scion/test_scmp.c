/* SPDX-License-Identifier: MIT */
/*
 * SCMP (scmp.rst): every type round-trips through a whole SCION/SCMP packet with a verified
 * checksum; truncated InfoBlocks, wrong checksums and unknown types are rejected; error
 * quotes are cut to SCMP_MAX_PACKET_LEN.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <seg/scion_packet.h>

static void make_header(struct scion_header *h)
{
	static const uint8_t d[4] = {10, 0, 0, 1};
	static const uint8_t s[16] = {0xfd, 0, [15] = 7};

	memset(h, 0, sizeof(*h));
	h->flow_id = 1;
	h->dst.ia = scion_ia_make(1, 0xff0000000111ull);
	h->src.ia = scion_ia_make(2, 0xff0000000222ull);
	scion_host_from_ipv4(&h->dst.host, d);
	scion_host_from_ipv6(&h->src.host, s);
	h->path_type = SCION_PATH_TYPE_EMPTY;
}

static const uint8_t all_types[] = {
    SCMP_DEST_UNREACHABLE,
    SCMP_PACKET_TOO_BIG,
    SCMP_PARAMETER_PROBLEM,
    SCMP_EXTERNAL_INTERFACE_DOWN,
    SCMP_INTERNAL_CONNECTIVITY_DOWN,
    SCMP_ECHO_REQUEST,
    SCMP_ECHO_REPLY,
    SCMP_TRACEROUTE_REQUEST,
    SCMP_TRACEROUTE_REPLY,
};

static void fill_msg(struct scmp_msg *m, uint8_t type, const uint8_t *data, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->code = type == SCMP_DEST_UNREACHABLE ? 4 : 0;
	switch (type) {
	case SCMP_PACKET_TOO_BIG:
		m->u.too_big.mtu = 1280;
		break;
	case SCMP_PARAMETER_PROBLEM:
		m->code = 48;
		m->u.param.pointer = 0x30;
		break;
	case SCMP_EXTERNAL_INTERFACE_DOWN:
		m->u.ext_down.ia = scion_ia_make(3, 0xff0000000333ull);
		m->u.ext_down.ifid = 0x0102030405060708ull;
		break;
	case SCMP_INTERNAL_CONNECTIVITY_DOWN:
		m->u.int_down.ia = scion_ia_make(3, 0xff0000000333ull);
		m->u.int_down.ingress = 41;
		m->u.int_down.egress = 42;
		break;
	case SCMP_ECHO_REQUEST:
	case SCMP_ECHO_REPLY:
		m->u.echo.id = 0xabcd;
		m->u.echo.seq = 7;
		break;
	case SCMP_TRACEROUTE_REQUEST:
	case SCMP_TRACEROUTE_REPLY:
		m->u.traceroute.id = 0x1234;
		m->u.traceroute.seq = 9;
		m->u.traceroute.ia = scion_ia_make(4, 5);
		m->u.traceroute.ifid = 77;
		break;
	}
	m->data = data;
	m->data_len = len;
}

static void assert_msg_equal(const struct scmp_msg *a, const struct scmp_msg *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->code, b->code);
	assert_memory_equal(&a->u, &b->u, sizeof(a->u));
	assert_int_equal(a->data_len, b->data_len);
	if (a->data_len)
		assert_memory_equal(a->data, b->data, a->data_len);
}

static void test_roundtrip_all_types(void **state)
{
	static const uint8_t quote[40] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	static uint8_t buf[512], again[512];

	(void)state;
	for (size_t i = 0; i < sizeof(all_types); i++) {
		struct scion_header h;
		struct scion_packet p;
		struct scmp_msg in, out;
		size_t n = 0, m = 0;

		make_header(&h);
		fill_msg(&in, all_types[i], quote, sizeof(quote));
		assert_int_equal(scion_scmp_packet_build(&h, &in, buf, sizeof(buf), &n), 0);
		assert_int_equal(n,
				 scion_header_len(&h) + 4 + scmp_info_len(in.type) + sizeof(quote));
		assert_int_equal(scion_packet_decode(buf, n, &p), 0);
		assert_int_equal(p.hdr.next_hdr, SCION_PROTO_SCMP);
		assert_int_equal(scmp_decode(&p.hdr, p.l4, p.l4_len, true, &out), 0);
		assert_msg_equal(&in, &out);
		assert_int_equal(scmp_is_error(in.type), in.type < 128);
		/* Encoding the decoded message gives the same bytes, checksum included. */
		assert_int_equal(scmp_encode(&p.hdr, &out, again, sizeof(again), &m), 0);
		assert_int_equal(m, p.l4_len);
		assert_memory_equal(again, p.l4, m);
		assert_int_equal(scmp_encode(&p.hdr, &out, again, m - 1, &m), SCION_PKT_ERR_SPACE);
		/* Every truncation of the header and InfoBlock is caught. */
		for (size_t l = 0; l < 4 + scmp_info_len(in.type); l++)
			assert_int_equal(scmp_decode(&p.hdr, p.l4, l, false, &out),
					 SCION_PKT_ERR_TRUNCATED);
		/* A flipped bit anywhere fails the checksum. */
		buf[n - 1] ^= 1;
		assert_int_equal(scmp_decode(&p.hdr, p.l4, p.l4_len, true, &out),
				 SCION_PKT_ERR_CHECKSUM);
	}
}

static void test_no_data(void **state)
{
	static uint8_t buf[256];
	struct scion_header h;
	struct scmp_msg in, out;
	size_t n = 0;

	(void)state;
	make_header(&h);
	fill_msg(&in, SCMP_ECHO_REQUEST, NULL, 0);
	assert_int_equal(scmp_encode(&h, &in, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, 8);
	assert_int_equal(scmp_decode(&h, buf, n, true, &out), 0);
	assert_int_equal(out.data_len, 0);
	assert_int_equal(out.u.echo.id, 0xabcd);
}

static void test_unknown_type(void **state)
{
	static uint8_t buf[64] = {100, 3, 0, 0, 0xaa, 0xbb};
	struct scion_header h;
	struct scmp_msg m;
	size_t n;

	(void)state;
	make_header(&h);
	uint16_t c = scion_l4_checksum(&h, SCION_PROTO_SCMP, buf, 6);
	buf[2] = (uint8_t)(c >> 8);
	buf[3] = (uint8_t)c;
	assert_int_equal(scmp_decode(&h, buf, 6, true, &m), SCION_PKT_ERR_SCMP_TYPE);
	assert_int_equal(m.type, 100);
	assert_int_equal(m.code, 3);
	assert_int_equal(m.data_len, 2);
	assert_int_equal(m.data[0], 0xaa);
	assert_int_equal(scmp_info_len(100), 0);
	assert_int_equal(scmp_info_len(3), 0);
	assert_true(scmp_is_error(100));
	assert_false(scmp_is_error(200));
	assert_int_equal(scmp_encode(&h, &m, buf, sizeof(buf), &n), SCION_PKT_ERR_SCMP_TYPE);
}

/* scmp.rst: an error message quotes as much as fits in 1232 bytes; echo data is never cut. */
static void test_quote_limit(void **state)
{
	static uint8_t quote[2000], buf[4096];
	struct scion_header h;
	struct scion_packet p;
	struct scmp_msg in, out;
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(quote); i++)
		quote[i] = (uint8_t)(i * 7);
	make_header(&h);
	fill_msg(&in, SCMP_INTERNAL_CONNECTIVITY_DOWN, quote, sizeof(quote));
	assert_int_equal(scion_scmp_packet_build(&h, &in, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, SCMP_MAX_PACKET_LEN);
	assert_int_equal(scion_packet_decode(buf, n, &p), 0);
	assert_int_equal(scmp_decode(&p.hdr, p.l4, p.l4_len, true, &out), 0);
	assert_int_equal(out.data_len, SCMP_MAX_PACKET_LEN - scion_header_len(&h) - 4 - 24);
	assert_memory_equal(out.data, quote, out.data_len);
	/* A short quote is kept whole. */
	fill_msg(&in, SCMP_PARAMETER_PROBLEM, quote, 100);
	assert_int_equal(scion_scmp_packet_build(&h, &in, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, scion_header_len(&h) + 4 + 4 + 100);
	fill_msg(&in, SCMP_ECHO_REPLY, quote, sizeof(quote));
	assert_int_equal(scion_scmp_packet_build(&h, &in, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, scion_header_len(&h) + 4 + 4 + sizeof(quote));
	assert_int_equal(scion_scmp_packet_build(&h, &in, buf, 100, &n), SCION_PKT_ERR_SPACE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_all_types),
	    cmocka_unit_test(test_no_data),
	    cmocka_unit_test(test_unknown_type),
	    cmocka_unit_test(test_quote_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
