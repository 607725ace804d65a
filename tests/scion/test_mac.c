/* SPDX-License-Identifier: MIT */
/*
 * Hop-field MACs: the one-block CMAC fast path against RFC 4493 and, differentially, against
 * OpenSSL's EVP_MAC "CMAC"; the input block layout; verification; key copies; the
 * forwarding key; and SegID chaining through whole segments (construction direction,
 * against it, peering) processed hop by hop the way the reference router does.
 *
 * scionproto has no fixed hop-field MAC vectors (its tests compute MACs with the code under
 * test), so the MAC is pinned by RFC 4493 and by the differential test; the forwarding key
 * vectors were computed independently with Python's hashlib.pbkdf2_hmac.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <seg/scion_mac.h>

/* Deterministic test randomness (xorshift64*), so failures reproduce. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void rng_bytes(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(rng_next() >> 56);
}

static void rng_hop(struct scion_hop_field *hf)
{
	uint64_t r = rng_next();

	memset(hf, 0, sizeof(*hf));
	hf->exp_time = (uint8_t)r;
	hf->cons_ingress = (uint16_t)(r >> 8);
	hf->cons_egress = (uint16_t)(r >> 24);
	hf->ingress_alert = r >> 40 & 1;
	hf->egress_alert = r >> 41 & 1;
}

static void unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* The reference CMAC: OpenSSL's generic EVP_MAC implementation. */
static void evp_cmac(const uint8_t key[16], const uint8_t *in, size_t len, uint8_t out[16])
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
	EVP_MAC_CTX *ctx;
	OSSL_PARAM params[2];
	size_t outl = 0;

	assert_non_null(mac);
	ctx = EVP_MAC_CTX_new(mac);
	assert_non_null(ctx);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", 0);
	params[1] = OSSL_PARAM_construct_end();
	assert_int_equal(EVP_MAC_init(ctx, key, 16, params), 1);
	assert_int_equal(EVP_MAC_update(ctx, in, len), 1);
	assert_int_equal(EVP_MAC_final(ctx, out, &outl, 16), 1);
	assert_int_equal(outl, 16);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
}

/* RFC 4493, section 4, Example 2: one complete block. */
static void test_rfc4493_one_block(void **state)
{
	uint8_t key[16], msg[16], want[16], got[16];
	struct scion_mac_key *k;

	(void)state;
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	unhex("6bc1bee22e409f96e93d7e117393172a", msg, 16);
	unhex("070a16b46b4d4144f79bdd9dd04a287c", want, 16);
	k = scion_mac_key_new(key);
	assert_non_null(k);
	assert_int_equal(scion_cmac_block(k, msg, got), 0);
	assert_memory_equal(got, want, 16);
	scion_mac_key_free(k);
}

static void test_mac_input_layout(void **state)
{
	static const uint8_t want[16] = {0x00, 0x00, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04,
					 0x00, 0x3f, 0x12, 0x34, 0xab, 0xcd, 0x00, 0x00};
	struct scion_hop_field hf = {.exp_time = 0x3f,
				     .cons_ingress = 0x1234,
				     .cons_egress = 0xabcd,
				     .mac = {1, 2, 3, 4, 5, 6}};
	uint8_t in[16];

	(void)state;
	scion_hop_mac_input(0xbeef, 0x01020304, &hf, in);
	assert_memory_equal(in, want, 16);
	/* Router-alert flags and the MAC itself are not part of the input. */
	hf.ingress_alert = hf.egress_alert = true;
	memset(hf.mac, 0xff, sizeof(hf.mac));
	scion_hop_mac_input(0xbeef, 0x01020304, &hf, in);
	assert_memory_equal(in, want, 16);
}

