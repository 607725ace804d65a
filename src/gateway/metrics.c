// SPDX-License-Identifier: MIT
/* Prometheus text exposition over HTTP/1.0 (metrics.h). */
#include "gateway/metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway/oneshot_server.h"

struct metrics_server {
	struct oneshot_server *srv;
	gw_status_fn *fn;
	void *arg;
	uint16_t port;
};

/* --- exposition ------------------------------------------------------------------------ */

/* A label value: backslash, double quote and newline escaped (exposition format). */
static void put_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void put_family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

struct peer_counter {
	const char *name;
	const char *help;
	size_t offset; /* of a uint64_t in struct gw_status_peer */
};

static const struct peer_counter peer_counters[] = {
    {"seg_peer_tx_packets_total", "Data packets sent to the peer.",
     offsetof(struct gw_status_peer, tx_packets)},
    {"seg_peer_rx_packets_total", "Data packets received from the peer.",
     offsetof(struct gw_status_peer, rx_packets)},
    {"seg_peer_tx_bytes_total", "Bytes of data sent to the peer.",
     offsetof(struct gw_status_peer, tx_bytes)},
    {"seg_peer_rx_bytes_total", "Bytes of data received from the peer.",
     offsetof(struct gw_status_peer, rx_bytes)},
    {"seg_peer_handshakes_total", "Completed handshakes with the peer.",
     offsetof(struct gw_status_peer, handshakes)},
    {"seg_peer_rekeys_total", "Rekeys of the session with the peer.",
     offsetof(struct gw_status_peer, rekeys)},
};

static uint64_t peer_value(const struct gw_status_peer *p, size_t offset)
{
	uint64_t v;
	memcpy(&v, (const char *)p + offset, sizeof(v));
	return v;
}

static size_t n_paths_of(const struct gw_status_peer *p)
{
	return p->n_paths < GW_STATUS_MAX_PATHS ? p->n_paths : GW_STATUS_MAX_PATHS;
}

static size_t n_drops_of(size_t n)
{
	return n < GW_STATUS_MAX_DROPS ? n : GW_STATUS_MAX_DROPS;
}

static void write_peer_families(FILE *f, const struct gw_status *s)
{
	put_family(f, "seg_peer_up", "gauge", "1 when the session with the peer is up.");
	for (size_t i = 0; i < s->n_peers; i++) {
		const struct gw_status_peer *p = &s->peers[i];
		fputs("seg_peer_up{remote=", f);
		put_label(f, p->remote);
		fprintf(f, "} %d\n", p->state && strcmp(p->state, "up") == 0);
	}
	for (size_t c = 0; c < sizeof(peer_counters) / sizeof(peer_counters[0]); c++) {
		put_family(f, peer_counters[c].name, "counter", peer_counters[c].help);
		for (size_t i = 0; i < s->n_peers; i++) {
			fprintf(f, "%s{remote=", peer_counters[c].name);
			put_label(f, s->peers[i].remote);
			fprintf(f, "} %" PRIu64 "\n",
				peer_value(&s->peers[i], peer_counters[c].offset));
		}
	}
	put_family(f, "seg_peer_drops_total", "counter", "Packets of the peer dropped, by reason.");
	for (size_t i = 0; i < s->n_peers; i++) {
		const struct gw_status_peer *p = &s->peers[i];
		for (size_t d = 0; d < n_drops_of(p->n_drops); d++) {
			fputs("seg_peer_drops_total{remote=", f);
			put_label(f, p->remote);
			fputs(",reason=", f);
			put_label(f, p->drops[d].reason ? p->drops[d].reason : "unknown");
			fprintf(f, "} %" PRIu64 "\n", p->drops[d].count);
		}
	}
}

enum path_metric {
	PATH_METRIC_RTT,
	PATH_METRIC_LOSS,
	PATH_METRIC_ALIVE,
	PATH_METRIC_ACTIVE,
};

