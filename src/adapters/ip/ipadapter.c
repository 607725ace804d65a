/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's control part: setup and teardown, the gateway callbacks, announcements,
 * the hold time, route installation and the publication of the route table
 * (ipadapter.h). Everything here runs on the gateway's control thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/ip/ipadapter_internal.h"
#include "adapters/ip/netlink.h"
#include "adapters/ip/netns.h"
#include "base/log.h"
#include "base/time.h"
#include "config/adapter_config.h"
#include "config/config.h"

static const char *const counter_names[IPA_CNT__COUNT] = {
#define IPA_COUNTER_NAME(name, desc) #name,
    IPA_COUNTERS(IPA_COUNTER_NAME)
#undef IPA_COUNTER_NAME
};

const char *ipadapter_counter_name(enum ipa_counter c)
{
	return (unsigned)c < IPA_CNT__COUNT ? counter_names[c] : "?";
}

void ipadapter_counters(const struct ipadapter *ad, uint64_t out[IPA_CNT__COUNT])
{
	for (size_t i = 0; i < IPA_CNT__COUNT; i++)
		out[i] = atomic_load_explicit(&ad->counters[i], memory_order_relaxed);
}

static void prefix_str(const struct cidr *c, char *buf, size_t len)
{
	if (cidr_format(c, buf, len) < 0)
		snprintf(buf, len, "?");
}

/* ---- route table: recompute, install, publish, reap ---- */

static void reap_retired(struct ipadapter *ad)
{
	uint64_t seen = atomic_load(&ad->reader_seen);
	size_t keep = 0;

	for (size_t i = 0; i < ad->n_retired; i++) {
		/* Without a reader (stopped or never started) nobody holds a table. */
		if (!ad->reader_started || seen >= ad->retired[i].epoch)
			lpm_free(ad->retired[i].table);
		else
			ad->retired[keep++] = ad->retired[i];
	}
	ad->n_retired = keep;
}

static bool route_in(const struct ipa_route *r, size_t n, const struct cidr *p)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].prefix.len == p->len && ip_addr_equal(&r[i].prefix.addr, &p->addr))
			return true;
	return false;
}

/* Brings the kernel's device routes from ad->routes to next (diff by prefix). */
static void routes_install(struct ipadapter *ad, const struct ipa_route *next, size_t n)
{
	char buf[CIDR_STRLEN];

	for (size_t i = 0; i < ad->n_routes; i++) {
		if (route_in(next, n, &ad->routes[i].prefix))
			continue;
		prefix_str(&ad->routes[i].prefix, buf, sizeof(buf));
		if (netlink_route_del(ad->nl, ad->ifindex, &ad->routes[i].prefix) < 0 &&
		    errno != ESRCH) {
			ipa_count(ad, IPA_CNT_ROUTE_NETLINK_ERR, 1);
			seg_log_warn("ip adapter: removing route %s: %s", buf,
				     netlink_error(ad->nl));
		} else {
			seg_log_info("ip adapter: route %s removed", buf);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (route_in(ad->routes, ad->n_routes, &next[i].prefix))
			continue;
		prefix_str(&next[i].prefix, buf, sizeof(buf));
		if (netlink_route_add(ad->nl, ad->ifindex, &next[i].prefix) < 0) {
			ipa_count(ad, IPA_CNT_ROUTE_NETLINK_ERR, 1);
			seg_log_warn("ip adapter: adding route %s: %s", buf, netlink_error(ad->nl));
		} else {
			seg_log_info("ip adapter: route %s via peer %s", buf,
				     ((struct ipa_peer *)next[i].owner)->name);
		}
	}
}

static struct lpm *table_build(const struct ipa_route *r, size_t n)
{
	struct lpm *t = lpm_create(IPA_ROUTES_MAX);

	if (!t)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (lpm_insert(t, &r[i].prefix, r[i].owner) != LPM_OK) {
			/* ipa_routes_compute never yields duplicates or more than the bound. */
			lpm_free(t);
			return NULL;
		}
	}
	return t;
}

static int cmp_order(const void *a, const void *b)
{
	const struct ipa_peer *x = *(struct ipa_peer *const *)a, *y = *(struct ipa_peer *const *)b;

	return x->order < y->order ? -1 : x->order > y->order;
}

