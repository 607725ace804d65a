/* SPDX-License-Identifier: MIT */
/* The shared setup of the gateway tests and benchmarks (gw_fixture.h). */
#include "gw_fixture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "config/config.h"
#include "gateway/status.h"

/* ---- the in-process daemon ---------------------------------------------------------------- */

static void daemon_note_call(struct gw_fixture_daemon *d, unsigned long *calls)
{
	__atomic_add_fetch(calls, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&d->last_call_ns, seg_time_now(), __ATOMIC_RELAXED);
}

static int daemon_paths(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
			size_t *n)
{
	struct gw_fixture_daemon *d = ctx;
	struct seg_path *p;

	daemon_note_call(d, &d->paths_calls);
	if (req->src != GW_FIXTURE_IA || req->dst != GW_FIXTURE_IA || req->hidden)
		return SEG_DAEMON_ERR_NOT_FOUND;
	p = calloc(1, sizeof(*p));
	if (!p)
		return SEG_DAEMON_ERR_NOMEM;
	p->type = SEG_PATH_TYPE_EMPTY;
	p->mtu = d->mtu;
	p->expiry_unix = seg_wall_now() / 1000000000u + 3600;
	*out = p;
	*n = 1;
	return 0;
}

static int daemon_port_range(void *ctx, struct seg_daemon_port_range *out)
{
	(void)ctx;
	out->start = 1024;
	out->end = 65535;
	return 0;
}

/* gateway/protocol.h SEG_DRKEY_PROTOCOL (not included: its enum seg_cipher clashes with
 * config.h's). */
enum { GW_FIXTURE_DRKEY_PROTOCOL = 0x5345 };

/* Generic-protocol derivation: SV and level 1 of protocol 0, level 2 with proto. */
static int host_as_key(const struct gw_fixture_daemon *d, scion_ia_t dst_ia, uint16_t proto,
		       const struct scion_host *src_host, uint8_t out[DRKEY_KEY_LEN])
{
	uint8_t sv[DRKEY_KEY_LEN], lvl1[DRKEY_KEY_LEN];
	int err;

	err = drkey_sv_derive(d->master, sizeof(d->master), DRKEY_PROTO_GENERIC, &d->epoch, sv);
	err = err ? err : drkey_lvl1_derive(sv, dst_ia, lvl1);
	err = err ? err : drkey_host_as_derive(lvl1, proto, src_host, out);
	return err;
}

static int daemon_drkey(void *ctx, enum seg_drkey_kind kind, const struct seg_daemon_drkey_req *req,
			struct seg_drkey *out)
{
	struct gw_fixture_daemon *d = ctx;
	uint8_t host_as[DRKEY_KEY_LEN];
	int err;

	daemon_note_call(d, &d->drkey_calls);
	err = host_as_key(d, req->dst_ia, req->protocol, &req->src_host, host_as);
	if (err)
		return SEG_DAEMON_ERR_INTERNAL;
	if (kind == SEG_DRKEY_HOST_AS)
		memcpy(out->key, host_as, DRKEY_KEY_LEN);
	else if (kind == SEG_DRKEY_HOST_HOST)
		err = drkey_host_host_derive(host_as, &req->dst_host, out->key);
	else
		return SEG_DAEMON_ERR_UNIMPLEMENTED;
	out->epoch_begin = d->epoch.begin;
	out->epoch_end = d->epoch.end;
	return err ? SEG_DAEMON_ERR_INTERNAL : 0;
}

static const struct seg_daemon_service_ops daemon_ops = {
    .paths = daemon_paths,
    .port_range = daemon_port_range,
    .drkey = daemon_drkey,
};

int gw_fixture_daemon_start(struct gw_fixture_daemon *d, uint8_t secret_byte, uint16_t mtu)
{
	uint64_t now = seg_wall_now() / 1000000000u;
	uint16_t port;
	int err;

	memset(d, 0, sizeof(*d));
	memset(d->master, secret_byte, sizeof(d->master));
	d->epoch.begin = (uint32_t)(now - 3600);
	d->epoch.end = (uint32_t)(now + 86400);
	d->mtu = mtu;
	err = seg_daemon_server_start("127.0.0.1:0", &daemon_ops, d, &d->srv, &port);
	if (err)
		return err;
	snprintf(d->addr, sizeof(d->addr), "127.0.0.1:%u", port);
	return 0;
}

void gw_fixture_daemon_stop(struct gw_fixture_daemon *d)
{
	seg_daemon_server_stop(d->srv);
	d->srv = NULL;
}

int gw_fixture_daemon_host_host(const struct gw_fixture_daemon *d, const struct scion_addr *fast,
				const struct scion_addr *slow, uint8_t key[DRKEY_KEY_LEN])
{
	uint8_t host_as[DRKEY_KEY_LEN];
	int err;

	err = host_as_key(d, slow->ia, GW_FIXTURE_DRKEY_PROTOCOL, &fast->host, host_as);
	return err ? err : drkey_host_host_derive(host_as, &slow->host, key);
}

