/* SPDX-License-Identifier: MIT */
/* The endhost part shared by `seg paths` and `seg ping`; see endhost.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cursor.h"
#include "base/time.h"
#include "endhost.h"

int endhost_open(struct endhost *e, const char *prog, const char *sciond)
{
	struct seg_daemon_as_info info;
	int err;

	memset(e, 0, sizeof(*e));
	e->prog = prog;
	e->sciond = sciond;
	e->daemon = seg_daemon_open(sciond, ENDHOST_DAEMON_TIMEOUT_MS);
	if (!e->daemon) {
		fprintf(stderr, "%s: invalid daemon address \"%s\"\n", prog, sciond ? sciond : "");
		return -1;
	}
	err = seg_daemon_as_info(e->daemon, 0, &info);
	if (err) {
		fprintf(stderr, "%s: asking the daemon for the local AS: %s\n", prog,
			seg_daemon_last_error(e->daemon));
		return -1;
	}
	e->local_ia = info.ia;
	return 0;
}

void endhost_close(struct endhost *e)
{
	scion_socket_close(e->sock);
	seg_daemon_close(e->daemon);
	e->sock = NULL;
	e->daemon = NULL;
}

int endhost_paths(struct endhost *e, scion_ia_t dst, bool hidden, bool refresh,
		  struct seg_path **paths, size_t *n)
{
	int err = seg_daemon_paths(e->daemon, e->local_ia, dst, hidden, refresh, paths, n);

	if (err) {
		fprintf(stderr, "%s: asking the daemon for paths: %s\n", e->prog,
			seg_daemon_last_error(e->daemon));
		return -1;
	}
	return 0;
}

static bool host_from_sockaddr(const struct sockaddr_storage *sa, struct scion_host *out)
{
	if (sa->ss_family == AF_INET) {
		scion_host_from_ipv4(out,
				     (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr);
		return true;
	}
	if (sa->ss_family == AF_INET6) {
		scion_host_from_ipv6(
		    out, (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr);
		return true;
	}
	return false;
}

static bool host_is_loopback(const struct scion_host *h)
{
	static const uint8_t lo6[16] = {[15] = 1};

	if (h->type == SCION_HOST_IPV4)
		return h->ip[0] == 127;
	return h->type == SCION_HOST_IPV6 && memcmp(h->ip, lo6, 16) == 0;
}

/* The source IP the kernel routes from towards to: connect() on UDP sends no packet. */
static bool host_towards(const struct sockaddr_storage *to, struct scion_host *out)
{
	struct sockaddr_storage me;
	socklen_t len = sizeof(me);
	socklen_t tolen =
	    to->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
	int fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	ok = connect(fd, (const struct sockaddr *)to, tolen) == 0 &&
	     getsockname(fd, (struct sockaddr *)&me, &len) == 0 && host_from_sockaddr(&me, out);
	close(fd);
	return ok;
}

static int pick_local(struct endhost *e, const char *local, const struct seg_path *paths, size_t n)
{
	struct sockaddr_storage sa;
	uint8_t ip[16];

	if (local) {
		if (inet_pton(AF_INET, local, ip) == 1) {
			scion_host_from_ipv4(&e->local_host, ip);
			return 0;
		}
		if (inet_pton(AF_INET6, local, ip) == 1) {
			scion_host_from_ipv6(&e->local_host, ip);
			return 0;
		}
		fprintf(stderr, "%s: invalid local IP \"%s\"\n", e->prog, local);
		return -1;
	}
	if (seg_underlay_parse(e->sciond ? e->sciond : "127.0.0.1:30255", &sa) == 0 &&
	    host_from_sockaddr(&sa, &e->local_host) && host_is_loopback(&e->local_host))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (paths[i].type == SEG_PATH_TYPE_SCION &&
		    host_towards(&paths[i].next_hop, &e->local_host))
			return 0;
	}
	fprintf(stderr,
		"%s: cannot choose a local IP (the daemon is not on loopback and no "
		"path has a next hop): give --local IP\n",
		e->prog);
	return -1;
}

