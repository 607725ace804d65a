/* SPDX-License-Identifier: MIT */
/*
 * DRKey derivations (scionproto doc/cryptography/drkey.rst; reference code pkg/drkey/
 * drkey.go DeriveSV, protocol.go DeriveKey and SerializeHostHostInput, generic/ and
 * specific/ derivers). The encodings are summed up in include/seg/drkey.h; every one is
 * asserted against the reference's test vectors in tests/scion/test_drkey.c.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include <seg/drkey.h>

#include "base/cursor.h"
#include "scion/consts.h"
#include "scion/host.h"

enum {
	AES_BLOCK = 16,
	/* Longest PRF input: type, protocol, host type and a 16-byte IPv6 host, padded. */
	PRF_INPUT_MAX = 2 * AES_BLOCK,
	SV_SUFFIX_LEN = 2 + 4 + 4,
	SV_INPUT_MAX = 8 + DRKEY_MASTER_SECRET_MAX_LEN + SV_SUFFIX_LEN,
};

/* Salt of the secret value KDF (reference: drkey.go, drkeySalt). */
static const char sv_salt[] = "Derive DRKey Key";

/*
 * PRF_key(in): the AES-128 CBC-MAC with a zero IV of len bytes (a multiple of 16), the last
 * ciphertext block (reference: protocol.go DeriveKey).
 */
