/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's control message: the full set of subnets a gateway serves, sent to each
 * peer over the reliable control channel (include/seg/adapter.h) after every peer_up and
 * whenever the set changes. A message replaces what the sender announced before, so a
 * repeated message (the channel resends across restarts) changes nothing, and a subnet left
 * out of a later message is withdrawn.
 *
 * Wire format (docs/ip-adapter.md "Announcements"), big-endian:
 *
 *   u8  adapter   IPA_MSG_ADAPTER ('I'): every adapter of a gateway sees every control
 *                 message, so the first byte says whose it is
 *   u8  version   IPA_MSG_VERSION (1)
 *   u8  type      IPA_MSG_SUBNETS (1)
 *   u8  flags     0 (reserved: a receiver rejects other values)
 *   u16 count     number of entries, 0..IPA_MSG_SUBNETS_MAX (0 withdraws everything)
 *   count times:  u8 family (4 or 6), u8 prefix length, 4 or 16 address bytes
 *
 * Strict: the message ends exactly after the last entry; lengths past the family's bits,
 * host bits set, and a prefix listed twice are errors.
 *
 * Thread: any; pure.
 */
#ifndef SEG_ADAPTERS_IP_IPADAPTER_ANNOUNCE_H
#define SEG_ADAPTERS_IP_IPADAPTER_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

enum {
	IPA_MSG_ADAPTER = 0x49, /* 'I'; the UDP adapter uses 'U' */
	IPA_MSG_VERSION = 1,
	IPA_MSG_SUBNETS = 1,
	IPA_MSG_HDR_LEN = 6,
	IPA_MSG_ENTRY_HDR_LEN = 2,
	/* As many subnets as adapter.yaml may list (SEG_ADAPTER_SUBNETS_MAX). */
	IPA_MSG_SUBNETS_MAX = 256,
	IPA_MSG_MAX = IPA_MSG_HDR_LEN + IPA_MSG_SUBNETS_MAX * (IPA_MSG_ENTRY_HDR_LEN + IP_V6_LEN),
};

enum ipa_msg_err {
	IPA_MSG_OK = 0,
	IPA_MSG_ERR_OTHER_ADAPTER = -1, /* not an IP adapter message: not ours, ignore it */
	IPA_MSG_ERR_SHORT = -2,		/* truncated */
	IPA_MSG_ERR_VERSION = -3,	/* a version this gateway does not speak */
	IPA_MSG_ERR_TYPE = -4,		/* unknown message type */
	IPA_MSG_ERR_FLAGS = -5,		/* reserved bits set */
	IPA_MSG_ERR_COUNT = -6,		/* more than IPA_MSG_SUBNETS_MAX or the caller's cap */
	IPA_MSG_ERR_FAMILY = -7,	/* family neither 4 nor 6 */
	IPA_MSG_ERR_PREFIX = -8,	/* length past the family's bits, or host bits set */
	IPA_MSG_ERR_DUPLICATE = -9,	/* the same prefix twice */
	IPA_MSG_ERR_TRAILING = -10,	/* bytes after the last entry */
	IPA_MSG_ERR_SPACE = -11,	/* encode: output buffer too small */
};

/* Encodes the subnet set into out[0..cap); *out_len gets the length (<= IPA_MSG_MAX). */
SEG_MUST_CHECK int ipa_msg_encode_subnets(const struct cidr *subnets, size_t n, uint8_t *out,
					  size_t cap, size_t *out_len);

/* Decodes into out[0..cap) (cap <= IPA_MSG_SUBNETS_MAX is the caller's bound); *n gets the
 * number of entries. */
SEG_MUST_CHECK int ipa_msg_decode_subnets(const uint8_t *msg, size_t len, struct cidr *out,
					  size_t cap, size_t *n);

const char *ipa_msg_strerror(int err);

#endif /* SEG_ADAPTERS_IP_IPADAPTER_ANNOUNCE_H */
