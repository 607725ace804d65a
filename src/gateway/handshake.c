// SPDX-License-Identifier: MIT
/*
 * The seg handshake (docs/protocol.md §3-§6). Order of checks on an Init, cheapest first:
 * framing, epoch, MAC, cipher, timestamp, tie-break; only then X25519. Every function works
 * in locals and commits to *hs at the end; every exit wipes the secrets it made.
 */
#include "handshake.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include "base/cursor.h"

/* Domain-separation labels (docs/protocol.md §4, §6). */
static const char TRANSCRIPT_LABEL[] = "seg v1 transcript";
static const char KEYS_LABEL[] = "seg v1 session keys";
enum {
	TRANSCRIPT_LABEL_LEN = sizeof(TRANSCRIPT_LABEL) - 1,
	KEYS_LABEL_LEN = sizeof(KEYS_LABEL) - 1,
	OKM_LEN = 2 * SEG_SESSION_KEY_LEN,
};

/* ---- decoders ------------------------------------------------------------------------- */

/* The common first four bytes: type, version and two type-specific bytes. */
static int prefix_parse(struct rcursor *c, uint8_t type, uint8_t *b2, uint8_t *b3)
{
	uint8_t t, v;

	if (!rcursor_u8(c, &t) || !rcursor_u8(c, &v) || !rcursor_u8(c, b2) || !rcursor_u8(c, b3))
		return SEG_ERR_TRUNCATED;
	if (t != type)
		return SEG_ERR_TYPE;
	if (v != SEG_PROTOCOL_VERSION)
		return SEG_ERR_VERSION;
	return SEG_OK;
}

int handshake_init_parse(const uint8_t *msg, size_t len, struct handshake_init_msg *out)
{
	struct rcursor c = rcursor_init(msg, len);
	struct handshake_init_msg m;
	uint8_t cipher, reserved;
	int err;

	if (len != SEG_INIT_LEN)
		return SEG_ERR_TRUNCATED;
	err = prefix_parse(&c, SEG_MSG_INIT, &cipher, &reserved);
	if (err)
		return err;
	if (reserved != 0)
		return SEG_ERR_RESERVED;
	if (!seg_cipher_valid(cipher))
		return SEG_ERR_CIPHER_UNKNOWN;
	m.cipher = (enum seg_cipher)cipher;
	if (!rcursor_u32be(&c, &m.sender_index) ||
	    !rcursor_bytes(&c, m.ephemeral, sizeof(m.ephemeral)) ||
	    !rcursor_u64be(&c, &m.timestamp) || !rcursor_u64be(&c, &m.epoch) ||
	    !rcursor_bytes(&c, m.mac, sizeof(m.mac)) || c.len != 0)
		return SEG_ERR_TRUNCATED;
	*out = m;
	return SEG_OK;
}

int handshake_response_parse(const uint8_t *msg, size_t len, struct handshake_response_msg *out)
{
	struct rcursor c = rcursor_init(msg, len);
	struct handshake_response_msg m;
	uint8_t r2, r3;
	int err;

	if (len != SEG_RESPONSE_LEN)
		return SEG_ERR_TRUNCATED;
	err = prefix_parse(&c, SEG_MSG_RESPONSE, &r2, &r3);
	if (err)
		return err;
	if (r2 != 0 || r3 != 0)
		return SEG_ERR_RESERVED;
	if (!rcursor_u32be(&c, &m.sender_index) || !rcursor_u32be(&c, &m.receiver_index) ||
	    !rcursor_bytes(&c, m.ephemeral, sizeof(m.ephemeral)) ||
	    !rcursor_bytes(&c, m.mac, sizeof(m.mac)) || c.len != 0)
		return SEG_ERR_TRUNCATED;
	*out = m;
	return SEG_OK;
}

/* ---- primitives ----------------------------------------------------------------------- */

/*
 * HMAC-SHA256 truncated to 128 bits (docs/protocol.md §3 says why not AES-CMAC). Short
 * inputs (56 bytes, or a 32-byte hash), so the one-shot API's setup cost is noise next to
 * the X25519 it protects.
 */
