// SPDX-License-Identifier: MIT
/*
 * Transport AEAD (docs/protocol.md §5). The EVP context is keyed once in transport_aead_init;
 * each packet only resets the IV (EVP_CipherInit_ex with a NULL cipher and key), so the hot
 * path allocates nothing.
 */
#include "transport.h"

#include <limits.h>

#include <openssl/evp.h>

#include "base/cursor.h"

int transport_header_parse(const uint8_t *pkt, size_t len, struct transport_header *out)
{
	struct rcursor c = rcursor_init(pkt, len);
	uint8_t type, version;
	uint16_t reserved;
	struct transport_header h;

	if (len < SEG_TRANSPORT_MIN_LEN)
		return SEG_ERR_TRUNCATED;
	if (!rcursor_u8(&c, &type) || !rcursor_u8(&c, &version) || !rcursor_u16be(&c, &reserved) ||
	    !rcursor_u32be(&c, &h.receiver_index) || !rcursor_u64be(&c, &h.counter))
		return SEG_ERR_TRUNCATED;
	if (type != SEG_MSG_TRANSPORT)
		return SEG_ERR_TYPE;
	if (version != SEG_PROTOCOL_VERSION)
		return SEG_ERR_VERSION;
	if (reserved != 0)
		return SEG_ERR_RESERVED;
	if (h.counter >= SEG_REJECT_AFTER_MESSAGES)
		return SEG_ERR_COUNTER_LIMIT;
	*out = h;
	return SEG_OK;
}

int transport_header_write(uint8_t *pkt, size_t cap, const struct transport_header *h)
{
	struct wcursor c = wcursor_init(pkt, cap);

	if (!wcursor_u8(&c, SEG_MSG_TRANSPORT) || !wcursor_u8(&c, SEG_PROTOCOL_VERSION) ||
	    !wcursor_u16be(&c, 0) || !wcursor_u32be(&c, h->receiver_index) ||
	    !wcursor_u64be(&c, h->counter))
		return SEG_ERR_SPACE;
	return SEG_OK;
}

static const EVP_CIPHER *aead_cipher(enum seg_cipher cipher)
{
	switch (cipher) {
	case SEG_CIPHER_AES256_GCM:
		return EVP_aes_256_gcm();
	case SEG_CIPHER_CHACHA20_POLY1305:
		return EVP_chacha20_poly1305();
	}
	return NULL;
}

int transport_aead_init(struct transport_aead *a, enum seg_cipher cipher,
			const uint8_t key[SEG_SESSION_KEY_LEN], bool encrypt)
{
	const EVP_CIPHER *evp = aead_cipher(cipher);
	EVP_CIPHER_CTX *ctx;

	*a = (struct transport_aead){0};
	if (!evp)
		return SEG_ERR_CIPHER_UNKNOWN;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return SEG_ERR_NOMEM;
	if (EVP_CipherInit_ex(ctx, evp, NULL, NULL, NULL, encrypt ? 1 : 0) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, SEG_AEAD_NONCE_LEN, NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, NULL, encrypt ? 1 : 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return SEG_ERR_CRYPTO;
	}
	a->ctx = ctx;
	a->cipher = cipher;
	a->encrypt = encrypt;
	return SEG_OK;
}

void transport_aead_clear(struct transport_aead *a)
{
	/* EVP_CIPHER_CTX_free cleanses the cipher data, key schedule included. */
	EVP_CIPHER_CTX_free(a->ctx);
	*a = (struct transport_aead){0};
}

/* nonce = 4 zero bytes || counter, big-endian (docs/protocol.md §5). */
static void nonce_make(uint8_t nonce[SEG_AEAD_NONCE_LEN], uint64_t counter)
{
	struct wcursor c = wcursor_init(nonce, SEG_AEAD_NONCE_LEN);

	_Static_assert(SEG_AEAD_NONCE_PAD == 4, "nonce padding is one u32");
	/* Exactly 12 bytes: neither write can fail. */
	(void)wcursor_u32be(&c, 0);
	(void)wcursor_u64be(&c, counter);
}

int transport_seal(struct transport_aead *a, const struct transport_header *h, uint8_t *pkt,
		   size_t cap, size_t plain_len, size_t *pkt_len)
{
	uint8_t nonce[SEG_AEAD_NONCE_LEN];
	uint8_t *body = pkt + SEG_TRANSPORT_HEADER_LEN;
	int n, fin;

	if (!a->ctx || !a->encrypt)
		return SEG_ERR_NO_SESSION;
	if (plain_len < SEG_TRANSPORT_MIN_PLAINTEXT || plain_len > INT_MAX - SEG_TRANSPORT_OVERHEAD)
		return SEG_ERR_TRUNCATED;
	if (cap < SEG_TRANSPORT_OVERHEAD || cap - SEG_TRANSPORT_OVERHEAD < plain_len)
		return SEG_ERR_SPACE;
	if (transport_header_write(pkt, cap, h) != SEG_OK)
		return SEG_ERR_SPACE;

	nonce_make(nonce, h->counter);
	if (EVP_EncryptInit_ex(a->ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(a->ctx, NULL, &n, pkt, SEG_TRANSPORT_HEADER_LEN) != 1 ||
	    EVP_EncryptUpdate(a->ctx, body, &n, body, (int)plain_len) != 1 ||
	    EVP_EncryptFinal_ex(a->ctx, body + n, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_GET_TAG, SEG_AEAD_TAG_LEN,
				body + plain_len) != 1)
		return SEG_ERR_CRYPTO;
	*pkt_len = SEG_TRANSPORT_OVERHEAD + plain_len;
	return SEG_OK;
}

int transport_open(struct transport_aead *a, const struct transport_header *h, uint8_t *pkt,
		   size_t len, size_t *plain_len)
{
	uint8_t nonce[SEG_AEAD_NONCE_LEN];
	uint8_t *body = pkt + SEG_TRANSPORT_HEADER_LEN;
	size_t body_len;
	int n, fin;

	if (!a->ctx || a->encrypt)
		return SEG_ERR_NO_SESSION;
	if (len < SEG_TRANSPORT_MIN_LEN || len - SEG_TRANSPORT_OVERHEAD > INT_MAX)
		return SEG_ERR_TRUNCATED;
	body_len = len - SEG_TRANSPORT_OVERHEAD;

	nonce_make(nonce, h->counter);
	if (EVP_DecryptInit_ex(a->ctx, NULL, NULL, NULL, nonce) != 1 ||
	    EVP_CIPHER_CTX_ctrl(a->ctx, EVP_CTRL_AEAD_SET_TAG, SEG_AEAD_TAG_LEN, body + body_len) !=
		1 ||
	    EVP_DecryptUpdate(a->ctx, NULL, &n, pkt, SEG_TRANSPORT_HEADER_LEN) != 1 ||
	    EVP_DecryptUpdate(a->ctx, body, &n, body, (int)body_len) != 1)
		return SEG_ERR_CRYPTO;
	if (EVP_DecryptFinal_ex(a->ctx, body + n, &fin) != 1)
		return SEG_ERR_AEAD;
	*plain_len = body_len;
	return SEG_OK;
}
