/* SPDX-License-Identifier: MIT */
/**
 * @file scion_path.h
 * @brief SCION dataplane paths: the standard (SCION) path type and the one-hop path.
 *
 * Wire format per scionproto `doc/protocols/scion-header.rst` ("Path Type: SCION"): a 4-byte
 * path meta header (CurrINF:2 CurrHF:6 RSV:6 Seg0Len:6 Seg1Len:6 Seg2Len:6), up to 3 info
 * fields of 8 bytes, up to 64 hop fields of 12 bytes.
 *
 * Thread: any; all functions work on caller-owned memory.
 */
#ifndef SEG_SCION_PATH_H
#define SEG_SCION_PATH_H

#include <seg/scion_addr.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	SCION_PATH_META_LEN = 4,
	SCION_INFO_LEN = 8,
	SCION_HOP_LEN = 12,
	SCION_MAC_LEN = 6,
	SCION_MAX_INFS = 3,
	SCION_MAX_HOPS = 64,
	/** A one-hop path: one info field and two hop fields. */
	SCION_ONEHOP_PATH_LEN = SCION_INFO_LEN + 2 * SCION_HOP_LEN,
	SCION_MAX_STD_PATH_LEN =
	    SCION_PATH_META_LEN + SCION_MAX_INFS * SCION_INFO_LEN + SCION_MAX_HOPS * SCION_HOP_LEN,
	/** Relative expiry unit of a hop field: (1 + ExpTime) * 24h / 256. */
	SCION_EXP_TIME_UNIT_SEC = 24 * 60 * 60 / 256,
};

/** Why a path decode or operation failed. */
enum scion_path_err {
	SCION_PATH_OK = 0,
	SCION_PATH_ERR_TRUNCATED = -20,	    /**< fewer bytes than the meta header declares */
	SCION_PATH_ERR_SEG_LEN = -21,	    /**< a SegLen after a zero one, or all zero */
	SCION_PATH_ERR_TOO_MANY_HOPS = -22, /**< more than SCION_MAX_HOPS hop fields */
	SCION_PATH_ERR_CURR_INF = -23,	    /**< CurrINF outside the info fields */
	SCION_PATH_ERR_CURR_HF = -24,	    /**< CurrHF outside the hop fields or its segment */
	SCION_PATH_ERR_TRAILING = -25,	    /**< bytes past the declared path */
	SCION_PATH_ERR_SPACE = -26,	    /**< output buffer too small */
	SCION_PATH_ERR_END = -27,	    /**< no next hop to advance to */
	/** Never returned today: the spec forbids no reserved bit, and like the reference we
	 * ignore reserved bits on decode and write them as zero. Kept for a stricter future. */
	SCION_PATH_ERR_RESERVED = -28,
};

struct scion_info_field {
	bool peer;	    /**< P flag: the segment contains a peering hop */
	bool cons_dir;	    /**< C flag: traversed in construction direction */
	uint16_t seg_id;    /**< SegID, updated hop by hop (beta) */
	uint32_t timestamp; /**< segment creation time, Unix seconds */
};

struct scion_hop_field {
	bool ingress_alert; /**< I: router alert on the construction-ingress interface */
	bool egress_alert;  /**< E: router alert on the construction-egress interface */
	uint8_t exp_time;   /**< relative expiry, see SCION_EXP_TIME_UNIT_SEC */
	uint16_t cons_ingress;
	uint16_t cons_egress;
	uint8_t mac[SCION_MAC_LEN];
};

struct scion_path_meta {
	uint8_t curr_inf; /**< 0..2 */
	uint8_t curr_hf;  /**< 0..63 */
	uint8_t seg_len[SCION_MAX_INFS];
};

/** A decoded standard path. num_infs and num_hops follow from meta.seg_len. */
struct scion_std_path {
	struct scion_path_meta meta;
	uint8_t num_infs;
	uint8_t num_hops;
	struct scion_info_field inf[SCION_MAX_INFS];
	struct scion_hop_field hop[SCION_MAX_HOPS];
};

struct scion_onehop_path {
	struct scion_info_field info;
	struct scion_hop_field first;
	struct scion_hop_field second;
};

/**
 * Decodes and validates only the 4-byte meta header of a standard path of exactly len bytes:
 * segment lengths (no non-zero after a zero, not all zero), at most SCION_MAX_HOPS hops, the
 * length implied by the segments equal to len, CurrINF and CurrHF inside the path and CurrHF
 * inside the segment of CurrINF. O(1): the per-packet check for routers.
 */
SEG_MUST_CHECK int scion_path_meta_decode(const uint8_t *raw, size_t len,
					  struct scion_path_meta *out);