/* ---- the recording adapter ---------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void rec_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n)
{
	struct gw_fixture_rec *r = ctx;
	uint64_t now = seg_time_now();

	(void)peer;
	for (size_t i = 0; i < n; i++) {
		if (!r->first_data_ns)
			r->first_data_ns = now;
		if (r->n_data < GW_FIXTURE_REC_MAX && pkts[i].len >= 4)
			r->data_seq[r->n_data] = be32(pkts[i].data);
		r->n_data++;
		r->data_bytes += pkts[i].len;
		memcpy(r->last_data, pkts[i].data, pkts[i].len);
		r->last_len = pkts[i].len;
		if (r->on_data)
			r->on_data(r, &pkts[i], now);
	}
}

static void rec_control(void *ctx, struct seg_peer *peer, const uint8_t *msg, size_t len)
{
	struct gw_fixture_rec *r = ctx;
	uint32_t seq = (uint32_t)r->n_ctrl;

	(void)peer;
	if (r->n_ctrl < GW_FIXTURE_REC_MAX && len >= 4)
		r->ctrl_seq[r->n_ctrl] = be32(msg);
	if (r->ctrl_valid && !r->ctrl_valid(msg, len, seq)) {
		r->ctrl_bad++;
		fprintf(stderr, "control message %llu: want seq %u, got %u (%zu bytes)\n",
			(unsigned long long)r->n_ctrl, seq, len >= 4 ? be32(msg) : 0xffffffffu,
			len);
	}
	r->n_ctrl++;
}

static void rec_up(void *ctx, struct seg_peer *peer)
{
	(void)peer;
	((struct gw_fixture_rec *)ctx)->ups++;
}

static void rec_down(void *ctx, struct seg_peer *peer)
{
	(void)peer;
	((struct gw_fixture_rec *)ctx)->downs++;
}

const struct seg_adapter_ops gw_fixture_rec_ops = {
    .name = "test",
    .ingress = rec_ingress,
    .control = rec_control,
    .peer_up = rec_up,
    .peer_down = rec_down,
};

/* ---- gateways ----------------------------------------------------------------------------- */

static int config_parse(const struct gw_fixture_config *c, struct seg_config **cfg, char *err,
			size_t err_len)
{
	const char *fmt = "address: %s,%s:%u\ndaemonAddr: %s\n%sremotes:\n%s";
	const char *extra = c->extra ? c->extra : "";
	char perr[SEG_CONFIG_ERRLEN];
	int len, ret;
	char *yaml;

	len = snprintf(NULL, 0, fmt, c->ia, c->host, c->port, c->daemon, extra, c->remotes);
	yaml = len < 0 ? NULL : malloc((size_t)len + 1);
	if (!yaml) {
		snprintf(err, err_len, "config: no memory");
		return -ENOMEM;
	}
	snprintf(yaml, (size_t)len + 1, fmt, c->ia, c->host, c->port, c->daemon, extra, c->remotes);
	ret = seg_config_parse("test.yaml", (const uint8_t *)yaml, (size_t)len, cfg, perr,
			       sizeof(perr));
	if (ret)
		snprintf(err, err_len, "config: %s", perr);
	free(yaml);
	return ret;
}

int gw_fixture_gateway_new(const struct gw_fixture_config *c, const struct gateway_opts *opts,
			   struct gateway **out, char *err, size_t err_len)
{
	struct seg_config *cfg = NULL;
	char gerr[GATEWAY_ERRLEN];
	int ret;

	*out = NULL;
	ret = config_parse(c, &cfg, err, err_len);
	if (ret)
		return ret;
	ret = gateway_new(cfg, opts, out, gerr, sizeof(gerr));
	if (ret)
		snprintf(err, err_len, "gateway_new: %s", gerr);
	seg_config_free(cfg);
	return ret;
}

int gw_fixture_gateway_start(const struct gw_fixture_config *c, const struct gateway_opts *opts,
			     struct gw_fixture_rec *rec, struct gateway **out, char *err,
			     size_t err_len)
{
	struct gateway *gw;
	int ret;

	ret = gw_fixture_gateway_new(c, opts, &gw, err, err_len);
	if (ret)
		return ret;
	ret = seg_gateway_adapter_register(gw, &gw_fixture_rec_ops, rec);
	if (ret) {
		snprintf(err, err_len, "adapter: %d", ret);
		goto err_gateway;
	}
	ret = gateway_run(gw);
	if (ret) {
		snprintf(err, err_len, "gateway_run: %d", ret);
		goto err_gateway;
	}
	*out = gw;
	return 0;

err_gateway:
	gateway_free(gw);
	return ret;
}

int gw_fixture_drops(struct gateway *gw, const char *reason, uint64_t *count)
{
	struct gw_status s;
	int err;

	*count = 0;
	err = gateway_status_collect(gw, &s);
	if (err)
		return err;
	for (size_t i = 0; i < s.n_drops; i++)
		if (strcmp(s.drops[i].reason, reason) == 0)
			*count = s.drops[i].count;
	gw_status_free(&s);
	return 0;
}

/* ---- running the loop --------------------------------------------------------------------- */

struct wait {
	const struct gw_fixture_wait *w;
	uint64_t deadline;
	struct evloop_timer t;
	bool held;
	int err;
};

static void wait_tick(struct evloop *loop, void *arg)
{
	struct wait *wt = arg;
	const struct gw_fixture_wait *w = wt->w;

	if (w->each)
		w->each(w->arg);
	if (w->cond && w->cond(w->arg)) {
		wt->held = true;
		evloop_stop(loop);
		return;
	}
	if (seg_time_expired(seg_time_now(), wt->deadline)) {
		evloop_stop(loop);
		return;
	}
	wt->err = evloop_timer_arm_in(loop, &wt->t, SEG_MS(w->tick_ms));
	if (wt->err)
		evloop_stop(loop);
}

int gw_fixture_run_until(struct evloop *loop, const struct gw_fixture_wait *w, bool *held)
{
	struct wait wt = {.w = w};
	int err;

	*held = false;
	wt.deadline = seg_time_now() + SEG_MS(w->timeout_ms);
	evloop_timer_init(&wt.t, wait_tick, &wt);
	err = evloop_timer_arm_in(loop, &wt.t, 0);
	err = err ? err : evloop_run(loop);
	evloop_timer_cancel(loop, &wt.t);
	*held = wt.held;
	return err ? err : wt.err;
}