int endhost_bind(struct endhost *e, const char *local, const struct seg_path *paths, size_t n)
{
	struct scion_socket_config cfg = {.local = {.ia = e->local_ia}};
	struct seg_daemon_port_range range;
	char ip[INET6_ADDRSTRLEN];
	int err;

	if (pick_local(e, local, paths, n))
		return -1;
	cfg.local.host = e->local_host;
	/* Without the dispatched range (an old daemon) the kernel picks; routers may then
	 * deliver replies to the endhost port instead of ours. */
	if (seg_daemon_port_range(e->daemon, &range) == 0 && range.end != 0) {
		cfg.port_min = range.start;
		cfg.port_max = range.end;
	}
	err = scion_socket_open(&cfg, &e->sock);
	if (err) {
		inet_ntop(e->local_host.type == SCION_HOST_IPV4 ? AF_INET : AF_INET6,
			  e->local_host.ip, ip, sizeof(ip));
		fprintf(stderr, "%s: cannot bind a socket on %s (ports %u-%u): %s%s%s\n", e->prog,
			ip, cfg.port_min, cfg.port_max, scion_socket_strerror(err),
			err == SCION_SOCK_ERR_SYS ? ": " : "",
			err == SCION_SOCK_ERR_SYS ? strerror(errno) : "");
		return -1;
	}
	return 0;
}

void endhost_route(const struct seg_path *p, struct scion_route *out)
{
	out->type = p->type == SEG_PATH_TYPE_SCION ? SCION_PATH_TYPE_SCION : SCION_PATH_TYPE_EMPTY;
	out->raw = p->raw;
	out->raw_len = p->raw_len;
	out->next_hop = p->type == SEG_PATH_TYPE_SCION ? &p->next_hop : NULL;
}

void endhost_ia_format(scion_ia_t ia, char buf[SCION_IA_STRLEN])
{
	if (scion_ia_format(ia, buf, SCION_IA_STRLEN))
		snprintf(buf, SCION_IA_STRLEN, "?");
}

/* Appends to buf at *len, never past cap; output is cut, never overflows. */
static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (*len >= cap)
		return;
	va_start(ap, fmt);
	r = vsnprintf(buf + *len, cap - *len, fmt, ap);
	va_end(ap);
	if (r > 0)
		*len = (size_t)r >= cap - *len ? cap : *len + (size_t)r;
}

void endhost_hops_format(const struct seg_path *p, scion_ia_t local, char *buf, size_t cap)
{
	char ia[SCION_IA_STRLEN];
	size_t len = 0;

	if (cap == 0)
		return;
	buf[0] = 0;
	endhost_ia_format(p->n_ifaces ? p->ifaces[0].ia : local, ia);
	append(buf, cap, &len, "[%s", ia);
	for (size_t i = 0; i + 1 < p->n_ifaces; i += 2) {
		endhost_ia_format(p->ifaces[i + 1].ia, ia);
		append(buf, cap, &len, " %" PRIu64 ">%" PRIu64 " %s", p->ifaces[i].id,
		       p->ifaces[i + 1].id, ia);
	}
	append(buf, cap, &len, "]");
}

void endhost_sequence_format(const struct seg_path *p, char *buf, size_t cap)
{
	char ia[SCION_IA_STRLEN];
	size_t len = 0;

	if (cap == 0)
		return;
	buf[0] = 0;
	for (size_t i = 0; i < p->n_ifaces; i++) {
		endhost_ia_format(p->ifaces[i].ia, ia);
		append(buf, cap, &len, "%s%s#%" PRIu64, i ? " " : "", ia, p->ifaces[i].id);
	}
}

static const char *dest_unreachable_reason(uint8_t code)
{
	/* scmp.rst, Destination Unreachable codes. */
	static const char *const reasons[] = {
	    "no route to destination",
	    "communication administratively denied",
	    "beyond scope of source address",
	    "address unreachable",
	    "port unreachable",
	    "source address failed ingress/egress policy",
	    "reject route to destination",
	};

	return code < sizeof(reasons) / sizeof(reasons[0]) ? reasons[code] : "unknown code";
}

