/* SPDX-License-Identifier: MIT */
/*
 * What the gateway benchmarks (pps.c, handshake.c) share, on top of the gateway tests'
 * fixture (tests/gateway/gw_fixture.h): its in-process SCION daemon (the empty path of one
 * AS, DRKey from a fixed master secret), gateway configurations from YAML text, and a way
 * to run the event loop until a condition holds. Benchmarks only; any failure exits.
 */
#ifndef SEG_BENCH_GW_H
#define SEG_BENCH_GW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/daemon.h>
#include <seg/drkey.h>

#include "base/evloop.h"
#include "gateway/gateway.h"
#include "gw_fixture.h"

#define BENCH_IA_STR GW_FIXTURE_IA_STR
#define BENCH_IA     GW_FIXTURE_IA

/* The fixture's daemon; fix.drkey_calls, fix.paths_calls, fix.last_call_ns are counted by
 * the gRPC thread: read them after the run. */
struct bench_daemon {
	struct gw_fixture_daemon fix;
};

void bench_daemon_start(struct bench_daemon *d, uint16_t mtu);
void bench_daemon_stop(struct bench_daemon *d);

/* The host-host key the daemon hands an initiator `slow` for responder `fast` (what a
 * responder derives from its host-AS key). */
void bench_drkey_host_host(const struct bench_daemon *d, const struct scion_addr *fast,
			   const struct scion_addr *slow, uint8_t key[DRKEY_KEY_LEN]);

/* A gateway at BENCH_IA,host:port; remotes is the YAML list body ("  - address: ...\n"),
 * cipher "aes-256-gcm" or "chacha20-poly1305". Not run yet. */
struct gateway *bench_gateway_new(const char *host, uint16_t port, const struct bench_daemon *d,
				  const char *cipher, const char *remotes,
				  const struct gateway_opts *opts);

/* Runs loop until cond(arg) holds (checked every ms) or timeout_ms passed; returns cond. */
bool bench_run_until(struct evloop *loop, bool (*cond)(void *arg), void *arg, uint64_t timeout_ms);

/* Monotonic nanoseconds. */
uint64_t bench_now_ns(void);

_Noreturn void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SEG_BENCH_GW_H */
