/* SPDX-License-Identifier: MIT */
/*
 * Per-packet cost of the gateway's data path without the kernel: the TX pipeline (adapter
 * packet -> sealed SCION/UDP datagram in a batch buffer: tx_data_seal, what
 * seg_peer_send_data runs before its sendmmsg) and the RX pipeline (datagram -> SCION and
 * UDP decode, checksum, session lookup, AEAD open, replay window, delivery to the adapter:
 * rx_mmsg_input, what rx_socket_ready runs after its recvmmsg), next to the bare AEAD (EVP
 * seal/open of the same plaintext with a reused context, as transport.c calls it).
 *
 * Two real gateways, A (127.0.0.1) and B (127.0.0.2), in one AS (the empty path, MTU 1500)
 * with an in-process daemon, run their handshake on loopback; then the loop stops and the
 * benchmark seals batches of 32 adapter packets on A and feeds the datagrams to B's RX, in
 * the same thread. Every packet must reach B's adapter, or the run fails.
 *
 *   pps                                   table: both ciphers, 64/512/1400 bytes
 *   pps --count N --size S --cipher C     N packets each way, no output but a check line
 *                                         (for valgrind --tool=callgrind: instructions per
 *                                         packet = inclusive cost of bench_tx_batch,
 *                                         bench_rx_batch, bench_aead_seal_batch,
 *                                         bench_aead_open_batch, divided by N)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "base/log.h"
#include "bench_gw.h"
#include "gateway/datapath.h"
#include "gateway/protocol.h"

enum {
	BATCH = UNDERLAY_BATCH,
	MAX_SIZE = 1400,
	PATH_MTU = 1500,
	TIMED_PACKETS = 64 * 1024,
	REPEATS = 3,
	WARMUP_PACKETS = 4 * 1024,
};

struct counting_adapter {
	uint64_t packets, bytes;
};

static void count_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n)
{
	struct counting_adapter *c = ctx;

	(void)peer;
	for (size_t i = 0; i < n; i++) {
		c->packets++;
		c->bytes += pkts[i].len;
	}
}

static const struct seg_adapter_ops count_ops = {.name = "bench", .ingress = count_ingress};

struct env {
	struct bench_daemon d;
	struct evloop *loop;
	struct gateway *a, *b;
	struct seg_peer *a_to_b;
	struct counting_adapter ca, cb;
	struct sockaddr_storage a_addr;
	struct underlay_batch txb;
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint8_t payload[MAX_SIZE];
	struct seg_buf pkts[BATCH];
	/* The bare AEAD's buffers: 16-byte header (AAD), plaintext, tag. */
	EVP_CIPHER_CTX *seal, *open;
	uint8_t *aead_bufs;
};

static bool both_up(void *arg)
{
	struct env *e = arg;

	return e->a_to_b && seg_peer_is_up(e->a_to_b) && e->cb.packets > 0;
}

/* Sends one packet A -> B through the sockets each tick until B's adapter saw one: then
 * both sessions are confirmed and the routes are in place. */
static bool first_delivered(void *arg)
{
	struct env *e = arg;
	struct seg_buf b = {.data = e->payload, .len = 64};

	if (e->a_to_b && seg_peer_is_up(e->a_to_b) && e->cb.packets == 0) {
		int sent = seg_peer_send_data(e->a_to_b, &b, 1); /* retried on the next tick */

		(void)sent;
	}
	return both_up(e);
}

