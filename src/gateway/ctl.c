// SPDX-License-Identifier: MIT
/* The control socket of ctl.h: server on the event loop, blocking client for the CLI. */
#include "gateway/ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "base/time.h"
#include "gateway/oneshot_server.h"

enum {
	CTL_LISTEN_BACKLOG = 16,
};

static const char CTL_OK_LINE[] = "ok\n";
static const char CTL_ERROR_PREFIX[] = "error: ";

struct ctl_server {
	struct oneshot_server *srv;
	gw_status_fn *fn;
	void *arg;
	char path[CTL_PATH_MAX + 1];
};

/* --- server ---------------------------------------------------------------------------- */

static size_t ctl_frame(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	return nl ? (size_t)(nl - buf) + 1 : 0;
}

/* Renders "ok\n" and the snapshot, or "error: ...\n", into a malloc'd buffer. */
static int ctl_respond(void *arg, const char *req, size_t len, char **resp, size_t *resp_len)
{
	struct ctl_server *s = arg;
	struct gw_status st = {0};
	bool table;
	int rc = 0;

	while (len > 0 && (req[len - 1] == '\n' || req[len - 1] == '\r'))
		len--;
	FILE *f = open_memstream(resp, resp_len);
	if (!f)
		return -ENOMEM;
	if (len == strlen("status") && memcmp(req, "status", len) == 0) {
		table = false;
	} else if (len == strlen("status table") && memcmp(req, "status table", len) == 0) {
		table = true;
	} else {
		fprintf(f, "%sunknown request \"%.*s\"\n", CTL_ERROR_PREFIX, (int)len, req);
		goto out;
	}
	if (s->fn(s->arg, &st) < 0) {
		fprintf(f, "%sthe gateway could not collect its status\n", CTL_ERROR_PREFIX);
		goto out;
	}
	fputs(CTL_OK_LINE, f);
	if (table)
		rc = gw_status_write_table(f, &st, seg_time_to_ms(seg_wall_now()));
	else
		rc = gw_status_write_json(f, &st, true);
	gw_status_free(&st);
out:
	if (fclose(f) != 0 || rc < 0) {
		free(*resp);
		*resp = NULL;
		return -ENOMEM;
	}
	return 0;
}

static const struct oneshot_server_ops ctl_ops = {
    .frame = ctl_frame,
    .respond = ctl_respond,
    .too_large = "error: request too long\n",
    .busy = "error: too many clients, try again\n",
};

static int fill_addr(struct sockaddr_un *sa, const char *path)
{
	size_t len = strlen(path);

	if (len == 0 || len > CTL_PATH_MAX)
		return CTL_ERR_PATH;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, path, len);
	return 0;
}

/* True when a server answers connects at sa (a live gateway), false for a stale file. */
static bool socket_is_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true; /* cannot tell: do not remove it */
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;
	close(fd);
	return rc == 0 || (e != ECONNREFUSED && e != ENOENT);
}

/* Binds fd at sa, creating the parent directory (one level, as /run/seg) and replacing a
 * stale socket file. */
static int bind_path(int fd, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	const char *path = sa->sun_path;

	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 0;
	if (errno == ENOENT) {
		char dir[CTL_PATH_MAX + 1];
		snprintf(dir, sizeof(dir), "%s", path);
		if (mkdir(dirname(dir), 0755) == 0 &&
		    bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		errno = ENOENT;
	}
	if (errno == EADDRINUSE) {
		struct stat st;
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "control socket %s: exists and is not a socket",
				 path);
			return CTL_ERR_IN_USE;
		}
		if (socket_is_live(sa)) {
			snprintf(err, errlen,
				 "control socket %s: another gateway is listening there", path);
			return CTL_ERR_IN_USE;
		}
		seg_log_info("control socket %s: removing a stale socket", path);
		if (unlink(path) == 0 && bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
	}
	snprintf(err, errlen, "control socket %s: bind: %s", path, strerror(errno));
	return CTL_ERR_SYSTEM;
}

