/* SPDX-License-Identifier: MIT */
/*
 * A unary gRPC call over gRPC core: one batch of the six client ops (send initial metadata,
 * send message, send close, receive initial metadata, receive message, receive status) on
 * the caller's completion queue, with a deadline. gRPC ends the batch by the deadline at the
 * latest, so the caller never waits longer than the timeout (plus a grace period that only
 * a broken library would use).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/byte_buffer.h>
#include <grpc/byte_buffer_reader.h>
#include <grpc/slice.h>
#include <grpc/support/alloc.h>
#include <grpc/support/time.h>
#include <openssl/crypto.h>

#include <seg/daemon.h>

#include "rpc.h"

enum {
	/* Wait past the call's own deadline before cancelling it ourselves. */
	RPC_CLIENT_GRACE_MS = 2000,
};

static gpr_timespec rpc_deadline_after(int64_t ms)
{
	return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_millis(ms, GPR_TIMESPAN));
}

int daemon_rpc_read_buffer(grpc_byte_buffer *bb, uint8_t **out, size_t *len)
{
	grpc_byte_buffer_reader reader;
	grpc_slice all;
	uint8_t *copy = NULL;
	size_t n;
	int err = 0;

	/* The reader also undoes message compression. */
	if (!grpc_byte_buffer_reader_init(&reader, bb))
		return SEG_DAEMON_ERR_GRPC;
	all = grpc_byte_buffer_reader_readall(&reader);
	grpc_byte_buffer_reader_destroy(&reader);
	n = GRPC_SLICE_LENGTH(all);
	if (n > DAEMON_RPC_MAX_MESSAGE) {
		err = SEG_DAEMON_ERR_TOO_MANY;
		goto out;
	}
	if (n) {
		copy = malloc(n);
		if (!copy) {
			err = SEG_DAEMON_ERR_NOMEM;
			goto out;
		}
		memcpy(copy, GRPC_SLICE_START_PTR(all), n);
	}
	*out = copy;
	*len = n;
out:
	/* readall made a fresh copy that is ours alone; a DRKey answer's key is in it. */
	OPENSSL_cleanse(GRPC_SLICE_START_PTR(all), n);
	grpc_slice_unref(all);
	return err;
}

/* Copies status details as printable text: they come from the server. */
static void rpc_copy_details(struct daemon_rpc_status *st, grpc_slice details)
{
	size_t n = GRPC_SLICE_LENGTH(details);
	const uint8_t *p = GRPC_SLICE_START_PTR(details);

	if (n >= sizeof(st->details))
		n = sizeof(st->details) - 1;
	for (size_t i = 0; i < n; i++)
		st->details[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	st->details[n] = '\0';
}

static int rpc_status_to_err(grpc_status_code code)
{
	switch (code) {
	case GRPC_STATUS_OK:
		return 0;
	case GRPC_STATUS_UNAVAILABLE:
		return SEG_DAEMON_ERR_UNAVAILABLE;
	case GRPC_STATUS_DEADLINE_EXCEEDED:
		return SEG_DAEMON_ERR_DEADLINE;
	default:
		return SEG_DAEMON_ERR_STATUS;
	}
}

/* Waits for the batch; cancels the call if gRPC overruns its own deadline. */
static void rpc_wait(grpc_completion_queue *cq, grpc_call *call, void *tag, int timeout_ms)
{
	grpc_event ev = grpc_completion_queue_pluck(
	    cq, tag, rpc_deadline_after((int64_t)timeout_ms + RPC_CLIENT_GRACE_MS), NULL);

	if (ev.type == GRPC_QUEUE_TIMEOUT) {
		grpc_call_cancel(call, NULL);
		grpc_completion_queue_pluck(cq, tag, gpr_inf_future(GPR_CLOCK_MONOTONIC), NULL);
	}
}

int daemon_rpc_call(grpc_channel *ch, grpc_completion_queue *cq, const char *method,
		    const uint8_t *req, size_t req_len, int timeout_ms, uint8_t **resp,
		    size_t *resp_len, struct daemon_rpc_status *st)
{
	grpc_metadata_array initial_md, trailing_md;
	grpc_byte_buffer *req_bb, *resp_bb = NULL;
	grpc_slice details = grpc_empty_slice();
	grpc_status_code code = GRPC_STATUS_UNKNOWN;
	grpc_slice req_slice;
	grpc_call *call;
	grpc_op ops[6];
	int tag, err;

	*resp = NULL;
	*resp_len = 0;
	st->code = GRPC_STATUS_UNKNOWN;
	st->details[0] = '\0';

	req_slice = grpc_slice_from_copied_buffer((const char *)req, req_len);
	req_bb = grpc_raw_byte_buffer_create(&req_slice, 1);
	grpc_slice_unref(req_slice);
	call = grpc_channel_create_call(ch, NULL, GRPC_PROPAGATE_DEFAULTS, cq,
					grpc_slice_from_static_string(method), NULL,
					rpc_deadline_after(timeout_ms), NULL);
	if (!call) {
		grpc_byte_buffer_destroy(req_bb);
		snprintf(st->details, sizeof(st->details), "cannot create call");
		return SEG_DAEMON_ERR_GRPC;
	}
	grpc_metadata_array_init(&initial_md);
	grpc_metadata_array_init(&trailing_md);

	memset(ops, 0, sizeof(ops));
	ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
	ops[1].op = GRPC_OP_SEND_MESSAGE;
	ops[1].data.send_message.send_message = req_bb;
	ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
	ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
	ops[3].data.recv_initial_metadata.recv_initial_metadata = &initial_md;
	ops[4].op = GRPC_OP_RECV_MESSAGE;
	ops[4].data.recv_message.recv_message = &resp_bb;
	ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
	ops[5].data.recv_status_on_client.trailing_metadata = &trailing_md;
	ops[5].data.recv_status_on_client.status = &code;
	ops[5].data.recv_status_on_client.status_details = &details;

	if (grpc_call_start_batch(call, ops, 6, &tag, NULL) != GRPC_CALL_OK) {
		snprintf(st->details, sizeof(st->details), "cannot start call");
		err = SEG_DAEMON_ERR_GRPC;
		goto out;
	}
	rpc_wait(cq, call, &tag, timeout_ms);

	st->code = code;
	rpc_copy_details(st, details);
	err = rpc_status_to_err(code);
	if (err)
		goto out;
	if (!resp_bb) {
		err = SEG_DAEMON_ERR_NO_MESSAGE;
		goto out;
	}
	err = daemon_rpc_read_buffer(resp_bb, resp, resp_len);
out:
	if (resp_bb)
		grpc_byte_buffer_destroy(resp_bb);
	grpc_byte_buffer_destroy(req_bb);
	grpc_slice_unref(details);
	grpc_metadata_array_destroy(&initial_md);
	grpc_metadata_array_destroy(&trailing_md);
	grpc_call_unref(call);
	return err;
}