/* One gauge per path; paths without an RTT have no RTT sample. */
static void write_path_family(FILE *f, const struct gw_status *s, const char *name,
			      const char *help, enum path_metric which)
{
	put_family(f, name, "gauge", help);
	for (size_t i = 0; i < s->n_peers; i++) {
		const struct gw_status_peer *p = &s->peers[i];
		for (size_t k = 0; k < n_paths_of(p); k++) {
			const struct gw_status_path *path = &p->paths[k];
			if (which == PATH_METRIC_RTT && path->rtt_ms < 0)
				continue;
			fprintf(f, "%s{remote=", name);
			put_label(f, p->remote);
			fprintf(f, ",path=\"%" PRIu32 "\",hidden=\"%s\"} ", path->id,
				path->hidden ? "true" : "false");
			switch (which) {
			case PATH_METRIC_RTT:
				fprintf(f, "%.6f\n", path->rtt_ms / 1000.0);
				break;
			case PATH_METRIC_LOSS:
				fprintf(f, "%.4f\n", path->loss);
				break;
			case PATH_METRIC_ALIVE:
				fprintf(f, "%d\n", path->alive);
				break;
			case PATH_METRIC_ACTIVE:
				fprintf(f, "%d\n",
					path->active ||
					    (p->active_path >= 0 && (size_t)p->active_path == k));
				break;
			}
		}
	}
}

int metrics_write(FILE *f, const struct gw_status *s)
{
	put_family(f, "seg_uptime_seconds", "gauge", "Seconds since the gateway started.");
	fprintf(f, "seg_uptime_seconds %.3f\n", (double)s->uptime_ms / 1000.0);
	put_family(f, "seg_drops_total", "counter",
		   "Packets dropped before they could be tied to a peer, by reason.");
	for (size_t d = 0; d < n_drops_of(s->n_drops); d++) {
		fputs("seg_drops_total{reason=", f);
		put_label(f, s->drops[d].reason ? s->drops[d].reason : "unknown");
		fprintf(f, "} %" PRIu64 "\n", s->drops[d].count);
	}
	write_peer_families(f, s);
	write_path_family(f, s, "seg_path_rtt_seconds", "Smoothed probe RTT of the path.",
			  PATH_METRIC_RTT);
	write_path_family(f, s, "seg_path_loss_ratio", "Probe loss over the recent window.",
			  PATH_METRIC_LOSS);
	write_path_family(f, s, "seg_path_alive", "1 when probes get through on the path.",
			  PATH_METRIC_ALIVE);
	write_path_family(f, s, "seg_path_active", "1 for the path data is sent on.",
			  PATH_METRIC_ACTIVE);
	if (fflush(f) != 0 || ferror(f))
		return -1;
	return 0;
}

/* --- HTTP ------------------------------------------------------------------------------ */

