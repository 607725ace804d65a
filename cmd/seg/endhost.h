/* SPDX-License-Identifier: MIT */
/*
 * What `seg paths` and `seg ping` share: a SCION endhost made of a daemon handle, the local
 * ISD-AS (from the daemon's AS call), a local host IP and a dispatcher-less socket bound in
 * the AS's dispatched port range; path formatting as `scion showpaths` prints it; SCMP
 * messages in words; and path probing with SCMP traceroute.
 *
 * Thread: one; the CLI is single-threaded.
 */
#ifndef SEG_CMD_ENDHOST_H
#define SEG_CMD_ENDHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/daemon.h>

#include "scion/socket.h"

enum {
	/** Per-call timeout of the daemon calls the CLI makes. */
	ENDHOST_DAEMON_TIMEOUT_MS = 5000,
	/** Enough for "[IA a>b IA ...]" of a full path: 64 links of two IDs and an ISD-AS. */
	ENDHOST_HOPS_STRLEN = SEG_PATH_IFACES_MAX / 2 * (2 * 6 + SCION_IA_STRLEN) + 32,
	/** Enough for one SCMP message in words. */
	ENDHOST_SCMP_STRLEN = 160,
};

struct endhost {
	const char *prog;   /**< "seg paths", for messages */
	const char *sciond; /**< daemon address as given (NULL: the default) */
	struct seg_daemon *daemon;
	scion_ia_t local_ia;
	struct scion_host local_host;
	struct scion_socket *sock; /**< NULL until endhost_bind() */
};

/**
 * Opens the daemon handle and asks the daemon for the local ISD-AS. Prints what failed to
 * stderr, prefixed with prog, and returns -1 on failure.
 */
int endhost_open(struct endhost *e, const char *prog, const char *sciond);
void endhost_close(struct endhost *e);

/** Paths to dst (prints the daemon's error and returns -1 on failure). */
int endhost_paths(struct endhost *e, scion_ia_t dst, bool hidden, bool refresh,
		  struct seg_path **paths, size_t *n);

/**
 * Chooses the local host IP and binds the socket. The IP is, in order: local (a literal,
 * when given); the daemon's own IP when it is a loopback address (seg-testnet: each AS's
 * daemon listens on that AS's host IP); otherwise the source address the kernel would use
 * towards the first path's next hop (a connect() of a UDP socket, which sends nothing). The
 * port comes from the AS's dispatched range (PortRange) so that routers deliver to it.
 */
int endhost_bind(struct endhost *e, const char *local, const struct seg_path *paths, size_t n);

/** The socket route of a daemon path (pointers into p). */
void endhost_route(const struct seg_path *p, struct scion_route *out);

/** An ISD-AS as text ("?" if it cannot be formatted, which cannot happen in the buffer). */
void endhost_ia_format(scion_ia_t ia, char buf[SCION_IA_STRLEN]);
/** "[1-ff00:0:110 2>41 1-ff00:0:111]" (the local ISD-AS alone for an empty path). */
void endhost_hops_format(const struct seg_path *p, scion_ia_t local, char *buf, size_t cap);
/** "1-ff00:0:110#2 1-ff00:0:111#41", the interfaces in travel order. */
void endhost_sequence_format(const struct seg_path *p, char *buf, size_t cap);
/** An SCMP error or informational message in words, e.g. "external interface down from
 * 1-ff00:0:110 ifid 2". */
void endhost_scmp_describe(const struct scmp_msg *m, char *buf, size_t cap);

/** What a probe found out about one path. */
enum endhost_probe_status {
	ENDHOST_PROBE_ALIVE,   /**< the traceroute reply came back */
	ENDHOST_PROBE_TIMEOUT, /**< nothing came back in time */
	ENDHOST_PROBE_SCMP,    /**< an SCMP error came back instead (see scmp) */
	ENDHOST_PROBE_LOCAL,   /**< the empty path: nothing to probe */
	ENDHOST_PROBE_ERROR,   /**< the probe could not be sent */
};

struct endhost_probe {
	enum endhost_probe_status status;
	double rtt_ms;			/**< ALIVE */
	char info[ENDHOST_SCMP_STRLEN]; /**< SCMP: the error; ERROR: why */
	uint8_t scmp_type;		/**< SCMP */
};

/**
 * Probes every path at once, as `scion showpaths --probe` does: an SCMP traceroute request
 * with the router alert set on the last hop field, so that the destination AS's border
 * router answers. Waits at most timeout_ms in all. out has n entries. Returns 0, or -1 when
 * the socket failed (printed).
 */
int endhost_probe(struct endhost *e, const struct seg_path *paths, size_t n, int timeout_ms,
		  struct endhost_probe *out);
const char *endhost_probe_status_name(enum endhost_probe_status s);

/** Parses a decimal unsigned integer in [min, max]; false (nothing written) otherwise. */
bool endhost_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

#endif /* SEG_CMD_ENDHOST_H */
