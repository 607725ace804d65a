/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's runner: assembles a network from a topology and runs it (netrun.h). Start
 * order: topology → addresses and claim of 127.N/16 → keys → first beaconing → routers →
 * daemons → testnet.json → beacon refresh thread → control socket. Stop runs it backwards.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "base/log.h"
#include "daemon_service.h"
#include "netctl.h"
#include "netrun_router.h"
#include "netrun_internal.h"

enum {
	/** Networks tried by NETRUN_NET_AUTO before giving up. */
	NETRUN_AUTO_TRIES = 16,
	/** Re-beaconing never waits less than this, nor retries a failure sooner. */
	NETRUN_REFRESH_MIN_MS = 1000,
	NETRUN_REFRESH_RETRY_MS = 10000,
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void netrun_options_init(struct netrun_options *o)
{
	memset(o, 0, sizeof(*o));
	o->net = NETRUN_NET_AUTO;
	o->drkey_epoch_sec = NETRUN_DRKEY_EPOCH_DEFAULT;
}

const char *netrun_strerror(int err)
{
	switch (err) {
	case NETRUN_OK:
		return "success";
	case NETRUN_ERR_ARG:
		return "bad argument";
	case NETRUN_ERR_TOPO:
		return "bad topology";
	case NETRUN_ERR_IO:
		return "file error";
	case NETRUN_ERR_ADDR:
		return "address in use";
	case NETRUN_ERR_START:
		return "start failed";
	case NETRUN_ERR_CRYPTO:
		return "key derivation failed";
	case NETRUN_ERR_NOMEM:
		return "out of memory";
	case NETRUN_ERR_NOT_FOUND:
		return "no such AS or interface";
	}
	return "unknown error";
}

/* ---- lookups ------------------------------------------------------------------------- */

int netrun_net(const struct netrun *n)
{
	return n->net;
}

const char *netrun_dir(const struct netrun *n)
{
	return n->dir;
}

size_t netrun_num_ases(const struct netrun *n)
{
	return n->num_ases;
}

const struct netrun_as *netrun_as_at(const struct netrun *n, size_t i)
{
	return i < n->num_ases ? &n->ases[i].pub : NULL;
}

const struct netrun_as_rt *netrun_as_rt_find(const struct netrun *n, scion_ia_t ia)
{
	int i = topo_as_index(n->topo, ia);

	return i < 0 ? NULL : &n->ases[i];
}

const struct netrun_as *netrun_as_find(const struct netrun *n, scion_ia_t ia)
{
	const struct netrun_as_rt *as = netrun_as_rt_find(n, ia);

	return as ? &as->pub : NULL;
}

int netrun_link_index(const struct netrun *n, unsigned as_idx, uint16_t ifid)
{
	for (size_t i = 0; i < n->topo->num_links; i++) {
		const struct topo_link *l = &n->topo->links[i];

		if ((l->a.as == as_idx && l->a.ifid == ifid) ||
		    (l->b.as == as_idx && l->b.ifid == ifid))
			return (int)i;
	}
	return -1;
}

/* ---- segment set publication ----------------------------------------------------------- */

struct netrun_segs *netrun_segs_get(struct netrun *n)
{
	struct netrun_segs *s;

