/* SPDX-License-Identifier: MIT */
/*
 * Fragmentation and reassembly: every size around the boundaries in every order, and
 * malicious sequences (overlaps, changing totals, out-of-range indexes, thousands of ids,
 * budget exhaustion, timeouts) against the bounds and counters of fragment.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/fragment.h"

#define MS(x) ((uint64_t)(x)*1000000ull)

/* Fragments captured from frag_split(), each header + data. */
struct capture {
	unsigned n;
	size_t max_payload;
	size_t len[FRAG_COUNT_MAX];
	uint8_t buf[FRAG_COUNT_MAX][FRAG_HDR_LEN + FRAG_PKT_MAX];
};

static int capture_emit(void *ctx, const uint8_t *hdr, size_t hdr_len, const uint8_t *data,
			size_t data_len)
{
	struct capture *c = ctx;

	assert_true(c->n < FRAG_COUNT_MAX);
	assert_int_equal(hdr_len, FRAG_HDR_LEN);
	assert_true(hdr_len + data_len <= c->max_payload);
	memcpy(c->buf[c->n], hdr, hdr_len);
	memcpy(c->buf[c->n] + hdr_len, data, data_len);
	c->len[c->n++] = hdr_len + data_len;
	return 0;
}

/* Packets delivered: a copy of the last and a count. */
struct sink {
	unsigned count;
	size_t len;
	uint8_t pkt[FRAG_PKT_MAX];
};

static void sink_deliver(void *ctx, const uint8_t *pkt, size_t len)
{
	struct sink *s = ctx;

	s->count++;
	s->len = len;
	memcpy(s->pkt, pkt, len);
}

static uint64_t prng_state;

static uint64_t prng(void)
{
	uint64_t z = (prng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)((i * 131u + seed * 7u + (i >> 8)) ^ seed);
}

struct fixture {
	struct frag_pool pool;
	struct frag_reasm r;
	struct capture cap;
	struct sink sink;
	uint8_t pkt[FRAG_PKT_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(frag_pool_init(&f->pool, FRAG_BUDGET_DEFAULT), 0);
	frag_reasm_init(&f->r, &f->pool);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	frag_reasm_free(&f->r);
	assert_int_equal(f->pool.nfree, f->pool.nchunks); /* nothing leaked from the pool */
	frag_pool_free(&f->pool);
	free(f);
	return 0;
}

static int split(struct fixture *f, size_t len, size_t max_payload, uint32_t id)
{
	f->cap.n = 0;
	f->cap.max_payload = max_payload;
	fill(f->pkt, len, id);
	return frag_split(f->pkt, len, max_payload, id, capture_emit, &f->cap);
}

/* Feeds the captured fragments in the order given; checks one delivery at the end only. */
static void feed_order(struct fixture *f, const unsigned *order, size_t len, uint64_t now)
{
	unsigned before = f->sink.count;

	for (unsigned i = 0; i < f->cap.n; i++) {
		unsigned k = order[i];
		assert_int_equal(frag_reasm_input(&f->r, f->cap.buf[k], f->cap.len[k], now,
						  sink_deliver, &f->sink),
				 0);
		assert_int_equal(f->sink.count, before + (i + 1 == f->cap.n));
	}
	assert_int_equal(f->sink.len, len);
	assert_memory_equal(f->sink.pkt, f->pkt, len);
	assert_int_equal(frag_reasm_pending(&f->r), 0);
}

static void test_roundtrip_sizes(void **state)
{
	struct fixture *f = *state;
	const size_t payloads[] = {
	    FRAG_HDR_LEN + 1, FRAG_HDR_LEN + 2, 100, 1024 + FRAG_HDR_LEN, 1280, 1500, 9000, 70000};
	uint32_t id = 1;

	prng_state = 1;
	for (size_t p = 0; p < sizeof(payloads) / sizeof(payloads[0]); p++) {
		size_t room = payloads[p] - FRAG_HDR_LEN;
		size_t sizes[] = {1,
				  2,
				  3,
				  room - 1,
				  room,
				  room + 1,
				  2 * room - 1,
				  2 * room,
				  2 * room + 1,
				  63 * room,
				  64 * room - 1,
				  64 * room,
				  64 * room + 1,
				  FRAG_PKT_MAX,
				  1023,
				  1024,
				  1025,
				  4097};
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t len = sizes[s];
			unsigned order[FRAG_COUNT_MAX];
			int n;
			if (len == 0 || len > FRAG_PKT_MAX)
				continue;
			n = split(f, len, payloads[p], id);
			if ((len + room - 1) / room > FRAG_COUNT_MAX) {
				assert_int_equal(n, -EMSGSIZE);
				continue;
			}
			assert_int_equal(n, (int)((len + room - 1) / room));
			/* in order, reversed, shuffled */
			for (unsigned i = 0; i < (unsigned)n; i++)
				order[i] = i;
			feed_order(f, order, len, MS(1));
			split(f, len, payloads[p], ++id);
			for (unsigned i = 0; i < (unsigned)n; i++)
				order[i] = (unsigned)n - 1 - i;
			feed_order(f, order, len, MS(2));
			split(f, len, payloads[p], ++id);
			for (unsigned i = (unsigned)n; i > 1; i--) {
				unsigned j = (unsigned)(prng() % i), t = order[i - 1];
				order[i - 1] = order[j];
				order[j] = t;
			}
			feed_order(f, order, len, MS(3));
			id++;
		}
	}
	assert_int_equal(f->r.stats.drops[FRAG_DROP_DUPLICATE], 0);
}

