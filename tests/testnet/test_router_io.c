/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet border router runtime over real UDP sockets on 127.0.0.1: six routers (the
 * topology of test_router.c), endhost sockets in AS 113 and AS 120, and the link controls.
 * Every send is one packet; every receive waits at most RECV_MS. Sockets are closed and
 * threads joined at the end of each test.
 *
 *        110 ====== 120         endhost A: AS 113, 127.0.0.1:port_a
 *         |          |          endhost B: AS 120, 127.0.0.1:port_b
 *        111        121
 *       /   \       .
 *     112   113 ....
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <seg/scion_packet.h>

#include "beacon.h"
#include "combinator.h"
#include "router_io.h"
#include "testnet_util.h"
#include "topo.h"

enum { RECV_MS = 1000, NUM_AS = 6 };

static const char topo_text[] =
    "ASes:\n"
    "  \"1-ff00:0:110\": {core: true}\n"
    "  \"1-ff00:0:120\": {core: true}\n"
    "  \"1-ff00:0:111\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:112\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:113\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:121\": {cert_issuer: 1-ff00:0:120}\n"
    "links:\n"
    "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:120#1\", linkAtoB: CORE}\n"
    "  - {a: \"1-ff00:0:110#2\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:111#2\", b: \"1-ff00:0:112#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:111#3\", b: \"1-ff00:0:113#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:120#2\", b: \"1-ff00:0:121#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:112#2\", b: \"1-ff00:0:121#2\", linkAtoB: PEER}\n";

struct tnet {
	struct topo *t;
	struct segment_set set;
	struct router_rt *rt[NUM_AS];
	struct sockaddr_storage internal[NUM_AS];
	int a, b; /* endhost sockets */
	uint16_t port_a, port_b;
	int as_a, as_b, as_111;
	struct combinator_path path; /* A -> B */
};

static void as_key(scion_ia_t ia, uint8_t key[16])
{
	for (int i = 0; i < 16; i++)
		key[i] = (uint8_t)(ia >> (8 * (i % 8)) ^ (uint8_t)(i * 13));
}

/* A free UDP port on 127.0.0.1, by binding port 0 (the socket is kept when keep != NULL). */
static uint16_t free_port(struct sockaddr_storage *ss, int *keep)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	socklen_t len = sizeof(*in);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)in, len), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)in, &len), 0);
	if (keep)
		*keep = fd;
	else
		close(fd);
	return ntohs(in->sin_port);
}

