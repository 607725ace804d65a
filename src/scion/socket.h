/* SPDX-License-Identifier: MIT */
/*
 * A SCION endhost UDP socket, dispatcher-less: the host binds its own underlay UDP port, sends
 * SCION packets to the next hop the daemon gives (a border router's internal address), and
 * receives on that port what routers deliver to it. Routers deliver by the SCION/UDP
 * destination port (or, for SCMP, by the echo/traceroute identifier or the quoted packet's
 * source port), so that port is both the underlay port and the SCION/UDP port of the socket.
 *
 * Used by `seg ping`, `seg paths --probe` and the gateway. Packets are built with the codec
 * into the socket's own send buffer and received into its own receive buffer: no allocation
 * per packet. A received packet is decoded and checked in full (header, path meta, L4 length
 * and checksum); a datagram that fails is skipped with SCION_SOCK_ERR_DECODE, never trusted.
 *
 * Thread: a socket belongs to one thread at a time (its buffers are shared between calls).
 */
#ifndef SEG_SCION_SOCKET_H
#define SEG_SCION_SOCKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <seg/scion_packet.h>

enum {
	/** Largest datagram sent or received (the reference router's buffer is 9000 bytes). */
	SCION_SOCKET_MAX_PKT = 9216,
	/**
	 * Underlay port of a host's SCMP handler when the destination is in the local AS (empty
	 * path, no router in between): reference topology.EndhostPort.
	 */
	SCION_SOCKET_ENDHOST_PORT = 30041,
};

enum scion_socket_err {
	SCION_SOCK_OK = 0,
	SCION_SOCK_ERR_ARG = -90,      /**< inconsistent arguments from the caller */
	SCION_SOCK_ERR_SYS = -91,      /**< a system call failed; scion_socket_errno() says why */
	SCION_SOCK_ERR_PORT = -92,     /**< no free port in the requested range */
	SCION_SOCK_ERR_TIMEOUT = -93,  /**< nothing arrived before the timeout */
	SCION_SOCK_ERR_DECODE = -94,   /**< a datagram arrived but is not a valid packet: skipped */
	SCION_SOCK_ERR_SIZE = -95,     /**< a datagram larger than SCION_SOCKET_MAX_PKT: skipped */
	SCION_SOCK_ERR_NOMEM = -96,    /**< allocation failed */
	SCION_SOCK_ERR_NEXT_HOP = -97, /**< no usable next hop (missing, or wrong address family) */
};

/** Where the socket lives. */
struct scion_socket_config {
	/** Local ISD-AS and host IP (IPv4 or IPv6; the socket binds this IP). */
	struct scion_addr local;
	/** A fixed port, or 0 for an ephemeral one. */
	uint16_t port;
	/**
	 * The AS's dispatched port range (inclusive, the daemon's PortRange). An ephemeral port is
	 * chosen inside it, so that routers deliver to it directly; with 0-0 the kernel chooses.
	 */
	uint16_t port_min, port_max;
};

/** How a packet travels: the path from the daemon and the underlay next hop. */
struct scion_route {
	enum scion_path_type type; /**< EMPTY, SCION or ONEHOP */
	const uint8_t *raw;	   /**< raw path bytes as they go on the wire */
	size_t raw_len;
	/**
	 * Border router to send to. NULL (or AF_UNSPEC) is allowed only with the empty path: the
	 * packet goes straight to the destination host, at its port (SCMP: the endhost port), as
	 * the reference endhost stack does inside one AS.
	 */
	const struct sockaddr_storage *next_hop;
};

enum scion_socket_l4 {
	SCION_SOCKET_L4_OTHER = 0, /**< another NextHdr: header and l4 bytes only */
	SCION_SOCKET_L4_UDP = 1,
	SCION_SOCKET_L4_SCMP = 2,
};

/**
 * A received packet. All pointers point into the socket's receive buffer: valid until the
 * next scion_socket_recv() on the same socket.
 */
