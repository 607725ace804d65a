/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes scion_scmp_quote_decode (src/scion/socket.h): the quoted packet inside an SCMP error,
 * which a router may have cut anywhere. Whatever is accepted must lie inside the scratch
 * buffer, with its header, path and upper-layer bytes consistent with the quote's length.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scion/socket.h"

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static uint8_t scratch[SCMP_MAX_PACKET_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scmp_msg m = {.type = SCMP_EXTERNAL_INTERFACE_DOWN, .data = data, .data_len = size};
	struct scion_packet q;
	const uint8_t *end = scratch + size;

	if (scion_scmp_quote_decode(&m, scratch, sizeof(scratch), &q) != 0)
		return 0;
	CHECK(size <= sizeof(scratch));
	CHECK(q.hdr_len <= size);
	CHECK(q.hdr.path_len == 0 ||
	      (q.hdr.path >= scratch && q.hdr.path + q.hdr.path_len <= scratch + q.hdr_len));
	CHECK(q.l4 >= scratch + q.hdr_len && q.l4 + q.l4_len == end);
	/* Only the payload length was rewritten: the bytes up to it are the quote's own. */
	CHECK(memcmp(scratch, data, 6) == 0);
	CHECK(memcmp(scratch + 8, data + 8, size - 8) == 0);
	/* Informational messages carry no quote. */
	m.type = SCMP_ECHO_REPLY;
	CHECK(scion_scmp_quote_decode(&m, scratch, sizeof(scratch), &q) == SCION_SOCK_ERR_ARG);
	return 0;
}
