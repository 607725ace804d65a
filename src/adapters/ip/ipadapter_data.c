/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's data part: the TUN reader thread (egress: TUN → peers) and the ingress
 * callback (peers → TUN), with the ICMP errors for packets that cannot be delivered.
 *
 * The reader takes the published route table once per batch and marks a quiescent point
 * (ad->reader_seen) before it waits for the next one: the control thread frees a replaced
 * table once reader_seen has reached the epoch of its replacement. Ingress runs on the
 * control thread (include/seg/adapter.h), the table's writer, so it needs no such mark.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "adapters/ip/icmp.h"
#include "adapters/ip/ipadapter_internal.h"
#include "base/log.h"
#include "base/time.h"

enum {
	READER_POLL_MS = 100, /* the longest a replaced table waits for an idle reader */
};

struct reader_bufs {
	struct tun_packet pkts[IPA_BATCH];
	uint8_t *mem;
};

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
	if (write(ad->tun.fd, out, len) == (ssize_t)len)
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

static void *reader_main(void *arg)
{
	struct ipadapter *ad = arg;
	struct reader_bufs *b = ad->reader_bufs;
	struct pollfd pfd[2] = {{.fd = ad->tun.fd, .events = POLLIN},
				{.fd = ad->stop_fd, .events = POLLIN}};
	bool reported = false;

	while (!atomic_load(&ad->reader_stop)) {
		unsigned cut = 0;
		int n;

		/* Quiescent: no table is held from here until the next lpm_current. */
		atomic_store(&ad->reader_seen, atomic_load(&ad->epoch));
		if (poll(pfd, 2, READER_POLL_MS) <= 0 || !(pfd[0].revents & (POLLIN | POLLERR)))
			continue;
		n = tun_read_batch(ad->tun.fd, b->pkts, IPA_BATCH, &cut);
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
		egress_batch(ad, b->pkts, (unsigned)n);
	}
	return NULL;
}

int ipa_reader_start(struct ipadapter *ad, char *err, size_t errlen)
{
	size_t cap = (size_t)ad->mtu + 1; /* a read that fills the buffer was cut */
	struct reader_bufs *b = calloc(1, sizeof(*b));
	int rc;

	if (!b || !(b->mem = malloc(cap * IPA_BATCH))) {
		free(b);
		snprintf(err, errlen, "ip adapter: out of memory");
		return -ENOMEM;
	}
	for (unsigned i = 0; i < IPA_BATCH; i++)
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
		free(ad->reader_bufs);
		ad->reader_bufs = NULL;
	}
}

/* ---- ingress: peers → TUN (control thread) ---- */

void ipa_ingress(void *ctx, struct seg_peer *peer, const struct seg_buf *pkts, size_t n)
{
	struct ipadapter *ad = ctx;
	struct ipa_peer *p = ipa_peer_lookup(ad, peer);
	const struct lpm *t = lpm_current(&ad->table);

	for (size_t i = 0; i < n; i++) {
		enum ipa_ingress v = ipa_ingress_decide(t, p, pkts[i].data, pkts[i].len, ad->local,
							ad->n_local, &ad->tun_addr, 1);

		switch (v) {
		case IPA_INGRESS_DELIVER:
			break;
		case IPA_INGRESS_MALFORMED:
			ipa_count(ad, IPA_CNT_RX_MALFORMED, 1);
			continue;
		case IPA_INGRESS_SPOOFED:
			ipa_count(ad, IPA_CNT_RX_SPOOFED, 1);
			continue;
		case IPA_INGRESS_NOT_LOCAL:
			ipa_count(ad, IPA_CNT_RX_NOT_LOCAL, 1);
			continue;
		}
		/* Non-blocking: a full TUN queue drops (the kernel would do the same). */
		if (write(ad->tun.fd, pkts[i].data, pkts[i].len) == (ssize_t)pkts[i].len)
			ipa_count(ad, IPA_CNT_RX_DELIVERED, 1);
		else
			ipa_count(ad, IPA_CNT_RX_TUN_DROPPED, 1);
	}
}
