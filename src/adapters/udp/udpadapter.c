/* SPDX-License-Identifier: MIT */
/* The UDP service adapter (udpadapter.h): sockets on the gateway's loop, flows, frames. */
#include "adapters/udp/udpadapter.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "adapters/udp/udp_flows.h"
#include "adapters/udp/udp_frame.h"
#include "base/evloop.h"
#include "base/log.h"
#include "base/time.h"
#include "config/udp_adapter_config.h"

struct udpa_forward {
	struct udpadapter *ad;
	const struct seg_udp_forward *cfg;
	int fd;
	struct seg_peer *peer; /* referenced once found */
	bool warned;
};

/* The services a peer offered us (its last UDPA_TYPE_SERVICES message). */
struct udpa_offer {
	struct seg_peer *peer; /* referenced */
	struct udpa_service_entry s[UDPA_SERVICES_MAX];
	size_t n;
	bool announce_pending; /* our own list still to send to it */
};

struct udpadapter {
	struct gateway *gw;
	struct evloop *loop;
	struct seg_udp_adapter_config cfg;
	struct udpa_forward fwd[SEG_UDP_FORWARDS_MAX];
	struct udpa_flows client_flows;	 /* forwarding side */
	struct udpa_flows service_flows; /* exposing side */
	struct udpa_offer offers[UDPA_PEERS_MAX];
	size_t n_offers;
	struct evloop_timer sweep;
	uint64_t counters[UDPA_CNT__COUNT];
	uint8_t buf[SEG_DATA_MAX];
	uint8_t frame[SEG_DATA_MAX];
};

static const char *const counter_names[UDPA_CNT__COUNT] = {
#define UDPA_COUNTER_NAME(name, desc) #name,
    UDPA_COUNTERS(UDPA_COUNTER_NAME)
#undef UDPA_COUNTER_NAME
};

const char *udpadapter_counter_name(enum udpa_counter c)
{
	return (unsigned)c < UDPA_CNT__COUNT ? counter_names[c] : "?";
}

void udpadapter_counters(const struct udpadapter *ad, uint64_t out[UDPA_CNT__COUNT])
{
	memcpy(out, ad->counters, sizeof(ad->counters));
}

static void peer_name(const struct seg_peer *p, char *buf, size_t len)
{
	if (scion_udp_addr_format(seg_peer_addr(p), buf, len) < 0)
		snprintf(buf, len, "?");
}

/* ---- flow keys from socket addresses ---- */

static void key_set_addr(struct udpa_flow_key *k, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)ss;

		k->family = 4;
		k->port = ntohs(v4->sin_port);
		memcpy(k->ip, &v4->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;

		k->family = 6;
		k->port = ntohs(v6->sin6_port);
		memcpy(k->ip, &v6->sin6_addr, 16);
	}
}

static socklen_t key_get_addr(const struct udpa_flow_key *k, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (k->family == 4) {
		struct sockaddr_in *v4 = (struct sockaddr_in *)ss;

		v4->sin_family = AF_INET;
		v4->sin_port = htons(k->port);
		memcpy(&v4->sin_addr, k->ip, 4);
		return sizeof(*v4);
	}
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;

	v6->sin6_family = AF_INET6;
	v6->sin6_port = htons(k->port);
	memcpy(&v6->sin6_addr, k->ip, 16);
	return sizeof(*v6);
}

/* ---- peers' offers ---- */

static struct udpa_offer *offer_of(struct udpadapter *ad, struct seg_peer *peer, bool create)
{
	for (size_t i = 0; i < ad->n_offers; i++)
		if (ad->offers[i].peer == peer)
			return &ad->offers[i];
	if (!create || ad->n_offers == UDPA_PEERS_MAX)
		return NULL;
	seg_peer_get(peer);
	ad->offers[ad->n_offers] = (struct udpa_offer){.peer = peer};
	return &ad->offers[ad->n_offers++];
}

static uint16_t offered_id(struct udpadapter *ad, struct seg_peer *peer, const char *name)
{
	struct udpa_offer *o = offer_of(ad, peer, false);

	for (size_t i = 0; o && i < o->n; i++)
		if (!strcmp(o->s[i].name, name))
			return o->s[i].id;
	return 0;
}

