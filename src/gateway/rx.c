/* SPDX-License-Identifier: MIT */
/*
 * The RX pipeline (control thread): recvmmsg → SCION decode → our address? → UDP (checksum)
 * or SCMP → seg type → handshake (peer by source address) | transport: receiver index →
 * session → AEAD open → replay → inner type → data (batched to the adapters) | fragment
 * (reassembly) | control (control channel) | probe (reply on the reversed path) | probe
 * reply (path manager) | keepalive. Cheap checks first; nothing reaches state before the
 * AEAD opened it; every drop is counted by reason (drops.h).
 */
#include <errno.h>
#include <string.h>

#include "base/log.h"
#include "base/time.h"
#include "datapath.h"
#include "gateway_internal.h"
#include "probe.h"
#include "protocol.h"
#include "timers.h"

/* Data packets of one recvmmsg batch, handed to the adapters per run of one peer (and at
 * most RX_PENDING_MAX at a time: a GRO run holds many datagrams). */
enum { RX_PENDING_MAX = 64 };

struct rx_pending {
	struct seg_peer *peer;
	struct seg_buf pkts[RX_PENDING_MAX];
	size_t n;
};

static void pending_flush(struct gateway *gw, struct rx_pending *pd)
{
	if (pd->n)
		gw_adapters_ingress(gw, pd->peer, pd->pkts, pd->n);
	pd->n = 0;
	pd->peer = NULL;
}

static void pending_add(struct gateway *gw, struct rx_pending *pd, struct seg_peer *p,
			const uint8_t *data, size_t len)
{
	if (pd->peer != p || pd->n == RX_PENDING_MAX)
		pending_flush(gw, pd);
	pd->peer = p;
	pd->pkts[pd->n].data = data;
	pd->pkts[pd->n].len = len;
	pd->n++;
}

struct reasm_ctx {
	struct gateway *gw;
	struct seg_peer *p;
};

static void reasm_deliver(void *arg, const uint8_t *pkt, size_t len)
{
	struct reasm_ctx *c = arg;
	struct seg_buf b = {.data = pkt, .len = len};

	gw_adapters_ingress(c->gw, c->p, &b, 1);
}

static enum gw_drop open_drop_reason(int err)
{
	switch (err) {
	case SEG_ERR_INDEX:
		return GW_DROP_TR_INDEX;
	case SEG_ERR_EXPIRED:
		return GW_DROP_TR_EXPIRED;
	case SEG_ERR_REPLAY:
		return GW_DROP_TR_REPLAY;
	case SEG_ERR_COUNTER_LIMIT:
		return GW_DROP_TR_HEADER;
	default:
		return GW_DROP_TR_AEAD;
	}
}

static void inner_dispatch(struct gateway *gw, struct rx_pending *pd, struct seg_peer *p,
			   uint32_t rx_index, const struct scion_packet *pkt, uint16_t peer_port,
			   const struct sockaddr_storage *from, const uint8_t *pt, size_t n)
{
	struct reasm_ctx rc = {.gw = gw, .p = p};
	int err;

	switch (pt[0]) {
	case SEG_INNER_DATA:
		if (n > 1)
			pending_add(gw, pd, p, pt + 1, n - 1);
		break;
	case SEG_INNER_FRAGMENT:
		pending_flush(gw, pd); /* keep the adapter's packets in order */
		if (frag_reasm_input(&p->reasm, pt + 1, n - 1, seg_time_now(), reasm_deliver, &rc))
			gw_drop(gw, p, GW_DROP_FRAG_REJECTED);
		timers_reasm_changed(p);
		break;
	case SEG_INNER_CONTROL:
		pthread_mutex_lock(&p->lock);
		if (rx_index != p->ctrl_index)
			err = 1;
		else
			err = peer_ctrl_input_locked(p, pt + 1, n - 1);
		pthread_mutex_unlock(&p->lock);
		if (err > 0)
			gw_drop(gw, p, GW_DROP_CTRL_OLD_SESSION);
		else if (err < 0)
			gw_drop(gw, p, GW_DROP_CTRL_REJECTED);
		pending_flush(gw, pd);
		peer_ctrl_dispatch(p);
		/* Acks and anything our new window allows. */
		peer_ctrl_poll(p);
		break;
	case SEG_INNER_PROBE:
		probe_receive(p, pkt, peer_port, from, pt + 1, n - 1);
		break;
	case SEG_INNER_PROBE_REPLY:
		probe_reply_receive(p, pt + 1, n - 1);
		break;
	case SEG_INNER_KEEPALIVE:
		break;
	default:
		gw_drop(gw, p, GW_DROP_INNER_TYPE);
		break;
	}
}

