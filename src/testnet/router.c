/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's border router: per-packet processing of the SCION path type, following
 * scionproto's router (router/dataplane.go, scionPacketProcessor.process) step by step:
 *
 *   parsePath, determinePeer, validateHopExpiry, validateIngressID, validatePktLen,
 *   validateTransitUnderlaySrc, validateSrcDstIA, validateSrcHost,
 *   updateNonConsDirIngressSegID, verifyCurrentMAC, handleIngressRouterAlert,
 *   inbound: resolveInbound (dispatcher-less delivery by port)
 *   outbound: doXover + validateHopExpiry + verifyCurrentMAC at a non-peering segment switch,
 *   validateEgressID (link-type rules), handleEgressRouterAlert, validateEgressUp,
 *   processEgress (SegID update in construction direction, IncPath).
 *
 * Each router of the testnet owns every interface of its AS, so there are no sibling routers:
 * a packet from the internal socket (ingress 0) comes from an endhost and must be at its
 * first hop. Cheap checks come before the MAC; the packet is only written (SegID, meta
 * header, cleared router-alert flags) in the places the reference writes it.
 */
#include <string.h>

#include <seg/scion_mac.h>
#include <seg/scion_packet.h>
#include <seg/scion_path.h>

#include "base/cursor.h"
#include "scion/consts.h"

#include "router_proc.h"

static const struct router_iface *iface_find(const struct router *r, uint16_t ifid)
{
	unsigned idx = r->iface_of[ifid];

	return idx ? &r->ifaces[idx - 1] : NULL;
}

/* ---- Outcomes ---------------------------------------------------------------------- */

enum router_verdict router_out_drop(struct router_proc *pr, enum router_drop_reason why)
{
	pr->act->verdict = ROUTER_DROP;
	pr->act->reason = why;
	return ROUTER_DROP;
}

enum router_verdict router_out_reply(struct router_proc *pr, enum router_drop_reason why,
				     size_t len)
{
	pr->act->verdict = ROUTER_REPLY;
	pr->act->reason = why;
	pr->act->reply = pr->r->reply;
	pr->act->reply_len = len;
	return ROUTER_REPLY;
}

/*
 * An SCMP error answering the packet, as the slow path builds it; the packet counts as
 * dropped for why. m carries type, code and info.
 */
enum router_verdict router_out_scmp(struct router_proc *pr, enum router_drop_reason why,
				    const struct scmp_msg *m)
{
	struct router *r = pr->r;
	size_t len;

	if (router_scmp_error(&pr->p, pr->ingress, pr->seg_id_pending, &r->router_src, m, r->reply,
			      sizeof(r->reply), &len)) {
		r->counters.replies_suppressed++;
		return router_out_drop(pr, why);
	}
	return router_out_reply(pr, why, len);
}

enum router_verdict router_out_param_problem(struct router_proc *pr, enum router_drop_reason why,
					     uint8_t code, size_t pointer)
{
	struct scmp_msg m = {.type = SCMP_PARAMETER_PROBLEM, .code = code};

	m.u.param.pointer = (uint16_t)pointer;
	return router_out_scmp(pr, why, &m);
}

/* ---- Decoding ---------------------------------------------------------------------- */

static uint64_t load_u64be(const uint8_t *p)
{
	return (uint64_t)load_u32be(p) << 32 | load_u32be(p + 4);
}

static bool host_type(uint8_t t, uint8_t l, enum scion_host_type *out)
{
	if (t == SCION_ADDR_T_IP && l == SCION_ADDR_L_4)
		*out = SCION_HOST_IPV4;
	else if (t == SCION_ADDR_T_IP && l == SCION_ADDR_L_16)
		*out = SCION_HOST_IPV6;
	else if (t == SCION_ADDR_T_SVC && l == SCION_ADDR_L_4)
		*out = SCION_HOST_SVC;
	else
		return false;
	return true;
}

/* Common and address header, and the extension chain (reference decodeLayers). */
enum router_drop_reason router_parse_header(struct router_pkt *p)
{
	const uint8_t *b = p->buf;
	uint32_t line;
	uint8_t codes, proto;
	size_t l4_off;

