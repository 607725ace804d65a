/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's data part: the TUN reader thread (egress: TUN → peers) and the ingress
 * callback (peers → TUN), with the ICMP errors for packets that cannot be delivered.
 *
 * The reader takes the published route table once per batch and marks a quiescent point
 * (ad->reader_seen) before it waits for the next one: the control thread frees a replaced
 * table once reader_seen has reached the epoch of its replacement. Ingress runs on the
 * control thread (include/seg/adapter.h), the table's writer, so it needs no such mark.
 *
 * With the TUN's offloads (tun.h, vnet.h) the reader cuts each TSO super-segment into the
 * TCP segments the kernel would have sent, collecting up to IPA_BATCH packets for the
 * peers; ingress joins consecutive segments of a TCP flow into one TUN write.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "adapters/ip/icmp.h"
#include "adapters/ip/ipadapter_internal.h"
#include "base/log.h"
#include "base/time.h"

enum {
	READER_POLL_MS = 100, /* the longest a replaced table waits for an idle reader */
};

struct reader_bufs {
	struct tun_packet pkts[IPA_BATCH]; /* as read (with the vnet header when offloading) */
	uint8_t *mem;
	/* The packets of the next egress batch: read packets, or segments in seg_mem. */
	struct tun_packet out[IPA_BATCH];
	unsigned n_out, n_seg;
	uint8_t *seg_mem; /* IPA_BATCH x seg_cap */
	size_t seg_cap;
};

/* A write of one packet, behind an empty vnet header when the TUN has one. */
static ssize_t tun_write_one(struct ipadapter *ad, const uint8_t *pkt, size_t len)
{
	uint8_t zero[VNET_HDR_LEN] = {0};
	struct iovec iov[2] = {{.iov_base = zero, .iov_len = VNET_HDR_LEN},
			       {.iov_base = (void *)pkt, .iov_len = len}};
	ssize_t r;

	if (!ad->tun.vnet_hdr)
		return write(ad->tun.fd, pkt, len);
	r = writev(ad->tun.fd, iov, 2);
	return r < VNET_HDR_LEN ? -1 : r - VNET_HDR_LEN;
}

/* A token bucket (RFC 4443 2.4 f, RFC 1812 4.3.2.8); only the reader sends ICMP. */
static bool icmp_allowed(struct ipadapter *ad)
{
	uint64_t now = seg_time_now();
	double refill = (double)(now - ad->icmp_last_ns) * IPA_ICMP_RATE / 1e9;

	ad->icmp_last_ns = now;
	ad->icmp_tokens += refill;
	if (ad->icmp_tokens > IPA_ICMP_BURST)
		ad->icmp_tokens = IPA_ICMP_BURST;
	if (ad->icmp_tokens < 1.0)
		return false;
	ad->icmp_tokens -= 1.0;
	return true;
}

static void icmp_reply(struct ipadapter *ad, const struct tun_packet *pkt, enum icmp_reason reason)
{
	uint8_t out[ICMP_REPLY_MAX];
	size_t len;

	if (!icmp_allowed(ad)) {
		ipa_count(ad, IPA_CNT_ICMP_RATE_LIMITED, 1);
		return;
	}
	if (icmp_build_error(pkt->buf, pkt->len, reason, 0, &ad->tun_addr, out, sizeof(out),
			     &len) != ICMP_OK) {
		ad->icmp_tokens += 1.0; /* nothing was sent */
		ipa_count(ad, IPA_CNT_ICMP_SUPPRESSED, 1);
		return;
	}
	if (tun_write_one(ad, out, len) == (ssize_t)len)
		ipa_count(ad, IPA_CNT_ICMP_SENT, 1);
}

static void send_group(struct ipadapter *ad, struct ipa_peer *p, struct tun_packet *pkts,
		       struct ipa_peer **owner, unsigned first, unsigned n)
{
	struct seg_buf bufs[IPA_BATCH];
	unsigned idx[IPA_BATCH], k = 0;
	int r;

	for (unsigned i = first; i < n; i++) {
		if (owner[i] != p)
			continue;
		bufs[k] = (struct seg_buf){.data = pkts[i].buf, .len = pkts[i].len};
		idx[k++] = i;
		owner[i] = NULL;
	}
	r = seg_peer_send_data(p->peer, bufs, k);
	if (r == -ENOTCONN) {
		ipa_count(ad, IPA_CNT_TX_PEER_DOWN, k);
		for (unsigned i = 0; i < k; i++)
			icmp_reply(ad, &pkts[idx[i]], ICMP_REASON_HOST_UNREACH);
		return;
	}
	if (r < 0)
		r = 0;
	ipa_count(ad, IPA_CNT_TX_SENT, (uint64_t)r);
	ipa_count(ad, IPA_CNT_TX_FAILED, k - (unsigned)r);
}

