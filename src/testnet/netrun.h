/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's runner: assembles and runs a whole SCION network on loopback from a .topo
 * file. Per AS it derives keys from fresh master secrets, starts a border router and a SCION
 * daemon (gRPC), and it re-runs beaconing before the segments expire. It writes
 * DIR/testnet.json (everything a test or a user needs: addresses, links, their state),
 * DIR/<ia>/keys/master{0,1}.key, and serves the control socket DIR/control.sock.
 *
 * Addressing (docs/testnet.md, "Addresses"): AS number k (1-based, file order) of network N
 * lives on 127.N.k.1: router internal 30042, daemon 30255, interface sockets 40000 + ifid,
 * endhosts in the dispatched range 31000-32767. Two testnets with different N never share an
 * address; NETRUN_NET_AUTO claims a free N (tests running in parallel use it). An AS with
 * `underlay: UDP/IPv6` lives on ::1 instead, in a port block per AS (netrun_addr.c); a link's
 * sockets take the link's underlay (topo_link_underlay).
 *
 * Typical use from a test:
 *
 *	struct netrun *net;
 *	char err[256];
 *	assert_int_equal(netrun_start("topologies/tiny.topo", dir, NULL, &net, err,
 *				      sizeof(err)), 0);
 *	const struct netrun_as *as = netrun_as_find(net, ia);
 *	... seg_daemon_open(as->daemon, 0) ...
 *	netrun_stop(net);
 *
 * Thread: netrun_start/netrun_stop from one thread; the lookups, netrun_link_apply and
 * netrun_status_json from any thread while the network runs. Internally: one thread per
 * router, one per daemon, the beacon refresh thread and the control socket thread.
 */
#ifndef SEG_TESTNET_NETRUN_H
#define SEG_TESTNET_NETRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>

enum {
	/** Pick a free network number N (127.N.k.1) by claiming it. */
	NETRUN_NET_AUTO = -1,
	NETRUN_NET_MAX = 255,
	/** ASes per network: k is the third octet of 127.N.k.1, 1..250. */
	NETRUN_MAX_ASES = 250,
	NETRUN_ROUTER_PORT = 30042,
	NETRUN_DAEMON_PORT = 30255,
	/** Interface ifid of an AS has its UDP socket on port NETRUN_IFACE_PORT_BASE + ifid. */
	NETRUN_IFACE_PORT_BASE = 40000,
	NETRUN_IFID_MAX = 65535 - NETRUN_IFACE_PORT_BASE,
	/** Held while a network runs on 127.N.0.1: the claim of network number N. */
	NETRUN_CLAIM_PORT = 30000,
	/**
	 * IPv6 sockets, all on ::1 (netrun_addr.c): network N's ports start at
	 * NETRUN_V6_PORT_BASE + NETRUN_V6_NET_SPAN * (N mod NETRUN_V6_NETS); each AS with an
	 * IPv6 socket has NETRUN_V6_AS_PORTS of them: router, daemon, then its IPv6 interfaces.
	 */
	NETRUN_V6_PORT_BASE = 10000,
	NETRUN_V6_NET_SPAN = 1000,
	NETRUN_V6_NETS = 20,
	NETRUN_V6_AS_PORTS = 32,
	NETRUN_V6_SLOT_ROUTER = 0,
	NETRUN_V6_SLOT_DAEMON = 1,
	NETRUN_V6_SLOT_IFACE0 = 2,
	NETRUN_V6_MAX_ASES = NETRUN_V6_NET_SPAN / NETRUN_V6_AS_PORTS,
	NETRUN_V6_MAX_IFACES = NETRUN_V6_AS_PORTS - NETRUN_V6_SLOT_IFACE0,
	/** The dispatched port range every daemon reports (PortRange), inclusive. */
	NETRUN_PORT_MIN = 31000,
	NETRUN_PORT_MAX = 32767,
	/** DRKey epoch length by default: one day, as the reference control service. */
	NETRUN_DRKEY_EPOCH_DEFAULT = 24 * 3600,
	NETRUN_ADDR_STRLEN = 48,
	NETRUN_ERR_LEN = 256,
	NETRUN_PATH_MAX = 4096,
};

