/* SPDX-License-Identifier: MIT */
/*
 * The dispatcher-less SCION endhost socket (socket.h): bind an underlay UDP port, build
 * packets with the codec, send them to the next hop, receive and check what routers deliver.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/cursor.h"
#include "scion/consts.h"
#include "scion/socket.h"

/*
 * FlowID of every packet the socket sends: all packets of one socket belong to one flow
 * (scion-header.rst: "SHOULD be set to the same value for packets of a flow"); 1, as the
 * reference endhost stack uses.
 */
enum { SOCKET_FLOW_ID = 1 };

struct scion_socket {
	int fd;
	int family;
	int last_errno;
	uint16_t port;
	struct scion_addr local;
	/* Owned buffers: one packet out, one packet in; see socket.h for their lifetimes. */
	uint8_t sbuf[SCION_SOCKET_MAX_PKT];
	uint8_t rbuf[SCION_SOCKET_MAX_PKT];
};

static int family_of(const struct scion_host *h)
{
	switch (h->type) {
	case SCION_HOST_IPV4:
		return AF_INET;
	case SCION_HOST_IPV6:
		return AF_INET6;
	case SCION_HOST_SVC:
		break;
	}
	return AF_UNSPEC;
}

/* The underlay address of host h at port (h of the socket's family). */
static void sockaddr_from_host(const struct scion_host *h, uint16_t port,
			       struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (h->type == SCION_HOST_IPV4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)out;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, h->ip, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)out;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, h->ip, 16);
	}
}

static socklen_t sockaddr_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static int sys_fail(struct scion_socket *s)
{
	s->last_errno = errno;
	return SCION_SOCK_ERR_SYS;
}

/*
 * An ephemeral port inside [min, max]: start at a random port and take the first free one, so
 * that sockets of one host spread over the range. At most max - min + 1 binds.
 */
static int bind_in_range(struct scion_socket *s, uint16_t min, uint16_t max)
{
	uint32_t span = (uint32_t)max - min + 1, start = 0;
	struct sockaddr_storage sa;

	if (getrandom(&start, sizeof(start), GRND_NONBLOCK) != sizeof(start))
		start = (uint32_t)getpid();
	for (uint32_t i = 0; i < span; i++) {
		uint16_t port = (uint16_t)(min + (start + i) % span);

		sockaddr_from_host(&s->local.host, port, &sa);
		if (bind(s->fd, (struct sockaddr *)&sa, sockaddr_len(s->family)) == 0) {
			s->port = port;
			return 0;
		}
		if (errno != EADDRINUSE && errno != EACCES)
			return sys_fail(s);
	}
	return SCION_SOCK_ERR_PORT;
}

static int bind_port(struct scion_socket *s, uint16_t port)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	sockaddr_from_host(&s->local.host, port, &sa);
	if (bind(s->fd, (struct sockaddr *)&sa, sockaddr_len(s->family)) != 0)
		return errno == EADDRINUSE ? SCION_SOCK_ERR_PORT : sys_fail(s);
	if (getsockname(s->fd, (struct sockaddr *)&sa, &len) != 0)
		return sys_fail(s);
	s->port = ntohs(s->family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
					     : ((struct sockaddr_in6 *)&sa)->sin6_port);
	return 0;
}

int scion_socket_open(const struct scion_socket_config *cfg, struct scion_socket **out)
{
	struct scion_socket *s;
	int family, one = 1, err;

	*out = NULL;
	family = family_of(&cfg->local.host);
	if (family == AF_UNSPEC || cfg->port_min > cfg->port_max)
		return SCION_SOCK_ERR_ARG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return SCION_SOCK_ERR_NOMEM;
	s->family = family;
	s->local = cfg->local;
	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		err = SCION_SOCK_ERR_SYS;
		goto err_free;
	}
	if (family == AF_INET6 && setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) {
		err = SCION_SOCK_ERR_SYS;
		goto err_close;
	}
	if (cfg->port || (cfg->port_min == 0 && cfg->port_max == 0))
		err = bind_port(s, cfg->port);
	else
		err = bind_in_range(s, cfg->port_min == 0 ? 1 : cfg->port_min, cfg->port_max);
	if (err)
		goto err_close;
	*out = s;
	return 0;

err_close:
	close(s->fd);
err_free:
	free(s);
	return err;
}

void scion_socket_close(struct scion_socket *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s);
}

int scion_socket_fd(const struct scion_socket *s)
{
	return s->fd;
}

uint16_t scion_socket_port(const struct scion_socket *s)
{
	return s->port;
}

