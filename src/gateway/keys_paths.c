/* SPDX-License-Identifier: MIT */
/*
 * Public paths from the daemon, asked once per remote ISD-AS. The answer of Paths(us → AS)
 * does not depend on the host in that AS, so every peer of the AS gets the same candidates:
 * 1000 peers in one AS cost one call per refresh, not 1000 (bench/README.md "handshake").
 *
 * The refresh schedule stays the peers' own (timers.c, t_paths): the first peer of an AS
 * whose timer fires asks; while that call runs the others' requests join it; the answer
 * re-arms every peer of the AS, so they stay in step and the next refresh is again one call.
 * A failed call backs off every peer of the AS (timers_paths_failed) and is logged once per
 * AS. Nothing of the answer is kept: a peer added later (reload) asks, and its answer
 * refreshes its siblings too.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/time.h"
#include "gateway_internal.h"
#include "keys.h"
#include "timers.h"

void gw_candidate_from_path(const struct seg_path *sp, struct pathmgr_candidate *c,
			    uint64_t unix_now)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->raw, sp->raw, sp->raw_len);
	c->raw_len = sp->raw_len;
	c->path_type =
	    sp->type == SEG_PATH_TYPE_EMPTY ? SCION_PATH_TYPE_EMPTY : SCION_PATH_TYPE_SCION;
	c->next_hop = sp->next_hop;
	for (size_t i = 0; i < sp->n_ifaces && i < PATHMGR_MAX_INTERFACES; i++) {
		c->ifaces[i].ia = sp->ifaces[i].ia;
		c->ifaces[i].ifid = sp->ifaces[i].id;
	}
	c->num_ifaces = sp->n_ifaces;
	c->mtu = sp->mtu;
	/* The empty path (same AS) does not expire; a daemon may send no expiry for it. */
	c->expiry = sp->expiry_unix ? sp->expiry_unix : unix_now + 24 * 3600;
}

/* The AS's entry, a new one, or NULL when every slot has a call in flight. A full table
 * reuses a slot with no call in flight: it holds no answer, only the in-flight mark. */
static struct gw_ia_paths *ia_slot(struct gateway *gw, scion_ia_t ia)
{
	struct gw_ia_paths *e;

	for (size_t i = 0; i < gw->n_ia_paths; i++)
		if (gw->ia_paths[i].ia == ia)
			return &gw->ia_paths[i];
	if (gw->n_ia_paths < KEYS_AS_CACHE_MAX) {
		e = &gw->ia_paths[gw->n_ia_paths++];
		goto fresh;
	}
	for (size_t i = 0; i < gw->n_ia_paths; i++)
		if (!gw->ia_paths[i].pending) {
			e = &gw->ia_paths[i];
			goto fresh;
		}
	return NULL;
fresh:
	memset(e, 0, sizeof(*e));
	e->ia = ia;
	return e;
}

static void ia_name(scion_ia_t ia, char *buf, size_t cap)
{
	if (scion_ia_format(ia, buf, cap) != 0)
		snprintf(buf, cap, "?");
}

/* The candidates into one peer's path manager; false when it refused them. */
static bool peer_paths_apply(struct seg_peer *p, const struct pathmgr_candidate *cands, size_t n,
			     uint64_t unix_now)
{
	int err = pathmgr_update_candidates(p->pm, PATHMGR_SET_PUBLIC, cands, n, seg_time_now(),
					    unix_now);

	if (err) {
		seg_log_warn("peer %s: path update: %d", p->remote.description, err);
		return false;
	}
	seg_log_debug("peer %s: %zu paths from the daemon", p->remote.description, n);
	p->paths_fetched_ns = seg_time_now();
	peer_routes_sync(p);
	timers_paths_fetched(p);
	if (p->hs_wanted)
		peer_handshake_start(p, false);
	return true;
}

/* Every live peer of the AS: the answer (cands, n), or on !ok a failure and its backoff. */
static uint64_t peers_of_ia_apply(struct gateway *gw, scion_ia_t ia, bool ok,
				  const struct pathmgr_candidate *cands, size_t n,
				  uint64_t unix_now)
{
	uint64_t retry = 0;

	for (size_t i = 0; i < gw->n_peers; i++) {
		struct seg_peer *p = gw->peers[i];

		if (p->dead || p->remote.addr.addr.ia != ia)
			continue;
		if (!ok || !peer_paths_apply(p, cands, n, unix_now))
			retry = timers_paths_failed(p);
	}
	return retry;
}

static void paths_failed_log(struct gw_ia_paths *e, const struct keys_job *j, uint64_t retry)
{
	char ia[SCION_IA_STRLEN];

	if (e->failures < UINT_MAX)
		e->failures++;
	ia_name(j->dst_ia, ia, sizeof(ia));
	/* Warned on the 1st, 2nd, 4th, 8th... failure in a row; the rest is debug. */
	seg_log((e->failures & (e->failures - 1)) ? SEG_LOG_DEBUG : SEG_LOG_WARN,
		"paths to AS %s: daemon %s (failure %u in a row); retrying in %llu ms", ia,
		j->errmsg[0] ? j->errmsg : seg_daemon_strerror(j->err), e->failures,
		(unsigned long long)seg_time_to_ms(retry));
}

static void paths_done(struct keys_job *j, bool cancelled)
{
	struct gateway *gw = j->arg;
	struct pathmgr_candidate *cands = NULL;
	struct gw_ia_paths *e;
	uint64_t unix_now = seg_wall_now() / SEG_NS_PER_S, retry;
	char ia[SCION_IA_STRLEN];

	if (cancelled)
		goto out;
	e = ia_slot(gw, j->dst_ia); /* NULL only if evicted and the table is busy */
	if (e)
		e->pending = false;
	if (!j->err && j->n_paths) {
		cands = calloc(j->n_paths, sizeof(*cands));
		if (!cands) {
			j->err = SEG_DAEMON_ERR_NOMEM;
			snprintf(j->errmsg, sizeof(j->errmsg), "Paths: no memory for the answer");
		}
	}
	if (j->err) {
		/* The paths the peers have stay in use until they expire (pathmgr). */
		retry = peers_of_ia_apply(gw, j->dst_ia, false, NULL, 0, unix_now);
		if (e)
			paths_failed_log(e, j, retry);
		goto out;
	}
	if (e && e->failures) {
		ia_name(j->dst_ia, ia, sizeof(ia));
		seg_log_info("paths to AS %s: daemon %s answers Paths again after %u failed calls",
			     ia, gw->daemon_addr, e->failures);
		e->failures = 0;
	}
	for (size_t i = 0; i < j->n_paths; i++)
		gw_candidate_from_path(&j->paths[i], &cands[i], unix_now);
	(void)peers_of_ia_apply(gw, j->dst_ia, true, cands, j->n_paths, unix_now);
	free(cands);
out:
	keys_job_free(j);
}

void gw_paths_request(struct gateway *gw, struct seg_peer *p)
{
	scion_ia_t ia = p->remote.addr.addr.ia;
	struct gw_ia_paths *e = ia_slot(gw, ia);
	struct keys_job *j;

	if (e && e->pending)
		return; /* the call in flight answers for p too */
	j = keys_job_new(KEYS_JOB_PATHS, paths_done, gw);
	if (!j) {
		(void)timers_paths_failed(p);
		return;
	}
	j->src_ia = gw->conf.local.addr.ia;
	j->dst_ia = ia;
	if (keys_submit(gw->keys, j) != 0) {
		keys_job_free(j);
		(void)timers_paths_failed(p);
		return;
	}
	if (e)
		e->pending = true;
}
