/* SPDX-License-Identifier: MIT */
/*
 * Path manager: per peer, the set of candidate paths, their probing schedule and liveness,
 * and the choice of the active path (DESIGN.md "Path management"; docs/path-management.md).
 *
 * A pure state machine: no sockets, no clock, no logging. The gateway glue feeds it the
 * daemon's paths (pathmgr_update_candidates), tells it what happened (probe sent, probe reply,
 * SCMP interface down, timer tick) with the monotonic time in ns, sends the probes it asks for
 * (pathmgr_next_probe), sends data on pathmgr_active()/pathmgr_active_set(), and logs the
 * events it pops (pathmgr_event_pop).
 *
 * Timers (the original's `pathing:` keys keep their meaning, see pathmgr_config):
 *  - probe of the active path (and of the redundant second path): every keepAliveInterval;
 *  - probe of every other path (backup, hidden, dead): every idle_probe_interval;
 *  - liveness check (pathmgr_tick): every keepAliveTimeoutInterval, and (adaptive timeout)
 *    also at the deadline of the oldest unanswered probe;
 *  - a path is dead when a probe sent after its last answered probe is older than the
 *    path's probe timeout without a reply; it is alive again on the reply to a probe sent
 *    after it died. The probe timeout is keepAliveTimeout when configured (the original's
 *    fixed value), else adaptive per path (PATHMGR_TIMEOUT_AUTO, seg's default):
 *      clamp(SRTT + max(keepAliveInterval, 4 * RTTVAR),
 *            PATHMGR_AUTO_MIN_LOST * keepAliveInterval, PATHMGR_AUTO_MAX_TIMEOUT_NS)
 *    as RFC 6298 section 2 computes a retransmission timeout, floored so that at least
 *    PATHMGR_AUTO_MIN_LOST probes in a row went unanswered; PATHMGR_AUTO_INITIAL_TIMEOUT_NS
 *    before the first RTT sample (RFC 6298 section 2.1);
 *  - after any change of the active path, a voluntary migration (to a better path while the
 *    active one still works) waits migrateGraceTimeout; a failover never waits.
 *
 * Thread: the control thread owns a pathmgr; nothing here locks.
 */
#ifndef SEG_GATEWAY_PATHMGR_H
#define SEG_GATEWAY_PATHMGR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <seg/scion_addr.h>
#include <seg/scion_path.h>

#include "pathpolicy.h"

enum {
	/* Bound on public paths per peer. Overflow: keep the active path if offered, then the
	 * best by policy (with the stats of paths already known); drop the rest. */
	PATHMGR_MAX_PUBLIC_PATHS = 16,
	/* Bound on hidden paths per peer (combined through the rendezvous AS); same overflow. */
	PATHMGR_MAX_HIDDEN_PATHS = 8,
	PATHMGR_MAX_PATHS = PATHMGR_MAX_PUBLIC_PATHS + PATHMGR_MAX_HIDDEN_PATHS,
	/* Raw dataplane path bytes: the largest standard SCION path. */
	PATHMGR_MAX_RAW_PATH = SCION_MAX_STD_PATH_LEN,
	/* Interfaces of one path: two per inter-AS link, at most SCION_MAX_HOPS links. */
	PATHMGR_MAX_INTERFACES = 2 * SCION_MAX_HOPS,
	/* Loss is measured over the last this many probes of a path (also the probe memory:
	 * a reply to an older probe is not recognised). */
	PATHMGR_LOSS_WINDOW = 16,
	/* Pending events for the log; on overflow the oldest is dropped and counted. */
	PATHMGR_MAX_EVENTS = 32,
	/* No path; path ids start at 1 and are never reused by one pathmgr. */
	PATHMGR_NO_PATH = 0,
};

/* seg's defaults of the `pathing:` keys (docs/configuration.md compares them with the
 * original's 50 ms / 300 ms / 30 ms / 500 ms of its gateway/pathmgr.go) and of our new key. */
#define PATHMGR_DEFAULT_KEEPALIVE_INTERVAL_NS	      20000000ull /* keepAliveInterval 20 ms */
#define PATHMGR_DEFAULT_KEEPALIVE_TIMEOUT_NS	      PATHMGR_TIMEOUT_AUTO /* keepAliveTimeout */
#define PATHMGR_DEFAULT_KEEPALIVE_TIMEOUT_INTERVAL_NS 30000000ull  /* keepAliveTimeoutInterval */
#define PATHMGR_DEFAULT_MIGRATE_GRACE_TIMEOUT_NS      500000000ull /* migrateGraceTimeout 500 ms */
#define PATHMGR_DEFAULT_IDLE_PROBE_INTERVAL_NS	      500000000ull /* new: backup probe period */

