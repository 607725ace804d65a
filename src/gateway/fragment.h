/* SPDX-License-Identifier: MIT */
/*
 * Data channel fragmentation: adapter packets larger than the path's payload limit are
 * split into fragments (DESIGN.md "The seg protocol"; layout in docs/control-channel.md
 * "Fragments") and reassembled with bounded memory:
 *  - at most FRAG_SLOTS_PER_PEER packets in reassembly per peer; when a new one arrives
 *    with all taken, the peer's oldest is evicted;
 *  - the bytes come from a pool shared by the peers of one data worker, sized by the
 *    global byte budget; when it is short, the pool's oldest reassembly is evicted, whoever
 *    its peer;
 *  - a partial packet is dropped FRAG_TIMEOUT_MS after its first fragment arrived.
 * Every fragment of one packet but the last has the same size, which the splitter
 * guarantees; so offsets follow from index and size, and an overlap is a size mismatch.
 * No allocation after init: slots and chunks are preallocated.
 *
 * Thread: one data worker owns a pool and all reassemblers drawing on it.
 */
#ifndef SEG_GATEWAY_FRAGMENT_H
#define SEG_GATEWAY_FRAGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"	    /* the fragment header: FRAG_* wire constants */
#include "seg/scion_addr.h" /* SEG_MUST_CHECK */

/* Reassembly policy (docs/control-channel.md "Reassembly limits and overflow policy"). */
enum {
	/*
	 * Concurrent reassemblies per peer. Overflow policy: the peer's oldest reassembly
	 * (by arrival of its first fragment) is evicted and counted.
	 */
	FRAG_SLOTS_PER_PEER = 8,
	/*
	 * Reassembly memory is drawn from a pool shared by the peers of one data worker, in
	 * chunks of FRAG_CHUNK_LEN; the pool's size is the global byte budget. Overflow
	 * policy: the oldest reassembly in the pool, whichever peer it belongs to, is evicted
	 * and counted until the new packet fits.
	 */
	FRAG_CHUNK_LEN = 1024,
	FRAG_CHUNKS_PER_PKT = (FRAG_PKT_MAX + FRAG_CHUNK_LEN - 1) / FRAG_CHUNK_LEN,
	FRAG_BUDGET_DEFAULT = 4 * 1024 * 1024,
	/* A partial packet older than this is dropped (measured from its first fragment). */
	FRAG_TIMEOUT_MS = 1000,
};

#define FRAG_DROP_LIST(X)                                                     \
	X(TRUNCATED, "truncated")                                             \
	X(TRAILING, "bytes after the fragment")                               \
	X(BAD_COUNT, "fragment count 0 or above the maximum")                 \
	X(INDEX, "index not below the count")                                 \
	X(TOTAL, "total length below the fragment count")                     \
	X(EMPTY, "fragment without data")                                     \
	X(OFFSET, "offset or length out of range for index, count and total") \
	X(MISMATCH, "total length or count changed within a packet")          \
	X(SIZE, "fragment size changed within a packet (overlap)")            \
	X(DUPLICATE, "fragment already received")                             \
	X(TOO_BIG, "packet larger than the whole byte budget")

enum frag_drop {
#define FRAG_X(name, text) FRAG_DROP_##name,
	FRAG_DROP_LIST(FRAG_X)
#undef FRAG_X
	    FRAG_DROP_COUNT
};

enum frag_err {
	FRAG_OK = 0,
#define FRAG_X(name, text) FRAG_ERR_##name = -(FRAG_ERR_BASE + FRAG_DROP_##name),
	FRAG_DROP_LIST(FRAG_X)
#undef FRAG_X
};

/* A decoded fragment header; data points into the decoded buffer. */
struct frag_header {
	uint32_t id;	 /* packet id, per sender and peer */
	uint8_t index;	 /* 0..count-1 */
	uint8_t count;	 /* fragments of the packet, 1..FRAG_COUNT_MAX */
	uint16_t total;	 /* packet length */
	uint16_t offset; /* of this fragment's data in the packet */
	uint16_t len;	 /* of this fragment's data */
	uint16_t size;	 /* derived: the size of every fragment but the last */
	const uint8_t *data;
};

