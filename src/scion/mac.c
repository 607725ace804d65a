/* SPDX-License-Identifier: MIT */
/*
 * Hop-field MACs (scion-header.rst, "Hop Field MAC Computation") and the forwarding key.
 *
 * The MAC input is exactly one AES block, so AES-CMAC (RFC 4493) reduces to one block
 * encryption: with a complete last block, CMAC_K(M) = AES_K(M XOR K1), where K1 is derived
 * once per key from L = AES_K(0^128) (RFC 4493, section 2.3). A border router checks about a
 * million of these a second; this avoids the generic EVP_MAC path (context reset, subkey
 * recomputation, buffering) per packet. tests/scion/test_mac.c checks it against OpenSSL's
 * EVP_MAC "CMAC" on random inputs.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include <seg/scion_mac.h>

#include "base/cursor.h"

enum {
	AES_BLOCK = 16,
	/* R_128 of RFC 4493: the constant XORed in when doubling shifts out a one bit. */
	CMAC_RB = 0x87,
};

/* "Derive OF Key" (reference: router/control DeriveHFMacKey, pkg/scrypto). */
static const char forwarding_key_salt[] = "Derive OF Key";

struct scion_mac_key {
	EVP_CIPHER_CTX *ecb; /* AES-128-ECB under K, padding off: one block in, one out */
	uint8_t k1[AES_BLOCK];
};

/* Doubling in GF(2^128): a left shift by one bit, reduced by R_128 (RFC 4493, 2.3). */
static void cmac_double(const uint8_t in[AES_BLOCK], uint8_t out[AES_BLOCK])
{
	uint8_t carry = in[0] >> 7;

	for (int i = 0; i < AES_BLOCK - 1; i++)
		out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
	out[AES_BLOCK - 1] = (uint8_t)(in[AES_BLOCK - 1] << 1);
	/* Branch-free: the mask is 0xff when the shifted-out bit was set. */
	out[AES_BLOCK - 1] ^= (uint8_t)(CMAC_RB & (0u - carry));
}

static int ecb_block(EVP_CIPHER_CTX *ctx, const uint8_t in[AES_BLOCK], uint8_t out[AES_BLOCK])
{
	int outl = 0;

	if (EVP_EncryptUpdate(ctx, out, &outl, in, AES_BLOCK) != 1 || outl != AES_BLOCK)
		return SCION_MAC_ERR_CRYPTO;
	return 0;
}

struct scion_mac_key *scion_mac_key_new(const uint8_t key[SCION_MAC_KEY_LEN])
{
	static const uint8_t zero[AES_BLOCK];
	struct scion_mac_key *k = calloc(1, sizeof(*k));
	uint8_t l[AES_BLOCK];

