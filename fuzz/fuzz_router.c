/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer harness: seg-testnet's border router on arbitrary bytes. The first input byte
 * picks the ingress interface, the rest is the packet. The router is AS 1-ff00:0:111 of
 * tests/testnet/test_router.c (same key, same interfaces), so the seed corpus holds valid
 * packets that reach every stage: forwarding, crossover, delivery, echo, SCMP errors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include "router.h"

enum { NOW = 1700000010 };

static struct router *make_router(void)
{
	static const struct router_iface_config ifs[] = {
	    {.ifid = 1, .type = ROUTER_LINK_PARENT},
	    {.ifid = 2, .type = ROUTER_LINK_CHILD},
	    {.ifid = 3, .type = ROUTER_LINK_CHILD},
	    {.ifid = 4, .type = ROUTER_LINK_PEER},
	};
	struct router_config cfg = {.ia = 0x0001ff0000000111ull,
				    .port_min = 31000,
				    .port_max = 32767,
				    .ifaces = ifs,
				    .n_ifaces = 4};
	struct sockaddr_in *in = (struct sockaddr_in *)&cfg.internal;
	const uint8_t host[4] = {127, 0, 1, 3};
	char err[128];

	/* The key scheme of test_router.c's as_key(). */
	for (int b = 0; b < 8; b++)
		cfg.forwarding_key[b] = (uint8_t)(cfg.ia >> (56 - 8 * b));
	for (int b = 8; b < 16; b++)
		cfg.forwarding_key[b] = (uint8_t)(7 + 31 * b);
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(0x7f000003u);
	scion_host_from_ipv4(&cfg.host_ip, host);
	return router_new(&cfg, err, sizeof(err));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ingress[8] = {0, 1, 2, 3, 4, 9, 0, 3};
	static struct router *r;
	struct router_action act;
	uint8_t *buf;
	enum router_verdict v;

	if (!r)
		r = make_router();
	if (!r)
		abort();
	if (size < 1 || size - 1 > ROUTER_MAX_PKT_LEN)
		return 0;
	/* A writable copy of exactly the packet, so that ASan sees any access past its end. */
	buf = malloc(size > 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	v = router_process(r, buf, size - 1, ingress[data[0] & 7], NOW, &act);
	free(buf);
	if (v == ROUTER_REPLY && (act.reply_len == 0 || act.reply_len > ROUTER_REPLY_CAP))
		abort();
	if (v == ROUTER_FORWARD && act.egress == 0)
		abort();
	return 0;
}
