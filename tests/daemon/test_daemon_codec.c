/* SPDX-License-Identifier: MIT */
/*
 * The daemon API codecs without gRPC: underlay and host text, raw path checks, and every
 * message through encode -> decode on both sides, plus the limits (paths kept, interfaces).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "codec.h"
#include "fixtures.h"
#include "proto/daemon/v1/daemon.pb-c.h"
#include "underlay.h"

static void test_underlay_accepts(void **state)
{
	static const char *const good[] = {"127.0.0.1:1",	   "192.0.2.1:30042",
					   "[::1]:65535",	   "[2001:db8::1]:30042",
					   "[::ffff:192.0.2.1]:5", "255.255.255.255:65535"};
	struct sockaddr_storage a;
	char back[SEG_UNDERLAY_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(seg_underlay_parse(good[i], &a), 0);
		assert_int_equal(seg_underlay_format(&a, back, sizeof(back)), 0);
		assert_string_equal(back, good[i]);
	}
	assert_int_equal(seg_underlay_parse("127.0.0.1:31002", &a), 0);
	assert_int_equal(a.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&a)->sin_port), 31002);
	/* Port 0 only where a server asks for any port. */
	assert_int_equal(daemon_underlay_parse("127.0.0.1:0", &a, true), 0);
	assert_true(daemon_underlay_is_loopback(&a));
	assert_int_equal(daemon_underlay_parse("[::1]:0", &a, true), 0);
	assert_true(daemon_underlay_is_loopback(&a));
	assert_int_equal(daemon_underlay_parse("127.200.0.1:0", &a, true), 0);
	assert_true(daemon_underlay_is_loopback(&a));
	assert_int_equal(daemon_underlay_parse("192.0.2.1:0", &a, true), 0);
	assert_false(daemon_underlay_is_loopback(&a));
}

static void test_underlay_rejects(void **state)
{
	static const char *const bad[] = {
	    "",
	    "127.0.0.1",
	    "127.0.0.1:",
	    "127.0.0.1:0",
	    "127.0.0.1:65536",
	    "127.0.0.1:+1",
	    "127.0.0.1:01",
	    "127.0.0.1:1x",
	    "::1:5",
	    "[::1]5",
	    "[::1]",
	    "[::1]:",
	    "[fe80::1%lo]:5",
	    "localhost:80",
	    "1.2.3:4",
	    "01.2.3.4:5",
	    " 1.2.3.4:5",
	    "1.2.3.4:5 ",
	    "[1.2.3.4]:5",
	    "1.2.3.4:-5",
	    "[::1]:5:6",
	    "[[::1]]:5",
	    "1.2.3.4:99999999",
	    ":5",
	    "[]:5",
	    "1.2.3.4.5:6",
	};
	char longer[200];
	struct sockaddr_storage a;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (seg_underlay_parse(bad[i], &a) != SEG_DAEMON_ERR_UNDERLAY)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	memset(longer, '1', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(seg_underlay_parse(longer, &a), SEG_DAEMON_ERR_UNDERLAY);
	assert_int_equal(seg_underlay_parse(NULL, &a), SEG_DAEMON_ERR_UNDERLAY);
}

static void test_host_text(void **state)
{
	struct scion_host h;
	char buf[64];

	(void)state;
	assert_int_equal(daemon_host_parse("192.0.2.1", &h), 0);
	assert_int_equal(h.type, SCION_HOST_IPV4);
	assert_int_equal(daemon_host_format(&h, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "192.0.2.1");
	assert_int_equal(daemon_host_parse("2001:db8::2", &h), 0);
	assert_int_equal(h.type, SCION_HOST_IPV6);
	assert_int_equal(daemon_host_format(&h, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8::2");
	assert_int_equal(daemon_host_parse("", &h), SEG_DAEMON_ERR_HOST);
	assert_int_equal(daemon_host_parse("host.example", &h), SEG_DAEMON_ERR_HOST);
	assert_int_equal(daemon_host_parse("192.0.2.1:5", &h), SEG_DAEMON_ERR_HOST);
	assert_int_equal(daemon_host_parse("[::1]", &h), SEG_DAEMON_ERR_HOST);
	h.type = SCION_HOST_SVC;
	assert_int_equal(daemon_host_format(&h, buf, sizeof(buf)), SEG_DAEMON_ERR_HOST);
}

static void test_raw_path_check(void **state)
{
	uint8_t raw[SEG_PATH_RAW_MAX + 1];

	(void)state;
	memset(raw, 0, sizeof(raw));
	/* Seg0Len=2, Seg1Len=2: two info fields, four hop fields. */
	raw[2] = 0x20;
	raw[3] = 0x80;
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 48), 0);
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 47), SEG_DAEMON_ERR_PATH_RAW);
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 49), SEG_DAEMON_ERR_PATH_RAW);
	assert_int_equal(daemon_raw_path_check(raw, 3), SEG_DAEMON_ERR_PATH_RAW);
	/* CurrHF 4 is past the last of four hops; CurrINF 1 with CurrHF 0 names the wrong
	 * segment. Both lengths are right, only the meta header's pointers are not. */
	raw[0] = 0x04;
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 48), SEG_DAEMON_ERR_PATH_RAW);
	raw[0] = 0x40;
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 48), SEG_DAEMON_ERR_PATH_RAW);
	raw[0] = 0x42; /* CurrINF 1, CurrHF 2: the first hop of the second segment */
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 48), 0);
	raw[0] = 0;
	/* Seg2Len set after a zero Seg1Len. */
	raw[2] = 0x20;
	raw[3] = 0x02;
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 48), SEG_DAEMON_ERR_PATH_RAW);
	/* No segment at all. */
	raw[2] = 0;
	raw[3] = 0;
	assert_int_equal(daemon_raw_path_check(raw, 4), SEG_DAEMON_ERR_PATH_RAW);
	/* 63 + 1 hops in two segments is the maximum... */
	raw[1] = 0x03;
	raw[2] = 0xf0;
	raw[3] = 0x40;
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 64 * 12), 0);
	/* ...63 + 2 is one too many. */
	raw[3] = 0x80;
	assert_int_equal(daemon_raw_path_check(raw, 4 + 16 + 65 * 12), SEG_DAEMON_ERR_PATH_RAW);
	assert_int_equal(daemon_raw_path_check(raw, SEG_PATH_RAW_MAX + 1), SEG_DAEMON_ERR_PATH_RAW);
}