int ctl_server_new(struct evloop *loop, const char *path, gw_status_fn *fn, void *arg,
		   struct ctl_server **out, char *err, size_t errlen)
{
	static const struct oneshot_server_limits limits = {
	    .request_max = CTL_REQUEST_MAX,
	    .conn_max = CTL_CONN_MAX,
	    .timeout = CTL_CONN_TIMEOUT,
	};
	struct sockaddr_un sa;
	struct ctl_server *s;
	int rc;

	*out = NULL;
	if (fill_addr(&sa, path) < 0) {
		snprintf(err, errlen, "control socket \"%s\": path empty or longer than %d bytes",
			 path, CTL_PATH_MAX);
		return CTL_ERR_PATH;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "control socket %s: out of memory", path);
		return CTL_ERR_NOMEM;
	}
	s->fn = fn;
	s->arg = arg;
	snprintf(s->path, sizeof(s->path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "control socket %s: socket: %s", path, strerror(errno));
		rc = CTL_ERR_SYSTEM;
		goto err_free;
	}
	rc = bind_path(fd, &sa, err, errlen);
	if (rc < 0)
		goto err_close;
	/* Before listen(): nobody can connect until the mode is right. */
	if (chmod(path, 0600) < 0 || listen(fd, CTL_LISTEN_BACKLOG) < 0) {
		snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
		rc = CTL_ERR_SYSTEM;
		goto err_unlink;
	}
	if (oneshot_server_new(loop, fd, &ctl_ops, s, &limits, &s->srv) < 0) {
		snprintf(err, errlen, "control socket %s: cannot serve it (out of memory)", path);
		rc = CTL_ERR_NOMEM;
		goto err_unlink;
	}
	*out = s;
	return 0;

err_unlink:
	unlink(path);
err_close:
	close(fd);
err_free:
	free(s);
	return rc;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	oneshot_server_free(s->srv);
	unlink(s->path);
	free(s);
}

/* --- client ---------------------------------------------------------------------------- */

static int client_connect(const char *path, uint64_t timeout, char *err, size_t errlen)
{
	struct sockaddr_un sa;

	if (fill_addr(&sa, path) < 0) {
		snprintf(err, errlen, "control socket \"%s\": path empty or longer than %d bytes",
			 path, CTL_PATH_MAX);
		return CTL_ERR_PATH;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return CTL_ERR_SYSTEM;
	}
	/* Bounds connect() when the server's backlog is full. */
	struct timeval tv = {.tv_sec = (time_t)(timeout / SEG_SEC(1)),
			     .tv_usec = (suseconds_t)(timeout % SEG_SEC(1) / SEG_US(1))};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	int e = errno;
	close(fd);
	if (e == ENOENT)
		snprintf(err, errlen, "no control socket at %s (is the gateway running?)", path);
	else if (e == ECONNREFUSED)
		snprintf(err, errlen, "nobody listens at %s (is the gateway running?)", path);
	else if (e == EACCES || e == EPERM)
		snprintf(err, errlen, "%s: permission denied (run as the gateway's user)", path);
	else if (e == EAGAIN || e == EINPROGRESS)
		snprintf(err, errlen, "%s: the gateway is busy (connect timed out)", path);
	else
		snprintf(err, errlen, "%s: connect: %s", path, strerror(e));
	return e == EAGAIN || e == EINPROGRESS ? CTL_ERR_TIMEOUT : CTL_ERR_CONNECT;
}

