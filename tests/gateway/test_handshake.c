// SPDX-License-Identifier: MIT
/* The seg handshake: both roles, every rejection, the DRKey epoch grace and the tie-break. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "handshake.h"
#include "session.h"

#define NOW   UINT64_C(1000000000000)
#define EPOCH UINT64_C(1700000000)

static const uint8_t KEY_AB[SEG_DRKEY_KEY_LEN] = "K(B:hB,A:hA)...";
static const uint8_t KEY_BA[SEG_DRKEY_KEY_LEN] = "K(A:hA,B:hB)...";

struct pair {
	struct handshake a, b;		  /* a initiates unless a test says otherwise */
	struct handshake_keys ka, kb;	  /* ka: a's key as initiator; kb: b's as responder */
	struct handshake_keys ka_r, kb_i; /* the other direction (b initiates) */
};

static struct scion_addr addr(uint64_t as, uint8_t last)
{
	struct scion_addr a = {.ia = scion_ia_make(1, as)};
	a.host.type = SCION_HOST_IPV4;
	a.host.ip[0] = 127;
	a.host.ip[3] = last;
	return a;
}

static struct handshake_keys keys(const uint8_t k[SEG_DRKEY_KEY_LEN])
{
	struct handshake_keys ks = {.epoch = EPOCH};
	memcpy(ks.key, k, SEG_DRKEY_KEY_LEN);
	return ks;
}

static void pair_setup(struct pair *p, enum seg_cipher ca, enum seg_cipher cb)
{
	struct handshake_config a = {
	    .local = addr(0xff0000000110, 1), .remote = addr(0xff0000000111, 2), .cipher = ca};
	struct handshake_config b = {.local = a.remote, .remote = a.local, .cipher = cb};

	handshake_init(&p->a, &a);
	handshake_init(&p->b, &b);
	p->ka = keys(KEY_AB);
	p->kb = keys(KEY_AB);
	p->kb_i = keys(KEY_BA);
	p->ka_r = keys(KEY_BA);
}

static void pair_clear(struct pair *p)
{
	handshake_clear(&p->a);
	handshake_clear(&p->b);
}

/* One complete handshake, a initiating. */
static void run_ok(struct pair *p, uint64_t ts, struct handshake_result *ra,
		   struct handshake_result *rb)
{
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];

	assert_int_equal(handshake_create_init(&p->a, &p->ka, 0x1111, ts, NOW, init), SEG_OK);
	assert_int_equal(
	    handshake_consume_init(&p->b, &p->kb, init, sizeof(init), 0x2222, NOW, resp, rb),
	    SEG_OK);
	assert_int_equal(handshake_consume_response(&p->a, resp, sizeof(resp), NOW, ra), SEG_OK);
}

static void assert_keys_match(const struct handshake_result *i, const struct handshake_result *r)
{
	assert_true(i->initiator);
	assert_false(r->initiator);
	assert_int_equal(i->local_index, r->remote_index);
	assert_int_equal(i->remote_index, r->local_index);
	assert_memory_equal(i->send_key, r->recv_key, SEG_SESSION_KEY_LEN);
	assert_memory_equal(i->recv_key, r->send_key, SEG_SESSION_KEY_LEN);
	assert_memory_not_equal(i->send_key, i->recv_key, SEG_SESSION_KEY_LEN);
}

/* Seals one packet with ra's keys and opens it with rb's: 0 or the open error. */
static int transport_roundtrip(struct handshake_result *ra, struct handshake_result *rb)
{
	struct session sa, sb;
	uint8_t pkt[128] = {0};
	size_t len, plain;
	struct transport_header h;
	int err;

	assert_int_equal(session_init(&sa, ra, NOW), SEG_OK);
	assert_int_equal(session_init(&sb, rb, NOW), SEG_OK);
	pkt[SEG_TRANSPORT_HEADER_LEN] = SEG_INNER_DATA;
	memcpy(pkt + SEG_TRANSPORT_HEADER_LEN + 1, "hello", 5);
	assert_int_equal(session_seal(&sa, NOW, pkt, sizeof(pkt), 6, &len), SEG_OK);
	assert_int_equal(transport_header_parse(pkt, len, &h), SEG_OK);
	err = session_open(&sb, NOW, &h, pkt, len, &plain);
	if (err == SEG_OK) {
		assert_int_equal(plain, 6);
		assert_memory_equal(pkt + SEG_TRANSPORT_HEADER_LEN + 1, "hello", 5);
	}
	session_clear(&sa);
	session_clear(&sb);
	return err;
}

