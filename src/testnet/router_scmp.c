/* SPDX-License-Identifier: MIT */
/*
 * The border router's slow path: replies to a packet. SCMP errors (scmp.rst) as scionproto's
 * router builds them (router/dataplane.go: packSCMP, prepareSCMP), traceroute replies
 * (handleSCMPTraceRouteRequest) and echo replies for the AS's host_ip (seg-testnet's own
 * addition: in a real AS an endhost answers). Every reply goes back over the interface the
 * packet came in on, on the reversed path.
 */
#include <string.h>

#include <seg/scion_mac.h>
#include <seg/scion_path.h>

#include "base/cursor.h"
#include "scion/consts.h"

#include "router_scmp.h"

size_t router_host_wire_len(enum scion_host_type t)
{
	switch (t) {
	case SCION_HOST_IPV4:
		return SCION_HOST_IPV4_LEN;
	case SCION_HOST_IPV6:
		return SCION_HOST_IPV6_LEN;
	case SCION_HOST_SVC:
		return SCION_HOST_SVC_WIRE_LEN;
	}
	return 0;
}

void router_pkt_host(const struct router_pkt *p, enum scion_host_type t, size_t off,
		     struct scion_host *out)
{
	memset(out, 0, sizeof(*out));
	out->type = t;
	switch (t) {
	case SCION_HOST_IPV4:
		memcpy(out->ip, p->buf + off, SCION_HOST_IPV4_LEN);
		break;
	case SCION_HOST_IPV6:
		memcpy(out->ip, p->buf + off, SCION_HOST_IPV6_LEN);
		break;
	case SCION_HOST_SVC:
		out->svc = load_u16be(p->buf + off);
		break;
	}
}

void router_pkt_header(const struct router_pkt *p, struct scion_header *h)
{
	memset(h, 0, sizeof(*h));
	h->version = SCION_VERSION;
	h->traffic_class = p->traffic_class;
	h->flow_id = p->flow_id;
	h->next_hdr = p->next_hdr;
	h->payload_len = p->payload_len;
	h->path_type = p->path_type;
	h->dst.ia = p->dst_ia;
	h->src.ia = p->src_ia;
	router_pkt_host(p, p->dst_type, p->dst_host_off, &h->dst.host);
	router_pkt_host(p, p->src_type, p->src_host_off, &h->src.host);
	h->path = p->path_len ? p->buf + p->path_off : NULL;
	h->path_len = p->path_len;
}

/* extension-header.rst: NextHdr(8) ExtLen(8), (ExtLen + 1) * 4 bytes (see scion/consts.h). */
static bool ext_skip(const struct router_pkt *p, uint8_t *proto, size_t *off)
{
	size_t ext_len;

	if (p->len - *off < SCION_EXT_FIXED_LEN)
		return false;
	ext_len = ((size_t)p->buf[*off + 1] + 1) * SCION_EXT_LEN_UNIT;
	if (p->len - *off < ext_len)
		return false;
	*proto = p->buf[*off];
	*off += ext_len;
	return true;
}

bool router_pkt_l4(const struct router_pkt *p, uint8_t *proto, size_t *off)
{
	*proto = p->next_hdr;
	*off = p->hdr_len;
	/* At most one hop-by-hop header, first, then at most one end-to-end header. */
	if (*proto == SCION_PROTO_HBH && !ext_skip(p, proto, off))
		return false;
	if (*proto == SCION_PROTO_E2E && !ext_skip(p, proto, off))
		return false;
	return true;
}

/* Reference determinePeer() on a decoded path: -1 for a malformed peering path. */
static int path_peering(const struct scion_std_path *sp)
{
	const struct scion_path_meta *m = &sp->meta;

	if (!sp->inf[m->curr_inf].peer)
		return 0;
	if (m->seg_len[0] == 0 || m->seg_len[1] == 0 || m->seg_len[2] != 0)
		return -1;
	return m->curr_hf + 1 == m->seg_len[0] || m->curr_hf == m->seg_len[0];
}

/* Reference Base.IsXover: the next hop field belongs to another segment. */
static bool path_is_xover(const struct scion_std_path *sp)
{
	const struct scion_path_meta *m = &sp->meta;
	unsigned next = m->curr_hf + 1u, inf;

	if (next >= sp->num_hops)
		return false;
	inf = next < m->seg_len[0] ? 0 : next < (unsigned)m->seg_len[0] + m->seg_len[1] ? 1 : 2;
	return inf != m->curr_inf;
}

int router_reply_path(const struct router_pkt *p, uint16_t ingress, bool seg_id_pending,
		      uint8_t *out, size_t cap, size_t *out_len)
{
	struct scion_std_path sp;
	struct scion_info_field *inf;
	int peering, err;

	err = scion_std_path_decode(p->buf + p->path_off, p->path_len, &sp);
	if (!err)
		err = scion_std_path_reverse(&sp);
	if (err)
		return err;
	peering = path_peering(&sp);
	if (peering < 0)
		return SCION_PATH_ERR_SEG_LEN;
	/* Undo the segment switch the router made while processing (prepareSCMP). */
	if (path_is_xover(&sp) && !peering) {
		err = scion_std_path_advance(&sp);
		if (err)
			return err;
	}
	/*
	 * Leaving over an inter-AS link: this router's egress processing (processEgress). With
	 * the ingress update still pending (against construction direction before reversal, so
	 * in it now), the two updates cancel: the reference applies only the egress one, which
	 * leaves a SegID the next AS cannot verify. We keep the chain intact.
	 */
	if (ingress != 0) {
		inf = &sp.inf[sp.meta.curr_inf];
		if (inf->cons_dir && !peering && !seg_id_pending)
			inf->seg_id = scion_seg_id_next(inf->seg_id, sp.hop[sp.meta.curr_hf].mac);
		err = scion_std_path_advance(&sp);
		if (err)
			return err;
	}
	return scion_std_path_encode(&sp, out, cap, out_len);
}

