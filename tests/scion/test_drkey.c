/* SPDX-License-Identifier: MIT */
/*
 * DRKey derivations. Every vector of scionproto's tests is asserted (pkg/drkey
 * secret_value_test.go and testdata/TestDeriveSV; specific/specific_test.go TestDeriveLevel1
 * and testdata; generic/testdata; their inputs from private/drkey/drkeytest GetLevel1: the
 * AS secret {0..7, low byte of the source IA}, epoch [0, 1], Level 2 protocol 10000).
 *
 * The reference has vectors for IPv4 hosts only. For IPv6 and service hosts, other epochs,
 * protocols and ISD-ASes, the expected keys are built here independently: the PRF input
 * written out byte by byte from drkey.rst and run through OpenSSL's AES-128-CBC with a zero
 * IV (the last block is the CBC-MAC), the SV through PKCS5_PBKDF2_HMAC.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include <seg/drkey.h>

static void unhex(const char *hex, uint8_t *out, size_t n)
{
	assert_int_equal(strlen(hex), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void assert_key(const uint8_t got[DRKEY_KEY_LEN], const char *hex)
{
	uint8_t want[DRKEY_KEY_LEN];

	unhex(hex, want, sizeof(want));
	assert_memory_equal(got, want, DRKEY_KEY_LEN);
}

static struct scion_host host4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct scion_host h = {.type = SCION_HOST_IPV4, .ip = {a, b, c, d}};

	return h;
}

static const struct drkey_epoch epoch01 = {.begin = 0, .end = 1};
static const scion_ia_t ia_111 = (1ull << 48) | 0xff0000000111ull;
static const scion_ia_t ia_112 = (1ull << 48) | 0xff0000000112ull;

/* drkeytest.GetLevel1: SV from {0..7, byte(srcIA)} for proto, then Level 1 for dstIA. */
static void reference_lvl1(uint16_t proto, uint8_t out[DRKEY_KEY_LEN])
{
	uint8_t secret[9] = {0, 1, 2, 3, 4, 5, 6, 7, (uint8_t)ia_111};
	uint8_t sv[DRKEY_KEY_LEN];

	assert_int_equal(drkey_sv_derive(secret, sizeof(secret), proto, &epoch01, sv), 0);
	assert_int_equal(drkey_lvl1_derive(sv, ia_112, out), 0);
}

/* pkg/drkey/secret_value_test.go TestDeriveSV. */
static void test_reference_sv(void **state)
{
	const uint8_t secret[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7};
	uint8_t sv[DRKEY_KEY_LEN];

	(void)state;
	assert_int_equal(drkey_sv_derive(secret, sizeof(secret), DRKEY_PROTO_GENERIC, &epoch01, sv),
			 0);
	assert_key(sv, "c3b4843c990314f9ac554f9b781cdeb7");
}

/* pkg/drkey/specific/specific_test.go TestDeriveLevel1. */
static void test_reference_lvl1(void **state)
{
	const uint8_t secret[16] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7};
	uint8_t sv[DRKEY_KEY_LEN], k[DRKEY_KEY_LEN];

	(void)state;
	assert_int_equal(drkey_sv_derive(secret, sizeof(secret), DRKEY_PROTO_SCMP, &epoch01, sv),
			 0);
	assert_int_equal(drkey_lvl1_derive(sv, ia_112, k), 0);
	assert_key(k, "a823f5b956de7c0cbc5a6942f5b6fc10");
}

/* pkg/drkey/generic/testdata: SV and Level 1 of protocol GENERIC, Level 2 protocol 10000. */
static void test_reference_generic(void **state)
{
	struct scion_host src = host4(127, 0, 0, 2), dst = host4(127, 0, 0, 1);
	uint8_t lvl1[DRKEY_KEY_LEN], k[DRKEY_KEY_LEN], host_as[DRKEY_KEY_LEN];

	(void)state;
	reference_lvl1(DRKEY_PROTO_GENERIC, lvl1);
	assert_int_equal(drkey_as_host_derive(lvl1, 10000, &dst, k), 0);
	assert_key(k, "2bc8fbb9455531a804cf7fd5e5e512a4");
	assert_int_equal(drkey_host_as_derive(lvl1, 10000, &src, host_as), 0);
	assert_key(host_as, "3341fe339ec9492dd15509ce3a08b960");
	assert_int_equal(drkey_host_host_derive(host_as, &dst, k), 0);
	assert_key(k, "f7f4d42ced8b7d040be51b2f6837f886");
}

