/* SPDX-License-Identifier: MIT */
/*
 * Hidden paths through a rendezvous AS R (DESIGN.md "Path management"): each gateway asks its
 * daemon for hidden paths to R, sends them to the peer in a path list message over the
 * control channel, and combines its own path to R with the peer's reversed path to R into one
 * standard SCION path through R (docs/path-management.md, "Hidden paths").
 *
 * Path list message, version 1 (all integers big-endian; no padding):
 *
 *   u8  version            HIDDEN_MSG_VERSION
 *   u8  count              0..HIDDEN_MAX_PATHS
 *   u64 src_ia             the sender's ISD-AS (where every path starts)
 *   u64 rendezvous_ia      R (where every path ends)
 *   count times:
 *     u16 raw_len          HIDDEN_MIN_RAW_LEN..SCION_MAX_STD_PATH_LEN
 *     raw_len bytes        standard SCION path from src_ia to R, not yet traversed
 *     u16 mtu              > 0
 *     u64 expiry           Unix seconds
 *     u8  num_ifaces       2..HIDDEN_MAX_INTERFACES, even
 *     num_ifaces times:    u64 ia, u64 ifid (travel order; first ia = src_ia, last = R)
 *
 * The decoder is pure and strict: every count and length is checked against its limit and
 * against the bytes present, each raw path must decode as a standard path at its start
 * (CurrINF = CurrHF = 0) without peering segments, and no byte may follow.
 *
 * Thread: any; all functions are pure.
 */
#ifndef SEG_GATEWAY_HIDDEN_H
#define SEG_GATEWAY_HIDDEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>
#include <seg/scion_path.h>

#include "pathmgr.h"
#include "protocol.h"

/* The message's wire constants (version, header and field lengths) are in protocol.h; these
 * limits follow from the SCION path format and the path manager's. */
enum {
	HIDDEN_MAX_PATHS = PATHMGR_MAX_HIDDEN_PATHS,
	/* Interfaces of one path to R: it can use at most half the hop budget of the combined
	 * path, and no path to R is useful beyond that. */
	HIDDEN_MAX_INTERFACES = SCION_MAX_HOPS,
	/* Meta header, one info field, two hop fields: the shortest path that crosses a link. */
	HIDDEN_MIN_RAW_LEN = SCION_PATH_META_LEN + SCION_INFO_LEN + 2 * SCION_HOP_LEN,
	HIDDEN_MAX_MSG_LEN =
	    HIDDEN_HDR_LEN + HIDDEN_MAX_PATHS * (HIDDEN_PATH_FIXED_LEN + SCION_MAX_STD_PATH_LEN +
						 HIDDEN_MAX_INTERFACES * HIDDEN_IFACE_LEN),
};

enum hidden_err {
	HIDDEN_ERR_TRUNCATED = -340, /* fewer bytes than a field or a declared length needs */
	HIDDEN_ERR_VERSION = -341,   /* unknown message version */
	HIDDEN_ERR_COUNT = -342,     /* more paths than HIDDEN_MAX_PATHS */
	HIDDEN_ERR_RAW_LEN = -343,   /* raw path length out of bounds */
	HIDDEN_ERR_IFACES = -344,    /* interface count odd or out of bounds, or an ifid of 0 */
	HIDDEN_ERR_ENDPOINT = -345,  /* a path does not start at its source or end at R */
	HIDDEN_ERR_TRAILING = -346,  /* bytes after the last path */
	HIDDEN_ERR_PATH = -347,	     /* the raw path is not a valid standard path */
	HIDDEN_ERR_NOT_FRESH = -348, /* CurrINF/CurrHF not at the start of the path */
	HIDDEN_ERR_PEERING = -349,   /* a segment with a peering hop (not combinable here) */
	HIDDEN_ERR_DIRECTION = -350, /* the segment reaching R is not traversed up to R */
	HIDDEN_ERR_TOO_LONG = -351,  /* combined path over 3 segments or 64 hops */
	HIDDEN_ERR_LOOP = -352,	     /* combined path crosses an interface twice */
	HIDDEN_ERR_MISMATCH = -353,  /* hop field at R disagrees with the interface list */
	HIDDEN_ERR_SPACE = -354,     /* output buffer too small */
	HIDDEN_ERR_INVALID = -355,   /* caller passed an inconsistent value (encode) */
	HIDDEN_ERR_MTU = -356,	     /* MTU of 0 */
};

/* One path to R as carried in the message. raw points into the decoded message buffer (or
 * the candidate it was made from), which must outlive this struct. */
struct hidden_path {
	const uint8_t *raw;
	size_t raw_len;
	uint16_t mtu;
	uint64_t expiry;
	size_t num_ifaces;
	struct pathmgr_interface ifaces[HIDDEN_MAX_INTERFACES];
};

/* A decoded path list (about 8 KiB: allocate it, do not put it on a small stack). */
struct hidden_path_list {
	scion_ia_t src_ia;
	scion_ia_t rendezvous_ia;
	size_t count;
	struct hidden_path paths[HIDDEN_MAX_PATHS];
};

/* Decodes exactly len bytes; on error *out is unspecified. */
SEG_MUST_CHECK int hidden_list_decode(const uint8_t *buf, size_t len, struct hidden_path_list *out);
/* Encodes a list (validated as the decoder would); *written is the message length. */
SEG_MUST_CHECK int hidden_list_encode(const struct hidden_path_list *list, uint8_t *buf, size_t cap,
				      size_t *written);
/* A view of one of our own daemon's paths to R, for the message (raw points into c). */
SEG_MUST_CHECK int hidden_path_from_candidate(const struct pathmgr_candidate *c,
					      struct hidden_path *out);

/*
 * Combines own (our path to R, from our daemon) with peer (the peer's path to R, from its
 * message) into out: own's segments, then the peer's reversed, CurrINF = CurrHF = 0; the
 * interface list is own's then the peer's reversed; MTU and expiry the smaller of the two;
 * next hop own's; hidden set. Rejects paths that do not end at rendezvous, that are not
 * traversed up to R in their last segment, that have peering segments, or whose result has
 * more than 3 segments or 64 hops or crosses an interface twice.
 */
SEG_MUST_CHECK int hidden_combine(const struct pathmgr_candidate *own,
				  const struct hidden_path *peer, scion_ia_t rendezvous,
				  struct pathmgr_candidate *out);

const char *hidden_strerror(int err);

#endif /* SEG_GATEWAY_HIDDEN_H */
