// SPDX-License-Identifier: MIT
/* Logging: level names, filtering, line format, truncation, one line per call. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"

static int fds[2];

static int setup(void **state)
{
	(void)state;
	if (pipe2(fds, O_NONBLOCK) != 0)
		return -1;
	fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
	seg_log_set_fd(fds[1]);
	seg_log_set_level(SEG_LOG_INFO);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	seg_log_set_fd(2);
	close(fds[0]);
	close(fds[1]);
	return 0;
}

/* Everything written so far, NUL-terminated. */
static size_t drain(char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap - 1 && (r = read(fds[0], buf + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	buf[n] = '\0';
	return n;
}

static void test_level_names(void **state)
{
	(void)state;
	static const char *const names[] = {"trace", "debug", "info", "warn", "error", "crit"};
	enum seg_log_level level = SEG_LOG_INFO;

	for (int i = 0; i < 6; i++) {
		assert_int_equal(seg_log_level_parse(names[i], &level), 0);
		assert_int_equal(level, i);
		assert_string_equal(seg_log_level_name(level), names[i]);
	}
	level = SEG_LOG_WARN;
	assert_int_equal(seg_log_level_parse("verbose", &level), -1);
	assert_int_equal(seg_log_level_parse("INFO", &level), -1);
	assert_int_equal(seg_log_level_parse("", &level), -1);
	assert_int_equal(level, SEG_LOG_WARN); /* untouched on error */
	assert_string_equal(seg_log_level_name((enum seg_log_level)42), "?");
}

static void test_filter_and_format(void **state)
{
	(void)state;
	char buf[4096];

	seg_log_set_level(SEG_LOG_WARN);
	assert_int_equal(seg_log_get_level(), SEG_LOG_WARN);
	assert_false(seg_log_enabled(SEG_LOG_INFO));
	assert_true(seg_log_enabled(SEG_LOG_CRIT));
	seg_log_info("hidden %d", 1);
	seg_log_debug("hidden %d", 2);
	seg_log_warn("peer %s rtt %u ms > %u ms", "1-ff00:0:110", 40u, 30u);
	seg_log_crit("bye");
	size_t n = drain(buf, sizeof(buf));

	assert_null(strstr(buf, "hidden"));
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ WARN  msg\n" */
	char *second = strchr(buf, '\n');
	assert_non_null(second);
	*second++ = '\0';
	assert_int_equal(strlen(buf), 24 + 7 + strlen("peer 1-ff00:0:110 rtt 40 ms > 30 ms"));
	assert_int_equal(buf[4], '-');
	assert_int_equal(buf[10], 'T');
	assert_int_equal(buf[19], '.');
	assert_int_equal(buf[23], 'Z');
	assert_string_equal(buf + 24, " WARN  peer 1-ff00:0:110 rtt 40 ms > 30 ms");
	assert_string_equal(second + 24, " CRIT  bye\n");
	assert_int_equal(n, strlen(buf) + 1 + strlen(second));
}

static void test_truncation(void **state)
{
	(void)state;
	char big[3 * SEG_LOG_LINE_MAX];
	char buf[4 * SEG_LOG_LINE_MAX];

	seg_log_set_level(SEG_LOG_TRACE);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	seg_log_trace("%s", big);
	size_t n = drain(buf, sizeof(buf));
	assert_int_equal(n, SEG_LOG_LINE_MAX);
	assert_memory_equal(buf + n - 4, "...\n", 4);
	assert_int_equal(strchr(buf, '\n') - buf, (ptrdiff_t)n - 1);
}

enum { THREADS = 4, LINES = 200 };

static void *writer(void *arg)
{
	int id = (int)(intptr_t)arg;
	for (int i = 0; i < LINES; i++)
		seg_log_error("thread %d line %03d %s", id, i,
			      "................................................................");
	return NULL;
}

/* Concurrent writers never interleave inside a line. */
static void test_threads_whole_lines(void **state)
{
	(void)state;
	static char buf[THREADS * LINES * 200];
	pthread_t t[THREADS];
	int seen[THREADS] = {0};

	seg_log_set_level(SEG_LOG_INFO);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, writer, (void *)(intptr_t)i), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	drain(buf, sizeof(buf));

	int lines = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"), lines++) {
		int id, no;
		char dots[80];
		assert_int_equal(sscanf(line + 24, " ERROR thread %d line %d %79s", &id, &no, dots),
				 3);
		assert_true(id >= 0 && id < THREADS);
		assert_int_equal(no, seen[id]++); /* each thread's lines in its own order */
		assert_int_equal(strlen(dots), 64);
	}
	assert_int_equal(lines, THREADS * LINES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_level_names, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_filter_and_format, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_threads_whole_lines, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
