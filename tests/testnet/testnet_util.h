/* SPDX-License-Identifier: MIT */
/*
 * Test helpers for the seg-testnet control plane: per-AS keys, a router emulation that walks
 * a combined path hop by hop as scionproto's router/dataplane.go does, and a naive reference
 * that enumerates valley-free paths in the topology graph.
 */
#ifndef SEG_TESTS_TESTNET_UTIL_H
#define SEG_TESTS_TESTNET_UTIL_H

#include "beacon.h"
#include "combinator.h"
#include "topo.h"

struct test_keys {
	size_t num;
	struct beacon_key keys[TOPO_MAX_ASES];
	struct scion_mac_key *objs[TOPO_MAX_ASES];
};

/** One key per AS of t, derived from its IA and a salt (salt changes every key). */
int test_keys_make(const struct topo *t, uint8_t salt, struct test_keys *k);
void test_keys_free(struct test_keys *k);

/** Loads a topology file from the source tree, failing the test on error. */
struct topo *test_topo_load(const char *relpath);
/** Parses an inline .topo document, failing the test on error. */
struct topo *test_topo_parse(const char *text);

/**
 * Walks path p from src to dst like a chain of border routers: per hop the ingress interface
 * check, SegID update, MAC verification, segment crossover with its link-type rule, peering
 * hops, expiry at time now, and the link to the next AS taken from the topology. Checks that
 * the walk ends at dst and that the interfaces crossed are p->ifaces. Returns 0 or a line
 * number in testnet_util.c identifying the failed check; msg (if not NULL) explains.
 */
int test_router_walk(const struct topo *t, const struct test_keys *k, scion_ia_t src,
		     scion_ia_t dst, const struct combinator_path *p, uint32_t now, char *msg,
		     size_t msg_len);

/** Reference paths: interface lists and MTUs, sorted like the combinator's output. */
struct naive_result {
	size_t num;
	size_t cap;
	struct combinator_path *paths; /**< only ifaces, num_ifaces, hops, mtu are set */
};

/** Valley-free, loop-free paths from src to dst in t under the beaconing bounds p. */
int naive_paths(const struct topo *t, const struct beacon_params *p, scion_ia_t src, scion_ia_t dst,
		bool allow_hidden, struct naive_result *out);
void naive_result_free(struct naive_result *r);

/** Formats an interface list as "IA#ifid IA#ifid ..." into buf. */
void test_format_ifaces(const struct combinator_path *p, char *buf, size_t cap);
/** Compares interface lists the way the combinator sorts them. */
int test_path_cmp(const void *a, const void *b);

scion_ia_t test_ia(const char *s);

#endif /* SEG_TESTS_TESTNET_UTIL_H */
