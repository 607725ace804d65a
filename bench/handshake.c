/* SPDX-License-Identifier: MIT */
/*
 * Handshake and per-peer memory of one gateway with N remotes (bench/handshake.sh).
 *
 *   gateway 1-ff00:0:110,127.0.0.1 ──Init──►  simulated peers 1-ff00:0:110,127.0.x.y (N)
 *        (in-process daemon: paths, DRKey)  ◄──Response──  one process, handshake.h directly
 *
 * The simulated peers are the responders, on a thread of their own (as other hosts would
 * be, so that their answers do not wait for the gateway's thread): each has its own UDP
 * socket on its own loopback address, derives its DRKey key locally (the fast side), answers every
 * Init with handshake_consume_init, and ignores everything else, except peer 0, which installs the
 * session and opens the gateway's transport packets to see the first data packet arrive.
 * The gateway's adapter sends one data packet to every peer when it comes up.
 *
 * Measured: time from gateway_run() to the first data packet delivered to peer 0 and to all
 * N peers up; heap (mallinfo2: in use, all arenas, mmapped chunks included) and RSS of the
 * process before the gateway exists, with N idle configured peers, and with N peers up and
 * idle; the daemon calls the gateway made.
 *
 *   handshake N       one line of key=value results
 */
#include <arpa/inet.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <seg/scion_packet.h>

#include "base/log.h"
#include "base/time.h"
#include "bench_gw.h"
#include "gateway/handshake.h"
#include "gateway/session.h"
#include "gateway/status.h"
#include "gateway/transport.h"

enum { MAX_PEERS = 4000, UP_TIMEOUT_MS = 60000, PKT_MAX = 2048 };

struct sim_peer {
	int fd;
	struct scion_addr addr;
	struct handshake hs;
	struct handshake_keys keys;
	struct session *s; /* peer 0 only */
	uint64_t inits;
};

struct bench {
	struct bench_daemon d;
	struct evloop *loop;	 /* the gateway's control thread (main) */
	struct evloop *sim_loop; /* the simulated peers' own thread, as other hosts would be */
	pthread_t sim_thread;
	struct gateway *gw;
	struct scion_addr gw_addr;
	struct sockaddr_in gw_sa;
	uint16_t gw_port, sim_port;
	size_t n;
	struct sim_peer *peers;
	size_t ups;
	uint64_t t_start, t_all_up;
	uint64_t t_first_data; /* written by the simulator thread (atomic) */
	uint32_t next_index;   /* simulator thread */
};

static struct bench B;

/* ---- the simulated peers ------------------------------------------------------------------ */

static void sim_send(struct sim_peer *sp, const uint8_t *msg, size_t len)
{
	struct scion_header h = {.version = 0, .path_type = SCION_PATH_TYPE_EMPTY, .flow_id = 1};
	uint8_t buf[PKT_MAX];
	size_t n;

	h.src = sp->addr;
	h.dst = B.gw_addr;
	if (scion_udp_packet_build(&h, B.sim_port, B.gw_port, msg, len, buf, sizeof(buf), &n) != 0)
		bench_die("building a Response failed");
	if (sendto(sp->fd, buf, n, 0, (struct sockaddr *)&B.gw_sa, sizeof(B.gw_sa)) < 0)
		bench_die("sendto the gateway failed");
}

static void sim_transport(struct sim_peer *sp, uint8_t *msg, size_t len)
{
	struct transport_header th;
	size_t n;

	if (!sp->s || transport_header_parse(msg, len, &th) != 0 ||
	    session_open(sp->s, seg_time_now(), &th, msg, len, &n) != 0)
		return;
	if (msg[SEG_TRANSPORT_HEADER_LEN] == SEG_INNER_DATA &&
	    !__atomic_load_n(&B.t_first_data, __ATOMIC_RELAXED))
		__atomic_store_n(&B.t_first_data, seg_time_now(), __ATOMIC_RELAXED);
}

static void sim_init(struct sim_peer *sp, size_t i, const uint8_t *msg, size_t len)
{
	uint8_t resp[SEG_RESPONSE_LEN];
	struct handshake_result res;

	sp->inits++;
	if (handshake_consume_init(&sp->hs, &sp->keys, msg, len, ++B.next_index, seg_time_now(),
				   resp, &res) != 0)
		bench_die("peer %zu: the gateway's Init did not verify", i);
	sim_send(sp, resp, sizeof(resp));
	if (i == 0) {
		session_free(sp->s);
		sp->s = session_new(&res, seg_time_now());
	}
	handshake_result_clear(&res);
}

