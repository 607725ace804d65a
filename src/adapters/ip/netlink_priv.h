/* SPDX-License-Identifier: MIT */
/* Shared by netlink.c (socket, requests, links) and netlink_route.c (addresses, routes). */
#ifndef SEG_ADAPTERS_IP_NETLINK_PRIV_H
#define SEG_ADAPTERS_IP_NETLINK_PRIV_H

#include <libmnl/libmnl.h>

#include "adapters/ip/netlink.h"

enum {
	NETLINK_SEND_BUF = 1024,
	/* A dump answer comes in parts of up to a page or 32 KiB (NLMSG_GOODSIZE). */
	NETLINK_RECV_BUF = 32768,
	NETLINK_KMSG_LEN = 160,
};

struct netlink {
	struct mnl_socket *sock;
	unsigned portid;
	unsigned seq;
	char netns[64];
	char kmsg[NETLINK_KMSG_LEN]; /* extended-ack text of the last error, if any */
	struct ip_err err;
	uint8_t sbuf[NETLINK_SEND_BUF];
	uint8_t rbuf[NETLINK_RECV_BUF];
};

/* Starts a request of type with NLM_F_REQUEST | flags in nl->sbuf. */
struct nlmsghdr *netlink_request(struct netlink *nl, uint16_t type, uint16_t flags);

/* Sends it and reads until the ACK, an error or the end of a dump; 0 or -errno. cb gets
 * every data message (may be NULL). */
int netlink_transact(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);

/* Records the operator message for a failed operation and returns r (-errno). */
int netlink_fail(struct netlink *nl, int r, const char *op, const char *what, int ifindex,
		 const char *hint);

int netlink_family_af(enum ip_family f);

/* Reads an address attribute of family af (length checked). */
bool netlink_attr_addr(const struct nlattr *a, int af, struct ip_addr *out);

#endif /* SEG_ADAPTERS_IP_NETLINK_PRIV_H */
