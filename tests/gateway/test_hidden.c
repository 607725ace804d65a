/* SPDX-License-Identifier: MIT */
/*
 * Hidden paths: the path list codec, and hidden_combine checked field by field on paths built
 * by hand. The SegIDs are checked by beaconing segments with a toy MAC chained over SegID and
 * then walking the combined path with the reference router's SegID rules (scionproto
 * router/dataplane.go): each hop's MAC must verify against the SegID the walk carries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gateway/hidden.h"

#define UNIX_NOW 1700000000ull

static const scion_ia_t IA_A = 0x0001ff0000000110ull; /* 1-ff00:0:110, us */
static const scion_ia_t IA_X = 0x0001ff0000000111ull;
static const scion_ia_t IA_R = 0x0001ff0000000120ull; /* rendezvous */
static const scion_ia_t IA_Y = 0x0001ff0000000121ull;
static const scion_ia_t IA_B = 0x0001ff0000000130ull; /* the peer */

/* A toy hop MAC: any function of (SegID, interfaces) will do for checking the chaining. */
static void toy_mac(uint16_t beta, const struct scion_hop_field *h, uint8_t mac[6])
{
	uint64_t x = (uint64_t)beta * 0x9e3779b97f4a7c15ull ^
		     ((uint64_t)h->cons_ingress << 16 | h->cons_egress) * 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)(x >> (8 * i));
}

static uint16_t mac16(const struct scion_hop_field *h)
{
	return (uint16_t)(h->mac[0] << 8 | h->mac[1]);
}

/*
 * Beacons a segment from the core side: hops[0] is the origin (e.g. R), given as
 * (cons_ingress, cons_egress) pairs in construction order. Writes an up segment as a
 * one-segment fresh path from the leaf (ConsDir = 0, hops in traversal order = reversed),
 * with SegID as the leaf's daemon would hand it out: the beta of the leaf's own hop.
 */
static void beacon_up_path(uint16_t seg_id, const uint16_t pairs[][2], unsigned n,
			   struct scion_std_path *p)
{
	struct scion_hop_field cons[SCION_MAX_HOPS];
	uint16_t beta = seg_id;

	memset(p, 0, sizeof(*p));
	for (unsigned i = 0; i < n; i++) {
		memset(&cons[i], 0, sizeof(cons[i]));
		cons[i].exp_time = 63;
		cons[i].cons_ingress = pairs[i][0];
		cons[i].cons_egress = pairs[i][1];
		toy_mac(beta, &cons[i], cons[i].mac);
		if (i + 1 < n)
			beta ^= mac16(&cons[i]);
	}
	p->meta.seg_len[0] = (uint8_t)n;
	p->num_infs = 1;
	p->num_hops = (uint8_t)n;
	p->inf[0].cons_dir = false;
	p->inf[0].seg_id = beta; /* beta of the last construction hop: the leaf's */
	p->inf[0].timestamp = (uint32_t)UNIX_NOW - 600;
	for (unsigned i = 0; i < n; i++)
		p->hop[i] = cons[n - 1 - i];
}

/*
 * Walks a path as the routers do and checks every MAC. SegID is XORed with the hop's MAC
 * prefix on ingress against construction direction unless the packet enters the segment
 * (source AS or crossover), and on egress in construction direction unless it leaves the
 * segment (destination or crossover).
 */
static bool router_walk_ok(const struct scion_std_path *p)
{
	unsigned start = 0;

	for (unsigned s = 0; s < p->num_infs; s++) {
		uint16_t seg_id = p->inf[s].seg_id;
		unsigned len = p->meta.seg_len[s];

		for (unsigned h = start; h < start + len; h++) {
			const struct scion_hop_field *hf = &p->hop[h];
			uint8_t want[6];

			if (!p->inf[s].cons_dir && h != start)
				seg_id ^= mac16(hf);
			toy_mac(seg_id, hf, want);
			if (memcmp(want, hf->mac, 6) != 0)
				return false;
			if (p->inf[s].cons_dir && h != start + len - 1)
				seg_id ^= mac16(hf);
		}
		start += len;
	}
	return true;
}

