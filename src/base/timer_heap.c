// SPDX-License-Identifier: MIT
/*
 * The binary min-heap behind evloop timers: slots[0] is the earliest; the children of slot
 * i are 2i+1 and 2i+2. Every move of a node updates its index, which makes cancel and
 * re-arm O(log n) without a search.
 */
#include "base/timer_heap.h"

#include <stdlib.h>

enum { TIMER_HEAP_MIN_CAP = 16 };

void timer_heap_init(struct timer_heap *h)
{
	*h = (struct timer_heap){0};
}

void timer_heap_destroy(struct timer_heap *h)
{
	for (size_t i = 0; i < h->len; i++)
		h->slots[i]->index = TIMER_HEAP_UNLINKED;
	free(h->slots);
	*h = (struct timer_heap){0};
}

static bool node_before(const struct timer_heap_node *a, const struct timer_heap_node *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->seq < b->seq;
}

static void place(struct timer_heap *h, size_t i, struct timer_heap_node *n)
{
	h->slots[i] = n;
	n->index = i;
}

static void sift_up(struct timer_heap *h, size_t i)
{
	struct timer_heap_node *n = h->slots[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!node_before(n, h->slots[parent]))
			break;
		place(h, i, h->slots[parent]);
		i = parent;
	}
	place(h, i, n);
}

static void sift_down(struct timer_heap *h, size_t i)
{
	struct timer_heap_node *n = h->slots[i];

	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->len)
			break;
		if (child + 1 < h->len && node_before(h->slots[child + 1], h->slots[child]))
			child++;
		if (!node_before(h->slots[child], n))
			break;
		place(h, i, h->slots[child]);
		i = child;
	}
	place(h, i, n);
}

static int grow(struct timer_heap *h)
{
	size_t cap = h->cap ? h->cap * 2 : TIMER_HEAP_MIN_CAP;
	struct timer_heap_node **slots;

	if (cap > SIZE_MAX / sizeof(*slots))
		return -1;
	slots = realloc(h->slots, cap * sizeof(*slots));
	if (!slots)
		return -1;
	h->slots = slots;
	h->cap = cap;
	return 0;
}

/* Removes the node at slot i and restores the heap around the node moved into its place. */
static void remove_at(struct timer_heap *h, size_t i)
{
	struct timer_heap_node *last = h->slots[--h->len];

	h->slots[i]->index = TIMER_HEAP_UNLINKED;
	if (i == h->len)
		return;
	place(h, i, last);
	if (i > 0 && node_before(last, h->slots[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

int timer_heap_arm(struct timer_heap *h, struct timer_heap_node *n, uint64_t deadline)
{
	if (timer_heap_node_linked(n)) {
		/* Re-arm: a fresh sequence number, as if cancelled and armed again. */
		uint64_t old = n->deadline;
		n->deadline = deadline;
		n->seq = h->next_seq++;
		if (deadline < old)
			sift_up(h, n->index);
		else
			sift_down(h, n->index);
		return 0;
	}
	if (h->len == h->cap && grow(h) != 0)
		return -1;
	n->deadline = deadline;
	n->seq = h->next_seq++;
	place(h, h->len++, n);
	sift_up(h, n->index);
	return 0;
}

void timer_heap_cancel(struct timer_heap *h, struct timer_heap_node *n)
{
	if (!timer_heap_node_linked(n))
		return;
	remove_at(h, n->index);
}

struct timer_heap_node *timer_heap_peek(const struct timer_heap *h)
{
	return h->len ? h->slots[0] : NULL;
}

struct timer_heap_node *timer_heap_pop(struct timer_heap *h)
{
	struct timer_heap_node *n = timer_heap_peek(h);

	if (n)
		remove_at(h, 0);
	return n;
}
