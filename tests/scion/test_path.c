/* SPDX-License-Identifier: MIT */
/*
 * Standard and one-hop paths: field codecs, decode/encode round trips for 1, 2 and 3
 * segments, reversal (the reference's decoded_test.go table), advancement, and rejection of
 * malformed meta headers with their specific error codes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <seg/scion_path.h>

/* A path whose hop i has both interfaces set to ids[i] (as mkDecodedPath does). */
static void make_path(struct scion_std_path *p, unsigned num_infs, const uint8_t *seg_len,
		      const bool *cons_dir, const uint16_t *ids, uint8_t curr_inf, uint8_t curr_hf)
{
	memset(p, 0, sizeof(*p));
	p->num_infs = (uint8_t)num_infs;
	for (unsigned i = 0; i < num_infs; i++) {
		p->meta.seg_len[i] = seg_len[i];
		p->num_hops = (uint8_t)(p->num_hops + seg_len[i]);
		p->inf[i].cons_dir = cons_dir[i];
		p->inf[i].seg_id = (uint16_t)(0x1000 + i);
		p->inf[i].timestamp = 1700000000u + i;
	}
	for (unsigned i = 0; i < p->num_hops; i++) {
		p->hop[i].cons_ingress = ids[i];
		p->hop[i].cons_egress = ids[i];
		p->hop[i].exp_time = 63;
		p->hop[i].mac[0] = (uint8_t)ids[i];
	}
	p->meta.curr_inf = curr_inf;
	p->meta.curr_hf = curr_hf;
}

static void assert_path_equal(const struct scion_std_path *a, const struct scion_std_path *b)
{
	assert_memory_equal(&a->meta, &b->meta, sizeof(a->meta));
	assert_int_equal(a->num_infs, b->num_infs);
	assert_int_equal(a->num_hops, b->num_hops);
	for (unsigned i = 0; i < a->num_infs; i++) {
		assert_int_equal(a->inf[i].cons_dir, b->inf[i].cons_dir);
		assert_int_equal(a->inf[i].peer, b->inf[i].peer);
		assert_int_equal(a->inf[i].seg_id, b->inf[i].seg_id);
		assert_int_equal(a->inf[i].timestamp, b->inf[i].timestamp);
	}
	for (unsigned i = 0; i < a->num_hops; i++) {
		assert_int_equal(a->hop[i].cons_ingress, b->hop[i].cons_ingress);
		assert_int_equal(a->hop[i].cons_egress, b->hop[i].cons_egress);
		assert_int_equal(a->hop[i].exp_time, b->hop[i].exp_time);
		assert_memory_equal(a->hop[i].mac, b->hop[i].mac, SCION_MAC_LEN);
	}
}

/* pathReverseCases of scionproto pkg/slayers/path/scion/decoded_test.go. */
struct reverse_case {
	unsigned num_infs;
	uint8_t seg_len[3], want_seg_len[3];
	bool dir[3], want_dir[3];
	uint16_t ids[9], want_ids[9];
	uint8_t idx[9][2], want_idx[9][2];
};

