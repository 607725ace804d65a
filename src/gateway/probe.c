/* SPDX-License-Identifier: MIT */
/* Path probes and replies (probe.h), driven by the path manager's schedule. */
#include "probe.h"

#include <string.h>

#include "base/cursor.h"
#include "base/log.h"
#include "base/time.h"
#include "gateway_internal.h"
#include "protocol.h"
#include "timers.h"

static void event_log(struct seg_peer *p)
{
	struct pathmgr_event e;

	while (pathmgr_event_pop(p->pm, &e)) {
		switch (e.kind) {
		case PATHMGR_EVENT_ACTIVE_CHANGED:
			seg_log_info("peer %s: active path %u -> %u (%s)", p->remote.description,
				     e.from, e.to, pathmgr_reason_name(e.reason));
			break;
		case PATHMGR_EVENT_PATH_DOWN:
			seg_log_info("peer %s: path %u down (%s)", p->remote.description, e.from,
				     pathmgr_reason_name(e.reason));
			break;
		case PATHMGR_EVENT_PATH_UP:
			seg_log_info("peer %s: path %u up", p->remote.description, e.from);
			break;
		}
	}
}

static int route_for_path(struct seg_peer *p, uint32_t id, struct underlay_route *r)
{
	const struct pathmgr_candidate *c = pathmgr_path_lookup(p->pm, id);
	struct gateway *gw = p->gw;

	if (!c)
		return -1;
	return underlay_route_build(r, id, &gw->ul.local, &p->remote.addr, c->path_type, c->raw,
				    c->raw_len, &c->next_hop, c->mtu);
}

static void probe_send(struct seg_peer *p, uint32_t id, uint64_t now)
{
	struct underlay_route r;
	uint8_t body[PROBE_BODY_LEN];
	struct wcursor c = wcursor_init(body, sizeof(body));
	uint64_t seq = ++p->probe_seq;
	int err = -1;

	if (route_for_path(p, id, &r) == 0 && wcursor_u64be(&c, seq) && wcursor_u32be(&c, id) &&
	    wcursor_u64be(&c, now)) {
		pthread_mutex_lock(&p->lock);
		err = tx_message_locked(p, &p->gw->ctl_tx, &r, SEG_INNER_PROBE, body, sizeof(body),
					NULL, 0, true);
		pthread_mutex_unlock(&p->lock);
	}
	/* Sent or not: a failed send counts as a lost probe (pathmgr.h). */
	if (pathmgr_probe_sent(p->pm, id, seq, now) != 0)
		seg_log_debug("peer %s: probe on vanished path %u", p->remote.description, id);
	(void)err;
}

void probe_run(struct seg_peer *p)
{
	uint64_t now = seg_time_now();
	uint32_t id;
	bool have_session;
	unsigned sent = 0;

	pthread_mutex_lock(&p->lock);
	have_session = p->slots.current && session_can_send(p->slots.current, now);
	pthread_mutex_unlock(&p->lock);
	/* Without a session a probe cannot be sealed; wait for one (timers_session_established
	 * brings this timer back) rather than let every path die meanwhile. */
	while (have_session && sent < PATHMGR_MAX_PATHS && pathmgr_next_probe(p->pm, now, &id)) {
		probe_send(p, id, now);
		sent++;
	}
	tx_flush(p->gw, p, &p->gw->ctl_tx);
	if (have_session)
		pathmgr_tick(p->pm, now);
	event_log(p);
	peer_routes_sync(p);
	if (have_session)
		timers_paths_changed(p);
}

void probe_receive(struct seg_peer *p, const struct scion_packet *pkt, uint16_t peer_port,
		   const struct sockaddr_storage *from, const uint8_t *body, size_t len)
{
	struct underlay_route r;

	if (len != PROBE_BODY_LEN ||
	    underlay_route_reply(&r, &p->gw->ul.local, pkt, peer_port, from) != 0) {
		gw_drop(p->gw, p, GW_DROP_PROBE_INVALID);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (tx_message_locked(p, &p->gw->ctl_tx, &r, SEG_INNER_PROBE_REPLY, body, len, NULL, 0,
			      true) != 0)
		seg_log_trace("peer %s: probe reply not sent", p->remote.description);
	pthread_mutex_unlock(&p->lock);
}

void probe_reply_receive(struct seg_peer *p, const uint8_t *body, size_t len)
{
	struct rcursor c = rcursor_init(body, len);
	uint64_t seq, ts;
	uint32_t id;

	if (len != PROBE_BODY_LEN || !rcursor_u64be(&c, &seq) || !rcursor_u32be(&c, &id) ||
	    !rcursor_u64be(&c, &ts)) {
		gw_drop(p->gw, p, GW_DROP_PROBE_INVALID);
		return;
	}
	if (pathmgr_probe_reply(p->pm, id, seq, seg_time_now()) != 0) {
		gw_drop(p->gw, p, GW_DROP_PROBE_UNKNOWN);
		return;
	}
	event_log(p);
	peer_routes_sync(p);
	timers_paths_changed(p);
}
