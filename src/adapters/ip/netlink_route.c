/* SPDX-License-Identifier: MIT */
/* Interface addresses (RTM_*ADDR) and device routes (RTM_*ROUTE); see netlink.h. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "adapters/ip/netlink_priv.h"

/* Why an IPv6 operation on a TUN usually fails: the kernel drops a device's IPv6 state when
 * its MTU is below 1280 (RFC 8200 5), and an administrator may have disabled IPv6. */
static const char ipv6_hint[] = "IPv6 needs the interface MTU >= 1280 and IPv6 enabled "
				"(sysctl net.ipv6.conf.all.disable_ipv6=0)";

static int addr_op(struct netlink *nl, uint16_t type, uint16_t flags, int ifindex,
		   const struct cidr *addr)
{
	struct nlmsghdr *nlh = netlink_request(nl, type, NLM_F_ACK | flags);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	size_t alen = ip_family_len(addr->addr.family);
	char what[CIDR_STRLEN];

	ifa->ifa_family = (uint8_t)netlink_family_af(addr->addr.family);
	ifa->ifa_prefixlen = addr->len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS equal to it means "no peer": the prefix
	 * route is then the whole subnet, as `ip addr add A/len dev X` does. */
	mnl_attr_put(nlh, IFA_LOCAL, alen, addr->addr.bytes);
	mnl_attr_put(nlh, IFA_ADDRESS, alen, addr->addr.bytes);
	if (addr->addr.family == IP_FAMILY_V6 && type == RTM_NEWADDR)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	int r = netlink_transact(nl, nlh, NULL, NULL);

	if (!r)
		return 0;
	if (cidr_format(addr, what, sizeof(what)) != CIDR_OK)
		snprintf(what, sizeof(what), "(address)");
	const char *op = type == RTM_NEWADDR ? "adding address" : "removing address";
	const char *hint = NULL;

	if (addr->addr.family == IP_FAMILY_V6 && r != -EEXIST && r != -EADDRNOTAVAIL &&
	    r != -EPERM && r != -ENODEV)
		hint = ipv6_hint;
	return netlink_fail(nl, r, op, what, ifindex, hint);
}

int netlink_addr_add(struct netlink *nl, int ifindex, const struct cidr *addr)
{
	return addr_op(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, ifindex, addr);
}

int netlink_addr_del(struct netlink *nl, int ifindex, const struct cidr *addr)
{
	return addr_op(nl, RTM_DELADDR, 0, ifindex, addr);
}

/* Collects prefixes into a caller's array; n counts all seen, even past max. */
struct list {
	int ifindex;
	struct cidr *out;
	size_t max;
	size_t n;
};

static void list_add(struct list *l, const struct ip_addr *a, uint8_t len)
{
	if (len > ip_family_bits(a->family))
		return;
	if (l->n < l->max)
		l->out[l->n] = (struct cidr){.addr = *a, .len = len};
	l->n++;
}

static int parse_addr(const struct nlmsghdr *nlh, void *p)
{
	struct list *l = p;
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	struct ip_addr local, address;
	bool has_local = false, has_address = false;

	if (nlh->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if ((int)ifa->ifa_index != l->ifindex ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifa))
	{
		if (mnl_attr_get_type(a) == IFA_LOCAL)
			has_local = netlink_attr_addr(a, ifa->ifa_family, &local);
		else if (mnl_attr_get_type(a) == IFA_ADDRESS)
			has_address = netlink_attr_addr(a, ifa->ifa_family, &address);
	}
	if (has_local)
		list_add(l, &local, ifa->ifa_prefixlen);
	else if (has_address)
		list_add(l, &address, ifa->ifa_prefixlen);
	return MNL_CB_OK;
}

