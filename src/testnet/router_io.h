/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's border router at run time: one thread per router, epoll over its sockets
 * (the internal socket endhosts send to, one UDP socket per inter-AS link), recvmmsg and
 * sendmmsg batches through router_process() with UDP GRO in and UDP GSO out (runs of
 * packets cross the kernel once; base/udp_batch.h), link emulation on the egress of each link:
 * up/down, loss (a deterministic PRNG seeded per link) and delay (a bounded timed queue).
 *
 * Every configured address must be on loopback; endhost deliveries outside loopback are
 * dropped (ROUTER_DROP_NON_LOOPBACK), never sent.
 *
 * Thread: router_rt_start/stop/link_set/stats are called from one control thread; the
 * router thread owns the struct router, its key and its sockets. Link changes are handed
 * over under a mutex and take effect before router_rt_link_set returns; statistics are
 * published by the router thread after every batch and read without locking.
 */
#ifndef SEG_TESTNET_ROUTER_IO_H
#define SEG_TESTNET_ROUTER_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "router.h"

enum {
	/** Datagrams (each a packet or a GRO run of them) per recvmmsg call. */
	ROUTER_RT_BATCH = 32,
	/** Packets waiting in one link's delay queue; more are dropped (DELAY_QUEUE_FULL). */
	ROUTER_RT_DELAY_SLOTS = 1024,
	/** Largest emulated delay: 10 s. */
	ROUTER_RT_MAX_DELAY_US = 10 * 1000 * 1000,
	ROUTER_RT_LOSS_PPM_MAX = 1000 * 1000,
	/** How long router_rt_link_set waits for the router thread. */
	ROUTER_RT_CONTROL_TIMEOUT_MS = 2000,
};

enum router_rt_err {
	ROUTER_RT_OK = 0,
	ROUTER_RT_ERR_IFACE = -1,   /**< no such interface */
	ROUTER_RT_ERR_PARAM = -2,   /**< loss or delay out of range */
	ROUTER_RT_ERR_NOMEM = -3,   /**< no memory for the delay queue */
	ROUTER_RT_ERR_TIMEOUT = -4, /**< the router thread did not answer */
};

struct router_stats {
	uint64_t rx_pkts, rx_bytes;
	uint64_t tx_pkts, tx_bytes;
	uint64_t processed, forwarded, delivered, replies, replies_suppressed;
	uint64_t drops[ROUTER_DROP_MAX]; /**< by enum router_drop_reason */
};

struct router_rt;

/** Opens the sockets and starts the router thread; NULL with a message in err on failure. */
struct router_rt *router_rt_start(const struct router_config *cfg, char *err, size_t errlen);
/** Stops the thread, closes the sockets, frees; NULL allowed. */
void router_rt_stop(struct router_rt *r);
/**
 * Sets link ifid up or down and its egress loss (parts per million) and delay (us). A down
 * link drops what arrives over it and answers what would leave over it with SCMP
 * external-interface-down. Returns 0 or a negative enum router_rt_err.
 */
SEG_MUST_CHECK int router_rt_link_set(struct router_rt *r, uint16_t ifid, bool up,
				      uint32_t loss_ppm, uint32_t delay_us);
/** A snapshot of the counters (published after each batch). */
void router_rt_stats(struct router_rt *r, struct router_stats *out);
/** CPU time the router thread has used so far (user and system), in ns; 0 if unknown. */
uint64_t router_rt_cpu_ns(struct router_rt *r);

#endif /* SEG_TESTNET_ROUTER_IO_H */
