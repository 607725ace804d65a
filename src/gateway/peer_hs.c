/* SPDX-License-Identifier: MIT */
/*
 * Driving the handshake of a peer (docs/protocol.md §3, §4, §4.1, §7): starting and
 * retransmitting Inits, answering Inits, taking Responses, installing the sessions.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "base/log.h"
#include "base/time.h"
#include "gateway_internal.h"
#include "peer.h"
#include "timers.h"

void peer_handshake_start(struct seg_peer *p, bool rekey)
{
	struct gateway *gw = p->gw;
	uint8_t init[SEG_INIT_LEN];
	uint64_t now = seg_time_now();
	uint32_t index;
	int err;

	if (p->dead)
		return;
	p->hs_wanted = true;
	if (!p->have_init_keys || pathmgr_path_count(p->pm) == 0)
		return; /* keys.c calls again when the key and the paths are there */
	index = gw_index_new(gw);
	err = handshake_create_init(&p->hs, &p->init_keys, index, seg_wall_now(), now, init);
	if (err) {
		seg_log_error("peer %s: Init not built: %s", p->remote.description,
			      seg_proto_strerror(err));
		timers_handshake_initiated(p); /* retry later */
		return;
	}
	if (!p->hs_first_ns)
		p->hs_first_ns = now;
	if (p->state == PEER_IDLE || p->state == PEER_DOWN)
		peer_set_state(p, PEER_HANDSHAKING);
	seg_log_debug("peer %s: Init sent (%s, index %08x)", p->remote.description,
		      rekey ? "rekey" : "new session", index);
	tx_handshake(p, NULL, init, sizeof(init));
	OPENSSL_cleanse(init, sizeof(init));
	timers_handshake_initiated(p);
}

static enum gw_drop hs_drop_reason(int err)
{
	switch (err) {
	case SEG_ERR_EPOCH:
		return GW_DROP_HS_EPOCH;
	case SEG_ERR_MAC:
		return GW_DROP_HS_MAC;
	case SEG_ERR_TIMESTAMP:
		return GW_DROP_HS_TIMESTAMP;
	case SEG_ERR_ROLE_CONFLICT:
		return GW_DROP_HS_ROLE;
	case SEG_ERR_NO_PENDING:
		return GW_DROP_HS_NO_PENDING;
	case SEG_ERR_TRUNCATED:
	case SEG_ERR_TYPE:
	case SEG_ERR_VERSION:
	case SEG_ERR_RESERVED:
	case SEG_ERR_CIPHER_UNKNOWN:
		return GW_DROP_HS_INVALID;
	default:
		return GW_DROP_HS_OTHER;
	}
}

/* Registers and installs a new session; true when the current session changed. */
static bool session_add(struct seg_peer *p, struct handshake_result *res)
{
	struct session_evicted ev = {0};
	struct session *s = session_new(res, seg_time_now()); /* wipes res */
	struct session *before;
	bool changed;

	if (!s) {
		seg_log_error("peer %s: no memory for a session", p->remote.description);
		return false;
	}
	if (gw_index_add(p->gw, s->local_index, p) != 0) {
		seg_log_error("peer %s: index table full", p->remote.description);
		session_free(s);
		return false;
	}
	pthread_mutex_lock(&p->lock);
	before = p->slots.current;
	session_slots_install(&p->slots, s, &ev);
	changed = p->slots.current != before;
	pthread_mutex_unlock(&p->lock);
	peer_sessions_release(p, &ev);
	p->handshakes++;
	p->last_handshake_unix_ms = seg_wall_now() / 1000000u;
	return changed;
}

/*
 * §4.1: we keep the initiator role and drop the peer's Init. If our Init was lost (the peer
 * was not listening yet when both started), the peer would wait for a Response that never
 * comes until our retransmission, 5 s later. Its Init shows it is there now: send ours
 * again at once, the same bytes, once per Init. Had it arrived, the copy fails the
 * responder's timestamp check and is dropped there.
 */
