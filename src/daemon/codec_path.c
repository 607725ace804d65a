/* SPDX-License-Identifier: MIT */
/*
 * proto.daemon.v1.Path <-> struct seg_path, and the checks every path from a daemon passes.
 *
 * As the reference client (scionproto pkg/daemon convertPath): a path without interfaces is
 * the AS-local empty path (its next hop is ignored); any other path is a standard SCION path
 * whose first-hop underlay address is Path.interface.address.address, "ip:port".
 */
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "codec.h"
#include "proto/daemon/v1/daemon.pb-c.h"
#include "underlay.h"

enum {
	/* Earliest protobuf Timestamp (0001-01-01T00:00:00Z), in Unix seconds. */
	CODEC_TIME_MIN = -62135596800LL,
	CODEC_NANOS_PER_SEC = 1000000000,
};

int daemon_pack(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	/* One spare byte: malloc(0) may return NULL, and an empty message is valid. */
	uint8_t *buf = malloc(n + 1);

	if (!buf)
		return SEG_DAEMON_ERR_NOMEM;
	*len = protobuf_c_message_pack(m, buf);
	*out = buf;
	return 0;
}

int daemon_timestamp_check(const Google__Protobuf__Timestamp *t, uint64_t *unix_sec)
{
	if (t->seconds < CODEC_TIME_MIN || t->seconds > (int64_t)SEG_DAEMON_TIME_MAX)
		return SEG_DAEMON_ERR_TIME;
	if (t->nanos < 0 || t->nanos >= CODEC_NANOS_PER_SEC)
		return SEG_DAEMON_ERR_TIME;
	*unix_sec = t->seconds > 0 ? (uint64_t)t->seconds : 0;
	return 0;
}

/*
 * The meta header decides the path's length (scion-header.rst, "PathMetaHdr"); the router's
 * own check (scion_path_meta_decode) is the one a path must pass, so a path the daemon hands
 * out with CurrINF/CurrHF outside its segments is refused here, not at the first router.
 */
int daemon_raw_path_check(const uint8_t *raw, size_t len)
{
	struct scion_path_meta meta;

	if (len > SEG_PATH_RAW_MAX || scion_path_meta_decode(raw, len, &meta))
		return SEG_DAEMON_ERR_PATH_RAW;
	return 0;
}

static int path_check_iface(scion_ia_t ia, uint64_t id)
{
	if (!scion_ia_isd(ia) || !scion_ia_as(ia))
		return SEG_DAEMON_ERR_PATH_IFACES;
	if (id == 0 || id > UINT16_MAX)
		return SEG_DAEMON_ERR_PATH_IFACES;
	return 0;
}

int daemon_path_validate(const struct seg_path *p)
{
	int err;

	if (p->mtu == 0)
		return SEG_DAEMON_ERR_MTU;
	if (p->expiry_unix > SEG_DAEMON_TIME_MAX)
		return SEG_DAEMON_ERR_TIME;
	if (p->type == SEG_PATH_TYPE_EMPTY)
		return p->raw_len || p->n_ifaces ? SEG_DAEMON_ERR_PATH_IFACES : 0;
	if (p->type != SEG_PATH_TYPE_SCION)
		return SEG_DAEMON_ERR_ARG;
	if (p->n_ifaces < 2 || p->n_ifaces > SEG_PATH_IFACES_MAX || p->n_ifaces % 2)
		return SEG_DAEMON_ERR_PATH_IFACES;
	for (size_t i = 0; i < p->n_ifaces; i++) {
		err = path_check_iface(p->ifaces[i].ia, p->ifaces[i].id);
		if (err)
			return err;
	}
	err = daemon_raw_path_check(p->raw, p->raw_len);
	if (err)
		return err;
	if (p->next_hop.ss_family != AF_INET && p->next_hop.ss_family != AF_INET6)
		return SEG_DAEMON_ERR_UNDERLAY;
	return 0;
}

static int path_from_pb(const Proto__Daemon__V1__Path *m, struct seg_path *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (m->mtu == 0 || m->mtu > UINT16_MAX)
		return SEG_DAEMON_ERR_MTU;
	out->mtu = (uint16_t)m->mtu;
	if (m->expiration) {
		err = daemon_timestamp_check(m->expiration, &out->expiry_unix);
		if (err)
			return err;
	}
	if (m->n_interfaces == 0) {
		if (m->raw.len)
			return SEG_DAEMON_ERR_PATH_RAW;
		out->type = SEG_PATH_TYPE_EMPTY;
		out->next_hop.ss_family = AF_UNSPEC;
		return 0;
	}
	out->type = SEG_PATH_TYPE_SCION;
	if (m->n_interfaces > SEG_PATH_IFACES_MAX || m->n_interfaces % 2)
		return SEG_DAEMON_ERR_PATH_IFACES;
	for (size_t i = 0; i < m->n_interfaces; i++) {
		err = path_check_iface(m->interfaces[i]->isd_as, m->interfaces[i]->id);
		if (err)
			return err;
		out->ifaces[i].ia = m->interfaces[i]->isd_as;
		out->ifaces[i].id = m->interfaces[i]->id;
	}
	out->n_ifaces = m->n_interfaces;
	err = daemon_raw_path_check(m->raw.data, m->raw.len);
	if (err)
		return err;
	memcpy(out->raw, m->raw.data, m->raw.len);
	out->raw_len = m->raw.len;
	if (!m->interface || !m->interface->address)
		return SEG_DAEMON_ERR_UNDERLAY;
	return daemon_underlay_parse(m->interface->address->address, &out->next_hop, false);
}

