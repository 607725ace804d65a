/* SPDX-License-Identifier: MIT */
/*
 * `seg ping IA,IP`: SCMP echo requests over one path from the daemon, a line per reply with
 * its round-trip time, the SCMP errors that come back instead (external interface down, ...),
 * and a summary with the loss. Bounded in count and time: it sends -c requests (default 4)
 * at -i intervals and waits --timeout for each reply, never longer. Exit status 0 when at
 * least one reply came back, 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "commands.h"
#include "config/duration.h"
#include "endhost.h"

enum {
	PING_DEFAULT_COUNT = 4,
	/** Sequence numbers are 16 bits on the wire (scmp.rst); one per request. */
	PING_MAX_COUNT = 65535,
	PING_DEFAULT_INTERVAL_MS = 1000,
	PING_MIN_INTERVAL_MS = 1,
	PING_MAX_INTERVAL_MS = 60000,
	PING_DEFAULT_TIMEOUT_MS = 1000,
	PING_MAX_TIMEOUT_MS = 60000,
	/** Echo data bytes at most: well inside the smallest SCION MTU (1280). */
	PING_MAX_PAYLOAD = 1024,
};

struct ping_opts {
	const char *sciond;
	const char *local;
	struct scion_addr dst;
	const char *dst_text;
	uint64_t count, path_idx, payload;
	uint64_t interval_ns, timeout_ns;
	bool hidden, refresh;
};

/* Per request: when it went out and what came back. */
enum ping_state { PING_PENDING, PING_REPLIED, PING_ERRORED };

struct ping_run {
	struct endhost *e;
	const struct ping_opts *o;
	const struct scion_route *route;
	uint64_t *sent_at;
	uint8_t *state;
	uint64_t sent, received, errors, pending;
	double rtt_min, rtt_max, rtt_sum, rtt_sq;
	uint8_t data[PING_MAX_PAYLOAD];
};

static volatile sig_atomic_t ping_interrupted;

static void ping_on_signal(int sig)
{
	(void)sig;
	ping_interrupted = 1;
}

static void ping_usage(FILE *f)
{
	fprintf(f,
		"usage: seg ping IA,IP [flags]\n"
		"Sends SCMP echo requests to a SCION host and prints the replies.\n\n"
		"  --sciond ADDR     daemon address (default 127.0.0.1:30255)\n"
		"  -c, --count N     requests to send (default 4, at most 65535)\n"
		"  -i, --interval D  time between requests (default 1s, 1ms..1m)\n"
		"  --timeout D       how long to wait for each reply (default 1s, at most 1m)\n"
		"  --path N          use path N of the daemon's list (default 0; see seg paths)\n"
		"  -s, --size N      echo data bytes (default 0, at most 1024)\n"
		"  --local IP        local host IP (default as for seg paths)\n"
		"  --hidden          choose among hidden paths too\n"
		"  --refresh         ask the daemon to refresh its paths first\n");
}

static bool parse_duration(const char *flag, const char *s, uint64_t min_ms, uint64_t max_ms,
			   uint64_t *out)
{
	uint64_t ns;

	if (seg_duration_parse(s, strlen(s), &ns) || ns < SEG_MS(min_ms) || ns > SEG_MS(max_ms)) {
		fprintf(stderr, "seg ping: invalid %s \"%s\" (a duration like 200ms, 1s)\n", flag,
			s);
		return false;
	}
	*out = ns;
	return true;
}

static bool parse_uint_flag(const char *flag, const char *s, uint64_t min, uint64_t max,
			    uint64_t *out)
{
	if (endhost_parse_uint(s, min, max, out))
		return true;
	fprintf(stderr, "seg ping: invalid %s \"%s\" (%llu..%llu)\n", flag, s,
		(unsigned long long)min, (unsigned long long)max);
	return false;
}