static int prf(const uint8_t key[DRKEY_KEY_LEN], const uint8_t *in, size_t len,
	       uint8_t out[DRKEY_KEY_LEN])
{
	static const uint8_t zero_iv[AES_BLOCK];
	uint8_t ct[PRF_INPUT_MAX];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, err = DRKEY_ERR_CRYPTO;

	if (ctx == NULL)
		return DRKEY_ERR_CRYPTO;
	if (len == 0 || len % AES_BLOCK != 0 || len > sizeof(ct))
		goto out;
	if (EVP_EncryptInit_ex2(ctx, EVP_aes_128_cbc(), key, zero_iv, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &outl, in, (int)len) != 1 || (size_t)outl != len)
		goto out;
	memcpy(out, ct + len - AES_BLOCK, DRKEY_KEY_LEN);
	err = 0;
out:
	OPENSSL_cleanse(ct, sizeof(ct));
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

/*
 * The host type byte and the address-header bytes of a host. The type byte is the DT/DL
 * nibble of the common header (scion-header.rst, "Common Header"): DT << 2 | DL, so IPv4 0x0,
 * IPv6 0x3, SVC 0x4. Codes and bytes come from host.c, the address header's own codec.
 */
static int host_encode(const struct scion_host *h, uint8_t *type, uint8_t raw[SCION_HOST_MAX_LEN],
		       size_t *len)
{
	uint8_t type_code, len_code;

	if (!scion_host_codes(h, &type_code, &len_code))
		return DRKEY_ERR_HOST;
	*type = (uint8_t)(type_code << (SCION_DT_SHIFT - SCION_DL_SHIFT) | len_code);
	*len = scion_host_write(h, raw);
	return 0;
}

/*
 * type | [protocol] | host type | host, zero-padded to whole blocks, then the PRF. The
 * protocol is present only in generic Level 2 inputs (with_proto).
 */
static int derive_host(const uint8_t key[DRKEY_KEY_LEN], enum drkey_key_type type, bool with_proto,
		       uint16_t proto, const struct scion_host *host, uint8_t out[DRKEY_KEY_LEN])
{
	uint8_t in[PRF_INPUT_MAX] = {0};
	uint8_t raw[SCION_HOST_MAX_LEN], host_type;
	struct wcursor w = wcursor_init(in, sizeof(in));
	size_t raw_len, used;
	int err = host_encode(host, &host_type, raw, &raw_len);

	if (err)
		return err;
	if (!wcursor_u8(&w, (uint8_t)type) || (with_proto && !wcursor_u16be(&w, proto)) ||
	    !wcursor_u8(&w, host_type) || !wcursor_bytes(&w, raw, raw_len))
		return DRKEY_ERR_HOST; /* cannot happen: PRF_INPUT_MAX fits the largest host */
	used = sizeof(in) - w.cap;
	return prf(key, in, (used + AES_BLOCK - 1) / AES_BLOCK * AES_BLOCK, out);
}

int drkey_sv_derive(const uint8_t *master, size_t master_len, uint16_t proto,
		    const struct drkey_epoch *epoch, uint8_t sv[DRKEY_KEY_LEN])
{
	uint8_t in[SV_INPUT_MAX];
	struct wcursor w = wcursor_init(in, sizeof(in));
	int err = DRKEY_ERR_CRYPTO;

	if (master == NULL || master_len == 0 || master_len > DRKEY_MASTER_SECRET_MAX_LEN)
		return DRKEY_ERR_SECRET;
	/* len(master) | master | protocol | epoch begin | epoch end (reference: DeriveSV). */
	if (!wcursor_u64be(&w, master_len) || !wcursor_bytes(&w, master, master_len) ||
	    !wcursor_u16be(&w, proto) || !wcursor_u32be(&w, epoch->begin) ||
	    !wcursor_u32be(&w, epoch->end))
		goto out; /* cannot happen: SV_INPUT_MAX is computed from the maximum */
	if (PKCS5_PBKDF2_HMAC((const char *)in, (int)(sizeof(in) - w.cap),
			      (const unsigned char *)sv_salt, (int)strlen(sv_salt),
			      DRKEY_SV_ITERATIONS, EVP_sha256(), DRKEY_KEY_LEN, sv) != 1) {
		OPENSSL_cleanse(sv, DRKEY_KEY_LEN);
		goto out;
	}
	err = 0;
out:
	OPENSSL_cleanse(in, sizeof(in));
	return err;
}

int drkey_lvl1_derive(const uint8_t sv[DRKEY_KEY_LEN], scion_ia_t dst_ia,
		      uint8_t out[DRKEY_KEY_LEN])
{
	uint8_t in[AES_BLOCK] = {0};
	struct wcursor w = wcursor_init(in, sizeof(in));

	/* type | ISD-AS (8 bytes, as in the address header) | zero padding. */
	if (!wcursor_u8(&w, DRKEY_TYPE_AS_AS) || !wcursor_u64be(&w, dst_ia))
		return DRKEY_ERR_CRYPTO; /* cannot happen */
	return prf(sv, in, sizeof(in), out);
}

int drkey_as_host_derive(const uint8_t lvl1[DRKEY_KEY_LEN], uint16_t proto,
			 const struct scion_host *dst_host, uint8_t out[DRKEY_KEY_LEN])
{
	return derive_host(lvl1, DRKEY_TYPE_AS_HOST, true, proto, dst_host, out);
}

int drkey_host_as_derive(const uint8_t lvl1[DRKEY_KEY_LEN], uint16_t proto,
			 const struct scion_host *src_host, uint8_t out[DRKEY_KEY_LEN])
{
	return derive_host(lvl1, DRKEY_TYPE_HOST_AS, true, proto, src_host, out);
}

int drkey_as_host_specific_derive(const uint8_t lvl1[DRKEY_KEY_LEN],
				  const struct scion_host *dst_host, uint8_t out[DRKEY_KEY_LEN])
{
	return derive_host(lvl1, DRKEY_TYPE_AS_HOST, false, 0, dst_host, out);
}

int drkey_host_as_specific_derive(const uint8_t lvl1[DRKEY_KEY_LEN],
				  const struct scion_host *src_host, uint8_t out[DRKEY_KEY_LEN])
{
	return derive_host(lvl1, DRKEY_TYPE_HOST_AS, false, 0, src_host, out);
}

int drkey_host_host_derive(const uint8_t host_as[DRKEY_KEY_LEN], const struct scion_host *dst_host,
			   uint8_t out[DRKEY_KEY_LEN])
{
	return derive_host(host_as, DRKEY_TYPE_HOST_HOST, false, 0, dst_host, out);
}

const char *drkey_strerror(int err)
{
	switch (err) {
	case DRKEY_OK:
		return "success";
	case DRKEY_ERR_SECRET:
		return "master secret empty or too long";
	case DRKEY_ERR_HOST:
		return "host address of an unknown type";
	case DRKEY_ERR_CRYPTO:
		return "OpenSSL failure in DRKey derivation";
	}
	return "unknown DRKey error";
}
