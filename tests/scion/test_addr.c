/* SPDX-License-Identifier: MIT */
/*
 * ISD-AS, SCION address and SCION UDP address parsing and formatting. The valid and invalid
 * inputs include the cases of scionproto's pkg/addr/addr_test.go and pkg/snet/udpaddr_test.go
 * (with our documented differences: port required, no IPv6 zones) and the edge cases of
 * Go's strconv.ParseUint that pkg/addr inherits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <seg/scion_addr.h>

#define IA(isd, as) ((uint64_t)(isd) << SCION_AS_BITS | (uint64_t)(as))

struct ia_case {
	const char *in;
	int err;
	scion_ia_t ia;
	const char *canonical; /* NULL: same as in */
};

static const struct ia_case ia_cases[] = {
    {"1-ff00:0:110", 0, IA(1, 0xff0000000110), NULL},
    {"1-64512", 0, IA(1, 64512), NULL},
    {"0-0", 0, IA(0, 0), NULL},
    {"1-0", 0, IA(1, 0), NULL},
    {"0-ff00:0:110", 0, IA(0, 0xff0000000110), NULL},
    {"65535-ffff:ffff:ffff", 0, IA(65535, 0xffffffffffff), NULL},
    {"1-4294967295", 0, IA(1, 0xffffffff), NULL},
    {"1-0:1:0", 0, IA(1, 0x10000), "1-65536"},
    {"1-0:ffff:ffff", 0, IA(1, 0xffffffff), "1-4294967295"},
    {"1-1:0:0", 0, IA(1, 0x100000000), NULL},
    {"1-0:0:0", 0, IA(1, 0), "1-0"},
    {"1-FF00:0:110", 0, IA(1, 0xff0000000110), "1-ff00:0:110"},
    {"1-Ff00:000A:0110", 0, IA(1, 0xff00000a0110), "1-ff00:a:110"},
    {"01-064512", 0, IA(1, 64512), "1-64512"},
    /* Go's ParseUint takes leading zeros beyond four digits; so does the reference. */
    {"1-00000ff00:0:110", 0, IA(1, 0xff0000000110), "1-ff00:0:110"},
    {"2-ffaa:1:0", 0, IA(2, 0xffaa00010000), NULL},
    {"", SCION_ADDR_ERR_EMPTY, 0, NULL},
    {"1", SCION_ADDR_ERR_SEPARATOR, 0, NULL},
    {"ff00:0:110", SCION_ADDR_ERR_SEPARATOR, 0, NULL},
    {"1-2-3", SCION_ADDR_ERR_SEPARATOR, 0, NULL},
    {"1--1", SCION_ADDR_ERR_SEPARATOR, 0, NULL},
    {"1-", SCION_ADDR_ERR_AS, 0, NULL},
    {"-1", SCION_ADDR_ERR_ISD, 0, NULL},
    {"65536-1", SCION_ADDR_ERR_ISD, 0, NULL},
    {"a-1", SCION_ADDR_ERR_ISD, 0, NULL},
    {"+1-1", SCION_ADDR_ERR_ISD, 0, NULL},
    {" 1-1", SCION_ADDR_ERR_ISD, 0, NULL},
    {"99999999999999999999-1", SCION_ADDR_ERR_ISD, 0, NULL},
    {"1-4294967296", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-99999999999999999999999", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ff00", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ff00:0", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ff00:0:110:1", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ff00::110", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-:0:0", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-0:0:", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-10000:0:1", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ffff:ffff:ffff0", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-0x1:0:0", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ff00:0:11g", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ff00:0:110 ", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-1_000", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-+5", SCION_ADDR_ERR_AS, 0, NULL},
    {"1-ff00_0_110", SCION_ADDR_ERR_AS, 0, NULL},
};

static void test_ia_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ia_cases) / sizeof(ia_cases[0]); i++) {
		const struct ia_case *c = &ia_cases[i];
		scion_ia_t ia = 0x1234;
		char buf[SCION_IA_STRLEN];
		int err = scion_ia_parse(c->in, strlen(c->in), &ia);

		if (err != c->err)
			fail_msg("\"%s\": got %d, want %d", c->in, err, c->err);
		if (err) {
			assert_int_equal(ia, 0x1234); /* untouched on error */
			continue;
		}
		if (ia != c->ia)
			fail_msg("\"%s\": got %#llx, want %#llx", c->in, (unsigned long long)ia,
				 (unsigned long long)c->ia);
		assert_int_equal(scion_ia_format(ia, buf, sizeof(buf)), 0);
		assert_string_equal(buf, c->canonical ? c->canonical : c->in);
	}
}

