/* SPDX-License-Identifier: MIT */
/* The gateway object (gateway.h): setup, the control thread's loop, reload, teardown. */
#include "gateway.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "base/log.h"
#include "base/time.h"
#include "gateway_internal.h"
#include "protocol.h"
#include "timers.h"

#define GW_INDEX_TOMBSTONE ((struct seg_peer *)(uintptr_t)1)

void gw_drop(struct gateway *gw, struct seg_peer *p, enum gw_drop reason)
{
	gw_drops_inc(&gw->drops, reason);
	if (p)
		gw_drops_inc(&p->drops, reason);
}

/* ---- receiver index table --------------------------------------------------------------- */

static size_t index_hash(uint32_t index)
{
	/* Indices are random (handshake.h): their low bits are a good hash already. */
	return index & (GW_INDEX_SLOTS - 1);
}

int gw_index_add(struct gateway *gw, uint32_t index, struct seg_peer *p)
{
	for (size_t i = 0, h = index_hash(index); i < GW_INDEX_SLOTS; i++) {
		struct gw_index_entry *e = &gw->index[(h + i) & (GW_INDEX_SLOTS - 1)];

		if (!e->peer || e->peer == GW_INDEX_TOMBSTONE) {
			e->index = index;
			e->peer = p;
			return 0;
		}
	}
	return -ENOSPC;
}

static struct gw_index_entry *index_find(struct gateway *gw, uint32_t index)
{
	for (size_t i = 0, h = index_hash(index); i < GW_INDEX_SLOTS; i++) {
		struct gw_index_entry *e = &gw->index[(h + i) & (GW_INDEX_SLOTS - 1)];

		if (!e->peer)
			return NULL;
		if (e->peer != GW_INDEX_TOMBSTONE && e->index == index)
			return e;
	}
	return NULL;
}

void gw_index_del(struct gateway *gw, uint32_t index)
{
	struct gw_index_entry *e = index_find(gw, index);

	if (e)
		e->peer = GW_INDEX_TOMBSTONE;
}

struct seg_peer *gw_index_lookup(struct gateway *gw, uint32_t index)
{
	struct gw_index_entry *e = index_find(gw, index);

	return e ? e->peer : NULL;
}

uint32_t gw_index_new(struct gateway *gw)
{
	uint32_t v;

	do {
		if (RAND_bytes((uint8_t *)&v, sizeof(v)) != 1)
			abort(); /* the RNG failing is not survivable for a VPN */
	} while (index_find(gw, v));
	return v;
}

struct seg_peer *gw_peer_by_src(struct gateway *gw, const struct scion_addr *src)
{
	for (size_t i = 0; i < gw->n_peers; i++)
		if (scion_addr_equal(&gw->peers[i]->remote.addr.addr, src))
			return gw->peers[i];
	return NULL;
}

/* ---- kicks from adapter threads --------------------------------------------------------- */

void gw_kick(struct gateway *gw, struct seg_peer *p)
{
	uint64_t one = 1;

	if (__atomic_exchange_n(&p->kick_posted, 1, __ATOMIC_ACQ_REL))
		return;
	if (write(gw->kick_fd, &one, sizeof(one)) < 0) {
		/* Saturated counter: the control thread is woken anyway. */
	}
}

static void kick_ready(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct gateway *gw = arg;
	uint64_t v;
	bool rekey;

	(void)loop;
	(void)events;
	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: flags are checked below regardless. */
	}
	for (size_t i = 0; i < gw->n_peers; i++) {
		struct seg_peer *p = gw->peers[i];

		if (!__atomic_exchange_n(&p->kick_posted, 0, __ATOMIC_ACQ_REL))
			continue;
		/* A rekey on message count (tx.c, docs/protocol.md §7) or a send with no
		 * session: a handshake unless one is under way. */
		rekey = __atomic_exchange_n(&p->rekey_msgs_wanted, 0, __ATOMIC_ACQ_REL);
		if (!p->hs.pending && (p->state != PEER_UP || rekey))
			peer_handshake_start(p, p->state == PEER_UP);
		peer_ctrl_poll(p);
	}
}

/* ---- peers ------------------------------------------------------------------------------ */

static int peers_add(struct gateway *gw, const struct gwconf_remote *r)
{
	struct seg_peer *p;
	int err;

	if (gw->n_peers == gw->cap_peers) {
		size_t cap = gw->cap_peers ? 2 * gw->cap_peers : 8;
		struct seg_peer **np = realloc(gw->peers, cap * sizeof(*np));

		if (!np)
			return -ENOMEM;
		pthread_mutex_lock(&gw->peers_lock);
		gw->peers = np;
		gw->cap_peers = cap;
		pthread_mutex_unlock(&gw->peers_lock);
	}
	err = peer_new(gw, r, &p);
	if (err)
		return err;
	pthread_mutex_lock(&gw->peers_lock);
	gw->peers[gw->n_peers++] = p;
	pthread_mutex_unlock(&gw->peers_lock);
	if (gw->running)
		timers_peer_started(p);
	return 0;
}