static int ping_flag(int c, struct ping_opts *o)
{
	switch (c) {
	case 'S':
		o->sciond = optarg;
		return 0;
	case 'l':
		o->local = optarg;
		return 0;
	case 'H':
		o->hidden = true;
		return 0;
	case 'r':
		o->refresh = true;
		return 0;
	case 'c':
		return parse_uint_flag("--count", optarg, 1, PING_MAX_COUNT, &o->count) ? 0 : 1;
	case 'p':
		return parse_uint_flag("--path", optarg, 0, SEG_DAEMON_PATHS_MAX - 1, &o->path_idx)
			   ? 0
			   : 1;
	case 's':
		return parse_uint_flag("--size", optarg, 0, PING_MAX_PAYLOAD, &o->payload) ? 0 : 1;
	case 'i':
		return parse_duration("--interval", optarg, PING_MIN_INTERVAL_MS,
				      PING_MAX_INTERVAL_MS, &o->interval_ns)
			   ? 0
			   : 1;
	case 't':
		return parse_duration("--timeout", optarg, 1, PING_MAX_TIMEOUT_MS, &o->timeout_ns)
			   ? 0
			   : 1;
	case 'h':
		ping_usage(stdout);
		return 2;
	}
	return -1;
}

/* Returns 0 to go on, 1 for an error, 2 after --help. */
static int ping_parse(int argc, char **argv, struct ping_opts *o)
{
	static const struct option longopts[] = {
	    {"sciond", required_argument, NULL, 'S'},
	    {"count", required_argument, NULL, 'c'},
	    {"interval", required_argument, NULL, 'i'},
	    {"timeout", required_argument, NULL, 't'},
	    {"path", required_argument, NULL, 'p'},
	    {"size", required_argument, NULL, 's'},
	    {"local", required_argument, NULL, 'l'},
	    {"hidden", no_argument, NULL, 'H'},
	    {"refresh", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, r;

	memset(o, 0, sizeof(*o));
	o->count = PING_DEFAULT_COUNT;
	o->interval_ns = SEG_MS(PING_DEFAULT_INTERVAL_MS);
	o->timeout_ns = SEG_MS(PING_DEFAULT_TIMEOUT_MS);
	optind = 0; /* glibc: start over, so that the command can run twice in one process */
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "c:i:s:h", longopts, NULL)) != -1) {
		r = ping_flag(c, o);
		if (r < 0) {
			fprintf(stderr, "seg ping: unknown or incomplete flag \"%s\"\n",
				argv[optind - 1]);
			ping_usage(stderr);
			return 1;
		}
		if (r)
			return r;
	}
	if (optind + 1 != argc) {
		if (optind == argc)
			fprintf(stderr, "seg ping: missing destination IA,IP\n");
		else
			fprintf(stderr, "seg ping: unexpected argument \"%s\"\n", argv[optind + 1]);
		ping_usage(stderr);
		return 1;
	}
	o->dst_text = argv[optind];
	if (scion_addr_parse(o->dst_text, &o->dst) || o->dst.host.type == SCION_HOST_SVC) {
		fprintf(stderr, "seg ping: invalid destination \"%s\" (want IA,IP)\n", o->dst_text);
		return 1;
	}
	return 0;
}

static int ping_send(struct ping_run *run, uint64_t seq)
{
	struct scmp_msg m = {.type = SCMP_ECHO_REQUEST, .data = run->data};
	int err;

	/* Routers deliver the reply by the identifier (reference getDstPortSCMP). */
	m.u.echo.id = scion_socket_port(run->e->sock);
	m.u.echo.seq = (uint16_t)seq;
	m.data_len = run->o->payload;
	run->sent_at[seq] = seg_time_now();
	run->sent++;
	run->pending++;
	err = scion_socket_send_scmp(run->e->sock, run->route, &run->o->dst, &m);
	if (err) {
		run->pending--;
		fprintf(
		    stderr, "seg ping: sending scmp_seq=%llu: %s%s%s\n", (unsigned long long)seq,
		    scion_socket_strerror(err), err == SCION_SOCK_ERR_SYS ? ": " : "",
		    err == SCION_SOCK_ERR_SYS ? strerror(scion_socket_errno(run->e->sock)) : "");
		run->state[seq] = PING_ERRORED;
		run->errors++;
	}
	return 0;
}

/* The (id, seq) of the echo request an SCMP error quotes, if it quotes one of ours. */
static bool quoted_echo(const struct scmp_msg *m, uint16_t *id, uint16_t *seq)
{
	uint8_t scratch[SCMP_MAX_PACKET_LEN];
	struct scion_packet q;

	if (m->data_len > sizeof(scratch) ||
	    scion_scmp_quote_decode(m, scratch, sizeof(scratch), &q) ||
	    q.l4_proto != SCION_PROTO_SCMP || q.l4_len < 8 || q.l4[0] != SCMP_ECHO_REQUEST)
		return false;
	*id = (uint16_t)(q.l4[4] << 8 | q.l4[5]);
	*seq = (uint16_t)(q.l4[6] << 8 | q.l4[7]);
	return true;
}

