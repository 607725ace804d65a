/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's daemon answers; see daemon_service.h for what each method returns and why.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "daemon_service.h"
#include "netrun_internal.h"

enum {
	/** Revoked interfaces considered per Paths call: two per link. */
	SERVICE_MAX_REVOKED = 2 * TOPO_MAX_LINKS,
	/** Lifetime of the empty path: the default lifetime of a beaconed hop field. */
	SERVICE_EMPTY_PATH_LIFETIME = 6 * 3600,
};

static bool path_uses(const struct combinator_path *p, const struct combinator_iface *ifs, size_t n)
{
	for (size_t i = 0; i < p->num_ifaces; i++)
		for (size_t j = 0; j < n; j++)
			if (p->ifaces[i].ia == ifs[j].ia && p->ifaces[i].ifid == ifs[j].ifid)
				return true;
	return false;
}

static void path_from_combinator(const struct netrun_as_rt *as, const struct combinator_path *cp,
				 struct seg_path *out)
{
	memset(out, 0, sizeof(*out));
	out->type = SEG_PATH_TYPE_SCION;
	memcpy(out->raw, cp->raw, cp->raw_len);
	out->raw_len = cp->raw_len;
	out->next_hop = as->internal;
	for (size_t i = 0; i < cp->num_ifaces; i++) {
		out->ifaces[i].ia = cp->ifaces[i].ia;
		out->ifaces[i].id = cp->ifaces[i].ifid;
	}
	out->n_ifaces = cp->num_ifaces;
	out->mtu = cp->mtu;
	out->expiry_unix = cp->expiry;
}

static int service_empty_path(const struct netrun_as_rt *as, struct seg_path **out, size_t *n)
{
	struct seg_path *p = calloc(1, sizeof(*p));

	if (!p)
		return SEG_DAEMON_ERR_NOMEM;
	p->type = SEG_PATH_TYPE_EMPTY;
	p->next_hop.ss_family = AF_UNSPEC;
	p->mtu = as->pub.mtu;
	p->expiry_unix = (uint64_t)time(NULL) + SERVICE_EMPTY_PATH_LIFETIME;
	*out = p;
	*n = 1;
	return 0;
}

static int service_paths(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
			 size_t *n)
{
	struct netrun_as_rt *as = ctx;
	struct netrun *net = as->net;
	struct combinator_result res = {0};
	struct combinator_iface *revoked;
	struct netrun_segs *segs;
	size_t num_revoked, kept = 0;
	scion_ia_t src = req->src ? req->src : as->pub.ia;
	int err;

	*out = NULL;
	*n = 0;
	if (src != as->pub.ia)
		return SEG_DAEMON_ERR_ARG;
	if (req->dst == as->pub.ia)
		return service_empty_path(as, out, n);
	if (topo_as_index(net->topo, req->dst) < 0)
		return 0;

	revoked = malloc(SERVICE_MAX_REVOKED * sizeof(*revoked));
	if (!revoked)
		return SEG_DAEMON_ERR_NOMEM;
	num_revoked = netrun_revoked_ifaces(net, revoked, SERVICE_MAX_REVOKED);

	segs = netrun_segs_get(net);
	err = combinator_paths(&segs->set, src, req->dst, req->hidden, &res);
	netrun_segs_put(net, segs);
	if (err) {
		free(revoked);
		return err == COMBINATOR_ERR_NOMEM ? SEG_DAEMON_ERR_NOMEM : SEG_DAEMON_ERR_INTERNAL;
	}
	if (res.num) {
		size_t cap = res.num < SEG_DAEMON_PATHS_MAX ? res.num : SEG_DAEMON_PATHS_MAX;

		*out = calloc(cap, sizeof(**out));
		if (!*out) {
			err = SEG_DAEMON_ERR_NOMEM;
			goto done;
		}
		/* The combinator sorts best first: the first SEG_DAEMON_PATHS_MAX are kept. */
		for (size_t i = 0; i < res.num && kept < cap; i++) {
			if (path_uses(&res.paths[i], revoked, num_revoked))
				continue;
			path_from_combinator(as, &res.paths[i], &(*out)[kept++]);
		}
		if (!kept) {
			free(*out);
			*out = NULL;
		}
	}
	*n = kept;
done:
	combinator_result_free(&res);
	free(revoked);
	return err;
}

static int service_as_info(void *ctx, scion_ia_t ia, struct seg_daemon_as_info *out)
{
	struct netrun_as_rt *as = ctx;
	const struct netrun_as *info;

	info = ia ? netrun_as_find(as->net, ia) : &as->pub;
	if (!info)
		return SEG_DAEMON_ERR_NOT_FOUND;
	out->ia = info->ia;
	out->core = info->core;
	out->mtu = info->mtu;
	return 0;
}

