/* SPDX-License-Identifier: MIT */
/**
 * @file scion_mac.h
 * @brief Hop-field MACs (scionproto `doc/protocols/scion-header.rst`, "Hop Field MAC
 * Computation") and the AS forwarding key derived from an AS master secret.
 *
 * MAC_K(HF) = AES-CMAC_K(0x0000 | SegID | Timestamp | 0x00 | ExpTime | ConsIngress |
 * ConsEgress | 0x0000)[0:6]. The input is exactly one AES block, so the CMAC is computed as
 * AES_K(M XOR K1) with the subkey K1 precomputed (RFC 4493, section 2.4, complete last block).
 *
 * Which SegID goes into the input (construction direction, against it, peering hop) follows
 * the reference router's code, not the prose; see docs/scion-notes.md and the
 * scion_seg_id_on_ingress() / scion_seg_id_on_egress() helpers below.
 *
 * Thread: a key object holds an OpenSSL cipher context, which must not be used by two
 * threads at once. A key object belongs to one thread at a time; give every data worker its
 * own copy made with scion_mac_key_dup(). The other functions are pure.
 */
#ifndef SEG_SCION_MAC_H
#define SEG_SCION_MAC_H

#include <seg/scion_path.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	SCION_MAC_KEY_LEN = 16,
	SCION_MAC_INPUT_LEN = 16,
	SCION_MAC_FULL_LEN = 16,
	/** The master key length scionproto's tools generate; any non-zero length is accepted. */
	SCION_MASTER_KEY_LEN = 16,
	/** PBKDF2-HMAC-SHA256 iterations for the forwarding key (reference: DeriveHFMacKey). */
	SCION_FORWARDING_KEY_ITERATIONS = 1000,
};

/** Why a MAC operation failed; negative, so it can be returned as an error. */
enum scion_mac_err {
	SCION_MAC_OK = 0,
	SCION_MAC_ERR_CRYPTO = -70,  /**< OpenSSL failed (allocation, provider) */
	SCION_MAC_ERR_KEY_LEN = -71, /**< empty master key */
};

/** A hop-field MAC key: an AES-128-ECB context under K and the CMAC subkey K1. Opaque. */
struct scion_mac_key;

/** Creates a key object; NULL on allocation or OpenSSL failure. The caller wipes key. */
struct scion_mac_key *scion_mac_key_new(const uint8_t key[SCION_MAC_KEY_LEN]);
/** An independent copy of k for another thread; NULL on failure. */
struct scion_mac_key *scion_mac_key_dup(const struct scion_mac_key *k);
/** Wipes and frees; NULL is allowed. */
void scion_mac_key_free(struct scion_mac_key *k);

/** AES-CMAC of exactly one 16-byte block (RFC 4493 with a complete block). */
SEG_MUST_CHECK int scion_cmac_block(struct scion_mac_key *k, const uint8_t in[SCION_MAC_INPUT_LEN],
				    uint8_t out[SCION_MAC_FULL_LEN]);

/** The 16-byte MAC input block of a hop field under SegID (beta) and info timestamp. */
void scion_hop_mac_input(uint16_t seg_id, uint32_t timestamp, const struct scion_hop_field *hf,
			 uint8_t out[SCION_MAC_INPUT_LEN]);
/** Computes the full 16-byte CMAC of the hop field; the hop field MAC is its first 6 bytes. */
SEG_MUST_CHECK int scion_hop_mac_full(struct scion_mac_key *k, uint16_t seg_id, uint32_t timestamp,
				      const struct scion_hop_field *hf,
				      uint8_t out[SCION_MAC_FULL_LEN]);
/** Computes the 6-byte hop field MAC. */
SEG_MUST_CHECK int scion_hop_mac(struct scion_mac_key *k, uint16_t seg_id, uint32_t timestamp,
				 const struct scion_hop_field *hf, uint8_t mac[SCION_MAC_LEN]);
/** Constant-time check of hf->mac against the MAC computed under seg_id; false on error. */
bool scion_hop_mac_verify(struct scion_mac_key *k, uint16_t seg_id, uint32_t timestamp,
			  const struct scion_hop_field *hf);

/** SegID chaining: beta_{i+1} = beta_i XOR MAC_i[0:2]. */
static inline uint16_t scion_seg_id_next(uint16_t seg_id, const uint8_t mac[SCION_MAC_LEN])
{
	return (uint16_t)(seg_id ^ ((uint16_t)mac[0] << 8 | mac[1]));
}

/**
 * The SegID a router uses for the current hop, as the reference router does on ingress
 * (router/dataplane.go, updateNonConsDirIngressSegID then verifyCurrentMAC): a hop traversed
 * against construction direction, entered over an inter-AS link (not from inside the AS),
 * that is not a peering hop, first gets SegID ^= MAC[0:2]. The result is both the SegID of
 * the MAC input and the value the router writes back into the info field.
 */
static inline uint16_t scion_seg_id_on_ingress(uint16_t seg_id, bool cons_dir, bool peering,
					       bool from_link, const uint8_t mac[SCION_MAC_LEN])
{
	if (!cons_dir && from_link && !peering)
		return scion_seg_id_next(seg_id, mac);
	return seg_id;
}

/**
 * The SegID after the router sends the packet out over an inter-AS link (reference:
 * processEgress): in construction direction and not at a peering hop, SegID ^= MAC[0:2].
 */
static inline uint16_t scion_seg_id_on_egress(uint16_t seg_id, bool cons_dir, bool peering,
					      const uint8_t mac[SCION_MAC_LEN])
{
	if (cons_dir && !peering)
		return scion_seg_id_next(seg_id, mac);
	return seg_id;
}

/**
 * beta_n: beta0 XORed with MAC[0:2] of the first n hop fields of a segment in construction
 * order. A path's initial SegID is beta_k for the right k (docs/scion-notes.md).
 */
uint16_t scion_seg_id_beta(uint16_t beta0, const struct scion_hop_field *hops, size_t n);

/**
 * The AS forwarding (hop-field) key from the AS master key 0, as the reference does:
 * PBKDF2-HMAC-SHA256(master, salt "Derive OF Key", 1000 iterations, 16 bytes).
 */
SEG_MUST_CHECK int scion_forwarding_key_derive(const uint8_t *master, size_t master_len,
					       uint8_t key[SCION_MAC_KEY_LEN]);

/** A static English description of an enum scion_mac_err value. */
const char *scion_mac_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SCION_MAC_H */
