/* SPDX-License-Identifier: MIT */
/*
 * Gateways end to end in one process, on loopback, one event loop:
 *
 *   gateway A 1-ff00:0:110,127.0.0.1 ──┐                 ┌── gateway B 1-ff00:0:110,127.0.0.2
 *        (remote B via the relay)      └── relay (MITM) ─┘        (remotes A and C)
 *   gateway C 1-ff00:0:110,127.0.0.3 (its daemon has the wrong DRKey secret)
 *
 * The in-test daemons (gw_fixture.h: the gRPC server of seg/daemon.h) answer Paths with the
 * empty path (same AS) and DRKey keys derived with drkey.h from a test secret value. The
 * relay sits on A's path to B so the test can replay, tamper with and truncate real packets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <seg/adapter.h>
#include <seg/scion_packet.h>

#include "base/evloop.h"
#include "base/log.h"
#include "base/time.h"
#include "gateway/drops.h"
#include "gateway/gateway.h"
#include "gateway/status.h"
#include "gw_fixture.h"

#define IA GW_FIXTURE_IA_STR

/* ---- the relay on A's path to B ------------------------------------------------------- */

struct relay {
	int fd;
	uint16_t port;
	struct sockaddr_in a, b; /* A's underlay address (learnt), B's */
	bool have_a;
	uint8_t last[9216];
	size_t last_len;
	uint64_t forwarded;
};

/* ---- fixture ---------------------------------------------------------------------------- */

struct env {
	struct evloop *loop;
	struct gw_fixture_daemon good, bad;
	uint16_t port_a, port_b, port_c;
	struct relay relay;
	struct gateway *a, *b, *c;
	struct gw_fixture_rec ra, rb, rc;
	struct gateway_opts opts;
	bool with_c;
};

static size_t WAIT_N;

static void relay_ready(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct relay *r = arg;
	uint8_t buf[9216];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n;

	(void)loop;
	(void)events;
	while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &fl)) >
	       0) {
		bool from_b =
		    from.sin_addr.s_addr == r->b.sin_addr.s_addr && from.sin_port == r->b.sin_port;

		if (from_b) {
			if (r->have_a)
				(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&r->a,
					     sizeof(r->a));
		} else {
			r->a = from;
			r->have_a = true;
			/* Keep the last transport message A sent, for replays. */
			if ((size_t)n <= sizeof(r->last)) {
				memcpy(r->last, buf, (size_t)n);
				r->last_len = (size_t)n;
			}
			(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&r->b, sizeof(r->b));
		}
		r->forwarded++;
		fl = sizeof(from);
	}
}

static void relay_open(struct relay *r, uint16_t port_b)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t l = sizeof(sa);

	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(r->fd >= 0);
	/* On B's IP: for the empty path, A sends to B's host at the configured port. */
	sa.sin_addr.s_addr = htonl(0x7f000002);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&sa, &l), 0);
	r->port = ntohs(sa.sin_port);
	r->b.sin_family = AF_INET;
	r->b.sin_addr.s_addr = htonl(0x7f000002);
	r->b.sin_port = htons(port_b);
}

