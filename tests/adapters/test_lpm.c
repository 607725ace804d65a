/* SPDX-License-Identifier: MIT */
/*
 * lpm: table-driven cases (nesting, splits, removal splicing, default routes, bounds, errors),
 * then a differential test against a naive linear longest match over thousands of random
 * IPv4 and IPv6 prefixes with interleaved removals, and a check that a clone is independent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <cmocka.h>

#include "adapters/ip/lpm.h"

/* Values are small integers cast to pointers; 0 is never used (NULL means "no match"). */
#define V(n) ((void *)(uintptr_t)(n))

static struct cidr P(const char *s) {
	struct cidr c;

	if (cidr_parse(s, &c) != CIDR_OK)
		fail_msg("bad prefix in test: %s", s);
	return c;
}

static uintptr_t
look(const struct lpm *t, const char *addr)
{
	struct ip_addr a;

	if (ip_addr_parse(addr, &a) != CIDR_OK)
		fail_msg("bad address in test: %s", addr);
	return (uintptr_t)lpm_lookup(t, a.family, a.bytes);
}

struct lcase {
	const char *addr;
	uintptr_t want;
};

static void test_table(void **state)
{
	static const char *const routes[] = {
	    "10.0.0.0/8",      "10.1.0.0/16",	    "10.1.2.0/24", "10.1.2.128/25",
	    "10.1.2.3/32",     "192.168.0.0/16",    "0.0.0.0/0",   "2001:db8::/32",
	    "2001:db8:1::/48", "2001:db8:1:2::/64", "::/0",	   "fd00::1/128",
	};
	static const struct lcase cases[] = {
	    {"10.9.9.9", 1},	     {"10.1.9.9", 2},	   {"10.1.2.9", 3},
	    {"10.1.2.200", 4},	     {"10.1.2.3", 5},	   {"10.1.2.4", 3},
	    {"192.168.255.1", 6},    {"11.0.0.0", 7},	   {"255.255.255.255", 7},
	    {"2001:db8:ffff::1", 8}, {"2001:db8:1::1", 9}, {"2001:db8:1:2::5", 10},
	    {"2001:db9::", 11},	     {"fd00::1", 12},	   {"fd00::2", 11},
	};
	struct lpm *t = lpm_create(0);

	(void)state;
	assert_non_null(t);
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		struct cidr c = P(routes[i]);

		assert_int_equal(lpm_insert(t, &c, V(i + 1)), LPM_OK);
	}
	assert_int_equal(lpm_count(t), 12);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (look(t, cases[i].addr) != cases[i].want)
			fail_msg("%s: got %zu, want %zu", cases[i].addr,
				 (size_t)look(t, cases[i].addr), (size_t)cases[i].want);
	}
	/* Remove the middle of a chain and the defaults: lookups fall back a level. */
	struct cidr c = P("10.1.2.0/24");
	void *old = NULL;

	assert_int_equal(lpm_remove(t, &c, &old), LPM_OK);
	assert_ptr_equal(old, V(3));
	assert_int_equal(look(t, "10.1.2.9"), 2);
	assert_int_equal(look(t, "10.1.2.200"), 4);
	assert_int_equal(lpm_remove(t, &c, NULL), LPM_ERR_NOT_FOUND);
	c = P("0.0.0.0/0");
	assert_int_equal(lpm_remove(t, &c, NULL), LPM_OK);
	assert_int_equal(look(t, "11.0.0.0"), 0);
	assert_int_equal(look(t, "2001:db9::"), 11); /* the other family keeps its default */
	c = P("10.1.0.0/16");
	assert_ptr_equal(lpm_lookup_exact(t, &c), V(2));
	c = P("10.1.0.0/17");
	assert_null(lpm_lookup_exact(t, &c));
	assert_int_equal(lpm_count(t), 10);
	assert_true(lpm_validate(t));
	lpm_clear(t);
	assert_int_equal(lpm_count(t), 0);
	assert_int_equal(look(t, "10.1.2.3"), 0);
	lpm_free(t);
}

