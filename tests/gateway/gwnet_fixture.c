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
#include "config/config.h"

/* ---- the recording adapter -------------------------------------------------------------- */

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

static void rec_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n)
{
	struct gwnet_rec *r = ctx;

	(void)peer;
	for (size_t i = 0; i < n; i++) {
		r->n_data++;
		r->data_bytes += pkts[i].len;
	}
}

static void rec_control(void *ctx, struct seg_peer *peer, const uint8_t *msg, size_t len)
{
	struct gwnet_rec *r = ctx;

	(void)peer;
	if (!ctrl_valid(msg, len, r->next_ctrl_seq)) {
		r->ctrl_bad++;
		fprintf(stderr, "control message %llu: want seq %u, got %u (%zu bytes)\n",
			(unsigned long long)r->n_ctrl, r->next_ctrl_seq,
			len >= 4 ? be32(msg) : 0xffffffffu, len);
	}
	r->next_ctrl_seq++;
	r->n_ctrl++;
}

static void rec_up(void *ctx, struct seg_peer *peer)
{
	(void)peer;
	((struct gwnet_rec *)ctx)->ups++;
}

static void rec_down(void *ctx, struct seg_peer *peer)
{
	(void)peer;
	((struct gwnet_rec *)ctx)->downs++;
}

const struct seg_adapter_ops gwnet_rec_ops = {
    .name = "test",
    .ingress = rec_ingress,
    .control = rec_control,
    .peer_up = rec_up,
    .peer_down = rec_down,
};

/* ---- network and gateways --------------------------------------------------------------- */

static void side_init(struct gwnet *g, struct gwnet_side *s, scion_ia_t ia)
{
	s->ia = ia;
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
	char yaml[1024], err[SEG_CONFIG_ERRLEN];
	struct seg_config *cfg = NULL;

	snprintf(yaml, sizeof(yaml),
		 "address: %s,%s:%u\n"
		 "daemonAddr: %s\n"
		 "controlSocket: %s/gw-%s.sock\n"
		 "remotes:\n"
		 "  - address: %s,%s:%u\n"
		 "    description: %s\n",
		 s->as->ia_str, s->as->host_ip, GWNET_PORT, s->daemon, g->dir,
		 s == &g->a ? "a" : "b", o->as->ia_str, o->as->host_ip, GWNET_PORT,
		 s == &g->a ? "B" : "A");
	if (seg_config_parse("gwnet.yaml", (const uint8_t *)yaml, strlen(yaml), &cfg, err,
			     sizeof(err)) != 0)
		fail_msg("config: %s", err);
	if (gateway_new(cfg, &g->opts, &s->gw, err, sizeof(err)) != 0)
		fail_msg("gateway_new: %s", err);
	seg_config_free(cfg);
	assert_int_equal(seg_gateway_adapter_register(s->gw, &gwnet_rec_ops, &s->rec), 0);
	assert_int_equal(gateway_run(s->gw), 0);
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

struct gwnet_wait {
	struct gwnet *g;
	gwnet_cond_fn *cond, *each;
	void *arg;
	uint64_t deadline;
	struct evloop_timer t;
	bool ok;
};

static void wait_tick(struct evloop *loop, void *arg)
{
	struct gwnet_wait *w = arg;

	if (w->each)
		w->each(w->g, w->arg);
	if (w->cond && w->cond(w->g, w->arg)) {
		w->ok = true;
		evloop_stop(loop);
		return;
	}
	if (seg_time_expired(seg_time_now(), w->deadline)) {
		evloop_stop(loop);
		return;
	}
	assert_int_equal(evloop_timer_arm_in(loop, &w->t, SEG_MS(2)), 0);
}

bool gwnet_run_until(struct gwnet *g, gwnet_cond_fn *cond, gwnet_cond_fn *each, void *arg,
		     uint64_t ms)
{
	struct gwnet_wait w = {.g = g, .cond = cond, .each = each, .arg = arg};

	w.deadline = seg_time_now() + SEG_MS(ms);
	evloop_timer_init(&w.t, wait_tick, &w);
	assert_int_equal(evloop_timer_arm_in(g->loop, &w.t, 0), 0);
	assert_int_equal(evloop_run(g->loop), 0);
	evloop_timer_cancel(g->loop, &w.t);
	return w.ok;
}

bool gwnet_both_up(struct gwnet *g, void *arg)
{
	(void)arg;
	return g->a.rec.ups > g->a.rec.downs && g->b.rec.ups > g->b.rec.downs;
}
