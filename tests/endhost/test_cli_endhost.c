/* SPDX-License-Identifier: MIT */
/*
 * `seg paths` and `seg ping` against a daemon server with fixed answers (include/seg/daemon.h)
 * and a fake border router on loopback:
 *
 *   seg paths / seg ping ──► daemon (fixed answers: AS 1-ff00:0:111, three paths)
 *          │
 *          └── SCMP over the path ──► fake router (127.0.0.1:ephemeral)
 *                                     path SegID 1: answers echo and traceroute
 *                                     path SegID 2: answers external-interface-down
 *                                     path SegID 3: stays silent
 *
 * The commands run in-process (paths_main, ping_main) with stdout captured to a file.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <seg/daemon.h>

#include "base/time.h"
#include "commands.h"
#include "scion/socket.h"

#define IA_LOCAL scion_ia_make(1, 0xff0000000111ull)
#define IA_MID	 scion_ia_make(1, 0xff0000000110ull)
#define IA_DST	 scion_ia_make(1, 0xff0000000112ull)

enum {
	SEGID_ANSWER = 1,
	SEGID_EXT_DOWN = 2,
	SEGID_SILENT = 3,
	N_PATHS = 3,
	OUT_CAP = 65536,
	EXT_DOWN_IFID = 2,
};

struct fixture {
	struct seg_daemon_server *server;
	char sciond[64];
	struct scion_socket *router;
	struct sockaddr_storage router_addr;
	pthread_t thread;
	atomic_bool stop;
	atomic_uint answered;
	atomic_bool no_paths;
	char out[OUT_CAP];
};

/* ---- the daemon's fixed answers ---- */

static void make_path(struct fixture *f, size_t i, struct seg_path *p)
{
	struct scion_std_path sp;

	memset(p, 0, sizeof(*p));
	memset(&sp, 0, sizeof(sp));
	p->type = SEG_PATH_TYPE_SCION;
	sp.meta.seg_len[0] = 3;
	sp.num_infs = 1;
	sp.num_hops = 3;
	sp.inf[0].cons_dir = true;
	sp.inf[0].seg_id = (uint16_t)(i + 1); /* tells the fake router what to do */
	sp.inf[0].timestamp = (uint32_t)(seg_wall_now() / SEG_SEC(1));
	sp.hop[0] = (struct scion_hop_field){.exp_time = 63, .cons_egress = 1};
	sp.hop[1] = (struct scion_hop_field){.exp_time = 63, .cons_ingress = 2, .cons_egress = 3};
	sp.hop[2] = (struct scion_hop_field){.exp_time = 63, .cons_ingress = 4};
	if (scion_std_path_encode(&sp, p->raw, sizeof(p->raw), &p->raw_len))
		abort();
	p->next_hop = f->router_addr;
	p->n_ifaces = 4;
	p->ifaces[0] = (struct seg_path_interface){IA_LOCAL, 1};
	p->ifaces[1] = (struct seg_path_interface){IA_MID, 2};
	p->ifaces[2] = (struct seg_path_interface){IA_MID, 3};
	p->ifaces[3] = (struct seg_path_interface){IA_DST, 4};
	p->mtu = (uint16_t)(1400 - i);
	p->expiry_unix = seg_wall_now() / SEG_SEC(1) + 3000;
}

static int op_paths(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
		    size_t *n)
{
	struct fixture *f = ctx;

	if (req->src != IA_LOCAL || req->dst != IA_DST || atomic_load(&f->no_paths))
		return SEG_DAEMON_ERR_NOT_FOUND;
	*out = calloc(N_PATHS, sizeof(**out));
	if (!*out)
		return SEG_DAEMON_ERR_NOMEM;
	for (size_t i = 0; i < N_PATHS; i++)
		make_path(f, i, &(*out)[i]);
	*n = N_PATHS;
	return 0;
}

static int op_as_info(void *ctx, scion_ia_t ia, struct seg_daemon_as_info *out)
{
	(void)ctx;
	out->ia = ia ? ia : IA_LOCAL;
	out->core = false;
	out->mtu = 1472;
	return 0;
}

static int op_port_range(void *ctx, struct seg_daemon_port_range *out)
{
	(void)ctx;
	out->start = 31000;
	out->end = 32767;
	return 0;
}

