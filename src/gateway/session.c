// SPDX-License-Identifier: MIT
/*
 * Sessions and the current/previous/next rotation (docs/protocol.md §7), after WireGuard's
 * keypair handling: an initiator's session is used at once; a responder's waits in `next`
 * until the initiator's first packet proves the initiator has it.
 */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

static uint64_t age_ns(const struct session *s, uint64_t now_ns)
{
	return now_ns > s->created_ns ? now_ns - s->created_ns : 0;
}

int session_init(struct session *s, struct handshake_result *res, uint64_t now_ns)
{
	int err;

	memset(s, 0, sizeof(*s));
	err = transport_aead_init(&s->tx, res->cipher, res->send_key, true);
	if (err)
		goto out;
	err = transport_aead_init(&s->rx, res->cipher, res->recv_key, false);
	if (err)
		goto out;
	s->local_index = res->local_index;
	s->remote_index = res->remote_index;
	s->initiator = res->initiator;
	s->confirmed = res->initiator;
	s->cipher = res->cipher;
	s->created_ns = now_ns;
	s->send_counter = 0;
	replay_init(&s->replay);
out:
	if (err)
		session_clear(s);
	handshake_result_clear(res);
	return err;
}

void session_clear(struct session *s)
{
	transport_aead_clear(&s->tx);
	transport_aead_clear(&s->rx);
	OPENSSL_cleanse(s, sizeof(*s));
}

struct session *session_new(struct handshake_result *res, uint64_t now_ns)
{
	struct session *s = malloc(sizeof(*s));

	if (!s) {
		handshake_result_clear(res);
		return NULL;
	}
	if (session_init(s, res, now_ns) != SEG_OK) {
		free(s);
		return NULL;
	}
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	session_clear(s);
	free(s);
}

bool session_expired(const struct session *s, uint64_t now_ns)
{
	return age_ns(s, now_ns) >= SEG_REJECT_AFTER_TIME_NS;
}

bool session_can_send(const struct session *s, uint64_t now_ns)
{
	return !session_expired(s, now_ns) && s->send_counter < SEG_REJECT_AFTER_MESSAGES;
}

int session_seal(struct session *s, uint64_t now_ns, uint8_t *pkt, size_t cap, size_t plain_len,
		 size_t *pkt_len)
{
	struct transport_header h = {.receiver_index = s->remote_index, .counter = s->send_counter};
	int err;

	if (session_expired(s, now_ns))
		return SEG_ERR_EXPIRED;
	if (s->send_counter >= SEG_REJECT_AFTER_MESSAGES)
		return SEG_ERR_COUNTER_LIMIT;
	err = transport_seal(&s->tx, &h, pkt, cap, plain_len, pkt_len);
	if (err)
		return err;
	/* A counter is never used twice, even if the caller drops the packet. */
	s->send_counter++;
	return SEG_OK;
}

int session_open(struct session *s, uint64_t now_ns, const struct transport_header *h, uint8_t *pkt,
		 size_t len, size_t *plain_len)
{
	size_t n;
	int err;

	if (h->receiver_index != s->local_index)
		return SEG_ERR_INDEX;
	if (session_expired(s, now_ns))
		return SEG_ERR_EXPIRED;
	if (h->counter >= SEG_REJECT_AFTER_MESSAGES)
		return SEG_ERR_COUNTER_LIMIT;
	err = transport_open(&s->rx, h, pkt, len, &n);
	if (err)
		return err;
	/* Only an authenticated counter may move the window (RFC 6479 §2). */
	if (!replay_check_and_update(&s->replay, h->counter))
		return SEG_ERR_REPLAY;
	s->confirmed = true;
	*plain_len = n;
	return SEG_OK;
}

/* ---- slots ---------------------------------------------------------------------------- */

static void evict(struct session_evicted *ev, struct session **slot)
{
	if (!*slot)
		return;
	/* Three slots, and every operation empties each at most once: never overflows. */
	if (ev->n >= sizeof(ev->s) / sizeof(ev->s[0]))
		abort();
	ev->s[ev->n++] = *slot;
	*slot = NULL;
}

void session_slots_clear(struct session_slots *ss, struct session_evicted *ev)
{
	evict(ev, &ss->next);
	evict(ev, &ss->current);
	evict(ev, &ss->previous);
}

void session_slots_install(struct session_slots *ss, struct session *s, struct session_evicted *ev)
{
	if (!s->initiator) {
		/* Unconfirmed until the initiator's first packet; replaces an older candidate. */
		evict(ev, &ss->next);
		ss->next = s;
		return;
	}
	/*
	 * We initiated: s is confirmed. An unconfirmed `next` (the peer initiated too, and lost
	 * the tie-break after we answered) becomes previous so packets the peer sealed with it
	 * still open; current then goes. Otherwise current becomes previous.
	 */
	evict(ev, &ss->previous);
	if (ss->next) {
		evict(ev, &ss->current);
		ss->previous = ss->next;
		ss->next = NULL;
	} else {
		ss->previous = ss->current;
	}
	ss->current = s;
}

struct session *session_slots_find(const struct session_slots *ss, uint32_t local_index)
{
	struct session *all[] = {ss->current, ss->previous, ss->next};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i] && all[i]->local_index == local_index)
			return all[i];
	return NULL;
}

int session_slots_open(struct session_slots *ss, uint64_t now_ns, const struct transport_header *h,
		       uint8_t *pkt, size_t len, size_t *plain_len, struct session_evicted *ev)
{
	struct session *s = session_slots_find(ss, h->receiver_index);
	int err;

	if (!s)
		return SEG_ERR_INDEX;
	err = session_open(s, now_ns, h, pkt, len, plain_len);
	if (err)
		return err;
	if (s == ss->next) {
		/* The initiator has the new keys: rotate (docs/protocol.md §7). */
		evict(ev, &ss->previous);
		ss->previous = ss->current;
		ss->current = s;
		ss->next = NULL;
	}
	return SEG_OK;
}

int session_slots_seal(struct session_slots *ss, uint64_t now_ns, uint8_t *pkt, size_t cap,
		       size_t plain_len, size_t *pkt_len)
{
	if (!ss->current || !session_can_send(ss->current, now_ns))
		return SEG_ERR_NO_SESSION;
	return session_seal(ss->current, now_ns, pkt, cap, plain_len, pkt_len);
}

void session_slots_expire(struct session_slots *ss, uint64_t now_ns, struct session_evicted *ev)
{
	if (ss->next && session_expired(ss->next, now_ns))
		evict(ev, &ss->next);
	if (ss->current && session_expired(ss->current, now_ns))
		evict(ev, &ss->current);
	if (ss->previous && session_expired(ss->previous, now_ns))
		evict(ev, &ss->previous);
}

enum session_rekey session_slots_rekey_due(const struct session_slots *ss, uint64_t now_ns)
{
	const struct session *s = ss->current;

	if (!s || !session_can_send(s, now_ns)) {
		if (ss->next && age_ns(ss->next, now_ns) < SEG_REKEY_TIMEOUT_NS)
			return SESSION_REKEY_AWAIT_CONFIRM;
		return SESSION_REKEY_NO_SESSION;
	}
	/* Either side rekeys on its own send counter: only the sender sees it grow. */
	if (s->send_counter >= SEG_REKEY_AFTER_MESSAGES)
		return SESSION_REKEY_MESSAGES;
	/* Only the initiator rekeys on time, so both sides do not race every 120 s. */
	if (s->initiator && age_ns(s, now_ns) >= SEG_REKEY_AFTER_TIME_NS)
		return SESSION_REKEY_TIME;
	return SESSION_REKEY_NONE;
}
