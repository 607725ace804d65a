/* SPDX-License-Identifier: MIT */
/* The peer timers (timers.h has the list); the only file that arms or cancels them. */
#include "timers.h"

#include <limits.h>

#include "base/log.h"
#include "gateway_internal.h"
#include "probe.h"

static void arm_at(struct seg_peer *p, struct evloop_timer *t, uint64_t deadline)
{
	if (p->dead)
		return;
	if (evloop_timer_arm(p->gw->loop, t, deadline) != 0)
		seg_log_error("peer %s: cannot arm a timer (no memory)", p->remote.description);
}

static void arm_in(struct seg_peer *p, struct evloop_timer *t, uint64_t delay)
{
	arm_at(p, t, seg_time_add(seg_time_now(), delay));
}

static void on_handshake(struct evloop *loop, void *arg)
{
	struct seg_peer *p = arg;

	(void)loop;
	/* Unanswered: a fresh Init (new ephemeral key, newer timestamp). */
	if (p->hs.pending || p->hs_wanted)
		peer_handshake_start(p, p->state == PEER_UP);
}

static void on_rekey(struct evloop *loop, void *arg)
{
	struct seg_peer *p = arg;

	(void)loop;
	seg_log_debug("peer %s: rekey after %llu ms", p->remote.description,
		      (unsigned long long)seg_time_to_ms(p->gw->timing.rekey_after_time_ns));
	peer_handshake_start(p, true);
}

static void on_keepalive(struct evloop *loop, void *arg)
{
	struct seg_peer *p = arg;
	const struct gw_timing *tm = &p->gw->timing;
	struct session_evicted ev = {0};
	uint64_t now = seg_time_now(), last_sent;
	bool have_current;

	(void)loop;
	pthread_mutex_lock(&p->lock);
	session_slots_expire(&p->slots, now, &ev);
	have_current = p->slots.current && session_can_send(p->slots.current, now);
	last_sent = p->last_sent_ns;
	pthread_mutex_unlock(&p->lock);
	peer_sessions_release(p, &ev);

	if (p->state == PEER_UP &&
	    (!have_current || seg_time_expired(now, p->last_recv_ns + tm->dead_after_ns))) {
		seg_log_info("peer %s: down (%s)", p->remote.description,
			     have_current ? "silent" : "session expired");
		peer_set_state(p, PEER_DOWN);
		peer_handshake_start(p, false);
	} else if (p->state == PEER_UP && p->last_recv_ns > last_sent &&
		   seg_time_expired(now, last_sent + tm->keepalive_timeout_ns)) {
		tx_keepalive(p);
	}
	arm_in(p, &p->t_keepalive, tm->keepalive_timeout_ns / 2);
}

static void on_probe(struct evloop *loop, void *arg)
{
	(void)loop;
	probe_run(arg);
}

static void on_paths(struct evloop *loop, void *arg)
{
	struct seg_peer *p = arg;

	(void)loop;
	gw_paths_request(p->gw, p);
	hidden_exchange_start(p); /* a no-op without rendezvousAddr */
}

static void on_ctrl(struct evloop *loop, void *arg)
{
	(void)loop;
	peer_ctrl_poll(arg);
}

static void on_reasm(struct evloop *loop, void *arg)
{
	struct seg_peer *p = arg;

	(void)loop;
	frag_reasm_expire(&p->reasm, seg_time_now());
	timers_reasm_changed(p);
}

static void on_keys(struct evloop *loop, void *arg)
{
	struct seg_peer *p = arg;

	(void)loop;
	gw_keys_request_peer(p->gw, p);
}

void timers_peer_init(struct seg_peer *p)
{
	evloop_timer_init(&p->t_handshake, on_handshake, p);
	evloop_timer_init(&p->t_rekey, on_rekey, p);
	evloop_timer_init(&p->t_keepalive, on_keepalive, p);
	evloop_timer_init(&p->t_probe, on_probe, p);
	evloop_timer_init(&p->t_paths, on_paths, p);
	evloop_timer_init(&p->t_ctrl, on_ctrl, p);
	evloop_timer_init(&p->t_reasm, on_reasm, p);
	evloop_timer_init(&p->t_keys, on_keys, p);
}

