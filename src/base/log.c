// SPDX-License-Identifier: MIT
/* Line-at-a-time logging to a descriptor; see log.h for the rules. */
#include "base/log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/time.h"

static atomic_int log_level = SEG_LOG_INFO;
static atomic_int log_fd = 2;

static const char *const level_names[] = {
    [SEG_LOG_TRACE] = "trace", [SEG_LOG_DEBUG] = "debug", [SEG_LOG_INFO] = "info",
    [SEG_LOG_WARN] = "warn",   [SEG_LOG_ERROR] = "error", [SEG_LOG_CRIT] = "crit",
};

/* Fixed width so messages line up. */
static const char *const level_tags[] = {
    [SEG_LOG_TRACE] = "TRACE", [SEG_LOG_DEBUG] = "DEBUG", [SEG_LOG_INFO] = "INFO ",
    [SEG_LOG_WARN] = "WARN ",  [SEG_LOG_ERROR] = "ERROR", [SEG_LOG_CRIT] = "CRIT ",
};

void seg_log_set_level(enum seg_log_level level)
{
	atomic_store(&log_level, (int)level);
}

enum seg_log_level seg_log_get_level(void)
{
	return (enum seg_log_level)atomic_load(&log_level);
}

bool seg_log_enabled(enum seg_log_level level)
{
	return (int)level >= atomic_load_explicit(&log_level, memory_order_relaxed);
}

int seg_log_level_parse(const char *name, enum seg_log_level *out)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (strcmp(name, level_names[i]) == 0) {
			*out = (enum seg_log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *seg_log_level_name(enum seg_log_level level)
{
	if ((unsigned)level >= sizeof(level_names) / sizeof(level_names[0]))
		return "?";
	return level_names[level];
}

void seg_log_set_fd(int fd)
{
	atomic_store(&log_fd, fd);
}

/* "2024-05-01T12:34:56.789Z": UTC, millisecond resolution. */
static size_t format_timestamp(char *buf, size_t cap)
{
	uint64_t now = seg_wall_now();
	time_t secs = (time_t)(now / SEG_SEC(1));
	unsigned ms = (unsigned)(now % SEG_SEC(1) / SEG_MS(1));
	struct tm tm;

	if (!gmtime_r(&secs, &tm))
		return 0;
	size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	int m = snprintf(buf + n, cap - n, ".%03uZ", ms);
	return m < 0 ? n : n + (size_t)m;
}

void seg_log_write(enum seg_log_level level, const char *fmt, ...)
{
	char line[SEG_LOG_LINE_MAX];
	size_t cap = sizeof(line) - 1; /* room for the newline */
	int saved_errno = errno;       /* callers often log right after a failed call */

	if ((unsigned)level > SEG_LOG_CRIT)
		level = SEG_LOG_CRIT;
	size_t n = format_timestamp(line, cap);
	int m = snprintf(line + n, cap - n, " %s ", level_tags[level]);
	n += m > 0 ? (size_t)m : 0;

	va_list ap;
	va_start(ap, fmt);
	errno = saved_errno; /* so %m works */
	m = vsnprintf(line + n, cap - n, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	if ((size_t)m >= cap - n) {
		n = cap;
		memcpy(line + n - 3, "...", 3);
	} else {
		n += (size_t)m;
	}
	line[n++] = '\n';

	/* One write per line; a short write to a pipe of this size does not happen
	 * (PIPE_BUF >= 4096 > SEG_LOG_LINE_MAX), a failed one is not worth reporting. */
	ssize_t w = write(atomic_load(&log_fd), line, n);
	(void)w;
	errno = saved_errno;
}
