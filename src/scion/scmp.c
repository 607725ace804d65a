/* SPDX-License-Identifier: MIT */
/*
 * SCMP (scmp.rst): a 4-byte header (Type, Code, Checksum), a type-specific InfoBlock, then
 * data (echo data or the quoted offending packet). Checksum over the SCION pseudo header with
 * the SCMP length as upper-layer length, like UDP.
 */
#include <string.h>

#include <seg/scion_packet.h>

#include "base/cursor.h"
#include "scion/consts.h"

bool scmp_is_error(uint8_t type)
{
	return type < SCMP_ERROR_TYPE_LIMIT;
}

size_t scmp_info_len(uint8_t type)
{
	switch ((enum scmp_type)type) {
	case SCMP_DEST_UNREACHABLE:
		return SCMP_INFO_LEN_DEST_UNREACHABLE;
	case SCMP_PACKET_TOO_BIG:
		return SCMP_INFO_LEN_PACKET_TOO_BIG;
	case SCMP_PARAMETER_PROBLEM:
		return SCMP_INFO_LEN_PARAMETER_PROBLEM;
	case SCMP_EXTERNAL_INTERFACE_DOWN:
		return SCMP_INFO_LEN_EXT_IF_DOWN;
	case SCMP_INTERNAL_CONNECTIVITY_DOWN:
		return SCMP_INFO_LEN_INT_CONN_DOWN;
	case SCMP_ECHO_REQUEST:
	case SCMP_ECHO_REPLY:
		return SCMP_INFO_LEN_ECHO;
	case SCMP_TRACEROUTE_REQUEST:
	case SCMP_TRACEROUTE_REPLY:
		return SCMP_INFO_LEN_TRACEROUTE;
	}
	return 0;
}

/* The InfoBlock of a known type; c holds exactly scmp_info_len(m->type) bytes. */
static void info_decode(struct rcursor *c, struct scmp_msg *m)
{
	uint16_t rsv;
	bool ok = true;

	switch ((enum scmp_type)m->type) {
	case SCMP_DEST_UNREACHABLE:
		break;
	case SCMP_PACKET_TOO_BIG:
		ok = rcursor_u16be(c, &rsv) && rcursor_u16be(c, &m->u.too_big.mtu);
		break;
	case SCMP_PARAMETER_PROBLEM:
		ok = rcursor_u16be(c, &rsv) && rcursor_u16be(c, &m->u.param.pointer);
		break;
	case SCMP_EXTERNAL_INTERFACE_DOWN:
		ok = rcursor_u64be(c, &m->u.ext_down.ia) && rcursor_u64be(c, &m->u.ext_down.ifid);
		break;
	case SCMP_INTERNAL_CONNECTIVITY_DOWN:
		ok = rcursor_u64be(c, &m->u.int_down.ia) &&
		     rcursor_u64be(c, &m->u.int_down.ingress) &&
		     rcursor_u64be(c, &m->u.int_down.egress);
		break;
	case SCMP_ECHO_REQUEST:
	case SCMP_ECHO_REPLY:
		ok = rcursor_u16be(c, &m->u.echo.id) && rcursor_u16be(c, &m->u.echo.seq);
		break;
	case SCMP_TRACEROUTE_REQUEST:
	case SCMP_TRACEROUTE_REPLY:
		ok = rcursor_u16be(c, &m->u.traceroute.id) &&
		     rcursor_u16be(c, &m->u.traceroute.seq) &&
		     rcursor_u64be(c, &m->u.traceroute.ia) &&
		     rcursor_u64be(c, &m->u.traceroute.ifid);
		break;
	}
	if (!ok)
		__builtin_trap(); /* the caller sized c from scmp_info_len */
}

int scmp_decode(const struct scion_header *h, const uint8_t *l4, size_t len, bool verify_checksum,
		struct scmp_msg *out)
{
	struct rcursor c = rcursor_init(l4, len), info;
	size_t info_len;

	memset(out, 0, sizeof(*out));
	if (!rcursor_u8(&c, &out->type) || !rcursor_u8(&c, &out->code) ||
	    !rcursor_u16be(&c, &out->checksum))
		return SCION_PKT_ERR_TRUNCATED;
	if (verify_checksum && scion_l4_checksum(h, SCION_PROTO_SCMP, l4, len) != 0)
		return SCION_PKT_ERR_CHECKSUM;
	info_len = scmp_info_len(out->type);
	if (info_len == 0) {
		out->data = c.p;
		out->data_len = c.len;
		return SCION_PKT_ERR_SCMP_TYPE;
	}
	if (!rcursor_sub(&c, &info, info_len))
		return SCION_PKT_ERR_TRUNCATED;
	info_decode(&info, out);
	out->data = c.p;
	out->data_len = c.len;
	return 0;
}

