/* SPDX-License-Identifier: MIT */
/*
 * Beaconing: every hop field MAC verifies under its AS key and the chained SegIDs (and fails
 * under others), segments follow the topology's links, hidden links mark their segments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "beacon.h"
#include "testnet_util.h"

enum { NOW = 1700000000 };

static struct scion_mac_key *key_of(const struct test_keys *k, scion_ia_t ia)
{
	for (size_t i = 0; i < k->num; i++)
		if (k->keys[i].ia == ia)
			return k->keys[i].key;
	fail_msg("no key");
	return NULL;
}

/* The link between entry i-1 and entry i of s, checked against the topology. */
static const struct topo_link *entry_link(const struct topo *t, const struct segment *s, unsigned i)
{
	const struct segment_as_entry *prev = &s->entries[i - 1], *e = &s->entries[i];
	int pa = topo_as_index(t, prev->ia), ea = topo_as_index(t, e->ia);
	bool local_is_a;
	const struct topo_link *l;

	assert_true(pa >= 0 && ea >= 0);
	l = topo_link_at(t, (unsigned)pa, prev->hf.cons_egress, &local_is_a);
	assert_non_null(l);
	assert_int_equal(local_is_a ? l->b.as : l->a.as, ea);
	assert_int_equal(local_is_a ? l->b.ifid : l->a.ifid, e->hf.cons_ingress);
	assert_int_equal(e->ingress_mtu, l->mtu);
	if (s->type == SEGMENT_CORE)
		assert_int_equal(l->type, TOPO_LINK_CORE);
	else
		assert_true(l->type == TOPO_LINK_CHILD && local_is_a);
	return l;
}

/* Checks every segment of set against t and the keys; returns the number of MACs checked. */
static size_t check_segments(const struct topo *t, const struct test_keys *k,
			     const struct segment_set *set)
{
	size_t macs = 0;

	for (size_t n = 0; n < set->num; n++) {
		const struct segment *s = &set->segs[n];
		bool hidden = false;

		assert_true(s->num_entries >= 2);
		assert_int_equal(s->timestamp, NOW);
		assert_true(t->ases[topo_as_index(t, s->entries[0].ia)].core);
		assert_int_equal(s->entries[0].hf.cons_ingress, 0);
		assert_int_equal(s->entries[s->num_entries - 1].hf.cons_egress, 0);
		for (unsigned i = 0; i < s->num_entries; i++) {
			const struct segment_as_entry *e = &s->entries[i];
			struct scion_mac_key *key = key_of(k, e->ia);
			uint16_t beta = segment_beta(s, i);
			uint16_t next = scion_seg_id_next(beta, e->hf.mac);

			if (i > 0)
				hidden |= entry_link(t, s, i)->hidden;
			assert_true(scion_hop_mac_verify(key, beta, s->timestamp, &e->hf));
			/* A wrong SegID or a wrong key must fail: the check has teeth. */
			assert_false(
			    scion_hop_mac_verify(key, (uint16_t)(beta ^ 1), s->timestamp, &e->hf));
			if (i > 0)
				assert_false(scion_hop_mac_verify(key_of(k, s->entries[i - 1].ia),
								  beta, s->timestamp, &e->hf));
			assert_int_equal(segment_beta(s, i + 1), next);
			macs++;
			for (unsigned p = 0; p < e->num_peers; p++) {
				const struct segment_peer_entry *pe = &e->peers[p];

				/* Peer hop fields chain to the entry's own hop field. */
				assert_true(scion_hop_mac_verify(key, next, s->timestamp, &pe->hf));
				assert_false(
				    scion_hop_mac_verify(key, beta, s->timestamp, &pe->hf));
				assert_int_equal(pe->hf.cons_egress, e->hf.cons_egress);
				macs++;
			}
		}
		assert_int_equal(s->hidden, hidden);
	}
	return macs;
}