static const struct reverse_case reverse_cases[] = {
    {1, {2}, {2}, {true}, {false}, {11, 12}, {12, 11}, {{0, 0}, {0, 1}}, {{0, 1}, {0, 0}}},
    {1,
     {5},
     {5},
     {true},
     {false},
     {11, 12, 13, 14, 15},
     {15, 14, 13, 12, 11},
     {{0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}},
     {{0, 4}, {0, 3}, {0, 2}, {0, 1}, {0, 0}}},
    {2,
     {2, 3},
     {3, 2},
     {true, false},
     {true, false},
     {11, 12, 13, 14, 15},
     {15, 14, 13, 12, 11},
     {{0, 0}, {0, 1}, {1, 2}, {1, 3}, {1, 4}},
     {{1, 4}, {1, 3}, {0, 2}, {0, 1}, {0, 0}}},
    {3,
     {2, 4, 3},
     {3, 4, 2},
     {true, false, false},
     {true, true, false},
     {11, 12, 13, 14, 15, 16, 17, 18, 19},
     {19, 18, 17, 16, 15, 14, 13, 12, 11},
     {{0, 0}, {0, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {2, 6}, {2, 7}, {2, 8}},
     {{2, 8}, {2, 7}, {1, 6}, {1, 5}, {1, 4}, {1, 3}, {0, 2}, {0, 1}, {0, 0}}},
};

static void test_reverse_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(reverse_cases) / sizeof(reverse_cases[0]); c++) {
		const struct reverse_case *rc = &reverse_cases[c];
		unsigned nh = rc->seg_len[0] + rc->seg_len[1] + rc->seg_len[2];

		for (unsigned k = 0; k < nh; k++) {
			struct scion_std_path in, want, orig;

			make_path(&in, rc->num_infs, rc->seg_len, rc->dir, rc->ids, rc->idx[k][0],
				  rc->idx[k][1]);
			make_path(&want, rc->num_infs, rc->want_seg_len, rc->want_dir, rc->want_ids,
				  rc->want_idx[k][0], rc->want_idx[k][1]);
			orig = in;
			assert_int_equal(scion_std_path_reverse(&in), 0);
			/* make_path numbers info fields by position; compare only what moves. */
			assert_memory_equal(&in.meta, &want.meta, sizeof(in.meta));
			for (unsigned i = 0; i < rc->num_infs; i++)
				assert_int_equal(in.inf[i].cons_dir, want.inf[i].cons_dir);
			for (unsigned i = 0; i < nh; i++)
				assert_int_equal(in.hop[i].cons_ingress, want.hop[i].cons_ingress);
			/* Reversing twice is the identity. */
			assert_int_equal(scion_std_path_reverse(&in), 0);
			assert_path_equal(&in, &orig);
		}
	}
}

