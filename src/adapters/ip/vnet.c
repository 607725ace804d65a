/* SPDX-License-Identifier: MIT */
/* TSO segmentation and GRO-like coalescing for the TUN's virtio-net header; see vnet.h. */
#include "adapters/ip/vnet.h"

#include <arpa/inet.h>
#include <string.h>

#include "adapters/ip/packet.h"
#include "base/cursor.h"

/* TCP (RFC 9293 3.1): offsets and flags. */
enum {
	TCP_HDR_MIN = 20,
	TCP_OFF_SEQ = 4,
	TCP_OFF_ACK = 8,
	TCP_OFF_DOFF = 12,
	TCP_OFF_FLAGS = 13,
	TCP_OFF_WINDOW = 14,
	TCP_OFF_CSUM = 16,
	TCP_OFF_URG = 18,
	TCP_FIN = 0x01,
	TCP_PSH = 0x08,
	TCP_ACK = 0x10,
	TCP_CWR = 0x80,
	UDP_OFF_CSUM = 6,
	IPV4_OFF_TOTAL = 2,
	IPV4_OFF_ID = 4,
	IPV4_OFF_FRAG = 6,
	IPV4_OFF_TTL = 8,
	IPV4_OFF_PROTO = 9,
	IPV4_OFF_CSUM = 10,
	IPV4_OFF_ADDRS = 12,
	IPV6_OFF_PLEN = 4,
	IPV6_OFF_NH = 6,
	IPV6_OFF_ADDRS = 8,
};

void vnet_hdr_read(const uint8_t *b, struct vnet_hdr *h)
{
	h->flags = b[0];
	h->gso_type = b[1];
	memcpy(&h->hdr_len, b + 2, 2);
	memcpy(&h->gso_size, b + 4, 2);
	memcpy(&h->csum_start, b + 6, 2);
	memcpy(&h->csum_offset, b + 8, 2);
}

void vnet_hdr_write(uint8_t *b, const struct vnet_hdr *h)
{
	b[0] = h->flags;
	b[1] = h->gso_type;
	memcpy(b + 2, &h->hdr_len, 2);
	memcpy(b + 4, &h->gso_size, 2);
	memcpy(b + 6, &h->csum_start, 2);
	memcpy(b + 8, &h->csum_offset, 2);
}

/*
 * The one's complement sum is independent of byte order (RFC 1071 2 (B)): sum native 64-bit
 * words with end-around carry, fold, and swap the result to network order once.
 */
uint16_t vnet_csum(const uint8_t *d, size_t len, uint16_t sum)
{
	uint64_t acc = 0, w;
	uint16_t w16;
	uint8_t tail[2] = {0, 0};

	for (; len >= 8; d += 8, len -= 8) {
		memcpy(&w, d, 8);
		acc += w;
		acc += acc < w;
	}
	if (len >= 4) {
		uint32_t w32;

		memcpy(&w32, d, 4);
		acc += w32;
		acc += acc < w32;
		d += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, d, 2);
		acc += w16;
		acc += acc < w16;
		d += 2;
		len -= 2;
	}
	if (len) {
		tail[0] = d[0];
		memcpy(&w16, tail, 2);
		acc += w16;
		acc += acc < w16;
	}
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffffffffu) + (acc >> 32);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (acc & 0xffff) + (acc >> 16);
	acc = (uint64_t)ntohs((uint16_t)acc) + sum;
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)acc;
}

/* The TCP pseudo-header sum (RFC 9293 3.1; RFC 8200 8.1) for l4_len bytes of segment. */
static uint16_t pseudo_sum(const uint8_t *ip, bool v6, size_t l4_len)
{
	uint8_t b[40] = {0};

	if (v6) {
		memcpy(b, ip + IPV6_OFF_ADDRS, 32);
		store_u32be(b + 32, (uint32_t)l4_len);
		b[39] = IP_PROTO_TCP;
		return vnet_csum(b, 40, 0);
	}
	memcpy(b, ip + IPV4_OFF_ADDRS, 8);
	b[9] = IP_PROTO_TCP;
	store_u16be(b + 10, (uint16_t)l4_len);
	return vnet_csum(b, 12, 0);
}