static int mac16(const uint8_t key[SEG_DRKEY_KEY_LEN], const uint8_t *data, size_t len,
		 uint8_t out[SEG_MAC_LEN])
{
	uint8_t full[SEG_HASH_LEN];
	size_t full_len = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, SEG_DRKEY_KEY_LEN, data, len, full,
		       sizeof(full), &full_len) ||
	    full_len != sizeof(full))
		return SEG_ERR_CRYPTO;
	memcpy(out, full, SEG_MAC_LEN);
	return SEG_OK;
}

static bool mac_equal(const uint8_t a[SEG_MAC_LEN], const uint8_t b[SEG_MAC_LEN])
{
	return CRYPTO_memcmp(a, b, SEG_MAC_LEN) == 0;
}

/* T = SHA-256(label || Init || Response up to its MAC). */
static int transcript_hash(const uint8_t init[SEG_INIT_LEN], const uint8_t *resp,
			   uint8_t out[SEG_HASH_LEN])
{
	uint8_t buf[TRANSCRIPT_LABEL_LEN + SEG_INIT_LEN + SEG_RESPONSE_OFF_MAC];
	unsigned int out_len = 0;

	memcpy(buf, TRANSCRIPT_LABEL, TRANSCRIPT_LABEL_LEN);
	memcpy(buf + TRANSCRIPT_LABEL_LEN, init, SEG_INIT_LEN);
	memcpy(buf + TRANSCRIPT_LABEL_LEN + SEG_INIT_LEN, resp, SEG_RESPONSE_OFF_MAC);
	if (EVP_Digest(buf, sizeof(buf), out, &out_len, EVP_sha256(), NULL) != 1 ||
	    out_len != SEG_HASH_LEN)
		return SEG_ERR_CRYPTO;
	return SEG_OK;
}

static int x25519_keygen(uint8_t priv[SEG_X25519_KEY_LEN], uint8_t pub[SEG_X25519_KEY_LEN])
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	size_t priv_len = SEG_X25519_KEY_LEN, pub_len = SEG_X25519_KEY_LEN;
	int err = SEG_ERR_CRYPTO;

	if (!k)
		return SEG_ERR_CRYPTO;
	if (EVP_PKEY_get_raw_private_key(k, priv, &priv_len) == 1 &&
	    EVP_PKEY_get_raw_public_key(k, pub, &pub_len) == 1 && priv_len == SEG_X25519_KEY_LEN &&
	    pub_len == SEG_X25519_KEY_LEN)
		err = SEG_OK;
	EVP_PKEY_free(k); /* frees the private key with a cleanse */
	if (err)
		OPENSSL_cleanse(priv, SEG_X25519_KEY_LEN);
	return err;
}

/* X25519(priv, peer). Rejects an all-zero result (a low-order peer key: RFC 7748 §6.1). */
static int x25519_shared(struct handshake *hs, const uint8_t priv[SEG_X25519_KEY_LEN],
			 const uint8_t peer[SEG_X25519_KEY_LEN], uint8_t out[SEG_X25519_KEY_LEN])
{
	EVP_PKEY *me =
	    EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, SEG_X25519_KEY_LEN);
	EVP_PKEY *them =
	    EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer, SEG_X25519_KEY_LEN);
	EVP_PKEY_CTX *ctx = me ? EVP_PKEY_CTX_new_from_pkey(NULL, me, NULL) : NULL;
	size_t len = SEG_X25519_KEY_LEN;
	uint8_t acc = 0;
	int err = SEG_ERR_CRYPTO;

	hs->dh_count++;
	if (!me || !them || !ctx)
		goto out;
	if (EVP_PKEY_derive_init(ctx) != 1 || EVP_PKEY_derive_set_peer(ctx, them) != 1)
		goto out;
	/* OpenSSL fails the derivation itself on an all-zero result: a weak key, not a fault. */
	err = SEG_ERR_DH;
	if (EVP_PKEY_derive(ctx, out, &len) != 1 || len != SEG_X25519_KEY_LEN)
		goto out;
	for (size_t i = 0; i < SEG_X25519_KEY_LEN; i++)
		acc |= out[i];
	if (acc != 0)
		err = SEG_OK;
