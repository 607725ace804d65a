/* SPDX-License-Identifier: MIT */
/*
 * Path combination for seg-testnet's daemon (the Paths call): from the segment set, every
 * forwarding path between two ASes, as scionproto's private/path/combinator builds them.
 *
 * Shapes: up-only (to any AS on the up segment), down-only (from any AS on the down segment),
 * up-down through a common core AS, up-core-down, core-only, up-core, core-down, shortcuts
 * through a common non-core AS (up segment cut at it, down segment entered at it) and peering
 * shortcuts (up segment ends with the peer hop field of an AS, down segment starts with the
 * matching peer hop field of its peer). Paths visiting an AS twice are dropped.
 *
 * Output per path: raw dataplane bytes (standard SCION path, CurrINF = CurrHF = 0, ConsDir and
 * Peer flags and SegIDs set as the reference router expects them), the interfaces in travel
 * order (two per crossed link), the MTU (minimum over the ASes and crossed links), the expiry
 * (earliest hop field), the number of crossed links. Sorted by fewest links, then by
 * interface list; unique by interface list (on a tie the public, then the longest-lived,
 * construction wins). src == dst gives one empty path.
 *
 * Thread: any; reads the segment set only.
 */
#ifndef SEG_TESTNET_COMBINATOR_H
#define SEG_TESTNET_COMBINATOR_H

#include <seg/scion_path.h>

#include "segment.h"

enum {
	COMBINATOR_MAX_IFACES = 2 * SCION_MAX_HOPS,
	/**
	 * Unique paths kept per query. When more exist, the ones with the most links are
	 * dropped first, so the best paths are always returned.
	 */
	COMBINATOR_MAX_PATHS = 1024,
};

enum combinator_err {
	COMBINATOR_OK = 0,
	COMBINATOR_ERR_PATH = -80, /**< a segment did not encode into a path (internal) */
	COMBINATOR_ERR_NOMEM = -81,
};

struct combinator_iface {
	scion_ia_t ia;
	uint16_t ifid;
};

struct combinator_path {
	size_t raw_len;
	uint8_t raw[SCION_MAX_STD_PATH_LEN];
	size_t num_ifaces;
	struct combinator_iface ifaces[COMBINATOR_MAX_IFACES];
	uint16_t mtu;
	uint64_t expiry;  /**< Unix seconds */
	unsigned hops;	  /**< inter-AS links crossed: num_ifaces / 2 */
	uint8_t num_segs; /**< info fields: 0..3 */
	bool hidden;	  /**< built from a hidden segment or peering link */
};

struct combinator_result {
	struct combinator_path *paths;
	size_t num;
	size_t cap;
};

/**
 * All paths from src to dst over the segments of set; hidden segments and peer entries are
 * used only with allow_hidden. out must be zeroed or freed before; on error it is left empty.
 */
SEG_MUST_CHECK int combinator_paths(const struct segment_set *set, scion_ia_t src, scion_ia_t dst,
				    bool allow_hidden, struct combinator_result *out);
void combinator_result_free(struct combinator_result *r);

#endif /* SEG_TESTNET_COMBINATOR_H */