static void log_verdict_changes(struct ipa_peer *p, const enum ipa_route_verdict *v)
{
	char buf[CIDR_STRLEN];

	for (size_t i = 0; i < p->n_announced; i++) {
		if (v[i] != IPA_ROUTE_ACCEPT && v[i] != p->verdicts[i]) {
			prefix_str(&p->announced[i], buf, sizeof(buf));
			ipa_count(p->ad, IPA_CNT_ROUTE_REJECTED, 1);
			seg_log_warn("ip adapter: peer %s announced %s: rejected, %s", p->name, buf,
				     ipa_route_verdict_name(v[i]));
		}
		p->verdicts[i] = v[i];
	}
}

/* Recomputes the routes from every live announcement, installs and publishes them. */
static void routes_update(struct ipadapter *ad)
{
	struct ipa_peer **sorted = calloc(ad->n_peers + 1, sizeof(*sorted));
	struct ipa_announcer *a = calloc(ad->n_peers + 1, sizeof(*a));
	enum ipa_route_verdict(*v)[IPA_MSG_SUBNETS_MAX] = calloc(ad->n_peers + 1, sizeof(*v));
	struct ipa_route *next = calloc(IPA_ROUTES_MAX, sizeof(*next));
	struct lpm *t = NULL;
	size_t n_a = 0, n;

	reap_retired(ad);
	if (!sorted || !a || !v || !next || ad->n_retired == IPA_RETIRED_MAX)
		goto retry;
	for (size_t i = 0; i < ad->n_peers; i++)
		if (ad->peers[i]->state != IPA_PEER_GONE && ad->peers[i]->n_announced)
			sorted[n_a++] = ad->peers[i];
	qsort(sorted, n_a, sizeof(*sorted), cmp_order);
	for (size_t i = 0; i < n_a; i++)
		a[i] = (struct ipa_announcer){.owner = sorted[i],
					      .allow = &sorted[i]->allow,
					      .subnets = sorted[i]->announced,
					      .n = sorted[i]->n_announced,
					      .verdicts = v[i]};
	n = ipa_routes_compute(a, n_a, ad->local, ad->n_local, next, IPA_ROUTES_MAX);
	t = table_build(next, n);
	if (!t)
		goto retry;
	for (size_t i = 0; i < n_a; i++)
		log_verdict_changes(sorted[i], v[i]);
	routes_install(ad, next, n);
	free(ad->routes);
	ad->routes = next;
	ad->n_routes = n;
	next = NULL;
	ad->retired[ad->n_retired].table = lpm_publish(&ad->table, t);
	ad->retired[ad->n_retired++].epoch = atomic_fetch_add(&ad->epoch, 1) + 1;
	ad->republish = false;
	goto out;
retry:
	/* Out of memory or too many tables not yet reaped: try again shortly. */
	ad->republish = true;
	if (evloop_timer_arm_in(ad->loop, &ad->reap_timer, SEG_MS(IPA_REAP_MS)) < 0)
		seg_log_error("ip adapter: cannot arm the route timer; routes are stale");
out:
	free(sorted);
	free(a);
	free(v);
	free(next);
	if (ad->n_retired && !evloop_timer_pending(&ad->reap_timer) &&
	    evloop_timer_arm_in(ad->loop, &ad->reap_timer, SEG_MS(IPA_REAP_MS)) < 0)
		seg_log_warn("ip adapter: cannot arm the reap timer");
}

static void on_reap(struct evloop *loop, void *arg)
{
	struct ipadapter *ad = arg;

	(void)loop;
	if (ad->republish)
		routes_update(ad);
	reap_retired(ad);
	if (ad->n_retired && !evloop_timer_pending(&ad->reap_timer) &&
	    evloop_timer_arm_in(ad->loop, &ad->reap_timer, SEG_MS(IPA_REAP_MS)) < 0)
		seg_log_warn("ip adapter: cannot arm the reap timer");
}

/* ---- peers ---- */

static void on_hold_expired(struct evloop *loop, void *arg)
{
	struct ipa_peer *p = arg;

	(void)loop;
	if (p->state != IPA_PEER_HOLD)
		return;
	seg_log_info("ip adapter: peer %s down for %llu s: removing its %zu subnets", p->name,
		     (unsigned long long)(p->ad->hold_ns / SEG_SEC(1)), p->n_announced);
	p->state = IPA_PEER_GONE;
	p->n_announced = 0;
	routes_update(p->ad);
}

