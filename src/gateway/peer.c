/* SPDX-License-Identifier: MIT */
/* Peers: creation, get/put and two-phase teardown, state, routes, control channel glue. */
#include "peer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "base/cursor.h"
#include "base/log.h"
#include "base/time.h"
#include "gateway_internal.h"
#include "timers.h"

const char *peer_state_name(enum peer_state s)
{
	switch (s) {
	case PEER_IDLE:
		return "idle";
	case PEER_HANDSHAKING:
		return "handshaking";
	case PEER_UP:
		return "up";
	case PEER_DOWN:
		return "down";
	}
	return "?";
}

static void pathmgr_config_from(const struct gateway *gw, struct pathmgr_config *pc)
{
	pathmgr_config_default(pc);
	if (gw->conf.keepalive_interval_ns)
		pc->keepalive_interval_ns = gw->conf.keepalive_interval_ns;
	if (gw->conf.keepalive_timeout_ns)
		pc->keepalive_timeout_ns = gw->conf.keepalive_timeout_ns;
	if (gw->conf.keepalive_timeout_interval_ns)
		pc->keepalive_timeout_interval_ns = gw->conf.keepalive_timeout_interval_ns;
	if (gw->conf.migrate_grace_ns)
		pc->migrate_grace_timeout_ns = gw->conf.migrate_grace_ns;
	pc->policy = gw->conf.policy == PATHPOLICY_LATENCY ? PATHPOLICY_LATENCY : PATHPOLICY_HOPS;
	pc->hidden_first = gw->opts.hidden_failover;
	pc->redundant = gw->conf.redundant;
}

int peer_new(struct gateway *gw, const struct gwconf_remote *remote, struct seg_peer **out)
{
	struct seg_peer *p = calloc(1, sizeof(*p));
	struct handshake_config hc = {0};
	struct pathmgr_config pc;
	int err;

	if (!p)
		return -ENOMEM;
	p->refs = 1;
	p->gw = gw;
	p->remote = *remote;
	if (!p->remote.description[0] && scion_udp_addr_format(&remote->addr, p->remote.description,
							       sizeof(p->remote.description)) != 0)
		strcpy(p->remote.description, "?");
	if (RAND_bytes((uint8_t *)&p->instance, sizeof(p->instance)) != 1) {
		err = -EIO;
		goto err_rand;
	}
	pthread_mutex_init(&p->lock, NULL);
	hc.local = gw->conf.local.addr;
	hc.remote = remote->addr.addr;
	hc.cipher = (enum seg_cipher)gw->conf.cipher_wire;
	memcpy(hc.psk, gw->conf.psk, sizeof(hc.psk));
	handshake_init(&p->hs, &hc);
	OPENSSL_cleanse(&hc, sizeof(hc));
	err = ctrlchan_init(&p->ctrl);
	if (err)
		goto err_ctrl;
	pathmgr_config_from(gw, &pc);
	err = pathmgr_create(&pc, &p->pm);
	if (err)
		goto err_pm;
	frag_reasm_init(&p->reasm, &gw->reasm_pool);
	p->ctrl_in_tail = &p->ctrl_in_head;
	timers_peer_init(p);
	*out = p;
	return 0;

err_pm:
	ctrlchan_free(&p->ctrl);
err_ctrl:
	handshake_clear(&p->hs);
	pthread_mutex_destroy(&p->lock);
err_rand:
	free(p);
	return err;
}

/* Phase two: nothing but the peer's own memory (any thread, the last reference). */
static void peer_free(struct seg_peer *p)
{
	struct session_evicted ev = {0};

	session_slots_clear(&p->slots, &ev);
	for (size_t i = 0; i < ev.n; i++)
		session_free(ev.s[i]);
	while (p->ctrl_in_head) {
		struct peer_ctrl_msg *m = p->ctrl_in_head;

		p->ctrl_in_head = m->next;
		free(m);
	}
	ctrlchan_free(&p->ctrl);
	/* The reassembly went in peer_unlink: its pool is the gateway's. */
	pathmgr_destroy(p->pm);
	hidden_exchange_free(p);
	handshake_clear(&p->hs);
	pthread_mutex_destroy(&p->lock);
	OPENSSL_cleanse(p, sizeof(*p));
	free(p);
}

