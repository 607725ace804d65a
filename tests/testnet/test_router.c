/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet border router, per-packet processing: packets built on real combinator paths
 * of a small topology travel router by router (router_process per AS, links from the
 * topology) to their destination; replies travel back the same way, so every SCMP reply is
 * also checked to be routable. Then one test per rule of the reference router: MAC, expiry,
 * ingress interface, segment-switch link types, link down, echo, traceroute, truncations.
 *
 *        110 ====== 120            CORE 110#1 -- 120#1
 *         |          |             CHILD 110#2 -> 111#1, 120#2 -> 121#1
 *        111        121            CHILD 111#2 -> 112#1, 111#3 -> 113#1
 *       /   \       .              PEER  112#2 -- 121#2
 *     112   113    .
 *       `.........'
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <cmocka.h>

#include <seg/scion_packet.h>

#include "beacon.h"
#include "combinator.h"
#include "router.h"
#include "testnet_util.h"
#include "topo.h"

enum {
	NOW = 1700000000,
	PORT_MIN = 31000,
	PORT_MAX = 32767,
	SRC_PORT = 31010,
	DST_PORT = 31020,
	MAX_STEPS = 32,
	/* Test packets and replies are small; the router's own buffers are larger. */
	PKT_CAP = 2048,
	/* Common header + two IAs + two IPv4 hosts. */
	ADDR_END = 12 + 16 + 8,
};

static const char topo_text[] =
    "ASes:\n"
    "  \"1-ff00:0:110\": {core: true}\n"
    "  \"1-ff00:0:120\": {core: true}\n"
    "  \"1-ff00:0:111\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:112\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:113\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:121\": {cert_issuer: 1-ff00:0:120}\n"
    "links:\n"
    "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:120#1\", linkAtoB: CORE}\n"
    "  - {a: \"1-ff00:0:110#2\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:111#2\", b: \"1-ff00:0:112#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:111#3\", b: \"1-ff00:0:113#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:120#2\", b: \"1-ff00:0:121#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:112#2\", b: \"1-ff00:0:121#2\", linkAtoB: PEER}\n";

struct net {
	struct topo *t;
	struct segment_set set;
	struct beacon_key bkeys[TOPO_MAX_ASES];
	struct router *r[TOPO_MAX_ASES];
};

/* Where a packet ended after travelling the network. */
struct walk {
	enum router_verdict v;
	struct router_action act;
	int as;			     /* AS of the last router */
	int replied_at;		     /* AS that answered, or -1 */
	enum router_drop_reason why; /* reason given with that answer */
	unsigned steps;
	uint8_t buf[PKT_CAP];
	size_t len;
};

static void as_key(scion_ia_t ia, uint8_t key[16])
{
	for (int b = 0; b < 8; b++)
		key[b] = (uint8_t)(ia >> (56 - 8 * b));
	for (int b = 8; b < 16; b++)
		key[b] = (uint8_t)(7 + 31 * b);
}

static void sockaddr_v4(struct sockaddr_storage *ss, uint8_t last, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	in->sin_family = AF_INET;
	in->sin_port = htons(port);
	in->sin_addr.s_addr = htonl(0x7f000000u | last);
}

static void host_v4(struct scion_host *h, uint8_t c, uint8_t d)
{
	const uint8_t ip[4] = {127, 0, c, d};

	scion_host_from_ipv4(h, ip);
}

static struct router *router_for(const struct topo *t, unsigned as)
{
	struct router_iface_config *ifs = calloc(ROUTER_MAX_IFACES, sizeof(*ifs));
	struct router_config cfg;
	struct router *r;
	char err[128];
	size_t n = 0;

	assert_non_null(ifs);
	memset(&cfg, 0, sizeof(cfg));
	for (size_t i = 0; i < t->num_links; i++) {
		const struct topo_link *l = &t->links[i];
		bool a = l->a.as == as;

		if (!a && l->b.as != as)
			continue;
		memset(&ifs[n], 0, sizeof(ifs[n]));
		ifs[n].ifid = a ? l->a.ifid : l->b.ifid;
		ifs[n].remote_ifid = a ? l->b.ifid : l->a.ifid;
		ifs[n].remote_ia = t->ases[a ? l->b.as : l->a.as].ia;
		ifs[n].type = l->type == TOPO_LINK_CORE	  ? ROUTER_LINK_CORE
			      : l->type == TOPO_LINK_PEER ? ROUTER_LINK_PEER
			      : a			  ? ROUTER_LINK_CHILD
							  : ROUTER_LINK_PARENT;
		n++;
	}
	cfg.ia = t->ases[as].ia;
	cfg.mtu = 1472;
	as_key(cfg.ia, cfg.forwarding_key);
	sockaddr_v4(&cfg.internal, (uint8_t)(as + 1), 30042);
	host_v4(&cfg.host_ip, 1, (uint8_t)(as + 1));
	cfg.port_min = PORT_MIN;
	cfg.port_max = PORT_MAX;
	cfg.ifaces = ifs;
	cfg.n_ifaces = n;
	r = router_new(&cfg, err, sizeof(err));
	free(ifs);
	if (!r)
		fail_msg("router_new: %s", err);
	return r;
}

static struct net *net_new(uint32_t beacon_time)
{
	struct net *n = calloc(1, sizeof(*n));
	struct beacon_params p;
	uint8_t key[16];

	assert_non_null(n);
	n->t = test_topo_parse(topo_text);
	for (size_t i = 0; i < n->t->num_ases; i++) {
		as_key(n->t->ases[i].ia, key);
		n->bkeys[i].ia = n->t->ases[i].ia;
		n->bkeys[i].key = scion_mac_key_new(key);
		assert_non_null(n->bkeys[i].key);
		n->r[i] = router_for(n->t, (unsigned)i);
	}
	beacon_params_default(&p);
	assert_int_equal(beacon_run(n->t, n->bkeys, n->t->num_ases, &p, beacon_time, &n->set), 0);
	return n;
}

static void net_free(struct net *n)
{
	segment_set_free(&n->set);
	for (size_t i = 0; i < n->t->num_ases; i++) {
		scion_mac_key_free(n->bkeys[i].key);
		router_free(n->r[i]);
	}
	topo_free(n->t);
	free(n);
}

static int as_of(const struct net *n, const char *ia)
{
	int idx = topo_as_index(n->t, test_ia(ia));

	assert_true(idx >= 0);
	return idx;
}

/*
 * Sends the packet in w->buf from an endhost of AS as and follows it (and any reply) router
 * by router until it is delivered, dropped, or answered to an endhost.
 */
static void net_send(struct net *n, int as, uint64_t now, struct walk *w)
{
	uint16_t ingress = 0;
	bool local_is_a;

	w->replied_at = -1;
	w->why = ROUTER_DROP_NONE;
	for (w->steps = 0; w->steps < MAX_STEPS; w->steps++) {
		const struct topo_link *l;
		uint16_t out;

		w->v = router_process(n->r[as], w->buf, w->len, ingress, now, &w->act);
		w->as = as;
		if (w->v == ROUTER_DELIVER || w->v == ROUTER_DROP)
			return;
		if (w->v == ROUTER_REPLY) {
			assert_true(w->act.reply_len <= sizeof(w->buf));
			memcpy(w->buf, w->act.reply, w->act.reply_len);
			w->len = w->act.reply_len;
			if (w->replied_at < 0) {
				w->replied_at = as;
				w->why = w->act.reason;
			}
			if (ingress == 0)
				return; /* straight back to the endhost */
			out = ingress;
		} else {
			out = w->act.egress;
		}
		l = topo_link_at(n->t, (unsigned)as, out, &local_is_a);
		assert_non_null(l);
		as = (int)(local_is_a ? l->b.as : l->a.as);
		ingress = local_is_a ? l->b.ifid : l->a.ifid;
	}
	fail_msg("packet loops");
}

/* A UDP packet from src to dst on path p into w. */
static void build_udp(struct net *n, int src, int dst, const struct combinator_path *p,
		      uint16_t dport, struct walk *w)
{
	struct scion_header h = {.path_type = SCION_PATH_TYPE_SCION, .flow_id = 1};
	static const uint8_t payload[64] = "hello";

	h.dst.ia = n->t->ases[dst].ia;
	host_v4(&h.dst.host, 2, (uint8_t)(dst + 1));
	h.src.ia = n->t->ases[src].ia;
	host_v4(&h.src.host, 2, (uint8_t)(src + 1));
	h.path = p->raw;
	h.path_len = p->raw_len;
	if (p->raw_len == 0)
		h.path_type = SCION_PATH_TYPE_EMPTY;
	assert_int_equal(scion_udp_packet_build(&h, SRC_PORT, dport, payload, sizeof(payload),
						w->buf, sizeof(w->buf), &w->len),
			 0);
}

/* An SCMP informational packet (echo or traceroute request) to dst's host dst_host. */
static void build_scmp(struct net *n, int src, int dst, const struct scion_host *dst_host,
		       const uint8_t *path, size_t path_len, const struct scmp_msg *m,
		       struct walk *w)
{
	struct scion_header h = {.path_type = SCION_PATH_TYPE_SCION};

	h.dst.ia = n->t->ases[dst].ia;
	h.dst.host = *dst_host;
	h.src.ia = n->t->ases[src].ia;
	host_v4(&h.src.host, 2, (uint8_t)(src + 1));
	h.path = path_len ? path : NULL;
	h.path_len = path_len;
	if (!path_len)
		h.path_type = SCION_PATH_TYPE_EMPTY;
	assert_int_equal(scion_scmp_packet_build(&h, m, w->buf, sizeof(w->buf), &w->len), 0);
}

static void paths(struct net *n, int src, int dst, struct combinator_result *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(
	    combinator_paths(&n->set, n->t->ases[src].ia, n->t->ases[dst].ia, false, r), 0);
	assert_true(r->num > 0);
}

/* Decodes the packet in w as SCION and its SCMP payload. */
static void decode_scmp(const struct walk *w, struct scion_packet *pkt, struct scmp_msg *m)
{
	assert_int_equal(scion_packet_decode(w->buf, w->len, pkt), 0);
	assert_int_equal(pkt->l4_proto, SCION_PROTO_SCMP);
	assert_int_equal(scmp_decode(&pkt->hdr, pkt->l4, pkt->l4_len, true, m), 0);
}

/* Offset of hop field hf of the (3-info-field at most) path in a packet with IPv4 hosts. */
static size_t hop_off(const struct combinator_path *p, unsigned hf)
{
	return ADDR_END + scion_path_hop_offset(p->num_segs, hf);
}

/* Every path between every pair of ASes delivers, and the reply-path reversal works too. */
static void test_all_paths_deliver(void **state)
{
	struct net *n = net_new(NOW);
	unsigned total = 0;

	(void)state;
	for (size_t s = 0; s < n->t->num_ases; s++) {
		for (size_t d = 0; d < n->t->num_ases; d++) {
			struct combinator_result r;

			if (s == d)
				continue;
			paths(n, (int)s, (int)d, &r);
			for (size_t i = 0; i < r.num; i++) {
				struct walk w;
				struct scion_packet pkt;

				build_udp(n, (int)s, (int)d, &r.paths[i], DST_PORT, &w);
				net_send(n, (int)s, NOW + 10, &w);
				assert_int_equal(w.v, ROUTER_DELIVER);
				assert_int_equal(w.as, (int)d);
				assert_int_equal(w.steps, r.paths[i].hops);
				assert_int_equal(w.act.dst_port, DST_PORT);
				assert_int_equal(w.act.dst_host.ip[3], d + 1);
				/* The packet arrives intact (checksum still right). */
				assert_int_equal(scion_packet_decode(w.buf, w.len, &pkt), 0);
				total++;
			}
			combinator_result_free(&r);
		}
	}
	/* Nothing was dropped anywhere; every forward and delivery was counted. */
	for (size_t a = 0; a < n->t->num_ases; a++) {
		const struct router_counters *c = router_counters_get(n->r[a]);

		for (int i = 0; i < ROUTER_DROP_MAX; i++)
			assert_int_equal(c->drops[i], 0);
		assert_int_equal(c->processed, c->forwarded + c->delivered);
	}
	assert_true(total >= 30);
	net_free(n);
}

/* The shortcut 112 -> 111 -> 113 (child to child at 111) and the peering link 112 -- 121. */
static void test_shortcut_and_peering(void **state)
{
	struct net *n = net_new(NOW);
	int a112 = as_of(n, "1-ff00:0:112"), a113 = as_of(n, "1-ff00:0:113");
	int a121 = as_of(n, "1-ff00:0:121");
	struct combinator_result r;
	struct walk w;
	bool seen = false;

	(void)state;
	paths(n, a112, a113, &r);
	assert_int_equal(r.num, 1);
	assert_int_equal(r.paths[0].num_segs, 2);
	build_udp(n, a112, a113, &r.paths[0], DST_PORT, &w);
	net_send(n, a112, NOW + 10, &w);
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.as, a113);
	combinator_result_free(&r);

	paths(n, a112, a121, &r);
	for (size_t i = 0; i < r.num; i++) {
		if (r.paths[i].hops != 1)
			continue;
		seen = true;
		assert_true(r.paths[i].raw[4] & 2); /* the Peer flag of info field 0 */
		build_udp(n, a112, a121, &r.paths[i], DST_PORT, &w);
		net_send(n, a112, NOW + 10, &w);
		assert_int_equal(w.v, ROUTER_DELIVER);
		assert_int_equal(w.as, a121);
	}
	assert_true(seen);
	combinator_result_free(&r);
	net_free(n);
}

/* The 3-link path 113 -> 111 -> 110 -> 120, with its up-to-core crossing at 110. */
static struct net *three_hop(struct combinator_result *r, int *src, int *dst)
{
	struct net *n = net_new(NOW);

	*src = as_of(n, "1-ff00:0:113");
	*dst = as_of(n, "1-ff00:0:120");
	paths(n, *src, *dst, r);
	assert_int_equal(r->paths[0].hops, 3);
	assert_int_equal(r->paths[0].num_segs, 2);
	return n;
}

static void test_port_range(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	struct walk w;

	(void)state;
	build_udp(n, src, dst, &r.paths[0], 5000, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.act.dst_port, ROUTER_ENDHOST_PORT);
	combinator_result_free(&r);
	net_free(n);
}

/* A corrupted MAC at 111: dropped, counted, and a parameter problem goes back to 113. */
static void test_bad_mac(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	int a111 = as_of(n, "1-ff00:0:111");
	struct scion_packet pkt;
	struct scmp_msg m;
	struct walk w;

	(void)state;
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	w.buf[hop_off(&r.paths[0], 1) + 6] ^= 0x40;
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.replied_at, a111);
	assert_int_equal(w.why, ROUTER_DROP_BAD_MAC);
	assert_int_equal(router_counters_get(n->r[a111])->drops[ROUTER_DROP_BAD_MAC], 1);
	/* The error is routable: it reaches the source's endhost at its UDP source port. */
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.as, src);
	assert_int_equal(w.act.dst_port, SRC_PORT);
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.type, SCMP_PARAMETER_PROBLEM);
	assert_int_equal(m.code, 51); /* InvalidHopFieldMAC */
	assert_int_equal(m.u.param.pointer, hop_off(&r.paths[0], 1));
	assert_int_equal(pkt.hdr.src.ia, test_ia("1-ff00:0:111"));
	combinator_result_free(&r);
	net_free(n);
}

/* An expired hop field: SCMP parameter problem PathExpired pointing at it. */
static void test_expired(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	int a111 = as_of(n, "1-ff00:0:111");
	const uint64_t late = NOW + 7 * 3600; /* past the 6 h maximum hop expiry */
	struct router_action act;
	struct scion_packet pkt;
	struct scmp_msg m;
	struct walk w;

	(void)state;
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	/* At the first router, the packet from the endhost. */
	assert_int_equal(router_process(n->r[src], w.buf, w.len, 0, late, &act), ROUTER_REPLY);
	assert_int_equal(act.reason, ROUTER_DROP_EXPIRED_HOP);
	memcpy(w.buf, act.reply, act.reply_len);
	w.len = act.reply_len;
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.type, SCMP_PARAMETER_PROBLEM);
	assert_int_equal(m.code, 52); /* PathExpired */
	assert_int_equal(m.u.param.pointer, hop_off(&r.paths[0], 0));

	/* At the second router (hop 1), from the first one in time. */
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	assert_int_equal(router_process(n->r[src], w.buf, w.len, 0, NOW + 10, &act),
			 ROUTER_FORWARD);
	assert_int_equal(router_process(n->r[a111], w.buf, w.len, 3, late, &act), ROUTER_REPLY);
	assert_int_equal(act.reason, ROUTER_DROP_EXPIRED_HOP);
	memcpy(w.buf, act.reply, act.reply_len);
	w.len = act.reply_len;
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.code, 52);
	assert_int_equal(m.u.param.pointer, hop_off(&r.paths[0], 1));
	/*
	 * The error was found before 111's ingress SegID update; its reply still verifies at
	 * 113 (docs/testnet.md: the reference's reply would fail the MAC check there).
	 */
	assert_int_equal(router_process(n->r[src], w.buf, w.len, 1, NOW + 10, &act),
			 ROUTER_DELIVER);
	assert_int_equal(act.dst_port, SRC_PORT);
	combinator_result_free(&r);
	net_free(n);
}

/* Arriving on an interface other than the hop field's: UnknownHopFieldEgress (ConsDir 0). */
static void test_wrong_ingress(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	int a111 = as_of(n, "1-ff00:0:111");
	struct router_action act;
	struct scion_packet pkt;
	struct scmp_msg m;
	struct walk w;

	(void)state;
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	assert_int_equal(router_process(n->r[src], w.buf, w.len, 0, NOW, &act), ROUTER_FORWARD);
	/* 113's packet arrives at 111 on #3; claim it came over #2 (from 112). */
	assert_int_equal(router_process(n->r[a111], w.buf, w.len, 2, NOW, &act), ROUTER_REPLY);
	assert_int_equal(act.reason, ROUTER_DROP_BAD_INGRESS);
	memcpy(w.buf, act.reply, act.reply_len);
	w.len = act.reply_len;
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.code, 50); /* UnknownHopFieldEgress: against construction direction */
	assert_int_equal(m.u.param.pointer, hop_off(&r.paths[0], 1));
	/* An interface the router does not have at all. */
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	assert_int_equal(router_process(n->r[a111], w.buf, w.len, 9, NOW, &act), ROUTER_DROP);
	assert_int_equal(act.reason, ROUTER_DROP_UNKNOWN_INGRESS);
	combinator_result_free(&r);
	net_free(n);
}

/* The segment of s as a path segment from (cons_dir 1) or towards (0) its first AS. */
static void put_segment(struct scion_std_path *p, const struct segment *s, bool cons_dir)
{
	unsigned seg = p->num_infs, base = p->num_hops, n = s->num_entries;

	p->inf[seg].cons_dir = cons_dir;
	p->inf[seg].timestamp = s->timestamp;
	p->inf[seg].seg_id = cons_dir ? s->seg_id : segment_beta(s, n - 1);
	for (unsigned i = 0; i < n; i++)
		p->hop[base + i] = s->entries[cons_dir ? i : n - 1 - i].hf;
	p->meta.seg_len[seg] = (uint8_t)n;
	p->num_infs++;
	p->num_hops = (uint8_t)(base + n);
}

/*
 * An illegal segment switch: down 110 -> 111, then up 111 -> 110 again, i.e. parent to
 * parent at 111. MACs are valid; the link-type rule rejects it with InvalidSegmentChange.
 */
static void test_parent_to_parent(void **state)
{
	struct net *n = net_new(NOW);
	int a110 = as_of(n, "1-ff00:0:110"), a111 = as_of(n, "1-ff00:0:111");
	const struct segment *s = NULL;
	struct combinator_path cp;
	struct scion_std_path sp;
	struct scion_packet pkt;
	struct scmp_msg m;
	struct walk w;

	(void)state;
	for (size_t i = 0; i < n->set.num && !s; i++)
		if (n->set.segs[i].type == SEGMENT_NONCORE && n->set.segs[i].num_entries == 2 &&
		    n->set.segs[i].entries[1].ia == n->t->ases[a111].ia)
			s = &n->set.segs[i];
	assert_non_null(s);
	memset(&sp, 0, sizeof(sp));
	put_segment(&sp, s, true);
	put_segment(&sp, s, false);
	memset(&cp, 0, sizeof(cp));
	cp.num_segs = 2;
	assert_int_equal(scion_std_path_encode(&sp, cp.raw, sizeof(cp.raw), &cp.raw_len), 0);
	build_udp(n, a110, as_of(n, "1-ff00:0:120"), &cp, DST_PORT, &w);
	net_send(n, a110, NOW + 10, &w);
	assert_int_equal(w.replied_at, a111);
	assert_int_equal(w.why, ROUTER_DROP_BAD_SEGMENT_CHANGE);
	assert_int_equal(w.v, ROUTER_DELIVER); /* the error made it back to 110's endhost */
	assert_int_equal(w.as, a110);
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.code, 53); /* InvalidSegmentChange, pointing at the new info field */
	assert_int_equal(m.u.param.pointer, ADDR_END + scion_path_info_offset(1));
	net_free(n);
}

/* Link 111#1 -- 110#2 down: 111 answers external-interface-down to the source. */
static void test_link_down(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	int a111 = as_of(n, "1-ff00:0:111");
	struct scion_packet pkt;
	struct scmp_msg m;
	struct walk w;

	(void)state;
	assert_int_equal(router_set_link_up(n->r[a111], 1, false), 0);
	assert_int_equal(router_set_link_up(n->r[a111], 99, false), -1);
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.replied_at, a111);
	assert_int_equal(w.why, ROUTER_DROP_LINK_DOWN);
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.as, src);
	assert_int_equal(w.act.dst_port, SRC_PORT);
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.type, SCMP_EXTERNAL_INTERFACE_DOWN);
	assert_int_equal(m.u.ext_down.ia, test_ia("1-ff00:0:111"));
	assert_int_equal(m.u.ext_down.ifid, 1);
	/* The quote starts with the offending packet's common header. */
	assert_true(m.data_len > ADDR_END);
	assert_int_equal(m.data[4], SCION_PROTO_UDP);
	/* Traffic arriving over the downed link is dropped. */
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	assert_int_equal(router_process(n->r[a111], w.buf, w.len, 1, NOW, &w.act), ROUTER_DROP);
	assert_int_equal(w.act.reason, ROUTER_DROP_INGRESS_DOWN);
	assert_int_equal(router_set_link_up(n->r[a111], 1, true), 0);
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.as, dst);
	combinator_result_free(&r);
	net_free(n);
}

/* Echo to the destination AS's host_ip is answered; the reply reaches the sender. */
static void test_echo(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	struct scmp_msg req = {.type = SCMP_ECHO_REQUEST}, m;
	static const uint8_t data[100] = "ping data";
	struct scion_host host;
	struct scion_packet pkt;
	struct walk w;

	(void)state;
	req.u.echo.id = 31999;
	req.u.echo.seq = 7;
	req.data = data;
	req.data_len = sizeof(data);
	host_v4(&host, 1, (uint8_t)(dst + 1));
	build_scmp(n, src, dst, &host, r.paths[0].raw, r.paths[0].raw_len, &req, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.replied_at, dst);
	assert_int_equal(w.why, ROUTER_DROP_NONE);
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.as, src);
	assert_int_equal(w.act.dst_port, 31999); /* echo replies go to their identifier */
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.type, SCMP_ECHO_REPLY);
	assert_int_equal(m.u.echo.seq, 7);
	assert_int_equal(m.data_len, sizeof(data));
	assert_memory_equal(m.data, data, sizeof(data));
	assert_true(scion_host_equal(&pkt.hdr.src.host, &host));

	/* To another host of the AS: delivered to the endhost port, not answered. */
	host_v4(&host, 2, (uint8_t)(dst + 1));
	build_scmp(n, src, dst, &host, r.paths[0].raw, r.paths[0].raw_len, &req, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.replied_at, -1);
	assert_int_equal(w.act.dst_port, ROUTER_ENDHOST_PORT);

	/* Within the AS on the empty path. */
	host_v4(&host, 1, (uint8_t)(src + 1));
	build_scmp(n, src, src, &host, NULL, 0, &req, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.v, ROUTER_REPLY);
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.type, SCMP_ECHO_REPLY);
	/* A corrupted checksum is not answered. */
	build_scmp(n, src, src, &host, NULL, 0, &req, &w);
	w.buf[w.len - 1] ^= 1;
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.v, ROUTER_DROP);
	assert_int_equal(w.act.reason, ROUTER_DROP_ECHO_BAD);
	combinator_result_free(&r);
	net_free(n);
}

/* Traceroute: router-alert flags on hop 1 (ingress at 111) and hop 3 (egress of 110). */
static void test_traceroute(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	struct scmp_msg req = {.type = SCMP_TRACEROUTE_REQUEST}, m;
	struct scion_host host;
	struct scion_packet pkt;
	struct walk w;
	uint8_t path[SCION_MAX_STD_PATH_LEN];
	size_t plen = r.paths[0].raw_len;

	(void)state;
	req.u.traceroute.id = 31500;
	req.u.traceroute.seq = 1;
	host_v4(&host, 1, (uint8_t)(dst + 1));
	/* Hop 1 (111, up segment, ConsDir 0): its ingress is ConsEgress, flag E. */
	memcpy(path, r.paths[0].raw, plen);
	path[scion_path_hop_offset(2, 1)] |= 0x01;
	build_scmp(n, src, dst, &host, path, plen, &req, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.replied_at, as_of(n, "1-ff00:0:111"));
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.as, src);
	assert_int_equal(w.act.dst_port, 31500);
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.type, SCMP_TRACEROUTE_REPLY);
	assert_int_equal(m.u.traceroute.ia, test_ia("1-ff00:0:111"));
	assert_int_equal(m.u.traceroute.ifid, 3);

	/* Hop 3 (110 in the core segment, ConsDir 0): its egress is ConsIngress, flag I. */
	memcpy(path, r.paths[0].raw, plen);
	path[scion_path_hop_offset(2, 3)] |= 0x02;
	build_scmp(n, src, dst, &host, path, plen, &req, &w);
	net_send(n, src, NOW + 10, &w);
	assert_int_equal(w.replied_at, as_of(n, "1-ff00:0:110"));
	assert_int_equal(w.v, ROUTER_DELIVER);
	assert_int_equal(w.as, src);
	decode_scmp(&w, &pkt, &m);
	assert_int_equal(m.u.traceroute.ia, test_ia("1-ff00:0:110"));
	assert_int_equal(m.u.traceroute.ifid, 1);
	combinator_result_free(&r);
	net_free(n);
}

/* Every truncation and many corruptions of a valid packet: never forwarded intact, no crash. */
static void test_malformed(void **state)
{
	struct combinator_result r;
	int src, dst;
	struct net *n = three_hop(&r, &src, &dst);
	uint8_t orig[PKT_CAP];
	struct router_action act;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t len;
	struct walk w;

	(void)state;
	build_udp(n, src, dst, &r.paths[0], DST_PORT, &w);
	len = w.len;
	memcpy(orig, w.buf, len);
	for (size_t l = 0; l < len; l++) {
		memcpy(w.buf, orig, l);
		enum router_verdict v = router_process(n->r[src], w.buf, l, 0, NOW, &act);

		assert_true(v == ROUTER_DROP || v == ROUTER_REPLY);
		if (v == ROUTER_REPLY)
			assert_int_equal(act.reason, ROUTER_DROP_BAD_PKT_LEN);
	}
	for (int i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(w.buf, orig, len);
		w.buf[x % len] ^= (uint8_t)(x >> 32 | 1);
		w.buf[(x >> 16) % len] ^= (uint8_t)(x >> 40);
		for (uint16_t in = 0; in < 4; in++)
			(void)router_process(n->r[as_of(n, "1-ff00:0:111")], w.buf, len, in, NOW,
					     &act);
	}
	assert_true(router_counters_get(n->r[src])->drops[ROUTER_DROP_TRUNCATED] > 0);
	combinator_result_free(&r);
	net_free(n);
}

static void test_drop_names(void **state)
{
	(void)state;
	assert_string_equal(router_drop_name(ROUTER_DROP_BAD_MAC), "BAD_MAC");
	assert_string_equal(router_drop_name(ROUTER_DROP_MAX), "?");
	for (int i = 0; i < ROUTER_DROP_MAX; i++)
		assert_true(strlen(router_drop_desc((enum router_drop_reason)i)) > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_paths_deliver),
	    cmocka_unit_test(test_shortcut_and_peering),
	    cmocka_unit_test(test_port_range),
	    cmocka_unit_test(test_bad_mac),
	    cmocka_unit_test(test_expired),
	    cmocka_unit_test(test_wrong_ingress),
	    cmocka_unit_test(test_parent_to_parent),
	    cmocka_unit_test(test_link_down),
	    cmocka_unit_test(test_echo),
	    cmocka_unit_test(test_traceroute),
	    cmocka_unit_test(test_malformed),
	    cmocka_unit_test(test_drop_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
