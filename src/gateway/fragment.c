/* SPDX-License-Identifier: MIT */
/*
 * Data channel fragmentation and bounded reassembly (fragment.h; docs/control-channel.md
 * "Fragments"). Memory: slots per peer, chunks from a pool per data worker, both
 * preallocated; nothing is allocated per packet.
 */
#include "fragment.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/time.h"

_Static_assert(FRAG_COUNT_MAX <= 64, "a 64-bit bitmap tracks the fragments");
_Static_assert(FRAG_PKT_MAX <= UINT16_MAX, "total length is u16");

static const char *const drop_names[FRAG_DROP_COUNT] = {
#define FRAG_X(name, text) [FRAG_DROP_##name] = text,
    FRAG_DROP_LIST(FRAG_X)
#undef FRAG_X
};

const char *frag_drop_name(enum frag_drop reason)
{
	return (unsigned)reason < FRAG_DROP_COUNT ? drop_names[reason] : "?";
}

/* ---- header codec ---- */

/* The checks a fragment alone allows; sets h->size, the size of all but the last. */
static int header_validate(struct frag_header *h)
{
	uint32_t last = h->count - 1u;

	if (h->count == 0 || h->count > FRAG_COUNT_MAX)
		return FRAG_ERR_BAD_COUNT;
	if (h->index >= h->count)
		return FRAG_ERR_INDEX;
	if (h->total < h->count)
		return FRAG_ERR_TOTAL; /* every fragment carries at least one byte */
	if (h->len == 0)
		return FRAG_ERR_EMPTY;
	if ((uint32_t)h->offset + h->len > h->total)
		return FRAG_ERR_OFFSET;
	if (h->index < last) {
		/* Not the last: its length is the size; the offset and total follow. */
		uint32_t size = h->len;
		if (h->offset != h->index * size || h->total <= last * size ||
		    h->total > h->count * size)
			return FRAG_ERR_OFFSET;
		h->size = h->len;
		return 0;
	}
	/* The last: ends the packet, starts at (count - 1) x size, is no longer than size. */
	if ((uint32_t)h->offset + h->len != h->total)
		return FRAG_ERR_OFFSET;
	if (last == 0) {
		if (h->offset != 0)
			return FRAG_ERR_OFFSET;
		h->size = h->len;
		return 0;
	}
	if (h->offset == 0 || h->offset % last != 0 || h->len > h->offset / last)
		return FRAG_ERR_OFFSET;
	h->size = (uint16_t)(h->offset / last);
	return 0;
}

int frag_header_decode(const uint8_t *buf, size_t len, struct frag_header *out)
{
	struct rcursor c = rcursor_init(buf, len);
	struct frag_header h = {0};
	int r;

	if (!rcursor_u32be(&c, &h.id) || !rcursor_u8(&c, &h.index) || !rcursor_u8(&c, &h.count) ||
	    !rcursor_u16be(&c, &h.total) || !rcursor_u16be(&c, &h.offset) ||
	    !rcursor_u16be(&c, &h.len) || !rcursor_view(&c, &h.data, h.len))
		return FRAG_ERR_TRUNCATED;
	if (c.len != 0)
		return FRAG_ERR_TRAILING;
	r = header_validate(&h);
	if (r)
		return r;
	*out = h;
	return 0;
}

int frag_header_encode(const struct frag_header *h, uint8_t *buf, size_t cap)
{
	struct wcursor c = wcursor_init(buf, cap);

	if (!wcursor_u32be(&c, h->id) || !wcursor_u8(&c, h->index) || !wcursor_u8(&c, h->count) ||
	    !wcursor_u16be(&c, h->total) || !wcursor_u16be(&c, h->offset) ||
	    !wcursor_u16be(&c, h->len))
		return -EMSGSIZE;
	return 0;
}

/* ---- splitting ---- */