const struct scion_addr *scion_socket_local(const struct scion_socket *s)
{
	return &s->local;
}

int scion_socket_errno(const struct scion_socket *s)
{
	return s->last_errno;
}

static bool route_valid(const struct scion_route *r)
{
	switch (r->type) {
	case SCION_PATH_TYPE_EMPTY:
		return r->raw_len == 0;
	case SCION_PATH_TYPE_SCION:
		return r->raw && r->raw_len >= SCION_PATH_META_LEN &&
		       r->raw_len <= SCION_MAX_STD_PATH_LEN;
	case SCION_PATH_TYPE_ONEHOP:
		return r->raw && r->raw_len == SCION_ONEHOP_PATH_LEN;
	case SCION_PATH_TYPE_EPIC:
	case SCION_PATH_TYPE_COLIBRI:
		break;
	}
	return false;
}

/*
 * Where the packet goes on the underlay: the next hop, or, for the empty path without one,
 * the destination host itself (at its UDP port; SCMP at the endhost port).
 */
static int underlay_of(const struct scion_socket *s, const struct scion_route *r,
		       const struct scion_udp_addr *dst, uint8_t proto,
		       struct sockaddr_storage *out)
{
	if (r->next_hop && r->next_hop->ss_family != AF_UNSPEC) {
		if (r->next_hop->ss_family != s->family)
			return SCION_SOCK_ERR_NEXT_HOP;
		*out = *r->next_hop;
		return 0;
	}
	if (r->type != SCION_PATH_TYPE_EMPTY || family_of(&dst->addr.host) != s->family)
		return SCION_SOCK_ERR_NEXT_HOP;
	sockaddr_from_host(&dst->addr.host,
			   proto == SCION_PROTO_UDP ? dst->port : SCION_SOCKET_ENDHOST_PORT, out);
	return 0;
}

int scion_socket_build(const struct scion_socket *s, const struct scion_route *route,
		       const struct scion_udp_addr *dst, uint8_t proto, const uint8_t *payload,
		       size_t payload_len, const struct scmp_msg *m, uint8_t *buf, size_t cap,
		       size_t *written, struct sockaddr_storage *underlay)
{
	struct scion_header h = {
	    .version = SCION_VERSION,
	    .flow_id = SOCKET_FLOW_ID,
	    .path_type = (uint8_t)route->type,
	    .dst = dst->addr,
	    .src = s->local,
	    .path = route->raw,
	    .path_len = route->raw_len,
	};
	int err;

	if (!route_valid(route) || (proto == SCION_PROTO_SCMP && !m) ||
	    (proto != SCION_PROTO_SCMP && proto != SCION_PROTO_UDP))
		return SCION_SOCK_ERR_ARG;
	err = underlay_of(s, route, dst, proto, underlay);
	if (err)
		return err;
	if (proto == SCION_PROTO_UDP)
		return scion_udp_packet_build(&h, s->port, dst->port, payload, payload_len, buf,
					      cap, written);
	return scion_scmp_packet_build(&h, m, buf, cap, written);
}

static int send_to(struct scion_socket *s, const struct sockaddr_storage *to, const uint8_t *pkt,
		   size_t len)
{
	ssize_t n =
	    sendto(s->fd, pkt, len, 0, (const struct sockaddr *)to, sockaddr_len(s->family));

	if (n < 0)
		return sys_fail(s);
	return (size_t)n == len ? 0 : SCION_SOCK_ERR_SIZE;
}

int scion_socket_send_udp(struct scion_socket *s, const struct scion_route *route,
			  const struct scion_udp_addr *dst, const uint8_t *payload,
			  size_t payload_len)
{
	struct sockaddr_storage to;
	size_t len;
	int err;

	err = scion_socket_build(s, route, dst, SCION_PROTO_UDP, payload, payload_len, NULL,
				 s->sbuf, sizeof(s->sbuf), &len, &to);
	return err ? err : send_to(s, &to, s->sbuf, len);
}

int scion_socket_send_scmp(struct scion_socket *s, const struct scion_route *route,
			   const struct scion_addr *dst, const struct scmp_msg *m)
{
	struct scion_udp_addr d = {.addr = *dst};
	struct sockaddr_storage to;
	size_t len;
	int err;

	err = scion_socket_build(s, route, &d, SCION_PROTO_SCMP, NULL, 0, m, s->sbuf,
				 sizeof(s->sbuf), &len, &to);
	return err ? err : send_to(s, &to, s->sbuf, len);
}

