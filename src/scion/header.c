/* SPDX-License-Identifier: MIT */
/*
 * The SCION header (scion-header.rst: common header, address header, path) and the
 * extension headers (extension-header.rst), decoded and encoded as one packet. Decoding is
 * zero-copy and allocation-free: the router calls it for every packet.
 */
#include <string.h>

#include <seg/scion_packet.h>

#include "base/cursor.h"
#include "scion/consts.h"
#include "scion/host.h"

/* Checks path bytes against their type; the SCION type only by its O(1) meta header. */
static int path_check(uint8_t type, const uint8_t *path, size_t len)
{
	struct scion_path_meta meta;

	switch (type) {
	case SCION_PATH_TYPE_EMPTY:
		return len == 0 ? 0 : SCION_PKT_ERR_PATH;
	case SCION_PATH_TYPE_SCION:
		return scion_path_meta_decode(path, len, &meta) ? SCION_PKT_ERR_PATH : 0;
	case SCION_PATH_TYPE_ONEHOP:
		return len == SCION_ONEHOP_PATH_LEN ? 0 : SCION_PKT_ERR_PATH;
	default:
		/* EPIC, COLIBRI and unassigned types are not supported by this stack. */
		return SCION_PKT_ERR_PATH_TYPE;
	}
}

static size_t addr_hdr_len(const struct scion_header *h)
{
	return SCION_ADDR_IA_LEN + scion_host_len(&h->dst.host) + scion_host_len(&h->src.host);
}

size_t scion_header_len(const struct scion_header *h)
{
	return SCION_COMMON_HDR_LEN + addr_hdr_len(h) + h->path_len;
}

int scion_header_encode(const struct scion_header *h, size_t payload_len, uint8_t *buf, size_t cap,
			size_t *written)
{
	struct wcursor c = wcursor_init(buf, cap);
	uint8_t dt, dl, st, sl, host[SCION_HOST_MAX_LEN];
	size_t hdr_len = scion_header_len(h), n;
	int err;

	if (!scion_host_codes(&h->dst.host, &dt, &dl) || !scion_host_codes(&h->src.host, &st, &sl))
		return SCION_PKT_ERR_ADDR_TYPE;
	if (h->version != SCION_VERSION || h->flow_id > SCION_FLOW_ID_MASK ||
	    payload_len > SCION_MAX_PAYLOAD_LEN || (h->path_len && !h->path))
		return SCION_PKT_ERR_INVALID;
	if (hdr_len % SCION_HDR_LEN_UNIT || hdr_len > SCION_MAX_HDR_LEN)
		return SCION_PKT_ERR_HDR_LEN;
	err = path_check(h->path_type, h->path, h->path_len);
	if (err)
		return err;
	if (cap < hdr_len)
		return SCION_PKT_ERR_SPACE;

	(void)(wcursor_u32be(&c, (uint32_t)h->version << SCION_VERSION_SHIFT |
				     (uint32_t)h->traffic_class << SCION_TC_SHIFT | h->flow_id) &&
	       wcursor_u8(&c, h->next_hdr) &&
	       wcursor_u8(&c, (uint8_t)(hdr_len / SCION_HDR_LEN_UNIT)) &&
	       wcursor_u16be(&c, (uint16_t)payload_len) && wcursor_u8(&c, h->path_type) &&
	       wcursor_u8(&c, (uint8_t)(dt << SCION_DT_SHIFT | dl << SCION_DL_SHIFT |
					st << SCION_ST_SHIFT | sl << SCION_SL_SHIFT)) &&
	       wcursor_u16be(&c, 0) && wcursor_u64be(&c, h->dst.ia) &&
	       wcursor_u64be(&c, h->src.ia));
	n = scion_host_write(&h->dst.host, host);
	(void)wcursor_bytes(&c, host, n);
	n = scion_host_write(&h->src.host, host);
	(void)wcursor_bytes(&c, host, n);
	/* The path may already be in place (a router rewriting its own buffer). */
	if (h->path_len && h->path != c.p)
		memmove(c.p, h->path, h->path_len);
	*written = hdr_len;
	return 0;
}