static void test_success_both_roles(void **state)
{
	static const enum seg_cipher ciphers[] = {SEG_CIPHER_AES256_GCM,
						  SEG_CIPHER_CHACHA20_POLY1305};
	(void)state;
	for (size_t c = 0; c < 2; c++) {
		struct pair p;
		struct handshake_result ra, rb;
		uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];

		pair_setup(&p, ciphers[c], ciphers[c]);
		run_ok(&p, 100, &ra, &rb);
		assert_keys_match(&ra, &rb);
		assert_int_equal(ra.cipher, ciphers[c]);
		assert_false(p.a.pending);
		assert_int_equal(p.a.dh_count, 1);
		assert_int_equal(p.b.dh_count, 1);
		assert_int_equal(transport_roundtrip(&ra, &rb), SEG_OK);

		/* Other way round: b initiates with its own initiator key. */
		assert_int_equal(handshake_create_init(&p.b, &p.kb_i, 7, 200, NOW, init), SEG_OK);
		assert_int_equal(
		    handshake_consume_init(&p.a, &p.ka_r, init, sizeof(init), 8, NOW, resp, &ra),
		    SEG_OK);
		assert_int_equal(handshake_consume_response(&p.b, resp, sizeof(resp), NOW, &rb),
				 SEG_OK);
		assert_keys_match(&rb, &ra);
		assert_int_equal(transport_roundtrip(&ra, &rb), SEG_OK);
		pair_clear(&p);
	}
}

static void test_wrong_drkey_rejected_before_dh(void **state)
{
	struct pair p;
	struct handshake_result rb;
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	p.kb.key[0] ^= 1;
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_ERR_MAC);
	assert_int_equal(p.b.dh_count, 0);
	assert_false(p.b.have_timestamp);
	/* The reverse-direction key is a different key: a reflected Init fails too. */
	assert_int_equal(
	    handshake_consume_init(&p.a, &p.ka_r, init, sizeof(init), 2, NOW, resp, &rb),
	    SEG_ERR_MAC);
	assert_int_equal(p.a.dh_count, 0);
	pair_clear(&p);
}

static void test_tampered_init(void **state)
{
	struct pair p;
	struct handshake_result rb;
	uint8_t init[SEG_INIT_LEN], bad[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	for (size_t i = 0; i < sizeof(init); i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, init, sizeof(init));
			bad[i] ^= (uint8_t)(1u << bit);
			int err = handshake_consume_init(&p.b, &p.kb, bad, sizeof(bad), 2, NOW,
							 resp, &rb);
			if (err == SEG_OK)
				fail_msg("byte %zu bit %d: tampered Init accepted", i, bit);
		}
	}
	assert_int_equal(p.b.dh_count, 0);
	assert_false(p.b.have_timestamp);
	/* The untouched Init still works: nothing was committed. */
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_OK);
	handshake_result_clear(&rb);
	pair_clear(&p);
}

static void test_tampered_response(void **state)
{
	struct pair p;
	struct handshake_result ra, rb;
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN], bad[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_OK);
	for (size_t i = 0; i < sizeof(resp); i++) {
		memcpy(bad, resp, sizeof(resp));
		bad[i] ^= 0x80;
		if (handshake_consume_response(&p.a, bad, sizeof(bad), NOW, &ra) == SEG_OK)
			fail_msg("byte %zu: tampered Response accepted", i);
		assert_true(p.a.pending);
	}
	assert_int_equal(p.a.dh_count, 0);
	for (size_t n = 0; n < sizeof(resp); n++)
		assert_int_equal(handshake_consume_response(&p.a, resp, n, NOW, &ra),
				 SEG_ERR_TRUNCATED);
	assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp), NOW, &ra), SEG_OK);
	assert_keys_match(&ra, &rb);
	/* Once consumed, the same Response matches no pending Init. */
	assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp), NOW, &ra),
			 SEG_ERR_NO_PENDING);
	handshake_result_clear(&ra);
	handshake_result_clear(&rb);
	pair_clear(&p);
}