static const struct seg_config_remote *remote_of(const struct ipadapter *ad,
						 const struct seg_peer *peer)
{
	const struct scion_udp_addr *addr = seg_peer_addr(peer);

	for (size_t i = 0; ad->gw_cfg && i < ad->gw_cfg->remotes_len; i++)
		if (scion_addr_equal(&ad->gw_cfg->remotes[i].address.addr, &addr->addr))
			return &ad->gw_cfg->remotes[i];
	return NULL;
}

struct ipa_peer *ipa_peer_lookup(struct ipadapter *ad, const struct seg_peer *peer)
{
	for (size_t i = 0; i < ad->n_peers; i++)
		if (ad->peers[i]->peer == peer)
			return ad->peers[i];
	return NULL;
}

static struct ipa_peer *peer_find(struct ipadapter *ad, struct seg_peer *peer, bool create)
{
	const struct seg_config_remote *r;
	struct ipa_peer *p = ipa_peer_lookup(ad, peer);

	if (p)
		return p;
	if (!create || ad->n_peers == IPA_PEERS_MAX)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->ad = ad;
	p->peer = peer;
	p->state = IPA_PEER_GONE;
	r = remote_of(ad, peer);
	/* A peer the configuration does not list (a reload raced us): nothing is allowed. */
	p->allow.any = r && r->allow_any_subnet;
	for (size_t i = 0; r && i < r->allowed_subnets_len && i < IPA_MSG_SUBNETS_MAX; i++)
		p->allowed[p->allow.n++] = r->allowed_subnets[i];
	p->allow.prefixes = p->allowed;
	if (scion_udp_addr_format(seg_peer_addr(peer), p->name, sizeof(p->name)) < 0)
		snprintf(p->name, sizeof(p->name), "?");
	if (r && r->description[0])
		snprintf(p->name + strlen(p->name), sizeof(p->name) - strlen(p->name), " (%s)",
			 r->description);
	evloop_timer_init(&p->hold_timer, on_hold_expired, p);
	seg_peer_get(peer);
	ad->peers[ad->n_peers++] = p;
	return p;
}

static bool announce_to(struct ipa_peer *p)
{
	int err = seg_peer_send_ctrl(p->peer, p->ad->announce_msg, p->ad->announce_len);

	if (err == -ENOBUFS)
		return false;
	if (err < 0)
		seg_log_warn("ip adapter: announcing to peer %s: %s", p->name, strerror(-err));
	else
		seg_log_debug("ip adapter: announced %zu subnets to peer %s", p->ad->n_local,
			      p->name);
	return true;
}

static void on_announce_retry(struct evloop *loop, void *arg)
{
	struct ipadapter *ad = arg;
	bool again = false;

	(void)loop;
	for (size_t i = 0; i < ad->n_peers; i++) {
		struct ipa_peer *p = ad->peers[i];

		if (p->announce_pending && p->state == IPA_PEER_UP)
			p->announce_pending = !announce_to(p);
		again |= p->announce_pending;
	}
	if (again && evloop_timer_arm_in(ad->loop, &ad->announce_timer, SEG_MS(100)) < 0)
		seg_log_warn("ip adapter: cannot arm the announcement timer");
}

static void ipa_peer_up(void *ctx, struct seg_peer *peer)
{
	struct ipadapter *ad = ctx;
	struct ipa_peer *p = peer_find(ad, peer, true);

	if (!p) {
		seg_log_error("ip adapter: no memory (or %d peers) for a peer", IPA_PEERS_MAX);
		return;
	}
	evloop_timer_cancel(ad->loop, &p->hold_timer);
	p->state = IPA_PEER_UP;
	/* Every peer_up (a first session or a restart of the peer) sends our set again. */
	p->announce_pending = !announce_to(p);
	if (p->announce_pending &&
	    evloop_timer_arm_in(ad->loop, &ad->announce_timer, SEG_MS(100)) < 0)
		seg_log_warn("ip adapter: cannot arm the announcement timer");
}

static void ipa_peer_down(void *ctx, struct seg_peer *peer)
{
	struct ipadapter *ad = ctx;
	struct ipa_peer *p = peer_find(ad, peer, false);

	if (!p || p->state != IPA_PEER_UP)
		return;
	p->state = IPA_PEER_HOLD;
	if (evloop_timer_arm_in(ad->loop, &p->hold_timer, ad->hold_ns) < 0)
		on_hold_expired(ad->loop, p);
}

