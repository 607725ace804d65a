/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's shared state between its control part (ipadapter.c: setup, callbacks,
 * announcements, routes) and its data part (ipadapter_data.c: the TUN reader, ingress).
 *
 * Who touches what: fields marked [ctl] only the control thread; [rd] only the reader
 * thread; [const] set before the reader starts; [atomic] both, through atomics.
 */
#ifndef SEG_ADAPTERS_IP_IPADAPTER_INTERNAL_H
#define SEG_ADAPTERS_IP_IPADAPTER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "base/ipaddr.h"
#include "adapters/ip/ipadapter.h"
#include "adapters/ip/ipadapter_announce.h"
#include "adapters/ip/ipadapter_route.h"
#include "adapters/ip/lpm.h"
#include "adapters/ip/tun.h"
#include "adapters/ip/vnet.h"
#include "base/evloop.h"

enum ipa_peer_state {
	IPA_PEER_UP,
	IPA_PEER_HOLD, /* peer_down seen; routes kept until the hold timer fires */
	IPA_PEER_GONE, /* down for good: no routes */
};

/* The adapter's view of one gateway peer. Lives until ipadapter_destroy (the route tables
 * the reader may still hold point at it), and holds a reference on the gateway's peer. */
struct ipa_peer {
	struct ipadapter *ad;
	struct seg_peer *peer;	   /* [const] referenced */
	enum ipa_peer_state state; /* [ctl] */
	uint64_t order;		   /* [ctl] first announcement: lower wins conflicts */
	struct cidr allowed[256];  /* [const] this remote's allowedSubnets */
	struct ipa_allow allow;	   /* [const] */
	struct cidr announced[IPA_MSG_SUBNETS_MAX]; /* [ctl] its current announcement */
	size_t n_announced;
	enum ipa_route_verdict verdicts[IPA_MSG_SUBNETS_MAX]; /* [ctl] last decision */
	bool announce_pending;		/* [ctl] our own announcement still to send */
	struct evloop_timer hold_timer; /* [ctl] */
	char name[128];			/* [const] the peer's address, for logs */
};

struct reader_bufs;

struct ipa_retired {
	struct lpm *table;
	uint64_t epoch; /* freed once the reader has seen this epoch */
};

struct ipadapter {
	/* [const] */
	struct gateway *gw;
	struct evloop *loop;
	const struct seg_config *gw_cfg;
	uint64_t hold_ns;
	struct tun tun;
	struct netlink *nl;
	int ifindex;
	uint32_t mtu;
	struct cidr local[IPA_MSG_SUBNETS_MAX]; /* adapter.yaml subnet */
	size_t n_local;
	struct ip_addr tun_addr;
	uint8_t announce_msg[IPA_MSG_MAX];
	size_t announce_len;
	char netns[256];

	/* [ctl] */
	struct ipa_peer **peers;
	size_t n_peers;
	uint64_t next_order;
	struct ipa_route *routes; /* what the kernel and the published table hold */
	size_t n_routes;
	struct ipa_retired retired[IPA_RETIRED_MAX];
	size_t n_retired;
	bool republish; /* a recompute waits for a free retired slot */
	struct evloop_timer reap_timer;
	struct evloop_timer announce_timer;

	/* [atomic] */
	_Atomic(struct lpm *) table;
	atomic_uint_fast64_t epoch;	  /* bumped by every publication */
	atomic_uint_fast64_t reader_seen; /* the epoch at the reader's last quiescent point */
	atomic_bool reader_stop;
	atomic_uint_fast64_t counters[IPA_CNT__COUNT];

	/* [ctl] ingress: segments joined for one TUN write (offload on) */
	struct vnet_gro gro;

	/* [rd] */
	struct reader_bufs *reader_bufs;
	pthread_t reader;
	bool reader_started;
	int stop_fd; /* eventfd: wakes the reader for shutdown */
	double icmp_tokens;
	uint64_t icmp_last_ns;
};

static inline void ipa_count(struct ipadapter *ad, enum ipa_counter c, uint64_t n)
{
	atomic_fetch_add_explicit(&ad->counters[c], n, memory_order_relaxed);
}

/* ipadapter.c: the adapter's state of a gateway peer, or NULL. Control thread. */
struct ipa_peer *ipa_peer_lookup(struct ipadapter *ad, const struct seg_peer *peer);

/* ipadapter_data.c */
SEG_MUST_CHECK int ipa_reader_start(struct ipadapter *ad, char *err, size_t errlen);
void ipa_reader_stop(struct ipadapter *ad);
void ipa_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n);

#endif /* SEG_ADAPTERS_IP_IPADAPTER_INTERNAL_H */
