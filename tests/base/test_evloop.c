// SPDX-License-Identifier: MIT
/*
 * The event loop: descriptor events on a pipe, timer order (with cancel and re-arm from
 * callbacks), signals delivered through the loop, work posted from another thread, and
 * stop from another thread. Only orders are asserted, never durations.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/evloop.h"
#include "base/time.h"

/* Every test arms this: a loop that hangs fails instead of waiting for ctest's timeout. */
static bool watchdog_fired;
static struct evloop_timer watchdog;

static void on_watchdog(struct evloop *loop, void *arg)
{
	(void)arg;
	watchdog_fired = true;
	evloop_stop(loop);
}

static struct evloop *new_loop(void)
{
	struct evloop *loop = evloop_new();
	assert_non_null(loop);
	watchdog_fired = false;
	evloop_timer_init(&watchdog, on_watchdog, NULL);
	assert_int_equal(evloop_timer_arm_in(loop, &watchdog, SEG_SEC(10)), 0);
	return loop;
}

static void run_loop(struct evloop *loop)
{
	assert_int_equal(evloop_run(loop), 0);
	assert_false(watchdog_fired);
}

struct pipe_state {
	int fds[2];
	int reads;
	int writes;
	char got[8];
};

static void on_readable(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct pipe_state *p = arg;

	assert_int_equal(events, EVLOOP_READ);
	assert_int_equal(fd, p->fds[0]);
	ssize_t n = read(fd, p->got + p->reads, 1);
	assert_int_equal(n, 1);
	if (++p->reads == 3)
		evloop_stop(loop);
}

static void on_writable(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct pipe_state *p = arg;
	static const char msg[] = "abc";

	assert_int_equal(events, EVLOOP_WRITE);
	assert_int_equal(write(fd, &msg[p->writes], 1), 1);
	if (++p->writes == 3)
		assert_int_equal(evloop_fd_modify(loop, fd, 0), 0); /* pause: nothing more */
}

