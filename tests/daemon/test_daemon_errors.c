/* SPDX-License-Identifier: MIT */
/*
 * The daemon is external input: an unreachable or silent daemon gives a specific error within
 * the timeout (never a hang), and malformed answers are rejected with specific errors. The
 * malformed answers come from a raw server (rpc_server.c) sending crafted protobuf bytes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "codec.h"
#include "fixtures.h"
#include "proto/daemon/v1/daemon.pb-c.h"
#include "rpc.h"

enum {
	/* An error must come within the timeout; this only absorbs a slow machine. */
	ERRORS_SLACK_MS = 3000,
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A loopback TCP socket: listening (accepts, never speaks) or just bound (refuses). */
static int loopback_socket(bool listening, uint16_t *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (listening)
		assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void test_unreachable_is_unavailable_quickly(void **state)
{
	struct seg_daemon_as_info info;
	struct seg_daemon *d;
	char addr[32];
	uint16_t port;
	int64_t t0;
	/* Bound, not listening: connections to it are refused. */
	int fd = loopback_socket(false, &port);

	(void)state;
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	d = seg_daemon_open(addr, 1000);
	assert_non_null(d);
	for (int i = 0; i < 2; i++) {
		t0 = now_ms();
		assert_int_equal(seg_daemon_as_info(d, 0, &info), SEG_DAEMON_ERR_UNAVAILABLE);
		assert_true(now_ms() - t0 < 1000 + ERRORS_SLACK_MS);
		assert_int_equal(seg_daemon_last_status(d), GRPC_STATUS_UNAVAILABLE);
		assert_non_null(strstr(seg_daemon_last_error(d), addr));
	}
	seg_daemon_close(d);
	close(fd);
}

static void test_silent_daemon_is_deadline(void **state)
{
	struct seg_daemon_port_range range;
	struct seg_daemon *d;
	char addr[32];
	uint16_t port;
	int64_t t0;
	/* Listening: TCP connects, but no HTTP/2 ever comes back. */
	int fd = loopback_socket(true, &port);

	(void)state;
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	d = seg_daemon_open(addr, 300);
	assert_non_null(d);
	t0 = now_ms();
	assert_int_equal(seg_daemon_port_range(d, &range), SEG_DAEMON_ERR_DEADLINE);
	assert_true(now_ms() - t0 < 300 + ERRORS_SLACK_MS);
	assert_int_equal(seg_daemon_last_status(d), GRPC_STATUS_DEADLINE_EXCEEDED);
	seg_daemon_close(d);
	close(fd);
}

static void test_open_arguments(void **state)
{
	char longaddr[400];
	struct seg_daemon *d;

	(void)state;
	memset(longaddr, 'a', sizeof(longaddr) - 1);
	longaddr[sizeof(longaddr) - 1] = '\0';
	assert_null(seg_daemon_open("", 100));
	assert_null(seg_daemon_open("127.0.0.1:1", -1));
	assert_null(seg_daemon_open("127.0.0.1:1", SEG_DAEMON_MAX_TIMEOUT_MS + 1));
	assert_null(seg_daemon_open(longaddr, 100));
	d = seg_daemon_open(NULL, 0); /* the default address; nothing is sent until a call */
	assert_non_null(d);
	seg_daemon_close(d);
}

/* ---- a raw server answering whatever bytes the test put in `canned` ---- */

static struct {
	uint8_t buf[4096];
	size_t len;
} canned;

static int canned_handler(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
			  size_t *resp_len, grpc_status_code *code, const char **details)
{
	(void)ctx;
	(void)req;
	(void)len;
	(void)code;
	(void)details;
	*resp = malloc(canned.len + 1);
	if (!*resp)
		return -1;
	memcpy(*resp, canned.buf, canned.len);
	*resp_len = canned.len;
	return 0;
}

#define M(x) "/proto.daemon.v1.DaemonService/" x
static const struct daemon_rpc_method canned_methods[] = {
    {M("Paths"), canned_handler},	  {M("AS"), canned_handler},
    {M("Interfaces"), canned_handler},	  {M("PortRange"), canned_handler},
    {M("DRKeyHostAS"), canned_handler},	  {M("DRKeyASHost"), canned_handler},
    {M("DRKeyHostHost"), canned_handler},
};

struct canned_rig {
	struct daemon_rpc_server *server;
	struct seg_daemon *d;
};

static int canned_setup(void **state)
{
	static struct canned_rig rig;
	char addr[32];
	uint16_t port;

	if (daemon_rpc_server_start("127.0.0.1:0", canned_methods,
				    sizeof(canned_methods) / sizeof(canned_methods[0]), NULL,
				    &rig.server, &port))
		return -1;
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	rig.d = seg_daemon_open(addr, 10000);
	*state = &rig;
	return rig.d ? 0 : -1;
}

static int canned_teardown(void **state)
{
	struct canned_rig *rig = *state;

	seg_daemon_close(rig->d);
	daemon_rpc_server_stop(rig->server);
	return 0;
}

static void can(const ProtobufCMessage *m)
{
	assert_true(protobuf_c_message_get_packed_size(m) <= sizeof(canned.buf));
	canned.len = protobuf_c_message_pack(m, canned.buf);
}

static int paths_with(struct seg_daemon *d, const Proto__Daemon__V1__Path *p)
{
	Proto__Daemon__V1__PathsResponse resp = PROTO__DAEMON__V1__PATHS_RESPONSE__INIT;
	Proto__Daemon__V1__Path *ptr = (Proto__Daemon__V1__Path *)p;
	struct seg_path *paths = NULL;
	size_t n = 0;
	int rc;

	resp.n_paths = 1;
	resp.paths = &ptr;
	can(&resp.base);
	rc = seg_daemon_paths(d, FIX_SRC_IA, FIX_DST_IA, false, false, &paths, &n);
	if (rc) {
		assert_null(paths);
		assert_int_equal(n, 0);
	}
	seg_daemon_paths_free(paths);
	return rc;
}

/* A valid one-segment path message; tests break one field at a time. */
struct good_path {
	Proto__Daemon__V1__Path path;
	Proto__Daemon__V1__Interface iface;
	Proto__Daemon__V1__Underlay underlay;
	Proto__Daemon__V1__PathInterface pi[2];
	Proto__Daemon__V1__PathInterface *pip[2];
	uint8_t raw[SEG_PATH_RAW_MAX + 12];
};

static void good_path_init(struct good_path *g)
{
	proto__daemon__v1__path__init(&g->path);
	proto__daemon__v1__interface__init(&g->iface);
	proto__daemon__v1__underlay__init(&g->underlay);
	memset(g->raw, 0, sizeof(g->raw));
	g->raw[2] = 0x20; /* Seg0Len = 2 */
	g->path.raw.data = g->raw;
	g->path.raw.len = 4 + SCION_INFO_LEN + 2 * SCION_HOP_LEN;
	g->underlay.address = (char *)"127.0.0.1:31000";
	g->iface.address = &g->underlay;
	g->path.interface = &g->iface;
	for (int i = 0; i < 2; i++) {
		proto__daemon__v1__path_interface__init(&g->pi[i]);
		g->pi[i].isd_as = i ? FIX_DST_IA : FIX_SRC_IA;
		g->pi[i].id = 1 + (uint64_t)i;
		g->pip[i] = &g->pi[i];
	}
	g->path.n_interfaces = 2;
	g->path.interfaces = g->pip;
	g->path.mtu = 1280;
}

static void test_malformed_bytes(void **state)
{
	struct canned_rig *rig = *state;
	struct seg_daemon_as_info info;
	struct seg_path *paths;
	size_t n;

	memcpy(canned.buf, "\xff\xff\xff\xff\x0f", 5);
	canned.len = 5;
	assert_int_equal(seg_daemon_as_info(rig->d, 0, &info), SEG_DAEMON_ERR_PROTOBUF);
	assert_int_equal(seg_daemon_paths(rig->d, 1, 2, false, false, &paths, &n),
			 SEG_DAEMON_ERR_PROTOBUF);
	assert_non_null(strstr(seg_daemon_last_error(rig->d), "Paths"));
	/* A length-delimited field running past the end. */
	memcpy(canned.buf, "\x0a\x10\x0a", 3);
	canned.len = 3;
	assert_int_equal(seg_daemon_paths(rig->d, 1, 2, false, false, &paths, &n),
			 SEG_DAEMON_ERR_PROTOBUF);
}

static void test_bad_paths(void **state)
{
	struct canned_rig *rig = *state;
	struct good_path g;
	static const char *const bad_underlays[] = {"127.0.0.1", "localhost:31000", "::1:31000",
						    "127.0.0.1:0", ""};

	good_path_init(&g);
	assert_int_equal(paths_with(rig->d, &g.path), 0);

	good_path_init(&g);
	g.path.raw.len = SEG_PATH_RAW_MAX + 12; /* longer than any SCION path */
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_RAW);
	good_path_init(&g);
	g.path.raw.len -= 1; /* one byte short of what the meta header declares */
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_RAW);
	good_path_init(&g);
	g.path.raw.len = 0;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_RAW);

	for (size_t i = 0; i < sizeof(bad_underlays) / sizeof(bad_underlays[0]); i++) {
		good_path_init(&g);
		g.underlay.address = (char *)bad_underlays[i];
		assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_UNDERLAY);
	}
	good_path_init(&g);
	g.path.interface = NULL;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_UNDERLAY);
	good_path_init(&g);
	g.iface.address = NULL;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_UNDERLAY);

	good_path_init(&g);
	g.path.n_interfaces = 1; /* odd */
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_IFACES);
	good_path_init(&g);
	g.pi[1].id = 0;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_IFACES);
	good_path_init(&g);
	g.pi[1].id = 65536;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_IFACES);
	good_path_init(&g);
	g.pi[0].isd_as = 0x0000ff0000000110ull; /* ISD 0 */
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_IFACES);

	good_path_init(&g);
	g.path.mtu = 0;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_MTU);
	good_path_init(&g);
	g.path.mtu = 70000;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_MTU);
}

