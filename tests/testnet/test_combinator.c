/* SPDX-License-Identifier: MIT */
/*
 * Path combination: known answers on small hand-made graphs (up-down, shortcut, peering,
 * core crossing), a differential test against a naive valley-free path enumeration on the
 * shipped topologies, and for every path a hop-by-hop router emulation that verifies each
 * hop field MAC with the right key and SegID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "combinator.h"
#include "testnet_util.h"

enum { NOW = 1700000000 };

struct net {
	struct topo *t;
	struct test_keys k;
	struct segment_set set;
	struct beacon_params p;
};

static struct net *net_new(struct topo *t)
{
	struct net *n = calloc(1, sizeof(*n));

	assert_non_null(n);
	n->t = t;
	beacon_params_default(&n->p);
	assert_int_equal(test_keys_make(t, 3, &n->k), 0);
	assert_int_equal(beacon_run(t, n->k.keys, n->k.num, &n->p, NOW, &n->set), 0);
	return n;
}

static void net_free(struct net *n)
{
	segment_set_free(&n->set);
	test_keys_free(&n->k);
	topo_free(n->t);
	free(n);
}

/* Combines, walks every path like a router, and checks the result invariants. */
static void combine(struct net *n, scion_ia_t src, scion_ia_t dst, bool hidden,
		    struct combinator_result *r)
{
	char msg[160];

	assert_int_equal(combinator_paths(&n->set, src, dst, hidden, r), 0);
	for (size_t i = 0; i < r->num; i++) {
		const struct combinator_path *p = &r->paths[i];
		int line = test_router_walk(n->t, &n->k, src, dst, p, NOW + 60, msg, sizeof(msg));

		if (line)
			fail_msg("path %zu: router check at testnet_util.c:%d: %s", i, line, msg);
		assert_int_equal(p->hops * 2, p->num_ifaces);
		assert_true(p->expiry > NOW);
		assert_true(p->mtu >= TOPO_MIN_MTU);
		if (!hidden)
			assert_false(p->hidden);
		if (i > 0)
			assert_true(test_path_cmp(&r->paths[i - 1], p) < 0);
	}
}

/* Checks the combined paths of src -> dst against the expected interface lists, in order. */
static void expect(struct net *n, const char *src, const char *dst, bool hidden,
		   const char *const *want, size_t num_want)
{
	struct combinator_result r;
	char got[1024];

	combine(n, test_ia(src), test_ia(dst), hidden, &r);
	if (r.num != num_want) {
		for (size_t i = 0; i < r.num; i++) {
			test_format_ifaces(&r.paths[i], got, sizeof(got));
			print_message("  got: %s\n", got);
		}
		fail_msg("%s -> %s: %zu paths, want %zu", src, dst, r.num, num_want);
	}
	for (size_t i = 0; i < r.num; i++) {
		test_format_ifaces(&r.paths[i], got, sizeof(got));
		if (strcmp(got, want[i]) != 0)
			fail_msg("%s -> %s path %zu:\n got  %s\n want %s", src, dst, i, got,
				 want[i]);
	}
	combinator_result_free(&r);
}

#define EXPECT(n, src, dst, ...)                                                     \
	do {                                                                         \
		const char *const want_[] = {__VA_ARGS__};                           \
		expect(n, src, dst, false, want_, sizeof(want_) / sizeof(want_[0])); \
	} while (0)

