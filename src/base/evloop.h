/* SPDX-License-Identifier: MIT */
/*
 * The event loop of the control thread, in the spirit of Redis' ae.c: file descriptors
 * with readable/writable callbacks, timers, signals and work posted from other threads,
 * all dispatched one at a time from evloop_run(). The backend (epoll, signalfd, eventfd)
 * stays behind this header.
 *
 * One iteration: wait until a descriptor is ready or the earliest timer is due (timeouts
 * are rounded up to the next millisecond, so timers never fire early), call the
 * descriptor callbacks, then the callbacks of every timer due at that moment, in
 * (deadline, arm order). Signals and posted work arrive as descriptor events.
 *
 * Timers are intrusive: embed a struct evloop_timer in the object it belongs to, initialise
 * it once, then arm, re-arm and cancel it as often as needed (each O(log n), no
 * allocation except growing the heap). A callback may re-arm or cancel any timer,
 * including its own, and may free its object after cancelling its timers.
 *
 * Thread rule: every function runs on the loop's thread (the one that calls evloop_run, or
 * any single thread before it runs), except evloop_post() and evloop_stop(), which any
 * thread may call at any time. Workers hand work to the control thread through
 * evloop_post(); the closure then runs on the loop's thread.
 */
#ifndef SEG_BASE_EVLOOP_H
#define SEG_BASE_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "base/timer_heap.h"

struct evloop;

enum evloop_events {
	EVLOOP_READ = 1 << 0,
	EVLOOP_WRITE = 1 << 1,
};

enum {
	/* Work items evloop_post() queues before it refuses with -EAGAIN. */
	EVLOOP_POST_QUEUE_MAX = 4096,
	/* Descriptor events taken from the kernel per iteration. */
	EVLOOP_EVENTS_PER_WAIT = 64,
};

/* events: the EVLOOP_READ/WRITE bits that are ready. Errors and hangups are reported as
 * whichever of the two the descriptor is registered for, so the callback's read() or
 * write() sees the error. */
typedef void evloop_fd_fn(struct evloop *loop, int fd, unsigned events, void *arg);
typedef void evloop_timer_fn(struct evloop *loop, void *arg);
typedef void evloop_signal_fn(struct evloop *loop, int signo, void *arg);
typedef void evloop_work_fn(void *arg);

struct evloop_timer {
	struct timer_heap_node node;
	evloop_timer_fn *fn;
	void *arg;
};

/* A new loop, or NULL (errno set) when the kernel objects or memory cannot be had. */
struct evloop *evloop_new(void);
/* Frees the loop. Pending timers are dropped (left disarmed), queued work is discarded
 * without running, signals it blocked are unblocked again. NULL is a no-op. */
void evloop_free(struct evloop *loop);

/* Runs until evloop_stop(). 0 after a stop, negative errno when waiting fails. */
__attribute__((warn_unused_result)) int evloop_run(struct evloop *loop);
/* Makes evloop_run() return after the current callback, or at once if it is not running
 * yet. Any thread. */
void evloop_stop(struct evloop *loop);

/* Watches fd for events (EVLOOP_READ and/or EVLOOP_WRITE). One registration per fd:
 * -EEXIST when fd is already watched. 0 or negative errno. */
__attribute__((warn_unused_result)) int evloop_fd_add(struct evloop *loop, int fd, unsigned events,
						      evloop_fd_fn *fn, void *arg);
/* Changes which events of a watched fd are wanted (0 pauses it). */
__attribute__((warn_unused_result)) int evloop_fd_modify(struct evloop *loop, int fd,
							 unsigned events);
/* Stops watching fd; call before closing it. Events already fetched for it in the current
 * iteration are dropped. No-op when fd is not watched. */
void evloop_fd_del(struct evloop *loop, int fd);

void evloop_timer_init(struct evloop_timer *t, evloop_timer_fn *fn, void *arg);
/* Arms t at an absolute monotonic deadline (base/time.h), or moves it there if armed.
 * 0, or -ENOMEM (t unchanged). */
__attribute__((warn_unused_result)) int evloop_timer_arm(struct evloop *loop,
							 struct evloop_timer *t, uint64_t deadline);
/* The same, delay nanoseconds from now. */
__attribute__((warn_unused_result)) int evloop_timer_arm_in(struct evloop *loop,
							    struct evloop_timer *t, uint64_t delay);
/* Disarms t; no-op when it is not armed. */
void evloop_timer_cancel(struct evloop *loop, struct evloop_timer *t);
bool evloop_timer_pending(const struct evloop_timer *t);
/* Number of armed timers. */
uint64_t evloop_timer_count(const struct evloop *loop);

/* Delivers signo (SIGINT, SIGTERM, SIGHUP, ...) to fn on the loop's thread instead of to a
 * handler. Blocks signo in the calling thread: register before starting worker threads so
 * they inherit the mask. -EEXIST when signo already has a callback, -EINVAL when out of
 * range. */
__attribute__((warn_unused_result)) int evloop_signal_add(struct evloop *loop, int signo,
							  evloop_signal_fn *fn, void *arg);

/* Queues fn(arg) to run on the loop's thread, in posting order. Any thread. -EAGAIN when
 * EVLOOP_POST_QUEUE_MAX items are already waiting (the caller keeps ownership of arg and
 * decides: drop and count, or retry later). */
__attribute__((warn_unused_result)) int evloop_post(struct evloop *loop, evloop_work_fn *fn,
						    void *arg);

#endif /* SEG_BASE_EVLOOP_H */
