/* SPDX-License-Identifier: MIT */
/*
 * Internal: the runner's side of the border-router runtime (router_io.h): one router per AS
 * with one UDP socket per interface, link state pushed to both ends, counters for status.
 *
 * Thread: start and stop on the runner's thread; link_push and stats_json from any thread
 * (the router runtime serialises them).
 */
#ifndef SEG_TESTNET_NETRUN_ROUTER_H
#define SEG_TESTNET_NETRUN_ROUTER_H

#include "netjson.h"
#include "netrun_internal.h"

/** Whether this build has routers (false only while router_io.h is not in the tree). */
bool netrun_router_available(void);
/** Starts the AS's router at its addresses; err names the AS and the reason. */
int netrun_router_start(struct netrun *n, struct netrun_as_rt *as, char *err, size_t errlen);
/** Stops and frees the AS's router; no-op when none runs. */
void netrun_router_stop(struct netrun_as_rt *as);
/** Applies a link state to interface ifid of the AS's router. */
void netrun_router_link_push(struct netrun_as_rt *as, uint16_t ifid,
			     const struct netrun_link_state *st);
/** Adds the router's counters to the current JSON object. */
void netrun_router_stats_json(struct netrun_as_rt *as, struct json_out *j);

#endif /* SEG_TESTNET_NETRUN_ROUTER_H */
