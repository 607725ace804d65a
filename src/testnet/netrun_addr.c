/* SPDX-License-Identifier: MIT */
/*
 * Where everything of a running network lives (docs/testnet.md, "Addresses").
 *
 * IPv4 ASes (the default): AS number k of network N owns 127.N.k.1 and uses fixed ports on it
 * (router 30042, daemon 30255, interface ifid at 40000 + ifid).
 *
 * IPv6 (`underlay: UDP/IPv6`): loopback has one IPv6 address, ::1, so every IPv6 socket of
 * every AS and every network shares it and the port tells them apart. Network N owns the
 * 1000 ports from 10000 + 1000 * (N mod 20). In it, every AS with an IPv6 socket (an IPv6 AS,
 * or an end of an IPv6 link) gets a block of 32 ports, numbered m = 0, 1, ... in file order:
 *
 *	base = 10000 + 1000 * (N mod 20) + 32 * m
 *	base + 0	router internal (IPv6 AS)
 *	base + 1	daemon (IPv6 AS)
 *	base + 2 + i	the i-th IPv6 interface of the AS, in link order
 *
 * Networks 20 apart share a range: the second to start finds a port taken and, with
 * NETRUN_NET_AUTO, moves on to the next network number (netrun.c).
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <seg/daemon.h>

#include "netrun_internal.h"

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

void netrun_addr4(struct sockaddr_storage *ss, int net, unsigned k, unsigned last, uint16_t port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	sin->sin_addr.s_addr = htonl(127u << 24 | (unsigned)net << 16 | k << 8 | last);
}

static void addr6(struct sockaddr_storage *ss, uint16_t port)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	sin6->sin6_addr = in6addr_loopback;
}

/* The position of interface ifid among the AS's IPv6 interfaces (link order), or -1. */
static int v6_iface_slot(const struct topo *t, unsigned as_idx, uint16_t ifid)
{
	int slot = 0;

	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];
		bool a = l->a.as == as_idx, b = l->b.as == as_idx;

		if ((!a && !b) || topo_link_underlay(t, l) != TOPO_UNDERLAY_IPV6)
			continue;
		if ((a && l->a.ifid == ifid) || (b && l->b.ifid == ifid))
			return slot;
		slot += a + b;
	}
	return -1;
}

static size_t v6_iface_count(const struct topo *t, unsigned as_idx)
{
	size_t count = 0;

	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];

		if (topo_link_underlay(t, l) == TOPO_UNDERLAY_IPV6)
			count += (l->a.as == as_idx) + (l->b.as == as_idx);
	}
	return count;
}

static bool uses_v6(const struct topo *t, unsigned as_idx)
{
	return t->ases[as_idx].underlay == TOPO_UNDERLAY_IPV6 || v6_iface_count(t, as_idx) > 0;
}

int netrun_addr_check(const struct netrun *n, const char *topo_path, char *err, size_t errlen)
{
	const struct topo *t = n->topo;
	unsigned blocks = 0;
	char ia[SCION_IA_STRLEN];

	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];
		uint16_t big = l->a.ifid > l->b.ifid ? l->a.ifid : l->b.ifid;

		/* Only IPv4 interface ports are derived from the interface id. */
		if (topo_link_underlay(t, l) == TOPO_UNDERLAY_IPV4 && big > NETRUN_IFID_MAX) {
			set_err(err, errlen,
				"%s:%u: interface id '%u' above %d (its port would be past 65535)",
				topo_path, l->line, big, NETRUN_IFID_MAX);
			return NETRUN_ERR_TOPO;
		}
	}
	for (size_t i = 0; i < t->num_ases; i++) {
		if (!uses_v6(t, (unsigned)i))
			continue;
		if (scion_ia_format(t->ases[i].ia, ia, sizeof(ia)))
			ia[0] = '\0';
		if (++blocks > NETRUN_V6_MAX_ASES) {
			set_err(err, errlen, "%s: AS '%s': more than %d ASes with IPv6 sockets",
				topo_path, ia, NETRUN_V6_MAX_ASES);
			return NETRUN_ERR_TOPO;
		}
		if (v6_iface_count(t, (unsigned)i) > NETRUN_V6_MAX_IFACES) {
			set_err(err, errlen, "%s: AS '%s': more than %d IPv6 interfaces", topo_path,
				ia, NETRUN_V6_MAX_IFACES);
			return NETRUN_ERR_TOPO;
		}
	}
	return 0;
}

void netrun_iface_addr(const struct netrun *n, unsigned as_idx, uint16_t ifid,
		       struct sockaddr_storage *out)
{
	const struct topo *t = n->topo;
	int slot = v6_iface_slot(t, as_idx, ifid);

	if (slot < 0)
		netrun_addr4(out, n->net, n->ases[as_idx].pub.k, 1,
			     (uint16_t)(NETRUN_IFACE_PORT_BASE + ifid));
	else
		addr6(out, (uint16_t)(n->ases[as_idx].v6_base + NETRUN_V6_SLOT_IFACE0 + slot));
}

static void format(const struct sockaddr_storage *ss, char *buf, size_t cap)
{
	if (seg_underlay_format(ss, buf, cap))
		snprintf(buf, cap, "?");
}

void netrun_addresses_assign(struct netrun *n, int net)
{
	unsigned m = 0;

	n->net = net;
	for (size_t i = 0; i < n->num_ases; i++) {
		struct netrun_as_rt *as = &n->ases[i];
		unsigned k = as->pub.k;
		struct sockaddr_storage daemon;

		as->v6_base = 0;
		if (uses_v6(n->topo, (unsigned)i))
			as->v6_base = (uint16_t)(NETRUN_V6_PORT_BASE +
						 NETRUN_V6_NET_SPAN * (net % NETRUN_V6_NETS) +
						 NETRUN_V6_AS_PORTS * m++);
		if (n->topo->ases[i].underlay == TOPO_UNDERLAY_IPV6) {
			static const uint8_t ip6[16] = {[15] = 1};

			addr6(&as->internal, (uint16_t)(as->v6_base + NETRUN_V6_SLOT_ROUTER));
			addr6(&daemon, (uint16_t)(as->v6_base + NETRUN_V6_SLOT_DAEMON));
			scion_host_from_ipv6(&as->host, ip6);
			snprintf(as->pub.host_ip, sizeof(as->pub.host_ip), "::1");
		} else {
			uint8_t ip4[4] = {127, (uint8_t)net, (uint8_t)k, 1};

			netrun_addr4(&as->internal, net, k, 1, NETRUN_ROUTER_PORT);
			netrun_addr4(&daemon, net, k, 1, NETRUN_DAEMON_PORT);
			scion_host_from_ipv4(&as->host, ip4);
			snprintf(as->pub.host_ip, sizeof(as->pub.host_ip), "127.%d.%u.1", net, k);
		}
		as->pub.ipv6 = n->topo->ases[i].underlay == TOPO_UNDERLAY_IPV6;
		format(&as->internal, as->pub.router, sizeof(as->pub.router));
		format(&daemon, as->pub.daemon, sizeof(as->pub.daemon));
	}
}

int netrun_claim(int net)
{
	struct sockaddr_storage ss;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	netrun_addr4(&ss, net, 0, 1, NETRUN_CLAIM_PORT);
	if (bind(fd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}