enum netrun_err {
	NETRUN_OK = 0,
	NETRUN_ERR_ARG = -200,	  /**< bad option or argument */
	NETRUN_ERR_TOPO = -201,	  /**< topology file unreadable or invalid */
	NETRUN_ERR_IO = -202,	  /**< DIR, a key file or testnet.json cannot be written */
	NETRUN_ERR_ADDR = -203,	  /**< no free network number, or an address is taken */
	NETRUN_ERR_START = -204,  /**< a router, daemon or thread failed to start */
	NETRUN_ERR_CRYPTO = -205, /**< key derivation or beaconing failed */
	NETRUN_ERR_NOMEM = -206,
	NETRUN_ERR_NOT_FOUND = -207, /**< no such AS or interface */
};

struct netrun_options {
	/** Network number N of 127.N.k.1, 0..255, or NETRUN_NET_AUTO. */
	int net;
	/** Master secrets from this seed (reproducible runs); random when has_seed is false. */
	bool has_seed;
	uint64_t seed;
	/** DRKey epoch length in seconds (>= 2). */
	uint32_t drkey_epoch_sec;
	/** Re-beacon every this many ms; 0: at half the segments' remaining lifetime. */
	uint32_t refresh_ms;
	/** No control socket (DIR/control.sock); for embedders with their own control. */
	bool no_control;
};

/** One AS of a running network; strings are "ip:port" / "ip" ("[::1]:port" / "::1"). */
struct netrun_as {
	scion_ia_t ia;
	bool core;
	bool ipv6; /**< `underlay: UDP/IPv6`: host_ip, daemon and router are on ::1 */
	uint16_t mtu;
	unsigned k; /**< 1-based number: the third octet of its IPv4 addresses */
	char ia_str[SCION_IA_STRLEN];
	char host_ip[NETRUN_ADDR_STRLEN];
	char daemon[NETRUN_ADDR_STRLEN];
	char router[NETRUN_ADDR_STRLEN]; /**< the border router's internal address */
};

/** Requested state of a link; netrun_link_apply changes the fields flagged in `set`. */
enum netrun_link_field {
	NETRUN_LINK_UP = 1 << 0,
	NETRUN_LINK_LOSS = 1 << 1,
	NETRUN_LINK_DELAY = 1 << 2,
	NETRUN_LINK_REVOKED = 1 << 3,
};

struct netrun_link_state {
	bool up;
	/** The daemons leave out paths over this link (link down --revoke). */
	bool revoked;
	uint32_t loss_ppm; /**< loss per million packets, each direction */
	uint32_t delay_us; /**< added one-way delay, each direction */
};

struct netrun;

/** The defaults: NETRUN_NET_AUTO, random secrets, one-day epochs, automatic refresh. */
void netrun_options_init(struct netrun_options *o);

/**
 * Starts the network of topology file topo_path with its files in dir (created if missing).
 * opts may be NULL for the defaults. On failure nothing is left running and err (if not NULL)
 * says why, quoting the bad token.
 */
__attribute__((warn_unused_result)) int netrun_start(const char *topo_path, const char *dir,
						     const struct netrun_options *opts,
						     struct netrun **out, char *err, size_t errlen);
/** Stops routers, daemons and threads, removes the control socket, frees. NULL: no-op. */
void netrun_stop(struct netrun *n);

/** The network number N in use. */
int netrun_net(const struct netrun *n);
const char *netrun_dir(const struct netrun *n);
size_t netrun_num_ases(const struct netrun *n);
/** AS number i (0-based, file order); NULL past the end. */
const struct netrun_as *netrun_as_at(const struct netrun *n, size_t i);
const struct netrun_as *netrun_as_find(const struct netrun *n, scion_ia_t ia);

/**
 * Changes the link at interface ifid of AS ia (both of its ends): the fields in `set`
 * (enum netrun_link_field) are taken from st. Rewrites testnet.json.
 */
__attribute__((warn_unused_result)) int netrun_link_apply(struct netrun *n, scion_ia_t ia,
							  uint16_t ifid, unsigned set,
							  const struct netrun_link_state *st);
/** The current state of that link. */
__attribute__((warn_unused_result)) int
netrun_link_get(struct netrun *n, scion_ia_t ia, uint16_t ifid, struct netrun_link_state *out);

struct router_stats;
/** A snapshot of the counters of AS ia's border router (router_io.h). */
__attribute__((warn_unused_result)) int netrun_router_stats(struct netrun *n, scion_ia_t ia,
							    struct router_stats *out);

/** One JSON object on one line: links and router counters. *out is malloc'ed. */
__attribute__((warn_unused_result)) int netrun_status_json(struct netrun *n, char **out);

const char *netrun_strerror(int err);

#endif /* SEG_TESTNET_NETRUN_H */
