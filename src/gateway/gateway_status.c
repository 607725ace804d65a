/* SPDX-License-Identifier: MIT */
/* gateway_status_collect: the snapshot `seg status` prints (status.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/time.h"
#include "gateway_internal.h"
#include "status.h"

static void drops_fill(const struct gw_drops *d, struct gw_status_drop *out, size_t *n)
{
	*n = 0;
	for (int r = 0; r < GW_DROP_COUNT && *n < GW_STATUS_MAX_DROPS; r++) {
		uint64_t c = gw_drops_get(d, (enum gw_drop)r);

		if (c) {
			out[*n].reason = gw_drop_name((enum gw_drop)r);
			out[*n].count = c;
			(*n)++;
		}
	}
}

static void ifaces_format(const struct pathmgr_path_info *pi, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < pi->num_ifaces; i++) {
		char ia[SCION_IA_STRLEN];
		int w;

		if (scion_ia_format(pi->ifaces[i].ia, ia, sizeof(ia)) != 0)
			strcpy(ia, "?");
		w = snprintf(buf + used, cap - used, "%s%s#%llu", i ? " " : "", ia,
			     (unsigned long long)pi->ifaces[i].ifid);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
}

static void peer_fill(struct seg_peer *p, uint64_t now, struct gw_status_peer *o)
{
	size_t n = pathmgr_path_count(p->pm);

	if (scion_udp_addr_format(&p->remote.addr, o->remote, sizeof(o->remote)) != 0)
		strcpy(o->remote, "?");
	snprintf(o->description, sizeof(o->description), "%s", p->remote.description);
	o->state = peer_state_name(p->state);
	o->active_path = -1;
	for (size_t i = 0; i < n && o->n_paths < GW_STATUS_MAX_PATHS; i++) {
		struct pathmgr_path_info pi;
		struct gw_status_path *sp = &o->paths[o->n_paths];

		if (pathmgr_path_info(p->pm, i, now, &pi) != 0)
			continue;
		sp->id = pi.id;
		sp->hops = pi.hops;
		sp->hidden = pi.hidden;
		sp->alive = pi.state == PATHMGR_PATH_ALIVE;
		sp->active = pi.active;
		sp->rtt_ms = pi.rtt_known ? (double)pi.srtt_ns / 1e6 : -1.0;
		sp->loss = pi.loss_permille / 1000.0;
		sp->mtu = pi.mtu;
		sp->expiry_unix = pi.expiry;
		ifaces_format(&pi, sp->ifaces, sizeof(sp->ifaces));
		if (pi.active)
			o->active_path = (int)o->n_paths;
		o->n_paths++;
	}
	pthread_mutex_lock(&p->lock);
	o->tx_packets = p->tx_packets;
	o->tx_bytes = p->tx_bytes;
	pthread_mutex_unlock(&p->lock);
	o->rx_packets = p->rx_packets;
	o->rx_bytes = p->rx_bytes;
	o->handshakes = p->handshakes;
	o->rekeys = p->rekeys;
	o->last_handshake_unix_ms = p->last_handshake_unix_ms;
	drops_fill(&p->drops, o->drops, &o->n_drops);
}

int gateway_status_collect(struct gateway *gw, struct gw_status *s)
{
	uint64_t now = seg_time_now();

	memset(s, 0, sizeof(*s));
	if (scion_udp_addr_format(&gw->ul.local, s->local, sizeof(s->local)) != 0)
		strcpy(s->local, "?");
	s->uptime_ms = gw->running ? seg_time_to_ms(now - gw->start_ns) : 0;
	if (gw->n_peers) {
		s->peers = calloc(gw->n_peers, sizeof(*s->peers));
		if (!s->peers)
			return -ENOMEM;
	}
	for (size_t i = 0; i < gw->n_peers; i++)
		peer_fill(gw->peers[i], now, &s->peers[i]);
	s->n_peers = gw->n_peers;
	drops_fill(&gw->drops, s->drops, &s->n_drops);
	return 0;
}