	pthread_mutex_lock(&n->lock);
	s = n->segs;
	s->refs++;
	pthread_mutex_unlock(&n->lock);
	return s;
}

static void segs_free(struct netrun_segs *s)
{
	segment_set_free(&s->set);
	free(s);
}

void netrun_segs_put(struct netrun *n, struct netrun_segs *s)
{
	bool last;

	pthread_mutex_lock(&n->lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&n->lock);
	if (last)
		segs_free(s);
}

/* Beacons at the current time and publishes the new set; the old one goes with its last
 * reader. */
static int netrun_beacon(struct netrun *n)
{
	struct beacon_key *keys = calloc(n->num_ases, sizeof(*keys));
	struct netrun_segs *s = calloc(1, sizeof(*s)), *old;
	int err;

	if (!keys || !s) {
		free(keys);
		free(s);
		return NETRUN_ERR_NOMEM;
	}
	for (size_t i = 0; i < n->num_ases; i++) {
		keys[i].ia = n->ases[i].pub.ia;
		keys[i].key = n->ases[i].mac;
	}
	err = beacon_run(n->topo, keys, n->num_ases, NULL, (uint32_t)time(NULL), &s->set);
	free(keys);
	if (err) {
		free(s);
		return NETRUN_ERR_CRYPTO;
	}
	s->refs = 1;
	pthread_mutex_lock(&n->lock);
	old = n->segs;
	n->segs = s;
	n->beacon_runs++;
	pthread_mutex_unlock(&n->lock);
	if (old)
		netrun_segs_put(n, old);
	return 0;
}

static uint64_t refresh_wait_ms(struct netrun *n)
{
	uint64_t now = (uint64_t)time(NULL), expiry, ms;

	if (n->opts.refresh_ms)
		return n->opts.refresh_ms;
	pthread_mutex_lock(&n->lock);
	expiry = n->segs->set.expiry;
	pthread_mutex_unlock(&n->lock);
	/* Half the remaining lifetime: segments are replaced long before any hop expires. */
	ms = expiry > now ? (expiry - now) * 1000 / 2 : 0;
	return ms < NETRUN_REFRESH_MIN_MS ? NETRUN_REFRESH_MIN_MS : ms;
}

static void *refresh_main(void *arg)
{
	struct netrun *n = arg;
	uint64_t wait_ms = refresh_wait_ms(n);

	for (;;) {
		struct timespec ts;
		bool stop;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += (time_t)(wait_ms / 1000);
		ts.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_mutex_lock(&n->lock);
		while (!n->stopping &&
		       pthread_cond_timedwait(&n->refresh_cond, &n->lock, &ts) != ETIMEDOUT)
			;
		stop = n->stopping;
		pthread_mutex_unlock(&n->lock);
		if (stop)
			break;
		if (netrun_beacon(n)) {
			seg_log_warn("seg-testnet: re-beaconing failed; retrying in %d ms",
				     NETRUN_REFRESH_RETRY_MS);
			wait_ms = NETRUN_REFRESH_RETRY_MS;
			continue;
		}
		wait_ms = refresh_wait_ms(n);
	}
	return NULL;
}

/* ---- routers and daemons --------------------------------------------------------------- */

static void ases_stop(struct netrun *n)
{
	for (size_t i = 0; i < n->num_ases; i++) {
		seg_daemon_server_stop(n->ases[i].daemon);
		n->ases[i].daemon = NULL;
		netrun_router_stop(&n->ases[i]);
	}
}

static int ases_start(struct netrun *n, char *err, size_t errlen)
{
	for (size_t i = 0; i < n->num_ases; i++) {
		struct netrun_as_rt *as = &n->ases[i];
		int rc = netrun_router_start(n, as, err, errlen);

		if (rc)
			goto fail;
		rc = seg_daemon_server_start(as->pub.daemon, &daemon_service_ops, as, &as->daemon,
					     NULL);
		if (rc) {
			set_err(err, errlen, "daemon of %s at %s: %s", as->pub.ia_str,
				as->pub.daemon, seg_daemon_strerror(rc));
			rc = NETRUN_ERR_START;
			goto fail;
		}
		continue;
	fail:
		ases_stop(n);
		return rc;
	}
	return 0;
}

/* Claims a network number and starts every AS there; with NETRUN_NET_AUTO, moves on to the
 * next free number when one is taken or a port in it is. */
static int network_start(struct netrun *n, char *err, size_t errlen)
{
	bool autonet = n->opts.net == NETRUN_NET_AUTO;
	int first = autonet ? 1 : n->opts.net;
	int tries = autonet ? NETRUN_AUTO_TRIES : 1;
	int rc = NETRUN_ERR_ADDR;

	for (int net = first; net <= NETRUN_NET_MAX && tries > 0; net++) {
		n->claim_fd = netrun_claim(net);
		if (n->claim_fd < 0) {
			set_err(err, errlen,
				"network 127.%d.0.0/16 is in use (127.%d.0.1:%d taken)", net, net,
				NETRUN_CLAIM_PORT);
			if (!autonet)
				return NETRUN_ERR_ADDR;
			continue;
		}
		tries--;
		netrun_addresses_assign(n, net);
		rc = ases_start(n, err, errlen);
		if (!rc)
			return 0;
		close(n->claim_fd);
		n->claim_fd = -1;
	}
	return rc;
}

/* ---- start and stop ---------------------------------------------------------------------- */

static int mkdir_p(const char *dir)
{
	char buf[NETRUN_PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, dir, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int netrun_prepare(struct netrun *n, const char *topo_path, const char *dir, char *err,
			  size_t errlen)
{
	struct topo_error terr = {{0}};
	char real[PATH_MAX];
	int rc;

	if (n->opts.net != NETRUN_NET_AUTO && (n->opts.net < 0 || n->opts.net > NETRUN_NET_MAX)) {
		set_err(err, errlen, "network number '%d' is not 0..%d", n->opts.net,
			NETRUN_NET_MAX);
		return NETRUN_ERR_ARG;
	}
	if (n->opts.drkey_epoch_sec < 2) {
		set_err(err, errlen, "DRKey epoch '%u' s is shorter than 2 s",
			n->opts.drkey_epoch_sec);
		return NETRUN_ERR_ARG;
	}
	rc = topo_load(topo_path, &n->topo, &terr);
	if (rc) {
		set_err(err, errlen, "%s", terr.msg);
		return NETRUN_ERR_TOPO;
	}
	if (n->topo->num_ases > NETRUN_MAX_ASES) {
		set_err(err, errlen, "%s: %zu ASes, at most %d fit on 127.N.k.1", topo_path,
			n->topo->num_ases, NETRUN_MAX_ASES);
		return NETRUN_ERR_TOPO;
	}
	rc = netrun_addr_check(n, topo_path, err, errlen);
	if (rc)
		return rc;
	if (mkdir_p(dir) != 0 || !realpath(dir, real) || strlen(real) >= sizeof(n->dir)) {
		set_err(err, errlen, "cannot create directory '%s': %s", dir, strerror(errno));
		return NETRUN_ERR_IO;
	}
	memcpy(n->dir, real, strlen(real) + 1);
	if (!realpath(topo_path, real) || strlen(real) >= sizeof(n->topo_path))
		snprintf(real, sizeof(real), "%s", topo_path);
	snprintf(n->topo_path, sizeof(n->topo_path), "%s", real);
	return 0;
}

static int ases_init(struct netrun *n)
{
	n->num_ases = n->topo->num_ases;
	n->ases = calloc(n->num_ases, sizeof(*n->ases));
	n->links = calloc(n->topo->num_links ? n->topo->num_links : 1, sizeof(*n->links));
	if (!n->ases || !n->links)
		return NETRUN_ERR_NOMEM;
	for (size_t i = 0; i < n->num_ases; i++) {
		struct netrun_as_rt *as = &n->ases[i];
		const struct topo_as *ta = &n->topo->ases[i];

		as->net = n;
		as->idx = (unsigned)i;
		as->pub.ia = ta->ia;
		as->pub.core = ta->core;
		as->pub.mtu = ta->mtu;
		as->pub.k = (unsigned)i + 1;
		if (scion_ia_format(ta->ia, as->pub.ia_str, sizeof(as->pub.ia_str)))
			return NETRUN_ERR_ARG;
	}
	for (size_t i = 0; i < n->topo->num_links; i++) {
		n->links[i].tl = &n->topo->links[i];
		n->links[i].st.up = true;
	}
	return 0;
}

int netrun_start(const char *topo_path, const char *dir, const struct netrun_options *opts,
		 struct netrun **out, char *err, size_t errlen)
{
	struct netrun *n;
	pthread_condattr_t ca;
	int rc;

	set_err(err, errlen, "%s", "");
	*out = NULL;
	if (!topo_path || !dir) {
		set_err(err, errlen, "no topology or directory given");
		return NETRUN_ERR_ARG;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return NETRUN_ERR_NOMEM;
	n->claim_fd = -1;
	pthread_mutex_init(&n->lock, NULL);
	pthread_mutex_init(&n->json_lock, NULL);
	pthread_mutex_init(&n->link_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&n->refresh_cond, &ca);
	pthread_condattr_destroy(&ca);
	if (opts)
		n->opts = *opts;
	else
		netrun_options_init(&n->opts);

	rc = netrun_prepare(n, topo_path, dir, err, errlen);
	if (!rc)
		rc = ases_init(n);
	if (!rc && (rc = netrun_keys_make(n)) != 0)
		set_err(err, errlen, "deriving the AS keys failed");
	if (!rc)
		rc = netrun_keys_write(n, err, errlen);
	if (!rc && (rc = netrun_beacon(n)) != 0)
		set_err(err, errlen, "beaconing %s failed", topo_path);
	if (!rc)
		rc = network_start(n, err, errlen);
	if (!rc && netrun_json_write_testnet(n) != 0) {
		set_err(err, errlen, "cannot write '%s/testnet.json': %s", n->dir, strerror(errno));
		rc = NETRUN_ERR_IO;
	}
	if (!rc) {
		if (pthread_create(&n->refresh_thread, NULL, refresh_main, n) != 0) {
			set_err(err, errlen, "cannot start the beacon refresh thread");
			rc = NETRUN_ERR_START;
		} else {
			n->refresh_started = true;
		}
	}
	if (!rc && !n->opts.no_control)
		rc = netctl_server_start(n, &n->ctl, err, errlen);
	if (rc) {
		netrun_stop(n);
		return rc;
	}
	*out = n;
	return 0;
}

void netrun_stop(struct netrun *n)
{
	if (!n)
		return;
	netctl_server_stop(n->ctl);
	n->ctl = NULL;
	if (n->refresh_started) {
		pthread_mutex_lock(&n->lock);
		n->stopping = true;
		pthread_cond_broadcast(&n->refresh_cond);
		pthread_mutex_unlock(&n->lock);
		pthread_join(n->refresh_thread, NULL);
	}
	if (n->ases)
		ases_stop(n);
	if (n->claim_fd >= 0)
		close(n->claim_fd);
	for (size_t i = 0; n->ases && i < n->num_ases; i++) {
		struct netrun_as_rt *as = &n->ases[i];

		scion_mac_key_free(as->mac);
		free(as->ifaces);
		OPENSSL_cleanse(as->master0, sizeof(as->master0));
		OPENSSL_cleanse(as->master1, sizeof(as->master1));
		OPENSSL_cleanse(as->fwd_key, sizeof(as->fwd_key));
	}
	if (n->segs)
		netrun_segs_put(n, n->segs);
	free(n->ases);
	free(n->links);
	topo_free(n->topo);
	pthread_cond_destroy(&n->refresh_cond);
	pthread_mutex_destroy(&n->lock);
	pthread_mutex_destroy(&n->json_lock);
	pthread_mutex_destroy(&n->link_lock);
	free(n);
}

/* ---- link control ------------------------------------------------------------------------ */

static int link_find(struct netrun *n, scion_ia_t ia, uint16_t ifid)
{
	int as_idx = topo_as_index(n->topo, ia);

	return as_idx < 0 ? -1 : netrun_link_index(n, (unsigned)as_idx, ifid);
}

int netrun_link_get(struct netrun *n, scion_ia_t ia, uint16_t ifid, struct netrun_link_state *out)
{
	int li = link_find(n, ia, ifid);

	if (li < 0)
		return NETRUN_ERR_NOT_FOUND;
	pthread_mutex_lock(&n->lock);
	*out = n->links[li].st;
	pthread_mutex_unlock(&n->lock);
	return 0;
}

int netrun_link_apply(struct netrun *n, scion_ia_t ia, uint16_t ifid, unsigned set,
		      const struct netrun_link_state *st)
{
	int li = link_find(n, ia, ifid), rc;
	struct netrun_link_state now;
	const struct topo_link *l;

	if (li < 0)
		return NETRUN_ERR_NOT_FOUND;
	l = n->links[li].tl;
	pthread_mutex_lock(&n->link_lock);
	pthread_mutex_lock(&n->lock);
	now = n->links[li].st;
	if (set & NETRUN_LINK_UP)
		now.up = st->up;
	if (set & NETRUN_LINK_LOSS)
		now.loss_ppm = st->loss_ppm;
	if (set & NETRUN_LINK_DELAY)
		now.delay_us = st->delay_us;
	if (set & NETRUN_LINK_REVOKED)
		now.revoked = st->revoked;
	if (netrun_router_link_valid(&now))
		n->links[li].st = now;
	pthread_mutex_unlock(&n->lock);
	if (!netrun_router_link_valid(&now)) {
		pthread_mutex_unlock(&n->link_lock);
		return NETRUN_ERR_ARG;
	}
	/* Both ends: a downed link drops in both directions, loss and delay apply to each. */
	rc = netrun_router_link_push(&n->ases[l->a.as], l->a.ifid, &now);
	if (!rc)
		rc = netrun_router_link_push(&n->ases[l->b.as], l->b.ifid, &now);
	if (netrun_json_write_testnet(n) && !rc)
		rc = NETRUN_ERR_IO;
	pthread_mutex_unlock(&n->link_lock);
	return rc;
}

size_t netrun_revoked_ifaces(struct netrun *n, struct combinator_iface *out, size_t cap)
{
	size_t num = 0;

	pthread_mutex_lock(&n->lock);
	for (size_t i = 0; i < n->topo->num_links && num + 2 <= cap; i++) {
		const struct topo_link *l = n->links[i].tl;

		if (!n->links[i].st.revoked)
			continue;
		out[num].ia = n->topo->ases[l->a.as].ia;
		out[num++].ifid = l->a.ifid;
		out[num].ia = n->topo->ases[l->b.as].ia;
		out[num++].ifid = l->b.ifid;
	}
	pthread_mutex_unlock(&n->lock);
	return num;
}

int netrun_status_json(struct netrun *n, char **out)
{
	return netrun_json_status(n, out);
}
