/* SPDX-License-Identifier: MIT */
/*
 * rtnetlink requests through libmnl (rtnetlink(7)). Netlink messages are the local kernel's
 * host-order ABI, read with libmnl's attribute validation, not network input; still, every
 * attribute's length is checked before its payload is used.
 */
#include "adapters/ip/netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/ip/netlink_priv.h"
#include "adapters/ip/netns.h"

/* What one request carries through libmnl's callbacks. */
struct call {
	struct netlink *nl;
	mnl_cb_t cb;
	void *data;
};

static int open_socket(void *p)
{
	struct netlink *nl = p;
	int one = 1;

	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock)
		return -errno;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return -e;
	}
	/* Best effort: the kernel's own reason for a refusal, and no echo of our request. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

int netlink_open(struct netlink **out, const char *netns, struct ip_err *err)
{
	struct netlink *nl = calloc(1, sizeof(*nl));

	*out = NULL;
	if (!nl)
		return ip_err_set(err, ENOMEM, "out of memory for a netlink handle");
	if (netns)
		snprintf(nl->netns, sizeof(nl->netns), "%s", netns);
	int r = netns_run(netns, open_socket, nl, err);

	if (r < 0) {
		if (!nl->sock && r != -EPERM && r != -ENOENT && r != -EINVAL)
			ip_err_set(err, -r, "cannot open a netlink socket: %s", strerror(-r));
		free(nl);
		return r;
	}
	nl->seq = (unsigned)getpid();
	*out = nl;
	return 0;
}

void netlink_close(struct netlink *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl);
}

const char *netlink_error(const struct netlink *nl)
{
	return nl->err.msg;
}

/* NLMSG_ERROR: 0 is the ACK; otherwise keep the extended-ack text (netlink(7)). */
static int on_error(const struct nlmsghdr *nlh, void *p)
{
	struct call *c = p;
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t plen = mnl_nlmsg_get_payload_len(nlh);

	if (plen < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off <= plen) {
		const struct nlattr *a;

		mnl_attr_for_each(a, nlh, off)
		{
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(c->nl->kmsg, sizeof(c->nl->kmsg), "%s",
					 mnl_attr_get_str(a));
		}
	}
	errno = e->error < 0 ? -e->error : EPROTO;
	return MNL_CB_ERROR;
}

static int on_data(const struct nlmsghdr *nlh, void *p)
{
	struct call *c = p;

	return c->cb ? c->cb(nlh, c->data) : MNL_CB_OK;
}

/* Sends one request and reads until its ACK, error or end of dump. */
int netlink_transact(struct netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	mnl_cb_t ctl[NLMSG_ERROR + 1] = {[NLMSG_ERROR] = on_error};
	struct call c = {.nl = nl, .cb = cb, .data = data};

	nl->kmsg[0] = '\0';
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rbuf, sizeof(nl->rbuf));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		int r = mnl_cb_run2(nl->rbuf, (size_t)n, nl->seq, nl->portid, on_data, &c, ctl,
				    NLMSG_ERROR + 1);

		if (r < 0)
			return errno ? -errno : -EPROTO;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static const char *errno_hint(int e)
{
	switch (e) {
	case ENODEV:
		return "no such interface (gone, or in another network namespace)";
	case EADDRNOTAVAIL:
		return "no such address on that interface";
	case ESRCH:
		return "no such route";
	case EEXIST:
		return "already present";
	case ENETDOWN:
		return "the interface is down: set it up first";
	default:
		return NULL;
	}
}

/* Records "<op> <what> on interface #N [in network namespace 'X']: <why>[; <hint>]". */
int netlink_fail(struct netlink *nl, int r, const char *op, const char *what, int ifindex,
		 const char *hint)
{
	int e = -r;
	char ns[96] = "";
	char cap[256];

	if (nl->netns[0])
		snprintf(ns, sizeof(ns), " in network namespace '%s'", nl->netns);
	if (e == EPERM || e == EACCES) {
		ip_err_cap_hint(cap, sizeof(cap), "CAP_NET_ADMIN");
		hint = cap;
	} else if (!hint) {
		hint = errno_hint(e);
	}
	ip_err_set(&nl->err, e, "%s%s%s on interface #%d%s: %s%s%s", op, what[0] ? " " : "", what,
		   ifindex, ns, nl->kmsg[0] ? nl->kmsg : strerror(e), hint ? "; " : "",
		   hint ? hint : "");
	return r;
}

