/* SPDX-License-Identifier: MIT */
/*
 * The SCION endhost socket over loopback: UDP and SCMP round trips between two sockets (one
 * standing in for a border router), the empty path sent straight to the destination host,
 * ports chosen inside a dispatched range, datagrams that are not SCION dropped with a
 * specific error, and SCMP error quotes decoded even when cut.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "scion/socket.h"

#define IA_A scion_ia_make(1, 0xff0000000110ull)
#define IA_B scion_ia_make(1, 0xff0000000111ull)

enum { WAIT_MS = 2000 };

/* A one-segment, two-hop standard path (CurrINF = CurrHF = 0, ConsDir set). */
static size_t make_path(uint8_t *buf, size_t cap)
{
	struct scion_std_path p;
	size_t n;

	memset(&p, 0, sizeof(p));
	p.meta.seg_len[0] = 2;
	p.num_infs = 1;
	p.num_hops = 2;
	p.inf[0].cons_dir = true;
	p.inf[0].seg_id = 0x1234;
	p.inf[0].timestamp = 1700000000;
	p.hop[0].cons_egress = 1;
	p.hop[0].exp_time = 63;
	p.hop[1].cons_ingress = 2;
	p.hop[1].exp_time = 63;
	assert_int_equal(scion_std_path_encode(&p, buf, cap, &n), 0);
	return n;
}

static struct scion_socket *open_v4(scion_ia_t ia, uint16_t port, uint16_t min, uint16_t max)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct scion_socket_config cfg = {.port = port, .port_min = min, .port_max = max};
	struct scion_socket *s = NULL;

	cfg.local.ia = ia;
	scion_host_from_ipv4(&cfg.local.host, lo);
	assert_int_equal(scion_socket_open(&cfg, &s), 0);
	assert_non_null(s);
	return s;
}

static void underlay_of(const struct scion_socket *s, struct sockaddr_storage *out)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)out;

	memset(out, 0, sizeof(*out));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(scion_socket_port(s));
	memcpy(&sin->sin_addr, scion_socket_local(s)->host.ip, 4);
}

static void test_udp_empty_path(void **state)
{
	struct scion_socket *a = open_v4(IA_A, 0, 0, 0), *b = open_v4(IA_A, 0, 0, 0);
	struct scion_route r = {.type = SCION_PATH_TYPE_EMPTY};
	struct scion_udp_addr dst = {.addr = *scion_socket_local(b), .port = scion_socket_port(b)};
	static const uint8_t payload[] = "hello scion";
	struct scion_socket_msg m;

	(void)state;
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, payload, sizeof(payload)), 0);
	assert_int_equal(scion_socket_recv(b, &m, WAIT_MS), 0);
	assert_int_equal(m.l4, SCION_SOCKET_L4_UDP);
	assert_int_equal(m.pkt.hdr.path_type, SCION_PATH_TYPE_EMPTY);
	assert_true(scion_addr_equal(&m.pkt.hdr.src, scion_socket_local(a)));
	assert_true(scion_addr_equal(&m.pkt.hdr.dst, scion_socket_local(b)));
	assert_int_equal(m.udp.src_port, scion_socket_port(a));
	assert_int_equal(m.udp.dst_port, scion_socket_port(b));
	assert_int_equal(m.udp.payload_len, sizeof(payload));
	assert_memory_equal(m.udp.payload, payload, sizeof(payload));
	assert_int_equal(ntohs(((struct sockaddr_in *)&m.from)->sin_port), scion_socket_port(a));
	/* Nothing more: a timeout, not a hang. */
	assert_int_equal(scion_socket_recv(b, &m, 0), SCION_SOCK_ERR_TIMEOUT);
	scion_socket_close(a);
	scion_socket_close(b);
}

