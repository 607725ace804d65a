/* SPDX-License-Identifier: MIT */
/*
 * Internal: the state of a running seg-testnet network, shared by netrun.c (assembly, link
 * control, beacon refresh), netrun_keys.c, daemon_service.c, netrun_json.c and netctl.c.
 *
 * Locking: n->lock guards n->segs (the published segment set) and every link's state. The
 * segment set is published by pointer swap: readers take a reference under the lock
 * (netrun_segs_get), combine paths without it, and drop it (netrun_segs_put); the last put
 * frees a replaced set. Everything else is written before the threads start and read-only
 * afterwards.
 */
#ifndef SEG_TESTNET_NETRUN_INTERNAL_H
#define SEG_TESTNET_NETRUN_INTERNAL_H

#include <pthread.h>
#include <sys/socket.h>

#include <seg/daemon.h>
#include <seg/drkey.h>
#include <seg/scion_mac.h>

#include "beacon.h"
#include "combinator.h"
#include "netrun.h"
#include "topo.h"

struct router_rt;
struct netctl_server;
struct router_iface_config;

/** A segment set with a reference count (pointer-swap publication). */
struct netrun_segs {
	unsigned refs;
	struct segment_set set;
};

struct netrun_link {
	const struct topo_link *tl;
	struct netrun_link_state st;
};

/** One AS at run time. */
struct netrun_as_rt {
	struct netrun_as pub;
	struct netrun *net;
	unsigned idx;
	/** The AS master secrets (keys/master0.key, master1.key); wiped on stop. */
	uint8_t master0[SCION_MASTER_KEY_LEN];
	uint8_t master1[SCION_MASTER_KEY_LEN];
	/** Hop-field key from master0; beaconing's key object (refresh thread only). */
	uint8_t fwd_key[SCION_MAC_KEY_LEN];
	struct scion_mac_key *mac;
	struct sockaddr_storage internal; /**< router internal address: the paths' next hop */
	uint16_t v6_base;		  /**< first port of its ::1 block; 0: none */
	struct scion_host host;		  /**< host_ip as a SCION host */
	struct router_iface_config *ifaces;
	size_t n_ifaces;
	struct router_rt *router;
	struct seg_daemon_server *daemon;
};

struct netrun {
	struct topo *topo;
	char dir[NETRUN_PATH_MAX];
	char topo_path[NETRUN_PATH_MAX];
	struct netrun_options opts;
	int net;
	int claim_fd;
	size_t num_ases;
	struct netrun_as_rt *ases;
	struct netrun_link *links; /**< topo->num_links, same order */

	pthread_mutex_t lock;
	/** Serialises writers of testnet.json; taken before lock, never inside it. */
	pthread_mutex_t json_lock;
	/** Serialises link changes (router control calls, then testnet.json); outermost. */
	pthread_mutex_t link_lock;
	struct netrun_segs *segs;
	uint64_t beacon_runs;

	pthread_t refresh_thread;
	bool refresh_started;
	pthread_cond_t refresh_cond;
	bool stopping;

	struct netctl_server *ctl;
};

/* netrun.c */
/** A reference to the current segment set; never NULL while the network runs. */
struct netrun_segs *netrun_segs_get(struct netrun *n);
void netrun_segs_put(struct netrun *n, struct netrun_segs *s);
/** The interfaces of revoked links (both ends), at most cap; returns how many. */
size_t netrun_revoked_ifaces(struct netrun *n, struct combinator_iface *out, size_t cap);
const struct netrun_as_rt *netrun_as_rt_find(const struct netrun *n, scion_ia_t ia);

/* netrun_addr.c */
/** 127.net.k.last:port as an AF_INET sockaddr. */
void netrun_addr4(struct sockaddr_storage *ss, int net, unsigned k, unsigned last, uint16_t port);
/** Whether the topology's addresses fit the scheme (interface ids, IPv6 blocks). */
int netrun_addr_check(const struct netrun *n, const char *topo_path, char *err, size_t errlen);
/** Sets n->net and every AS's addresses (internal, host, strings, IPv6 block) for network net. */
void netrun_addresses_assign(struct netrun *n, int net);
/** The socket of interface ifid of AS as_idx (after netrun_addresses_assign). */
void netrun_iface_addr(const struct netrun *n, unsigned as_idx, uint16_t ifid,
		       struct sockaddr_storage *out);
/** Claims network number net (a bound socket, returned) or -1 when it is taken. */
int netrun_claim(int net);
/** The link index of interface ifid of AS as_idx, or -1. */
int netrun_link_index(const struct netrun *n, unsigned as_idx, uint16_t ifid);

/* netrun_keys.c */
/** Fills every AS's master secrets (random or from opts.seed) and forwarding key. */
int netrun_keys_make(struct netrun *n);
/** Writes DIR/<ia>/keys/master0.key and master1.key (base64, mode 0600). */
int netrun_keys_write(struct netrun *n, char *err, size_t errlen);
/** The AS's level-0 DRKey secret value for proto and the epoch containing val_time. */
int netrun_drkey_sv(const struct netrun_as_rt *as, uint16_t proto, uint64_t val_time,
		    uint8_t sv[DRKEY_KEY_LEN], struct drkey_epoch *epoch);

/* netrun_json.c */
/** Writes DIR/testnet.json atomically (temporary file and rename). Takes n->lock. */
int netrun_json_write_testnet(struct netrun *n);
/** The status object (links and router counters), one line, malloc'ed. Takes n->lock. */
int netrun_json_status(struct netrun *n, char **out);

#endif /* SEG_TESTNET_NETRUN_INTERNAL_H */
