/* SPDX-License-Identifier: MIT */
/*
 * The border router's runtime: a thread with an epoll loop over the internal socket, one
 * connected UDP socket per link and an eventfd for control. Each wake-up reads batches with
 * recvmmsg, runs router_process() on each packet in place, queues the results per output
 * socket and flushes them with sendmmsg before the receive buffers are reused. Link
 * emulation on each link's egress (loss, delay) is router_link.c's.
 *
 * Offloads (base/udp_batch.h): with UDP GRO a receive may hold a run of equal-size
 * datagrams (a gateway's or another router's UDP GSO send), processed one by one where it
 * lies; a flush sends each run of equal-size packets to one destination as one UDP GSO
 * message. The kernel's cost is then per run, not per packet, as with a NIC's GRO and TSO.
 * Replies are built in their own buffers, since a reply may be longer than its packet and
 * would overwrite the next packet of a run.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "router_rt.h"

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t unix_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

struct rt_iface *rt_iface_find(struct router_rt *rt, uint16_t ifid)
{
	for (size_t i = 0; i < rt->n; i++)
		if (rt->ifs[i].ifid == ifid)
			return &rt->ifs[i];
	return NULL;
}

/* ---- Sending ------------------------------------------------------------------------ */

void rt_tx_flush(struct router_rt *rt, int fd, struct udp_sendq *q)
{
	size_t n = q->n, bytes, failed;

	if (!n)
		return;
	failed = udp_sendq_flush(q, fd, rt->gso, &bytes);
	/* Failures: a full socket buffer, or the peer's port closed (ECONNREFUSED). */
	rt->drops[ROUTER_DROP_SEND_FAILED] += failed;
	rt->tx_pkts += n - failed;
	rt->tx_bytes += bytes;
}

void rt_tx_add(struct router_rt *rt, int fd, struct udp_sendq *q, uint8_t *buf, size_t len,
	       const struct sockaddr_storage *to)
{
	if (udp_sendq_full(q))
		rt_tx_flush(rt, fd, q);
	udp_sendq_add(q, buf, len, to);
}

/*
 * Endhost delivery: only to loopback (the testnet's network-safety rule), and only in the
 * family of the internal socket the delivery leaves from (an IPv4 AS's hosts are IPv4, an
 * IPv6 AS's are IPv6). Returns ROUTER_DROP_NONE or why not.
 */
static enum router_drop_reason deliver_addr(const struct router_rt *rt,
					    const struct router_action *act,
					    struct sockaddr_storage *to)
{
	static const uint8_t v6_loopback[16] = {[15] = 1};
	sa_family_t family = act->dst_host.type == SCION_HOST_IPV6 ? AF_INET6 : AF_INET;

	memset(to, 0, sizeof(*to));
	if (family != rt->internal_family)
		return ROUTER_DROP_HOST_FAMILY;
	if (act->dst_host.type == SCION_HOST_IPV4 && act->dst_host.ip[0] == 127) {
		struct sockaddr_in *in = (struct sockaddr_in *)to;

		in->sin_family = AF_INET;
		in->sin_port = htons(act->dst_port);
		memcpy(&in->sin_addr, act->dst_host.ip, 4);
		return ROUTER_DROP_NONE;
	}
	if (act->dst_host.type == SCION_HOST_IPV6 &&
	    memcmp(act->dst_host.ip, v6_loopback, 16) == 0) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)to;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(act->dst_port);
		memcpy(&in6->sin6_addr, act->dst_host.ip, 16);
		return ROUTER_DROP_NONE;
	}
	return ROUTER_DROP_NON_LOOPBACK;
}

/* ---- Receiving ---------------------------------------------------------------------- */

static void flush_all(struct router_rt *rt)
{
	for (size_t k = 0; k < rt->n; k++)
		rt_tx_flush(rt, rt->ifs[k].fd, rt->ifs[k].tx);
	rt_tx_flush(rt, rt->internal_fd, rt->internal_tx);
	rt->replies_used = 0;
}

