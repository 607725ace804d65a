/* SPDX-License-Identifier: MIT */
/*
 * Packets per second of router_process() on one core, on the 3-link path
 * 113 -> 111 -> 110 -> 120 of a small topology (up segment, crossover into a core segment at
 * 110). Every packet goes through all four routers: the source AS (egress, 1 MAC), 111
 * (transit, 1 MAC), 110 (crossover, 2 MACs) and 120 (delivery, 1 MAC). The rate is per
 * router_process call; the copy of the pristine packet before each traversal is included.
 *
 *   router_pps                 table for UDP payloads of 64, 512 and 1400 bytes
 *   router_pps COUNT PAYLOAD   COUNT traversals, no output (for valgrind --tool=callgrind)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <netinet/in.h>

#include <seg/scion_packet.h>

#include "beacon.h"
#include "combinator.h"
#include "router.h"
#include "topo.h"

enum { NOW = 1700000000, HOPS = 4, NUM_AS = 4, MAX_PAYLOAD = 1400 };

static const char topo_text[] =
    "ASes:\n"
    "  \"1-ff00:0:110\": {core: true}\n"
    "  \"1-ff00:0:120\": {core: true}\n"
    "  \"1-ff00:0:111\": {cert_issuer: 1-ff00:0:110}\n"
    "  \"1-ff00:0:113\": {cert_issuer: 1-ff00:0:110}\n"
    "links:\n"
    "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:120#1\", linkAtoB: CORE}\n"
    "  - {a: \"1-ff00:0:110#2\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
    "  - {a: \"1-ff00:0:111#3\", b: \"1-ff00:0:113#1\", linkAtoB: CHILD}\n";

struct bench {
	struct topo *t;
	struct router *r[NUM_AS];
	int order[HOPS];	/* AS index per hop */
	uint16_t ingress[HOPS]; /* ingress interface per hop */
	uint8_t pkt[ROUTER_MAX_PKT_LEN];
	size_t len;
};

static void die(const char *what)
{
	fprintf(stderr, "router_pps: %s\n", what);
	exit(1);
}

static void as_key(scion_ia_t ia, uint8_t key[16])
{
	for (int b = 0; b < 16; b++)
		key[b] = (uint8_t)(ia >> (8 * (b % 8)) ^ (uint8_t)(b * 29));
}

static struct router *router_at(const struct topo *t, unsigned as)
{
	struct router_iface_config ifs[4];
	struct router_config cfg = {.ia = t->ases[as].ia, .port_min = 31000, .port_max = 32767};
	const uint8_t host[4] = {127, 0, 1, 1};
	char err[128];
	size_t n = 0;

	for (size_t i = 0; i < t->num_links && n < 4; i++) {
		const struct topo_link *l = &t->links[i];
		bool a = l->a.as == as;

		if (!a && l->b.as != as)
			continue;
		memset(&ifs[n], 0, sizeof(ifs[n]));
		ifs[n].ifid = a ? l->a.ifid : l->b.ifid;
		ifs[n].type = l->type == TOPO_LINK_CORE ? ROUTER_LINK_CORE
			      : a			? ROUTER_LINK_CHILD
							: ROUTER_LINK_PARENT;
		n++;
	}
	as_key(cfg.ia, cfg.forwarding_key);
	cfg.internal.ss_family = AF_INET;
	scion_host_from_ipv4(&cfg.host_ip, host);
	cfg.ifaces = ifs;
	cfg.n_ifaces = n;
	struct router *r = router_new(&cfg, err, sizeof(err));

	if (!r)
		die(err);
	return r;
}