/* Our services exposed to peer; the id of services[i] is i + 1. */
static bool service_exposed(const struct seg_udp_service *s, const struct seg_peer *peer)
{
	if (s->allow_any)
		return true;
	for (size_t i = 0; i < s->allowed_len; i++)
		if (scion_addr_equal(&s->allowed[i], &seg_peer_addr(peer)->addr))
			return true;
	return false;
}

static bool announce_to(struct udpadapter *ad, struct udpa_offer *o)
{
	struct udpa_service_entry e[UDPA_SERVICES_MAX];
	uint8_t msg[UDPA_SERVICES_MSG_MAX];
	size_t n = 0, len;
	char name[128];
	int err;

	for (size_t i = 0; i < ad->cfg.services_len && n < UDPA_SERVICES_MAX; i++) {
		if (!service_exposed(&ad->cfg.services[i], o->peer))
			continue;
		e[n].id = (uint16_t)(i + 1);
		memcpy(e[n++].name, ad->cfg.services[i].name, sizeof(e[0].name));
	}
	if (udpa_services_encode(e, n, msg, sizeof(msg), &len) != UDPA_OK)
		return true; /* config names are validated: cannot happen */
	err = seg_peer_send_ctrl(o->peer, msg, len);
	if (err == -ENOBUFS)
		return false;
	peer_name(o->peer, name, sizeof(name));
	if (err < 0)
		seg_log_warn("udp adapter: telling peer %s our services: %s", name, strerror(-err));
	else
		seg_log_debug("udp adapter: %zu services offered to peer %s", n, name);
	return true;
}

/* ---- forwarding side: local clients → peer ---- */

static struct seg_peer *forward_peer(struct udpadapter *ad, struct udpa_forward *f)
{
	if (!f->peer)
		f->peer = seg_gateway_peer_by_addr(ad->gw, &f->cfg->peer);
	if (!f->peer && !f->warned) {
		char a[128];

		if (scion_addr_format(&f->cfg->peer, a, sizeof(a)) < 0)
			snprintf(a, sizeof(a), "?");
		seg_log_warn("udp adapter: forward to %s: not a remote in conf.yaml", a);
		f->warned = true;
	}
	return f->peer;
}

static void forward_one(struct udpadapter *ad, struct udpa_forward *f, size_t idx,
			const struct sockaddr_storage *from, size_t len)
{
	struct seg_peer *peer = forward_peer(ad, f);
	struct udpa_flow_key key = {0};
	struct udpa_flow *flow;
	struct udpa_data d;
	struct seg_buf b;
	uint64_t now = seg_time_now();
	uint16_t sid;

	if (!peer) {
		ad->counters[UDPA_CNT_FWD_NO_PEER]++;
		return;
	}
	sid = offered_id(ad, peer, f->cfg->service);
	if (!sid) {
		ad->counters[UDPA_CNT_FWD_NO_SERVICE]++;
		return;
	}
	key.id = (uint32_t)idx;
	key_set_addr(&key, from);
	flow = udpa_flows_find(&ad->client_flows, &key, now);
	if (!flow)
		flow = udpa_flows_add(&ad->client_flows, &key, now);
	d = (struct udpa_data){.type = UDPA_TYPE_TO_SERVICE,
			       .service = sid,
			       .flow = udpa_flow_id(&ad->client_flows, flow),
			       .payload = ad->buf,
			       .payload_len = len};
	if (udpa_data_encode(&d, ad->frame, sizeof(ad->frame), &b.len) != UDPA_OK) {
		ad->counters[UDPA_CNT_FWD_SEND_FAILED]++;
		return;
	}
	b.data = ad->frame;
	if (seg_peer_send_data(peer, &b, 1) == 1)
		ad->counters[UDPA_CNT_FWD_TX]++;
	else
		ad->counters[UDPA_CNT_FWD_SEND_FAILED]++;
}