static void env_up(struct env *e, const char *cipher)
{
	struct gateway_opts opts = {.daemon_timeout_ms = 2000};
	uint16_t base = (uint16_t)(40000 + (getpid() % 4000) * 4);
	char remotes[256];
	struct scion_addr b_addr;
	struct sockaddr_in *sa = (struct sockaddr_in *)&e->a_addr;

	memset(e, 0, sizeof(*e));
	bench_daemon_start(&e->d, PATH_MTU);
	e->loop = evloop_new();
	if (!e->loop)
		bench_die("evloop_new");
	opts.loop = e->loop;
	snprintf(remotes, sizeof(remotes), "  - address: %s,127.0.0.2:%u\n", BENCH_IA_STR,
		 base + 1);
	e->a = bench_gateway_new("127.0.0.1", base, &e->d, cipher, remotes, &opts);
	snprintf(remotes, sizeof(remotes), "  - address: %s,127.0.0.1:%u\n", BENCH_IA_STR, base);
	e->b = bench_gateway_new("127.0.0.2", (uint16_t)(base + 1), &e->d, cipher, remotes, &opts);
	if (seg_gateway_adapter_register(e->a, &count_ops, &e->ca) != 0 ||
	    seg_gateway_adapter_register(e->b, &count_ops, &e->cb) != 0 || gateway_run(e->a) != 0 ||
	    gateway_run(e->b) != 0)
		bench_die("gateways did not start");
	if (scion_addr_parse(BENCH_IA_STR ",127.0.0.2", &b_addr) != 0)
		bench_die("address");
	e->a_to_b = seg_gateway_peer_by_addr(e->a, &b_addr);
	if (!bench_run_until(e->loop, first_delivered, e, 10000))
		bench_die("gateways did not come up within 10 s");
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(0x7f000001);
	sa->sin_port = htons(base);
	if (underlay_batch_init(&e->txb) != 0)
		bench_die("no memory");
	for (size_t i = 0; i < sizeof(e->payload); i++)
		e->payload[i] = (uint8_t)(i * 7 + 1);
	e->aead_bufs = malloc((size_t)BATCH * (SEG_TRANSPORT_OVERHEAD + MAX_SIZE + 1));
	if (!e->aead_bufs)
		bench_die("no memory");
}

static void env_down(struct env *e)
{
	underlay_batch_free(&e->txb);
	free(e->aead_bufs);
	seg_peer_put(e->a_to_b);
	gateway_free(e->a);
	gateway_free(e->b);
	evloop_free(e->loop);
	bench_daemon_stop(&e->d);
}