/* The end of the headers: a blank line (CRLF as HTTP says, bare LF tolerated). */
static size_t http_frame(const char *buf, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

static int http_answer(char **resp, size_t *resp_len, const char *status, const char *type,
		       const char *body, size_t body_len, bool head)
{
	FILE *f = open_memstream(resp, resp_len);

	if (!f)
		return -ENOMEM;
	fprintf(f,
		"HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		"Connection: close\r\n\r\n",
		status, type, body_len);
	if (!head)
		fwrite(body, 1, body_len, f);
	if (fclose(f) != 0) {
		free(*resp);
		*resp = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int http_error(char **resp, size_t *resp_len, const char *status)
{
	char body[128];
	int n = snprintf(body, sizeof(body), "%s\n", status);
	return http_answer(resp, resp_len, status, "text/plain; charset=utf-8", body, (size_t)n,
			   false);
}

static int http_respond(void *arg, const char *req, size_t len, char **resp, size_t *resp_len)
{
	struct metrics_server *m = arg;
	char method[8], target[256], version[16];

	(void)len;
	/* The request line: METHOD SP target SP HTTP/x.y (RFC 1945 section 5.1). */
	if (sscanf(req, "%7[A-Z] %255[^ \r\n] HTTP/%15[0-9.]", method, target, version) != 3)
		return http_error(resp, resp_len, "400 Bad Request");
	bool head = strcmp(method, "HEAD") == 0;
	if (strcmp(method, "GET") != 0 && !head)
		return http_error(resp, resp_len, "405 Method Not Allowed");
	size_t path_len = strcspn(target, "?");
	if (path_len != strlen("/metrics") || memcmp(target, "/metrics", path_len) != 0)
		return http_error(resp, resp_len, "404 Not Found");

	struct gw_status st = {0};
	char *body = NULL;
	size_t body_len = 0;
	if (m->fn(m->arg, &st) < 0)
		return http_error(resp, resp_len, "503 Service Unavailable");
	FILE *f = open_memstream(&body, &body_len);
	int rc = f ? metrics_write(f, &st) : -1;
	gw_status_free(&st);
	if (!f || fclose(f) != 0 || rc < 0) {
		free(body);
		return http_error(resp, resp_len, "500 Internal Server Error");
	}
	rc = http_answer(resp, resp_len, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body,
			 body_len, head);
	free(body);
	return rc;
}

static const struct oneshot_server_ops http_ops = {
    .frame = http_frame,
    .respond = http_respond,
    .too_large = "HTTP/1.0 431 Request Header Fields Too Large\r\nContent-Length: 0\r\n"
		 "Connection: close\r\n\r\n",
    .busy = "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
};

/* Splits "host:port" or "[v6]:port" into its parts. */
static int split_addr(const char *addr, char *host, size_t hostlen, char *port, size_t portlen)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');
		if (!end || end[1] != ':' || (size_t)(end - addr - 1) >= hostlen)
			return -1;
		memcpy(host, addr + 1, (size_t)(end - addr - 1));
		host[end - addr - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || (size_t)(colon - addr) >= hostlen ||
		    memchr(addr, ':', (size_t)(colon - addr)))
			return -1;
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
	}
	if (host[0] == '\0' || colon[1] == '\0' || strlen(colon + 1) >= portlen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1) || atoi(colon + 1) > 65535)
		return -1;
	snprintf(port, portlen, "%s", colon + 1);
	return 0;
}

static int listen_on(const char *addr, uint16_t *bound, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *ai = NULL;
	char host[256], port[8];

	if (split_addr(addr, host, sizeof(host), port, sizeof(port)) < 0) {
		snprintf(err, errlen, "metricsAddr \"%s\": not host:port", addr);
		return METRICS_ERR_ADDR;
	}
	int rc = getaddrinfo(host, port, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "metricsAddr \"%s\": %s", addr, gai_strerror(rc));
		return METRICS_ERR_ADDR;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, METRICS_CONN_MAX) < 0) {
		snprintf(err, errlen, "metricsAddr \"%s\": %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return METRICS_ERR_SYSTEM;
	}
	freeaddrinfo(ai);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	*bound = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			*bound = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			*bound = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	return fd;
}

int metrics_server_new(struct evloop *loop, const char *addr, gw_status_fn *fn, void *arg,
		       struct metrics_server **out, char *err, size_t errlen)
{
	static const struct oneshot_server_limits limits = {
	    .request_max = METRICS_REQUEST_MAX,
	    .conn_max = METRICS_CONN_MAX,
	    .timeout = METRICS_CONN_TIMEOUT,
	};
	struct metrics_server *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m) {
		snprintf(err, errlen, "metrics: out of memory");
		return METRICS_ERR_NOMEM;
	}
	m->fn = fn;
	m->arg = arg;
	int fd = listen_on(addr, &m->port, err, errlen);
	if (fd < 0) {
		free(m);
		return fd;
	}
	if (oneshot_server_new(loop, fd, &http_ops, m, &limits, &m->srv) < 0) {
		snprintf(err, errlen, "metrics: out of memory");
		close(fd);
		free(m);
		return METRICS_ERR_NOMEM;
	}
	*out = m;
	return 0;
}

void metrics_server_free(struct metrics_server *m)
{
	if (!m)
		return;
	oneshot_server_free(m->srv);
	free(m);
}

uint16_t metrics_server_port(const struct metrics_server *m)
{
	return m->port;
}