static void on_forward_readable(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct udpa_forward *f = arg;
	struct udpadapter *ad = f->ad;

	(void)loop;
	(void)events;
	for (int i = 0; i < UDPA_READ_BUDGET; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, ad->buf, UDPA_PAYLOAD_MAX, MSG_TRUNC,
				     (struct sockaddr *)&from, &fl);

		if (r < 0)
			return; /* EAGAIN, or an ICMP error queued on the socket: next */
		ad->counters[UDPA_CNT_FWD_RX]++;
		if ((size_t)r > UDPA_PAYLOAD_MAX) {
			ad->counters[UDPA_CNT_FWD_SEND_FAILED]++;
			continue;
		}
		forward_one(ad, f, (size_t)(f - ad->fwd), &from, (size_t)r);
	}
}

static void to_client(struct udpadapter *ad, struct seg_peer *peer, const struct udpa_data *d)
{
	struct udpa_flow *flow = udpa_flows_by_id(&ad->client_flows, d->flow, seg_time_now());
	struct udpa_forward *f;
	struct sockaddr_storage ss;
	socklen_t sl;

	/* The reply must come from the peer and service this flow was sent to. */
	if (!flow || flow->key.id >= ad->cfg.forwards_len) {
		ad->counters[UDPA_CNT_CLIENT_STALE]++;
		return;
	}
	f = &ad->fwd[flow->key.id];
	if (f->peer != peer || offered_id(ad, peer, f->cfg->service) != d->service) {
		ad->counters[UDPA_CNT_CLIENT_STALE]++;
		return;
	}
	sl = key_get_addr(&flow->key, &ss);
	if (sendto(f->fd, d->payload, d->payload_len, 0, (struct sockaddr *)&ss, sl) >= 0)
		ad->counters[UDPA_CNT_CLIENT_DELIVERED]++;
}

/* ---- exposing side: peer → our services, and their replies ---- */

static void on_service_readable(struct evloop *loop, int fd, unsigned events, void *arg)
{
	struct udpa_flow *flow = arg;
	struct udpadapter *ad = flow->owner;
	struct seg_peer *peer = (struct seg_peer *)(uintptr_t)flow->key.peer;

	(void)loop;
	(void)events;
	for (int i = 0; i < UDPA_READ_BUDGET; i++) {
		ssize_t r = recv(fd, ad->buf, UDPA_PAYLOAD_MAX, MSG_TRUNC);
		struct udpa_data d;
		struct seg_buf b;

		if (r < 0)
			return;
		if ((size_t)r > UDPA_PAYLOAD_MAX)
			continue;
		flow->last_used = seg_time_now();
		d = (struct udpa_data){.type = UDPA_TYPE_TO_CLIENT,
				       .service = (uint16_t)flow->key.id,
				       .flow = flow->key.flow,
				       .payload = ad->buf,
				       .payload_len = (size_t)r};
		if (udpa_data_encode(&d, ad->frame, sizeof(ad->frame), &b.len) != UDPA_OK)
			continue;
		b.data = ad->frame;
		if (seg_peer_send_data(peer, &b, 1) == 1)
			ad->counters[UDPA_CNT_SVC_REPLY]++;
	}
}

/* A flow leaves the exposing side's table: its socket and peer reference go with it. */
static void service_flow_evict(struct udpa_flow *f, void *ctx)
{
	struct udpadapter *ad = ctx;

	ad->counters[UDPA_CNT_FLOWS_EXPIRED]++;
	if (f->fd >= 0) {
		evloop_fd_del(ad->loop, f->fd);
		close(f->fd);
	}
	seg_peer_put((struct seg_peer *)(uintptr_t)f->key.peer);
}

static void client_flow_evict(struct udpa_flow *f, void *ctx)
{
	struct udpadapter *ad = ctx;

	(void)f;
	ad->counters[UDPA_CNT_FLOWS_EXPIRED]++;
}