static void test_scmp_over_path(void **state)
{
	struct scion_socket *a = open_v4(IA_A, 0, 0, 0), *router = open_v4(IA_A, 0, 0, 0);
	uint8_t raw[SCION_MAX_STD_PATH_LEN], data[32];
	struct sockaddr_storage nh;
	struct scion_route r = {.type = SCION_PATH_TYPE_SCION, .raw = raw, .next_hop = &nh};
	struct scion_addr dst = {.ia = IA_B};
	struct scmp_msg echo = {.type = SCMP_ECHO_REQUEST, .data = data, .data_len = sizeof(data)};
	struct scion_socket_msg m;
	static const uint8_t ip[4] = {127, 0, 0, 9};

	(void)state;
	r.raw_len = make_path(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)i;
	scion_host_from_ipv4(&dst.host, ip);
	echo.u.echo.id = scion_socket_port(a);
	echo.u.echo.seq = 7;
	underlay_of(router, &nh);
	assert_int_equal(scion_socket_send_scmp(a, &r, &dst, &echo), 0);
	assert_int_equal(scion_socket_recv(router, &m, WAIT_MS), 0);
	assert_int_equal(m.l4, SCION_SOCKET_L4_SCMP);
	assert_true(m.scmp_known);
	assert_int_equal(m.scmp.type, SCMP_ECHO_REQUEST);
	assert_int_equal(m.scmp.u.echo.id, scion_socket_port(a));
	assert_int_equal(m.scmp.u.echo.seq, 7);
	assert_int_equal(m.scmp.data_len, sizeof(data));
	assert_memory_equal(m.scmp.data, data, sizeof(data));
	assert_int_equal(m.pkt.hdr.path_type, SCION_PATH_TYPE_SCION);
	assert_int_equal(m.pkt.hdr.path_len, r.raw_len);
	assert_memory_equal(m.pkt.hdr.path, raw, r.raw_len);
	assert_true(scion_addr_equal(&m.pkt.hdr.dst, &dst));
	scion_socket_close(a);
	scion_socket_close(router);
}

static void test_route_errors(void **state)
{
	struct scion_socket *a = open_v4(IA_A, 0, 0, 0);
	uint8_t raw[SCION_MAX_STD_PATH_LEN];
	struct sockaddr_storage v6 = {.ss_family = AF_INET6};
	struct scion_route r = {.type = SCION_PATH_TYPE_SCION, .raw = raw};
	struct scion_udp_addr dst = {.addr = {.ia = IA_B}, .port = 1};
	struct scmp_msg echo = {.type = SCMP_ECHO_REQUEST};
	uint8_t big[SCION_SOCKET_MAX_PKT];

	(void)state;
	r.raw_len = make_path(raw, sizeof(raw));
	dst.addr.host.type = SCION_HOST_IPV4;
	/* A SCION path needs a next hop, of the socket's family. */
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, NULL, 0), SCION_SOCK_ERR_NEXT_HOP);
	r.next_hop = &v6;
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, NULL, 0), SCION_SOCK_ERR_NEXT_HOP);
	assert_int_equal(scion_socket_send_scmp(a, &r, &dst.addr, &echo), SCION_SOCK_ERR_NEXT_HOP);
	/* Inconsistent routes. */
	r.raw_len = 3;
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, NULL, 0), SCION_SOCK_ERR_ARG);
	r.type = SCION_PATH_TYPE_EMPTY;
	r.raw_len = 4;
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, NULL, 0), SCION_SOCK_ERR_ARG);
	r.type = SCION_PATH_TYPE_EPIC;
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, NULL, 0), SCION_SOCK_ERR_ARG);
	/* Empty path to an IPv6 host from an IPv4 socket: nowhere to send. */
	r.type = SCION_PATH_TYPE_EMPTY;
	r.raw_len = 0;
	r.next_hop = NULL;
	dst.addr.host.type = SCION_HOST_IPV6;
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, NULL, 0), SCION_SOCK_ERR_NEXT_HOP);
	/* A payload that cannot fit the send buffer. */
	dst.addr.host.type = SCION_HOST_IPV4;
	memset(big, 0, sizeof(big));
	assert_int_not_equal(scion_socket_send_udp(a, &r, &dst, big, sizeof(big)), 0);
	scion_socket_close(a);
}

