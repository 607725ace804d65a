/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's decisions, as pure functions so that tests reach every outcome without a
 * TUN or a gateway:
 *
 *  - which announced subnets become routes (ipa_routes_compute): a peer may announce only
 *    what its remote's allowedSubnets allow (conf.yaml; "any" by default, as the original),
 *    nothing that overlaps our own subnets, and nothing that overlaps a subnet another peer
 *    announced first. The first announcer keeps a contested subnet until it withdraws it or
 *    goes down for good; then the next one's announcement is accepted on the recompute.
 *  - where a packet read from the TUN goes (ipa_egress_decide): longest prefix match on the
 *    published route table;
 *  - whether a packet from a peer may be written to the TUN (ipa_ingress_decide): its source
 *    must be inside a subnet routed to that same peer (no spoofing of other sites), and its
 *    destination inside our own subnets or the TUN address (the gateway is no open relay).
 *
 * Bounds: IPA_ROUTES_MAX routes in all; the overlap checks are linear in the routes accepted
 * so far, fine for a control-thread recompute that happens on announcements only.
 *
 * Thread: any; pure.
 */
#ifndef SEG_ADAPTERS_IP_IPADAPTER_ROUTE_H
#define SEG_ADAPTERS_IP_IPADAPTER_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"
#include "adapters/ip/lpm.h"

enum {
	/* Routes from all peers together; more are refused with IPA_ROUTE_FULL. */
	IPA_ROUTES_MAX = 4096,
};

enum ipa_route_verdict {
	IPA_ROUTE_ACCEPT,
	IPA_ROUTE_NOT_ALLOWED, /* outside the remote's allowedSubnets */
	IPA_ROUTE_LOCAL,       /* overlaps one of our own subnets */
	IPA_ROUTE_CONFLICT,    /* overlaps a subnet another peer announced first */
	IPA_ROUTE_FULL,	       /* IPA_ROUTES_MAX reached */
};

/* A remote's allowedSubnets: any, or a list (empty: nothing). */
struct ipa_allow {
	bool any;
	const struct cidr *prefixes;
	size_t n;
};

struct ipa_route {
	struct cidr prefix;
	void *owner; /* the adapter's peer state */
};

/* One peer's current announcement, in priority order (earlier announcers first). */
struct ipa_announcer {
	void *owner;
	const struct ipa_allow *allow;
	const struct cidr *subnets;
	size_t n;
	enum ipa_route_verdict *verdicts; /* out: one per subnet */
};

/* True when a and b (of one family) share an address: one contains the other. */
bool ipa_prefix_overlap(const struct cidr *a, const struct cidr *b);

/* True when p lies within one of the allowed prefixes (or any is allowed). */
bool ipa_prefix_allowed(const struct ipa_allow *allow, const struct cidr *p);

/*
 * The verdict for prefix p from owner, given our local subnets and the routes accepted so far;
 * *conflict (may be NULL) gets the owner of the route it overlaps for IPA_ROUTE_CONFLICT.
 * Overlaps with the same owner's own routes are fine (nested announcements).
 */
enum ipa_route_verdict ipa_route_decide(const struct cidr *p, const void *owner,
					const struct ipa_allow *allow, const struct cidr *local,
					size_t n_local, const struct ipa_route *accepted,
					size_t n_accepted, void **conflict);

/* Recomputes all routes from all announcements; fills every verdicts array and out[0..cap),
 * returns the number of routes. */
size_t ipa_routes_compute(const struct ipa_announcer *a, size_t n_a, const struct cidr *local,
			  size_t n_local, struct ipa_route *out, size_t cap);

enum ipa_egress {
	IPA_EGRESS_SEND,      /* *owner is the peer whose subnet holds the destination */
	IPA_EGRESS_NO_ROUTE,  /* no subnet holds it: ICMP unreachable to the sender */
	IPA_EGRESS_MALFORMED, /* not a parseable IP packet: drop */
};

enum ipa_ingress {
	IPA_INGRESS_DELIVER,
	IPA_INGRESS_MALFORMED, /* not a parseable IP packet */
	IPA_INGRESS_SPOOFED,   /* source outside the subnets routed to this peer */
	IPA_INGRESS_NOT_LOCAL, /* destination outside our subnets and TUN address */
};

/* Where a packet read from the TUN goes, by longest prefix match on table t. */
enum ipa_egress ipa_egress_decide(const struct lpm *t, const uint8_t *pkt, size_t len,
				  void **owner);

/* Whether a packet from owner may enter the TUN; local are our subnets, tun_addrs the TUN's
 * own addresses. */
enum ipa_ingress ipa_ingress_decide(const struct lpm *t, const void *owner, const uint8_t *pkt,
				    size_t len, const struct cidr *local, size_t n_local,
				    const struct ip_addr *tun_addrs, size_t n_tun_addrs);

const char *ipa_route_verdict_name(enum ipa_route_verdict v);

#endif /* SEG_ADAPTERS_IP_IPADAPTER_ROUTE_H */