static struct udpa_flow *service_flow(struct udpadapter *ad, struct seg_peer *peer,
				      const struct udpa_data *d)
{
	const struct seg_udp_service *s = &ad->cfg.services[d->service - 1];
	struct udpa_flow_key key = {.peer = peer, .id = d->service, .flow = d->flow};
	uint64_t now = seg_time_now();
	struct udpa_flow *f = udpa_flows_find(&ad->service_flows, &key, now);
	int fd;

	if (f)
		return f;
	fd = socket(s->address.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&s->address.ss, s->address.len) < 0) {
		if (fd >= 0)
			close(fd);
		ad->counters[UDPA_CNT_SVC_SOCKET_ERR]++;
		return NULL;
	}
	seg_peer_get(peer); /* put by service_flow_evict */
	f = udpa_flows_add(&ad->service_flows, &key, now);
	f->fd = fd;
	f->owner = ad;
	if (evloop_fd_add(ad->loop, fd, EVLOOP_READ, on_service_readable, f) < 0) {
		udpa_flows_remove(&ad->service_flows, f);
		ad->counters[UDPA_CNT_SVC_SOCKET_ERR]++;
		return NULL;
	}
	return f;
}

static void to_service(struct udpadapter *ad, struct seg_peer *peer, const struct udpa_data *d)
{
	struct udpa_flow *f;

	ad->counters[UDPA_CNT_SVC_RX]++;
	/* Only what we expose to this peer: its own claims about ids count for nothing. */
	if (d->service == 0 || d->service > ad->cfg.services_len ||
	    !service_exposed(&ad->cfg.services[d->service - 1], peer)) {
		ad->counters[UDPA_CNT_SVC_NOT_EXPOSED]++;
		return;
	}
	f = service_flow(ad, peer, d);
	if (f && send(f->fd, d->payload, d->payload_len, 0) < 0)
		seg_log_trace("udp adapter: service %s: %s", ad->cfg.services[d->service - 1].name,
			      strerror(errno));
}

/* ---- gateway callbacks ---- */

static void udpa_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n)
{
	struct udpadapter *ad = ctx;

	for (size_t i = 0; i < n; i++) {
		struct udpa_data d;
		int err = udpa_data_decode(pkts[i].data, pkts[i].len, &d);

		if (err == UDPA_ERR_OTHER_ADAPTER)
			continue;
		if (err) {
			ad->counters[UDPA_CNT_RX_MALFORMED]++;
			continue;
		}
		if (d.type == UDPA_TYPE_TO_SERVICE)
			to_service(ad, peer, &d);
		else
			to_client(ad, peer, &d);
	}
}

static void udpa_control(void *ctx, struct seg_peer *peer, const uint8_t *msg, size_t len)
{
	struct udpadapter *ad = ctx;
	struct udpa_service_entry e[UDPA_SERVICES_MAX];
	struct udpa_offer *o;
	char name[128];
	size_t n;
	int err = udpa_services_decode(msg, len, e, &n);

	if (err == UDPA_ERR_OTHER_ADAPTER)
		return;
	peer_name(peer, name, sizeof(name));
	if (err) {
		ad->counters[UDPA_CNT_CTRL_BAD]++;
		seg_log_warn("udp adapter: peer %s: bad service list (%zu bytes): %s", name, len,
			     udpa_strerror(err));
		return;
	}
	o = offer_of(ad, peer, true);
	if (!o)
		return;
	memcpy(o->s, e, n * sizeof(e[0]));
	o->n = n;
	seg_log_info("udp adapter: peer %s offers %zu services", name, n);
}

static void udpa_peer_up(void *ctx, struct seg_peer *peer)
{
	struct udpadapter *ad = ctx;
	struct udpa_offer *o = offer_of(ad, peer, true);

	if (o)
		o->announce_pending = !announce_to(ad, o);
}

static const struct seg_adapter_ops udpa_ops = {
    .name = "udp",
    .ingress = udpa_ingress,
    .control = udpa_control,
    .peer_up = udpa_peer_up,
};

/* ---- housekeeping, setup, teardown ---- */

