/* SPDX-License-Identifier: MIT */
/*
 * TUN offloads through the virtio-net header (IFF_VNET_HDR, TUNSETOFFLOAD; the scheme
 * wireguard-go uses since 2023). With TSO offered, the kernel hands the TUN reader TCP
 * super-segments of up to 64 KiB in one read, and accepts such super-segments in one write:
 * one system call and one trip through the stack per 64 KiB instead of per 1.2 kB packet.
 *
 *  - Egress (TUN read → peers): vnet_split cuts a super-segment into the TCP segments the
 *    kernel would have sent (gso_size bytes of payload each; IPv4 id + i, sequence numbers,
 *    FIN/PSH on the last, CWR on the first; IP and TCP checksums complete), so peers see
 *    ordinary IP packets. A packet with a partial checksum is finished (vnet_csum_finish).
 *  - Ingress (peers → TUN write): vnet_gro joins consecutive in-order segments of one TCP
 *    flow into one super-segment (GRO-like) written with gso_type TCPV4/TCPV6 and a partial
 *    checksum; the kernel delivers it as one skb, or cuts it again when it forwards it.
 *    Only plain ACK / ACK+PSH segments with a verified TCP checksum, equal headers apart
 *    from lengths, sequence numbers and the IPv4 id/checksum, and equal sizes (the last may
 *    be smaller) are joined; everything else is written alone with an empty header.
 *
 * The header is in native byte order (the TUN's default, no TUNSETVNETLE). Pure: bytes in,
 * bytes out. Thread: any; a struct vnet_split / vnet_gro belongs to one thread.
 */
#ifndef SEG_ADAPTERS_IP_VNET_H
#define SEG_ADAPTERS_IP_VNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "seg/scion_addr.h" /* SEG_MUST_CHECK */

enum {
	VNET_HDR_LEN = 10, /* struct virtio_net_hdr, the TUN's default vnet header size */
	/* virtio spec 5.1.6: flags and gso_type. */
	VNET_F_NEEDS_CSUM = 1,
	VNET_GSO_NONE = 0,
	VNET_GSO_TCPV4 = 1,
	VNET_GSO_TCPV6 = 4,
	VNET_GSO_ECN = 0x80,
	/* Largest IP packet (IPv4 total length, IPv6 header + payload length). */
	VNET_IP_MAX = 65535,
	/* Segments vnet_gro joins into one write. */
	VNET_GRO_SEGS_MAX = 64,
	/* IPv4 header with options (60) or IPv6 (40), plus TCP with options (60). */
	VNET_L3L4_HDR_MAX = 120,
};

struct vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

enum vnet_err {
	VNET_OK = 0,
	VNET_ERR_MALFORMED = -1, /* headers inconsistent with the vnet header */
	VNET_ERR_GSO_TYPE = -2,	 /* a GSO type we did not offer (UDP) */
};

void vnet_hdr_read(const uint8_t *b, struct vnet_hdr *h);
void vnet_hdr_write(uint8_t *b, const struct vnet_hdr *h);

/* RFC 1071 sum over d, added to sum (both folded, not complemented). */
uint16_t vnet_csum(const uint8_t *d, size_t len, uint16_t sum);

/* A packet read with h (no GSO) whose checksum is partial: completes it in place. */
SEG_MUST_CHECK int vnet_csum_finish(uint8_t *pkt, size_t len, const struct vnet_hdr *h);

/* Cutting one TSO super-segment: init, then next until it returns 0. */
struct vnet_split {
	const uint8_t *pkt;
	size_t len, l4_off, hdr_len, off;
	uint16_t gso_size;
	bool v6;
	unsigned i;
};

/* Validates pkt (len bytes, after the vnet header h, which has a GSO type). */
SEG_MUST_CHECK int vnet_split_init(struct vnet_split *s, const uint8_t *pkt, size_t len,
				   const struct vnet_hdr *h);
/* Writes the next segment to out (cap bytes); returns its length, 0 when all are out, or
 * VNET_ERR_MALFORMED when a segment would not fit in cap. */
SEG_MUST_CHECK int vnet_split_next(struct vnet_split *s, uint8_t *out, size_t cap);

/* Joining received segments for one TUN write. */
struct vnet_gro {
	size_t n;  /* segments held */
	bool open; /* more may join */
	bool v6;
	size_t l4_off, hdr_len, total;
	uint16_t seg_size;
	uint32_t next_seq;
	/* vnet header, then the first segment's IP and TCP headers (patched at the end). */
	uint8_t hdr[VNET_HDR_LEN + VNET_L3L4_HDR_MAX];
	uint8_t zero[VNET_HDR_LEN];
	uint8_t last_flags;
	struct iovec iov[VNET_GRO_SEGS_MAX + 1];
};

void vnet_gro_reset(struct vnet_gro *g);
/* Adds pkt (which must stay valid until the write): true if it joined (or started) g, false
 * if g must be written first (then reset and add again). */
bool vnet_gro_add(struct vnet_gro *g, const uint8_t *pkt, size_t len);
/* Finishes the headers; returns the iovec count for writev (0 when g is empty). */
size_t vnet_gro_finish(struct vnet_gro *g);

#endif /* SEG_ADAPTERS_IP_VNET_H */
