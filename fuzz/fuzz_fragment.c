/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes fragmentation: the header decoder (a decoded header re-encodes to the same
 * bytes), reassembly fed fuzzer-chosen fragment sequences from two peers sharing a small
 * pool (bounds hold, nothing leaks from the pool), and split-then-reassemble in a
 * fuzzer-chosen order (exactly one delivery, bytes intact).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/fragment.h"

static struct frag_pool pool;
static bool pool_ready;

static void count_deliver(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)pkt;
	if (len == 0 || len > FRAG_PKT_MAX)
		abort();
	(*(unsigned *)ctx)++;
}

static uint8_t take(const uint8_t **p, size_t *n)
{
	uint8_t v = 0;

	if (*n) {
		v = **p;
		(*p)++;
		(*n)--;
	}
	return v;
}

static void decode_roundtrip(const uint8_t *data, size_t size)
{
	struct frag_header h;
	uint8_t out[FRAG_HDR_LEN];

	if (frag_header_decode(data, size, &h) != 0)
		return;
	if (frag_header_encode(&h, out, sizeof(out)) != 0 || memcmp(out, data, FRAG_HDR_LEN) ||
	    size != FRAG_HDR_LEN + (size_t)h.len || h.size == 0)
		abort();
}

/* Ops: [peer and time step] [length] [fragment bytes...], or an expiry. */
static void run_reasm(const uint8_t *p, size_t n)
{
	struct frag_reasm r[2];
	uint64_t now = 1;
	unsigned delivered = 0;

	frag_reasm_init(&r[0], &pool);
	frag_reasm_init(&r[1], &pool);
	while (n) {
		uint8_t op = take(&p, &n);
		size_t len = take(&p, &n);
		now += (uint64_t)(op >> 2) * 50000000ull;
		if ((op & 3) == 3) {
			(void)frag_reasm_expire(&r[op >> 7], now);
			continue;
		}
		if (op & 2)
			len = len << 4 | take(&p, &n);
		if (len > n)
			len = n;
		(void)frag_reasm_input(&r[op & 1], p, len, now, count_deliver, &delivered);
		p += len;
		n -= len;
		for (int i = 0; i < 2; i++)
			if (frag_reasm_pending(&r[i]) > FRAG_SLOTS_PER_PEER)
				abort();
	}
	frag_reasm_free(&r[0]);
	frag_reasm_free(&r[1]);
	if (pool.nfree != pool.nchunks)
		abort();
}

struct frags {
	unsigned n;
	size_t len[FRAG_COUNT_MAX];
	uint8_t buf[FRAG_COUNT_MAX][FRAG_HDR_LEN + 1024];
};

static int collect(void *ctx, const uint8_t *hdr, size_t hdr_len, const uint8_t *data,
		   size_t data_len)
{
	struct frags *f = ctx;

	if (f->n == FRAG_COUNT_MAX || hdr_len + data_len > sizeof(f->buf[0]))
		abort();
	memcpy(f->buf[f->n], hdr, hdr_len);
	memcpy(f->buf[f->n] + hdr_len, data, data_len);
	f->len[f->n++] = hdr_len + data_len;
	return 0;
}

static const uint8_t *expect;
static size_t expect_len;

static void check_deliver(void *ctx, const uint8_t *pkt, size_t len)
{
	if (len != expect_len || memcmp(pkt, expect, len) != 0)
		abort();
	(*(unsigned *)ctx)++;
}

/* [max payload] [order seed] [packet...] */
static void run_split(const uint8_t *p, size_t n)
{
	static struct frags f;
	struct frag_reasm r;
	size_t max_payload = FRAG_HDR_LEN + 1 + take(&p, &n) * 4u;
	uint8_t seed = take(&p, &n);
	unsigned delivered = 0, order[FRAG_COUNT_MAX];
	int count;

	f.n = 0;
	count = frag_split(p, n, max_payload, 7, collect, &f);
	if (count < 0)
		return;
	for (unsigned i = 0; i < f.n; i++)
		order[i] = i;
	for (unsigned i = f.n; i > 1; i--) { /* a permutation from the seed */
		unsigned j = (unsigned)((seed * 31u + i * 17u) % i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	expect = p;
	expect_len = n;
	frag_reasm_init(&r, &pool);
	for (unsigned i = 0; i < f.n; i++)
		if (frag_reasm_input(&r, f.buf[order[i]], f.len[order[i]], 1, check_deliver,
				     &delivered) != 0)
			abort();
	if (delivered != 1 || (unsigned)count != f.n)
		abort();
	frag_reasm_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!pool_ready) {
		if (frag_pool_init(&pool, 16 * FRAG_CHUNK_LEN) != 0)
			abort();
		pool_ready = true;
	}
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		decode_roundtrip(data + 1, size - 1);
		break;
	case 1:
		run_reasm(data + 1, size - 1);
		break;
	default:
		if (size - 1 <= 16 * FRAG_CHUNK_LEN)
			run_split(data + 1, size - 1);
		break;
	}
	return 0;
}
