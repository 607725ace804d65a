/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the gateway's whole receive pipeline (rx_mmsg_input: rx.c and everything behind it:
 * SCION/UDP and SCMP decode, handshake, transport, inner types, control channel, fragments, probes,
 * hidden path lists). Per input: a fresh gateway (bound to 127.0.0.1:30998, never run, no daemon
 * worker), one peer (127.0.0.2, with a rendezvous AS) holding a session whose keys the harness
 * knows, then a sequence of records:
 *
 *   u8 kind, u16 len, len bytes
 *     kind % 3 == 0   the bytes are a datagram, as from the peer's underlay address
 *     kind % 3 == 1   the bytes are a plaintext (inner type first) that the harness seals on
 *                     the peer's side of the session and wraps in SCION/UDP: the fuzzer
 *                     reaches what only authenticated packets reach
 *     kind % 3 == 2   the loop runs its due timers once (probes, control channel, expiry)
 *
 * Nothing may crash, leak or grow without bound (ASan/LSan and libFuzzer's -rss_limit).
 * Replies go only to loopback (127.0.0.2 and 127.0.0.1 addresses; nothing listens there).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/evloop.h"
#include "base/log.h"
#include "base/time.h"
#include "config/config.h"
#include "gateway/datapath.h"
#include "gateway/gateway_internal.h"
#include "gateway/protocol.h"
#include "gateway/session.h"

enum {
	RECORDS_MAX = 64,
	PEER_PORT = 30999,
	LOCAL_INDEX = 0x11223344,
	REMOTE_INDEX = 0x55667788,
};

static const char CONF[] = "address: 1-ff00:0:110,127.0.0.1:30998\n"
			   "daemonAddr: 127.0.0.1:1\n"
			   "remotes:\n"
			   "  - address: 1-ff00:0:110,127.0.0.2:30999\n"
			   "    rendezvousAddr: 1-ff00:0:121\n";

static struct seg_config *CFG;
static struct evloop *LOOP;
static uint8_t PKT[UNDERLAY_BUF_LEN];

static void counting_ingress(void *ctx, struct seg_peer *p, const struct seg_buf *b, size_t n)
{
	(void)ctx;
	(void)p;
	/* Touch every byte: ASan checks the adapter gets only valid memory. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < b[i].len; j++)
			__asm__ volatile("" : : "r"(b[i].data[j]));
}

static const struct seg_adapter_ops ADAPTER = {.name = "fuzz", .ingress = counting_ingress};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[SEG_CONFIG_ERRLEN];

	(void)argc;
	(void)argv;
	seg_log_set_level(SEG_LOG_CRIT);
	if (seg_config_parse("fuzz.yaml", (const uint8_t *)CONF, strlen(CONF), &CFG, err,
			     sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		abort();
	}
	LOOP = evloop_new();
	if (!LOOP)
		abort();
	return 0;
}

static void result_fill(struct handshake_result *r, bool ours)
{
	memset(r, 0, sizeof(*r));
	r->local_index = ours ? LOCAL_INDEX : REMOTE_INDEX;
	r->remote_index = ours ? REMOTE_INDEX : LOCAL_INDEX;
	r->initiator = ours;
	r->cipher = SEG_CIPHER_AES256_GCM;
	memset(ours ? r->send_key : r->recv_key, 0xa1, sizeof(r->send_key));
	memset(ours ? r->recv_key : r->send_key, 0xb2, sizeof(r->recv_key));
}

/* Our side of the session: current, as if our Init had been answered. */
static void session_install(struct seg_peer *p)
{
	struct handshake_result res;
	struct session_evicted ev = {0};
	struct session *s;

	result_fill(&res, true);
	s = session_new(&res, seg_time_now());
	if (!s || gw_index_add(p->gw, LOCAL_INDEX, p) != 0)
		abort();
	pthread_mutex_lock(&p->lock);
	session_slots_install(&p->slots, s, &ev);
	pthread_mutex_unlock(&p->lock);
	peer_sessions_release(p, &ev);
	peer_current_changed(p);
}

static void addr_of(const char *ip, uint16_t port, struct scion_udp_addr *a,
		    struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	uint8_t b[4];

	memset(a, 0, sizeof(*a));
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, b) != 1)
		abort();
	a->addr.ia = 0x0001ff0000000110ull;
	scion_host_from_ipv4(&a->addr.host, b);
	a->port = port;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	memcpy(&sin->sin_addr, b, 4);
}

