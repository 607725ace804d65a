/* SPDX-License-Identifier: MIT */
/*
 * Status snapshot of a running gateway, for `seg status` and metrics: a fixed contract
 * between the gateway engine (gateway_status_collect fills it) and the ops tooling
 * (which prints it). Owned by the ops branch; this copy is its definition verbatim.
 */
#ifndef SEG_GATEWAY_STATUS_H
#define SEG_GATEWAY_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { GW_STATUS_MAX_PATHS = 32, GW_STATUS_MAX_DROPS = 48, GW_STATUS_IFACES_LEN = 512 };
struct gw_status_path {
	uint32_t id; unsigned hops; bool hidden, alive, active;
	double rtt_ms;  /* smoothed; < 0 when unknown */
	double loss;    /* 0..1 over the recent probe window */
	uint16_t mtu; uint64_t expiry_unix;
	char ifaces[GW_STATUS_IFACES_LEN]; /* "1-ff00:0:110#2 1-ff00:0:111#1 ..." travel order */
};
struct gw_status_drop { const char *reason; uint64_t count; };
struct gw_status_peer {
	char remote[80]; char description[128];
	const char *state;              /* "idle" | "handshaking" | "up" | "down" */
	int active_path;                /* index into paths[], -1 if none */
	struct gw_status_path paths[GW_STATUS_MAX_PATHS]; size_t n_paths;
	uint64_t tx_packets, rx_packets, tx_bytes, rx_bytes;
	uint64_t handshakes, rekeys;
	uint64_t last_handshake_unix_ms; /* 0 = never */
	struct gw_status_drop drops[GW_STATUS_MAX_DROPS]; size_t n_drops; /* non-zero only */
};
struct gw_status {
	char local[80]; uint64_t uptime_ms;
	struct gw_status_peer *peers; size_t n_peers;   /* owned; gw_status_free() */
	struct gw_status_drop drops[GW_STATUS_MAX_DROPS]; size_t n_drops; /* gateway-wide */
};
void gw_status_free(struct gw_status *s);

#endif /* SEG_GATEWAY_STATUS_H */