static void egress_batch(struct ipadapter *ad, struct tun_packet *pkts, unsigned n)
{
	const struct lpm *t = lpm_current(&ad->table);
	struct ipa_peer *owner[IPA_BATCH];

	for (unsigned i = 0; i < n; i++) {
		void *o = NULL;

		owner[i] = NULL;
		switch (ipa_egress_decide(t, pkts[i].buf, pkts[i].len, &o)) {
		case IPA_EGRESS_SEND:
			owner[i] = o;
			break;
		case IPA_EGRESS_NO_ROUTE:
			ipa_count(ad, IPA_CNT_TX_NO_ROUTE, 1);
			icmp_reply(ad, &pkts[i], ICMP_REASON_NO_ROUTE);
			break;
		case IPA_EGRESS_MALFORMED:
			ipa_count(ad, IPA_CNT_TX_MALFORMED, 1);
			break;
		}
	}
	/* One send per peer and batch, the packets in their order. */
	for (unsigned i = 0; i < n; i++)
		if (owner[i])
			send_group(ad, owner[i], pkts, owner, i, n);
}

static void out_flush(struct ipadapter *ad, struct reader_bufs *b)
{
	if (b->n_out)
		egress_batch(ad, b->out, b->n_out);
	b->n_out = 0;
	b->n_seg = 0;
}

static void out_push(struct ipadapter *ad, struct reader_bufs *b, uint8_t *pkt, size_t len)
{
	b->out[b->n_out++] = (struct tun_packet){.buf = pkt, .cap = len, .len = len};
	if (b->n_out == IPA_BATCH)
		out_flush(ad, b);
}

/* One read with its vnet header: a packet (its checksum finished if partial) or a TSO
 * super-segment, cut into segments in seg_mem. */
static void egress_offloaded(struct ipadapter *ad, struct reader_bufs *b, uint8_t *buf, size_t len)
{
	struct vnet_hdr h;
	struct vnet_split s;
	int r;

	if (len < VNET_HDR_LEN) {
		ipa_count(ad, IPA_CNT_TX_MALFORMED, 1);
		return;
	}
	vnet_hdr_read(buf, &h);
	buf += VNET_HDR_LEN;
	len -= VNET_HDR_LEN;
	if (h.gso_type == VNET_GSO_NONE) {
		if (vnet_csum_finish(buf, len, &h) != VNET_OK)
			ipa_count(ad, IPA_CNT_TX_MALFORMED, 1);
		else
			out_push(ad, b, buf, len);
		return;
	}
	if (vnet_split_init(&s, buf, len, &h) != VNET_OK) {
		ipa_count(ad, IPA_CNT_TX_MALFORMED, 1);
		return;
	}
	/* out_push flushes a full batch, which frees every segment slot (n_seg <= n_out). */
	for (;;) {
		uint8_t *seg = b->seg_mem + b->n_seg * b->seg_cap;

		r = vnet_split_next(&s, seg, b->seg_cap);
		if (r <= 0)
			break;
		b->n_seg++;
		ipa_count(ad, IPA_CNT_TUN_RX_SEGMENTS, 1);
		out_push(ad, b, seg, (size_t)r);
	}
	if (r < 0)
		ipa_count(ad, IPA_CNT_TX_MALFORMED, 1);
}

static void egress_read(struct ipadapter *ad, struct reader_bufs *b, unsigned n)
{
	if (!ad->tun.vnet_hdr) {
		egress_batch(ad, b->pkts, n);
		return;
	}
	for (unsigned i = 0; i < n; i++)
		egress_offloaded(ad, b, b->pkts[i].buf, b->pkts[i].len);
	out_flush(ad, b);
}