static void test_fd_events(void **state)
{
	(void)state;
	struct pipe_state p = {0};
	struct evloop *loop = new_loop();

	assert_int_equal(pipe2(p.fds, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(evloop_fd_add(loop, p.fds[0], EVLOOP_READ, on_readable, &p), 0);
	assert_int_equal(evloop_fd_add(loop, p.fds[0], EVLOOP_READ, on_readable, &p), -EEXIST);
	assert_int_equal(evloop_fd_add(loop, p.fds[1], EVLOOP_WRITE, on_writable, &p), 0);
	run_loop(loop);
	assert_int_equal(p.writes, 3);
	assert_int_equal(p.reads, 3);
	assert_memory_equal(p.got, "abc", 3);

	evloop_fd_del(loop, p.fds[0]);
	evloop_fd_del(loop, p.fds[1]);
	evloop_fd_del(loop, p.fds[1]); /* not watched: no-op */
	assert_int_equal(evloop_fd_modify(loop, p.fds[0], EVLOOP_READ), -ENOENT);
	close(p.fds[0]);
	close(p.fds[1]);
	evloop_free(loop);
}

struct timer_log {
	int order[16];
	int n;
	int periodic_left;
	struct evloop_timer timers[6];
	struct evloop_timer periodic;
	struct evloop *loop;
};

static struct timer_log tlog;

static void on_timer(struct evloop *loop, void *arg)
{
	int id = (int)(intptr_t)arg;

	assert_true(tlog.n < 16);
	tlog.order[tlog.n++] = id;
	if (id == 0) /* the first cancels timer 4 from inside a callback */
		evloop_timer_cancel(loop, &tlog.timers[4]);
}

static void on_periodic(struct evloop *loop, void *arg)
{
	(void)arg;
	tlog.order[tlog.n++] = 100 + tlog.periodic_left;
	if (--tlog.periodic_left > 0)
		assert_int_equal(evloop_timer_arm_in(loop, &tlog.periodic, 0), 0);
	else
		evloop_stop(loop);
}

static void test_timer_order(void **state)
{
	(void)state;
	struct evloop *loop = new_loop();
	uint64_t base = seg_time_now();
	/* Deadlines for timers 0..5; 1 and 2 tie and must fire in arm order; 5 is never due. */
	static const uint64_t at_ms[] = {1, 3, 3, 2, 4, 60000};

	tlog = (struct timer_log){.loop = loop};
	for (int i = 5; i >= 0; i--) {
		evloop_timer_init(&tlog.timers[i], on_timer, (void *)(intptr_t)i);
		if (i != 2)
			assert_int_equal(
			    evloop_timer_arm(loop, &tlog.timers[i], base + SEG_MS(at_ms[i])), 0);
	}
	assert_int_equal(evloop_timer_arm(loop, &tlog.timers[2], base + SEG_MS(at_ms[2])), 0);
	/* Re-arm 3 from 2 ms to 20 ms: it moves behind 1 and 2. */
	assert_int_equal(evloop_timer_arm(loop, &tlog.timers[3], base + SEG_MS(20)), 0);
	/* A timer re-arming itself for "now" three times does not starve anything. */
	tlog.periodic_left = 3;
	evloop_timer_init(&tlog.periodic, on_periodic, NULL);
	assert_int_equal(evloop_timer_arm(loop, &tlog.periodic, base + SEG_MS(25)), 0);
	assert_true(evloop_timer_pending(&tlog.timers[4]));
	assert_int_equal(evloop_timer_count(loop), 8); /* 6 + periodic + watchdog */

	run_loop(loop);
	static const int expect[] = {0, 1, 2, 3, 103, 102, 101};
	assert_int_equal(tlog.n, 7);
	assert_memory_equal(tlog.order, expect, sizeof(expect));
	assert_false(evloop_timer_pending(&tlog.timers[4]));
	assert_true(evloop_timer_pending(&tlog.timers[5]));
	assert_true(evloop_timer_pending(&watchdog));
	evloop_free(loop);
	assert_false(evloop_timer_pending(&watchdog)); /* freed loops leave timers disarmed */
}

static int signals_seen[3];
static int signals_n;

static void on_signal(struct evloop *loop, int signo, void *arg)
{
	(void)arg;
	signals_seen[signals_n++] = signo;
	if (signals_n == 2)
		evloop_stop(loop);
}

static void test_signals(void **state)
{
	(void)state;
	struct evloop *loop = new_loop();

	signals_n = 0;
	assert_int_equal(evloop_signal_add(loop, SIGHUP, on_signal, NULL), 0);
	assert_int_equal(evloop_signal_add(loop, SIGTERM, on_signal, NULL), 0);
	assert_int_equal(evloop_signal_add(loop, SIGTERM, on_signal, NULL), -EEXIST);
	assert_int_equal(evloop_signal_add(loop, SIGKILL, on_signal, NULL), -EINVAL);
	assert_int_equal(evloop_signal_add(loop, 0, on_signal, NULL), -EINVAL);
	/* Blocked now, so raise() leaves them pending for the signalfd instead of killing us. */
	assert_int_equal(raise(SIGTERM), 0);
	assert_int_equal(raise(SIGHUP), 0);
	run_loop(loop);
	assert_int_equal(signals_n, 2);
	/* Standard signals are read from the signalfd in signal-number order. */
	assert_int_equal(signals_seen[0], SIGHUP);
	assert_int_equal(signals_seen[1], SIGTERM);
	evloop_free(loop);

	/* The loop unblocked what it blocked. */
	sigset_t now;
	assert_int_equal(pthread_sigmask(SIG_BLOCK, NULL, &now), 0);
	assert_false(sigismember(&now, SIGTERM));
	assert_false(sigismember(&now, SIGHUP));
}

enum { POSTS = 3000 };

struct post_state {
	struct evloop *loop;
	pthread_t loop_thread;
	int next;
	int ran_elsewhere;
	int retries;
};

static struct post_state post;

static void on_work(void *arg)
{
	int i = (int)(intptr_t)arg;

	if (!pthread_equal(pthread_self(), post.loop_thread))
		post.ran_elsewhere++;
	assert_int_equal(i, post.next); /* posting order */
	post.next++;
	if (post.next == POSTS)
		evloop_stop(post.loop);
}

static void *poster(void *arg)
{
	(void)arg;
	for (int i = 0; i < POSTS; i++) {
		int err;
		while ((err = evloop_post(post.loop, on_work, (void *)(intptr_t)i)) == -EAGAIN) {
			post.retries++;
			usleep(100);
		}
		if (err)
			return (void *)1;
	}
	return NULL;
}

static void test_post_cross_thread(void **state)
{
	(void)state;
	pthread_t t;
	void *res;

	post = (struct post_state){.loop = new_loop(), .loop_thread = pthread_self()};
	assert_int_equal(pthread_create(&t, NULL, poster, NULL), 0);
	run_loop(post.loop);
	assert_int_equal(pthread_join(t, &res), 0);
	assert_null(res);
	assert_int_equal(post.next, POSTS);
	assert_int_equal(post.ran_elsewhere, 0);
	evloop_free(post.loop);
}

static int dropped_runs;

static void count_run(void *arg)
{
	(void)arg;
	dropped_runs++;
}

static void test_post_bounded(void **state)
{
	(void)state;
	struct evloop *loop = new_loop();

	dropped_runs = 0;
	for (int i = 0; i < EVLOOP_POST_QUEUE_MAX; i++)
		assert_int_equal(evloop_post(loop, count_run, NULL), 0);
	assert_int_equal(evloop_post(loop, count_run, NULL), -EAGAIN);
	evloop_free(loop); /* discards the queued work without running it */
	assert_int_equal(dropped_runs, 0);
}

static void *stopper(void *arg)
{
	usleep(20000);
	evloop_stop(arg);
	return NULL;
}

static void test_stop_cross_thread(void **state)
{
	(void)state;
	struct evloop *loop = new_loop();
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, stopper, loop), 0);
	run_loop(loop); /* idle except the watchdog: only the other thread can end it */
	assert_int_equal(pthread_join(t, NULL), 0);
	evloop_free(loop);
}

/* A stop requested before evloop_run (e.g. SIGTERM during start-up) makes it return at once,
 * and is consumed: the next run waits for its own stop again. */
static void test_stop_before_run(void **state)
{
	(void)state;
	struct evloop *loop = new_loop();
	evloop_stop(loop);
	assert_int_equal(evloop_run(loop), 0);
	assert_false(watchdog_fired);
	/* The second run ends only by the watchdog, proving the first stop was consumed. */
	assert_int_equal(evloop_timer_arm_in(loop, &watchdog, SEG_MS(20)), 0);
	assert_int_equal(evloop_run(loop), 0);
	assert_true(watchdog_fired);
	evloop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fd_events),	    cmocka_unit_test(test_timer_order),
	    cmocka_unit_test(test_signals),	    cmocka_unit_test(test_post_cross_thread),
	    cmocka_unit_test(test_post_bounded),    cmocka_unit_test(test_stop_cross_thread),
	    cmocka_unit_test(test_stop_before_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
