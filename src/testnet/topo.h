/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet topology: scionproto's `.topo` format (the topology folder, read by
 * tools/topology/topo.py), plus our link attribute `hidden: true`.
 *
 *   ASes:
 *     "1-ff00:0:110": {core: true, mtu: 1400, voting: true, ...}
 *   links:
 *     - {a: "1-ff00:0:110#1", b: "1-ff00:0:111-A#41", linkAtoB: CHILD, mtu: 1280}
 *
 * `underlay: UDP/IPv4|UDP/IPv6` of an AS or a link is read (tools/topology/topo.py: the AS's
 * sets its internal addresses, the link's its interface sockets). Keys the reference accepts
 * for certificates and services (voting, issuing, cert_issuer, bw, ...) are accepted and
 * ignored; any other key is an error.
 * Every error names file:line and quotes the offending token. A parsed topology is fully
 * validated: endpoints exist, interface ids are unique per AS, CHILD links go from a parent to
 * a non-core child of the same ISD without cycles, CORE links join core ASes.
 *
 * Thread: any; a parsed topology is read-only and may be shared.
 */
#ifndef SEG_TESTNET_TOPO_H
#define SEG_TESTNET_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>

enum {
	TOPO_MAX_ASES = 256,
	TOPO_MAX_LINKS = 1024,
	/** A border-router name in `IA-NAME#IFID`. */
	TOPO_BR_NAME_LEN = 16,
	/** scionproto's generator default (tools/topology/config.py) for ASes and links. */
	TOPO_DEFAULT_MTU = 1472,
	/** The smallest MTU SCION allows (SCION_MIN_MTU in tools/topology/defines.py). */
	TOPO_MIN_MTU = 1280,
	TOPO_MAX_MTU = 65535,
	/** Largest .topo file read: the topologies are hand-written. */
	TOPO_MAX_FILE_LEN = 1 << 20,
	TOPO_ERR_MSG_LEN = 256,
};

enum topo_err {
	TOPO_OK = 0,
	TOPO_ERR_IO = -60,     /**< file cannot be read or is too large */
	TOPO_ERR_SYNTAX = -61, /**< not YAML, or not the expected shape */
	TOPO_ERR_KEY = -62,    /**< unknown or missing key */
	TOPO_ERR_VALUE = -63,  /**< a value is malformed or out of range */
	TOPO_ERR_DUP = -64,    /**< an AS or interface id defined twice */
	TOPO_ERR_LINK = -65,   /**< a link violates the topology rules */
	TOPO_ERR_LIMIT = -66,  /**< more ASes or links than TOPO_MAX_* */
	TOPO_ERR_NOMEM = -67,
};

/** Underlay of an AS (internal addresses) or a link (its two interface sockets). */
enum topo_underlay {
	TOPO_UNDERLAY_IPV4, /**< `UDP/IPv4`, the reference's default */
	TOPO_UNDERLAY_IPV6, /**< `UDP/IPv6` */
};

enum topo_link_type {
	TOPO_LINK_CORE,
	TOPO_LINK_CHILD, /**< a is the parent, b the child */
	TOPO_LINK_PEER,
};

struct topo_as {
	scion_ia_t ia;
	bool core;
	uint16_t mtu;
	enum topo_underlay underlay;
	unsigned line;
};

struct topo_endpoint {
	unsigned as;		   /**< index into topo.ases */
	uint16_t ifid;		   /**< 1..65535 */
	char br[TOPO_BR_NAME_LEN]; /**< the `-NAME` part, or empty */
};

struct topo_link {
	struct topo_endpoint a;
	struct topo_endpoint b;
	enum topo_link_type type;
	uint16_t mtu;
	bool hidden;
	/** The link's `underlay`, when the file gives one (see topo_link_underlay). */
	bool has_underlay;
	enum topo_underlay underlay;
	unsigned line;
};

struct topo {
	size_t num_ases;
	size_t num_links;
	struct topo_as ases[TOPO_MAX_ASES];
	struct topo_link links[TOPO_MAX_LINKS];
};

/** Where and why a parse failed: "file:line: message 'token'". */
struct topo_error {
	char msg[TOPO_ERR_MSG_LEN];
};

/**
 * Parses and validates len bytes of a .topo document; name is used in error messages.
 * On success *out is a new topology (free with topo_free).
 */
SEG_MUST_CHECK int topo_parse(const char *name, const uint8_t *buf, size_t len, struct topo **out,
			      struct topo_error *err);
/** Reads and parses a .topo file. */
SEG_MUST_CHECK int topo_load(const char *path, struct topo **out, struct topo_error *err);
void topo_free(struct topo *t);

/** The index of the AS with this IA, or -1. */
int topo_as_index(const struct topo *t, scion_ia_t ia);
/** The link attached to interface ifid of AS as_idx; *local_is_a tells which side is local. */
const struct topo_link *topo_link_at(const struct topo *t, unsigned as_idx, uint16_t ifid,
				     bool *local_is_a);

/**
 * The underlay of a link's sockets: its own `underlay` when given; otherwise IPv6 when both
 * of its ASes are IPv6 ASes, else IPv4. (The reference defaults every link to IPv4; a file
 * that makes two ASes IPv6 means their link too. A link between an IPv4 and an IPv6 AS is
 * IPv4 unless it says otherwise.)
 */
enum topo_underlay topo_link_underlay(const struct topo *t, const struct topo_link *l);

const char *topo_link_type_name(enum topo_link_type type);
const char *topo_underlay_name(enum topo_underlay u);

#endif /* SEG_TESTNET_TOPO_H */
