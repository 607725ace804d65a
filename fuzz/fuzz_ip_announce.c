/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary bytes as an IP adapter control message: decode it; whatever decodes must encode
 * back to the very same bytes (the format has one encoding), and every decoded prefix must be
 * valid and distinct. Then the subnets go through the route decisions against themselves.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/ip/ipadapter_announce.h"
#include "adapters/ip/ipadapter_route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cidr subnets[IPA_MSG_SUBNETS_MAX];
	static enum ipa_route_verdict verdicts[IPA_MSG_SUBNETS_MAX];
	static struct ipa_route routes[IPA_MSG_SUBNETS_MAX];
	static uint8_t again[IPA_MSG_MAX];
	const struct ipa_allow any = {.any = true};
	size_t n, len;

	if (ipa_msg_decode_subnets(data, size, subnets, IPA_MSG_SUBNETS_MAX, &n) != IPA_MSG_OK)
		return 0;
	if (ipa_msg_encode_subnets(subnets, n, again, sizeof(again), &len) != IPA_MSG_OK ||
	    len != size || memcmp(again, data, size) != 0)
		abort();
	/* The first half as our own subnets, the second as a peer's announcement. */
	struct ipa_announcer a = {.owner = (void *)1,
				  .allow = &any,
				  .subnets = subnets + n / 2,
				  .n = n - n / 2,
				  .verdicts = verdicts};
	size_t r = ipa_routes_compute(&a, 1, subnets, n / 2, routes, IPA_MSG_SUBNETS_MAX);

	if (r > a.n)
		abort();
	for (size_t i = 0; i < r; i++)
		for (size_t j = 0; j < n / 2; j++)
			if (ipa_prefix_overlap(&routes[i].prefix, &subnets[j]))
				abort();
	return 0;
}
