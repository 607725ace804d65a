/* SPDX-License-Identifier: MIT */
/*
 * The C daemon server and the C daemon client in one process, over loopback gRPC: every
 * method round-trips every field; error statuses arrive as the specific error; the server
 * framework answers unknown methods, refuses non-loopback binds and restarts cleanly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <grpc/grpc_security.h>

#include "fixtures.h"
#include "rpc.h"

struct rig {
	struct fixture_state state;
	struct seg_daemon_server *server;
	struct seg_daemon *client;
	char addr[64];
};

static void rig_start(struct rig *r, const char *bind_host, const char *fmt,
		      const struct seg_daemon_service_ops *ops)
{
	char bind[64];
	uint16_t port = 0;

	memset(r, 0, sizeof(*r));
	snprintf(bind, sizeof(bind), fmt, bind_host, 0);
	assert_int_equal(seg_daemon_server_start(bind, ops, &r->state, &r->server, &port), 0);
	assert_int_not_equal(port, 0);
	snprintf(r->addr, sizeof(r->addr), fmt, bind_host, port);
	r->client = seg_daemon_open(r->addr, 10000);
	assert_non_null(r->client);
}

static void rig_stop(struct rig *r)
{
	seg_daemon_close(r->client);
	seg_daemon_server_stop(r->server);
}

static void test_all_methods_ipv4(void **state)
{
	struct rig r;

	(void)state;
	rig_start(&r, "127.0.0.1", "%s:%u", &fixture_ops);
	assert_int_equal(fixture_client_check_all(r.addr, stderr), 0);
	/* The last Paths call was hidden = true, refresh = false; the one before the reverse. */
	assert_true(r.state.last_paths.hidden);
	assert_false(r.state.last_paths.refresh);
	assert_int_equal(r.state.last_paths.src, FIX_SRC_IA);
	assert_int_equal(r.state.last_paths.dst, FIX_DST_IA);
	assert_int_equal(r.state.last_as, 0);
	assert_int_equal(r.state.n_calls, 8);
	rig_stop(&r);
}

static void test_all_methods_ipv6(void **state)
{
	struct rig r;

	(void)state;
	rig_start(&r, "::1", "[%s]:%u", &fixture_ops);
	assert_int_equal(fixture_client_check_all(r.addr, stderr), 0);
	rig_stop(&r);
}

static void test_refresh_and_as_request_fields(void **state)
{
	struct seg_daemon_as_info info;
	struct seg_path *paths;
	size_t n;
	struct rig r;

	(void)state;
	rig_start(&r, "127.0.0.1", "%s:%u", &fixture_ops);
	assert_int_equal(
	    seg_daemon_paths(r.client, FIX_SRC_IA, FIX_DST_IA, false, true, &paths, &n), 0);
	assert_true(fixture_check_paths(paths, n, false, stderr));
	seg_daemon_paths_free(paths);
	assert_false(r.state.last_paths.hidden);
	assert_true(r.state.last_paths.refresh);
	assert_int_equal(seg_daemon_as_info(r.client, FIX_SRC_IA, &info), 0);
	assert_int_equal(r.state.last_as, FIX_SRC_IA);
	assert_true(fixture_check_as_info(&info, stderr));
	assert_int_equal(seg_daemon_last_status(r.client), 0);
	assert_string_equal(seg_daemon_last_error(r.client), "");
	rig_stop(&r);
}

static void test_status_errors(void **state)
{
	struct seg_daemon_as_info info;
	struct seg_daemon_drkey_req req;
	struct seg_drkey key;
	struct seg_path *paths = (void *)1;
	size_t n = 99;
	struct rig r;

	(void)state;
	rig_start(&r, "127.0.0.1", "%s:%u", &fixture_ops);
	assert_int_equal(seg_daemon_as_info(r.client, FIX_DST_IA, &info), SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_last_status(r.client), GRPC_STATUS_NOT_FOUND);
	assert_non_null(strstr(seg_daemon_last_error(r.client), "NOT_FOUND"));
	assert_non_null(strstr(seg_daemon_last_error(r.client), "AS"));

	assert_int_equal(
	    seg_daemon_paths(r.client, FIX_DST_IA, FIX_SRC_IA, false, false, &paths, &n),
	    SEG_DAEMON_ERR_STATUS);
	assert_null(paths);
	assert_int_equal(n, 0);

	/* A DRKey request that the fixture does not expect: INVALID_ARGUMENT. */
	fixture_drkey_req(&req);
	req.protocol = 8;
	memset(&key, 0xaa, sizeof(key));
	assert_int_equal(seg_daemon_drkey_host_host(r.client, &req, &key), SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_last_status(r.client), GRPC_STATUS_INVALID_ARGUMENT);
	assert_int_equal(key.key[0], 0xaa); /* untouched on failure */

	/* Hosts the API cannot express are refused before anything is sent. */
	fixture_drkey_req(&req);
	req.src_host.type = SCION_HOST_SVC;
	assert_int_equal(seg_daemon_drkey_host_as(r.client, &req, &key), SEG_DAEMON_ERR_HOST);
	/* ...but a bad dst_host does not matter for HostAS. */
	req.src_host.type = SCION_HOST_IPV4;
	req.dst_host.type = SCION_HOST_SVC;
	assert_int_equal(seg_daemon_drkey_host_as(r.client, &req, &key), 0);
	assert_true(fixture_check_drkey(SEG_DRKEY_HOST_AS, &key, stderr));
	rig_stop(&r);
}