int daemon_decode_path(const uint8_t *buf, size_t len, struct seg_path *out)
{
	Proto__Daemon__V1__Path *m = proto__daemon__v1__path__unpack(NULL, len, buf);
	int err;

	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	err = path_from_pb(m, out);
	proto__daemon__v1__path__free_unpacked(m, NULL);
	return err;
}

int daemon_decode_paths_resp(const uint8_t *buf, size_t len, struct seg_path **paths, size_t *n)
{
	Proto__Daemon__V1__PathsResponse *m;
	struct seg_path *arr = NULL;
	size_t count;
	int err = 0;

	*paths = NULL;
	*n = 0;
	m = proto__daemon__v1__paths_response__unpack(NULL, len, buf);
	if (!m)
		return SEG_DAEMON_ERR_PROTOBUF;
	/* Overflow policy: keep the first SEG_DAEMON_PATHS_MAX (the daemon's preferred). */
	count = m->n_paths < SEG_DAEMON_PATHS_MAX ? m->n_paths : SEG_DAEMON_PATHS_MAX;
	if (count) {
		arr = calloc(count, sizeof(*arr));
		if (!arr) {
			err = SEG_DAEMON_ERR_NOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < count && !err; i++)
		err = path_from_pb(m->paths[i], &arr[i]);
	if (err) {
		free(arr);
		goto out;
	}
	*paths = arr;
	*n = count;
out:
	proto__daemon__v1__paths_response__free_unpacked(m, NULL);
	return err;
}

/* Everything one encoded Path points to, in one allocation. */
struct path_pb {
	Proto__Daemon__V1__Path path;
	Proto__Daemon__V1__Interface iface;
	Proto__Daemon__V1__Underlay underlay;
	Google__Protobuf__Timestamp expiration;
	char addr[SEG_UNDERLAY_STRLEN];
	Proto__Daemon__V1__PathInterface pi[SEG_PATH_IFACES_MAX];
	Proto__Daemon__V1__PathInterface *pi_ptrs[SEG_PATH_IFACES_MAX];
};

static int path_to_pb(const struct seg_path *p, struct path_pb *pb)
{
	int err = daemon_path_validate(p);

	if (err)
		return err;
	proto__daemon__v1__path__init(&pb->path);
	proto__daemon__v1__interface__init(&pb->iface);
	proto__daemon__v1__underlay__init(&pb->underlay);
	google__protobuf__timestamp__init(&pb->expiration);
	pb->path.mtu = p->mtu;
	pb->expiration.seconds = (int64_t)p->expiry_unix;
	pb->path.expiration = &pb->expiration;
	if (p->type == SEG_PATH_TYPE_EMPTY)
		return 0;
	err = seg_underlay_format(&p->next_hop, pb->addr, sizeof(pb->addr));
	if (err)
		return SEG_DAEMON_ERR_UNDERLAY;
	pb->underlay.address = pb->addr;
	pb->iface.address = &pb->underlay;
	pb->path.interface = &pb->iface;
	pb->path.raw.data = (uint8_t *)p->raw;
	pb->path.raw.len = p->raw_len;
	for (size_t i = 0; i < p->n_ifaces; i++) {
		proto__daemon__v1__path_interface__init(&pb->pi[i]);
		pb->pi[i].isd_as = p->ifaces[i].ia;
		pb->pi[i].id = p->ifaces[i].id;
		pb->pi_ptrs[i] = &pb->pi[i];
	}
	pb->path.n_interfaces = p->n_ifaces;
	pb->path.interfaces = pb->pi_ptrs;
	return 0;
}

int daemon_encode_path(const struct seg_path *p, uint8_t **out, size_t *len)
{
	struct path_pb *pb = malloc(sizeof(*pb));
	int err;

	if (!pb)
		return SEG_DAEMON_ERR_NOMEM;
	err = path_to_pb(p, pb);
	if (!err)
		err = daemon_pack(&pb->path.base, out, len);
	free(pb);
	return err;
}

int daemon_encode_paths_resp(const struct seg_path *paths, size_t n, uint8_t **out, size_t *len)
{
	Proto__Daemon__V1__PathsResponse m = PROTO__DAEMON__V1__PATHS_RESPONSE__INIT;
	Proto__Daemon__V1__Path **ptrs = NULL;
	struct path_pb *pb = NULL;
	int err = 0;

	if (n > SEG_DAEMON_PATHS_MAX)
		n = SEG_DAEMON_PATHS_MAX;
	if (n) {
		pb = calloc(n, sizeof(*pb));
		ptrs = calloc(n, sizeof(*ptrs));
		if (!pb || !ptrs) {
			err = SEG_DAEMON_ERR_NOMEM;
			goto out;
		}
	}
	for (size_t i = 0; i < n && !err; i++) {
		err = path_to_pb(&paths[i], &pb[i]);
		ptrs[i] = &pb[i].path;
	}
	if (err)
		goto out;
	m.n_paths = n;
	m.paths = ptrs;
	err = daemon_pack(&m.base, out, len);
out:
	free(ptrs);
	free(pb);
	return err;
}