int scion_socket_send_raw(struct scion_socket *s, const struct sockaddr_storage *next_hop,
			  const uint8_t *pkt, size_t len)
{
	if (!next_hop || next_hop->ss_family != s->family)
		return SCION_SOCK_ERR_NEXT_HOP;
	if (!pkt || len == 0 || len > SCION_SOCKET_MAX_PKT)
		return SCION_SOCK_ERR_ARG;
	return send_to(s, next_hop, pkt, len);
}

/* Decodes the datagram in rbuf: SCION header, then UDP or SCMP with checksums. */
static int decode_msg(const uint8_t *buf, size_t len, struct scion_socket_msg *out)
{
	struct scion_packet *p = &out->pkt;
	int err;

	err = scion_packet_decode(buf, len, p);
	if (err)
		goto bad;
	switch (p->l4_proto) {
	case SCION_PROTO_UDP:
		out->l4 = SCION_SOCKET_L4_UDP;
		err = scion_udp_decode(&p->hdr, p->l4, p->l4_len, true, &out->udp);
		break;
	case SCION_PROTO_SCMP:
		out->l4 = SCION_SOCKET_L4_SCMP;
		err = scmp_decode(&p->hdr, p->l4, p->l4_len, true, &out->scmp);
		if (err == SCION_PKT_ERR_SCMP_TYPE) {
			/* Fill-in happened; scmp.rst: unknown errors go to the application. */
			out->scmp_known = false;
			return 0;
		}
		out->scmp_known = true;
		break;
	default:
		out->l4 = SCION_SOCKET_L4_OTHER;
		return 0;
	}
	if (!err)
		return 0;
bad:
	out->decode_err = err;
	return SCION_SOCK_ERR_DECODE;
}

int scion_socket_recv(struct scion_socket *s, struct scion_socket_msg *out, int timeout_ms)
{
	struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
	socklen_t alen = sizeof(out->from);
	ssize_t n;
	int r;

	memset(out, 0, sizeof(*out));
	r = poll(&pfd, 1, timeout_ms < 0 ? -1 : timeout_ms);
	if (r < 0)
		return sys_fail(s);
	if (r == 0)
		return SCION_SOCK_ERR_TIMEOUT;
	/* MSG_TRUNC: the real length, so that an oversized datagram is seen and dropped. */
	n = recvfrom(s->fd, s->rbuf, sizeof(s->rbuf), MSG_TRUNC, (struct sockaddr *)&out->from,
		     &alen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return SCION_SOCK_ERR_TIMEOUT;
		return sys_fail(s);
	}
	out->len = (size_t)n;
	if ((size_t)n > sizeof(s->rbuf))
		return SCION_SOCK_ERR_SIZE;
	out->data = s->rbuf;
	return decode_msg(s->rbuf, (size_t)n, out);
}

int scion_scmp_quote_decode(const struct scmp_msg *m, uint8_t *scratch, size_t cap,
			    struct scion_packet *out)
{
	uint8_t hdr_units;
	size_t hdr_len;

	if (!scmp_is_error(m->type) || m->data_len > cap)
		return SCION_SOCK_ERR_ARG;
	if (m->data_len < SCION_COMMON_HDR_LEN)
		return SCION_PKT_ERR_TRUNCATED;
	memcpy(scratch, m->data, m->data_len);
	hdr_units = scratch[SCION_OFF_HDR_LEN];
	hdr_len = (size_t)hdr_units * SCION_HDR_LEN_UNIT;
	if (hdr_len > m->data_len)
		return SCION_PKT_ERR_HDR_LEN;
	/* What is present after the header becomes the payload (see socket.h). */
	store_u16be(scratch + SCION_OFF_PAYLOAD_LEN, (uint16_t)(m->data_len - hdr_len));
	return scion_packet_decode(scratch, m->data_len, out);
}

const char *scion_socket_strerror(int err)
{
	switch (err) {
	case SCION_SOCK_OK:
		return "success";
	case SCION_SOCK_ERR_ARG:
		return "invalid argument";
	case SCION_SOCK_ERR_SYS:
		return "system call failed";
	case SCION_SOCK_ERR_PORT:
		return "no free port in the range";
	case SCION_SOCK_ERR_TIMEOUT:
		return "timed out";
	case SCION_SOCK_ERR_DECODE:
		return "received datagram is not a valid SCION packet";
	case SCION_SOCK_ERR_SIZE:
		return "datagram too large";
	case SCION_SOCK_ERR_NOMEM:
		return "out of memory";
	case SCION_SOCK_ERR_NEXT_HOP:
		return "no usable next hop";
	default:
		return scion_pkt_strerror(err);
	}
}