void endhost_scmp_describe(const struct scmp_msg *m, char *buf, size_t cap)
{
	char ia[SCION_IA_STRLEN];

	switch ((enum scmp_type)m->type) {
	case SCMP_DEST_UNREACHABLE:
		snprintf(buf, cap, "destination unreachable: %s (code %u)",
			 dest_unreachable_reason(m->code), m->code);
		return;
	case SCMP_PACKET_TOO_BIG:
		snprintf(buf, cap, "packet too big (MTU %u)", m->u.too_big.mtu);
		return;
	case SCMP_PARAMETER_PROBLEM:
		snprintf(buf, cap, "parameter problem (code %u, pointer %u)", m->code,
			 m->u.param.pointer);
		return;
	case SCMP_EXTERNAL_INTERFACE_DOWN:
		endhost_ia_format(m->u.ext_down.ia, ia);
		snprintf(buf, cap, "external interface down from %s ifid %" PRIu64, ia,
			 m->u.ext_down.ifid);
		return;
	case SCMP_INTERNAL_CONNECTIVITY_DOWN:
		endhost_ia_format(m->u.int_down.ia, ia);
		snprintf(buf, cap,
			 "internal connectivity down from %s ingress %" PRIu64 " egress %" PRIu64,
			 ia, m->u.int_down.ingress, m->u.int_down.egress);
		return;
	case SCMP_ECHO_REQUEST:
	case SCMP_ECHO_REPLY:
		snprintf(buf, cap, "echo %s (id %u, seq %u)",
			 m->type == SCMP_ECHO_REQUEST ? "request" : "reply", m->u.echo.id,
			 m->u.echo.seq);
		return;
	case SCMP_TRACEROUTE_REQUEST:
	case SCMP_TRACEROUTE_REPLY:
		endhost_ia_format(m->u.traceroute.ia, ia);
		snprintf(buf, cap, "traceroute %s from %s ifid %" PRIu64,
			 m->type == SCMP_TRACEROUTE_REQUEST ? "request" : "reply", ia,
			 m->u.traceroute.ifid);
		return;
	}
	snprintf(buf, cap, "unknown SCMP type %u code %u", m->type, m->code);
}

bool endhost_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

const char *endhost_probe_status_name(enum endhost_probe_status s)
{
	switch (s) {
	case ENDHOST_PROBE_ALIVE:
		return "alive";
	case ENDHOST_PROBE_TIMEOUT:
		return "timeout";
	case ENDHOST_PROBE_SCMP:
		return "scmp";
	case ENDHOST_PROBE_LOCAL:
		return "local";
	case ENDHOST_PROBE_ERROR:
		return "error";
	}
	return "unknown";
}

/*
 * The probe path: the daemon's path with the router alert on the last hop field, on the side
 * the packet enters the destination AS (ConsIngress when the last segment is traversed in
 * construction direction, else ConsEgress), as the reference's pathprobe sets it.
 */
static int probe_raw(const struct seg_path *p, uint8_t *buf, size_t cap, size_t *len)
{
	struct scion_std_path sp;
	struct scion_hop_field *last;
	int inf;

	if (scion_std_path_decode(p->raw, p->raw_len, &sp) || sp.num_hops == 0)
		return -1;
	last = &sp.hop[sp.num_hops - 1];
	inf = scion_std_path_inf_of_hop(&sp, sp.num_hops - 1u);
	if (inf < 0)
		return -1;
	if (sp.inf[inf].cons_dir)
		last->ingress_alert = true;
	else
		last->egress_alert = true;
	return scion_std_path_encode(&sp, buf, cap, len) ? -1 : 0;
}

static void probe_send(struct endhost *e, const struct seg_path *p, size_t idx, scion_ia_t dst,
		       struct endhost_probe *out, uint64_t *sent_at)
{
	uint8_t raw[SCION_MAX_STD_PATH_LEN];
	struct scion_route r;
	struct scion_addr to = {.ia = dst, .host = e->local_host};
	struct scmp_msg m = {.type = SCMP_TRACEROUTE_REQUEST};
	int err;

	memset(out, 0, sizeof(*out));
	if (p->type != SEG_PATH_TYPE_SCION) {
		out->status = ENDHOST_PROBE_LOCAL;
		return;
	}
	endhost_route(p, &r);
	if (probe_raw(p, raw, sizeof(raw), &r.raw_len)) {
		out->status = ENDHOST_PROBE_ERROR;
		snprintf(out->info, sizeof(out->info), "malformed path");
		return;
	}
	r.raw = raw;
	/* Routers deliver the reply by the identifier (reference getDstPortSCMP). */
	m.u.traceroute.id = scion_socket_port(e->sock);
	m.u.traceroute.seq = (uint16_t)idx;
	*sent_at = seg_time_now();
	err = scion_socket_send_scmp(e->sock, &r, &to, &m);
	if (err) {
		out->status = ENDHOST_PROBE_ERROR;
		snprintf(out->info, sizeof(out->info), "send: %s%s%s", scion_socket_strerror(err),
			 err == SCION_SOCK_ERR_SYS ? ": " : "",
			 err == SCION_SOCK_ERR_SYS ? strerror(scion_socket_errno(e->sock)) : "");
		return;
	}
	out->status = ENDHOST_PROBE_TIMEOUT;
}