static struct gateway *start_gw(struct env *e, const char *host, uint16_t port, const char *daemon,
				const char *remotes, struct gw_fixture_rec *ad)
{
	const struct gw_fixture_config c = {
	    .ia = IA, .host = host, .port = port, .daemon = daemon, .remotes = remotes};
	struct gateway *gw = NULL;
	char err[GW_FIXTURE_ERRLEN];

	if (gw_fixture_gateway_start(&c, &e->opts, ad, &gw, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return gw;
}

static struct gateway *start_a(struct env *e)
{
	char remotes[256];

	/* B's SCION address, but the underlay port of the relay. */
	snprintf(remotes, sizeof(remotes), "  - address: %s,127.0.0.2:%u\n    description: B\n", IA,
		 e->relay.port);
	return start_gw(e, "127.0.0.1", e->port_a, e->good.addr, remotes, &e->ra);
}

static void env_setup(struct env *e, bool with_c)
{
	uint16_t base = (uint16_t)(20000 + (getpid() % 2000) * 8);

	memset(e, 0, sizeof(*e));
	e->with_c = with_c;
	e->port_a = base;
	e->port_b = (uint16_t)(base + 1);
	e->port_c = (uint16_t)(base + 2);
	e->loop = evloop_new();
	assert_non_null(e->loop);
	e->opts.loop = e->loop;
	e->opts.daemon_timeout_ms = 2000;
	e->opts.test_rekey_timeout_ns = SEG_MS(200);
	e->opts.test_keepalive_timeout_ns = SEG_SEC(2);
	assert_int_equal(gw_fixture_daemon_start(&e->good, 0x42, 1400), 0);
	assert_int_equal(gw_fixture_daemon_start(&e->bad, 0x66, 1400), 0);
	relay_open(&e->relay, e->port_b);
	assert_int_equal(evloop_fd_add(e->loop, e->relay.fd, EVLOOP_READ, relay_ready, &e->relay),
			 0);
}

static void env_start(struct env *e)
{
	char remotes[512];

	e->a = start_a(e);
	snprintf(remotes, sizeof(remotes),
		 "  - address: %s,127.0.0.1:%u\n    description: A\n"
		 "  - address: %s,127.0.0.3:%u\n    description: C\n",
		 IA, e->port_a, IA, e->port_c);
	e->b = start_gw(e, "127.0.0.2", e->port_b, e->good.addr, remotes, &e->rb);
	if (e->with_c) {
		snprintf(remotes, sizeof(remotes), "  - address: %s,127.0.0.2:%u\n", IA, e->port_b);
		e->c = start_gw(e, "127.0.0.3", e->port_c, e->bad.addr, remotes, &e->rc);
	}
}

static void env_teardown(struct env *e)
{
	gateway_free(e->a);
	gateway_free(e->b);
	gateway_free(e->c);
	evloop_fd_del(e->loop, e->relay.fd);
	close(e->relay.fd);
	gw_fixture_daemon_stop(&e->good);
	gw_fixture_daemon_stop(&e->bad);
	evloop_free(e->loop);
}

/* Runs the loop until cond(e) holds or timeout (each(e) on every check, every 2 ms);
 * returns cond(e). */
static bool run_until(struct env *e, bool (*cond)(void *e), void (*each)(void *e), uint64_t ms)
{
	const struct gw_fixture_wait w = {
	    .cond = cond, .each = each, .arg = e, .tick_ms = 2, .timeout_ms = ms};
	bool held;

	assert_int_equal(gw_fixture_run_until(e->loop, &w, &held), 0);
	return held;
}

static struct seg_peer *peer_of(struct gateway *gw, const char *host)
{
	struct scion_addr a;
	char s[64];

	snprintf(s, sizeof(s), "%s,%s", IA, host);
	assert_int_equal(scion_addr_parse(s, &a), 0);
	return seg_gateway_peer_by_addr(gw, &a);
}

static bool both_up(void *arg)
{
	const struct env *e = arg;

	return e->ra.ups >= 1 && e->rb.ups >= 1;
}

static uint64_t drops_of(struct gateway *gw, const char *reason)
{
	uint64_t n;

	assert_int_equal(gw_fixture_drops(gw, reason, &n), 0);
	return n;
}

static void send_seq(struct seg_peer *p, uint32_t seq, size_t len)
{
	static uint8_t buf[SEG_DATA_MAX];
	struct seg_buf b = {.data = buf, .len = len};

	for (size_t i = 4; i < len; i++)
		buf[i] = (uint8_t)(seq * 7 + i);
	buf[0] = (uint8_t)(seq >> 24);
	buf[1] = (uint8_t)(seq >> 16);
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	assert_int_equal(seg_peer_send_data(p, &b, 1), 1);
}

static bool rb_has_100(void *arg)
{
	const struct env *e = arg;

	return e->rb.n_data >= 100;
}
static bool both_n(void *arg)
{
	const struct env *e = arg;

	return e->ra.n_data >= 100 && e->rb.n_data >= WAIT_N;
}
static bool ra_has_n(void *arg)
{
	const struct env *e = arg;

	return e->ra.n_data >= WAIT_N;
}
static bool paths_2(void *arg)
{
	struct env *e = arg;

	return __atomic_load_n(&e->good.paths_calls, __ATOMIC_RELAXED) >= 2;
}
static bool ctrl_50(void *arg)
{
	const struct env *e = arg;

	return e->ra.n_ctrl >= 50 && e->rb.n_ctrl >= 50;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_handshake_data_ctrl(void **state)
{
	static struct env e;
	struct seg_peer *pab, *pba;
	uint64_t t0;
	size_t base;

	(void)state;
	env_setup(&e, false);
	t0 = seg_time_now();
	env_start(&e);
	assert_true(run_until(&e, both_up, NULL, 5000));
	pab = peer_of(e.a, "127.0.0.2");
	pba = peer_of(e.b, "127.0.0.1");
	assert_non_null(pab);
	assert_non_null(pba);
	assert_true(seg_peer_is_up(pab));
	/* Paths once per remote AS: A's one remote, and B's two (A and C) in one AS. B may be
	 * up as the responder before its own request is answered, so wait for it, then check
	 * that no third one came. */
	assert_true(run_until(&e, paths_2, NULL, 2000));
	assert_int_equal(__atomic_load_n(&e.good.paths_calls, __ATOMIC_RELAXED), 2);
	send_seq(pab, 0, 100);
	assert_true(run_until(&e, rb_has_100, NULL, 200) || e.rb.n_data >= 1);
	print_message("handshake: gateway start to first data delivered: %.3f ms\n",
		      (double)(e.rb.first_data_ns - t0) / 1e6);

	/* Data both ways, in order. */
	base = e.rb.n_data;
	for (uint32_t i = 1; i <= 100; i++)
		send_seq(pab, i, 200);
	for (uint32_t i = 1; i <= 100; i++)
		send_seq(pba, i, 300);
	WAIT_N = base + 100;
	assert_true(run_until(&e, both_n, NULL, 2000));
	for (uint32_t i = 0; i < 100; i++) {
		assert_int_equal(e.rb.data_seq[base + i], i + 1);
		assert_int_equal(e.ra.data_seq[i], i + 1);
	}

	/* Fragmentation: larger than the 1400-byte path MTU, up to the maximum. */
	{
		size_t sizes[] = {1500, 4000, 20000, SEG_DATA_MAX};

		for (size_t k = 0; k < 4; k++) {
			size_t before = e.ra.n_data;

			send_seq(pba, 1000 + (uint32_t)k, sizes[k]);
			WAIT_N = before + 1;
			assert_true(run_until(&e, ra_has_n, NULL, 2000));
			assert_int_equal(e.ra.last_len, sizes[k]);
			for (size_t i = 4; i < sizes[k]; i++)
				assert_int_equal(e.ra.last_data[i], (uint8_t)((1000 + k) * 7 + i));
		}
	}

	/* Control messages both ways, reliable and in order. */
	for (uint32_t i = 0; i < 50; i++) {
		static uint8_t m[8192];

		m[0] = (uint8_t)(i >> 24);
		m[1] = (uint8_t)(i >> 16);
		m[2] = (uint8_t)(i >> 8);
		m[3] = (uint8_t)i;
		assert_int_equal(seg_peer_send_ctrl(pab, m, 64), 0);
		assert_int_equal(seg_peer_send_ctrl(pba, m, 4 + i * 100), 0);
	}
	assert_true(run_until(&e, ctrl_50, NULL, 3000));
	for (uint32_t i = 0; i < 50; i++) {
		assert_int_equal(e.rb.ctrl_seq[i], i);
		assert_int_equal(e.ra.ctrl_seq[i], i);
	}
	seg_peer_put(pab);
	seg_peer_put(pba);
	env_teardown(&e);
}

/* The seg message type of the packet the relay kept, or -1. */
static int relay_last_type(struct relay *r)
{
	struct scion_packet pkt;
	struct scion_udp udp;

	if (!r->last_len || scion_packet_decode(r->last, r->last_len, &pkt) != 0 ||
	    scion_udp_decode(&pkt.hdr, pkt.l4, pkt.l4_len, false, &udp) != 0 || udp.payload_len < 1)
		return -1;
	return udp.payload[0];
}

static void relay_inject(struct relay *r, const uint8_t *pkt, size_t len)
{
	assert_int_equal(sendto(r->fd, pkt, len, 0, (struct sockaddr *)&r->b, sizeof(r->b)),
			 (ssize_t)len);
}

static bool rb_has_n(void *arg)
{
	const struct env *e = arg;

	return e->rb.n_data >= WAIT_N;
}

static void test_tampered_replayed_truncated(void **state)
{
	static struct env e;
	uint8_t pkt[9216];
	size_t len;
	struct scion_packet sp;
	uint8_t *l4;
	struct seg_peer *pab;
	uint64_t aead, replay, decode;

	(void)state;
	env_setup(&e, false);
	env_start(&e);
	assert_true(run_until(&e, both_up, NULL, 5000));
	pab = peer_of(e.a, "127.0.0.2");
	for (int i = 0; i < 50 && relay_last_type(&e.relay) != 3; i++)
		run_until(&e, NULL, NULL, 20);
	assert_int_equal(relay_last_type(&e.relay), 3);
	len = e.relay.last_len;
	memcpy(pkt, e.relay.last, len);
	aead = drops_of(e.b, "transport_aead");
	replay = drops_of(e.b, "transport_replay");
	decode = drops_of(e.b, "scion_decode");

	/* Replayed: the very packet again. */
	relay_inject(&e.relay, pkt, len);
	/* Tampered: a ciphertext bit flipped, the UDP checksum made right again so that only
	 * the AEAD can notice. */
	assert_int_equal(scion_packet_decode(pkt, len, &sp), 0);
	l4 = pkt + (sp.l4 - pkt);
	pkt[len - 20] ^= 0x01;
	l4[6] = l4[7] = 0;
	{
		uint16_t sum = scion_l4_checksum(&sp.hdr, SCION_PROTO_UDP, l4, sp.l4_len);

		sum = sum ? sum : 0xffff;
		l4[6] = (uint8_t)(sum >> 8);
		l4[7] = (uint8_t)sum;
	}
	relay_inject(&e.relay, pkt, len);
	/* Truncated. */
	relay_inject(&e.relay, pkt, len - 5);
	run_until(&e, NULL, NULL, 50);
	assert_true(drops_of(e.b, "transport_replay") > replay);
	assert_true(drops_of(e.b, "transport_aead") > aead);
	assert_true(drops_of(e.b, "scion_decode") > decode);

	/* The session keeps working. */
	WAIT_N = e.rb.n_data + 20;
	for (uint32_t i = 0; i < 20; i++)
		send_seq(pab, i, 500);
	assert_true(run_until(&e, rb_has_n, NULL, 2000));
	seg_peer_put(pab);
	env_teardown(&e);
}

static void test_wrong_drkey_refused(void **state)
{
	static struct env e;
	struct seg_peer *pbc, *pcb;

	(void)state;
	env_setup(&e, true);
	env_start(&e);
	assert_true(run_until(&e, both_up, NULL, 5000));
	/* C's daemon derives from another secret: every Init either way fails its MAC. */
	run_until(&e, NULL, NULL, 1000);
	pbc = peer_of(e.b, "127.0.0.3");
	pcb = peer_of(e.c, "127.0.0.2");
	assert_non_null(pbc);
	assert_non_null(pcb);
	assert_false(seg_peer_is_up(pbc));
	assert_false(seg_peer_is_up(pcb));
	assert_int_equal(e.rc.ups, 0);
	assert_true(drops_of(e.b, "handshake_mac") > 0);
	assert_true(drops_of(e.c, "handshake_mac") > 0);
	/* A and B are not disturbed. */
	assert_int_equal(e.ra.ups, 1);
	seg_peer_put(pbc);
	seg_peer_put(pcb);
	env_teardown(&e);
}

enum { REKEY_PKTS = 600 };

struct sender {
	struct seg_peer *peer;
	int failures;
};

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	uint8_t buf[256] = {0};

	for (uint32_t i = 0; i < REKEY_PKTS; i++) {
		struct seg_buf b = {.data = buf, .len = sizeof(buf)};

		buf[0] = (uint8_t)(i >> 24);
		buf[1] = (uint8_t)(i >> 16);
		buf[2] = (uint8_t)(i >> 8);
		buf[3] = (uint8_t)i;
		if (seg_peer_send_data(s->peer, &b, 1) != 1)
			s->failures++;
		usleep(2000);
	}
	return NULL;
}

static bool sender_done(void *arg)
{
	const struct env *e = arg;

	return e->rb.n_data >= WAIT_N;
}

static void test_rekey_under_traffic(void **state)
{
	static struct env e;
	struct sender s = {0};
	pthread_t t;
	struct gw_status st;
	size_t base;

	(void)state;
	env_setup(&e, false);
	e.opts.test_rekey_after_time_ns = SEG_MS(150);
	env_start(&e);
	assert_true(run_until(&e, both_up, NULL, 5000));
	s.peer = peer_of(e.a, "127.0.0.2");
	base = e.rb.n_data;
	WAIT_N = base + REKEY_PKTS;
	/* An adapter thread sends while the control thread rekeys. */
	assert_int_equal(pthread_create(&t, NULL, sender_main, &s), 0);
	run_until(&e, sender_done, NULL, 10000);
	pthread_join(t, NULL);
	run_until(&e, sender_done, NULL, 1000);
	assert_int_equal(s.failures, 0);
	assert_int_equal(e.rb.n_data, base + REKEY_PKTS);
	for (uint32_t i = 0; i < REKEY_PKTS; i++)
		assert_int_equal(e.rb.data_seq[base + i], i);
	assert_int_equal(gateway_status_collect(e.a, &st), 0);
	assert_int_equal(st.n_peers, 1);
	print_message("rekeys during %d packets: %llu (handshakes %llu, %s)\n", REKEY_PKTS,
		      (unsigned long long)st.peers[0].rekeys,
		      (unsigned long long)st.peers[0].handshakes, st.peers[0].state);
	assert_true(st.peers[0].rekeys >= 3);
	assert_string_equal(st.peers[0].state, "up");
	gw_status_free(&st);
	seg_peer_put(s.peer);
	env_teardown(&e);
}

/* Rekey on message count (docs/protocol.md §7): the time rule is out of reach (120 s), so
 * every rekey here is a side that sent REKEY_MSGS messages on its current session. Each
 * direction in turn, so both sides show they rekey on their own counter; no packet lost. */
enum { REKEY_MSGS = 200, COUNT_PKTS = 1500 };

static struct seg_peer *COUNT_FROM;
static uint32_t COUNT_NEXT;

static void count_send(void *e)
{
	(void)e;
	for (int k = 0; k < 8 && COUNT_NEXT < COUNT_PKTS; k++)
		send_seq(COUNT_FROM, COUNT_NEXT++, 120);
}

static uint64_t rekeys_of(struct gateway *gw)
{
	struct gw_status st;
	uint64_t n;

	/* A's only peer, or B's first (A; C is configured but not running here). */
	assert_int_equal(gateway_status_collect(gw, &st), 0);
	assert_true(st.n_peers >= 1);
	n = st.peers[0].rekeys;
	gw_status_free(&st);
	return n;
}

static void count_phase(struct env *e, const char *name, struct seg_peer *from,
			struct gw_fixture_rec *to)
{
	size_t base = to->n_data;
	uint64_t before = rekeys_of(e->a);
	uint64_t after;

	COUNT_FROM = from;
	COUNT_NEXT = 0;
	WAIT_N = base + COUNT_PKTS;
	run_until(e, to == &e->rb ? rb_has_n : ra_has_n, count_send, 10000);
	assert_int_equal(to->n_data, base + COUNT_PKTS);
	for (uint32_t i = 0; i < COUNT_PKTS && base + i < GW_FIXTURE_REC_MAX; i++)
		assert_int_equal(to->data_seq[base + i], i);
	after = rekeys_of(e->a);
	print_message("rekeys on message count (%d per session) during %d packets from %s: "
		      "%llu\n",
		      REKEY_MSGS, COUNT_PKTS, name, (unsigned long long)(after - before));
	/* Each REKEY_MSGS messages sent start one; a few land during a handshake. */
	assert_true(after - before >= COUNT_PKTS / REKEY_MSGS / 2);
}

static bool rekeys_agree(void *arg)
{
	struct env *e = arg;

	return rekeys_of(e->a) == rekeys_of(e->b);
}

static void test_rekey_on_message_count(void **state)
{
	static struct env e;
	struct seg_peer *pab, *pba;

	(void)state;
	env_setup(&e, false);
	e.opts.test_rekey_after_messages = REKEY_MSGS;
	env_start(&e);
	assert_true(run_until(&e, both_up, NULL, 5000));
	pab = peer_of(e.a, "127.0.0.2");
	pba = peer_of(e.b, "127.0.0.1");
	count_phase(&e, "A", pab, &e.rb);
	count_phase(&e, "B", pba, &e.ra);
	/* A rekey still completing counts on one side first: wait for both to agree. */
	assert_true(run_until(&e, rekeys_agree, NULL, 2000));
	assert_int_equal(drops_of(e.b, "transport_replay"), 0);
	seg_peer_put(pab);
	seg_peer_put(pba);
	env_teardown(&e);
}

static bool restarted(void *arg)
{
	const struct env *e = arg;

	return e->rb.ups >= 2 && e->ra.ups >= 2;
}

static void test_restart_reestablishes(void **state)
{
	static struct env e;
	struct seg_peer *pab, *pba;

	(void)state;
	env_setup(&e, false);
	env_start(&e);
	assert_true(run_until(&e, both_up, NULL, 5000));
	run_until(&e, NULL, NULL, 50);
	/* A goes away and comes back with the same configuration; B keeps running. */
	gateway_free(e.a);
	e.a = start_a(&e);
	assert_true(run_until(&e, restarted, NULL, 5000));
	pab = peer_of(e.a, "127.0.0.2");
	pba = peer_of(e.b, "127.0.0.1");
	WAIT_N = e.rb.n_data + 10;
	for (uint32_t i = 0; i < 10; i++)
		send_seq(pab, i, 100);
	assert_true(run_until(&e, rb_has_n, NULL, 2000));
	WAIT_N = e.ra.n_data + 10;
	for (uint32_t i = 0; i < 10; i++)
		send_seq(pba, i, 100);
	assert_true(run_until(&e, ra_has_n, NULL, 2000));
	seg_peer_put(pab);
	seg_peer_put(pba);
	env_teardown(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_data_ctrl),
	    cmocka_unit_test(test_tampered_replayed_truncated),
	    cmocka_unit_test(test_wrong_drkey_refused),
	    cmocka_unit_test(test_rekey_under_traffic),
	    cmocka_unit_test(test_rekey_on_message_count),
	    cmocka_unit_test(test_restart_reestablishes),
	};

	seg_log_set_level(getenv("SEG_TEST_LOG") ? SEG_LOG_DEBUG : SEG_LOG_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