static void peers_remove(struct gateway *gw, size_t i)
{
	struct seg_peer *p = gw->peers[i];

	seg_log_info("peer %s: removed", p->remote.description);
	pthread_mutex_lock(&gw->peers_lock);
	gw->peers[i] = gw->peers[--gw->n_peers];
	pthread_mutex_unlock(&gw->peers_lock);
	peer_unlink(p);
	seg_peer_put(p);
}

/* ---- lifecycle -------------------------------------------------------------------------- */

static void timing_init(struct gateway *gw)
{
	const struct gateway_opts *o = &gw->opts;
	struct gw_timing *t = &gw->timing;

	t->rekey_after_time_ns =
	    o->test_rekey_after_time_ns ? o->test_rekey_after_time_ns : SEG_REKEY_AFTER_TIME_NS;
	t->rekey_timeout_ns =
	    o->test_rekey_timeout_ns ? o->test_rekey_timeout_ns : SEG_REKEY_TIMEOUT_NS;
	t->keepalive_timeout_ns =
	    o->test_keepalive_timeout_ns ? o->test_keepalive_timeout_ns : SEG_KEEPALIVE_TIMEOUT_NS;
	/* WireGuard's new-handshake rule: keepalive + rekey timeout without hearing back. */
	t->dead_after_ns = t->keepalive_timeout_ns + t->rekey_timeout_ns;
	t->path_refresh_ns =
	    o->test_path_refresh_ns ? o->test_path_refresh_ns : TIMERS_PATH_REFRESH_NS;
	t->rekey_after_messages =
	    o->test_rekey_after_messages ? o->test_rekey_after_messages : SEG_REKEY_AFTER_MESSAGES;
}

int gateway_new(const struct seg_config *cfg, const struct gateway_opts *opts, struct gateway **out,
		char *errbuf, size_t errlen)
{
	struct gateway *gw = calloc(1, sizeof(*gw));
	int err;

	if (!gw) {
		snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	if (opts)
		gw->opts = *opts;
	gw->kick_fd = -1;
	gw->ul.fd = -1;
	pthread_mutex_init(&gw->peers_lock, NULL);
	pthread_mutex_init(&gw->tx_pool.lock, NULL);
	pthread_cond_init(&gw->tx_pool.cond, NULL);
	err = gwconf_from_config(cfg, &gw->conf);
	if (err) {
		snprintf(errbuf, errlen, "configuration: out of memory");
		goto err;
	}
	snprintf(gw->daemon_addr, sizeof(gw->daemon_addr), "%s",
		 gw->opts.daemon_addr ? gw->opts.daemon_addr : gw->conf.daemon_addr);
	timing_init(gw);
	gw->loop = gw->opts.loop;
	if (!gw->loop) {
		gw->loop = evloop_new();
		gw->own_loop = true;
	}
	gw->index = calloc(GW_INDEX_SLOTS, sizeof(*gw->index));
	gw->rx_bufs = malloc((size_t)UNDERLAY_RX_BATCH * UNDERLAY_RX_BUF_LEN);
	gw->ctrl_stage = malloc(GW_CTRL_STAGE_BYTES);
	gw->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!gw->loop || !gw->index || !gw->rx_bufs || !gw->ctrl_stage || gw->kick_fd < 0 ||
	    underlay_batch_init(&gw->ctl_tx) != 0 ||
	    frag_pool_init(&gw->reasm_pool, GW_REASM_BUDGET) != 0) {
		snprintf(errbuf, errlen, "out of memory or file descriptors");
		err = -ENOMEM;
		goto err;
	}
	err = underlay_open(&gw->ul, &gw->conf.local);
	if (err) {
		snprintf(errbuf, errlen, "cannot bind the underlay socket to port %u: %s",
			 gw->conf.local.port, strerror(errno));
		goto err;
	}
	for (size_t i = 0; i < gw->conf.n_remotes; i++) {
		err = peers_add(gw, &gw->conf.remotes[i]);
		if (err) {
			snprintf(errbuf, errlen, "remote %zu: cannot create the peer (%d)", i, err);
			goto err;
		}
	}
	*out = gw;
	return 0;
err:
	gateway_free(gw);
	return err ? err : -EINVAL;
}