/*
 * The (id, seq) of the SCMP informational message an error quotes, when it quotes one:
 * the first 8 bytes of the quoted SCMP message (Type, Code, Checksum, Identifier, Sequence).
 */
static bool quoted_info_ids(const struct scmp_msg *m, uint8_t want_type, uint16_t *id,
			    uint16_t *seq)
{
	uint8_t scratch[SCMP_MAX_PACKET_LEN];
	struct scion_packet q;
	struct rcursor c;
	uint8_t type, code;
	uint16_t csum;

	if (m->data_len > sizeof(scratch) ||
	    scion_scmp_quote_decode(m, scratch, sizeof(scratch), &q) ||
	    q.l4_proto != SCION_PROTO_SCMP)
		return false;
	c = rcursor_init(q.l4, q.l4_len);
	return rcursor_u8(&c, &type) && rcursor_u8(&c, &code) && rcursor_u16be(&c, &csum) &&
	       rcursor_u16be(&c, id) && rcursor_u16be(&c, seq) && type == want_type;
}

/* One received message against the outstanding probes; true when it resolved one. */
static bool probe_match(struct endhost *e, const struct scion_socket_msg *msg, size_t n,
			struct endhost_probe *out, const uint64_t *sent_at, uint64_t now)
{
	uint16_t port = scion_socket_port(e->sock), id, seq;
	const struct scmp_msg *m = &msg->scmp;

	if (msg->l4 != SCION_SOCKET_L4_SCMP || !msg->scmp_known)
		return false;
	if (m->type == SCMP_TRACEROUTE_REPLY) {
		id = m->u.traceroute.id;
		seq = m->u.traceroute.seq;
	} else if (!scmp_is_error(m->type) ||
		   !quoted_info_ids(m, SCMP_TRACEROUTE_REQUEST, &id, &seq)) {
		return false;
	}
	if (id != port || seq >= n || out[seq].status != ENDHOST_PROBE_TIMEOUT)
		return false;
	if (m->type == SCMP_TRACEROUTE_REPLY) {
		out[seq].status = ENDHOST_PROBE_ALIVE;
		out[seq].rtt_ms = (double)(now - sent_at[seq]) / 1e6;
	} else {
		out[seq].status = ENDHOST_PROBE_SCMP;
		out[seq].scmp_type = m->type;
		endhost_scmp_describe(m, out[seq].info, sizeof(out[seq].info));
	}
	return true;
}

int endhost_probe(struct endhost *e, const struct seg_path *paths, size_t n, int timeout_ms,
		  struct endhost_probe *out)
{
	uint64_t *sent_at = calloc(n ? n : 1, sizeof(*sent_at));
	uint64_t deadline;
	size_t pending = 0;
	struct scion_socket_msg msg;
	int err, ret = 0;

	if (!sent_at) {
		fprintf(stderr, "%s: out of memory\n", e->prog);
		return -1;
	}
	/* The traceroute request goes to the destination AS; its host does not matter. */
	for (size_t i = 0; i < n; i++) {
		scion_ia_t dst =
		    paths[i].n_ifaces ? paths[i].ifaces[paths[i].n_ifaces - 1].ia : e->local_ia;

		probe_send(e, &paths[i], i, dst, &out[i], &sent_at[i]);
		pending += out[i].status == ENDHOST_PROBE_TIMEOUT;
	}
	deadline = seg_time_add(seg_time_now(), SEG_MS(timeout_ms));
	while (pending) {
		uint64_t now = seg_time_now();

		if (seg_time_expired(now, deadline))
			break;
		err = scion_socket_recv(
		    e->sock, &msg,
		    (int)seg_time_to_ms(seg_time_until(now, deadline) + SEG_MS(1) - 1));
		if (err == SCION_SOCK_ERR_TIMEOUT)
			break;
		if (err == SCION_SOCK_ERR_DECODE || err == SCION_SOCK_ERR_SIZE)
			continue; /* not ours or not SCION: skipped */
		if (err) {
			fprintf(stderr, "%s: receiving: %s: %s\n", e->prog,
				scion_socket_strerror(err), strerror(scion_socket_errno(e->sock)));
			ret = -1;
			break;
		}
		pending -= probe_match(e, &msg, n, out, sent_at, seg_time_now());
	}
	free(sent_at);
	return ret;
}
