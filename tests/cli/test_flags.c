// SPDX-License-Identifier: MIT
/* Go-compatible flag parsing (cmd/seg/flags.h), table-driven, with the flags of `seg run`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flags.h"

struct run_values {
	const char *conf, *sciond, *level;
	bool hidden, configtest;
};

struct flag_case {
	const char *argv[8];
	enum flags_result result;
	const char *err; /* expected message when FLAGS_ERROR */
	struct run_values want;
	int first_arg; /* index of the first positional argument */
};

#define DEFAULTS .conf = "conf.yaml", .level = "info"

static const struct flag_case cases[] = {
    {{"run"}, FLAGS_OK, NULL, {DEFAULTS}, 1},
    {{"run", "-conf", "a.yaml"}, FLAGS_OK, NULL, {.conf = "a.yaml", .level = "info"}, 3},
    {{"run", "-conf=a.yaml"}, FLAGS_OK, NULL, {.conf = "a.yaml", .level = "info"}, 2},
    {{"run", "--conf", "a.yaml"}, FLAGS_OK, NULL, {.conf = "a.yaml", .level = "info"}, 3},
    {{"run", "--conf=a=b"}, FLAGS_OK, NULL, {.conf = "a=b", .level = "info"}, 2},
    {{"run", "-conf="}, FLAGS_OK, NULL, {.conf = "", .level = "info"}, 2},
    /* The last of a repeated flag wins. */
    {{"run", "-conf", "a", "-conf", "b"}, FLAGS_OK, NULL, {.conf = "b", .level = "info"}, 5},
    /* A value that looks like a flag is still the value. */
    {{"run", "-conf", "-x"}, FLAGS_OK, NULL, {.conf = "-x", .level = "info"}, 3},
    {{"run", "-log.console", "debug", "-sciond", "127.0.0.1:30255"},
     FLAGS_OK,
     NULL,
     {.conf = "conf.yaml", .level = "debug", .sciond = "127.0.0.1:30255"},
     5},
    {{"run", "-hiddenFailover"}, FLAGS_OK, NULL, {DEFAULTS, .hidden = true}, 2},
    {{"run", "--hiddenFailover"}, FLAGS_OK, NULL, {DEFAULTS, .hidden = true}, 2},
    {{"run", "-hiddenFailover=true"}, FLAGS_OK, NULL, {DEFAULTS, .hidden = true}, 2},
    {{"run", "-hiddenFailover=1"}, FLAGS_OK, NULL, {DEFAULTS, .hidden = true}, 2},
    {{"run", "-hiddenFailover=T"}, FLAGS_OK, NULL, {DEFAULTS, .hidden = true}, 2},
    {{"run", "-hiddenFailover", "-hiddenFailover=False"}, FLAGS_OK, NULL, {DEFAULTS}, 3},
    {{"run", "-hiddenFailover=0"}, FLAGS_OK, NULL, {DEFAULTS}, 2},
    /* As in Go, "-b false" is the flag and then a positional argument. */
    {{"run", "-hiddenFailover", "false"}, FLAGS_OK, NULL, {DEFAULTS, .hidden = true}, 2},
    /* Parsing stops at the first non-flag, at "-" and after "--". */
    {{"run", "x", "-conf", "a"}, FLAGS_OK, NULL, {DEFAULTS}, 1},
    {{"run", "-", "-conf", "a"}, FLAGS_OK, NULL, {DEFAULTS}, 1},
    {{"run", "--", "-conf", "a"}, FLAGS_OK, NULL, {DEFAULTS}, 2},
    {{"run", "-configtest", "--", "x"}, FLAGS_OK, NULL, {DEFAULTS, .configtest = true}, 3},
    {{"run", "-h"}, FLAGS_HELP, NULL, {DEFAULTS}, 0},
    {{"run", "-help"}, FLAGS_HELP, NULL, {DEFAULTS}, 0},
    {{"run", "--help"}, FLAGS_HELP, NULL, {DEFAULTS}, 0},
    {{"run", "-bogus"}, FLAGS_ERROR, "flag provided but not defined: -bogus", {DEFAULTS}, 0},
    {{"run", "-bogus=1"}, FLAGS_ERROR, "flag provided but not defined: -bogus", {DEFAULTS}, 0},
    {{"run", "-Conf", "a"}, FLAGS_ERROR, "flag provided but not defined: -Conf", {DEFAULTS}, 0},
    {{"run", "-conf"}, FLAGS_ERROR, "flag needs an argument: -conf", {DEFAULTS}, 0},
    {{"run", "---conf"}, FLAGS_ERROR, "bad flag syntax: ---conf", {DEFAULTS}, 0},
    {{"run", "-=x"}, FLAGS_ERROR, "bad flag syntax: -=x", {DEFAULTS}, 0},
    {{"run", "-hiddenFailover=yes"},
     FLAGS_ERROR,
     "invalid boolean value \"yes\" for -hiddenFailover: parse error",
     {DEFAULTS},
     0},
    {{"run", "-hiddenFailover="},
     FLAGS_ERROR,
     "invalid boolean value \"\" for -hiddenFailover: parse error",
     {DEFAULTS},
     0},
};

