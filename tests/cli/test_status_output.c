// SPDX-License-Identifier: MIT
/* The JSON writer, and the JSON and table forms of a fixed status snapshot against golden
 * files (tests/cli/data/status.json, status.table; SEG_UPDATE_GOLDEN=1 rewrites them). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/json.h"
#include "gateway/status.h"

#include "fixture.h"

/* Runs fn into a memory buffer; returns the malloc'd text. */
static char *render(int (*fn)(FILE *f, void *arg), void *arg, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	*rc = fn(f, arg);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static int write_escaped(FILE *f, void *arg)
{
	json_write_escaped(f, arg);
	return 0;
}

static void test_json_escaping(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"", "\"\""},
	    {"plain", "\"plain\""},
	    {"q\"b\\", "\"q\\\"b\\\\\""},
	    {"a\nb\tc\rd", "\"a\\nb\\tc\\rd\""},
	    {"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
	    {"Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80",
	     "\"Z\xc3\xbcrich \xe2\x82\xac \xf0\x9f\x98\x80\""},
	    /* Invalid UTF-8: a lone continuation byte, an overlong '/', a surrogate, a
	     * truncated sequence at the end, a code point above U+10FFFF. */
	    {"a\x80z", "\"a\\ufffdz\""},
	    {"\xc0\xaf", "\"\\ufffd\\ufffd\""},
	    {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},
	    {"x\xe2\x82", "\"x\\ufffd\\ufffd\""},
	    {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;
		char *got = render(write_escaped, (void *)cases[i].in, &rc);
		if (strcmp(got, cases[i].out) != 0)
			fail_msg("case %zu: got %s want %s", i, got, cases[i].out);
		free(got);
	}
}

static int write_compact_doc(FILE *f, void *arg)
{
	struct json j;
	(void)arg;
	json_init(&j, f, false);
	json_object_begin(&j);
	json_key(&j, "a");
	json_array_begin(&j);
	json_uint(&j, 1);
	json_int(&j, -2);
	json_double(&j, 0.5, 2);
	json_double(&j, NAN, 2);
	json_double(&j, INFINITY, 2);
	json_bool(&j, true);
	json_null(&j);
	json_string(&j, NULL);
	json_array_end(&j);
	json_key(&j, "e");
	json_object_begin(&j);
	json_object_end(&j);
	json_key(&j, "f");
	json_array_begin(&j);
	json_array_end(&j);
	json_object_end(&j);
	return json_finish(&j);
}

static void test_json_compact(void **state)
{
	int rc;
	char *got = render(write_compact_doc, NULL, &rc);
	(void)state;
	assert_int_equal(rc, 0);
	assert_string_equal(got, "{\"a\":[1,-2,0.50,null,null,true,null,null],\"e\":{},\"f\":[]}");
	free(got);
}

enum misuse {
	MISUSE_VALUE_WITHOUT_KEY,
	MISUSE_KEY_IN_ARRAY,
	MISUSE_UNCLOSED,
	MISUSE_WRONG_END,
	MISUSE_TOO_DEEP,
	MISUSE_KEY_WITHOUT_VALUE,
};

static int write_misuse(FILE *f, void *arg)
{
	enum misuse m = *(enum misuse *)arg;
	struct json j;

	json_init(&j, f, true);
	switch (m) {
	case MISUSE_VALUE_WITHOUT_KEY:
		json_object_begin(&j);
		json_uint(&j, 1);
		json_object_end(&j);
		break;
	case MISUSE_KEY_IN_ARRAY:
		json_array_begin(&j);
		json_key(&j, "k");
		json_uint(&j, 1);
		json_array_end(&j);
		break;
	case MISUSE_UNCLOSED:
		json_array_begin(&j);
		break;
	case MISUSE_WRONG_END:
		json_array_begin(&j);
		json_object_end(&j);
		break;
	case MISUSE_TOO_DEEP:
		for (int i = 0; i <= JSON_DEPTH_MAX; i++)
			json_array_begin(&j);
		for (int i = 0; i <= JSON_DEPTH_MAX; i++)
			json_array_end(&j);
		break;
	case MISUSE_KEY_WITHOUT_VALUE:
		json_object_begin(&j);
		json_key(&j, "k");
		json_object_end(&j);
		break;
	}
	return json_finish(&j);
}

static void test_json_misuse_is_reported(void **state)
{
	(void)state;
	for (enum misuse m = MISUSE_VALUE_WITHOUT_KEY; m <= MISUSE_KEY_WITHOUT_VALUE; m++) {
		int rc;
		free(render(write_misuse, &m, &rc));
		if (rc != -1)
			fail_msg("misuse %d not reported", (int)m);
	}
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 16);
	assert_non_null(buf);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void check_golden(const char *name, const char *got)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/tests/cli/data/%s", SEG_SOURCE_DIR, name);
	if (getenv("SEG_UPDATE_GOLDEN")) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fputs(got, f);
		fclose(f);
	}
	char *want = read_file(path);
	if (!want)
		fail_msg("missing golden file %s", path);
	if (strcmp(got, want) != 0)
		fail_msg("%s differs; got:\n%s", name, got);
	free(want);
}

