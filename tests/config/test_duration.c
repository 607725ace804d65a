// SPDX-License-Identifier: MIT
/* Go-style durations: a table of accepted and rejected strings, and format round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/time.h"
#include "config/duration.h"

struct good {
	const char *in;
	uint64_t ns;
	const char *canonical; /* seg_duration_format of ns */
};

static const struct good goods[] = {
    {"0", 0, "0s"},
    {"+0", 0, "0s"},
    {"0s", 0, "0s"},
    {"300ms", SEG_MS(300), "300ms"},
    {"1s", SEG_SEC(1), "1s"},
    {"1.5s", SEG_MS(1500), "1.5s"},
    {"1m30s", SEG_SEC(90), "1m30s"},
    {"90s", SEG_SEC(90), "1m30s"},
    {"2h45m", SEG_SEC(2 * 3600 + 45 * 60), "2h45m0s"},
    {"1h", SEG_SEC(3600), "1h0m0s"},
    {"150s", SEG_SEC(150), "2m30s"},
    {"30ms", SEG_MS(30), "30ms"},
    {"1ns", 1, "1ns"},
    {"999ns", 999, "999ns"},
    {"1us", 1000, "1us"},
    {"1\xc2\xb5s", 1000, "1us"}, /* micro sign */
    {"1\xce\xbcs", 1000, "1us"}, /* Greek mu */
    {"1.5us", 1500, "1.5us"},
    {"1.000001ms", 1000001, "1.000001ms"},
    {".5s", SEG_MS(500), "500ms"},
    {"1.s", SEG_SEC(1), "1s"},
    {"1.000000001s", SEG_SEC(1) + 1, "1.000000001s"},
    {"1.0000000019s", SEG_SEC(1) + 1, "1.000000001s"}, /* below a ns: truncated */
    {"1h1m1s1ms1us1ns", SEG_SEC(3661) + 1001001, "1h1m1.001001001s"},
    {"1s1s", SEG_SEC(2), "2s"},
    {"+5m", SEG_SEC(300), "5m0s"},
    {"0.1m", SEG_SEC(6), "6s"},
    {"9223372036854775807ns", INT64_MAX, "2562047h47m16.854775807s"},
    {"2562047h", UINT64_C(2562047) * SEG_SEC(3600), "2562047h0m0s"},
};

struct bad {
	const char *in;
	int err;
};

static const struct bad bads[] = {
    {"", SEG_DURATION_ERR_EMPTY},
    {"5", SEG_DURATION_ERR_UNIT},
    {"1h30", SEG_DURATION_ERR_UNIT},
    {"5 s", SEG_DURATION_ERR_UNIT},
    {"5sec", SEG_DURATION_ERR_UNIT},
    {"5S", SEG_DURATION_ERR_UNIT},
    {"5d", SEG_DURATION_ERR_UNIT},
    {"-1s", SEG_DURATION_ERR_NEGATIVE},
    {"-0", SEG_DURATION_ERR_NEGATIVE},
    {"+", SEG_DURATION_ERR_SYNTAX},
    {"s", SEG_DURATION_ERR_SYNTAX},
    {".s", SEG_DURATION_ERR_SYNTAX},
    {"1s.", SEG_DURATION_ERR_SYNTAX},
    {" 1s", SEG_DURATION_ERR_SYNTAX},
    {"1s ", SEG_DURATION_ERR_UNIT},
    {"9223372036854775808ns", SEG_DURATION_ERR_RANGE},
    {"2562048h", SEG_DURATION_ERR_RANGE},
    {"99999999999999999999s", SEG_DURATION_ERR_RANGE},
    {"2562047h48m", SEG_DURATION_ERR_RANGE},
};

static void test_parse_table(void **state)
{
	(void)state;
	char buf[SEG_DURATION_STRLEN];

	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		uint64_t ns = 12345;
		int ret = seg_duration_parse(goods[i].in, strlen(goods[i].in), &ns);
		if (ret != 0 || ns != goods[i].ns)
			fail_msg("\"%s\": ret %d ns %llu, want %llu", goods[i].in, ret,
				 (unsigned long long)ns, (unsigned long long)goods[i].ns);
		assert_true(seg_duration_format(ns, buf, sizeof(buf)) > 0);
		assert_string_equal(buf, goods[i].canonical);
	}
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		uint64_t ns = 777;
		int ret = seg_duration_parse(bads[i].in, strlen(bads[i].in), &ns);
		if (ret != bads[i].err)
			fail_msg("\"%s\": ret %d, want %d", bads[i].in, ret, bads[i].err);
		assert_int_equal(ns, 777); /* untouched on error */
		assert_non_null(seg_duration_strerror(ret));
	}
}

/* Only len bytes are read: a longer buffer does not leak into the value. */
static void test_parse_length(void **state)
{
	(void)state;
	uint64_t ns;

	assert_int_equal(seg_duration_parse("300msXYZ", 5, &ns), 0);
	assert_int_equal(ns, SEG_MS(300));
	assert_int_equal(seg_duration_parse("1s", 1, &ns), SEG_DURATION_ERR_UNIT);
}

/* format then parse gives the same value, across magnitudes. */
static void test_format_round_trip(void **state)
{
	(void)state;
	char buf[SEG_DURATION_STRLEN];
	uint64_t x = 1;

	for (int i = 0; i < 2000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		uint64_t v = (x >> 1) >> (i % 63); /* every magnitude up to 2^63-1 */
		uint64_t back;
		int n = seg_duration_format(v, buf, sizeof(buf));
		assert_true(n > 0 && (size_t)n < sizeof(buf));
		assert_int_equal(seg_duration_parse(buf, (size_t)n, &back), 0);
		assert_int_equal(back, v);
	}
	assert_int_equal(seg_duration_format(SEG_SEC(90), buf, 3), -1); /* too small */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_table),
	    cmocka_unit_test(test_parse_length),
	    cmocka_unit_test(test_format_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