static void run(const char *file, size_t want_core, size_t want_noncore, size_t want_hidden)
{
	struct topo *t = test_topo_load(file);
	struct test_keys k;
	struct segment_set set;
	size_t core = 0, noncore = 0, hidden = 0;

	assert_int_equal(test_keys_make(t, 7, &k), 0);
	assert_int_equal(beacon_run(t, k.keys, k.num, NULL, NOW, &set), 0);
	assert_true(check_segments(t, &k, &set) > 0);
	for (size_t i = 0; i < set.num; i++) {
		core += set.segs[i].type == SEGMENT_CORE;
		noncore += set.segs[i].type == SEGMENT_NONCORE;
		hidden += set.segs[i].hidden;
	}
	assert_int_equal(core, want_core);
	assert_int_equal(noncore, want_noncore);
	assert_int_equal(hidden, want_hidden);
	assert_int_equal(set.expiry, NOW + (1 + BEACON_DEFAULT_EXP_TIME) * SCION_EXP_TIME_UNIT_SEC);
	segment_set_free(&set);
	test_keys_free(&k);
	topo_free(t);
}

static void test_tiny(void **state)
{
	(void)state;
	/* 110 -> 111, 110 -> 112. */
	run("topologies/tiny.topo", 0, 2, 0);
}

static void test_multipath(void **state)
{
	(void)state;
	/*
	 * Core: from each of the three cores, 2 direct + 2 two-hop segments: 12.
	 * Non-core: 110: 112, 111, 112-111 (3); 120: 121, 121-111, 121-131 (3);
	 * 130: 132, 131, 132-131 (3). Hidden: 120-121-111.
	 */
	run("topologies/multipath.topo", 12, 9, 1);
}

static void test_twenty(void **state)
{
	(void)state;
	/* Counted independently (a short script over the file): parallel core links double. */
	run("topologies/twenty.topo", 94, 24, 1);
}

static void test_peer_entries(void **state)
{
	struct topo *t = test_topo_load("topologies/multipath.topo");
	struct test_keys k;
	struct segment_set set;
	size_t found = 0;

	(void)state;
	assert_int_equal(test_keys_make(t, 1, &k), 0);
	assert_int_equal(beacon_run(t, k.keys, k.num, NULL, NOW, &set), 0);
	for (size_t i = 0; i < set.num; i++) {
		const struct segment *s = &set.segs[i];

		for (unsigned j = 0; j < s->num_entries; j++) {
			const struct segment_as_entry *e = &s->entries[j];

			if (e->ia != test_ia("1-ff00:0:112"))
				continue;
			assert_int_equal(e->num_peers, 1);
			assert_int_equal(e->peers[0].peer, test_ia("1-ff00:0:132"));
			assert_int_equal(e->peers[0].peer_ifid, 2);
			assert_int_equal(e->peers[0].peer_mtu, 1350);
			assert_int_equal(e->peers[0].hf.cons_ingress, 2);
			found++;
		}
		/* Core ASes carry no peer entries. */
		assert_int_equal(s->entries[0].num_peers, 0);
	}
	assert_int_equal(found, 2); /* 110-112, 110-112-111 */
	segment_set_free(&set);
	test_keys_free(&k);
	topo_free(t);
}

static void test_missing_key(void **state)
{
	struct topo *t = test_topo_load("topologies/tiny.topo");
	struct test_keys k;
	struct segment_set set;
	struct beacon_params p;

	(void)state;
	assert_int_equal(test_keys_make(t, 1, &k), 0);
	assert_int_equal(beacon_run(t, k.keys, k.num - 1, NULL, NOW, &set), BEACON_ERR_KEY);
	assert_int_equal(set.num, 0);
	assert_null(set.segs);
	beacon_params_default(&p);
	p.max_core_entries = 1;
	assert_int_equal(beacon_run(t, k.keys, k.num, &p, NOW, &set), BEACON_ERR_PARAM);
	test_keys_free(&k);
	topo_free(t);
}

static void test_length_bound(void **state)
{
	struct topo *t = test_topo_load("topologies/twenty.topo");
	struct test_keys k;
	struct segment_set set;
	struct beacon_params p;

	(void)state;
	beacon_params_default(&p);
	p.max_core_entries = 2;
	p.max_down_entries = 2;
	assert_int_equal(test_keys_make(t, 1, &k), 0);
	assert_int_equal(beacon_run(t, k.keys, k.num, &p, NOW, &set), 0);
	for (size_t i = 0; i < set.num; i++)
		assert_int_equal(set.segs[i].num_entries, 2);
	check_segments(t, &k, &set);
	segment_set_free(&set);
	test_keys_free(&k);
	topo_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tiny),	cmocka_unit_test(test_multipath),
	    cmocka_unit_test(test_twenty),	cmocka_unit_test(test_peer_entries),
	    cmocka_unit_test(test_missing_key), cmocka_unit_test(test_length_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