/*
 * Writes header h (path given) and SCMP message m after it into out. The path bytes live in
 * path_buf, which the caller owns.
 */
static int reply_write(struct scion_header *h, const struct scmp_msg *m, uint8_t *out, size_t cap,
		       size_t *out_len)
{
	size_t hdr_len = scion_header_len(h), scmp_len, written;
	int err;

	if (cap < hdr_len)
		return SCION_PKT_ERR_SPACE;
	err = scmp_encode(h, m, out + hdr_len, cap - hdr_len, &scmp_len);
	if (!err)
		err = scion_header_encode(h, scmp_len, out, cap, &written);
	if (err)
		return err;
	*out_len = hdr_len + scmp_len;
	return 0;
}

/* The reply header: to the packet's source, from src, on the reversed path. */
static int reply_header(const struct router_pkt *p, uint16_t ingress, bool seg_id_pending,
			const struct router_scmp_src *src, uint8_t *path_buf, size_t path_cap,
			struct scion_header *h)
{
	size_t path_len = 0;
	int err = 0;

	memset(h, 0, sizeof(*h));
	h->version = SCION_VERSION;
	h->traffic_class = p->traffic_class;
	h->flow_id = p->flow_id;
	h->next_hdr = SCION_PROTO_SCMP;
	h->path_type = p->path_type;
	h->dst.ia = p->src_ia;
	router_pkt_host(p, p->src_type, p->src_host_off, &h->dst.host);
	h->src.ia = src->ia;
	h->src.host = src->host;
	if (p->path_type == SCION_PATH_TYPE_SCION)
		err = router_reply_path(p, ingress, seg_id_pending, path_buf, path_cap, &path_len);
	else if (p->path_type != SCION_PATH_TYPE_EMPTY)
		err = SCION_PKT_ERR_PATH_TYPE;
	h->path = path_len ? path_buf : NULL;
	h->path_len = path_len;
	return err;
}

int router_scmp_error(const struct router_pkt *p, uint16_t ingress, bool seg_id_pending,
		      const struct router_scmp_src *src, const struct scmp_msg *m, uint8_t *out,
		      size_t cap, size_t *out_len)
{
	uint8_t path_buf[SCION_MAX_STD_PATH_LEN];
	struct scion_header h;
	struct scmp_msg msg = *m;
	uint8_t proto;
	size_t off, room, used;

	/* scmp.rst and packSCMP: never an SCMP error about an SCMP error. */
	if (router_pkt_l4(p, &proto, &off) && proto == SCION_PROTO_SCMP && off < p->len &&
	    scmp_is_error(p->buf[off]))
		return -1;
	if (reply_header(p, ingress, seg_id_pending, src, path_buf, sizeof(path_buf), &h))
		return -1;
	/* Quote as much of the offending packet as fits (prepareSCMP, MaxSCMPPacketLen). */
	used = scion_header_len(&h) + SCION_SCMP_HDR_LEN + scmp_info_len(msg.type);
	room = used < SCMP_MAX_PACKET_LEN ? SCMP_MAX_PACKET_LEN - used : 0;
	msg.data = p->buf;
	msg.data_len = p->len < room ? p->len : room;
	return reply_write(&h, &msg, out, cap, out_len) ? -1 : 0;
}

int router_scmp_echo_reply(const struct router_pkt *p, uint16_t ingress,
			   const struct router_scmp_src *src, const struct scmp_msg *req,
			   uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t path_buf[SCION_MAX_STD_PATH_LEN];
	struct scion_header h;
	struct scmp_msg msg;

	if (reply_header(p, ingress, false, src, path_buf, sizeof(path_buf), &h))
		return -1;
	memset(&msg, 0, sizeof(msg));
	msg.type = SCMP_ECHO_REPLY;
	msg.u.echo.id = req->u.echo.id;
	msg.u.echo.seq = req->u.echo.seq;
	msg.data = req->data;
	msg.data_len = req->data_len;
	return reply_write(&h, &msg, out, cap, out_len) ? -1 : 0;
}

int router_scmp_traceroute_reply(const struct router_pkt *p, uint16_t ingress,
				 const struct router_scmp_src *src, const struct scmp_msg *req,
				 uint16_t ifid, uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t path_buf[SCION_MAX_STD_PATH_LEN];
	struct scion_header h;
	struct scmp_msg msg;

	if (reply_header(p, ingress, false, src, path_buf, sizeof(path_buf), &h))
		return -1;
	memset(&msg, 0, sizeof(msg));
	msg.type = SCMP_TRACEROUTE_REPLY;
	msg.u.traceroute.id = req->u.traceroute.id;
	msg.u.traceroute.seq = req->u.traceroute.seq;
	msg.u.traceroute.ia = src->ia;
	msg.u.traceroute.ifid = ifid;
	return reply_write(&h, &msg, out, cap, out_len) ? -1 : 0;
}
