/* SPDX-License-Identifier: MIT */
/*
 * Beaconing of seg-testnet: builds every path segment of a topology in one pure step, with
 * hop-field MACs under each AS's forwarding key (scionproto doc/control-plane.rst, hop fields
 * per doc/protocols/scion-header.rst). There is no propagation policy: every loop-free
 * segment up to the length bounds is built, which is what a well-provisioned beacon server
 * would eventually register in a small topology.
 *
 *  - Core segments: from every core AS over CORE links to every other core AS it reaches,
 *    loop-free, at most max_core_entries ASes long.
 *  - Non-core segments: from every core AS down CHILD links to every AS below it, at most
 *    max_down_entries ASes long, with a peer entry in each non-core AS entry for each PEER
 *    link to another non-core AS.
 *  - A segment through a `hidden` link is flagged hidden; a peer entry over a hidden peering
 *    link is flagged hidden.
 *
 * Thread: any; beacon_run only reads its inputs.
 */
#ifndef SEG_TESTNET_BEACON_H
#define SEG_TESTNET_BEACON_H

#include <seg/scion_mac.h>

#include "segment.h"
#include "topo.h"

enum {
	/** (1 + 63) * 337.5 s = 6 h, scionproto's default maximum hop expiry. */
	BEACON_DEFAULT_EXP_TIME = 63,
	BEACON_DEFAULT_MAX_CORE_ENTRIES = 5,
	BEACON_DEFAULT_MAX_DOWN_ENTRIES = 8,
};

enum beacon_err {
	BEACON_OK = 0,
	BEACON_ERR_KEY = -70,	 /**< no forwarding key for an AS of the topology */
	BEACON_ERR_LIMIT = -71,	 /**< more than SEGMENT_SET_MAX segments or too many peers */
	BEACON_ERR_PARAM = -72,	 /**< parameters out of range */
	BEACON_ERR_CRYPTO = -73, /**< MAC computation or random number generation failed */
	BEACON_ERR_NOMEM = -74,
};

/** The forwarding key of one AS; the caller owns the key object. */
struct beacon_key {
	scion_ia_t ia;
	struct scion_mac_key *key;
};

struct beacon_params {
	uint8_t exp_time;	  /**< hop-field ExpTime */
	uint8_t max_core_entries; /**< 2..SEGMENT_MAX_ENTRIES */
	uint8_t max_down_entries; /**< 1..SEGMENT_MAX_ENTRIES */
};

/** The defaults above. */
void beacon_params_default(struct beacon_params *p);

/**
 * Builds all segments of topology t at time now (Unix seconds) into out, which must be
 * zeroed or freed before; SegIDs are random. out->expiry tells when to run again. params may
 * be NULL for the defaults. On error out is left empty.
 */
SEG_MUST_CHECK int beacon_run(const struct topo *t, const struct beacon_key *keys, size_t num_keys,
			      const struct beacon_params *params, uint32_t now,
			      struct segment_set *out);

/** Frees the segments of a set and empties it. */
void segment_set_free(struct segment_set *s);

#endif /* SEG_TESTNET_BEACON_H */
