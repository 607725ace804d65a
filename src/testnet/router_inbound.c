/* SPDX-License-Identifier: MIT */
/*
 * The border router's answers for packets that end here: delivery to an endhost of this AS
 * (reference router/dataplane.go: resolveInbound, resolveLocalDst, addEndhostPort,
 * getDstPortSCMP), echo replies for the AS's host_ip (the testnet's stand-in endhost), and
 * traceroute replies (handleIngressRouterAlert, handleEgressRouterAlert,
 * handleSCMPTraceRouteRequest).
 *
 * Dispatcher-less delivery: the underlay destination is the SCION destination host with the
 * L4 destination port when that port lies in the AS's dispatched range, else the fixed
 * endhost port 30041. SCMP has no ports: informational replies go to their identifier,
 * errors to the source port (or identifier) of the packet they quote.
 */
#include <string.h>

#include <seg/scion_packet.h>

#include "base/cursor.h"
#include "scion/consts.h"

#include "router_proc.h"

enum {
	/* TCP's fixed header; the reference needs it whole to read the port. */
	ROUTER_TCP_HDR_LEN = 20,
	ROUTER_L4_OFF_DST_PORT = 2,
};

/* ---- Router alerts: traceroute (handleIngressRouterAlert, handleEgressRouterAlert) ---- */

/*
 * Answers a traceroute request whose router-alert flag (at flag_bit of the current hop
 * field) is set, naming interface ifid. The reference clears the flag first.
 */
enum router_verdict router_traceroute(struct router_proc *pr, uint8_t flag_bit, uint16_t ifid)
{
	struct router *r = pr->r;
	struct scion_header h;
	struct scmp_msg req;
	uint8_t proto;
	size_t off, len;

	pr->p.buf[pr->hop_off] &= (uint8_t)~flag_bit;
	if (!router_pkt_l4(&pr->p, &proto, &off) || proto != SCION_PROTO_SCMP)
		return router_out_drop(pr, ROUTER_DROP_ALERT_NOT_TRACEROUTE);
	router_pkt_header(&pr->p, &h);
	if (scmp_decode(&h, pr->p.buf + off, pr->p.len - off, false, &req) ||
	    req.type != SCMP_TRACEROUTE_REQUEST || req.code != 0)
		return router_out_drop(pr, ROUTER_DROP_ALERT_NOT_TRACEROUTE);
	if (router_scmp_traceroute_reply(&pr->p, pr->ingress, &r->router_src, &req, ifid, r->reply,
					 sizeof(r->reply), &len)) {
		r->counters.replies_suppressed++;
		return router_out_drop(pr, ROUTER_DROP_ALERT_NOT_TRACEROUTE);
	}
	return router_out_reply(pr, ROUTER_DROP_NONE, len);
}

/* ---- Inbound: delivery to an endhost (resolveInbound, addEndhostPort) ---------------- */

static uint16_t port_or_endhost(const struct router *r, uint16_t port)
{
	return port < r->port_min || port > r->port_max ? ROUTER_ENDHOST_PORT : port;
}

/*
 * getDstPortSCMP on the packet quoted by an SCMP error: the source port of quoted UDP, the
 * identifier of a quoted echo or traceroute request; false for anything else.
 */
static bool quoted_port(const uint8_t *q, size_t qlen, uint16_t *port)
{
	struct router_pkt p = {.buf = (uint8_t *)q, .len = qlen};
	uint8_t proto;
	size_t off;

	if (router_parse_header(&p) != ROUTER_DROP_NONE || !router_pkt_l4(&p, &proto, &off))
		return false;
	q += off;
	qlen -= off;
	if (proto == SCION_PROTO_UDP) {
		/* A zero source port is taken as a truncated header, as the reference does. */
		if (qlen < SCION_UDP_HDR_LEN || load_u16be(q) == 0)
			return false;
		*port = load_u16be(q);
		return true;
	}
	if (proto != SCION_PROTO_SCMP || qlen < SCION_SCMP_HDR_LEN + SCMP_INFO_LEN_ECHO)
		return false;
	if (q[0] == SCMP_ECHO_REQUEST || (q[0] == SCMP_TRACEROUTE_REQUEST &&
					  qlen >= SCION_SCMP_HDR_LEN + SCMP_INFO_LEN_TRACEROUTE)) {
		*port = load_u16be(q + SCION_SCMP_HDR_LEN);
		return true;
	}
	return false;
}

/* getDstPortSCMP for an SCMP message of l4len bytes at l4. */
static bool scmp_port(const uint8_t *l4, size_t l4len, uint16_t *port)
{
	size_t info_len;

	if (l4len < SCION_SCMP_HDR_LEN)
		return false;
	switch (l4[0]) {
	case SCMP_ECHO_REQUEST:
	case SCMP_TRACEROUTE_REQUEST:
		*port = ROUTER_ENDHOST_PORT;
		return true;
	case SCMP_ECHO_REPLY:
	case SCMP_TRACEROUTE_REPLY:
		if (l4len < SCION_SCMP_HDR_LEN + scmp_info_len(l4[0]))
			return false;
		*port = load_u16be(l4 + SCION_SCMP_HDR_LEN);
		return true;
	}
	info_len = scmp_info_len(l4[0]);
	if (!scmp_is_error(l4[0]) || info_len == 0 || l4len < SCION_SCMP_HDR_LEN + info_len)
		return false;
	return quoted_port(l4 + SCION_SCMP_HDR_LEN + info_len,
			   l4len - SCION_SCMP_HDR_LEN - info_len, port);
}