static void test_tiny(void **state)
{
	struct net *n = net_new(test_topo_load("topologies/tiny.topo"));
	struct combinator_result r;

	(void)state;
	EXPECT(n, "1-ff00:0:111", "1-ff00:0:112",
	       "1-ff00:0:111#41 1-ff00:0:110#1 1-ff00:0:110#2 1-ff00:0:112#1");
	EXPECT(n, "1-ff00:0:111", "1-ff00:0:110", "1-ff00:0:111#41 1-ff00:0:110#1");
	EXPECT(n, "1-ff00:0:110", "1-ff00:0:112", "1-ff00:0:110#2 1-ff00:0:112#1");
	/* Src == dst: one empty path. */
	combine(n, test_ia("1-ff00:0:111"), test_ia("1-ff00:0:111"), false, &r);
	assert_int_equal(r.num, 1);
	assert_int_equal(r.paths[0].raw_len, 0);
	assert_int_equal(r.paths[0].num_ifaces, 0);
	assert_int_equal(r.paths[0].mtu, TOPO_DEFAULT_MTU);
	combinator_result_free(&r);
	/* MTU: the 110-111 link has 1280, AS 110 has 1400. */
	combine(n, test_ia("1-ff00:0:112"), test_ia("1-ff00:0:111"), false, &r);
	assert_int_equal(r.num, 1);
	assert_int_equal(r.paths[0].mtu, 1280);
	assert_int_equal(r.paths[0].num_segs, 2);
	assert_int_equal(r.paths[0].raw_len, 4 + 2 * 8 + 4 * 12);
	/* CurrINF = CurrHF = 0, SegLens 2 and 2. */
	assert_int_equal(r.paths[0].raw[0], 0);
	assert_int_equal(r.paths[0].raw[1], 0);
	assert_int_equal((r.paths[0].raw[2] << 8 | r.paths[0].raw[3]), 2 << 12 | 2 << 6);
	combinator_result_free(&r);
	net_free(n);
}

static void test_shortcut(void **state)
{
	struct net *n = net_new(test_topo_parse(
	    "ASes:\n"
	    "  \"1-ff00:0:110\": {core: true}\n"
	    "  \"1-ff00:0:111\": {}\n"
	    "  \"1-ff00:0:112\": {}\n"
	    "  \"1-ff00:0:113\": {}\n"
	    "links:\n"
	    "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
	    "  - {a: \"1-ff00:0:111#2\", b: \"1-ff00:0:112#1\", linkAtoB: CHILD}\n"
	    "  - {a: \"1-ff00:0:111#3\", b: \"1-ff00:0:113#1\", linkAtoB: CHILD}\n"));
	struct combinator_result r;

	(void)state;
	/* Through the common non-core parent; the way over the core loops and is dropped. */
	EXPECT(n, "1-ff00:0:112", "1-ff00:0:113",
	       "1-ff00:0:112#1 1-ff00:0:111#2 1-ff00:0:111#3 1-ff00:0:113#1");
	/* Up-only to an AS in the middle of the up segment; down-only from one. */
	EXPECT(n, "1-ff00:0:112", "1-ff00:0:111", "1-ff00:0:112#1 1-ff00:0:111#2");
	EXPECT(n, "1-ff00:0:111", "1-ff00:0:113", "1-ff00:0:111#3 1-ff00:0:113#1");
	EXPECT(n, "1-ff00:0:113", "1-ff00:0:110",
	       "1-ff00:0:113#1 1-ff00:0:111#3 1-ff00:0:111#1 1-ff00:0:110#1");
	combine(n, test_ia("1-ff00:0:112"), test_ia("1-ff00:0:113"), false, &r);
	assert_int_equal(r.paths[0].num_segs, 2);
	assert_int_equal(r.paths[0].hops, 2);
	combinator_result_free(&r);
	net_free(n);
}

