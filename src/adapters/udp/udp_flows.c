/* SPDX-License-Identifier: MIT */
/* The UDP service adapter's flow table (udp_flows.h): chained hashing over a fixed array. */
#include "adapters/udp/udp_flows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"

#define END UINT32_MAX

static bool key_equal(const struct udpa_flow_key *a, const struct udpa_flow_key *b)
{
	return a->peer == b->peer && a->id == b->id && a->flow == b->flow &&
	       a->family == b->family && a->port == b->port && !memcmp(a->ip, b->ip, 16);
}

/* FNV-1a over the key's fields (not its padding). */
static size_t key_hash(const struct udpa_flows *t, const struct udpa_flow_key *k)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint64_t words[4] = {(uint64_t)(uintptr_t)k->peer, (uint64_t)k->id << 32 | k->flow,
			     (uint64_t)k->family << 16 | k->port, 0};

	for (size_t i = 0; i < 3; i++)
		for (size_t b = 0; b < 8; b++)
			h = (h ^ ((words[i] >> (8 * b)) & 0xff)) * 0x100000001b3ull;
	for (size_t i = 0; i < 16; i++)
		h = (h ^ k->ip[i]) * 0x100000001b3ull;
	return (size_t)(h & (t->nbuckets - 1));
}

int udpa_flows_init(struct udpa_flows *t, size_t max, uint64_t idle_ns,
		    void (*on_evict)(struct udpa_flow *, void *), void *ctx)
{
	memset(t, 0, sizeof(*t));
	if (max > UDPA_FLOWS_LIMIT)
		return -EINVAL;
	t->nbuckets = 16;
	while (t->nbuckets < 2 * max)
		t->nbuckets *= 2;
	t->v = calloc(max ? max : 1, sizeof(*t->v));
	t->buckets = malloc(t->nbuckets * sizeof(*t->buckets));
	if (!t->v || !t->buckets) {
		free(t->v);
		free(t->buckets);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->nbuckets; i++)
		t->buckets[i] = END;
	/* Unused entries form the free list through next. */
	for (size_t i = 0; i < max; i++)
		t->v[i].next = i + 1 < max ? (uint32_t)(i + 1) : END;
	t->free_head = max ? 0 : END;
	t->max = max;
	t->idle_ns = idle_ns;
	t->on_evict = on_evict;
	t->ctx = ctx;
	return 0;
}

void udpa_flows_free(struct udpa_flows *t)
{
	for (size_t i = 0; t->v && i < t->max; i++)
		if (t->v[i].used)
			udpa_flows_remove(t, &t->v[i]);
	free(t->v);
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

struct udpa_flow *udpa_flows_find(struct udpa_flows *t, const struct udpa_flow_key *key,
				  uint64_t now)
{
	for (uint32_t i = t->buckets[key_hash(t, key)]; i != END; i = t->v[i].next) {
		if (key_equal(&t->v[i].key, key)) {
			t->v[i].last_used = now;
			return &t->v[i];
		}
	}
	return NULL;
}

void udpa_flows_remove(struct udpa_flows *t, struct udpa_flow *f)
{
	uint32_t idx = (uint32_t)(f - t->v);
	uint32_t *link = &t->buckets[key_hash(t, &f->key)];

	while (*link != END && *link != idx)
		link = &t->v[*link].next;
	if (*link == idx)
		*link = f->next;
	if (t->on_evict)
		t->on_evict(f, t->ctx);
	f->used = false;
	f->fd = -1;
	f->gen++; /* ids handed out for this slot are stale from now on */
	f->next = t->free_head;
	t->free_head = idx;
	t->n--;
}

struct udpa_flow *udpa_flows_add(struct udpa_flows *t, const struct udpa_flow_key *key,
				 uint64_t now)
{
	struct udpa_flow *f;
	size_t h;

	if (!t->max)
		return NULL;
	if (t->n == t->max) {
		struct udpa_flow *oldest = &t->v[0];

		for (size_t i = 1; i < t->max; i++)
			if (t->v[i].last_used < oldest->last_used)
				oldest = &t->v[i];
		udpa_flows_remove(t, oldest);
	}
	f = &t->v[t->free_head];
	t->free_head = f->next;
	f->key = *key;
	f->last_used = now;
	f->fd = -1;
	f->owner = NULL;
	f->used = true;
	h = key_hash(t, key);
	f->next = t->buckets[h];
	t->buckets[h] = (uint32_t)(f - t->v);
	t->n++;
	return f;
}

uint32_t udpa_flow_id(const struct udpa_flows *t, const struct udpa_flow *f)
{
	return (uint32_t)f->gen << 16 | (uint32_t)(f - t->v);
}

struct udpa_flow *udpa_flows_by_id(struct udpa_flows *t, uint32_t id, uint64_t now)
{
	uint32_t idx = id & 0xffff;

	if (idx >= t->max || !t->v[idx].used || t->v[idx].gen != (uint16_t)(id >> 16))
		return NULL;
	t->v[idx].last_used = now;
	return &t->v[idx];
}

size_t udpa_flows_expire(struct udpa_flows *t, uint64_t now)
{
	size_t n = 0;

	for (size_t i = 0; i < t->max; i++) {
		if (t->v[i].used &&
		    seg_time_expired(now, seg_time_add(t->v[i].last_used, t->idle_ns))) {
			udpa_flows_remove(t, &t->v[i]);
			n++;
		}
	}
	return n;
}