/* Our path A -> X -> R: construction R(0,r1=11) X(21,22) A(31,0). */
static const uint16_t own_pairs[][2] = {{0, 11}, {21, 22}, {31, 0}};
/* The peer's path B -> Y -> R: construction R(0,12) Y(41,42) B(51,0). */
static const uint16_t peer_pairs[][2] = {{0, 12}, {41, 42}, {51, 0}};

static struct pathmgr_candidate own, out;
static uint8_t peer_raw[SCION_MAX_STD_PATH_LEN];
static struct hidden_path peer;

static void set_ifaces(struct pathmgr_interface *f, scion_ia_t leaf, uint16_t leaf_if,
		       scion_ia_t mid, uint16_t mid_down, uint16_t mid_up, uint16_t r_if)
{
	f[0] = (struct pathmgr_interface){leaf, leaf_if};
	f[1] = (struct pathmgr_interface){mid, mid_down};
	f[2] = (struct pathmgr_interface){mid, mid_up};
	f[3] = (struct pathmgr_interface){IA_R, r_if};
}

static int setup(void **state)
{
	struct scion_std_path p;
	size_t w;

	(void)state;
	memset(&own, 0, sizeof(own));
	beacon_up_path(0x1234, own_pairs, 3, &p);
	assert_true(router_walk_ok(&p)); /* the harness itself is right */
	assert_int_equal(scion_std_path_encode(&p, own.raw, sizeof(own.raw), &w), 0);
	own.raw_len = w;
	own.path_type = 1;
	own.num_ifaces = 4;
	/* Travel order A->R: A egress 31, X ingress 22, X egress 21, R ingress 11. */
	set_ifaces(own.ifaces, IA_A, 31, IA_X, 22, 21, 11);
	own.mtu = 1400;
	own.expiry = UNIX_NOW + 3600;
	own.next_hop.ss_family = AF_INET;

	beacon_up_path(0xbeef, peer_pairs, 3, &p);
	assert_true(router_walk_ok(&p));
	assert_int_equal(scion_std_path_encode(&p, peer_raw, sizeof(peer_raw), &w), 0);
	memset(&peer, 0, sizeof(peer));
	peer.raw = peer_raw;
	peer.raw_len = w;
	peer.mtu = 1300;
	peer.expiry = UNIX_NOW + 1800;
	peer.num_ifaces = 4;
	set_ifaces(peer.ifaces, IA_B, 51, IA_Y, 42, 41, 12);
	return 0;
}

static void test_combine_fields(void **state)
{
	struct scion_std_path c, po;

	(void)state;
	assert_int_equal(hidden_combine(&own, &peer, IA_R, &out), 0);
	assert_int_equal(scion_std_path_decode(out.raw, out.raw_len, &c), 0);
	assert_int_equal(out.raw_len, 4 + 2 * 8 + 6 * 12);
	assert_int_equal(c.meta.curr_inf, 0);
	assert_int_equal(c.meta.curr_hf, 0);
	assert_int_equal(c.meta.seg_len[0], 3);
	assert_int_equal(c.meta.seg_len[1], 3);
	assert_int_equal(c.meta.seg_len[2], 0);
	assert_int_equal(c.num_infs, 2);
	/* Up segment to R, then down segment from R. */
	assert_false(c.inf[0].cons_dir);
	assert_true(c.inf[1].cons_dir);
	assert_false(c.inf[0].peer);
	assert_false(c.inf[1].peer);
	/* Our segment unchanged. */
	assert_int_equal(scion_std_path_decode(own.raw, own.raw_len, &po), 0);
	assert_memory_equal(&c.inf[0], &po.inf[0], sizeof(po.inf[0]));
	for (int i = 0; i < 3; i++)
		assert_memory_equal(&c.hop[i], &po.hop[i], sizeof(po.hop[i]));
	/* The peer's reversed: R, Y, B in construction order, SegID = its origin's beta. */
	assert_int_equal(c.inf[1].seg_id, 0xbeef);
	assert_int_equal(c.hop[3].cons_ingress, 0);
	assert_int_equal(c.hop[3].cons_egress, 12);
	assert_int_equal(c.hop[4].cons_ingress, 41);
	assert_int_equal(c.hop[4].cons_egress, 42);
	assert_int_equal(c.hop[5].cons_ingress, 51);
	assert_int_equal(c.hop[5].cons_egress, 0);
	/* At R: segment 0 ends on R's hop entered by 11, segment 1 starts on R's leaving by 12. */
	assert_int_equal(c.hop[2].cons_egress, 11);
	assert_true(router_walk_ok(&c));
	/* Interfaces: ours, then the peer's reversed. */
	assert_int_equal(out.num_ifaces, 8);
	static const struct pathmgr_interface want[8] = {
	    {0x0001ff0000000110ull, 31}, {0x0001ff0000000111ull, 22}, {0x0001ff0000000111ull, 21},
	    {0x0001ff0000000120ull, 11}, {0x0001ff0000000120ull, 12}, {0x0001ff0000000121ull, 41},
	    {0x0001ff0000000121ull, 42}, {0x0001ff0000000130ull, 51},
	};
	assert_memory_equal(out.ifaces, want, sizeof(want));
	assert_int_equal(out.mtu, 1300);
	assert_int_equal(out.expiry, UNIX_NOW + 1800);
	assert_true(out.hidden);
	assert_int_equal(out.path_type, 1);
	assert_int_equal(out.next_hop.ss_family, AF_INET);
}

