/* SPDX-License-Identifier: MIT */
/**
 * @file daemon.h
 * @brief The SCION daemon gRPC API (proto.daemon.v1.DaemonService): a client for seg and a
 * server framework for seg-testnet, both with seg's own types.
 *
 * The wire format is scionproto's `proto/daemon/v1/daemon.proto` (seg's copy in
 * `proto/daemon/v1/`); docs/daemon-api.md lists every field seg reads and how it is checked.
 *
 * Client threads: a `struct seg_daemon` is used by one thread at a time (the control thread).
 * Every call blocks that thread until the answer, an error, or the handle's timeout, never
 * longer: an unreachable daemon gives SEG_DAEMON_ERR_UNAVAILABLE or SEG_DAEMON_ERR_DEADLINE.
 * Retrying is the caller's business. Handles on different threads are independent.
 *
 * Server threads: seg_daemon_server_start() runs its own thread, which serves calls one at a
 * time and is the only thread that calls the ops; they must not block for long (every client
 * waits behind them). seg_daemon_server_stop() may be called from any other thread.
 *
 * Everything that comes from the other side is external input: answers and requests are
 * validated in full (lengths, counts, addresses, times) and rejected with a specific error.
 */
#ifndef SEG_DAEMON_H
#define SEG_DAEMON_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <seg/drkey.h>
#include <seg/scion_addr.h>
#include <seg/scion_path.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	/** Default TCP port of the SCION daemon's gRPC API (in SEG_DAEMON_DEFAULT_ADDR). */
	SEG_DAEMON_DEFAULT_PORT = 30255,
	/** Default per-call timeout of seg_daemon_open() when given 0. */
	SEG_DAEMON_DEFAULT_TIMEOUT_MS = 5000,
	/** Longest per-call timeout seg_daemon_open() accepts (one hour). */
	SEG_DAEMON_MAX_TIMEOUT_MS = 3600 * 1000,
	/** Longest raw dataplane path accepted: a full standard SCION path. */
	SEG_PATH_RAW_MAX = SCION_MAX_STD_PATH_LEN,
	/** Most interfaces on one path: two per link, fewer links than hop fields. */
	SEG_PATH_IFACES_MAX = 2 * SCION_MAX_HOPS,
	/** Most paths kept from one Paths answer; later ones are dropped (the daemon sends the
	 *  preferred ones first). */
	SEG_DAEMON_PATHS_MAX = 256,
	/** Most entries accepted in one Interfaces answer; more is rejected. */
	SEG_DAEMON_INTERFACES_MAX = 1024,
	/** A DRKey level-2 key: the length the derivations produce. */
	SEG_DRKEY_LEN = DRKEY_KEY_LEN,
	/** Longest underlay address text: "[" IPv6 "]:" port, plus NUL. */
	SEG_UNDERLAY_STRLEN = 56,
};

/** Default address of the SCION daemon's gRPC API, used when none is configured. */
#define SEG_DAEMON_DEFAULT_ADDR "127.0.0.1:30255"

/** Latest timestamp accepted (9999-12-31T23:59:59Z, the end of protobuf's Timestamp range). */
#define SEG_DAEMON_TIME_MAX UINT64_C(253402300799)

/** Errors of this API; negative, disjoint from the other seg error enums. */
enum seg_daemon_err {
	SEG_DAEMON_OK = 0,
	SEG_DAEMON_ERR_ARG = -100,	   /**< bad argument from the caller */
	SEG_DAEMON_ERR_NOMEM = -101,	   /**< out of memory */
	SEG_DAEMON_ERR_UNAVAILABLE = -102, /**< daemon unreachable (gRPC UNAVAILABLE) */
	SEG_DAEMON_ERR_DEADLINE = -103,	   /**< no answer within the timeout */
	SEG_DAEMON_ERR_STATUS = -104,	   /**< the daemon answered with another gRPC error */
	SEG_DAEMON_ERR_GRPC = -105,	   /**< the local gRPC library refused the call */
	SEG_DAEMON_ERR_NO_MESSAGE = -106,  /**< status OK but no response message */
	SEG_DAEMON_ERR_PROTOBUF = -107,	   /**< bytes are not a valid protobuf message */
	SEG_DAEMON_ERR_PATH_RAW = -108,	   /**< raw path too long or not a standard path */
	SEG_DAEMON_ERR_PATH_IFACES = -109, /**< path interfaces: count, ISD-AS or ID invalid */
	SEG_DAEMON_ERR_UNDERLAY = -110,	   /**< underlay address is not strict "ip:port" */
	SEG_DAEMON_ERR_MTU = -111,	   /**< MTU 0 or above 65535 */
	SEG_DAEMON_ERR_TIME = -112,	   /**< timestamp missing, out of range or inverted */
	SEG_DAEMON_ERR_KEY_LEN = -113,	   /**< DRKey not SEG_DRKEY_LEN bytes */
	SEG_DAEMON_ERR_TOO_MANY = -114,	   /**< more entries than the named limit */
	SEG_DAEMON_ERR_PORT_RANGE = -115,  /**< port range inverted or above 65535 */
	SEG_DAEMON_ERR_HOST = -116,	   /**< host address not an IP literal */
	SEG_DAEMON_ERR_PROTOCOL = -117,	   /**< DRKey protocol identifier above 65535 */
	SEG_DAEMON_ERR_IA = -118,	   /**< ISD-AS with ISD or AS 0 where one is needed */
	SEG_DAEMON_ERR_IFACE_ID = -119,	   /**< interface ID 0 or above 65535 */
	/* Results a server op may return; each becomes its gRPC status (docs/daemon-api.md). */
	SEG_DAEMON_ERR_NOT_FOUND = -120,     /**< nothing to answer: NOT_FOUND */
	SEG_DAEMON_ERR_UNIMPLEMENTED = -121, /**< method not offered: UNIMPLEMENTED */
	SEG_DAEMON_ERR_INTERNAL = -122,	     /**< the server failed: INTERNAL */
};

