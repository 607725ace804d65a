/* SPDX-License-Identifier: MIT */
/*
 * The control socket of a running gateway: a unix stream socket at `controlSocket`
 * (conf.yaml), mode 0600, served on the gateway's event loop, and the client `seg status`
 * uses. The protocol is one line each way then close (docs/cli.md):
 *
 *   request:  "status\n"        response: "ok\n" + the JSON of gateway/status.h
 *             "status table\n"            "ok\n" + the table of `seg status`
 *   anything else, or too long:           "error: <why>\n"
 *
 * The table is rendered by the gateway so that the client needs no JSON parser; both come
 * from the same binary. A stale socket file (nobody listening) is replaced; a live one
 * means another gateway runs there, and is an error. The file is removed on free.
 *
 * Thread: the server runs on the event loop's thread; the client is blocking, for the CLI.
 */
#ifndef SEG_GATEWAY_CTL_H
#define SEG_GATEWAY_CTL_H

#include <stddef.h>
#include <stdint.h>

#include "base/time.h"
#include "gateway/status.h"

struct evloop;
struct ctl_server;

enum {
	CTL_REQUEST_MAX = 256,	    /* bytes of a request line, newline included */
	CTL_CONN_MAX = 16,	    /* clients served at once; more are closed at accept */
	CTL_RESPONSE_MAX = 1 << 26, /* what the client accepts: 64 MiB */
	CTL_PATH_MAX = 107,	    /* sun_path less its terminating NUL */
};

#define CTL_CONN_TIMEOUT   SEG_SEC(5) /* a client's whole exchange */
#define CTL_CLIENT_TIMEOUT SEG_SEC(5)

enum ctl_err {
	CTL_OK = 0,
	CTL_ERR_PATH = -1,     /* path empty or longer than CTL_PATH_MAX */
	CTL_ERR_IN_USE = -2,   /* a live server already listens on the path */
	CTL_ERR_SYSTEM = -3,   /* a system call failed; the message says which */
	CTL_ERR_CONNECT = -4,  /* nobody listens there (no gateway running?) */
	CTL_ERR_TIMEOUT = -5,  /* no complete answer in time */
	CTL_ERR_PROTOCOL = -6, /* the answer is not "ok\n..." or "error: ...\n" */
	CTL_ERR_TOO_BIG = -7,  /* the answer exceeds CTL_RESPONSE_MAX */
	CTL_ERR_REMOTE = -8,   /* the server answered "error: ..." */
	CTL_ERR_NOMEM = -9,
};

/* Listens at path and serves status requests from fn(arg). 0, or a ctl_err with err
 * saying why. */
__attribute__((warn_unused_result)) int ctl_server_new(struct evloop *loop, const char *path,
						       gw_status_fn *fn, void *arg,
						       struct ctl_server **out, char *err,
						       size_t errlen);
/* Stops serving, closes every client and removes the socket file. NULL is a no-op. */
void ctl_server_free(struct ctl_server *s);

/* Sends one request line (without its newline) to the server at path and waits at most
 * timeout ns for the answer. On success *body is a malloc'd NUL-terminated copy of what
 * followed "ok\n" (*body_len bytes). Otherwise a ctl_err, with err saying why (for
 * CTL_ERR_REMOTE, the server's message). */
__attribute__((warn_unused_result)) int ctl_request(const char *path, const char *request,
						    uint64_t timeout, char **body, size_t *body_len,
						    char *err, size_t errlen);

#endif /* SEG_GATEWAY_CTL_H */
