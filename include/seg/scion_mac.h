/* SPDX-License-Identifier: MIT */
/**
 * @file scion_mac.h
 * @brief Hop-field MACs (scionproto `doc/protocols/scion-header.rst`, "Hop Field MAC
 * Computation") and the AS forwarding key derived from an AS master secret.
 *
 * MAC_K(HF) = AES-CMAC_K(0x0000 | SegID | Timestamp | 0x00 | ExpTime | ConsIngress |
 * ConsEgress | 0x0000)[0:6]. For hop fields traversed against construction direction and for
 * peering hop fields, which SegID value goes into the input follows the reference router's
 * code (see docs/scion-notes.md).
 *
 * Thread: a key object is read-only after creation and may be shared; computing a MAC uses a
 * caller-owned scratch context, one per thread.
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
	SCION_MASTER_KEY_LEN = 16,
};

/** A hop-field MAC key with its expanded AES schedule and CMAC subkey. Opaque. */
struct scion_mac_key;

/** Creates a key object; NULL on allocation or OpenSSL failure. */
struct scion_mac_key *scion_mac_key_new(const uint8_t key[SCION_MAC_KEY_LEN]);
/** Wipes and frees; NULL is allowed. */
void scion_mac_key_free(struct scion_mac_key *k);

/** The 16-byte MAC input block of a hop field under SegID (beta) and info timestamp. */
void scion_hop_mac_input(uint16_t seg_id, uint32_t timestamp, const struct scion_hop_field *hf,
			 uint8_t out[SCION_MAC_INPUT_LEN]);
/** Computes the full 16-byte CMAC of the hop field; the hop field MAC is its first 6 bytes. */
SEG_MUST_CHECK int scion_hop_mac_full(const struct scion_mac_key *k, uint16_t seg_id,
				      uint32_t timestamp, const struct scion_hop_field *hf,
				      uint8_t out[16]);
/** Computes the 6-byte hop field MAC. */
SEG_MUST_CHECK int scion_hop_mac(const struct scion_mac_key *k, uint16_t seg_id,
				 uint32_t timestamp, const struct scion_hop_field *hf,
				 uint8_t mac[SCION_MAC_LEN]);
/** Constant-time comparison of the computed MAC with hf->mac. */
bool scion_hop_mac_verify(const struct scion_mac_key *k, uint16_t seg_id, uint32_t timestamp,
			  const struct scion_hop_field *hf);

/** SegID chaining: beta_{i+1} = beta_i XOR MAC_i[0:2]. */
static inline uint16_t scion_seg_id_next(uint16_t seg_id, const uint8_t mac[SCION_MAC_LEN])
{
	return (uint16_t)(seg_id ^ ((uint16_t)mac[0] << 8 | mac[1]));
}

/** The AS forwarding (hop-field) key derived from master key 0, as the reference does. */
SEG_MUST_CHECK int scion_forwarding_key_derive(const uint8_t master[SCION_MASTER_KEY_LEN],
					       uint8_t key[SCION_MAC_KEY_LEN]);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SCION_MAC_H */