static void ipv4_csum_set(uint8_t *ip, size_t ihl)
{
	store_u16be(ip + IPV4_OFF_CSUM, 0);
	store_u16be(ip + IPV4_OFF_CSUM, (uint16_t)~vnet_csum(ip, ihl, 0));
}

int vnet_csum_finish(uint8_t *pkt, size_t len, const struct vnet_hdr *h)
{
	size_t at = (size_t)h->csum_start + h->csum_offset;
	uint16_t sum;

	if (!(h->flags & VNET_F_NEEDS_CSUM))
		return VNET_OK;
	if (h->csum_start >= len || at + 2 > len)
		return VNET_ERR_MALFORMED;
	/* The field holds the pseudo-header sum already (CHECKSUM_PARTIAL). */
	sum = (uint16_t)~vnet_csum(pkt + h->csum_start, len - h->csum_start, 0);
	if (sum == 0 && h->csum_offset == UDP_OFF_CSUM)
		sum = 0xffff; /* RFC 768: zero means no checksum */
	store_u16be(pkt + at, sum);
	return VNET_OK;
}

int vnet_split_init(struct vnet_split *s, const uint8_t *pkt, size_t len, const struct vnet_hdr *h)
{
	uint8_t type = h->gso_type & (uint8_t)~VNET_GSO_ECN;
	size_t l4, thl;

	memset(s, 0, sizeof(*s));
	if (type != VNET_GSO_TCPV4 && type != VNET_GSO_TCPV6)
		return VNET_ERR_GSO_TYPE;
	s->v6 = type == VNET_GSO_TCPV6;
	if (s->v6) {
		/* Extension headers may sit between: the kernel says where TCP starts. */
		if (len < IPV6_HDR_LEN || pkt[0] >> 4 != 6 || h->csum_start < IPV6_HDR_LEN)
			return VNET_ERR_MALFORMED;
		l4 = h->csum_start;
	} else {
		if (len < IPV4_HDR_MIN || pkt[0] >> 4 != 4)
			return VNET_ERR_MALFORMED;
		l4 = (size_t)(pkt[0] & 0x0f) * 4;
		if (l4 < IPV4_HDR_MIN)
			return VNET_ERR_MALFORMED;
	}
	if (len < l4 + TCP_HDR_MIN)
		return VNET_ERR_MALFORMED;
	thl = (size_t)(pkt[l4 + TCP_OFF_DOFF] >> 4) * 4;
	if (thl < TCP_HDR_MIN || len < l4 + thl || h->gso_size == 0)
		return VNET_ERR_MALFORMED;
	s->pkt = pkt;
	s->len = len;
	s->l4_off = l4;
	s->hdr_len = l4 + thl;
	s->off = s->hdr_len;
	s->gso_size = h->gso_size;
	return VNET_OK;
}

int vnet_split_next(struct vnet_split *s, uint8_t *out, size_t cap)
{
	size_t pay = s->len - s->off, n;
	uint8_t *tcp = out + s->l4_off, flags;
	uint16_t sum;

	if (s->i > 0 && s->off >= s->len)
		return 0;
	if (pay > s->gso_size)
		pay = s->gso_size;
	n = s->hdr_len + pay;
	if (n > cap)
		return VNET_ERR_MALFORMED;
	memcpy(out, s->pkt, s->hdr_len);
	memcpy(out + s->hdr_len, s->pkt + s->off, pay);
	/* What the kernel's tcp_gso_segment does to each segment. */
	store_u32be(tcp + TCP_OFF_SEQ,
		    load_u32be(tcp + TCP_OFF_SEQ) + (uint32_t)(s->off - s->hdr_len));
	flags = tcp[TCP_OFF_FLAGS];
	if (s->off + pay < s->len)
		flags &= (uint8_t) ~(TCP_FIN | TCP_PSH);
	if (s->i > 0)
		flags &= (uint8_t)~TCP_CWR;
	tcp[TCP_OFF_FLAGS] = flags;
	if (s->v6) {
		store_u16be(out + IPV6_OFF_PLEN, (uint16_t)(n - IPV6_HDR_LEN));
	} else {
		store_u16be(out + IPV4_OFF_TOTAL, (uint16_t)n);
		store_u16be(out + IPV4_OFF_ID, (uint16_t)(load_u16be(out + IPV4_OFF_ID) + s->i));
		ipv4_csum_set(out, s->l4_off);
	}
	store_u16be(tcp + TCP_OFF_CSUM, 0);
	sum = vnet_csum(tcp, n - s->l4_off, pseudo_sum(out, s->v6, n - s->l4_off));
	store_u16be(tcp + TCP_OFF_CSUM, (uint16_t)~sum);
	s->off += pay;
	s->i++;
	return (int)n;
}