/*
 * No path from our daemon yet (a responder can be up before its Paths answer): send back the
 * way the peer's authenticated packets come, until the path manager has an active path.
 */
static void route_learn(struct gateway *gw, struct seg_peer *p, const struct scion_packet *pkt,
			uint16_t peer_port, const struct sockaddr_storage *from)
{
	struct underlay_route r;

	if (underlay_route_reply(&r, &gw->ul.local, pkt, peer_port, from) != 0)
		return;
	pthread_mutex_lock(&p->lock);
	if (!p->n_routes) {
		underlay_route_copy(&p->routes[0], &r);
		p->n_routes = 1;
	}
	pthread_mutex_unlock(&p->lock);
}

static void transport_rx(struct gateway *gw, struct rx_pending *pd, uint8_t *msg, size_t len,
			 const struct scion_packet *pkt, uint16_t peer_port,
			 const struct sockaddr_storage *from, size_t wire_len)
{
	struct transport_header h;
	struct session_evicted ev = {0};
	struct seg_peer *p;
	struct session *before;
	uint64_t now = seg_time_now();
	size_t n;
	bool changed;
	int err;

	if (transport_header_parse(msg, len, &h) != 0) {
		gw_drop(gw, NULL, GW_DROP_TR_HEADER);
		return;
	}
	p = gw_index_lookup(gw, h.receiver_index);
	if (!p) {
		gw_drop(gw, NULL, GW_DROP_TR_INDEX);
		return;
	}
	pthread_mutex_lock(&p->lock);
	before = p->slots.current;
	err = session_slots_open(&p->slots, now, &h, msg, len, &n, &ev);
	changed = p->slots.current != before;
	pthread_mutex_unlock(&p->lock);
	peer_sessions_release(p, &ev);
	if (err) {
		gw_drop(gw, p, open_drop_reason(err));
		return;
	}
	/* Authenticated: only now state, timers and the payload. */
	if (!p->n_routes)
		route_learn(gw, p, pkt, peer_port, from);
	p->last_recv_ns = now;
	p->rx_packets++;
	p->rx_bytes += wire_len;
	if (changed) {
		pending_flush(gw, pd);
		peer_current_changed(p);
	}
	inner_dispatch(gw, pd, p, h.receiver_index, pkt, peer_port, from,
		       msg + SEG_TRANSPORT_HEADER_LEN, n);
}

static void handshake_rx(struct gateway *gw, const uint8_t *msg, size_t len,
			 const struct scion_packet *pkt, uint16_t peer_port,
			 const struct sockaddr_storage *from)
{
	struct seg_peer *p = gw_peer_by_src(gw, &pkt->hdr.src);
	struct underlay_route reply;

	if (!p) {
		gw_drop(gw, NULL, GW_DROP_UNKNOWN_PEER);
		return;
	}
	if (msg[0] == SEG_MSG_RESPONSE) {
		peer_handshake_response_rx(p, msg, len);
		return;
	}
	if (underlay_route_reply(&reply, &gw->ul.local, pkt, peer_port, from) != 0) {
		gw_drop(gw, p, GW_DROP_HS_INVALID);
		return;
	}
	peer_handshake_init_rx(p, msg, len, &reply);
}

static void scmp_rx(struct gateway *gw, const struct scion_packet *pkt)
{
	struct scmp_msg m;
	uint64_t now = seg_time_now();

	if (scmp_decode(&pkt->hdr, pkt->l4, pkt->l4_len, true, &m) != 0) {
		gw_drop(gw, NULL, GW_DROP_SCMP_DECODE);
		return;
	}
	if (m.type != SCMP_EXTERNAL_INTERFACE_DOWN && m.type != SCMP_INTERNAL_CONNECTIVITY_DOWN) {
		gw_drop(gw, NULL, GW_DROP_SCMP_IGNORED);
		return;
	}
	/* Immediate failover for every peer whose paths cross the interface (DESIGN.md). */
	for (size_t i = 0; i < gw->n_peers; i++) {
		struct seg_peer *p = gw->peers[i];
		size_t hit;

		if (m.type == SCMP_EXTERNAL_INTERFACE_DOWN) {
			hit =
			    pathmgr_interface_down(p->pm, m.u.ext_down.ia, m.u.ext_down.ifid, now);
		} else {
			hit = pathmgr_interface_down(p->pm, m.u.int_down.ia, m.u.int_down.ingress,
						     now);
			hit += pathmgr_interface_down(p->pm, m.u.int_down.ia, m.u.int_down.egress,
						      now);
		}
		if (hit) {
			seg_log_info("peer %s: SCMP interface down, %zu paths affected",
				     p->remote.description, hit);
			peer_routes_sync(p);
			timers_paths_changed(p);
		}
	}
}

