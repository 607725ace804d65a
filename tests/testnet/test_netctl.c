/* SPDX-License-Identifier: MIT */
/*
 * The control protocol's parser (netctl.h), table-driven: accepted lines and what they mean,
 * rejected lines and the token their error quotes, and format/parse round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "netctl.h"

#define IA_110 ((scion_ia_t)0x0001ff0000000110ull)

static void test_accepted(void **state)
{
	static const struct {
		const char *line;
		enum netctl_op op;
		uint16_t ifid;
		bool revoke, has_loss, has_delay;
		uint32_t loss_ppm, delay_us;
	} cases[] = {
	    {"link down 1-ff00:0:110#1", NETCTL_LINK_DOWN, 1, false, false, false, 0, 0},
	    {"link down 1-ff00:0:110#7 revoke", NETCTL_LINK_DOWN, 7, true, false, false, 0, 0},
	    {"  link   up\t1-ff00:0:110#65535 ", NETCTL_LINK_UP, 65535, false, false, false, 0, 0},
	    {"link set 1-ff00:0:110#2 loss=5", NETCTL_LINK_SET, 2, false, true, false, 50000, 0},
	    {"link set 1-ff00:0:110#2 loss=0.0001%", NETCTL_LINK_SET, 2, false, true, false, 1, 0},
	    {"link set 1-ff00:0:110#2 loss=100%", NETCTL_LINK_SET, 2, false, true, false, 1000000,
	     0},
	    {"link set 1-ff00:0:110#2 delay=20", NETCTL_LINK_SET, 2, false, false, true, 0, 20000},
	    {"link set 1-ff00:0:110#2 delay=1.5s loss=0", NETCTL_LINK_SET, 2, false, true, true, 0,
	     1500000},
	    {"link set 1-ff00:0:110#2 delay=300us", NETCTL_LINK_SET, 2, false, false, true, 0, 300},
	    {"status", NETCTL_STATUS, 0, false, false, false, 0, 0},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netctl_cmd cmd, back;
		char err[NETCTL_ERR_LEN] = "", line[NETCTL_LINE_MAX];

		if (netctl_parse(cases[i].line, &cmd, err, sizeof(err)))
			fail_msg("'%s' rejected: %s", cases[i].line, err);
		assert_int_equal(cmd.op, cases[i].op);
		if (cmd.op != NETCTL_STATUS) {
			assert_true(cmd.ia == IA_110);
			assert_int_equal(cmd.ifid, cases[i].ifid);
		}
		assert_int_equal(cmd.revoke, cases[i].revoke);
		assert_int_equal(cmd.has_loss, cases[i].has_loss);
		assert_int_equal(cmd.has_delay, cases[i].has_delay);
		assert_int_equal(cmd.loss_ppm, cases[i].loss_ppm);
		assert_int_equal(cmd.delay_us, cases[i].delay_us);
		/* What the client sends parses back to the same request. */
		assert_int_equal(netctl_format(&cmd, line, sizeof(line)), 0);
		assert_int_equal(netctl_parse(line, &back, err, sizeof(err)), 0);
		assert_memory_equal(&cmd, &back, sizeof(cmd));
	}
}

static void test_rejected(void **state)
{
	static const struct {
		const char *line;
		const char *quoted;
	} cases[] = {
	    {"", "empty request"},
	    {"reboot", "'reboot'"},
	    {"status now", "'now'"},
	    {"link", "needs"},
	    {"link down", "needs"},
	    {"link flap 1-ff00:0:110#1", "'flap'"},
	    {"link down 1-ff00:0:110", "'1-ff00:0:110'"},
	    {"link down 1-ff00:0:110#0", "'1-ff00:0:110#0'"},
	    {"link down 1-ff00:0:110#65536", "'1-ff00:0:110#65536'"},
	    {"link down 1-ff00:0:110#1x", "'1-ff00:0:110#1x'"},
	    {"link down #1", "'#1'"},
	    {"link down 0-0#1", "'0-0#1'"},
	    {"link down 1-ff00:0:110#1 revoke revoke", "'revoke'"},
	    {"link up 1-ff00:0:110#1 revoke", "'revoke'"},
	    {"link set 1-ff00:0:110#1", "needs loss= or delay="},
	    {"link set 1-ff00:0:110#1 loss=101", "'loss=101'"},
	    {"link set 1-ff00:0:110#1 loss=-1", "'loss=-1'"},
	    {"link set 1-ff00:0:110#1 loss=0.00001", "'loss=0.00001'"},
	    {"link set 1-ff00:0:110#1 loss=.5", "'loss=.5'"},
	    {"link set 1-ff00:0:110#1 loss=5%%", "'loss=5%%'"},
	    {"link set 1-ff00:0:110#1 delay=11s", "'delay=11s'"},
	    {"link set 1-ff00:0:110#1 delay=5parsecs", "'delay=5parsecs'"},
	    {"link set 1-ff00:0:110#1 delay=1ms delay=2ms", "'delay=2ms'"},
	    {"link set 1-ff00:0:110#1 jitter=1ms", "'jitter=1ms'"},
	    {"a b c d e f g h i", "too many words"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct netctl_cmd cmd;
		char err[NETCTL_ERR_LEN] = "";

		if (!netctl_parse(cases[i].line, &cmd, err, sizeof(err)))
			fail_msg("'%s' accepted", cases[i].line);
		if (!strstr(err, cases[i].quoted))
			fail_msg("'%s': error '%s' does not mention %s", cases[i].line, err,
				 cases[i].quoted);
	}
}

static void test_too_long(void **state)
{
	char line[NETCTL_LINE_MAX + 16];
	struct netctl_cmd cmd;
	char err[NETCTL_ERR_LEN];

	(void)state;
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(netctl_parse(line, &cmd, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepted),
	    cmocka_unit_test(test_rejected),
	    cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