static void test_roundtrip_segments(void **state)
{
	static const uint16_t ids[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint8_t segs[3][3] = {{3}, {2, 4}, {2, 4, 3}};
	static const bool dirs[3] = {true, false, true};

	(void)state;
	for (unsigned n = 1; n <= 3; n++) {
		struct scion_std_path p, q;
		uint8_t buf[SCION_MAX_STD_PATH_LEN], rev[SCION_MAX_STD_PATH_LEN],
		    rev2[SCION_MAX_STD_PATH_LEN];
		size_t len = 0;

		make_path(&p, n, segs[n - 1], dirs, ids, 0, 0);
		p.inf[0].peer = true;
		p.hop[1].ingress_alert = true;
		p.hop[2].egress_alert = true;
		assert_int_equal(scion_std_path_encode(&p, buf, sizeof(buf), &len), 0);
		assert_int_equal(len, scion_std_path_len(&p));
		assert_int_equal(len, 4 + 8 * n + 12 * p.num_hops);
		assert_int_equal(scion_std_path_decode(buf, len, &q), 0);
		assert_path_equal(&p, &q);
		assert_true(q.inf[0].peer);
		assert_true(q.hop[1].ingress_alert);
		assert_false(q.hop[1].egress_alert);
		assert_true(q.hop[2].egress_alert);
		/* Raw reversal twice gives the same bytes back. */
		assert_int_equal(scion_raw_path_reverse(buf, len, rev, sizeof(rev)), 0);
		assert_memory_not_equal(buf, rev, len);
		assert_int_equal(scion_raw_path_reverse(rev, len, rev2, sizeof(rev2)), 0);
		assert_memory_equal(buf, rev2, len);
		assert_int_equal(scion_raw_path_reverse(buf, len, rev, len - 1),
				 SCION_PATH_ERR_SPACE);
		assert_int_equal(scion_std_path_encode(&p, buf, len - 1, &len),
				 SCION_PATH_ERR_SPACE);
	}
}

/* A path as it arrives at the destination, reversed, is ready to send back. */
static void test_reverse_for_reply(void **state)
{
	static const uint16_t ids[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint8_t seg[3] = {2, 4, 3};
	static const bool dirs[3] = {false, true, true};
	struct scion_std_path p;

	(void)state;
	make_path(&p, 3, seg, dirs, ids, 2, 8);
	assert_true(scion_std_path_is_last_hop_of_segment(&p));
	assert_int_equal(scion_std_path_advance(&p), SCION_PATH_ERR_END);
	assert_int_equal(scion_std_path_reverse(&p), 0);
	assert_int_equal(p.meta.curr_inf, 0);
	assert_int_equal(p.meta.curr_hf, 0);
	assert_int_equal(p.hop[0].cons_ingress, 9); /* the destination's own hop field */
	assert_int_equal(p.meta.seg_len[0], 3);
	assert_false(p.inf[0].cons_dir);
	assert_true(p.inf[2].cons_dir);
	assert_true(scion_std_path_is_first_hop_of_segment(&p));
	assert_int_equal(scion_std_path_inf_of_hop(&p, 2), 0);
	assert_int_equal(scion_std_path_inf_of_hop(&p, 3), 1);
	assert_int_equal(scion_std_path_inf_of_hop(&p, 8), 2);
	assert_int_equal(scion_std_path_inf_of_hop(&p, 9), SCION_PATH_ERR_CURR_HF);
}

static void test_advance(void **state)
{
	static const uint16_t ids[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	static const uint8_t seg[3] = {2, 4, 3};
	static const uint8_t want_inf[9] = {0, 0, 1, 1, 1, 1, 2, 2, 2};
	static const bool dirs[3] = {false, false, true};
	struct scion_std_path p, before;
	uint8_t buf[SCION_MAX_STD_PATH_LEN];
	size_t len;

	(void)state;
	make_path(&p, 3, seg, dirs, ids, 0, 0);
	for (unsigned hf = 0; hf < 9; hf++) {
		assert_int_equal(p.meta.curr_hf, hf);
		assert_int_equal(p.meta.curr_inf, want_inf[hf]);
		assert_int_equal(scion_std_path_is_first_hop_of_segment(&p),
				 hf == 0 || hf == 2 || hf == 6);
		assert_int_equal(scion_std_path_is_last_hop_of_segment(&p),
				 hf == 1 || hf == 5 || hf == 8);
		/* Every intermediate state encodes to a valid path. */
		assert_int_equal(scion_std_path_encode(&p, buf, sizeof(buf), &len), 0);
		assert_int_equal(scion_std_path_decode(buf, len, &before), 0);
		if (hf < 8)
			assert_int_equal(scion_std_path_advance(&p), 0);
	}
	/* Past the end: an error, and the path is left as it was. */
	before = p;
	assert_int_equal(scion_std_path_advance(&p), SCION_PATH_ERR_END);
	assert_path_equal(&p, &before);
	assert_int_equal(scion_path_meta_advance(&p.meta), SCION_PATH_ERR_END);
}

static void test_meta_codec(void **state)
{
	struct scion_path_meta m = {.curr_inf = 1, .curr_hf = 5, .seg_len = {3, 4, 5}}, d;
	uint8_t raw[4 + 3 * 8 + 12 * 12] = {0};

	(void)state;
	scion_path_meta_encode(&m, raw);
	assert_int_equal(raw[0], 0x45);
	assert_int_equal(raw[1], 0x00);
	assert_int_equal(raw[2], 0x31);
	assert_int_equal(raw[3], 0x05);
	assert_int_equal(scion_path_meta_num_infs(&m), 3);
	assert_int_equal(scion_path_meta_num_hops(&m), 12);
	assert_int_equal(scion_path_meta_decode(raw, sizeof(raw), &d), 0);
	assert_memory_equal(&m, &d, sizeof(m));
	/* RSV bits are ignored, as the reference does. */
	raw[1] = 0xfc;
	assert_int_equal(scion_path_meta_decode(raw, sizeof(raw), &d), 0);
	assert_memory_equal(&m, &d, sizeof(m));
	assert_int_equal(scion_path_hop_offset(3, 2), 4 + 24 + 24);
	assert_int_equal(scion_path_info_offset(2), 20);
}

/* Writes a meta header with the given values and returns the implied path length. */
static size_t put_meta(uint8_t *raw, unsigned ci, unsigned chf, unsigned s0, unsigned s1,
		       unsigned s2)
{
	struct scion_path_meta m = {
	    (uint8_t)ci, (uint8_t)chf, {(uint8_t)s0, (uint8_t)s1, (uint8_t)s2}};
	unsigned ni = (s0 > 0) + (s1 > 0) + (s2 > 0);

	scion_path_meta_encode(&m, raw);
	return 4 + 8 * ni + 12 * (s0 + s1 + s2);
}

static void test_malformed(void **state)
{
	static uint8_t raw[4 + 3 * 8 + 189 * 12];
	struct scion_std_path p;
	size_t len;

	(void)state;
	/* Truncated at every length, meta header included. */
	len = put_meta(raw, 0, 0, 2, 3, 0);
	for (size_t l = 0; l < len; l++)
		assert_int_equal(scion_std_path_decode(raw, l, &p), SCION_PATH_ERR_TRUNCATED);
	assert_int_equal(scion_std_path_decode(raw, len, &p), 0);
	assert_int_equal(scion_std_path_decode(raw, len + 1, &p), SCION_PATH_ERR_TRAILING);
	/* Segment length patterns: a non-zero after a zero, or all zero. */
	len = put_meta(raw, 0, 0, 0, 0, 0);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_SEG_LEN);
	len = put_meta(raw, 0, 0, 0, 2, 0);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_SEG_LEN);
	len = put_meta(raw, 0, 0, 0, 0, 2);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_SEG_LEN);
	len = put_meta(raw, 0, 0, 2, 0, 2);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_SEG_LEN);
	/* More than 64 hops; exactly 64 is fine. */
	len = put_meta(raw, 0, 0, 30, 30, 5);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_TOO_MANY_HOPS);
	len = put_meta(raw, 0, 0, 63, 63, 63);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_TOO_MANY_HOPS);
	len = put_meta(raw, 2, 63, 30, 30, 4);
	assert_int_equal(scion_std_path_decode(raw, len, &p), 0);
	assert_int_equal(p.num_hops, 64);
	/* CurrINF past the info fields. */
	len = put_meta(raw, 2, 0, 2, 2, 0);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_CURR_INF);
	len = put_meta(raw, 3, 0, 2, 2, 2);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_CURR_INF);
	/* CurrHF past the hop fields, or outside CurrINF's segment. */
	len = put_meta(raw, 1, 4, 2, 2, 0);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_CURR_HF);
	len = put_meta(raw, 0, 2, 2, 2, 0);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_CURR_HF);
	len = put_meta(raw, 1, 1, 2, 2, 0);
	assert_int_equal(scion_std_path_decode(raw, len, &p), SCION_PATH_ERR_CURR_HF);
	/* The encoder refuses inconsistent structs as well. */
	len = put_meta(raw, 0, 0, 2, 2, 0);
	assert_int_equal(scion_std_path_decode(raw, len, &p), 0);
	p.num_hops = 3;
	assert_int_equal(scion_std_path_encode(&p, raw, sizeof(raw), &len), SCION_PATH_ERR_SEG_LEN);
	assert_int_equal(scion_std_path_reverse(&p), SCION_PATH_ERR_SEG_LEN);
	assert_string_equal(scion_path_strerror(SCION_PATH_ERR_CURR_HF),
			    "CurrHF outside the hop fields or its segment");
}

