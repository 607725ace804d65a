/* SPDX-License-Identifier: MIT */
/*
 * The path-segment model of seg-testnet: what beaconing produces and the combinator consumes.
 * It mirrors the parts of a scionproto PathSegment (pkg/segment) that forwarding needs: per AS
 * entry the IA, the hop field (with ConsIngress/ConsEgress), the AS MTU, the ingress link MTU
 * and the peer entries; per segment the SegID (beta_0) and timestamp of its info field.
 * Signatures and extensions are not modelled: the testnet trusts its own beaconing.
 *
 * Entries are in construction order: entries[0] is the originating core AS. A non-core
 * segment runs from a core AS down CHILD links to its last AS; the combinator uses it as an up
 * segment of that last AS (against construction direction) or as a down segment to it (in
 * construction direction). A core segment runs over CORE links; as in scionproto it is used
 * from its last AS to its first, against construction direction.
 *
 * SegIDs chain as scionproto's control plane does (control/beaconing/extender.go): hop field i
 * is MACed under beta_i, beta_{i+1} = beta_i ^ MAC_i[0:2], and every peer hop field of entry i
 * is MACed under beta_{i+1}, chaining to the entry's own hop field.
 *
 * Thread: none; a segment set belongs to whoever built it and is read-only afterwards.
 */
#ifndef SEG_TESTNET_SEGMENT_H
#define SEG_TESTNET_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>
#include <seg/scion_path.h>

enum {
	/** AS entries in one segment; beaconing never builds longer ones. */
	SEGMENT_MAX_ENTRIES = 16,
	/** Peer entries in one AS entry; an AS with more peering links is rejected. */
	SEGMENT_MAX_PEERS = 16,
	/** Segments in one set; beaconing fails rather than grow past this. */
	SEGMENT_SET_MAX = 1 << 16,
};

enum segment_type {
	SEGMENT_CORE,	 /**< between core ASes over CORE links */
	SEGMENT_NONCORE, /**< from a core AS down CHILD links: an up or down segment */
};

struct segment_peer_entry {
	scion_ia_t peer;    /**< the AS at the other end of the peering link */
	uint16_t peer_ifid; /**< its interface on the link */
	uint16_t peer_mtu;  /**< the peering link's MTU */
	bool hidden;	    /**< the peering link is hidden */
	/** ConsIngress = local peering interface, ConsEgress = the entry's egress. */
	struct scion_hop_field hf;
};

struct segment_as_entry {
	scion_ia_t ia;
	uint16_t mtu;	      /**< the AS's internal MTU */
	uint16_t ingress_mtu; /**< MTU of the link at ConsIngress; 0 in the first entry */
	struct scion_hop_field hf;
	uint8_t num_peers;
	struct segment_peer_entry peers[SEGMENT_MAX_PEERS];
};

struct segment {
	enum segment_type type;
	uint16_t seg_id;    /**< beta_0, the random SegID of the info field */
	uint32_t timestamp; /**< info field timestamp, Unix seconds */
	bool hidden;	    /**< some link of the segment is hidden */
	uint8_t num_entries;
	struct segment_as_entry entries[SEGMENT_MAX_ENTRIES];
};

/** All segments of one beaconing run. */
struct segment_set {
	struct segment *segs;
	size_t num;
	size_t cap;
	/** The earliest hop-field expiry of any segment (Unix seconds); re-beacon before. */
	uint64_t expiry;
};

/** beta_i: the SegID under which hop field i of seg is MACed (i <= num_entries). */
static inline uint16_t segment_beta(const struct segment *seg, unsigned i)
{
	uint16_t beta = seg->seg_id;

	for (unsigned k = 0; k < i && k < seg->num_entries; k++)
		beta = (uint16_t)(beta ^ ((uint16_t)seg->entries[k].hf.mac[0] << 8 |
					  seg->entries[k].hf.mac[1]));
	return beta;
}

#endif /* SEG_TESTNET_SEGMENT_H */
