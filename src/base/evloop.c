// SPDX-License-Identifier: MIT
/*
 * The epoll backend of evloop.h. Everything the loop waits for is a descriptor in one
 * epoll set: user descriptors, one signalfd for all registered signals and one eventfd
 * that other threads write to after queueing work (or asking the loop to stop). Timers are
 * not descriptors: the earliest deadline in the heap bounds the epoll_wait timeout.
 */
#include "base/evloop.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "base/time.h"

enum {
	EVLOOP_FD_MIN_CAP = 64,
	EVLOOP_SIGNAL_MAX = 64, /* signals 1..64, SIGRTMAX on Linux */
};

struct fd_watch {
	evloop_fd_fn *fn;
	void *arg;
	unsigned events;
	bool used;
};

struct signal_watch {
	evloop_signal_fn *fn;
	void *arg;
};

struct work {
	evloop_work_fn *fn;
	void *arg;
};

struct evloop {
	int epfd;
	struct fd_watch *fds; /* indexed by descriptor */
	size_t fds_cap;
	struct timer_heap timers;
	atomic_bool stop;

	int sigfd;		  /* -1 until the first evloop_signal_add */
	sigset_t sigs;		  /* the signals sigfd reads */
	sigset_t sigs_we_blocked; /* to unblock on free */
	struct signal_watch sig_watch[EVLOOP_SIGNAL_MAX + 1];

	int wakefd;	      /* eventfd: work queued or stop requested */
	pthread_mutex_t lock; /* guards the work ring only */
	struct work *ring;    /* EVLOOP_POST_QUEUE_MAX slots */
	size_t ring_head;     /* next to run */
	size_t ring_len;      /* queued */
};

#define timer_of(n) ((struct evloop_timer *)((char *)(n)-offsetof(struct evloop_timer, node)))

static uint32_t epoll_mask(unsigned events)
{
	return (events & EVLOOP_READ ? EPOLLIN : 0) | (events & EVLOOP_WRITE ? EPOLLOUT : 0);
}

static struct fd_watch *watch_of(struct evloop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->fds_cap || !loop->fds[fd].used)
		return NULL;
	return &loop->fds[fd];
}

