/* SPDX-License-Identifier: MIT */
/*
 * The TX pipeline: adapter packet → peer → active route(s) → fragment when larger than the
 * route's payload limit → seal in place behind the headroom → SCION/UDP header from the
 * route's template → batch → sendmmsg. Callers hold the peer lock for the sealing; the
 * batch is flushed without it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/time.h"
#include "datapath.h"
#include "gateway_internal.h"
#include "protocol.h"

struct underlay_batch *tx_batch_acquire(struct gateway *gw)
{
	struct gw_tx_pool *pool = &gw->tx_pool;
	struct underlay_batch *b = NULL;

	pthread_mutex_lock(&pool->lock);
	for (;;) {
		if (pool->n_free) {
			b = pool->free[--pool->n_free];
			break;
		}
		if (pool->n_alloc < GW_TX_POOL_MAX) {
			pool->n_alloc++;
			pthread_mutex_unlock(&pool->lock);
			/* Once per concurrently sending thread, not per packet. */
			b = malloc(sizeof(*b));
			if (b && underlay_batch_init(b) != 0) {
				free(b);
				b = NULL;
			}
			pthread_mutex_lock(&pool->lock);
			if (!b)
				pool->n_alloc--;
			break;
		}
		pthread_cond_wait(&pool->cond, &pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return b;
}

void tx_batch_release(struct gateway *gw, struct underlay_batch *b)
{
	struct gw_tx_pool *pool = &gw->tx_pool;

	pthread_mutex_lock(&pool->lock);
	pool->free[pool->n_free++] = b;
	pthread_cond_signal(&pool->cond);
	pthread_mutex_unlock(&pool->lock);
}

void tx_flush(struct gateway *gw, struct seg_peer *p, struct underlay_batch *b)
{
	size_t failed;

	if (!b->q.n)
		return;
	failed = underlay_batch_flush(b, &gw->ul);
	while (failed--)
		gw_drop(gw, p, GW_DROP_TX_SEND);
}

size_t tx_plain_max(const struct underlay_route *r)
{
	size_t m = underlay_route_payload_max(r);

	return m > SEG_TRANSPORT_OVERHEAD ? m - SEG_TRANSPORT_OVERHEAD : 0;
}

/*
 * Rekey on message count (docs/protocol.md §7): either side, on its own send counter, which
 * only it sees. The handshake runs on the control thread: asked once per current session
 * through the kick eventfd (this may run on an adapter thread, under the peer lock).
 */
static void rekey_on_count_locked(struct seg_peer *p)
{
	if (p->rekey_msgs_asked ||
	    p->slots.current->send_counter < p->gw->timing.rekey_after_messages)
		return;
	p->rekey_msgs_asked = true;
	__atomic_store_n(&p->rekey_msgs_wanted, 1, __ATOMIC_RELEASE);
	gw_kick(p->gw, p);
}

/* Next free slot; with may_unlock, flushes a full batch without the lock. */
static uint8_t *slot_get(struct seg_peer *p, struct underlay_batch *b, bool may_unlock)
{
	uint8_t *slot = underlay_batch_slot(b);

	if (slot || !may_unlock)
		return slot;
	pthread_mutex_unlock(&p->lock);
	tx_flush(p->gw, p, b);
	pthread_mutex_lock(&p->lock);
	return underlay_batch_slot(b);
}

int tx_message_locked(struct seg_peer *p, struct underlay_batch *b, const struct underlay_route *r,
		      uint8_t inner, const uint8_t *body, size_t len, const uint8_t *body2,
		      size_t len2, bool may_unlock)
{
	const struct underlay_route *routes[PEER_ROUTES_MAX];
	size_t n = 0, plain = 1 + len + len2, sealed_len, start, total;
	uint64_t now = seg_time_now();
	uint8_t *first = NULL;

	if (r) {
		routes[n++] = r;
	} else {
		for (size_t i = 0; i < p->n_routes; i++)
			routes[n++] = &p->routes[i];
	}
	if (!n)
		return -EHOSTUNREACH;
	for (size_t i = 0; i < n; i++) {
		uint8_t *slot = slot_get(p, b, may_unlock);
		uint8_t *msg;

		if (!slot)
			return -ENOBUFS;
		/* The lock may have been dropped: the routes array is rewritten in place only,
		 * so the pointers stay valid, but the route may now be smaller. */
		if (plain > tx_plain_max(routes[i]))
			return -EMSGSIZE;
		msg = slot + UNDERLAY_HEADROOM;
		if (!first) {
			uint8_t *pt = msg + SEG_TRANSPORT_HEADER_LEN;
			int err;

			pt[0] = inner;
			if (len)
				memcpy(pt + 1, body, len);
			if (len2)
				memcpy(pt + 1 + len, body2, len2);
			err = session_slots_seal(&p->slots, now, msg,
						 UNDERLAY_BUF_LEN - UNDERLAY_HEADROOM, plain,
						 &sealed_len);
			if (err)
				return err == SEG_ERR_NO_SESSION ? -ENOTCONN : -EIO;
			rekey_on_count_locked(p);
			first = msg;
		} else {
			/* Redundant mode: the same sealed message (same counter) on the second
			 * path; the receiver's replay window drops whichever copy is second. */
			memcpy(msg, first, sealed_len);
		}
		if (underlay_encap(routes[i], slot, sealed_len, &start, &total) != 0)
			return -EMSGSIZE;
		underlay_batch_commit(b, start, total, &routes[i]->next_hop);
		p->tx_packets++;
		p->tx_bytes += total;
	}
	p->last_sent_ns = now;
	return 0;
}