void seg_peer_get(struct seg_peer *p)
{
	__atomic_fetch_add(&p->refs, 1, __ATOMIC_RELAXED);
}

void seg_peer_put(struct seg_peer *p)
{
	if (p && __atomic_sub_fetch(&p->refs, 1, __ATOMIC_ACQ_REL) == 0)
		peer_free(p);
}

void peer_unlink(struct seg_peer *p)
{
	struct session_evicted ev = {0};

	if (p->state == PEER_UP)
		gw_adapters_peer_down(p->gw, p);
	timers_peer_stop(p);
	pthread_mutex_lock(&p->lock);
	p->dead = true;
	session_slots_clear(&p->slots, &ev);
	p->n_routes = 0;
	pthread_mutex_unlock(&p->lock);
	peer_sessions_release(p, &ev);
	/* Reassembly draws on the gateway's pool, which may go before the last reference. */
	frag_reasm_free(&p->reasm);
	handshake_pending_clear(&p->hs);
}

void peer_set_state(struct seg_peer *p, enum peer_state s)
{
	enum peer_state old = p->state;

	if (old == s)
		return;
	__atomic_store_n(&p->state, s, __ATOMIC_RELAXED);
	seg_log_debug("peer %s: %s -> %s", p->remote.description, peer_state_name(old),
		      peer_state_name(s));
	if (s == PEER_UP)
		gw_adapters_peer_up(p->gw, p);
	else if (old == PEER_UP)
		gw_adapters_peer_down(p->gw, p);
}

void peer_sessions_release(struct seg_peer *p, struct session_evicted *ev)
{
	for (size_t i = 0; i < ev->n; i++) {
		gw_index_del(p->gw, ev->s[i]->local_index);
		session_free(ev->s[i]);
	}
	ev->n = 0;
}

void peer_routes_sync(struct seg_peer *p)
{
	struct gateway *gw = p->gw;
	struct underlay_route r[PEER_ROUTES_MAX];
	uint32_t ids[2];
	size_t n, k = 0;

	if (gw->conf.redundant) {
		n = pathmgr_active_set(p->pm, ids);
	} else {
		ids[0] = pathmgr_active(p->pm);
		n = ids[0] != PATHMGR_NO_PATH;
	}
	for (size_t i = 0; i < n && k < PEER_ROUTES_MAX; i++) {
		const struct pathmgr_candidate *c = pathmgr_path_lookup(p->pm, ids[i]);

		if (c && underlay_route_build(&r[k], ids[i], &gw->ul.local, &p->remote.addr,
					      c->path_type, c->raw, c->raw_len, &c->next_hop,
					      c->mtu) == 0)
			k++;
	}
	/* No active path (none known yet, or all dead): keep the routes we have, a learnt or
	 * a dead one beats dropping everything until the path manager finds one. */
	if (!k)
		return;
	pthread_mutex_lock(&p->lock);
	for (size_t i = 0; i < k; i++)
		underlay_route_copy(&p->routes[i], &r[i]);
	p->n_routes = k;
	pthread_mutex_unlock(&p->lock);
}

/* ---- control channel ---------------------------------------------------------------- */

_Static_assert((int)GW_MSG_HELLO_LEN <= (int)CTRL_PREFIX_MAX, "the hello is the stream header");

/*
 * A new stream on the new session: the channel keeps the messages not fully acked for
 * resending, and our hello goes first, with the number of messages the peer acked before
 * them; the peer drops those of them it had delivered already (ack lost). Under lock.
 */
static void ctrl_restart_locked(struct seg_peer *p)
{
	uint8_t msg[GW_MSG_HELLO_LEN];
	struct wcursor c = wcursor_init(msg, sizeof(msg));

	if (!wcursor_u8(&c, GW_MSG_HELLO) || !wcursor_u64be(&c, p->instance) ||
	    !wcursor_u64be(&c, p->ctrl.msgs_acked))
		abort(); /* sized for exactly these */
	/* GW_MSG_HELLO_LEN is within CTRL_PREFIX_MAX: only memory can fail. The peer then
	 * takes our first message for the header: resent copies may arrive twice once. */
	if (ctrlchan_reset_prefix(&p->ctrl, CTRL_KIND_GATEWAY, msg, sizeof(msg)) != 0)
		seg_log_warn("peer %s: control stream header not queued (no memory)",
			     p->remote.description);
	p->ctrl_rx_first = true;
}

