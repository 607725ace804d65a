/* SPDX-License-Identifier: MIT */
/*
 * The server's side of the daemon API codecs: requests in, answers out (Paths answers are in
 * codec_path.c). Requests come from any local process and are checked like answers are;
 * answers are validated before they are sent, so seg-testnet cannot serve what seg rejects.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"
#include "proto/daemon/v1/daemon.pb-c.h"
#include "google/protobuf/empty.pb-c.h"
#include "underlay.h"

int daemon_decode_paths_req(const uint8_t *buf, size_t len, struct seg_daemon_paths_req *out)
{
	Proto__Daemon__V1__PathsRequest *m;

	m = proto__daemon__v1__paths_request__unpack(NULL, len, buf);
	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	out->src = m->source_isd_as;
	out->dst = m->destination_isd_as;
	out->hidden = m->hidden;
	out->refresh = m->refresh;
	proto__daemon__v1__paths_request__free_unpacked(m, NULL);
	return 0;
}

int daemon_decode_as_req(const uint8_t *buf, size_t len, scion_ia_t *ia)
{
	Proto__Daemon__V1__ASRequest *m = proto__daemon__v1__asrequest__unpack(NULL, len, buf);

	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	*ia = m->isd_as;
	proto__daemon__v1__asrequest__free_unpacked(m, NULL);
	return 0;
}

int daemon_decode_interfaces_req(const uint8_t *buf, size_t len)
{
	Proto__Daemon__V1__InterfacesRequest *m;

	m = proto__daemon__v1__interfaces_request__unpack(NULL, len, buf);
	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	proto__daemon__v1__interfaces_request__free_unpacked(m, NULL);
	return 0;
}

int daemon_decode_empty(const uint8_t *buf, size_t len)
{
	Google__Protobuf__Empty *m = google__protobuf__empty__unpack(NULL, len, buf);

	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	google__protobuf__empty__free_unpacked(m, NULL);
	return 0;
}

/* The common fields of the three DRKey requests; hosts are parsed by the caller. */
static int drkey_req_common(const Google__Protobuf__Timestamp *val_time, int protocol,
			    uint64_t src_ia, uint64_t dst_ia, struct seg_daemon_drkey_req *out)
{
	uint64_t t;

	if (!val_time || val_time->seconds < 0 || daemon_timestamp_check(val_time, &t))
		return SEG_DAEMON_ERR_TIME;
	/* drkey.proto reserves 65536 and up: protocol numbers are 16 bits in derivations. */
	if (protocol < 0 || protocol > UINT16_MAX)
		return SEG_DAEMON_ERR_PROTOCOL;
	memset(out, 0, sizeof(*out));
	out->val_time = t;
	out->protocol = (uint16_t)protocol;
	out->src_ia = src_ia;
	out->dst_ia = dst_ia;
	return 0;
}

static int drkey_req_from_pb(enum seg_drkey_kind kind, const ProtobufCMessage *msg,
			     struct seg_daemon_drkey_req *out)
{
	int err;

	switch (kind) {
	case SEG_DRKEY_HOST_AS: {
		const Proto__Daemon__V1__DRKeyHostASRequest *m = (const void *)msg;

		err = drkey_req_common(m->val_time, (int)m->protocol_id, m->src_ia, m->dst_ia, out);
		return err ? err : daemon_host_parse(m->src_host, &out->src_host);
	}
	case SEG_DRKEY_AS_HOST: {
		const Proto__Daemon__V1__DRKeyASHostRequest *m = (const void *)msg;

		err = drkey_req_common(m->val_time, (int)m->protocol_id, m->src_ia, m->dst_ia, out);
		return err ? err : daemon_host_parse(m->dst_host, &out->dst_host);
	}
	case SEG_DRKEY_HOST_HOST: {
		const Proto__Daemon__V1__DRKeyHostHostRequest *m = (const void *)msg;

		err = drkey_req_common(m->val_time, (int)m->protocol_id, m->src_ia, m->dst_ia, out);
		if (!err)
			err = daemon_host_parse(m->src_host, &out->src_host);
		return err ? err : daemon_host_parse(m->dst_host, &out->dst_host);
	}
	}
	return SEG_DAEMON_ERR_ARG;
}

int daemon_decode_drkey_req(enum seg_drkey_kind kind, const uint8_t *buf, size_t len,
			    struct seg_daemon_drkey_req *out)
{
	const ProtobufCMessageDescriptor *desc;
	ProtobufCMessage *msg;
	int err;

	switch (kind) {
	case SEG_DRKEY_HOST_AS:
		desc = &proto__daemon__v1__drkey_host_asrequest__descriptor;
		break;
	case SEG_DRKEY_AS_HOST:
		desc = &proto__daemon__v1__drkey_ashost_request__descriptor;
		break;
	case SEG_DRKEY_HOST_HOST:
		desc = &proto__daemon__v1__drkey_host_host_request__descriptor;
		break;
	default:
		return SEG_DAEMON_ERR_ARG;
	}
	msg = protobuf_c_message_unpack(desc, NULL, len, buf);
	if (!msg)
		return SEG_DAEMON_ERR_PROTOBUF;
	err = drkey_req_from_pb(kind, msg, out);
	protobuf_c_message_free_unpacked(msg, NULL);
	return err;
}