	if (p->len < SCION_COMMON_HDR_LEN + SCION_ADDR_IA_LEN)
		return ROUTER_DROP_TRUNCATED;
	line = load_u32be(b);
	if ((line >> SCION_VERSION_SHIFT & SCION_VERSION_MASK) != SCION_VERSION)
		return ROUTER_DROP_VERSION;
	p->traffic_class = (uint8_t)(line >> SCION_TC_SHIFT & SCION_TC_MASK);
	p->flow_id = line & SCION_FLOW_ID_MASK;
	p->next_hdr = b[SCION_OFF_NEXT_HDR];
	p->hdr_len = (size_t)b[SCION_OFF_HDR_LEN] * SCION_HDR_LEN_UNIT;
	p->payload_len = load_u16be(b + SCION_OFF_PAYLOAD_LEN);
	p->path_type = b[SCION_OFF_PATH_TYPE];
	codes = b[SCION_OFF_ADDR_CODES];
	if (!host_type(codes >> SCION_DT_SHIFT & SCION_ADDR_CODE_MASK,
		       codes >> SCION_DL_SHIFT & SCION_ADDR_CODE_MASK, &p->dst_type) ||
	    !host_type(codes >> SCION_ST_SHIFT & SCION_ADDR_CODE_MASK,
		       codes >> SCION_SL_SHIFT & SCION_ADDR_CODE_MASK, &p->src_type))
		return ROUTER_DROP_ADDR_TYPE;
	p->dst_ia = load_u64be(b + SCION_OFF_ADDR_HDR);
	p->src_ia = load_u64be(b + SCION_OFF_ADDR_HDR + 8);
	p->dst_host_off = SCION_OFF_ADDR_HDR + SCION_ADDR_IA_LEN;
	p->src_host_off = p->dst_host_off + router_host_wire_len(p->dst_type);
	p->path_off = p->src_host_off + router_host_wire_len(p->src_type);
	if (p->hdr_len < p->path_off || p->hdr_len > p->len)
		return ROUTER_DROP_HDR_LEN;
	p->path_len = p->hdr_len - p->path_off;
	if (!router_pkt_l4(p, &proto, &l4_off))
		return ROUTER_DROP_TRUNCATED;
	return ROUTER_DROP_NONE;
}

/* Decodes the current info and hop field at the meta header's CurrINF/CurrHF. */
static void load_current(struct router_proc *pr)
{
	struct router_pkt *p = &pr->p;

	pr->inf_off = p->path_off + scion_path_info_offset(p->curr_inf);
	pr->hop_off = p->path_off + scion_path_hop_offset(p->num_infs, p->curr_hf);
	scion_info_field_decode(p->buf + pr->inf_off, &pr->inf);
	scion_hop_field_decode(p->buf + pr->hop_off, &pr->hf);
}

static void store_meta(struct router_pkt *p)
{
	struct scion_path_meta m = {
	    .curr_inf = p->curr_inf,
	    .curr_hf = p->curr_hf,
	    .seg_len = {p->seg_len[0], p->seg_len[1], p->seg_len[2]},
	};

	scion_path_meta_encode(&m, p->buf + p->path_off);
}

static unsigned inf_of_hop(const struct router_pkt *p, unsigned hf)
{
	if (hf < p->seg_len[0])
		return 0;
	if (hf < (unsigned)p->seg_len[0] + p->seg_len[1])
		return 1;
	return 2;
}

/* Reference Base.IncPath, written back into the packet. */
static bool path_advance(struct router_pkt *p)
{
	if ((unsigned)p->curr_hf + 1 >= p->num_hops)
		return false;
	p->curr_hf++;
	p->curr_inf = (uint8_t)inf_of_hop(p, p->curr_hf);
	store_meta(p);
	return true;
}

/* parsePath and determinePeer: meta header (O(1) checks), current fields, peering. */
static enum router_drop_reason parse_path(struct router_proc *pr)
{
	struct router_pkt *p = &pr->p;
	struct scion_path_meta m;

	if (scion_path_meta_decode(p->buf + p->path_off, p->path_len, &m))
		return ROUTER_DROP_PATH_MALFORMED;
	p->curr_inf = m.curr_inf;
	p->curr_hf = m.curr_hf;
	memcpy(p->seg_len, m.seg_len, sizeof(p->seg_len));
	p->num_infs = (uint8_t)scion_path_meta_num_infs(&m);
	p->num_hops = (uint8_t)scion_path_meta_num_hops(&m);
	load_current(pr);
	/* Segments without the peering flag have two hop fields at least (scionproto #4524). */
	if (!pr->inf.peer && (m.seg_len[0] == 1 || m.seg_len[1] == 1 || m.seg_len[2] == 1))
		return ROUTER_DROP_SINGLETON_SEGMENT;
	pr->peering = false;
	if (pr->inf.peer) {
		if (m.seg_len[0] == 0 || m.seg_len[1] == 0 || m.seg_len[2] != 0)
			return ROUTER_DROP_PEERING_MALFORMED;
		pr->peering = m.curr_hf + 1 == m.seg_len[0] || m.curr_hf == m.seg_len[0];
	}
	return ROUTER_DROP_NONE;
}