out:
	if (err)
		OPENSSL_cleanse(out, SEG_X25519_KEY_LEN);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(them);
	EVP_PKEY_free(me);
	return err;
}

/* okm = HKDF-SHA256(IKM = dh, salt = K || PSK, info = T || label), 64 bytes: the
 * initiator-to-responder key, then the responder-to-initiator key (docs/protocol.md §6). */
static int session_keys_derive(const uint8_t dh[SEG_X25519_KEY_LEN],
			       const uint8_t k[SEG_DRKEY_KEY_LEN], const uint8_t psk[SEG_PSK_LEN],
			       const uint8_t t[SEG_HASH_LEN], uint8_t okm[OKM_LEN])
{
	uint8_t salt[SEG_DRKEY_KEY_LEN + SEG_PSK_LEN];
	uint8_t info[SEG_HASH_LEN + KEYS_LABEL_LEN];
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int err = SEG_ERR_CRYPTO;

	memcpy(salt, k, SEG_DRKEY_KEY_LEN);
	memcpy(salt + SEG_DRKEY_KEY_LEN, psk, SEG_PSK_LEN);
	memcpy(info, t, SEG_HASH_LEN);
	memcpy(info + SEG_HASH_LEN, KEYS_LABEL, KEYS_LABEL_LEN);
	OSSL_PARAM params[] = {
	    OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)dh, SEG_X25519_KEY_LEN),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof(salt)),
	    OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, sizeof(info)),
	    OSSL_PARAM_construct_end(),
	};
	if (ctx && EVP_KDF_derive(ctx, okm, OKM_LEN, params) == 1)
		err = SEG_OK;
	else
		OPENSSL_cleanse(okm, OKM_LEN);
	OPENSSL_cleanse(salt, sizeof(salt));
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return err;
}

/* ---- state ---------------------------------------------------------------------------- */

void handshake_init(struct handshake *hs, const struct handshake_config *cfg)
{
	OPENSSL_cleanse(hs, sizeof(*hs));
	hs->cfg = *cfg;
}

void handshake_clear(struct handshake *hs)
{
	OPENSSL_cleanse(hs, sizeof(*hs));
}

void handshake_pending_clear(struct handshake *hs)
{
	OPENSSL_cleanse(hs->pending_private, sizeof(hs->pending_private));
	OPENSSL_cleanse(hs->pending_key, sizeof(hs->pending_key));
	OPENSSL_cleanse(hs->pending_init, sizeof(hs->pending_init));
	hs->pending = false;
	hs->pending_index = 0;
	hs->pending_since_ns = 0;
}

