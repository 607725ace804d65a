/* SPDX-License-Identifier: MIT */
/*
 * A gateway and an absent SCION daemon, over seg-testnet (gwnet_fixture.h):
 *
 *   gateway A (111) ── daemon address 127.N.2.1:30256: a forwarding daemon the test starts
 *        │              and stops (the testnet's own daemon behind it, so paths and keys
 *        │              are real)
 *   gateway B (112) ── the testnet's daemon of 112
 *
 * 1. Nothing listens at A's daemon address when A starts: A runs, warns naming the address,
 *    the method and the error, retries with a bounded backoff (1 s, 2 s, 4 s, 5 s ...);
 *    once the daemon appears, the session with B comes up and carries data.
 * 2. The daemon goes away while the session runs: A keeps the session (rekeys included,
 *    with the keys it has) and its paths, data flows, failures are logged; when the daemon
 *    is back, path refresh works again.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include <seg/daemon.h>

#include "base/log.h"
#include "base/time.h"
#include "gateway/status.h"
#include "gwnet_fixture.h"

enum { FWD_PORT = 30256, LOG_CAP = 1 << 20 };

/* ---- the forwarding daemon -------------------------------------------------------------- */

struct fwd_daemon {
	char addr[64];
	struct seg_daemon *up; /* the testnet's daemon; used by the server thread only */
	struct seg_daemon_server *srv;
	unsigned paths_calls, drkey_calls; /* atomic */
};

static int fwd_err(int err)
{
	return err == SEG_DAEMON_ERR_STATUS ? SEG_DAEMON_ERR_NOT_FOUND : SEG_DAEMON_ERR_INTERNAL;
}

static int fwd_paths(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
		     size_t *n)
{
	struct fwd_daemon *f = ctx;
	int err = seg_daemon_paths(f->up, req->src, req->dst, req->hidden, req->refresh, out, n);

	__atomic_add_fetch(&f->paths_calls, 1, __ATOMIC_RELAXED);
	return err ? fwd_err(err) : 0;
}

static int fwd_port_range(void *ctx, struct seg_daemon_port_range *out)
{
	struct fwd_daemon *f = ctx;

	return seg_daemon_port_range(f->up, out) ? SEG_DAEMON_ERR_INTERNAL : 0;
}

static int fwd_drkey(void *ctx, enum seg_drkey_kind kind, const struct seg_daemon_drkey_req *req,
		     struct seg_drkey *out)
{
	struct fwd_daemon *f = ctx;
	int err = seg_daemon_drkey(f->up, kind, req, out);

	__atomic_add_fetch(&f->drkey_calls, 1, __ATOMIC_RELAXED);
	return err ? fwd_err(err) : 0;
}

static const struct seg_daemon_service_ops fwd_ops = {
    .paths = fwd_paths,
    .port_range = fwd_port_range,
    .drkey = fwd_drkey,
};

static void fwd_init(struct fwd_daemon *f, struct gwnet *g)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->addr, sizeof(f->addr), "%s:%d", g->a.as->host_ip, FWD_PORT);
	f->up = seg_daemon_open(g->a.as->daemon, 2000);
	assert_non_null(f->up);
	snprintf(g->a.daemon, sizeof(g->a.daemon), "%s", f->addr);
}

static void fwd_start(struct fwd_daemon *f)
{
	uint16_t port = 0;
	int err = -1;

	/* The previous server's port may linger for a moment after its stop. */
	for (int i = 0; i < 50 && err; i++) {
		err = seg_daemon_server_start(f->addr, &fwd_ops, f, &f->srv, &port);
		if (err)
			usleep(100 * 1000);
	}
	assert_int_equal(err, 0);
	assert_int_equal(port, FWD_PORT);
}

static void fwd_stop(struct fwd_daemon *f)
{
	seg_daemon_server_stop(f->srv);
	f->srv = NULL;
}

static void fwd_free(struct fwd_daemon *f)
{
	fwd_stop(f);
	seg_daemon_close(f->up);
}

static unsigned fwd_paths_calls(struct fwd_daemon *f)
{
	return __atomic_load_n(&f->paths_calls, __ATOMIC_RELAXED);
}

/* ---- the log, captured ------------------------------------------------------------------ */

static int log_fd = -1;