/* ---- Checks -------------------------------------------------------------------------- */

/* validateHopExpiry: the reference compares with time.Now(); we get now from the caller. */
static bool hop_expired(const struct router_proc *pr)
{
	return scion_hop_expiry(pr->inf.timestamp, pr->hf.exp_time) < pr->now;
}

bool router_host_is_v4_mapped(const struct scion_host *h)
{
	static const uint8_t prefix[12] = {[10] = 0xff, [11] = 0xff};

	return h->type == SCION_HOST_IPV6 && memcmp(h->ip, prefix, sizeof(prefix)) == 0;
}

bool router_host_is_unspecified(const struct scion_host *h)
{
	static const uint8_t zero[16];

	if (h->type == SCION_HOST_IPV4)
		return memcmp(h->ip, zero, SCION_HOST_IPV4_LEN) == 0;
	return h->type == SCION_HOST_IPV6 && memcmp(h->ip, zero, SCION_HOST_IPV6_LEN) == 0;
}

/* validateSrcDstIA and validateSrcHost; *ok tells whether the packet passed. */
static enum router_verdict check_addresses(struct router_proc *pr, bool *ok)
{
	const struct router_pkt *p = &pr->p;
	bool src_local = p->src_ia == pr->r->ia, dst_local = p->dst_ia == pr->r->ia;
	bool last_hop = p->curr_hf + 1u == p->num_hops;
	struct scion_host src;

	*ok = false;
	if (pr->ingress == 0) {
		/* A packet from an endhost is at its first hop (checked before). */
		if (!src_local)
			return router_out_param_problem(pr, ROUTER_DROP_BAD_SRC_IA,
							SCMP_CODE_INVALID_SOURCE_ADDRESS,
							SCION_COMMON_HDR_LEN + 8);
		if (dst_local)
			return router_out_param_problem(pr, ROUTER_DROP_BAD_DST_IA,
							SCMP_CODE_INVALID_DESTINATION_ADDRESS,
							SCION_COMMON_HDR_LEN);
	} else {
		if (src_local)
			return router_out_param_problem(pr, ROUTER_DROP_BAD_SRC_IA,
							SCMP_CODE_INVALID_SOURCE_ADDRESS,
							SCION_COMMON_HDR_LEN + 8);
		if (last_hop != dst_local)
			return router_out_param_problem(pr, ROUTER_DROP_BAD_DST_IA,
							SCMP_CODE_INVALID_DESTINATION_ADDRESS,
							SCION_COMMON_HDR_LEN);
	}
	if (src_local) {
		router_pkt_host(p, p->src_type, p->src_host_off, &src);
		if (router_host_is_v4_mapped(&src))
			return router_out_param_problem(pr, ROUTER_DROP_BAD_SRC_HOST,
							SCMP_CODE_INVALID_SOURCE_ADDRESS, 0);
	}
	*ok = true;
	return ROUTER_FORWARD;
}

static bool verify_mac(struct router_proc *pr)
{
	return scion_hop_mac_verify(pr->r->key, pr->inf.seg_id, pr->inf.timestamp, &pr->hf);
}

static size_t hop_pointer(const struct router_proc *pr)
{
	return pr->hop_off;
}

/* validateEgressID: link-type rules within a segment and at a segment switch. */
static enum router_verdict check_egress(struct router_proc *pr, bool *ok)
{
	const struct router_iface *in = iface_find(pr->r, pr->ingress);
	const struct router_iface *out = pr->egress ? iface_find(pr->r, pr->egress) : NULL;
	enum router_link_type it, et;

