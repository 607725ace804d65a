/* SPDX-License-Identifier: MIT */
/* The in-process daemon and gateway setup of the gateway benchmarks (bench_gw.h). */
#include "bench_gw.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/time.h"
#include "config/config.h"

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

static int d_paths(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
		   size_t *n)
{
	struct bench_daemon *d = ctx;
	struct seg_path *p;

	__atomic_add_fetch(&d->paths_calls, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&d->last_call_ns, seg_time_now(), __ATOMIC_RELAXED);
	if (req->src != BENCH_IA || req->dst != BENCH_IA || req->hidden)
		return SEG_DAEMON_ERR_NOT_FOUND;
	p = calloc(1, sizeof(*p));
	if (!p)
		return SEG_DAEMON_ERR_NOMEM;
	p->type = SEG_PATH_TYPE_EMPTY;
	p->mtu = d->mtu;
	p->expiry_unix = seg_wall_now() / 1000000000u + 3600;
	*out = p;
	*n = 1;
	return 0;
}

static int d_port_range(void *ctx, struct seg_daemon_port_range *out)
{
	(void)ctx;
	out->start = 1024;
	out->end = 65535;
	return 0;
}

/* gateway/protocol.h SEG_DRKEY_PROTOCOL (not included: its enum seg_cipher clashes with
 * config.h's). */
enum { BENCH_DRKEY_PROTOCOL = 0x5345 };

/* Generic-protocol derivation, as tests/gateway/test_gateway_local.c's daemon. */
static int host_as_key(const struct bench_daemon *d, scion_ia_t dst_ia, uint16_t proto,
		       const struct scion_host *src_host, uint8_t out[DRKEY_KEY_LEN])
{
	uint8_t sv[DRKEY_KEY_LEN], lvl1[DRKEY_KEY_LEN];
	int err;

	err = drkey_sv_derive(d->master, sizeof(d->master), DRKEY_PROTO_GENERIC, &d->epoch, sv);
	err = err ? err : drkey_lvl1_derive(sv, dst_ia, lvl1);
	err = err ? err : drkey_host_as_derive(lvl1, proto, src_host, out);
	return err;
}

static int d_drkey(void *ctx, enum seg_drkey_kind kind, const struct seg_daemon_drkey_req *req,
		   struct seg_drkey *out)
{
	struct bench_daemon *d = ctx;
	uint8_t host_as[DRKEY_KEY_LEN];
	int err;

	__atomic_add_fetch(&d->drkey_calls, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&d->last_call_ns, seg_time_now(), __ATOMIC_RELAXED);
	err = host_as_key(d, req->dst_ia, req->protocol, &req->src_host, host_as);
	if (err)
		return SEG_DAEMON_ERR_INTERNAL;
	if (kind == SEG_DRKEY_HOST_AS)
		memcpy(out->key, host_as, DRKEY_KEY_LEN);
	else if (kind == SEG_DRKEY_HOST_HOST)
		err = drkey_host_host_derive(host_as, &req->dst_host, out->key);
	else
		return SEG_DAEMON_ERR_UNIMPLEMENTED;
	out->epoch_begin = d->epoch.begin;
	out->epoch_end = d->epoch.end;
	return err ? SEG_DAEMON_ERR_INTERNAL : 0;
}

static const struct seg_daemon_service_ops daemon_ops = {
    .paths = d_paths,
    .port_range = d_port_range,
    .drkey = d_drkey,
};

void bench_daemon_start(struct bench_daemon *d, uint16_t mtu)
{
	uint64_t now = seg_wall_now() / 1000000000u;
	uint16_t port;

	memset(d, 0, sizeof(*d));
	memset(d->master, 0x42, sizeof(d->master));
	d->epoch.begin = (uint32_t)(now - 3600);
	d->epoch.end = (uint32_t)(now + 86400);
	d->mtu = mtu;
	if (seg_daemon_server_start("127.0.0.1:0", &daemon_ops, d, &d->srv, &port) != 0)
		bench_die("daemon server did not start");
	snprintf(d->addr, sizeof(d->addr), "127.0.0.1:%u", port);
}

void bench_daemon_stop(struct bench_daemon *d)
{
	seg_daemon_server_stop(d->srv);
	d->srv = NULL;
}

void bench_drkey_host_host(const struct bench_daemon *d, const struct scion_addr *fast,
			   const struct scion_addr *slow, uint8_t key[DRKEY_KEY_LEN])
{
	uint8_t host_as[DRKEY_KEY_LEN];

	if (host_as_key(d, slow->ia, BENCH_DRKEY_PROTOCOL, &fast->host, host_as) != 0 ||
	    drkey_host_host_derive(host_as, &slow->host, key) != 0)
		bench_die("DRKey derivation failed");
}

struct gateway *bench_gateway_new(const char *host, uint16_t port, const struct bench_daemon *d,
				  const char *cipher, const char *remotes,
				  const struct gateway_opts *opts)
{
	char head[512], err[1024];
	size_t hl, rl = strlen(remotes);
	struct seg_config *cfg = NULL;
	struct gateway *gw = NULL;
	char *yaml;

	hl = (size_t)snprintf(head, sizeof(head),
			      "address: %s,%s:%u\ndaemonAddr: %s\ncipher: %s\nremotes:\n",
			      BENCH_IA_STR, host, port, d->addr, cipher);
	yaml = malloc(hl + rl + 1);
	if (!yaml)
		bench_die("no memory");
	memcpy(yaml, head, hl);
	memcpy(yaml + hl, remotes, rl + 1);
	if (seg_config_parse("bench.yaml", (const uint8_t *)yaml, hl + rl, &cfg, err,
			     sizeof(err)) != 0)
		bench_die("config: %s", err);
	free(yaml);
	if (gateway_new(cfg, opts, &gw, err, sizeof(err)) != 0)
		bench_die("gateway_new: %s", err);
	seg_config_free(cfg);
	return gw;
}

struct wait {
	bool (*cond)(void *arg);
	void *arg;
	uint64_t deadline;
	struct evloop_timer t;
	bool ok;
};

static void wait_tick(struct evloop *loop, void *arg)
{
	struct wait *w = arg;

	if (w->cond(w->arg)) {
		w->ok = true;
		evloop_stop(loop);
		return;
	}
	if (seg_time_expired(seg_time_now(), w->deadline) ||
	    evloop_timer_arm_in(loop, &w->t, SEG_MS(1)) != 0)
		evloop_stop(loop);
}

bool bench_run_until(struct evloop *loop, bool (*cond)(void *arg), void *arg, uint64_t timeout_ms)
{
	struct wait w = {.cond = cond, .arg = arg};

	w.deadline = seg_time_now() + SEG_MS(timeout_ms);
	evloop_timer_init(&w.t, wait_tick, &w);
	if (evloop_timer_arm_in(loop, &w.t, 0) != 0 || evloop_run(loop) != 0)
		bench_die("event loop failed");
	evloop_timer_cancel(loop, &w.t);
	return w.ok;
}
