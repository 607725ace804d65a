/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary bytes as a packet read off the TUN: parse its headers, then build every kind of
 * ICMP error reply to it. A reply, when built, must fit the RFC limits, parse with the same
 * parser (so its IPv4 header checksum is right) and be an error that is itself never answered.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "adapters/ip/icmp.h"
#include "adapters/ip/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const uint8_t *reply, size_t len, const struct ip_addr *src)
{
	struct ip_packet_info info;
	uint8_t again[ICMP_REPLY_MAX];
	size_t n;

	if (len > (src->family == IP_FAMILY_V4 ? ICMP_REPLY_MAX_V4 : ICMP_REPLY_MAX_V6))
		abort();
	if (ip_packet_parse(reply, len, &info) != IP_PACKET_OK || info.total_len != len)
		abort();
	/* Never an error about an error. */
	if (icmp_build_error(reply, len, ICMP_REASON_NO_ROUTE, 0, src, again, sizeof(again), &n) !=
	    ICMP_ERR_SUPPRESS_ICMP_ERR)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ip_addr gw4 = {.family = IP_FAMILY_V4, .bytes = {10, 0, 0, 1}};
	static const struct ip_addr gw6 = {.family = IP_FAMILY_V6, .bytes = {0xfd, [15] = 1}};
	static const uint32_t mtus[] = {0, 67, 68, 1200, 1279, 1280, 65535, 70000};
	struct ip_packet_info info;
	uint8_t out[ICMP_REPLY_MAX];
	size_t n;

	if (ip_packet_parse(data, size, &info) == IP_PACKET_OK &&
	    (info.total_len > size || info.upper_offset > info.total_len))
		abort();
	for (int reason = ICMP_REASON_NO_ROUTE; reason <= ICMP_REASON_TOO_BIG; reason++) {
		for (size_t m = 0; m < sizeof(mtus) / sizeof(mtus[0]); m++) {
			for (int fam = 0; fam < 2; fam++) {
				const struct ip_addr *src = fam ? &gw6 : &gw4;
				int r = icmp_build_error(data, size, (enum icmp_reason)reason,
							 mtus[m], src, out, sizeof(out), &n);

				if (r == ICMP_OK)
					check_reply(out, n, src);
			}
			if (reason != ICMP_REASON_TOO_BIG)
				break;
		}
	}
	/* A short output buffer is refused, never overrun. */
	(void)icmp_build_error(data, size, ICMP_REASON_NO_ROUTE, 0, &gw4, out, 40, &n);
	return 0;
}
