// SPDX-License-Identifier: MIT
/* The monotonic and wall clocks behind time.h. */
#include "base/time.h"

#include <stdlib.h>
#include <time.h>

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	/* Fails only for an invalid clock id: a broken invariant, not an input error. */
	if (clock_gettime(id, &ts) != 0)
		abort();
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

uint64_t seg_time_now(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t seg_wall_now(void)
{
	return clock_ns(CLOCK_REALTIME);
}