void peer_current_changed(struct seg_peer *p)
{
	bool initiator = false;

	/* The control channel rides the current session: both sides reset it when their
	 * current session changes, and accept frames only from it (peer.h). */
	pthread_mutex_lock(&p->lock);
	if (p->slots.current) {
		initiator = p->slots.current->initiator;
		p->ctrl_index = p->slots.current->local_index;
	}
	ctrl_restart_locked(p);
	p->rekey_msgs_asked = false;
	pthread_mutex_unlock(&p->lock);
	hidden_exchange_resend(p); /* the reset dropped anything queued */
	timers_session_established(p, initiator);
	if (p->state != PEER_UP) {
		p->last_recv_ns = seg_time_now();
		peer_set_state(p, PEER_UP);
	}
	peer_ctrl_poll(p);
}

/*
 * The first record of the peer's stream, its hello: after a reset of the same instance, the
 * messages it resends that we delivered already are dropped (docs/control-channel.md,
 * "Resets"). Under lock, in stream order.
 */
static void ctrl_stream_start(struct seg_peer *p, uint8_t kind, const uint8_t *msg, size_t len)
{
	struct rcursor c = rcursor_init(msg, len);
	uint64_t inst, acked;
	uint8_t type;

	if (kind != CTRL_KIND_GATEWAY || !rcursor_u8(&c, &type) || type != GW_MSG_HELLO ||
	    !rcursor_u64be(&c, &inst) || !rcursor_u64be(&c, &acked) || c.len) {
		p->ctrl_rx_skip = 0; /* not a stream header: nothing to compare against */
		return;
	}
	if (p->ctrl_rx_have_instance && inst == p->ctrl_rx_instance && acked <= p->ctrl_rx_count &&
	    p->ctrl_rx_count - acked <= CTRL_SEND_MSGS_MAX) {
		p->ctrl_rx_skip = p->ctrl_rx_count - acked;
		return;
	}
	/* A new instance (a restart), or our first stream from it. */
	p->ctrl_rx_have_instance = true;
	p->ctrl_rx_instance = inst;
	p->ctrl_rx_count = acked;
	p->ctrl_rx_skip = 0;
}

static void ctrl_deliver(void *ctx, uint8_t kind, const uint8_t *msg, size_t len)
{
	struct seg_peer *p = ctx;
	struct peer_ctrl_msg *m;

	if (p->ctrl_rx_first) {
		p->ctrl_rx_first = false;
		ctrl_stream_start(p, kind, msg, len);
	} else if (p->ctrl_rx_skip) {
		p->ctrl_rx_skip--;
		gw_drop(p->gw, p, GW_DROP_CTRL_DUPLICATE);
		return;
	} else {
		p->ctrl_rx_count++;
	}
	m = malloc(sizeof(*m) + len);

	/* Per control message, not per data packet; on no memory the message is lost, which
	 * the log says (the channel already acknowledged it). */
	if (!m) {
		seg_log_error("peer %s: control message of %zu bytes lost: no memory",
			      p->remote.description, len);
		return;
	}
	m->next = NULL;
	m->kind = kind;
	m->len = len;
	memcpy(m->data, msg, len);
	*p->ctrl_in_tail = m;
	p->ctrl_in_tail = &m->next;
}

int peer_ctrl_input_locked(struct seg_peer *p, const uint8_t *frame, size_t len)
{
	return ctrlchan_input(&p->ctrl, frame, len, seg_time_now(), ctrl_deliver, p);
}