/** Writes the meta header (RSV bits zero). */
void scion_path_meta_encode(const struct scion_path_meta *m, uint8_t raw[SCION_PATH_META_LEN]);
/** Number of info fields / hop fields the segment lengths imply. */
unsigned scion_path_meta_num_infs(const struct scion_path_meta *m);
unsigned scion_path_meta_num_hops(const struct scion_path_meta *m);
/** Advances CurrHF (and CurrINF across a segment boundary); SCION_PATH_ERR_END at the end. */
SEG_MUST_CHECK int scion_path_meta_advance(struct scion_path_meta *m);

/** Byte offset of info field idx / hop field idx inside a standard path. */
static inline size_t scion_path_info_offset(unsigned idx)
{
	return SCION_PATH_META_LEN + (size_t)idx * SCION_INFO_LEN;
}
static inline size_t scion_path_hop_offset(unsigned num_infs, unsigned idx)
{
	return SCION_PATH_META_LEN + (size_t)num_infs * SCION_INFO_LEN +
	       (size_t)idx * SCION_HOP_LEN;
}

/** Decodes exactly len bytes as a standard path; checks segment lengths and CurrINF/HF. */
SEG_MUST_CHECK int scion_std_path_decode(const uint8_t *raw, size_t len,
					 struct scion_std_path *out);
/** Bytes the encoded path takes. */
size_t scion_std_path_len(const struct scion_std_path *p);
SEG_MUST_CHECK int scion_std_path_encode(const struct scion_std_path *p, uint8_t *buf, size_t cap,
					 size_t *written);

/**
 * Reverses a path for the reply direction as the reference does: info fields and hop fields
 * in reverse order, ConsDir flipped on every info field, CurrINF and CurrHF mirrored.
 */
SEG_MUST_CHECK int scion_std_path_reverse(struct scion_std_path *p);
/** Reverses raw path bytes into out (may not alias). */
SEG_MUST_CHECK int scion_raw_path_reverse(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/** Index of the info field that hop index hf belongs to, or a negative error. */
int scion_std_path_inf_of_hop(const struct scion_std_path *p, unsigned hf);
/** Advances CurrHF (and CurrINF at a segment boundary), as a router does on egress. */
SEG_MUST_CHECK int scion_std_path_advance(struct scion_std_path *p);
/** True when CurrHF is the last hop field of its segment / first of its segment. */
bool scion_std_path_is_last_hop_of_segment(const struct scion_std_path *p);
bool scion_std_path_is_first_hop_of_segment(const struct scion_std_path *p);

/** One-hop path (one info field, two hop fields) codec; the second hop may be all zero. */
SEG_MUST_CHECK int scion_onehop_path_decode(const uint8_t *raw, size_t len,
					    struct scion_onehop_path *out);
SEG_MUST_CHECK int scion_onehop_path_encode(const struct scion_onehop_path *p, uint8_t *buf,
					    size_t cap, size_t *written);
/**
 * The standard one-segment, two-hop path equal to a completed one-hop path (ConsDir set,
 * CurrHF 0). SCION_PATH_ERR_CURR_HF if the second hop is not filled in yet (ConsIngress 0).
 */
SEG_MUST_CHECK int scion_onehop_path_to_std(const struct scion_onehop_path *p,
					    struct scion_std_path *out);
/** The reply path for a received one-hop path, as the reference builds it: convert, advance
 * to the last hop, reverse. */
SEG_MUST_CHECK int scion_onehop_path_reverse(const struct scion_onehop_path *p,
					     struct scion_std_path *out);

/** Field codecs for one 8-byte info field and one 12-byte hop field (buffers of that size). */
void scion_info_field_decode(const uint8_t raw[SCION_INFO_LEN], struct scion_info_field *out);
void scion_info_field_encode(const struct scion_info_field *f, uint8_t raw[SCION_INFO_LEN]);
void scion_hop_field_decode(const uint8_t raw[SCION_HOP_LEN], struct scion_hop_field *out);
void scion_hop_field_encode(const struct scion_hop_field *h, uint8_t raw[SCION_HOP_LEN]);

/**
 * Absolute expiry (Unix seconds) of a hop field under the given info field timestamp:
 * timestamp + (1 + exp_time) * SCION_EXP_TIME_UNIT_SEC. The spec's prose divides 24h by 256
 * exactly (337.5 s); the reference code (path.ExpTimeToDuration) and its routers use the
 * integer unit 337 s, and so do we.
 */
uint64_t scion_hop_expiry(uint32_t info_timestamp, uint8_t exp_time);

/** A static English description of an enum scion_path_err value. */
const char *scion_path_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SCION_PATH_H */
