/* SPDX-License-Identifier: MIT */
/*
 * Logging: one line per call, to stderr (or a descriptor set for tests), with a UTC wall
 * clock timestamp and the level. Levels are the original prototype's `-log.console` values:
 * trace, debug, info, warn, error, crit. Each line is formatted into a local buffer and
 * written with a single write(2), so lines from concurrent threads never interleave.
 * Lines longer than SEG_LOG_LINE_MAX are cut and end in "...".
 *
 * Style: name the peer and the numbers compared; nothing per packet above trace.
 *
 * Thread: any. The level is an atomic read on every call.
 */
#ifndef SEG_BASE_LOG_H
#define SEG_BASE_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum seg_log_level {
	SEG_LOG_TRACE = 0,
	SEG_LOG_DEBUG = 1,
	SEG_LOG_INFO = 2,
	SEG_LOG_WARN = 3,
	SEG_LOG_ERROR = 4,
	SEG_LOG_CRIT = 5,
};

enum {
	/* Longest line written, newline included. */
	SEG_LOG_LINE_MAX = 1024,
};

/* Lines below this level are dropped. The default is SEG_LOG_INFO, as the original's. */
void seg_log_set_level(enum seg_log_level level);
enum seg_log_level seg_log_get_level(void);
bool seg_log_enabled(enum seg_log_level level);

/* Parses a level name ("trace" ... "crit"); -1 and *out untouched on an unknown name. */
__attribute__((warn_unused_result)) int seg_log_level_parse(const char *name,
							    enum seg_log_level *out);
/* "trace" ... "crit"; "?" for a value outside the enum. */
const char *seg_log_level_name(enum seg_log_level level);

/* Where lines go; default 2 (stderr). For tests and for daemons that redirect. */
void seg_log_set_fd(int fd);

/* Writes one line; use the macros below, which skip formatting when the level is off. */
void seg_log_write(enum seg_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define seg_log(level, ...)                                \
	do {                                               \
		if (seg_log_enabled(level))                \
			seg_log_write(level, __VA_ARGS__); \
	} while (0)

#define seg_log_trace(...) seg_log(SEG_LOG_TRACE, __VA_ARGS__)
#define seg_log_debug(...) seg_log(SEG_LOG_DEBUG, __VA_ARGS__)
#define seg_log_info(...)  seg_log(SEG_LOG_INFO, __VA_ARGS__)
#define seg_log_warn(...)  seg_log(SEG_LOG_WARN, __VA_ARGS__)
#define seg_log_error(...) seg_log(SEG_LOG_ERROR, __VA_ARGS__)
#define seg_log_crit(...)  seg_log(SEG_LOG_CRIT, __VA_ARGS__)

#endif /* SEG_BASE_LOG_H */
