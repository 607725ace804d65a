// SPDX-License-Identifier: MIT
/* The one-request stream server of oneshot_server.h. */
#include "gateway/oneshot_server.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/evloop.h"
#include "base/log.h"

enum {
	/* Connections taken from the backlog per readable event, so that a flood of
	 * connects cannot keep the loop in accept(). */
	ONESHOT_ACCEPT_BATCH = 16,
};

struct oneshot_conn {
	struct oneshot_server *srv;
	int fd; /* -1 when the slot is free */
	char *req;
	size_t req_len;
	char *resp; /* malloc'd, or points at ops->too_large (resp_owned false) */
	bool resp_owned;
	size_t resp_len, resp_off;
	struct evloop_timer timer;
};

struct oneshot_server {
	struct evloop *loop;
	int listen_fd;
	const struct oneshot_server_ops *ops;
	void *arg;
	struct oneshot_server_limits limits;
	struct oneshot_conn *conns;
	unsigned n_open;
};

static void conn_close(struct oneshot_conn *c)
{
	struct oneshot_server *s = c->srv;

	if (c->fd < 0)
		return;
	evloop_timer_cancel(s->loop, &c->timer);
	evloop_fd_del(s->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	if (c->resp_owned)
		free(c->resp);
	c->resp = NULL;
	c->resp_owned = false;
	c->req_len = 0;
	s->n_open--;
}

static void on_timeout(struct evloop *loop, void *arg)
{
	(void)loop;
	conn_close(arg);
}

static void conn_write(struct oneshot_conn *c)
{
	while (c->resp_off < c->resp_len) {
		ssize_t n = send(c->fd, c->resp + c->resp_off, c->resp_len - c->resp_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* wait for EVLOOP_WRITE */
		if (n <= 0) {
			conn_close(c);
			return;
		}
		c->resp_off += (size_t)n;
	}
	conn_close(c);
}

/* Switches the connection from reading to writing resp. */
static void conn_answer(struct oneshot_conn *c, char *resp, size_t len, bool owned)
{
	c->resp = resp;
	c->resp_len = len;
	c->resp_off = 0;
	c->resp_owned = owned;
	if (evloop_fd_modify(c->srv->loop, c->fd, EVLOOP_WRITE) < 0) {
		conn_close(c);
		return;
	}
	conn_write(c);
}

static void conn_answer_too_large(struct oneshot_conn *c)
{
	const char *msg = c->srv->ops->too_large;

	if (!msg) {
		conn_close(c);
		return;
	}
	conn_answer(c, (char *)msg, strlen(msg), false);
}

static void conn_read(struct oneshot_conn *c)
{
	struct oneshot_server *s = c->srv;
	size_t room = s->limits.request_max - c->req_len;

	if (room == 0) {
		conn_answer_too_large(c);
		return;
	}
	ssize_t n = recv(c->fd, c->req + c->req_len, room, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c); /* error, or the client left before finishing its request */
		return;
	}
	c->req_len += (size_t)n;
	c->req[c->req_len] = '\0';
	size_t len = s->ops->frame(c->req, c->req_len);
	if (len == 0) {
		if (c->req_len == s->limits.request_max)
			conn_answer_too_large(c);
		return;
	}
	char *resp = NULL;
	size_t resp_len = 0;
	c->req[len] = '\0';
	if (s->ops->respond(s->arg, c->req, len, &resp, &resp_len) < 0 || !resp) {
		free(resp);
		conn_close(c);
		return;
	}
	conn_answer(c, resp, resp_len, true);
}

static void on_conn(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct oneshot_conn *c = arg;

	(void)loop;
	(void)fd;
	if (c->resp)
		conn_write(c);
	else if (events & EVLOOP_READ)
		conn_read(c);
}

static struct oneshot_conn *free_slot(struct oneshot_server *s)
{
	for (unsigned i = 0; i < s->limits.conn_max; i++) {
		if (s->conns[i].fd < 0)
			return &s->conns[i];
	}
	return NULL;
}

static void conn_open(struct oneshot_server *s, int fd)
{
	struct oneshot_conn *c = free_slot(s);

	if (!c) {
		seg_log_debug("control: %u connections open, refusing another", s->n_open);
		if (s->ops->busy)
			(void)!send(fd, s->ops->busy, strlen(s->ops->busy),
				    MSG_NOSIGNAL | MSG_DONTWAIT);
		close(fd);
		return;
	}
	if (evloop_fd_add(s->loop, fd, EVLOOP_READ, on_conn, c) < 0) {
		close(fd);
		return;
	}
	c->fd = fd;
	c->req_len = 0;
	c->req[0] = '\0';
	s->n_open++;
	if (evloop_timer_arm_in(s->loop, &c->timer, s->limits.timeout) < 0)
		conn_close(c);
}

static void on_listen(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct oneshot_server *s = arg;

	(void)loop;
	(void)events;
	for (int i = 0; i < ONESHOT_ACCEPT_BATCH; i++) {
		int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (c < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
			    errno != ECONNABORTED)
				seg_log_warn("control: accept: %s", strerror(errno));
			return;
		}
		conn_open(s, c);
	}
}

int oneshot_server_new(struct evloop *loop, int listen_fd, const struct oneshot_server_ops *ops,
		       void *arg, const struct oneshot_server_limits *limits,
		       struct oneshot_server **out)
{
	struct oneshot_server *s = calloc(1, sizeof(*s));
	int err = -ENOMEM;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->loop = loop;
	s->listen_fd = listen_fd;
	s->ops = ops;
	s->arg = arg;
	s->limits = *limits;
	s->conns = calloc(limits->conn_max, sizeof(*s->conns));
	if (!s->conns)
		goto err_free;
	for (unsigned i = 0; i < limits->conn_max; i++) {
		struct oneshot_conn *c = &s->conns[i];
		c->srv = s;
		c->fd = -1;
		evloop_timer_init(&c->timer, on_timeout, c);
		c->req = malloc(limits->request_max + 1);
		if (!c->req)
			goto err_conns;
	}
	err = evloop_fd_add(loop, listen_fd, EVLOOP_READ, on_listen, s);
	if (err < 0)
		goto err_conns;
	*out = s;
	return 0;

err_conns:
	for (unsigned i = 0; i < limits->conn_max; i++)
		free(s->conns[i].req);
	free(s->conns);
err_free:
	free(s);
	return err;
}

void oneshot_server_free(struct oneshot_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < s->limits.conn_max; i++) {
		conn_close(&s->conns[i]);
		free(s->conns[i].req);
	}
	evloop_fd_del(s->loop, s->listen_fd);
	close(s->listen_fd);
	free(s->conns);
	free(s);
}

unsigned oneshot_server_conn_count(const struct oneshot_server *s)
{
	return s->n_open;
}