static void start(struct tnet *n)
{
	static struct router_iface_config ifs[NUM_AS][ROUTER_MAX_IFACES];
	struct sockaddr_storage link_a[16], link_b[16];
	int held[2 * 16 + NUM_AS];
	size_t nheld = 0;
	struct beacon_key keys[NUM_AS];
	struct beacon_params p;
	struct combinator_result res = {0};
	char err[160];
	struct timespec t0, t1;

	n->t = test_topo_parse(topo_text);
	assert_int_equal(n->t->num_ases, NUM_AS);
	/* Every port is held until all are chosen, so that no two of them are the same (a port
	 * just released may be handed out again). They are released before the routers bind. */
	for (size_t l = 0; l < n->t->num_links; l++) {
		(void)free_port(&link_a[l], &held[nheld++]);
		(void)free_port(&link_b[l], &held[nheld++]);
	}
	for (unsigned as = 0; as < NUM_AS; as++)
		(void)free_port(&n->internal[as], &held[nheld++]);
	while (nheld > 0)
		close(held[--nheld]);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned as = 0; as < NUM_AS; as++) {
		struct router_config cfg = {.ia = n->t->ases[as].ia, .mtu = 1472};
		size_t k = 0;

		for (size_t l = 0; l < n->t->num_links; l++) {
			const struct topo_link *tl = &n->t->links[l];
			bool a = tl->a.as == as;

			if (!a && tl->b.as != as)
				continue;
			ifs[as][k] = (struct router_iface_config){
			    .ifid = a ? tl->a.ifid : tl->b.ifid,
			    .type = tl->type == TOPO_LINK_CORE	 ? ROUTER_LINK_CORE
				    : tl->type == TOPO_LINK_PEER ? ROUTER_LINK_PEER
				    : a				 ? ROUTER_LINK_CHILD
								 : ROUTER_LINK_PARENT,
			    .local = a ? link_a[l] : link_b[l],
			    .remote = a ? link_b[l] : link_a[l],
			};
			k++;
		}
		as_key(cfg.ia, cfg.forwarding_key);
		cfg.internal = n->internal[as];
		scion_host_from_ipv4(&cfg.host_ip, (const uint8_t[4]){127, 0, 1, (uint8_t)as});
		cfg.port_min = 1024;
		cfg.port_max = 65535;
		cfg.ifaces = ifs[as];
		cfg.n_ifaces = k;
		n->rt[as] = router_rt_start(&cfg, err, sizeof(err));
		if (!n->rt[as])
			fail_msg("router_rt_start: %s", err);
		keys[as].ia = cfg.ia;
		keys[as].key = scion_mac_key_new(cfg.forwarding_key);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* Start is cheap (the runner starts 20 of them in well under 2 s). */
	assert_true((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 < 1000);

	beacon_params_default(&p);
	assert_int_equal(beacon_run(n->t, keys, NUM_AS, &p, (uint32_t)time(NULL) - 60, &n->set), 0);
	for (unsigned as = 0; as < NUM_AS; as++)
		scion_mac_key_free(keys[as].key);
	n->as_a = topo_as_index(n->t, test_ia("1-ff00:0:113"));
	n->as_b = topo_as_index(n->t, test_ia("1-ff00:0:120"));
	n->as_111 = topo_as_index(n->t, test_ia("1-ff00:0:111"));
	assert_int_equal(
	    combinator_paths(&n->set, n->t->ases[n->as_a].ia, n->t->ases[n->as_b].ia, false, &res),
	    0);
	assert_true(res.num > 0);
	n->path = res.paths[0];
	combinator_result_free(&res);
	struct sockaddr_storage ss;

	n->port_a = free_port(&ss, &n->a);
	n->port_b = free_port(&ss, &n->b);
}

static void stop(struct tnet *n)
{
	for (unsigned as = 0; as < NUM_AS; as++)
		router_rt_stop(n->rt[as]);
	close(n->a);
	close(n->b);
	segment_set_free(&n->set);
	topo_free(n->t);
}

/* Sends one SCION packet from endhost A to its router. */
static void send_a(struct tnet *n, const uint8_t *pkt, size_t len)
{
	const struct sockaddr_storage *to = &n->internal[n->as_a];

	assert_int_equal(
	    sendto(n->a, pkt, len, 0, (const struct sockaddr *)to, sizeof(struct sockaddr_in)),
	    (ssize_t)len);
}

/* Receives one datagram on fd within ms; returns its length or -1. */
static ssize_t recv_within(int fd, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (poll(&pfd, 1, ms) != 1)
		return -1;
	return recv(fd, buf, cap, 0);
}

static void header(struct tnet *n, struct scion_header *h, const uint8_t dst_ip[4])
{
	static const uint8_t lo[4] = {127, 0, 0, 1};

	memset(h, 0, sizeof(*h));
	h->path_type = SCION_PATH_TYPE_SCION;
	h->dst.ia = n->t->ases[n->as_b].ia;
	scion_host_from_ipv4(&h->dst.host, dst_ip);
	h->src.ia = n->t->ases[n->as_a].ia;
	scion_host_from_ipv4(&h->src.host, lo);
	h->path = n->path.raw;
	h->path_len = n->path.raw_len;
}

static size_t udp_a_to_b(struct tnet *n, uint8_t *buf, size_t cap)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct scion_header h;
	size_t len;

	header(n, &h, lo);
	assert_int_equal(scion_udp_packet_build(&h, n->port_a, n->port_b, (const uint8_t *)"hi", 2,
						buf, cap, &len),
			 0);
	return len;
}