void vnet_gro_reset(struct vnet_gro *g)
{
	g->n = 0;
	g->open = false;
	g->total = 0;
	memset(g->zero, 0, sizeof(g->zero));
}

/* A segment vnet_gro may join: no IP options or fragments, TCP directly, plain ACK or
 * ACK+PSH with payload, lengths consistent, TCP checksum right (the joined packet's is
 * only partial, so the kernel will not check it again). */
static bool gro_candidate(const uint8_t *pkt, size_t len, bool *v6, size_t *l4, size_t *hl)
{
	size_t thl;
	uint8_t f;

	if (len < IPV4_HDR_MIN)
		return false;
	if (pkt[0] == 0x45) {
		if (load_u16be(pkt + IPV4_OFF_TOTAL) != len ||
		    pkt[IPV4_OFF_PROTO] != IP_PROTO_TCP ||
		    (load_u16be(pkt + IPV4_OFF_FRAG) & (IPV4_FLAG_MF | IPV4_FRAG_OFFSET_MASK)))
			return false;
		*v6 = false;
		*l4 = IPV4_HDR_MIN;
	} else if (pkt[0] >> 4 == 6 && len >= IPV6_HDR_LEN) {
		if (load_u16be(pkt + IPV6_OFF_PLEN) + (size_t)IPV6_HDR_LEN != len ||
		    pkt[IPV6_OFF_NH] != IP_PROTO_TCP)
			return false;
		*v6 = true;
		*l4 = IPV6_HDR_LEN;
	} else {
		return false;
	}
	if (len < *l4 + TCP_HDR_MIN)
		return false;
	thl = (size_t)(pkt[*l4 + TCP_OFF_DOFF] >> 4) * 4;
	f = pkt[*l4 + TCP_OFF_FLAGS];
	if (thl < TCP_HDR_MIN || len <= *l4 + thl || (f != TCP_ACK && f != (TCP_ACK | TCP_PSH)))
		return false;
	*hl = *l4 + thl;
	return vnet_csum(pkt + *l4, len - *l4, pseudo_sum(pkt, *v6, len - *l4)) == 0xffff;
}

/* Everything but lengths, sequence number, flags' PSH, IPv4 id and checksums equal. */
static bool gro_same_flow(const struct vnet_gro *g, const uint8_t *pkt)
{
	const uint8_t *a = g->hdr + VNET_HDR_LEN, *ta = a + g->l4_off, *tb = pkt + g->l4_off;

	if (g->v6) {
		if (memcmp(a, pkt, IPV6_OFF_PLEN) || memcmp(a + IPV6_OFF_NH, pkt + IPV6_OFF_NH, 34))
			return false;
	} else if (a[1] != pkt[1] || memcmp(a + IPV4_OFF_FRAG, pkt + IPV4_OFF_FRAG, 4) ||
		   memcmp(a + IPV4_OFF_ADDRS, pkt + IPV4_OFF_ADDRS, 8)) {
		return false;
	}
	return !memcmp(ta, tb, TCP_OFF_SEQ) &&
	       !memcmp(ta + TCP_OFF_ACK, tb + TCP_OFF_ACK, TCP_OFF_FLAGS - TCP_OFF_ACK) &&
	       !memcmp(ta + TCP_OFF_WINDOW, tb + TCP_OFF_WINDOW, 2) &&
	       !memcmp(ta + TCP_OFF_URG, tb + TCP_OFF_URG, g->hdr_len - g->l4_off - TCP_OFF_URG);
}