/* An echo request to the AS's host_ip: answered here (seg-testnet's stand-in endhost). */
static enum router_verdict echo(struct router_proc *pr, size_t off)
{
	struct router *r = pr->r;
	struct scion_header h;
	struct scmp_msg req;
	size_t len;

	router_pkt_header(&pr->p, &h);
	if (scmp_decode(&h, pr->p.buf + off, pr->p.len - off, true, &req))
		return router_out_drop(pr, ROUTER_DROP_ECHO_BAD);
	if (router_scmp_echo_reply(&pr->p, pr->ingress, &r->host_src, &req, r->reply,
				   sizeof(r->reply), &len)) {
		r->counters.replies_suppressed++;
		return router_out_drop(pr, ROUTER_DROP_ECHO_BAD);
	}
	return router_out_reply(pr, ROUTER_DROP_NONE, len);
}

static bool is_echo_to_host(const struct router_proc *pr, const struct scion_host *dst,
			    uint8_t proto, size_t off)
{
	return proto == SCION_PROTO_SCMP && off < pr->p.len &&
	       pr->p.buf[off] == SCMP_ECHO_REQUEST && scion_host_equal(dst, &pr->r->host_src.host);
}

enum router_verdict router_inbound(struct router_proc *pr)
{
	const struct router_pkt *p = &pr->p;
	struct router_action *act = pr->act;
	const uint8_t *l4;
	uint8_t proto;
	size_t off, l4len;
	uint16_t port = ROUTER_ENDHOST_PORT;

	router_pkt_host(p, p->dst_type, p->dst_host_off, &act->dst_host);
	if (act->dst_host.type == SCION_HOST_SVC) {
		/* No service instances in the testnet: the reference's noSVCBackend. */
		struct scmp_msg m = {.type = SCMP_DEST_UNREACHABLE, .code = SCMP_CODE_NO_ROUTE};

		return router_out_scmp(pr, ROUTER_DROP_NO_SVC, &m);
	}
	if (router_host_is_v4_mapped(&act->dst_host) || router_host_is_unspecified(&act->dst_host))
		return router_out_param_problem(pr, ROUTER_DROP_BAD_DST_HOST,
						SCMP_CODE_INVALID_DESTINATION_ADDRESS, 0);
	(void)router_pkt_l4(p, &proto, &off); /* checked by parse_header */
	if (is_echo_to_host(pr, &act->dst_host, proto, off))
		return echo(pr, off);
	l4 = p->buf + off;
	l4len = p->len - off;
	switch (proto) {
	case SCION_PROTO_UDP:
	case SCION_PROTO_TCP:
		if (l4len < (proto == SCION_PROTO_UDP ? SCION_UDP_HDR_LEN : ROUTER_TCP_HDR_LEN))
			return router_out_drop(pr, ROUTER_DROP_L4_TRUNCATED);
		port = load_u16be(l4 + ROUTER_L4_OFF_DST_PORT);
		break;
	case SCION_PROTO_SCMP:
		if (!scmp_port(l4, l4len, &port))
			return router_out_drop(pr, l4len < SCION_SCMP_HDR_LEN
						       ? ROUTER_DROP_L4_TRUNCATED
						       : ROUTER_DROP_SCMP_UNDELIVERABLE);
		break;
	default:
		break;
	}
	act->dst_port = port_or_endhost(pr->r, port);
	act->verdict = ROUTER_DELIVER;
	act->reason = ROUTER_DROP_NONE;
	return ROUTER_DELIVER;
}

/* ---- The empty path: only an endhost's echo request to host_ip within the AS ---------- */

enum router_verdict router_process_empty(struct router_proc *pr)
{
	const struct router_pkt *p = &pr->p;
	struct scion_host dst;
	uint8_t proto;
	size_t off;

	if (p->path_len != 0)
		return router_out_drop(pr, ROUTER_DROP_PATH_MALFORMED);
	if (p->payload_len != p->len - p->hdr_len)
		return router_out_drop(pr, ROUTER_DROP_BAD_PKT_LEN);
	router_pkt_host(p, p->dst_type, p->dst_host_off, &dst);
	(void)router_pkt_l4(p, &proto, &off);
	if (pr->ingress != 0 || p->src_ia != pr->r->ia || p->dst_ia != pr->r->ia ||
	    !is_echo_to_host(pr, &dst, proto, off))
		return router_out_drop(pr, ROUTER_DROP_EMPTY_PATH);
	return echo(pr, off);
}
