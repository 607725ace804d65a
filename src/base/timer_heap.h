/* SPDX-License-Identifier: MIT */
/*
 * A binary min-heap of intrusive timer nodes, ordered by (deadline, arm sequence): equal
 * deadlines fire in the order they were armed. Each node remembers its slot, so insert,
 * remove and re-arm are O(log n) and peek is O(1). The heap stores pointers only; the
 * nodes belong to their owners (embedded in struct evloop_timer).
 *
 * Thread: none; the owner (the event loop's thread) serialises all calls.
 */
#ifndef SEG_BASE_TIMER_HEAP_H
#define SEG_BASE_TIMER_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMER_HEAP_UNLINKED SIZE_MAX

struct timer_heap_node {
	uint64_t deadline; /* monotonic ns (base/time.h) */
	uint64_t seq;	   /* arm order, breaks deadline ties */
	size_t index;	   /* slot in the heap, TIMER_HEAP_UNLINKED when not armed */
};

struct timer_heap {
	struct timer_heap_node **slots;
	size_t len;
	size_t cap;
	uint64_t next_seq;
};

void timer_heap_init(struct timer_heap *h);
/* Frees the slot array and marks the remaining nodes unlinked; the nodes are the owners'. */
void timer_heap_destroy(struct timer_heap *h);

static inline void timer_heap_node_init(struct timer_heap_node *n)
{
	n->deadline = 0;
	n->seq = 0;
	n->index = TIMER_HEAP_UNLINKED;
}

static inline bool timer_heap_node_linked(const struct timer_heap_node *n)
{
	return n->index != TIMER_HEAP_UNLINKED;
}

/* Arms n at deadline, or moves it there if already armed. -1 when out of memory (n is then
 * left as it was). */
__attribute__((warn_unused_result)) int
timer_heap_arm(struct timer_heap *h, struct timer_heap_node *n, uint64_t deadline);
/* Disarms n; a no-op when it is not armed. */
void timer_heap_cancel(struct timer_heap *h, struct timer_heap_node *n);
/* The earliest node, or NULL when empty. */
struct timer_heap_node *timer_heap_peek(const struct timer_heap *h);
/* Removes and returns the earliest node, or NULL when empty. */
struct timer_heap_node *timer_heap_pop(struct timer_heap *h);

static inline size_t timer_heap_len(const struct timer_heap *h)
{
	return h->len;
}

#endif /* SEG_BASE_TIMER_HEAP_H */
