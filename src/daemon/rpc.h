/* SPDX-License-Identifier: MIT */
/*
 * Unary gRPC over the gRPC core C API: the client call (rpc_client.c) and a small server
 * framework (rpc_server.c). Bytes in, bytes out; the protobuf layer is daemon_codec.c.
 *
 * Client thread: the caller's; daemon_rpc_call() blocks until the call completes, which gRPC
 * guarantees by the deadline. Server thread: one per server, created by
 * daemon_rpc_server_start(); it alone calls the handlers, one call at a time.
 * Both sides take a grpc_init() reference for their lifetime (the library is refcounted).
 */
#ifndef SEG_DAEMON_RPC_H
#define SEG_DAEMON_RPC_H

#include <grpc/grpc.h>
#include <stddef.h>
#include <stdint.h>

enum {
	/* Largest message either side accepts: gRPC's default, named here. */
	DAEMON_RPC_MAX_MESSAGE = 4 * 1024 * 1024,
	/* Status details kept for the caller's error message. */
	DAEMON_RPC_DETAILS_LEN = 160,
	/* Methods one server serves. */
	DAEMON_RPC_MAX_METHODS = 16,
};

/* The outcome of a call besides its error code: the gRPC status and its details. */
struct daemon_rpc_status {
	grpc_status_code code;
	char details[DAEMON_RPC_DETAILS_LEN];
};

/*
 * Calls method ("/package.Service/Method") on ch with the serialized request, waiting at most
 * timeout_ms. On success (status OK and one message) *resp is a malloc'd copy of the answer
 * (NULL when *resp_len is 0). Returns 0, SEG_DAEMON_ERR_UNAVAILABLE, _DEADLINE, _STATUS (any
 * other non-OK status), _NO_MESSAGE, _GRPC or _NOMEM; st is filled in every case.
 */
__attribute__((warn_unused_result)) int daemon_rpc_call(grpc_channel *ch, grpc_completion_queue *cq,
							const char *method, const uint8_t *req,
							size_t req_len, int timeout_ms,
							uint8_t **resp, size_t *resp_len,
							struct daemon_rpc_status *st);

/* Copies a received message into a malloc'd buffer (NULL when empty); 0 or an error. */
__attribute__((warn_unused_result)) int daemon_rpc_read_buffer(grpc_byte_buffer *bb, uint8_t **out,
							       size_t *len);

/*
 * A method handler, called on the server thread with the request bytes. Returns 0 with
 * *resp (malloc'd; NULL for an empty message) and *resp_len set, which the server wipes and
 * frees; or non-zero with *code (INTERNAL if left OK) and *details (a static string or NULL).
 */
typedef int (*daemon_rpc_handler_fn)(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
				     size_t *resp_len, grpc_status_code *code,
				     const char **details);

struct daemon_rpc_method {
	const char *path; /* "/package.Service/Method"; must outlive the server */
	daemon_rpc_handler_fn handler;
};

struct daemon_rpc_server;

/*
 * Binds addr (an IP literal and port, loopback only; port 0 picks one), registers the
 * methods (others are answered UNIMPLEMENTED) and serves them on a new thread with ctx.
 * Returns 0 or SEG_DAEMON_ERR_ARG / _GRPC / _NOMEM.
 */
__attribute__((warn_unused_result)) int
daemon_rpc_server_start(const char *addr, const struct daemon_rpc_method *methods, size_t n_methods,
			void *ctx, struct daemon_rpc_server **out, uint16_t *bound_port);
/* Shuts down: no new calls, calls in flight cancelled, queue drained, thread joined. */
void daemon_rpc_server_stop(struct daemon_rpc_server *s);

#endif /* SEG_DAEMON_RPC_H */
