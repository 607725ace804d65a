/* SPDX-License-Identifier: MIT */
/*
 * The runner's side of the border-router runtime (netrun_router.h). Interface types are as
 * seen from the AS: a CHILD link is CHILD at the parent (topology side a) and PARENT at the
 * child. Interface sockets: netrun_iface_addr (127.N.k.1:(40000 + ifid), or on ::1 for a link
 * with an IPv6 underlay), the remote end's the same way.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "base/json.h"
#include "base/log.h"
#include "netrun_router.h"

#include "router_io.h"

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

static enum router_link_type router_type(const struct topo_link *l, bool local_is_a)
{
	switch (l->type) {
	case TOPO_LINK_CORE:
		return ROUTER_LINK_CORE;
	case TOPO_LINK_PEER:
		return ROUTER_LINK_PEER;
	case TOPO_LINK_CHILD:
		break;
	}
	/* a is the parent: seen from a the link goes to a child. */
	return local_is_a ? ROUTER_LINK_CHILD : ROUTER_LINK_PARENT;
}

static int router_ifaces_build(struct netrun *n, struct netrun_as_rt *as)
{
	const struct topo *t = n->topo;
	size_t count = 0;

	for (size_t i = 0; i < t->num_links; i++)
		count += (t->links[i].a.as == as->idx) + (t->links[i].b.as == as->idx);
	as->ifaces = calloc(count ? count : 1, sizeof(*as->ifaces));
	if (!as->ifaces)
		return NETRUN_ERR_NOMEM;
	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];

		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *loc = side ? &l->b : &l->a;
			const struct topo_endpoint *rem = side ? &l->a : &l->b;
			struct router_iface_config *c = &as->ifaces[as->n_ifaces];

			if (loc->as != as->idx)
				continue;
			c->ifid = loc->ifid;
			c->type = router_type(l, side == 0);
			c->remote_ia = t->ases[rem->as].ia;
			c->remote_ifid = rem->ifid;
			c->mtu = l->mtu;
			netrun_iface_addr(n, as->idx, loc->ifid, &c->local);
			netrun_iface_addr(n, rem->as, rem->ifid, &c->remote);
			as->n_ifaces++;
		}
	}
	return 0;
}

int netrun_router_start(struct netrun *n, struct netrun_as_rt *as, char *err, size_t errlen)
{
	struct router_config cfg;
	char rerr[NETRUN_ERR_LEN] = "";
	int rc;

	free(as->ifaces);
	as->ifaces = NULL;
	as->n_ifaces = 0;
	rc = router_ifaces_build(n, as);
	if (rc)
		return rc;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ia = as->pub.ia;
	cfg.mtu = as->pub.mtu;
	memcpy(cfg.forwarding_key, as->fwd_key, sizeof(cfg.forwarding_key));
	cfg.internal = as->internal;
	cfg.host_ip = as->host;
	cfg.port_min = NETRUN_PORT_MIN;
	cfg.port_max = NETRUN_PORT_MAX;
	cfg.ifaces = as->ifaces;
	cfg.n_ifaces = as->n_ifaces;
	as->router = router_rt_start(&cfg, rerr, sizeof(rerr));
	OPENSSL_cleanse(cfg.forwarding_key, sizeof(cfg.forwarding_key));
	if (!as->router) {
		set_err(err, errlen, "router of %s at %s: %s", as->pub.ia_str, as->pub.router,
			rerr);
		return NETRUN_ERR_START;
	}
	return 0;
}

bool netrun_router_link_valid(const struct netrun_link_state *st)
{
	return st->loss_ppm <= ROUTER_RT_LOSS_PPM_MAX && st->delay_us <= ROUTER_RT_MAX_DELAY_US;
}

int netrun_router_link_push(struct netrun_as_rt *as, uint16_t ifid,
			    const struct netrun_link_state *st)
{
	int rc;

	if (!as->router)
		return 0;
	rc = router_rt_link_set(as->router, ifid, st->up, st->loss_ppm, st->delay_us);
	if (rc) {
		seg_log_warn("seg-testnet: router of %s refused the state of link #%u (error %d)",
			     as->pub.ia_str, ifid, rc);
		return NETRUN_ERR_START;
	}
	return 0;
}

void netrun_router_stop(struct netrun_as_rt *as)
{
	router_rt_stop(as->router);
	as->router = NULL;
}

void netrun_router_stats_json(struct netrun_as_rt *as, struct json *j)
{
	struct router_stats st;

	if (!as->router)
		return;
	router_rt_stats(as->router, &st);
	const struct {
		const char *key;
		uint64_t val;
	} counters[] = {
	    {"rx_pkts", st.rx_pkts},
	    {"rx_bytes", st.rx_bytes},
	    {"tx_pkts", st.tx_pkts},
	    {"tx_bytes", st.tx_bytes},
	    {"processed", st.processed},
	    {"forwarded", st.forwarded},
	    {"delivered", st.delivered},
	    {"replies", st.replies},
	    {"replies_suppressed", st.replies_suppressed},
	};
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		json_key(j, counters[i].key);
		json_uint(j, counters[i].val);
	}
	/* Only the reasons that occurred: the full list is in router_drops.h. */
	json_key(j, "drops");
	json_object_begin(j);
	for (int r = 0; r < ROUTER_DROP_MAX; r++) {
		if (!st.drops[r])
			continue;
		json_key(j, router_drop_name((enum router_drop_reason)r));
		json_uint(j, st.drops[r]);
	}
	json_object_end(j);
}

int netrun_router_stats(struct netrun *n, scion_ia_t ia, struct router_stats *out)
{
	const struct netrun_as_rt *as = netrun_as_rt_find(n, ia);

	if (!as || !as->router)
		return NETRUN_ERR_NOT_FOUND;
	router_rt_stats(as->router, out);
	return 0;
}