/* Common and address header plus path; *hdr_len = HdrLen * 4. Checks lengths against len. */
static int header_decode(const uint8_t *buf, size_t len, struct scion_header *h, size_t *hdr_len)
{
	struct rcursor c = rcursor_init(buf, len);
	uint32_t line;
	uint8_t hdr_units, codes;
	size_t fixed;
	int err;

	if (!rcursor_u32be(&c, &line) || !rcursor_u8(&c, &h->next_hdr) ||
	    !rcursor_u8(&c, &hdr_units) || !rcursor_u16be(&c, &h->payload_len) ||
	    !rcursor_u8(&c, &h->path_type) || !rcursor_u8(&c, &codes) ||
	    !rcursor_skip(&c, SCION_COMMON_RSV_LEN))
		return SCION_PKT_ERR_TRUNCATED;
	h->version = (uint8_t)(line >> SCION_VERSION_SHIFT & SCION_VERSION_MASK);
	h->traffic_class = (uint8_t)(line >> SCION_TC_SHIFT & SCION_TC_MASK);
	h->flow_id = line & SCION_FLOW_ID_MASK;
	if (h->version != SCION_VERSION)
		return SCION_PKT_ERR_VERSION;

	if (!rcursor_u64be(&c, &h->dst.ia) || !rcursor_u64be(&c, &h->src.ia))
		return SCION_PKT_ERR_TRUNCATED;
	err = scion_host_read(&c, codes >> SCION_DT_SHIFT & SCION_ADDR_CODE_MASK,
			      codes >> SCION_DL_SHIFT & SCION_ADDR_CODE_MASK, &h->dst.host);
	if (!err)
		err = scion_host_read(&c, codes >> SCION_ST_SHIFT & SCION_ADDR_CODE_MASK,
				      codes >> SCION_SL_SHIFT & SCION_ADDR_CODE_MASK, &h->src.host);
	if (err)
		return err;

	fixed = len - c.len;
	*hdr_len = (size_t)hdr_units * SCION_HDR_LEN_UNIT;
	if (*hdr_len < fixed || *hdr_len > len)
		return SCION_PKT_ERR_HDR_LEN;
	if (len - *hdr_len != h->payload_len)
		return SCION_PKT_ERR_PAYLOAD_LEN;
	h->path_len = *hdr_len - fixed;
	h->path = h->path_len ? c.p : NULL;
	return path_check(h->path_type, c.p, h->path_len);
}

/* One extension header at the front of c; (ExtLen + 1) * 4 bytes, see consts.h. */
static int ext_decode(struct rcursor *c, struct scion_ext *e)
{
	struct rcursor ext;
	uint8_t ext_units;
	size_t ext_len;

	if (!rcursor_u8(c, &e->next_hdr) || !rcursor_u8(c, &ext_units))
		return SCION_PKT_ERR_EXT;
	ext_len = ((size_t)ext_units + 1) * SCION_EXT_LEN_UNIT;
	if (!rcursor_sub(c, &ext, ext_len - SCION_EXT_FIXED_LEN))
		return SCION_PKT_ERR_EXT;
	e->present = true;
	e->options = ext.p;
	e->options_len = ext.len;
	return 0;
}

int scion_packet_decode(const uint8_t *buf, size_t len, struct scion_packet *out)
{
	struct rcursor c;
	uint8_t next;
	int err;

	memset(out, 0, sizeof(*out));
	err = header_decode(buf, len, &out->hdr, &out->hdr_len);
	if (err)
		return err;
	c = rcursor_init(buf + out->hdr_len, len - out->hdr_len);
	next = out->hdr.next_hdr;
	/* extension-header.rst: at most one of each, HBH before E2E. */
	if (next == SCION_PROTO_HBH) {
		err = ext_decode(&c, &out->hbh);
		if (err)
			return err;
		next = out->hbh.next_hdr;
	}
	if (next == SCION_PROTO_E2E) {
		err = ext_decode(&c, &out->e2e);
		if (err)
			return err;
		next = out->e2e.next_hdr;
	}
	if (next == SCION_PROTO_HBH || next == SCION_PROTO_E2E)
		return SCION_PKT_ERR_EXT;
	out->l4_proto = next;
	out->l4 = c.p;
	out->l4_len = c.len;
	return 0;
}

static size_t ext_wire_len(const struct scion_ext *e)
{
	return e->present ? SCION_EXT_FIXED_LEN + e->options_len : 0;
}