/* Builds the network, the path and the hop order (by one traversal). */
static void setup(struct bench *b, size_t payload)
{
	static const uint8_t data[MAX_PAYLOAD];
	struct topo_error terr;
	struct beacon_key keys[NUM_AS];
	struct beacon_params p;
	struct segment_set set = {0};
	struct combinator_result res = {0};
	struct scion_header h = {.path_type = SCION_PATH_TYPE_SCION};
	uint8_t key[16], work[ROUTER_MAX_PKT_LEN];
	struct router_action act;
	int src, dst, as;
	uint16_t in = 0;

	if (topo_parse("bench", (const uint8_t *)topo_text, sizeof(topo_text) - 1, &b->t, &terr))
		die(terr.msg);
	for (unsigned i = 0; i < NUM_AS; i++) {
		b->r[i] = router_at(b->t, i);
		as_key(b->t->ases[i].ia, key);
		keys[i] =
		    (struct beacon_key){.ia = b->t->ases[i].ia, .key = scion_mac_key_new(key)};
	}
	beacon_params_default(&p);
	if (beacon_run(b->t, keys, NUM_AS, &p, NOW, &set))
		die("beacon_run");
	src = topo_as_index(b->t, 0x0001ff0000000113ull);
	dst = topo_as_index(b->t, 0x0001ff0000000120ull);
	if (combinator_paths(&set, b->t->ases[src].ia, b->t->ases[dst].ia, false, &res) ||
	    res.num == 0 || res.paths[0].hops != 3)
		die("no 3-link path");
	h.dst.ia = b->t->ases[dst].ia;
	h.src.ia = b->t->ases[src].ia;
	scion_host_from_ipv4(&h.dst.host, (const uint8_t[4]){127, 0, 0, 2});
	scion_host_from_ipv4(&h.src.host, (const uint8_t[4]){127, 0, 0, 1});
	h.path = res.paths[0].raw;
	h.path_len = res.paths[0].raw_len;
	if (scion_udp_packet_build(&h, 31000, 31001, data, payload, b->pkt, sizeof(b->pkt),
				   &b->len))
		die("packet build");
	memcpy(work, b->pkt, b->len);
	as = src;
	for (int hop = 0; hop < HOPS; hop++) {
		bool la;
		const struct topo_link *l;

		b->order[hop] = as;
		b->ingress[hop] = in;
		if (router_process(b->r[as], work, b->len, in, NOW + 1, &act) !=
		    (hop == HOPS - 1 ? ROUTER_DELIVER : ROUTER_FORWARD))
			die("path does not forward");
		if (hop == HOPS - 1)
			break;
		l = topo_link_at(b->t, (unsigned)as, act.egress, &la);
		as = (int)(la ? l->b.as : l->a.as);
		in = la ? l->b.ifid : l->a.ifid;
	}
	combinator_result_free(&res);
	segment_set_free(&set);
	for (unsigned i = 0; i < NUM_AS; i++)
		scion_mac_key_free(keys[i].key);
}

static void teardown(struct bench *b)
{
	for (unsigned i = 0; i < NUM_AS; i++)
		router_free(b->r[i]);
	topo_free(b->t);
}

/* count traversals of the path; returns the number of non-expected verdicts (0). */
static unsigned run(struct bench *b, unsigned long count)
{
	uint8_t work[ROUTER_MAX_PKT_LEN];
	struct router_action act;
	unsigned bad = 0;

	for (unsigned long i = 0; i < count; i++) {
		memcpy(work, b->pkt, b->len);
		for (int hop = 0; hop < HOPS; hop++)
			bad += router_process(b->r[b->order[hop]], work, b->len, b->ingress[hop],
					      NOW + 1, &act) == ROUTER_DROP;
	}
	return bad;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	static struct bench b;
	static const size_t sizes[] = {64, 512, 1400};

	if (argc == 3) {
		setup(&b, (size_t)strtoul(argv[2], NULL, 10));
		if (run(&b, strtoul(argv[1], NULL, 10)))
			die("drops");
		teardown(&b);
		return 0;
	}
	printf("%-12s %-10s %-14s %-10s\n", "udp_payload", "pkt_bytes", "Mpps/core", "ns/pkt");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned long count = 50000;
		double t0, dt;

		setup(&b, sizes[i]);
		(void)run(&b, 5000); /* warm up */
		for (;;) {
			t0 = now_s();
			if (run(&b, count))
				die("drops");
			dt = now_s() - t0;
			if (dt > 0.5)
				break;
			count *= 2;
		}
		printf("%-12zu %-10zu %-14.2f %-10.1f\n", sizes[i], b.len,
		       (double)count * HOPS / dt / 1e6, dt * 1e9 / ((double)count * HOPS));
		teardown(&b);
	}
	return 0;
}
