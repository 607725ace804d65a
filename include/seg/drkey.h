/* SPDX-License-Identifier: MIT */
/**
 * @file drkey.h
 * @brief DRKey key derivation (scionproto `doc/cryptography/drkey.rst`, `pkg/drkey/`).
 *
 * The hierarchy, with A the fast side (the issuer) and B the slow side:
 *  - Level 0, secret value:  SV_A^p = PBKDF2-HMAC-SHA256(len(ms) | ms | p | begin | end,
 *    "Derive DRKey Key", 1000, 16), len as 8 bytes, p as 2 bytes, epoch as 4 + 4 bytes,
 *    all big-endian.
 *  - Level 1, AS-AS:         K_{A,B}      = PRF_{SV_A}(0x00 | IA_B)
 *  - Level 2, generic:       K_{A,B:H_B}^p = PRF_{K_{A,B}}(0x01 | p | type(H_B) | H_B)
 *                            K_{A:H_A,B}^p = PRF_{K_{A,B}}(0x02 | p | type(H_A) | H_A)
 *  - Level 2, specific:      as generic without p (the protocol is in SV_A^p already).
 *  - Level 3, host-host:     K_{A:H_A,B:H_B} = PRF_{K_{A:H_A,B}}(0x03 | type(H_B) | H_B)
 *
 * PRF is the AES-128 CBC-MAC with a zero IV over the input zero-padded to a multiple of 16
 * bytes; type(H) is the 4-bit DT/DL of the SCION common header in one byte (IPv4 0x0,
 * IPv6 0x3, SVC 0x4) and H the host as in the address header (SVC: 2 bytes and 2 of zero).
 * The generic scheme uses the SV and Level 1 key of protocol 0 (DRKEY_PROTO_GENERIC); the
 * protocol-specific scheme the SV and Level 1 key of the protocol itself.
 *
 * Thread: any; all functions are pure. Every key buffer is the caller's to wipe.
 */
#ifndef SEG_DRKEY_H
#define SEG_DRKEY_H

#include <seg/scion_addr.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	DRKEY_KEY_LEN = 16,
	/** Longest AS master secret drkey_sv_derive accepts (the reference has no limit). */
	DRKEY_MASTER_SECRET_MAX_LEN = 256,
	/** The previous epoch's key stays acceptable this long into a new epoch (drkey.rst). */
	DRKEY_GRACE_PERIOD_SEC = 5,
	/** PBKDF2 iterations of the secret value derivation (reference: DeriveSV). */
	DRKEY_SV_ITERATIONS = 1000,
};

/** Protocol identifiers of the reference's `drkey.Protocol` enum; others are "niche". */
enum drkey_protocol {
	DRKEY_PROTO_GENERIC = 0,
	DRKEY_PROTO_SCMP = 1,
};

/** The derivation type byte, first byte of every PRF input (drkey.rst, "type"). */
enum drkey_key_type {
	DRKEY_TYPE_AS_AS = 0,
	DRKEY_TYPE_AS_HOST = 1,
	DRKEY_TYPE_HOST_AS = 2,
	DRKEY_TYPE_HOST_HOST = 3,
};

/** Why a derivation failed; negative, so it can be returned as an error. */
enum drkey_err {
	DRKEY_OK = 0,
	DRKEY_ERR_SECRET = -80, /**< master secret empty or longer than the maximum */
	DRKEY_ERR_HOST = -81,	/**< host address of an unknown type */
	DRKEY_ERR_CRYPTO = -82, /**< OpenSSL failed */
};

/** A DRKey epoch: the validity of one secret value, in Unix seconds, both ends inclusive. */
struct drkey_epoch {
	uint32_t begin; /**< NotBefore */
	uint32_t end;	/**< NotAfter */
};

/** Level 0: the secret value of an AS for protocol proto and epoch, from its master secret. */
SEG_MUST_CHECK int drkey_sv_derive(const uint8_t *master, size_t master_len, uint16_t proto,
				   const struct drkey_epoch *epoch, uint8_t sv[DRKEY_KEY_LEN]);

/** Level 1: K_{A,B} from SV_A for the destination (slow side) ISD-AS B. */
SEG_MUST_CHECK int drkey_lvl1_derive(const uint8_t sv[DRKEY_KEY_LEN], scion_ia_t dst_ia,
				     uint8_t out[DRKEY_KEY_LEN]);

/** Level 2 generic AS-host: K_{A,B:H_B}^proto from the generic K_{A,B}. */
SEG_MUST_CHECK int drkey_as_host_derive(const uint8_t lvl1[DRKEY_KEY_LEN], uint16_t proto,
					const struct scion_host *dst_host,
					uint8_t out[DRKEY_KEY_LEN]);
/** Level 2 generic host-AS: K_{A:H_A,B}^proto from the generic K_{A,B}. */
SEG_MUST_CHECK int drkey_host_as_derive(const uint8_t lvl1[DRKEY_KEY_LEN], uint16_t proto,
					const struct scion_host *src_host,
					uint8_t out[DRKEY_KEY_LEN]);

/** Level 2 protocol-specific AS-host: K_{A,B:H_B}^p from K_{A,B}^p. */
SEG_MUST_CHECK int drkey_as_host_specific_derive(const uint8_t lvl1[DRKEY_KEY_LEN],
						 const struct scion_host *dst_host,
						 uint8_t out[DRKEY_KEY_LEN]);
/** Level 2 protocol-specific host-AS: K_{A:H_A,B}^p from K_{A,B}^p. */
SEG_MUST_CHECK int drkey_host_as_specific_derive(const uint8_t lvl1[DRKEY_KEY_LEN],
						 const struct scion_host *src_host,
						 uint8_t out[DRKEY_KEY_LEN]);

/** Level 3 host-host: K_{A:H_A,B:H_B} from the host-AS key K_{A:H_A,B} (either scheme). */
SEG_MUST_CHECK int drkey_host_host_derive(const uint8_t host_as[DRKEY_KEY_LEN],
					  const struct scion_host *dst_host,
					  uint8_t out[DRKEY_KEY_LEN]);

/** True when t (Unix seconds) lies in the epoch, ends included. */
static inline bool drkey_epoch_contains(const struct drkey_epoch *e, uint64_t t)
{
	return t >= e->begin && t <= e->end;
}

/** A static English description of an enum drkey_err value. */
const char *drkey_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* SEG_DRKEY_H */