void handshake_result_clear(struct handshake_result *res)
{
	OPENSSL_cleanse(res, sizeof(*res));
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

bool handshake_keeps_initiator(const struct handshake_config *cfg)
{
	const struct scion_addr *l = &cfg->local, *r = &cfg->remote;
	int c = cmp_u64(l->ia, r->ia);

	if (c == 0)
		c = cmp_u64((uint64_t)l->host.type, (uint64_t)r->host.type);
	if (c == 0 && l->host.type == SCION_HOST_SVC)
		c = cmp_u64(l->host.svc, r->host.svc);
	if (c == 0)
		c = memcmp(l->host.ip, r->host.ip,
			   l->host.type == SCION_HOST_IPV6 ? 16 : (size_t)4);
	return c < 0;
}

/* The key an Init under epoch was made with: the current one, or the previous one during its
 * grace period (drkey.rst "Grace period"). NULL: unknown epoch. */
static const uint8_t *epoch_key(const struct handshake_keys *keys, uint64_t epoch, uint64_t now_ns)
{
	if (epoch == keys->epoch)
		return keys->key;
	if (keys->has_previous && epoch == keys->previous_epoch && now_ns < keys->previous_until_ns)
		return keys->previous_key;
	return NULL;
}

/* ---- initiator ------------------------------------------------------------------------ */

static void init_write(uint8_t out[SEG_INIT_LEN], enum seg_cipher cipher, uint32_t index,
		       const uint8_t pub[SEG_X25519_KEY_LEN], uint64_t timestamp, uint64_t epoch)
{
	struct wcursor c = wcursor_init(out, SEG_INIT_LEN);

	/* Fixed layout into a buffer of exactly SEG_INIT_LEN: no write can fail. */
	(void)(wcursor_u8(&c, SEG_MSG_INIT) && wcursor_u8(&c, SEG_PROTOCOL_VERSION) &&
	       wcursor_u8(&c, (uint8_t)cipher) && wcursor_u8(&c, 0) && wcursor_u32be(&c, index) &&
	       wcursor_bytes(&c, pub, SEG_X25519_KEY_LEN) && wcursor_u64be(&c, timestamp) &&
	       wcursor_u64be(&c, epoch));
}

int handshake_create_init(struct handshake *hs, const struct handshake_keys *keys,
			  uint32_t local_index, uint64_t timestamp, uint64_t now_ns,
			  uint8_t out[SEG_INIT_LEN])
{
	uint8_t priv[SEG_X25519_KEY_LEN], pub[SEG_X25519_KEY_LEN];
	int err;

	if (!seg_cipher_valid(hs->cfg.cipher))
		return SEG_ERR_CIPHER_UNKNOWN;
	if (hs->sent_any && timestamp <= hs->last_sent_timestamp) {
		if (hs->last_sent_timestamp == UINT64_MAX)
			return SEG_ERR_TIMESTAMP;
		timestamp = hs->last_sent_timestamp + 1;
	}
	err = x25519_keygen(priv, pub);
	if (err)
		return err;
	init_write(out, hs->cfg.cipher, local_index, pub, timestamp, keys->epoch);
	err = mac16(keys->key, out, SEG_INIT_OFF_MAC, out + SEG_INIT_OFF_MAC);
	if (err)
		goto out;

	handshake_pending_clear(hs);
	hs->pending = true;
	hs->pending_index = local_index;
	hs->pending_since_ns = now_ns;
	memcpy(hs->pending_private, priv, sizeof(priv));
	memcpy(hs->pending_key, keys->key, sizeof(hs->pending_key));
	memcpy(hs->pending_init, out, SEG_INIT_LEN);
	hs->sent_any = true;
	hs->last_sent_timestamp = timestamp;
out:
	OPENSSL_cleanse(priv, sizeof(priv));
	return err;
}

int handshake_consume_response(struct handshake *hs, const uint8_t *msg, size_t len,
			       uint64_t now_ns, struct handshake_result *res)
{
	struct handshake_response_msg m;
	uint8_t t[SEG_HASH_LEN], mac[SEG_MAC_LEN], dh[SEG_X25519_KEY_LEN], okm[OKM_LEN];
	int err = handshake_response_parse(msg, len, &m);

	if (err)
		return err;
	if (!hs->pending || m.receiver_index != hs->pending_index)
		return SEG_ERR_NO_PENDING;
	if (now_ns > hs->pending_since_ns &&
	    now_ns - hs->pending_since_ns >= SEG_REKEY_ATTEMPT_TIME_NS)
		return SEG_ERR_STALE;
	err = transcript_hash(hs->pending_init, msg, t);
	if (err)
		return err;
	err = mac16(hs->pending_key, t, sizeof(t), mac);
	if (err)
		return err;
	if (!mac_equal(mac, m.mac))
		return SEG_ERR_MAC;

	err = x25519_shared(hs, hs->pending_private, m.ephemeral, dh);
	if (err)
		goto out;
	err = session_keys_derive(dh, hs->pending_key, hs->cfg.psk, t, okm);
	if (err)
		goto out;

	res->local_index = hs->pending_index;
	res->remote_index = m.sender_index;
	res->initiator = true;
	res->cipher = hs->cfg.cipher;
	memcpy(res->send_key, okm, SEG_SESSION_KEY_LEN);
	memcpy(res->recv_key, okm + SEG_SESSION_KEY_LEN, SEG_SESSION_KEY_LEN);
	handshake_pending_clear(hs);
out:
	OPENSSL_cleanse(dh, sizeof(dh));
	OPENSSL_cleanse(okm, sizeof(okm));
	return err;
}

/* ---- responder ------------------------------------------------------------------------ */

/* Framing, epoch, MAC, cipher, timestamp, tie-break: everything before any X25519. */
static int init_verify(const struct handshake *hs, const struct handshake_keys *keys,
		       const uint8_t *msg, size_t len, uint64_t now_ns,
		       struct handshake_init_msg *m, const uint8_t **key)
{
	uint8_t mac[SEG_MAC_LEN];
	int err = handshake_init_parse(msg, len, m);

	if (err)
		return err;
	*key = epoch_key(keys, m->epoch, now_ns);
	if (!*key)
		return SEG_ERR_EPOCH;
	err = mac16(*key, msg, SEG_INIT_OFF_MAC, mac);
	if (err)
		return err;
	if (!mac_equal(mac, m->mac))
		return SEG_ERR_MAC;
	/* Authenticated from here on: a mismatch is the peer's configuration, not noise. */
	if (m->cipher != hs->cfg.cipher)
		return SEG_ERR_CIPHER_MISMATCH;
	if (hs->have_timestamp && m->timestamp <= hs->greatest_timestamp)
		return SEG_ERR_TIMESTAMP;
	if (hs->pending && handshake_keeps_initiator(&hs->cfg))
		return SEG_ERR_ROLE_CONFLICT;
	return SEG_OK;
}

static void response_write(uint8_t out[SEG_RESPONSE_LEN], uint32_t sender, uint32_t receiver,
			   const uint8_t pub[SEG_X25519_KEY_LEN])
{
	struct wcursor c = wcursor_init(out, SEG_RESPONSE_LEN);

	/* Fixed layout into a buffer of exactly SEG_RESPONSE_LEN: no write can fail. */
	(void)(wcursor_u8(&c, SEG_MSG_RESPONSE) && wcursor_u8(&c, SEG_PROTOCOL_VERSION) &&
	       wcursor_u16be(&c, 0) && wcursor_u32be(&c, sender) && wcursor_u32be(&c, receiver) &&
	       wcursor_bytes(&c, pub, SEG_X25519_KEY_LEN));
}

int handshake_consume_init(struct handshake *hs, const struct handshake_keys *keys,
			   const uint8_t *msg, size_t len, uint32_t local_index, uint64_t now_ns,
			   uint8_t resp[SEG_RESPONSE_LEN], struct handshake_result *res)
{
	struct handshake_init_msg m;
	const uint8_t *k = NULL;
	uint8_t priv[SEG_X25519_KEY_LEN], pub[SEG_X25519_KEY_LEN], dh[SEG_X25519_KEY_LEN];
	uint8_t t[SEG_HASH_LEN], okm[OKM_LEN];
	int err = init_verify(hs, keys, msg, len, now_ns, &m, &k);

	if (err)
		return err;
	err = x25519_keygen(priv, pub);
	if (err)
		return err;
	err = x25519_shared(hs, priv, m.ephemeral, dh);
	if (err)
		goto out;
	response_write(resp, local_index, m.sender_index, pub);
	err = transcript_hash(msg, resp, t);
	if (err)
		goto out;
	err = mac16(k, t, sizeof(t), resp + SEG_RESPONSE_OFF_MAC);
	if (err)
		goto out;
	err = session_keys_derive(dh, k, hs->cfg.psk, t, okm);
	if (err)
		goto out;

	res->local_index = local_index;
	res->remote_index = m.sender_index;
	res->initiator = false;
	res->cipher = hs->cfg.cipher;
	memcpy(res->send_key, okm + SEG_SESSION_KEY_LEN, SEG_SESSION_KEY_LEN);
	memcpy(res->recv_key, okm, SEG_SESSION_KEY_LEN);
	hs->have_timestamp = true;
	hs->greatest_timestamp = m.timestamp;
	/* The tie-break made us the responder: our own Init will never be answered. */
	if (hs->pending)
		handshake_pending_clear(hs);
out:
	OPENSSL_cleanse(priv, sizeof(priv));
	OPENSSL_cleanse(dh, sizeof(dh));
	OPENSSL_cleanse(okm, sizeof(okm));
	return err;
}