static void test_split_shape(void **state)
{
	struct fixture *f = *state;
	struct frag_header h;

	assert_int_equal(frag_split(f->pkt, 0, 1500, 1, capture_emit, &f->cap), -EINVAL);
	assert_int_equal(frag_split(f->pkt, FRAG_PKT_MAX + 1, 70000, 1, capture_emit, &f->cap),
			 -EINVAL);
	assert_int_equal(frag_split(f->pkt, 100, FRAG_HDR_LEN, 1, capture_emit, &f->cap),
			 -EMSGSIZE);
	/* 2001 bytes in 1000-byte rooms: three balanced fragments of 667, 667, 667. */
	assert_int_equal(split(f, 2001, 1000 + FRAG_HDR_LEN, 9), 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(frag_header_decode(f->cap.buf[i], f->cap.len[i], &h), 0);
		assert_int_equal(h.id, 9);
		assert_int_equal(h.index, i);
		assert_int_equal(h.count, 3);
		assert_int_equal(h.total, 2001);
		assert_int_equal(h.offset, 667 * i);
		assert_int_equal(h.len, 667);
		assert_int_equal(h.size, 667);
	}
}

static int fail_emit(void *ctx, const uint8_t *hdr, size_t hdr_len, const uint8_t *data,
		     size_t data_len)
{
	(void)hdr, (void)hdr_len, (void)data, (void)data_len;
	(*(int *)ctx)++;
	return -EAGAIN;
}

static void test_split_emit_error(void **state)
{
	struct fixture *f = *state;
	int calls = 0;

	assert_int_equal(frag_split(f->pkt, 5000, 1500, 1, fail_emit, &calls), -EAGAIN);
	assert_int_equal(calls, 1);
}

/* Builds a fragment by hand: header fields as given, len bytes of data. */
static size_t craft(uint8_t *buf, uint32_t id, uint8_t index, uint8_t count, uint16_t total,
		    uint16_t offset, uint16_t len)
{
	struct frag_header h = {
	    .id = id, .index = index, .count = count, .total = total, .offset = offset, .len = len};

	assert_int_equal(frag_header_encode(&h, buf, FRAG_HDR_LEN), 0);
	memset(buf + FRAG_HDR_LEN, 0xab, len);
	return FRAG_HDR_LEN + (size_t)len;
}

