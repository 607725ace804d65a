// SPDX-License-Identifier: MIT
/* Transport messages: header codec, AEAD seal/open for both suites against an independent
 * computation of the documented layout, tampering, replay, indices, counter limits, wiping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/cursor.h"
#include "session.h"
#include "transport.h"

#define NOW UINT64_C(5000000000)

static const enum seg_cipher CIPHERS[] = {SEG_CIPHER_AES256_GCM, SEG_CIPHER_CHACHA20_POLY1305};

/* A session pair as a handshake would make it: "a" initiated. */
static void sessions(enum seg_cipher c, struct session *a, struct session *b)
{
	struct handshake_result ra = {
	    .local_index = 0xaaaa0001, .remote_index = 0xbbbb0002, .initiator = true, .cipher = c};
	struct handshake_result rb = {
	    .local_index = 0xbbbb0002, .remote_index = 0xaaaa0001, .initiator = false, .cipher = c};

	memset(ra.send_key, 0x11, SEG_SESSION_KEY_LEN);
	memset(ra.recv_key, 0x22, SEG_SESSION_KEY_LEN);
	memcpy(rb.send_key, ra.recv_key, SEG_SESSION_KEY_LEN);
	memcpy(rb.recv_key, ra.send_key, SEG_SESSION_KEY_LEN);
	assert_int_equal(session_init(a, &ra, NOW), SEG_OK);
	assert_int_equal(session_init(b, &rb, NOW), SEG_OK);
}

static size_t seal(struct session *s, uint8_t *pkt, size_t cap, const char *payload)
{
	size_t n = strlen(payload), len = 0;

	pkt[SEG_TRANSPORT_HEADER_LEN] = SEG_INNER_DATA;
	memcpy(pkt + SEG_TRANSPORT_HEADER_LEN + 1, payload, n);
	assert_int_equal(session_seal(s, NOW, pkt, cap, n + 1, &len), SEG_OK);
	assert_int_equal(len, SEG_TRANSPORT_OVERHEAD + n + 1);
	return len;
}

static int open_pkt(struct session *s, uint8_t *pkt, size_t len, size_t *plain)
{
	struct transport_header h;
	int err = transport_header_parse(pkt, len, &h);

	if (err)
		return err;
	return session_open(s, NOW, &h, pkt, len, plain);
}

static void test_header_parse_table(void **state)
{
	static const struct {
		const char *name;
		uint8_t bytes[SEG_TRANSPORT_MIN_LEN];
		size_t len;
		int want;
	} cases[] = {
	    {"minimal", {3, 1, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9}, 33, SEG_OK},
	    {"short", {3, 1}, 32, SEG_ERR_TRUNCATED},
	    {"empty", {0}, 0, SEG_ERR_TRUNCATED},
	    {"type init", {1, 1}, 33, SEG_ERR_TYPE},
	    {"type zero", {0, 1}, 33, SEG_ERR_TYPE},
	    {"version 2", {3, 2}, 33, SEG_ERR_VERSION},
	    {"reserved", {3, 1, 0, 1}, 33, SEG_ERR_RESERVED},
	    {"counter max",
	     {3, 1, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	     33,
	     SEG_ERR_COUNTER_LIMIT},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct transport_header h;
		int err = transport_header_parse(cases[i].bytes, cases[i].len, &h);
		if (err != cases[i].want)
			fail_msg("case %s: got %d want %d", cases[i].name, err, cases[i].want);
		if (err == SEG_OK) {
			assert_int_equal(h.receiver_index, 7);
			assert_int_equal(h.counter, 9);
		}
	}
	/* The greatest counter allowed and the first refused. */
	uint8_t b[SEG_TRANSPORT_MIN_LEN] = {0};
	struct transport_header h = {.receiver_index = 1, .counter = SEG_REJECT_AFTER_MESSAGES - 1};
	struct transport_header got;
	assert_int_equal(transport_header_write(b, sizeof(b), &h), SEG_OK);
	assert_int_equal(transport_header_parse(b, sizeof(b), &got), SEG_OK);
	assert_int_equal(got.counter, h.counter);
	h.counter++;
	assert_int_equal(transport_header_write(b, sizeof(b), &h), SEG_OK);
	assert_int_equal(transport_header_parse(b, sizeof(b), &got), SEG_ERR_COUNTER_LIMIT);
	assert_int_equal(transport_header_write(b, SEG_TRANSPORT_HEADER_LEN - 1, &h),
			 SEG_ERR_SPACE);
}

/* The wire layout, recomputed independently: nonce = 0^4 || counter BE, AAD = header. */
static void expected_ciphertext(enum seg_cipher c, const uint8_t key[32], uint64_t counter,
				const uint8_t hdr[SEG_TRANSPORT_HEADER_LEN], const uint8_t *pt,
				size_t n, uint8_t *ct, uint8_t tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[12] = {0};
	int len;

	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(counter >> (56 - 8 * i));
	assert_non_null(ctx);
	assert_int_equal(EVP_EncryptInit_ex(ctx,
					    c == SEG_CIPHER_AES256_GCM ? EVP_aes_256_gcm()
								       : EVP_chacha20_poly1305(),
					    NULL, key, nonce),
			 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &len, hdr, SEG_TRANSPORT_HEADER_LEN), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, ct, &len, pt, (int)n), 1);
	assert_int_equal(EVP_EncryptFinal_ex(ctx, ct + len, &len), 1);
	assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
	EVP_CIPHER_CTX_free(ctx);
}