static void log_capture(enum seg_log_level level)
{
	log_fd = memfd_create("seg-test-log", 0);
	assert_true(log_fd >= 0);
	seg_log_set_fd(log_fd);
	seg_log_set_level(level);
}

static char *log_text(void)
{
	static char buf[LOG_CAP];
	ssize_t n = pread(log_fd, buf, sizeof(buf) - 1, 0);

	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void log_release(void)
{
	if (getenv("SEG_TEST_LOG"))
		fputs(log_text(), stderr);
	seg_log_set_fd(2);
	close(log_fd);
	log_fd = -1;
}

/* Lines of the log containing every one of the strings a, b, c (NULL: any). */
static unsigned log_count(const char *a, const char *b, const char *c)
{
	unsigned n = 0;

	for (char *line = log_text(); line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strstr(line, a) && (!b || strstr(line, b)) && (!c || strstr(line, c)))
			n++;
		line = nl ? nl + 1 : NULL;
	}
	return n;
}

/* ---- traffic ---------------------------------------------------------------------------- */

struct traffic {
	struct seg_peer *pa, *pb; /* A's peer B, B's peer A */
	uint64_t next_ns;
	uint32_t sent;
	uint64_t want_a, want_b;
};

/* One packet each way every 20 ms. */
static bool traffic_each(struct gwnet *g, void *arg)
{
	struct traffic *t = arg;
	uint64_t now = seg_time_now();

	(void)g;
	if (now < t->next_ns)
		return false;
	t->next_ns = now + SEG_MS(20);
	if (gwnet_data_send(t->pa, t->sent, 200) == 1 && gwnet_data_send(t->pb, t->sent, 200) == 1)
		t->sent++;
	return false;
}

static bool traffic_arrived(struct gwnet *g, void *arg)
{
	struct traffic *t = arg;

	return g->a.rec.n_data >= t->want_a && g->b.rec.n_data >= t->want_b;
}

static void traffic_open(struct gwnet *g, struct traffic *t)
{
	memset(t, 0, sizeof(*t));
	t->pa = gwnet_peer(g, &g->a);
	t->pb = gwnet_peer(g, &g->b);
}

static void traffic_close(struct traffic *t)
{
	seg_peer_put(t->pa);
	seg_peer_put(t->pb);
}

/* Data both ways: 20 packets each way arrive within 5 s. */
static void assert_data_flows(struct gwnet *g)
{
	struct traffic t;

	traffic_open(g, &t);
	t.want_a = g->a.rec.n_data + 20;
	t.want_b = g->b.rec.n_data + 20;
	assert_true(gwnet_run_until(g, traffic_arrived, traffic_each, &t, 5000));
	traffic_close(&t);
}

static uint64_t rekeys_of(struct gateway *gw)
{
	struct gw_status st;
	uint64_t n;

	assert_int_equal(gateway_status_collect(gw, &st), 0);
	assert_int_equal(st.n_peers, 1);
	assert_string_equal(st.peers[0].state, "up");
	n = st.peers[0].rekeys;
	gw_status_free(&st);
	return n;
}

/* ---- tests ------------------------------------------------------------------------------ */

static struct fwd_daemon fwd;

static void test_daemon_appears_later(void **state)
{
	static struct gwnet g;
	uint64_t t0, up_ms;

	(void)state;
	gwnet_setup(&g);
	fwd_init(&fwd, &g);
	log_capture(SEG_LOG_DEBUG);
	gwnet_gw_start(&g, &g.a);
	gwnet_gw_start(&g, &g.b);

	/* Nothing at A's daemon address: A runs, no session, B's Inits unanswered. */
	assert_false(gwnet_run_until(&g, gwnet_both_up, NULL, NULL, 8500));
	assert_int_equal(g.a.rec.ups, 0);
	assert_int_equal(g.b.rec.ups, 0);
	/* Warned with address, method and error. */
	assert_true(log_count(fwd.addr, "Paths", "unavailable") >= 1);
	assert_true(log_count(fwd.addr, "DRKeyHostHost", "unavailable") >= 1);
	/* Backoff 1 s, 2 s, 4 s, bounded at 5 s: four Paths failures in 8.5 s, not eight. */
	assert_int_equal(log_count(fwd.addr, "Paths", "retrying in 1000 ms"), 1);
	assert_int_equal(log_count(fwd.addr, "Paths", "retrying in 2000 ms"), 1);
	assert_int_equal(log_count(fwd.addr, "Paths", "retrying in 4000 ms"), 1);
	assert_int_equal(log_count(fwd.addr, "Paths", "retrying in 5000 ms"), 1);
	assert_int_equal(log_count(fwd.addr, "Paths", "retrying in"), 4);

	/* The daemon appears. */
	fwd_start(&fwd);
	t0 = seg_time_now();
	assert_true(gwnet_run_until(&g, gwnet_both_up, NULL, NULL, 20000));
	up_ms = seg_time_to_ms(seg_time_now() - t0);
	print_message("session up %llu ms after the daemon appeared (%u Paths calls)\n",
		      (unsigned long long)up_ms, fwd_paths_calls(&fwd));
	assert_true(log_count("answers", "again", NULL) >= 1);
	assert_data_flows(&g);
	fwd_free(&fwd);
	gwnet_teardown(&g);
}