static void ping_reply(struct ping_run *run, const struct scion_socket_msg *msg, uint16_t seq,
		       uint64_t now)
{
	double rtt = (double)(now - run->sent_at[seq]) / 1e6;
	char from[SCION_UDP_ADDR_STRLEN];

	run->state[seq] = PING_REPLIED;
	run->received++;
	run->pending--;
	run->rtt_sum += rtt;
	run->rtt_sq += rtt * rtt;
	if (run->received == 1 || rtt < run->rtt_min)
		run->rtt_min = rtt;
	if (rtt > run->rtt_max)
		run->rtt_max = rtt;
	if (scion_addr_format(&msg->pkt.hdr.src, from, sizeof(from)))
		snprintf(from, sizeof(from), "?");
	printf("%zu bytes from %s: scmp_seq=%u time=%.3fms\n", msg->scmp.data_len, from, seq, rtt);
}

/* One received packet; anything that is not about our requests is ignored. */
static void ping_handle(struct ping_run *run, const struct scion_socket_msg *msg, uint64_t now)
{
	const struct scmp_msg *m = &msg->scmp;
	uint16_t port = scion_socket_port(run->e->sock), id, seq;
	char what[ENDHOST_SCMP_STRLEN];

	if (msg->l4 != SCION_SOCKET_L4_SCMP || !msg->scmp_known)
		return;
	if (m->type == SCMP_ECHO_REPLY) {
		if (m->u.echo.id != port || m->u.echo.seq >= run->sent ||
		    run->state[m->u.echo.seq] != PING_PENDING ||
		    now - run->sent_at[m->u.echo.seq] > run->o->timeout_ns)
			return; /* not ours, a duplicate, or late */
		if (!scion_addr_equal(&msg->pkt.hdr.src, &run->o->dst))
			return;
		ping_reply(run, msg, m->u.echo.seq, now);
		return;
	}
	if (!scmp_is_error(m->type) || !quoted_echo(m, &id, &seq) || id != port ||
	    seq >= run->sent || run->state[seq] != PING_PENDING)
		return;
	run->state[seq] = PING_ERRORED;
	run->errors++;
	run->pending--;
	endhost_scmp_describe(m, what, sizeof(what));
	printf("scmp_seq=%u: %s\n", seq, what);
}

/*
 * Waits for packets until deadline, an interrupt, or (with until_done) no request pending.
 * Returns -1 on a socket failure.
 */
static int ping_wait(struct ping_run *run, uint64_t deadline, bool until_done)
{
	struct scion_socket_msg msg;

	while (!ping_interrupted && !(until_done && run->pending == 0)) {
		uint64_t now = seg_time_now();
		int err;

		if (seg_time_expired(now, deadline))
			return 0;
		err = scion_socket_recv(
		    run->e->sock, &msg,
		    (int)seg_time_to_ms(seg_time_until(now, deadline) + SEG_MS(1) - 1));
		if (err == SCION_SOCK_ERR_TIMEOUT)
			return 0;
		if (err == SCION_SOCK_ERR_SYS && scion_socket_errno(run->e->sock) == EINTR)
			continue;
		if (err == SCION_SOCK_ERR_DECODE || err == SCION_SOCK_ERR_SIZE)
			continue;
		if (err) {
			fprintf(stderr, "seg ping: receiving: %s: %s\n", scion_socket_strerror(err),
				strerror(scion_socket_errno(run->e->sock)));
			return -1;
		}
		ping_handle(run, &msg, seg_time_now());
	}
	return 0;
}

static void ping_summary(const struct ping_run *run, uint64_t elapsed_ns)
{
	double loss =
	    run->sent ? 100.0 * (double)(run->sent - run->received) / (double)run->sent : 0.0;

	printf("\n--- %s statistics ---\n", run->o->dst_text);
	printf("%llu packets transmitted, %llu received, ", (unsigned long long)run->sent,
	       (unsigned long long)run->received);
	if (run->errors)
		printf("%llu errors, ", (unsigned long long)run->errors);
	printf("%.0f%% packet loss, time %llums\n", loss,
	       (unsigned long long)seg_time_to_ms(elapsed_ns));
	if (run->received) {
		double avg = run->rtt_sum / (double)run->received;
		double var = run->rtt_sq / (double)run->received - avg * avg;

		printf("rtt min/avg/max/mdev = %.3f/%.3f/%.3f/%.3f ms\n", run->rtt_min, avg,
		       run->rtt_max, sqrt(var > 0 ? var : 0));
	}
}

