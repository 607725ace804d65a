/* SPDX-License-Identifier: MIT */
/*
 * The gateway's shared state, for the engine's own files (gateway.c, peer.c, rx.c, tx.c,
 * timers.c, keys.c, probe.c, adapter.c, hidden_exchange.c). Nothing outside src/gateway
 * includes it.
 *
 * Thread: see each field. The control thread runs the event loop; adapter threads enter
 * only through adapter.c (peer list lock, peer lock, TX batch pool lock: never two at once).
 */
#ifndef SEG_GATEWAY_GATEWAY_INTERNAL_H
#define SEG_GATEWAY_GATEWAY_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <seg/adapter.h>
#include <seg/daemon.h>

#include "base/evloop.h"
#include "drops.h"
#include "fragment.h"
#include "gateway.h"
#include "gwconf.h"
#include "keys.h"
#include "peer.h"
#include "underlay.h"

enum {
	/* Receiver index table: 3 sessions per peer at most. Open addressing, power of 2. */
	GW_INDEX_SLOTS = 8192,
	/* Reassembly budget shared by all peers (fragment.h). */
	GW_REASM_BUDGET = FRAG_BUDGET_DEFAULT,
	/* Most TX batches ever allocated (concurrent sending threads); beyond, senders wait. */
	GW_TX_POOL_MAX = 64,
	/* Wire format of gateway-kind control messages: u8 type, then the body. */
	/* u64 instance (a changed value means the peer restarted), u64 the sender's
	 * msgs_acked; always the first record of a stream (docs/control-channel.md). */
	GW_MSG_HELLO = 1,
	GW_MSG_HIDDEN_PATHS = 2, /* hidden.h path list */
	GW_MSG_HELLO_LEN = 1 + 8 + 8,
	/* One ctrlchan_poll emits at most the send window plus its frames' overhead; beyond
	 * these the frame is refused and the channel retransmits it on its timeout. */
	GW_CTRL_STAGE_BYTES = 4 * CTRL_SEND_WINDOW,
	GW_CTRL_STAGE_FRAMES = 1024,
};

/* Effective protocol timers (protocol.h values, or the test knobs). */
struct gw_timing {
	uint64_t rekey_after_time_ns;
	uint64_t rekey_timeout_ns;
	uint64_t keepalive_timeout_ns;
	uint64_t dead_after_ns; /* nothing authenticated received for this long: down */
	uint64_t path_refresh_ns;
	uint64_t rekey_after_messages; /* sent on the current session: its sender rekeys */
};

struct gw_index_entry {
	uint32_t index;
	struct seg_peer *peer; /* NULL: free; GW_INDEX_TOMBSTONE: deleted */
};

/* The responder's host-AS key K(B:H_B -> A) per remote AS, fetched once per epoch. */
struct gw_as_key {
	scion_ia_t ia;
	bool valid;
	bool pending; /* a fetch is queued */
	struct seg_drkey key;
	uint64_t fetched_ns;
};

/*
 * Public paths per remote AS (keys_paths.c): one Paths call at a time per AS, its answer
 * given to every peer in that AS.
 */
struct gw_ia_paths {
	scion_ia_t ia;
	bool pending;	   /* a Paths call is queued or running */
	unsigned failures; /* in a row, for the log */
};

struct gw_adapter {
	const struct seg_adapter_ops *ops;
	void *ctx;
};

struct gw_tx_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct underlay_batch *free[GW_TX_POOL_MAX];
	size_t n_free, n_alloc;
};

struct gateway {
	struct gwconf conf;
	struct gateway_opts opts;
	struct gw_timing timing;
	char daemon_addr[GWCONF_ADDR_MAX];
	struct evloop *loop;
	bool own_loop;
	bool running;
	uint64_t start_ns;

	struct underlay ul;
	struct keys_worker *keys; /* daemon calls, off the control thread */
	int kick_fd;		  /* eventfd: adapter threads ask for handshakes */

	/* Peer list: written on the control thread under peers_lock, read by adapters. */
	pthread_mutex_t peers_lock;
	struct seg_peer **peers;
	size_t n_peers, cap_peers;

	/* Control thread only. */
	struct gw_index_entry *index; /* GW_INDEX_SLOTS */
	struct frag_pool reasm_pool;
	struct underlay_batch ctl_tx; /* control thread's TX batch */
	/* Control frames emitted by one ctrlchan_poll, sealed after it returns (so the peer
	 * lock can be dropped to flush between frames, never inside the channel). */
	uint8_t *ctrl_stage; /* GW_CTRL_STAGE_BYTES */
	size_t ctrl_stage_used;
	size_t ctrl_stage_off[GW_CTRL_STAGE_FRAMES + 1];
	size_t ctrl_stage_n;
	uint8_t *rx_bufs; /* UNDERLAY_RX_BATCH x UNDERLAY_RX_BUF_LEN */
	struct gw_adapter adapters[SEG_ADAPTERS_MAX];
	size_t n_adapters;
	bool port_warned;

