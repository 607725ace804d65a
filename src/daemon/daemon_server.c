/* SPDX-License-Identifier: MIT */
/*
 * DaemonService on the rpc_server.c framework: each method decodes its request, asks the
 * op, validates and encodes the answer. Runs on the server thread only.
 *
 * Op results and gRPC statuses: 0 -> OK; SEG_DAEMON_ERR_NOT_FOUND -> NOT_FOUND;
 * _UNIMPLEMENTED or a NULL op -> UNIMPLEMENTED; _ARG -> INVALID_ARGUMENT; _UNAVAILABLE ->
 * UNAVAILABLE; anything else -> INTERNAL. A request that does not decode is INVALID_ARGUMENT;
 * an answer that fails validation is INTERNAL ("invalid answer").
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <seg/daemon.h>

#include "codec.h"
#include "rpc.h"

struct seg_daemon_server {
	struct daemon_rpc_server *rpc;
	const struct seg_daemon_service_ops *ops;
	void *ctx;
};

static int service_fail(int err, grpc_status_code *code, const char **details)
{
	switch (err) {
	case SEG_DAEMON_ERR_NOT_FOUND:
		*code = GRPC_STATUS_NOT_FOUND;
		break;
	case SEG_DAEMON_ERR_UNIMPLEMENTED:
		*code = GRPC_STATUS_UNIMPLEMENTED;
		break;
	case SEG_DAEMON_ERR_ARG:
		*code = GRPC_STATUS_INVALID_ARGUMENT;
		break;
	case SEG_DAEMON_ERR_UNAVAILABLE:
		*code = GRPC_STATUS_UNAVAILABLE;
		break;
	default:
		*code = GRPC_STATUS_INTERNAL;
		break;
	}
	*details = seg_daemon_strerror(err);
	return -1;
}

static int service_bad_request(int err, grpc_status_code *code, const char **details)
{
	*code = GRPC_STATUS_INVALID_ARGUMENT;
	*details = seg_daemon_strerror(err);
	return -1;
}

static int service_bad_answer(grpc_status_code *code, const char **details)
{
	*code = GRPC_STATUS_INTERNAL;
	*details = "invalid answer";
	return -1;
}

static int service_paths(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
			 size_t *resp_len, grpc_status_code *code, const char **details)
{
	struct seg_daemon_server *s = ctx;
	struct seg_daemon_paths_req r;
	struct seg_path *paths = NULL;
	size_t n = 0;
	int err;

	err = daemon_decode_paths_req(req, len, &r);
	if (err)
		return service_bad_request(err, code, details);
	if (!s->ops->paths)
		return service_fail(SEG_DAEMON_ERR_UNIMPLEMENTED, code, details);
	err = s->ops->paths(s->ctx, &r, &paths, &n);
	if (err)
		return service_fail(err, code, details);
	err = daemon_encode_paths_resp(paths, n, resp, resp_len);
	free(paths);
	return err ? service_bad_answer(code, details) : 0;
}

static int service_as(void *ctx, const uint8_t *req, size_t len, uint8_t **resp, size_t *resp_len,
		      grpc_status_code *code, const char **details)
{
	struct seg_daemon_server *s = ctx;
	struct seg_daemon_as_info info;
	scion_ia_t ia;
	int err;

	err = daemon_decode_as_req(req, len, &ia);
	if (err)
		return service_bad_request(err, code, details);
	if (!s->ops->as_info)
		return service_fail(SEG_DAEMON_ERR_UNIMPLEMENTED, code, details);
	memset(&info, 0, sizeof(info));
	err = s->ops->as_info(s->ctx, ia, &info);
	if (err)
		return service_fail(err, code, details);
	return daemon_encode_as_resp(&info, resp, resp_len) ? service_bad_answer(code, details) : 0;
}

static int service_interfaces(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
			      size_t *resp_len, grpc_status_code *code, const char **details)
{
	struct seg_daemon_server *s = ctx;
	struct seg_daemon_interface *ifaces = NULL;
	size_t n = 0;
	int err;

	err = daemon_decode_interfaces_req(req, len);
	if (err)
		return service_bad_request(err, code, details);
	if (!s->ops->interfaces)
		return service_fail(SEG_DAEMON_ERR_UNIMPLEMENTED, code, details);
	err = s->ops->interfaces(s->ctx, &ifaces, &n);
	if (err)
		return service_fail(err, code, details);
	err = daemon_encode_interfaces_resp(ifaces, n, resp, resp_len);
	free(ifaces);
	return err ? service_bad_answer(code, details) : 0;
}

static int service_port_range(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
			      size_t *resp_len, grpc_status_code *code, const char **details)
{
	struct seg_daemon_server *s = ctx;
	struct seg_daemon_port_range r = {0, 0};
	int err;

	err = daemon_decode_empty(req, len);
	if (err)
		return service_bad_request(err, code, details);
	if (!s->ops->port_range)
		return service_fail(SEG_DAEMON_ERR_UNIMPLEMENTED, code, details);
	err = s->ops->port_range(s->ctx, &r);
	if (err)
		return service_fail(err, code, details);
	return daemon_encode_port_range_resp(&r, resp, resp_len) ? service_bad_answer(code, details)
								 : 0;
}

static int service_drkey(struct seg_daemon_server *s, enum seg_drkey_kind kind, const uint8_t *req,
			 size_t len, uint8_t **resp, size_t *resp_len, grpc_status_code *code,
			 const char **details)
{
	struct seg_daemon_drkey_req r;
	struct seg_drkey key;
	int err;

	err = daemon_decode_drkey_req(kind, req, len, &r);
	if (err)
		return service_bad_request(err, code, details);
	if (!s->ops->drkey)
		return service_fail(SEG_DAEMON_ERR_UNIMPLEMENTED, code, details);
	memset(&key, 0, sizeof(key));
	err = s->ops->drkey(s->ctx, kind, &r, &key);
	if (err) {
		OPENSSL_cleanse(&key, sizeof(key));
		return service_fail(err, code, details);
	}
	err = daemon_encode_drkey_resp(kind, &key, resp, resp_len);
	OPENSSL_cleanse(&key, sizeof(key));
	return err ? service_bad_answer(code, details) : 0;
}

static int service_drkey_host_as(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
				 size_t *resp_len, grpc_status_code *code, const char **details)
{
	return service_drkey(ctx, SEG_DRKEY_HOST_AS, req, len, resp, resp_len, code, details);
}

static int service_drkey_as_host(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
				 size_t *resp_len, grpc_status_code *code, const char **details)
{
	return service_drkey(ctx, SEG_DRKEY_AS_HOST, req, len, resp, resp_len, code, details);
}

static int service_drkey_host_host(void *ctx, const uint8_t *req, size_t len, uint8_t **resp,
				   size_t *resp_len, grpc_status_code *code, const char **details)
{
	return service_drkey(ctx, SEG_DRKEY_HOST_HOST, req, len, resp, resp_len, code, details);
}

#define SERVICE_PATH(m) "/proto.daemon.v1.DaemonService/" m

static const struct daemon_rpc_method service_methods[] = {
    {SERVICE_PATH("Paths"), service_paths},
    {SERVICE_PATH("AS"), service_as},
    {SERVICE_PATH("Interfaces"), service_interfaces},
    {SERVICE_PATH("PortRange"), service_port_range},
    {SERVICE_PATH("DRKeyHostAS"), service_drkey_host_as},
    {SERVICE_PATH("DRKeyASHost"), service_drkey_as_host},
    {SERVICE_PATH("DRKeyHostHost"), service_drkey_host_host},
};

int seg_daemon_server_start(const char *addr, const struct seg_daemon_service_ops *ops, void *ctx,
			    struct seg_daemon_server **out, uint16_t *out_port)
{
	struct seg_daemon_server *s;
	int err;

	if (!addr || !ops || !out)
		return SEG_DAEMON_ERR_ARG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SEG_DAEMON_ERR_NOMEM;
	s->ops = ops;
	s->ctx = ctx;
	err = daemon_rpc_server_start(addr, service_methods,
				      sizeof(service_methods) / sizeof(service_methods[0]), s,
				      &s->rpc, out_port);
	if (err) {
		free(s);
		return err;
	}
	*out = s;
	return 0;
}

void seg_daemon_server_stop(struct seg_daemon_server *s)
{
	if (!s)
		return;
	daemon_rpc_server_stop(s->rpc);
	free(s);
}
