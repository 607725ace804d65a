/* SPDX-License-Identifier: MIT */
/*
 * Sessions (keypairs) and their rotation (docs/protocol.md §7).
 *
 * A session is what one handshake produced: two indices, one AEAD context per direction, the
 * send counter, the replay window of the receive direction, its creation time and role. A
 * peer holds up to three in struct session_slots:
 *   next      a responder's new session, not yet confirmed (no packet received on it yet);
 *   current   the session we send on;
 *   previous  the one before current; still opens packets in flight until it expires.
 * An initiator's new session is confirmed at once (the Response proved the peer has it); a
 * responder's becomes current on the first packet opened with it.
 *
 * Evicted sessions are handed back in struct session_evicted: the caller removes their
 * indices from its index table and frees them when no worker still uses them.
 *
 * Thread: a session and a peer's slots are used by one thread at a time (the EVP contexts
 * inside are not shareable); the owner serializes.
 */
#ifndef SEG_GATEWAY_SESSION_H
#define SEG_GATEWAY_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "handshake.h"
#include "protocol.h"
#include "replay.h"
#include "transport.h"

struct session {
	uint32_t local_index;  /* packets to us carry this as receiver index */
	uint32_t remote_index; /* what we put in packets to the peer */
	bool initiator;
	bool confirmed;
	enum seg_cipher cipher;
	uint64_t created_ns;
	uint64_t send_counter; /* the next counter to send */
	struct transport_aead tx;
	struct transport_aead rx;
	struct replay_window replay;
};

struct session_slots {
	struct session *current;
	struct session *previous;
	struct session *next;
};

/* Sessions an operation took out of the slots; the caller unregisters and frees them. */
struct session_evicted {
	struct session *s[3];
	size_t n;
};

/* What the rekey policy asks for (docs/protocol.md §7). */
enum session_rekey {
	SESSION_REKEY_NONE,	     /* the current session is fine */
	SESSION_REKEY_TIME,	     /* we initiated current and it is REKEY_AFTER_TIME old */
	SESSION_REKEY_MESSAGES,	     /* we sent REKEY_AFTER_MESSAGES on current */
	SESSION_REKEY_NO_SESSION,    /* no usable current session: handshake before sending */
	SESSION_REKEY_AWAIT_CONFIRM, /* none usable, but we answered an Init less than
				      * REKEY_TIMEOUT ago: queue, the initiator sends first */
};

/* Sets up s from a handshake result (wiping the result, whatever the outcome). */
SEG_MUST_CHECK int session_init(struct session *s, struct handshake_result *res, uint64_t now_ns);
/* Frees the AEAD contexts and zeroes every byte of *s. Idempotent. */
void session_clear(struct session *s);
/* session_init on the heap; NULL on failure (the result is wiped either way). */
struct session *session_new(struct handshake_result *res, uint64_t now_ns);
/* session_clear and free; NULL is allowed. */
void session_free(struct session *s);

/* A session can send and open until it is REJECT_AFTER_TIME old. */
bool session_expired(const struct session *s, uint64_t now_ns);
/* Can send: not expired and the send counter is below REJECT_AFTER_MESSAGES. */
bool session_can_send(const struct session *s, uint64_t now_ns);

/* Seals the plaintext at pkt + SEG_TRANSPORT_HEADER_LEN (see transport_seal) with the next
 * counter. */
SEG_MUST_CHECK int session_seal(struct session *s, uint64_t now_ns, uint8_t *pkt, size_t cap,
				size_t plain_len, size_t *pkt_len);
/* Opens pkt (header h parsed from it): index, age, AEAD, then the replay window. Marks the
 * session confirmed. */
SEG_MUST_CHECK int session_open(struct session *s, uint64_t now_ns,
				const struct transport_header *h, uint8_t *pkt, size_t len,
				size_t *plain_len);

/* Empties the slots into ev (all three). */
void session_slots_clear(struct session_slots *ss, struct session_evicted *ev);
/* Installs a new session (ownership moves to the slots). */
void session_slots_install(struct session_slots *ss, struct session *s, struct session_evicted *ev);
/* The slot session whose local index is local_index, or NULL. */
struct session *session_slots_find(const struct session_slots *ss, uint32_t local_index);
/* Receive path: finds the session by h->receiver_index, opens, and on the first packet of
 * `next` rotates it to current. */
SEG_MUST_CHECK int session_slots_open(struct session_slots *ss, uint64_t now_ns,
				      const struct transport_header *h, uint8_t *pkt, size_t len,
				      size_t *plain_len, struct session_evicted *ev);
/* Send path: seals on current. SEG_ERR_NO_SESSION when there is none usable. */
SEG_MUST_CHECK int session_slots_seal(struct session_slots *ss, uint64_t now_ns, uint8_t *pkt,
				      size_t cap, size_t plain_len, size_t *pkt_len);
/* Takes out every expired session. */
void session_slots_expire(struct session_slots *ss, uint64_t now_ns, struct session_evicted *ev);
/* The rekey decision for the peer at now_ns. */
enum session_rekey session_slots_rekey_due(const struct session_slots *ss, uint64_t now_ns);

#endif /* SEG_GATEWAY_SESSION_H */