static void test_forward_echo_link(void **state)
{
	struct tnet n;
	uint8_t pkt[1500], in[2048];
	size_t len;
	ssize_t got;
	struct scion_packet dec;
	struct scmp_msg m;
	struct router_stats st;

	(void)state;
	start(&n);
	/* A -> B through three routers. */
	len = udp_a_to_b(&n, pkt, sizeof(pkt));
	send_a(&n, pkt, len);
	got = recv_within(n.b, in, sizeof(in), RECV_MS);
	assert_int_equal(got, (ssize_t)len);
	assert_int_equal(scion_packet_decode(in, (size_t)got, &dec), 0);
	assert_int_equal(dec.l4_proto, SCION_PROTO_UDP);

	/* Echo to 120's host_ip, answered by its router, back to A at its identifier. */
	{
		struct scmp_msg req = {.type = SCMP_ECHO_REQUEST};
		const uint8_t host_ip[4] = {127, 0, 1, (uint8_t)n.as_b};
		struct scion_header h;

		req.u.echo.id = n.port_a;
		req.u.echo.seq = 3;
		header(&n, &h, host_ip);
		assert_int_equal(scion_scmp_packet_build(&h, &req, pkt, sizeof(pkt), &len), 0);
		send_a(&n, pkt, len);
		got = recv_within(n.a, in, sizeof(in), RECV_MS);
		assert_true(got > 0);
		assert_int_equal(scion_packet_decode(in, (size_t)got, &dec), 0);
		assert_int_equal(scmp_decode(&dec.hdr, dec.l4, dec.l4_len, true, &m), 0);
		assert_int_equal(m.type, SCMP_ECHO_REPLY);
		assert_int_equal(m.u.echo.seq, 3);
	}

	/* Link 111#1 down: A gets external-interface-down from 111. */
	assert_int_equal(router_rt_link_set(n.rt[n.as_111], 1, false, 0, 0), 0);
	assert_int_equal(router_rt_link_set(n.rt[n.as_111], 77, false, 0, 0), ROUTER_RT_ERR_IFACE);
	len = udp_a_to_b(&n, pkt, sizeof(pkt));
	send_a(&n, pkt, len);
	got = recv_within(n.a, in, sizeof(in), RECV_MS);
	assert_true(got > 0);
	assert_int_equal(scion_packet_decode(in, (size_t)got, &dec), 0);
	assert_int_equal(scmp_decode(&dec.hdr, dec.l4, dec.l4_len, true, &m), 0);
	assert_int_equal(m.type, SCMP_EXTERNAL_INTERFACE_DOWN);
	assert_int_equal(m.u.ext_down.ifid, 1);
	assert_int_equal(recv_within(n.b, in, sizeof(in), 50), -1);

	/* Up again with 100% loss: nothing arrives, the loss is counted. */
	assert_int_equal(router_rt_link_set(n.rt[n.as_111], 1, true, 1000000, 0), 0);
	send_a(&n, pkt, len);
	assert_int_equal(recv_within(n.b, in, sizeof(in), 200), -1);
	router_rt_stats(n.rt[n.as_111], &st);
	assert_int_equal(st.drops[ROUTER_DROP_LINK_LOSS], 1);
	assert_int_equal(st.drops[ROUTER_DROP_LINK_DOWN], 1);

	/* No loss, 80 ms delay on 111's egress. */
	assert_int_equal(router_rt_link_set(n.rt[n.as_111], 1, true, 0, 80000), 0);
	{
		struct timespec t0, t1;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		send_a(&n, pkt, len);
		got = recv_within(n.b, in, sizeof(in), RECV_MS);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		assert_int_equal(got, (ssize_t)len);
		assert_true(ms >= 79);
	}
	assert_int_equal(router_rt_link_set(n.rt[n.as_111], 1, true, 2000000, 0),
			 ROUTER_RT_ERR_PARAM);
	router_rt_stats(n.rt[n.as_a], &st);
	assert_true(st.rx_pkts >= 5);
	assert_true(st.forwarded >= 4);
	stop(&n);
}

