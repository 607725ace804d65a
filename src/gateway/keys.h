/* SPDX-License-Identifier: MIT */
/*
 * Daemon calls off the control thread: KEYS_THREADS worker threads, each with its own daemon
 * client (whose calls block up to their deadline), take jobs from one queue: DRKey host-host
 * and host-AS keys, Paths (public and hidden), PortRange; jobs may finish out of order. A
 * finished job is queued back and a worker wakes the control thread through an eventfd
 * registered on the loop; the control thread runs each job's completion there.
 *
 * Why an eventfd and not evloop_post: a posted closure that the loop never runs (the loop
 * is freed, or shared with other gateways and outlives this one) would leak its job and the
 * peer reference inside; with the worker's own queue, keys_worker_stop finds and releases
 * every job, whatever state it is in.
 *
 * Bounds: at most KEYS_QUEUE_MAX jobs wait; keys_submit refuses more (-EAGAIN) and the
 * caller's timer retries.
 *
 * Thread: keys_* on the control thread; the worker is internal.
 */
#ifndef SEG_GATEWAY_KEYS_H
#define SEG_GATEWAY_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/daemon.h>

struct evloop;

enum {
	/*
	 * Daemon calls in flight. A call is a round trip (~0.3-0.7 ms on loopback), not CPU
	 * work: with two, a Paths or host-AS call is not queued behind a long run of
	 * initiator host-host keys (one per peer), and a daemon that serves calls
	 * concurrently (scionproto's does) answers two at a time. bench/handshake's
	 * in-process daemon serves one call at a time: 1, 2 and 4 threads measure alike there.
	 */
	KEYS_THREADS = 2,
	KEYS_QUEUE_MAX = 1024,
	/* Remote ASes whose host-AS key the responder caches; beyond, the oldest is replaced. */
	KEYS_AS_CACHE_MAX = 256,
	/* The daemon client's message for a failed call: address, method, error. */
	KEYS_ERRMSG_LEN = 512,
};

enum keys_job_kind {
	KEYS_JOB_HOST_HOST,
	KEYS_JOB_HOST_AS,
	KEYS_JOB_PATHS,
	KEYS_JOB_PORT_RANGE,
};

struct keys_job;
/* Runs on the control thread with the result, or with cancelled set at shutdown; frees job. */
typedef void keys_complete_fn(struct keys_job *job, bool cancelled);

struct keys_job {
	struct keys_job *next;
	enum keys_job_kind kind;
	keys_complete_fn *complete;
	void *arg;
	/* Request. */
	struct seg_daemon_drkey_req drkey_req;
	scion_ia_t src_ia, dst_ia;
	bool hidden;
	/* Result. */
	int err;
	struct seg_drkey key; /* wiped by keys_job_free */
	struct seg_path *paths;
	size_t n_paths;
	struct seg_daemon_port_range range;
	char errmsg[KEYS_ERRMSG_LEN]; /* when err: seg_daemon_last_error() of the call */
};

struct keys_worker;

/* Opens the daemon client and starts the worker; 0 or a negative errno. */
SEG_MUST_CHECK int keys_worker_start(struct evloop *loop, const char *daemon_addr, int timeout_ms,
				     struct keys_worker **out);
/* Joins the worker and completes every job still anywhere with cancelled = true. */
void keys_worker_stop(struct keys_worker *w);
/* Queues a job (ownership moves to the worker on success). 0 or -EAGAIN (queue full, or w
 * is NULL: no worker yet). */
SEG_MUST_CHECK int keys_submit(struct keys_worker *w, struct keys_job *job);
/* A zeroed job; NULL on no memory. */
struct keys_job *keys_job_new(enum keys_job_kind kind, keys_complete_fn *complete, void *arg);
/* Wipes the key, frees paths and the job. */
void keys_job_free(struct keys_job *job);

#endif /* SEG_GATEWAY_KEYS_H */