static void test_truncated_and_long_init(void **state)
{
	struct pair p;
	struct handshake_result rb;
	uint8_t init[SEG_INIT_LEN + 1] = {0}, resp[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	for (size_t n = 0; n < SEG_INIT_LEN; n++)
		assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, n, 2, NOW, resp, &rb),
				 SEG_ERR_TRUNCATED);
	assert_int_equal(
	    handshake_consume_init(&p.b, &p.kb, init, SEG_INIT_LEN + 1, 2, NOW, resp, &rb),
	    SEG_ERR_TRUNCATED);
	assert_int_equal(p.b.dh_count, 0);
	pair_clear(&p);
}

static void test_replayed_and_older_init(void **state)
{
	struct pair p;
	struct handshake_result ra, rb;
	struct handshake restarted;
	uint8_t init[SEG_INIT_LEN], old[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	/* An Init made by a restarted initiator whose clock reads earlier. */
	handshake_init(&restarted, &p.a.cfg);
	assert_int_equal(handshake_create_init(&restarted, &p.ka, 9, 499, NOW, old), SEG_OK);

	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 500, NOW, init), SEG_OK);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_OK);
	assert_int_equal(p.b.greatest_timestamp, 500);
	assert_int_equal(p.b.dh_count, 1);
	handshake_result_clear(&rb);

	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 3, NOW, resp, &rb),
			 SEG_ERR_TIMESTAMP);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, old, sizeof(old), 3, NOW, resp, &rb),
			 SEG_ERR_TIMESTAMP);
	assert_int_equal(p.b.dh_count, 1);

	/* The sender's timestamps are kept strictly increasing even if its clock stalls. */
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 4, 500, NOW, init), SEG_OK);
	struct handshake_init_msg m;
	assert_int_equal(handshake_init_parse(init, sizeof(init), &m), SEG_OK);
	assert_int_equal(m.timestamp, 501);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 5, NOW, resp, &rb),
			 SEG_OK);
	assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp), NOW, &ra), SEG_OK);
	handshake_result_clear(&ra);
	handshake_result_clear(&rb);
	handshake_clear(&restarted);
	pair_clear(&p);
}

static void test_cipher_mismatch(void **state)
{
	struct pair p;
	struct handshake_result rb;
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_CHACHA20_POLY1305);
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	assert_int_equal(init[2], SEG_CIPHER_AES256_GCM);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_ERR_CIPHER_MISMATCH);
	assert_int_equal(p.b.dh_count, 0);
	/* An unknown suite is refused by the decoder (and on our side when configured). */
	init[2] = 9;
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_ERR_CIPHER_UNKNOWN);
	p.a.cfg.cipher = (enum seg_cipher)9;
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init),
			 SEG_ERR_CIPHER_UNKNOWN);
	pair_clear(&p);
}

static void test_psk_mismatch(void **state)
{
	struct pair p;
	struct handshake_result ra, rb, ra2, rb2;
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	memset(p.a.cfg.psk, 0x42, SEG_PSK_LEN);
	memset(p.b.cfg.psk, 0x42, SEG_PSK_LEN);
	run_ok(&p, 100, &ra, &rb);
	assert_keys_match(&ra, &rb);
	assert_int_equal(transport_roundtrip(&ra, &rb), SEG_OK);

	p.b.cfg.psk[31] ^= 1;
	run_ok(&p, 200, &ra2, &rb2); /* the handshake itself succeeds... */
	assert_memory_not_equal(ra2.send_key, rb2.recv_key, SEG_SESSION_KEY_LEN);
	/* ...but the first transport packet fails. */
	assert_int_equal(transport_roundtrip(&ra2, &rb2), SEG_ERR_AEAD);
	pair_clear(&p);
}