/* The peer combining the same two paths the other way round builds the reverse route:
 * same hops and flags as our combined path reversed; only SegIDs differ (fresh vs. walked). */
static void test_combine_symmetry(void **state)
{
	static struct pathmgr_candidate theirs, theirs_out;
	struct hidden_path mine;
	struct scion_std_path ab, ba;

	(void)state;
	assert_int_equal(hidden_combine(&own, &peer, IA_R, &out), 0);
	memset(&theirs, 0, sizeof(theirs));
	memcpy(theirs.raw, peer.raw, peer.raw_len);
	theirs.raw_len = peer.raw_len;
	theirs.path_type = 1;
	theirs.num_ifaces = peer.num_ifaces;
	memcpy(theirs.ifaces, peer.ifaces, sizeof(peer.ifaces[0]) * peer.num_ifaces);
	theirs.mtu = peer.mtu;
	theirs.expiry = peer.expiry;
	assert_int_equal(hidden_path_from_candidate(&own, &mine), 0);
	assert_int_equal(hidden_combine(&theirs, &mine, IA_R, &theirs_out), 0);

	assert_int_equal(scion_std_path_decode(out.raw, out.raw_len, &ab), 0);
	assert_int_equal(scion_std_path_decode(theirs_out.raw, theirs_out.raw_len, &ba), 0);
	assert_true(router_walk_ok(&ba));
	assert_int_equal(scion_std_path_reverse(&ab), 0);
	assert_int_equal(ab.num_infs, ba.num_infs);
	assert_int_equal(ab.num_hops, ba.num_hops);
	for (unsigned s = 0; s < ab.num_infs; s++) {
		assert_int_equal(ab.meta.seg_len[s], ba.meta.seg_len[s]);
		assert_int_equal(ab.inf[s].cons_dir, ba.inf[s].cons_dir);
		assert_int_equal(ab.inf[s].timestamp, ba.inf[s].timestamp);
	}
	for (unsigned h = 0; h < ab.num_hops; h++)
		assert_memory_equal(&ab.hop[h], &ba.hop[h], sizeof(ab.hop[h]));
	for (size_t i = 0; i < out.num_ifaces; i++) {
		assert_int_equal(out.ifaces[i].ia, theirs_out.ifaces[out.num_ifaces - 1 - i].ia);
		assert_int_equal(out.ifaces[i].ifid,
				 theirs_out.ifaces[out.num_ifaces - 1 - i].ifid);
	}
}

