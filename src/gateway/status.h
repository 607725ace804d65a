/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of a running gateway for `seg status` and the metrics endpoint: per peer its
 * state, paths (with liveness, RTT, loss), counters and drops by reason. The gateway fills
 * it (gateway_status_collect, on the control thread); this file writes it as JSON
 * (docs/cli.md lists the keys) and as the human table of `seg status`.
 *
 * The struct layout is a fixed contract with the gateway core; add fields only at the end.
 * Drop reason strings are static (the gateway's drop X-macro) and are not freed.
 *
 * Thread: any; a snapshot is plain data owned by whoever collected it.
 */
#ifndef SEG_GATEWAY_STATUS_H
#define SEG_GATEWAY_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	GW_STATUS_MAX_PATHS = 32,
	GW_STATUS_MAX_DROPS = 48,
	GW_STATUS_IFACES_LEN = 512,
};

struct gw_status_path {
	uint32_t id;
	unsigned hops;
	bool hidden, alive, active;
	double rtt_ms; /* smoothed; < 0 when unknown */
	double loss;   /* 0..1 over the recent probe window */
	uint16_t mtu;
	uint64_t expiry_unix;
	char ifaces[GW_STATUS_IFACES_LEN]; /* "1-ff00:0:110#2 1-ff00:0:111#1 ..." travel order */
};

struct gw_status_drop {
	const char *reason;
	uint64_t count;
};

struct gw_status_peer {
	char remote[80];
	char description[128];
	const char *state; /* "idle" | "handshaking" | "up" | "down" */
	int active_path;   /* index into paths[], -1 if none */
	struct gw_status_path paths[GW_STATUS_MAX_PATHS];
	size_t n_paths;
	uint64_t tx_packets, rx_packets, tx_bytes, rx_bytes;
	uint64_t handshakes, rekeys;
	uint64_t last_handshake_unix_ms; /* 0 = never */
	struct gw_status_drop drops[GW_STATUS_MAX_DROPS];
	size_t n_drops; /* non-zero only */
};

struct gw_status {
	char local[80];
	uint64_t uptime_ms;
	struct gw_status_peer *peers; /* owned; gw_status_free() */
	size_t n_peers;
	struct gw_status_drop drops[GW_STATUS_MAX_DROPS]; /* gateway-wide */
	size_t n_drops;
};

/* Frees the peers array and empties the snapshot; the struct itself is the caller's.
 * NULL is a no-op. */
void gw_status_free(struct gw_status *s);

/* Where the control socket and the metrics endpoint get their snapshots: fills *out (which
 * the caller frees with gw_status_free) and returns 0, or returns a negative error and
 * leaves *out empty. Called on the event loop's thread. */
typedef int gw_status_fn(void *arg, struct gw_status *out);

/* The JSON document of `seg status --json`; pretty adds newlines and indentation.
 * 0, or -1 when writing failed. */
__attribute__((warn_unused_result)) int gw_status_write_json(FILE *f, const struct gw_status *s,
							     bool pretty);

/* The table of `seg status`; now_unix_ms (wall clock) turns handshake and expiry times into
 * ages. Control characters of descriptions are shown as '?'. 0, or -1 when writing failed. */
__attribute__((warn_unused_result)) int gw_status_write_table(FILE *f, const struct gw_status *s,
							      uint64_t now_unix_ms);

#endif /* SEG_GATEWAY_STATUS_H */
