/* SPDX-License-Identifier: MIT */
/*
 * The standard SCION path type (scion-header.rst, "Path Type: SCION"): meta header, info
 * and hop fields, reversal and CurrHF/CurrINF advancement. Behaviour follows the reference
 * (pkg/slayers/path/scion: base.go, decoded.go, raw.go): reserved bits are ignored on decode
 * and written as zero; reversal reverses info fields, segment lengths and hop fields, flips
 * ConsDir and mirrors CurrINF and CurrHF. We additionally validate CurrINF/CurrHF on decode,
 * as the spec asks ("the CurrHF needs to be compared to the SegLen fields").
 */
#include <string.h>

#include <seg/scion_path.h>

#include "base/cursor.h"
#include "scion/consts.h"

unsigned scion_path_meta_num_infs(const struct scion_path_meta *m)
{
	for (unsigned i = SCION_MAX_INFS; i > 0; i--)
		if (m->seg_len[i - 1] > 0)
			return i;
	return 0;
}

unsigned scion_path_meta_num_hops(const struct scion_path_meta *m)
{
	return (unsigned)m->seg_len[0] + m->seg_len[1] + m->seg_len[2];
}

/* Segment index of hop hf, given that hf < num_hops (reference infIndexForHF). */
static unsigned meta_inf_of_hop(const struct scion_path_meta *m, unsigned hf)
{
	if (hf < m->seg_len[0])
		return 0;
	if (hf < (unsigned)m->seg_len[0] + m->seg_len[1])
		return 1;
	return 2;
}

/* Checks a meta header on its own; len_out gets the path length it implies. */
static int meta_validate(const struct scion_path_meta *m, size_t *len_out)
{
	unsigned num_infs = 0, num_hops = 0;

	/* scion-header.rst: SegXLen > 0 with SegYLen == 0 for X > Y is an error. */
	for (unsigned i = 0; i < SCION_MAX_INFS; i++) {
		if (m->seg_len[i] > SCION_META_SEG_LEN_MASK)
			return SCION_PATH_ERR_SEG_LEN;
		if (m->seg_len[i] == 0)
			continue;
		if (num_infs != i)
			return SCION_PATH_ERR_SEG_LEN;
		num_infs++;
		num_hops += m->seg_len[i];
	}
	/* All zero is the empty path, which has its own path type. */
	if (num_infs == 0)
		return SCION_PATH_ERR_SEG_LEN;
	if (num_hops > SCION_MAX_HOPS)
		return SCION_PATH_ERR_TOO_MANY_HOPS;
	if (m->curr_inf >= num_infs)
		return SCION_PATH_ERR_CURR_INF;
	if (m->curr_hf >= num_hops || meta_inf_of_hop(m, m->curr_hf) != m->curr_inf)
		return SCION_PATH_ERR_CURR_HF;
	*len_out = scion_path_hop_offset(num_infs, num_hops);
	return 0;
}

int scion_path_meta_decode(const uint8_t *raw, size_t len, struct scion_path_meta *out)
{
	struct rcursor c = rcursor_init(raw, len);
	struct scion_path_meta m;
	size_t want;
	uint32_t line;
	int err;

	if (!rcursor_u32be(&c, &line))
		return SCION_PATH_ERR_TRUNCATED;
	m.curr_inf = (uint8_t)(line >> SCION_META_CURR_INF_SHIFT & SCION_META_CURR_INF_MASK);
	m.curr_hf = (uint8_t)(line >> SCION_META_CURR_HF_SHIFT & SCION_META_CURR_HF_MASK);
	m.seg_len[0] = (uint8_t)(line >> SCION_META_SEG0_SHIFT & SCION_META_SEG_LEN_MASK);
	m.seg_len[1] = (uint8_t)(line >> SCION_META_SEG1_SHIFT & SCION_META_SEG_LEN_MASK);
	m.seg_len[2] = (uint8_t)(line >> SCION_META_SEG2_SHIFT & SCION_META_SEG_LEN_MASK);
	err = meta_validate(&m, &want);
	if (err)
		return err;
	if (len < want)
		return SCION_PATH_ERR_TRUNCATED;
	if (len > want)
		return SCION_PATH_ERR_TRAILING;
	*out = m;
	return 0;
}

void scion_path_meta_encode(const struct scion_path_meta *m, uint8_t raw[SCION_PATH_META_LEN])
{
	uint32_t line =
	    (uint32_t)(m->curr_inf & SCION_META_CURR_INF_MASK) << SCION_META_CURR_INF_SHIFT |
	    (uint32_t)(m->curr_hf & SCION_META_CURR_HF_MASK) << SCION_META_CURR_HF_SHIFT |
	    (uint32_t)(m->seg_len[0] & SCION_META_SEG_LEN_MASK) << SCION_META_SEG0_SHIFT |
	    (uint32_t)(m->seg_len[1] & SCION_META_SEG_LEN_MASK) << SCION_META_SEG1_SHIFT |
	    (uint32_t)(m->seg_len[2] & SCION_META_SEG_LEN_MASK) << SCION_META_SEG2_SHIFT;
	store_u32be(raw, line);
}

