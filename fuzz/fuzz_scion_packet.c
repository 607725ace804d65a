/* SPDX-License-Identifier: MIT */
/*
 * Fuzzes the SCION packet decoder as the router and gateway use it: decode the packet; when
 * it is accepted, decode the path, UDP or SCMP inside, re-encode every layer and require the
 * same bytes wherever the format is canonical. Bits the spec reserves (common header RSV,
 * SVC padding, reserved flag bits and bytes) are ignored on decode and written as zero, so
 * they are masked out of the comparison; anything else that differs aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <seg/scion_packet.h>

#define CHECK(cond)              \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static uint8_t out[70000];
static uint8_t masked[70000];

/* Zeroes the bits of a standard path that the encoder writes as zero. */
static void mask_std_path(uint8_t *raw, const struct scion_std_path *p)
{
	raw[1] &= 0x03; /* meta RSV */
	for (unsigned i = 0; i < p->num_infs; i++) {
		raw[scion_path_info_offset(i)] &= 0x03;
		raw[scion_path_info_offset(i) + 1] = 0;
	}
	for (unsigned i = 0; i < p->num_hops; i++)
		raw[scion_path_hop_offset(p->num_infs, i)] &= 0x03;
}

static void check_path(const struct scion_header *h)
{
	size_t n = 0;

	if (h->path_type == SCION_PATH_TYPE_SCION) {
		struct scion_std_path p;

		/* The packet decoder checked the meta header: the full decode must agree. */
		CHECK(scion_std_path_decode(h->path, h->path_len, &p) == 0);
		CHECK(scion_std_path_encode(&p, out, sizeof(out), &n) == 0);
		CHECK(n == h->path_len);
		memcpy(masked, h->path, n);
		mask_std_path(masked, &p);
		CHECK(memcmp(out, masked, n) == 0);
	} else if (h->path_type == SCION_PATH_TYPE_ONEHOP) {
		struct scion_onehop_path o;

		CHECK(scion_onehop_path_decode(h->path, h->path_len, &o) == 0);
		CHECK(scion_onehop_path_encode(&o, out, sizeof(out), &n) == 0);
		CHECK(n == h->path_len);
	}
}

/* A verified checksum may be stored as 0x0000 or 0xffff: both are one's complement zero. */
static void check_checksum(uint16_t in, uint16_t enc)
{
	CHECK(in == enc || (in ^ enc) == 0xffff);
}

static void check_udp(const struct scion_packet *pkt)
{
	struct scion_udp u;
	size_t n = 0;
	bool verified = scion_udp_decode(&pkt->hdr, pkt->l4, pkt->l4_len, true, &u) == 0;

	if (scion_udp_decode(&pkt->hdr, pkt->l4, pkt->l4_len, false, &u))
		return;
	CHECK(scion_udp_encode(&pkt->hdr, u.src_port, u.dst_port, u.payload, u.payload_len, out,
			       sizeof(out), &n) == 0);
	CHECK(n == pkt->l4_len);
	CHECK(memcmp(out, pkt->l4, 6) == 0);
	CHECK(memcmp(out + 8, pkt->l4 + 8, n - 8) == 0);
	if (verified)
		check_checksum(u.checksum, (uint16_t)(out[6] << 8 | out[7]));
}

static void check_scmp(const struct scion_packet *pkt)
{
	struct scmp_msg m;
	size_t n = 0, info;
	bool verified = scmp_decode(&pkt->hdr, pkt->l4, pkt->l4_len, true, &m) == 0;

	if (scmp_decode(&pkt->hdr, pkt->l4, pkt->l4_len, false, &m))
		return;
	CHECK(scmp_encode(&pkt->hdr, &m, out, sizeof(out), &n) == 0);
	CHECK(n == pkt->l4_len);
	memcpy(masked, pkt->l4, n);
	/* Unused and reserved InfoBlock bytes are written as zero. */
	if (m.type == SCMP_DEST_UNREACHABLE)
		memset(masked + 4, 0, 4);
	if (m.type == SCMP_PACKET_TOO_BIG || m.type == SCMP_PARAMETER_PROBLEM)
		memset(masked + 4, 0, 2);
	info = 4 + scmp_info_len(m.type);
	CHECK(memcmp(out, masked, 2) == 0);
	CHECK(memcmp(out + 4, masked + 4, n - 4) == 0);
	CHECK(n >= info);
	if (verified && memcmp(masked, pkt->l4, n) == 0)
		check_checksum(m.checksum, (uint16_t)(out[2] << 8 | out[3]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scion_packet p, q;
	size_t n = 0, off;

	if (size > sizeof(out) || scion_packet_decode(data, size, &p))
		return 0;
	CHECK(p.hdr_len + p.hdr.payload_len == size);
	CHECK(p.l4 + p.l4_len == data + size);

	/* The whole packet re-encodes to the input, except RSV and SVC padding. */
	CHECK(scion_packet_encode(&p, out, sizeof(out), &n) == 0);
	CHECK(n == size);
	memcpy(masked, data, size);
	masked[10] = masked[11] = 0;
	off = SCION_COMMON_HDR_LEN + SCION_ADDR_IA_LEN;
	if (p.hdr.dst.host.type == SCION_HOST_SVC)
		masked[off + 2] = masked[off + 3] = 0;
	off += scion_host_len(&p.hdr.dst.host);
	if (p.hdr.src.host.type == SCION_HOST_SVC)
		masked[off + 2] = masked[off + 3] = 0;
	CHECK(memcmp(out, masked, size) == 0);
	CHECK(scion_packet_decode(out, n, &q) == 0);
	CHECK(q.hdr_len == p.hdr_len && q.l4_proto == p.l4_proto && q.l4_len == p.l4_len);
	CHECK(scion_addr_equal(&q.hdr.dst, &p.hdr.dst) && scion_addr_equal(&q.hdr.src, &p.hdr.src));

	check_path(&p.hdr);
	if (p.l4_proto == SCION_PROTO_UDP)
		check_udp(&p);
	else if (p.l4_proto == SCION_PROTO_SCMP)
		check_scmp(&p);
	return 0;
}