static void info_encode(struct wcursor *c, const struct scmp_msg *m)
{
	bool ok = true;

	switch ((enum scmp_type)m->type) {
	case SCMP_DEST_UNREACHABLE:
		ok = wcursor_u32be(c, 0);
		break;
	case SCMP_PACKET_TOO_BIG:
		ok = wcursor_u16be(c, 0) && wcursor_u16be(c, m->u.too_big.mtu);
		break;
	case SCMP_PARAMETER_PROBLEM:
		ok = wcursor_u16be(c, 0) && wcursor_u16be(c, m->u.param.pointer);
		break;
	case SCMP_EXTERNAL_INTERFACE_DOWN:
		ok = wcursor_u64be(c, m->u.ext_down.ia) && wcursor_u64be(c, m->u.ext_down.ifid);
		break;
	case SCMP_INTERNAL_CONNECTIVITY_DOWN:
		ok = wcursor_u64be(c, m->u.int_down.ia) &&
		     wcursor_u64be(c, m->u.int_down.ingress) &&
		     wcursor_u64be(c, m->u.int_down.egress);
		break;
	case SCMP_ECHO_REQUEST:
	case SCMP_ECHO_REPLY:
		ok = wcursor_u16be(c, m->u.echo.id) && wcursor_u16be(c, m->u.echo.seq);
		break;
	case SCMP_TRACEROUTE_REQUEST:
	case SCMP_TRACEROUTE_REPLY:
		ok = wcursor_u16be(c, m->u.traceroute.id) &&
		     wcursor_u16be(c, m->u.traceroute.seq) &&
		     wcursor_u64be(c, m->u.traceroute.ia) && wcursor_u64be(c, m->u.traceroute.ifid);
		break;
	}
	if (!ok)
		__builtin_trap(); /* the caller checked the capacity */
}

int scmp_encode(const struct scion_header *h, const struct scmp_msg *m, uint8_t *buf, size_t cap,
		size_t *written)
{
	size_t info_len = scmp_info_len(m->type), hdr_len, len;
	struct wcursor c = wcursor_init(buf, cap);

	if (info_len == 0)
		return SCION_PKT_ERR_SCMP_TYPE;
	hdr_len = SCION_SCMP_HDR_LEN + info_len;
	if (m->data_len > SCION_MAX_PAYLOAD_LEN - hdr_len || (m->data_len && !m->data))
		return SCION_PKT_ERR_INVALID;
	len = hdr_len + m->data_len;
	if (cap < len)
		return SCION_PKT_ERR_SPACE;
	/* The data (a quote) may already be in place or overlap the header's bytes. */
	if (m->data_len && m->data != buf + hdr_len)
		memmove(buf + hdr_len, m->data, m->data_len);
	(void)(wcursor_u8(&c, m->type) && wcursor_u8(&c, m->code) && wcursor_u16be(&c, 0));
	info_encode(&c, m);
	store_u16be(buf + SCMP_OFF_CHECKSUM, scion_l4_checksum(h, SCION_PROTO_SCMP, buf, len));
	*written = len;
	return 0;
}

int scion_scmp_packet_build(const struct scion_header *h, const struct scmp_msg *m, uint8_t *buf,
			    size_t cap, size_t *written)
{
	struct scion_header hdr = *h;
	struct scmp_msg msg = *m;
	size_t hdr_len = scion_header_len(h),
	       scmp_hdr = SCION_SCMP_HDR_LEN + scmp_info_len(m->type);
	size_t scmp_len;
	int err;

	hdr.next_hdr = SCION_PROTO_SCMP;
	/* scmp.rst: an error quotes as much as fits in SCMP_MAX_PACKET_LEN. */
	if (scmp_is_error(m->type)) {
		size_t room = SCMP_MAX_PACKET_LEN > hdr_len + scmp_hdr
				  ? SCMP_MAX_PACKET_LEN - hdr_len - scmp_hdr
				  : 0;

		if (msg.data_len > room)
			msg.data_len = room;
	}
	if (cap < hdr_len)
		return SCION_PKT_ERR_SPACE;
	err = scmp_encode(&hdr, &msg, buf + hdr_len, cap - hdr_len, &scmp_len);
	if (!err)
		err = scion_header_encode(&hdr, scmp_len, buf, cap, &hdr_len);
	if (err)
		return err;
	*written = hdr_len + scmp_len;
	return 0;
}
