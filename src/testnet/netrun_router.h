/* SPDX-License-Identifier: MIT */
/*
 * Internal: the runner's side of the border-router runtime (router_io.h): one router per AS
 * with one UDP socket per interface, link state pushed to both ends, counters for status.
 *
 * Thread: start and stop on the runner's thread; link_push under the runner's link_lock (the
 * router runtime takes one control thread at a time); stats_json from any thread.
 */
#ifndef SEG_TESTNET_NETRUN_ROUTER_H
#define SEG_TESTNET_NETRUN_ROUTER_H

#include "netrun_internal.h"

struct json;

/** Starts the AS's router at its addresses; err names the AS and the reason. */
int netrun_router_start(struct netrun *n, struct netrun_as_rt *as, char *err, size_t errlen);
/** Stops and frees the AS's router; no-op when none runs. */
void netrun_router_stop(struct netrun_as_rt *as);
/** Whether the routers accept these loss and delay values. */
bool netrun_router_link_valid(const struct netrun_link_state *st);
/** Applies a link state to interface ifid of the AS's router; 0 or NETRUN_ERR_START. */
int netrun_router_link_push(struct netrun_as_rt *as, uint16_t ifid,
			    const struct netrun_link_state *st);
/** Adds the router's counters to the current JSON object. */
void netrun_router_stats_json(struct netrun_as_rt *as, struct json *j);

#endif /* SEG_TESTNET_NETRUN_ROUTER_H */