/* A buffer for a reply; the queued sends may point into the others, so when all are taken
 * they are flushed first. */
static uint8_t *reply_buf(struct router_rt *rt)
{
	if (rt->replies_used == RT_REPLY_SLOTS)
		flush_all(rt);
	return rt->replies[rt->replies_used++];
}

/* One packet of len bytes at buf (a datagram, or one of a GRO run) from ingress; from is the
 * datagram's source. */
static void handle(struct router_rt *rt, uint8_t *buf, size_t len, uint16_t ingress,
		   const struct sockaddr_storage *from, uint64_t now_s, uint64_t now_ns)
{
	struct router_action act;
	struct sockaddr_storage to;
	enum router_drop_reason why;
	struct rt_iface *ifc;
	uint8_t *reply;

	rt->rx_pkts++;
	rt->rx_bytes += len;
	if (len > ROUTER_MAX_PKT_LEN) {
		rt->drops[ROUTER_DROP_OVERSIZE]++;
		return;
	}
	switch (router_process(rt->r, buf, len, ingress, now_s, &act)) {
	case ROUTER_FORWARD:
		ifc = rt_iface_find(rt, act.egress);
		if (ifc) /* router_process only names configured interfaces */
			rt_link_send(rt, ifc, buf, len, now_ns);
		break;
	case ROUTER_DELIVER:
		why = deliver_addr(rt, &act, &to);
		if (why != ROUTER_DROP_NONE) {
			rt->drops[why]++;
			break;
		}
		rt_tx_add(rt, rt->internal_fd, rt->internal_tx, buf, len, &to);
		break;
	case ROUTER_REPLY:
		reply = reply_buf(rt);
		memcpy(reply, act.reply, act.reply_len);
		if (ingress == 0) {
			rt_tx_add(rt, rt->internal_fd, rt->internal_tx, reply, act.reply_len, from);
		} else {
			ifc = rt_iface_find(rt, ingress);
			if (ifc)
				rt_link_send(rt, ifc, reply, act.reply_len, now_ns);
		}
		break;
	case ROUTER_DROP:
		break;
	}
}

/* Datagram i of the last receive: one packet, or a GRO run cut into its packets. */
static void handle_datagram(struct router_rt *rt, unsigned i, uint16_t ingress, uint64_t now_s,
			    uint64_t now_ns)
{
	uint8_t *buf = rt->rxiov[i].iov_base;
	size_t len = rt->rx[i].msg_len;
	size_t seg = udp_gro_segment_size(&rt->rx[i].msg_hdr);

	if (rt->rx[i].msg_hdr.msg_flags & MSG_TRUNC) {
		rt->rx_pkts++;
		rt->drops[ROUTER_DROP_OVERSIZE]++;
		return;
	}
	if (!seg || seg > len)
		seg = len;
	for (size_t off = 0; off < len; off += seg)
		handle(rt, buf + off, len - off < seg ? len - off : seg, ingress, &rt->rxaddr[i],
		       now_s, now_ns);
}