struct frag_ctx {
	struct seg_peer *p;
	struct underlay_batch *b;
};

static int frag_emit(void *arg, const uint8_t *hdr, size_t hdr_len, const uint8_t *data,
		     size_t data_len)
{
	struct frag_ctx *c = arg;

	return tx_message_locked(c->p, c->b, NULL, SEG_INNER_FRAGMENT, hdr, hdr_len, data, data_len,
				 true);
}

int tx_data_locked(struct seg_peer *p, struct underlay_batch *b, const uint8_t *pkt, size_t len)
{
	size_t limit = SIZE_MAX;
	struct frag_ctx c = {.p = p, .b = b};
	int n;

	if (!p->n_routes)
		return -EHOSTUNREACH;
	for (size_t i = 0; i < p->n_routes; i++) {
		size_t m = tx_plain_max(&p->routes[i]);

		if (m < limit)
			limit = m;
	}
	limit = limit > 1 ? limit - 1 : 0; /* the inner type byte */
	if (len <= limit)
		return tx_message_locked(p, b, NULL, SEG_INNER_DATA, pkt, len, NULL, 0, true);
	n = frag_split(pkt, len, limit, ++p->frag_id, frag_emit, &c);
	return n < 0 ? n : 0;
}

int tx_data_seal(struct seg_peer *p, struct underlay_batch *b, const struct seg_buf *pkts, size_t n)
{
	struct gateway *gw = p->gw;
	uint64_t now = seg_time_now();
	size_t sent = 0;
	int err = 0;

	pthread_mutex_lock(&p->lock);
	if (p->dead || !p->slots.current || !session_can_send(p->slots.current, now)) {
		bool dead = p->dead;

		pthread_mutex_unlock(&p->lock);
		for (size_t i = 0; i < n; i++)
			gw_drop(gw, p, GW_DROP_TX_NO_SESSION);
		if (!dead)
			gw_kick(gw, p);
		return -ENOTCONN;
	}
	for (; sent < n; sent++) {
		if (pkts[sent].len == 0 || pkts[sent].len > SEG_DATA_MAX) {
			err = -EMSGSIZE;
			gw_drop(gw, p, GW_DROP_TX_TOO_BIG);
			break;
		}
		err = tx_data_locked(p, b, pkts[sent].data, pkts[sent].len);
		if (err) {
			gw_drop(gw, p,
				err == -EHOSTUNREACH ? GW_DROP_TX_NO_PATH : GW_DROP_TX_TOO_BIG);
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return sent ? (int)sent : err;
}

/* A route for a handshake message: the given one, the first active one, or any path. */
static bool handshake_route(struct seg_peer *p, const struct underlay_route *r,
			    struct underlay_route *out)
{
	struct gateway *gw = p->gw;
	const struct pathmgr_candidate *c;
	struct pathmgr_path_info info;

	if (r) {
		underlay_route_copy(out, r);
		return true;
	}
	pthread_mutex_lock(&p->lock);
	if (p->n_routes) {
		underlay_route_copy(out, &p->routes[0]);
		pthread_mutex_unlock(&p->lock);
		return true;
	}
	pthread_mutex_unlock(&p->lock);
	if (pathmgr_path_count(p->pm) == 0 ||
	    pathmgr_path_info(p->pm, 0, seg_time_now(), &info) != 0)
		return false;
	c = pathmgr_path_lookup(p->pm, info.id);
	return c && underlay_route_build(out, info.id, &gw->ul.local, &p->remote.addr, c->path_type,
					 c->raw, c->raw_len, &c->next_hop, c->mtu) == 0;
}

void tx_handshake(struct seg_peer *p, const struct underlay_route *r, const uint8_t *msg,
		  size_t len)
{
	struct gateway *gw = p->gw;
	struct underlay_route route;
	uint8_t *slot;
	size_t start, total;

	if (!handshake_route(p, r, &route)) {
		gw_drop(gw, p, GW_DROP_TX_NO_PATH);
		return;
	}
	slot = underlay_batch_slot(&gw->ctl_tx);
	if (!slot) {
		tx_flush(gw, p, &gw->ctl_tx);
		slot = underlay_batch_slot(&gw->ctl_tx);
	}
	memcpy(slot + UNDERLAY_HEADROOM, msg, len);
	if (underlay_encap(&route, slot, len, &start, &total) != 0) {
		gw_drop(gw, p, GW_DROP_TX_TOO_BIG);
		return;
	}
	underlay_batch_commit(&gw->ctl_tx, start, total, &route.next_hop);
	tx_flush(gw, p, &gw->ctl_tx);
}

void tx_keepalive(struct seg_peer *p)
{
	int err;

	pthread_mutex_lock(&p->lock);
	err =
	    tx_message_locked(p, &p->gw->ctl_tx, NULL, SEG_INNER_KEEPALIVE, NULL, 0, NULL, 0, true);
	pthread_mutex_unlock(&p->lock);
	if (err)
		seg_log_debug("peer %s: keepalive not sent: %d", p->remote.description, err);
	tx_flush(p->gw, p, &p->gw->ctl_tx);
}