int daemon_encode_as_resp(const struct seg_daemon_as_info *a, uint8_t **out, size_t *len)
{
	Proto__Daemon__V1__ASResponse m = PROTO__DAEMON__V1__ASRESPONSE__INIT;

	if (!scion_ia_isd(a->ia) || !scion_ia_as(a->ia))
		return SEG_DAEMON_ERR_IA;
	if (a->mtu == 0)
		return SEG_DAEMON_ERR_MTU;
	m.isd_as = a->ia;
	m.core = a->core;
	m.mtu = a->mtu;
	return daemon_pack(&m.base, out, len);
}

/* Everything one map entry points to. */
struct iface_pb {
	Proto__Daemon__V1__InterfacesResponse__InterfacesEntry entry;
	Proto__Daemon__V1__Interface iface;
	Proto__Daemon__V1__Underlay underlay;
	char addr[SEG_UNDERLAY_STRLEN];
};

static int iface_to_pb(const struct seg_daemon_interface *in, struct iface_pb *pb)
{
	if (in->id == 0 || in->id > UINT16_MAX)
		return SEG_DAEMON_ERR_IFACE_ID;
	if (seg_underlay_format(&in->addr, pb->addr, sizeof(pb->addr)))
		return SEG_DAEMON_ERR_UNDERLAY;
	if ((in->addr.ss_family == AF_INET &&
	     ((const struct sockaddr_in *)&in->addr)->sin_port == 0) ||
	    (in->addr.ss_family == AF_INET6 &&
	     ((const struct sockaddr_in6 *)&in->addr)->sin6_port == 0))
		return SEG_DAEMON_ERR_UNDERLAY;
	proto__daemon__v1__interfaces_response__interfaces_entry__init(&pb->entry);
	proto__daemon__v1__interface__init(&pb->iface);
	proto__daemon__v1__underlay__init(&pb->underlay);
	pb->underlay.address = pb->addr;
	pb->iface.address = &pb->underlay;
	pb->entry.key = in->id;
	pb->entry.value = &pb->iface;
	return 0;
}

int daemon_encode_interfaces_resp(const struct seg_daemon_interface *ifaces, size_t n,
				  uint8_t **out, size_t *len)
{
	Proto__Daemon__V1__InterfacesResponse m = PROTO__DAEMON__V1__INTERFACES_RESPONSE__INIT;
	Proto__Daemon__V1__InterfacesResponse__InterfacesEntry **ptrs = NULL;
	struct iface_pb *pb = NULL;
	int err = 0;

	if (n > SEG_DAEMON_INTERFACES_MAX)
		return SEG_DAEMON_ERR_TOO_MANY;
	if (n) {
		pb = calloc(n, sizeof(*pb));
		ptrs = calloc(n, sizeof(*ptrs));
		if (!pb || !ptrs) {
			err = SEG_DAEMON_ERR_NOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n && !err; i++) {
		err = iface_to_pb(&ifaces[i], &pb[i]);
		ptrs[i] = &pb[i].entry;
		for (size_t j = 0; j < i && !err; j++) {
			if (ifaces[j].id == ifaces[i].id)
				err = SEG_DAEMON_ERR_IFACE_ID;
		}
	}
	if (err)
		goto out;
	m.n_interfaces = n;
	m.interfaces = ptrs;
	err = daemon_pack(&m.base, out, len);
out:
	free(ptrs);
	free(pb);
	return err;
}

int daemon_encode_port_range_resp(const struct seg_daemon_port_range *r, uint8_t **out, size_t *len)
{
	Proto__Daemon__V1__PortRangeResponse m = PROTO__DAEMON__V1__PORT_RANGE_RESPONSE__INIT;

	if (r->start > r->end)
		return SEG_DAEMON_ERR_PORT_RANGE;
	m.dispatched_port_start = r->start;
	m.dispatched_port_end = r->end;
	return daemon_pack(&m.base, out, len);
}

int daemon_encode_drkey_resp(enum seg_drkey_kind kind, const struct seg_drkey *k, uint8_t **out,
			     size_t *len)
{
	Google__Protobuf__Timestamp begin = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	Google__Protobuf__Timestamp end = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
	ProtobufCBinaryData key = {.len = SEG_DRKEY_LEN, .data = (uint8_t *)k->key};

	if (k->epoch_begin >= k->epoch_end || k->epoch_end > SEG_DAEMON_TIME_MAX)
		return SEG_DAEMON_ERR_TIME;
	begin.seconds = (int64_t)k->epoch_begin;
	end.seconds = (int64_t)k->epoch_end;

	/* The three answers have the same fields with the same numbers and types. */
	switch (kind) {
	case SEG_DRKEY_HOST_AS: {
		Proto__Daemon__V1__DRKeyHostASResponse m =
		    PROTO__DAEMON__V1__DRKEY_HOST_ASRESPONSE__INIT;

		m.epoch_begin = &begin;
		m.epoch_end = &end;
		m.key = key;
		return daemon_pack(&m.base, out, len);
	}
	case SEG_DRKEY_AS_HOST: {
		Proto__Daemon__V1__DRKeyASHostResponse m =
		    PROTO__DAEMON__V1__DRKEY_ASHOST_RESPONSE__INIT;

		m.epoch_begin = &begin;
		m.epoch_end = &end;
		m.key = key;
		return daemon_pack(&m.base, out, len);
	}
	case SEG_DRKEY_HOST_HOST: {
		Proto__Daemon__V1__DRKeyHostHostResponse m =
		    PROTO__DAEMON__V1__DRKEY_HOST_HOST_RESPONSE__INIT;

		m.epoch_begin = &begin;
		m.epoch_end = &end;
		m.key = key;
		return daemon_pack(&m.base, out, len);
	}
	}
	return SEG_DAEMON_ERR_ARG;
}
