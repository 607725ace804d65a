/* SPDX-License-Identifier: MIT */
/* The UDP underlay socket, batches, and SCION/UDP encapsulation from route templates. */
#include "underlay.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cursor.h"
#include "base/log.h"

/* Offset of PayloadLen in the SCION common header (scion-header.rst "Common Header"). */
enum { SCION_OFF_PAYLOAD_LEN = 6 };

/*
 * Receive buffer asked for: the default (~208 KiB) holds ~180 small datagrams, fewer than the
 * Responses of 1000 peers handshaking at once (bench/README.md "handshake"). 4 MiB holds a
 * few thousand; a datagram it cannot hold waits for the sender's retransmission.
 */
enum { UNDERLAY_RCVBUF = 4 << 20 };

/* Root (CAP_NET_ADMIN) may exceed net.core.rmem_max; others get at most that. Logs the size
 * the kernel granted (getsockopt reports twice the size set: bookkeeping included). */
static void rcvbuf_grow(int fd)
{
	int want = UNDERLAY_RCVBUF, got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len) != 0)
		return;
	seg_log(got / 2 < want ? SEG_LOG_INFO : SEG_LOG_DEBUG,
		"underlay: receive buffer %d KiB granted of %d KiB asked (without CAP_NET_ADMIN, "
		"net.core.rmem_max bounds it)",
		got / 2 / 1024, want / 1024);
}

static void host_to_sockaddr(const struct scion_host *h, uint16_t port,
			     struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (h->type == SCION_HOST_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)out;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, h->ip, 16);
		s6->sin6_port = htons(port);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)out;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, h->ip, 4);
		s4->sin_port = htons(port);
	}
}

/* Both are optimisations: a kernel without them gets one datagram per message. */
static void offloads_enable(struct underlay *u)
{
	udp_offloads_enable(u->fd, &u->gso, &u->gro);
	seg_log_debug("underlay: UDP GSO %s, UDP GRO %s", u->gso ? "on" : "off",
		      u->gro ? "on" : "off");
}

int underlay_open(struct underlay *u, const struct scion_udp_addr *local)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int one = 1;

	memset(u, 0, sizeof(*u));
	u->fd = -1;
	u->local = *local;
	if (local->addr.host.type == SCION_HOST_SVC)
		return UNDERLAY_ERR_SOCKET;
	host_to_sockaddr(&local->addr.host, local->port, &sa);
	len = sa.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	u->fd = socket(sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->fd < 0) {
		seg_log_error("underlay: socket: %s", strerror(errno));
		return UNDERLAY_ERR_SOCKET;
	}
	(void)setsockopt(u->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rcvbuf_grow(u->fd);
	if (bind(u->fd, (struct sockaddr *)&sa, len) < 0) {
		seg_log_error("underlay: bind port %u: %s", local->port, strerror(errno));
		close(u->fd);
		u->fd = -1;
		return UNDERLAY_ERR_SOCKET;
	}
	len = sizeof(u->bound);
	if (getsockname(u->fd, (struct sockaddr *)&u->bound, &len) < 0) {
		close(u->fd);
		u->fd = -1;
		return UNDERLAY_ERR_SOCKET;
	}
	u->local.port = underlay_port(u);
	offloads_enable(u);
	return 0;
}

void underlay_close(struct underlay *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
}

uint16_t underlay_port(const struct underlay *u)
{
	if (u->bound.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&u->bound)->sin6_port);
	return ntohs(((const struct sockaddr_in *)&u->bound)->sin_port);
}

int underlay_route_build(struct underlay_route *r, uint32_t path_id,
			 const struct scion_udp_addr *src, const struct scion_udp_addr *dst,
			 uint8_t path_type, const uint8_t *raw, size_t raw_len,
			 const struct sockaddr_storage *next_hop, uint16_t mtu)
{
	size_t written;

	memset(r, 0, sizeof(*r));
	if (raw_len > sizeof(r->raw) || (path_type != SCION_PATH_TYPE_EMPTY && raw_len == 0) ||
	    (path_type == SCION_PATH_TYPE_EMPTY && raw_len != 0))
		return UNDERLAY_ERR_ROUTE;
	r->path_id = path_id;
	r->path_type = path_type;
	memcpy(r->raw, raw, raw_len);
	r->hdr.version = SCION_VERSION;
	r->hdr.next_hdr = SCION_PROTO_UDP;
	r->hdr.path_type = path_type;
	r->hdr.dst = dst->addr;
	r->hdr.src = src->addr;
	r->hdr.path = r->raw;
	r->hdr.path_len = raw_len;
	/* A flow id per path keeps one path's packets on one ECMP route (scion-header.rst). */
	r->hdr.flow_id = (path_id * 2654435761u) & 0xfffffu;
	if (r->hdr.flow_id == 0)
		r->hdr.flow_id = 1;
	if (scion_header_encode(&r->hdr, 0, r->tmpl, sizeof(r->tmpl), &written) != 0)
		return UNDERLAY_ERR_ROUTE;
	r->hdr_len = written;
	r->src_port = src->port;
	r->dst_port = dst->port;
	if (path_type == SCION_PATH_TYPE_EMPTY)
		host_to_sockaddr(&dst->addr.host, dst->port, &r->next_hop);
	else if (next_hop)
		r->next_hop = *next_hop;
	else
		return UNDERLAY_ERR_ROUTE;
	r->mtu = mtu > UNDERLAY_MTU_MAX || mtu == 0 ? UNDERLAY_MTU_MAX : mtu;
	if (r->mtu <= r->hdr_len + SCION_UDP_HDR_LEN)
		return UNDERLAY_ERR_ROUTE;
	return 0;
}