static void test_path_roundtrip(void **state)
{
	struct seg_path in, out;
	uint8_t *buf;
	size_t len;

	(void)state;
	for (size_t i = 0; i < FIX_N_PATHS; i++) {
		fixture_path(i, &in);
		assert_int_equal(daemon_encode_path(&in, &buf, &len), 0);
		assert_int_equal(daemon_decode_path(buf, len, &out), 0);
		free(buf);
		assert_int_equal(out.type, in.type);
		assert_int_equal(out.raw_len, in.raw_len);
		assert_memory_equal(out.raw, in.raw, in.raw_len);
		assert_int_equal(out.n_ifaces, in.n_ifaces);
		assert_memory_equal(out.ifaces, in.ifaces, in.n_ifaces * sizeof(in.ifaces[0]));
		assert_int_equal(out.mtu, in.mtu);
		assert_int_equal(out.expiry_unix, in.expiry_unix);
		assert_int_equal(out.next_hop.ss_family, in.next_hop.ss_family);
	}
	/* The encoder refuses what a decoder would reject. */
	fixture_path(0, &in);
	in.n_ifaces = 3;
	assert_int_equal(daemon_encode_path(&in, &buf, &len), SEG_DAEMON_ERR_PATH_IFACES);
	fixture_path(0, &in);
	in.next_hop.ss_family = AF_UNSPEC;
	assert_int_equal(daemon_encode_path(&in, &buf, &len), SEG_DAEMON_ERR_UNDERLAY);
	fixture_path(2, &in);
	in.raw_len = 4;
	assert_int_equal(daemon_encode_path(&in, &buf, &len), SEG_DAEMON_ERR_PATH_IFACES);
}

static void test_empty_path_with_raw_rejected(void **state)
{
	Proto__Daemon__V1__Path m = PROTO__DAEMON__V1__PATH__INIT;
	uint8_t raw[4] = {0, 0, 0x10, 0}, buf[64];
	struct seg_path out;
	size_t len;

	(void)state;
	m.mtu = 1400;
	m.raw.data = raw;
	m.raw.len = sizeof(raw);
	len = proto__daemon__v1__path__pack(&m, buf);
	assert_int_equal(daemon_decode_path(buf, len, &out), SEG_DAEMON_ERR_PATH_RAW);
}