static void on_sweep(struct evloop *loop, void *arg)
{
	struct udpadapter *ad = arg;
	uint64_t now = seg_time_now();

	udpa_flows_expire(&ad->client_flows, now);
	udpa_flows_expire(&ad->service_flows, now);
	for (size_t i = 0; i < ad->n_offers; i++)
		if (ad->offers[i].announce_pending && seg_peer_is_up(ad->offers[i].peer))
			ad->offers[i].announce_pending = !announce_to(ad, &ad->offers[i]);
	if (evloop_timer_arm_in(loop, &ad->sweep, SEG_MS(UDPA_SWEEP_MS)) < 0)
		seg_log_warn("udp adapter: cannot arm the flow sweep");
}

static int listen_forward(struct udpadapter *ad, size_t i, char *err, size_t errlen)
{
	struct udpa_forward *f = &ad->fwd[i];
	const struct seg_udp_sockaddr *a = &ad->cfg.forwards[i].listen;

	f->ad = ad;
	f->cfg = &ad->cfg.forwards[i];
	f->fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (f->fd < 0 || bind(f->fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
		int e = errno;

		snprintf(err, errlen, "udp adapter: forward %zu (service %s): listening: %s", i,
			 f->cfg->service, strerror(e));
		return -e;
	}
	if (evloop_fd_add(ad->loop, f->fd, EVLOOP_READ, on_forward_readable, f) < 0) {
		snprintf(err, errlen, "udp adapter: forward %zu: event loop refused the socket", i);
		return -ENOMEM;
	}
	return 0;
}

int udpadapter_create(const struct seg_udp_adapter_config *cfg, struct gateway *gw,
		      struct evloop *loop, struct udpadapter **out, char *err, size_t errlen)
{
	struct udpadapter *ad = calloc(1, sizeof(*ad));
	int rc;

	*out = NULL;
	if (!ad) {
		snprintf(err, errlen, "udp adapter: out of memory");
		return -ENOMEM;
	}
	ad->gw = gw;
	ad->loop = loop;
	ad->cfg = *cfg;
	for (size_t i = 0; i < SEG_UDP_FORWARDS_MAX; i++)
		ad->fwd[i].fd = -1;
	evloop_timer_init(&ad->sweep, on_sweep, ad);
	if (udpa_flows_init(&ad->client_flows, cfg->max_flows, cfg->flow_idle_ns, client_flow_evict,
			    ad) < 0 ||
	    udpa_flows_init(&ad->service_flows, cfg->max_flows, cfg->flow_idle_ns,
			    service_flow_evict, ad) < 0) {
		snprintf(err, errlen, "udp adapter: out of memory for %u flows", cfg->max_flows);
		rc = -ENOMEM;
		goto err_free;
	}
	for (size_t i = 0; i < cfg->forwards_len; i++) {
		rc = listen_forward(ad, i, err, errlen);
		if (rc)
			goto err_free;
	}
	rc = evloop_timer_arm_in(loop, &ad->sweep, SEG_MS(UDPA_SWEEP_MS));
	if (!rc)
		rc = seg_gateway_adapter_register(gw, &udpa_ops, ad);
	if (rc) {
		snprintf(err, errlen, "udp adapter: registering: %s", strerror(-rc));
		goto err_free;
	}
	seg_log_info("udp adapter: %zu services exposed, %zu forwards", cfg->services_len,
		     cfg->forwards_len);
	*out = ad;
	return 0;
err_free:
	udpadapter_destroy(ad);
	return rc;
}

void udpadapter_destroy(struct udpadapter *ad)
{
	if (!ad)
		return;
	evloop_timer_cancel(ad->loop, &ad->sweep);
	for (size_t i = 0; i < SEG_UDP_FORWARDS_MAX; i++) {
		if (ad->fwd[i].fd >= 0) {
			evloop_fd_del(ad->loop, ad->fwd[i].fd);
			close(ad->fwd[i].fd);
		}
		if (ad->fwd[i].peer)
			seg_peer_put(ad->fwd[i].peer);
	}
	if (ad->client_flows.v)
		udpa_flows_free(&ad->client_flows);
	if (ad->service_flows.v)
		udpa_flows_free(&ad->service_flows);
	for (size_t i = 0; i < ad->n_offers; i++)
		seg_peer_put(ad->offers[i].peer);
	free(ad);
}