int scion_path_meta_advance(struct scion_path_meta *m)
{
	unsigned num_hops = scion_path_meta_num_hops(m);

	if (scion_path_meta_num_infs(m) == 0)
		return SCION_PATH_ERR_SEG_LEN;
	if ((unsigned)m->curr_hf + 1 >= num_hops)
		return SCION_PATH_ERR_END;
	m->curr_hf++;
	m->curr_inf = (uint8_t)meta_inf_of_hop(m, m->curr_hf);
	return 0;
}

void scion_info_field_decode(const uint8_t raw[SCION_INFO_LEN], struct scion_info_field *out)
{
	out->cons_dir = (raw[0] & SCION_INFO_FLAG_CONS_DIR) != 0;
	out->peer = (raw[0] & SCION_INFO_FLAG_PEER) != 0;
	out->seg_id = load_u16be(raw + SCION_INFO_OFF_SEG_ID);
	out->timestamp = load_u32be(raw + SCION_INFO_OFF_TIMESTAMP);
}

void scion_info_field_encode(const struct scion_info_field *f, uint8_t raw[SCION_INFO_LEN])
{
	raw[0] = (uint8_t)((f->cons_dir ? SCION_INFO_FLAG_CONS_DIR : 0) |
			   (f->peer ? SCION_INFO_FLAG_PEER : 0));
	raw[1] = 0;
	store_u16be(raw + SCION_INFO_OFF_SEG_ID, f->seg_id);
	store_u32be(raw + SCION_INFO_OFF_TIMESTAMP, f->timestamp);
}

void scion_hop_field_decode(const uint8_t raw[SCION_HOP_LEN], struct scion_hop_field *out)
{
	out->egress_alert = (raw[0] & SCION_HOP_FLAG_EGRESS_ALERT) != 0;
	out->ingress_alert = (raw[0] & SCION_HOP_FLAG_INGRESS_ALERT) != 0;
	out->exp_time = raw[SCION_HOP_OFF_EXP_TIME];
	out->cons_ingress = load_u16be(raw + SCION_HOP_OFF_CONS_INGRESS);
	out->cons_egress = load_u16be(raw + SCION_HOP_OFF_CONS_EGRESS);
	memcpy(out->mac, raw + SCION_HOP_OFF_MAC, SCION_MAC_LEN);
}

void scion_hop_field_encode(const struct scion_hop_field *h, uint8_t raw[SCION_HOP_LEN])
{
	raw[0] = (uint8_t)((h->egress_alert ? SCION_HOP_FLAG_EGRESS_ALERT : 0) |
			   (h->ingress_alert ? SCION_HOP_FLAG_INGRESS_ALERT : 0));
	raw[SCION_HOP_OFF_EXP_TIME] = h->exp_time;
	store_u16be(raw + SCION_HOP_OFF_CONS_INGRESS, h->cons_ingress);
	store_u16be(raw + SCION_HOP_OFF_CONS_EGRESS, h->cons_egress);
	memcpy(raw + SCION_HOP_OFF_MAC, h->mac, SCION_MAC_LEN);
}

int scion_std_path_decode(const uint8_t *raw, size_t len, struct scion_std_path *out)
{
	struct scion_path_meta m;
	unsigned num_infs, num_hops;
	int err = scion_path_meta_decode(raw, len, &m);

	if (err)
		return err;
	num_infs = scion_path_meta_num_infs(&m);
	num_hops = scion_path_meta_num_hops(&m);
	memset(out, 0, sizeof(*out));
	out->meta = m;
	out->num_infs = (uint8_t)num_infs;
	out->num_hops = (uint8_t)num_hops;
	/* meta_decode checked len against exactly these offsets. */
	for (unsigned i = 0; i < num_infs; i++)
		scion_info_field_decode(raw + scion_path_info_offset(i), &out->inf[i]);
	for (unsigned i = 0; i < num_hops; i++)
		scion_hop_field_decode(raw + scion_path_hop_offset(num_infs, i), &out->hop[i]);
	return 0;
}

/* A decoded path is consistent: its counts follow from its meta header, which is valid. */
static int std_path_validate(const struct scion_std_path *p, size_t *len)
{
	int err = meta_validate(&p->meta, len);

	if (err)
		return err;
	if (p->num_infs != scion_path_meta_num_infs(&p->meta) ||
	    p->num_hops != scion_path_meta_num_hops(&p->meta))
		return SCION_PATH_ERR_SEG_LEN;
	return 0;
}

size_t scion_std_path_len(const struct scion_std_path *p)
{
	return scion_path_hop_offset(p->num_infs, p->num_hops);
}

