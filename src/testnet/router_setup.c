/* SPDX-License-Identifier: MIT */
/*
 * Construction of a border router from its configuration, link state, counters and the
 * names of the drop reasons.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "router_proc.h"

#define ROUTER_DROP_NAME(name, desc) #name,
#define ROUTER_DROP_DESC(name, desc) desc,
static const char *const drop_names[] = {ROUTER_DROP_REASONS(ROUTER_DROP_NAME)};
static const char *const drop_descs[] = {ROUTER_DROP_REASONS(ROUTER_DROP_DESC)};

const char *router_drop_name(enum router_drop_reason r)
{
	return (unsigned)r < ROUTER_DROP_MAX ? drop_names[r] : "?";
}

const char *router_drop_desc(enum router_drop_reason r)
{
	return (unsigned)r < ROUTER_DROP_MAX ? drop_descs[r] : "?";
}

const struct router_counters *router_counters_get(const struct router *r)
{
	return &r->counters;
}

int router_set_link_up(struct router *r, uint16_t ifid, bool up)
{
	unsigned idx = ifid ? r->iface_of[ifid] : 0;

	if (!idx)
		return -1;
	r->ifaces[idx - 1].up = up;
	return 0;
}

/* The router's own address for replies: the IP of its internal socket. */
static bool host_from_sockaddr(const struct sockaddr_storage *ss, struct scion_host *out)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		scion_host_from_ipv4(out, (const uint8_t *)&in4->sin_addr);
	else if (ss->ss_family == AF_INET6)
		scion_host_from_ipv6(out, in6->sin6_addr.s6_addr);
	else
		return false;
	return true;
}

static bool config_check(const struct router_config *cfg, char *err, size_t errlen)
{
	if (cfg->ia == 0 || cfg->port_min > cfg->port_max || cfg->n_ifaces > ROUTER_MAX_IFACES ||
	    (cfg->n_ifaces && !cfg->ifaces)) {
		snprintf(err, errlen, "router: bad config (ia, port range or %zu interfaces)",
			 cfg->n_ifaces);
		return false;
	}
	if (router_host_wire_len(cfg->host_ip.type) == 0 || cfg->host_ip.type == SCION_HOST_SVC) {
		snprintf(err, errlen, "router: host_ip must be IPv4 or IPv6");
		return false;
	}
	for (size_t i = 0; i < cfg->n_ifaces; i++) {
		if (cfg->ifaces[i].ifid == 0 || (unsigned)cfg->ifaces[i].type > ROUTER_LINK_PEER) {
			snprintf(err, errlen, "router: interface %zu: bad ifid or type", i);
			return false;
		}
	}
	return true;
}

struct router *router_new(const struct router_config *cfg, char *err, size_t errlen)
{
	struct router *r;

	if (!config_check(cfg, err, errlen))
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		snprintf(err, errlen, "router: out of memory");
		return NULL;
	}
	r->ia = cfg->ia;
	r->port_min = cfg->port_min;
	r->port_max = cfg->port_max;
	r->router_src.ia = cfg->ia;
	r->host_src.ia = cfg->ia;
	r->host_src.host = cfg->host_ip;
	if (!host_from_sockaddr(&cfg->internal, &r->router_src.host)) {
		snprintf(err, errlen, "router: internal address is not IPv4 or IPv6");
		goto err_free;
	}
	for (size_t i = 0; i < cfg->n_ifaces; i++) {
		const struct router_iface_config *c = &cfg->ifaces[i];

		if (r->iface_of[c->ifid]) {
			snprintf(err, errlen, "router: interface %u defined twice", c->ifid);
			goto err_free;
		}
		r->ifaces[i] = (struct router_iface){.ifid = c->ifid, .type = c->type, .up = true};
		r->iface_of[c->ifid] = (uint8_t)(i + 1);
	}
	r->n_ifaces = cfg->n_ifaces;
	/* One key object per router: a router belongs to one thread (seg/scion_mac.h). */
	r->key = scion_mac_key_new(cfg->forwarding_key);
	if (!r->key) {
		snprintf(err, errlen, "router: cannot create the MAC key");
		goto err_free;
	}
	return r;
err_free:
	free(r);
	return NULL;
}

void router_free(struct router *r)
{
	if (!r)
		return;
	scion_mac_key_free(r->key);
	free(r);
}