static void test_unimplemented_ops(void **state)
{
	static const struct seg_daemon_service_ops none = {0};
	struct seg_daemon_port_range range;
	struct seg_daemon_interface *ifaces;
	size_t n;
	struct rig r;

	(void)state;
	rig_start(&r, "127.0.0.1", "%s:%u", &none);
	assert_int_equal(seg_daemon_port_range(r.client, &range), SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_last_status(r.client), GRPC_STATUS_UNIMPLEMENTED);
	assert_int_equal(seg_daemon_interfaces(r.client, &ifaces, &n), SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_last_status(r.client), GRPC_STATUS_UNIMPLEMENTED);
	rig_stop(&r);
}

static int bad_paths(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
		     size_t *n)
{
	(void)ctx;
	(void)req;
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return SEG_DAEMON_ERR_NOMEM;
	fixture_path(0, *out);
	(*out)->mtu = 0; /* invalid: the server must not send it */
	*n = 1;
	return 0;
}

static void test_invalid_answer_from_ops_is_internal(void **state)
{
	static const struct seg_daemon_service_ops ops = {.paths = bad_paths};
	struct seg_path *paths;
	size_t n;
	struct rig r;

	(void)state;
	rig_start(&r, "127.0.0.1", "%s:%u", &ops);
	assert_int_equal(seg_daemon_paths(r.client, 1, 2, false, false, &paths, &n),
			 SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_last_status(r.client), GRPC_STATUS_INTERNAL);
	rig_stop(&r);
}

static void test_unknown_method_unimplemented(void **state)
{
	grpc_completion_queue *cq;
	grpc_channel_credentials *creds;
	struct daemon_rpc_status st;
	grpc_channel *ch;
	uint8_t *resp;
	size_t len;
	struct rig r;

	(void)state;
	rig_start(&r, "127.0.0.1", "%s:%u", &fixture_ops);
	grpc_init();
	creds = grpc_insecure_credentials_create();
	ch = grpc_channel_create(r.addr, creds, NULL);
	grpc_channel_credentials_release(creds);
	cq = grpc_completion_queue_create_for_pluck(NULL);
	assert_int_equal(daemon_rpc_call(ch, cq, "/proto.daemon.v1.DaemonService/Services",
					 (const uint8_t *)"", 0, 5000, &resp, &len, &st),
			 SEG_DAEMON_ERR_STATUS);
	assert_int_equal(st.code, GRPC_STATUS_UNIMPLEMENTED);
	/* A known method with bytes that are no PathsRequest: INVALID_ARGUMENT. */
	assert_int_equal(daemon_rpc_call(ch, cq, "/proto.daemon.v1.DaemonService/Paths",
					 (const uint8_t *)"\xff\xff\xff", 3, 5000, &resp, &len,
					 &st),
			 SEG_DAEMON_ERR_STATUS);
	assert_int_equal(st.code, GRPC_STATUS_INVALID_ARGUMENT);
	grpc_channel_destroy(ch);
	grpc_completion_queue_shutdown(cq);
	grpc_completion_queue_destroy(cq);
	grpc_shutdown();
	rig_stop(&r);
}

static void test_bind_only_loopback(void **state)
{
	static const char *const bad[] = {
	    "0.0.0.0:0", "192.0.2.1:0", "[::]:0", "localhost:0", "127.0.0.1", "", "[::1]"};
	struct seg_daemon_server *s = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(seg_daemon_server_start(bad[i], &fixture_ops, NULL, &s, NULL),
				 SEG_DAEMON_ERR_ARG);
	assert_null(s);
}

static void test_port_in_use(void **state)
{
	struct seg_daemon_server *a, *b = NULL;
	char addr[32];
	uint16_t port;

	(void)state;
	assert_int_equal(seg_daemon_server_start("127.0.0.1:0", &fixture_ops, NULL, &a, &port), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	assert_int_equal(seg_daemon_server_start(addr, &fixture_ops, NULL, &b, NULL),
			 SEG_DAEMON_ERR_UNAVAILABLE);
	assert_null(b);
	seg_daemon_server_stop(a);
}

static void test_restart_cycles(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		struct rig r;
		struct seg_daemon_port_range range;

		rig_start(&r, "127.0.0.1", "%s:%u", &fixture_ops);
		assert_int_equal(seg_daemon_port_range(r.client, &range), 0);
		assert_int_equal(range.start, FIX_PORT_START);
		assert_int_equal(range.end, FIX_PORT_END);
		rig_stop(&r);
	}
	seg_daemon_server_stop(NULL);
	seg_daemon_close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_methods_ipv4),
	    cmocka_unit_test(test_all_methods_ipv6),
	    cmocka_unit_test(test_refresh_and_as_request_fields),
	    cmocka_unit_test(test_status_errors),
	    cmocka_unit_test(test_unimplemented_ops),
	    cmocka_unit_test(test_invalid_answer_from_ops_is_internal),
	    cmocka_unit_test(test_unknown_method_unimplemented),
	    cmocka_unit_test(test_bind_only_loopback),
	    cmocka_unit_test(test_port_in_use),
	    cmocka_unit_test(test_restart_cycles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