static void test_decode_rejects(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[FRAG_HDR_LEN + 4000];
	struct frag_header h;
	const struct {
		uint8_t index, count;
		uint16_t total, offset, len;
		int err;
	} cases[] = {
	    {0, 0, 100, 0, 100, FRAG_ERR_BAD_COUNT},
	    {0, FRAG_COUNT_MAX + 1, 3000, 0, 10, FRAG_ERR_BAD_COUNT},
	    {3, 3, 3000, 3000, 0, FRAG_ERR_INDEX},
	    {9, 3, 3000, 0, 1000, FRAG_ERR_INDEX},
	    {0, 3, 2, 0, 1, FRAG_ERR_TOTAL},
	    {0, 3, 3000, 0, 0, FRAG_ERR_EMPTY},
	    {1, 3, 3000, 2500, 1000, FRAG_ERR_OFFSET}, /* beyond total */
	    {1, 3, 3000, 500, 1000, FRAG_ERR_OFFSET},  /* overlapping fragment 0 */
	    {0, 3, 3000, 0, 900, FRAG_ERR_OFFSET},     /* 3 x 900 < total */
	    {0, 3, 3000, 0, 1500, FRAG_ERR_OFFSET},    /* 2 x 1500 = total: 2 would do */
	    {2, 3, 3000, 2000, 999, FRAG_ERR_OFFSET},  /* last does not end the packet */
	    {2, 3, 3001, 2001, 1000, FRAG_ERR_OFFSET}, /* offset not a multiple */
	    {2, 3, 3000, 1000, 2000, FRAG_ERR_OFFSET}, /* last longer than the others */
	    {0, 1, 100, 1, 99, FRAG_ERR_OFFSET},       /* single but not at 0 */
	    {0, 1, 100, 0, 100, 0},
	    {2, 3, 3000, 2000, 1000, 0},
	    {2, 3, 2001, 1334, 667, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = craft(buf, 7, cases[i].index, cases[i].count, cases[i].total,
				 cases[i].offset, cases[i].len);
		assert_int_equal(frag_header_decode(buf, n, &h), cases[i].err);
	}
	/* truncated header, data shorter than declared, trailing bytes */
	size_t n = craft(buf, 7, 0, 1, 100, 0, 100);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(frag_header_decode(buf, cut, &h), FRAG_ERR_TRUNCATED);
	assert_int_equal(frag_header_decode(buf, n + 1, &h), FRAG_ERR_TRAILING);
	/* through the reassembler: each counted under its reason */
	assert_int_equal(frag_reasm_input(&f->r, buf, n + 1, MS(1), sink_deliver, &f->sink),
			 FRAG_ERR_TRAILING);
	assert_int_equal(frag_reasm_input(&f->r, buf, 3, MS(1), sink_deliver, &f->sink),
			 FRAG_ERR_TRUNCATED);
	assert_int_equal(f->r.stats.drops[FRAG_DROP_TRAILING], 1);
	assert_int_equal(f->r.stats.drops[FRAG_DROP_TRUNCATED], 1);
	assert_int_equal(f->sink.count, 0);
	assert_string_equal(frag_drop_name(FRAG_DROP_SIZE),
			    "fragment size changed within a packet (overlap)");
}

static void test_malicious_sequences(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[FRAG_HDR_LEN + 4000];
	size_t n;

#define IN(...) frag_reasm_input(&f->r, buf, craft(buf, __VA_ARGS__), MS(5), sink_deliver, &f->sink)
	/* packet 1: 3000 bytes in fragments of 1000 */
	assert_int_equal(IN(1, 0, 3, 3000, 0, 1000), 0);
	assert_int_equal(IN(1, 0, 3, 3000, 0, 1000), FRAG_ERR_DUPLICATE);
	assert_int_equal(IN(1, 1, 3, 3001, 1001, 1001), FRAG_ERR_MISMATCH); /* total changes */
	assert_int_equal(IN(1, 1, 4, 3000, 750, 750), FRAG_ERR_MISMATCH);   /* count changes */
	assert_int_equal(IN(1, 1, 3, 3000, 1200, 1200), FRAG_ERR_SIZE);	    /* overlaps 2 */
	assert_int_equal(IN(1, 2, 3, 3000, 2200, 800), FRAG_ERR_SIZE);	    /* gap after 1 */
	assert_int_equal(IN(1, 3, 3, 3000, 3000, 1), FRAG_ERR_INDEX);
	assert_int_equal(f->sink.count, 0);
	assert_int_equal(IN(1, 2, 3, 3000, 2000, 1000), 0);
	assert_int_equal(IN(1, 2, 3, 3000, 2000, 1000), FRAG_ERR_DUPLICATE);
	assert_int_equal(IN(1, 1, 3, 3000, 1000, 1000), 0);
	assert_int_equal(f->sink.count, 1);
	assert_int_equal(f->sink.len, 3000);
	assert_int_equal(f->r.stats.drops[FRAG_DROP_DUPLICATE], 2);
	assert_int_equal(f->r.stats.drops[FRAG_DROP_MISMATCH], 2);
	assert_int_equal(f->r.stats.drops[FRAG_DROP_SIZE], 2);
	assert_int_equal(f->r.stats.drops[FRAG_DROP_INDEX], 1);
	assert_int_equal(f->r.stats.fragments, 3);
	assert_int_equal(f->r.stats.delivered, 1);
	/* a late duplicate of a delivered packet opens a reassembly that then times out */
	n = craft(buf, 1, 0, 3, 3000, 0, 1000);
	assert_int_equal(frag_reasm_input(&f->r, buf, n, MS(6), sink_deliver, &f->sink), 0);
	assert_int_equal(frag_reasm_pending(&f->r), 1);
	assert_int_equal(frag_reasm_expire(&f->r, MS(6) + MS(FRAG_TIMEOUT_MS)), 1);
	assert_int_equal(f->sink.count, 1);
#undef IN
}

static void test_exhaust_slots(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[FRAG_HDR_LEN + 100];
	const unsigned ids = 5000;

	/* The first halves of thousands of two-fragment packets. */
	for (unsigned id = 0; id < ids; id++) {
		size_t n = craft(buf, id, 0, 2, 200, 0, 100);
		assert_int_equal(
		    frag_reasm_input(&f->r, buf, n, MS(1) + id, sink_deliver, &f->sink), 0);
		assert_true(frag_reasm_pending(&f->r) <= FRAG_SLOTS_PER_PEER);
	}
	assert_int_equal(frag_reasm_pending(&f->r), FRAG_SLOTS_PER_PEER);
	assert_int_equal(f->r.stats.evicted_slots, ids - FRAG_SLOTS_PER_PEER);
	assert_int_equal(f->pool.nchunks - f->pool.nfree, FRAG_SLOTS_PER_PEER);
	/* The oldest were evicted: the newest FRAG_SLOTS_PER_PEER complete. */
	for (unsigned id = ids - FRAG_SLOTS_PER_PEER; id < ids; id++) {
		size_t n = craft(buf, id, 1, 2, 200, 100, 100);
		assert_int_equal(frag_reasm_input(&f->r, buf, n, MS(2), sink_deliver, &f->sink), 0);
	}
	assert_int_equal(f->sink.count, FRAG_SLOTS_PER_PEER);
	assert_int_equal(frag_reasm_pending(&f->r), 0);
	/* An evicted one's second half starts afresh and does not complete. */
	size_t n = craft(buf, 0, 1, 2, 200, 100, 100);
	assert_int_equal(frag_reasm_input(&f->r, buf, n, MS(3), sink_deliver, &f->sink), 0);
	assert_int_equal(f->sink.count, FRAG_SLOTS_PER_PEER);
	assert_int_equal(frag_reasm_pending(&f->r), 1);
	assert_int_equal(f->r.stats.evicted_budget, 0);
}

static void test_budget_across_peers(void **state)
{
	struct frag_pool pool;
	struct frag_reasm a, b;
	static struct sink sink;
	static uint8_t buf[FRAG_HDR_LEN + 5000];
	size_t n;

	(void)state;
	assert_int_equal(frag_pool_init(&pool, 0), -EINVAL);
	assert_int_equal(frag_pool_init(&pool, 8 * FRAG_CHUNK_LEN + 100), 0);
	assert_int_equal(pool.nchunks, 8);
	frag_reasm_init(&a, &pool);
	frag_reasm_init(&b, &pool);
	/* a: 5000 bytes (5 chunks); b: 4000 bytes (4 chunks) does not fit: a's goes */
	n = craft(buf, 1, 0, 2, 5000, 0, 2500);
	assert_int_equal(frag_reasm_input(&a, buf, n, MS(1), sink_deliver, &sink), 0);
	n = craft(buf, 1, 0, 2, 4000, 0, 2000);
	assert_int_equal(frag_reasm_input(&b, buf, n, MS(2), sink_deliver, &sink), 0);
	assert_int_equal(a.stats.evicted_budget, 1);
	assert_int_equal(frag_reasm_pending(&a), 0);
	assert_int_equal(frag_reasm_pending(&b), 1);
	n = craft(buf, 2, 0, 2, 3000, 0, 1500); /* 3 chunks: fits beside b's 4 */
	assert_int_equal(frag_reasm_input(&a, buf, n, MS(3), sink_deliver, &sink), 0);
	assert_int_equal(b.stats.evicted_budget, 0);
	n = craft(buf, 1, 1, 2, 4000, 2000, 2000);
	assert_int_equal(frag_reasm_input(&b, buf, n, MS(4), sink_deliver, &sink), 0);
	assert_int_equal(sink.count, 1);
	assert_int_equal(sink.len, 4000);
	/* larger than the whole budget */
	n = craft(buf, 3, 0, 2, 9000, 0, 4500);
	assert_int_equal(frag_reasm_input(&a, buf, n, MS(5), sink_deliver, &sink),
			 FRAG_ERR_TOO_BIG);
	assert_int_equal(a.stats.drops[FRAG_DROP_TOO_BIG], 1);
	assert_int_equal(frag_reasm_pending(&a), 1);
	frag_reasm_free(&a);
	frag_reasm_free(&b);
	assert_int_equal(pool.nfree, pool.nchunks);
	frag_pool_free(&pool);
}

static void test_timeouts(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[FRAG_HDR_LEN + 1000];
	size_t n;
	uint64_t t0 = MS(1000);

	assert_int_equal(frag_reasm_next_timeout(&f->r), UINT64_MAX);
	n = craft(buf, 5, 0, 2, 2000, 0, 1000);
	assert_int_equal(frag_reasm_input(&f->r, buf, n, t0, sink_deliver, &f->sink), 0);
	n = craft(buf, 6, 0, 2, 2000, 0, 1000);
	assert_int_equal(frag_reasm_input(&f->r, buf, n, t0 + MS(500), sink_deliver, &f->sink), 0);
	assert_int_equal(frag_reasm_next_timeout(&f->r), t0 + MS(FRAG_TIMEOUT_MS));
	assert_int_equal(frag_reasm_expire(&f->r, t0 + MS(FRAG_TIMEOUT_MS) - 1), 0);
	assert_int_equal(frag_reasm_expire(&f->r, t0 + MS(FRAG_TIMEOUT_MS)), 1);
	assert_int_equal(frag_reasm_next_timeout(&f->r), t0 + MS(500) + MS(FRAG_TIMEOUT_MS));
	assert_int_equal(f->r.stats.timeouts, 1);
	/* id 5's second half after the timeout: a fresh partial packet, nothing delivered */
	n = craft(buf, 5, 1, 2, 2000, 1000, 1000);
	assert_int_equal(frag_reasm_input(&f->r, buf, n, t0 + MS(1100), sink_deliver, &f->sink), 0);
	assert_int_equal(f->sink.count, 0);
	/* id 6 completes in time */
	n = craft(buf, 6, 1, 2, 2000, 1000, 1000);
	assert_int_equal(frag_reasm_input(&f->r, buf, n, t0 + MS(1400), sink_deliver, &f->sink), 0);
	assert_int_equal(f->sink.count, 1);
	/* input expires stale reassemblies on its own: the slot and its chunks come back */
	n = craft(buf, 7, 0, 2, 2000, 0, 1000);
	assert_int_equal(frag_reasm_input(&f->r, buf, n, t0 + MS(5000), sink_deliver, &f->sink), 0);
	assert_int_equal(frag_reasm_pending(&f->r), 1);
	assert_int_equal(f->r.stats.timeouts, 2);
	assert_int_equal(f->pool.nchunks - f->pool.nfree, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_roundtrip_sizes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_shape, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_emit_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decode_rejects, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malicious_sequences, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exhaust_slots, setup, teardown),
	    cmocka_unit_test(test_budget_across_peers),
	    cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
