/* SPDX-License-Identifier: MIT */
/*
 * Hidden paths through the rendezvous AS R (DESIGN.md "Path management", hidden.h): ask our
 * daemon for hidden paths to R, send them to the peer over the control channel (gateway
 * kind), and combine our own × the peer's with hidden_combine into the hidden candidate set.
 *
 *   fetch (peer start, path refresh, peer restarted) ──► own paths ──► send to the peer
 *                                                                 └──► recombine
 *   peer's list (decoded, checked: its IA, our R) ──────► stored ──► recombine
 *   current session changed (control channel reset) ────► send ours again
 *
 * The combined paths replace the path manager's hidden set; they are probed like every
 * other path and carry data when no public path is alive (or first, with -hiddenFailover).
 */
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/log.h"
#include "base/time.h"
#include "gateway_internal.h"
#include "hidden.h"
#include "timers.h"

enum {
	/* The combined path has at most 3 segments (hidden_combine) and the peer's part has at
	 * least one: a path to R of more than 2 segments can never be combined. */
	HX_OWN_SEGMENTS_MAX = 2,
	HX_MSG_MAX = 1 + HIDDEN_MAX_MSG_LEN,
};

/* Per peer with rendezvousAddr; control thread (freed by the last reference). */
struct hidden_state {
	bool fetching; /* a Paths(R, hidden) job is queued */
	bool have_own; /* a fetch completed: own[] is what our daemon offers */
	size_t n_own;
	struct pathmgr_candidate own[HIDDEN_MAX_PATHS];
	size_t peer_len; /* 0: no list from the peer yet */
	uint8_t peer_msg[HIDDEN_MAX_MSG_LEN];
	struct hidden_path_list list; /* decode scratch */
};

static struct hidden_state *state_get(struct seg_peer *p)
{
	if (!p->remote.has_rendezvous || p->dead)
		return NULL;
	if (!p->hidden) {
		p->hidden = calloc(1, sizeof(*p->hidden));
		if (!p->hidden)
			seg_log_error("peer %s: no memory for hidden paths", p->remote.description);
	}
	return p->hidden;
}

void hidden_exchange_free(struct seg_peer *p)
{
	free(p->hidden);
	p->hidden = NULL;
}

/* ---- combining ------------------------------------------------------------------------- */

/* Own paths × the peer's into the hidden set (an empty set when either side has none). */
static void recombine(struct seg_peer *p, struct hidden_state *st)
{
	struct pathmgr_candidate *cands = NULL;
	size_t n = 0, rejected = 0;
	uint64_t unix_now = seg_wall_now() / SEG_NS_PER_S;
	int err;

	if (st->peer_len && st->n_own) {
		if (hidden_list_decode(st->peer_msg, st->peer_len, &st->list) != 0)
			abort(); /* it decoded when it was stored */
		cands = calloc(st->n_own * st->list.count + 1, sizeof(*cands));
		if (!cands) {
			seg_log_error("peer %s: no memory to combine hidden paths",
				      p->remote.description);
			return;
		}
		for (size_t i = 0; i < st->n_own; i++)
			for (size_t j = 0; j < st->list.count; j++) {
				if (hidden_combine(&st->own[i], &st->list.paths[j],
						   p->remote.rendezvous, &cands[n]) == 0)
					n++;
				else
					rejected++;
			}
	}
	err = pathmgr_update_candidates(p->pm, PATHMGR_SET_HIDDEN, cands, n, seg_time_now(),
					unix_now);
	free(cands);
	if (err) {
		seg_log_warn("peer %s: hidden path update: %d", p->remote.description, err);
		return;
	}
	seg_log_debug("peer %s: %zu hidden paths through the rendezvous AS (%zu combinations "
		      "rejected)",
		      p->remote.description, n, rejected);
	peer_routes_sync(p);
	timers_paths_changed(p);
}

/* ---- sending ---------------------------------------------------------------------------- */

static void send_own(struct seg_peer *p, struct hidden_state *st)
{
	struct hidden_path_list *l = &st->list;
	uint8_t *msg;
	size_t len;
	int err;

	if (!st->have_own || p->state != PEER_UP)
		return; /* sent when the session comes up (hidden_exchange_resend) */
	memset(l, 0, sizeof(*l));
	l->src_ia = p->gw->conf.local.addr.ia;
	l->rendezvous_ia = p->remote.rendezvous;
	for (size_t i = 0; i < st->n_own; i++)
		if (hidden_path_from_candidate(&st->own[i], &l->paths[l->count]) == 0)
			l->count++;
	msg = malloc(HX_MSG_MAX); /* per path list, not per packet */
	if (!msg)
		return;
	msg[0] = GW_MSG_HIDDEN_PATHS;
	err = hidden_list_encode(l, msg + 1, HX_MSG_MAX - 1, &len);
	if (!err)
		err = peer_ctrl_send_gateway(p, msg, len + 1);
	free(msg);
	if (err)
		seg_log_warn("peer %s: hidden path list not sent: %d", p->remote.description, err);
	else
		seg_log_debug("peer %s: %zu hidden paths to the rendezvous AS sent",
			      p->remote.description, l->count);
}