static void test_peering(void **state)
{
	struct net *n = net_new(test_topo_parse(
	    "ASes:\n"
	    "  \"1-ff00:0:110\": {core: true}\n"
	    "  \"1-ff00:0:120\": {core: true}\n"
	    "  \"1-ff00:0:111\": {}\n"
	    "  \"1-ff00:0:121\": {}\n"
	    "  \"1-ff00:0:122\": {}\n"
	    "links:\n"
	    "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:120#1\", linkAtoB: CORE}\n"
	    "  - {a: \"1-ff00:0:110#2\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
	    "  - {a: \"1-ff00:0:120#2\", b: \"1-ff00:0:121#1\", linkAtoB: CHILD}\n"
	    "  - {a: \"1-ff00:0:121#3\", b: \"1-ff00:0:122#1\", linkAtoB: CHILD}\n"
	    "  - {a: \"1-ff00:0:111#2\", b: \"1-ff00:0:121#2\", linkAtoB: PEER, mtu: 1300}\n"));
	struct combinator_result r;

	(void)state;
	EXPECT(n, "1-ff00:0:111", "1-ff00:0:121", "1-ff00:0:111#2 1-ff00:0:121#2",
	       "1-ff00:0:111#1 1-ff00:0:110#2 1-ff00:0:110#1 1-ff00:0:120#1 1-ff00:0:120#2 "
	       "1-ff00:0:121#1");
	/* Peering into the middle of a down segment, and from the other side. */
	EXPECT(n, "1-ff00:0:111", "1-ff00:0:122",
	       "1-ff00:0:111#2 1-ff00:0:121#2 1-ff00:0:121#3 1-ff00:0:122#1",
	       "1-ff00:0:111#1 1-ff00:0:110#2 1-ff00:0:110#1 1-ff00:0:120#1 1-ff00:0:120#2 "
	       "1-ff00:0:121#1 1-ff00:0:121#3 1-ff00:0:122#1");
	EXPECT(n, "1-ff00:0:122", "1-ff00:0:111",
	       "1-ff00:0:122#1 1-ff00:0:121#3 1-ff00:0:121#2 1-ff00:0:111#2",
	       "1-ff00:0:122#1 1-ff00:0:121#3 1-ff00:0:121#1 1-ff00:0:120#2 1-ff00:0:120#1 "
	       "1-ff00:0:110#1 1-ff00:0:110#2 1-ff00:0:111#1");
	combine(n, test_ia("1-ff00:0:122"), test_ia("1-ff00:0:111"), false, &r);
	assert_int_equal(r.paths[0].num_segs, 2);
	assert_int_equal(r.paths[0].mtu, 1300);
	/* Both info fields carry the Peer flag. */
	assert_int_equal(r.paths[0].raw[4] & 0x02, 0x02);
	assert_int_equal(r.paths[0].raw[12] & 0x02, 0x02);
	combinator_result_free(&r);
	net_free(n);
}

static void test_core_crossing(void **state)
{
	struct net *n = net_new(test_topo_parse(
	    "ASes:\n"
	    "  \"1-ff00:0:110\": {core: true}\n"
	    "  \"1-ff00:0:120\": {core: true}\n"
	    "  \"1-ff00:0:130\": {core: true}\n"
	    "  \"1-ff00:0:111\": {}\n"
	    "  \"1-ff00:0:131\": {}\n"
	    "links:\n"
	    "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:120#1\", linkAtoB: CORE}\n"
	    "  - {a: \"1-ff00:0:120#2\", b: \"1-ff00:0:130#1\", linkAtoB: CORE}\n"
	    "  - {a: \"1-ff00:0:110#2\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
	    "  - {a: \"1-ff00:0:130#2\", b: \"1-ff00:0:131#1\", linkAtoB: CHILD}\n"));
	struct combinator_result r;

	(void)state;
	EXPECT(n, "1-ff00:0:111", "1-ff00:0:131",
	       "1-ff00:0:111#1 1-ff00:0:110#2 1-ff00:0:110#1 1-ff00:0:120#1 1-ff00:0:120#2 "
	       "1-ff00:0:130#1 1-ff00:0:130#2 1-ff00:0:131#1");
	EXPECT(n, "1-ff00:0:131", "1-ff00:0:111",
	       "1-ff00:0:131#1 1-ff00:0:130#2 1-ff00:0:130#1 1-ff00:0:120#2 1-ff00:0:120#1 "
	       "1-ff00:0:110#1 1-ff00:0:110#2 1-ff00:0:111#1");
	EXPECT(n, "1-ff00:0:110", "1-ff00:0:130",
	       "1-ff00:0:110#1 1-ff00:0:120#1 1-ff00:0:120#2 1-ff00:0:130#1");
	EXPECT(n, "1-ff00:0:111", "1-ff00:0:130",
	       "1-ff00:0:111#1 1-ff00:0:110#2 1-ff00:0:110#1 1-ff00:0:120#1 1-ff00:0:120#2 "
	       "1-ff00:0:130#1");
	EXPECT(n, "1-ff00:0:130", "1-ff00:0:111",
	       "1-ff00:0:130#1 1-ff00:0:120#2 1-ff00:0:120#1 1-ff00:0:110#1 1-ff00:0:110#2 "
	       "1-ff00:0:111#1");
	combine(n, test_ia("1-ff00:0:111"), test_ia("1-ff00:0:131"), false, &r);
	assert_int_equal(r.paths[0].num_segs, 3);
	assert_int_equal(r.paths[0].hops, 4);
	combinator_result_free(&r);
	net_free(n);
}

