// SPDX-License-Identifier: MIT
/*
 * Fuzzes the handshake decoders and both consume paths. The first input byte picks a mode:
 *   0  Init as received, to a responder (almost always stops at the MAC);
 *   1  Init with its MAC recomputed under the responder's key, to reach the cipher,
 *      timestamp, tie-break and X25519 paths with arbitrary ephemeral keys;
 *   2  Response as received, to an initiator with a pending Init;
 *   3  Response with its MAC recomputed over the transcript, to reach X25519 and HKDF.
 * Every message is also run through its pure decoder. State is reset per input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "handshake.h"

static const uint8_t KEY[SEG_DRKEY_KEY_LEN] = "fuzzing drkey k";
static struct handshake responder, initiator;
static struct handshake_keys keys;
static uint8_t pending_init[SEG_INIT_LEN];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(void)
{
	static int done;
	struct handshake_config c = {.cipher = SEG_CIPHER_AES256_GCM};

	if (done)
		return;
	done = 1;
	c.local.ia = 1;
	c.remote.ia = 2;
	handshake_init(&initiator, &c);
	c.local.ia = 2;
	c.remote.ia = 1;
	handshake_init(&responder, &c);
	keys.epoch = 7;
	memcpy(keys.key, KEY, sizeof(KEY));
	if (handshake_create_init(&initiator, &keys, 0x01020304, 1000, 0, pending_init) != SEG_OK)
		abort();
}

static void remac(const uint8_t *in, size_t in_len, uint8_t *mac_at)
{
	uint8_t full[32];
	size_t n = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, KEY, sizeof(KEY), in, in_len, full,
		       sizeof(full), &n))
		abort();
	memcpy(mac_at, full, SEG_MAC_LEN);
}

static void fuzz_init(const uint8_t *msg, size_t len, int fix_mac)
{
	struct handshake hs = responder;
	struct handshake_init_msg m;
	struct handshake_result res;
	uint8_t buf[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];

	(void)handshake_init_parse(msg, len, &m);
	if (fix_mac && len == SEG_INIT_LEN) {
		memcpy(buf, msg, len);
		remac(buf, SEG_INIT_OFF_MAC, buf + SEG_INIT_OFF_MAC);
		msg = buf;
	}
	if (handshake_consume_init(&hs, &keys, msg, len, 9, 0, resp, &res) == SEG_OK) {
		struct handshake_response_msg r;
		if (handshake_response_parse(resp, sizeof(resp), &r) != SEG_OK)
			abort(); /* we must parse what we write */
		handshake_result_clear(&res);
	}
	handshake_clear(&hs);
}

static void fuzz_response(const uint8_t *msg, size_t len, int fix_mac)
{
	struct handshake hs = initiator;
	struct handshake_response_msg m;
	struct handshake_result res;
	uint8_t buf[SEG_RESPONSE_LEN], tbuf[64 + SEG_INIT_LEN + SEG_RESPONSE_OFF_MAC], t[32];
	unsigned int tn = 0;

	(void)handshake_response_parse(msg, len, &m);
	if (fix_mac && len == SEG_RESPONSE_LEN) {
		static const char label[] = "seg v1 transcript";
		size_t ll = sizeof(label) - 1;

		memcpy(buf, msg, len);
		memcpy(tbuf, label, ll);
		memcpy(tbuf + ll, pending_init, SEG_INIT_LEN);
		memcpy(tbuf + ll + SEG_INIT_LEN, buf, SEG_RESPONSE_OFF_MAC);
		if (EVP_Digest(tbuf, ll + SEG_INIT_LEN + SEG_RESPONSE_OFF_MAC, t, &tn, EVP_sha256(),
			       NULL) != 1)
			abort();
		remac(t, sizeof(t), buf + SEG_RESPONSE_OFF_MAC);
		msg = buf;
	}
	if (handshake_consume_response(&hs, msg, len, 1, &res) == SEG_OK)
		handshake_result_clear(&res);
	handshake_clear(&hs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	setup();
	switch (data[0] & 3) {
	case 0:
	case 1:
		fuzz_init(data + 1, size - 1, data[0] & 1);
		break;
	default:
		fuzz_response(data + 1, size - 1, data[0] & 1);
		break;
	}
	return 0;
}