static void datagram_rx(struct gateway *gw, struct rx_pending *pd, uint8_t *buf, size_t len,
			const struct sockaddr_storage *from)
{
	struct scion_packet pkt;
	struct scion_udp udp;
	uint8_t *msg;

	if (scion_packet_decode(buf, len, &pkt) != 0) {
		gw_drop(gw, NULL, GW_DROP_SCION_DECODE);
		return;
	}
	if (pkt.hdr.dst.ia != gw->conf.local.addr.ia ||
	    !scion_host_equal(&pkt.hdr.dst.host, &gw->conf.local.addr.host)) {
		gw_drop(gw, NULL, GW_DROP_NOT_FOR_US);
		return;
	}
	if (pkt.l4_proto == SCION_PROTO_SCMP) {
		scmp_rx(gw, &pkt);
		return;
	}
	if (pkt.l4_proto != SCION_PROTO_UDP) {
		gw_drop(gw, NULL, GW_DROP_L4_PROTO);
		return;
	}
	if (scion_udp_decode(&pkt.hdr, pkt.l4, pkt.l4_len, true, &udp) != 0) {
		gw_drop(gw, NULL, GW_DROP_UDP_DECODE);
		return;
	}
	if (udp.payload_len < 2) {
		gw_drop(gw, NULL, GW_DROP_SEG_SHORT);
		return;
	}
	/* The payload lies in our own receive buffer: opened in place. */
	msg = buf + (udp.payload - buf);
	switch (msg[0]) {
	case SEG_MSG_INIT:
	case SEG_MSG_RESPONSE:
		handshake_rx(gw, msg, udp.payload_len, &pkt, udp.src_port, from);
		break;
	case SEG_MSG_TRANSPORT:
		transport_rx(gw, pd, msg, udp.payload_len, &pkt, udp.src_port, from, len);
		break;
	default:
		gw_drop(gw, NULL, GW_DROP_SEG_TYPE);
		break;
	}
}

void rx_mmsg_input(struct gateway *gw, struct mmsghdr *msgs, size_t n)
{
	struct rx_pending pd = {0};

	for (size_t i = 0; i < n; i++) {
		uint8_t *buf = msgs[i].msg_hdr.msg_iov[0].iov_base;
		size_t len = msgs[i].msg_len;
		/* A GRO run: datagrams of seg bytes back to back, the last one may be shorter. */
		size_t seg = udp_gro_segment_size(&msgs[i].msg_hdr);

		if (!seg || seg > len)
			seg = len;
		/* Datagrams above UNDERLAY_MTU_MAX are refused alike with or without GRO. */
		if ((msgs[i].msg_hdr.msg_flags & MSG_TRUNC) || seg > UNDERLAY_MTU_MAX) {
			gw_drop(gw, NULL, GW_DROP_RX_TRUNC);
			continue;
		}
		for (size_t off = 0; off < len; off += seg) {
			size_t l = len - off < seg ? len - off : seg;

			datagram_rx(gw, &pd, buf + off, l, msgs[i].msg_hdr.msg_name);
		}
	}
	/* The pending data points into the buffers the next recvmmsg reuses. */
	pending_flush(gw, &pd);
	tx_flush(gw, NULL, &gw->ctl_tx);
}

void rx_socket_ready(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct gateway *gw = arg;
	struct mmsghdr msgs[UNDERLAY_RX_BATCH];
	struct iovec iov[UNDERLAY_RX_BATCH];
	struct sockaddr_storage from[UNDERLAY_RX_BATCH];
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(int))];
	} ctl[UNDERLAY_RX_BATCH];
	int n;

	(void)loop;
	(void)events;
	/* A bounded number of batches per wakeup, so timers and other fds get their turn. */
	for (int round = 0; round < 8; round++) {
		for (size_t i = 0; i < UNDERLAY_RX_BATCH; i++) {
			iov[i].iov_base = gw->rx_bufs + i * (size_t)UNDERLAY_RX_BUF_LEN;
			/* Without GRO a datagram above UNDERLAY_MTU_MAX is cut (MSG_TRUNC) and
			 * dropped; with it a run fills up to the whole buffer. */
			iov[i].iov_len = gw->ul.gro ? UNDERLAY_RX_BUF_LEN : UNDERLAY_MTU_MAX;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
			msgs[i].msg_hdr.msg_control = ctl[i].buf;
			msgs[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
		}
		n = recvmmsg(fd, msgs, UNDERLAY_RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		rx_mmsg_input(gw, msgs, (size_t)n);
		if (n < UNDERLAY_RX_BATCH)
			break;
	}
}
