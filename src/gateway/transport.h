/* SPDX-License-Identifier: MIT */
/*
 * Transport messages (docs/protocol.md §5): the header codec and the AEAD that seals and
 * opens them in place.
 *
 *   0      1        2..3      4..7            8..15         16..              last 16
 *   type | version | 0 0    | receiver index | counter    | AEAD(inner type || payload) | tag
 *
 * nonce = 4 zero bytes || counter (big-endian), AAD = the 16-byte header. One EVP context per
 * direction and session, created once; per packet only the IV is reset, nothing allocated.
 * Sealing works in a caller buffer: the plaintext sits at SEG_TRANSPORT_HEADER_LEN and the
 * buffer has room for the tag after it.
 *
 * Replay and counter policy live in session.c; this file is the mechanism.
 *
 * Thread: an aead object is used by one thread at a time (EVP contexts are not shareable).
 */
#ifndef SEG_GATEWAY_TRANSPORT_H
#define SEG_GATEWAY_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h> /* SEG_MUST_CHECK */

#include "protocol.h"

/* A decoded transport header. */
struct transport_header {
	uint32_t receiver_index;
	uint64_t counter;
};

/* One direction's AEAD state. Zeroed when unset. */
struct transport_aead {
	void *ctx; /* EVP_CIPHER_CTX *, holding the expanded key */
	enum seg_cipher cipher;
	bool encrypt;
};

/*
 * Pure decoder: checks type, version, reserved bytes, the minimum length (header, inner type
 * byte, tag) and the counter limit. Nothing is decrypted.
 */
SEG_MUST_CHECK int transport_header_parse(const uint8_t *pkt, size_t len,
					  struct transport_header *out);

/* Writes the 16-byte header. */
SEG_MUST_CHECK int transport_header_write(uint8_t *pkt, size_t cap,
					  const struct transport_header *h);

/* Sets up one direction with a 32-byte key. The key is not kept outside the EVP context. */
SEG_MUST_CHECK int transport_aead_init(struct transport_aead *a, enum seg_cipher cipher,
				       const uint8_t key[SEG_SESSION_KEY_LEN], bool encrypt);
/* Frees the context (OpenSSL cleanses the key schedule) and zeroes *a. Idempotent. */
void transport_aead_clear(struct transport_aead *a);

/*
 * Seals in place: pkt[SEG_TRANSPORT_HEADER_LEN .. + plain_len) is the plaintext (inner type
 * first, plain_len >= 1); writes the header before it and the tag after it. cap is the size
 * of pkt. On success *pkt_len = header + plain_len + tag.
 */
SEG_MUST_CHECK int transport_seal(struct transport_aead *a, const struct transport_header *h,
				  uint8_t *pkt, size_t cap, size_t plain_len, size_t *pkt_len);

/*
 * Opens in place a message whose header h was parsed from pkt by transport_header_parse. On
 * success the plaintext is at pkt + SEG_TRANSPORT_HEADER_LEN, *plain_len bytes. On failure
 * (SEG_ERR_AEAD) the ciphertext bytes are undefined: drop the packet.
 */
SEG_MUST_CHECK int transport_open(struct transport_aead *a, const struct transport_header *h,
				  uint8_t *pkt, size_t len, size_t *plain_len);

#endif /* SEG_GATEWAY_TRANSPORT_H */
