/* SPDX-License-Identifier: MIT */
/*
 * Real forwarding through seg-testnet's border-router runtime (router_io.c): four router
 * threads (router_rt_start) with UDP sockets on 127.253.k.1, on the 3-link path
 * 113 -> 111 -> 110 -> 120 that the combinator builds (up segment, crossover into a core
 * segment at 110). A sender thread pushes SCION/UDP packets with sendmmsg into the internal
 * socket of 113's router; 120's router delivers them to a sink socket that counts them with
 * recvmmsg. Bounded: at most BENCH_MAX_PKTS packets and BENCH_SECONDS per run.
 *
 * It prints, per UDP payload size and mode:
 *   datagrams/1        one datagram per system call everywhere, no offloads
 *   datagrams/32       recvmmsg/sendmmsg of up to 32 datagrams, no offloads
 *   datagrams/32+gso   the sender sends single datagrams; the routers use UDP GRO in and
 *                      UDP GSO out, so only the first router reads datagram by datagram
 *   gso/32+gso         the sender sends UDP GSO runs as seg's gateway does; GRO/GSO at
 *                      every router and GRO at the sink
 * and the columns
 *   sent, delivered    packets the sender sent and the sink received
 *   loss               1 - delivered / sent (socket buffers overflowing: the sender is not
 *                      paced, so the slowest stage sets the rate)
 *   e2e kpps           delivered per second of the run (4 routers, sender and sink share the
 *                      machine's cores)
 *   kpps/core          packets each router processed per second of its own thread's CPU time
 *                      (user + system, so the syscalls and the loopback delivery into the
 *                      next socket count): the minimum and the mean over the four routers
 *
 *   router_fwd [SECONDS [MODE]]      (MODE: one of the four above; default all)
 *
 * With ROUTER_FWD_VERBOSE set in the environment it also prints each router's count and
 * CPU time to stderr.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <seg/scion_packet.h>

#include "base/udp_batch.h"

#include "beacon.h"
#include "combinator.h"
#include "router_io.h"
#include "topo.h"

enum {
	NUM_AS = 4,
	MAX_PAYLOAD = 1400,
	/* Third octet base: 127.253.k.1, away from seg-testnet's usual networks. */
	BENCH_NET = 253,
	INTERNAL_PORT = 30042,
	IFACE_PORT_BASE = 40000,
	SINK_PORT = 31000,
	SRC_PORT = 31001,
	BENCH_MAX_PKTS = 20 * 1000 * 1000,
	BENCH_SECONDS = 2,
	SINK_BATCH = 64,
	/* The sink stops after this long without a packet once the sender is done. */
	SINK_QUIET_MS = 300,
};

static const char topo_text[] =
    "ASes:\n"
    "  \"1-ff00:0:110\": {core: true}\n"
    "  \"1-ff00:0:120\": {core: true}\n"
    "  \"1-ff00:0:111\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:113\": {cert_issuer: 1-ff00:0:110}\n"
    "links:\n"
    "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:120#1\", linkAtoB: CORE}\n"
    "  - {a: \"1-ff00:0:110#2\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:111#3\", b: \"1-ff00:0:113#1\", linkAtoB: CHILD}\n";

struct mode {
	const char *name;
	unsigned batch;	 /* datagrams per recvmmsg/sendmmsg in the routers and the sender */
	bool offloads;	 /* the routers use UDP GRO and GSO, the sink GRO */
	bool sender_gso; /* the sender sends runs of packets with UDP_SEGMENT */
};

static const struct mode modes[] = {
    {"datagrams/1", 1, false, false},
    {"datagrams/32", ROUTER_RT_BATCH, false, false},
    {"datagrams/32+gso", ROUTER_RT_BATCH, true, false},
    {"gso/32+gso", ROUTER_RT_BATCH, true, true},
};

static const struct mode *mode_find(const char *name)
{
	for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++)
		if (strcmp(modes[k].name, name) == 0)
			return &modes[k];
	return NULL;
}

struct bench {
	struct topo *t;
	struct router_rt *rt[NUM_AS];
	int src, dst;
	uint8_t pkt[ROUTER_MAX_PKT_LEN];
	size_t len;
	const struct mode *mode;
	double seconds;
	/* Sender and sink. */
	int send_fd, sink_fd;
	uint64_t sent, received;
	atomic_bool sender_done;
};

