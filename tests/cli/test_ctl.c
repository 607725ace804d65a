// SPDX-License-Identifier: MIT
/*
 * The control socket (gateway/ctl.h): server on an event loop in a thread, client in the
 * test's thread, with a fake status provider. Sockets live in a fresh directory under /tmp.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/evloop.h"
#include "base/log.h"
#include "gateway/ctl.h"

#include "fixture.h"

struct server {
	char dir[64];
	char path[128];
	struct evloop *loop;
	struct ctl_server *ctl;
	pthread_t thread;
	int loop_rc;
	fixture_calls calls;
	_Atomic bool running;
};

static void mark_running(void *arg)
{
	struct server *s = arg;
	s->running = true;
}

/* evloop_run() clears an earlier evloop_stop(): stop only once the loop runs. */
static void wait_running(struct server *s)
{
	struct timespec ts = {.tv_nsec = 1000000};
	assert_int_equal(evloop_post(s->loop, mark_running, s), 0);
	for (int i = 0; i < 5000 && !s->running; i++)
		nanosleep(&ts, NULL);
	assert_true(s->running);
}

static void *loop_main(void *arg)
{
	struct server *s = arg;
	s->loop_rc = evloop_run(s->loop); /* checked after the join: cmocka asserts in main */
	return NULL;
}

static void make_dir(struct server *s)
{
	snprintf(s->dir, sizeof(s->dir), "/tmp/seg-test-ctl-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/ctl.sock", s->dir);
}

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	char err[256];

	assert_non_null(s);
	seg_log_set_level(SEG_LOG_ERROR);
	make_dir(s);
	s->loop = evloop_new();
	assert_non_null(s->loop);
	if (ctl_server_new(s->loop, s->path, fixture_provider, &s->calls, &s->ctl, err,
			   sizeof(err)) != 0)
		fail_msg("ctl_server_new: %s", err);
	assert_int_equal(pthread_create(&s->thread, NULL, loop_main, s), 0);
	wait_running(s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct server *s = *state;
	struct stat st;

	evloop_stop(s->loop);
	pthread_join(s->thread, NULL);
	assert_int_equal(s->loop_rc, 0);
	ctl_server_free(s->ctl);
	/* The socket file goes with the server. */
	assert_int_equal(stat(s->path, &st), -1);
	evloop_free(s->loop);
	rmdir(s->dir);
	free(s);
	return 0;
}

static char *fixture_json(void)
{
	struct gw_status st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fixture_status(&st), 0);
	assert_int_equal(gw_status_write_json(f, &st, true), 0);
	fclose(f);
	gw_status_free(&st);
	return buf;
}

static void test_status_json_round_trip(void **state)
{
	struct server *s = *state;
	char *body, err[256];
	size_t len;

	if (ctl_request(s->path, "status", SEG_SEC(5), &body, &len, err, sizeof(err)) != 0)
		fail_msg("ctl_request: %s", err);
	char *want = fixture_json();
	assert_int_equal(len, strlen(want));
	assert_string_equal(body, want);
	free(want);
	free(body);
	assert_int_equal(s->calls, 1);
}

static void test_status_table_round_trip(void **state)
{
	struct server *s = *state;
	char *body, err[256];
	size_t len;

	if (ctl_request(s->path, "status table", SEG_SEC(5), &body, &len, err, sizeof(err)) != 0)
		fail_msg("ctl_request: %s", err);
	assert_int_equal(strlen(body), len);
	assert_non_null(strstr(body, "gateway 1-ff00:0:110,127.0.0.1:31000, up 1h2m3s, 2 peers"));
	assert_non_null(strstr(body, "peer 1-ff00:0:111,127.0.0.1:31000"));
	assert_non_null(strstr(body, "  *    1    2"));
	free(body);
}

static void test_unknown_request(void **state)
{
	struct server *s = *state;
	char *body, err[256];
	size_t len;

	assert_int_equal(ctl_request(s->path, "bogus", SEG_SEC(5), &body, &len, err, sizeof(err)),
			 CTL_ERR_REMOTE);
	assert_null(body);
	assert_string_equal(err, "the gateway answered: unknown request \"bogus\"");
	assert_int_equal(s->calls, 0);
}

static void test_provider_failure(void **state)
{
	struct server *s = *state;
	char *body, err[256];
	size_t len;

	s->calls = -1;
	int busy_rc = ctl_request(s->path, "status", SEG_SEC(5), &body, &len, err, sizeof(err));
	if (busy_rc != CTL_ERR_REMOTE)
		fail_msg("beyond the limit: %d %s", busy_rc, err);
	assert_non_null(strstr(err, "could not collect"));
}