static void test_seal_open_both_ciphers(void **state)
{
	(void)state;
	for (size_t c = 0; c < 2; c++) {
		struct session a, b;
		uint8_t pkt[256], key[32], ct[64], tag[16];
		uint8_t pt[] = {SEG_INNER_DATA, 'p', 'i', 'n', 'g'};
		size_t len, plain;

		sessions(CIPHERS[c], &a, &b);
		for (uint64_t i = 0; i < 3; i++) {
			len = seal(&a, pkt, sizeof(pkt), "ping");
			assert_int_equal(pkt[0], SEG_MSG_TRANSPORT);
			assert_int_equal(load_u32be(pkt + 4), 0xbbbb0002);
			assert_int_equal(load_u32be(pkt + 8), 0);
			assert_int_equal(load_u32be(pkt + 12), i);
			memset(key, 0x11, sizeof(key));
			expected_ciphertext(CIPHERS[c], key, i, pkt, pt, sizeof(pt), ct, tag);
			assert_memory_equal(pkt + SEG_TRANSPORT_HEADER_LEN, ct, sizeof(pt));
			assert_memory_equal(pkt + SEG_TRANSPORT_HEADER_LEN + sizeof(pt), tag, 16);

			assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_OK);
			assert_int_equal(plain, sizeof(pt));
			assert_memory_equal(pkt + SEG_TRANSPORT_HEADER_LEN, pt, sizeof(pt));
		}
		assert_true(b.confirmed);
		/* And back. */
		len = seal(&b, pkt, sizeof(pkt), "pong");
		assert_int_equal(open_pkt(&a, pkt, len, &plain), SEG_OK);
		assert_memory_equal(pkt + SEG_TRANSPORT_HEADER_LEN + 1, "pong", 4);
		/* A keepalive: the inner type byte alone. */
		pkt[SEG_TRANSPORT_HEADER_LEN] = SEG_INNER_KEEPALIVE;
		assert_int_equal(session_seal(&a, NOW, pkt, sizeof(pkt), 1, &len), SEG_OK);
		assert_int_equal(len, SEG_TRANSPORT_MIN_LEN);
		assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_OK);
		assert_int_equal(plain, 1);
		/* Nothing to seal, or no room for the tag. */
		assert_int_equal(session_seal(&a, NOW, pkt, sizeof(pkt), 0, &len),
				 SEG_ERR_TRUNCATED);
		assert_int_equal(session_seal(&a, NOW, pkt, SEG_TRANSPORT_OVERHEAD + 4, 5, &len),
				 SEG_ERR_SPACE);
		assert_int_equal(session_seal(&a, NOW, pkt, SEG_TRANSPORT_OVERHEAD + 5, 5, &len),
				 SEG_OK);
		session_clear(&a);
		session_clear(&b);
	}
}