static const struct seg_daemon_service_ops ops = {
    .paths = op_paths,
    .as_info = op_as_info,
    .port_range = op_port_range,
};

/* ---- the fake router ---- */

static void router_answer(struct fixture *f, const struct scion_socket_msg *in)
{
	const struct scion_header *ih = &in->pkt.hdr;
	struct scion_info_field inf;
	uint8_t raw[SCION_MAX_STD_PATH_LEN], pkt[2048];
	struct scion_header h = {.flow_id = 1, .path_type = SCION_PATH_TYPE_SCION, .dst = ih->src};
	struct scmp_msg m;
	size_t len;

	if (in->l4 != SCION_SOCKET_L4_SCMP || ih->path_len < 12)
		return;
	scion_info_field_decode(ih->path + SCION_PATH_META_LEN, &inf);
	if (inf.seg_id == SEGID_SILENT)
		return;
	if (scion_raw_path_reverse(ih->path, ih->path_len, raw, sizeof(raw)))
		return;
	h.path = raw;
	h.path_len = ih->path_len;
	memset(&m, 0, sizeof(m));
	if (inf.seg_id == SEGID_EXT_DOWN) {
		/* As a router of the middle AS would: its egress interface is down. */
		h.src.ia = IA_MID;
		h.src.host = scion_socket_local(f->router)->host;
		m.type = SCMP_EXTERNAL_INTERFACE_DOWN;
		m.u.ext_down.ia = IA_MID;
		m.u.ext_down.ifid = EXT_DOWN_IFID;
		m.data = in->data;
		m.data_len = in->len;
	} else if (in->scmp.type == SCMP_ECHO_REQUEST) {
		h.src = ih->dst;
		m.type = SCMP_ECHO_REPLY;
		m.u.echo = in->scmp.u.echo;
		m.data = in->scmp.data;
		m.data_len = in->scmp.data_len;
	} else if (in->scmp.type == SCMP_TRACEROUTE_REQUEST) {
		h.src.ia = IA_DST;
		h.src.host = scion_socket_local(f->router)->host;
		m.type = SCMP_TRACEROUTE_REPLY;
		m.u.traceroute.id = in->scmp.u.traceroute.id;
		m.u.traceroute.seq = in->scmp.u.traceroute.seq;
		m.u.traceroute.ia = IA_DST;
		m.u.traceroute.ifid = 4;
	} else {
		return;
	}
	if (scion_scmp_packet_build(&h, &m, pkt, sizeof(pkt), &len) == 0 &&
	    scion_socket_send_raw(f->router, &in->from, pkt, len) == 0)
		atomic_fetch_add(&f->answered, 1);
}

static void *router_thread(void *arg)
{
	struct fixture *f = arg;
	struct scion_socket_msg msg;

	while (!atomic_load(&f->stop)) {
		if (scion_socket_recv(f->router, &msg, 50) == 0)
			router_answer(f, &msg);
	}
	return NULL;
}

static int setup(void **state)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct fixture *f = calloc(1, sizeof(*f));
	struct scion_socket_config cfg = {.local = {.ia = IA_MID}};
	struct sockaddr_in *sin = (struct sockaddr_in *)&f->router_addr;
	uint16_t port;

	assert_non_null(f);
	scion_host_from_ipv4(&cfg.local.host, lo);
	assert_int_equal(scion_socket_open(&cfg, &f->router), 0);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(scion_socket_port(f->router));
	memcpy(&sin->sin_addr, lo, 4);
	assert_int_equal(seg_daemon_server_start("127.0.0.1:0", &ops, f, &f->server, &port), 0);
	snprintf(f->sciond, sizeof(f->sciond), "127.0.0.1:%u", port);
	assert_int_equal(pthread_create(&f->thread, NULL, router_thread, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	seg_daemon_server_stop(f->server);
	scion_socket_close(f->router);
	free(f);
	return 0;
}

/* Runs a command with its stdout in f->out; returns its exit status. */
static int run_cmd(struct fixture *f, int (*cmd)(int, char **), ...)
{
	char *argv[32];
	int argc = 0, fd, saved, rc;
	char path[] = "/tmp/seg-test-cli-XXXXXX";
	ssize_t n;
	va_list ap;

	va_start(ap, cmd);
	while (argc < 31 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fd, STDOUT_FILENO) >= 0);
	rc = cmd(argc, argv);
	fflush(stdout);
	assert_true(dup2(saved, STDOUT_FILENO) >= 0);
	close(saved);
	n = pread(fd, f->out, sizeof(f->out) - 1, 0);
	close(fd);
	assert_true(n >= 0);
	f->out[n] = 0;
	/* Shown on failure, and so that the output is in the test log. */
	fprintf(stderr, "---- output (exit %d) ----\n%s", rc, f->out);
	return rc;
}

