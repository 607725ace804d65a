/* SPDX-License-Identifier: MIT */
/* A fixed status snapshot for the CLI tests, and a fake provider of it. */
#ifndef SEG_TESTS_CLI_FIXTURE_H
#define SEG_TESTS_CLI_FIXTURE_H

#include <stdint.h>

#include "gateway/status.h"

/* Wall clock the golden table was made at: 2024-01-01T00:00:00Z. */
#define FIXTURE_NOW_UNIX_MS UINT64_C(1704067200000)

/* Fills s with two peers (one up with a public and a hidden path, one handshaking without
 * paths) and gateway-wide drops; free with gw_status_free. 0 or -1 (out of memory). */
int fixture_status(struct gw_status *s);

/* A gw_status_fn: fills the fixture and counts calls in *(fixture_calls *)arg; fails when the count
 * is negative (a gateway that cannot answer). */
int fixture_provider(void *arg, struct gw_status *out);

/* The counter fixture_provider takes as its argument. */
typedef _Atomic int fixture_calls;

#endif /* SEG_TESTS_CLI_FIXTURE_H */
