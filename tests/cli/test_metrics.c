// SPDX-License-Identifier: MIT
/*
 * Metrics (gateway/metrics.h): the exposition text of a fixed snapshot, parsed line by line,
 * and the HTTP endpoint on 127.0.0.1 (port picked by the kernel) with an event loop in a
 * thread: 200 with a matching Content-Length, 404, 405, HEAD, oversize requests.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/evloop.h"
#include "base/log.h"
#include "gateway/metrics.h"

#include "fixture.h"

/* Checks every line is a comment or "name{labels} value" with a numeric value, and that
 * each sample's family was declared with # TYPE before it. Returns the sample count. */
static int check_exposition(const char *text)
{
	char declared[64][64];
	int n_declared = 0, samples = 0;
	const char *line = text;

	while (*line) {
		const char *end = strchr(line, '\n');
		assert_non_null(end); /* every line ends in a newline */
		char buf[1024];
		size_t len = (size_t)(end - line);
		assert_true(len < sizeof(buf));
		memcpy(buf, line, len);
		buf[len] = '\0';
		line = end + 1;
		char name[64], type[16];
		if (sscanf(buf, "# TYPE %63s %15s", name, type) == 2) {
			assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0);
			assert_true(n_declared < 64);
			snprintf(declared[n_declared++], 64, "%s", name);
			continue;
		}
		if (buf[0] == '#')
			continue;
		size_t name_len = strcspn(buf, "{ ");
		assert_true(name_len > 0 && name_len < 64);
		bool found = false;
		for (int i = 0; i < n_declared; i++)
			found |= strlen(declared[i]) == name_len &&
				 memcmp(declared[i], buf, name_len) == 0;
		if (!found)
			fail_msg("sample before its # TYPE: %s", buf);
		const char *value = strrchr(buf, ' ');
		assert_non_null(value);
		char *num_end;
		strtod(value + 1, &num_end);
		if (*num_end != '\0' || num_end == value + 1)
			fail_msg("not a number: %s", buf);
		samples++;
	}
	return samples;
}

static char *fixture_metrics(void)
{
	struct gw_status st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(fixture_status(&st), 0);
	assert_int_equal(metrics_write(f, &st), 0);
	fclose(f);
	gw_status_free(&st);
	return buf;
}

static void test_exposition(void **state)
{
	(void)state;
	char *text = fixture_metrics();
	assert_true(check_exposition(text) > 20);
	const char *want[] = {
	    "seg_uptime_seconds 3723.500\n",
	    "seg_drops_total{reason=\"not_seg\"} 3\n",
	    "seg_peer_up{remote=\"1-ff00:0:111,127.0.0.1:31000\"} 1\n",
	    "seg_peer_up{remote=\"2-ff00:0:220,[fd00::2]:31000\"} 0\n",
	    "seg_peer_tx_packets_total{remote=\"1-ff00:0:111,127.0.0.1:31000\"} 1000\n",
	    "seg_peer_rx_bytes_total{remote=\"1-ff00:0:111,127.0.0.1:31000\"} 1200000\n",
	    "seg_peer_drops_total{remote=\"1-ff00:0:111,127.0.0.1:31000\",reason=\"replay\"} 5\n",
	    "seg_path_rtt_seconds{remote=\"1-ff00:0:111,127.0.0.1:31000\",path=\"1\","
	    "hidden=\"false\"} 0.001250\n",
	    "seg_path_loss_ratio{remote=\"1-ff00:0:111,127.0.0.1:31000\",path=\"7\","
	    "hidden=\"true\"} 1.0000\n",
	    "seg_path_active{remote=\"1-ff00:0:111,127.0.0.1:31000\",path=\"1\","
	    "hidden=\"false\"} 1\n",
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (!strstr(text, want[i]))
			fail_msg("missing %s", want[i]);
	}
	/* No RTT sample for a path without one. */
	assert_null(strstr(text, "seg_path_rtt_seconds{remote=\"1-ff00:0:111,127.0.0.1:31000\","
				 "path=\"7\""));
	free(text);
}

struct server {
	struct evloop *loop;
	struct metrics_server *m;
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
	s->loop_rc = evloop_run(s->loop);
	return NULL;
}

static int setup(void **state)
{
	struct server *s = calloc(1, sizeof(*s));
	char err[256];

	assert_non_null(s);
	seg_log_set_level(SEG_LOG_ERROR);
	s->loop = evloop_new();
	assert_non_null(s->loop);
	if (metrics_server_new(s->loop, "127.0.0.1:0", fixture_provider, &s->calls, &s->m, err,
			       sizeof(err)) != 0)
		fail_msg("metrics_server_new: %s", err);
	assert_true(metrics_server_port(s->m) != 0);
	assert_int_equal(pthread_create(&s->thread, NULL, loop_main, s), 0);
	wait_running(s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct server *s = *state;

	evloop_stop(s->loop);
	pthread_join(s->thread, NULL);
	assert_int_equal(s->loop_rc, 0);
	metrics_server_free(s->m);
	evloop_free(s->loop);
	free(s);
	return 0;
}

/* Sends req to the server and reads the whole answer (bounded by a receive timeout). */
static char *http(struct server *s, const char *req, size_t *len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(metrics_server_port(s->m))};
	struct timeval tv = {.tv_sec = 5};
	size_t cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_non_null(buf);
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)!send(fd, req, strlen(req), MSG_NOSIGNAL);
	*len = 0;
	while (*len + 1 < cap && (n = recv(fd, buf + *len, cap - *len - 1, 0)) > 0)
		*len += (size_t)n;
	buf[*len] = '\0';
	close(fd);
	return buf;
}