static void test_tamper_any_byte(void **state)
{
	(void)state;
	for (size_t c = 0; c < 2; c++) {
		struct session a, b;
		uint8_t pkt[128], orig[128];
		size_t len, plain;

		sessions(CIPHERS[c], &a, &b);
		len = seal(&a, orig, sizeof(orig), "secret payload");
		for (size_t i = 0; i < len; i++) {
			memcpy(pkt, orig, len);
			pkt[i] ^= 0x01;
			int err = open_pkt(&b, pkt, len, &plain);
			if (err == SEG_OK)
				fail_msg("cipher %d byte %zu: tampered packet opened", CIPHERS[c],
					 i);
		}
		/* Truncated by one byte (tag cut short). */
		memcpy(pkt, orig, len);
		assert_int_equal(open_pkt(&b, pkt, len - 1, &plain), SEG_ERR_AEAD);
		/* The window did not move: the genuine packet still opens, once. */
		memcpy(pkt, orig, len);
		assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_OK);
		memcpy(pkt, orig, len);
		assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_ERR_REPLAY);
		session_clear(&a);
		session_clear(&b);
	}
}

static void test_wrong_receiver_and_direction(void **state)
{
	struct session a, b;
	uint8_t pkt[128];
	size_t len, plain;
	(void)state;

	sessions(SEG_CIPHER_AES256_GCM, &a, &b);
	len = seal(&a, pkt, sizeof(pkt), "x");
	/* Addressed to b: a's own session refuses it by index. */
	assert_int_equal(open_pkt(&a, pkt, len, &plain), SEG_ERR_INDEX);
	/* Re-addressed to a (header rewritten): the AAD no longer matches. */
	store_u32be(pkt + SEG_TRANSPORT_OFF_RECEIVER, a.local_index);
	assert_int_equal(open_pkt(&a, pkt, len, &plain), SEG_ERR_AEAD);
	session_clear(&a);
	session_clear(&b);
}

static void test_replay_and_reorder(void **state)
{
	struct session a, b;
	uint8_t pkts[4][64];
	size_t lens[4], plain;
	uint8_t copy[64];
	(void)state;

	sessions(SEG_CIPHER_CHACHA20_POLY1305, &a, &b);
	for (int i = 0; i < 4; i++)
		lens[i] = seal(&a, pkts[i], sizeof(pkts[i]), "data");
	static const int order[] = {2, 0, 3, 1};
	for (int i = 0; i < 4; i++) {
		memcpy(copy, pkts[order[i]], lens[order[i]]);
		assert_int_equal(open_pkt(&b, copy, lens[order[i]], &plain), SEG_OK);
	}
	for (int i = 0; i < 4; i++) {
		memcpy(copy, pkts[i], lens[i]);
		assert_int_equal(open_pkt(&b, copy, lens[i], &plain), SEG_ERR_REPLAY);
	}
	session_clear(&a);
	session_clear(&b);
}

static void test_counter_limits(void **state)
{
	struct session a, b;
	uint8_t pkt[64];
	size_t len, plain;
	(void)state;

	sessions(SEG_CIPHER_AES256_GCM, &a, &b);
	a.send_counter = SEG_REJECT_AFTER_MESSAGES - 1;
	assert_true(session_can_send(&a, NOW));
	len = seal(&a, pkt, sizeof(pkt), "last");
	assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_OK);
	assert_false(session_can_send(&a, NOW));
	pkt[SEG_TRANSPORT_HEADER_LEN] = SEG_INNER_DATA;
	assert_int_equal(session_seal(&a, NOW, pkt, sizeof(pkt), 1, &len), SEG_ERR_COUNTER_LIMIT);

	/* A header at the limit is refused by the decoder and by session_open. */
	struct transport_header h = {.receiver_index = b.local_index,
				     .counter = SEG_REJECT_AFTER_MESSAGES};
	assert_int_equal(transport_header_write(pkt, sizeof(pkt), &h), SEG_OK);
	assert_int_equal(transport_header_parse(pkt, SEG_TRANSPORT_MIN_LEN, &h),
			 SEG_ERR_COUNTER_LIMIT);
	h.counter = SEG_REJECT_AFTER_MESSAGES;
	assert_int_equal(session_open(&b, NOW, &h, pkt, SEG_TRANSPORT_MIN_LEN, &plain),
			 SEG_ERR_COUNTER_LIMIT);
	session_clear(&a);
	session_clear(&b);
}