/* keepalive_timeout_ns value for the adaptive per-path probe timeout (the rule above). */
#define PATHMGR_TIMEOUT_AUTO 0ull
/* Adaptive timeout: before the first RTT sample (RFC 6298 section 2.1's initial RTO)... */
#define PATHMGR_AUTO_INITIAL_TIMEOUT_NS 1000000000ull
/* ...and never more: a path slower than this is unusable for a tunnel anyway. */
#define PATHMGR_AUTO_MAX_TIMEOUT_NS 1000000000ull
/* Adaptive timeout floor, in keepAliveIntervals: this many probes in a row unanswered, so a
 * single lost probe or a short stall never kills a path (20 ms interval: 80 ms). */
#define PATHMGR_AUTO_MIN_LOST 4u

enum pathmgr_err {
	PATHMGR_ERR_CONFIG = -300,	  /* a pathing duration is zero or inconsistent */
	PATHMGR_ERR_NOMEM = -301,	  /* allocation failed */
	PATHMGR_ERR_UNKNOWN_PATH = -302,  /* no path with that id (vanished or never existed) */
	PATHMGR_ERR_UNKNOWN_PROBE = -303, /* reply to a probe not outstanding on that path */
	PATHMGR_ERR_INVALID = -304,	  /* argument out of range */
};

/* Which set of paths an update replaces. */
enum pathmgr_set {
	PATHMGR_SET_PUBLIC = 0, /* from the daemon's Paths(peer IA) */
	PATHMGR_SET_HIDDEN = 1, /* combined through the rendezvous AS (hidden.h) */
};

enum pathmgr_liveness {
	PATHMGR_PATH_UNKNOWN = 0, /* no probe answered yet, none timed out */
	PATHMGR_PATH_ALIVE = 1,
	PATHMGR_PATH_DEAD = 2,
};

enum pathmgr_reason {
	PATHMGR_REASON_INITIAL = 0,	   /* first active path */
	PATHMGR_REASON_PROBE_TIMEOUT = 1,  /* no reply within the probe timeout */
	PATHMGR_REASON_INTERFACE_DOWN = 2, /* SCMP external/internal interface down */
	PATHMGR_REASON_REMOVED = 3,	   /* vanished from the candidates, or expired */
	PATHMGR_REASON_BETTER = 4,	   /* a better path, after migrateGraceTimeout */
	PATHMGR_REASON_PROBE_REPLY = 5,	   /* a probe sent after the path died came back */
};

enum pathmgr_event_kind {
	PATHMGR_EVENT_ACTIVE_CHANGED = 0, /* from -> to (either may be PATHMGR_NO_PATH) */
	PATHMGR_EVENT_PATH_DOWN = 1,	  /* from = the path */
	PATHMGR_EVENT_PATH_UP = 2,	  /* from = the path */
};

struct pathmgr_event {
	enum pathmgr_event_kind kind;
	enum pathmgr_reason reason;
	uint32_t from;
	uint32_t to;
	uint64_t at_ns;
};

/* One interface a path crosses, in travel order (as the daemon lists them). */
struct pathmgr_interface {
	scion_ia_t ia;
	uint64_t ifid;
};

/* A path as the daemon (or hidden_combine) gives it; the glue copies into this. */
struct pathmgr_candidate {
	uint8_t raw[PATHMGR_MAX_RAW_PATH]; /* dataplane path bytes, ready to send */
	size_t raw_len;
	uint8_t path_type;		  /* enum scion_path_type (seg/scion_packet.h) */
	struct sockaddr_storage next_hop; /* underlay next hop (border router) */
	struct pathmgr_interface ifaces[PATHMGR_MAX_INTERFACES];
	size_t num_ifaces;
	uint16_t mtu;
	uint64_t expiry; /* Unix seconds */
	bool hidden;
};

struct pathmgr_config {
	/* keepAliveInterval: probe period of the active path (and redundant second path). */
	uint64_t keepalive_interval_ns;
	/* keepAliveTimeout: an unanswered probe this old marks its path dead; or
	 * PATHMGR_TIMEOUT_AUTO: adaptive per path (the rule at the top of this file). */
	uint64_t keepalive_timeout_ns;
	/* keepAliveTimeoutInterval: period of the liveness check (pathmgr_tick), as the
	 * original's keepAliveChecker ticker. With a fixed timeout detection takes at most
	 * timeout + this; the adaptive timeout is also checked at its deadline. */
	uint64_t keepalive_timeout_interval_ns;
	/* migrateGraceTimeout: hold-down after an active path change before a voluntary
	 * migration to a better path. */
	uint64_t migrate_grace_timeout_ns;
	/* New: probe period of every path that is not carrying data. */
	uint64_t idle_probe_interval_ns;
	enum pathpolicy_kind policy;
	bool hidden_first; /* the original's -hiddenFailover: prefer hidden paths */
	bool redundant;	   /* send on the two best disjoint paths */
};

/* What `seg status` shows of one path. ifaces points into the pathmgr and is valid until the
 * next call that changes it. */
