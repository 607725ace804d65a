/* SPDX-License-Identifier: MIT */
/*
 * The typed daemon client: encode the request, one unary call, decode and validate the
 * answer, and keep a message saying precisely what went wrong. Thread: the caller's, one
 * at a time per handle (include/seg/daemon.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <openssl/crypto.h>

#include <seg/daemon.h>

#include "codec.h"
#include "rpc.h"

#define DAEMON_METHOD_PREFIX "/proto.daemon.v1.DaemonService/"

enum {
	/* Reconnect backoff cap: a restarted daemon is found again within seconds. */
	DAEMON_MAX_RECONNECT_BACKOFF_MS = 5000,
	DAEMON_ERROR_LEN = 512,
	DAEMON_ADDR_LEN = 128,
};

struct seg_daemon {
	grpc_channel *channel;
	grpc_completion_queue *cq; /* pluck queue; one call at a time */
	int timeout_ms;
	int last_status;
	char addr[DAEMON_ADDR_LEN];
	char last_error[DAEMON_ERROR_LEN];
};

struct seg_daemon *seg_daemon_open(const char *addr, int timeout_ms)
{
	grpc_arg args[2] = {
	    {.type = GRPC_ARG_INTEGER,
	     .key = (char *)GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH,
	     .value.integer = DAEMON_RPC_MAX_MESSAGE},
	    {.type = GRPC_ARG_INTEGER,
	     .key = (char *)GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
	     .value.integer = DAEMON_MAX_RECONNECT_BACKOFF_MS},
	};
	grpc_channel_args chargs = {.num_args = 2, .args = args};
	grpc_channel_credentials *creds;
	struct seg_daemon *d;

	if (!addr)
		addr = SEG_DAEMON_DEFAULT_ADDR;
	if (timeout_ms < 0 || timeout_ms > SEG_DAEMON_MAX_TIMEOUT_MS || !*addr ||
	    strlen(addr) >= DAEMON_ADDR_LEN)
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	snprintf(d->addr, sizeof(d->addr), "%s", addr);
	d->timeout_ms = timeout_ms ? timeout_ms : SEG_DAEMON_DEFAULT_TIMEOUT_MS;
	grpc_init();
	creds = grpc_insecure_credentials_create();
	d->channel = grpc_channel_create(addr, creds, &chargs);
	grpc_channel_credentials_release(creds);
	d->cq = grpc_completion_queue_create_for_pluck(NULL);
	if (!d->channel || !d->cq) {
		seg_daemon_close(d);
		return NULL;
	}
	return d;
}

void seg_daemon_close(struct seg_daemon *d)
{
	if (!d)
		return;
	if (d->channel)
		grpc_channel_destroy(d->channel);
	if (d->cq) {
		grpc_completion_queue_shutdown(d->cq);
		/* A pluck queue drains by plucking; nothing is outstanding between calls. */
		grpc_completion_queue_destroy(d->cq);
	}
	free(d);
	grpc_shutdown();
}

int seg_daemon_last_status(const struct seg_daemon *d)
{
	return d->last_status;
}

const char *seg_daemon_last_error(const struct seg_daemon *d)
{
	return d->last_error;
}

