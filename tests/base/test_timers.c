// SPDX-License-Identifier: MIT
/*
 * The timer heap: ordering, cancel, re-arm, and a differential test against a naive
 * reference (an unsorted array scanned for the minimum) over random operation sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "base/timer_heap.h"

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static void test_pop_order(void **state)
{
	(void)state;
	static const uint64_t deadlines[] = {50, 10, 40, 10, 30, 20, 99, 0, 10};
	enum { N = sizeof(deadlines) / sizeof(deadlines[0]) };
	struct timer_heap_node nodes[N];
	struct timer_heap h;

	timer_heap_init(&h);
	for (size_t i = 0; i < N; i++) {
		timer_heap_node_init(&nodes[i]);
		assert_int_equal(timer_heap_arm(&h, &nodes[i], deadlines[i]), 0);
	}
	assert_int_equal(timer_heap_len(&h), N);
	/* Ascending deadlines; ties in arm order (nodes 1, 3, 8 all at 10). */
	static const size_t expect[] = {7, 1, 3, 8, 5, 4, 2, 0, 6};
	for (size_t i = 0; i < N; i++) {
		struct timer_heap_node *n = timer_heap_pop(&h);
		assert_ptr_equal(n, &nodes[expect[i]]);
		assert_false(timer_heap_node_linked(n));
	}
	assert_null(timer_heap_pop(&h));
	assert_null(timer_heap_peek(&h));
	timer_heap_destroy(&h);
}

static void test_cancel(void **state)
{
	(void)state;
	struct timer_heap_node a, b, c;
	struct timer_heap h;

	timer_heap_init(&h);
	timer_heap_node_init(&a);
	timer_heap_node_init(&b);
	timer_heap_node_init(&c);
	assert_int_equal(timer_heap_arm(&h, &a, 1), 0);
	assert_int_equal(timer_heap_arm(&h, &b, 2), 0);
	assert_int_equal(timer_heap_arm(&h, &c, 3), 0);

	timer_heap_cancel(&h, &a);
	assert_false(timer_heap_node_linked(&a));
	timer_heap_cancel(&h, &a); /* twice is a no-op */
	assert_int_equal(timer_heap_len(&h), 2);
	assert_ptr_equal(timer_heap_peek(&h), &b);
	timer_heap_cancel(&h, &c);
	assert_ptr_equal(timer_heap_pop(&h), &b);
	assert_null(timer_heap_pop(&h));
	timer_heap_destroy(&h);
}

static void test_rearm(void **state)
{
	(void)state;
	struct timer_heap_node a, b, c;
	struct timer_heap h;

	timer_heap_init(&h);
	timer_heap_node_init(&a);
	timer_heap_node_init(&b);
	timer_heap_node_init(&c);
	assert_int_equal(timer_heap_arm(&h, &a, 10), 0);
	assert_int_equal(timer_heap_arm(&h, &b, 20), 0);
	assert_int_equal(timer_heap_arm(&h, &c, 30), 0);

	assert_int_equal(timer_heap_arm(&h, &a, 40), 0); /* later */
	assert_int_equal(timer_heap_arm(&h, &c, 5), 0);	 /* earlier */
	assert_int_equal(timer_heap_arm(&h, &b, 40), 0); /* tie with a, re-armed after it */
	assert_int_equal(timer_heap_len(&h), 3);
	assert_ptr_equal(timer_heap_pop(&h), &c);
	assert_ptr_equal(timer_heap_pop(&h), &a);
	assert_ptr_equal(timer_heap_pop(&h), &b);
	timer_heap_destroy(&h);
}

/* The reference: armed[i] says whether node i is armed; the earliest is found by a scan
 * with the same (deadline, arm order) rule, the arm order kept in a separate counter. */
struct naive {
	bool armed[512];
	uint64_t deadline[512];
	uint64_t order[512];
	uint64_t next;
};

static int naive_min(const struct naive *m, size_t n)
{
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		if (!m->armed[i])
			continue;
		if (best < 0 || m->deadline[i] < m->deadline[best] ||
		    (m->deadline[i] == m->deadline[best] && m->order[i] < m->order[best]))
			best = (int)i;
	}
	return best;
}

