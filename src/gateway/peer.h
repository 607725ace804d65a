/* SPDX-License-Identifier: MIT */
/*
 * A remote gateway (a configured remote): its state machine, sessions, handshake, control
 * channel, reassembly, path manager, routes and counters.
 *
 *   IDLE ──keys──► HANDSHAKING ──Response / first packet on next──► UP
 *                       ▲                                           │  (rekeying: a new
 *                       └──────── DOWN ◄── session expired / silent ┘   handshake while UP)
 *
 * Lifetime: get/put with two-phase teardown. peer_unlink (control thread) removes the peer
 * from every table, cancels its timers and marks it dead; the last seg_peer_put frees it,
 * from whichever thread, touching nothing but the peer's own memory.
 *
 * Locking: `lock` guards what adapter threads touch: the session slots (seal/open, the EVP
 * contexts), the control channel, the routes, the fragment id and the TX counters. Held for
 * CPU work only, never across a system call or a callback. Everything else (handshake,
 * path manager, reassembly, timers, RX counters) is the control thread's alone.
 */
#ifndef SEG_GATEWAY_PEER_H
#define SEG_GATEWAY_PEER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/adapter.h>
#include <seg/scion_addr.h>

#include "base/evloop.h"
#include "ctrlchan.h"
#include "drops.h"
#include "fragment.h"
#include "gwconf.h"
#include "handshake.h"
#include "pathmgr.h"
#include "session.h"
#include "underlay.h"

struct gateway;
struct hidden_state;

enum peer_state {
	PEER_IDLE = 0,
	PEER_HANDSHAKING = 1,
	PEER_UP = 2,
	PEER_DOWN = 3,
};

enum {
	/* Control messages delivered under the lock, handed to adapters after it. Overflow:
	 * impossible, one ctrlchan_input delivers what fits one frame (< CTRL_FRAME_MAX
	 * bytes, so at most that many empty messages); the queue grows on demand. */
	PEER_ROUTES_MAX = 2,
};

struct peer_ctrl_msg {
	struct peer_ctrl_msg *next;
	uint8_t kind;
	size_t len;
	uint8_t data[];
};

struct seg_peer {
	int refs; /* atomic */
	bool dead;
	struct gateway *gw;
	struct gwconf_remote remote;
	uint64_t instance; /* our random id towards this peer, in the hello message */
	uint64_t remote_instance;

	enum peer_state state;
	pthread_mutex_t lock;

	/* Handshake (control thread). */
	struct handshake hs;
	struct handshake_keys init_keys; /* K fetched with DRKeyHostHost */
	bool have_init_keys;
	struct handshake_keys resp_keys; /* K derived from our host-AS key */
	bool have_resp_keys;
	uint64_t hs_first_ns;	  /* start of the current attempt; 0 when none */
	bool hs_wanted;		  /* a handshake should run as soon as keys are there */
	int kick_posted;	  /* atomic: a handshake kick from an adapter thread is queued */
	uint32_t hs_resent_index; /* our pending Init already sent again on a role conflict */
	int rekey_msgs_wanted;	  /* atomic: the current session sent rekey_after_messages */
	/* The last Init that arrived before our responder key: answered once the key is
	 * there, instead of after the initiator's retransmission (one slot per peer). */
	bool has_stash;
	uint8_t stash_init[SEG_INIT_LEN];
	struct underlay_route stash_reply;

	/* Under lock. */
	struct session_slots slots;
	struct ctrlchan ctrl;
	uint32_t ctrl_index; /* local index of the session the control channel rides */
	/* Received stream: the next record is the peer's hello (a stream's first); messages
	 * of the peer's instance ctrl_rx_instance delivered (hellos aside) and how many of
	 * the coming ones are resent copies to drop (peer.c, ctrl_deliver). */
	bool ctrl_rx_first, ctrl_rx_have_instance;
	uint64_t ctrl_rx_instance, ctrl_rx_count, ctrl_rx_skip;
	struct underlay_route routes[PEER_ROUTES_MAX];
	size_t n_routes;
	uint32_t frag_id;
	bool rekey_msgs_asked; /* rekey_msgs_wanted was posted for the current session */
	uint64_t tx_packets, tx_bytes;
	uint64_t last_sent_ns;