int gateway_run(struct gateway *gw)
{
	int err;

	if (!gw->running) {
		err = keys_worker_start(gw->loop, gw->daemon_addr, gw->opts.daemon_timeout_ms,
					&gw->keys);
		if (err)
			return err;
		err = evloop_fd_add(gw->loop, gw->ul.fd, EVLOOP_READ, rx_socket_ready, gw);
		if (err)
			return err;
		err = evloop_fd_add(gw->loop, gw->kick_fd, EVLOOP_READ, kick_ready, gw);
		if (err)
			return err;
		gw->running = true;
		gw->start_ns = seg_time_now();
		gw_port_range_check(gw);
		for (size_t i = 0; i < gw->n_peers; i++) {
			gw->peers[i]->hs_wanted = true;
			timers_peer_started(gw->peers[i]);
		}
		seg_log_info("gateway up on port %u with %zu remotes", underlay_port(&gw->ul),
			     gw->n_peers);
	}
	if (!gw->own_loop)
		return 0;
	return evloop_run(gw->loop);
}

void gateway_stop(struct gateway *gw)
{
	if (gw && gw->own_loop)
		evloop_stop(gw->loop);
}

static bool remote_equal(const struct gwconf_remote *a, const struct gwconf_remote *b)
{
	return scion_addr_equal(&a->addr.addr, &b->addr.addr) && a->addr.port == b->addr.port &&
	       a->has_rendezvous == b->has_rendezvous &&
	       (!a->has_rendezvous || a->rendezvous == b->rendezvous);
}

int gateway_reload(struct gateway *gw, const struct seg_config *new_cfg)
{
	struct gwconf nc;
	int err = gwconf_from_config(new_cfg, &nc);

	if (err)
		return err;
	if (!scion_addr_equal(&nc.local.addr, &gw->conf.local.addr) ||
	    nc.local.port != gw->conf.local.port || nc.cipher_wire != gw->conf.cipher_wire) {
		seg_log_error("reload: address and cipher need a restart; nothing changed");
		gwconf_clear(&nc);
		return -EINVAL;
	}
	/* Removed (or changed) remotes go; unchanged ones keep their sessions. */
	for (size_t i = gw->n_peers; i-- > 0;) {
		bool keep = false;

		for (size_t j = 0; j < nc.n_remotes && !keep; j++)
			keep = remote_equal(&gw->peers[i]->remote, &nc.remotes[j]);
		if (!keep)
			peers_remove(gw, i);
	}
	for (size_t j = 0; j < nc.n_remotes; j++) {
		bool have = false;

		for (size_t i = 0; i < gw->n_peers && !have; i++)
			have = remote_equal(&gw->peers[i]->remote, &nc.remotes[j]);
		if (!have) {
			seg_log_info("reload: remote %zu added", j);
			err = peers_add(gw, &nc.remotes[j]);
			if (err)
				break;
			if (gw->running)
				gw->peers[gw->n_peers - 1]->hs_wanted = true;
		}
	}
	/* The new remotes list becomes ours (descriptions of kept peers stay as they were). */
	free(gw->conf.remotes);
	gw->conf.remotes = nc.remotes;
	gw->conf.n_remotes = nc.n_remotes;
	nc.remotes = NULL;
	gwconf_clear(&nc);
	return err;
}

void gateway_free(struct gateway *gw)
{
	if (!gw)
		return;
	keys_worker_stop(gw->keys);
	gw->keys = NULL;
	while (gw->n_peers)
		peers_remove(gw, gw->n_peers - 1);
	if (gw->running) {
		evloop_fd_del(gw->loop, gw->ul.fd);
		evloop_fd_del(gw->loop, gw->kick_fd);
	}
	underlay_close(&gw->ul);
	if (gw->kick_fd >= 0)
		close(gw->kick_fd);
	if (gw->own_loop)
		evloop_free(gw->loop);
	frag_pool_free(&gw->reasm_pool);
	underlay_batch_free(&gw->ctl_tx);
	for (size_t i = 0; i < gw->tx_pool.n_free; i++) {
		underlay_batch_free(gw->tx_pool.free[i]);
		free(gw->tx_pool.free[i]);
	}
	pthread_cond_destroy(&gw->tx_pool.cond);
	pthread_mutex_destroy(&gw->tx_pool.lock);
	pthread_mutex_destroy(&gw->peers_lock);
	free(gw->peers);
	free(gw->index);
	free(gw->rx_bufs);
	free(gw->ctrl_stage);
	OPENSSL_cleanse(gw->as_keys, sizeof(gw->as_keys));
	gwconf_clear(&gw->conf);
	free(gw);
}

uint16_t gateway_port(const struct gateway *gw)
{
	return underlay_port(&gw->ul);
}

struct evloop *gateway_loop(struct gateway *gw)
{
	return gw->loop;
}