static void ipa_control(void *ctx, struct seg_peer *peer, const uint8_t *msg, size_t len)
{
	struct ipadapter *ad = ctx;
	struct cidr subnets[IPA_MSG_SUBNETS_MAX];
	struct ipa_peer *p;
	size_t n;
	int err = ipa_msg_decode_subnets(msg, len, subnets, IPA_MSG_SUBNETS_MAX, &n);

	if (err == IPA_MSG_ERR_OTHER_ADAPTER)
		return;
	p = peer_find(ad, peer, true);
	if (!p)
		return;
	if (err) {
		ipa_count(ad, IPA_CNT_CTRL_BAD, 1);
		seg_log_warn("ip adapter: peer %s: bad announcement (%zu bytes): %s", p->name, len,
			     ipa_msg_strerror(err));
		return;
	}
	if (p->state == IPA_PEER_GONE)
		p->state = IPA_PEER_UP;
	if (!p->order)
		p->order = ++ad->next_order;
	seg_log_info("ip adapter: peer %s announces %zu subnets", p->name, n);
	memcpy(p->announced, subnets, n * sizeof(subnets[0]));
	for (size_t i = 0; i < n; i++)
		p->verdicts[i] = IPA_ROUTE_ACCEPT; /* log every rejection of a new announcement */
	p->n_announced = n;
	routes_update(ad);
}

static const struct seg_adapter_ops ipa_ops = {
    .name = "ip",
    .ingress = ipa_ingress,
    .control = ipa_control,
    .peer_up = ipa_peer_up,
    .peer_down = ipa_peer_down,
};

/* ---- setup and teardown ---- */

static int fail(char *err, size_t errlen, int rc, const char *fmt, const char *detail)
{
	snprintf(err, errlen, fmt, detail);
	return rc;
}

/*
 * The adapter's ICMP errors come from the TUN's own address, which the kernel counts as
 * local: an IPv4 packet arriving with a local source is dropped as martian unless the device
 * has accept_local (ip-sysctl.rst). Runs inside the TUN's namespace (netns_run), where
 * /proc/sys/net shows that namespace's devices.
 */
static int set_accept_local(void *arg)
{
	char path[128];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/accept_local", (char *)arg);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fputs("1\n", f) < 0)
		rc = -EIO;
	if (fclose(f) != 0 && !rc)
		rc = -errno;
	return rc;
}

/* The TUN's own address: a host route (/32, /128) only. The subnets live behind this
 * gateway, and a wider address prefix would route them into the TUN. */
static int tun_configure(struct ipadapter *ad, const struct seg_adapter_config *cfg, char *err,
			 size_t errlen)
{
	struct cidr host = {.addr = ad->tun_addr,
			    .len = (uint8_t)ip_family_bits(ad->tun_addr.family)};
	struct ip_err ie = {{0}};
	int rc;

	rc = netlink_open(&ad->nl, ad->netns, &ie);
	if (rc < 0)
		return fail(err, errlen, rc, "ip adapter: %s", ie.msg);
	ad->ifindex = ad->tun.ifindex;
	if ((rc = netlink_link_set_mtu(ad->nl, ad->ifindex, cfg->mtu)) < 0 ||
	    (rc = netlink_link_set_txqlen(ad->nl, ad->ifindex, cfg->txqlen)) < 0 ||
	    (rc = netlink_link_set_up(ad->nl, ad->ifindex, true)) < 0 ||
	    (rc = netlink_addr_add(ad->nl, ad->ifindex, &host)) < 0)
		return fail(err, errlen, rc, "ip adapter: %s", netlink_error(ad->nl));
	if (ad->tun_addr.family == IP_FAMILY_V4 &&
	    netns_run(ad->netns, set_accept_local, ad->tun.name, &ie) < 0)
		seg_log_warn("ip adapter: cannot set accept_local on %s: ICMP errors to local "
			     "applications will be dropped by the kernel",
			     ad->tun.name);
	return 0;
}

