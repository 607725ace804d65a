/* SPDX-License-Identifier: MIT */
/*
 * A stream server on the event loop for one request and one response per connection (the
 * control socket's protocol, HTTP/1.0 for metrics): accept, read until the request is
 * complete, build the whole response, write it as the client drains it, close.
 *
 * Bounded: at most conn_max connections at once (more are accepted, told `busy` and closed at
 * once), requests of at most request_max bytes (longer ones get the `too_large` answer), and every
 * connection is closed after `timeout` ns whatever its state, so a slow or silent client holds one
 * slot for a bounded time and never blocks the loop (all descriptors are non-blocking).
 *
 * Thread: the event loop's.
 */
#ifndef SEG_GATEWAY_ONESHOT_SERVER_H
#define SEG_GATEWAY_ONESHOT_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct evloop;
struct oneshot_server;

struct oneshot_server_ops {
	/* Length of the complete request at the start of buf, or 0 while more is needed. */
	size_t (*frame)(const char *buf, size_t len);
	/* Builds the response to req (len bytes, NUL-terminated): sets *resp to a malloc'd
	 * buffer of *resp_len bytes, which the server then owns. A negative return closes
	 * the connection without an answer. */
	int (*respond)(void *arg, const char *req, size_t len, char **resp, size_t *resp_len);
	/* Sent (if not NULL) when a request exceeds request_max. */
	const char *too_large;
	/* Sent (if not NULL, best effort) to a client beyond conn_max before closing it. */
	const char *busy;
};

struct oneshot_server_limits {
	size_t request_max;
	unsigned conn_max;
	uint64_t timeout; /* ns from accept to close */
};

/* Serves listen_fd (a listening stream socket; the server takes it over and closes it on
 * free). 0, or negative errno (then listen_fd is left to the caller). */
__attribute__((warn_unused_result)) int
oneshot_server_new(struct evloop *loop, int listen_fd, const struct oneshot_server_ops *ops,
		   void *arg, const struct oneshot_server_limits *limits,
		   struct oneshot_server **out);
/* Closes every connection and the listening socket. NULL is a no-op. */
void oneshot_server_free(struct oneshot_server *s);

/* Connections currently open (for tests). */
unsigned oneshot_server_conn_count(const struct oneshot_server *s);

#endif /* SEG_GATEWAY_ONESHOT_SERVER_H */