void timers_peer_stop(struct seg_peer *p)
{
	struct evloop *l = p->gw->loop;

	evloop_timer_cancel(l, &p->t_handshake);
	evloop_timer_cancel(l, &p->t_rekey);
	evloop_timer_cancel(l, &p->t_keepalive);
	evloop_timer_cancel(l, &p->t_probe);
	evloop_timer_cancel(l, &p->t_paths);
	evloop_timer_cancel(l, &p->t_ctrl);
	evloop_timer_cancel(l, &p->t_reasm);
	evloop_timer_cancel(l, &p->t_keys);
}

void timers_peer_started(struct seg_peer *p)
{
	arm_in(p, &p->t_keys, 0);
	arm_in(p, &p->t_paths, 0);
	arm_in(p, &p->t_keepalive, p->gw->timing.keepalive_timeout_ns / 2);
}

void timers_handshake_initiated(struct seg_peer *p)
{
	arm_in(p, &p->t_handshake, p->gw->timing.rekey_timeout_ns);
}

void timers_handshake_complete(struct seg_peer *p)
{
	evloop_timer_cancel(p->gw->loop, &p->t_handshake);
}

void timers_session_established(struct seg_peer *p, bool initiator)
{
	if (initiator)
		arm_in(p, &p->t_rekey, p->gw->timing.rekey_after_time_ns);
	else
		evloop_timer_cancel(p->gw->loop, &p->t_rekey);
	arm_in(p, &p->t_probe, 0);
}

/* TIMERS_RETRY_NS doubled per consecutive failure, at most TIMERS_RETRY_MAX_NS. */
static uint64_t retry_delay(unsigned failures)
{
	uint64_t d = TIMERS_RETRY_NS;

	for (unsigned i = 1; i < failures && d < TIMERS_RETRY_MAX_NS; i++)
		d *= 2;
	return d < TIMERS_RETRY_MAX_NS ? d : TIMERS_RETRY_MAX_NS;
}

static void failures_inc(unsigned *n)
{
	if (*n < UINT_MAX)
		(*n)++;
}

void timers_keys_fetched(struct seg_peer *p, uint64_t epoch_left_ns)
{
	/* The daemon answers again: a path fetch waiting out its backoff goes now. */
	if (p->paths_failures)
		arm_in(p, &p->t_paths, 0);
	p->keys_failures = 0;
	/* Fetch the next epoch's key as this one ends; the previous one stays for the grace
	 * period (keys.c). */
	arm_in(p, &p->t_keys, epoch_left_ns > TIMERS_RETRY_NS ? epoch_left_ns : TIMERS_RETRY_NS);
}

uint64_t timers_keys_failed(struct seg_peer *p)
{
	uint64_t d;

	failures_inc(&p->keys_failures);
	d = retry_delay(p->keys_failures);
	arm_in(p, &p->t_keys, d);
	return d;
}

void timers_keys_retry(struct seg_peer *p)
{
	arm_in(p, &p->t_keys, retry_delay(p->keys_failures));
}

void timers_paths_fetched(struct seg_peer *p)
{
	if (p->keys_failures)
		arm_in(p, &p->t_keys, 0);
	p->paths_failures = 0;
	arm_in(p, &p->t_paths, p->gw->timing.path_refresh_ns);
	timers_paths_changed(p);
}

uint64_t timers_paths_failed(struct seg_peer *p)
{
	uint64_t d;

	failures_inc(&p->paths_failures);
	d = retry_delay(p->paths_failures);
	arm_in(p, &p->t_paths, d);
	return d;
}

void timers_paths_changed(struct seg_peer *p)
{
	uint64_t next = pathmgr_next_wakeup(p->pm);

	if (next != UINT64_MAX)
		arm_at(p, &p->t_probe, next);
}

void timers_ctrl_changed(struct seg_peer *p)
{
	uint64_t next;

	pthread_mutex_lock(&p->lock);
	next = ctrlchan_next_timeout(&p->ctrl);
	pthread_mutex_unlock(&p->lock);
	if (next == UINT64_MAX)
		evloop_timer_cancel(p->gw->loop, &p->t_ctrl);
	else
		arm_at(p, &p->t_ctrl, next);
}

void timers_reasm_changed(struct seg_peer *p)
{
	uint64_t next = frag_reasm_next_timeout(&p->reasm);

	if (next == UINT64_MAX)
		evloop_timer_cancel(p->gw->loop, &p->t_reasm);
	else
		arm_at(p, &p->t_reasm, next);
}
