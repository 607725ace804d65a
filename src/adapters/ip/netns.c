/* SPDX-License-Identifier: MIT */
/* Helper-thread entry into a named network namespace; see netns.h. */
#include "adapters/ip/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool netns_name_valid(const char *name)
{
	if (!name || !*name || strchr(name, '/'))
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strnlen(name, NAME_MAX + 1) <= NAME_MAX;
}

int netns_open(const char *name, struct ip_err *err)
{
	char path[sizeof(NETNS_RUN_DIR) + NAME_MAX + 2];

	if (!netns_name_valid(name))
		return ip_err_set(err, EINVAL, "invalid network namespace name '%s'",
				  name ? name : "");
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		if (e == ENOENT)
			return ip_err_set(err, e,
					  "network namespace '%s' does not exist (no %s); create "
					  "it with: ip netns add %s",
					  name, path, name);
		return ip_err_set(err, e, "cannot open network namespace %s: %s", path,
				  strerror(e));
	}
	return fd;
}

struct run {
	int nsfd;
	int (*fn)(void *arg);
	void *arg;
	int setns_errno;
	int result;
};

static void *run_thread(void *p)
{
	struct run *r = p;

	if (setns(r->nsfd, CLONE_NEWNET) != 0) {
		r->setns_errno = errno;
		return NULL;
	}
	r->result = r->fn(r->arg);
	return NULL;
}

int netns_run(const char *name, int (*fn)(void *arg), void *arg, struct ip_err *err)
{
	if (!name || !*name)
		return fn(arg);
	struct run r = {.fn = fn, .arg = arg};
	pthread_t th;

	r.nsfd = netns_open(name, err);
	if (r.nsfd < 0)
		return r.nsfd;
	int e = pthread_create(&th, NULL, run_thread, &r);

	if (e) {
		close(r.nsfd);
		return ip_err_set(err, e,
				  "cannot start a thread to enter network namespace '%s': %s", name,
				  strerror(e));
	}
	pthread_join(th, NULL);
	close(r.nsfd);
	if (r.setns_errno == EPERM) {
		char hint[256];

		ip_err_cap_hint(hint, sizeof(hint), "CAP_SYS_ADMIN");
		return ip_err_set(err, EPERM,
				  "entering network namespace '%s' needs CAP_SYS_ADMIN: %s", name,
				  hint);
	}
	if (r.setns_errno)
		return ip_err_set(err, r.setns_errno, "cannot enter network namespace '%s': %s",
				  name, strerror(r.setns_errno));
	return r.result;
}