static void test_too_many_path_interfaces(void **state)
{
	struct canned_rig *rig = *state;
	Proto__Daemon__V1__PathInterface pi, *pip[SEG_PATH_IFACES_MAX + 2];
	struct good_path g;

	good_path_init(&g);
	proto__daemon__v1__path_interface__init(&pi);
	pi.isd_as = FIX_SRC_IA;
	pi.id = 1;
	for (size_t i = 0; i < SEG_PATH_IFACES_MAX + 2; i++)
		pip[i] = &pi;
	g.path.interfaces = pip;
	g.path.n_interfaces = SEG_PATH_IFACES_MAX + 2;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_PATH_IFACES);
}

static void test_bad_expiration(void **state)
{
	struct canned_rig *rig = *state;
	Google__Protobuf__Timestamp t = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	struct good_path g;

	good_path_init(&g);
	g.path.expiration = &t;
	t.seconds = 1700000000;
	t.nanos = 1000000000;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_TIME);
	t.nanos = -1;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_TIME);
	t.nanos = 0;
	t.seconds = (int64_t)SEG_DAEMON_TIME_MAX + 1;
	assert_int_equal(paths_with(rig->d, &g.path), SEG_DAEMON_ERR_TIME);
	/* Go's zero time (year 1), as a daemon may send for the empty path: expiry unknown. */
	t.seconds = -62135596800LL;
	assert_int_equal(paths_with(rig->d, &g.path), 0);
}