static void test_field_codecs(void **state)
{
	struct scion_info_field inf = {
	    .peer = true, .cons_dir = false, .seg_id = 0xbeef, .timestamp = 0x01020304};
	struct scion_hop_field hop = {.ingress_alert = true,
				      .exp_time = 7,
				      .cons_ingress = 0x0a0b,
				      .cons_egress = 0x0c0d,
				      .mac = {1, 2, 3, 4, 5, 6}};
	static const uint8_t inf_raw[8] = {0x02, 0, 0xbe, 0xef, 1, 2, 3, 4};
	static const uint8_t hop_raw[12] = {0x02, 7, 0x0a, 0x0b, 0x0c, 0x0d, 1, 2, 3, 4, 5, 6};
	uint8_t raw[12];
	struct scion_info_field inf2;
	struct scion_hop_field hop2;

	(void)state;
	scion_info_field_encode(&inf, raw);
	assert_memory_equal(raw, inf_raw, 8);
	inf.cons_dir = true;
	inf.peer = false;
	scion_info_field_encode(&inf, raw);
	assert_int_equal(raw[0], 0x01);
	raw[0] |= 0xfc; /* reserved bits ignored */
	raw[1] = 0xff;
	scion_info_field_decode(raw, &inf2);
	assert_true(inf2.cons_dir);
	assert_false(inf2.peer);
	assert_int_equal(inf2.seg_id, 0xbeef);
	assert_int_equal(inf2.timestamp, 0x01020304);

	scion_hop_field_encode(&hop, raw);
	assert_memory_equal(raw, hop_raw, 12);
	hop.ingress_alert = false;
	hop.egress_alert = true;
	scion_hop_field_encode(&hop, raw);
	assert_int_equal(raw[0], 0x01);
	raw[0] |= 0xfc;
	scion_hop_field_decode(raw, &hop2);
	assert_true(hop2.egress_alert);
	assert_false(hop2.ingress_alert);
	assert_int_equal(hop2.exp_time, 7);
	assert_int_equal(hop2.cons_ingress, 0x0a0b);
	assert_int_equal(hop2.cons_egress, 0x0c0d);
	assert_memory_equal(hop2.mac, hop.mac, 6);

	/* (1 + ExpTime) * 337 s, the reference's integer unit. */
	assert_int_equal(scion_hop_expiry(1000, 0), 1337);
	assert_int_equal(scion_hop_expiry(0, 255), 256 * 337);
	assert_true(scion_hop_expiry(0xffffffffu, 255) == 0xffffffffull + 256 * 337);
}

