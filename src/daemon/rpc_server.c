/* SPDX-License-Identifier: MIT */
/*
 * A unary gRPC server over gRPC core, serving on its own thread.
 *
 * The thread owns one completion queue. For every registered method one request is always
 * outstanding (grpc_server_request_registered_call, payload read by gRPC), plus one
 * grpc_server_request_call for unknown methods, which are answered UNIMPLEMENTED. A request
 * tag completing means a call arrived: the handler runs right there, the answer goes out as
 * one batch (initial metadata, message, status, receive close) and the request is re-armed.
 * The batch's completion frees the call.
 *
 * Shutdown (daemon_rpc_server_stop, any other thread): grpc_server_shutdown_and_notify, then
 * grpc_server_cancel_all_calls. Outstanding requests complete with success = 0 and are freed,
 * not re-armed; calls in flight complete cancelled. When the shutdown tag arrives the thread
 * shuts the queue down and drains it until GRPC_QUEUE_SHUTDOWN, then exits; stop joins it and
 * destroys server and queue.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/grpc_security.h>
#include <grpc/slice.h>
#include <grpc/support/time.h>
#include <openssl/crypto.h>

#include <seg/daemon.h>

#include "rpc.h"
#include "underlay.h"

enum rpc_tag_kind {
	RPC_TAG_REQUEST,  /* a requested call arrived (or the request failed at shutdown) */
	RPC_TAG_RESPONSE, /* the answer batch of a call completed */
	RPC_TAG_SHUTDOWN, /* grpc_server_shutdown_and_notify completed */
};

struct rpc_method_slot {
	const struct daemon_rpc_method *method; /* NULL: the catch-all for unknown methods */
	void *handle;				/* from grpc_server_register_method */
};

/* One call, from its request to its answer's completion. The tag is its first member. */
struct rpc_call {
	enum rpc_tag_kind kind;
	const struct rpc_method_slot *slot;
	grpc_call *call;
	gpr_timespec deadline;
	grpc_metadata_array request_md;
	grpc_call_details details; /* unknown methods only */
	grpc_byte_buffer *payload;
	grpc_byte_buffer *response;
	grpc_slice status_details;
	int cancelled;
};

struct daemon_rpc_server {
	grpc_server *server;
	grpc_completion_queue *cq;
	pthread_t thread;
	void *ctx;
	enum rpc_tag_kind shutdown_tag;
	bool stopping; /* server thread only */
	size_t n_slots;
	struct daemon_rpc_method methods[DAEMON_RPC_MAX_METHODS];
	struct rpc_method_slot slots[DAEMON_RPC_MAX_METHODS + 1];
};

static void rpc_call_free(struct rpc_call *c)
{
	if (c->payload)
		grpc_byte_buffer_destroy(c->payload);
	if (c->response)
		grpc_byte_buffer_destroy(c->response);
	grpc_slice_unref(c->status_details);
	grpc_metadata_array_destroy(&c->request_md);
	if (!c->slot->method)
		grpc_call_details_destroy(&c->details);
	if (c->call)
		grpc_call_unref(c->call);
	free(c);
}

/* Arms the next request for one method; false when gRPC refuses (shutting down). */
static bool rpc_request(struct daemon_rpc_server *s, const struct rpc_method_slot *slot)
{
	struct rpc_call *c = calloc(1, sizeof(*c));
	grpc_call_error e;

	if (!c)
		return false;
	c->kind = RPC_TAG_REQUEST;
	c->slot = slot;
	c->status_details = grpc_empty_slice();
	grpc_metadata_array_init(&c->request_md);
	if (slot->method) {
		e = grpc_server_request_registered_call(s->server, slot->handle, &c->call,
							&c->deadline, &c->request_md, &c->payload,
							s->cq, s->cq, c);
	} else {
		grpc_call_details_init(&c->details);
		e = grpc_server_request_call(s->server, &c->call, &c->details, &c->request_md,
					     s->cq, s->cq, c);
	}
	if (e != GRPC_CALL_OK) {
		rpc_call_free(c);
		return false;
	}
	return true;
}

