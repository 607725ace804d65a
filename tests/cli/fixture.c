// SPDX-License-Identifier: MIT
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fixture_status(struct gw_status *s)
{
	memset(s, 0, sizeof(*s));
	s->peers = calloc(2, sizeof(*s->peers));
	if (!s->peers)
		return -1;
	s->n_peers = 2;
	snprintf(s->local, sizeof(s->local), "1-ff00:0:110,127.0.0.1:31000");
	s->uptime_ms = 3723500; /* 1h2m3.5s */
	s->drops[0] = (struct gw_status_drop){"not_seg", 3};
	s->drops[1] = (struct gw_status_drop){"unknown_index", 1};
	s->n_drops = 2;

	struct gw_status_peer *p = &s->peers[0];
	snprintf(p->remote, sizeof(p->remote), "1-ff00:0:111,127.0.0.1:31000");
	/* A quote, a backslash, a control character and a non-ASCII letter: escaping. */
	snprintf(p->description, sizeof(p->description), "lab \"B\"\\ \x01 Zürich");
	p->state = "up";
	p->active_path = 0;
	p->paths[0] = (struct gw_status_path){
	    .id = 1,
	    .hops = 2,
	    .alive = true,
	    .active = true,
	    .rtt_ms = 1.25,
	    .loss = 0.0,
	    .mtu = 1472,
	    .expiry_unix = 1704067200 + 21600,
	};
	snprintf(p->paths[0].ifaces, GW_STATUS_IFACES_LEN, "1-ff00:0:110#2 1-ff00:0:111#1");
	p->paths[1] = (struct gw_status_path){
	    .id = 7,
	    .hops = 4,
	    .hidden = true,
	    .alive = false,
	    .rtt_ms = -1,
	    .loss = 1.0,
	    .mtu = 1400,
	    .expiry_unix = 1704067200 - 5,
	};
	snprintf(p->paths[1].ifaces, GW_STATUS_IFACES_LEN,
		 "1-ff00:0:110#3 1-ff00:0:112#1 1-ff00:0:112#2 1-ff00:0:111#4");
	p->n_paths = 2;
	p->tx_packets = 1000;
	p->rx_packets = 990;
	p->tx_bytes = 1234567;
	p->rx_bytes = 1200000;
	p->handshakes = 3;
	p->rekeys = 2;
	p->last_handshake_unix_ms = FIXTURE_NOW_UNIX_MS - 42000;
	p->drops[0] = (struct gw_status_drop){"replay", 5};
	p->drops[1] = (struct gw_status_drop){"bad_mac", 2};
	p->n_drops = 2;

	p = &s->peers[1];
	snprintf(p->remote, sizeof(p->remote), "2-ff00:0:220,[fd00::2]:31000");
	p->state = "handshaking";
	p->active_path = -1;
	return 0;
}

int fixture_provider(void *arg, struct gw_status *out)
{
	fixture_calls *calls = arg;

	memset(out, 0, sizeof(*out));
	if (*calls < 0)
		return -1;
	(*calls)++;
	return fixture_status(out);
}