static void test_paths_kept_at_most_max(void **state)
{
	Proto__Daemon__V1__PathsResponse m = PROTO__DAEMON__V1__PATHS_RESPONSE__INIT;
	Proto__Daemon__V1__Path p = PROTO__DAEMON__V1__PATH__INIT;
	Proto__Daemon__V1__Path *ptrs[SEG_DAEMON_PATHS_MAX + 44];
	struct seg_path *paths;
	uint8_t *buf;
	size_t n, len;

	(void)state;
	p.mtu = 1400; /* the empty path: small */
	for (size_t i = 0; i < SEG_DAEMON_PATHS_MAX + 44; i++)
		ptrs[i] = &p;
	m.paths = ptrs;
	m.n_paths = SEG_DAEMON_PATHS_MAX + 44;
	assert_int_equal(daemon_pack(&m.base, &buf, &len), 0);
	assert_int_equal(daemon_decode_paths_resp(buf, len, &paths, &n), 0);
	free(buf);
	assert_int_equal(n, SEG_DAEMON_PATHS_MAX);
	assert_int_equal(paths[SEG_DAEMON_PATHS_MAX - 1].mtu, 1400);
	free(paths);
	/* Zero paths: a valid answer, NULL array. */
	assert_int_equal(daemon_decode_paths_resp((const uint8_t *)"", 0, &paths, &n), 0);
	assert_null(paths);
	assert_int_equal(n, 0);
}

static void test_interfaces_limit(void **state)
{
	struct seg_daemon_interface *in, *out;
	uint8_t *buf;
	size_t n, len;

	(void)state;
	in = calloc(SEG_DAEMON_INTERFACES_MAX + 1, sizeof(*in));
	assert_non_null(in);
	for (size_t i = 0; i <= SEG_DAEMON_INTERFACES_MAX; i++) {
		in[i].id = i + 1;
		assert_int_equal(seg_underlay_parse("127.0.0.1:1000", &in[i].addr), 0);
	}
	assert_int_equal(
	    daemon_encode_interfaces_resp(in, SEG_DAEMON_INTERFACES_MAX + 1, &buf, &len),
	    SEG_DAEMON_ERR_TOO_MANY);
	assert_int_equal(daemon_encode_interfaces_resp(in, SEG_DAEMON_INTERFACES_MAX, &buf, &len),
			 0);
	assert_int_equal(daemon_decode_interfaces_resp(buf, len, &out, &n), 0);
	assert_int_equal(n, SEG_DAEMON_INTERFACES_MAX);
	free(out);
	free(buf);
	in[1].id = in[0].id;
	assert_int_equal(daemon_encode_interfaces_resp(in, 2, &buf, &len), SEG_DAEMON_ERR_IFACE_ID);
	free(in);
}

static void test_requests_roundtrip(void **state)
{
	struct seg_daemon_paths_req pr = {FIX_SRC_IA, FIX_DST_IA, true, true}, pr2;
	struct seg_daemon_drkey_req dr, dr2;
	scion_ia_t ia;
	uint8_t *buf;
	size_t len;

	(void)state;
	assert_int_equal(daemon_encode_paths_req(&pr, &buf, &len), 0);
	assert_int_equal(daemon_decode_paths_req(buf, len, &pr2), 0);
	free(buf);
	assert_int_equal(pr2.src, pr.src);
	assert_int_equal(pr2.dst, pr.dst);
	assert_true(pr2.hidden);
	assert_true(pr2.refresh);
	assert_int_equal(daemon_encode_as_req(FIX_DST_IA, &buf, &len), 0);
	assert_int_equal(daemon_decode_as_req(buf, len, &ia), 0);
	free(buf);
	assert_int_equal(ia, FIX_DST_IA);
	assert_int_equal(daemon_encode_empty(&buf, &len), 0);
	assert_int_equal(len, 0);
	assert_int_equal(daemon_decode_empty(buf, len), 0);
	assert_int_equal(daemon_decode_interfaces_req(buf, len), 0);
	free(buf);

	fixture_drkey_req(&dr);
	for (int kind = SEG_DRKEY_HOST_AS; kind <= SEG_DRKEY_HOST_HOST; kind++) {
		assert_int_equal(daemon_encode_drkey_req(kind, &dr, &buf, &len), 0);
		assert_int_equal(daemon_decode_drkey_req(kind, buf, len, &dr2), 0);
		free(buf);
		assert_int_equal(dr2.val_time, dr.val_time);
		assert_int_equal(dr2.protocol, dr.protocol);
		assert_int_equal(dr2.src_ia, dr.src_ia);
		assert_int_equal(dr2.dst_ia, dr.dst_ia);
		if (kind != SEG_DRKEY_AS_HOST)
			assert_memory_equal(dr2.src_host.ip, dr.src_host.ip, 4);
		if (kind != SEG_DRKEY_HOST_AS)
			assert_memory_equal(dr2.dst_host.ip, dr.dst_host.ip, 16);
	}
	dr.val_time = SEG_DAEMON_TIME_MAX + 1;
	assert_int_equal(daemon_encode_drkey_req(SEG_DRKEY_HOST_AS, &dr, &buf, &len),
			 SEG_DAEMON_ERR_TIME);
}