static void gro_start(struct vnet_gro *g, const uint8_t *pkt, size_t len)
{
	size_t l4, hl;
	bool v6;

	g->n = 1;
	if (!gro_candidate(pkt, len, &v6, &l4, &hl)) {
		g->open = false;
		g->hdr_len = 0;
		g->iov[0] = (struct iovec){.iov_base = g->zero, .iov_len = VNET_HDR_LEN};
		g->iov[1] = (struct iovec){.iov_base = (void *)pkt, .iov_len = len};
		return;
	}
	g->v6 = v6;
	g->l4_off = l4;
	g->hdr_len = hl;
	g->total = len;
	g->seg_size = (uint16_t)(len - hl);
	g->last_flags = pkt[l4 + TCP_OFF_FLAGS];
	g->next_seq = load_u32be(pkt + l4 + TCP_OFF_SEQ) + g->seg_size;
	g->open = !(g->last_flags & TCP_PSH);
	memset(g->hdr, 0, VNET_HDR_LEN);
	memcpy(g->hdr + VNET_HDR_LEN, pkt, hl);
	g->iov[0] = (struct iovec){.iov_base = g->hdr, .iov_len = VNET_HDR_LEN + hl};
	g->iov[1] = (struct iovec){.iov_base = (void *)(pkt + hl), .iov_len = len - hl};
}

bool vnet_gro_add(struct vnet_gro *g, const uint8_t *pkt, size_t len)
{
	size_t l4, hl, pay;
	bool v6;

	if (g->n == 0) {
		gro_start(g, pkt, len);
		return true;
	}
	if (!g->open || g->n == VNET_GRO_SEGS_MAX || !gro_candidate(pkt, len, &v6, &l4, &hl) ||
	    v6 != g->v6 || hl != g->hdr_len || !gro_same_flow(g, pkt) ||
	    load_u32be(pkt + l4 + TCP_OFF_SEQ) != g->next_seq)
		return false;
	pay = len - hl;
	if (pay > g->seg_size || g->total + pay > VNET_IP_MAX)
		return false;
	g->iov[g->n + 1] = (struct iovec){.iov_base = (void *)(pkt + hl), .iov_len = pay};
	g->n++;
	g->total += pay;
	g->next_seq += (uint32_t)pay;
	g->last_flags = pkt[l4 + TCP_OFF_FLAGS];
	if (pay < g->seg_size || (g->last_flags & TCP_PSH))
		g->open = false;
	return true;
}

size_t vnet_gro_finish(struct vnet_gro *g)
{
	uint8_t *ip = g->hdr + VNET_HDR_LEN, *tcp = ip + g->l4_off;
	struct vnet_hdr h = {0};

	if (g->n < 2)
		return g->n ? 2 : 0; /* alone: an empty vnet header and the packet as it came */
	if (g->v6) {
		store_u16be(ip + IPV6_OFF_PLEN, (uint16_t)(g->total - IPV6_HDR_LEN));
	} else {
		store_u16be(ip + IPV4_OFF_TOTAL, (uint16_t)g->total);
		ipv4_csum_set(ip, g->l4_off);
	}
	tcp[TCP_OFF_FLAGS] = g->last_flags;
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum, the rest is summed later. */
	store_u16be(tcp + TCP_OFF_CSUM, pseudo_sum(ip, g->v6, g->total - g->l4_off));
	h.flags = VNET_F_NEEDS_CSUM;
	h.gso_type = g->v6 ? VNET_GSO_TCPV6 : VNET_GSO_TCPV4;
	h.hdr_len = (uint16_t)g->hdr_len;
	h.gso_size = g->seg_size;
	h.csum_start = (uint16_t)g->l4_off;
	h.csum_offset = TCP_OFF_CSUM;
	vnet_hdr_write(g->hdr, &h);
	return g->n + 1;
}
