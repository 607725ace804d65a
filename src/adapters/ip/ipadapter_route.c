/* SPDX-License-Identifier: MIT */
/* The IP adapter's route, egress and ingress decisions (ipadapter_route.h). */
#include "adapters/ip/ipadapter_route.h"

#include "adapters/ip/packet.h"

bool ipa_prefix_overlap(const struct cidr *a, const struct cidr *b)
{
	if (a->addr.family != b->addr.family)
		return false;
	/* Prefixes nest or are disjoint: the shorter one contains the longer one or nothing. */
	return a->len <= b->len ? cidr_contains(a, &b->addr) : cidr_contains(b, &a->addr);
}

bool ipa_prefix_allowed(const struct ipa_allow *allow, const struct cidr *p)
{
	if (allow->any)
		return true;
	for (size_t i = 0; i < allow->n; i++) {
		const struct cidr *a = &allow->prefixes[i];

		if (a->addr.family == p->addr.family && a->len <= p->len &&
		    cidr_contains(a, &p->addr))
			return true;
	}
	return false;
}

enum ipa_route_verdict ipa_route_decide(const struct cidr *p, const void *owner,
					const struct ipa_allow *allow, const struct cidr *local,
					size_t n_local, const struct ipa_route *accepted,
					size_t n_accepted, void **conflict)
{
	if (!ipa_prefix_allowed(allow, p))
		return IPA_ROUTE_NOT_ALLOWED;
	for (size_t i = 0; i < n_local; i++)
		if (ipa_prefix_overlap(p, &local[i]))
			return IPA_ROUTE_LOCAL;
	for (size_t i = 0; i < n_accepted; i++) {
		if (accepted[i].owner != owner && ipa_prefix_overlap(p, &accepted[i].prefix)) {
			if (conflict)
				*conflict = accepted[i].owner;
			return IPA_ROUTE_CONFLICT;
		}
	}
	if (n_accepted >= IPA_ROUTES_MAX)
		return IPA_ROUTE_FULL;
	return IPA_ROUTE_ACCEPT;
}

size_t ipa_routes_compute(const struct ipa_announcer *a, size_t n_a, const struct cidr *local,
			  size_t n_local, struct ipa_route *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < n_a; i++) {
		for (size_t j = 0; j < a[i].n; j++) {
			enum ipa_route_verdict v;

			v = ipa_route_decide(&a[i].subnets[j], a[i].owner, a[i].allow, local,
					     n_local, out, n, NULL);
			if (v == IPA_ROUTE_ACCEPT && n == cap)
				v = IPA_ROUTE_FULL;
			if (v == IPA_ROUTE_ACCEPT)
				out[n++] = (struct ipa_route){.prefix = a[i].subnets[j],
							      .owner = a[i].owner};
			a[i].verdicts[j] = v;
		}
	}
	return n;
}

enum ipa_egress ipa_egress_decide(const struct lpm *t, const uint8_t *pkt, size_t len, void **owner)
{
	struct ip_packet_info info;

	if (ip_packet_parse(pkt, len, &info) != IP_PACKET_OK)
		return IPA_EGRESS_MALFORMED;
	*owner = t ? lpm_lookup(t, info.family, info.dst.bytes) : NULL;
	return *owner ? IPA_EGRESS_SEND : IPA_EGRESS_NO_ROUTE;
}

static bool dst_is_local(const struct ip_addr *dst, const struct cidr *local, size_t n_local,
			 const struct ip_addr *tun_addrs, size_t n_tun_addrs)
{
	for (size_t i = 0; i < n_local; i++)
		if (cidr_contains(&local[i], dst))
			return true;
	for (size_t i = 0; i < n_tun_addrs; i++)
		if (ip_addr_equal(&tun_addrs[i], dst))
			return true;
	return false;
}

enum ipa_ingress ipa_ingress_decide(const struct lpm *t, const void *owner, const uint8_t *pkt,
				    size_t len, const struct cidr *local, size_t n_local,
				    const struct ip_addr *tun_addrs, size_t n_tun_addrs)
{
	struct ip_packet_info info;

	if (ip_packet_parse(pkt, len, &info) != IP_PACKET_OK)
		return IPA_INGRESS_MALFORMED;
	/* The longest match of the source must be this peer's: a peer that announced
	 * 10.0.0.0/8 still cannot send as 10.1.0.0/16 if another peer holds that. */
	if (!t || !owner || lpm_lookup(t, info.family, info.src.bytes) != owner)
		return IPA_INGRESS_SPOOFED;
	if (!dst_is_local(&info.dst, local, n_local, tun_addrs, n_tun_addrs))
		return IPA_INGRESS_NOT_LOCAL;
	return IPA_INGRESS_DELIVER;
}

const char *ipa_route_verdict_name(enum ipa_route_verdict v)
{
	switch (v) {
	case IPA_ROUTE_ACCEPT:
		return "accepted";
	case IPA_ROUTE_NOT_ALLOWED:
		return "not in the remote's allowedSubnets";
	case IPA_ROUTE_LOCAL:
		return "overlaps a local subnet";
	case IPA_ROUTE_CONFLICT:
		return "overlaps another peer's subnet";
	case IPA_ROUTE_FULL:
		return "route table full";
	}
	return "?";
}