static void test_drkey_request_checks(void **state)
{
	Proto__Daemon__V1__DRKeyHostASRequest m = PROTO__DAEMON__V1__DRKEY_HOST_ASREQUEST__INIT;
	Google__Protobuf__Timestamp t = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct seg_daemon_drkey_req out;
	uint8_t buf[128];
	size_t len;

	(void)state;
	m.src_host = (char *)"192.0.2.1";
	len = proto__daemon__v1__drkey_host_asrequest__pack(&m, buf);
	assert_int_equal(daemon_decode_drkey_req(SEG_DRKEY_HOST_AS, buf, len, &out),
			 SEG_DAEMON_ERR_TIME); /* no val_time */
	m.val_time = &t;
	t.seconds = 5;
	m.protocol_id = (Proto__Drkey__V1__Protocol)65536;
	len = proto__daemon__v1__drkey_host_asrequest__pack(&m, buf);
	assert_int_equal(daemon_decode_drkey_req(SEG_DRKEY_HOST_AS, buf, len, &out),
			 SEG_DAEMON_ERR_PROTOCOL);
	m.protocol_id = (Proto__Drkey__V1__Protocol)65535;
	m.src_host = (char *)"not-an-ip";
	len = proto__daemon__v1__drkey_host_asrequest__pack(&m, buf);
	assert_int_equal(daemon_decode_drkey_req(SEG_DRKEY_HOST_AS, buf, len, &out),
			 SEG_DAEMON_ERR_HOST);
	m.src_host = (char *)"2001:db8::7";
	len = proto__daemon__v1__drkey_host_asrequest__pack(&m, buf);
	assert_int_equal(daemon_decode_drkey_req(SEG_DRKEY_HOST_AS, buf, len, &out), 0);
	assert_int_equal(out.protocol, 65535);
	assert_int_equal(out.val_time, 5);
	assert_int_equal(out.src_host.type, SCION_HOST_IPV6);
}

static void test_answers_roundtrip(void **state)
{
	struct seg_daemon_port_range pr = {5, 5}, pr2;
	struct seg_daemon_as_info a, a2;
	struct seg_drkey k, k2;
	uint8_t *buf;
	size_t len;

	(void)state;
	fixture_as_info(&a);
	assert_int_equal(daemon_encode_as_resp(&a, &buf, &len), 0);
	assert_int_equal(daemon_decode_as_resp(buf, len, &a2), 0);
	free(buf);
	assert_true(fixture_check_as_info(&a2, stderr));
	assert_int_equal(daemon_encode_port_range_resp(&pr, &buf, &len), 0);
	assert_int_equal(daemon_decode_port_range_resp(buf, len, &pr2), 0);
	free(buf);
	assert_int_equal(pr2.start, 5);
	assert_int_equal(pr2.end, 5);
	pr.start = 6;
	assert_int_equal(daemon_encode_port_range_resp(&pr, &buf, &len), SEG_DAEMON_ERR_PORT_RANGE);
	for (int kind = SEG_DRKEY_HOST_AS; kind <= SEG_DRKEY_HOST_HOST; kind++) {
		fixture_drkey(kind, &k);
		assert_int_equal(daemon_encode_drkey_resp(kind, &k, &buf, &len), 0);
		assert_int_equal(daemon_decode_drkey_resp(kind, buf, len, &k2), 0);
		free(buf);
		assert_true(fixture_check_drkey(kind, &k2, stderr));
	}
	k.epoch_end = k.epoch_begin;
	assert_int_equal(daemon_encode_drkey_resp(SEG_DRKEY_HOST_AS, &k, &buf, &len),
			 SEG_DAEMON_ERR_TIME);
}

static void test_strerror_covers_all(void **state)
{
	(void)state;
	for (int e = SEG_DAEMON_ERR_INTERNAL; e <= SEG_DAEMON_OK; e++) {
		if (e > SEG_DAEMON_ERR_ARG && e < SEG_DAEMON_OK)
			continue;
		assert_string_not_equal(seg_daemon_strerror(e), "unknown daemon error");
	}
	assert_string_equal(seg_daemon_strerror(-1), "unknown daemon error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_underlay_accepts),
	    cmocka_unit_test(test_underlay_rejects),
	    cmocka_unit_test(test_host_text),
	    cmocka_unit_test(test_raw_path_check),
	    cmocka_unit_test(test_path_roundtrip),
	    cmocka_unit_test(test_empty_path_with_raw_rejected),
	    cmocka_unit_test(test_paths_kept_at_most_max),
	    cmocka_unit_test(test_interfaces_limit),
	    cmocka_unit_test(test_requests_roundtrip),
	    cmocka_unit_test(test_drkey_request_checks),
	    cmocka_unit_test(test_answers_roundtrip),
	    cmocka_unit_test(test_strerror_covers_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