/** Dataplane path types a daemon answers with. */
enum seg_path_type {
	SEG_PATH_TYPE_EMPTY = 0, /**< inside the local AS: no raw path, no next hop */
	SEG_PATH_TYPE_SCION = 1, /**< standard SCION path */
};

/** One interface a path crosses. */
struct seg_path_interface {
	scion_ia_t ia;
	uint64_t id; /**< 1..65535 */
};

/** A path from the daemon. */
struct seg_path {
	enum seg_path_type type;
	uint8_t raw[SEG_PATH_RAW_MAX];
	size_t raw_len;
	/** Border router to send to (AF_INET or AF_INET6); AF_UNSPEC for an empty path. */
	struct sockaddr_storage next_hop;
	struct seg_path_interface ifaces[SEG_PATH_IFACES_MAX];
	size_t n_ifaces; /**< even; 0 exactly for an empty path */
	uint16_t mtu;
	uint64_t expiry_unix; /**< Unix seconds; 0 when the daemon sent none */
};

/** What the daemon knows about an AS. */
struct seg_daemon_as_info {
	scion_ia_t ia;
	bool core;
	uint16_t mtu;
};

/** A local interface and its border router's internal underlay address. */
struct seg_daemon_interface {
	uint64_t id; /**< 1..65535 */
	struct sockaddr_storage addr;
};

/** The dispatched SCION/UDP port range of the local AS, inclusive. */
struct seg_daemon_port_range {
	uint16_t start;
	uint16_t end;
};

/** The three kinds of DRKey level-2 keys the daemon serves. */
enum seg_drkey_kind {
	SEG_DRKEY_HOST_AS = 0,	 /**< DRKeyHostAS: uses src_host */
	SEG_DRKEY_AS_HOST = 1,	 /**< DRKeyASHost: uses dst_host */
	SEG_DRKEY_HOST_HOST = 2, /**< DRKeyHostHost: uses both */
};

/** A DRKey request. Hosts are IPv4 or IPv6 (sent as their text form, as the reference). */
struct seg_daemon_drkey_req {
	uint64_t val_time; /**< Unix seconds at which the key must be valid */
	uint16_t protocol; /**< proto.drkey.v1.Protocol; 0 = generic derivation */
	scion_ia_t src_ia;
	scion_ia_t dst_ia;
	struct scion_host src_host;
	struct scion_host dst_host;
};

/** A DRKey level-2 key and its epoch (Unix seconds, begin < end). A secret: wipe it. */
struct seg_drkey {
	uint8_t key[SEG_DRKEY_LEN];
	uint64_t epoch_begin;
	uint64_t epoch_end;
};

/** The Paths request as a server op sees it. */
struct seg_daemon_paths_req {
	scion_ia_t src;
	scion_ia_t dst;
	bool hidden;
	bool refresh;
};

/* ---------------------------------------------------------------------------------------- */
/* Client                                                                                    */

struct seg_daemon;

/**
 * Opens a handle to the daemon at addr ("host:port", "[v6]:port"; NULL for 127.0.0.1:30255),
 * with timeout_ms for every call (0 for SEG_DAEMON_DEFAULT_TIMEOUT_MS, at most
 * SEG_DAEMON_MAX_TIMEOUT_MS). Connects lazily:
 * an absent daemon shows in the first call. Returns NULL on a bad argument or no memory.
 */
struct seg_daemon *seg_daemon_open(const char *addr, int timeout_ms);
void seg_daemon_close(struct seg_daemon *d);

/**
 * Paths from src_ia to dst_ia. On success *paths is an array of *n paths (at most
 * SEG_DAEMON_PATHS_MAX; *paths is NULL when *n is 0), freed with seg_daemon_paths_free().
 * Any invalid path rejects the whole answer.
 */