static void test_ia_parse_is_length_bounded(void **state)
{
	static const char s[] = "1-ff00:0:110,127.0.0.1:80";
	scion_ia_t ia;
	uint64_t as;

	(void)state;
	assert_int_equal(scion_ia_parse(s, 12, &ia), 0);
	assert_int_equal(ia, IA(1, 0xff0000000110));
	assert_int_equal(scion_ia_parse(s, 11, &ia), 0);
	assert_int_equal(ia, IA(1, 0xff0000000011));
	assert_int_equal(scion_ia_parse(s, 13, &ia), SCION_ADDR_ERR_AS);
	assert_int_equal(scion_ia_parse(s, 0, &ia), SCION_ADDR_ERR_EMPTY);
	assert_int_equal(scion_ia_parse("1-1\0"
					"5",
					5, &ia),
			 SCION_ADDR_ERR_AS);
	assert_int_equal(scion_as_parse("64512", 5, &as), 0);
	assert_int_equal(as, 64512);
	assert_int_equal(scion_as_parse("ff00:0:110", 10, &as), 0);
	assert_int_equal(as, 0xff0000000110);
	assert_int_equal(scion_as_parse("", 0, &as), SCION_ADDR_ERR_AS);
}

static void test_as_format(void **state)
{
	char buf[SCION_IA_STRLEN];

	(void)state;
	assert_int_equal(scion_as_format(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0");
	assert_int_equal(scion_as_format(0xffffffff, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "4294967295");
	assert_int_equal(scion_as_format(0x100000000, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1:0:0");
	assert_int_equal(scion_as_format(0xffffffffffff, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ffff:ffff:ffff");
	assert_int_equal(scion_as_format(0x1000000000000, buf, sizeof(buf)), SCION_ADDR_ERR_AS);
	/* The longest IA fits SCION_IA_STRLEN. */
	assert_int_equal(scion_ia_format(IA(65535, 0xffffffffffff), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "65535-ffff:ffff:ffff");
}

/* Every truncated buffer fails with SPACE and the exact size succeeds. */
static void test_format_space(void **state)
{
	struct scion_udp_addr a;
	char want[SCION_UDP_ADDR_STRLEN], buf[SCION_UDP_ADDR_STRLEN];
	size_t n;

	(void)state;
	assert_int_equal(scion_udp_addr_parse("[1-ff00:0:110,2001:db8::1]:443", &a), 0);
	assert_int_equal(scion_udp_addr_format(&a, want, sizeof(want)), 0);
	n = strlen(want);
	for (size_t cap = 0; cap <= n; cap++) {
		assert_int_equal(scion_udp_addr_format(&a, buf, cap), SCION_ADDR_ERR_SPACE);
		assert_int_equal(scion_addr_format(&a.addr, buf, cap < 10 ? cap : 10),
				 SCION_ADDR_ERR_SPACE);
	}
	assert_int_equal(scion_udp_addr_format(&a, buf, n + 1), 0);
	assert_string_equal(buf, want);
	for (size_t cap = 0; cap < sizeof("1-ff00:0:110"); cap++)
		assert_int_equal(scion_ia_format(a.addr.ia, buf, cap), SCION_ADDR_ERR_SPACE);
}

enum kind { UDP, ADDR };

struct addr_case {
	enum kind kind;
	const char *in;
	int err;
	scion_ia_t ia;
	enum scion_host_type type;
	uint8_t ip[16];
	uint16_t svc;
	uint16_t port;
	const char *canonical; /* NULL: same as in */
};

#define V4(a, b, c, d) SCION_HOST_IPV4, {a, b, c, d}, 0
#define V6(...)	       SCION_HOST_IPV6, {__VA_ARGS__}, 0
#define SVC(v)	       SCION_HOST_SVC, {0}, v
#define NOHOST	       SCION_HOST_IPV4, {0}, 0
#define BAD(k, s, e)                        \
	{                                   \
		k, s, e, 0, NOHOST, 0, NULL \
	}

static const struct addr_case addr_cases[] = {
    /* scion_addr_parse: IA,HOST */
    {ADDR, "1-ff00:0:110,127.0.0.1", 0, IA(1, 0xff0000000110), V4(127, 0, 0, 1), 0, NULL},
    {ADDR, "6-ffaa:0:123,198.51.100.1", 0, IA(6, 0xffaa00000123), V4(198, 51, 100, 1), 0, NULL},
    {ADDR, "0-0,0.0.0.0", 0, IA(0, 0), V4(0, 0, 0, 0), 0, NULL},
    {ADDR, "0-0,::", 0, IA(0, 0), V6(0), 0, NULL},
    {ADDR, "1-ffaa:0:1101,::1", 0, IA(1, 0xffaa00001101), V6([15] = 1), 0, NULL},
    {ADDR, "65535-1,ff00::1", 0, IA(65535, 1), V6(0xff, [15] = 1), 0, NULL},
    {ADDR, "1-1:fcd1:1,::ffff:192.0.2.128", 0, IA(1, 0x0001fcd10001),
     V6([10] = 0xff, 0xff, 192, 0, 2, 128), 0, NULL},
    {ADDR, "1-ff00:0:110,2001:DB8::A", 0, IA(1, 0xff0000000110),
     V6(0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a), 0, "1-ff00:0:110,2001:db8::a"},
    {ADDR, "1-ffaa:0:1101,CS", 0, IA(1, 0xffaa00001101), SVC(0x0002), 0, NULL},
    {ADDR, "1-ffaa:0:1101,DS_A", 0, IA(1, 0xffaa00001101), SVC(0x0001), 0, "1-ffaa:0:1101,DS"},
    {ADDR, "1-ffaa:0:1101,CS_M", 0, IA(1, 0xffaa00001101), SVC(0x8002), 0, NULL},
    {ADDR, "1-ffaa:0:1101,Wildcard", 0, IA(1, 0xffaa00001101), SVC(0x0010), 0, NULL},
    BAD(ADDR, "", SCION_ADDR_ERR_EMPTY),
    BAD(ADDR, ",", SCION_ADDR_ERR_ISD),
    BAD(ADDR, "a", SCION_ADDR_ERR_SYNTAX),
    BAD(ADDR, "0-0::", SCION_ADDR_ERR_SYNTAX),
    BAD(ADDR, "0-0,::,", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1,ffaa:0:1101::", SCION_ADDR_ERR_SEPARATOR),
    BAD(ADDR, "65536-1,ff00::1", SCION_ADDR_ERR_ISD),
    BAD(ADDR, "[1-ffaa:0:1101,127.0.0.1]", SCION_ADDR_ERR_ISD),
    BAD(ADDR, "1-ff00:0:110,", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,127.0.0.1:80", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,[::1]", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,fe80::1%eth0", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,01.2.3.4", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,1.2.3", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,256.1.1.1", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,1:2:3:4:5:6:7:8:9", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,cs", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,CS_X", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,CS_A_M", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,_M", SCION_ADDR_ERR_HOST),
    BAD(ADDR, "1-ff00:0:110,0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:1",
	SCION_ADDR_ERR_HOST),

    /* scion_udp_addr_parse: the snet form IA,IPv4:port and IA,[IP]:port */
    {UDP, "1-ff00:0:110,127.0.0.1:31000", 0, IA(1, 0xff0000000110), V4(127, 0, 0, 1), 31000, NULL},
    {UDP, "1-ff00:0:320,1.2.3.4:10000", 0, IA(1, 0xff0000000320), V4(1, 2, 3, 4), 10000, NULL},
    {UDP, "1-ff00:0:300,1.2.3.4:0", 0, IA(1, 0xff0000000300), V4(1, 2, 3, 4), 0, NULL},
    {UDP, "50-ff00:0:350,1.1.1.1:5", 0, IA(50, 0xff0000000350), V4(1, 1, 1, 1), 5, NULL},
    {UDP, "1-64512,10.0.0.1:65535", 0, IA(1, 64512), V4(10, 0, 0, 1), 65535, NULL},
    {UDP, "1-ff00:0:300,[1.2.3.4]:80", 0, IA(1, 0xff0000000300), V4(1, 2, 3, 4), 80,
     "1-ff00:0:300,1.2.3.4:80"},
    {UDP, "1-ff00:0:302,[::1]:60000", 0, IA(1, 0xff0000000302), V6([15] = 1), 60000,
     "[1-ff00:0:302,::1]:60000"},
    {UDP, "1-ff00:0:110,[2001:db8::1]:443", 0, IA(1, 0xff0000000110),
     V6(0x20, 0x01, 0x0d, 0xb8, [15] = 1), 443, "[1-ff00:0:110,2001:db8::1]:443"},
    {UDP, "1-ff00:0:110,CS:30252", 0, IA(1, 0xff0000000110), SVC(0x0002), 30252, NULL},
    /* the pkg/addr form [IA,HOST]:port */
    {UDP, "[1-ff00:0:110,::1]:31000", 0, IA(1, 0xff0000000110), V6([15] = 1), 31000, NULL},
    {UDP, "[1-ff00:0:110,127.0.0.1]:31000", 0, IA(1, 0xff0000000110), V4(127, 0, 0, 1), 31000,
     "1-ff00:0:110,127.0.0.1:31000"},
    {UDP, "[0-0,::]:0", 0, IA(0, 0), V6(0), 0, NULL},
    {UDP, "[0-0,::]:65535", 0, IA(0, 0), V6(0), 65535, NULL},
    {UDP, "[0-0,0.0.0.0]:1234", 0, IA(0, 0), V4(0, 0, 0, 0), 1234, "0-0,0.0.0.0:1234"},
    {UDP, "[1-ffaa:0:1101,::1]:54321", 0, IA(1, 0xffaa00001101), V6([15] = 1), 54321, NULL},
    {UDP, "[1-ffaa:0:1101,127.0.0.1]:010", 0, IA(1, 0xffaa00001101), V4(127, 0, 0, 1), 10,
     "1-ffaa:0:1101,127.0.0.1:10"},
    {UDP, "[1-ffaa:0:1101,CS]:42", 0, IA(1, 0xffaa00001101), SVC(0x0002), 42,
     "1-ffaa:0:1101,CS:42"},
    {UDP, "[65535-1,ff00::1]:8888", 0, IA(65535, 1), V6(0xff, [15] = 1), 8888, NULL},
    {UDP, "[1-1:fcd1:1,::ffff:192.0.2.128]:0000000000000000000080", 0, IA(1, 0x0001fcd10001),
     V6([10] = 0xff, 0xff, 192, 0, 2, 128), 80, "[1-1:fcd1:1,::ffff:192.0.2.128]:80"},
    {UDP, "[65535-ffff:ffff:ffff,ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", 0,
     IA(65535, 0xffffffffffff),
     V6(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff),
     65535, NULL},
    BAD(UDP, "", SCION_ADDR_ERR_EMPTY),
    BAD(UDP, "foo", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "5-", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "2-ff00:0:300,[", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "5-ff00:0:300,[]:", SCION_ADDR_ERR_HOST),
    BAD(UDP, "5-ff00:0:300,[127.0.0.1]:", SCION_ADDR_ERR_PORT),
    BAD(UDP, "40-ff00:0:300,[]:19", SCION_ADDR_ERR_HOST),
    BAD(UDP, "1-ff00:0:300,[]:13,[f", SCION_ADDR_ERR_HOST),
    BAD(UDP, "1-ff00:0:300,[hostthatdoesnotexistforsure]:12", SCION_ADDR_ERR_HOST),
    BAD(UDP, "1-ff00:0:300]:14,[1.2.3.4]", SCION_ADDR_ERR_AS),
    BAD(UDP, "1-ff00:0:300,[1.2.3.4]:70000", SCION_ADDR_ERR_PORT),
    BAD(UDP, "1-ff00:0:300,[1.2.3.4]]", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "1-ff00:0:300,::1:60000", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "1-ff00:0:302,::1", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "1-ff000:0:0,192.168.1.1:80", SCION_ADDR_ERR_AS),
    BAD(UDP, "1-ff00:0:1,192.1688.1.1:80", SCION_ADDR_ERR_HOST),
    BAD(UDP, "1-ff00:0:1,192.168.1.1:123456", SCION_ADDR_ERR_PORT),
    BAD(UDP, "1-ff00:0:1x192.168.1.1:80", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "1-ff00:0:301,1.2.3.4", SCION_ADDR_ERR_PORT),
    BAD(UDP, "1-ff00:0:301,[1.2.3.4]", SCION_ADDR_ERR_PORT),
    BAD(UDP, "1-ff00:0:302,[::1%some-zone]:60000", SCION_ADDR_ERR_HOST),
    BAD(UDP, "1-ff00:0:110,127.0.0.1:80 ", SCION_ADDR_ERR_PORT),
    BAD(UDP, " 1-ff00:0:110,127.0.0.1:80", SCION_ADDR_ERR_ISD),
    BAD(UDP, "1-ff00:0:110,127.0.0.1:+80", SCION_ADDR_ERR_PORT),
    BAD(UDP, "1-ff00:0:110,127.0.0.1:", SCION_ADDR_ERR_PORT),
    BAD(UDP, "1-ff00:0:110,:80", SCION_ADDR_ERR_HOST),
    BAD(UDP, "1-ff00:0:110,[::1]x:80", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "[]", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "[]:", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "[0-0,::]:65536", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[0-0,::]:http", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[0-0,::]:a", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1]", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1]:", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1]:0xff", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1]:ff", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1]:-1", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1]:666666", SCION_ADDR_ERR_PORT),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1]x80", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "[1-ffaa:0:1101,127.0.0.1:80", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "[[1-ff00:0:110,::1]]:80", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "[1-ff00:0:110,[::1]]:80", SCION_ADDR_ERR_SYNTAX),
    BAD(UDP, "[1-ff00:0:110,::1]:80:80", SCION_ADDR_ERR_PORT),
};

static size_t host_len(enum scion_host_type t)
{
	return t == SCION_HOST_IPV6 ? 16 : 4;
}

static void check_valid(const struct addr_case *c)
{
	struct scion_udp_addr u;
	struct scion_addr *a = &u.addr;
	char buf[SCION_UDP_ADDR_STRLEN];
	int err;

	memset(&u, 0, sizeof(u));
	err = c->kind == UDP ? scion_udp_addr_parse(c->in, &u) : scion_addr_parse(c->in, a);
	if (err)
		fail_msg("\"%s\": got %d (%s), want success", c->in, err, scion_addr_strerror(err));
	if (a->ia != c->ia)
		fail_msg("\"%s\": IA %#llx, want %#llx", c->in, (unsigned long long)a->ia,
			 (unsigned long long)c->ia);
	assert_int_equal(a->host.type, c->type);
	if (c->type == SCION_HOST_SVC)
		assert_int_equal(a->host.svc, c->svc);
	else
		assert_memory_equal(a->host.ip, c->ip, host_len(c->type));
	assert_int_equal(u.port, c->port);

	err = c->kind == UDP ? scion_udp_addr_format(&u, buf, sizeof(buf))
			     : scion_addr_format(a, buf, sizeof(buf));
	assert_int_equal(err, 0);
	assert_string_equal(buf, c->canonical ? c->canonical : c->in);
}

static void test_addr_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];
		struct scion_udp_addr u, before;
		int err;

		if (c->err == 0) {
			check_valid(c);
			continue;
		}
		memset(&u, 0xa5, sizeof(u));
		before = u;
		err = c->kind == UDP ? scion_udp_addr_parse(c->in, &u)
				     : scion_addr_parse(c->in, &u.addr);
		if (err != c->err)
			fail_msg("\"%s\": got %d (%s), want %d (%s)", c->in, err,
				 scion_addr_strerror(err), c->err, scion_addr_strerror(c->err));
		assert_memory_equal(&u, &before, sizeof(u)); /* untouched on error */
	}
}

static void test_svc_format(void **state)
{
	struct scion_addr a = {.ia = IA(1, 0xff0000000110)};
	char buf[SCION_UDP_ADDR_STRLEN];

	(void)state;
	a.host.type = SCION_HOST_SVC;
	a.host.svc = 0x8010;
	assert_int_equal(scion_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-ff00:0:110,Wildcard_M");
	a.host.svc = 0x0123;
	assert_int_equal(scion_addr_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1-ff00:0:110,<SVC:0x0123>");
	a.host.type = (enum scion_host_type)7;
	assert_int_equal(scion_addr_format(&a, buf, sizeof(buf)), SCION_ADDR_ERR_HOST);
}

static void test_strerror(void **state)
{
	static const int errs[] = {SCION_ADDR_ERR_EMPTY,     SCION_ADDR_ERR_ISD,
				   SCION_ADDR_ERR_SEPARATOR, SCION_ADDR_ERR_AS,
				   SCION_ADDR_ERR_HOST,	     SCION_ADDR_ERR_PORT,
				   SCION_ADDR_ERR_SYNTAX,    SCION_ADDR_ERR_SPACE};
	const char *unknown = scion_addr_strerror(-1000);

	(void)state;
	assert_string_equal(scion_addr_strerror(0), "success");
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		assert_string_not_equal(scion_addr_strerror(errs[i]), unknown);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(scion_addr_strerror(errs[i]),
						scion_addr_strerror(errs[j]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ia_table),   cmocka_unit_test(test_ia_parse_is_length_bounded),
	    cmocka_unit_test(test_as_format),  cmocka_unit_test(test_format_space),
	    cmocka_unit_test(test_addr_table), cmocka_unit_test(test_svc_format),
	    cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
