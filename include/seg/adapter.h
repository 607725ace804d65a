/* SPDX-License-Identifier: MIT */
/**
 * @file adapter.h
 * @brief The adapter API: how an application plugs its traffic into a seg gateway.
 *
 * An adapter has five roles, as in the original prototype, plus one:
 *  1. read local traffic: the adapter's own file descriptors and threads (a TUN device, a
 *     socket, stdin); seg never reads them;
 *  2. process egress: find the peer for a packet (seg_gateway_peer_by_addr(), or iterate
 *     with seg_gateway_peers()) and hand it packets with seg_peer_send_data();
 *  3. process ingress: seg calls @ref seg_adapter_ops.ingress with a batch of packets that
 *     arrived authenticated and decrypted from one peer;
 *  4. process control messages: @ref seg_adapter_ops.control gets the peer's adapter
 *     messages, sent with seg_peer_send_ctrl() (reliable, ordered, at most
 *     SEG_CTRL_MSG_MAX bytes);
 *  5. handshake complete: @ref seg_adapter_ops.peer_up when a peer becomes reachable (a
 *     first session, or the peer restarted: announce your state again then);
 *  6. @ref seg_adapter_ops.peer_down when it stops being reachable.
 *
 * Adapters never see sockets, keys or paths.
 *
 * Threads. Every callback runs on the gateway's control thread and must not block (queue
 * the work to your own thread if it may). seg_peer_send_data(), seg_peer_send_ctrl(),
 * seg_gateway_peer_by_addr(), seg_gateway_peers(), seg_peer_get() and seg_peer_put() may be
 * called from any thread, callbacks included. Locking: a peer has one mutex, held by
 * seg_peer_send_data() while it seals the batch's packets (CPU only: AEAD and header copy,
 * never a system call; the datagrams are sent after it is released) and by
 * seg_peer_send_ctrl() while it copies the message into the control channel's queue. The
 * peer list has one mutex, held only to take a reference.
 *
 * Lifetime: a peer returned to the adapter carries a reference; release it with
 * seg_peer_put(). A peer removed by a reload stays valid (sending fails with -ENOTCONN)
 * until the last reference goes. Callbacks get a borrowed peer: take a reference with
 * seg_peer_get() to keep it beyond the call.
 */
#ifndef SEG_ADAPTER_H
#define SEG_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gateway;
struct seg_peer;

enum {
	/** Largest adapter packet: larger ones than a path carries are fragmented. */
	SEG_DATA_MAX = 65535,
	/** Largest control message. */
	SEG_CTRL_MSG_MAX = 64 * 1024,
	/** Adapters one gateway accepts. */
	SEG_ADAPTERS_MAX = 8,
};

/** One packet: a pointer and a length (the adapter's memory, read during the call). */
struct seg_buf {
	const uint8_t *data;
	size_t len;
};

/** Callbacks of an adapter; any may be NULL. ctx is the pointer given at registration. */
struct seg_adapter_ops {
	/** A name for logs ("ip", "echo"). */
	const char *name;
	/** A batch of packets from peer, in arrival order; data valid during the call only. */
	void (*ingress)(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n);
	/** One control message from the peer's adapter; valid during the call only. */
	void (*control)(void *ctx, struct seg_peer *peer, const uint8_t *msg, size_t len);
	/** The peer is reachable (handshake complete), or restarted and reachable again. */
	void (*peer_up)(void *ctx, struct seg_peer *peer);
	/** The peer is no longer reachable (its session expired, or it was removed). */
	void (*peer_down)(void *ctx, struct seg_peer *peer);
};

/**
 * Registers an adapter; call before gateway_run() or from the control thread. Every adapter
 * gets every ingress packet and control message (an application with several adapters
 * distinguishes them in its own message formats). 0, -ENOSPC when SEG_ADAPTERS_MAX are
 * registered, -EINVAL on NULL ops.
 */
SEG_MUST_CHECK int seg_gateway_adapter_register(struct gateway *gw,
						const struct seg_adapter_ops *ops, void *ctx);

/** The peer whose SCION address (ISD-AS and host) is addr, with a reference; or NULL. */
struct seg_peer *seg_gateway_peer_by_addr(struct gateway *gw, const struct scion_addr *addr);
/**
 * Up to cap peers, each with a reference (release every one with seg_peer_put()). Returns
 * the number of peers configured, which may exceed cap.
 */
size_t seg_gateway_peers(struct gateway *gw, struct seg_peer **out, size_t cap);

void seg_peer_get(struct seg_peer *peer);
void seg_peer_put(struct seg_peer *peer);

/** The peer's configured SCION UDP address. */
const struct scion_udp_addr *seg_peer_addr(const struct seg_peer *peer);
/** True while the peer has a session to send on. */
bool seg_peer_is_up(const struct seg_peer *peer);

/**
 * Sends n packets (each 1..SEG_DATA_MAX bytes) to the peer on its active path(s),
 * fragmenting those larger than the path carries. Returns the number of packets accepted
 * (sent or handed to the kernel), or a negative errno: -ENOTCONN when the peer has no
 * session yet (a handshake is started; the packets are dropped and counted), -EMSGSIZE for a
 * first packet that is too large. Any thread.
 */
SEG_MUST_CHECK int seg_peer_send_data(struct seg_peer *peer, const struct seg_buf *pkts, size_t n);

/**
 * Queues one control message (0..SEG_CTRL_MSG_MAX bytes, copied) for reliable, ordered
 * delivery to the peer's adapters. Queued messages survive until acknowledged, across
 * rekeys; across a restart of either side they are resent, so a message may arrive twice:
 * make them idempotent. 0, -EMSGSIZE, -ENOBUFS (queue full; retry later). Any thread.
 */
SEG_MUST_CHECK int seg_peer_send_ctrl(struct seg_peer *peer, const void *msg, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* SEG_ADAPTER_H */
