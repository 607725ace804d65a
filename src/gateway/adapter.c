/* SPDX-License-Identifier: MIT */
/* The adapter API (include/seg/adapter.h): registry, dispatch and the egress calls. */
#include <errno.h>
#include <string.h>

#include "base/log.h"
#include "base/time.h"
#include "datapath.h"
#include "gateway_internal.h"
#include "protocol.h"
#include "timers.h"

/* The public limit of adapter control messages is the control channel's record limit. */
_Static_assert((int)SEG_CTRL_MSG_MAX == (int)CTRL_MSG_MAX, "seg/adapter.h and protocol.h disagree");

int seg_gateway_adapter_register(struct gateway *gw, const struct seg_adapter_ops *ops, void *ctx)
{
	if (!gw || !ops)
		return -EINVAL;
	if (gw->n_adapters == SEG_ADAPTERS_MAX)
		return -ENOSPC;
	gw->adapters[gw->n_adapters].ops = ops;
	gw->adapters[gw->n_adapters].ctx = ctx;
	gw->n_adapters++;
	return 0;
}

void gw_adapters_ingress(struct gateway *gw, struct seg_peer *p, const struct seg_buf *pkts,
			 size_t n)
{
	bool taken = false;

	for (size_t i = 0; i < gw->n_adapters; i++) {
		if (gw->adapters[i].ops->ingress) {
			gw->adapters[i].ops->ingress(gw->adapters[i].ctx, p, pkts, n);
			taken = true;
		}
	}
	if (!taken)
		for (size_t i = 0; i < n; i++)
			gw_drop(gw, p, GW_DROP_NO_ADAPTER);
}

void gw_adapters_control(struct gateway *gw, struct seg_peer *p, const uint8_t *msg, size_t len)
{
	for (size_t i = 0; i < gw->n_adapters; i++)
		if (gw->adapters[i].ops->control)
			gw->adapters[i].ops->control(gw->adapters[i].ctx, p, msg, len);
}

void gw_adapters_peer_up(struct gateway *gw, struct seg_peer *p)
{
	for (size_t i = 0; i < gw->n_adapters; i++)
		if (gw->adapters[i].ops->peer_up)
			gw->adapters[i].ops->peer_up(gw->adapters[i].ctx, p);
}

void gw_adapters_peer_down(struct gateway *gw, struct seg_peer *p)
{
	for (size_t i = 0; i < gw->n_adapters; i++)
		if (gw->adapters[i].ops->peer_down)
			gw->adapters[i].ops->peer_down(gw->adapters[i].ctx, p);
}

struct seg_peer *seg_gateway_peer_by_addr(struct gateway *gw, const struct scion_addr *addr)
{
	struct seg_peer *found = NULL;

	pthread_mutex_lock(&gw->peers_lock);
	for (size_t i = 0; i < gw->n_peers; i++) {
		if (scion_addr_equal(&gw->peers[i]->remote.addr.addr, addr)) {
			found = gw->peers[i];
			seg_peer_get(found);
			break;
		}
	}
	pthread_mutex_unlock(&gw->peers_lock);
	return found;
}

size_t seg_gateway_peers(struct gateway *gw, struct seg_peer **out, size_t cap)
{
	size_t n;

	pthread_mutex_lock(&gw->peers_lock);
	n = gw->n_peers;
	for (size_t i = 0; i < n && i < cap; i++) {
		out[i] = gw->peers[i];
		seg_peer_get(out[i]);
	}
	pthread_mutex_unlock(&gw->peers_lock);
	return n;
}

const struct scion_udp_addr *seg_peer_addr(const struct seg_peer *p)
{
	return &p->remote.addr;
}

bool seg_peer_is_up(const struct seg_peer *p)
{
	return __atomic_load_n(&p->state, __ATOMIC_RELAXED) == PEER_UP;
}

int seg_peer_send_data(struct seg_peer *p, const struct seg_buf *pkts, size_t n)
{
	struct gateway *gw = p->gw;
	struct underlay_batch *b;
	int ret;

	if (!n)
		return 0;
	b = tx_batch_acquire(gw);
	if (!b)
		return -ENOMEM;
	ret = tx_data_seal(p, b, pkts, n);
	tx_flush(gw, p, b);
	tx_batch_release(gw, b);
	return ret;
}

int seg_peer_send_ctrl(struct seg_peer *p, const void *msg, size_t len)
{
	int err;

	if (len > SEG_CTRL_MSG_MAX)
		return -EMSGSIZE;
	pthread_mutex_lock(&p->lock);
	err = p->dead ? -ENOTCONN
		      : ctrlchan_send(&p->ctrl, CTRL_KIND_ADAPTER, msg, len, seg_time_now());
	pthread_mutex_unlock(&p->lock);
	if (!err)
		gw_kick(p->gw, p); /* the control thread polls the channel */
	return err;
}