static void test_bad_as_answers(void **state)
{
	struct canned_rig *rig = *state;
	Proto__Daemon__V1__ASResponse m = PROTO__DAEMON__V1__ASRESPONSE__INIT;
	struct seg_daemon_as_info info;

	m.isd_as = FIX_SRC_IA;
	m.mtu = 0;
	can(&m.base);
	assert_int_equal(seg_daemon_as_info(rig->d, 0, &info), SEG_DAEMON_ERR_MTU);
	m.mtu = 65536;
	can(&m.base);
	assert_int_equal(seg_daemon_as_info(rig->d, 0, &info), SEG_DAEMON_ERR_MTU);
	m.mtu = 1500;
	m.isd_as = 0;
	can(&m.base);
	assert_int_equal(seg_daemon_as_info(rig->d, 0, &info), SEG_DAEMON_ERR_IA);
	/* The empty answer is all zero: no AS. */
	canned.len = 0;
	assert_int_equal(seg_daemon_as_info(rig->d, 0, &info), SEG_DAEMON_ERR_IA);
}

static void test_bad_interfaces_answers(void **state)
{
	struct canned_rig *rig = *state;
	Proto__Daemon__V1__InterfacesResponse m = PROTO__DAEMON__V1__INTERFACES_RESPONSE__INIT;
	Proto__Daemon__V1__InterfacesResponse__InterfacesEntry e[2], *ep[2] = {&e[0], &e[1]};
	Proto__Daemon__V1__Interface iface = PROTO__DAEMON__V1__INTERFACE__INIT;
	Proto__Daemon__V1__Underlay u = PROTO__DAEMON__V1__UNDERLAY__INIT;
	struct seg_daemon_interface *ifaces;
	size_t n;

	u.address = (char *)"127.0.0.1:50000";
	iface.address = &u;
	for (int i = 0; i < 2; i++) {
		proto__daemon__v1__interfaces_response__interfaces_entry__init(&e[i]);
		e[i].key = 5;
		e[i].value = &iface;
	}
	m.interfaces = ep;
	m.n_interfaces = 2;
	can(&m.base);
	assert_int_equal(seg_daemon_interfaces(rig->d, &ifaces, &n), SEG_DAEMON_ERR_IFACE_ID);
	e[1].key = 0;
	can(&m.base);
	assert_int_equal(seg_daemon_interfaces(rig->d, &ifaces, &n), SEG_DAEMON_ERR_IFACE_ID);
	e[1].key = 6;
	e[1].value = NULL;
	can(&m.base);
	assert_int_equal(seg_daemon_interfaces(rig->d, &ifaces, &n), SEG_DAEMON_ERR_UNDERLAY);
	e[1].value = &iface;
	u.address = (char *)"[::1]:50000x";
	can(&m.base);
	assert_int_equal(seg_daemon_interfaces(rig->d, &ifaces, &n), SEG_DAEMON_ERR_UNDERLAY);
	assert_null(ifaces);
	assert_int_equal(n, 0);
	u.address = (char *)"[::1]:50000";
	can(&m.base);
	assert_int_equal(seg_daemon_interfaces(rig->d, &ifaces, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ifaces[0].id, 5);
	assert_int_equal(ifaces[1].id, 6);
	seg_daemon_interfaces_free(ifaces);
}

static void test_bad_port_range_answers(void **state)
{
	struct canned_rig *rig = *state;
	Proto__Daemon__V1__PortRangeResponse m = PROTO__DAEMON__V1__PORT_RANGE_RESPONSE__INIT;
	struct seg_daemon_port_range r;

	m.dispatched_port_start = 40000;
	m.dispatched_port_end = 30000;
	can(&m.base);
	assert_int_equal(seg_daemon_port_range(rig->d, &r), SEG_DAEMON_ERR_PORT_RANGE);
	m.dispatched_port_start = 1;
	m.dispatched_port_end = 65536;
	can(&m.base);
	assert_int_equal(seg_daemon_port_range(rig->d, &r), SEG_DAEMON_ERR_PORT_RANGE);
	canned.len = 0; /* 0-0: no dispatched ports, a valid answer */
	assert_int_equal(seg_daemon_port_range(rig->d, &r), 0);
	assert_int_equal(r.start, 0);
	assert_int_equal(r.end, 0);
}

static void test_bad_drkey_answers(void **state)
{
	struct canned_rig *rig = *state;
	Proto__Daemon__V1__DRKeyHostHostResponse m =
	    PROTO__DAEMON__V1__DRKEY_HOST_HOST_RESPONSE__INIT;
	Google__Protobuf__Timestamp b = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Google__Protobuf__Timestamp e = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	uint8_t key[17] = {1, 2, 3};
	struct seg_daemon_drkey_req req;
	struct seg_drkey out;

	fixture_drkey_req(&req);
	b.seconds = 100;
	e.seconds = 200;
	m.epoch_begin = &b;
	m.epoch_end = &e;
	m.key.data = key;
	m.key.len = 15;
	can(&m.base);
	assert_int_equal(seg_daemon_drkey_host_host(rig->d, &req, &out), SEG_DAEMON_ERR_KEY_LEN);
	m.key.len = 17;
	can(&m.base);
	assert_int_equal(seg_daemon_drkey_host_host(rig->d, &req, &out), SEG_DAEMON_ERR_KEY_LEN);
	m.key.len = 16;
	e.seconds = 100; /* empty epoch */
	can(&m.base);
	assert_int_equal(seg_daemon_drkey_host_host(rig->d, &req, &out), SEG_DAEMON_ERR_TIME);
	e.seconds = 200;
	m.epoch_end = NULL;
	can(&m.base);
	assert_int_equal(seg_daemon_drkey_host_host(rig->d, &req, &out), SEG_DAEMON_ERR_TIME);
	m.epoch_end = &e;
	b.seconds = -5;
	can(&m.base);
	assert_int_equal(seg_daemon_drkey_as_host(rig->d, &req, &out), SEG_DAEMON_ERR_TIME);
	b.seconds = 100;
	can(&m.base);
	assert_int_equal(seg_daemon_drkey_host_as(rig->d, &req, &out), 0);
	assert_memory_equal(out.key, key, 16);
	assert_int_equal(out.epoch_begin, 100);
	assert_int_equal(out.epoch_end, 200);
}

int main(void)
{
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(test_unreachable_is_unavailable_quickly),
	    cmocka_unit_test(test_silent_daemon_is_deadline),
	    cmocka_unit_test(test_open_arguments),
	};
	const struct CMUnitTest canned_tests[] = {
	    cmocka_unit_test(test_malformed_bytes),
	    cmocka_unit_test(test_bad_paths),
	    cmocka_unit_test(test_too_many_path_interfaces),
	    cmocka_unit_test(test_bad_expiration),
	    cmocka_unit_test(test_bad_as_answers),
	    cmocka_unit_test(test_bad_interfaces_answers),
	    cmocka_unit_test(test_bad_port_range_answers),
	    cmocka_unit_test(test_bad_drkey_answers),
	};
	int failed = cmocka_run_group_tests(plain, NULL, NULL);

	return failed + cmocka_run_group_tests(canned_tests, canned_setup, canned_teardown);
}