int frag_split(const uint8_t *pkt, size_t len, size_t max_payload, uint32_t id, frag_emit_fn emit,
	       void *ctx)
{
	size_t room, count, size;
	uint8_t hdr[FRAG_HDR_LEN];

	if (len == 0 || len > FRAG_PKT_MAX)
		return -EINVAL;
	if (max_payload <= FRAG_HDR_LEN)
		return -EMSGSIZE;
	room = max_payload - FRAG_HDR_LEN;
	count = (len + room - 1) / room;
	if (count > FRAG_COUNT_MAX)
		return -EMSGSIZE;
	/* Balanced: equal sizes, the last no longer (and never a runt of a few bytes). */
	size = (len + count - 1) / count;
	for (size_t i = 0; i < count; i++) {
		size_t off = i * size;
		struct frag_header h = {
		    .id = id,
		    .index = (uint8_t)i,
		    .count = (uint8_t)count,
		    .total = (uint16_t)len,
		    .offset = (uint16_t)off,
		    .len = (uint16_t)(i + 1 == count ? len - off : size),
		};
		int r;
		if (frag_header_encode(&h, hdr, sizeof(hdr)))
			abort(); /* hdr is FRAG_HDR_LEN */
		r = emit(ctx, hdr, sizeof(hdr), pkt + off, h.len);
		if (r < 0)
			return r;
	}
	return (int)count;
}

/* ---- the pool ---- */

int frag_pool_init(struct frag_pool *p, size_t budget_bytes)
{
	size_t n = budget_bytes / FRAG_CHUNK_LEN;

	memset(p, 0, sizeof(*p));
	if (n == 0 || n > UINT32_MAX)
		return -EINVAL;
	p->mem = malloc(n * FRAG_CHUNK_LEN);
	p->free = malloc(n * sizeof(*p->free));
	p->out = malloc(FRAG_PKT_MAX);
	if (!p->mem || !p->free || !p->out) {
		frag_pool_free(p);
		return -ENOMEM;
	}
	p->nchunks = p->nfree = (uint32_t)n;
	for (uint32_t i = 0; i < p->nfree; i++)
		p->free[i] = p->nfree - 1 - i;
	return 0;
}

void frag_pool_free(struct frag_pool *p)
{
	if (p->oldest)
		abort(); /* a reassembler still holds chunks: free it first */
	free(p->mem);
	free(p->free);
	free(p->out);
	memset(p, 0, sizeof(*p));
}

static void slot_release(struct frag_slot *s)
{
	struct frag_pool *p = s->owner->pool;

	for (uint32_t i = 0; i < s->nchunks; i++)
		p->free[p->nfree++] = s->chunk[i];
	if (s->prev)
		s->prev->next = s->next;
	else
		p->oldest = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		p->newest = s->prev;
	s->prev = s->next = NULL;
	s->used = false;
	s->nchunks = 0;
}

/* Takes a free slot of r for a packet of h, evicting as the policies say. */
static struct frag_slot *slot_claim(struct frag_reasm *r, const struct frag_header *h, uint64_t now)
{
	struct frag_pool *p = r->pool;
	uint32_t need = (h->total + FRAG_CHUNK_LEN - 1u) / FRAG_CHUNK_LEN;
	struct frag_slot *s = NULL;

	for (unsigned i = 0; i < FRAG_SLOTS_PER_PEER; i++) {
		struct frag_slot *t = &r->slots[i];
		if (!t->used) {
			s = t;
			break;
		}
		if (!s || t->first_ns < s->first_ns)
			s = t;
	}
	if (s->used) { /* all taken: s is the peer's oldest */
		slot_release(s);
		r->stats.evicted_slots++;
	}
	while (p->nfree < need) { /* the pool's oldest, whichever peer (need <= nchunks) */
		p->oldest->owner->stats.evicted_budget++;
		slot_release(p->oldest);
	}
	*s = (struct frag_slot){.owner = r,
				.used = true,
				.count = h->count,
				.total = h->total,
				.size = h->size,
				.id = h->id,
				.first_ns = now,
				.nchunks = need};
	for (uint32_t i = 0; i < need; i++)
		s->chunk[i] = p->free[--p->nfree];
	s->prev = p->newest;
	if (p->newest)
		p->newest->next = s;
	else
		p->oldest = s;
	p->newest = s;
	return s;
}

/* ---- reassembly ---- */

void frag_reasm_init(struct frag_reasm *r, struct frag_pool *pool)
{
	memset(r, 0, sizeof(*r));
	r->pool = pool;
	for (unsigned i = 0; i < FRAG_SLOTS_PER_PEER; i++)
		r->slots[i].owner = r;
}

void frag_reasm_free(struct frag_reasm *r)
{
	for (unsigned i = 0; i < FRAG_SLOTS_PER_PEER; i++)
		if (r->slots[i].used)
			slot_release(&r->slots[i]);
}

