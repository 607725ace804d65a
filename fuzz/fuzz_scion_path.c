/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the standard path codec: decode; when accepted, re-encode (same bytes but reserved
 * bits), reverse twice (identity), reverse raw bytes twice (identity on the canonical form),
 * and advance to the end (every step valid, then SCION_PATH_ERR_END). The same input is also
 * tried as a one-hop path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <seg/scion_path.h>

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static void check_equal(const struct scion_std_path *a, const struct scion_std_path *b)
{
	CHECK(memcmp(&a->meta, &b->meta, sizeof(a->meta)) == 0);
	CHECK(a->num_infs == b->num_infs && a->num_hops == b->num_hops);
	for (unsigned i = 0; i < a->num_infs; i++)
		CHECK(a->inf[i].peer == b->inf[i].peer &&
		      a->inf[i].cons_dir == b->inf[i].cons_dir &&
		      a->inf[i].seg_id == b->inf[i].seg_id &&
		      a->inf[i].timestamp == b->inf[i].timestamp);
	for (unsigned i = 0; i < a->num_hops; i++)
		CHECK(a->hop[i].ingress_alert == b->hop[i].ingress_alert &&
		      a->hop[i].egress_alert == b->hop[i].egress_alert &&
		      a->hop[i].exp_time == b->hop[i].exp_time &&
		      a->hop[i].cons_ingress == b->hop[i].cons_ingress &&
		      a->hop[i].cons_egress == b->hop[i].cons_egress &&
		      memcmp(a->hop[i].mac, b->hop[i].mac, SCION_MAC_LEN) == 0);
}

static void check_onehop(const uint8_t *data, size_t size)
{
	struct scion_onehop_path o;
	struct scion_std_path sp;
	uint8_t buf[SCION_ONEHOP_PATH_LEN];
	size_t n = 0;

	if (scion_onehop_path_decode(data, size, &o))
		return;
	CHECK(scion_onehop_path_encode(&o, buf, sizeof(buf), &n) == 0 && n == size);
	if (scion_onehop_path_reverse(&o, &sp) == 0) {
		CHECK(sp.meta.curr_hf == 0 && sp.num_hops == 2);
		CHECK(scion_std_path_reverse(&sp) == 0 && sp.meta.curr_hf == 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t enc[SCION_MAX_STD_PATH_LEN], rev[SCION_MAX_STD_PATH_LEN],
	    rev2[SCION_MAX_STD_PATH_LEN];
	struct scion_std_path p, q;
	struct scion_path_meta m;
	size_t n = 0;

	check_onehop(data, size);
	if (scion_std_path_decode(data, size, &p)) {
		/* The O(1) meta check and the full decode accept exactly the same inputs. */
		CHECK(scion_path_meta_decode(data, size, &m) != 0);
		return 0;
	}
	CHECK(scion_path_meta_decode(data, size, &m) == 0);
	CHECK(memcmp(&m, &p.meta, sizeof(m)) == 0);
	CHECK(scion_std_path_encode(&p, enc, sizeof(enc), &n) == 0 && n == size);
	CHECK(scion_std_path_len(&p) == size);
	for (size_t i = 0; i < size; i++) {
		uint8_t diff = enc[i] ^ data[i];

		/* Only reserved bits may differ: meta RSV, info flags and RSV, hop flags. */
		if (diff) {
			bool rsv = i == 1 ? !(diff & 0x03) : false;

			for (unsigned k = 0; k < p.num_infs; k++)
				rsv |= (i == scion_path_info_offset(k) && !(diff & 0x03)) ||
				       i == scion_path_info_offset(k) + 1;
			for (unsigned k = 0; k < p.num_hops; k++)
				rsv |= i == scion_path_hop_offset(p.num_infs, k) && !(diff & 0x03);
			CHECK(rsv);
		}
	}

	/* Reverse twice is the identity; the reversed path is itself valid. */
	q = p;
	CHECK(scion_std_path_reverse(&q) == 0);
	CHECK(q.meta.curr_hf == p.num_hops - 1 - p.meta.curr_hf);
	CHECK(scion_std_path_inf_of_hop(&q, q.meta.curr_hf) == q.meta.curr_inf);
	CHECK(scion_std_path_reverse(&q) == 0);
	check_equal(&p, &q);
	CHECK(scion_raw_path_reverse(enc, n, rev, sizeof(rev)) == 0);
	CHECK(scion_std_path_decode(rev, n, &q) == 0);
	CHECK(scion_raw_path_reverse(rev, n, rev2, sizeof(rev2)) == 0);
	CHECK(memcmp(rev2, enc, n) == 0);

	/* Advance to the last hop, then one more fails and changes nothing. */
	q = p;
	while (scion_std_path_advance(&q) == 0)
		CHECK(scion_std_path_inf_of_hop(&q, q.meta.curr_hf) == q.meta.curr_inf);
	CHECK(q.meta.curr_hf == p.num_hops - 1);
	CHECK(scion_std_path_is_last_hop_of_segment(&q));
	CHECK(scion_std_path_advance(&q) == SCION_PATH_ERR_END);
	return 0;
}