struct scion_socket_msg {
	struct scion_packet pkt; /**< header (with the path as received), extensions, l4 */
	enum scion_socket_l4 l4;
	struct scion_udp udp; /**< L4_UDP */
	struct scmp_msg scmp; /**< L4_SCMP */
	bool scmp_known;      /**< false: an SCMP type this stack does not decode (data only) */
	struct sockaddr_storage from; /**< underlay source (the router, or a local host) */
	const uint8_t *data;	      /**< the whole datagram (e.g. to quote it in an error) */
	size_t len;		      /**< datagram length */
	int decode_err;		      /**< on SCION_SOCK_ERR_DECODE: the codec's error */
};

struct scion_socket;

/** Opens and binds a socket. Returns 0 or a negative scion_socket_err. */
SEG_MUST_CHECK int scion_socket_open(const struct scion_socket_config *cfg,
				     struct scion_socket **out);
/** Closes and frees; NULL is a no-op. */
void scion_socket_close(struct scion_socket *s);

/** The underlay file descriptor (for poll/epoll; the socket stays its owner). */
int scion_socket_fd(const struct scion_socket *s);
/** The bound port (underlay and SCION/UDP). */
uint16_t scion_socket_port(const struct scion_socket *s);
/** The local SCION address (IA and host). */
const struct scion_addr *scion_socket_local(const struct scion_socket *s);
/** errno of the last SCION_SOCK_ERR_SYS. */
int scion_socket_errno(const struct scion_socket *s);

/**
 * Sends one SCION/UDP packet from the socket's port to dst over route. The payload is copied
 * into the socket's send buffer.
 */
SEG_MUST_CHECK int scion_socket_send_udp(struct scion_socket *s, const struct scion_route *route,
					 const struct scion_udp_addr *dst, const uint8_t *payload,
					 size_t payload_len);
/** Sends one SCMP message (e.g. an echo request; its data is copied) to dst over route. */
SEG_MUST_CHECK int scion_socket_send_scmp(struct scion_socket *s, const struct scion_route *route,
					  const struct scion_addr *dst, const struct scmp_msg *m);
/**
 * Sends bytes that are already a whole SCION packet to next_hop (for tests that craft or
 * corrupt packets, and for callers that build their own batches).
 */
SEG_MUST_CHECK int scion_socket_send_raw(struct scion_socket *s,
					 const struct sockaddr_storage *next_hop,
					 const uint8_t *pkt, size_t len);
/**
 * Builds the packet scion_socket_send_udp/_scmp would send, into buf, without sending it;
 * *underlay gets where it would go. proto is SCION_PROTO_UDP (dst->port used, m ignored)
 * or SCION_PROTO_SCMP (m used, payload ignored).
 */
SEG_MUST_CHECK int scion_socket_build(const struct scion_socket *s, const struct scion_route *route,
				      const struct scion_udp_addr *dst, uint8_t proto,
				      const uint8_t *payload, size_t payload_len,
				      const struct scmp_msg *m, uint8_t *buf, size_t cap,
				      size_t *written, struct sockaddr_storage *underlay);

/**
 * Receives one datagram, waiting at most timeout_ms (0: do not wait; negative: wait
 * forever). On 0, *out describes a valid packet. SCION_SOCK_ERR_DECODE and _SIZE mean one
 * datagram was consumed and dropped (out->from and out->len are set); the caller may call
 * again. Checksums are verified.
 */
SEG_MUST_CHECK int scion_socket_recv(struct scion_socket *s, struct scion_socket_msg *out,
				     int timeout_ms);

/**
 * The offending packet an SCMP error quotes, decoded as far as it goes. A quote may be cut
 * (scmp.rst: the error packet stays within SCMP_MAX_PACKET_LEN), so only its SCION header and
 * extensions must be whole: the quote is copied into scratch (cap at least m->data_len) with
 * PayloadLen set to the bytes present, then decoded. out->l4 then holds the upper-layer bytes
 * present, which may be fewer than its own length field says.
 */
SEG_MUST_CHECK int scion_scmp_quote_decode(const struct scmp_msg *m, uint8_t *scratch, size_t cap,
					   struct scion_packet *out);

/** A static English description of a scion_socket_err (or any scion_pkt_err). */
const char *scion_socket_strerror(int err);

#endif /* SEG_SCION_SOCKET_H */
