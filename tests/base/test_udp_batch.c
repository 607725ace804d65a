/* SPDX-License-Identifier: MIT */
/*
 * udp_batch over real sockets on 127.0.0.1: which datagrams a GSO flush joins into one run
 * (same destination, same length, a shorter last one), what a GRO receiver gets back, the
 * same datagrams without GSO, and how refused sends are counted. Every receive waits at most
 * RECV_MS. Where loopback cuts runs (tx-udp-segmentation off), the datagrams and their order
 * are still checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "base/udp_batch.h"

enum { RECV_MS = 1000 };

struct sock {
	int fd;
	struct sockaddr_storage addr;
	bool gso, gro;
};

static void sock_open(struct sock *s)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&s->addr;
	socklen_t len = sizeof(*in);

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(s->fd >= 0);
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)in, len), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)in, &len), 0);
	udp_offloads_enable(s->fd, &s->gso, &s->gro);
}

/* One receive on s within RECV_MS (-1 if none); *seg gets the GRO segment size or 0. */
static ssize_t recv_one(struct sock *s, uint8_t *buf, size_t cap, size_t *seg, int ms)
{
	union {
		struct cmsghdr align;
		uint8_t buf[UDP_GRO_CMSG_SPACE];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl)};
	struct pollfd p = {.fd = s->fd, .events = POLLIN};
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return -1;
	n = recvmsg(s->fd, &mh, 0);
	*seg = n > 0 ? udp_gro_segment_size(&mh) : 0;
	return n;
}

/* Datagram i of a test is len bytes of the letter 'A' + i. */
static uint8_t data[16][256];

static void add(struct udp_sendq *q, unsigned i, size_t len, const struct sock *to)
{
	memset(data[i], 'A' + (int)i, len);
	udp_sendq_add(q, data[i], len, to ? &to->addr : NULL);
}

/* Receives the datagrams first..first+count-1 of lengths lens[] on s, as runs or one by one. */
static void expect(struct sock *s, unsigned first, const size_t *lens, unsigned count)
{
	static uint8_t buf[UDP_RX_BUF_LEN];
	unsigned i = 0;

	while (i < count) {
		size_t seg, off = 0;
		ssize_t n = recv_one(s, buf, sizeof(buf), &seg, RECV_MS);

		assert_true(n > 0);
		if (!seg)
			seg = (size_t)n;
		for (; off < (size_t)n; off += seg, i++) {
			size_t len = (size_t)n - off < seg ? (size_t)n - off : seg;

			assert_true(i < count);
			assert_int_equal(len, lens[i]);
			assert_int_equal(buf[off], 'A' + (int)(first + i));
			assert_int_equal(buf[off + len - 1], 'A' + (int)(first + i));
		}
	}
	assert_int_equal(recv_one(s, buf, sizeof(buf), &(size_t){0}, 20), -1);
}

/*
 * Whether a run sent to rx arrives whole: over loopback it does unless the device's
 * tx-udp-segmentation is off (ethtool -K lo), in which case the kernel cuts runs before the
 * device and every receiver gets datagrams.
 */
static bool runs_kept(struct sock *tx, struct sock *rx)
{
	static struct udp_sendq q;
	static const size_t lens[] = {10, 10};
	uint8_t buf[64];
	size_t seg;
	ssize_t n;

	add(&q, 0, 10, rx);
	add(&q, 1, 10, rx);
	assert_int_equal(udp_sendq_flush(&q, tx->fd, true, NULL), 0);
	n = recv_one(rx, buf, sizeof(buf), &seg, RECV_MS);
	assert_true(n == 20 || n == 10);
	if (n == 20) {
		assert_int_equal(seg, 10);
		return true;
	}
	expect(rx, 1, lens + 1, 1);
	return false;
}