static void rx_socket(struct router_rt *rt, int fd, uint16_t ingress)
{
	for (int round = 0; round < RT_RX_ROUNDS; round++) {
		uint64_t now_s = unix_sec(), now_ns = mono_ns();
		int n;

		for (unsigned i = 0; i < rt->batch; i++) {
			struct msghdr *h = &rt->rx[i].msg_hdr;

			memset(h, 0, sizeof(*h));
			rt->rxiov[i].iov_base = rt->bufs + (size_t)i * RT_RX_BUF;
			rt->rxiov[i].iov_len = RT_RX_BUF;
			h->msg_iov = &rt->rxiov[i];
			h->msg_iovlen = 1;
			h->msg_name = &rt->rxaddr[i];
			h->msg_namelen = sizeof(rt->rxaddr[i]);
			h->msg_control = rt->rxctl[i].buf;
			h->msg_controllen = sizeof(rt->rxctl[i].buf);
		}
		n = recvmmsg(fd, rt->rx, rt->batch, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return; /* EAGAIN, or an ICMP error queued on a connected socket */
		for (unsigned i = 0; i < (unsigned)n; i++)
			handle_datagram(rt, i, ingress, now_s, now_ns);
		/* Sends point into the receive buffers: flush before the next read. */
		flush_all(rt);
		if ((unsigned)n < rt->batch)
			return;
	}
}

/* ---- Statistics and control ------------------------------------------------------------ */

static void stats_publish(struct router_rt *rt)
{
	const struct router_counters *c = router_counters_get(rt->r);
	const uint64_t fixed[9] = {
	    rt->rx_pkts,  rt->rx_bytes, rt->tx_pkts, rt->tx_bytes,	    c->processed,
	    c->forwarded, c->delivered, c->replies,  c->replies_suppressed,
	};

	for (unsigned i = 0; i < 9; i++)
		atomic_store_explicit(&rt->pub[i], fixed[i], memory_order_relaxed);
	for (unsigned i = 0; i < ROUTER_DROP_MAX; i++)
		atomic_store_explicit(&rt->pub[9 + i], c->drops[i] + rt->drops[i],
				      memory_order_relaxed);
}

void router_rt_stats(struct router_rt *rt, struct router_stats *out)
{
	uint64_t v[RT_NSTATS];

	for (unsigned i = 0; i < RT_NSTATS; i++)
		v[i] = atomic_load_explicit(&rt->pub[i], memory_order_relaxed);
	out->rx_pkts = v[0];
	out->rx_bytes = v[1];
	out->tx_pkts = v[2];
	out->tx_bytes = v[3];
	out->processed = v[4];
	out->forwarded = v[5];
	out->delivered = v[6];
	out->replies = v[7];
	out->replies_suppressed = v[8];
	memcpy(out->drops, v + 9, sizeof(out->drops));
}

/* Applies a link request in the router thread. */
static int link_apply(struct router_rt *rt, const struct rt_link_req *req)
{
	struct rt_iface *ifc = rt_iface_find(rt, req->ifid);

	if (!ifc || router_set_link_up(rt->r, req->ifid, req->up))
		return ROUTER_RT_ERR_IFACE;
	return rt_link_emulate(ifc, req->loss_ppm, req->delay_us);
}

static void control(struct router_rt *rt)
{
	struct rt_link_req req;
	uint64_t v;
	bool pending;
	int result;

	if (read(rt->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&rt->mu);
	pending = rt->req_pending;
	req = rt->req;
	pthread_mutex_unlock(&rt->mu);
	if (!pending)
		return;
	result = link_apply(rt, &req);
	pthread_mutex_lock(&rt->mu);
	rt->req_result = result;
	rt->req_pending = false;
	pthread_cond_broadcast(&rt->cv);
	pthread_mutex_unlock(&rt->mu);
}

static void *rt_main(void *arg)
{
	struct router_rt *rt = arg;
	struct epoll_event ev[RT_EPOLL_EVENTS];
	int timeout = RT_IDLE_MS;

	while (!atomic_load(&rt->stop)) {
		int n = epoll_wait(rt->epfd, ev, RT_EPOLL_EVENTS, timeout);

		for (int i = 0; i < n; i++) {
			uint32_t id = ev[i].data.u32;

			if (id == RT_EV_CONTROL)
				control(rt);
			else if (id == RT_EV_INTERNAL)
				rx_socket(rt, rt->internal_fd, 0);
			else if (id < rt->n)
				rx_socket(rt, rt->ifs[id].fd, rt->ifs[id].ifid);
		}
		timeout = rt_link_service(rt, mono_ns());
		if (timeout < 0 || timeout > RT_IDLE_MS)
			timeout = RT_IDLE_MS;
		stats_publish(rt);
	}
	return NULL;
}

int router_rt_link_set(struct router_rt *rt, uint16_t ifid, bool up, uint32_t loss_ppm,
		       uint32_t delay_us)
{
	const uint64_t one = 1;
	struct timespec until;
	int err = 0;

	if (loss_ppm > ROUTER_RT_LOSS_PPM_MAX || delay_us > ROUTER_RT_MAX_DELAY_US)
		return ROUTER_RT_ERR_PARAM;
	if (!rt_iface_find(rt, ifid))
		return ROUTER_RT_ERR_IFACE;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ROUTER_RT_CONTROL_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&rt->mu);
	while (rt->req_pending && !err)
		err = pthread_cond_timedwait(&rt->cv, &rt->mu, &until);
	if (!err) {
		rt->req = (struct rt_link_req){ifid, up, loss_ppm, delay_us};
		rt->req_pending = true;
	}
	pthread_mutex_unlock(&rt->mu);
	if (err || write(rt->evfd, &one, sizeof(one)) != sizeof(one))
		return ROUTER_RT_ERR_TIMEOUT;
	pthread_mutex_lock(&rt->mu);
	while (rt->req_pending && !err)
		err = pthread_cond_timedwait(&rt->cv, &rt->mu, &until);
	err = err ? ROUTER_RT_ERR_TIMEOUT : rt->req_result;
	pthread_mutex_unlock(&rt->mu);
	return err;
}

/* ---- Start and stop -------------------------------------------------------------------- */

static bool is_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *in4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
	return ss->ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
}

