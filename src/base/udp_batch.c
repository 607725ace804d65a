/* SPDX-License-Identifier: MIT */
/* Batches of UDP datagrams with UDP GSO out and UDP GRO in; see udp_batch.h. */
#include "udp_batch.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* linux/udp.h, Linux 4.18 */
#endif
#ifndef UDP_GRO
#define UDP_GRO 104 /* linux/udp.h, Linux 5.0 */
#endif

void udp_offloads_enable(int fd, bool *gso, bool *gro)
{
	int one = 1, zero = 0;

	/* Setting a zero segment size is a no-op that tells whether the option exists. */
	*gso = setsockopt(fd, SOL_UDP, UDP_SEGMENT, &zero, sizeof(zero)) == 0;
	*gro = setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0;
}

static socklen_t sockaddr_len(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

void udp_sendq_add(struct udp_sendq *q, void *buf, size_t len, const struct sockaddr_storage *to)
{
	size_t i = q->n++;
	struct msghdr *h = &q->msgs[i].msg_hdr;

	q->iov[i].iov_base = buf;
	q->iov[i].iov_len = len;
	if (to)
		q->to[i] = *to;
	else
		q->to[i].ss_family = AF_UNSPEC;
	memset(h, 0, sizeof(*h));
	h->msg_iov = &q->iov[i];
	h->msg_iovlen = 1;
	h->msg_namelen = sockaddr_len(&q->to[i]);
	h->msg_name = h->msg_namelen ? &q->to[i] : NULL;
}

static bool same_dest(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) &&
		       x->sin6_scope_id == y->sin6_scope_id;
	}
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	return true; /* both the connected peer */
}

/* Datagrams from first on that one UDP_SEGMENT message can carry: same destination, all of
 * the first one's length except a shorter last one, within the kernel's limits. */
static size_t run_length(const struct udp_sendq *q, size_t first)
{
	size_t seg = q->iov[first].iov_len, bytes = seg, k = 1;

	while (first + k < q->n && k < UDP_GSO_SEGS_MAX) {
		size_t len = q->iov[first + k].iov_len;

		if (len > seg || len == 0 || bytes + len > UDP_GSO_BYTES_MAX ||
		    !same_dest(&q->to[first], &q->to[first + k]))
			break;
		bytes += len;
		k++;
		if (len < seg)
			break;
	}
	return k;
}

/* Groups q's datagrams into GSO messages; returns how many. */
static size_t runs_build(struct udp_sendq *q)
{
	size_t m = 0;

	for (size_t i = 0; i < q->n; m++) {
		size_t k = run_length(q, i);
		struct msghdr *h = &q->runs[m].msg_hdr;

		*h = q->msgs[i].msg_hdr;
		h->msg_iov = &q->iov[i];
		h->msg_iovlen = k;
		if (k > 1) {
			uint16_t seg = (uint16_t)q->iov[i].iov_len;
			struct cmsghdr *c;

			h->msg_control = q->run_ctl[m].buf;
			h->msg_controllen = sizeof(q->run_ctl[m].buf);
			c = CMSG_FIRSTHDR(h);
			c->cmsg_level = SOL_UDP;
			c->cmsg_type = UDP_SEGMENT;
			c->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		}
		q->run_first[m] = i;
		q->run_count[m] = k;
		i += k;
	}
	return m;
}

static size_t msg_bytes(const struct mmsghdr *m)
{
	size_t sum = 0;

	for (size_t i = 0; i < m->msg_hdr.msg_iovlen; i++)
		sum += m->msg_hdr.msg_iov[i].iov_len;
	return sum;
}

/* sendmmsg over msgs[0..n); with runs, a refused run is retried one datagram at a time. */
static size_t send_all(struct udp_sendq *q, int fd, struct mmsghdr *msgs, size_t n, bool runs,
		       size_t *bytes)
{
	size_t done = 0, failed = 0;

	while (done < n) {
		int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), MSG_DONTWAIT);

		if (r > 0) {
			for (size_t i = done; i < done + (size_t)r; i++)
				*bytes += msg_bytes(&msgs[i]);
			done += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (runs && q->run_count[done] > 1 && (errno == EINVAL || errno == EIO))
			failed += send_all(q, fd, q->msgs + q->run_first[done], q->run_count[done],
					   false, bytes);
		else
			failed += runs ? q->run_count[done] : 1;
		/* Otherwise EAGAIN on a full socket buffer, or unreachable: dropped. */
		done++;
	}
	return failed;
}

size_t udp_sendq_flush(struct udp_sendq *q, int fd, bool gso, size_t *bytes)
{
	size_t failed, sent = 0;

	if (gso && q->n > 1)
		failed = send_all(q, fd, q->runs, runs_build(q), true, &sent);
	else
		failed = send_all(q, fd, q->msgs, q->n, false, &sent);
	q->n = 0;
	if (bytes)
		*bytes = sent;
	return failed;
}

size_t udp_gro_segment_size(struct msghdr *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		int seg;

		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO ||
		    c->cmsg_len < CMSG_LEN(sizeof(seg)))
			continue;
		memcpy(&seg, CMSG_DATA(c), sizeof(seg));
		return seg > 0 ? (size_t)seg : 0;
	}
	return 0;
}