static void die(const char *what)
{
	fprintf(stderr, "router_fwd: %s\n", what);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void addr4(struct sockaddr_storage *ss, unsigned as_idx, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	in->sin_addr.s_addr = htonl(127u << 24 | BENCH_NET << 16 | (as_idx + 1) << 8 | 1);
}

static void as_key(scion_ia_t ia, uint8_t key[16])
{
	for (int b = 0; b < 16; b++)
		key[b] = (uint8_t)(ia >> (8 * (b % 8)) ^ (uint8_t)(b * 29));
}

static struct router_rt *router_start(const struct topo *t, unsigned as, const struct mode *m)
{
	struct router_iface_config ifs[4];
	struct router_config cfg = {.ia = t->ases[as].ia,
				    .mtu = t->ases[as].mtu,
				    .port_min = 31000,
				    .port_max = 32767,
				    .batch = m->batch,
				    .no_offloads = !m->offloads};
	uint8_t host[4] = {127, BENCH_NET, (uint8_t)(as + 1), 1};
	struct router_rt *rt;
	char err[256];
	size_t n = 0;

	for (size_t i = 0; i < t->num_links && n < 4; i++) {
		const struct topo_link *l = &t->links[i];
		bool a = l->a.as == as;
		const struct topo_endpoint *loc = a ? &l->a : &l->b, *rem = a ? &l->b : &l->a;

		if (!a && l->b.as != as)
			continue;
		memset(&ifs[n], 0, sizeof(ifs[n]));
		ifs[n].ifid = loc->ifid;
		ifs[n].type = l->type == TOPO_LINK_CORE ? ROUTER_LINK_CORE
			      : a			? ROUTER_LINK_CHILD
							: ROUTER_LINK_PARENT;
		ifs[n].remote_ia = t->ases[rem->as].ia;
		ifs[n].remote_ifid = rem->ifid;
		ifs[n].mtu = l->mtu;
		addr4(&ifs[n].local, as, (uint16_t)(IFACE_PORT_BASE + loc->ifid));
		addr4(&ifs[n].remote, rem->as, (uint16_t)(IFACE_PORT_BASE + rem->ifid));
		n++;
	}
	as_key(cfg.ia, cfg.forwarding_key);
	addr4(&cfg.internal, as, INTERNAL_PORT);
	scion_host_from_ipv4(&cfg.host_ip, host);
	cfg.ifaces = ifs;
	cfg.n_ifaces = n;
	rt = router_rt_start(&cfg, err, sizeof(err));
	if (!rt)
		die(err);
	return rt;
}

static int udp_socket(unsigned as_idx, uint16_t port)
{
	struct sockaddr_storage ss;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), buf = 4 << 20;

	addr4(&ss, as_idx, port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)))
		die("cannot bind the sender or sink socket on 127.253.k.1 (in use?)");
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	return fd;
}

/* Topology, keys, segments, the 3-link path and the packet (every run reuses them). */
static void setup(struct bench *b, size_t payload)
{
	static const uint8_t data[MAX_PAYLOAD];
	struct topo_error terr;
	struct beacon_key keys[NUM_AS];
	struct segment_set set = {0};
	struct combinator_result res = {0};
	struct scion_header h = {.path_type = SCION_PATH_TYPE_SCION};
	uint8_t key[16];

	if (topo_parse("bench", (const uint8_t *)topo_text, sizeof(topo_text) - 1, &b->t, &terr))
		die(terr.msg);
	for (unsigned i = 0; i < NUM_AS; i++) {
		as_key(b->t->ases[i].ia, key);
		keys[i] =
		    (struct beacon_key){.ia = b->t->ases[i].ia, .key = scion_mac_key_new(key)};
	}
	/* Hop fields are checked against the real clock: beacon now. */
	if (beacon_run(b->t, keys, NUM_AS, NULL, (uint32_t)time(NULL), &set))
		die("beacon_run");
	b->src = topo_as_index(b->t, 0x0001ff0000000113ull);
	b->dst = topo_as_index(b->t, 0x0001ff0000000120ull);
	if (combinator_paths(&set, b->t->ases[b->src].ia, b->t->ases[b->dst].ia, false, &res) ||
	    res.num == 0 || res.paths[0].hops != 3)
		die("no 3-link path");
	h.src.ia = b->t->ases[b->src].ia;
	h.dst.ia = b->t->ases[b->dst].ia;
	scion_host_from_ipv4(&h.src.host,
			     (const uint8_t[4]){127, BENCH_NET, (uint8_t)(b->src + 1), 1});
	scion_host_from_ipv4(&h.dst.host,
			     (const uint8_t[4]){127, BENCH_NET, (uint8_t)(b->dst + 1), 1});
	h.path = res.paths[0].raw;
	h.path_len = res.paths[0].raw_len;
	if (scion_udp_packet_build(&h, SRC_PORT, SINK_PORT, data, payload, b->pkt, sizeof(b->pkt),
				   &b->len))
		die("packet build");
	combinator_result_free(&res);
	segment_set_free(&set);
	for (unsigned i = 0; i < NUM_AS; i++)
		scion_mac_key_free(keys[i].key);
}

