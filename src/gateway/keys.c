/* SPDX-License-Identifier: MIT */
/*
 * The daemon worker (keys.h) and what the gateway asks of it: DRKey keys for the handshake
 * (docs/protocol.md §6), the dispatched port range. Paths: keys_paths.c.
 */
#include "keys.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include <seg/drkey.h>

#include "base/log.h"
#include "base/time.h"
#include "gateway_internal.h"
#include "protocol.h"
#include "timers.h"

/* One daemon client per thread: a client holds its last error and is used by one thread. */
struct keys_thread {
	struct keys_worker *w;
	struct seg_daemon *daemon;
	pthread_t thread;
	bool started;
};

struct keys_worker {
	struct evloop *loop;
	struct keys_thread threads[KEYS_THREADS];
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	int efd;
	struct keys_job *queue, **queue_tail; /* jobs waiting for this worker, oldest first */
	size_t n_todo;
	struct keys_job *done, **done_tail; /* finished, for the control thread */
};

struct keys_job *keys_job_new(enum keys_job_kind kind, keys_complete_fn *complete, void *arg)
{
	struct keys_job *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->kind = kind;
	j->complete = complete;
	j->arg = arg;
	return j;
}

void keys_job_free(struct keys_job *job)
{
	if (!job)
		return;
	seg_daemon_paths_free(job->paths);
	OPENSSL_cleanse(&job->key, sizeof(job->key));
	free(job);
}

static void job_run(struct seg_daemon *d, struct keys_job *j)
{
	switch (j->kind) {
	case KEYS_JOB_HOST_HOST:
		j->err = seg_daemon_drkey_host_host(d, &j->drkey_req, &j->key);
		break;
	case KEYS_JOB_HOST_AS:
		j->err = seg_daemon_drkey_host_as(d, &j->drkey_req, &j->key);
		break;
	case KEYS_JOB_PATHS:
		j->err = seg_daemon_paths(d, j->src_ia, j->dst_ia, j->hidden, false, &j->paths,
					  &j->n_paths);
		break;
	case KEYS_JOB_PORT_RANGE:
		j->err = seg_daemon_port_range(d, &j->range);
		break;
	}
	if (j->err)
		snprintf(j->errmsg, sizeof(j->errmsg), "%s", seg_daemon_last_error(d));
}

static void *worker_main(void *arg)
{
	struct keys_thread *t = arg;
	struct keys_worker *w = t->w;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->stop && !w->queue)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		struct keys_job *j = w->queue;

		w->queue = j->next;
		if (!w->queue)
			w->queue_tail = &w->queue;
		w->n_todo--;
		j->next = NULL;
		pthread_mutex_unlock(&w->lock);
		job_run(t->daemon, j); /* blocks up to the daemon client's deadline */
		pthread_mutex_lock(&w->lock);
		*w->done_tail = j;
		w->done_tail = &j->next;
		uint64_t one = 1;
		if (write(w->efd, &one, sizeof(one)) < 0) {
			/* The counter is saturated: the control thread is woken anyway. */
		}
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void worker_drain(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct keys_worker *w = arg;
	struct keys_job *list;
	uint64_t v;

	(void)loop;
	(void)fd;
	(void)events;
	if (read(w->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing new; the list below is checked regardless. */
	}
	pthread_mutex_lock(&w->lock);
	list = w->done;
	w->done = NULL;
	w->done_tail = &w->done;
	pthread_mutex_unlock(&w->lock);
	while (list) {
		struct keys_job *j = list;

		list = j->next;
		j->next = NULL;
		j->complete(j, false);
	}
}

/* Stops and joins the threads started, closes every client. */
static void threads_stop(struct keys_worker *w)
{
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (size_t i = 0; i < KEYS_THREADS; i++) {
		struct keys_thread *t = &w->threads[i];

		if (t->started)
			pthread_join(t->thread, NULL);
		seg_daemon_close(t->daemon);
	}
}

int keys_worker_start(struct evloop *loop, const char *daemon_addr, int timeout_ms,
		      struct keys_worker **out)
{
	struct keys_worker *w = calloc(1, sizeof(*w));
	int err;

	if (!w)
		return -ENOMEM;
	w->loop = loop;
	w->queue_tail = &w->queue;
	w->done_tail = &w->done;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->efd < 0) {
		err = -errno;
		goto err_efd;
	}
	err = evloop_fd_add(loop, w->efd, EVLOOP_READ, worker_drain, w);
	if (err)
		goto err_fd;
	for (size_t i = 0; i < KEYS_THREADS; i++) {
		struct keys_thread *t = &w->threads[i];

		t->w = w;
		t->daemon = seg_daemon_open(daemon_addr, timeout_ms);
		if (!t->daemon) {
			err = -EINVAL;
			goto err_threads;
		}
		if (pthread_create(&t->thread, NULL, worker_main, t) != 0) {
			err = -EAGAIN;
			goto err_threads;
		}
		t->started = true;
	}
	*out = w;
	return 0;

err_threads:
	threads_stop(w);
	evloop_fd_del(loop, w->efd);
err_fd:
	close(w->efd);
err_efd:
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return err;
}