/* The fast path equals EVP_MAC CMAC for random keys, random blocks and random hop fields. */
static void test_differential_evp_cmac(void **state)
{
	uint8_t key[16], in[16], want[16], got[16], mac[6];
	struct scion_mac_key *k = NULL;
	struct scion_hop_field hf;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		if (i % 100 == 0) {
			scion_mac_key_free(k);
			rng_bytes(key, sizeof(key));
			k = scion_mac_key_new(key);
			assert_non_null(k);
		}
		rng_bytes(in, sizeof(in));
		evp_cmac(key, in, 16, want);
		assert_int_equal(scion_cmac_block(k, in, got), 0);
		assert_memory_equal(got, want, 16);

		rng_hop(&hf);
		uint16_t seg_id = (uint16_t)rng_next();
		uint32_t ts = (uint32_t)rng_next();

		scion_hop_mac_input(seg_id, ts, &hf, in);
		evp_cmac(key, in, 16, want);
		assert_int_equal(scion_hop_mac_full(k, seg_id, ts, &hf, got), 0);
		assert_memory_equal(got, want, 16);
		assert_int_equal(scion_hop_mac(k, seg_id, ts, &hf, mac), 0);
		assert_memory_equal(mac, want, 6);
	}
	scion_mac_key_free(k);
}

static void test_verify(void **state)
{
	uint8_t key[16];
	struct scion_mac_key *k;
	struct scion_hop_field hf, bad;
	const uint16_t seg_id = 0x1d2e;
	const uint32_t ts = 1700000000;

	(void)state;
	rng_bytes(key, sizeof(key));
	k = scion_mac_key_new(key);
	assert_non_null(k);
	rng_hop(&hf);
	assert_int_equal(scion_hop_mac(k, seg_id, ts, &hf, hf.mac), 0);
	assert_true(scion_hop_mac_verify(k, seg_id, ts, &hf));

	for (int bit = 0; bit < 8 * SCION_MAC_LEN; bit++) {
		bad = hf;
		bad.mac[bit / 8] ^= (uint8_t)(1u << bit % 8);
		assert_false(scion_hop_mac_verify(k, seg_id, ts, &bad));
	}
	assert_false(scion_hop_mac_verify(k, seg_id ^ 1, ts, &hf));
	assert_false(scion_hop_mac_verify(k, seg_id, ts + 1, &hf));
	bad = hf;
	bad.exp_time ^= 1;
	assert_false(scion_hop_mac_verify(k, seg_id, ts, &bad));
	bad = hf;
	bad.cons_ingress ^= 1;
	assert_false(scion_hop_mac_verify(k, seg_id, ts, &bad));
	bad = hf;
	bad.cons_egress ^= 0x8000;
	assert_false(scion_hop_mac_verify(k, seg_id, ts, &bad));
	bad = hf;
	bad.ingress_alert = !bad.ingress_alert;
	bad.egress_alert = !bad.egress_alert;
	assert_true(scion_hop_mac_verify(k, seg_id, ts, &bad));

	/* A different key does not verify. */
	key[0] ^= 1;
	struct scion_mac_key *k2 = scion_mac_key_new(key);

	assert_non_null(k2);
	assert_false(scion_hop_mac_verify(k2, seg_id, ts, &hf));
	scion_mac_key_free(k2);
	scion_mac_key_free(k);
}

static void test_key_dup(void **state)
{
	uint8_t key[16], in[16], a[16], b[16];
	struct scion_mac_key *k, *d;

	(void)state;
	rng_bytes(key, sizeof(key));
	k = scion_mac_key_new(key);
	assert_non_null(k);
	d = scion_mac_key_dup(k);
	assert_non_null(d);
	for (int i = 0; i < 100; i++) {
		rng_bytes(in, sizeof(in));
		assert_int_equal(scion_cmac_block(k, in, a), 0);
		assert_int_equal(scion_cmac_block(d, in, b), 0);
		assert_memory_equal(a, b, 16);
	}
	scion_mac_key_free(k);
	/* The copy is independent of the original. */
	assert_int_equal(scion_cmac_block(d, in, b), 0);
	assert_memory_equal(a, b, 16);
	evp_cmac(key, in, 16, a);
	assert_memory_equal(a, b, 16);
	scion_mac_key_free(d);
	scion_mac_key_free(NULL);
}