static void test_flag_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct flag_case *c = &cases[i];
		struct run_values v = {DEFAULTS};
		struct flag flags[] = {
		    {"conf", FLAG_STRING, &v.conf, "FILE", "", false},
		    {"sciond", FLAG_STRING, &v.sciond, "ADDR", "", false},
		    {"log.console", FLAG_STRING, &v.level, "LEVEL", "", false},
		    {"hiddenFailover", FLAG_BOOL, &v.hidden, NULL, "", false},
		    {"configtest", FLAG_BOOL, &v.configtest, NULL, "", false},
		};
		char *argv[8];
		int argc = 0, first = -1;
		char err[256] = "";

		while (c->argv[argc]) {
			argv[argc] = (char *)c->argv[argc];
			argc++;
		}
		enum flags_result r = flags_parse(flags, 5, argc, argv, &first, err, sizeof(err));
		if (r != c->result)
			fail_msg("case %zu (%s): result %d, want %d (%s)", i, c->argv[1], r,
				 c->result, err);
		if (r == FLAGS_ERROR && strcmp(err, c->err) != 0)
			fail_msg("case %zu: error \"%s\", want \"%s\"", i, err, c->err);
		if (r != FLAGS_OK)
			continue;
		if (first != c->first_arg)
			fail_msg("case %zu: first argument %d, want %d", i, first, c->first_arg);
		if (strcmp(v.conf, c->want.conf) != 0 || strcmp(v.level, c->want.level) != 0 ||
		    v.hidden != c->want.hidden || v.configtest != c->want.configtest ||
		    (v.sciond == NULL) != (c->want.sciond == NULL) ||
		    (v.sciond && strcmp(v.sciond, c->want.sciond) != 0))
			fail_msg("case %zu: values differ (conf %s level %s hidden %d)", i, v.conf,
				 v.level, v.hidden);
	}
}

/* `set` tells given flags from defaults, even when the value equals the default. */
static void test_flag_set(void **state)
{
	const char *conf = "conf.yaml";
	bool b = false;
	struct flag flags[] = {
	    {"conf", FLAG_STRING, &conf, "FILE", "", false},
	    {"b", FLAG_BOOL, &b, NULL, "", false},
	};
	char *argv[] = {"x", "-conf", "conf.yaml"};
	char err[64];
	int first;
	(void)state;
	assert_int_equal(flags_parse(flags, 2, 3, argv, &first, err, sizeof(err)), FLAGS_OK);
	assert_true(flags[0].set);
	assert_false(flags[1].set);
}

/* A flag named "h" is a flag, not a request for help. */
static void test_flag_named_h(void **state)
{
	bool h = false;
	struct flag flags[] = {{"h", FLAG_BOOL, &h, NULL, "", false}};
	char *argv[] = {"x", "-h"};
	char err[64];
	int first;
	(void)state;
	assert_int_equal(flags_parse(flags, 1, 2, argv, &first, err, sizeof(err)), FLAGS_OK);
	assert_true(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flag_table),
	    cmocka_unit_test(test_flag_set),
	    cmocka_unit_test(test_flag_named_h),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
