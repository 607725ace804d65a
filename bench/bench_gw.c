/* SPDX-License-Identifier: MIT */
/* The gateway benchmarks' setup (bench_gw.h): the tests' fixture, exiting on any failure. */
#include "bench_gw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/time.h"

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

uint64_t bench_now_ns(void)
{
	return seg_time_now();
}

void bench_daemon_start(struct bench_daemon *d, uint16_t mtu)
{
	if (gw_fixture_daemon_start(&d->fix, 0x42, mtu) != 0)
		bench_die("daemon server did not start");
}

void bench_daemon_stop(struct bench_daemon *d)
{
	gw_fixture_daemon_stop(&d->fix);
}

void bench_drkey_host_host(const struct bench_daemon *d, const struct scion_addr *fast,
			   const struct scion_addr *slow, uint8_t key[DRKEY_KEY_LEN])
{
	if (gw_fixture_daemon_host_host(&d->fix, fast, slow, key) != 0)
		bench_die("DRKey derivation failed");
}

struct gateway *bench_gateway_new(const char *host, uint16_t port, const struct bench_daemon *d,
				  const char *cipher, const char *remotes,
				  const struct gateway_opts *opts)
{
	char extra[64], err[GW_FIXTURE_ERRLEN];
	struct gw_fixture_config c = {
	    .ia = BENCH_IA_STR,
	    .host = host,
	    .port = port,
	    .daemon = d->fix.addr,
	    .extra = extra,
	    .remotes = remotes,
	};
	struct gateway *gw;

	snprintf(extra, sizeof(extra), "cipher: %s\n", cipher);
	if (gw_fixture_gateway_new(&c, opts, &gw, err, sizeof(err)) != 0)
		bench_die("%s", err);
	return gw;
}

bool bench_run_until(struct evloop *loop, bool (*cond)(void *arg), void *arg, uint64_t timeout_ms)
{
	const struct gw_fixture_wait w = {
	    .cond = cond, .arg = arg, .tick_ms = 1, .timeout_ms = timeout_ms};
	bool held;

	if (gw_fixture_run_until(loop, &w, &held) != 0)
		bench_die("event loop failed");
	return held;
}
