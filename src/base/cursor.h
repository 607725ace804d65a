/* SPDX-License-Identifier: MIT */
/*
 * Bounds-checked cursors over byte buffers: the only way seg reads or writes a wire format.
 * Every read or write checks the remaining length first and fails without moving on
 * underflow; nested parts get a sub-cursor of their declared length. No pointer casts over
 * received bytes, no host byte order: big-endian by shifting.
 *
 * Thread: none; a cursor belongs to whoever holds it.
 */
#ifndef SEG_BASE_CURSOR_H
#define SEG_BASE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A read cursor: p points at the next unread byte, len bytes remain. */
struct rcursor {
	const uint8_t *p;
	size_t len;
};

/* A write cursor: p points at the next free byte, cap bytes remain. */
struct wcursor {
	uint8_t *p;
	size_t cap;
};

static inline struct rcursor rcursor_init(const uint8_t *buf, size_t len)
{
	return (struct rcursor){.p = buf, .len = len};
}

static inline struct wcursor wcursor_init(uint8_t *buf, size_t cap)
{
	return (struct wcursor){.p = buf, .cap = cap};
}

static inline bool rcursor_skip(struct rcursor *c, size_t n)
{
	if (c->len < n)
		return false;
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool rcursor_u8(struct rcursor *c, uint8_t *v)
{
	if (c->len < 1)
		return false;
	*v = c->p[0];
	c->p += 1;
	c->len -= 1;
	return true;
}

static inline bool rcursor_u16be(struct rcursor *c, uint16_t *v)
{
	if (c->len < 2)
		return false;
	*v = (uint16_t)((uint16_t)c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->len -= 2;
	return true;
}

static inline bool rcursor_u32be(struct rcursor *c, uint32_t *v)
{
	if (c->len < 4)
		return false;
	*v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 |
	     (uint32_t)c->p[3];
	c->p += 4;
	c->len -= 4;
	return true;
}

static inline bool rcursor_u48be(struct rcursor *c, uint64_t *v)
{
	if (c->len < 6)
		return false;
	uint64_t x = 0;
	for (int i = 0; i < 6; i++)
		x = x << 8 | c->p[i];
	*v = x;
	c->p += 6;
	c->len -= 6;
	return true;
}

static inline bool rcursor_u64be(struct rcursor *c, uint64_t *v)
{
	if (c->len < 8)
		return false;
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = x << 8 | c->p[i];
	*v = x;
	c->p += 8;
	c->len -= 8;
	return true;
}

static inline bool rcursor_bytes(struct rcursor *c, void *out, size_t n)
{
	if (c->len < n)
		return false;
	memcpy(out, c->p, n);
	c->p += n;
	c->len -= n;
	return true;
}

/* Points *out at the next n bytes without copying (zero-copy views). */
static inline bool rcursor_view(struct rcursor *c, const uint8_t **out, size_t n)
{
	if (c->len < n)
		return false;
	*out = c->p;
	c->p += n;
	c->len -= n;
	return true;
}

/* Splits off the next n bytes as their own cursor (a nested part of declared length n). */
static inline bool rcursor_sub(struct rcursor *c, struct rcursor *sub, size_t n)
{
	if (c->len < n)
		return false;
	*sub = rcursor_init(c->p, n);
	c->p += n;
	c->len -= n;
	return true;
}

static inline bool wcursor_u8(struct wcursor *c, uint8_t v)
{
	if (c->cap < 1)
		return false;
	c->p[0] = v;
	c->p += 1;
	c->cap -= 1;
	return true;
}

static inline bool wcursor_u16be(struct wcursor *c, uint16_t v)
{
	if (c->cap < 2)
		return false;
	c->p[0] = (uint8_t)(v >> 8);
	c->p[1] = (uint8_t)v;
	c->p += 2;
	c->cap -= 2;
	return true;
}

static inline bool wcursor_u32be(struct wcursor *c, uint32_t v)
{
	if (c->cap < 4)
		return false;
	for (int i = 0; i < 4; i++)
		c->p[i] = (uint8_t)(v >> (24 - 8 * i));
	c->p += 4;
	c->cap -= 4;
	return true;
}

static inline bool wcursor_u48be(struct wcursor *c, uint64_t v)
{
	if (c->cap < 6)
		return false;
	for (int i = 0; i < 6; i++)
		c->p[i] = (uint8_t)(v >> (40 - 8 * i));
	c->p += 6;
	c->cap -= 6;
	return true;
}

static inline bool wcursor_u64be(struct wcursor *c, uint64_t v)
{
	if (c->cap < 8)
		return false;
	for (int i = 0; i < 8; i++)
		c->p[i] = (uint8_t)(v >> (56 - 8 * i));
	c->p += 8;
	c->cap -= 8;
	return true;
}

static inline bool wcursor_bytes(struct wcursor *c, const void *src, size_t n)
{
	if (c->cap < n)
		return false;
	if (n)
		memcpy(c->p, src, n);
	c->p += n;
	c->cap -= n;
	return true;
}

/* Reserves n bytes to be filled later (a length or checksum known only at the end). */
static inline bool wcursor_reserve(struct wcursor *c, uint8_t **at, size_t n)
{
	if (c->cap < n)
		return false;
	*at = c->p;
	memset(c->p, 0, n);
	c->p += n;
	c->cap -= n;
	return true;
}

/* Big-endian loads and stores at a known-valid position (after a length check). */
static inline uint16_t load_u16be(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t load_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline void store_u16be(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void store_u32be(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* SEG_BASE_CURSOR_H */