/* Runs the handler; fills the status and, on success, the response buffer of c. */
static grpc_status_code rpc_run_handler(struct daemon_rpc_server *s, struct rpc_call *c,
					const char **details)
{
	const struct daemon_rpc_method *m = c->slot->method;
	grpc_status_code code = GRPC_STATUS_OK;
	uint8_t *req = NULL, *resp = NULL;
	size_t req_len = 0, resp_len = 0;
	grpc_slice slice;
	int rc;

	*details = NULL;
	if (!m) {
		*details = "unknown method";
		return GRPC_STATUS_UNIMPLEMENTED;
	}
	if (!c->payload) {
		*details = "no request message";
		return GRPC_STATUS_INVALID_ARGUMENT;
	}
	rc = daemon_rpc_read_buffer(c->payload, &req, &req_len);
	if (rc) {
		*details = "cannot read request message";
		return rc == SEG_DAEMON_ERR_NOMEM ? GRPC_STATUS_RESOURCE_EXHAUSTED
						  : GRPC_STATUS_INVALID_ARGUMENT;
	}
	rc = m->handler(s->ctx, req, req_len, &resp, &resp_len, &code, details);
	free(req);
	if (rc) {
		if (code == GRPC_STATUS_OK)
			code = GRPC_STATUS_INTERNAL;
	} else {
		code = GRPC_STATUS_OK;
		slice = grpc_slice_from_copied_buffer((const char *)resp, resp_len);
		c->response = grpc_raw_byte_buffer_create(&slice, 1);
		grpc_slice_unref(slice);
	}
	/* Answers may carry keys (DRKey): wipe our copy before it goes back to the heap. */
	if (resp) {
		OPENSSL_cleanse(resp, resp_len);
		free(resp);
	}
	return code;
}

/* A call arrived: answer it in one batch, whose completion frees c. */
static void rpc_answer(struct daemon_rpc_server *s, struct rpc_call *c)
{
	const char *details;
	grpc_status_code code = rpc_run_handler(s, c, &details);
	grpc_op ops[4];
	size_t n = 0;

	memset(ops, 0, sizeof(ops));
	if (details)
		c->status_details = grpc_slice_from_copied_string(details);
	ops[n++].op = GRPC_OP_SEND_INITIAL_METADATA;
	if (code == GRPC_STATUS_OK) {
		ops[n].op = GRPC_OP_SEND_MESSAGE;
		ops[n++].data.send_message.send_message = c->response;
	}
	ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
	ops[n].data.send_status_from_server.status = code;
	ops[n++].data.send_status_from_server.status_details = details ? &c->status_details : NULL;
	ops[n].op = GRPC_OP_RECV_CLOSE_ON_SERVER;
	ops[n++].data.recv_close_on_server.cancelled = &c->cancelled;

	c->kind = RPC_TAG_RESPONSE;
	if (grpc_call_start_batch(c->call, ops, n, c, NULL) != GRPC_CALL_OK)
		rpc_call_free(c);
}