/* One system call: b->mode->batch datagrams, or one UDP GSO run of as many packets as fit. */
static int send_once(struct bench *b, struct mmsghdr *msg, unsigned *pkts)
{
	if (!b->mode->sender_gso) {
		*pkts = 1;
		return sendmmsg(b->send_fd, msg, b->mode->batch, 0);
	}
	*pkts = (unsigned)msg[0].msg_hdr.msg_iovlen;
	return sendmsg(b->send_fd, &msg[0].msg_hdr, 0) < 0 ? -1 : 1;
}

static void *sender_main(void *arg)
{
	struct bench *b = arg;
	struct mmsghdr msg[ROUTER_RT_BATCH];
	struct iovec iov[UDP_GSO_SEGS_MAX];
	struct sockaddr_storage to;
	double end = now_s() + b->seconds;
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(uint16_t))];
	} ctl;
	size_t run = UDP_GSO_BYTES_MAX / b->len;

	addr4(&to, (unsigned)b->src, INTERNAL_PORT);
	run = run > UDP_GSO_SEGS_MAX ? UDP_GSO_SEGS_MAX : run;
	/* Every datagram is the same packet: the routers work on their own copies. */
	for (size_t i = 0; i < UDP_GSO_SEGS_MAX; i++)
		iov[i] = (struct iovec){.iov_base = b->pkt, .iov_len = b->len};
	memset(msg, 0, sizeof(msg));
	for (unsigned i = 0; i < ROUTER_RT_BATCH; i++) {
		msg[i].msg_hdr.msg_iov = &iov[0];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &to;
		msg[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
	}
	if (b->mode->sender_gso) {
		struct cmsghdr *c;
		uint16_t seg = (uint16_t)b->len;

		msg[0].msg_hdr.msg_iovlen = run;
		msg[0].msg_hdr.msg_control = ctl.buf;
		msg[0].msg_hdr.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg[0].msg_hdr);
		c->cmsg_level = IPPROTO_UDP;
		c->cmsg_type = 103; /* UDP_SEGMENT, linux/udp.h */
		c->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	}
	for (unsigned calls = 1; b->sent < BENCH_MAX_PKTS; calls++) {
		unsigned per;
		int n = send_once(b, msg, &per);

		if (n < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
			die("send");
		if (n > 0)
			b->sent += (unsigned)n * per;
		/* The clock every 64 calls, not every call. */
		if (calls % 64 == 0 && now_s() >= end)
			break;
	}
	atomic_store(&b->sender_done, true);
	return NULL;
}