static void test_errors(void **state)
{
	struct lpm *t = lpm_create(2);
	struct cidr a = P("10.0.0.0/8"), b = P("10.0.0.0/9"), c = P("10.128.0.0/9");

	(void)state;
	assert_int_equal(lpm_insert(t, &a, NULL), LPM_ERR_INVALID);
	struct cidr host = a;

	host.addr.bytes[3] = 1;
	assert_int_equal(lpm_insert(t, &host, V(1)), LPM_ERR_INVALID);
	struct cidr toolong = a;

	toolong.len = 33;
	assert_int_equal(lpm_insert(t, &toolong, V(1)), LPM_ERR_INVALID);
	assert_int_equal(lpm_insert(t, &a, V(1)), LPM_OK);
	assert_int_equal(lpm_insert(t, &a, V(2)), LPM_ERR_EXISTS);
	assert_int_equal(lpm_insert(t, &b, V(2)), LPM_OK);
	/* The bound holds, and the refused insert changed nothing. */
	assert_int_equal(lpm_insert(t, &c, V(3)), LPM_ERR_FULL);
	assert_int_equal(lpm_count(t), 2);
	assert_int_equal(look(t, "10.200.0.0"), 1);
	assert_int_equal(lpm_remove(t, &toolong, NULL), LPM_ERR_INVALID);
	/* Re-inserting a prefix that survives as a branching node works and counts. */
	assert_int_equal(lpm_remove(t, &a, NULL), LPM_OK);
	assert_int_equal(lpm_insert(t, &c, V(3)), LPM_OK);
	assert_int_equal(lpm_insert(t, &a, V(1)), LPM_ERR_FULL);
	assert_int_equal(lpm_count(t), 2);
	assert_string_not_equal(lpm_strerror(LPM_ERR_FULL), "unknown error");
	lpm_free(t);
	lpm_free(NULL);
}

static void test_remove_value(void **state)
{
	struct lpm *t = lpm_create(0);
	const char *peer1[] = {"10.1.0.0/16", "10.1.5.0/24", "fd01::/64", "172.16.0.0/12"};
	const char *peer2[] = {"10.0.0.0/8", "10.1.4.0/24", "fd02::/64"};

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct cidr c = P(peer1[i]);

		assert_int_equal(lpm_insert(t, &c, V(1)), LPM_OK);
	}
	for (size_t i = 0; i < 3; i++) {
		struct cidr c = P(peer2[i]);

		assert_int_equal(lpm_insert(t, &c, V(2)), LPM_OK);
	}
	assert_int_equal(look(t, "10.1.5.1"), 1);
	assert_int_equal(lpm_remove_value(t, V(1)), 4);
	assert_int_equal(lpm_count(t), 3);
	assert_int_equal(look(t, "10.1.5.1"), 2);
	assert_int_equal(look(t, "10.1.4.1"), 2);
	assert_int_equal(look(t, "fd01::1"), 0);
	assert_int_equal(look(t, "172.16.0.1"), 0);
	assert_int_equal(look(t, "fd02::1"), 2);
	assert_int_equal(lpm_remove_value(t, V(1)), 0);
	lpm_free(t);
}

/* The naive reference: a list, scanned for the longest containing prefix. */
struct ref {
	struct cidr p[8192];
	uintptr_t v[8192];
	size_t n;
};

static uintptr_t ref_lookup(const struct ref *r, const struct ip_addr *a)
{
	int best = -1;
	uintptr_t v = 0;

	for (size_t i = 0; i < r->n; i++) {
		if (cidr_contains(&r->p[i], a) && (int)r->p[i].len > best) {
			best = r->p[i].len;
			v = r->v[i];
		}
	}
	return v;
}

static ssize_t ref_find(const struct ref *r, const struct cidr *c)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->p[i].len == c->len && ip_addr_equal(&r->p[i].addr, &c->addr))
			return (ssize_t)i;
	}
	return -1;
}

/*
 * Random prefixes drawn near a few bases, so they nest and share long stems (the interesting
 * shapes for a path-compressed trie); addresses drawn the same way, plus uniform ones.
 */