static int raw_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Reads to EOF (bounded by a receive timeout). */
static size_t raw_read_all(int fd, char *buf, size_t cap)
{
	struct timeval tv = {.tv_sec = 5};
	size_t len = 0;
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (len + 1 < cap && (n = recv(fd, buf + len, cap - len - 1, 0)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return len;
}

static void test_request_too_long(void **state)
{
	struct server *s = *state;
	char big[CTL_REQUEST_MAX * 4], resp[256];
	int fd = raw_connect(s->path);

	memset(big, 'a', sizeof(big));
	/* The server may close once it has read its limit: ignore a failed send. */
	(void)!send(fd, big, sizeof(big), MSG_NOSIGNAL);
	raw_read_all(fd, resp, sizeof(resp));
	close(fd);
	assert_string_equal(resp, "error: request too long\n");
	assert_int_equal(s->calls, 0);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
	nanosleep(&ts, NULL);
}

/* Silent clients hold slots but never the loop; beyond CTL_CONN_MAX, clients are closed at
 * once rather than left waiting; closed slots are reused. */
static void test_slow_clients_bounded(void **state)
{
	struct server *s = *state;
	int silent[CTL_CONN_MAX];
	char *body, err[256];
	size_t len;

	silent[0] = raw_connect(s->path);
	if (ctl_request(s->path, "status", SEG_SEC(5), &body, &len, err, sizeof(err)) != 0)
		fail_msg("with one silent client: %s", err);
	free(body);
	for (int i = 1; i < CTL_CONN_MAX; i++)
		silent[i] = raw_connect(s->path);
	/* Let the loop accept them all. */
	sleep_ms(100);
	int busy_rc = ctl_request(s->path, "status", SEG_SEC(5), &body, &len, err, sizeof(err));
	if (busy_rc != CTL_ERR_REMOTE)
		fail_msg("beyond the limit: %d %s", busy_rc, err);
	assert_string_equal(err, "the gateway answered: too many clients, try again");
	for (int i = 0; i < CTL_CONN_MAX; i++)
		close(silent[i]);
	int rc = -1;
	for (int tries = 0; tries < 50 && rc != 0; tries++) {
		sleep_ms(20);
		rc = ctl_request(s->path, "status", SEG_SEC(5), &body, &len, err, sizeof(err));
	}
	if (rc != 0)
		fail_msg("slots not reused: %s", err);
	free(body);
}

static void test_socket_mode(void **state)
{
	struct server *s = *state;
	struct stat st;

	assert_int_equal(stat(s->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

/* --- without a running server ------------------------------------------------------------ */

static int bound_socket(const char *path, bool do_listen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (do_listen)
		assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void test_stale_live_and_foreign_files(void **state)
{
	struct server s = {0};
	struct ctl_server *ctl, *ctl2;
	fixture_calls calls = 0;
	char err[256];
	struct stat st;
	(void)state;

	make_dir(&s);
	struct evloop *loop = evloop_new();
	assert_non_null(loop);

	/* A stale socket (its server gone) is replaced. */
	close(bound_socket(s.path, false));
	assert_int_equal(stat(s.path, &st), 0);
	if (ctl_server_new(loop, s.path, fixture_provider, &calls, &ctl, err, sizeof(err)) != 0)
		fail_msg("stale socket not replaced: %s", err);
	/* A live one is refused and left alone. */
	assert_int_equal(
	    ctl_server_new(loop, s.path, fixture_provider, &calls, &ctl2, err, sizeof(err)),
	    CTL_ERR_IN_USE);
	assert_null(ctl2);
	assert_non_null(strstr(err, "another gateway is listening"));
	ctl_server_free(ctl);
	assert_int_equal(stat(s.path, &st), -1);

	/* A file that is not a socket is never removed. */
	FILE *f = fopen(s.path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(
	    ctl_server_new(loop, s.path, fixture_provider, &calls, &ctl, err, sizeof(err)),
	    CTL_ERR_IN_USE);
	assert_non_null(strstr(err, "is not a socket"));
	assert_int_equal(stat(s.path, &st), 0);
	unlink(s.path);

	/* Too long for sun_path. */
	char longpath[300];
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_int_equal(
	    ctl_server_new(loop, longpath, fixture_provider, &calls, &ctl, err, sizeof(err)),
	    CTL_ERR_PATH);
	evloop_free(loop);
	rmdir(s.dir);
	assert_int_equal(calls, 0);
}

static void test_client_errors(void **state)
{
	struct server s = {0};
	char *body, err[256];
	size_t len;
	(void)state;

	assert_int_equal(ctl_request("/nonexistent/seg.sock", "status", SEG_SEC(1), &body, &len,
				     err, sizeof(err)),
			 CTL_ERR_CONNECT);
	assert_string_equal(err,
			    "no control socket at /nonexistent/seg.sock (is the gateway running?)");

	make_dir(&s);
	int fd = bound_socket(s.path, false);
	assert_int_equal(ctl_request(s.path, "status", SEG_SEC(1), &body, &len, err, sizeof(err)),
			 CTL_ERR_CONNECT);
	assert_non_null(strstr(err, "nobody listens at"));
	close(fd);
	unlink(s.path);

	/* A listener that never answers: the client gives up at its deadline. */
	fd = bound_socket(s.path, true);
	assert_int_equal(ctl_request(s.path, "status", SEG_MS(200), &body, &len, err, sizeof(err)),
			 CTL_ERR_TIMEOUT);
	close(fd);
	unlink(s.path);
	rmdir(s.dir);

	assert_int_equal(
	    ctl_request("/tmp/x", "two\nlines", SEG_SEC(1), &body, &len, err, sizeof(err)),
	    CTL_ERR_PROTOCOL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_status_json_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_status_table_round_trip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_request, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_provider_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_too_long, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_slow_clients_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_socket_mode, setup, teardown),
	    cmocka_unit_test(test_stale_live_and_foreign_files),
	    cmocka_unit_test(test_client_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