static void *sink_main(void *arg)
{
	struct bench *b = arg;
	static uint8_t bufs[SINK_BATCH][UDP_RX_BUF_LEN];
	struct mmsghdr msg[SINK_BATCH];
	struct iovec iov[SINK_BATCH];
	union {
		struct cmsghdr align;
		uint8_t buf[UDP_GRO_CMSG_SPACE];
	} ctl[SINK_BATCH];
	double quiet_since = 0;

	for (;;) {
		struct pollfd p = {.fd = b->sink_fd, .events = POLLIN};
		int n;

		for (unsigned i = 0; i < SINK_BATCH; i++) {
			iov[i] = (struct iovec){.iov_base = bufs[i], .iov_len = sizeof(bufs[i])};
			memset(&msg[i], 0, sizeof(msg[i]));
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
			msg[i].msg_hdr.msg_control = ctl[i].buf;
			msg[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
		}
		n = recvmmsg(b->sink_fd, msg, SINK_BATCH, MSG_DONTWAIT, NULL);
		if (n > 0) {
			for (int i = 0; i < n; i++) {
				size_t seg = udp_gro_segment_size(&msg[i].msg_hdr);
				size_t len = msg[i].msg_len;

				b->received += seg ? (len + seg - 1) / seg : 1;
			}
			quiet_since = 0;
			continue;
		}
		if (atomic_load(&b->sender_done)) {
			if (quiet_since == 0)
				quiet_since = now_s();
			else if (now_s() - quiet_since > SINK_QUIET_MS / 1000.0)
				break;
		}
		(void)poll(&p, 1, 50);
	}
	return NULL;
}

struct result {
	uint64_t sent, received;
	double seconds;
	double core_min_kpps, core_mean_kpps;
	uint64_t router_drops;
};

static void run(struct bench *b, const struct mode *m, struct result *res)
{
	uint64_t cpu0[NUM_AS], processed0[NUM_AS];
	pthread_t snd, snk;
	struct router_stats st;
	double t0, sum = 0, min = -1;

	b->mode = m;
	b->sent = b->received = 0;
	atomic_store(&b->sender_done, false);
	for (unsigned i = 0; i < NUM_AS; i++)
		b->rt[i] = router_start(b->t, i, m);
	b->sink_fd = udp_socket((unsigned)b->dst, SINK_PORT);
	if (m->offloads) {
		bool gso, gro;

		udp_offloads_enable(b->sink_fd, &gso, &gro);
	}
	b->send_fd = udp_socket((unsigned)b->src, SRC_PORT);
	for (unsigned i = 0; i < NUM_AS; i++) {
		cpu0[i] = router_rt_cpu_ns(b->rt[i]);
		router_rt_stats(b->rt[i], &st);
		processed0[i] = st.processed;
	}
	t0 = now_s();
	if (pthread_create(&snk, NULL, sink_main, b))
		die("pthread_create");
	if (pthread_create(&snd, NULL, sender_main, b))
		die("pthread_create");
	pthread_join(snd, NULL);
	res->seconds = now_s() - t0;
	pthread_join(snk, NULL);
	res->sent = b->sent;
	res->received = b->received;
	res->router_drops = 0;
	/* The routers publish their counters after each loop; give the last one time. */
	usleep(20000);
	for (unsigned i = 0; i < NUM_AS; i++) {
		double cpu_s = (double)(router_rt_cpu_ns(b->rt[i]) - cpu0[i]) * 1e-9, kpps;

		router_rt_stats(b->rt[i], &st);
		for (int r = 0; r < ROUTER_DROP_MAX; r++)
			res->router_drops += st.drops[r];
		kpps = cpu_s > 0 ? (double)(st.processed - processed0[i]) / cpu_s / 1e3 : 0;
		if (getenv("ROUTER_FWD_VERBOSE")) {
			char ia[32];

			if (scion_ia_format(b->t->ases[i].ia, ia, sizeof(ia)) < 0)
				snprintf(ia, sizeof(ia), "#%u", i);
			fprintf(stderr, "  router %s: processed %llu cpu %.3f s: %.0f kpps/core\n",
				ia, (unsigned long long)(st.processed - processed0[i]), cpu_s,
				kpps);
		}
		sum += kpps;
		min = min < 0 || kpps < min ? kpps : min;
		router_rt_stop(b->rt[i]);
	}
	res->core_min_kpps = min;
	res->core_mean_kpps = sum / NUM_AS;
	close(b->send_fd);
	close(b->sink_fd);
}

int main(int argc, char **argv)
{
	static struct bench b;
	static const size_t sizes[] = {64, 512, 1400};

	const char *only = argc > 2 ? argv[2] : NULL;

	b.seconds = argc > 1 ? atof(argv[1]) : BENCH_SECONDS;
	if (b.seconds <= 0 || b.seconds > 60)
		die("SECONDS must be in (0, 60]");
	if (only && !mode_find(only))
		die("MODE must be datagrams/1, datagrams/32, datagrams/32+gso or gso/32+gso");
	printf("%-8s %-6s %-17s %-10s %-10s %-7s %-9s %-16s %-8s\n", "payload", "bytes", "mode",
	       "sent", "delivered", "loss", "e2e_kpps", "kpps/core min/avg", "drops");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		setup(&b, sizes[i]);
		for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
			struct result r;

			if (only && mode_find(only) != &modes[k])
				continue;
			run(&b, &modes[k], &r);
			printf("%-8zu %-6zu %-17s %-10llu %-10llu %5.1f%%  %-9.0f %6.0f / %-7.0f "
			       "%-8llu\n",
			       sizes[i], b.len, modes[k].name, (unsigned long long)r.sent,
			       (unsigned long long)r.received,
			       r.sent ? 100.0 * (double)(r.sent - r.received) / (double)r.sent
				      : 0.0,
			       (double)r.received / r.seconds / 1e3, r.core_min_kpps,
			       r.core_mean_kpps, (unsigned long long)r.router_drops);
			fflush(stdout);
		}
		topo_free(b.t);
	}
	return 0;
}
