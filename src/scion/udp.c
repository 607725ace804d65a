/* SPDX-License-Identifier: MIT */
/*
 * SCION/UDP (RFC 768 layout, checksum over the SCION pseudo header, scion-header.rst). The
 * UDP length must equal the bytes after the extensions: SCION's PayloadLen already bounds
 * the packet, so there is no jumbogram form and no slack to tolerate.
 */
#include <string.h>

#include <seg/scion_packet.h>

#include "base/cursor.h"
#include "scion/consts.h"

int scion_udp_decode(const struct scion_header *h, const uint8_t *l4, size_t len,
		     bool verify_checksum, struct scion_udp *out)
{
	struct rcursor c = rcursor_init(l4, len);

	if (!rcursor_u16be(&c, &out->src_port) || !rcursor_u16be(&c, &out->dst_port) ||
	    !rcursor_u16be(&c, &out->length) || !rcursor_u16be(&c, &out->checksum))
		return SCION_PKT_ERR_TRUNCATED;
	if (out->length != len)
		return SCION_PKT_ERR_L4_LEN;
	if (verify_checksum && scion_l4_checksum(h, SCION_PROTO_UDP, l4, len) != 0)
		return SCION_PKT_ERR_CHECKSUM;
	out->payload = c.p;
	out->payload_len = c.len;
	return 0;
}

int scion_udp_encode(const struct scion_header *h, uint16_t src_port, uint16_t dst_port,
		     const uint8_t *payload, size_t payload_len, uint8_t *buf, size_t cap,
		     size_t *written)
{
	size_t len = SCION_UDP_HDR_LEN + payload_len;
	struct wcursor c = wcursor_init(buf, cap);

	if (payload_len > SCION_MAX_PAYLOAD_LEN - SCION_UDP_HDR_LEN || (payload_len && !payload))
		return SCION_PKT_ERR_INVALID;
	if (cap < len)
		return SCION_PKT_ERR_SPACE;
	/* Move the payload first: it may overlap the header's bytes. */
	if (payload_len && payload != buf + SCION_UDP_HDR_LEN)
		memmove(buf + SCION_UDP_HDR_LEN, payload, payload_len);
	(void)(wcursor_u16be(&c, src_port) && wcursor_u16be(&c, dst_port) &&
	       wcursor_u16be(&c, (uint16_t)len) && wcursor_u16be(&c, 0));
	store_u16be(buf + SCION_UDP_OFF_CHECKSUM, scion_l4_checksum(h, SCION_PROTO_UDP, buf, len));
	*written = len;
	return 0;
}

int scion_udp_packet_build(const struct scion_header *h, uint16_t src_port, uint16_t dst_port,
			   const uint8_t *payload, size_t payload_len, uint8_t *buf, size_t cap,
			   size_t *written)
{
	struct scion_header hdr = *h;
	size_t hdr_len = scion_header_len(h), udp_len;
	int err;

	if (payload_len > SCION_MAX_PAYLOAD_LEN - SCION_UDP_HDR_LEN)
		return SCION_PKT_ERR_INVALID;
	if (cap < hdr_len)
		return SCION_PKT_ERR_SPACE;
	hdr.next_hdr = SCION_PROTO_UDP;
	/* UDP first: the payload may sit behind the header's place, not yet overwritten. */
	err = scion_udp_encode(&hdr, src_port, dst_port, payload, payload_len, buf + hdr_len,
			       cap - hdr_len, &udp_len);
	if (!err)
		err = scion_header_encode(&hdr, udp_len, buf, cap, &hdr_len);
	if (err)
		return err;
	*written = hdr_len + udp_len;
	return 0;
}