int underlay_route_reply(struct underlay_route *r, const struct scion_udp_addr *local,
			 const struct scion_packet *pkt, uint16_t peer_port,
			 const struct sockaddr_storage *from)
{
	uint8_t rev[SCION_MAX_STD_PATH_LEN];
	size_t rev_len = 0;
	struct scion_udp_addr dst = {.addr = pkt->hdr.src, .port = peer_port};

	if (pkt->hdr.path_type == SCION_PATH_TYPE_SCION) {
		if (scion_raw_path_reverse(pkt->hdr.path, pkt->hdr.path_len, rev, sizeof(rev)) != 0)
			return UNDERLAY_ERR_ROUTE;
		rev_len = pkt->hdr.path_len;
	} else if (pkt->hdr.path_type != SCION_PATH_TYPE_EMPTY) {
		return UNDERLAY_ERR_ROUTE;
	}
	if (underlay_route_build(r, 0, local, &dst, pkt->hdr.path_type, rev, rev_len, from, 0) != 0)
		return UNDERLAY_ERR_ROUTE;
	/* Back where it came from: the border router, or the peer itself in our AS. */
	r->next_hop = *from;
	return 0;
}

void underlay_route_copy(struct underlay_route *dst, const struct underlay_route *src)
{
	memcpy(dst, src, sizeof(*dst));
	dst->hdr.path = dst->raw;
}

size_t underlay_route_payload_max(const struct underlay_route *r)
{
	return r->mtu - r->hdr_len - SCION_UDP_HDR_LEN;
}

int underlay_encap(const struct underlay_route *r, uint8_t *buf, size_t len, size_t *start,
		   size_t *pkt_len)
{
	size_t l4_len = SCION_UDP_HDR_LEN + len;
	uint8_t *udp = buf + UNDERLAY_HEADROOM - SCION_UDP_HDR_LEN;
	uint8_t *hdr = udp - r->hdr_len;
	uint16_t sum;

	if (len > underlay_route_payload_max(r))
		return UNDERLAY_ERR_SPACE;
	memcpy(hdr, r->tmpl, r->hdr_len);
	store_u16be(hdr + SCION_OFF_PAYLOAD_LEN, (uint16_t)l4_len);
	store_u16be(udp, r->src_port);
	store_u16be(udp + 2, r->dst_port);
	store_u16be(udp + 4, (uint16_t)l4_len);
	store_u16be(udp + 6, 0);
	sum = scion_l4_checksum(&r->hdr, SCION_PROTO_UDP, udp, l4_len);
	/* RFC 768: a computed zero is sent as all ones. */
	store_u16be(udp + 6, sum == 0 ? 0xffff : sum);
	*start = (size_t)(hdr - buf);
	*pkt_len = r->hdr_len + l4_len;
	return 0;
}

int underlay_batch_init(struct underlay_batch *b)
{
	memset(b, 0, sizeof(*b));
	b->bufs = malloc((size_t)UNDERLAY_BATCH * UNDERLAY_BUF_LEN);
	return b->bufs ? 0 : -ENOMEM;
}

void underlay_batch_free(struct underlay_batch *b)
{
	free(b->bufs);
	b->bufs = NULL;
	b->q.n = 0;
}

uint8_t *underlay_batch_slot(struct underlay_batch *b)
{
	if (udp_sendq_full(&b->q))
		return NULL;
	return b->bufs + b->q.n * (size_t)UNDERLAY_BUF_LEN;
}

void underlay_batch_commit(struct underlay_batch *b, size_t start, size_t len,
			   const struct sockaddr_storage *to)
{
	udp_sendq_add(&b->q, b->bufs + b->q.n * (size_t)UNDERLAY_BUF_LEN + start, len, to);
}

size_t underlay_batch_flush(struct underlay_batch *b, const struct underlay *u)
{
	return udp_sendq_flush(&b->q, u->fd, u->gso, NULL);
}