static void test_paths_table(void **state)
{
	struct fixture *f = *state;
	char want[128];

	assert_int_equal(
	    run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--sciond", f->sciond, NULL), 0);
	assert_non_null(strstr(f->out, "Available paths to 1-ff00:0:112 (from 1-ff00:0:111)"));
	assert_non_null(strstr(f->out, "[ 0] Hops: [1-ff00:0:111 1>2 1-ff00:0:110 3>4 "
				       "1-ff00:0:112] MTU: 1400 NextHop: 127.0.0.1:"));
	snprintf(want, sizeof(want),
		 "[ 2] Hops: [1-ff00:0:111 1>2 1-ff00:0:110 3>4 1-ff00:0:112] "
		 "MTU: 1398 NextHop: 127.0.0.1:%u Expires: ",
		 scion_socket_port(f->router));
	assert_non_null(strstr(f->out, want));
	/* 50 minutes from the daemon's answer, less the seconds since. */
	assert_true(strstr(f->out, "UTC (50m0s)") || strstr(f->out, "UTC (49m5"));
	assert_null(strstr(f->out, "Status:"));
	/* -m limits the list. */
	assert_int_equal(
	    run_cmd(f, paths_main, "paths", "-m", "1", "1-ff00:0:112", "-sciond", f->sciond, NULL),
	    0);
	assert_non_null(strstr(f->out, "[ 0]"));
	assert_null(strstr(f->out, "[ 1]"));
}

static void test_paths_json(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
	    run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--sciond", f->sciond, "--json", NULL),
	    0);
	assert_non_null(strstr(f->out, "\"local_isd_as\": \"1-ff00:0:111\""));
	assert_non_null(strstr(f->out, "\"destination\": \"1-ff00:0:112\""));
	assert_non_null(strstr(f->out,
			       "{\"index\": 0, \"hops\": [{\"isd_as\": \"1-ff00:0:111\", "
			       "\"ifid\": 1}, {\"isd_as\": \"1-ff00:0:110\", \"ifid\": 2}"));
	assert_non_null(strstr(f->out,
			       "\"sequence\": \"1-ff00:0:111#1 1-ff00:0:110#2 "
			       "1-ff00:0:110#3 1-ff00:0:112#4\", \"links\": 2, \"mtu\": 1400"));
	assert_non_null(strstr(f->out, "{\"index\": 2,"));
	assert_null(strstr(f->out, "\"status\""));
}

static void test_paths_probe(void **state)
{
	struct fixture *f = *state;
	uint64_t t0 = seg_time_now();

	assert_int_equal(run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--sciond", f->sciond,
				 "--probe", "--timeout", "300ms", NULL),
			 0);
	/* Bounded: the silent path costs the timeout once, not once per path. */
	assert_true(seg_time_now() - t0 < SEG_SEC(5));
	assert_non_null(strstr(f->out, "MTU: 1400 "));
	assert_non_null(strstr(f->out, " Status: alive RTT: "));
	assert_non_null(strstr(f->out, " Status: scmp (external interface down from "
				       "1-ff00:0:110 ifid 2) LocalIP: 127.0.0.1"));
	assert_non_null(strstr(f->out, " Status: timeout LocalIP: 127.0.0.1"));
	assert_int_equal(run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--sciond", f->sciond,
				 "--probe", "--timeout", "300ms", "--json", NULL),
			 0);
	assert_non_null(strstr(f->out, "\"local_ip\": \"127.0.0.1\""));
	assert_non_null(strstr(f->out, "\"status\": \"alive\", \"rtt_ms\": "));
	assert_non_null(strstr(f->out, "\"status\": \"scmp\", \"status_info\": \"external "
				       "interface down from 1-ff00:0:110 ifid 2\""));
	assert_non_null(strstr(f->out, "\"status\": \"timeout\", \"status_info\": \"\""));
}