static bool ext_valid(const struct scion_ext *e)
{
	size_t n = ext_wire_len(e);

	return !e->present || (n % SCION_EXT_LEN_UNIT == 0 && n <= SCION_EXT_MAX_LEN &&
			       (e->options_len == 0 || e->options));
}

static void ext_write(struct wcursor *c, const struct scion_ext *e, uint8_t next)
{
	if (!e->present)
		return;
	(void)(wcursor_u8(c, next) &&
	       wcursor_u8(c, (uint8_t)(ext_wire_len(e) / SCION_EXT_LEN_UNIT - 1)));
	if (e->options_len && e->options != c->p)
		memmove(c->p, e->options, e->options_len);
	c->p += e->options_len;
	c->cap -= e->options_len;
}

int scion_packet_encode(const struct scion_packet *p, uint8_t *buf, size_t cap, size_t *written)
{
	struct scion_header h = p->hdr;
	struct wcursor c;
	size_t payload_len, hdr_len;
	uint8_t after_hbh;
	int err;

	if (!ext_valid(&p->hbh) || !ext_valid(&p->e2e))
		return SCION_PKT_ERR_EXT;
	if (p->l4_proto == SCION_PROTO_HBH || p->l4_proto == SCION_PROTO_E2E ||
	    (p->l4_len && !p->l4))
		return SCION_PKT_ERR_INVALID;
	payload_len = ext_wire_len(&p->hbh) + ext_wire_len(&p->e2e) + p->l4_len;
	if (payload_len > SCION_MAX_PAYLOAD_LEN)
		return SCION_PKT_ERR_INVALID;
	after_hbh = p->e2e.present ? SCION_PROTO_E2E : p->l4_proto;
	h.next_hdr = p->hbh.present ? SCION_PROTO_HBH : after_hbh;
	hdr_len = scion_header_len(&h);
	if (cap < hdr_len || cap - hdr_len < payload_len)
		return SCION_PKT_ERR_SPACE;
	/* Write back to front so that parts already in place in buf are never overwritten. */
	if (p->l4_len && p->l4 != buf + hdr_len + payload_len - p->l4_len)
		memmove(buf + hdr_len + payload_len - p->l4_len, p->l4, p->l4_len);
	c = wcursor_init(buf + hdr_len, payload_len);
	ext_write(&c, &p->hbh, after_hbh);
	ext_write(&c, &p->e2e, p->l4_proto);
	err = scion_header_encode(&h, payload_len, buf, cap, &hdr_len);
	if (err)
		return err;
	*written = hdr_len + payload_len;
	return 0;
}

const char *scion_pkt_strerror(int err)
{
	if (err <= SCION_PATH_ERR_TRUNCATED && err >= SCION_PATH_ERR_RESERVED)
		return scion_path_strerror(err);
	switch ((enum scion_pkt_err)err) {
	case SCION_PKT_OK:
		return "success";
	case SCION_PKT_ERR_TRUNCATED:
		return "packet shorter than a fixed header part";
	case SCION_PKT_ERR_VERSION:
		return "unsupported SCION version";
	case SCION_PKT_ERR_HDR_LEN:
		return "HdrLen shorter than the address header or past the packet";
	case SCION_PKT_ERR_PAYLOAD_LEN:
		return "PayloadLen disagrees with the packet length";
	case SCION_PKT_ERR_ADDR_TYPE:
		return "unsupported host address type";
	case SCION_PKT_ERR_PATH_TYPE:
		return "unsupported path type";
	case SCION_PKT_ERR_PATH:
		return "malformed path";
	case SCION_PKT_ERR_EXT:
		return "malformed, repeated or misordered extension header";
	case SCION_PKT_ERR_L4_LEN:
		return "upper-layer length disagrees with the packet";
	case SCION_PKT_ERR_CHECKSUM:
		return "upper-layer checksum mismatch";
	case SCION_PKT_ERR_SCMP_TYPE:
		return "unknown SCMP type";
	case SCION_PKT_ERR_SPACE:
		return "output buffer too small";
	case SCION_PKT_ERR_INVALID:
		return "inconsistent values given to an encoder";
	}
	return "unknown packet error";
}
