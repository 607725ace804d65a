/* SPDX-License-Identifier: MIT */
/*
 * Two gateways in one test process over an in-process seg-testnet (netrun.h), on one event
 * loop that the test thread runs (gwnet_run_until). Shared by the gateway robustness tests
 * (test_gateway_daemon.c, test_gateway_ctrl_loss.c).
 *
 *   tiny.topo:        110 (core)
 *                    #1/    \#2
 *                  #41/      \#1
 *        gateway A  111      112  gateway B     (127.N.2.1:31001, 127.N.3.1:31001)
 *
 * Each side's adapter is the recording adapter of gw_fixture.h, which counts up/down, data
 * and control messages; control messages made with gwnet_ctrl_make() are checked on arrival
 * (sequence and content), so a test asserts "every message once, in order" with
 * ctrl_bad == 0 and n_ctrl == sent.
 */
#ifndef SEG_TESTS_GWNET_FIXTURE_H
#define SEG_TESTS_GWNET_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/adapter.h>

#include "gateway/gateway.h"
#include "gw_fixture.h"
#include "netrun.h"

#define GWNET_IA_110 ((scion_ia_t)0x0001ff0000000110ull)
#define GWNET_IA_111 ((scion_ia_t)0x0001ff0000000111ull)
#define GWNET_IA_112 ((scion_ia_t)0x0001ff0000000112ull)

enum {
	GWNET_PORT = 31001,
	/* Control messages: 4-byte sequence, 4-byte length, then a pattern of both. */
	GWNET_CTRL_HDR = 8,
};

struct gwnet_side {
	scion_ia_t ia;
	const struct netrun_as *as;
	char daemon[64]; /* the daemon address this gateway is configured with */
	struct gateway *gw;
	struct gw_fixture_rec rec; /* ctrl_bad: out of order, duplicated, or content wrong */
};

struct gwnet {
	char dir[64];
	struct netrun *net;
	struct evloop *loop;
	struct gateway_opts opts;
	struct gwnet_side a, b; /* a in 111, b in 112 */
};

/* Starts tiny.topo and an event loop; a and b get their AS, daemon = the testnet's. */
void gwnet_setup(struct gwnet *g);
/* Frees the gateways, stops the network, removes its directory. */
void gwnet_teardown(struct gwnet *g);
/* Starts side s (a or b) with remote = the other side, on g->loop, with g->opts. */
void gwnet_gw_start(struct gwnet *g, struct gwnet_side *s);
void gwnet_gw_stop(struct gwnet_side *s);
/* The other side's peer object on s, with a reference. */
struct seg_peer *gwnet_peer(struct gwnet *g, struct gwnet_side *s);

typedef bool gwnet_cond_fn(struct gwnet *g, void *arg);
/* Runs the loop until cond(g, arg) holds (checked every 2 ms) or ms pass; returns cond. A
 * NULL cond runs for ms. each (may be NULL) is called on every check. */
bool gwnet_run_until(struct gwnet *g, gwnet_cond_fn *cond, gwnet_cond_fn *each, void *arg,
		     uint64_t ms);
bool gwnet_both_up(struct gwnet *g, void *arg);

/* Writes control message seq of len bytes (>= GWNET_CTRL_HDR) into buf. */
void gwnet_ctrl_make(uint8_t *buf, uint32_t seq, size_t len);
/* One data packet of len (>= 4) bytes; returns seg_peer_send_data's result. */
int gwnet_data_send(struct seg_peer *p, uint32_t seq, size_t len);

#endif /* SEG_TESTS_GWNET_FIXTURE_H */