/*
 * Sends at the interval, waiting for replies in between; after the last request waits until
 * every request is answered or its timeout has passed. At most count * interval + timeout.
 */
static int ping_loop(struct ping_run *run)
{
	uint64_t start = seg_time_now(), next = start;

	for (uint64_t seq = 0; seq < run->o->count && !ping_interrupted; seq++) {
		if (ping_wait(run, next, false))
			return -1;
		if (ping_interrupted)
			break;
		ping_send(run, seq);
		fflush(stdout);
		next = seg_time_add(seg_time_now(), run->o->interval_ns);
	}
	if (run->sent &&
	    ping_wait(run, seg_time_add(run->sent_at[run->sent - 1], run->o->timeout_ns), true))
		return -1;
	ping_summary(run, seg_time_now() - start);
	return 0;
}

static int ping_start(struct endhost *e, const struct ping_opts *o, const struct seg_path *p)
{
	struct ping_run run = {.e = e, .o = o};
	struct scion_route route;
	struct sigaction sa = {.sa_handler = ping_on_signal}, old_int, old_term;
	char hops[ENDHOST_HOPS_STRLEN];
	int ret = 1;

	endhost_route(p, &route);
	run.route = &route;
	run.sent_at = calloc(o->count, sizeof(*run.sent_at));
	run.state = calloc(o->count, sizeof(*run.state));
	if (!run.sent_at || !run.state) {
		fprintf(stderr, "seg ping: out of memory\n");
		goto out;
	}
	for (size_t i = 0; i < sizeof(run.data); i++)
		run.data[i] = (uint8_t)i;
	endhost_hops_format(p, e->local_ia, hops, sizeof(hops));
	printf("PING %s over path %llu %s MTU %u: %llu data bytes\n", o->dst_text,
	       (unsigned long long)o->path_idx, hops, p->mtu, (unsigned long long)o->payload);
	fflush(stdout);
	/* No SA_RESTART: an interrupt ends the wait at once and prints the summary. */
	ping_interrupted = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if (ping_loop(&run) == 0)
		ret = run.received ? 0 : 1;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	free(run.sent_at);
	free(run.state);
	return ret;
}

/* The size of one echo request on the path: SCION header, SCMP header and InfoBlock, data. */
static size_t ping_packet_len(const struct endhost *e, const struct ping_opts *o,
			      const struct seg_path *p)
{
	struct scion_header h = {.dst = o->dst, .src = {.ia = e->local_ia}, .path_len = p->raw_len};

	/* The local host is not chosen yet: count the longer of the two kinds. */
	h.src.host.type = SCION_HOST_IPV6;
	return scion_header_len(&h) + SCION_SCMP_HDR_LEN + scmp_info_len(SCMP_ECHO_REQUEST) +
	       o->payload;
}

int ping_main(int argc, char **argv)
{
	struct ping_opts o;
	struct endhost e;
	struct seg_path *paths = NULL;
	size_t n = 0;
	int ret = 1;

	switch (ping_parse(argc, argv, &o)) {
	case 0:
		break;
	case 2:
		return 0;
	default:
		return 1;
	}
	if (endhost_open(&e, "seg ping", o.sciond) ||
	    endhost_paths(&e, o.dst.ia, o.hidden, o.refresh, &paths, &n))
		goto out;
	if (o.path_idx >= n) {
		fprintf(stderr, "seg ping: no path %llu to %s (the daemon gave %zu)\n",
			(unsigned long long)o.path_idx, o.dst_text, n);
		goto out;
	}
	if (ping_packet_len(&e, &o, &paths[o.path_idx]) > paths[o.path_idx].mtu) {
		fprintf(stderr, "seg ping: --size %llu does not fit the path MTU %u\n",
			(unsigned long long)o.payload, paths[o.path_idx].mtu);
		goto out;
	}
	if (endhost_bind(&e, o.local, &paths[o.path_idx], 1))
		goto out;
	ret = ping_start(&e, &o, &paths[o.path_idx]);
out:
	seg_daemon_paths_free(paths);
	endhost_close(&e);
	return ret;
}
