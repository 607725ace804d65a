/* SPDX-License-Identifier: MIT */
/*
 * One time type for all of seg: a uint64_t count of nanoseconds on CLOCK_MONOTONIC
 * (never jumps with the wall clock). Build values with the unit helpers (SEG_MS(300)),
 * compare deadlines with seg_time_expired() only, so the "now >= deadline" rule lives in
 * one place. Wall clock (nanoseconds since the Unix epoch) is separate, for log timestamps
 * and DRKey epochs, and is never used for timeouts.
 *
 * Thread: any; all functions are reentrant.
 */
#ifndef SEG_BASE_TIME_H
#define SEG_BASE_TIME_H

#include <stdbool.h>
#include <stdint.h>

#define SEG_NS(x)  ((uint64_t)(x))
#define SEG_US(x)  ((uint64_t)(x)*UINT64_C(1000))
#define SEG_MS(x)  ((uint64_t)(x)*UINT64_C(1000000))
#define SEG_SEC(x) ((uint64_t)(x)*UINT64_C(1000000000))

/* Monotonic nanoseconds since an arbitrary start (boot). Never 0 after the first call. */
uint64_t seg_time_now(void);

/* Wall clock: nanoseconds since the Unix epoch (CLOCK_REALTIME). */
uint64_t seg_wall_now(void);

static inline uint64_t seg_time_to_ms(uint64_t t)
{
	return t / UINT64_C(1000000);
}

static inline uint64_t seg_time_to_us(uint64_t t)
{
	return t / UINT64_C(1000);
}

/* True when the deadline has been reached: the one expiry rule of seg. */
static inline bool seg_time_expired(uint64_t now, uint64_t deadline)
{
	return now >= deadline;
}

/* now + delay, saturating instead of wrapping (a huge delay means "never"). */
static inline uint64_t seg_time_add(uint64_t now, uint64_t delay)
{
	return delay > UINT64_MAX - now ? UINT64_MAX : now + delay;
}

/* How long until deadline (0 when already expired). */
static inline uint64_t seg_time_until(uint64_t now, uint64_t deadline)
{
	return seg_time_expired(now, deadline) ? 0 : deadline - now;
}

#endif /* SEG_BASE_TIME_H */