SEG_MUST_CHECK int seg_daemon_paths(struct seg_daemon *d, scion_ia_t src_ia, scion_ia_t dst_ia,
				    bool hidden, bool refresh, struct seg_path **paths, size_t *n);
void seg_daemon_paths_free(struct seg_path *paths);

/** Information about an AS; ia 0 asks for the local AS. */
SEG_MUST_CHECK int seg_daemon_as_info(struct seg_daemon *d, scion_ia_t ia,
				      struct seg_daemon_as_info *out);

/** The local AS's interfaces, sorted by ID; free *out with seg_daemon_interfaces_free(). */
SEG_MUST_CHECK int seg_daemon_interfaces(struct seg_daemon *d, struct seg_daemon_interface **out,
					 size_t *n);
void seg_daemon_interfaces_free(struct seg_daemon_interface *ifaces);

/** The range of ports the local AS dispatches to endhosts (0-0: none). */
SEG_MUST_CHECK int seg_daemon_port_range(struct seg_daemon *d, struct seg_daemon_port_range *out);

/** A DRKey of the given kind. The key is written only on success; wipe it after use. */
SEG_MUST_CHECK int seg_daemon_drkey(struct seg_daemon *d, enum seg_drkey_kind kind,
				    const struct seg_daemon_drkey_req *req, struct seg_drkey *out);
/** seg_daemon_drkey() for SEG_DRKEY_HOST_AS, _AS_HOST and _HOST_HOST. */
SEG_MUST_CHECK int seg_daemon_drkey_host_as(struct seg_daemon *d,
					    const struct seg_daemon_drkey_req *req,
					    struct seg_drkey *out);
SEG_MUST_CHECK int seg_daemon_drkey_as_host(struct seg_daemon *d,
					    const struct seg_daemon_drkey_req *req,
					    struct seg_drkey *out);
SEG_MUST_CHECK int seg_daemon_drkey_host_host(struct seg_daemon *d,
					      const struct seg_daemon_drkey_req *req,
					      struct seg_drkey *out);

/**
 * The gRPC status code of the last call (0 = OK; 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE, ...)
 * and a message naming the method and what failed, e.g.
 * "Paths: daemon answered status 5 (NOT_FOUND): no path". Valid until the next call.
 */
int seg_daemon_last_status(const struct seg_daemon *d);
const char *seg_daemon_last_error(const struct seg_daemon *d);

/** A static English description of an enum seg_daemon_err value. */
const char *seg_daemon_strerror(int err);

/**
 * Parses an underlay address strictly: "a.b.c.d:port" or "[ipv6]:port", decimal port
 * 1..65535, no host names, no zones, nothing else. Returns 0 or SEG_DAEMON_ERR_UNDERLAY.
 */
SEG_MUST_CHECK int seg_underlay_parse(const char *s, struct sockaddr_storage *out);
/** Formats as seg_underlay_parse() reads it; cap at least SEG_UNDERLAY_STRLEN. */
SEG_MUST_CHECK int seg_underlay_format(const struct sockaddr_storage *a, char *buf, size_t cap);

/* ---------------------------------------------------------------------------------------- */
/* Server (seg-testnet's daemons)                                                            */

/**
 * Answers of a daemon. Each op returns 0 or a negative seg_daemon_err (NOT_FOUND,
 * UNIMPLEMENTED, ARG and the rest map to gRPC statuses, see docs/daemon-api.md); a NULL op
 * answers UNIMPLEMENTED. Arrays the ops return are allocated with malloc() and freed by the
 * server; what the ops return is validated like a client validates an answer, and an invalid
 * answer is sent as INTERNAL instead. Called on the server thread only.
 */
struct seg_daemon_service_ops {
	int (*paths)(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
		     size_t *n);
	int (*as_info)(void *ctx, scion_ia_t ia, struct seg_daemon_as_info *out);
	int (*interfaces)(void *ctx, struct seg_daemon_interface **out, size_t *n);
	int (*port_range)(void *ctx, struct seg_daemon_port_range *out);
	/** One op for the three DRKey methods; kind says which hosts of req are set. */
	int (*drkey)(void *ctx, enum seg_drkey_kind kind, const struct seg_daemon_drkey_req *req,
		     struct seg_drkey *out);
};

struct seg_daemon_server;

/**
 * Serves DaemonService on addr: a loopback IP literal and port ("127.0.0.1:0" picks a free
 * port), on a new thread. ops and ctx must outlive the server. *out_port (if not NULL) gets
 * the bound port. Returns 0 or a negative seg_daemon_err.
 */
SEG_MUST_CHECK int seg_daemon_server_start(const char *addr,
					   const struct seg_daemon_service_ops *ops, void *ctx,
					   struct seg_daemon_server **out, uint16_t *out_port);
/** Stops accepting, cancels calls in flight, joins the thread and frees. NULL is a no-op. */
void seg_daemon_server_stop(struct seg_daemon_server *s);

#ifdef __cplusplus
}
#endif
#endif /* SEG_DAEMON_H */
