/* SPDX-License-Identifier: MIT */
/*
 * The border router runtime's own state, shared by its files: router_io.c (the thread,
 * receiving, sending, control, start and stop) and router_link.c (link emulation on each
 * link's egress). Not for other components: they use router_io.h.
 */
#ifndef SEG_TESTNET_ROUTER_RT_H
#define SEG_TESTNET_ROUTER_RT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "base/udp_batch.h"
#include "router_io.h"

enum {
	RT_EPOLL_EVENTS = 16,
	/* Batches read from one socket per wake-up, so that one busy link cannot starve others. */
	RT_RX_ROUNDS = 4,
	/* A receive buffer holds a GRO run; without GRO, datagrams over ROUTER_MAX_PKT_LEN are
	 * dropped as oversize either way. */
	RT_RX_BUF = UDP_RX_BUF_LEN,
	/* Replies built between two flushes (each flush frees them all). */
	RT_REPLY_SLOTS = 16,
	RT_SOCK_BUF = 1 << 20,
	RT_EV_INTERNAL = ROUTER_MAX_IFACES,
	RT_EV_CONTROL = ROUTER_MAX_IFACES + 1,
	RT_IDLE_MS = 1000,
	/* Published counters: the fixed ones of struct router_stats, then the drops. */
	RT_NSTATS = 9 + ROUTER_DROP_MAX,
};

struct rt_delay {
	uint8_t *slab; /* ROUTER_RT_DELAY_SLOTS packets of ROUTER_MAX_PKT_LEN */
	uint64_t due_ns[ROUTER_RT_DELAY_SLOTS];
	uint16_t len[ROUTER_RT_DELAY_SLOTS];
	unsigned head, count;
};

struct rt_iface {
	uint16_t ifid;
	int fd;
	uint32_t loss_ppm, delay_us;
	uint64_t prng;
	struct rt_delay *delay; /* allocated when a delay is first set */
	struct udp_sendq *tx;
};

struct rt_link_req {
	uint16_t ifid;
	bool up;
	uint32_t loss_ppm, delay_us;
};

struct router_rt {
	struct router *r;
	pthread_t thread;
	int epfd, evfd, internal_fd;
	sa_family_t internal_family;
	unsigned batch; /* datagrams per recvmmsg, 1..ROUTER_RT_BATCH */
	bool offloads;	/* UDP GSO and GRO wanted (router_config.no_offloads unset) */
	bool gso;	/* every socket takes UDP_SEGMENT: flushes send runs */
	size_t n;
	struct rt_iface ifs[ROUTER_MAX_IFACES];
	struct udp_sendq *internal_tx;
	/* Receive batch: ROUTER_RT_BATCH buffers of RT_RX_BUF bytes, and their GRO cmsgs. */
	uint8_t *bufs;
	struct mmsghdr rx[ROUTER_RT_BATCH];
	struct iovec rxiov[ROUTER_RT_BATCH];
	struct sockaddr_storage rxaddr[ROUTER_RT_BATCH];
	union {
		struct cmsghdr align;
		uint8_t buf[UDP_GRO_CMSG_SPACE];
	} rxctl[ROUTER_RT_BATCH];
	uint8_t (*replies)[ROUTER_REPLY_CAP]; /* RT_REPLY_SLOTS */
	unsigned replies_used;
	/* Counters of the runtime itself; the router keeps its own. */
	uint64_t rx_pkts, rx_bytes, tx_pkts, tx_bytes;
	uint64_t drops[ROUTER_DROP_MAX];
	_Atomic uint64_t pub[RT_NSTATS];
	/* Control: one link request at a time, under mu. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool req_pending;
	int req_result;
	struct rt_link_req req;
	atomic_bool stop;
};

struct rt_iface *rt_iface_find(struct router_rt *rt, uint16_t ifid);
/* Queues len bytes at buf on q (socket fd) for to (NULL: the connected peer), flushing first
 * when q is full; buf must stay valid until the next flush. */
void rt_tx_add(struct router_rt *rt, int fd, struct udp_sendq *q, uint8_t *buf, size_t len,
	       const struct sockaddr_storage *to);
void rt_tx_flush(struct router_rt *rt, int fd, struct udp_sendq *q);

/* Egress of link ifc: loss, then the delay queue or the send queue. */
void rt_link_send(struct router_rt *rt, struct rt_iface *ifc, uint8_t *buf, size_t len,
		  uint64_t now_ns);
/* Sends what is due on every delayed link; returns ms until the next due packet (or -1). */
int rt_link_service(struct router_rt *rt, uint64_t now_ns);
/* Sets ifc's egress loss and delay; 0 or ROUTER_RT_ERR_NOMEM (no delay queue). */
int rt_link_emulate(struct rt_iface *ifc, uint32_t loss_ppm, uint32_t delay_us);
void rt_link_free(struct rt_iface *ifc);

#endif /* SEG_TESTNET_ROUTER_RT_H */