static int config_take(struct ipadapter *ad, const struct ipadapter_opts *o, char *err,
		       size_t errlen)
{
	const struct seg_adapter_config *cfg = o->cfg;
	int rc;

	if (cfg->subnets_len > IPA_MSG_SUBNETS_MAX)
		return fail(err, errlen, -EINVAL, "ip adapter: more than %s subnets", "256");
	ad->tun_addr = cfg->addr;
	for (size_t i = 0; i < cfg->subnets_len; i++)
		ad->local[ad->n_local++] = cfg->subnets[i];
	rc = ipa_msg_encode_subnets(ad->local, ad->n_local, ad->announce_msg,
				    sizeof(ad->announce_msg), &ad->announce_len);
	if (rc)
		return fail(err, errlen, -EINVAL, "ip adapter: subnets: %s", ipa_msg_strerror(rc));
	snprintf(ad->netns, sizeof(ad->netns), "%s", cfg->netns);
	ad->mtu = cfg->mtu;
	return 0;
}

int ipadapter_create(const struct ipadapter_opts *o, struct ipadapter **out, char *err,
		     size_t errlen)
{
	struct tun_options topt = {
	    .name = o->cfg->tun_name, .netns = o->cfg->netns, .nonblock = true, .offload = true};
	struct ip_err ie = {{0}};
	struct ipadapter *ad;
	int rc;

	*out = NULL;
	if (!o->cfg || !o->gw || !o->loop)
		return fail(err, errlen, -EINVAL, "ip adapter: %s", "missing configuration");
	ad = calloc(1, sizeof(*ad));
	if (!ad || !(ad->peers = calloc(IPA_PEERS_MAX, sizeof(*ad->peers)))) {
		free(ad);
		return fail(err, errlen, -ENOMEM, "ip adapter: %s", "out of memory");
	}
	ad->gw = o->gw;
	ad->loop = o->loop;
	ad->gw_cfg = o->gw_cfg;
	ad->hold_ns = o->hold_ns ? o->hold_ns : SEG_SEC(IPA_HOLD_TIME_S);
	ad->stop_fd = -1;
	ad->tun.fd = -1;
	evloop_timer_init(&ad->reap_timer, on_reap, ad);
	evloop_timer_init(&ad->announce_timer, on_announce_retry, ad);
	rc = config_take(ad, o, err, errlen);
	if (rc)
		goto err_free;
	rc = tun_open(&ad->tun, &topt, &ie);
	if (rc < 0) {
		fail(err, errlen, rc, "ip adapter: %s", ie.msg);
		goto err_free;
	}
	rc = tun_configure(ad, o->cfg, err, errlen);
	if (rc)
		goto err_free;
	atomic_store(&ad->table, lpm_create(IPA_ROUTES_MAX));
	if (!atomic_load(&ad->table)) {
		rc = fail(err, errlen, -ENOMEM, "ip adapter: %s", "out of memory");
		goto err_free;
	}
	rc = ipa_reader_start(ad, err, errlen);
	if (rc)
		goto err_free;
	rc = seg_gateway_adapter_register(o->gw, &ipa_ops, ad);
	if (rc) {
		fail(err, errlen, rc, "ip adapter: registering with the gateway: %s",
		     strerror(-rc));
		goto err_free;
	}
	seg_log_info("ip adapter: TUN %s%s%s up, MTU %u, %zu local subnets", ad->tun.name,
		     ad->netns[0] ? " in netns " : "", ad->netns, ad->mtu, ad->n_local);
	*out = ad;
	return 0;
err_free:
	ipadapter_destroy(ad);
	return rc;
}

void ipadapter_stop(struct ipadapter *ad)
{
	if (ad)
		ipa_reader_stop(ad);
}

void ipadapter_destroy(struct ipadapter *ad)
{
	if (!ad)
		return;
	ipa_reader_stop(ad);
	evloop_timer_cancel(ad->loop, &ad->reap_timer);
	evloop_timer_cancel(ad->loop, &ad->announce_timer);
	if (ad->nl)
		routes_install(ad, NULL, 0);
	for (size_t i = 0; i < ad->n_peers; i++) {
		evloop_timer_cancel(ad->loop, &ad->peers[i]->hold_timer);
		seg_peer_put(ad->peers[i]->peer);
		free(ad->peers[i]);
	}
	free(ad->peers);
	free(ad->routes);
	reap_retired(ad);
	for (size_t i = 0; i < ad->n_retired; i++)
		lpm_free(ad->retired[i].table);
	lpm_free(atomic_load(&ad->table));
	netlink_close(ad->nl);
	tun_close(&ad->tun);
	free(ad);
}