static void run_differential(uint64_t seed, size_t nodes_n, size_t ops, uint64_t range)
{
	struct timer_heap_node *nodes = calloc(nodes_n, sizeof(*nodes));
	struct naive *m = calloc(1, sizeof(*m));
	struct timer_heap h;
	size_t armed = 0;

	assert_non_null(nodes);
	assert_non_null(m);
	assert_true(nodes_n <= 512);
	rng_state = seed;
	timer_heap_init(&h);
	for (size_t i = 0; i < nodes_n; i++)
		timer_heap_node_init(&nodes[i]);

	for (size_t op = 0; op < ops; op++) {
		size_t i = (size_t)(rng_next() % nodes_n);
		uint64_t deadline = rng_next() % range; /* small range: many ties */
		switch (rng_next() % 4) {
		case 0: /* arm or re-arm */
		case 1:
			assert_int_equal(timer_heap_arm(&h, &nodes[i], deadline), 0);
			armed += !m->armed[i];
			m->armed[i] = true;
			m->deadline[i] = deadline;
			m->order[i] = m->next++;
			break;
		case 2: /* cancel */
			timer_heap_cancel(&h, &nodes[i]);
			armed -= m->armed[i];
			m->armed[i] = false;
			break;
		case 3: { /* pop */
			int want = naive_min(m, nodes_n);
			struct timer_heap_node *got = timer_heap_pop(&h);
			if (want < 0) {
				assert_null(got);
			} else {
				assert_ptr_equal(got, &nodes[want]);
				m->armed[want] = false;
				armed--;
			}
			break;
		}
		}
		assert_int_equal(timer_heap_len(&h), armed);
		int want = naive_min(m, nodes_n);
		struct timer_heap_node *top = timer_heap_peek(&h);
		if (want < 0)
			assert_null(top);
		else
			assert_ptr_equal(top, &nodes[want]);
		for (size_t k = 0; k < nodes_n; k++)
			assert_int_equal(timer_heap_node_linked(&nodes[k]), m->armed[k]);
	}
	/* Drain: everything left comes out in reference order. */
	for (int want; (want = naive_min(m, nodes_n)) >= 0;) {
		assert_ptr_equal(timer_heap_pop(&h), &nodes[want]);
		m->armed[want] = false;
	}
	assert_null(timer_heap_pop(&h));
	timer_heap_destroy(&h);
	free(m);
	free(nodes);
}

static void test_differential(void **state)
{
	(void)state;
	run_differential(1, 8, 2000, 4);
	run_differential(2, 64, 20000, 100);
	run_differential(3, 512, 20000, UINT64_MAX);
	run_differential(4, 300, 20000, 10);
}

/* Thousands of timers (peers x paths): all come out sorted. */
static void test_many(void **state)
{
	(void)state;
	enum { N = 10000 };
	struct timer_heap_node *nodes = calloc(N, sizeof(*nodes));
	struct timer_heap h;

	assert_non_null(nodes);
	rng_state = 42;
	timer_heap_init(&h);
	for (size_t i = 0; i < N; i++) {
		timer_heap_node_init(&nodes[i]);
		assert_int_equal(timer_heap_arm(&h, &nodes[i], rng_next() % 100000), 0);
	}
	for (size_t i = 0; i < N; i += 3)
		timer_heap_cancel(&h, &nodes[i]);
	uint64_t last = 0;
	size_t popped = 0;
	for (struct timer_heap_node *n; (n = timer_heap_pop(&h)); popped++) {
		assert_true(n->deadline >= last);
		assert_true((size_t)(n - nodes) % 3 != 0);
		last = n->deadline;
	}
	assert_int_equal(popped, N - (N + 2) / 3);
	timer_heap_destroy(&h);
	free(nodes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pop_order), cmocka_unit_test(test_cancel),
	    cmocka_unit_test(test_rearm),     cmocka_unit_test(test_differential),
	    cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