	*ok = false;
	if (!out)
		return router_out_param_problem(pr, ROUTER_DROP_UNKNOWN_EGRESS,
						pr->inf.cons_dir
						    ? SCMP_CODE_UNKNOWN_HOP_FIELD_EGRESS
						    : SCMP_CODE_UNKNOWN_HOP_FIELD_INGRESS,
						hop_pointer(pr));
	et = out->type;
	if (!pr->xover) {
		/* From an endhost, anything goes; a peering hop is not an effective crossover. */
		if (pr->ingress == 0)
			goto fine;
		it = in->type;
		if ((it == ROUTER_LINK_CORE && et == ROUTER_LINK_CORE) ||
		    (it == ROUTER_LINK_CHILD && et == ROUTER_LINK_PARENT) ||
		    (it == ROUTER_LINK_PARENT && et == ROUTER_LINK_CHILD) ||
		    (it == ROUTER_LINK_CHILD && et == ROUTER_LINK_PEER) ||
		    (it == ROUTER_LINK_PEER && et == ROUTER_LINK_CHILD))
			goto fine;
		return router_out_param_problem(pr, ROUTER_DROP_BAD_LINK_PAIR,
						SCMP_CODE_INVALID_PATH, hop_pointer(pr));
	}
	/* A segment switch: core->child, child->core, child->child (shortcut); never internal. */
	if (in && ((in->type == ROUTER_LINK_CORE && et == ROUTER_LINK_CHILD) ||
		   (in->type == ROUTER_LINK_CHILD && et == ROUTER_LINK_CORE) ||
		   (in->type == ROUTER_LINK_CHILD && et == ROUTER_LINK_CHILD)))
		goto fine;
	return router_out_param_problem(pr, ROUTER_DROP_BAD_SEGMENT_CHANGE,
					SCMP_CODE_INVALID_SEGMENT_CHANGE, pr->inf_off);
fine:
	*ok = true;
	return ROUTER_FORWARD;
}

/* ---- process() -------------------------------------------------------------------------- */

/* Checks before the MAC, in the reference's order (process(), up to validateSrcHost). */
static enum router_verdict check_ingress(struct router_proc *pr, bool *ok)
{
	const struct router_pkt *p = &pr->p;
	uint16_t hdr_ingress = pr->inf.cons_dir ? pr->hf.cons_ingress : pr->hf.cons_egress;

	*ok = false;
	if (hop_expired(pr))
		return router_out_param_problem(pr, ROUTER_DROP_EXPIRED_HOP, SCMP_CODE_PATH_EXPIRED,
						hop_pointer(pr));
	if (pr->ingress != 0 && pr->ingress != hdr_ingress)
		return router_out_param_problem(pr, ROUTER_DROP_BAD_INGRESS,
						pr->inf.cons_dir
						    ? SCMP_CODE_UNKNOWN_HOP_FIELD_INGRESS
						    : SCMP_CODE_UNKNOWN_HOP_FIELD_EGRESS,
						hop_pointer(pr));
	if (p->payload_len != p->len - p->hdr_len)
		return router_out_param_problem(pr, ROUTER_DROP_BAD_PKT_LEN,
						SCMP_CODE_INVALID_PACKET_SIZE, 0);
	/* No sibling routers: an endhost's packet must be at its first hop. */
	if (pr->ingress == 0 && (p->curr_inf != 0 || p->curr_hf != 0))
		return router_out_drop(pr, ROUTER_DROP_TRANSIT_FROM_INTERNAL);
	return check_addresses(pr, ok);
}

/* A non-peering segment switch: move to the next segment and check its first hop field. */
static enum router_verdict crossover(struct router_proc *pr, bool *ok)
{
	*ok = false;
	pr->xover = true;
	if (!path_advance(&pr->p))
		return router_out_drop(pr, ROUTER_DROP_PATH_END);
	load_current(pr);
	if (hop_expired(pr))
		return router_out_param_problem(pr, ROUTER_DROP_EXPIRED_HOP, SCMP_CODE_PATH_EXPIRED,
						hop_pointer(pr));
	if (!verify_mac(pr))
		return router_out_param_problem(pr, ROUTER_DROP_BAD_MAC,
						SCMP_CODE_INVALID_HOP_FIELD_MAC, hop_pointer(pr));
	*ok = true;
	return ROUTER_FORWARD;
}

static bool is_xover(const struct router_pkt *p)
{
	unsigned next = p->curr_hf + 1u;

	return next < p->num_hops && inf_of_hop(p, next) != p->curr_inf;
}

static enum router_verdict outbound(struct router_proc *pr)
{
	struct router_pkt *p = &pr->p;
	const struct router_iface *out;
	enum router_verdict v;
	bool ok;
	uint8_t alert;