static void sim_ready(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct sim_peer *sp = arg;
	uint8_t buf[PKT_MAX];
	ssize_t got;

	(void)loop;
	(void)events;
	while ((got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct scion_packet pkt;
		struct scion_udp udp;
		uint8_t *msg;

		if (scion_packet_decode(buf, (size_t)got, &pkt) != 0 ||
		    scion_udp_decode(&pkt.hdr, pkt.l4, pkt.l4_len, true, &udp) != 0 ||
		    udp.payload_len < 1)
			continue;
		msg = buf + (udp.payload - buf);
		if (msg[0] == SEG_MSG_INIT)
			sim_init(sp, (size_t)(sp - B.peers), msg, udp.payload_len);
		else if (msg[0] == SEG_MSG_TRANSPORT)
			sim_transport(sp, msg, udp.payload_len);
	}
}

static void sim_setup(size_t i)
{
	struct sim_peer *sp = &B.peers[i];
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(B.sim_port)};
	uint8_t ip[4] = {127, 0, (uint8_t)(1 + i / 250), (uint8_t)(1 + i % 250)};
	struct handshake_config cfg = {.cipher = SEG_CIPHER_AES256_GCM};

	memcpy(&sa.sin_addr, ip, 4);
	sp->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sp->fd < 0 || bind(sp->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		bench_die("peer %zu: socket/bind on 127.0.%u.%u: %m", i, ip[2], ip[3]);
	sp->addr.ia = BENCH_IA;
	scion_host_from_ipv4(&sp->addr.host, ip);
	cfg.local = sp->addr;
	cfg.remote = B.gw_addr;
	handshake_init(&sp->hs, &cfg);
	sp->keys.epoch = B.d.fix.epoch.begin;
	bench_drkey_host_host(&B.d, &sp->addr, &B.gw_addr, sp->keys.key);
	if (evloop_fd_add(B.sim_loop, sp->fd, EVLOOP_READ, sim_ready, sp) != 0)
		bench_die("evloop_fd_add");
}

static void *sim_main(void *arg)
{
	(void)arg;
	if (evloop_run(B.sim_loop) != 0)
		bench_die("simulator loop failed");
	return NULL;
}

static void sim_teardown(void)
{
	evloop_stop(B.sim_loop);
	pthread_join(B.sim_thread, NULL);
	for (size_t i = 0; i < B.n; i++) {
		evloop_fd_del(B.sim_loop, B.peers[i].fd);
		close(B.peers[i].fd);
		handshake_clear(&B.peers[i].hs);
		session_free(B.peers[i].s);
	}
	free(B.peers);
	evloop_free(B.sim_loop);
}

/* ---- the gateway's adapter ---------------------------------------------------------------- */

static void on_up(void *ctx, struct seg_peer *peer)
{
	static const uint8_t hello[64] = {0x45};
	struct seg_buf b = {.data = hello, .len = sizeof(hello)};
	int sent = seg_peer_send_data(peer, &b, 1);

	(void)ctx;
	if (sent != 1)
		bench_die("first data not sent: %d", sent);
	if (++B.ups == B.n)
		B.t_all_up = seg_time_now();
}

static const struct seg_adapter_ops ops = {.name = "bench", .peer_up = on_up};

static bool all_up_and_data(void *arg)
{
	(void)arg;
	return B.ups == B.n && __atomic_load_n(&B.t_first_data, __ATOMIC_RELAXED);
}

/* ---- memory ------------------------------------------------------------------------------- */

struct mem {
	size_t heap, rss;
};

static struct mem mem_now(void)
{
	struct mallinfo2 mi = mallinfo2();
	struct mem m = {.heap = mi.uordblks + mi.hblkhd};
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %zu kB", &m.rss) == 1)
			m.rss *= 1024;
	if (f)
		fclose(f);
	return m;
}

static double per_peer_kib(size_t after, size_t before)
{
	return ((double)after - (double)before) / (double)B.n / 1024.0;
}

/* Gateway-wide drop counters on stderr: a slow run is explained by what was lost. */
static void drops_print(void)
{
	struct gw_status st = {0};
	uint64_t retransmits = 0;

	for (size_t i = 0; i < B.n; i++)
		retransmits += B.peers[i].inits > 1 ? B.peers[i].inits - 1 : 0;
	if (retransmits)
		fprintf(stderr, "handshake: %llu Inits retransmitted\n",
			(unsigned long long)retransmits);
	if (gateway_status_collect(B.gw, &st) != 0)
		return;
	for (size_t i = 0; i < st.n_drops; i++)
		fprintf(stderr, "handshake: gateway dropped %llu: %s\n",
			(unsigned long long)st.drops[i].count, st.drops[i].reason);
	gw_status_free(&st);
}

int main(int argc, char **argv)
{
	struct gateway_opts opts = {.daemon_timeout_ms = 5000};
	struct mem m0, m1, m2;
	char *remotes;
	size_t len = 0;

	if (argc != 2 || (B.n = strtoul(argv[1], NULL, 10)) == 0 || B.n > MAX_PEERS)
		bench_die("usage: handshake N (1..%d)", MAX_PEERS);
	seg_log_set_level(SEG_LOG_ERROR);
	B.gw_port = (uint16_t)(42000 + (getpid() % 3000) * 2);
	B.sim_port = (uint16_t)(B.gw_port + 1);
	bench_daemon_start(&B.d, 1500);
	B.loop = evloop_new();
	B.sim_loop = evloop_new();
	B.peers = calloc(B.n, sizeof(*B.peers));
	remotes = malloc(B.n * 64 + 1);
	if (!B.loop || !B.sim_loop || !B.peers || !remotes ||
	    scion_addr_parse(BENCH_IA_STR ",127.0.0.1", &B.gw_addr) != 0)
		bench_die("setup");
	B.gw_sa.sin_family = AF_INET;
	B.gw_sa.sin_addr.s_addr = htonl(0x7f000001);
	B.gw_sa.sin_port = htons(B.gw_port);
	for (size_t i = 0; i < B.n; i++) {
		sim_setup(i);
		len += (size_t)sprintf(remotes + len, "  - address: %s,127.0.%zu.%zu:%u\n",
				       BENCH_IA_STR, 1 + i / 250, 1 + i % 250, B.sim_port);
	}
	if (pthread_create(&B.sim_thread, NULL, sim_main, NULL) != 0)
		bench_die("simulator thread");
	opts.loop = B.loop;

	m0 = mem_now();
	B.gw = bench_gateway_new("127.0.0.1", B.gw_port, &B.d, "aes-256-gcm", remotes, &opts);
	m1 = mem_now();
	free(remotes);
	if (seg_gateway_adapter_register(B.gw, &ops, NULL) != 0)
		bench_die("adapter");
	B.t_start = seg_time_now();
	if (gateway_run(B.gw) != 0)
		bench_die("gateway_run");
	if (!bench_run_until(B.loop, all_up_and_data, NULL, UP_TIMEOUT_MS))
		bench_die("only %zu of %zu peers up after %d ms", B.ups, B.n, UP_TIMEOUT_MS);
	m2 = mem_now();

	printf("peers=%zu first_data_ms=%.2f all_up_ms=%.1f heap_idle_kib_per_peer=%.1f "
	       "heap_up_kib_per_peer=%.1f rss_up_kib_per_peer=%.1f heap_idle_total_mib=%.1f "
	       "heap_up_total_mib=%.1f "
	       "daemon_drkey_calls=%lu daemon_paths_calls=%lu last_daemon_call_ms=%.1f\n",
	       B.n, (double)(B.t_first_data - B.t_start) / 1e6,
	       (double)(B.t_all_up - B.t_start) / 1e6, per_peer_kib(m1.heap, m0.heap),
	       per_peer_kib(m2.heap, m0.heap), per_peer_kib(m2.rss, m0.rss),
	       ((double)m1.heap - (double)m0.heap) / 1048576.0,
	       ((double)m2.heap - (double)m0.heap) / 1048576.0, B.d.fix.drkey_calls,
	       B.d.fix.paths_calls, (double)(B.d.fix.last_call_ns - B.t_start) / 1e6);
	drops_print();
	gateway_free(B.gw);
	sim_teardown();
	evloop_free(B.loop);
	bench_daemon_stop(&B.d);
	return 0;
}
