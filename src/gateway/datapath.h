/* SPDX-License-Identifier: MIT */
/*
 * The data path without the socket: the TX pipeline up to the sendmmsg and the RX pipeline
 * after the recvmmsg, as the socket paths themselves run them (seg_peer_send_data() and
 * rx_socket_ready() are these plus the system call). For bench/pps.c, which measures the
 * per-packet cost without the kernel, and for tests that feed crafted datagrams.
 *
 * Thread: tx_data_seal like seg_peer_send_data (any thread, its own batch); rx_mmsg_input
 * on the control thread only.
 */
#ifndef SEG_GATEWAY_DATAPATH_H
#define SEG_GATEWAY_DATAPATH_H

#include <stddef.h>
#include <sys/socket.h>

#include <seg/adapter.h>

#include "underlay.h"

struct gateway;

/*
 * Seals n adapter packets for p into b (fragmenting those larger than the path carries),
 * exactly as seg_peer_send_data(). b is flushed to the socket only if it fills up: a caller
 * that wants no system call passes at most UNDERLAY_BATCH sealed datagrams' worth and
 * empties b itself (b->n = 0). Returns the number of packets sealed, or a negative errno
 * (-ENOTCONN: no session; a handshake is kicked off).
 */
SEG_MUST_CHECK int tx_data_seal(struct seg_peer *p, struct underlay_batch *b,
				const struct seg_buf *pkts, size_t n);

/*
 * Runs n received datagrams through the RX pipeline: msgs[i].msg_hdr has one iovec with the
 * datagram (msg_len bytes, opened in place, so the buffer is clobbered), msg_name the
 * underlay sender, msg_flags as recvmmsg set them. Data reaches the adapters before it
 * returns; handshake and control replies are sent.
 */
void rx_mmsg_input(struct gateway *gw, struct mmsghdr *msgs, size_t n);

#endif /* SEG_GATEWAY_DATAPATH_H */
