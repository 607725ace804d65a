/* SPDX-License-Identifier: MIT */
/* Two gateways over an in-process seg-testnet (gwnet_fixture.h). */
#include "gwnet_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/evloop.h"
#include "base/time.h"

/* ---- control messages and data: a pattern the receiver checks ------------------------ */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint8_t pattern(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 31u + i * 7u + (i >> 8));
}

void gwnet_ctrl_make(uint8_t *buf, uint32_t seq, size_t len)
{
	put_be32(buf, seq);
	put_be32(buf + 4, (uint32_t)len);
	for (size_t i = GWNET_CTRL_HDR; i < len; i++)
		buf[i] = pattern(seq, i);
}

static bool ctrl_valid(const uint8_t *msg, size_t len, uint32_t seq)
{
	if (len < GWNET_CTRL_HDR || be32(msg) != seq || be32(msg + 4) != len)
		return false;
	for (size_t i = GWNET_CTRL_HDR; i < len; i++)
		if (msg[i] != pattern(seq, i))
			return false;
	return true;
}

int gwnet_data_send(struct seg_peer *p, uint32_t seq, size_t len)
{
	static uint8_t buf[SEG_DATA_MAX];
	struct seg_buf b = {.data = buf, .len = len};

	put_be32(buf, seq);
	for (size_t i = 4; i < len; i++)
		buf[i] = pattern(seq, i);
	return seg_peer_send_data(p, &b, 1);
}

/* ---- network and gateways --------------------------------------------------------------- */

static void side_init(struct gwnet *g, struct gwnet_side *s, scion_ia_t ia)
{
	s->ia = ia;
	s->rec.ctrl_valid = ctrl_valid;
	s->as = netrun_as_find(g->net, ia);
	assert_non_null(s->as);
	snprintf(s->daemon, sizeof(s->daemon), "%s", s->as->daemon);
}

void gwnet_setup(struct gwnet *g)
{
	char err[NETRUN_ERR_LEN];

	memset(g, 0, sizeof(*g));
	snprintf(g->dir, sizeof(g->dir), "/tmp/seg-gwnet-XXXXXX");
	assert_non_null(mkdtemp(g->dir));
	if (netrun_start(SEG_SOURCE_DIR "/topologies/tiny.topo", g->dir, NULL, &g->net, err,
			 sizeof(err)) != 0)
		fail_msg("netrun_start: %s", err);
	g->loop = evloop_new();
	assert_non_null(g->loop);
	g->opts.loop = g->loop;
	g->opts.daemon_timeout_ms = 2000;
	side_init(g, &g->a, GWNET_IA_111);
	side_init(g, &g->b, GWNET_IA_112);
}

void gwnet_gw_stop(struct gwnet_side *s)
{
	gateway_free(s->gw);
	s->gw = NULL;
}

void gwnet_teardown(struct gwnet *g)
{
	char cmd[128];

	gwnet_gw_stop(&g->a);
	gwnet_gw_stop(&g->b);
	evloop_free(g->loop);
	netrun_stop(g->net);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g->dir);
	assert_int_equal(system(cmd), 0);
}

void gwnet_gw_start(struct gwnet *g, struct gwnet_side *s)
{
	const struct gwnet_side *o = s == &g->a ? &g->b : &g->a;
	char extra[128], remotes[256], err[GW_FIXTURE_ERRLEN];
	const struct gw_fixture_config c = {
	    .ia = s->as->ia_str,
	    .host = s->as->host_ip,
	    .port = GWNET_PORT,
	    .daemon = s->daemon,
	    .extra = extra,
	    .remotes = remotes,
	};

	snprintf(extra, sizeof(extra), "controlSocket: %s/gw-%s.sock\n", g->dir,
		 s == &g->a ? "a" : "b");
	snprintf(remotes, sizeof(remotes), "  - address: %s,%s:%u\n    description: %s\n",
		 o->as->ia_str, o->as->host_ip, GWNET_PORT, s == &g->a ? "B" : "A");
	if (gw_fixture_gateway_start(&c, &g->opts, &s->rec, &s->gw, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

struct seg_peer *gwnet_peer(struct gwnet *g, struct gwnet_side *s)
{
	struct seg_peer *p = NULL;

	(void)g;
	assert_int_equal(seg_gateway_peers(s->gw, &p, 1), 1);
	assert_non_null(p);
	return p;
}

/* ---- running the loop ------------------------------------------------------------------- */

/* gwnet's conditions take the network and an argument; the fixture's only an argument. */
struct gwnet_wait {
	struct gwnet *g;
	gwnet_cond_fn *cond, *each;
	void *arg;
};

static bool wait_cond(void *arg)
{
	struct gwnet_wait *w = arg;

	return w->cond(w->g, w->arg);
}

static void wait_each(void *arg)
{
	struct gwnet_wait *w = arg;

	w->each(w->g, w->arg);
}

bool gwnet_run_until(struct gwnet *g, gwnet_cond_fn *cond, gwnet_cond_fn *each, void *arg,
		     uint64_t ms)
{
	struct gwnet_wait ctx = {.g = g, .cond = cond, .each = each, .arg = arg};
	const struct gw_fixture_wait w = {
	    .cond = cond ? wait_cond : NULL,
	    .each = each ? wait_each : NULL,
	    .arg = &ctx,
	    .tick_ms = 2,
	    .timeout_ms = ms,
	};
	bool held;

	assert_int_equal(gw_fixture_run_until(g->loop, &w, &held), 0);
	return held;
}

bool gwnet_both_up(struct gwnet *g, void *arg)
{
	(void)arg;
	return g->a.rec.ups > g->a.rec.downs && g->b.rec.ups > g->b.rec.downs;
}