static void test_expired_session(void **state)
{
	struct session a, b;
	uint8_t pkt[64];
	size_t len, plain;
	struct transport_header h;
	(void)state;

	sessions(SEG_CIPHER_AES256_GCM, &a, &b);
	len = seal(&a, pkt, sizeof(pkt), "late");
	assert_int_equal(transport_header_parse(pkt, len, &h), SEG_OK);
	assert_int_equal(session_open(&b, NOW + SEG_REJECT_AFTER_TIME_NS, &h, pkt, len, &plain),
			 SEG_ERR_EXPIRED);
	assert_int_equal(session_open(&b, NOW + SEG_REJECT_AFTER_TIME_NS - 1, &h, pkt, len, &plain),
			 SEG_OK);
	pkt[SEG_TRANSPORT_HEADER_LEN] = SEG_INNER_DATA;
	assert_int_equal(
	    session_seal(&a, NOW + SEG_REJECT_AFTER_TIME_NS, pkt, sizeof(pkt), 1, &len),
	    SEG_ERR_EXPIRED);
	session_clear(&a);
	session_clear(&b);
}

static void test_keys_wiped(void **state)
{
	struct session a, b;
	struct handshake_result r = {.local_index = 1,
				     .remote_index = 2,
				     .initiator = true,
				     .cipher = SEG_CIPHER_AES256_GCM};
	uint8_t zeros[sizeof(struct session)] = {0};
	(void)state;

	memset(r.send_key, 0x5a, sizeof(r.send_key));
	memset(r.recv_key, 0xa5, sizeof(r.recv_key));
	assert_int_equal(session_init(&a, &r, NOW), SEG_OK);
	/* The handshake result that carried the keys is wiped by session_init. */
	assert_memory_equal(&r, zeros, sizeof(r));
	assert_non_null(a.tx.ctx);
	session_clear(&a);
	assert_memory_equal(&a, zeros, sizeof(a));
	session_clear(&a); /* idempotent */

	/* A failed init wipes too (unknown suite). */
	memset(r.send_key, 0x5a, sizeof(r.send_key));
	r.cipher = (enum seg_cipher)7;
	assert_int_equal(session_init(&b, &r, NOW), SEG_ERR_CIPHER_UNKNOWN);
	assert_memory_equal(&r, zeros, sizeof(r));
	assert_memory_equal(&b, zeros, sizeof(b));

	/* transport_aead_clear alone. */
	struct transport_aead t;
	uint8_t key[32] = {1};
	assert_int_equal(transport_aead_init(&t, SEG_CIPHER_CHACHA20_POLY1305, key, true), SEG_OK);
	transport_aead_clear(&t);
	assert_memory_equal(&t, zeros, sizeof(t));
}

/* Counts OpenSSL's allocations, to show the packet path makes none. */
static unsigned long openssl_allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	openssl_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	openssl_allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void test_no_allocation_per_packet(void **state)
{
	(void)state;
	for (size_t c = 0; c < 2; c++) {
		struct session a, b;
		uint8_t pkt[256];
		size_t len, plain;

		sessions(CIPHERS[c], &a, &b);
		len = seal(&a, pkt, sizeof(pkt), "warm up");
		assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_OK);
		unsigned long before = openssl_allocs;
		for (int i = 0; i < 100; i++) {
			len = seal(&a, pkt, sizeof(pkt), "steady state");
			assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_OK);
			pkt[len - 1] ^= 1;
			assert_int_equal(open_pkt(&b, pkt, len, &plain), SEG_ERR_AEAD);
		}
		assert_int_equal(openssl_allocs, before);
		session_clear(&a);
		session_clear(&b);
	}
}

int main(void)
{
	/* Must precede any OpenSSL allocation. */
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_header_parse_table),
	    cmocka_unit_test(test_seal_open_both_ciphers),
	    cmocka_unit_test(test_tamper_any_byte),
	    cmocka_unit_test(test_wrong_receiver_and_direction),
	    cmocka_unit_test(test_replay_and_reorder),
	    cmocka_unit_test(test_counter_limits),
	    cmocka_unit_test(test_expired_session),
	    cmocka_unit_test(test_keys_wiped),
	    cmocka_unit_test(test_no_allocation_per_packet),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