	if (k == NULL)
		return NULL;
	k->ecb = EVP_CIPHER_CTX_new();
	if (k->ecb == NULL)
		goto err_free;
	if (EVP_EncryptInit_ex2(k->ecb, EVP_aes_128_ecb(), key, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(k->ecb, 0) != 1)
		goto err_free;
	if (ecb_block(k->ecb, zero, l) != 0)
		goto err_wipe;
	cmac_double(l, k->k1);
	OPENSSL_cleanse(l, sizeof(l));
	return k;

err_wipe:
	OPENSSL_cleanse(l, sizeof(l));
err_free:
	scion_mac_key_free(k);
	return NULL;
}

struct scion_mac_key *scion_mac_key_dup(const struct scion_mac_key *src)
{
	struct scion_mac_key *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->ecb = EVP_CIPHER_CTX_new();
	if (k->ecb == NULL || EVP_CIPHER_CTX_copy(k->ecb, src->ecb) != 1) {
		scion_mac_key_free(k);
		return NULL;
	}
	memcpy(k->k1, src->k1, sizeof(k->k1));
	return k;
}

void scion_mac_key_free(struct scion_mac_key *k)
{
	if (k == NULL)
		return;
	/* EVP_CIPHER_CTX_free wipes the expanded key schedule. */
	EVP_CIPHER_CTX_free(k->ecb);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}

int scion_cmac_block(struct scion_mac_key *k, const uint8_t in[SCION_MAC_INPUT_LEN],
		     uint8_t out[SCION_MAC_FULL_LEN])
{
	uint8_t x[AES_BLOCK];
	int err;

	for (int i = 0; i < AES_BLOCK; i++)
		x[i] = in[i] ^ k->k1[i];
	err = ecb_block(k->ecb, x, out);
	OPENSSL_cleanse(x, sizeof(x));
	return err;
}

/*
 * The input block (scion-header.rst; reference pkg/slayers/path/mac.go MACInput):
 * 0x0000 | SegID | Timestamp | 0x00 | ExpTime | ConsIngress | ConsEgress | 0x0000.
 * The router-alert flags are not authenticated.
 */
void scion_hop_mac_input(uint16_t seg_id, uint32_t timestamp, const struct scion_hop_field *hf,
			 uint8_t out[SCION_MAC_INPUT_LEN])
{
	store_u16be(out + 0, 0);
	store_u16be(out + 2, seg_id);
	store_u32be(out + 4, timestamp);
	out[8] = 0;
	out[9] = hf->exp_time;
	store_u16be(out + 10, hf->cons_ingress);
	store_u16be(out + 12, hf->cons_egress);
	store_u16be(out + 14, 0);
}

int scion_hop_mac_full(struct scion_mac_key *k, uint16_t seg_id, uint32_t timestamp,
		       const struct scion_hop_field *hf, uint8_t out[SCION_MAC_FULL_LEN])
{
	uint8_t in[SCION_MAC_INPUT_LEN];

	scion_hop_mac_input(seg_id, timestamp, hf, in);
	return scion_cmac_block(k, in, out);
}

int scion_hop_mac(struct scion_mac_key *k, uint16_t seg_id, uint32_t timestamp,
		  const struct scion_hop_field *hf, uint8_t mac[SCION_MAC_LEN])
{
	uint8_t full[SCION_MAC_FULL_LEN];
	int err = scion_hop_mac_full(k, seg_id, timestamp, hf, full);

	if (err == 0)
		memcpy(mac, full, SCION_MAC_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return err;
}

bool scion_hop_mac_verify(struct scion_mac_key *k, uint16_t seg_id, uint32_t timestamp,
			  const struct scion_hop_field *hf)
{
	uint8_t mac[SCION_MAC_LEN];
	bool ok;

	if (scion_hop_mac(k, seg_id, timestamp, hf, mac) != 0)
		return false;
	ok = CRYPTO_memcmp(mac, hf->mac, SCION_MAC_LEN) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}

uint16_t scion_seg_id_beta(uint16_t beta0, const struct scion_hop_field *hops, size_t n)
{
	uint16_t beta = beta0;

	for (size_t i = 0; i < n; i++)
		beta = scion_seg_id_next(beta, hops[i].mac);
	return beta;
}

int scion_forwarding_key_derive(const uint8_t *master, size_t master_len,
				uint8_t key[SCION_MAC_KEY_LEN])
{
	if (master == NULL || master_len == 0 || master_len > INT32_MAX)
		return SCION_MAC_ERR_KEY_LEN;
	if (PKCS5_PBKDF2_HMAC((const char *)master, (int)master_len,
			      (const unsigned char *)forwarding_key_salt,
			      (int)strlen(forwarding_key_salt), SCION_FORWARDING_KEY_ITERATIONS,
			      EVP_sha256(), SCION_MAC_KEY_LEN, key) != 1) {
		OPENSSL_cleanse(key, SCION_MAC_KEY_LEN);
		return SCION_MAC_ERR_CRYPTO;
	}
	return 0;
}

const char *scion_mac_strerror(int err)
{
	switch (err) {
	case SCION_MAC_OK:
		return "success";
	case SCION_MAC_ERR_CRYPTO:
		return "OpenSSL failure in MAC computation";
	case SCION_MAC_ERR_KEY_LEN:
		return "empty master key";
	}
	return "unknown MAC error";
}
