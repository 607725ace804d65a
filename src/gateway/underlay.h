/* SPDX-License-Identifier: MIT */
/*
 * The underlay: one UDP socket bound to the configured address's IP:port (dispatcher-less
 * SCION, DESIGN.md "Production"), batches of datagrams in and out (recvmmsg/sendmmsg), and
 * the SCION/UDP encapsulation.
 *
 * A route is what the TX path needs to send on one path: a precomputed SCION header
 * (common + address + path) and the UDP ports, plus the underlay next hop. Per packet only
 * PayloadLen, the UDP length and the UDP checksum are patched (underlay_encap).
 *
 * Buffers: every packet is built in a buffer of UNDERLAY_BUF_LEN bytes whose first
 * UNDERLAY_HEADROOM bytes are room for the SCION and UDP headers; the seg message starts at
 * UNDERLAY_HEADROOM and is sealed there in place, then the headers are written before it.
 *
 * Offloads: the batches are base/udp_batch.h's, so a flush sends runs of datagrams to the
 * same next hop as UDP GSO messages, and a receive may hold a UDP GRO run, cut back into
 * datagrams by the RX path. Receive buffers are therefore UNDERLAY_RX_BUF_LEN, room for the
 * largest UDP payload.
 *
 * Thread: the socket is shared (sendmmsg is thread-safe); a route is read under its peer's
 * lock; a batch belongs to one thread.
 */
#ifndef SEG_GATEWAY_UNDERLAY_H
#define SEG_GATEWAY_UNDERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <seg/scion_addr.h>
#include <seg/scion_packet.h>
#include <seg/scion_path.h>

#include "base/udp_batch.h"

enum {
	/* Largest SCION packet sent or received; a path MTU above it is clamped to it (jumbo
	 * frames). Received datagrams above it are dropped (GW_DROP_RX_TRUNC). */
	UNDERLAY_MTU_MAX = 9216,
	UNDERLAY_HEADROOM = SCION_MAX_HDR_LEN + SCION_UDP_HDR_LEN,
	UNDERLAY_BUF_LEN = UNDERLAY_HEADROOM + UNDERLAY_MTU_MAX,
	/* Datagrams per send batch (a TSO super-segment of 64 KiB in 1200-byte packets is ~55),
	 * and receive buffers per recvmmsg. */
	UNDERLAY_BATCH = UDP_SENDQ_MAX,
	UNDERLAY_RX_BATCH = 32,
	/* A receive buffer holds a whole UDP payload: one datagram, or a GRO run of them. */
	UNDERLAY_RX_BUF_LEN = UDP_RX_BUF_LEN,
};

enum underlay_err {
	UNDERLAY_ERR_SOCKET = -400, /* socket/bind failed (errno kept in the log) */
	UNDERLAY_ERR_ROUTE = -401,  /* path or addresses do not make a header */
	UNDERLAY_ERR_SPACE = -402,  /* payload over the route's MTU */
};

struct underlay {
	int fd;
	struct scion_udp_addr local;
	struct sockaddr_storage bound; /* the actual bind (port filled in when 0 was asked) */
	bool gso;		       /* UDP_SEGMENT accepted: flushes coalesce runs */
	bool gro;		       /* UDP_GRO enabled: a receive may hold a run */
};

struct underlay_route {
	uint32_t path_id;
	uint8_t path_type;
	struct scion_header hdr; /* addresses for the checksum; hdr.path points into raw */
	uint8_t raw[SCION_MAX_STD_PATH_LEN];
	uint8_t tmpl[SCION_MAX_HDR_LEN];
	size_t hdr_len;
	uint16_t src_port, dst_port;
	struct sockaddr_storage next_hop;
	uint16_t mtu; /* of the whole SCION packet, clamped to UNDERLAY_MTU_MAX */
};

/* A batch of datagrams to send, owned by one thread. */
struct underlay_batch {
	uint8_t *bufs; /* UNDERLAY_BATCH x UNDERLAY_BUF_LEN */
	struct udp_sendq q;
};

/* Binds a non-blocking UDP socket to local's IP:port (port 0 picks one; see u->bound). */
SEG_MUST_CHECK int underlay_open(struct underlay *u, const struct scion_udp_addr *local);
void underlay_close(struct underlay *u);
uint16_t underlay_port(const struct underlay *u);

/*
 * Builds a route from src to dst over raw (path_type SCION or EMPTY). For an empty path
 * (same AS) the next hop is dst's host and port; otherwise next_hop.
 */
SEG_MUST_CHECK int underlay_route_build(struct underlay_route *r, uint32_t path_id,
					const struct scion_udp_addr *src,
					const struct scion_udp_addr *dst, uint8_t path_type,
					const uint8_t *raw, size_t raw_len,
					const struct sockaddr_storage *next_hop, uint16_t mtu);
/* The route back to the sender of pkt (received from the underlay address from, with UDP
 * source port peer_port): the reversed path, next hop = from. */
SEG_MUST_CHECK int underlay_route_reply(struct underlay_route *r,
					const struct scion_udp_addr *local,
					const struct scion_packet *pkt, uint16_t peer_port,
					const struct sockaddr_storage *from);
/* Copies a route (fixing its internal pointer). */
void underlay_route_copy(struct underlay_route *dst, const struct underlay_route *src);
/* Bytes of seg message a packet on this route can carry. */
size_t underlay_route_payload_max(const struct underlay_route *r);

/*
 * buf holds len bytes of seg message at UNDERLAY_HEADROOM; writes the SCION and UDP headers
 * before it. *start is the packet's offset in buf, *pkt_len its length.
 */
SEG_MUST_CHECK int underlay_encap(const struct underlay_route *r, uint8_t *buf, size_t len,
				  size_t *start, size_t *pkt_len);

SEG_MUST_CHECK int underlay_batch_init(struct underlay_batch *b);
void underlay_batch_free(struct underlay_batch *b);
/* The buffer of the next slot (NULL when the batch is full: flush first). */
uint8_t *underlay_batch_slot(struct underlay_batch *b);
/* Commits the next slot: packet at buf + start, len bytes, to next_hop. */
void underlay_batch_commit(struct underlay_batch *b, size_t start, size_t len,
			   const struct sockaddr_storage *to);
/* Sends everything queued on u's socket (runs as UDP GSO when u->gso); returns how many
 * datagrams the kernel refused (dropped). Empties b. */
size_t underlay_batch_flush(struct underlay_batch *b, const struct underlay *u);

#endif /* SEG_GATEWAY_UNDERLAY_H */
