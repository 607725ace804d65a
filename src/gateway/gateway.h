/* SPDX-License-Identifier: MIT */
/*
 * The gateway object: configuration, event loop (the control thread), daemon client (on a
 * worker thread, keys.h), the underlay socket, the peers and the adapter registry.
 *
 *   gateway_new()   parse nothing: take a validated struct seg_config, bind the underlay,
 *                   create the peers; nothing is sent yet.
 *   gateway_run()   the control thread: start the daemon worker, fetch keys and paths,
 *                   handshake with every remote, move packets, until gateway_stop().
 *   gateway_stop()  any thread (a signal handler's loop callback included).
 *   gateway_reload() on the control thread (from a SIGHUP callback): remotes added and
 *                   removed; unchanged remotes keep their sessions.
 *   gateway_free()  after gateway_run() returned.
 *
 * Thread: everything on the control thread except gateway_stop() and the adapter API
 * (include/seg/adapter.h).
 */
#ifndef SEG_GATEWAY_GATEWAY_H
#define SEG_GATEWAY_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/adapter.h>
#include <seg/scion_addr.h>

struct seg_config;
struct evloop;
struct gw_status;

enum { GATEWAY_ERRLEN = 256 };

struct gateway_opts {
	/* The original's -hiddenFailover: prefer hidden paths (a test flag). */
	bool hidden_failover;
	/* -sciond: overrides the configuration's daemon address when not NULL. */
	const char *daemon_addr;
	/* Per-call daemon timeout, ms; 0 for the daemon client's default. */
	int daemon_timeout_ms;
	/* Run on this loop instead of an own one (tests run several gateways on one thread);
	 * NULL: the gateway creates and owns its loop. */
	struct evloop *loop;
	/*
	 * Test-only knobs (0 = the protocol's values, docs/protocol.md §7): shorter timers so a
	 * test sees rekeys and retransmissions within seconds. Never set in production; `seg
	 * run` has no flag for them.
	 */
	uint64_t test_rekey_after_time_ns;
	uint64_t test_rekey_timeout_ns;
	uint64_t test_keepalive_timeout_ns;
	uint64_t test_path_refresh_ns;
	/* Messages sent on one session before its sender rekeys (SEG_REKEY_AFTER_MESSAGES). */
	uint64_t test_rekey_after_messages;
};

struct gateway;

/* 0, or a negative error with a message in err (GATEWAY_ERRLEN bytes). cfg is copied. */
SEG_MUST_CHECK int gateway_new(const struct seg_config *cfg, const struct gateway_opts *opts,
			       struct gateway **out, char *err, size_t errlen);
/* Runs the control thread's loop until gateway_stop(). With opts.loop set, only starts the
 * gateway (the caller runs the loop) and returns 0. */
SEG_MUST_CHECK int gateway_run(struct gateway *gw);
/* Any thread. */
void gateway_stop(struct gateway *gw);
/* Applies a new configuration: remotes added/removed; others keep their sessions. The
 * local address, daemon and cipher cannot change without a restart (-EINVAL). */
SEG_MUST_CHECK int gateway_reload(struct gateway *gw, const struct seg_config *new_cfg);
/* Fills s (owned by the caller, freed with gw_status_free). Control thread. */
SEG_MUST_CHECK int gateway_status_collect(struct gateway *gw, struct gw_status *s);
/* Stops everything, sends nothing more, frees. Peers still referenced by adapters stay
 * valid until their last seg_peer_put(). NULL is a no-op. */
void gateway_free(struct gateway *gw);

/* The underlay port actually bound (the configured one, or the kernel's pick for 0). */
uint16_t gateway_port(const struct gateway *gw);
struct evloop *gateway_loop(struct gateway *gw);

#endif /* SEG_GATEWAY_GATEWAY_H */