static int fds_reserve(struct evloop *loop, int fd)
{
	if ((size_t)fd < loop->fds_cap)
		return 0;
	size_t cap = loop->fds_cap ? loop->fds_cap : EVLOOP_FD_MIN_CAP;
	while (cap <= (size_t)fd)
		cap *= 2;
	struct fd_watch *fds = realloc(loop->fds, cap * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	memset(fds + loop->fds_cap, 0, (cap - loop->fds_cap) * sizeof(*fds));
	loop->fds = fds;
	loop->fds_cap = cap;
	return 0;
}

int evloop_fd_add(struct evloop *loop, int fd, unsigned events, evloop_fd_fn *fn, void *arg)
{
	if (fd < 0 || !fn)
		return -EINVAL;
	if (watch_of(loop, fd))
		return -EEXIST;
	int err = fds_reserve(loop, fd);
	if (err)
		return err;
	struct epoll_event ev = {.events = epoll_mask(events), .data.fd = fd};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
		return -errno;
	loop->fds[fd] = (struct fd_watch){.fn = fn, .arg = arg, .events = events, .used = true};
	return 0;
}

int evloop_fd_modify(struct evloop *loop, int fd, unsigned events)
{
	struct fd_watch *w = watch_of(loop, fd);
	if (!w)
		return -ENOENT;
	struct epoll_event ev = {.events = epoll_mask(events), .data.fd = fd};
	if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
		return -errno;
	w->events = events;
	return 0;
}

void evloop_fd_del(struct evloop *loop, int fd)
{
	struct fd_watch *w = watch_of(loop, fd);
	if (!w)
		return;
	/* Fails only when fd was already closed, which removed it from the set anyway. */
	(void)epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
	*w = (struct fd_watch){0};
}

void evloop_timer_init(struct evloop_timer *t, evloop_timer_fn *fn, void *arg)
{
	timer_heap_node_init(&t->node);
	t->fn = fn;
	t->arg = arg;
}

int evloop_timer_arm(struct evloop *loop, struct evloop_timer *t, uint64_t deadline)
{
	return timer_heap_arm(&loop->timers, &t->node, deadline) ? -ENOMEM : 0;
}

int evloop_timer_arm_in(struct evloop *loop, struct evloop_timer *t, uint64_t delay)
{
	return evloop_timer_arm(loop, t, seg_time_add(seg_time_now(), delay));
}

void evloop_timer_cancel(struct evloop *loop, struct evloop_timer *t)
{
	timer_heap_cancel(&loop->timers, &t->node);
}

bool evloop_timer_pending(const struct evloop_timer *t)
{
	return timer_heap_node_linked(&t->node);
}

uint64_t evloop_timer_count(const struct evloop *loop)
{
	return timer_heap_len(&loop->timers);
}

/* Runs the timers due now. Timers armed by these callbacks wait for the next iteration
 * (their sequence number is past the mark), so a timer re-armed for "now" cannot starve
 * the descriptors. */
static void run_timers(struct evloop *loop)
{
	uint64_t now = seg_time_now();
	uint64_t mark = loop->timers.next_seq;
	struct timer_heap_node *n;

	while (!atomic_load(&loop->stop) && (n = timer_heap_peek(&loop->timers)) &&
	       seg_time_expired(now, n->deadline) && n->seq < mark) {
		timer_heap_pop(&loop->timers);
		struct evloop_timer *t = timer_of(n);
		t->fn(loop, t->arg);
	}
}

/* Milliseconds until the earliest timer, rounded up; -1 without timers. */
static int wait_timeout(struct evloop *loop)
{
	struct timer_heap_node *n = timer_heap_peek(&loop->timers);
	if (!n)
		return -1;
	uint64_t until = seg_time_until(seg_time_now(), n->deadline);
	uint64_t ms = (until + SEG_MS(1) - 1) / SEG_MS(1);
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void dispatch_fd(struct evloop *loop, const struct epoll_event *ev)
{
	int fd = ev->data.fd;
	struct fd_watch *w = watch_of(loop, fd);
	unsigned ready = 0;

	if (!w) /* deleted by an earlier callback of this batch */
		return;
	if (ev->events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP))
		ready |= EVLOOP_READ;
	if (ev->events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		ready |= EVLOOP_WRITE;
	ready &= w->events;
	if (ready)
		w->fn(loop, fd, ready, w->arg);
}

int evloop_run(struct evloop *loop)
{
	struct epoll_event events[EVLOOP_EVENTS_PER_WAIT];

	/* A stop requested before the loop runs (a signal during start-up, another thread) is
	 * honoured, not lost; the request is consumed on return so the loop can run again. */
	while (!atomic_load(&loop->stop)) {
		int n = epoll_wait(loop->epfd, events, EVLOOP_EVENTS_PER_WAIT, wait_timeout(loop));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !atomic_load(&loop->stop); i++)
			dispatch_fd(loop, &events[i]);
		run_timers(loop);
	}
	atomic_store(&loop->stop, false);
	return 0;
}

static void wake(struct evloop *loop)
{
	uint64_t one = 1;
	/* Fails only when the counter is near 2^64, in which case the loop is awake anyway. */
	ssize_t w = write(loop->wakefd, &one, sizeof(one));
	(void)w;
}

void evloop_stop(struct evloop *loop)
{
	atomic_store(&loop->stop, true);
	wake(loop);
}

int evloop_post(struct evloop *loop, evloop_work_fn *fn, void *arg)
{
	pthread_mutex_lock(&loop->lock);
	if (loop->ring_len == EVLOOP_POST_QUEUE_MAX) {
		pthread_mutex_unlock(&loop->lock);
		return -EAGAIN;
	}
	size_t tail = (loop->ring_head + loop->ring_len) % EVLOOP_POST_QUEUE_MAX;
	loop->ring[tail] = (struct work){.fn = fn, .arg = arg};
	loop->ring_len++;
	pthread_mutex_unlock(&loop->lock);
	wake(loop);
	return 0;
}

static bool take_work(struct evloop *loop, struct work *out)
{
	bool got = false;

	pthread_mutex_lock(&loop->lock);
	if (loop->ring_len) {
		*out = loop->ring[loop->ring_head];
		loop->ring_head = (loop->ring_head + 1) % EVLOOP_POST_QUEUE_MAX;
		loop->ring_len--;
		got = true;
	}
	pthread_mutex_unlock(&loop->lock);
	return got;
}

/* The wake eventfd is readable: run the work queued so far, one item at a time and
 * without the lock, so closures may post again (those run next time). */
static void on_wake(struct evloop *loop, int fd, unsigned events, void *arg)
{
	uint64_t count;
	struct work w;
	(void)events;
	(void)arg;

	if (read(fd, &count, sizeof(count)) < 0)
		return; /* EAGAIN: another read got it */
	pthread_mutex_lock(&loop->lock);
	size_t budget = loop->ring_len; /* only what was queued before this pass */
	pthread_mutex_unlock(&loop->lock);
	while (budget-- && !atomic_load(&loop->stop) && take_work(loop, &w))
		w.fn(w.arg);
	/* Work left behind by a stop still wakes the next evloop_run. */
	pthread_mutex_lock(&loop->lock);
	if (loop->ring_len)
		wake(loop);
	pthread_mutex_unlock(&loop->lock);
}

static void on_signal(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct signalfd_siginfo si;
	(void)events;
	(void)arg;

	while (!atomic_load(&loop->stop) && read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		int signo = (int)si.ssi_signo;
		if (signo > 0 && signo <= EVLOOP_SIGNAL_MAX && loop->sig_watch[signo].fn)
			loop->sig_watch[signo].fn(loop, signo, loop->sig_watch[signo].arg);
	}
}

int evloop_signal_add(struct evloop *loop, int signo, evloop_signal_fn *fn, void *arg)
{
	if (signo <= 0 || signo > EVLOOP_SIGNAL_MAX || signo == SIGKILL || signo == SIGSTOP || !fn)
		return -EINVAL;
	if (loop->sig_watch[signo].fn)
		return -EEXIST;

	sigset_t one, old;
	sigemptyset(&one);
	sigaddset(&one, signo);
	int err = pthread_sigmask(SIG_BLOCK, &one, &old);
	if (err)
		return -err;
	if (!sigismember(&old, signo))
		sigaddset(&loop->sigs_we_blocked, signo);
	sigaddset(&loop->sigs, signo);

	int fd = signalfd(loop->sigfd, &loop->sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		err = evloop_fd_add(loop, fd, EVLOOP_READ, on_signal, NULL);
		if (err) {
			close(fd);
			return err;
		}
		loop->sigfd = fd;
	}
	loop->sig_watch[signo] = (struct signal_watch){.fn = fn, .arg = arg};
	return 0;
}

struct evloop *evloop_new(void)
{
	struct evloop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	timer_heap_init(&loop->timers);
	loop->sigfd = -1;
	loop->wakefd = -1;
	sigemptyset(&loop->sigs);
	sigemptyset(&loop->sigs_we_blocked);
	if (pthread_mutex_init(&loop->lock, NULL) != 0)
		goto err_mutex;
	loop->ring = calloc(EVLOOP_POST_QUEUE_MAX, sizeof(*loop->ring));
	if (!loop->ring)
		goto err_ring;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto err_epoll;
	loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->wakefd < 0)
		goto err_eventfd;
	int err = evloop_fd_add(loop, loop->wakefd, EVLOOP_READ, on_wake, NULL);
	if (err) {
		errno = -err;
		goto err_watch;
	}
	return loop;

err_watch:
	close(loop->wakefd);
err_eventfd:
	close(loop->epfd);
err_epoll:
	free(loop->ring);
err_ring:
	pthread_mutex_destroy(&loop->lock);
err_mutex:
	free(loop->fds);
	free(loop);
	return NULL;
}

void evloop_free(struct evloop *loop)
{
	if (!loop)
		return;
	if (loop->sigfd >= 0) {
		/* Consume what is pending, so unblocking does not run the default action of
		 * a signal this loop already owned. */
		struct signalfd_siginfo si;
		while (read(loop->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
		close(loop->sigfd);
		pthread_sigmask(SIG_UNBLOCK, &loop->sigs_we_blocked, NULL);
	}
	close(loop->wakefd);
	close(loop->epfd);
	timer_heap_destroy(&loop->timers);
	free(loop->ring);
	pthread_mutex_destroy(&loop->lock);
	free(loop->fds);
	free(loop);
}