static void test_onehop(void **state)
{
	struct scion_onehop_path o = {0}, d;
	struct scion_std_path sp;
	uint8_t buf[SCION_ONEHOP_PATH_LEN + 1];
	size_t len = 0;

	(void)state;
	o.info = (struct scion_info_field){.cons_dir = true, .seg_id = 34, .timestamp = 1000};
	o.first = (struct scion_hop_field){
	    .exp_time = 63, .cons_ingress = 5, .cons_egress = 6, .mac = {1, 2, 3, 4, 5, 6}};
	assert_int_equal(scion_onehop_path_encode(&o, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, SCION_ONEHOP_PATH_LEN);
	assert_int_equal(scion_onehop_path_encode(&o, buf, len - 1, &len), SCION_PATH_ERR_SPACE);
	for (size_t l = 0; l < SCION_ONEHOP_PATH_LEN; l++)
		assert_int_equal(scion_onehop_path_decode(buf, l, &d), SCION_PATH_ERR_TRUNCATED);
	assert_int_equal(scion_onehop_path_decode(buf, SCION_ONEHOP_PATH_LEN + 1, &d),
			 SCION_PATH_ERR_TRAILING);
	assert_int_equal(scion_onehop_path_decode(buf, SCION_ONEHOP_PATH_LEN, &d), 0);
	assert_int_equal(d.info.seg_id, 34);
	assert_int_equal(d.first.cons_egress, 6);
	/* Incomplete: the second hop is not filled in yet. */
	assert_int_equal(scion_onehop_path_reverse(&o, &sp), SCION_PATH_ERR_CURR_HF);
	o.second = (struct scion_hop_field){
	    .exp_time = 63, .cons_ingress = 2, .cons_egress = 3, .mac = {7, 8, 9, 10, 11, 12}};
	assert_int_equal(scion_onehop_path_to_std(&o, &sp), 0);
	assert_int_equal(sp.num_hops, 2);
	assert_true(sp.inf[0].cons_dir);
	assert_int_equal(sp.meta.curr_hf, 0);
	assert_int_equal(scion_onehop_path_reverse(&o, &sp), 0);
	assert_int_equal(sp.meta.curr_inf, 0);
	assert_int_equal(sp.meta.curr_hf, 0);
	assert_false(sp.inf[0].cons_dir);
	assert_int_equal(sp.hop[0].cons_ingress, 2);
	assert_int_equal(sp.hop[1].cons_ingress, 5);
	assert_int_equal(sp.inf[0].seg_id, 34);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reverse_table),     cmocka_unit_test(test_roundtrip_segments),
	    cmocka_unit_test(test_reverse_for_reply), cmocka_unit_test(test_advance),
	    cmocka_unit_test(test_meta_codec),	      cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_field_codecs),      cmocka_unit_test(test_onehop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
