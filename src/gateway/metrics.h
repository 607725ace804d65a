/* SPDX-License-Identifier: MIT */
/*
 * Prometheus metrics: the text exposition format (version 0.0.4) of a status snapshot,
 * served over minimal HTTP/1.0 (GET or HEAD /metrics, one request per connection) on
 * `metricsAddr` when it is set. The address is bound as configured: a non-loopback
 * address exposes the counters to that network, which is the operator's choice.
 * docs/cli.md lists the metric names.
 *
 * Thread: the server runs on the event loop's thread; metrics_write on any.
 */
#ifndef SEG_GATEWAY_METRICS_H
#define SEG_GATEWAY_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/time.h"
#include "gateway/status.h"

struct evloop;
struct metrics_server;

enum {
	METRICS_REQUEST_MAX = 4096, /* request line and headers */
	METRICS_CONN_MAX = 16,
};

#define METRICS_CONN_TIMEOUT SEG_SEC(5)

enum metrics_err {
	METRICS_OK = 0,
	METRICS_ERR_ADDR = -1,	 /* not "host:port" or "[v6]:port", or does not resolve */
	METRICS_ERR_SYSTEM = -2, /* socket, bind or listen failed; the message says which */
	METRICS_ERR_NOMEM = -3,
};

/* Listens on addr ("127.0.0.1:9100", "[::1]:9100", "localhost:9100"; port 0 picks one)
 * and serves snapshots from fn(arg). 0, or a metrics_err with err saying why. */
__attribute__((warn_unused_result)) int metrics_server_new(struct evloop *loop, const char *addr,
							   gw_status_fn *fn, void *arg,
							   struct metrics_server **out, char *err,
							   size_t errlen);
void metrics_server_free(struct metrics_server *m);
/* The port actually bound (useful with port 0). */
uint16_t metrics_server_port(const struct metrics_server *m);

/* Writes the exposition text of a snapshot. 0, or -1 when writing failed. */
__attribute__((warn_unused_result)) int metrics_write(FILE *f, const struct gw_status *s);

#endif /* SEG_GATEWAY_METRICS_H */