static void test_combine_rejects(void **state)
{
	static struct pathmgr_candidate bad;
	static uint8_t raw[SCION_MAX_STD_PATH_LEN];
	struct hidden_path hp;
	struct scion_std_path p;
	size_t w;

	(void)state;
	/* Not ending at R. */
	assert_int_equal(hidden_combine(&own, &peer, IA_X, &out), HIDDEN_ERR_ENDPOINT);
	hp = peer;
	hp.ifaces[3].ia = IA_Y;
	assert_int_equal(hidden_combine(&own, &hp, IA_R, &out), HIDDEN_ERR_ENDPOINT);
	/* Hop field at R disagrees with the interface the list claims. */
	hp = peer;
	hp.ifaces[3].ifid = 99;
	assert_int_equal(hidden_combine(&own, &hp, IA_R, &out), HIDDEN_ERR_MISMATCH);
	/* Interface loop: the peer claims our first link. */
	hp = peer;
	hp.ifaces[1] = own.ifaces[1];
	assert_int_equal(hidden_combine(&own, &hp, IA_R, &out), HIDDEN_ERR_LOOP);
	/* A down segment into R (ConsDir = 1). */
	bad = own;
	assert_int_equal(scion_std_path_decode(own.raw, own.raw_len, &p), 0);
	p.inf[0].cons_dir = true;
	assert_int_equal(scion_std_path_encode(&p, bad.raw, sizeof(bad.raw), &w), 0);
	assert_int_equal(hidden_combine(&bad, &peer, IA_R, &out), HIDDEN_ERR_DIRECTION);
	/* Not fresh. */
	assert_int_equal(scion_std_path_decode(own.raw, own.raw_len, &p), 0);
	p.meta.curr_hf = 1;
	assert_int_equal(scion_std_path_encode(&p, bad.raw, sizeof(bad.raw), &w), 0);
	assert_int_equal(hidden_combine(&bad, &peer, IA_R, &out), HIDDEN_ERR_NOT_FRESH);
	/* Peering. */
	assert_int_equal(scion_std_path_decode(own.raw, own.raw_len, &p), 0);
	p.inf[0].peer = true;
	assert_int_equal(scion_std_path_encode(&p, bad.raw, sizeof(bad.raw), &w), 0);
	assert_int_equal(hidden_combine(&bad, &peer, IA_R, &out), HIDDEN_ERR_PEERING);
	/* Garbage bytes. */
	bad = own;
	bad.raw_len = 7;
	assert_int_equal(hidden_combine(&bad, &peer, IA_R, &out), HIDDEN_ERR_PATH);
	/* Over 64 hops: 40 + 40. */
	uint16_t pairs[40][2];
	for (unsigned i = 0; i < 40; i++) {
		pairs[i][0] = (uint16_t)(i ? 100 + 2 * i : 0);
		pairs[i][1] = (uint16_t)(i < 39 ? 101 + 2 * i : 0);
	}
	pairs[0][1] = 11;
	beacon_up_path(1, pairs, 40, &p);
	bad = own;
	assert_int_equal(scion_std_path_encode(&p, bad.raw, sizeof(bad.raw), &w), 0);
	bad.raw_len = w;
	assert_int_equal(hidden_combine(&bad, &peer, IA_R, &out), 0); /* 43 hops: fine */
	pairs[0][1] = 12;
	beacon_up_path(2, pairs, 40, &p);
	assert_int_equal(scion_std_path_encode(&p, raw, sizeof(raw), &w), 0);
	hp = peer;
	hp.raw = raw;
	hp.raw_len = w;
	assert_int_equal(hidden_combine(&bad, &hp, IA_R, &out), HIDDEN_ERR_TOO_LONG);
	/* Over 3 segments: two 2-segment paths. */
	assert_int_equal(scion_std_path_decode(own.raw, own.raw_len, &p), 0);
	p.meta.seg_len[0] = 1;
	p.meta.seg_len[1] = 2;
	p.num_infs = 2;
	p.inf[1] = p.inf[0];
	p.inf[0].cons_dir = true;
	assert_int_equal(scion_std_path_encode(&p, bad.raw, sizeof(bad.raw), &w), 0);
	bad.raw_len = w;
	assert_int_equal(scion_std_path_decode(peer.raw, peer.raw_len, &p), 0);
	p.meta.seg_len[0] = 2;
	p.meta.seg_len[1] = 1;
	p.num_infs = 2;
	p.inf[1] = p.inf[0];
	assert_int_equal(scion_std_path_encode(&p, raw, sizeof(raw), &w), 0);
	hp = peer;
	hp.raw = raw;
	hp.raw_len = w;
	assert_int_equal(hidden_combine(&bad, &hp, IA_R, &out), HIDDEN_ERR_TOO_LONG);
	assert_string_equal(hidden_strerror(HIDDEN_ERR_TOO_LONG),
			    "combined path over 3 segments or 64 hops");
}