static void test_epoch_grace(void **state)
{
	struct pair p;
	struct handshake_result ra, rb;
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	/* b has moved to the next epoch; a still uses the one b now calls previous. */
	p.kb.has_previous = true;
	p.kb.previous_epoch = EPOCH;
	memcpy(p.kb.previous_key, KEY_AB, SEG_DRKEY_KEY_LEN);
	p.kb.previous_until_ns = NOW + SEG_DRKEY_GRACE_NS;
	p.kb.epoch = EPOCH + 3600;
	memset(p.kb.key, 0x77, SEG_DRKEY_KEY_LEN);

	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2,
						NOW + SEG_DRKEY_GRACE_NS, resp, &rb),
			 SEG_ERR_EPOCH);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2,
						NOW + SEG_DRKEY_GRACE_NS - 1, resp, &rb),
			 SEG_OK);
	assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp), NOW, &ra), SEG_OK);
	assert_keys_match(&ra, &rb);
	handshake_result_clear(&ra);
	handshake_result_clear(&rb);

	/* An epoch b does not know at all. */
	p.ka.epoch = EPOCH + 7200;
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 200, NOW, init), SEG_OK);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_ERR_EPOCH);
	assert_int_equal(p.b.dh_count, 1);
	pair_clear(&p);
}

static void test_stale_and_unknown_response(void **state)
{
	struct pair p;
	struct handshake_result ra, rb;
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_OK);
	handshake_result_clear(&rb);
	assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp),
						    NOW + SEG_REKEY_ATTEMPT_TIME_NS, &ra),
			 SEG_ERR_STALE);
	/* A newer Init replaces the pending one: the old Response no longer matches. */
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 3, 101, NOW, init), SEG_OK);
	assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp), NOW, &ra),
			 SEG_ERR_NO_PENDING);
	handshake_pending_clear(&p.a);
	assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp), NOW, &ra),
			 SEG_ERR_NO_PENDING);
	assert_int_equal(p.a.dh_count, 0);
	pair_clear(&p);
}

/* Builds an Init whose MAC is right but whose ephemeral key is a low-order point. */
static void test_low_order_ephemeral(void **state)
{
	struct pair p;
	struct handshake_result rb;
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN], full[32];
	size_t full_len = 0;
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 1, 100, NOW, init), SEG_OK);
	memset(init + SEG_INIT_OFF_EPHEMERAL, 0, SEG_X25519_KEY_LEN);
	assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, KEY_AB, SEG_DRKEY_KEY_LEN,
				  init, SEG_INIT_OFF_MAC, full, sizeof(full), &full_len));
	memcpy(init + SEG_INIT_OFF_MAC, full, SEG_MAC_LEN);
	assert_int_equal(handshake_consume_init(&p.b, &p.kb, init, sizeof(init), 2, NOW, resp, &rb),
			 SEG_ERR_DH);
	assert_int_equal(p.b.dh_count, 1);
	assert_false(p.b.have_timestamp); /* nothing committed */
	pair_clear(&p);
}

static void test_tie_break_order(void **state)
{
	struct handshake_config c = {0};
	(void)state;

	c.local = addr(0x110, 1);
	c.remote = addr(0x111, 1);
	assert_true(handshake_keeps_initiator(&c));
	c.local = addr(0x111, 1);
	c.remote = addr(0x110, 9);
	assert_false(handshake_keeps_initiator(&c));
	c.local = addr(0x110, 1);
	c.remote = addr(0x110, 2);
	assert_true(handshake_keeps_initiator(&c));
	c.remote.host.type = SCION_HOST_IPV6; /* same AS: IPv4 sorts before IPv6 */
	assert_true(handshake_keeps_initiator(&c));
	c.remote = c.local; /* talking to oneself: nobody "keeps", never a deadlock of two */
	assert_false(handshake_keeps_initiator(&c));
}