static const char *daemon_status_name(int code)
{
	static const char *const names[] = {
	    "OK",
	    "CANCELLED",
	    "UNKNOWN",
	    "INVALID_ARGUMENT",
	    "DEADLINE_EXCEEDED",
	    "NOT_FOUND",
	    "ALREADY_EXISTS",
	    "PERMISSION_DENIED",
	    "RESOURCE_EXHAUSTED",
	    "FAILED_PRECONDITION",
	    "ABORTED",
	    "OUT_OF_RANGE",
	    "UNIMPLEMENTED",
	    "INTERNAL",
	    "UNAVAILABLE",
	    "DATA_LOSS",
	    "UNAUTHENTICATED",
	};

	if (code < 0 || (size_t)code >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[code];
}

/* Records the outcome of a call in the handle's error message. */
static int daemon_note(struct seg_daemon *d, const char *method, int err,
		       const struct daemon_rpc_status *st)
{
	d->last_status = st ? (int)st->code : 0;
	if (!err) {
		d->last_error[0] = '\0';
		return 0;
	}
	if (st && (err == SEG_DAEMON_ERR_STATUS || err == SEG_DAEMON_ERR_UNAVAILABLE ||
		   err == SEG_DAEMON_ERR_DEADLINE)) {
		snprintf(d->last_error, sizeof(d->last_error),
			 "%s %s: %s (after at most %d ms): status %d (%s): %s", d->addr, method,
			 seg_daemon_strerror(err), d->timeout_ms, (int)st->code,
			 daemon_status_name((int)st->code), st->details);
	} else {
		snprintf(d->last_error, sizeof(d->last_error), "%s %s: %s", d->addr, method,
			 seg_daemon_strerror(err));
	}
	return err;
}

/*
 * One call: request bytes out, answer bytes in (the caller decodes and frees them). The
 * request buffer is wiped and freed here.
 */
static int daemon_call(struct seg_daemon *d, const char *method, uint8_t *req, size_t req_len,
		       uint8_t **resp, size_t *resp_len)
{
	char path[64];
	struct daemon_rpc_status st;
	int err;

	snprintf(path, sizeof(path), DAEMON_METHOD_PREFIX "%s", method);
	err = daemon_rpc_call(d->channel, d->cq, path, req, req_len, d->timeout_ms, resp, resp_len,
			      &st);
	OPENSSL_cleanse(req, req_len);
	free(req);
	return daemon_note(d, method, err, &st);
}

static void daemon_free_answer(uint8_t *resp, size_t len)
{
	if (resp)
		OPENSSL_cleanse(resp, len);
	free(resp);
}

int seg_daemon_paths(struct seg_daemon *d, scion_ia_t src_ia, scion_ia_t dst_ia, bool hidden,
		     bool refresh, struct seg_path **paths, size_t *n)
{
	struct seg_daemon_paths_req r = {
	    .src = src_ia, .dst = dst_ia, .hidden = hidden, .refresh = refresh};
	uint8_t *req, *resp;
	size_t req_len, resp_len;
	int err;

	if (!d || !paths || !n)
		return SEG_DAEMON_ERR_ARG;
	*paths = NULL;
	*n = 0;
	err = daemon_encode_paths_req(&r, &req, &req_len);
	if (err)
		return daemon_note(d, "Paths", err, NULL);
	err = daemon_call(d, "Paths", req, req_len, &resp, &resp_len);
	if (err)
		return err;
	err = daemon_decode_paths_resp(resp, resp_len, paths, n);
	daemon_free_answer(resp, resp_len);
	return daemon_note(d, "Paths", err, NULL);
}

void seg_daemon_paths_free(struct seg_path *paths)
{
	free(paths);
}

int seg_daemon_as_info(struct seg_daemon *d, scion_ia_t ia, struct seg_daemon_as_info *out)
{
	uint8_t *req, *resp;
	size_t req_len, resp_len;
	int err;

	if (!d || !out)
		return SEG_DAEMON_ERR_ARG;
	err = daemon_encode_as_req(ia, &req, &req_len);
	if (err)
		return daemon_note(d, "AS", err, NULL);
	err = daemon_call(d, "AS", req, req_len, &resp, &resp_len);
	if (err)
		return err;
	err = daemon_decode_as_resp(resp, resp_len, out);
	daemon_free_answer(resp, resp_len);
	return daemon_note(d, "AS", err, NULL);
}

int seg_daemon_interfaces(struct seg_daemon *d, struct seg_daemon_interface **out, size_t *n)
{
	uint8_t *req, *resp;
	size_t req_len, resp_len;
	int err;

	if (!d || !out || !n)
		return SEG_DAEMON_ERR_ARG;
	*out = NULL;
	*n = 0;
	err = daemon_encode_empty(&req, &req_len);
	if (err)
		return daemon_note(d, "Interfaces", err, NULL);
	err = daemon_call(d, "Interfaces", req, req_len, &resp, &resp_len);
	if (err)
		return err;
	err = daemon_decode_interfaces_resp(resp, resp_len, out, n);
	daemon_free_answer(resp, resp_len);
	return daemon_note(d, "Interfaces", err, NULL);
}

void seg_daemon_interfaces_free(struct seg_daemon_interface *ifaces)
{
	free(ifaces);
}

int seg_daemon_port_range(struct seg_daemon *d, struct seg_daemon_port_range *out)
{
	uint8_t *req, *resp;
	size_t req_len, resp_len;
	int err;

	if (!d || !out)
		return SEG_DAEMON_ERR_ARG;
	err = daemon_encode_empty(&req, &req_len);
	if (err)
		return daemon_note(d, "PortRange", err, NULL);
	err = daemon_call(d, "PortRange", req, req_len, &resp, &resp_len);
	if (err)
		return err;
	err = daemon_decode_port_range_resp(resp, resp_len, out);
	daemon_free_answer(resp, resp_len);
	return daemon_note(d, "PortRange", err, NULL);
}

static const char *daemon_drkey_method(enum seg_drkey_kind kind)
{
	switch (kind) {
	case SEG_DRKEY_HOST_AS:
		return "DRKeyHostAS";
	case SEG_DRKEY_AS_HOST:
		return "DRKeyASHost";
	case SEG_DRKEY_HOST_HOST:
		return "DRKeyHostHost";
	}
	return NULL;
}

int seg_daemon_drkey(struct seg_daemon *d, enum seg_drkey_kind kind,
		     const struct seg_daemon_drkey_req *r, struct seg_drkey *out)
{
	const char *method = daemon_drkey_method(kind);
	struct seg_drkey key;
	uint8_t *req, *resp;
	size_t req_len, resp_len;
	int err;

	if (!d || !r || !out || !method)
		return SEG_DAEMON_ERR_ARG;
	err = daemon_encode_drkey_req(kind, r, &req, &req_len);
	if (err)
		return daemon_note(d, method, err, NULL);
	err = daemon_call(d, method, req, req_len, &resp, &resp_len);
	if (err)
		return err;
	err = daemon_decode_drkey_resp(kind, resp, resp_len, &key);
	daemon_free_answer(resp, resp_len);
	if (!err)
		*out = key;
	OPENSSL_cleanse(&key, sizeof(key));
	return daemon_note(d, method, err, NULL);
}

int seg_daemon_drkey_host_as(struct seg_daemon *d, const struct seg_daemon_drkey_req *req,
			     struct seg_drkey *out)
{
	return seg_daemon_drkey(d, SEG_DRKEY_HOST_AS, req, out);
}

int seg_daemon_drkey_as_host(struct seg_daemon *d, const struct seg_daemon_drkey_req *req,
			     struct seg_drkey *out)
{
	return seg_daemon_drkey(d, SEG_DRKEY_AS_HOST, req, out);
}

int seg_daemon_drkey_host_host(struct seg_daemon *d, const struct seg_daemon_drkey_req *req,
			       struct seg_drkey *out)
{
	return seg_daemon_drkey(d, SEG_DRKEY_HOST_HOST, req, out);
}

const char *seg_daemon_strerror(int err)
{
	switch ((enum seg_daemon_err)err) {
	case SEG_DAEMON_OK:
		return "success";
	case SEG_DAEMON_ERR_ARG:
		return "invalid argument";
	case SEG_DAEMON_ERR_NOMEM:
		return "out of memory";
	case SEG_DAEMON_ERR_UNAVAILABLE:
		return "daemon unavailable";
	case SEG_DAEMON_ERR_DEADLINE:
		return "no answer from the daemon within the timeout";
	case SEG_DAEMON_ERR_STATUS:
		return "daemon answered with an error status";
	case SEG_DAEMON_ERR_GRPC:
		return "local gRPC failure";
	case SEG_DAEMON_ERR_NO_MESSAGE:
		return "status OK without a message";
	case SEG_DAEMON_ERR_PROTOBUF:
		return "message is not valid protobuf";
	case SEG_DAEMON_ERR_PATH_RAW:
		return "raw path too long or not a standard SCION path";
	case SEG_DAEMON_ERR_PATH_IFACES:
		return "path interfaces invalid (count, ISD-AS or ID)";
	case SEG_DAEMON_ERR_UNDERLAY:
		return "underlay address is not a strict ip:port";
	case SEG_DAEMON_ERR_MTU:
		return "MTU is 0 or above 65535";
	case SEG_DAEMON_ERR_TIME:
		return "timestamp missing, out of range or inverted";
	case SEG_DAEMON_ERR_KEY_LEN:
		return "DRKey is not 16 bytes";
	case SEG_DAEMON_ERR_TOO_MANY:
		return "more entries than seg accepts";
	case SEG_DAEMON_ERR_PORT_RANGE:
		return "port range inverted or above 65535";
	case SEG_DAEMON_ERR_HOST:
		return "host address is not an IP literal";
	case SEG_DAEMON_ERR_PROTOCOL:
		return "DRKey protocol number above 65535";
	case SEG_DAEMON_ERR_IA:
		return "ISD-AS with ISD or AS 0";
	case SEG_DAEMON_ERR_IFACE_ID:
		return "interface ID 0, above 65535 or repeated";
	case SEG_DAEMON_ERR_NOT_FOUND:
		return "not found";
	case SEG_DAEMON_ERR_UNIMPLEMENTED:
		return "the daemon does not offer this method (gRPC UNIMPLEMENTED)";
	case SEG_DAEMON_ERR_INTERNAL:
		return "internal server error";
	}
	return "unknown daemon error";
}