static void test_forwarding_key(void **state)
{
	static const struct {
		const char *master;
		size_t len;
		const char *key;
	} vectors[] = {
	    {"000102030405060708090a0b0c0d0e0f", 16, "014f838b9e1db547479909e7710bc7c8"},
	    {"f5104a98730d83ac91ae0a951ead31ed", 16, "cdc9b3c9478d963eac7acf2cc3f5bcbc"},
	    {"00", 1, "a455ee5336c1a4de2a67303594e1b1e6"},
	};
	uint8_t master[16], want[16], got[16];

	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		unhex(vectors[i].master, master, vectors[i].len);
		unhex(vectors[i].key, want, 16);
		assert_int_equal(scion_forwarding_key_derive(master, vectors[i].len, got), 0);
		assert_memory_equal(got, want, 16);
	}
	assert_int_equal(scion_forwarding_key_derive(master, 0, got), SCION_MAC_ERR_KEY_LEN);
	assert_int_equal(scion_forwarding_key_derive(NULL, 16, got), SCION_MAC_ERR_KEY_LEN);
	assert_string_not_equal(scion_mac_strerror(SCION_MAC_ERR_KEY_LEN),
				scion_mac_strerror(-1000));
	assert_string_not_equal(scion_mac_strerror(SCION_MAC_ERR_CRYPTO),
				scion_mac_strerror(-1000));
}

/*
 * A beaconed segment of N ASes in construction order: hop[i] carries sigma_i computed under
 * beta_i; peer[i] is AS i's peering hop field, whose MAC uses beta_{i+1} (scion-header.rst,
 * "Peering Links"). Every AS has its own key.
 */
enum { N = 5 };

struct segment {
	uint16_t beta0;
	uint32_t ts;
	struct scion_mac_key *key[N];
	struct scion_hop_field hop[N];
	struct scion_hop_field peer[N];
};

static void segment_beacon(struct segment *s)
{
	uint16_t beta;
	uint8_t key[16];

	s->beta0 = (uint16_t)rng_next();
	s->ts = (uint32_t)rng_next();
	beta = s->beta0;
	for (int i = 0; i < N; i++) {
		rng_bytes(key, sizeof(key));
		s->key[i] = scion_mac_key_new(key);
		assert_non_null(s->key[i]);
		rng_hop(&s->hop[i]);
		rng_hop(&s->peer[i]);
		assert_int_equal(scion_hop_mac(s->key[i], beta, s->ts, &s->hop[i], s->hop[i].mac),
				 0);
		beta = scion_seg_id_next(beta, s->hop[i].mac);
		assert_int_equal(scion_hop_mac(s->key[i], beta, s->ts, &s->peer[i], s->peer[i].mac),
				 0);
	}
}

static void segment_free(struct segment *s)
{
	for (int i = 0; i < N; i++)
		scion_mac_key_free(s->key[i]);
}

/*
 * AS i forwards the packet: its ingress router (over a link unless the packet starts here),
 * then its egress router, each verifying the MAC, as router/dataplane.go process() does.
 * Returns the SegID the packet leaves with.
 */
static uint16_t as_forward(struct segment *s, int i, const struct scion_hop_field *hf,
			   uint16_t seg_id, bool cons_dir, bool peering, bool from_link)
{
	seg_id = scion_seg_id_on_ingress(seg_id, cons_dir, peering, from_link, hf->mac);
	assert_true(scion_hop_mac_verify(s->key[i], seg_id, s->ts, hf));
	/* The egress router got the packet from inside the AS: no further ingress update. */
	seg_id = scion_seg_id_on_ingress(seg_id, cons_dir, peering, false, hf->mac);
	assert_true(scion_hop_mac_verify(s->key[i], seg_id, s->ts, hf));
	return scion_seg_id_on_egress(seg_id, cons_dir, peering, hf->mac);
}

static void test_seg_id_beta(void **state)
{
	struct segment s;
	uint16_t beta;

	(void)state;
	segment_beacon(&s);
	beta = s.beta0;
	for (int i = 0; i <= N; i++) {
		assert_int_equal(scion_seg_id_beta(s.beta0, s.hop, (size_t)i), beta);
		if (i < N)
			beta ^= (uint16_t)(s.hop[i].mac[0] << 8 | s.hop[i].mac[1]);
	}
	segment_free(&s);
}

