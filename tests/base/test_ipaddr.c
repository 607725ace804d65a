/* SPDX-License-Identifier: MIT */
/*
 * ipaddr: a table of valid inputs with their canonical form, and of invalid ones with the exact
 * error, for prefixes (strict, and masked as the configuration files read them), interface
 * addresses and plain addresses; network/contains/equal helpers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/ipaddr.h"

struct vcase {
	const char *in;
	const char *canon;
	enum ip_family family;
	unsigned len;
};

struct icase {
	const char *in;
	int err;
};

static const struct vcase prefixes[] = {
    {"192.0.2.0/24", "192.0.2.0/24", IP_FAMILY_V4, 24},
    {"0.0.0.0/0", "0.0.0.0/0", IP_FAMILY_V4, 0},
    {"10.0.0.1/32", "10.0.0.1/32", IP_FAMILY_V4, 32},
    {"192.168.1.100/32", "192.168.1.100/32", IP_FAMILY_V4, 32}, /* the original's example */
    {"10.128.0.0/9", "10.128.0.0/9", IP_FAMILY_V4, 9},
    {"2001:db8::/64", "2001:db8::/64", IP_FAMILY_V6, 64},
    {"2001:DB8:0:0::/48", "2001:db8::/48", IP_FAMILY_V6, 48},
    {"::/0", "::/0", IP_FAMILY_V6, 0},
    {"::1/128", "::1/128", IP_FAMILY_V6, 128},
    {"fd00:0:0:1::/64", "fd00:0:0:1::/64", IP_FAMILY_V6, 64},
    {"::ffff:192.0.2.0/120", "::ffff:192.0.2.0/120", IP_FAMILY_V6, 120},
    {"2001:db8::8000/113", "2001:db8::8000/113", IP_FAMILY_V6, 113},
};

static const struct icase bad_prefixes[] = {
    {"", CIDR_ERR_EMPTY},
    {"192.0.2.0", CIDR_ERR_LEN},
    {"192.0.2.0/", CIDR_ERR_LEN},
    {"192.0.2.0/33", CIDR_ERR_LEN},
    {"192.0.2.0/024", CIDR_ERR_LEN},
    {"192.0.2.0/+24", CIDR_ERR_LEN},
    {"192.0.2.0/-1", CIDR_ERR_LEN},
    {"192.0.2.0/24 ", CIDR_ERR_LEN},
    {"192.0.2.0/2a", CIDR_ERR_LEN},
    {"192.0.2.0/1000", CIDR_ERR_LEN},
    {"192.0.2.0/24/24", CIDR_ERR_LEN},
    {" 192.0.2.0/24", CIDR_ERR_ADDR},
    {"192.0.2/24", CIDR_ERR_ADDR},
    {"192.0.02.0/24", CIDR_ERR_ADDR},
    {"192.0.2.256/32", CIDR_ERR_ADDR},
    {"0x0a.0.0.0/8", CIDR_ERR_ADDR},
    {"/24", CIDR_ERR_ADDR},
    {"fe80::1%eth0/64", CIDR_ERR_ADDR},
    {"2001:db8:::/64", CIDR_ERR_ADDR},
    {"2001:db8::/129", CIDR_ERR_LEN},
    {"1:2:3:4:5:6:7:8:9/64", CIDR_ERR_ADDR},
    {"12345::/16", CIDR_ERR_ADDR},
    {"192.0.2.1/24", CIDR_ERR_HOST_BITS},
    {"11.0.0.0/7", CIDR_ERR_HOST_BITS},
    {"2001:db8::1/64", CIDR_ERR_HOST_BITS},
    {"2001:db8::8000/112", CIDR_ERR_HOST_BITS},
    {"1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc:dddd:eeee/64", CIDR_ERR_TOO_LONG},
};

static void test_prefix_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		struct cidr c;
		char buf[CIDR_STRLEN];

		assert_int_equal(cidr_parse(prefixes[i].in, &c), CIDR_OK);
		assert_int_equal(c.addr.family, prefixes[i].family);
		assert_int_equal(c.len, prefixes[i].len);
		assert_int_equal(cidr_format(&c, buf, sizeof(buf)), CIDR_OK);
		assert_string_equal(buf, prefixes[i].canon);
		/* The canonical form parses back to the same prefix. */
		struct cidr again;

		assert_int_equal(cidr_parse(buf, &again), CIDR_OK);
		assert_memory_equal(&again.addr.bytes, &c.addr.bytes, sizeof(c.addr.bytes));
		assert_int_equal(again.len, c.len);
	}
}

