/* SPDX-License-Identifier: MIT */
/* Path policy: table cases and a differential test of the ranking against a naive sort over
 * an explicit key tuple. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/pathpolicy.h"

#define MS 1000000ull

static struct pathpolicy_metrics mk(uint32_t hops, bool known, uint64_t srtt, uint64_t fp,
				    uint32_t id)
{
	return (struct pathpolicy_metrics){
	    .hops = hops,
	    .rtt_known = known,
	    .srtt_ns = srtt,
	    .fingerprint = fp,
	    .id = id,
	};
}

static void test_hops_order(void **state)
{
	struct pathpolicy_metrics a = mk(2, true, 90 * MS, 5, 1), b = mk(3, true, 1 * MS, 1, 2);

	(void)state;
	assert_true(pathpolicy_compare(PATHPOLICY_HOPS, &a, &b) < 0);
	assert_true(pathpolicy_compare(PATHPOLICY_HOPS, &b, &a) > 0);
	/* Equal hops: RTT is not consulted, the fingerprint decides. */
	b.hops = 2;
	assert_true(pathpolicy_compare(PATHPOLICY_HOPS, &a, &b) > 0);
	/* Equal fingerprints (a collision): the id decides. */
	b.fingerprint = 5;
	assert_true(pathpolicy_compare(PATHPOLICY_HOPS, &a, &b) < 0);
	assert_int_equal(pathpolicy_compare(PATHPOLICY_HOPS, &a, &a), 0);
}

static void test_latency_order(void **state)
{
	struct pathpolicy_metrics a = mk(5, true, 10 * MS, 9, 1), b = mk(2, true, 20 * MS, 1, 2),
				  c = mk(1, false, 0, 0, 3);

	(void)state;
	assert_true(pathpolicy_compare(PATHPOLICY_LATENCY, &a, &b) < 0);
	/* Unknown RTT after any known one, whatever the hops. */
	assert_true(pathpolicy_compare(PATHPOLICY_LATENCY, &b, &c) < 0);
	/* Equal RTT: fewer hops. */
	b.srtt_ns = 10 * MS;
	assert_true(pathpolicy_compare(PATHPOLICY_LATENCY, &b, &a) < 0);
}

static void test_worth_switch(void **state)
{
	struct pathpolicy_metrics cur = mk(3, true, 50 * MS, 1, 1),
				  cand = mk(3, true, 46 * MS, 2, 2);

	(void)state;
	assert_false(pathpolicy_worth_switch(PATHPOLICY_HOPS, &cur, &cand));
	cand.hops = 2;
	assert_true(pathpolicy_worth_switch(PATHPOLICY_HOPS, &cur, &cand));
	/* latency: 46 vs 50 ms is within 10 %; 44 ms is not. */
	assert_false(pathpolicy_worth_switch(PATHPOLICY_LATENCY, &cur, &cand));
	cand.srtt_ns = 44 * MS;
	assert_true(pathpolicy_worth_switch(PATHPOLICY_LATENCY, &cur, &cand));
	/* At small RTTs the 1 ms floor applies. */
	cur.srtt_ns = 2 * MS;
	cand.srtt_ns = 1500000;
	assert_false(pathpolicy_worth_switch(PATHPOLICY_LATENCY, &cur, &cand));
	cand.srtt_ns = 900000;
	assert_true(pathpolicy_worth_switch(PATHPOLICY_LATENCY, &cur, &cand));
	cand.rtt_known = false;
	assert_false(pathpolicy_worth_switch(PATHPOLICY_LATENCY, &cur, &cand));
}

static void test_names(void **state)
{
	enum pathpolicy_kind k = PATHPOLICY_HOPS;

	(void)state;
	assert_int_equal(pathpolicy_parse("latency", 7, &k), 0);
	assert_int_equal(k, PATHPOLICY_LATENCY);
	assert_int_equal(pathpolicy_parse("hops", 4, &k), 0);
	assert_int_equal(k, PATHPOLICY_HOPS);
	assert_int_equal(pathpolicy_parse("hop", 3, &k), PATHPOLICY_ERR_UNKNOWN);
	assert_int_equal(pathpolicy_parse("hopsx", 5, &k), PATHPOLICY_ERR_UNKNOWN);
	assert_string_equal(pathpolicy_name(PATHPOLICY_LATENCY), "latency");
}

/* The naive reference: each path as a tuple of numbers, compared lexicographically, and a
 * selection sort. Unknown RTT maps to "infinitely slow". */
enum { KEY_LEN = 5 };

static void key_of(enum pathpolicy_kind kind, const struct pathpolicy_metrics *m,
		   uint64_t key[KEY_LEN])
{
	uint64_t rtt = m->rtt_known ? m->srtt_ns : UINT64_MAX;

	if (kind == PATHPOLICY_HOPS) {
		uint64_t k[KEY_LEN] = {m->hops, m->fingerprint, m->id, 0, 0};
		memcpy(key, k, sizeof(k));
	} else {
		uint64_t k[KEY_LEN] = {!m->rtt_known, rtt, m->hops, m->fingerprint, m->id};
		memcpy(key, k, sizeof(k));
	}
}

static bool key_less(const uint64_t a[KEY_LEN], const uint64_t b[KEY_LEN])
{
	for (int i = 0; i < KEY_LEN; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return false;
}

static void naive_sort(enum pathpolicy_kind kind, struct pathpolicy_metrics *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t min = i;
		uint64_t km[KEY_LEN], kj[KEY_LEN];

		for (size_t j = i + 1; j < n; j++) {
			key_of(kind, &m[min], km);
			key_of(kind, &m[j], kj);
			if (key_less(kj, km))
				min = j;
		}
		struct pathpolicy_metrics t = m[i];
		m[i] = m[min];
		m[min] = t;
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_differential(void **state)
{
	enum { N = 24, ROUNDS = 3000 };
	struct pathpolicy_metrics a[N], b[N];

	(void)state;
	for (int round = 0; round < ROUNDS; round++) {
		size_t n = 1 + rng() % N;
		enum pathpolicy_kind kind = round % 2 ? PATHPOLICY_LATENCY : PATHPOLICY_HOPS;

		for (size_t i = 0; i < n; i++) {
			/* Small ranges so that ties on every key happen often. */
			a[i] = mk((uint32_t)(rng() % 4), rng() % 3 != 0, rng() % 4 * MS, rng() % 3,
				  (uint32_t)i + 1);
		}
		memcpy(b, a, sizeof(a));
		pathpolicy_sort(kind, a, n);
		naive_sort(kind, b, n);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(a[i].id, b[i].id);
			if (i)
				assert_true(pathpolicy_compare(kind, &a[i - 1], &a[i]) < 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hops_order),	 cmocka_unit_test(test_latency_order),
	    cmocka_unit_test(test_worth_switch), cmocka_unit_test(test_names),
	    cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
