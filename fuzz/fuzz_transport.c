// SPDX-License-Identifier: MIT
/*
 * Fuzzes the transport header decoder and the open path. The first input byte picks a mode:
 *   0  the rest is a received packet: parse, then open on a session (must fail unless it is
 *      a genuine packet, which the fuzzer cannot forge);
 *   1  the rest is a plaintext: seal it, open it, and check the round trip;
 *   2  as 1, then flip the bit the next two input bytes name: open must fail.
 * The sessions are made once; the replay window is reset per input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "transport.h"

enum { BUF = 2048 };

static struct session tx, rx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(void)
{
	static int done;
	struct handshake_result a = {.local_index = 1,
				     .remote_index = 2,
				     .initiator = true,
				     .cipher = SEG_CIPHER_CHACHA20_POLY1305};
	struct handshake_result b = {.local_index = 2,
				     .remote_index = 1,
				     .initiator = false,
				     .cipher = SEG_CIPHER_CHACHA20_POLY1305};

	if (done)
		return;
	done = 1;
	memset(a.send_key, 3, sizeof(a.send_key));
	memset(b.recv_key, 3, sizeof(b.recv_key));
	memset(a.recv_key, 4, sizeof(a.recv_key));
	memset(b.send_key, 4, sizeof(b.send_key));
	if (session_init(&tx, &a, 0) != SEG_OK || session_init(&rx, &b, 0) != SEG_OK)
		abort();
}

static int open_packet(uint8_t *pkt, size_t len, size_t *plain)
{
	struct transport_header h;
	int err = transport_header_parse(pkt, len, &h);

	if (err)
		return err;
	replay_init(&rx.replay);
	return session_open(&rx, 1, &h, pkt, len, plain);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[BUF + SEG_TRANSPORT_OVERHEAD];
	size_t len, plain;
	uint8_t mode;

	if (size < 1 || size > BUF)
		return 0;
	setup();
	mode = data[0] % 3;
	data++;
	size--;
	if (mode == 0) {
		memcpy(pkt, data, size);
		if (open_packet(pkt, size, &plain) == SEG_OK)
			abort(); /* a forgery opened */
		return 0;
	}
	size_t skip = mode == 2 ? 2 : 0;
	if (size <= skip)
		return 0;
	memcpy(pkt + SEG_TRANSPORT_HEADER_LEN, data + skip, size - skip);
	tx.send_counter = 0;
	if (session_seal(&tx, 1, pkt, sizeof(pkt), size - skip, &len) != SEG_OK)
		abort();
	if (mode == 2) {
		size_t bit = ((size_t)data[0] << 8 | data[1]) % (len * 8);
		pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (open_packet(pkt, len, &plain) == SEG_OK)
			abort();
		return 0;
	}
	if (open_packet(pkt, len, &plain) != SEG_OK || plain != size ||
	    memcmp(pkt + SEG_TRANSPORT_HEADER_LEN, data, size) != 0)
		abort();
	return 0;
}