static socklen_t ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* A UDP socket bound to local (and connected to remote, if given) in the epoll set as id. */
static int open_socket(struct router_rt *rt, const struct sockaddr_storage *local,
		       const struct sockaddr_storage *remote, uint32_t id, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = id};
	int buf = RT_SOCK_BUF;
	int fd;

	if (!is_loopback(local) || (remote && !is_loopback(remote))) {
		snprintf(err, errlen, "router: socket %u: addresses must be on loopback", id);
		return -1;
	}
	fd = socket(local->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "router: socket: %s", strerror(errno));
		return -1;
	}
	/* IPv6 sockets carry IPv6 only: a link's two ends and an AS's hosts share a family. */
	if (local->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, sizeof(int)) < 0) {
		snprintf(err, errlen, "router: IPV6_V6ONLY: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/* Best effort: larger buffers absorb bursts; the kernel caps them. */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (rt->offloads) {
		bool gso, gro;

		/* Runs out only if every socket takes them; GRO in wherever the kernel has it. */
		udp_offloads_enable(fd, &gso, &gro);
		rt->gso = rt->gso && gso;
	}
	if (bind(fd, (const struct sockaddr *)local, ss_len(local)) < 0 ||
	    (remote && connect(fd, (const struct sockaddr *)remote, ss_len(remote)) < 0) ||
	    epoll_ctl(rt->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		snprintf(err, errlen, "router: socket %u: bind/connect: %s", id, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void rt_free(struct router_rt *rt)
{
	for (size_t i = 0; i < rt->n; i++) {
		if (rt->ifs[i].fd >= 0)
			close(rt->ifs[i].fd);
		rt_link_free(&rt->ifs[i]);
		free(rt->ifs[i].tx);
	}
	free(rt->internal_tx);
	free(rt->replies);
	if (rt->internal_fd >= 0)
		close(rt->internal_fd);
	if (rt->evfd >= 0)
		close(rt->evfd);
	if (rt->epfd >= 0)
		close(rt->epfd);
	pthread_cond_destroy(&rt->cv);
	pthread_mutex_destroy(&rt->mu);
	router_free(rt->r);
	free(rt->bufs);
	free(rt);
}

static int rt_open(struct router_rt *rt, const struct router_config *cfg, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = RT_EV_CONTROL};

	rt->epfd = epoll_create1(EPOLL_CLOEXEC);
	rt->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (rt->epfd < 0 || rt->evfd < 0 || epoll_ctl(rt->epfd, EPOLL_CTL_ADD, rt->evfd, &ev) < 0) {
		snprintf(err, errlen, "router: epoll/eventfd: %s", strerror(errno));
		return -1;
	}
	rt->internal_fd = open_socket(rt, &cfg->internal, NULL, RT_EV_INTERNAL, err, errlen);
	rt->internal_family = cfg->internal.ss_family;
	if (rt->internal_fd < 0)
		return -1;
	for (size_t i = 0; i < cfg->n_ifaces; i++) {
		const struct router_iface_config *c = &cfg->ifaces[i];
		struct rt_iface *ifc = &rt->ifs[i];

		ifc->ifid = c->ifid;
		/* Deterministic loss per link and direction; never zero (xorshift). */
		ifc->prng = (cfg->ia ^ ((uint64_t)c->ifid << 48) ^ c->remote_ia) | 1;
		ifc->fd = open_socket(rt, &c->local, &c->remote, (uint32_t)i, err, errlen);
		rt->n = i + 1;
		if (ifc->fd < 0)
			return -1;
		ifc->tx = calloc(1, sizeof(*ifc->tx));
		if (!ifc->tx) {
			snprintf(err, errlen, "router: out of memory");
			return -1;
		}
	}
	return 0;
}

/* "rt ff00:0:110": which AS a thread routes for, in top -H, perf and gdb (15 characters at
 * most; the ISD is left out, the AS number is what tells routers apart). */
static void thread_name(pthread_t thread, scion_ia_t ia)
{
	char as[32], name[16];

	if (scion_as_format(scion_ia_as(ia), as, sizeof(as)) < 0)
		return;
	snprintf(name, sizeof(name), "rt %.12s", as);
	(void)pthread_setname_np(thread, name);
}

struct router_rt *router_rt_start(const struct router_config *cfg, char *err, size_t errlen)
{
	struct router_rt *rt = calloc(1, sizeof(*rt));

	if (!rt) {
		snprintf(err, errlen, "router: out of memory");
		return NULL;
	}
	rt->epfd = rt->evfd = rt->internal_fd = -1;
	rt->batch = cfg->batch && cfg->batch < ROUTER_RT_BATCH ? cfg->batch : ROUTER_RT_BATCH;
	rt->offloads = rt->gso = !cfg->no_offloads;
	for (size_t i = 0; i < ROUTER_MAX_IFACES; i++)
		rt->ifs[i].fd = -1;
	pthread_mutex_init(&rt->mu, NULL);
	pthread_cond_init(&rt->cv, NULL);
	rt->r = router_new(cfg, err, errlen);
	/* Pages of the receive buffers become resident only as long runs arrive. */
	rt->bufs = malloc((size_t)ROUTER_RT_BATCH * RT_RX_BUF);
	rt->replies = malloc(RT_REPLY_SLOTS * sizeof(*rt->replies));
	rt->internal_tx = calloc(1, sizeof(*rt->internal_tx));
	if (!rt->r || !rt->bufs || !rt->replies || !rt->internal_tx) {
		if (rt->r)
			snprintf(err, errlen, "router: out of memory");
		goto err_free;
	}
	if (rt_open(rt, cfg, err, errlen))
		goto err_free;
	if (pthread_create(&rt->thread, NULL, rt_main, rt)) {
		snprintf(err, errlen, "router: cannot start thread");
		goto err_free;
	}
	thread_name(rt->thread, cfg->ia);
	return rt;
err_free:
	rt_free(rt);
	return NULL;
}

uint64_t router_rt_cpu_ns(struct router_rt *rt)
{
	struct timespec ts;
	clockid_t cid;

	if (pthread_getcpuclockid(rt->thread, &cid) || clock_gettime(cid, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void router_rt_stop(struct router_rt *rt)
{
	const uint64_t one = 1;

	if (!rt)
		return;
	atomic_store(&rt->stop, true);
	if (write(rt->evfd, &one, sizeof(one)) < 0) {
		/* The thread still sees stop within RT_IDLE_MS. */
	}
	pthread_join(rt->thread, NULL);
	rt_free(rt);
}