static void cancel_list(struct keys_job *list)
{
	while (list) {
		struct keys_job *j = list;

		list = j->next;
		j->next = NULL;
		j->complete(j, true);
	}
}

void keys_worker_stop(struct keys_worker *w)
{
	if (!w)
		return;
	threads_stop(w);
	evloop_fd_del(w->loop, w->efd);
	cancel_list(w->queue);
	cancel_list(w->done);
	close(w->efd);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

int keys_submit(struct keys_worker *w, struct keys_job *job)
{
	/* No worker: the gateway is not running (yet); callers retry on their timers. */
	if (!w)
		return -EAGAIN;
	pthread_mutex_lock(&w->lock);
	if (w->n_todo >= KEYS_QUEUE_MAX) {
		pthread_mutex_unlock(&w->lock);
		return -EAGAIN;
	}
	job->next = NULL;
	*w->queue_tail = job;
	w->queue_tail = &job->next;
	w->n_todo++;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

/* ---- DRKey for the handshake ------------------------------------------------------------ */

static uint64_t wall_s(void)
{
	return seg_wall_now() / SEG_NS_PER_S;
}

/* Installs key as the current epoch's, keeping the old one for the grace period. */
static void handshake_keys_set(struct handshake_keys *k, bool *have, const uint8_t *key,
			       uint64_t epoch)
{
	if (*have && k->epoch == epoch) {
		memcpy(k->key, key, SEG_DRKEY_KEY_LEN);
		return;
	}
	if (*have) {
		k->has_previous = true;
		k->previous_epoch = k->epoch;
		memcpy(k->previous_key, k->key, SEG_DRKEY_KEY_LEN);
		k->previous_until_ns = seg_time_now() + SEG_DRKEY_GRACE_NS;
	}
	k->epoch = epoch;
	memcpy(k->key, key, SEG_DRKEY_KEY_LEN);
	*have = true;
}

static struct gw_as_key *as_key_slot(struct gateway *gw, scion_ia_t ia)
{
	size_t oldest = 0;

	for (size_t i = 0; i < gw->n_as_keys; i++)
		if (gw->as_keys[i].ia == ia)
			return &gw->as_keys[i];
	if (gw->n_as_keys < KEYS_AS_CACHE_MAX) {
		struct gw_as_key *k = &gw->as_keys[gw->n_as_keys++];

		memset(k, 0, sizeof(*k));
		k->ia = ia;
		return k;
	}
	for (size_t i = 1; i < gw->n_as_keys; i++)
		if (!gw->as_keys[i].pending &&
		    gw->as_keys[i].fetched_ns < gw->as_keys[oldest].fetched_ns)
			oldest = i;
	OPENSSL_cleanse(&gw->as_keys[oldest], sizeof(gw->as_keys[oldest]));
	gw->as_keys[oldest].ia = ia;
	return &gw->as_keys[oldest];
}

/* Responder: K(B:H_B, A:H_A) = level 3 from our host-AS key, for every peer of that AS. */
static void resp_keys_derive(struct gateway *gw, const struct gw_as_key *ak)
{
	for (size_t i = 0; i < gw->n_peers; i++) {
		struct seg_peer *p = gw->peers[i];
		uint8_t k[DRKEY_KEY_LEN];

		if (p->remote.addr.addr.ia != ak->ia)
			continue;
		if (drkey_host_host_derive(ak->key.key, &p->remote.addr.addr.host, k) != 0) {
			seg_log_error("peer %s: DRKey level 3 derivation failed",
				      p->remote.description);
			continue;
		}
		handshake_keys_set(&p->resp_keys, &p->have_resp_keys, k, ak->key.epoch_begin);
		OPENSSL_cleanse(k, sizeof(k));
		peer_handshake_keys_ready(p);
	}
}

/* ---- failed daemon calls ----------------------------------------------------------------- */

static const char *job_error(const struct keys_job *j)
{
	return j->errmsg[0] ? j->errmsg : seg_daemon_strerror(j->err);
}

/*
 * A failed call of a peer's job; failures counts this one. The daemon client's message names
 * the address, the method and the error. Warned on the 1st, 2nd, 4th, 8th... failure in a
 * row, so an absent daemon is logged a few times, not at every retry; the rest is debug.
 */
static void daemon_failed_log(const struct seg_peer *p, const struct keys_job *j, unsigned failures,
			      uint64_t retry_ns)
{
	enum seg_log_level lvl = (failures & (failures - 1)) ? SEG_LOG_DEBUG : SEG_LOG_WARN;

	seg_log(lvl, "peer %s: daemon %s (failure %u in a row); retrying in %llu ms",
		p->remote.description, job_error(j), failures,
		(unsigned long long)seg_time_to_ms(retry_ns));
}

static void daemon_recovered_log(const struct seg_peer *p, const char *what, unsigned failures)
{
	if (failures)
		seg_log_info("peer %s: daemon %s answers %s again after %u failed calls",
			     p->remote.description, p->gw->daemon_addr, what, failures);
}

static void host_as_failed(struct gateway *gw, const struct keys_job *j, scion_ia_t ia)
{
	char ia_str[SCION_IA_STRLEN];
	bool told = false;

	/* The host-host job of the same round failed first and was warned about; retry this
	 * key with it, at its backoff. */
	for (size_t i = 0; i < gw->n_peers; i++) {
		struct seg_peer *p = gw->peers[i];

		if (p->remote.addr.addr.ia != ia || p->dead)
			continue;
		told = told || p->keys_failures > 0;
		timers_keys_retry(p);
	}
	if (scion_ia_format(ia, ia_str, sizeof(ia_str)) != 0)
		snprintf(ia_str, sizeof(ia_str), "?");
	seg_log(told ? SEG_LOG_DEBUG : SEG_LOG_WARN, "DRKey host-AS key for AS %s: %s", ia_str,
		job_error(j));
}

static void host_as_done(struct keys_job *j, bool cancelled)
{
	struct gateway *gw = j->arg;
	struct gw_as_key *ak;

	if (cancelled)
		goto out;
	ak = as_key_slot(gw, j->drkey_req.dst_ia);
	ak->pending = false;
	if (j->err) {
		host_as_failed(gw, j, ak->ia);
		goto out;
	}
	ak->key = j->key;
	ak->valid = true;
	ak->fetched_ns = seg_time_now();
	resp_keys_derive(gw, ak);
out:
	keys_job_free(j);
}

static void host_host_done(struct keys_job *j, bool cancelled)
{
	struct seg_peer *p = j->arg;

	if (cancelled || p->dead)
		goto out;
	if (j->err) {
		uint64_t retry = timers_keys_failed(p);

		daemon_failed_log(p, j, p->keys_failures, retry);
		goto out;
	}
	daemon_recovered_log(p, "DRKeyHostHost", p->keys_failures);
	/* Jobs finish out of order (several threads): never go back to an older epoch. */
	if (p->have_init_keys && j->key.epoch_begin < p->init_keys.epoch)
		goto out;
	handshake_keys_set(&p->init_keys, &p->have_init_keys, j->key.key, j->key.epoch_begin);
	{
		uint64_t now = wall_s();
		uint64_t left = j->key.epoch_end > now ? j->key.epoch_end - now : 0;

		timers_keys_fetched(p, SEG_SEC(left));
	}
	if (p->hs_wanted)
		peer_handshake_start(p, false);
out:
	seg_peer_put(p);
	keys_job_free(j);
}

static void drkey_req_fill(struct seg_daemon_drkey_req *r, const struct scion_addr *fast,
			   const struct scion_addr *slow)
{
	memset(r, 0, sizeof(*r));
	r->val_time = wall_s();
	r->protocol = SEG_DRKEY_PROTOCOL;
	r->src_ia = fast->ia;
	r->src_host = fast->host;
	r->dst_ia = slow->ia;
	r->dst_host = slow->host;
}

void gw_keys_request_peer(struct gateway *gw, struct seg_peer *p)
{
	struct keys_job *j;
	struct gw_as_key *ak;

	/* Initiator: the peer is the fast side; our daemon fetches K(peer, us). */
	j = keys_job_new(KEYS_JOB_HOST_HOST, host_host_done, p);
	if (j) {
		drkey_req_fill(&j->drkey_req, &p->remote.addr.addr, &gw->conf.local.addr);
		seg_peer_get(p);
		if (keys_submit(gw->keys, j) != 0) {
			seg_peer_put(p);
			keys_job_free(j);
			(void)timers_keys_failed(p);
		}
	}
	/* Responder: we are the fast side; one host-AS key per remote AS and epoch. */
	ak = as_key_slot(gw, p->remote.addr.addr.ia);
	if (ak->valid &&
	    drkey_epoch_contains(&(struct drkey_epoch){.begin = (uint32_t)ak->key.epoch_begin,
						       .end = (uint32_t)ak->key.epoch_end},
				 wall_s())) {
		resp_keys_derive(gw, ak);
		return;
	}
	if (ak->pending)
		return;
	j = keys_job_new(KEYS_JOB_HOST_AS, host_as_done, gw);
	if (!j)
		return;
	drkey_req_fill(&j->drkey_req, &gw->conf.local.addr, &p->remote.addr.addr);
	memset(&j->drkey_req.dst_host, 0, sizeof(j->drkey_req.dst_host));
	if (keys_submit(gw->keys, j) != 0) {
		keys_job_free(j);
		return;
	}
	ak->pending = true;
}

/* ---- port range -------------------------------------------------------------------------- */

static void port_range_done(struct keys_job *j, bool cancelled)
{
	struct gateway *gw = j->arg;
	uint16_t port = gateway_port(gw);

	if (!cancelled && !j->err && (port < j->range.start || port > j->range.end))
		seg_log_warn("underlay port %u is outside the AS's dispatched port range %u-%u: "
			     "border routers may not deliver to it",
			     port, j->range.start, j->range.end);
	else if (!cancelled && j->err)
		seg_log_debug("PortRange: %s", seg_daemon_strerror(j->err));
	keys_job_free(j);
}

void gw_port_range_check(struct gateway *gw)
{
	struct keys_job *j = keys_job_new(KEYS_JOB_PORT_RANGE, port_range_done, gw);

	if (j && keys_submit(gw->keys, j) != 0)
		keys_job_free(j);
}