static bool has_path(const struct combinator_result *r, const char *ifaces, bool hidden)
{
	char got[1024];

	for (size_t i = 0; i < r->num; i++) {
		test_format_ifaces(&r->paths[i], got, sizeof(got));
		if (!strcmp(got, ifaces))
			return r->paths[i].hidden == hidden;
	}
	return false;
}

/* The demo's promises: two disjoint public paths A <-> B and a hidden one through R. */
static void test_multipath_demo(void **state)
{
	struct net *n = net_new(test_topo_load("topologies/multipath.topo"));
	scion_ia_t a = test_ia("1-ff00:0:111"), b = test_ia("1-ff00:0:131");
	scion_ia_t rv = test_ia("1-ff00:0:121");
	const char *core_path = "1-ff00:0:111#1 1-ff00:0:110#4 1-ff00:0:110#2 1-ff00:0:130#2 "
				"1-ff00:0:130#4 1-ff00:0:131#1";
	const char *peer_path = "1-ff00:0:111#2 1-ff00:0:112#3 1-ff00:0:112#2 1-ff00:0:132#2 "
				"1-ff00:0:132#3 1-ff00:0:131#2";
	const char *hidden_path = "1-ff00:0:111#3 1-ff00:0:121#2 1-ff00:0:121#3 1-ff00:0:131#3";
	struct combinator_result r;

	(void)state;
	combine(n, a, b, false, &r);
	assert_true(has_path(&r, core_path, false));
	assert_true(has_path(&r, peer_path, false));
	assert_false(has_path(&r, hidden_path, false));
	assert_true(r.num >= 4);
	combinator_result_free(&r);
	combine(n, a, b, true, &r);
	assert_true(has_path(&r, core_path, false));
	assert_true(has_path(&r, hidden_path, true));
	combinator_result_free(&r);
	/* What each side asks for: its own path to R. */
	combine(n, a, rv, false, &r);
	assert_false(has_path(&r, "1-ff00:0:111#3 1-ff00:0:121#2", false));
	combinator_result_free(&r);
	combine(n, a, rv, true, &r);
	assert_true(has_path(&r, "1-ff00:0:111#3 1-ff00:0:121#2", true));
	combinator_result_free(&r);
	combine(n, b, rv, false, &r);
	assert_true(has_path(&r, "1-ff00:0:131#3 1-ff00:0:121#3", false));
	combinator_result_free(&r);
	net_free(n);
}

