/* SPDX-License-Identifier: MIT */
/*
 * The seg handshake (docs/protocol.md §3, §4, §6): one round trip, authenticated by a DRKey
 * host-host key K, forward secret through ephemeral X25519.
 *
 *   initiator                                   responder (DRKey fast side)
 *   Init{cipher, sender, E_i, timestamp, epoch, MAC_K(init)}  ──►
 *                                     ◄──  Response{sender, receiver, E_r, MAC_K(T)}
 *   T = SHA-256(label || Init || Response without MAC)
 *   (k_i→r, k_r→i) = HKDF-SHA256(IKM = X25519(e, E), salt = K || PSK, info = T || label)
 *
 * The responder checks length and type, then the MAC (before any X25519), then the cipher
 * and the timestamp, and only then computes. State changes only once everything passed.
 *
 * Which K: a gateway is the DRKey fast side when it responds, so the key passed to
 * handshake_create_init (the initiator's K, fetched with DRKeyHostHost) and the key passed to
 * handshake_consume_init (derived locally from the host-AS key) are different keys.
 *
 * Thread: control thread. A struct handshake is per peer and not shared.
 */
#ifndef SEG_GATEWAY_HANDSHAKE_H
#define SEG_GATEWAY_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>

#include "protocol.h"

/* The DRKey host-host keys for one peer in one role, with the previous epoch's key while it
 * is in its grace period. */
struct handshake_keys {
	uint64_t epoch; /* DRKey epoch begin, Unix seconds (the epoch identifier on the wire) */
	uint8_t key[SEG_DRKEY_KEY_LEN];
	bool has_previous;
	uint64_t previous_epoch;
	uint8_t previous_key[SEG_DRKEY_KEY_LEN];
	uint64_t previous_until_ns; /* monotonic end of the previous key's grace period */
};

/* Per-peer configuration. */
struct handshake_config {
	struct scion_addr local;  /* our identity: IA and host */
	struct scion_addr remote; /* the peer's */
	enum seg_cipher cipher;
	uint8_t psk[SEG_PSK_LEN]; /* all zeros when no pre-shared key is configured */
};

/* Per-peer handshake state. Secrets inside; handshake_clear wipes them. */
struct handshake {
	struct handshake_config cfg;
	/* As responder: the greatest Init timestamp accepted from this peer. */
	bool have_timestamp;
	uint64_t greatest_timestamp;
	/* As initiator: the last timestamp sent, kept strictly increasing. */
	bool sent_any;
	uint64_t last_sent_timestamp;
	/* As initiator: the Init awaiting its Response. */
	bool pending;
	uint32_t pending_index;
	uint64_t pending_since_ns;
	uint8_t pending_private[SEG_X25519_KEY_LEN];
	uint8_t pending_key[SEG_DRKEY_KEY_LEN];
	uint8_t pending_init[SEG_INIT_LEN];
	/* X25519 computations run (both roles): lets tests prove cheap checks come first. */
	uint64_t dh_count;
};

/* A completed handshake: what a session is made of. Wipe with handshake_result_clear. */
struct handshake_result {
	uint32_t local_index;
	uint32_t remote_index;
	bool initiator;
	enum seg_cipher cipher;
	uint8_t send_key[SEG_SESSION_KEY_LEN];
	uint8_t recv_key[SEG_SESSION_KEY_LEN];
};

/* Decoded Init and Response (pure decoders below; nothing is verified but the framing). */
struct handshake_init_msg {
	enum seg_cipher cipher;
	uint32_t sender_index;
	uint8_t ephemeral[SEG_X25519_KEY_LEN];
	uint64_t timestamp;
	uint64_t epoch;
	uint8_t mac[SEG_MAC_LEN];
};

struct handshake_response_msg {
	uint32_t sender_index;
	uint32_t receiver_index;
	uint8_t ephemeral[SEG_X25519_KEY_LEN];
	uint8_t mac[SEG_MAC_LEN];
};

/* Pure decoders: exact length, type, version, reserved bytes, known cipher. */
SEG_MUST_CHECK int handshake_init_parse(const uint8_t *msg, size_t len,
					struct handshake_init_msg *out);
SEG_MUST_CHECK int handshake_response_parse(const uint8_t *msg, size_t len,
					    struct handshake_response_msg *out);

void handshake_init(struct handshake *hs, const struct handshake_config *cfg);
/* Wipes all state, configuration (the PSK) included. */
void handshake_clear(struct handshake *hs);
/* Forgets the pending Init (timers gave up, or the tie-break made us responder). */
void handshake_pending_clear(struct handshake *hs);

/* Simultaneous Init tie-break: the side with the lower (IA, host type, host) keeps the
 * initiator role; the other drops its pending Init and answers. */
bool handshake_keeps_initiator(const struct handshake_config *cfg);

/*
 * Initiator: builds an Init into out under keys->key (current epoch) and makes it the pending
 * one, replacing any earlier. timestamp is the sender's wall clock in ns; it is raised to
 * one more than the last sent if needed, so it is strictly increasing.
 */
SEG_MUST_CHECK int handshake_create_init(struct handshake *hs, const struct handshake_keys *keys,
					 uint32_t local_index, uint64_t timestamp, uint64_t now_ns,
					 uint8_t out[SEG_INIT_LEN]);

/*
 * Responder: verifies an Init from this peer and, on success, writes the Response to resp and
 * the session keys to *res (the caller owns and must wipe it). local_index is the index the
 * new session will be found by. SEG_ERR_ROLE_CONFLICT: we have a pending Init and keep the
 * initiator role; drop the message.
 */
SEG_MUST_CHECK int handshake_consume_init(struct handshake *hs, const struct handshake_keys *keys,
					  const uint8_t *msg, size_t len, uint32_t local_index,
					  uint64_t now_ns, uint8_t resp[SEG_RESPONSE_LEN],
					  struct handshake_result *res);

/* Initiator: verifies the Response to the pending Init and writes the session keys. */
SEG_MUST_CHECK int handshake_consume_response(struct handshake *hs, const uint8_t *msg, size_t len,
					      uint64_t now_ns, struct handshake_result *res);

void handshake_result_clear(struct handshake_result *res);

#endif /* SEG_GATEWAY_HANDSHAKE_H */