static bool paths_calls_above(struct gwnet *g, void *arg)
{
	(void)g;
	return fwd_paths_calls(&fwd) > *(unsigned *)arg;
}

static void test_daemon_disappears(void **state)
{
	static struct gwnet g;
	struct traffic t;
	uint64_t rekeys_a, rekeys_b, t0, back_ms;
	unsigned calls;

	(void)state;
	gwnet_setup(&g);
	fwd_init(&fwd, &g);
	g.opts.test_path_refresh_ns = SEG_MS(300);
	g.opts.test_rekey_after_time_ns = SEG_MS(1000);
	log_capture(SEG_LOG_INFO);
	fwd_start(&fwd);
	gwnet_gw_start(&g, &g.a);
	gwnet_gw_start(&g, &g.b);
	assert_true(gwnet_run_until(&g, gwnet_both_up, NULL, NULL, 10000));
	calls = fwd_paths_calls(&fwd) + 2;
	assert_true(gwnet_run_until(&g, paths_calls_above, NULL, &calls, 5000));
	assert_data_flows(&g);

	/* The daemon goes away; 4 s of traffic, rekeys every second. */
	fwd_stop(&fwd);
	rekeys_a = rekeys_of(g.a.gw);
	rekeys_b = rekeys_of(g.b.gw);
	traffic_open(&g, &t);
	t.want_a = t.want_b = UINT64_MAX;
	{
		uint64_t a0 = g.a.rec.n_data, b0 = g.b.rec.n_data;

		gwnet_run_until(&g, NULL, traffic_each, &t, 4000);
		gwnet_run_until(&g, NULL, NULL, NULL, 200);
		print_message("daemon away 4 s: %u packets each way sent, %llu and %llu arrived\n",
			      t.sent, (unsigned long long)(g.a.rec.n_data - a0),
			      (unsigned long long)(g.b.rec.n_data - b0));
		assert_true(t.sent >= 100);
		assert_true(g.a.rec.n_data - a0 >= t.sent - 2);
		assert_true(g.b.rec.n_data - b0 >= t.sent - 2);
	}
	traffic_close(&t);
	assert_int_equal(g.a.rec.downs, 0);
	assert_int_equal(g.b.rec.downs, 0);
	assert_true(rekeys_of(g.a.gw) + rekeys_of(g.b.gw) > rekeys_a + rekeys_b);
	assert_true(log_count(fwd.addr, "Paths", "unavailable") >= 1);

	/* Back: refresh works again. */
	calls = fwd_paths_calls(&fwd);
	fwd_start(&fwd);
	t0 = seg_time_now();
	assert_true(gwnet_run_until(&g, paths_calls_above, NULL, &calls, 15000));
	back_ms = seg_time_to_ms(seg_time_now() - t0);
	print_message("paths refreshed %llu ms after the daemon came back\n",
		      (unsigned long long)back_ms);
	gwnet_run_until(&g, NULL, NULL, NULL, 200);
	assert_true(log_count(fwd.addr, "answers Paths again", NULL) >= 1);
	assert_data_flows(&g);
	fwd_free(&fwd);
	gwnet_teardown(&g);
}

/* After a failure too: the log goes back to stderr (shown with SEG_TEST_LOG set). */
static int log_teardown(void **state)
{
	(void)state;
	if (log_fd >= 0)
		log_release();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_daemon_appears_later, log_teardown),
	    cmocka_unit_test_teardown(test_daemon_disappears, log_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
