/* SPDX-License-Identifier: MIT */
/*
 * Batches of UDP datagrams, out and in, with Linux's UDP segmentation offloads.
 *
 * Out: a udp_sendq collects datagrams as pointers (each stays in its owner's buffer until
 * the flush) and sends them with sendmmsg. With GSO, each run of datagrams to the same
 * destination with the same length (the last may be shorter) goes as one message with
 * UDP_SEGMENT: the kernel cuts it into the datagrams, so one system call and one trip
 * through the IP stack carry up to UDP_GSO_SEGS_MAX of them.
 *
 * In: with UDP_GRO enabled, one receive may hand over such a run whole (over loopback, or
 * coalesced by a NIC's GRO), as one buffer and a segment size (udp_gro_segment_size); a
 * receive buffer must then have room for UDP_RX_BUF_LEN bytes. A kernel without the options
 * (UDP_SEGMENT: Linux 4.18, UDP_GRO: 5.0) just gets one datagram per message.
 *
 * Thread: a queue belongs to one thread; the socket may be shared (sendmmsg is thread-safe).
 */
#ifndef SEG_BASE_UDP_BATCH_H
#define SEG_BASE_UDP_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum {
	/* Datagrams a queue holds before it must be flushed. */
	UDP_SENDQ_MAX = 64,
	/* The kernel's UDP_MAX_SEGMENTS is 64 on older kernels (128 on newer ones). */
	UDP_GSO_SEGS_MAX = 64,
	/* Bytes per GSO message: below 65535 minus the IPv4 and UDP headers. */
	UDP_GSO_BYTES_MAX = 65000,
	/* A receive buffer that holds any UDP payload: one datagram or a GRO run. */
	UDP_RX_BUF_LEN = 65536,
	/* Control buffer a receive needs for the UDP_GRO message. */
	UDP_GRO_CMSG_SPACE = CMSG_SPACE(sizeof(int)),
};

struct udp_sendq {
	size_t n;
	struct iovec iov[UDP_SENDQ_MAX];
	/* Per datagram: where to, or family AF_UNSPEC for a connected socket's peer. */
	struct sockaddr_storage to[UDP_SENDQ_MAX];
	struct mmsghdr msgs[UDP_SENDQ_MAX]; /* one per datagram */
	/* The messages of a GSO flush: one per run, iovecs taken from iov[]. */
	struct mmsghdr runs[UDP_SENDQ_MAX];
	size_t run_first[UDP_SENDQ_MAX], run_count[UDP_SENDQ_MAX];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(uint16_t))];
	} run_ctl[UDP_SENDQ_MAX];
};

/* Turns on what the kernel offers for fd: *gso when it takes UDP_SEGMENT, *gro when it
 * enabled UDP_GRO (receives may then hold runs). */
void udp_offloads_enable(int fd, bool *gso, bool *gro);

static inline bool udp_sendq_full(const struct udp_sendq *q)
{
	return q->n == UDP_SENDQ_MAX;
}

/* Queues len bytes at buf for to (NULL: the connected peer). The queue must not be full;
 * buf must stay valid until the flush. */
void udp_sendq_add(struct udp_sendq *q, void *buf, size_t len, const struct sockaddr_storage *to);

/* Sends everything queued on fd, as GSO runs when gso. A run the kernel refuses as a whole
 * (EINVAL, EIO: a route or device without GSO) is retried datagram by datagram; what still
 * fails (a full socket buffer, an unreachable peer) is dropped. Empties q. Returns how many
 * datagrams were dropped; *bytes (if not NULL) gets the bytes of those sent. */
size_t udp_sendq_flush(struct udp_sendq *q, int fd, bool gso, size_t *bytes);

/* The segment size of a received run (the UDP_GRO control message of m), or 0 when m holds
 * one datagram. */
size_t udp_gro_segment_size(struct msghdr *m);

#endif /* SEG_BASE_UDP_BATCH_H */