static void test_port_range(void **state)
{
	struct scion_socket *a = open_v4(IA_A, 0, 0, 0), *b;
	uint16_t p = scion_socket_port(a);
	struct scion_socket_config cfg = {.port_min = p, .port_max = p};

	(void)state;
	cfg.local = *scion_socket_local(a);
	/* The only port of the range is taken. */
	assert_int_equal(scion_socket_open(&cfg, &b), SCION_SOCK_ERR_PORT);
	assert_null(b);
	/* A fixed port that is taken. */
	cfg.port = p;
	assert_int_equal(scion_socket_open(&cfg, &b), SCION_SOCK_ERR_PORT);
	scion_socket_close(a);
	cfg.port = 0;
	b = open_v4(IA_A, 0, p, p);
	assert_int_equal(scion_socket_port(b), p);
	scion_socket_close(b);
	/* Bad configurations. */
	cfg.port_min = 10;
	cfg.port_max = 9;
	assert_int_equal(scion_socket_open(&cfg, &b), SCION_SOCK_ERR_ARG);
	cfg.port_min = cfg.port_max = 0;
	cfg.local.host.type = SCION_HOST_SVC;
	assert_int_equal(scion_socket_open(&cfg, &b), SCION_SOCK_ERR_ARG);
}

static void test_range_spreads(void **state)
{
	struct scion_socket *s[4];
	uint16_t base;
	struct scion_socket *probe = open_v4(IA_A, 0, 0, 0);

	(void)state;
	/* Four sockets in a four-port range, the kernel's ephemeral port and the next three. */
	base = scion_socket_port(probe);
	scion_socket_close(probe);
	if (base > 65530)
		base = 65530;
	for (int i = 0; i < 4; i++) {
		struct scion_socket_config cfg = {.port_min = base, .port_max = base + 3};
		static const uint8_t lo[4] = {127, 0, 0, 1};

		cfg.local.ia = IA_A;
		scion_host_from_ipv4(&cfg.local.host, lo);
		if (scion_socket_open(&cfg, &s[i])) {
			/* Another process holds a port of this range: nothing to test here. */
			for (int j = 0; j < i; j++)
				scion_socket_close(s[j]);
			skip();
		}
		assert_in_range(scion_socket_port(s[i]), base, base + 3);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(scion_socket_port(s[i]), scion_socket_port(s[j]));
	}
	for (int i = 0; i < 4; i++)
		scion_socket_close(s[i]);
}