static void test_runs(void **state)
{
	static struct udp_sendq q;
	static const size_t lens1[] = {100, 100, 100, 40, 100, 150, 150};
	static const char letters1[] = "ABCDGHI";
	static const size_t lens2[] = {100, 100};
	static uint8_t buf[UDP_RX_BUF_LEN];
	struct sock tx, r1, r2;
	size_t seg, bytes;
	ssize_t n;

	(void)state;
	sock_open(&tx);
	sock_open(&r1);
	sock_open(&r2);
	if (!tx.gso || !r1.gro)
		skip(); /* a kernel without UDP GSO/GRO */
	/* r1: 100 100 100 40 | 100 | 150 150 (a longer datagram starts a new run); r2 between. */
	for (unsigned i = 0; i < 4; i++)
		add(&q, i, lens1[i], &r1);
	add(&q, 4, lens2[0], &r2);
	add(&q, 5, lens2[1], &r2);
	add(&q, 6, lens1[4], &r1);
	add(&q, 7, lens1[5], &r1);
	add(&q, 8, lens1[6], &r1);
	assert_int_equal(udp_sendq_flush(&q, tx.fd, true, &bytes), 0);
	assert_int_equal(q.n, 0);
	assert_int_equal(bytes, 340 + 200 + 100 + 300);
	expect(&r2, 4, lens2, 2);
	if (!runs_kept(&tx, &r2)) {
		/* Runs cut before the device: each datagram arrives alone, in order. */
		for (unsigned i = 0; i < 7; i++) {
			n = recv_one(&r1, buf, sizeof(buf), &seg, RECV_MS);
			assert_int_equal(n, (ssize_t)lens1[i]);
			assert_int_equal(buf[0], letters1[i]);
		}
	} else {
		/* Each run arrives whole, with its segment size. */
		n = recv_one(&r1, buf, sizeof(buf), &seg, RECV_MS);
		assert_int_equal(n, 340);
		assert_int_equal(seg, 100);
		assert_int_equal(buf[339], 'D');
		n = recv_one(&r1, buf, sizeof(buf), &seg, RECV_MS);
		assert_int_equal(n, 100);
		assert_int_equal(buf[0], 'G');
		n = recv_one(&r1, buf, sizeof(buf), &seg, RECV_MS);
		assert_int_equal(n, 300);
		assert_int_equal(seg, 150);
	}
	assert_int_equal(recv_one(&r1, buf, sizeof(buf), &seg, 20), -1);
	close(tx.fd);
	close(r1.fd);
	close(r2.fd);
}

/* Without GSO every datagram is its own message; a receiver without GRO sees datagrams even
 * when the sender used runs (the kernel cuts them). */
static void test_without_offloads(void **state)
{
	static struct udp_sendq q;
	static const size_t lens[] = {200, 200, 200, 10};
	struct sock tx, rx;
	int zero = 0;
	size_t bytes;

	(void)state;
	sock_open(&tx);
	sock_open(&rx);
	for (unsigned i = 0; i < 4; i++)
		add(&q, i, lens[i], &rx);
	assert_int_equal(udp_sendq_flush(&q, tx.fd, false, &bytes), 0);
	assert_int_equal(bytes, 610);
	expect(&rx, 0, lens, 4);

	(void)setsockopt(rx.fd, IPPROTO_UDP, 104 /* UDP_GRO */, &zero, sizeof(zero));
	for (unsigned i = 0; i < 4; i++)
		add(&q, i, lens[i], &rx);
	assert_int_equal(udp_sendq_flush(&q, tx.fd, tx.gso, NULL), 0);
	for (unsigned i = 0; i < 4; i++) {
		uint8_t buf[512];
		size_t seg;

		assert_int_equal(recv_one(&rx, buf, sizeof(buf), &seg, RECV_MS), (ssize_t)lens[i]);
		assert_int_equal(seg, 0);
		assert_int_equal(buf[0], 'A' + (int)i);
	}
	close(tx.fd);
	close(rx.fd);
}

/* A connected socket takes NULL destinations; an unconnected one refuses them, and each
 * refused datagram is counted once, with or without GSO; the queue is empty after. */
static void test_connected_and_refused(void **state)
{
	static struct udp_sendq q;
	static const size_t lens[] = {64, 64, 64};
	struct sock tx, rx, lone;

	(void)state;
	sock_open(&tx);
	sock_open(&rx);
	sock_open(&lone);
	assert_int_equal(connect(tx.fd, (struct sockaddr *)&rx.addr, sizeof(struct sockaddr_in)),
			 0);
	for (unsigned i = 0; i < 3; i++)
		add(&q, i, lens[i], NULL);
	assert_int_equal(udp_sendq_flush(&q, tx.fd, tx.gso, NULL), 0);
	expect(&rx, 0, lens, 3);

	for (int gso = 0; gso < 2; gso++) {
		for (unsigned i = 0; i < 3; i++)
			add(&q, i, lens[i], NULL);
		add(&q, 3, 64, &rx);
		assert_int_equal(udp_sendq_flush(&q, lone.fd, gso && lone.gso, NULL), 3);
		assert_int_equal(q.n, 0);
		expect(&rx, 3, lens, 1);
	}
	close(tx.fd);
	close(rx.fd);
	close(lone.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_runs),
	    cmocka_unit_test(test_without_offloads),
	    cmocka_unit_test(test_connected_and_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
