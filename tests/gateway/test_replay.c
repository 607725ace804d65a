// SPDX-License-Identifier: MIT
/* Replay window: table-driven cases, then a differential test against a naive reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replay.h"

#define W     SEG_REPLAY_WINDOW
#define LIMIT SEG_REJECT_AFTER_MESSAGES

struct step {
	uint64_t counter;
	bool accept;
};

struct replay_case {
	const char *name;
	const struct step *steps;
	size_t n;
};

#define CASE(nm, ...)                                                                 \
	{                                                                             \
		.name = nm, .steps = (const struct step[]){__VA_ARGS__},              \
		.n = sizeof((const struct step[]){__VA_ARGS__}) / sizeof(struct step) \
	}

static const struct replay_case cases[] = {
    CASE("in order", {0, true}, {1, true}, {2, true}, {3, true}, {64, true}, {65, true}),
    CASE("duplicates", {0, true}, {0, false}, {5, true}, {5, false}, {0, false}, {4, true},
	 {4, false}),
    CASE("out of order within window", {10, true}, {7, true}, {9, true}, {8, true}, {0, true},
	 {7, false}, {10, false}, {11, true}),
    CASE("window edges", {W + 100, true}, {101, true}, {100, false}, {101, false}, {W + 99, true},
	 {W + 100, false}),
    CASE("far behind", {100000, true}, {100000 - W, false}, {0, false}, {100000 - W + 1, true}),
    CASE("huge jump clears the whole ring", {1, true}, {2, true}, {1u << 30, true}, {1, false},
	 {(1u << 30) - 1, true}, {(1u << 30) - 1, false}, {(1u << 30) - W + 1, true},
	 {(1u << 30) - W, false}),
    CASE("jump of exactly the ring", {5, true}, {5 + SEG_REPLAY_BITMAP_BITS, true}, {5, false},
	 {5 + SEG_REPLAY_BITMAP_BITS - 64, true}),
    /* Block 64 reuses ring slot 0, which held counters 0 and 63: entering it must clear
     * them, or 64 * 64 + 63 would look like a duplicate of 63. */
    CASE("bitmap wraparound", {0, true}, {63, true}, {SEG_REPLAY_BITMAP_BITS - 65, true},
	 {63, false}, {64, true}, {SEG_REPLAY_BITMAP_BITS + 10, true}, {64, false}, {0, false},
	 {64 * 64 + 63, true}, {64 * 64, true}, {11 + 64 * 3, true},
	 {SEG_REPLAY_BITMAP_BITS + 10, false}),
    CASE("reject limit", {LIMIT - 1, true}, {LIMIT, false}, {UINT64_MAX, false}, {LIMIT - 2, true},
	 {LIMIT - 1, false}),
    CASE("counter zero first, once", {0, true}, {0, false}, {1, true}),
    CASE("counter zero after others", {3, true}, {0, true}, {0, false}),
};

static void test_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct replay_window w;

		replay_init(&w);
		for (size_t i = 0; i < cases[c].n; i++) {
			bool got = replay_check_and_update(&w, cases[c].steps[i].counter);
			if (got != cases[c].steps[i].accept)
				fail_msg("case '%s' step %zu: counter %llu: got %d want %d",
					 cases[c].name, i,
					 (unsigned long long)cases[c].steps[i].counter, got,
					 cases[c].steps[i].accept);
		}
	}
}

/* ---- naive reference: a set of every counter seen, the same window rule -------------- */

struct ref {
	uint64_t *slots; /* open addressing; UINT64_MAX marks empty (never a valid counter) */
	size_t cap;
	bool any;
	uint64_t greatest;
};

static void ref_init(struct ref *r, size_t cap)
{
	r->cap = cap;
	r->slots = malloc(cap * sizeof(*r->slots));
	assert_non_null(r->slots);
	memset(r->slots, 0xff, cap * sizeof(*r->slots));
	r->any = false;
	r->greatest = 0;
}

static bool ref_insert(struct ref *r, uint64_t v)
{
	size_t i = (size_t)((v * 0x9e3779b97f4a7c15ull) % r->cap);

	while (r->slots[i] != UINT64_MAX) {
		if (r->slots[i] == v)
			return false;
		i = (i + 1) % r->cap;
	}
	r->slots[i] = v;
	return true;
}

static bool ref_check(struct ref *r, uint64_t v)
{
	if (v >= LIMIT)
		return false;
	if (r->any && v < r->greatest && r->greatest - v >= W)
		return false;
	if (!ref_insert(r, v))
		return false;
	if (!r->any || v > r->greatest)
		r->greatest = v;
	r->any = true;
	return true;
}

static uint64_t rng_state = 0x5eedULL;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static void run_differential(uint64_t base, int steps)
{
	struct replay_window w;
	struct ref r;
	uint64_t hi = base;

	replay_init(&w);
	ref_init(&r, (size_t)steps * 2 + 1);
	for (int i = 0; i < steps; i++) {
		uint64_t v;
		uint64_t pick = rng() % 100;

		if (pick < 50)
			v = hi + rng() % 8; /* mostly forward, small gaps */
		else if (pick < 80)
			v = hi - rng() % (W + 200); /* behind, across the window edge */
		else if (pick < 95)
			v = hi - rng() % 16; /* near duplicates */
		else
			v = hi + rng() % (3 * SEG_REPLAY_BITMAP_BITS); /* jumps, wraps the ring */
		if (v < base)
			v = base;
		if (v > hi)
			hi = v;
		bool want = ref_check(&r, v);
		bool got = replay_check_and_update(&w, v);
		if (got != want)
			fail_msg("step %d counter %llu: window %d reference %d", i,
				 (unsigned long long)v, got, want);
	}
	free(r.slots);
}

static void test_differential_random(void **state)
{
	(void)state;
	for (int round = 0; round < 20; round++)
		run_differential(0, 20000);
}

static void test_differential_near_limit(void **state)
{
	(void)state;
	/* Start close enough to the limit that jumps cross it. */
	for (int round = 0; round < 5; round++)
		run_differential(LIMIT - 50000, 20000);
}

static void test_window_size_constant(void **state)
{
	(void)state;
	assert_true(SEG_REPLAY_WINDOW >= 2048);
	/* The whole window is usable: every counter in it is accepted exactly once. */
	struct replay_window w;
	replay_init(&w);
	assert_true(replay_check_and_update(&w, W - 1 + 1000));
	for (uint64_t c = 1000; c < W - 1 + 1000; c++)
		assert_true(replay_check_and_update(&w, c));
	for (uint64_t c = 1000; c <= W - 1 + 1000; c++)
		assert_false(replay_check_and_update(&w, c));
	assert_false(replay_check_and_update(&w, 999));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_window_size_constant),
	    cmocka_unit_test(test_differential_random),
	    cmocka_unit_test(test_differential_near_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
