/* SPDX-License-Identifier: MIT */
/*
 * The control socket's transport (netctl.h): a unix stream server on its own thread, one
 * connection at a time, one line in and one line out, every read and write bounded by
 * NETCTL_IO_TIMEOUT_MS so that a silent client cannot stall it; and the matching client.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "netctl.h"
#include "netrun.h"

struct netctl_server {
	struct netrun *net;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int stop_pipe[2];
	pthread_t thread;
};

static void set_timeouts(int fd)
{
	struct timeval tv = {
	    .tv_sec = NETCTL_IO_TIMEOUT_MS / 1000,
	    .tv_usec = (NETCTL_IO_TIMEOUT_MS % 1000) * 1000,
	};

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = send(fd, buf, len, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Reads up to the first newline; the line must fit in cap - 1 bytes. */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t len = 0;

	while (len + 1 < cap) {
		ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
		char *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		buf[len] = '\0';
		nl = memchr(buf, '\n', len);
		if (nl) {
			*nl = '\0';
			return 0;
		}
	}
	buf[len] = '\0';
	/* A request without newline ending at EOF is accepted too. */
	return len > 0 && len + 1 < cap ? 0 : -1;
}

static void serve_one(struct netctl_server *s, int fd)
{
	char line[NETCTL_LINE_MAX + 2];
	char *reply = NULL;

	set_timeouts(fd);
	if (read_line(fd, line, sizeof(line))) {
		static const char msg[] = "error: request too long or not a line\n";

		(void)write_all(fd, msg, sizeof(msg) - 1);
		return;
	}
	if (netctl_execute(s->net, line, &reply) || !reply) {
		static const char msg[] = "error: out of memory\n";

		(void)write_all(fd, msg, sizeof(msg) - 1);
		return;
	}
	if (write_all(fd, reply, strlen(reply)) == 0)
		(void)write_all(fd, "\n", 1);
	free(reply);
}

static void *server_main(void *arg)
{
	struct netctl_server *s = arg;

	for (;;) {
		struct pollfd pfd[2] = {
		    {.fd = s->listen_fd, .events = POLLIN},
		    {.fd = s->stop_pipe[0], .events = POLLIN},
		};
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_one(s, fd);
		close(fd);
	}
	return NULL;
}

static int sock_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/* True when something answers at path: a testnet already runs in that directory. */
static bool sock_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool alive;

	if (fd < 0)
		return false;
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

static int server_bind(struct netctl_server *s, char *err, size_t errlen)
{
	struct sockaddr_un sa;

	if (sock_addr(s->path, &sa)) {
		snprintf(err, errlen, "control socket path '%s' is longer than %zu bytes", s->path,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (sock_alive(&sa)) {
		snprintf(err, errlen, "a testnet already runs with control socket '%s'", s->path);
		return -1;
	}
	unlink(s->path); /* a stale socket from a run that was killed */
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0 || bind(s->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(s->listen_fd, 8) != 0) {
		snprintf(err, errlen, "cannot listen on '%s': %s", s->path, strerror(errno));
		return -1;
	}
	return 0;
}

int netctl_server_start(struct netrun *n, struct netctl_server **out, char *err, size_t errlen)
{
	struct netctl_server *s = calloc(1, sizeof(*s));
	int len;

	*out = NULL;
	if (!s)
		return NETRUN_ERR_NOMEM;
	s->net = n;
	s->listen_fd = -1;
	s->stop_pipe[0] = s->stop_pipe[1] = -1;
	len = snprintf(s->path, sizeof(s->path), "%s/control.sock", netrun_dir(n));
	if (len < 0 || (size_t)len >= sizeof(s->path)) {
		snprintf(err, errlen, "control socket path '%s/control.sock' is too long",
			 netrun_dir(n));
		free(s);
		return NETRUN_ERR_ARG;
	}
	if (server_bind(s, err, errlen))
		goto fail;
	if (pipe2(s->stop_pipe, O_CLOEXEC) != 0 ||
	    pthread_create(&s->thread, NULL, server_main, s) != 0) {
		snprintf(err, errlen, "cannot start the control thread");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	if (s->stop_pipe[0] >= 0) {
		close(s->stop_pipe[0]);
		close(s->stop_pipe[1]);
	}
	free(s);
	return NETRUN_ERR_START;
}

void netctl_server_stop(struct netctl_server *s)
{
	if (!s)
		return;
	(void)!write(s->stop_pipe[1], "x", 1);
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
	close(s->stop_pipe[0]);
	close(s->stop_pipe[1]);
	unlink(s->path);
	free(s);
}

/* ---- client ------------------------------------------------------------------------------ */

static int read_reply(int fd, char **reply, char *err, size_t errlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nl = NULL;

	while (buf && !nl) {
		ssize_t r;

		if (len + 1 >= cap) {
			char *nb = cap < NETCTL_REPLY_MAX ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				snprintf(err, errlen, "reply too long");
				free(buf);
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		r = recv(fd, buf + len, cap - 1 - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		nl = memchr(buf, '\n', len);
	}
	if (!buf || !nl) {
		snprintf(err, errlen, "no reply from the testnet (timeout or closed)");
		free(buf);
		return -1;
	}
	*nl = '\0';
	*reply = buf;
	return 0;
}

int netctl_request(const char *sock_path, const char *line, char **reply, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	int fd, rc = -1;

	*reply = NULL;
	if (sock_addr(sock_path, &sa)) {
		snprintf(err, errlen, "control socket path '%s' is too long", sock_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	set_timeouts(fd);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		snprintf(err, errlen, "no testnet answers at '%s': %s", sock_path, strerror(errno));
		goto out;
	}
	if (write_all(fd, line, strlen(line)) || write_all(fd, "\n", 1)) {
		snprintf(err, errlen, "cannot send to '%s': %s", sock_path, strerror(errno));
		goto out;
	}
	rc = read_reply(fd, reply, err, errlen);
out:
	close(fd);
	return rc;
}