static int service_interfaces(void *ctx, struct seg_daemon_interface **out, size_t *n)
{
	struct netrun_as_rt *as = ctx;
	const struct topo *t = as->net->topo;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < t->num_links; i++)
		count += (t->links[i].a.as == as->idx) + (t->links[i].b.as == as->idx);
	if (!count)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return SEG_DAEMON_ERR_NOMEM;
	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (l->a.as == as->idx) {
			(*out)[*n].id = l->a.ifid;
			(*out)[(*n)++].addr = as->internal;
		}
		if (l->b.as == as->idx) {
			(*out)[*n].id = l->b.ifid;
			(*out)[(*n)++].addr = as->internal;
		}
	}
	return 0;
}

static int service_port_range(void *ctx, struct seg_daemon_port_range *out)
{
	(void)ctx;
	out->start = NETRUN_PORT_MIN;
	out->end = NETRUN_PORT_MAX;
	return 0;
}

/* Whether this AS's control service would hand out the key (drkey_service.go validate*). */
static bool drkey_concerns(const struct netrun_as_rt *as, enum seg_drkey_kind kind,
			   const struct seg_daemon_drkey_req *req)
{
	switch (kind) {
	case SEG_DRKEY_HOST_AS:
		return req->src_ia == as->pub.ia;
	case SEG_DRKEY_AS_HOST:
		return req->dst_ia == as->pub.ia;
	case SEG_DRKEY_HOST_HOST:
		return req->src_ia == as->pub.ia || req->dst_ia == as->pub.ia;
	}
	return false;
}

/* Level 2 (or 3) from the level 1 key K_{A,B}, specific or generic (drkey.h). */
static int drkey_from_lvl1(enum seg_drkey_kind kind, bool specific, uint16_t proto,
			   const struct seg_daemon_drkey_req *req,
			   const uint8_t lvl1[DRKEY_KEY_LEN], uint8_t out[DRKEY_KEY_LEN])
{
	uint8_t host_as[DRKEY_KEY_LEN];
	int err;

	if (kind == SEG_DRKEY_AS_HOST)
		return specific ? drkey_as_host_specific_derive(lvl1, &req->dst_host, out)
				: drkey_as_host_derive(lvl1, proto, &req->dst_host, out);
	err = specific ? drkey_host_as_specific_derive(lvl1, &req->src_host, host_as)
		       : drkey_host_as_derive(lvl1, proto, &req->src_host, host_as);
	if (!err) {
		if (kind == SEG_DRKEY_HOST_HOST)
			err = drkey_host_host_derive(host_as, &req->dst_host, out);
		else
			memcpy(out, host_as, DRKEY_KEY_LEN);
	}
	OPENSSL_cleanse(host_as, sizeof(host_as));
	return err;
}

static int service_drkey(void *ctx, enum seg_drkey_kind kind,
			 const struct seg_daemon_drkey_req *req, struct seg_drkey *out)
{
	struct netrun_as_rt *as = ctx;
	const struct netrun_as_rt *fast;
	/* Predefined protocols (drkey.proto's enum) use the protocol-specific scheme. */
	bool specific = req->protocol == DRKEY_PROTO_GENERIC || req->protocol == DRKEY_PROTO_SCMP;
	uint8_t sv[DRKEY_KEY_LEN], lvl1[DRKEY_KEY_LEN];
	struct drkey_epoch epoch;
	int err;

	if (!drkey_concerns(as, kind, req))
		return SEG_DAEMON_ERR_ARG;
	fast = netrun_as_rt_find(as->net, req->src_ia);
	if (!fast || !netrun_as_find(as->net, req->dst_ia))
		return SEG_DAEMON_ERR_NOT_FOUND;
	/* The testnet holds every AS's secrets: A's level 1 key is derived here directly,
	 * where a real slow-side AS would fetch it from A's control service. */
	err = netrun_drkey_sv(fast, specific ? req->protocol : DRKEY_PROTO_GENERIC, req->val_time,
			      sv, &epoch);
	if (err)
		goto out;
	if (drkey_lvl1_derive(sv, req->dst_ia, lvl1) ||
	    drkey_from_lvl1(kind, specific, req->protocol, req, lvl1, out->key)) {
		err = SEG_DAEMON_ERR_INTERNAL;
		goto out;
	}
	out->epoch_begin = epoch.begin;
	out->epoch_end = epoch.end;
out:
	OPENSSL_cleanse(sv, sizeof(sv));
	OPENSSL_cleanse(lvl1, sizeof(lvl1));
	return err;
}

const struct seg_daemon_service_ops daemon_service_ops = {
    .paths = service_paths,
    .as_info = service_as_info,
    .interfaces = service_interfaces,
    .port_range = service_port_range,
    .drkey = service_drkey,
};