static void init_resend_on_conflict(struct seg_peer *p)
{
	if (!p->hs.pending || p->hs_resent_index == p->hs.pending_index)
		return;
	p->hs_resent_index = p->hs.pending_index;
	seg_log_debug("peer %s: Init %08x sent again (the peer initiates: ours may be lost)",
		      p->remote.description, p->hs.pending_index);
	tx_handshake(p, NULL, p->hs.pending_init, SEG_INIT_LEN);
}

void peer_handshake_init_rx(struct seg_peer *p, const uint8_t *msg, size_t len,
			    const struct underlay_route *reply)
{
	struct gateway *gw = p->gw;
	struct handshake_result res;
	uint8_t resp[SEG_RESPONSE_LEN];
	bool had_pending = p->hs.pending;
	int err;

	if (!p->have_resp_keys) {
		gw_drop(gw, p, GW_DROP_NO_KEY);
		if (len == SEG_INIT_LEN) {
			memcpy(p->stash_init, msg, len);
			underlay_route_copy(&p->stash_reply, reply);
			p->has_stash = true;
		}
		gw_keys_request_peer(gw, p);
		return;
	}
	err = handshake_consume_init(&p->hs, &p->resp_keys, msg, len, gw_index_new(gw),
				     seg_time_now(), resp, &res);
	if (err) {
		gw_drop(gw, p, hs_drop_reason(err));
		seg_log_debug("peer %s: Init dropped: %s", p->remote.description,
			      seg_proto_strerror(err));
		if (err == SEG_ERR_ROLE_CONFLICT)
			init_resend_on_conflict(p);
		/* An epoch we do not know yet: maybe ours is the stale one. */
		if (err == SEG_ERR_EPOCH)
			gw_keys_request_peer(gw, p);
		return;
	}
	if (had_pending && !p->hs.pending) {
		/* §4.1: we yielded the initiator role. */
		timers_handshake_complete(p);
		p->hs_first_ns = 0;
	}
	p->hs_wanted = false;
	if (p->state == PEER_UP)
		p->rekeys++; /* either role: a new session while one works */
	tx_handshake(p, reply, resp, sizeof(resp));
	/* The responder's session waits in `next` until the initiator's first packet. */
	(void)session_add(p, &res);
	handshake_result_clear(&res);
	seg_log_debug("peer %s: Init answered", p->remote.description);
}

void peer_handshake_response_rx(struct seg_peer *p, const uint8_t *msg, size_t len)
{
	struct handshake_result res;
	bool rekey = p->state == PEER_UP;
	uint64_t took;
	int err;

	err = handshake_consume_response(&p->hs, msg, len, seg_time_now(), &res);
	if (err) {
		gw_drop(p->gw, p, hs_drop_reason(err));
		return;
	}
	took = p->hs_first_ns ? seg_time_now() - p->hs_first_ns : 0;
	p->hs_first_ns = 0;
	p->hs_wanted = false;
	timers_handshake_complete(p);
	if (rekey)
		p->rekeys++;
	seg_log_info("peer %s: session established (initiator, %llu us)", p->remote.description,
		     (unsigned long long)seg_time_to_us(took));
	if (session_add(p, &res))
		peer_current_changed(p);
	handshake_result_clear(&res);
	/* Confirm at once: the responder installs the session on our first packet (§7). */
	tx_keepalive(p);
}

void peer_handshake_keys_ready(struct seg_peer *p)
{
	uint8_t init[SEG_INIT_LEN];
	struct underlay_route reply;

	if (!p->has_stash || !p->have_resp_keys)
		return;
	memcpy(init, p->stash_init, sizeof(init));
	underlay_route_copy(&reply, &p->stash_reply);
	p->has_stash = false;
	peer_handshake_init_rx(p, init, sizeof(init), &reply);
}
