/* SPDX-License-Identifier: MIT */
/*
 * The client's side of the daemon API codecs: requests out, answers in. Answers are external
 * input and every field seg uses is checked before it reaches a seg struct.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "codec.h"
#include "proto/daemon/v1/daemon.pb-c.h"
#include "underlay.h"

int daemon_encode_paths_req(const struct seg_daemon_paths_req *r, uint8_t **out, size_t *len)
{
	Proto__Daemon__V1__PathsRequest m = PROTO__DAEMON__V1__PATHS_REQUEST__INIT;

	m.source_isd_as = r->src;
	m.destination_isd_as = r->dst;
	m.hidden = r->hidden;
	m.refresh = r->refresh;
	return daemon_pack(&m.base, out, len);
}

int daemon_encode_as_req(scion_ia_t ia, uint8_t **out, size_t *len)
{
	Proto__Daemon__V1__ASRequest m = PROTO__DAEMON__V1__ASREQUEST__INIT;

	m.isd_as = ia;
	return daemon_pack(&m.base, out, len);
}

/* InterfacesRequest and google.protobuf.Empty: no fields, zero bytes. */
int daemon_encode_empty(uint8_t **out, size_t *len)
{
	Proto__Daemon__V1__InterfacesRequest m = PROTO__DAEMON__V1__INTERFACES_REQUEST__INIT;

	return daemon_pack(&m.base, out, len);
}

/* The three DRKey requests share field numbers; only the hosts differ by kind. */
int daemon_encode_drkey_req(enum seg_drkey_kind kind, const struct seg_daemon_drkey_req *r,
			    uint8_t **out, size_t *len)
{
	Google__Protobuf__Timestamp val_time = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	char src[INET6_ADDRSTRLEN] = "", dst[INET6_ADDRSTRLEN] = "";
	bool want_src = kind != SEG_DRKEY_AS_HOST, want_dst = kind != SEG_DRKEY_HOST_AS;

	if (r->val_time > SEG_DAEMON_TIME_MAX)
		return SEG_DAEMON_ERR_TIME;
	if (want_src && daemon_host_format(&r->src_host, src, sizeof(src)))
		return SEG_DAEMON_ERR_HOST;
	if (want_dst && daemon_host_format(&r->dst_host, dst, sizeof(dst)))
		return SEG_DAEMON_ERR_HOST;
	val_time.seconds = (int64_t)r->val_time;

	switch (kind) {
	case SEG_DRKEY_HOST_AS: {
		Proto__Daemon__V1__DRKeyHostASRequest m =
		    PROTO__DAEMON__V1__DRKEY_HOST_ASREQUEST__INIT;

		m.val_time = &val_time;
		m.protocol_id = (Proto__Drkey__V1__Protocol)r->protocol;
		m.src_ia = r->src_ia;
		m.dst_ia = r->dst_ia;
		m.src_host = src;
		return daemon_pack(&m.base, out, len);
	}
	case SEG_DRKEY_AS_HOST: {
		Proto__Daemon__V1__DRKeyASHostRequest m =
		    PROTO__DAEMON__V1__DRKEY_ASHOST_REQUEST__INIT;

		m.val_time = &val_time;
		m.protocol_id = (Proto__Drkey__V1__Protocol)r->protocol;
		m.src_ia = r->src_ia;
		m.dst_ia = r->dst_ia;
		m.dst_host = dst;
		return daemon_pack(&m.base, out, len);
	}
	case SEG_DRKEY_HOST_HOST: {
		Proto__Daemon__V1__DRKeyHostHostRequest m =
		    PROTO__DAEMON__V1__DRKEY_HOST_HOST_REQUEST__INIT;

		m.val_time = &val_time;
		m.protocol_id = (Proto__Drkey__V1__Protocol)r->protocol;
		m.src_ia = r->src_ia;
		m.dst_ia = r->dst_ia;
		m.src_host = src;
		m.dst_host = dst;
		return daemon_pack(&m.base, out, len);
	}
	}
	return SEG_DAEMON_ERR_ARG;
}

int daemon_decode_as_resp(const uint8_t *buf, size_t len, struct seg_daemon_as_info *out)
{
	Proto__Daemon__V1__ASResponse *m = proto__daemon__v1__asresponse__unpack(NULL, len, buf);
	int err = 0;

	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	if (!scion_ia_isd(m->isd_as) || !scion_ia_as(m->isd_as))
		err = SEG_DAEMON_ERR_IA;
	else if (m->mtu == 0 || m->mtu > UINT16_MAX)
		err = SEG_DAEMON_ERR_MTU;
	if (!err) {
		out->ia = m->isd_as;
		out->core = m->core;
		out->mtu = (uint16_t)m->mtu;
	}
	proto__daemon__v1__asresponse__free_unpacked(m, NULL);
	return err;
}

