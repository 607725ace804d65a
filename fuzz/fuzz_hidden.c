/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the decoder of a peer-supplied hidden path list (hidden_list_decode), checks that a
 * decoded list re-encodes to the same bytes, and feeds the decoded paths to hidden_combine
 * (the first path playing our own path to R).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gateway/hidden.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct hidden_path_list list;
static struct pathmgr_candidate own, out;
static uint8_t again[HIDDEN_MAX_MSG_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t w = 0;

	if (hidden_list_decode(data, size, &list) != 0)
		return 0;
	if (hidden_list_encode(&list, again, sizeof(again), &w) != 0 || w != size ||
	    memcmp(again, data, size) != 0)
		abort(); /* what decodes must re-encode to the same bytes */
	if (list.count == 0)
		return 0;
	memset(&own, 0, sizeof(own));
	memcpy(own.raw, list.paths[0].raw, list.paths[0].raw_len);
	own.raw_len = list.paths[0].raw_len;
	own.path_type = 1;
	own.num_ifaces = list.paths[0].num_ifaces;
	memcpy(own.ifaces, list.paths[0].ifaces, own.num_ifaces * sizeof(own.ifaces[0]));
	own.mtu = list.paths[0].mtu;
	for (size_t i = 0; i < list.count; i++) {
		if (hidden_combine(&own, &list.paths[i], list.rendezvous_ia, &out) != 0)
			continue;
		if (out.num_ifaces != own.num_ifaces + list.paths[i].num_ifaces ||
		    out.raw_len > sizeof(out.raw) || !out.hidden)
			abort();
	}
	return 0;
}