static struct hidden_path_list list, back;
static uint8_t msg[HIDDEN_MAX_MSG_LEN];

static size_t encode_list(void)
{
	size_t w = 0;

	memset(&list, 0, sizeof(list));
	list.src_ia = IA_A;
	list.rendezvous_ia = IA_R;
	list.count = 2;
	assert_int_equal(hidden_path_from_candidate(&own, &list.paths[0]), 0);
	list.paths[1] = list.paths[0];
	list.paths[1].mtu = 9000;
	assert_int_equal(hidden_list_encode(&list, msg, sizeof(msg), &w), 0);
	return w;
}

static void test_codec_roundtrip(void **state)
{
	size_t w;

	(void)state;
	w = encode_list();
	assert_int_equal(w, HIDDEN_HDR_LEN + 2 * (HIDDEN_PATH_FIXED_LEN + own.raw_len + 4 * 16));
	assert_int_equal(msg[0], HIDDEN_MSG_VERSION);
	assert_int_equal(msg[1], 2);
	assert_int_equal(hidden_list_decode(msg, w, &back), 0);
	assert_int_equal(back.src_ia, IA_A);
	assert_int_equal(back.rendezvous_ia, IA_R);
	assert_int_equal(back.count, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(back.paths[i].raw_len, own.raw_len);
		assert_memory_equal(back.paths[i].raw, own.raw, own.raw_len);
		assert_true(back.paths[i].raw >= msg && back.paths[i].raw < msg + w);
		assert_int_equal(back.paths[i].expiry, own.expiry);
		assert_int_equal(back.paths[i].num_ifaces, 4);
		assert_memory_equal(back.paths[i].ifaces, own.ifaces, 4 * sizeof(own.ifaces[0]));
	}
	assert_int_equal(back.paths[0].mtu, 1400);
	assert_int_equal(back.paths[1].mtu, 9000);
	/* Every proper prefix is truncated; an extra byte is trailing. */
	for (size_t n = 0; n < w; n++)
		assert_int_not_equal(hidden_list_decode(msg, n, &back), 0);
	msg[w] = 0;
	assert_int_equal(hidden_list_decode(msg, w + 1, &back), HIDDEN_ERR_TRAILING);
	/* The encoder checks its space. */
	assert_int_equal(hidden_list_encode(&list, msg, w - 1, &w), HIDDEN_ERR_SPACE);
	/* An empty list is valid: "no hidden paths to offer". */
	list.count = 0;
	assert_int_equal(hidden_list_encode(&list, msg, sizeof(msg), &w), 0);
	assert_int_equal(w, HIDDEN_HDR_LEN);
	assert_int_equal(hidden_list_decode(msg, w, &back), 0);
	assert_int_equal(back.count, 0);
}

/* Overwrites n bytes (big-endian value) of an encoded list and expects a specific rejection. */
static void expect_bad(size_t off, size_t n, uint64_t val, int err)
{
	size_t w = encode_list();

	for (size_t i = 0; i < n; i++)
		msg[off + i] = (uint8_t)(val >> (8 * (n - 1 - i)));
	assert_int_equal(hidden_list_decode(msg, w, &back), err);
}

