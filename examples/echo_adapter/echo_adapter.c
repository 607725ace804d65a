/* SPDX-License-Identifier: MIT */
/*
 * seg-echo: the smallest useful adapter. Every line typed on stdin goes to every peer that
 * is up, as data or, prefixed with "!", as a reliable control message; what peers send is
 * printed as "[peer] text" or "[peer] (control) text". A peer that receives data starting
 * with "ping" answers "pong". End of stdin (Ctrl-D) stops the gateway.
 *
 *   seg-echo [-conf conf.yaml]
 *
 * It shows the five roles (docs/writing-an-adapter.md): reading local traffic (stdin, on
 * the event loop here; a thread works the same way), egress through seg_peer_send_data /
 * seg_peer_send_ctrl, ingress and control callbacks, and peer up/down.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <seg/adapter.h>

#include "base/evloop.h"
#include "base/log.h"
#include "config/config.h"
#include "gateway/gateway.h"

enum { ECHO_PEERS_MAX = 64 };

struct echo {
	struct gateway *gw;
};

static void peer_name(struct seg_peer *p, char *buf, size_t cap)
{
	if (scion_udp_addr_format(seg_peer_addr(p), buf, cap) != 0)
		snprintf(buf, cap, "?");
}

static void on_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n)
{
	char name[SCION_UDP_ADDR_STRLEN];

	(void)ctx;
	peer_name(peer, name, sizeof(name));
	for (size_t i = 0; i < n; i++) {
		printf("[%s] %.*s\n", name, (int)pkts[i].len, (const char *)pkts[i].data);
		if (pkts[i].len >= 4 && memcmp(pkts[i].data, "ping", 4) == 0) {
			struct seg_buf pong = {.data = (const uint8_t *)"pong", .len = 4};

			if (seg_peer_send_data(peer, &pong, 1) < 0)
				fprintf(stderr, "pong not sent\n");
		}
	}
	fflush(stdout);
}

static void on_control(void *ctx, struct seg_peer *peer, const uint8_t *msg, size_t len)
{
	char name[SCION_UDP_ADDR_STRLEN];

	(void)ctx;
	peer_name(peer, name, sizeof(name));
	printf("[%s] (control) %.*s\n", name, (int)len, (const char *)msg);
	fflush(stdout);
}

static void on_up(void *ctx, struct seg_peer *peer)
{
	char name[SCION_UDP_ADDR_STRLEN];

	(void)ctx;
	peer_name(peer, name, sizeof(name));
	printf("* %s is up\n", name);
	fflush(stdout);
}

static void on_down(void *ctx, struct seg_peer *peer)
{
	char name[SCION_UDP_ADDR_STRLEN];

	(void)ctx;
	peer_name(peer, name, sizeof(name));
	printf("* %s is down\n", name);
	fflush(stdout);
}

static const struct seg_adapter_ops echo_ops = {
    .name = "echo",
    .ingress = on_ingress,
    .control = on_control,
    .peer_up = on_up,
    .peer_down = on_down,
};

/* Role 2: find the peers that are up and send them one line. */
static void send_line(struct echo *e, const char *line, size_t n)
{
	struct seg_peer *peers[ECHO_PEERS_MAX];
	size_t np, sent = 0;

	np = seg_gateway_peers(e->gw, peers, ECHO_PEERS_MAX);
	for (size_t i = 0; i < np && i < ECHO_PEERS_MAX; i++) {
		if (seg_peer_is_up(peers[i])) {
			sent++;
			if (line[0] == '!') {
				if (seg_peer_send_ctrl(peers[i], line + 1, n - 1) != 0)
					fprintf(stderr, "control queue full\n");
			} else {
				struct seg_buf b = {.data = (const uint8_t *)line, .len = n};

				if (seg_peer_send_data(peers[i], &b, 1) < 0)
					fprintf(stderr, "not sent\n");
			}
		}
		seg_peer_put(peers[i]);
	}
	if (!sent)
		fprintf(stderr, "no peer is up: line not sent\n");
}

/* Role 1: read local traffic. One read may hold several lines (a paste, a pipe); a line
 * longer than the buffer is sent in pieces. */
static void on_stdin(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct echo *e = arg;
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	size_t start = 0;

	(void)events;
	if (n <= 0) {
		evloop_fd_del(loop, fd);
		gateway_stop(e->gw);
		return;
	}
	for (size_t i = 0; i <= (size_t)n; i++) {
		size_t end = i;

		if (i < (size_t)n && buf[i] != '\n')
			continue;
		if (end > start && buf[end - 1] == '\r')
			end--;
		if (end > start)
			send_line(e, buf + start, end - start);
		start = i + 1;
	}
}

static void on_signal(struct evloop *loop, int signo, void *arg)
{
	(void)loop;
	(void)signo;
	gateway_stop(arg);
}

int main(int argc, char **argv)
{
	const char *conf = "conf.yaml";
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *cfg;
	struct echo e = {0};
	int rc;

	if (argc == 3 && strcmp(argv[1], "-conf") == 0) {
		conf = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: seg-echo [-conf conf.yaml]\n");
		return 2;
	}
	if (seg_config_load(conf, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	rc = gateway_new(cfg, NULL, &e.gw, err, sizeof(err));
	seg_config_free(cfg);
	if (rc) {
		fprintf(stderr, "seg-echo: %s\n", err);
		return 1;
	}
	if (seg_gateway_adapter_register(e.gw, &echo_ops, &e) != 0 ||
	    evloop_fd_add(gateway_loop(e.gw), 0, EVLOOP_READ, on_stdin, &e) != 0 ||
	    evloop_signal_add(gateway_loop(e.gw), SIGINT, on_signal, e.gw) != 0 ||
	    evloop_signal_add(gateway_loop(e.gw), SIGTERM, on_signal, e.gw) != 0) {
		fprintf(stderr, "seg-echo: setup failed\n");
		gateway_free(e.gw);
		return 1;
	}
	rc = gateway_run(e.gw);
	gateway_free(e.gw);
	return rc ? 1 : 0;
}