static void *reader_main(void *arg)
{
	struct ipadapter *ad = arg;
	struct reader_bufs *b = ad->reader_bufs;
	struct pollfd pfd[2] = {{.fd = ad->tun.fd, .events = POLLIN},
				{.fd = ad->stop_fd, .events = POLLIN}};
	unsigned reads = ad->tun.tso ? IPA_TSO_READS : IPA_BATCH;
	bool reported = false;

	while (!atomic_load(&ad->reader_stop)) {
		unsigned cut = 0;
		int n;

		/* Quiescent: no table is held from here until the next lpm_current. */
		atomic_store(&ad->reader_seen, atomic_load(&ad->epoch));
		if (poll(pfd, 2, READER_POLL_MS) <= 0 || !(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		n = tun_read_batch(ad->tun.fd, b->pkts, reads, &cut);
		ipa_count(ad, IPA_CNT_TUN_RX_CUT, cut);
		if (n < 0) {
			if (!reported)
				seg_log_error("ip adapter: reading TUN %s: %s", ad->tun.name,
					      strerror(-n));
			reported = true;
			poll(NULL, 0, READER_POLL_MS); /* a broken device: do not spin */
			continue;
		}
		ipa_count(ad, IPA_CNT_TUN_RX, (uint64_t)n);
		egress_read(ad, b, (unsigned)n);
	}
	return NULL;
}

int ipa_reader_start(struct ipadapter *ad, char *err, size_t errlen)
{
	/* A read that fills the buffer was cut: one byte more than the largest packet. */
	size_t cap = ad->tun.tso ? VNET_HDR_LEN + VNET_IP_MAX + 1
				 : (ad->tun.vnet_hdr ? VNET_HDR_LEN : 0) + (size_t)ad->mtu + 1;
	unsigned reads = ad->tun.tso ? IPA_TSO_READS : IPA_BATCH;
	struct reader_bufs *b = calloc(1, sizeof(*b));
	int rc;

	if (b) {
		b->seg_cap = ad->mtu;
		b->mem = malloc(cap * reads);
		b->seg_mem = ad->tun.tso ? malloc(b->seg_cap * IPA_BATCH) : NULL;
	}
	if (!b || !b->mem || (ad->tun.tso && !b->seg_mem)) {
		if (b) {
			free(b->mem);
			free(b->seg_mem);
		}
		free(b);
		snprintf(err, errlen, "ip adapter: out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < reads; i++)
		b->pkts[i] = (struct tun_packet){.buf = b->mem + i * cap, .cap = cap};
	ad->reader_bufs = b;
	ad->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ad->stop_fd < 0) {
		snprintf(err, errlen, "ip adapter: eventfd: %s", strerror(errno));
		return -errno;
	}
	ad->icmp_tokens = IPA_ICMP_BURST;
	ad->icmp_last_ns = seg_time_now();
	rc = pthread_create(&ad->reader, NULL, reader_main, ad);
	if (rc) {
		snprintf(err, errlen, "ip adapter: starting the TUN reader: %s", strerror(rc));
		return -rc;
	}
	ad->reader_started = true;
	return 0;
}

void ipa_reader_stop(struct ipadapter *ad)
{
	uint64_t one = 1;

	if (ad->reader_started) {
		atomic_store(&ad->reader_stop, true);
		if (write(ad->stop_fd, &one, sizeof(one)) < 0)
			seg_log_debug("ip adapter: waking the reader: %s", strerror(errno));
		pthread_join(ad->reader, NULL);
		ad->reader_started = false;
	}
	if (ad->stop_fd >= 0)
		close(ad->stop_fd);
	ad->stop_fd = -1;
	if (ad->reader_bufs) {
		free(ad->reader_bufs->mem);
		free(ad->reader_bufs->seg_mem);
		free(ad->reader_bufs);
		ad->reader_bufs = NULL;
	}
}

/* ---- ingress: peers → TUN (control thread) ---- */

/* Writes the segments joined in ad->gro (one packet, or a super-segment the kernel takes as
 * one skb); non-blocking: a full TUN queue drops (the kernel would do the same). */
static void gro_write(struct ipadapter *ad)
{
	struct vnet_gro *g = &ad->gro;
	size_t n = g->n, iovcnt = vnet_gro_finish(g);

	if (!iovcnt)
		return;
	if (writev(ad->tun.fd, g->iov, (int)iovcnt) > 0) {
		ipa_count(ad, IPA_CNT_RX_DELIVERED, n);
		ipa_count(ad, IPA_CNT_RX_TUN_WRITES, 1);
	} else {
		ipa_count(ad, IPA_CNT_RX_TUN_DROPPED, n);
	}
	vnet_gro_reset(g);
}

static void deliver(struct ipadapter *ad, const uint8_t *pkt, size_t len)
{
	if (!ad->tun.vnet_hdr) {
		if (write(ad->tun.fd, pkt, len) == (ssize_t)len) {
			ipa_count(ad, IPA_CNT_RX_DELIVERED, 1);
			ipa_count(ad, IPA_CNT_RX_TUN_WRITES, 1);
		} else {
			ipa_count(ad, IPA_CNT_RX_TUN_DROPPED, 1);
		}
		return;
	}
	if (vnet_gro_add(&ad->gro, pkt, len))
		return;
	gro_write(ad);
	(void)vnet_gro_add(&ad->gro, pkt, len); /* an empty group takes any packet */
}

void ipa_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n)
{
	struct ipadapter *ad = ctx;
	struct ipa_peer *p = ipa_peer_lookup(ad, peer);
	const struct lpm *t = lpm_current(&ad->table);

	vnet_gro_reset(&ad->gro);
	for (size_t i = 0; i < n; i++) {
		enum ipa_ingress v = ipa_ingress_decide(t, p, pkts[i].data, pkts[i].len, ad->local,
							ad->n_local, &ad->tun_addr, 1);

		switch (v) {
		case IPA_INGRESS_DELIVER:
			deliver(ad, pkts[i].data, pkts[i].len);
			break;
		case IPA_INGRESS_MALFORMED:
			ipa_count(ad, IPA_CNT_RX_MALFORMED, 1);
			break;
		case IPA_INGRESS_SPOOFED:
			ipa_count(ad, IPA_CNT_RX_SPOOFED, 1);
			break;
		case IPA_INGRESS_NOT_LOCAL:
			ipa_count(ad, IPA_CNT_RX_NOT_LOCAL, 1);
			break;
		}
	}
	/* The packets point into the gateway's receive buffers: written before returning. */
	gro_write(ad);
}