struct pathmgr_path_info {
	uint32_t id;
	uint64_t fingerprint;
	uint32_t hops;
	bool hidden;
	bool active;
	bool secondary; /* the redundant second path */
	enum pathmgr_liveness state;
	bool rtt_known;
	uint64_t srtt_ns;
	uint64_t rttvar_ns;
	uint64_t timeout_ns;	/* the probe timeout in force (fixed or adaptive) */
	uint32_t loss_permille; /* over the settled probes of the last PATHMGR_LOSS_WINDOW */
	uint64_t probes_sent;
	uint64_t replies;
	uint16_t mtu;
	uint64_t expiry; /* Unix seconds */
	const struct pathmgr_interface *ifaces;
	size_t num_ifaces;
};

struct pathmgr_stats {
	uint64_t candidates_rejected; /* malformed, expired or in the wrong set */
	uint64_t candidates_dropped;  /* over the per-set limit */
	uint64_t events_dropped;
	uint64_t failovers;  /* active changes forced by a dead or vanished path */
	uint64_t migrations; /* voluntary active changes */
};

struct pathmgr;

void pathmgr_config_default(struct pathmgr_config *cfg);
SEG_MUST_CHECK int pathmgr_config_validate(const struct pathmgr_config *cfg);

SEG_MUST_CHECK int pathmgr_create(const struct pathmgr_config *cfg, struct pathmgr **out);
void pathmgr_destroy(struct pathmgr *pm);

/* 64-bit FNV-1a over each interface as IA (8 bytes BE) then ifid (8 bytes BE). A fast key
 * only: dedup also compares the interface lists themselves. */
uint64_t pathmgr_fingerprint(const struct pathmgr_interface *ifaces, size_t n);

/*
 * Replaces the paths of one set with cands[0..n): paths still offered (same interface list)
 * keep their id and probe stats and take the new bytes, next hop, MTU and expiry; vanished
 * ones are dropped; duplicates keep the latest expiry (the first on a tie); expired or
 * malformed candidates and those whose hidden flag disagrees with set are skipped and
 * counted. unix_now (s) converts expiries to the monotonic clock.
 */
SEG_MUST_CHECK int pathmgr_update_candidates(struct pathmgr *pm, enum pathmgr_set set,
					     const struct pathmgr_candidate *cands, size_t n,
					     uint64_t now_ns, uint64_t unix_now);

/* True and *path_id when a probe is due now; the glue sends it and calls probe_sent. */
bool pathmgr_next_probe(const struct pathmgr *pm, uint64_t now_ns, uint32_t *path_id);
/* Records a probe (sent or not: a failed send counts as lost) and schedules the next. */
SEG_MUST_CHECK int pathmgr_probe_sent(struct pathmgr *pm, uint32_t path_id, uint64_t seq,
				      uint64_t now_ns);
/* A reply to an outstanding probe: RTT sample, liveness, maybe a new active path. */
SEG_MUST_CHECK int pathmgr_probe_reply(struct pathmgr *pm, uint32_t path_id, uint64_t seq,
				       uint64_t now_ns);
/* The liveness check and expiry; call at pathmgr_next_wakeup(). */
void pathmgr_tick(struct pathmgr *pm, uint64_t now_ns);
/* Earliest time the glue must call back: a probe due, the next check or an expiry. */
uint64_t pathmgr_next_wakeup(const struct pathmgr *pm);
/* SCMP named (ia, ifid) down: every path through it is dead until a later probe returns.
 * Returns the number of paths affected. */
size_t pathmgr_interface_down(struct pathmgr *pm, scion_ia_t ia, uint64_t ifid, uint64_t now_ns);

/* The active path id, or PATHMGR_NO_PATH. */
uint32_t pathmgr_active(const struct pathmgr *pm);
/* Redundant mode: the active path and the best alive path sharing no interface with it. */
size_t pathmgr_active_set(const struct pathmgr *pm, uint32_t ids[2]);
/* The stored candidate of a path (raw bytes, next hop), or NULL. Valid until the next update. */
const struct pathmgr_candidate *pathmgr_path_lookup(const struct pathmgr *pm, uint32_t path_id);

size_t pathmgr_path_count(const struct pathmgr *pm);
/* Paths in storage order, index < pathmgr_path_count(). */
SEG_MUST_CHECK int pathmgr_path_info(const struct pathmgr *pm, size_t index, uint64_t now_ns,
				     struct pathmgr_path_info *out);
const struct pathmgr_stats *pathmgr_stats(const struct pathmgr *pm);

/* Oldest pending event, if any. */
bool pathmgr_event_pop(struct pathmgr *pm, struct pathmgr_event *out);
const char *pathmgr_reason_name(enum pathmgr_reason reason);
const char *pathmgr_liveness_name(enum pathmgr_liveness state);

#endif /* SEG_GATEWAY_PATHMGR_H */