/* pkg/drkey/specific/testdata: SV and Level 1 of protocol SCMP. */
static void test_reference_specific(void **state)
{
	struct scion_host src = host4(127, 0, 0, 2), dst = host4(127, 0, 0, 1);
	uint8_t lvl1[DRKEY_KEY_LEN], k[DRKEY_KEY_LEN], host_as[DRKEY_KEY_LEN];

	(void)state;
	reference_lvl1(DRKEY_PROTO_SCMP, lvl1);
	assert_int_equal(drkey_as_host_specific_derive(lvl1, &dst, k), 0);
	assert_key(k, "b5a756caa2e030f3a2b6dbfb03e03eb0");
	assert_int_equal(drkey_host_as_specific_derive(lvl1, &src, host_as), 0);
	assert_key(host_as, "4cca42cd61ec9f84802b65f7774e9854");
	assert_int_equal(drkey_host_host_derive(host_as, &dst, k), 0);
	assert_key(k, "164fc8460825bc1abf88b4689c70f559");
}

/* The independent PRF: AES-128-CBC, zero IV, no padding; the last block. */
static void cbc_mac(const uint8_t key[16], const uint8_t *in, size_t len, uint8_t out[16])
{
	static const uint8_t iv[16];
	uint8_t ct[64];
	int outl = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	assert_non_null(ctx);
	assert_true(len % 16 == 0 && len > 0 && len <= sizeof(ct));
	assert_int_equal(EVP_EncryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv), 1);
	assert_int_equal(EVP_CIPHER_CTX_set_padding(ctx, 0), 1);
	assert_int_equal(EVP_EncryptUpdate(ctx, ct, &outl, in, (int)len), 1);
	assert_int_equal(outl, (int)len);
	memcpy(out, ct + len - 16, 16);
	EVP_CIPHER_CTX_free(ctx);
}

static const uint8_t k_in[16] = {0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
				 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};

/* 2001:db8::7 */
static const struct scion_host h6 = {.type = SCION_HOST_IPV6,
				     .ip = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x07}};
static const struct scion_host hsvc = {.type = SCION_HOST_SVC, .svc = 0x8002};

static void test_independent_ipv6(void **state)
{
	/* type | protocol 0x1234 | host type 0x3 | 16-byte address: 20 bytes, 2 blocks. */
	static const uint8_t gen_as_host[32] = {
	    0x01, 0x12, 0x34, 0x03, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};
	static const uint8_t gen_host_as[32] = {
	    0x02, 0x12, 0x34, 0x03, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07};
	/* type | host type | 16-byte address: 18 bytes, 2 blocks. */
	static const uint8_t spec_as_host[32] = {0x01, 0x03, 0x20, 0x01, 0x0d, 0xb8, [17] = 0x07};
	static const uint8_t spec_host_as[32] = {0x02, 0x03, 0x20, 0x01, 0x0d, 0xb8, [17] = 0x07};
	static const uint8_t host_host[32] = {0x03, 0x03, 0x20, 0x01, 0x0d, 0xb8, [17] = 0x07};
	uint8_t want[16], got[16];

	(void)state;
	cbc_mac(k_in, gen_as_host, sizeof(gen_as_host), want);
	assert_int_equal(drkey_as_host_derive(k_in, 0x1234, &h6, got), 0);
	assert_memory_equal(got, want, 16);
	cbc_mac(k_in, gen_host_as, sizeof(gen_host_as), want);
	assert_int_equal(drkey_host_as_derive(k_in, 0x1234, &h6, got), 0);
	assert_memory_equal(got, want, 16);
	cbc_mac(k_in, spec_as_host, sizeof(spec_as_host), want);
	assert_int_equal(drkey_as_host_specific_derive(k_in, &h6, got), 0);
	assert_memory_equal(got, want, 16);
	cbc_mac(k_in, spec_host_as, sizeof(spec_host_as), want);
	assert_int_equal(drkey_host_as_specific_derive(k_in, &h6, got), 0);
	assert_memory_equal(got, want, 16);
	cbc_mac(k_in, host_host, sizeof(host_host), want);
	assert_int_equal(drkey_host_host_derive(k_in, &h6, got), 0);
	assert_memory_equal(got, want, 16);
}

static void test_independent_svc(void **state)
{
	/* Service 0x8002 (CS, multicast): host type 0x4, 2 bytes of address, 2 of padding. */
	static const uint8_t gen_as_host[16] = {0x01, 0x00, 0x01, 0x04, 0x80, 0x02, 0x00, 0x00};
	static const uint8_t spec_host_as[16] = {0x02, 0x04, 0x80, 0x02, 0x00, 0x00};
	static const uint8_t host_host[16] = {0x03, 0x04, 0x80, 0x02, 0x00, 0x00};
	uint8_t want[16], got[16];

	(void)state;
	cbc_mac(k_in, gen_as_host, sizeof(gen_as_host), want);
	assert_int_equal(drkey_as_host_derive(k_in, DRKEY_PROTO_SCMP, &hsvc, got), 0);
	assert_memory_equal(got, want, 16);
	cbc_mac(k_in, spec_host_as, sizeof(spec_host_as), want);
	assert_int_equal(drkey_host_as_specific_derive(k_in, &hsvc, got), 0);
	assert_memory_equal(got, want, 16);
	cbc_mac(k_in, host_host, sizeof(host_host), want);
	assert_int_equal(drkey_host_host_derive(k_in, &hsvc, got), 0);
	assert_memory_equal(got, want, 16);
}