struct nlmsghdr *netlink_request(struct netlink *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->sbuf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

int netlink_family_af(enum ip_family f)
{
	return f == IP_FAMILY_V4 ? AF_INET : AF_INET6;
}

bool netlink_attr_addr(const struct nlattr *a, int af, struct ip_addr *out)
{
	size_t want = af == AF_INET ? IP_V4_LEN : IP_V6_LEN;

	if (mnl_attr_get_payload_len(a) != want)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = af == AF_INET ? IP_FAMILY_V4 : IP_FAMILY_V6;
	memcpy(out->bytes, mnl_attr_get_payload(a), want);
	return true;
}

/* RTM_NEWLINK on an existing link changes only what it carries (rtnetlink(7)). */
static struct nlmsghdr *link_request(struct netlink *nl, int ifindex, struct ifinfomsg **ifi)
{
	struct nlmsghdr *nlh = netlink_request(nl, RTM_NEWLINK, NLM_F_ACK);

	*ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(**ifi));
	(*ifi)->ifi_family = AF_UNSPEC;
	(*ifi)->ifi_index = ifindex;
	return nlh;
}

int netlink_link_set_up(struct netlink *nl, int ifindex, bool up)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_request(nl, ifindex, &ifi);

	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	int r = netlink_transact(nl, nlh, NULL, NULL);

	return r ? netlink_fail(nl, r, up ? "setting up" : "setting down", "", ifindex, NULL) : 0;
}

int netlink_link_set_mtu(struct netlink *nl, int ifindex, uint32_t mtu)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_request(nl, ifindex, &ifi);
	char what[32];

	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	int r = netlink_transact(nl, nlh, NULL, NULL);

	snprintf(what, sizeof(what), "MTU %u", (unsigned)mtu);
	if (r == -EINVAL)
		return netlink_fail(nl, r, "setting", what, ifindex,
				    "outside the device's range (a TUN takes 68..65535)");
	return r ? netlink_fail(nl, r, "setting", what, ifindex, NULL) : 0;
}

int netlink_link_set_txqlen(struct netlink *nl, int ifindex, uint32_t txqlen)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_request(nl, ifindex, &ifi);
	char what[40];

	mnl_attr_put_u32(nlh, IFLA_TXQLEN, txqlen);
	int r = netlink_transact(nl, nlh, NULL, NULL);

	snprintf(what, sizeof(what), "txqueuelen %u", (unsigned)txqlen);
	return r ? netlink_fail(nl, r, "setting", what, ifindex, NULL) : 0;
}

int netlink_link_set_netns(struct netlink *nl, int ifindex, const char *netns)
{
	struct ifinfomsg *ifi;
	struct nlmsghdr *nlh = link_request(nl, ifindex, &ifi);
	char what[96];
	int fd = netns_open(netns, &nl->err);

	if (fd < 0)
		return fd;
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)fd);
	int r = netlink_transact(nl, nlh, NULL, NULL);

	close(fd);
	snprintf(what, sizeof(what), "to network namespace '%s'", netns);
	if (r == -EEXIST)
		return netlink_fail(nl, r, "moving", what, ifindex,
				    "an interface of that name exists there already");
	return r ? netlink_fail(nl, r, "moving", what, ifindex, NULL) : 0;
}

static int parse_link(const struct nlmsghdr *nlh, void *p)
{
	struct netlink_link *out = p;
	const struct ifinfomsg *ifi;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi))
		return MNL_CB_OK;
	ifi = mnl_nlmsg_get_payload(nlh);
	out->ifindex = ifi->ifi_index;
	out->flags = ifi->ifi_flags;
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
	{
		switch (mnl_attr_get_type(a)) {
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				out->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_TXQLEN:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				out->txqlen = mnl_attr_get_u32(a);
			break;
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				snprintf(out->name, sizeof(out->name), "%s", mnl_attr_get_str(a));
			break;
		default:
			break;
		}
	}
	return MNL_CB_OK;
}

int netlink_link_get(struct netlink *nl, const char *name, struct netlink_link *out)
{
	struct nlmsghdr *nlh = netlink_request(nl, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	char what[IFNAMSIZ + 2];

	memset(out, 0, sizeof(*out));
	ifi->ifi_family = AF_UNSPEC;
	snprintf(what, sizeof(what), "'%s'", name);
	if (strnlen(name, IFNAMSIZ) >= IFNAMSIZ)
		return netlink_fail(nl, -EINVAL, "looking up", what, 0, "name too long");
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	int r = netlink_transact(nl, nlh, parse_link, out);

	if (r == 0 && out->ifindex <= 0)
		r = -ENODEV;
	return r ? netlink_fail(nl, r, "looking up", what, 0, NULL) : 0;
}
