/* SPDX-License-Identifier: MIT */
/*
 * Link emulation on the egress of each of a router's links: loss by a per-link xorshift
 * PRNG (deterministic per link and direction), delay by a per-link FIFO of copied packets
 * whose due times never decrease (a link does not reorder), sent when due.
 */
#include <stdlib.h>
#include <string.h>

#include "router_rt.h"

/* xorshift64*: deterministic per link, seeded from the link's identity. */
static uint32_t prng_ppm(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 0x2545f4914f6cdd1dull) >> 32) % ROUTER_RT_LOSS_PPM_MAX;
}

void rt_link_send(struct router_rt *rt, struct rt_iface *ifc, uint8_t *buf, size_t len,
		  uint64_t now_ns)
{
	struct rt_delay *d = ifc->delay;
	unsigned slot;
	uint64_t due;

	if (ifc->loss_ppm && prng_ppm(&ifc->prng) < ifc->loss_ppm) {
		rt->drops[ROUTER_DROP_LINK_LOSS]++;
		return;
	}
	if (!ifc->delay_us || !d) {
		rt_tx_add(rt, ifc->fd, ifc->tx, buf, len, NULL);
		return;
	}
	if (d->count == ROUTER_RT_DELAY_SLOTS) {
		rt->drops[ROUTER_DROP_DELAY_QUEUE_FULL]++;
		return;
	}
	slot = (d->head + d->count) % ROUTER_RT_DELAY_SLOTS;
	due = now_ns + (uint64_t)ifc->delay_us * 1000u;
	/* A link is a FIFO: never overtake the packet before (after a delay decrease). */
	if (d->count) {
		uint64_t last =
		    d->due_ns[(slot + ROUTER_RT_DELAY_SLOTS - 1) % ROUTER_RT_DELAY_SLOTS];

		due = due < last ? last : due;
	}
	memcpy(d->slab + (size_t)slot * ROUTER_MAX_PKT_LEN, buf, len);
	d->len[slot] = (uint16_t)len;
	d->due_ns[slot] = due;
	d->count++;
}

int rt_link_service(struct router_rt *rt, uint64_t now_ns)
{
	int64_t next = -1;

	for (size_t i = 0; i < rt->n; i++) {
		struct rt_iface *ifc = &rt->ifs[i];
		struct rt_delay *d = ifc->delay;

		while (d && d->count && d->due_ns[d->head] <= now_ns) {
			rt_tx_add(rt, ifc->fd, ifc->tx,
				  d->slab + (size_t)d->head * ROUTER_MAX_PKT_LEN, d->len[d->head],
				  NULL);
			d->head = (d->head + 1) % ROUTER_RT_DELAY_SLOTS;
			d->count--;
		}
		/* The batch points into the slab: send before those slots are reused. */
		rt_tx_flush(rt, ifc->fd, ifc->tx);
		if (d && d->count) {
			int64_t ms = (int64_t)((d->due_ns[d->head] - now_ns) / 1000000u) + 1;

			next = next < 0 || ms < next ? ms : next;
		}
	}
	return (int)next;
}

int rt_link_emulate(struct rt_iface *ifc, uint32_t loss_ppm, uint32_t delay_us)
{
	/* The queue is allocated on first use: most links are never delayed. */
	if (delay_us && !ifc->delay) {
		struct rt_delay *d = calloc(1, sizeof(*d));

		if (d)
			d->slab = malloc((size_t)ROUTER_RT_DELAY_SLOTS * ROUTER_MAX_PKT_LEN);
		if (!d || !d->slab) {
			free(d);
			return ROUTER_RT_ERR_NOMEM;
		}
		ifc->delay = d;
	}
	ifc->loss_ppm = loss_ppm;
	ifc->delay_us = delay_us;
	return 0;
}

void rt_link_free(struct rt_iface *ifc)
{
	if (ifc->delay)
		free(ifc->delay->slab);
	free(ifc->delay);
	ifc->delay = NULL;
}