void hidden_exchange_resend(struct seg_peer *p)
{
	if (p->hidden)
		send_own(p, p->hidden);
}

/* ---- fetching ---------------------------------------------------------------------------- */

/* Whether our path to R can be the first part of a combined path (hidden.h): a standard path
 * to R of at most two segments, the last one traversed up to R, no peering. hidden_combine
 * checks again, with the peer's part. */
static bool own_usable(const struct pathmgr_candidate *c, scion_ia_t rdv)
{
	struct scion_std_path sp;

	if (c->path_type != SCION_PATH_TYPE_SCION || c->num_ifaces < 2 ||
	    c->num_ifaces > HIDDEN_MAX_INTERFACES || c->ifaces[c->num_ifaces - 1].ia != rdv ||
	    scion_std_path_decode(c->raw, c->raw_len, &sp) != 0)
		return false;
	if (sp.num_infs > HX_OWN_SEGMENTS_MAX || sp.inf[sp.num_infs - 1].cons_dir)
		return false;
	for (unsigned i = 0; i < sp.num_infs; i++)
		if (sp.inf[i].peer)
			return false;
	return true;
}

/* Keeps the shortest HIDDEN_MAX_PATHS usable paths (insertion into a sorted array). */
static void own_offer(struct hidden_state *st, const struct pathmgr_candidate *c)
{
	size_t at = st->n_own;

	while (at > 0 && st->own[at - 1].num_ifaces > c->num_ifaces)
		at--;
	if (at == HIDDEN_MAX_PATHS)
		return;
	if (st->n_own == HIDDEN_MAX_PATHS)
		st->n_own--;
	memmove(&st->own[at + 1], &st->own[at], (st->n_own - at) * sizeof(st->own[0]));
	st->own[at] = *c;
	st->n_own++;
}

static void fetch_done(struct keys_job *j, bool cancelled)
{
	struct seg_peer *p = j->arg;
	struct hidden_state *st = p->hidden;
	struct pathmgr_candidate *c = NULL;
	uint64_t unix_now = seg_wall_now() / SEG_NS_PER_S;

	if (st)
		st->fetching = false;
	if (cancelled || p->dead || !st)
		goto out;
	if (j->err) {
		/* Keep what we had; the next refresh tries again. */
		seg_log_warn("peer %s: hidden paths to the rendezvous AS: %s",
			     p->remote.description, seg_daemon_strerror(j->err));
		goto out;
	}
	c = malloc(sizeof(*c));
	if (!c)
		goto out;
	st->n_own = 0;
	for (size_t i = 0; i < j->n_paths; i++) {
		gw_candidate_from_path(&j->paths[i], c, unix_now);
		if (own_usable(c, p->remote.rendezvous))
			own_offer(st, c);
	}
	st->have_own = true;
	seg_log_debug("peer %s: %zu of %zu paths to the rendezvous AS usable",
		      p->remote.description, st->n_own, j->n_paths);
	send_own(p, st);
	recombine(p, st);
out:
	free(c);
	seg_peer_put(p);
	keys_job_free(j);
}

void hidden_exchange_start(struct seg_peer *p)
{
	struct hidden_state *st = state_get(p);
	struct keys_job *j;

	if (!st || st->fetching)
		return;
	j = keys_job_new(KEYS_JOB_PATHS, fetch_done, p);
	if (!j)
		return;
	j->src_ia = p->gw->conf.local.addr.ia;
	j->dst_ia = p->remote.rendezvous;
	j->hidden = true;
	seg_peer_get(p);
	if (keys_submit(p->gw->keys, j) != 0) {
		/* Queue full: the next path refresh tries again. */
		seg_peer_put(p);
		keys_job_free(j);
		return;
	}
	st->fetching = true;
}

/* ---- receiving --------------------------------------------------------------------------- */

void hidden_exchange_receive(struct seg_peer *p, const uint8_t *msg, size_t len)
{
	struct hidden_state *st = state_get(p);
	int err;

	if (!st) {
		/* No rendezvous configured for this remote (or no memory): not ours to use. */
		gw_drop(p->gw, p, GW_DROP_HIDDEN_REJECTED);
		return;
	}
	err =
	    len > sizeof(st->peer_msg) ? HIDDEN_ERR_COUNT : hidden_list_decode(msg, len, &st->list);
	if (!err && (st->list.src_ia != p->remote.addr.addr.ia ||
		     st->list.rendezvous_ia != p->remote.rendezvous))
		err = HIDDEN_ERR_ENDPOINT;
	if (err) {
		gw_drop(p->gw, p, GW_DROP_HIDDEN_REJECTED);
		seg_log_warn("peer %s: hidden path list rejected: %s", p->remote.description,
			     hidden_strerror(err));
		return;
	}
	memcpy(st->peer_msg, msg, len);
	st->peer_len = len;
	seg_log_debug("peer %s: %zu hidden paths of the peer to the rendezvous AS",
		      p->remote.description, st->list.count);
	recombine(p, st);
}