/* Both send an Init at once; whatever the delivery order, exactly one session results. */
static void test_simultaneous_init(void **state)
{
	(void)state;
	for (int order = 0; order < 2; order++) {
		struct pair p;
		struct handshake_result ra, rb, unused;
		uint8_t init_a[SEG_INIT_LEN], init_b[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
		uint8_t resp_b[SEG_RESPONSE_LEN];

		pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
		assert_true(handshake_keeps_initiator(&p.a.cfg)); /* a has the lower address */
		assert_false(handshake_keeps_initiator(&p.b.cfg));
		assert_int_equal(handshake_create_init(&p.a, &p.ka, 0xa, 100, NOW, init_a), SEG_OK);
		assert_int_equal(handshake_create_init(&p.b, &p.kb_i, 0xb, 100, NOW, init_b),
				 SEG_OK);

		if (order == 0) {
			/* a sees b's Init first: a keeps its role and drops it, before DH. */
			assert_int_equal(handshake_consume_init(&p.a, &p.ka_r, init_b,
								sizeof(init_b), 0xa2, NOW, resp_b,
								&unused),
					 SEG_ERR_ROLE_CONFLICT);
			assert_int_equal(p.a.dh_count, 0);
			assert_true(p.a.pending);
		}
		/* b sees a's Init: b yields, drops its pending Init and answers. */
		assert_int_equal(handshake_consume_init(&p.b, &p.kb, init_a, sizeof(init_a), 0xb2,
							NOW, resp, &rb),
				 SEG_OK);
		assert_false(p.b.pending);
		assert_int_equal(handshake_consume_response(&p.a, resp, sizeof(resp), NOW, &ra),
				 SEG_OK);
		assert_keys_match(&ra, &rb);
		assert_int_equal(ra.local_index, 0xa);
		assert_int_equal(rb.local_index, 0xb2);
		if (order == 1) {
			/* b's Init arrives late at a, which has no pending Init any more and
			 * answers; b has dropped 0xb, so that answer leads nowhere. */
			int err = handshake_consume_init(&p.a, &p.ka_r, init_b, sizeof(init_b),
							 0xa2, NOW, resp_b, &unused);
			assert_int_equal(err, SEG_OK);
			handshake_result_clear(&unused);
			assert_int_equal(
			    handshake_consume_response(&p.b, resp_b, sizeof(resp_b), NOW, &unused),
			    SEG_ERR_NO_PENDING);
		}
		assert_int_equal(transport_roundtrip(&ra, &rb), SEG_OK);
		pair_clear(&p);
	}
}

static void test_result_and_state_wiped(void **state)
{
	struct pair p;
	struct handshake_result ra, rb;
	uint8_t zeros[sizeof(struct handshake)] = {0};
	uint8_t init[SEG_INIT_LEN];
	(void)state;

	pair_setup(&p, SEG_CIPHER_AES256_GCM, SEG_CIPHER_AES256_GCM);
	run_ok(&p, 100, &ra, &rb);
	handshake_result_clear(&ra);
	assert_memory_equal(&ra, zeros, sizeof(ra));
	handshake_result_clear(&rb);
	assert_int_equal(handshake_create_init(&p.a, &p.ka, 5, 200, NOW, init), SEG_OK);
	assert_memory_not_equal(p.a.pending_private, zeros, SEG_X25519_KEY_LEN);
	handshake_pending_clear(&p.a);
	assert_memory_equal(p.a.pending_private, zeros, SEG_X25519_KEY_LEN);
	assert_memory_equal(p.a.pending_key, zeros, SEG_DRKEY_KEY_LEN);
	memset(p.a.cfg.psk, 0x42, SEG_PSK_LEN);
	handshake_clear(&p.a);
	assert_memory_equal(&p.a, zeros, sizeof(p.a));
	pair_clear(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_success_both_roles),
	    cmocka_unit_test(test_wrong_drkey_rejected_before_dh),
	    cmocka_unit_test(test_tampered_init),
	    cmocka_unit_test(test_tampered_response),
	    cmocka_unit_test(test_truncated_and_long_init),
	    cmocka_unit_test(test_replayed_and_older_init),
	    cmocka_unit_test(test_cipher_mismatch),
	    cmocka_unit_test(test_psk_mismatch),
	    cmocka_unit_test(test_epoch_grace),
	    cmocka_unit_test(test_stale_and_unknown_response),
	    cmocka_unit_test(test_low_order_ephemeral),
	    cmocka_unit_test(test_tie_break_order),
	    cmocka_unit_test(test_simultaneous_init),
	    cmocka_unit_test(test_result_and_state_wiped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
