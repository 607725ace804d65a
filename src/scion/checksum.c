/* SPDX-License-Identifier: MIT */
/*
 * Upper-layer checksum of SCION/UDP and SCMP: RFC 1071 over the SCION pseudo header
 * (scion-header.rst, "Pseudo Header for Upper-Layer Checksum": DstIA, SrcIA, DstHost,
 * SrcHost, upper-layer length (32), zero (24), next header (8)) followed by the upper layer.
 */
#include <seg/scion_packet.h>

#include "base/cursor.h"
#include "scion/consts.h"
#include "scion/host.h"

/*
 * One's complement sum of big-endian 16-bit words (RFC 1071). Because 2^16 - 1 divides
 * 2^64 - 1, the sum can be taken over 64-bit big-endian words with end-around carry and
 * folded at the end (RFC 1071 §2 (C), "parallel summation"): a quarter of the additions of
 * 16-bit words, and this is the only pass over the payload besides the AEAD. Two accumulators
 * keep the carries of consecutive words independent. A trailing odd byte is padded with zero.
 */
static uint64_t add_carry(uint64_t a, uint64_t b)
{
	a += b;
	return a + (a < b); /* end-around carry: the result cannot overflow again */
}

static inline uint64_t load_u64be(const uint8_t *p)
{
	return (uint64_t)load_u32be(p) << 32 | load_u32be(p + 4);
}

static uint64_t csum_add(uint64_t sum, const uint8_t *p, size_t len)
{
	uint64_t s2 = 0;

	while (len >= 16) {
		sum = add_carry(sum, load_u64be(p));
		s2 = add_carry(s2, load_u64be(p + 8));
		p += 16;
		len -= 16;
	}
	sum = add_carry(sum, s2);
	if (len >= 8) {
		sum = add_carry(sum, load_u64be(p));
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		sum = add_carry(sum, load_u32be(p));
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		sum = add_carry(sum, load_u16be(p));
		p += 2;
		len -= 2;
	}
	if (len)
		sum = add_carry(sum, (uint64_t)p[0] << 8);
	return sum;
}

static uint16_t csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t scion_l4_checksum(const struct scion_header *h, uint8_t proto, const uint8_t *l4,
			   size_t len)
{
	uint8_t pseudo[SCION_PSEUDO_MAX_LEN];
	struct wcursor c = wcursor_init(pseudo, sizeof(pseudo));
	uint8_t host[SCION_HOST_MAX_LEN];
	size_t n;
	bool ok = wcursor_u64be(&c, h->dst.ia) && wcursor_u64be(&c, h->src.ia);

	n = scion_host_write(&h->dst.host, host);
	ok = ok && wcursor_bytes(&c, host, n);
	n = scion_host_write(&h->src.host, host);
	ok = ok && wcursor_bytes(&c, host, n);
	ok = ok && wcursor_u32be(&c, (uint32_t)len) && wcursor_u32be(&c, proto);
	if (!ok)
		__builtin_trap(); /* the buffer is sized for the largest hosts */
	return csum_fold(csum_add(csum_add(0, pseudo, (size_t)(c.p - pseudo)), l4, len));
}
