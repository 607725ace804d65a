/* SPDX-License-Identifier: MIT */
/*
 * Interface, address and route configuration over rtnetlink (libmnl), for the IP adapter's
 * TUN: link up/down, MTU, txqueuelen, moving a link to another namespace; IPv4 and IPv6
 * addresses; device-scoped routes (no gateway: everything a peer announces goes into the TUN).
 *
 * A handle opened with a namespace name holds a netlink socket created inside that namespace
 * (netns.h), so every operation through it acts there, and only there.
 *
 * Errors: -errno from the kernel, and netlink_error() gives a sentence naming the operation,
 * the interface and namespace, the kernel's extended-ack text when it sent one, and what to
 * do (missing CAP_NET_ADMIN, interface gone, IPv6 disabled by an MTU below 1280, ...).
 *
 * Thread: the control thread; a handle is not shared.
 */
#ifndef SEG_ADAPTERS_IP_NETLINK_H
#define SEG_ADAPTERS_IP_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"
#include "adapters/ip/syserr.h"

struct netlink;

struct netlink_link {
	int ifindex;
	unsigned flags; /* IFF_UP, IFF_RUNNING, ... */
	uint32_t mtu;
	uint32_t txqlen;
	char name[IFNAMSIZ];
};

/* Opens a handle acting in namespace netns (NULL or "": the caller's). */
SEG_MUST_CHECK int netlink_open(struct netlink **out, const char *netns, struct ip_err *err);
void netlink_close(struct netlink *nl);

/* The message of the last failed operation on this handle. */
const char *netlink_error(const struct netlink *nl);

/* Looks an interface up by name. */
SEG_MUST_CHECK int netlink_link_get(struct netlink *nl, const char *name, struct netlink_link *out);

SEG_MUST_CHECK int netlink_link_set_up(struct netlink *nl, int ifindex, bool up);
SEG_MUST_CHECK int netlink_link_set_mtu(struct netlink *nl, int ifindex, uint32_t mtu);
SEG_MUST_CHECK int netlink_link_set_txqlen(struct netlink *nl, int ifindex, uint32_t txqlen);

/* Moves the link into namespace netns (IFLA_NET_NS_FD); its addresses and routes are lost. */
SEG_MUST_CHECK int netlink_link_set_netns(struct netlink *nl, int ifindex, const char *netns);

/*
 * Adds or removes an interface address with its prefix length ("10.99.0.1/24", host bits
 * set). IPv6 addresses skip duplicate address detection (IFA_F_NODAD): the TUN is a
 * point-to-point link to the gateway, and a tentative address would drop the first packets.
 */
SEG_MUST_CHECK int netlink_addr_add(struct netlink *nl, int ifindex, const struct cidr *addr);
SEG_MUST_CHECK int netlink_addr_del(struct netlink *nl, int ifindex, const struct cidr *addr);

/* Lists the addresses on ifindex (both families) into out[0..max); *n gets the total seen. */
SEG_MUST_CHECK int netlink_addr_list(struct netlink *nl, int ifindex, struct cidr *out, size_t max,
				     size_t *n);

/* Adds or removes a route to prefix dst via ifindex in the main table (proto static). */
SEG_MUST_CHECK int netlink_route_add(struct netlink *nl, int ifindex, const struct cidr *dst);
SEG_MUST_CHECK int netlink_route_del(struct netlink *nl, int ifindex, const struct cidr *dst);

/* Lists the main-table unicast routes out of ifindex (both families); *n gets the total seen. */
SEG_MUST_CHECK int netlink_route_list(struct netlink *nl, int ifindex, struct cidr *out, size_t max,
				      size_t *n);

#endif /* SEG_ADAPTERS_IP_NETLINK_H */