static void random_addr(enum ip_family f, struct ip_addr *a)
{
	static const uint8_t bases[3][16] = {
	    {10, 1, 2, 3, 0x20, 0x01, 0x0d, 0xb8},
	    {192, 168, 0, 0, 0xfd, 0},
	    {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0x11, 0x22},
	};
	size_t n = ip_family_len(f);

	memset(a, 0, sizeof(*a));
	a->family = f;
	if (rand() % 4 == 0) {
		for (size_t i = 0; i < n; i++)
			a->bytes[i] = (uint8_t)rand();
		return;
	}
	memcpy(a->bytes, bases[rand() % 3], n);
	/* Flip a few low-ish bits so the shared stems have random lengths. */
	for (int k = rand() % 4; k >= 0; k--) {
		size_t bit = (size_t)rand() % (n * 8);

		a->bytes[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	}
}

static void random_prefix(enum ip_family f, struct cidr *c)
{
	unsigned bits = ip_family_bits(f);

	random_addr(f, &c->addr);
	c->len = (uint8_t)(rand() % (bits + 1));
	*c = cidr_network(c);
}

static void check_lookups(const struct lpm *t, const struct ref *r, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		struct ip_addr a;

		random_addr(rand() % 2 ? IP_FAMILY_V4 : IP_FAMILY_V6, &a);
		uintptr_t want = ref_lookup(r, &a);
		uintptr_t got = (uintptr_t)lpm_lookup(t, a.family, a.bytes);

		if (got != want)
			fail_msg("lookup mismatch: got %zu want %zu", (size_t)got, (size_t)want);
	}
}

static void test_differential(void **state)
{
	struct ref *r = calloc(1, sizeof(*r));
	struct lpm *t = lpm_create(0);
	uintptr_t next = 1;

	(void)state;
	srand(12345);
	assert_non_null(r);
	for (int round = 0; round < 6000; round++) {
		struct cidr c;
		enum ip_family f = rand() % 2 ? IP_FAMILY_V4 : IP_FAMILY_V6;

		if (r->n > 0 && rand() % 3 == 0) {
			/* Remove a random present prefix, or try an absent one. */
			size_t i = (size_t)rand() % r->n;
			void *old;

			assert_int_equal(lpm_remove(t, &r->p[i], &old), LPM_OK);
			assert_ptr_equal(old, V(r->v[i]));
			r->p[i] = r->p[r->n - 1];
			r->v[i] = r->v[r->n - 1];
			r->n--;
			random_prefix(f, &c);
			int want = ref_find(r, &c) < 0 ? LPM_ERR_NOT_FOUND : LPM_OK;

			if (want == LPM_ERR_NOT_FOUND)
				assert_int_equal(lpm_remove(t, &c, NULL), LPM_ERR_NOT_FOUND);
		} else {
			random_prefix(f, &c);
			int want = ref_find(r, &c) < 0 ? LPM_OK : LPM_ERR_EXISTS;

			assert_int_equal(lpm_insert(t, &c, V(next)), want);
			if (want == LPM_OK) {
				assert_true(r->n < 8192);
				r->p[r->n] = c;
				r->v[r->n++] = next;
			}
			next++;
		}
		assert_int_equal(lpm_count(t), r->n);
		assert_true(lpm_validate(t));
		if (round % 500 == 0)
			check_lookups(t, r, 400);
	}
	check_lookups(t, r, 5000);
	/* A clone answers the same, and editing it leaves the original alone. */
	struct lpm *c = lpm_clone(t);

	assert_non_null(c);
	check_lookups(c, r, 2000);
	lpm_clear(c);
	check_lookups(t, r, 500);
	lpm_free(c);
	/* Remove everything through the API; the trie must end empty. */
	while (r->n > 0) {
		assert_int_equal(lpm_remove(t, &r->p[r->n - 1], NULL), LPM_OK);
		r->n--;
		assert_true(lpm_validate(t));
		if (r->n % 256 == 0)
			check_lookups(t, r, 50);
	}
	assert_int_equal(lpm_count(t), 0);
	lpm_free(t);
	free(r);
}

static void test_publish(void **state)
{
	_Atomic(struct lpm *) slot = NULL;
	struct lpm *a = lpm_create(0);
	struct cidr c = P("10.0.0.0/8");

	(void)state;
	assert_null(lpm_publish(&slot, a));
	struct lpm *b = lpm_clone(lpm_current(&slot));

	assert_int_equal(lpm_insert(b, &c, V(7)), LPM_OK);
	assert_int_equal(look(lpm_current(&slot), "10.1.1.1"), 0);
	assert_ptr_equal(lpm_publish(&slot, b), a);
	assert_int_equal(look(lpm_current(&slot), "10.1.1.1"), 7);
	lpm_free(a);
	lpm_free(lpm_publish(&slot, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),	 cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_remove_value), cmocka_unit_test(test_differential),
	    cmocka_unit_test(test_publish),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