static void gateway_msg(struct seg_peer *p, const uint8_t *msg, size_t len)
{
	struct rcursor c = rcursor_init(msg, len);
	uint8_t type;
	uint64_t inst;

	if (!rcursor_u8(&c, &type))
		return;
	switch (type) {
	case GW_MSG_HELLO:
		/* The acked count was used on delivery (ctrl_stream_start). */
		if (!rcursor_u64be(&c, &inst) || c.len != 8)
			return;
		if (p->remote_instance && p->remote_instance != inst) {
			/* The peer restarted: its adapters lost what ours told them. */
			seg_log_info("peer %s: restarted", p->remote.description);
			gw_adapters_peer_down(p->gw, p);
			if (p->state == PEER_UP)
				gw_adapters_peer_up(p->gw, p);
		}
		if (p->remote_instance != inst && p->remote.has_rendezvous)
			hidden_exchange_start(p);
		p->remote_instance = inst;
		break;
	case GW_MSG_HIDDEN_PATHS:
		hidden_exchange_receive(p, c.p, c.len);
		break;
	default:
		break; /* a newer gateway's message: ignored */
	}
}

void peer_ctrl_dispatch(struct seg_peer *p)
{
	struct peer_ctrl_msg *list = p->ctrl_in_head;

	p->ctrl_in_head = NULL;
	p->ctrl_in_tail = &p->ctrl_in_head;
	while (list) {
		struct peer_ctrl_msg *m = list;

		list = m->next;
		if (m->kind == CTRL_KIND_GATEWAY)
			gateway_msg(p, m->data, m->len);
		else
			gw_adapters_control(p->gw, p, m->data, m->len);
		free(m);
	}
}

static int ctrl_stage(void *ctx, const uint8_t *frame, size_t len)
{
	struct gateway *gw = ctx;
	size_t used = gw->ctrl_stage_used;

	if (gw->ctrl_stage_n == GW_CTRL_STAGE_FRAMES || len > GW_CTRL_STAGE_BYTES - used)
		return -1;
	memcpy(gw->ctrl_stage + used, frame, len);
	gw->ctrl_stage_off[gw->ctrl_stage_n++] = used;
	gw->ctrl_stage_used = used + len;
	gw->ctrl_stage_off[gw->ctrl_stage_n] = gw->ctrl_stage_used;
	return 0;
}

void peer_ctrl_poll(struct seg_peer *p)
{
	struct gateway *gw = p->gw;
	uint64_t now = seg_time_now();
	size_t max;
	int n;

	pthread_mutex_lock(&p->lock);
	if (p->dead || !p->n_routes || !p->slots.current ||
	    !session_can_send(p->slots.current, now)) {
		pthread_mutex_unlock(&p->lock);
		return; /* polled again once a session and a path exist */
	}
	max = tx_plain_max(&p->routes[0]);
	if (p->n_routes > 1 && tx_plain_max(&p->routes[1]) < max)
		max = tx_plain_max(&p->routes[1]);
	gw->ctrl_stage_used = 0;
	gw->ctrl_stage_n = 0;
	gw->ctrl_stage_off[0] = 0;
	n = ctrlchan_poll(&p->ctrl, now, ctrl_stage, gw, max > 1 ? max - 1 : 0);
	if (n < 0 && n != -EIO)
		seg_log_debug("peer %s: control poll: %d", p->remote.description, n);
	for (size_t i = 0; i < gw->ctrl_stage_n; i++) {
		size_t off = gw->ctrl_stage_off[i], len = gw->ctrl_stage_off[i + 1] - off;

		if (tx_message_locked(p, &gw->ctl_tx, NULL, SEG_INNER_CONTROL, gw->ctrl_stage + off,
				      len, NULL, 0, true) != 0)
			break; /* lost like any datagram: the channel retransmits */
	}
	pthread_mutex_unlock(&p->lock);
	tx_flush(gw, p, &gw->ctl_tx);
	timers_ctrl_changed(p);
}

int peer_ctrl_send_gateway(struct seg_peer *p, const uint8_t *msg, size_t len)
{
	int err;

	pthread_mutex_lock(&p->lock);
	err = ctrlchan_send(&p->ctrl, CTRL_KIND_GATEWAY, msg, len, seg_time_now());
	pthread_mutex_unlock(&p->lock);
	if (!err)
		peer_ctrl_poll(p);
	return err;
}