/* Seals plain on the peer's side and wraps it in SCION/UDP; the packet's length or 0. */
static size_t seal_wrap(struct session *remote, const struct underlay_route *r,
			const uint8_t *plain, size_t len, size_t *start)
{
	uint8_t *msg = PKT + UNDERLAY_HEADROOM;
	size_t sealed, total;

	if (len > UNDERLAY_MTU_MAX - SEG_TRANSPORT_OVERHEAD)
		return 0;
	memcpy(msg + SEG_TRANSPORT_HEADER_LEN, plain, len);
	if (session_seal(remote, seg_time_now(), msg, UNDERLAY_MTU_MAX, len, &sealed) != 0 ||
	    underlay_encap(r, PKT, sealed, start, &total) != 0)
		return 0;
	return total;
}

static void stop_loop(struct evloop *loop, void *arg)
{
	(void)arg;
	evloop_stop(loop);
}

/* One datagram through the pipeline, as recvmmsg would hand it over. */
static void rx_one(struct gateway *gw, uint8_t *buf, size_t len, struct sockaddr_storage *from)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct mmsghdr m = {.msg_len = (unsigned)len};

	m.msg_hdr.msg_iov = &iov;
	m.msg_hdr.msg_iovlen = 1;
	m.msg_hdr.msg_name = from;
	m.msg_hdr.msg_namelen = sizeof(*from);
	rx_mmsg_input(gw, &m, 1);
}

static void run_due_timers(void)
{
	struct evloop_timer stop;

	evloop_timer_init(&stop, stop_loop, NULL);
	if (evloop_timer_arm_in(LOOP, &stop, 0) == 0 && evloop_run(LOOP) != 0)
		abort();
	evloop_timer_cancel(LOOP, &stop);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gateway_opts opts = {.loop = LOOP};
	struct rcursor c = rcursor_init(data, size);
	struct scion_udp_addr peer_addr, local_addr;
	struct sockaddr_storage peer_ss, local_ss;
	struct handshake_result res;
	struct underlay_route route;
	struct session *remote;
	struct gateway *gw;
	char err[GATEWAY_ERRLEN];

	if (gateway_new(CFG, &opts, &gw, err, sizeof(err)) != 0)
		abort();
	if (seg_gateway_adapter_register(gw, &ADAPTER, NULL) != 0)
		abort();
	session_install(gw->peers[0]);
	result_fill(&res, false);
	remote = session_new(&res, seg_time_now());
	addr_of("127.0.0.2", PEER_PORT, &peer_addr, &peer_ss);
	addr_of("127.0.0.1", gateway_port(gw), &local_addr, &local_ss);
	if (!remote || underlay_route_build(&route, 1, &peer_addr, &local_addr,
					    SCION_PATH_TYPE_EMPTY, NULL, 0, &local_ss, 1400) != 0)
		abort();

	for (int n = 0; n < RECORDS_MAX; n++) {
		const uint8_t *body;
		uint16_t declared;
		uint8_t kind;
		size_t len, start = 0, total;

		if (!rcursor_u8(&c, &kind) || !rcursor_u16be(&c, &declared))
			break;
		len = declared > c.len ? c.len : declared; /* a short last record: what is left */
		if (!rcursor_view(&c, &body, len))
			break;
		switch (kind % 3) {
		case 0:
			total = len < UNDERLAY_MTU_MAX ? len : UNDERLAY_MTU_MAX;
			memcpy(PKT, body, total);
			rx_one(gw, PKT, total, &peer_ss);
			break;
		case 1:
			total = seal_wrap(remote, &route, body, len, &start);
			if (total)
				rx_one(gw, PKT + start, total, &peer_ss);
			break;
		default:
			run_due_timers();
			break;
		}
	}
	session_free(remote);
	gateway_free(gw);
	return 0;
}