/* Byte offset of the first hop field's MAC in a packet built over n->path. */
static size_t first_mac_offset(const struct tnet *n, const uint8_t *pkt, size_t len)
{
	const uint8_t *raw = n->path.raw;
	const uint8_t *at = memmem(pkt, len, raw, n->path.raw_len);
	uint32_t meta = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 | raw[2] << 8 | raw[3];
	size_t infs = 0;

	assert_non_null(at);
	for (int s = 0; s < 3; s++)
		infs += ((meta >> (6 * s)) & 0x3f) != 0;
	/* Path meta header, info fields, then the hop field's flags, ExpTime, ConsIngress and
	 * ConsEgress before its MAC (scion-header.rst). */
	return (size_t)(at - pkt) + 4 + 8 * infs + 6;
}

/*
 * One UDP GSO send of RUN packets from A (the way a gateway sends): the routers take it as a
 * GRO run, process every packet where it lies and pass runs on. Packet BAD has a broken MAC
 * and is answered with an SCMP error, whose buffer must not overwrite its neighbours; the
 * last packet is shorter, as a run's last may be. B reads with plain recv (no GRO): the
 * kernel cuts runs for it.
 */
static void test_gso_run(void **state)
{
	enum { RUN = 12, BAD = 4, PAYLOAD = 200 };
	static uint8_t pkts[RUN][1500];
	struct iovec iov[RUN];
	size_t lens[RUN];
	uint8_t in[2048], payload[PAYLOAD];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(uint16_t))];
	} ctl;
	struct msghdr mh = {0};
	struct cmsghdr *c;
	uint16_t seg;
	struct scion_header h;
	struct scion_packet dec;
	struct scmp_msg m;
	struct router_stats st;
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct tnet n;
	ssize_t got;

	(void)state;
	start(&n);
	header(&n, &h, lo);
	for (unsigned i = 0; i < RUN; i++) {
		size_t plen = i == RUN - 1 ? PAYLOAD / 2 : PAYLOAD;

		memset(payload, 'a' + (int)i, sizeof(payload));
		assert_int_equal(scion_udp_packet_build(&h, n.port_a, n.port_b, payload, plen,
							pkts[i], sizeof(pkts[i]), &lens[i]),
				 0);
		iov[i] = (struct iovec){.iov_base = pkts[i], .iov_len = lens[i]};
	}
	pkts[BAD][first_mac_offset(&n, pkts[BAD], lens[BAD])] ^= 0x5a;
	seg = (uint16_t)lens[0];
	mh.msg_name = &n.internal[n.as_a];
	mh.msg_namelen = sizeof(struct sockaddr_in);
	mh.msg_iov = iov;
	mh.msg_iovlen = RUN;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_UDP;
	c->cmsg_type = 103; /* UDP_SEGMENT */
	c->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(c), &seg, sizeof(seg));
	if (sendmsg(n.a, &mh, 0) < 0) {
		stop(&n);
		skip(); /* a kernel without UDP GSO */
	}

	/* Every good packet arrives, whole and in order. */
	for (unsigned i = 0; i < RUN; i++) {
		if (i == BAD)
			continue;
		got = recv_within(n.b, in, sizeof(in), RECV_MS);
		assert_int_equal(got, (ssize_t)lens[i]);
		assert_int_equal(scion_packet_decode(in, (size_t)got, &dec), 0);
		assert_int_equal(dec.l4_proto, SCION_PROTO_UDP);
		assert_int_equal(in[got - 1], 'a' + (int)i);
	}
	assert_int_equal(recv_within(n.b, in, sizeof(in), 50), -1);
	/* The broken one is answered, and only it. */
	got = recv_within(n.a, in, sizeof(in), RECV_MS);
	assert_true(got > 0);
	assert_int_equal(scion_packet_decode(in, (size_t)got, &dec), 0);
	assert_int_equal(scmp_decode(&dec.hdr, dec.l4, dec.l4_len, true, &m), 0);
	assert_int_equal(m.type, SCMP_PARAMETER_PROBLEM);
	assert_int_equal(recv_within(n.a, in, sizeof(in), 50), -1);
	router_rt_stats(n.rt[n.as_a], &st);
	assert_int_equal(st.rx_pkts, RUN);
	assert_int_equal(st.drops[ROUTER_DROP_BAD_MAC], 1);
	stop(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forward_echo_link),
	    cmocka_unit_test(test_gso_run),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