static bool slot_expired(const struct frag_slot *s, uint64_t now)
{
	return now >= s->first_ns && now - s->first_ns >= SEG_MS(FRAG_TIMEOUT_MS);
}

unsigned frag_reasm_expire(struct frag_reasm *r, uint64_t now)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FRAG_SLOTS_PER_PEER; i++) {
		if (r->slots[i].used && slot_expired(&r->slots[i], now)) {
			slot_release(&r->slots[i]);
			n++;
		}
	}
	r->stats.timeouts += n;
	return n;
}

uint64_t frag_reasm_next_timeout(const struct frag_reasm *r)
{
	uint64_t t = UINT64_MAX;

	for (unsigned i = 0; i < FRAG_SLOTS_PER_PEER; i++) {
		uint64_t d = r->slots[i].first_ns + SEG_MS(FRAG_TIMEOUT_MS);
		if (r->slots[i].used && d < t)
			t = d;
	}
	return t;
}

unsigned frag_reasm_pending(const struct frag_reasm *r)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FRAG_SLOTS_PER_PEER; i++)
		n += r->slots[i].used;
	return n;
}

static void slot_copy_in(struct frag_slot *s, uint8_t *mem, uint32_t off, const uint8_t *data,
			 uint32_t len)
{
	while (len) {
		uint32_t in = off % FRAG_CHUNK_LEN, n = FRAG_CHUNK_LEN - in;
		if (n > len)
			n = len;
		memcpy(mem + (size_t)s->chunk[off / FRAG_CHUNK_LEN] * FRAG_CHUNK_LEN + in, data, n);
		off += n;
		data += n;
		len -= n;
	}
}

static void slot_deliver(struct frag_reasm *r, struct frag_slot *s, frag_deliver_fn deliver,
			 void *ctx)
{
	struct frag_pool *p = r->pool;
	size_t total = s->total;

	for (uint32_t i = 0; i < s->nchunks; i++) {
		size_t off = (size_t)i * FRAG_CHUNK_LEN;
		size_t n = total - off < FRAG_CHUNK_LEN ? total - off : FRAG_CHUNK_LEN;
		memcpy(p->out + off, p->mem + (size_t)s->chunk[i] * FRAG_CHUNK_LEN, n);
	}
	slot_release(s);
	r->stats.delivered++;
	deliver(ctx, p->out, total);
}

static int drop(struct frag_reasm *r, int err)
{
	unsigned reason = (unsigned)(-err - FRAG_ERR_BASE);

	if (reason < FRAG_DROP_COUNT)
		r->stats.drops[reason]++;
	return err;
}

static struct frag_slot *slot_find(struct frag_reasm *r, uint32_t id)
{
	for (unsigned i = 0; i < FRAG_SLOTS_PER_PEER; i++)
		if (r->slots[i].used && r->slots[i].id == id)
			return &r->slots[i];
	return NULL;
}

int frag_reasm_input(struct frag_reasm *r, const uint8_t *frag, size_t len, uint64_t now,
		     frag_deliver_fn deliver, void *ctx)
{
	struct frag_header h;
	struct frag_slot *s;
	int err = frag_header_decode(frag, len, &h);

	if (err)
		return drop(r, err);
	frag_reasm_expire(r, now);
	s = slot_find(r, h.id);
	if (s) {
		if (s->total != h.total || s->count != h.count)
			return drop(r, FRAG_ERR_MISMATCH);
		if (s->size != h.size)
			return drop(r, FRAG_ERR_SIZE);
		if (s->have & (1ull << h.index))
			return drop(r, FRAG_ERR_DUPLICATE);
	} else {
		if ((h.total + FRAG_CHUNK_LEN - 1u) / FRAG_CHUNK_LEN > r->pool->nchunks)
			return drop(r, FRAG_ERR_TOO_BIG);
		s = slot_claim(r, &h, now);
	}
	slot_copy_in(s, r->pool->mem, h.offset, h.data, h.len);
	s->have |= 1ull << h.index;
	r->stats.fragments++;
	if (s->have == (h.count == 64 ? UINT64_MAX : (1ull << h.count) - 1))
		slot_deliver(r, s, deliver, ctx);
	return 0;
}