	/* Control thread. */
	struct peer_ctrl_msg *ctrl_in_head, **ctrl_in_tail;
	struct frag_reasm reasm;
	struct pathmgr *pm;
	uint64_t probe_seq;
	uint64_t rx_packets, rx_bytes;
	uint64_t last_recv_ns;
	uint64_t handshakes, rekeys;
	uint64_t last_handshake_unix_ms;
	uint64_t paths_fetched_ns;
	/* Consecutive failed daemon calls, for the retry backoff (timers.c). */
	unsigned keys_failures, paths_failures;
	struct hidden_state *hidden; /* hidden_exchange.c; NULL without rendezvousAddr */
	struct gw_drops drops;

	/* Timers (armed and cancelled only in timers.c). */
	struct evloop_timer t_handshake; /* Init retransmission */
	struct evloop_timer t_rekey;	 /* rekey after time, as initiator */
	struct evloop_timer t_keepalive; /* keepalive / liveness */
	struct evloop_timer t_probe;	 /* path manager wakeup */
	struct evloop_timer t_paths;	 /* path refresh */
	struct evloop_timer t_ctrl;	 /* control channel poll */
	struct evloop_timer t_reasm;	 /* reassembly expiry */
	struct evloop_timer t_keys;	 /* DRKey refresh before the epoch ends */
};

/* Creates a peer for remote (refs = 1, owned by the gateway's list). */
SEG_MUST_CHECK int peer_new(struct gateway *gw, const struct gwconf_remote *remote,
			    struct seg_peer **out);
/* Phase one of teardown (control thread): tables, timers, adapters' peer_down. */
void peer_unlink(struct seg_peer *p);

const char *peer_state_name(enum peer_state s);
/* State changes, with the adapters' callbacks (control thread, lock not held). */
void peer_set_state(struct seg_peer *p, enum peer_state s);

/* Starts (or restarts) a handshake as initiator if the keys allow; control thread. */
void peer_handshake_start(struct seg_peer *p, bool rekey);
/* Sessions taken out of the slots: unregister their indices and free them. */
void peer_sessions_release(struct seg_peer *p, struct session_evicted *ev);
/* Called under no lock after the current session changed: control channel reset etc. */
void peer_current_changed(struct seg_peer *p);
/* Recomputes the active routes from the path manager (control thread). */
void peer_routes_sync(struct seg_peer *p);
/* Under lock: one received control frame into the channel (messages queued for dispatch). */
SEG_MUST_CHECK int peer_ctrl_input_locked(struct seg_peer *p, const uint8_t *frame, size_t len);
/* Handshake messages from the RX path (peer_hs.c); reply goes back on route r. */
void peer_handshake_init_rx(struct seg_peer *p, const uint8_t *msg, size_t len,
			    const struct underlay_route *reply);
void peer_handshake_response_rx(struct seg_peer *p, const uint8_t *msg, size_t len);
/* The responder key arrived: answer a stashed Init. */
void peer_handshake_keys_ready(struct seg_peer *p);
/* Delivers queued control messages to the gateway and the adapters (lock not held). */
void peer_ctrl_dispatch(struct seg_peer *p);
/* Runs the control channel: emits due frames, re-arms its timer. */
void peer_ctrl_poll(struct seg_peer *p);
/* Queues a gateway-kind message (hello, hidden paths). */
SEG_MUST_CHECK int peer_ctrl_send_gateway(struct seg_peer *p, const uint8_t *msg, size_t len);

#endif /* SEG_GATEWAY_PEER_H */