static void test_paths_errors(void **state)
{
	struct fixture *f = *state;

	/* No path: NOT_FOUND from the daemon. */
	assert_int_equal(
	    run_cmd(f, paths_main, "paths", "1-ff00:0:999", "--sciond", f->sciond, NULL), 1);
	atomic_store(&f->no_paths, true);
	assert_int_equal(
	    run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.1", "--sciond", f->sciond, NULL),
	    1);
	atomic_store(&f->no_paths, false);
	/* Bad arguments, each rejected without touching the daemon. */
	assert_int_equal(run_cmd(f, paths_main, "paths", "1-ff00", "--sciond", f->sciond, NULL), 1);
	assert_int_equal(run_cmd(f, paths_main, "paths", NULL), 1);
	assert_int_equal(run_cmd(f, paths_main, "paths", "1-ff00:0:112", "extra", NULL), 1);
	assert_int_equal(run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--timeout", "5", NULL),
			 1);
	assert_int_equal(run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--nope", NULL), 1);
	assert_int_equal(run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--sciond", f->sciond,
				 "--probe", "--local", "not-an-ip", NULL),
			 1);
	assert_int_equal(run_cmd(f, paths_main, "paths", "--help", NULL), 0);
	assert_non_null(strstr(f->out, "usage: seg paths"));
	/* Nothing listens there: an error within the daemon timeout, not a hang. */
	assert_int_equal(
	    run_cmd(f, paths_main, "paths", "1-ff00:0:112", "--sciond", "127.0.0.1:1", NULL), 1);
}

static void test_ping_replies(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.9", "--sciond",
				 f->sciond, "-c", "3", "-i", "10ms", "-s", "16", NULL),
			 0);
	assert_non_null(strstr(f->out,
			       "PING 1-ff00:0:112,127.0.0.9 over path 0 [1-ff00:0:111 "
			       "1>2 1-ff00:0:110 3>4 1-ff00:0:112] MTU 1400: 16 data bytes"));
	for (int i = 0; i < 3; i++) {
		char line[96];

		snprintf(line, sizeof(line),
			 "16 bytes from 1-ff00:0:112,127.0.0.9: scmp_seq=%d time=", i);
		assert_non_null(strstr(f->out, line));
	}
	assert_non_null(strstr(f->out, "3 packets transmitted, 3 received, 0% packet loss"));
	assert_non_null(strstr(f->out, "rtt min/avg/max/mdev = "));
}

static void test_ping_scmp_error(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.9", "--sciond",
				 f->sciond, "-c", "2", "-i", "10ms", "--path", "1", NULL),
			 1);
	assert_non_null(strstr(f->out, "scmp_seq=0: external interface down from 1-ff00:0:110 "
				       "ifid 2\n"));
	assert_non_null(strstr(f->out, "scmp_seq=1: external interface down"));
	assert_non_null(strstr(f->out, "2 packets transmitted, 0 received, 2 errors, 100% packet "
				       "loss"));
}

static void test_ping_timeout(void **state)
{
	struct fixture *f = *state;
	uint64_t t0 = seg_time_now();

	assert_int_equal(run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.9", "--sciond",
				 f->sciond, "-c", "3", "-i", "20ms", "--timeout", "200ms", "--path",
				 "2", NULL),
			 1);
	assert_true(seg_time_now() - t0 < SEG_SEC(3));
	assert_non_null(strstr(f->out, "3 packets transmitted, 0 received, 100% packet loss"));
	assert_null(strstr(f->out, "bytes from"));
	/* A path the daemon did not give, a size over the MTU, bad flags. */
	assert_int_equal(run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.9", "--sciond",
				 f->sciond, "--path", "3", NULL),
			 1);
	assert_int_equal(run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.9", "-c", "0", NULL),
			 1);
	assert_int_equal(run_cmd(f, ping_main, "ping", "1-ff00:0:112", NULL), 1);
	assert_int_equal(run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.9", "-i", "0s", NULL),
			 1);
	assert_int_equal(
	    run_cmd(f, ping_main, "ping", "1-ff00:0:112,127.0.0.9", "-s", "5000", NULL), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_paths_table),	 cmocka_unit_test(test_paths_json),
	    cmocka_unit_test(test_paths_probe),	 cmocka_unit_test(test_paths_errors),
	    cmocka_unit_test(test_ping_replies), cmocka_unit_test(test_ping_scmp_error),
	    cmocka_unit_test(test_ping_timeout),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