static int write_status_json(FILE *f, void *arg)
{
	return gw_status_write_json(f, arg, true);
}

static int write_status_table(FILE *f, void *arg)
{
	return gw_status_write_table(f, arg, FIXTURE_NOW_UNIX_MS);
}

static void test_status_json_golden(void **state)
{
	struct gw_status s;
	int rc;
	(void)state;
	assert_int_equal(fixture_status(&s), 0);
	char *got = render(write_status_json, &s, &rc);
	assert_int_equal(rc, 0);
	/* The keys the issue names, spelled exactly. */
	const char *keys[] = {"\"peers\": [",	      "\"remote\":",	       "\"state\": \"up\"",
			      "\"active_path\": 0",   "\"active_path\": null", "\"paths\": [",
			      "\"hops\": 2",	      "\"hidden\": true",      "\"alive\": false",
			      "\"rtt_ms\": 1.250",    "\"rtt_ms\": null",      "\"loss\": 1.0000",
			      "\"tx_packets\": 1000", "\"rx_packets\": 990",   "\"drops\": {",
			      "\"replay\": 5"};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!strstr(got, keys[i]))
			fail_msg("JSON lacks %s", keys[i]);
	}
	check_golden("status.json", got);
	free(got);
	gw_status_free(&s);
	assert_null(s.peers);
	assert_int_equal(s.n_peers, 0);
}

static void test_status_table_golden(void **state)
{
	struct gw_status s;
	int rc;
	(void)state;
	assert_int_equal(fixture_status(&s), 0);
	char *got = render(write_status_table, &s, &rc);
	assert_int_equal(rc, 0);
	/* The active path is starred, the other not; the control character is neutralised. */
	assert_non_null(strstr(got, "  *    1    2    1.250ms"));
	assert_non_null(strstr(got, "      7    4          -  100.0%"));
	assert_null(strchr(got, '\x01'));
	check_golden("status.table", got);
	free(got);
	gw_status_free(&s);
}

static void test_status_empty(void **state)
{
	struct gw_status s = {0};
	int rc;
	(void)state;
	snprintf(s.local, sizeof(s.local), "1-ff00:0:110,127.0.0.1:31000");
	char *got = render(write_status_json, &s, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "{\n  \"local\": \"1-ff00:0:110,127.0.0.1:31000\",\n"
				 "  \"uptime_ms\": 0,\n  \"drops\": {},\n  \"peers\": []\n}\n");
	free(got);
	got = render(write_status_table, &s, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(got, "gateway 1-ff00:0:110,127.0.0.1:31000, up 0s, 0 peers\n");
	free(got);
}

/* Counts past the arrays (a collector bug) are clamped, never read beyond. */
static void test_status_counts_clamped(void **state)
{
	struct gw_status s;
	int rc;
	(void)state;
	assert_int_equal(fixture_status(&s), 0);
	s.peers[1].n_paths = GW_STATUS_MAX_PATHS + 100;
	s.peers[1].n_drops = GW_STATUS_MAX_DROPS + 100;
	s.peers[1].active_path = GW_STATUS_MAX_PATHS + 5;
	s.n_drops = GW_STATUS_MAX_DROPS + 1;
	free(render(write_status_json, &s, &rc));
	assert_int_equal(rc, 0);
	free(render(write_status_table, &s, &rc));
	assert_int_equal(rc, 0);
	gw_status_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_escaping),
	    cmocka_unit_test(test_json_compact),
	    cmocka_unit_test(test_json_misuse_is_reported),
	    cmocka_unit_test(test_status_json_golden),
	    cmocka_unit_test(test_status_table_golden),
	    cmocka_unit_test(test_status_empty),
	    cmocka_unit_test(test_status_counts_clamped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