struct frag_stats {
	uint64_t fragments;	 /* accepted */
	uint64_t delivered;	 /* packets */
	uint64_t timeouts;	 /* partial packets dropped after FRAG_TIMEOUT_MS */
	uint64_t evicted_slots;	 /* partial packets evicted: peer's slots full */
	uint64_t evicted_budget; /* partial packets evicted: pool's bytes short */
	uint64_t drops[FRAG_DROP_COUNT];
};

struct frag_reasm;

struct frag_slot {
	struct frag_slot *prev, *next; /* the pool's list, oldest first */
	struct frag_reasm *owner;
	bool used;
	uint8_t count;
	uint16_t total, size;
	uint32_t id;
	uint64_t have; /* bit i: fragment i received */
	uint64_t first_ns;
	uint32_t nchunks;
	uint32_t chunk[FRAG_CHUNKS_PER_PKT];
};

struct frag_pool {
	uint8_t *mem;	/* nchunks x FRAG_CHUNK_LEN */
	uint32_t *free; /* stack of free chunk numbers */
	uint32_t nchunks, nfree;
	uint8_t *out; /* a complete packet is gathered here from its chunks */
	struct frag_slot *oldest, *newest;
};

struct frag_reasm {
	struct frag_pool *pool;
	struct frag_slot slots[FRAG_SLOTS_PER_PEER];
	struct frag_stats stats;
};

/* Receives one reassembled packet; pkt is valid during the call only, which must not feed
 * a reassembler of the same pool. */
typedef void (*frag_deliver_fn)(void *ctx, const uint8_t *pkt, size_t len);
/* Sends one fragment: the header, then the data (two pieces, so that nothing is copied
 * twice). A negative return stops frag_split() with that value. */
typedef int (*frag_emit_fn)(void *ctx, const uint8_t *hdr, size_t hdr_len, const uint8_t *data,
			    size_t data_len);

/* A pool with a budget of budget_bytes (rounded down to whole chunks, at least one chunk):
 * 0, -EINVAL or -ENOMEM. Free it after every reassembler using it. */
SEG_MUST_CHECK int frag_pool_init(struct frag_pool *p, size_t budget_bytes);
void frag_pool_free(struct frag_pool *p);

void frag_reasm_init(struct frag_reasm *r, struct frag_pool *pool);
/* Drops every partial packet, returning its memory to the pool. */
void frag_reasm_free(struct frag_reasm *r);

/*
 * Splits pkt (1..FRAG_PKT_MAX bytes) into fragments of at most max_payload bytes each
 * (header included), of equal size but for a shorter last one. Returns the number of
 * fragments, -EINVAL (empty or too long a packet), -EMSGSIZE (more than FRAG_COUNT_MAX
 * fragments needed) or the emit callback's error.
 */
SEG_MUST_CHECK int frag_split(const uint8_t *pkt, size_t len, size_t max_payload, uint32_t id,
			      frag_emit_fn emit, void *ctx);

/*
 * Takes one received fragment (the plaintext after the inner type byte); delivers the
 * packet it completes. Returns 0, or a FRAG_ERR_* when the fragment is rejected (counted
 * in stats.drops).
 */
SEG_MUST_CHECK int frag_reasm_input(struct frag_reasm *r, const uint8_t *frag, size_t len,
				    uint64_t now, frag_deliver_fn deliver, void *ctx);

/* Drops partial packets older than FRAG_TIMEOUT_MS; returns how many. */
unsigned frag_reasm_expire(struct frag_reasm *r, uint64_t now);
/* When the next partial packet expires; UINT64_MAX when none is pending. */
uint64_t frag_reasm_next_timeout(const struct frag_reasm *r);
/* Partial packets in reassembly. */
unsigned frag_reasm_pending(const struct frag_reasm *r);

const char *frag_drop_name(enum frag_drop reason);

/* Pure header codec, shared with the fuzzer. decode checks everything a fragment alone
 * can tell; encode writes any header, valid or not (FRAG_HDR_LEN bytes), for tests. */
SEG_MUST_CHECK int frag_header_decode(const uint8_t *buf, size_t len, struct frag_header *out);
SEG_MUST_CHECK int frag_header_encode(const struct frag_header *h, uint8_t *buf, size_t cap);

#endif /* SEG_GATEWAY_FRAGMENT_H */