static void test_prefix_invalid(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_prefixes) / sizeof(bad_prefixes[0]); i++) {
		struct cidr c;
		int err = cidr_parse(bad_prefixes[i].in, &c);

		if (err != bad_prefixes[i].err)
			fail_msg("'%s': got %d, want %d", bad_prefixes[i].in, err,
				 bad_prefixes[i].err);
	}
	struct cidr c;

	assert_int_equal(cidr_parse(NULL, &c), CIDR_ERR_EMPTY);
	assert_string_not_equal(cidr_strerror(CIDR_ERR_HOST_BITS), "unknown error");
}

/*
 * The configuration files' rule (cidr_parse_masked): host bits are cleared, as Go's
 * net.ParseCIDR did for the original; everything else is rejected as cidr_parse rejects it.
 */
static const struct vcase masked[] = {
    {"192.168.1.100/24", "192.168.1.0/24", IP_FAMILY_V4, 24}, /* docs/configuration.md */
    {"10.1.0.0/16", "10.1.0.0/16", IP_FAMILY_V4, 16},
    {"11.0.0.0/7", "10.0.0.0/7", IP_FAMILY_V4, 7},
    {"255.255.255.255/0", "0.0.0.0/0", IP_FAMILY_V4, 0},
    {"10.0.0.1/32", "10.0.0.1/32", IP_FAMILY_V4, 32},
    {"fd00:1::/64", "fd00:1::/64", IP_FAMILY_V6, 64},
    {"2001:db8::1/64", "2001:db8::/64", IP_FAMILY_V6, 64},
    {"2001:db8::ffff/113", "2001:db8::8000/113", IP_FAMILY_V6, 113},
    {"FD00::1:2:3:4/128", "fd00::1:2:3:4/128", IP_FAMILY_V6, 128},
    {"::ffff:192.0.2.77/120", "::ffff:192.0.2.0/120", IP_FAMILY_V6, 120},
};

static void test_prefix_masked(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		struct cidr c, again;
		char buf[CIDR_STRLEN];

		assert_int_equal(cidr_parse_masked(masked[i].in, &c), CIDR_OK);
		assert_int_equal(c.addr.family, masked[i].family);
		assert_int_equal(c.len, masked[i].len);
		assert_int_equal(cidr_format(&c, buf, sizeof(buf)), CIDR_OK);
		assert_string_equal(buf, masked[i].canon);
		/* The result is a network: the strict parser takes its canonical form as is. */
		assert_int_equal(cidr_parse(buf, &again), CIDR_OK);
		assert_true(cidr_equal(&again, &c));
	}
	/* Every strict rejection but host bits is a rejection here too, with the same error. */
	for (size_t i = 0; i < sizeof(bad_prefixes) / sizeof(bad_prefixes[0]); i++) {
		struct cidr c;
		int want =
		    bad_prefixes[i].err == CIDR_ERR_HOST_BITS ? CIDR_OK : bad_prefixes[i].err;
		int err = cidr_parse_masked(bad_prefixes[i].in, &c);

		if (err != want)
			fail_msg("'%s': got %d, want %d", bad_prefixes[i].in, err, want);
	}
}

/* A failed parse leaves the output alone (the config parsers fill arrays in place). */
static void test_untouched_on_error(void **state)
{
	struct cidr c, before;
	struct ip_addr a, abefore;

	(void)state;
	assert_int_equal(cidr_parse("10.1.0.0/16", &c), CIDR_OK);
	before = c;
	assert_int_equal(cidr_parse("10.1.0.1/16", &c), CIDR_ERR_HOST_BITS);
	assert_int_equal(cidr_parse_masked("10.1.0.1/99", &c), CIDR_ERR_LEN);
	assert_int_equal(cidr_parse_iface("fd00::1/", &c), CIDR_ERR_LEN);
	assert_true(cidr_equal(&c, &before));
	assert_int_equal(ip_addr_parse("fd00::1", &a), CIDR_OK);
	abefore = a;
	assert_int_equal(ip_addr_parse("fd00::1::2", &a), CIDR_ERR_ADDR);
	assert_true(ip_addr_equal(&a, &abefore));
}

static void test_equal(void **state)
{
	struct cidr a, b;

	(void)state;
	assert_int_equal(cidr_parse("10.0.0.0/8", &a), CIDR_OK);
	assert_int_equal(cidr_parse_masked("10.9.9.9/8", &b), CIDR_OK);
	assert_true(cidr_equal(&a, &b));
	assert_int_equal(cidr_parse("10.0.0.0/9", &b), CIDR_OK);
	assert_false(cidr_equal(&a, &b)); /* same address, other length */
	assert_int_equal(cidr_parse("::a00:0/8", &b), CIDR_ERR_HOST_BITS);
	assert_int_equal(cidr_parse("::a00:0/104", &b), CIDR_OK);
	assert_false(cidr_equal(&a, &b)); /* same low bytes, other family */
	assert_int_equal(cidr_parse_iface("10.0.0.1/8", &b), CIDR_OK);
	assert_false(cidr_equal(&a, &b)); /* host bits count */
	b = cidr_network(&b);
	assert_true(cidr_equal(&a, &b));
}