static void test_http_get(void **state)
{
	struct server *s = *state;
	size_t len;
	char *resp =
	    http(s, "GET /metrics HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n", &len);

	assert_true(strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) == 0);
	assert_non_null(strstr(resp, "\r\nContent-Type: text/plain; version=0.0.4"));
	char *body = strstr(resp, "\r\n\r\n");
	assert_non_null(body);
	body += 4;
	const char *cl = strstr(resp, "\r\nContent-Length: ");
	assert_non_null(cl);
	size_t content_length = strtoul(cl + 18, NULL, 10);
	assert_int_equal(content_length, len - (size_t)(body - resp));
	char *want = fixture_metrics();
	assert_string_equal(body, want);
	assert_true(check_exposition(body) > 20);
	free(want);
	free(resp);
	assert_int_equal(s->calls, 1);
}

static void test_http_errors(void **state)
{
	struct server *s = *state;
	static const struct {
		const char *req, *status;
	} cases[] = {
	    {"GET / HTTP/1.0\r\n\r\n", "HTTP/1.0 404 Not Found\r\n"},
	    {"GET /metricsx HTTP/1.0\r\n\r\n", "HTTP/1.0 404 Not Found\r\n"},
	    {"POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
	     "HTTP/1.0 405 Method Not Allowed\r\n"},
	    {"garbage\r\n\r\n", "HTTP/1.0 400 Bad Request\r\n"},
	    {"GET /metrics\n\n", "HTTP/1.0 400 Bad Request\r\n"},
	    {"GET /metrics?x=1 HTTP/1.0\n\n", "HTTP/1.0 200 OK\r\n"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *resp = http(s, cases[i].req, &len);
		if (strncmp(resp, cases[i].status, strlen(cases[i].status)) != 0)
			fail_msg("case %zu: got %.40s", i, resp);
		free(resp);
	}
	assert_int_equal(s->calls, 1);
}

static void test_http_head(void **state)
{
	struct server *s = *state;
	size_t len;
	char *resp = http(s, "HEAD /metrics HTTP/1.0\r\n\r\n", &len);

	assert_true(strncmp(resp, "HTTP/1.0 200 OK\r\n", 17) == 0);
	char *body = strstr(resp, "\r\n\r\n");
	assert_non_null(body);
	assert_string_equal(body, "\r\n\r\n"); /* headers only */
	assert_null(strstr(resp, "Content-Length: 0\r\n"));
	free(resp);
}

static void test_http_too_large(void **state)
{
	struct server *s = *state;
	char *req = malloc(METRICS_REQUEST_MAX * 2 + 1);
	size_t len;

	assert_non_null(req);
	memcpy(req, "GET /metrics HTTP/1.0\r\nX: ", 26);
	memset(req + 26, 'a', METRICS_REQUEST_MAX * 2 - 26);
	req[METRICS_REQUEST_MAX * 2] = '\0';
	char *resp = http(s, req, &len);
	assert_true(strncmp(resp, "HTTP/1.0 431 ", 13) == 0);
	free(resp);
	free(req);
	assert_int_equal(s->calls, 0);
}

static void test_bad_addresses(void **state)
{
	static const char *const bad[] = {"",		"127.0.0.1",	   ":9100",
					  "127.0.0.1:", "127.0.0.1:99999", "::1:9100",
					  "[::1]9100",	"127.0.0.1:9x",	   "host name:80"};
	struct evloop *loop = evloop_new();
	struct metrics_server *m;
	fixture_calls calls = 0;
	char err[256];
	(void)state;

	assert_non_null(loop);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (metrics_server_new(loop, bad[i], fixture_provider, &calls, &m, err,
				       sizeof(err)) != METRICS_ERR_ADDR)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_null(m);
		assert_non_null(strstr(err, "metricsAddr"));
	}
	/* IPv6 loopback in brackets works. */
	if (metrics_server_new(loop, "[::1]:0", fixture_provider, &calls, &m, err, sizeof(err)) ==
	    0)
		metrics_server_free(m);
	evloop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exposition),
	    cmocka_unit_test_setup_teardown(test_http_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_http_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_http_head, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_http_too_large, setup, teardown),
	    cmocka_unit_test(test_bad_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