/* Reads until EOF within the deadline; *buf malloc'd and NUL-terminated. */
static int client_read_all(int fd, uint64_t deadline, char **buf, size_t *len, char *err,
			   size_t errlen)
{
	size_t cap = 4096;
	char *b = malloc(cap);

	*len = 0;
	if (!b)
		goto nomem;
	for (;;) {
		uint64_t now = seg_time_now();
		if (seg_time_expired(now, deadline)) {
			snprintf(err, errlen, "no complete answer within the timeout");
			free(b);
			return CTL_ERR_TIMEOUT;
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint64_t wait_ms = seg_time_to_ms(seg_time_until(now, deadline)) + 1;
		int r = poll(&p, 1, wait_ms > 60000 ? 60000 : (int)wait_ms);
		if (r < 0 && errno != EINTR) {
			snprintf(err, errlen, "poll: %s", strerror(errno));
			free(b);
			return CTL_ERR_SYSTEM;
		}
		if (r <= 0)
			continue;
		if (cap - *len < 2) {
			if (cap >= (size_t)CTL_RESPONSE_MAX + 2) {
				snprintf(err, errlen, "answer larger than %d bytes",
					 CTL_RESPONSE_MAX);
				free(b);
				return CTL_ERR_TOO_BIG;
			}
			char *nb = realloc(b, cap * 2);
			if (!nb)
				goto nomem;
			b = nb;
			cap *= 2;
		}
		ssize_t n = recv(fd, b + *len, cap - *len - 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		/* A server that closes with our request unread resets the connection; what it
		 * sent before is already read, so this is the end of the answer. */
		if (n < 0 && errno == ECONNRESET)
			break;
		if (n < 0) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			free(b);
			return CTL_ERR_SYSTEM;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	b[*len] = '\0';
	*buf = b;
	return 0;
nomem:
	free(b);
	snprintf(err, errlen, "out of memory");
	return CTL_ERR_NOMEM;
}

/* Splits "ok\n<body>" / "error: <msg>\n" in place. */
static int client_parse(char *resp, size_t len, char **body, size_t *body_len, char *err,
			size_t errlen)
{
	size_t ok_len = strlen(CTL_OK_LINE), err_len = strlen(CTL_ERROR_PREFIX);

	if (len >= ok_len && memcmp(resp, CTL_OK_LINE, ok_len) == 0) {
		memmove(resp, resp + ok_len, len - ok_len + 1);
		*body = resp;
		*body_len = len - ok_len;
		return 0;
	}
	if (len >= err_len && memcmp(resp, CTL_ERROR_PREFIX, err_len) == 0) {
		char *msg = resp + err_len;
		msg[strcspn(msg, "\n")] = '\0';
		snprintf(err, errlen, "the gateway answered: %s", msg);
		free(resp);
		return CTL_ERR_REMOTE;
	}
	if (len == 0)
		snprintf(err, errlen, "the gateway closed the connection without an answer");
	else
		snprintf(err, errlen, "not a seg control socket (unexpected answer of %zu bytes)",
			 len);
	free(resp);
	return CTL_ERR_PROTOCOL;
}

int ctl_request(const char *path, const char *request, uint64_t timeout, char **body,
		size_t *body_len, char *err, size_t errlen)
{
	uint64_t deadline = seg_time_add(seg_time_now(), timeout);
	char line[CTL_REQUEST_MAX];
	char *resp;
	size_t len;
	int rc;

	*body = NULL;
	*body_len = 0;
	int n = snprintf(line, sizeof(line), "%s\n", request);
	if (n < 0 || (size_t)n >= sizeof(line) || strchr(request, '\n')) {
		snprintf(err, errlen, "request too long or not one line");
		return CTL_ERR_PROTOCOL;
	}
	int fd = client_connect(path, timeout, err, errlen);
	if (fd < 0)
		return fd;
	/* The request fits in the socket buffer of a fresh connection. */
	/* A server that refuses us may have answered and closed already: then the send fails
	 * and the answer still waits to be read. */
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n && errno != EPIPE && errno != ECONNRESET) {
		snprintf(err, errlen, "%s: send: %s", path, strerror(errno));
		close(fd);
		return CTL_ERR_SYSTEM;
	}
	shutdown(fd, SHUT_WR);
	rc = client_read_all(fd, deadline, &resp, &len, err, errlen);
	close(fd);
	if (rc < 0)
		return rc;
	return client_parse(resp, len, body, body_len, err, errlen);
}