static void test_garbage_dropped(void **state)
{
	struct scion_socket *a = open_v4(IA_A, 0, 0, 0), *b = open_v4(IA_A, 0, 0, 0);
	struct sockaddr_storage to;
	struct scion_socket_msg m;
	static uint8_t big[SCION_SOCKET_MAX_PKT + 100];
	uint8_t junk[64];
	int fd;

	(void)state;
	underlay_of(b, &to);
	memset(junk, 0xa5, sizeof(junk));
	assert_int_equal(scion_socket_send_raw(a, &to, junk, sizeof(junk)), 0);
	assert_int_equal(scion_socket_recv(b, &m, WAIT_MS), SCION_SOCK_ERR_DECODE);
	assert_int_equal(m.len, sizeof(junk));
	assert_int_not_equal(m.decode_err, 0);
	/* Larger than the receive buffer: sent from a plain socket, dropped whole. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(
	    sendto(fd, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(struct sockaddr_in)),
	    sizeof(big));
	close(fd);
	assert_int_equal(scion_socket_recv(b, &m, WAIT_MS), SCION_SOCK_ERR_SIZE);
	assert_int_equal(m.len, sizeof(big));
	assert_int_equal(scion_socket_send_raw(a, &to, big, sizeof(big)), SCION_SOCK_ERR_ARG);
	assert_int_equal(scion_socket_send_raw(a, NULL, junk, 1), SCION_SOCK_ERR_NEXT_HOP);
	scion_socket_close(a);
	scion_socket_close(b);
}

/* An external-interface-down error quoting an echo request, whole and cut. */
static void test_quote_decode(void **state)
{
	struct scion_socket *a = open_v4(IA_A, 0, 0, 0);
	uint8_t raw[SCION_MAX_STD_PATH_LEN], pkt[2048], scratch[2048], data[600];
	struct sockaddr_storage nh;
	struct scion_route r = {.type = SCION_PATH_TYPE_SCION, .raw = raw, .next_hop = &nh};
	struct scion_udp_addr dst = {.addr = {.ia = IA_B}};
	struct scmp_msg echo = {.type = SCMP_ECHO_REQUEST, .data = data, .data_len = sizeof(data)};
	struct scmp_msg err = {.type = SCMP_EXTERNAL_INTERFACE_DOWN};
	struct scion_packet q;
	struct scmp_msg qm;
	size_t len;

	(void)state;
	r.raw_len = make_path(raw, sizeof(raw));
	memset(data, 0x11, sizeof(data));
	dst.addr.host = scion_socket_local(a)->host;
	echo.u.echo.id = 4242;
	echo.u.echo.seq = 3;
	underlay_of(a, &nh);
	assert_int_equal(scion_socket_build(a, &r, &dst, SCION_PROTO_SCMP, NULL, 0, &echo, pkt,
					    sizeof(pkt), &len, &nh),
			 0);
	err.data = pkt;
	err.data_len = len;
	assert_int_equal(scion_scmp_quote_decode(&err, scratch, sizeof(scratch), &q), 0);
	assert_int_equal(q.l4_proto, SCION_PROTO_SCMP);
	assert_true(scion_addr_equal(&q.hdr.src, scion_socket_local(a)));
	assert_int_equal(scmp_decode(&q.hdr, q.l4, q.l4_len, true, &qm), 0);
	assert_int_equal(qm.u.echo.id, 4242);
	assert_int_equal(qm.u.echo.seq, 3);
	/* Cut after the SCMP echo header: the header still decodes, the l4 bytes are short. */
	err.data_len = scion_header_len(&q.hdr) + 8;
	assert_int_equal(scion_scmp_quote_decode(&err, scratch, sizeof(scratch), &q), 0);
	assert_int_equal(q.l4_len, 8);
	/* Cut inside the path: rejected. */
	err.data_len = 40;
	assert_int_not_equal(scion_scmp_quote_decode(&err, scratch, sizeof(scratch), &q), 0);
	err.data_len = 5;
	assert_int_equal(scion_scmp_quote_decode(&err, scratch, sizeof(scratch), &q),
			 SCION_PKT_ERR_TRUNCATED);
	/* Not an error message, or a scratch buffer too small. */
	assert_int_equal(scion_scmp_quote_decode(&echo, scratch, sizeof(scratch), &q),
			 SCION_SOCK_ERR_ARG);
	err.data_len = len;
	assert_int_equal(scion_scmp_quote_decode(&err, scratch, 10, &q), SCION_SOCK_ERR_ARG);
	scion_socket_close(a);
}

static void test_ipv6(void **state)
{
	static const uint8_t lo6[16] = {[15] = 1};
	struct scion_socket_config cfg = {.local = {.ia = IA_A}};
	struct scion_socket *a, *b;
	struct scion_route r = {.type = SCION_PATH_TYPE_EMPTY};
	struct scion_udp_addr dst;
	struct scion_socket_msg m;

	(void)state;
	scion_host_from_ipv6(&cfg.local.host, lo6);
	if (scion_socket_open(&cfg, &a))
		skip(); /* no IPv6 loopback in this environment */
	assert_int_equal(scion_socket_open(&cfg, &b), 0);
	dst.addr = *scion_socket_local(b);
	dst.port = scion_socket_port(b);
	assert_int_equal(scion_socket_send_udp(a, &r, &dst, (const uint8_t *)"x", 1), 0);
	assert_int_equal(scion_socket_recv(b, &m, WAIT_MS), 0);
	assert_int_equal(m.l4, SCION_SOCKET_L4_UDP);
	assert_int_equal(m.pkt.hdr.src.host.type, SCION_HOST_IPV6);
	assert_int_equal(m.udp.payload_len, 1);
	scion_socket_close(a);
	scion_socket_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_udp_empty_path), cmocka_unit_test(test_scmp_over_path),
	    cmocka_unit_test(test_route_errors),   cmocka_unit_test(test_port_range),
	    cmocka_unit_test(test_range_spreads),  cmocka_unit_test(test_garbage_dropped),
	    cmocka_unit_test(test_quote_decode),   cmocka_unit_test(test_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