int scion_std_path_encode(const struct scion_std_path *p, uint8_t *buf, size_t cap, size_t *written)
{
	size_t len;
	int err = std_path_validate(p, &len);

	if (err)
		return err;
	if (cap < len)
		return SCION_PATH_ERR_SPACE;
	scion_path_meta_encode(&p->meta, buf);
	for (unsigned i = 0; i < p->num_infs; i++)
		scion_info_field_encode(&p->inf[i], buf + scion_path_info_offset(i));
	for (unsigned i = 0; i < p->num_hops; i++)
		scion_hop_field_encode(&p->hop[i], buf + scion_path_hop_offset(p->num_infs, i));
	*written = len;
	return 0;
}

int scion_std_path_reverse(struct scion_std_path *p)
{
	size_t len;
	unsigned ni, nh;
	int err = std_path_validate(p, &len);

	if (err)
		return err;
	ni = p->num_infs;
	nh = p->num_hops;
	for (unsigned i = 0, j = ni - 1; i < j; i++, j--) {
		struct scion_info_field f = p->inf[i];
		uint8_t s = p->meta.seg_len[i];

		p->inf[i] = p->inf[j];
		p->inf[j] = f;
		p->meta.seg_len[i] = p->meta.seg_len[j];
		p->meta.seg_len[j] = s;
	}
	for (unsigned i = 0; i < ni; i++)
		p->inf[i].cons_dir = !p->inf[i].cons_dir;
	for (unsigned i = 0, j = nh - 1; i < j; i++, j--) {
		struct scion_hop_field h = p->hop[i];

		p->hop[i] = p->hop[j];
		p->hop[j] = h;
	}
	p->meta.curr_inf = (uint8_t)(ni - 1 - p->meta.curr_inf);
	p->meta.curr_hf = (uint8_t)(nh - 1 - p->meta.curr_hf);
	return 0;
}

int scion_raw_path_reverse(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	struct scion_std_path p;
	size_t written;
	int err = scion_std_path_decode(in, len, &p);

	if (err)
		return err;
	err = scion_std_path_reverse(&p);
	if (err)
		return err;
	return scion_std_path_encode(&p, out, cap, &written);
}

int scion_std_path_inf_of_hop(const struct scion_std_path *p, unsigned hf)
{
	if (hf >= p->num_hops || hf >= scion_path_meta_num_hops(&p->meta))
		return SCION_PATH_ERR_CURR_HF;
	return (int)meta_inf_of_hop(&p->meta, hf);
}

int scion_std_path_advance(struct scion_std_path *p)
{
	struct scion_path_meta m = p->meta;
	size_t len;
	int err = std_path_validate(p, &len);

	if (err)
		return err;
	err = scion_path_meta_advance(&m);
	if (err)
		return err;
	p->meta = m;
	return 0;
}

/* First hop index of segment seg. */
static unsigned seg_start(const struct scion_path_meta *m, unsigned seg)
{
	unsigned start = 0;

	for (unsigned i = 0; i < seg; i++)
		start += m->seg_len[i];
	return start;
}

bool scion_std_path_is_last_hop_of_segment(const struct scion_std_path *p)
{
	int seg = scion_std_path_inf_of_hop(p, p->meta.curr_hf);

	if (seg < 0)
		return false;
	return p->meta.curr_hf + 1u == seg_start(&p->meta, (unsigned)seg) + p->meta.seg_len[seg];
}

bool scion_std_path_is_first_hop_of_segment(const struct scion_std_path *p)
{
	int seg = scion_std_path_inf_of_hop(p, p->meta.curr_hf);

	if (seg < 0)
		return false;
	return p->meta.curr_hf == seg_start(&p->meta, (unsigned)seg);
}

uint64_t scion_hop_expiry(uint32_t info_timestamp, uint8_t exp_time)
{
	return (uint64_t)info_timestamp + (1 + (uint64_t)exp_time) * SCION_EXP_TIME_UNIT_SEC;
}

const char *scion_path_strerror(int err)
{
	switch ((enum scion_path_err)err) {
	case SCION_PATH_OK:
		return "success";
	case SCION_PATH_ERR_TRUNCATED:
		return "path shorter than its meta header declares";
	case SCION_PATH_ERR_SEG_LEN:
		return "invalid segment lengths";
	case SCION_PATH_ERR_TOO_MANY_HOPS:
		return "more than 64 hop fields";
	case SCION_PATH_ERR_CURR_INF:
		return "CurrINF outside the info fields";
	case SCION_PATH_ERR_CURR_HF:
		return "CurrHF outside the hop fields or its segment";
	case SCION_PATH_ERR_TRAILING:
		return "bytes past the declared path";
	case SCION_PATH_ERR_SPACE:
		return "output buffer too small";
	case SCION_PATH_ERR_END:
		return "path already at its last hop";
	case SCION_PATH_ERR_RESERVED:
		return "reserved bits set";
	}
	return "unknown path error";
}