	if (is_xover(p) && !pr->peering) {
		v = crossover(pr, &ok);
		if (!ok)
			return v;
	}
	pr->egress = pr->inf.cons_dir ? pr->hf.cons_egress : pr->hf.cons_ingress;
	v = check_egress(pr, &ok);
	if (!ok)
		return v;
	/* Before the link-state check, so that traceroute finds the failed link. */
	alert = pr->inf.cons_dir ? SCION_HOP_FLAG_EGRESS_ALERT : SCION_HOP_FLAG_INGRESS_ALERT;
	if (p->buf[pr->hop_off] & alert)
		return router_traceroute(pr, alert, pr->egress);
	out = iface_find(pr->r, pr->egress);
	if (!out->up) {
		struct scmp_msg m = {.type = SCMP_EXTERNAL_INTERFACE_DOWN};

		m.u.ext_down.ia = pr->r->ia;
		m.u.ext_down.ifid = pr->egress;
		return router_out_scmp(pr, ROUTER_DROP_LINK_DOWN, &m);
	}
	/* processEgress: a peering hop and its partner chain to the same SegID. */
	if (pr->inf.cons_dir && !pr->peering)
		store_u16be(p->buf + pr->inf_off + SCION_INFO_OFF_SEG_ID,
			    scion_seg_id_next(pr->inf.seg_id, pr->hf.mac));
	if (!path_advance(p))
		return router_out_drop(pr, ROUTER_DROP_PATH_END);
	pr->act->verdict = ROUTER_FORWARD;
	pr->act->reason = ROUTER_DROP_NONE;
	pr->act->egress = pr->egress;
	return ROUTER_FORWARD;
}

static enum router_verdict process_scion(struct router_proc *pr)
{
	struct router_pkt *p = &pr->p;
	enum router_drop_reason why;
	enum router_verdict v;
	uint8_t alert;
	bool ok;

	why = parse_path(pr);
	if (why != ROUTER_DROP_NONE)
		return router_out_drop(pr, why);
	pr->seg_id_pending = true;
	v = check_ingress(pr, &ok);
	if (!ok)
		return v;
	/* updateNonConsDirIngressSegID: only over an inter-AS link, never at a peering hop. */
	pr->inf.seg_id = scion_seg_id_on_ingress(pr->inf.seg_id, pr->inf.cons_dir, pr->peering,
						 pr->ingress != 0, pr->hf.mac);
	store_u16be(p->buf + pr->inf_off + SCION_INFO_OFF_SEG_ID, pr->inf.seg_id);
	pr->seg_id_pending = false;
	if (!verify_mac(pr))
		return router_out_param_problem(pr, ROUTER_DROP_BAD_MAC,
						SCMP_CODE_INVALID_HOP_FIELD_MAC, hop_pointer(pr));
	alert = pr->inf.cons_dir ? SCION_HOP_FLAG_INGRESS_ALERT : SCION_HOP_FLAG_EGRESS_ALERT;
	if (pr->ingress != 0 && (p->buf[pr->hop_off] & alert))
		return router_traceroute(pr, alert, pr->ingress);
	if (p->dst_ia == pr->r->ia)
		return router_inbound(pr);
	return outbound(pr);
}

static enum router_verdict process(struct router_proc *pr)
{
	enum router_drop_reason why;
	const struct router_iface *in;

	if (pr->ingress != 0) {
		in = iface_find(pr->r, pr->ingress);
		if (!in)
			return router_out_drop(pr, ROUTER_DROP_UNKNOWN_INGRESS);
		if (!in->up)
			return router_out_drop(pr, ROUTER_DROP_INGRESS_DOWN);
	}
	why = router_parse_header(&pr->p);
	if (why != ROUTER_DROP_NONE)
		return router_out_drop(pr, why);
	switch (pr->p.path_type) {
	case SCION_PATH_TYPE_SCION:
		return process_scion(pr);
	case SCION_PATH_TYPE_EMPTY:
		return router_process_empty(pr);
	default:
		/* One-hop paths carry beaconing and BFD, which the testnet does not run. */
		return router_out_drop(pr, ROUTER_DROP_PATH_TYPE);
	}
}

enum router_verdict router_process(struct router *r, uint8_t *pkt, size_t len, uint16_t ingress,
				   uint64_t now_sec, struct router_action *act)
{
	struct router_proc pr = {
	    .r = r,
	    .p = {.buf = pkt, .len = len},
	    .ingress = ingress,
	    .now = now_sec,
	    .act = act,
	};
	enum router_verdict v;

	act->verdict = ROUTER_DROP;
	act->reason = ROUTER_DROP_NONE;
	act->egress = 0;
	act->dst_port = 0;
	act->reply = NULL;
	act->reply_len = 0;
	v = process(&pr);
	r->counters.processed++;
	switch (v) {
	case ROUTER_FORWARD:
		r->counters.forwarded++;
		break;
	case ROUTER_DELIVER:
		r->counters.delivered++;
		break;
	case ROUTER_REPLY:
		r->counters.replies++;
		if (act->reason != ROUTER_DROP_NONE)
			r->counters.drops[act->reason]++;
		break;
	case ROUTER_DROP:
		r->counters.drops[act->reason]++;
		break;
	}
	return v;
}
