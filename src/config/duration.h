/* SPDX-License-Identifier: MIT */
/*
 * Durations written as Go's time.ParseDuration reads them, because the original
 * prototype's conf.yaml holds Go durations: "300ms", "1s", "1m30s", "1.5s", "2h45m",
 * units ns, us (also µs, μs), ms, s, m, h, and a bare "0". Values are nanoseconds
 * (base/time.h), exact to the nanosecond, at most Go's limit of 2^63-1 ns (about 292
 * years). Unlike Go, negative durations are rejected: no seg setting can use one.
 *
 * Thread: any; pure functions.
 */
#ifndef SEG_CONFIG_DURATION_H
#define SEG_CONFIG_DURATION_H

#include <stddef.h>
#include <stdint.h>

enum seg_duration_err {
	SEG_DURATION_OK = 0,
	SEG_DURATION_ERR_EMPTY = -1,	/* empty string */
	SEG_DURATION_ERR_SYNTAX = -2,	/* not number+unit pairs */
	SEG_DURATION_ERR_UNIT = -3,	/* a number without a unit, or an unknown unit */
	SEG_DURATION_ERR_RANGE = -4,	/* more than 2^63-1 ns */
	SEG_DURATION_ERR_NEGATIVE = -5, /* a leading '-' */
};

enum {
	/* Enough for the longest formatted duration ("2562047h47m16.854775807s") and a NUL. */
	SEG_DURATION_STRLEN = 32,
};

/* Parses exactly len bytes of s (no NUL needed) into nanoseconds. */
__attribute__((warn_unused_result)) int seg_duration_parse(const char *s, size_t len,
							   uint64_t *out_ns);
/* Formats as Go's Duration.String() does ("1m30s", "1.5s", "300ms", "0s"), except that
 * microseconds are written "us". The output parses back to the same value. Returns the
 * length, or -1 when cap is too small (SEG_DURATION_STRLEN always suffices). */
int seg_duration_format(uint64_t ns, char *buf, size_t cap);
/* A static English description of an enum seg_duration_err value. */
const char *seg_duration_strerror(int err);

#endif /* SEG_CONFIG_DURATION_H */