static void test_iface(void **state)
{
	struct cidr c;
	char buf[CIDR_STRLEN];

	(void)state;
	assert_int_equal(cidr_parse_iface("10.99.0.1/24", &c), CIDR_OK);
	assert_int_equal(c.len, 24);
	assert_int_equal(cidr_format(&c, buf, sizeof(buf)), CIDR_OK);
	assert_string_equal(buf, "10.99.0.1/24");
	struct cidr net = cidr_network(&c);

	assert_int_equal(cidr_format(&net, buf, sizeof(buf)), CIDR_OK);
	assert_string_equal(buf, "10.99.0.0/24");
	assert_int_equal(cidr_parse_iface("192.168.1.100", &c), CIDR_OK);
	assert_int_equal(c.len, 32);
	assert_int_equal(cidr_parse_iface("fd00::1", &c), CIDR_OK);
	assert_int_equal(c.len, 128);
	assert_int_equal(cidr_parse_iface("fd00::1/64", &c), CIDR_OK);
	assert_int_equal(c.len, 64);
	assert_int_equal(cidr_parse_iface("fd00::1/", &c), CIDR_ERR_LEN);
	assert_int_equal(cidr_parse_iface("10.0.0.1/33", &c), CIDR_ERR_LEN);
	assert_int_equal(cidr_parse_iface("10.0.0.01", &c), CIDR_ERR_ADDR);
}

static void test_addr(void **state)
{
	struct ip_addr a, b;
	char buf[CIDR_STRLEN];

	(void)state;
	assert_int_equal(ip_addr_parse("192.0.2.1", &a), CIDR_OK);
	assert_int_equal(a.family, IP_FAMILY_V4);
	assert_int_equal(a.bytes[3], 1);
	assert_int_equal(ip_addr_parse("192.0.2.1/32", &a), CIDR_ERR_ADDR);
	assert_int_equal(ip_addr_parse("2001:0db8:0000:0000:0000:0000:0000:0001", &b), CIDR_OK);
	assert_int_equal(ip_addr_format(&b, buf, sizeof(buf)), CIDR_OK);
	assert_string_equal(buf, "2001:db8::1");
	assert_int_equal(ip_addr_format(&b, buf, 5), CIDR_ERR_SPACE);
	assert_int_equal(ip_addr_format(&b, buf, 12), CIDR_OK); /* exactly "2001:db8::1" + NUL */
	assert_int_equal(ip_addr_format(&b, buf, 11), CIDR_ERR_SPACE);
	assert_false(ip_addr_equal(&a, &b));
	assert_int_equal(ip_addr_parse("", &a), CIDR_ERR_EMPTY);
}

static void test_contains(void **state)
{
	struct cidr c;
	struct ip_addr a;

	(void)state;
	assert_int_equal(cidr_parse("10.128.0.0/9", &c), CIDR_OK);
	assert_int_equal(ip_addr_parse("10.200.1.1", &a), CIDR_OK);
	assert_true(cidr_contains(&c, &a));
	assert_int_equal(ip_addr_parse("10.127.255.255", &a), CIDR_OK);
	assert_false(cidr_contains(&c, &a));
	assert_int_equal(ip_addr_parse("::a80:1", &a), CIDR_OK);
	assert_false(cidr_contains(&c, &a)); /* other family */
	assert_int_equal(cidr_parse("::/0", &c), CIDR_OK);
	assert_true(cidr_contains(&c, &a));
	/* The configuration's allowedSubnets check: masked prefix, boundary addresses. */
	assert_int_equal(cidr_parse_masked("fd00:1::5/64", &c), CIDR_OK);
	assert_int_equal(ip_addr_parse("fd00:1::ffff:ffff:ffff:ffff", &a), CIDR_OK);
	assert_true(cidr_contains(&c, &a));
	assert_int_equal(ip_addr_parse("fd00:1:0:1::", &a), CIDR_OK);
	assert_false(cidr_contains(&c, &a));
	assert_int_equal(cidr_parse_masked("10.1.2.3/32", &c), CIDR_OK);
	assert_int_equal(ip_addr_parse("10.1.2.3", &a), CIDR_OK);
	assert_true(cidr_contains(&c, &a));
	assert_int_equal(ip_addr_parse("10.1.2.2", &a), CIDR_OK);
	assert_false(cidr_contains(&c, &a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prefix_valid),  cmocka_unit_test(test_prefix_invalid),
	    cmocka_unit_test(test_prefix_masked), cmocka_unit_test(test_untouched_on_error),
	    cmocka_unit_test(test_equal),	  cmocka_unit_test(test_iface),
	    cmocka_unit_test(test_addr),	  cmocka_unit_test(test_contains),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