	struct gw_as_key as_keys[KEYS_AS_CACHE_MAX];
	size_t n_as_keys;
	struct gw_ia_paths ia_paths[KEYS_AS_CACHE_MAX];
	size_t n_ia_paths;

	struct gw_tx_pool tx_pool;
	struct gw_drops drops; /* gateway-wide */
};

/* Both a peer's and the gateway's counter. p may be NULL. */
void gw_drop(struct gateway *gw, struct seg_peer *p, enum gw_drop reason);

/* Receiver index table (gateway.c). */
SEG_MUST_CHECK int gw_index_add(struct gateway *gw, uint32_t index, struct seg_peer *p);
void gw_index_del(struct gateway *gw, uint32_t index);
struct seg_peer *gw_index_lookup(struct gateway *gw, uint32_t index);
/* A fresh random index not in the table. */
uint32_t gw_index_new(struct gateway *gw);
/* The peer whose address is (ia, host), no reference taken; control thread. */
struct seg_peer *gw_peer_by_src(struct gateway *gw, const struct scion_addr *src);

/* rx.c: drains the underlay socket (control thread). */
void rx_socket_ready(struct evloop *loop, int fd, unsigned events, void *arg);

/* tx.c */
enum tx_kind {
	TX_DATA,
	TX_CONTROL,
	TX_KEEPALIVE,
	TX_PROBE,
	TX_PROBE_REPLY,
};
struct underlay_batch *tx_batch_acquire(struct gateway *gw);
void tx_batch_release(struct gateway *gw, struct underlay_batch *b);
/* Flushes b, counting refused datagrams against p. */
void tx_flush(struct gateway *gw, struct seg_peer *p, struct underlay_batch *b);
/*
 * Under p->lock: seals one seg message (inner type + body) on the current session and queues
 * it on route r (or on every active route when r is NULL: sealed once and sent on each, so
 * the receiver's replay window drops the copy). When b fills up and may_unlock is set, the
 * lock is dropped around the flush; otherwise -ENOBUFS. Returns 0 or a negative errno.
 */
SEG_MUST_CHECK int tx_message_locked(struct seg_peer *p, struct underlay_batch *b,
				     const struct underlay_route *r, uint8_t inner,
				     const uint8_t *body, size_t len, const uint8_t *body2,
				     size_t len2, bool may_unlock);
/* Under p->lock: one adapter packet, fragmented when needed, on every active route. */
SEG_MUST_CHECK int tx_data_locked(struct seg_peer *p, struct underlay_batch *b, const uint8_t *pkt,
				  size_t len);
/* Sends a raw handshake message (Init/Response) to the peer on its first route, or on r. */
void tx_handshake(struct seg_peer *p, const struct underlay_route *r, const uint8_t *msg,
		  size_t len);
/* Control thread: a keepalive on the current session. */
void tx_keepalive(struct seg_peer *p);
/* The largest plaintext (inner type included) a route carries. */
size_t tx_plain_max(const struct underlay_route *r);

/* Adapter dispatch (adapter.c), control thread, no lock held. */
void gw_adapters_ingress(struct gateway *gw, struct seg_peer *p, const struct seg_buf *pkts,
			 size_t n);
void gw_adapters_control(struct gateway *gw, struct seg_peer *p, const uint8_t *msg, size_t len);
void gw_adapters_peer_up(struct gateway *gw, struct seg_peer *p);
void gw_adapters_peer_down(struct gateway *gw, struct seg_peer *p);

/* Keys and paths glue (keys.c, keys_paths.c): requests and what to do with the answers. */
void gw_keys_request_peer(struct gateway *gw, struct seg_peer *p);
/* Public paths for p's AS; the answer goes to every peer in that AS (and resets their
 * refresh timers), so peers of one AS share one call per refresh. */
void gw_paths_request(struct gateway *gw, struct seg_peer *p);
void gw_port_range_check(struct gateway *gw);
/* A daemon path as a path manager candidate (the empty path gets a day's expiry). */
void gw_candidate_from_path(const struct seg_path *sp, struct pathmgr_candidate *c,
			    uint64_t unix_now);

/*
 * hidden_exchange.c: hidden paths through the remote's rendezvous AS. No-ops for a remote
 * without rendezvousAddr. Control thread.
 *   _start     fetch our hidden paths to R again, then send them and recombine (peer start,
 *              path refresh, a hello with a new instance: the peer restarted)
 *   _resend    the current session changed (the control channel was reset): send ours again
 *   _receive   the peer's path list (GW_MSG_HIDDEN_PATHS body)
 *   _free      the peer's last reference went (any thread; touches only the peer's memory)
 */
void hidden_exchange_start(struct seg_peer *p);
void hidden_exchange_resend(struct seg_peer *p);
void hidden_exchange_receive(struct seg_peer *p, const uint8_t *msg, size_t len);
void hidden_exchange_free(struct seg_peer *p);

/* gateway.c: the kick eventfd. */
void gw_kick(struct gateway *gw, struct seg_peer *p);

#endif /* SEG_GATEWAY_GATEWAY_INTERNAL_H */