static void *rpc_server_thread(void *arg)
{
	struct daemon_rpc_server *s = arg;

	for (;;) {
		grpc_event ev =
		    grpc_completion_queue_next(s->cq, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
		struct rpc_call *c;

		if (ev.type == GRPC_QUEUE_SHUTDOWN)
			break;
		if (ev.type != GRPC_OP_COMPLETE)
			continue;
		if (ev.tag == &s->shutdown_tag) {
			s->stopping = true;
			grpc_completion_queue_shutdown(s->cq);
			continue;
		}
		c = ev.tag;
		if (c->kind == RPC_TAG_RESPONSE) {
			rpc_call_free(c);
			continue;
		}
		/* A request: success = 0 means the server is shutting down. */
		if (!ev.success || s->stopping) {
			rpc_call_free(c);
			continue;
		}
		rpc_request(s, c->slot);
		rpc_answer(s, c);
	}
	return NULL;
}

/* Only loopback: seg never serves the daemon API beyond its own host. */
static int rpc_check_bind_addr(const char *addr)
{
	struct sockaddr_storage ss;

	if (!addr || daemon_underlay_parse(addr, &ss, true))
		return SEG_DAEMON_ERR_ARG;
	if (!daemon_underlay_is_loopback(&ss))
		return SEG_DAEMON_ERR_ARG;
	return 0;
}

static int rpc_server_setup(struct daemon_rpc_server *s, const char *addr, uint16_t *bound_port)
{
	/* No SO_REUSEPORT: a second server on a taken port must fail, not share it. */
	grpc_arg arg[2] = {
	    {.type = GRPC_ARG_INTEGER,
	     .key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
	     .value.integer = DAEMON_RPC_MAX_MESSAGE},
	    {.type = GRPC_ARG_INTEGER, .key = (char *)GRPC_ARG_ALLOW_REUSEPORT, .value.integer = 0},
	};
	grpc_channel_args args = {.num_args = 2, .args = arg};
	grpc_server_credentials *creds;
	int port;

	s->cq = grpc_completion_queue_create_for_next(NULL);
	if (!s->cq)
		return SEG_DAEMON_ERR_GRPC;
	s->server = grpc_server_create(&args, NULL);
	if (!s->server)
		return SEG_DAEMON_ERR_GRPC;
	grpc_server_register_completion_queue(s->server, s->cq, NULL);
	for (size_t i = 0; i < s->n_slots; i++) {
		if (!s->slots[i].method)
			continue;
		s->slots[i].handle =
		    grpc_server_register_method(s->server, s->slots[i].method->path, NULL,
						GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER, 0);
		if (!s->slots[i].handle)
			return SEG_DAEMON_ERR_ARG;
	}
	creds = grpc_insecure_server_credentials_create();
	port = grpc_server_add_http2_port(s->server, addr, creds);
	grpc_server_credentials_release(creds);
	if (port <= 0 || port > 65535)
		return SEG_DAEMON_ERR_UNAVAILABLE;
	if (bound_port)
		*bound_port = (uint16_t)port;
	return 0;
}

/*
 * Shuts down and frees. Without a running thread the caller's thread drains the queue itself
 * (setup failed part-way); the queue must exist, the server may not.
 */
static void rpc_server_teardown(struct daemon_rpc_server *s, bool thread_running)
{
	if (s->server) {
		grpc_server_shutdown_and_notify(s->server, s->cq, &s->shutdown_tag);
		grpc_server_cancel_all_calls(s->server);
		if (thread_running)
			pthread_join(s->thread, NULL);
		else
			rpc_server_thread(s);
		grpc_server_destroy(s->server);
	} else if (s->cq) {
		grpc_completion_queue_shutdown(s->cq);
		rpc_server_thread(s);
	}
	if (s->cq)
		grpc_completion_queue_destroy(s->cq);
	free(s);
	grpc_shutdown();
}

int daemon_rpc_server_start(const char *addr, const struct daemon_rpc_method *methods,
			    size_t n_methods, void *ctx, struct daemon_rpc_server **out,
			    uint16_t *bound_port)
{
	struct daemon_rpc_server *s;
	int err;

	if (!out || n_methods > DAEMON_RPC_MAX_METHODS || (n_methods && !methods))
		return SEG_DAEMON_ERR_ARG;
	err = rpc_check_bind_addr(addr);
	if (err)
		return err;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SEG_DAEMON_ERR_NOMEM;
	grpc_init();
	s->ctx = ctx;
	s->shutdown_tag = RPC_TAG_SHUTDOWN;
	for (size_t i = 0; i < n_methods; i++) {
		s->methods[i] = methods[i];
		s->slots[i].method = &s->methods[i];
	}
	s->n_slots = n_methods + 1; /* the last slot catches unknown methods */

	err = rpc_server_setup(s, addr, bound_port);
	if (err) {
		rpc_server_teardown(s, false);
		return err;
	}
	grpc_server_start(s->server);
	for (size_t i = 0; i < s->n_slots; i++) {
		if (!rpc_request(s, &s->slots[i]))
			err = SEG_DAEMON_ERR_NOMEM;
	}
	if (!err && pthread_create(&s->thread, NULL, rpc_server_thread, s))
		err = SEG_DAEMON_ERR_NOMEM;
	if (err) {
		rpc_server_teardown(s, false);
		return err;
	}
	*out = s;
	return 0;
}

void daemon_rpc_server_stop(struct daemon_rpc_server *s)
{
	if (s)
		rpc_server_teardown(s, true);
}
