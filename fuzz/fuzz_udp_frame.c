/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary bytes as a UDP adapter data frame and as a service list: whatever decodes must
 * encode back to the same bytes (each format has exactly one encoding).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/udp/udp_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t again[SEG_DATA_MAX];
	struct udpa_service_entry s[UDPA_SERVICES_MAX];
	struct udpa_data d;
	size_t n, len;

	if (size <= SEG_DATA_MAX && udpa_data_decode(data, size, &d) == UDPA_OK) {
		if (udpa_data_encode(&d, again, sizeof(again), &len) != UDPA_OK || len != size ||
		    memcmp(again, data, size) != 0)
			abort();
	}
	if (udpa_services_decode(data, size, s, &n) == UDPA_OK) {
		if (udpa_services_encode(s, n, again, sizeof(again), &len) != UDPA_OK ||
		    len != size || memcmp(again, data, size) != 0)
			abort();
	}
	return 0;
}