static int iface_cmp(const void *a, const void *b)
{
	const struct seg_daemon_interface *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int ifaces_from_pb(const Proto__Daemon__V1__InterfacesResponse *m,
			  struct seg_daemon_interface *arr)
{
	for (size_t i = 0; i < m->n_interfaces; i++) {
		const Proto__Daemon__V1__InterfacesResponse__InterfacesEntry *e = m->interfaces[i];

		if (e->key == 0 || e->key > UINT16_MAX)
			return SEG_DAEMON_ERR_IFACE_ID;
		if (!e->value || !e->value->address)
			return SEG_DAEMON_ERR_UNDERLAY;
		arr[i].id = e->key;
		if (daemon_underlay_parse(e->value->address->address, &arr[i].addr, false))
			return SEG_DAEMON_ERR_UNDERLAY;
	}
	qsort(arr, m->n_interfaces, sizeof(*arr), iface_cmp);
	/* A map has one entry per key; a repeated key is a broken answer, not "last wins". */
	for (size_t i = 1; i < m->n_interfaces; i++) {
		if (arr[i].id == arr[i - 1].id)
			return SEG_DAEMON_ERR_IFACE_ID;
	}
	return 0;
}

int daemon_decode_interfaces_resp(const uint8_t *buf, size_t len,
				  struct seg_daemon_interface **ifaces, size_t *n)
{
	Proto__Daemon__V1__InterfacesResponse *m;
	struct seg_daemon_interface *arr = NULL;
	int err = 0;

	*ifaces = NULL;
	*n = 0;
	m = proto__daemon__v1__interfaces_response__unpack(NULL, len, buf);
	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	if (m->n_interfaces > SEG_DAEMON_INTERFACES_MAX) {
		err = SEG_DAEMON_ERR_TOO_MANY;
		goto out;
	}
	if (m->n_interfaces) {
		arr = calloc(m->n_interfaces, sizeof(*arr));
		if (!arr) {
			err = SEG_DAEMON_ERR_NOMEM;
			goto out;
		}
		err = ifaces_from_pb(m, arr);
	}
	if (err) {
		free(arr);
		goto out;
	}
	*ifaces = arr;
	*n = m->n_interfaces;
out:
	proto__daemon__v1__interfaces_response__free_unpacked(m, NULL);
	return err;
}

int daemon_decode_port_range_resp(const uint8_t *buf, size_t len, struct seg_daemon_port_range *out)
{
	Proto__Daemon__V1__PortRangeResponse *m;
	int err = 0;

	m = proto__daemon__v1__port_range_response__unpack(NULL, len, buf);
	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	/* 0-0 is a valid answer: a router configured without dispatched ports. */
	if (m->dispatched_port_start > UINT16_MAX || m->dispatched_port_end > UINT16_MAX ||
	    m->dispatched_port_start > m->dispatched_port_end) {
		err = SEG_DAEMON_ERR_PORT_RANGE;
	} else {
		out->start = (uint16_t)m->dispatched_port_start;
		out->end = (uint16_t)m->dispatched_port_end;
	}
	proto__daemon__v1__port_range_response__free_unpacked(m, NULL);
	return err;
}

/* The fields of the three DRKey answers, which share numbers and types. */
static int drkey_from_pb(const Google__Protobuf__Timestamp *begin,
			 const Google__Protobuf__Timestamp *end, const ProtobufCBinaryData *key,
			 struct seg_drkey *out)
{
	uint64_t b, e;

	if (key->len != SEG_DRKEY_LEN)
		return SEG_DAEMON_ERR_KEY_LEN;
	if (!begin || !end || begin->seconds < 0 || end->seconds < 0)
		return SEG_DAEMON_ERR_TIME;
	if (daemon_timestamp_check(begin, &b) || daemon_timestamp_check(end, &e) || b >= e)
		return SEG_DAEMON_ERR_TIME;
	memcpy(out->key, key->data, SEG_DRKEY_LEN);
	out->epoch_begin = b;
	out->epoch_end = e;
	return 0;
}

static const ProtobufCMessageDescriptor *drkey_resp_descriptor(enum seg_drkey_kind kind)
{
	switch (kind) {
	case SEG_DRKEY_HOST_AS:
		return &proto__daemon__v1__drkey_host_asresponse__descriptor;
	case SEG_DRKEY_AS_HOST:
		return &proto__daemon__v1__drkey_ashost_response__descriptor;
	case SEG_DRKEY_HOST_HOST:
		return &proto__daemon__v1__drkey_host_host_response__descriptor;
	}
	return NULL;
}

int daemon_decode_drkey_resp(enum seg_drkey_kind kind, const uint8_t *buf, size_t len,
			     struct seg_drkey *out)
{
	const ProtobufCMessageDescriptor *desc = drkey_resp_descriptor(kind);
	ProtobufCMessage *msg;
	ProtobufCBinaryData *key;
	int err;

	if (!desc)
		return SEG_DAEMON_ERR_ARG;
	msg = protobuf_c_message_unpack(desc, NULL, len, buf);
	if (!msg)
		return SEG_DAEMON_ERR_PROTOBUF;
	switch (kind) {
	case SEG_DRKEY_HOST_AS: {
		Proto__Daemon__V1__DRKeyHostASResponse *m = (void *)msg;

		key = &m->key;
		err = drkey_from_pb(m->epoch_begin, m->epoch_end, key, out);
		break;
	}
	case SEG_DRKEY_AS_HOST: {
		Proto__Daemon__V1__DRKeyASHostResponse *m = (void *)msg;

		key = &m->key;
		err = drkey_from_pb(m->epoch_begin, m->epoch_end, key, out);
		break;
	}
	default: {
		Proto__Daemon__V1__DRKeyHostHostResponse *m = (void *)msg;

		key = &m->key;
		err = drkey_from_pb(m->epoch_begin, m->epoch_end, key, out);
		break;
	}
	}
	/* The unpacked copy of the key is a secret too. */
	if (key->data)
		OPENSSL_cleanse(key->data, key->len);
	protobuf_c_message_free_unpacked(msg, NULL);
	return err;
}
