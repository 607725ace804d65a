/* SPDX-License-Identifier: MIT */
/*
 * End to end through seg-testnet: real daemons, real border routers, real packets on
 * loopback (127.N.k.1, N claimed free by netrun; ::1 for tiny6's IPv6 ASes). The network
 * runs in this process (netrun_start); the endhost is the SCION socket of src/scion/socket.h,
 * and the `seg` binary runs against the same network as a child process.
 *
 *   tiny.topo                        multipath.topo (see the file for the drawing)
 *
 *        110 (core)                    110 ==== 120 ==== 130      cores
 *       #1/  \#2                        |  \     |      /  |
 *     #41/    \#1                      112  \   121 (R) / 132     112 -- 132 peering
 *      111    112                        \   \   :  \  /  /
 *                                         `- 111 (A) 131 (B)      121 -> 111 hidden
 *
 * Checks: for several AS pairs every path Paths returns carries an SCMP echo to the
 * destination AS's host and back; a flipped hop-field MAC byte gets no reply and grows the
 * bad_mac counter of the router that checks it; a downed link gives the sender SCMP
 * external-interface-down naming it; hidden paths only with hidden = true (and they carry
 * echoes too); `seg paths --probe` and `seg ping` against the network.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <seg/daemon.h>

#include "base/time.h"
#include "netrun.h"
#include "router_io.h"
#include "scion/socket.h"

#define IA_110 ((scion_ia_t)0x0001ff0000000110ull)
#define IA_111 ((scion_ia_t)0x0001ff0000000111ull)
#define IA_112 ((scion_ia_t)0x0001ff0000000112ull)
#define IA_120 ((scion_ia_t)0x0001ff0000000120ull)
#define IA_121 ((scion_ia_t)0x0001ff0000000121ull)
#define IA_130 ((scion_ia_t)0x0001ff0000000130ull)
#define IA_131 ((scion_ia_t)0x0001ff0000000131ull)
#define IA_132 ((scion_ia_t)0x0001ff0000000132ull)

enum {
	ECHO_WAIT_MS = 3000,
	/** A silent drop is declared after this long without an answer. */
	SILENCE_MS = 500,
	CHILD_TIMEOUT_MS = 30000,
	OUT_CAP = 65536,
};

struct fixture {
	char dir[64];
	struct netrun *net;
	char out[OUT_CAP];
};