static void aead_setup(struct env *e, const char *cipher)
{
	const EVP_CIPHER *c =
	    strcmp(cipher, "aes-256-gcm") == 0 ? EVP_aes_256_gcm() : EVP_chacha20_poly1305();
	uint8_t key[32];

	memset(key, 0x5a, sizeof(key));
	e->seal = EVP_CIPHER_CTX_new();
	e->open = EVP_CIPHER_CTX_new();
	if (!e->seal || !e->open || EVP_EncryptInit_ex(e->seal, c, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(e->seal, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_EncryptInit_ex(e->seal, NULL, NULL, key, NULL) != 1 ||
	    EVP_DecryptInit_ex(e->open, c, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(e->open, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1 ||
	    EVP_DecryptInit_ex(e->open, NULL, NULL, key, NULL) != 1)
		bench_die("EVP setup");
}

static void aead_teardown(struct env *e)
{
	EVP_CIPHER_CTX_free(e->seal);
	EVP_CIPHER_CTX_free(e->open);
}

/* ---- the four measured functions (noinline: callgrind reports them by name) ------------ */

__attribute__((noinline)) static void bench_tx_batch(struct env *e, size_t size)
{
	for (size_t i = 0; i < BATCH; i++) {
		e->pkts[i].data = e->payload;
		e->pkts[i].len = size;
	}
	if (tx_data_seal(e->a_to_b, &e->txb, e->pkts, BATCH) != BATCH || e->txb.q.n != BATCH)
		bench_die("TX sealed fewer than %d packets", BATCH);
}

__attribute__((noinline)) static void bench_rx_batch(struct env *e)
{
	for (size_t i = 0; i < BATCH; i++) {
		e->iov[i] = e->txb.q.iov[i];
		memset(&e->msgs[i], 0, sizeof(e->msgs[i]));
		e->msgs[i].msg_hdr.msg_iov = &e->iov[i];
		e->msgs[i].msg_hdr.msg_iovlen = 1;
		e->msgs[i].msg_hdr.msg_name = &e->a_addr;
		e->msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
		e->msgs[i].msg_len = (unsigned)e->iov[i].iov_len;
	}
	rx_mmsg_input(e->b, e->msgs, BATCH);
	e->txb.q.n = 0; /* what the sendmmsg would have done */
}

static void nonce_of(uint8_t nonce[12], uint64_t counter)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (56 - 8 * i));
}

__attribute__((noinline)) static void bench_aead_seal_batch(struct env *e, size_t size,
							    uint64_t *counter)
{
	size_t stride = SEG_TRANSPORT_OVERHEAD + MAX_SIZE + 1, plain = size + 1;

	for (size_t i = 0; i < BATCH; i++) {
		uint8_t *hdr = e->aead_bufs + i * stride, *body = hdr + SEG_TRANSPORT_HEADER_LEN;
		uint8_t nonce[12];
		int n, fin;

		nonce_of(nonce, (*counter)++);
		memcpy(hdr, nonce, 12); /* the receiver's "header" carries the counter */
		memset(hdr + 12, 0, 4);
		memcpy(body, e->payload, size);
		body[size] = 0;
		if (EVP_EncryptInit_ex(e->seal, NULL, NULL, NULL, nonce) != 1 ||
		    EVP_EncryptUpdate(e->seal, NULL, &n, hdr, SEG_TRANSPORT_HEADER_LEN) != 1 ||
		    EVP_EncryptUpdate(e->seal, body, &n, body, (int)plain) != 1 ||
		    EVP_EncryptFinal_ex(e->seal, body + n, &fin) != 1 ||
		    EVP_CIPHER_CTX_ctrl(e->seal, EVP_CTRL_AEAD_GET_TAG, 16, body + plain) != 1)
			bench_die("EVP seal");
	}
}

__attribute__((noinline)) static void bench_aead_open_batch(struct env *e, size_t size)
{
	size_t stride = SEG_TRANSPORT_OVERHEAD + MAX_SIZE + 1, plain = size + 1;

	for (size_t i = 0; i < BATCH; i++) {
		uint8_t *hdr = e->aead_bufs + i * stride, *body = hdr + SEG_TRANSPORT_HEADER_LEN;
		int n, fin;

		if (EVP_DecryptInit_ex(e->open, NULL, NULL, NULL, hdr) != 1 ||
		    EVP_CIPHER_CTX_ctrl(e->open, EVP_CTRL_AEAD_SET_TAG, 16, body + plain) != 1 ||
		    EVP_DecryptUpdate(e->open, NULL, &n, hdr, SEG_TRANSPORT_HEADER_LEN) != 1 ||
		    EVP_DecryptUpdate(e->open, body, &n, body, (int)plain) != 1 ||
		    EVP_DecryptFinal_ex(e->open, body + n, &fin) != 1)
			bench_die("EVP open: tag mismatch");
	}
}

/* ---- driving ------------------------------------------------------------------------------ */

struct result {
	double tx_ns, rx_ns, seal_ns, open_ns; /* per packet */
};

/* count packets (a multiple of BATCH) each way; per-packet times in *r when r != NULL. */
static void run(struct env *e, size_t size, size_t count, uint64_t *counter, struct result *r)
{
	uint64_t tx = 0, rx = 0, seal = 0, open = 0, before = e->cb.packets;

	for (size_t done = 0; done < count; done += BATCH) {
		uint64_t t0 = bench_now_ns(), t1, t2, t3, t4;

		bench_tx_batch(e, size);
		t1 = bench_now_ns();
		bench_rx_batch(e);
		t2 = bench_now_ns();
		bench_aead_seal_batch(e, size, counter);
		t3 = bench_now_ns();
		bench_aead_open_batch(e, size);
		t4 = bench_now_ns();
		tx += t1 - t0;
		rx += t2 - t1;
		seal += t3 - t2;
		open += t4 - t3;
	}
	if (e->cb.packets - before != count)
		bench_die("B's adapter got %llu of %zu packets (drops on the RX path)",
			  (unsigned long long)(e->cb.packets - before), count);
	if (r) {
		r->tx_ns = (double)tx / (double)count;
		r->rx_ns = (double)rx / (double)count;
		r->seal_ns = (double)seal / (double)count;
		r->open_ns = (double)open / (double)count;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median3(double a, double b, double c)
{
	double v[3] = {a, b, c};

	qsort(v, 3, sizeof(v[0]), cmp_double);
	return v[1];
}

static void table(void)
{
	static const char *const ciphers[] = {"aes-256-gcm", "chacha20-poly1305"};
	static const size_t sizes[] = {64, 512, 1400};

	printf("%-18s %5s %9s %8s %9s %8s %9s %9s %7s %7s\n", "cipher", "bytes", "TX ns/pkt",
	       "TX Mpps", "RX ns/pkt", "RX Mpps", "seal ns", "open ns", "TX/seal", "RX/open");
	for (size_t c = 0; c < 2; c++) {
		struct env *e = calloc(1, sizeof(*e));
		uint64_t counter = 0;

		if (!e)
			bench_die("no memory");
		env_up(e, ciphers[c]);
		aead_setup(e, ciphers[c]);
		for (size_t s = 0; s < 3; s++) {
			struct result r[REPEATS], m;

			run(e, sizes[s], WARMUP_PACKETS, &counter, NULL);
			for (int k = 0; k < REPEATS; k++)
				run(e, sizes[s], TIMED_PACKETS, &counter, &r[k]);
			m.tx_ns = median3(r[0].tx_ns, r[1].tx_ns, r[2].tx_ns);
			m.rx_ns = median3(r[0].rx_ns, r[1].rx_ns, r[2].rx_ns);
			m.seal_ns = median3(r[0].seal_ns, r[1].seal_ns, r[2].seal_ns);
			m.open_ns = median3(r[0].open_ns, r[1].open_ns, r[2].open_ns);
			printf("%-18s %5zu %9.0f %8.2f %9.0f %8.2f %9.0f %9.0f %6.2fx %6.2fx\n",
			       ciphers[c], sizes[s], m.tx_ns, 1e3 / m.tx_ns, m.rx_ns, 1e3 / m.rx_ns,
			       m.seal_ns, m.open_ns, m.tx_ns / m.seal_ns, m.rx_ns / m.open_ns);
			fflush(stdout);
		}
		aead_teardown(e);
		env_down(e);
		free(e);
	}
}

int main(int argc, char **argv)
{
	seg_log_set_level(SEG_LOG_ERROR);
	if (argc == 1) {
		table();
		return 0;
	}
	if (argc == 7 && strcmp(argv[1], "--count") == 0 && strcmp(argv[3], "--size") == 0 &&
	    strcmp(argv[5], "--cipher") == 0) {
		size_t count = strtoul(argv[2], NULL, 10), size = strtoul(argv[4], NULL, 10);
		struct env *e = calloc(1, sizeof(*e));
		uint64_t counter = 0;

		if (!e || count == 0 || count % BATCH || size == 0 || size > MAX_SIZE)
			bench_die("pps: COUNT a multiple of %d, 1 <= SIZE <= %d", BATCH, MAX_SIZE);
		env_up(e, argv[6]);
		aead_setup(e, argv[6]);
		run(e, size, count, &counter, NULL);
		printf("ok %zu packets of %zu bytes each way\n", count, size);
		aead_teardown(e);
		env_down(e);
		free(e);
		return 0;
	}
	fprintf(stderr,
		"usage: pps | pps --count N --size S --cipher aes-256-gcm|chacha20-poly1305\n");
	return 2;
}