static void test_independent_lvl1_and_sv(void **state)
{
	/* type 0 | IA 65535-ffaa:1:2 big-endian | 7 bytes of padding. */
	static const uint8_t lvl1_in[16] = {0x00, 0xff, 0xff, 0xff, 0xaa, 0x00, 0x01, 0x00, 0x02};
	/* len(ms)=3 as 8 bytes | ms | protocol 0xbeef | begin | end. */
	static const uint8_t sv_in[] = {0,    0,    0,	  0,	0,    0,    0,
					3,    0xaa, 0xbb, 0xcc, 0xbe, 0xef, 0x65,
					0x4c, 0x6f, 0x00, 0x65, 0x4c, 0x7f, 0xff};
	static const uint8_t ms[3] = {0xaa, 0xbb, 0xcc};
	const struct drkey_epoch e = {.begin = 0x654c6f00, .end = 0x654c7fff};
	uint8_t want[16], got[16];

	(void)state;
	cbc_mac(k_in, lvl1_in, sizeof(lvl1_in), want);
	assert_int_equal(drkey_lvl1_derive(k_in, scion_ia_make(65535, 0xffaa00010002), got), 0);
	assert_memory_equal(got, want, 16);

	assert_int_equal(PKCS5_PBKDF2_HMAC((const char *)sv_in, sizeof(sv_in),
					   (const unsigned char *)"Derive DRKey Key", 16, 1000,
					   EVP_sha256(), 16, want),
			 1);
	assert_int_equal(drkey_sv_derive(ms, sizeof(ms), 0xbeef, &e, got), 0);
	assert_memory_equal(got, want, 16);
}

static void test_errors_and_separation(void **state)
{
	uint8_t ms[DRKEY_MASTER_SECRET_MAX_LEN + 1] = {1};
	uint8_t a[16], b[16];
	struct scion_host bad = {.type = (enum scion_host_type)9};
	struct scion_host h = host4(10, 0, 0, 1);

	(void)state;
	assert_int_equal(drkey_sv_derive(ms, 0, 0, &epoch01, a), DRKEY_ERR_SECRET);
	assert_int_equal(drkey_sv_derive(NULL, 16, 0, &epoch01, a), DRKEY_ERR_SECRET);
	assert_int_equal(drkey_sv_derive(ms, sizeof(ms), 0, &epoch01, a), DRKEY_ERR_SECRET);
	assert_int_equal(drkey_sv_derive(ms, sizeof(ms) - 1, 0, &epoch01, a), 0);
	assert_int_equal(drkey_as_host_derive(k_in, 0, &bad, a), DRKEY_ERR_HOST);
	assert_int_equal(drkey_host_as_derive(k_in, 0, &bad, a), DRKEY_ERR_HOST);
	assert_int_equal(drkey_as_host_specific_derive(k_in, &bad, a), DRKEY_ERR_HOST);
	assert_int_equal(drkey_host_as_specific_derive(k_in, &bad, a), DRKEY_ERR_HOST);
	assert_int_equal(drkey_host_host_derive(k_in, &bad, a), DRKEY_ERR_HOST);

	/* The type byte separates directions; the protocol separates generic keys. */
	assert_int_equal(drkey_as_host_derive(k_in, 7, &h, a), 0);
	assert_int_equal(drkey_host_as_derive(k_in, 7, &h, b), 0);
	assert_memory_not_equal(a, b, 16);
	assert_int_equal(drkey_as_host_derive(k_in, 8, &h, b), 0);
	assert_memory_not_equal(a, b, 16);

	assert_string_not_equal(drkey_strerror(DRKEY_ERR_SECRET), drkey_strerror(-1000));
	assert_string_not_equal(drkey_strerror(DRKEY_ERR_HOST), drkey_strerror(-1000));
	assert_string_not_equal(drkey_strerror(DRKEY_ERR_CRYPTO), drkey_strerror(-1000));
}

static void test_epoch_contains(void **state)
{
	const struct drkey_epoch e = {.begin = 100, .end = 200};

	(void)state;
	assert_false(drkey_epoch_contains(&e, 99));
	assert_true(drkey_epoch_contains(&e, 100));
	assert_true(drkey_epoch_contains(&e, 200));
	assert_false(drkey_epoch_contains(&e, 201));
	assert_false(drkey_epoch_contains(&e, 200 + (1ull << 32)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reference_sv),
	    cmocka_unit_test(test_reference_lvl1),
	    cmocka_unit_test(test_reference_generic),
	    cmocka_unit_test(test_reference_specific),
	    cmocka_unit_test(test_independent_ipv6),
	    cmocka_unit_test(test_independent_svc),
	    cmocka_unit_test(test_independent_lvl1_and_sv),
	    cmocka_unit_test(test_errors_and_separation),
	    cmocka_unit_test(test_epoch_contains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