/* Every pair of ASes, public and hidden: combinator == naive reference. */
static void differential(const char *file)
{
	struct net *n = net_new(test_topo_load(file));
	size_t total = 0;

	for (size_t s = 0; s < n->t->num_ases; s++) {
		for (size_t d = 0; d < n->t->num_ases; d++) {
			scion_ia_t src = n->t->ases[s].ia, dst = n->t->ases[d].ia;
			struct naive_result pub = {0};

			if (s == d)
				continue;
			assert_int_equal(naive_paths(n->t, &n->p, src, dst, false, &pub), 0);
			for (int hidden = 0; hidden <= 1; hidden++) {
				struct combinator_result r;
				struct naive_result want;
				char got_s[1024], want_s[1024];

				combine(n, src, dst, hidden, &r);
				assert_int_equal(naive_paths(n->t, &n->p, src, dst, hidden, &want),
						 0);
				for (size_t i = 0; i < r.num && i < want.num; i++) {
					test_format_ifaces(&r.paths[i], got_s, sizeof(got_s));
					test_format_ifaces(&want.paths[i], want_s, sizeof(want_s));
					if (strcmp(got_s, want_s) != 0)
						fail_msg("%s (%zu->%zu hidden %d) path %zu:\n got  "
							 "%s\n want %s",
							 file, s, d, hidden, i, got_s, want_s);
					assert_int_equal(r.paths[i].mtu, want.paths[i].mtu);
					/* Hidden exactly when no public construction exists. */
					assert_int_equal(r.paths[i].hidden,
							 !bsearch(&r.paths[i], pub.paths, pub.num,
								  sizeof(pub.paths[0]),
								  test_path_cmp));
				}
				if (r.num != want.num)
					fail_msg("%s %zu->%zu hidden %d: %zu paths, naive %zu",
						 file, s, d, hidden, r.num, want.num);
				total += r.num;
				combinator_result_free(&r);
				naive_result_free(&want);
			}
			naive_result_free(&pub);
		}
	}
	assert_true(total > n->t->num_ases * (n->t->num_ases - 1));
	net_free(n);
}

static void test_differential_multipath(void **state)
{
	(void)state;
	differential("topologies/multipath.topo");
}

static void test_differential_twenty(void **state)
{
	(void)state;
	differential("topologies/twenty.topo");
}

/* The router check has teeth: other keys or a flipped SegID make it fail. */
static void test_router_check_fails(void **state)
{
	struct net *n = net_new(test_topo_load("topologies/multipath.topo"));
	scion_ia_t a = test_ia("1-ff00:0:111"), b = test_ia("1-ff00:0:131");
	struct combinator_result r;
	struct test_keys other;
	size_t checked = 0;

	(void)state;
	assert_int_equal(test_keys_make(n->t, 99, &other), 0);
	assert_int_equal(combinator_paths(&n->set, a, b, true, &r), 0);
	for (size_t i = 0; i < r.num; i++) {
		struct combinator_path p = r.paths[i];

		assert_int_equal(test_router_walk(n->t, &n->k, a, b, &p, NOW, NULL, 0), 0);
		assert_int_not_equal(test_router_walk(n->t, &other, a, b, &p, NOW, NULL, 0), 0);
		/* SegID of the last info field: 4 + 8 * (num_segs - 1) + 2. */
		p.raw[4 + 8 * (p.num_segs - 1) + 3] ^= 1;
		assert_int_not_equal(test_router_walk(n->t, &n->k, a, b, &p, NOW, NULL, 0), 0);
		p = r.paths[i];
		/* Expired. */
		assert_int_not_equal(
		    test_router_walk(n->t, &n->k, a, b, &p, (uint32_t)(p.expiry + 1), NULL, 0), 0);
		checked++;
	}
	assert_true(checked >= 5);
	combinator_result_free(&r);
	test_keys_free(&other);
	net_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tiny),
	    cmocka_unit_test(test_shortcut),
	    cmocka_unit_test(test_peering),
	    cmocka_unit_test(test_core_crossing),
	    cmocka_unit_test(test_multipath_demo),
	    cmocka_unit_test(test_differential_multipath),
	    cmocka_unit_test(test_differential_twenty),
	    cmocka_unit_test(test_router_check_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