static int start_topo(void **state, const char *topo)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[NETRUN_ERR_LEN];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/seg-e2e-XXXXXX");
	if (!mkdtemp(f->dir) || netrun_start(topo, f->dir, NULL, &f->net, err, sizeof(err))) {
		fprintf(stderr, "netrun_start %s: %s\n", topo, err);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup_tiny(void **state)
{
	return start_topo(state, SEG_SOURCE_DIR "/topologies/tiny.topo");
}

static int setup_tiny6(void **state)
{
	return start_topo(state, SEG_SOURCE_DIR "/topologies/tiny6.topo");
}

static int setup_multipath(void **state)
{
	return start_topo(state, SEG_SOURCE_DIR "/topologies/multipath.topo");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (!f)
		return 0; /* the setup failed and said why */
	netrun_stop(f->net);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* ---- an endhost in one AS ---- */

struct host {
	const struct netrun_as *as;
	struct seg_daemon *daemon;
	struct scion_socket *sock;
};

static void parse_ip(const char *text, struct scion_host *out)
{
	uint8_t ip[16];

	if (inet_pton(AF_INET, text, ip) == 1)
		scion_host_from_ipv4(out, ip);
	else if (inet_pton(AF_INET6, text, ip) == 1)
		scion_host_from_ipv6(out, ip);
	else
		fail_msg("not an IP: %s", text);
}

static void host_open(struct fixture *f, scion_ia_t ia, struct host *h)
{
	struct scion_socket_config cfg = {.local = {.ia = ia}};
	struct seg_daemon_port_range range;

	h->as = netrun_as_find(f->net, ia);
	assert_non_null(h->as);
	h->daemon = seg_daemon_open(h->as->daemon, 5000);
	assert_non_null(h->daemon);
	assert_int_equal(seg_daemon_port_range(h->daemon, &range), 0);
	parse_ip(h->as->host_ip, &cfg.local.host);
	cfg.port_min = range.start;
	cfg.port_max = range.end;
	assert_int_equal(scion_socket_open(&cfg, &h->sock), 0);
}

static void host_close(struct host *h)
{
	scion_socket_close(h->sock);
	seg_daemon_close(h->daemon);
}

static void get_paths(struct host *h, scion_ia_t dst, bool hidden, struct seg_path **paths,
		      size_t *n)
{
	int err = seg_daemon_paths(h->daemon, h->as->ia, dst, hidden, false, paths, n);

	if (err)
		fail_msg("Paths %s: %s", h->as->ia_str, seg_daemon_last_error(h->daemon));
	assert_true(*n > 0);
}

static void dst_addr(struct fixture *f, scion_ia_t ia, struct scion_addr *out)
{
	const struct netrun_as *as = netrun_as_find(f->net, ia);

	assert_non_null(as);
	out->ia = ia;
	parse_ip(as->host_ip, &out->host);
}

static void send_echo(struct host *h, const struct seg_path *p, const uint8_t *raw,
		      const struct scion_addr *dst, uint16_t seq)
{
	static const uint8_t data[] = "seg e2e echo";
	struct scmp_msg m = {.type = SCMP_ECHO_REQUEST, .data = data, .data_len = sizeof(data)};
	struct scion_route r = {.type = SCION_PATH_TYPE_SCION,
				.raw = raw ? raw : p->raw,
				.raw_len = p->raw_len,
				.next_hop = &p->next_hop};

	assert_int_equal(p->type, SEG_PATH_TYPE_SCION);
	m.u.echo.id = scion_socket_port(h->sock);
	m.u.echo.seq = seq;
	assert_int_equal(scion_socket_send_scmp(h->sock, &r, dst, &m), 0);
}

/* The echo request an SCMP error quotes: its sequence number, or -1. */
static int quoted_echo_seq(const struct scmp_msg *m)
{
	uint8_t scratch[SCMP_MAX_PACKET_LEN];
	struct scion_packet q;

	if (m->data_len > sizeof(scratch) ||
	    scion_scmp_quote_decode(m, scratch, sizeof(scratch), &q) ||
	    q.l4_proto != SCION_PROTO_SCMP || q.l4_len < 8 || q.l4[0] != SCMP_ECHO_REQUEST)
		return -1;
	return q.l4[6] << 8 | q.l4[7];
}

static bool all_done(size_t lo, size_t hi, const bool *replied, const struct scmp_msg *errors)
{
	for (size_t i = lo; i < hi; i++) {
		if (!replied[i] && !(errors && errors[i].type))
			return false;
	}
	return true;
}

/*
 * Receives until each echo request seq lo..hi-1 has a reply or an SCMP error, or until
 * wait_ms. replied[seq] is set for replies; errors (if not NULL) get the SCMP error for a seq.
 * Returns the number of replies for lo..hi-1.
 */
static size_t collect(struct host *h, const struct scion_addr *dst, size_t lo, size_t hi,
		      bool *replied, struct scmp_msg *errors, int wait_ms)
{
	uint64_t deadline = seg_time_add(seg_time_now(), SEG_MS(wait_ms));
	size_t got = 0;
	struct scion_socket_msg msg;

	while (!all_done(lo, hi, replied, errors) && !seg_time_expired(seg_time_now(), deadline)) {
		int err = scion_socket_recv(
		    h->sock, &msg,
		    (int)seg_time_to_ms(seg_time_until(seg_time_now(), deadline)) + 1);
		int seq;

		if (err == SCION_SOCK_ERR_TIMEOUT)
			break;
		if (err == SCION_SOCK_ERR_DECODE || err == SCION_SOCK_ERR_SIZE) {
			fprintf(stderr, "skipped a datagram: %s\n", scion_socket_strerror(err));
			continue;
		}
		assert_int_equal(err, 0);
		if (msg.l4 != SCION_SOCKET_L4_SCMP || !msg.scmp_known)
			continue;
		/* Only replies from dst count: a late one to an earlier socket on this port
		 * (another test's) is not ours. */
		if (msg.scmp.type == SCMP_ECHO_REPLY && scion_addr_equal(&msg.pkt.hdr.src, dst)) {
			seq = msg.scmp.u.echo.seq;
			assert_int_equal(msg.scmp.u.echo.id, scion_socket_port(h->sock));
			if ((size_t)seq >= lo && (size_t)seq < hi && !replied[seq]) {
				replied[seq] = true;
				got++;
			}
		} else if (scmp_is_error(msg.scmp.type) &&
			   (seq = quoted_echo_seq(&msg.scmp)) >= 0 && (size_t)seq >= lo &&
			   (size_t)seq < hi && errors && errors[seq].type == 0) {
			errors[seq] = msg.scmp;
			errors[seq].data = NULL; /* points into the socket buffer */
			errors[seq].data_len = 0;
		}
	}
	return got;
}

/* Every path from src to dst carries an echo there and back. */
static void echo_all_paths(struct fixture *f, scion_ia_t src, scion_ia_t dst, bool hidden)
{
	struct host h;
	struct scion_addr to;
	struct seg_path *paths;
	size_t n;
	bool *replied;

	host_open(f, src, &h);
	dst_addr(f, dst, &to);
	get_paths(&h, dst, hidden, &paths, &n);
	replied = calloc(n, sizeof(*replied));
	assert_non_null(replied);
	for (size_t i = 0; i < n; i++)
		send_echo(&h, &paths[i], NULL, &to, (uint16_t)i);
	if (collect(&h, &to, 0, n, replied, NULL, ECHO_WAIT_MS) != n) {
		for (size_t i = 0; i < n; i++) {
			if (!replied[i])
				fprintf(stderr, "%s -> %s: path %zu of %zu: no echo reply\n",
					h.as->ia_str, netrun_as_find(f->net, dst)->ia_str, i, n);
		}
		fail();
	}
	fprintf(stderr, "%s -> %s%s: %zu paths, every one echoed\n", h.as->ia_str,
		netrun_as_find(f->net, dst)->ia_str, hidden ? " (hidden too)" : "", n);
	free(replied);
	seg_daemon_paths_free(paths);
	host_close(&h);
}

static void test_tiny_every_path(void **state)
{
	static const scion_ia_t pairs[][2] = {
	    {IA_111, IA_112},
	    {IA_112, IA_111},
	    {IA_111, IA_110},
	    {IA_110, IA_112},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		echo_all_paths(*state, pairs[i][0], pairs[i][1], false);
}

static void test_multipath_every_path(void **state)
{
	static const scion_ia_t pairs[][2] = {
	    {IA_111, IA_131}, {IA_131, IA_111}, {IA_112, IA_132}, {IA_111, IA_121},
	    {IA_121, IA_130}, {IA_132, IA_110}, {IA_120, IA_111},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		echo_all_paths(*state, pairs[i][0], pairs[i][1], false);
		echo_all_paths(*state, pairs[i][0], pairs[i][1], true);
	}
}

/*
 * tiny6: 110 and 111 have an IPv6 underlay (hosts, routers, daemons on ::1), 112 an IPv4 one;
 * 111 -> 112 has a path over each link family (tiny6.topo). Endhosts of an IPv6 AS send
 * SCION packets with IPv6 host addresses, and every path carries an echo both ways.
 */
/* An IPv4 host in the IPv6 AS 111 cannot be delivered to: 111's router counts HOST_FAMILY. */
static void tiny6_wrong_family(struct fixture *f)
{
	static const uint8_t data[] = "wrong family";
	struct scion_udp_addr to = {.addr = {.ia = IA_111}, .port = 31000};
	struct router_stats before, after;
	struct seg_path *paths;
	struct host h;
	size_t n;

	host_open(f, IA_112, &h);
	parse_ip("127.0.0.1", &to.addr.host);
	get_paths(&h, IA_111, false, &paths, &n);
	assert_int_equal(netrun_router_stats(f->net, IA_111, &before), 0);
	for (size_t i = 0; i < n; i++) {
		struct scion_route r = {.type = SCION_PATH_TYPE_SCION,
					.raw = paths[i].raw,
					.raw_len = paths[i].raw_len,
					.next_hop = &paths[i].next_hop};

		assert_int_equal(scion_socket_send_udp(h.sock, &r, &to, data, sizeof(data)), 0);
	}
	for (int tries = 0; tries < 100; tries++) {
		assert_int_equal(netrun_router_stats(f->net, IA_111, &after), 0);
		if (after.drops[ROUTER_DROP_HOST_FAMILY] ==
		    before.drops[ROUTER_DROP_HOST_FAMILY] + n)
			break;
		usleep(10000);
	}
	assert_int_equal(after.drops[ROUTER_DROP_HOST_FAMILY],
			 before.drops[ROUTER_DROP_HOST_FAMILY] + n);
	seg_daemon_paths_free(paths);
	host_close(&h);
}

static void test_tiny6_every_path(void **state)
{
	static const scion_ia_t pairs[][2] = {
	    {IA_111, IA_112}, {IA_112, IA_111}, {IA_110, IA_112},
	    {IA_112, IA_110}, {IA_111, IA_110}, {IA_110, IA_111},
	};
	struct fixture *f = *state;
	struct host h;
	struct seg_path *paths;
	size_t n;

	host_open(f, IA_111, &h);
	assert_int_equal(scion_socket_local(h.sock)->host.type, SCION_HOST_IPV6);
	get_paths(&h, IA_112, false, &paths, &n);
	assert_int_equal(n, 3);
	assert_int_equal(paths[0].next_hop.ss_family, AF_INET6);
	seg_daemon_paths_free(paths);
	host_close(&h);
	host_open(f, IA_112, &h);
	assert_int_equal(scion_socket_local(h.sock)->host.type, SCION_HOST_IPV4);
	host_close(&h);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		echo_all_paths(f, pairs[i][0], pairs[i][1], false);
	tiny6_wrong_family(f);
}

/* ---- MAC, link down, hidden ---- */

static uint64_t bad_mac_drops(struct fixture *f, scion_ia_t ia)
{
	struct router_stats st;

	assert_int_equal(netrun_router_stats(f->net, ia, &st), 0);
	return st.drops[ROUTER_DROP_BAD_MAC];
}

/* The router thread counts a drop when it gets to the packet, which under load (ASan, a
 * parallel ctest) can be after the sender's silence window: wait for it, bounded. */
static bool bad_mac_drops_grow(struct fixture *f, scion_ia_t ia, uint64_t before)
{
	for (int i = 0; i < ECHO_WAIT_MS / 10; i++) {
		if (bad_mac_drops(f, ia) > before)
			return true;
		usleep(10 * 1000);
	}
	return false;
}

static void test_tiny_bad_mac(void **state)
{
	struct fixture *f = *state;
	struct host h;
	struct scion_addr to;
	struct seg_path *paths;
	size_t n;
	uint8_t raw[SCION_MAX_STD_PATH_LEN];
	struct scion_std_path sp;
	bool replied[2] = {false, false};
	struct scmp_msg errors[2];
	uint64_t before;

	memset(errors, 0, sizeof(errors));
	host_open(f, IA_111, &h);
	dst_addr(f, IA_112, &to);
	get_paths(&h, IA_112, false, &paths, &n);
	/* 111 -> 110 -> 112: hop fields 111, 110 (up), 110, 112 (down). */
	assert_int_equal(scion_std_path_decode(paths[0].raw, paths[0].raw_len, &sp), 0);
	assert_int_equal(sp.num_hops, 4);
	/* Flip a byte of the MAC of the hop field that the core 110 checks first. */
	memcpy(raw, paths[0].raw, paths[0].raw_len);
	raw[scion_path_hop_offset(sp.num_infs, 1) + 6 + 2] ^= 0x40;
	before = bad_mac_drops(f, IA_110);
	send_echo(&h, &paths[0], raw, &to, 0);
	assert_int_equal(collect(&h, &to, 0, 1, replied, errors, SILENCE_MS), 0);
	assert_false(replied[0]);
	/* The router may say why (SCMP parameter problem); it must not be anything else. */
	assert_true(errors[0].type == 0 || errors[0].type == SCMP_PARAMETER_PROBLEM);
	assert_true(bad_mac_drops_grow(f, IA_110, before));
	/* The same path unmodified still works: the drop was the MAC's doing. */
	send_echo(&h, &paths[0], NULL, &to, 1);
	assert_int_equal(collect(&h, &to, 1, 2, replied, errors, ECHO_WAIT_MS), 1);
	assert_true(replied[1]);
	seg_daemon_paths_free(paths);
	host_close(&h);
}

static void set_link(struct fixture *f, scion_ia_t ia, uint16_t ifid, bool up)
{
	struct netrun_link_state st = {.up = up};

	assert_int_equal(netrun_link_apply(f->net, ia, ifid, NETRUN_LINK_UP, &st), 0);
}

static void test_tiny_link_down(void **state)
{
	struct fixture *f = *state;
	struct host h;
	struct scion_addr to;
	struct seg_path *paths;
	size_t n;
	bool replied[2] = {false, false};
	struct scmp_msg errors[2];

	host_open(f, IA_111, &h);
	dst_addr(f, IA_112, &to);
	get_paths(&h, IA_112, false, &paths, &n);
	memset(errors, 0, sizeof(errors));
	/* 110#2 is the link 110 -- 112: the path's egress at 110. */
	set_link(f, IA_110, 2, false);
	send_echo(&h, &paths[0], NULL, &to, 0);
	assert_int_equal(collect(&h, &to, 0, 1, replied, errors, ECHO_WAIT_MS), 0);
	assert_int_equal(errors[0].type, SCMP_EXTERNAL_INTERFACE_DOWN);
	assert_true(errors[0].u.ext_down.ia == IA_110);
	assert_int_equal(errors[0].u.ext_down.ifid, 2);
	/* Up again: echoes come back. */
	set_link(f, IA_110, 2, true);
	send_echo(&h, &paths[0], NULL, &to, 1);
	assert_int_equal(collect(&h, &to, 1, 2, replied, errors, ECHO_WAIT_MS), 1);
	assert_true(replied[1]);
	seg_daemon_paths_free(paths);
	host_close(&h);
}

static bool path_uses(const struct seg_path *p, scion_ia_t ia, uint64_t ifid)
{
	for (size_t i = 0; i < p->n_ifaces; i++) {
		if (p->ifaces[i].ia == ia && p->ifaces[i].id == ifid)
			return true;
	}
	return false;
}

static void test_multipath_hidden(void **state)
{
	struct fixture *f = *state;
	struct host h;
	struct seg_path *paths;
	size_t n, with_hidden = 0;

	host_open(f, IA_111, &h);
	/* The hidden link is 121#2 -- 111#3. */
	get_paths(&h, IA_131, false, &paths, &n);
	for (size_t i = 0; i < n; i++)
		assert_false(path_uses(&paths[i], IA_111, 3));
	seg_daemon_paths_free(paths);
	get_paths(&h, IA_131, true, &paths, &n);
	for (size_t i = 0; i < n; i++)
		with_hidden += path_uses(&paths[i], IA_111, 3);
	assert_true(with_hidden > 0);
	seg_daemon_paths_free(paths);
	get_paths(&h, IA_121, true, &paths, &n);
	for (size_t i = 0; i < n; i++)
		with_hidden += path_uses(&paths[i], IA_111, 3);
	assert_true(with_hidden > 1);
	seg_daemon_paths_free(paths);
	host_close(&h);
	/* echo_all_paths with hidden = true (test_multipath_every_path) carries them. */
}

/* ---- the seg binary ---- */

/* Runs SEG_BIN with args (NULL-terminated) and its stdout in f->out; returns its status. */
static int run_seg(struct fixture *f, ...)
{
	char *argv[24] = {SEG_BIN};
	int argc = 1, pfd[2], status = -1;
	size_t len = 0;
	uint64_t deadline = seg_time_add(seg_time_now(), SEG_MS(CHILD_TIMEOUT_MS));
	pid_t pid;
	va_list ap;

	va_start(ap, f);
	while (argc < 23 && (argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	argv[argc] = NULL;
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execv(SEG_BIN, argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		struct pollfd p = {.fd = pfd[0], .events = POLLIN};
		ssize_t r;

		if (seg_time_expired(seg_time_now(), deadline)) {
			kill(pid, SIGKILL); /* our own child only */
			break;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		r = read(pfd[0], f->out + len, sizeof(f->out) - 1 - len);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(pfd[0]);
	f->out[len] = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	fprintf(stderr, "---- %s %s (status %d) ----\n%s", argv[1], argv[2], status, f->out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static size_t count(const char *s, const char *what)
{
	size_t c = 0;

	for (const char *p = strstr(s, what); p; p = strstr(p + 1, what))
		c++;
	return c;
}

static void test_tiny_binaries(void **state)
{
	struct fixture *f = *state;
	const struct netrun_as *a = netrun_as_find(f->net, IA_111);
	const struct netrun_as *b = netrun_as_find(f->net, IA_112);
	char daemon[NETRUN_ADDR_STRLEN], dst[64];
	size_t lines;

	snprintf(daemon, sizeof(daemon), "%s", a->daemon);
	snprintf(dst, sizeof(dst), "1-ff00:0:112,%s", b->host_ip);
	assert_int_equal(run_seg(f, "paths", "1-ff00:0:112", "--sciond", daemon, "--probe", NULL),
			 0);
	lines = count(f->out, "] Hops: [1-ff00:0:111 ");
	assert_true(lines > 0);
	assert_int_equal(count(f->out, " Status: alive RTT: "), lines);
	assert_non_null(strstr(f->out, "[ 0] Hops: [1-ff00:0:111 41>1 1-ff00:0:110 2>1 "
				       "1-ff00:0:112] MTU: 1280 NextHop: "));
	assert_int_equal(
	    run_seg(f, "paths", "1-ff00:0:112", "--sciond", daemon, "--probe", "--json", NULL), 0);
	assert_int_equal(count(f->out, "\"status\": \"alive\""), lines);

	assert_int_equal(run_seg(f, "ping", dst, "--sciond", daemon, "-c", "3", "-i", "50ms", NULL),
			 0);
	assert_int_equal(count(f->out, " bytes from 1-ff00:0:112,"), 3);
	assert_non_null(strstr(f->out, "3 packets transmitted, 3 received, 0% packet loss"));

	/* A downed link: ping reports who says so, and fails. */
	set_link(f, IA_110, 2, false);
	assert_int_equal(run_seg(f, "ping", dst, "--sciond", daemon, "-c", "2", "-i", "50ms",
				 "--timeout", "500ms", NULL),
			 1);
	assert_int_equal(count(f->out, ": external interface down from 1-ff00:0:110 ifid 2"), 2);
	assert_non_null(strstr(f->out, "2 packets transmitted, 0 received, 2 errors"));
	assert_int_equal(run_seg(f, "paths", "1-ff00:0:112", "--sciond", daemon, "--probe", NULL),
			 0);
	assert_non_null(strstr(f->out, "Status: scmp (external interface down from 1-ff00:0:110 "
				       "ifid 2)"));
	set_link(f, IA_110, 2, true);
}

int main(void)
{
	const struct CMUnitTest tiny[] = {
	    cmocka_unit_test(test_tiny_every_path),
	    cmocka_unit_test(test_tiny_bad_mac),
	    cmocka_unit_test(test_tiny_link_down),
	    cmocka_unit_test(test_tiny_binaries),
	};
	const struct CMUnitTest tiny6[] = {
	    cmocka_unit_test(test_tiny6_every_path),
	};
	const struct CMUnitTest multipath[] = {
	    cmocka_unit_test(test_multipath_every_path),
	    cmocka_unit_test(test_multipath_hidden),
	};
	int failed = 0;

	/* A child that exits early must not kill the test with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	failed += cmocka_run_group_tests_name("tiny", tiny, setup_tiny, teardown);
	failed += cmocka_run_group_tests_name("tiny6", tiny6, setup_tiny6, teardown);
	failed += cmocka_run_group_tests_name("multipath", multipath, setup_multipath, teardown);
	return failed;
}