int netlink_addr_list(struct netlink *nl, int ifindex, struct cidr *out, size_t max, size_t *n)
{
	struct nlmsghdr *nlh = netlink_request(nl, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	struct list l = {.ifindex = ifindex, .out = out, .max = max};

	ifa->ifa_family = AF_UNSPEC;
	int r = netlink_transact(nl, nlh, parse_addr, &l);

	*n = l.n;
	return r ? netlink_fail(nl, r, "listing addresses", "", ifindex, NULL) : 0;
}

/*
 * A device route: no gateway, out of ifindex, main table. IPv4 routes get link scope (the
 * destination is directly behind the device); IPv6 ignores route scope. Deleting matches on
 * prefix, device and table only (protocol, scope and type left as wildcards, as iproute2).
 */
static int route_op(struct netlink *nl, uint16_t type, uint16_t flags, int ifindex,
		    const struct cidr *dst)
{
	struct nlmsghdr *nlh = netlink_request(nl, type, NLM_F_ACK | flags);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	bool add = type == RTM_NEWROUTE;
	char what[CIDR_STRLEN + 8];

	rtm->rtm_family = (uint8_t)netlink_family_af(dst->addr.family);
	rtm->rtm_dst_len = dst->len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = add ? RTPROT_STATIC : 0;
	rtm->rtm_scope = !add				    ? RT_SCOPE_NOWHERE
			 : dst->addr.family == IP_FAMILY_V4 ? RT_SCOPE_LINK
							    : RT_SCOPE_UNIVERSE;
	rtm->rtm_type = add ? RTN_UNICAST : 0;
	if (dst->len > 0)
		mnl_attr_put(nlh, RTA_DST, ip_family_len(dst->addr.family), dst->addr.bytes);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	int r = netlink_transact(nl, nlh, NULL, NULL);

	if (!r)
		return 0;
	memcpy(what, "to ", 4);
	if (cidr_format(dst, what + 3, sizeof(what) - 3) != CIDR_OK)
		snprintf(what, sizeof(what), "(prefix)");
	const char *hint = NULL;

	if (r == -EEXIST)
		hint = "a route to that prefix exists already";
	else if (dst->addr.family == IP_FAMILY_V6 && r != -ESRCH && r != -EPERM && r != -ENODEV)
		hint = ipv6_hint;
	return netlink_fail(nl, r, add ? "adding route" : "removing route", what, ifindex, hint);
}

int netlink_route_add(struct netlink *nl, int ifindex, const struct cidr *dst)
{
	return route_op(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifindex, dst);
}

int netlink_route_del(struct netlink *nl, int ifindex, const struct cidr *dst)
{
	return route_op(nl, RTM_DELROUTE, 0, ifindex, dst);
}

static int parse_route(const struct nlmsghdr *nlh, void *p)
{
	struct list *l = p;
	const struct rtmsg *rtm;
	const struct nlattr *a;
	struct ip_addr dst;
	uint32_t table, oif = 0;

	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	rtm = mnl_nlmsg_get_payload(nlh);
	if ((rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	memset(&dst, 0, sizeof(dst));
	dst.family = rtm->rtm_family == AF_INET ? IP_FAMILY_V4 : IP_FAMILY_V6;
	table = rtm->rtm_table;
	mnl_attr_for_each(a, nlh, sizeof(*rtm))
	{
		switch (mnl_attr_get_type(a)) {
		case RTA_DST:
			if (!netlink_attr_addr(a, rtm->rtm_family, &dst))
				return MNL_CB_OK;
			break;
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				oif = mnl_attr_get_u32(a);
			break;
		case RTA_TABLE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				table = mnl_attr_get_u32(a);
			break;
		default:
			break;
		}
	}
	if (table == RT_TABLE_MAIN && (int)oif == l->ifindex)
		list_add(l, &dst, rtm->rtm_dst_len);
	return MNL_CB_OK;
}

int netlink_route_list(struct netlink *nl, int ifindex, struct cidr *out, size_t max, size_t *n)
{
	struct nlmsghdr *nlh = netlink_request(nl, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	struct list l = {.ifindex = ifindex, .out = out, .max = max};

	rtm->rtm_family = AF_UNSPEC;
	int r = netlink_transact(nl, nlh, parse_route, &l);

	*n = l.n;
	return r ? netlink_fail(nl, r, "listing routes", "", ifindex, NULL) : 0;
}