static void test_codec_rejects(void **state)
{
	const size_t p0 = HIDDEN_HDR_LEN;	/* first path's raw_len */
	const size_t raw0 = p0 + 2;		/* its raw bytes */
	const size_t mtu0 = raw0 + own.raw_len; /* its MTU */
	const size_t nif0 = mtu0 + 2 + 8;	/* its interface count */
	const size_t if0 = nif0 + 1;		/* its first interface */

	(void)state;
	expect_bad(0, 1, 2, HIDDEN_ERR_VERSION);
	expect_bad(1, 1, HIDDEN_MAX_PATHS + 1, HIDDEN_ERR_COUNT);
	expect_bad(1, 1, 3, HIDDEN_ERR_TRUNCATED);    /* claims a third path */
	expect_bad(1, 1, 1, HIDDEN_ERR_TRAILING);     /* the second path is left over */
	expect_bad(2, 8, IA_R, HIDDEN_ERR_ENDPOINT);  /* source is R */
	expect_bad(2, 2, 0, HIDDEN_ERR_ENDPOINT);     /* source ISD 0 */
	expect_bad(10, 8, IA_X, HIDDEN_ERR_ENDPOINT); /* paths do not end at the stated R */
	expect_bad(p0, 2, SCION_MAX_STD_PATH_LEN + 1, HIDDEN_ERR_RAW_LEN);
	expect_bad(p0, 2, HIDDEN_MIN_RAW_LEN - 1, HIDDEN_ERR_RAW_LEN);
	expect_bad(raw0 + 2, 1, 0xff, HIDDEN_ERR_PATH);	   /* segment lengths disagree with bytes */
	expect_bad(raw0, 1, 0x01, HIDDEN_ERR_NOT_FRESH);   /* CurrHF = 1 */
	expect_bad(raw0 + 4, 1, 0x02, HIDDEN_ERR_PEERING); /* P flag of the info field */
	expect_bad(mtu0, 2, 0, HIDDEN_ERR_MTU);
	expect_bad(nif0, 1, 3, HIDDEN_ERR_IFACES);
	expect_bad(nif0, 1, 0, HIDDEN_ERR_IFACES);
	expect_bad(nif0, 1, HIDDEN_MAX_INTERFACES + 2, HIDDEN_ERR_IFACES);
	expect_bad(nif0, 1, 200, HIDDEN_ERR_IFACES);
	expect_bad(if0 + 8, 8, 0, HIDDEN_ERR_IFACES);		/* ifid 0 */
	expect_bad(if0, 8, IA_B, HIDDEN_ERR_ENDPOINT);		/* first interface not in src */
	expect_bad(if0 + 3 * 16, 8, IA_Y, HIDDEN_ERR_ENDPOINT); /* last not in R */
	/* The encoder refuses what the decoder would. */
	size_t w;
	encode_list();
	list.paths[1].num_ifaces = 3;
	assert_int_equal(hidden_list_encode(&list, msg, sizeof(msg), &w), HIDDEN_ERR_IFACES);
	list.paths[1].num_ifaces = 4;
	list.rendezvous_ia = IA_A;
	assert_int_equal(hidden_list_encode(&list, msg, sizeof(msg), &w), HIDDEN_ERR_INVALID);
}

/* The fuzzer's seed corpus decodes and its paths combine with each other. */
static void test_corpus_seeds(void **state)
{
	static const char *const names[] = {"one_path", "two_paths", "empty"};
	static uint8_t buf[HIDDEN_MAX_MSG_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512];
		FILE *f;
		size_t n;

		snprintf(path, sizeof(path), "%s/fuzz/corpus/hidden/%s", SEG_SOURCE_DIR, names[i]);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_int_equal(hidden_list_decode(buf, n, &back), 0);
	}
	assert_int_equal(back.count, 0); /* "empty" was last */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_combine_fields, setup),
	    cmocka_unit_test_setup(test_combine_symmetry, setup),
	    cmocka_unit_test_setup(test_combine_rejects, setup),
	    cmocka_unit_test_setup(test_codec_roundtrip, setup),
	    cmocka_unit_test_setup(test_codec_rejects, setup),
	    cmocka_unit_test(test_corpus_seeds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