/* Down segment (ConsDir=1) from every shortcut start s: initial SegID beta_s. */
static void test_seg_id_cons_dir(void **state)
{
	struct segment s;

	(void)state;
	segment_beacon(&s);
	for (int start = 0; start < N - 1; start++) {
		uint16_t seg_id = scion_seg_id_beta(s.beta0, s.hop, (size_t)start);

		for (int i = start; i < N; i++)
			seg_id = as_forward(&s, i, &s.hop[i], seg_id, true, false, i != start);
		assert_int_equal(seg_id, scion_seg_id_beta(s.beta0, s.hop, N));
	}
	segment_free(&s);
}

/*
 * Up or core segment (ConsDir=0), from the leaf down to every shortcut end: the initial
 * SegID is beta_{n-1} (the combinator's calculateBeta), not beta_n as the prose says, since
 * the first router gets the packet from inside its AS and does not update SegID.
 */
static void test_seg_id_against_cons_dir(void **state)
{
	struct segment s;

	(void)state;
	segment_beacon(&s);
	for (int end = 0; end < N - 1; end++) {
		uint16_t seg_id = scion_seg_id_beta(s.beta0, s.hop, N - 1);

		for (int i = N - 1; i >= end; i--)
			seg_id = as_forward(&s, i, &s.hop[i], seg_id, false, false, i != N - 1);
		assert_int_equal(seg_id, scion_seg_id_beta(s.beta0, s.hop, (size_t)end));
	}
	/* The prose's beta_n fails at the first hop. */
	assert_false(scion_hop_mac_verify(s.key[N - 1], scion_seg_id_beta(s.beta0, s.hop, N), s.ts,
					  &s.hop[N - 1]));
	segment_free(&s);
}

/*
 * A peering path: up segment U traversed against construction direction from its leaf to
 * AS p, which crosses a peering link to AS q of down segment D, traversed in construction
 * direction to its leaf. The peering hop fields take beta_{i+1}; routers neither update SegID
 * at them on ingress nor on egress. Initial SegIDs: U beta_{n-1} (beta_n when the leaf is the
 * peering AS itself), D beta_{q+1}.
 */
static void test_seg_id_peering(void **state)
{
	struct segment u, d;

	(void)state;
	segment_beacon(&u);
	segment_beacon(&d);
	for (int p = 0; p < N; p++) {
		for (int q = 0; q < N; q++) {
			size_t first = p == N - 1 ? N : N - 1;
			uint16_t seg_u = scion_seg_id_beta(u.beta0, u.hop, first);
			uint16_t seg_d = scion_seg_id_beta(d.beta0, d.hop, (size_t)q + 1);

			for (int i = N - 1; i >= p; i--) {
				const struct scion_hop_field *hf = i == p ? &u.peer[i] : &u.hop[i];

				seg_u = as_forward(&u, i, hf, seg_u, false, i == p, i != N - 1);
			}
			for (int i = q; i < N; i++) {
				const struct scion_hop_field *hf = i == q ? &d.peer[i] : &d.hop[i];

				seg_d = as_forward(&d, i, hf, seg_d, true, i == q, true);
			}
			assert_int_equal(seg_d, scion_seg_id_beta(d.beta0, d.hop, N));
		}
	}
	/* Treating the peering hop as a normal one (SegID beta_i) fails. */
	assert_false(
	    scion_hop_mac_verify(d.key[2], scion_seg_id_beta(d.beta0, d.hop, 2), d.ts, &d.peer[2]));
	segment_free(&u);
	segment_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc4493_one_block),
	    cmocka_unit_test(test_mac_input_layout),
	    cmocka_unit_test(test_differential_evp_cmac),
	    cmocka_unit_test(test_verify),
	    cmocka_unit_test(test_key_dup),
	    cmocka_unit_test(test_forwarding_key),
	    cmocka_unit_test(test_seg_id_beta),
	    cmocka_unit_test(test_seg_id_cons_dir),
	    cmocka_unit_test(test_seg_id_against_cons_dir),
	    cmocka_unit_test(test_seg_id_peering),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
