/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's TUN device: layer-3 packets without a packet-information header
 * (IFF_TUN | IFF_NO_PI), so every read is one IPv4 or IPv6 packet and every write takes one.
 *
 * tun_open creates the device (or attaches to an existing TUN of that name, e.g. one made
 * persistent by `ip tuntap add` for an unprivileged user), optionally directly inside a named
 * network namespace: the device never exists in the caller's namespace then. A TUN opened
 * without IFF_PERSIST disappears when its last fd is closed, so a crashed gateway leaves no
 * interface and no routes behind. With multi_queue (IFF_MULTI_QUEUE), calling tun_open again
 * with the same name and namespace attaches one more queue (one per data thread).
 *
 * With offload, the TUN carries a virtio-net header (IFF_VNET_HDR, VNET_HDR_LEN bytes, see
 * vnet.h) before every packet read or written, and offers the kernel checksum offload and
 * TSO (TUNSETOFFLOAD TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6): reads may return TCP
 * super-segments of up to 64 KiB and packets with partial checksums, writes may carry them.
 * When the kernel refuses the offloads the header stays (t->vnet_hdr) and is simply empty.
 *
 * Errors: -errno, and a sentence in err that says what to do: no /dev/net/tun (load the tun
 * module or pass the device into the container), no CAP_NET_ADMIN (the setcap command), name
 * busy or taken by a non-TUN device.
 *
 * Thread: tun_open/tun_close on the control thread; the batch helpers on the thread that owns
 * the fd (or queue).
 */
#ifndef SEG_ADAPTERS_IP_TUN_H
#define SEG_ADAPTERS_IP_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/ip/syserr.h"
#include "seg/scion_addr.h" /* SEG_MUST_CHECK */

#define TUN_DEVICE_PATH "/dev/net/tun"

struct tun_options {
	const char *name;  /* e.g. "seg" (adapter.yaml tunName); NULL or "": the kernel's tunN */
	const char *netns; /* NULL or "": the caller's namespace; else /var/run/netns/NAME */
	bool multi_queue;  /* IFF_MULTI_QUEUE */
	bool nonblock;	   /* O_NONBLOCK, needed by tun_read_batch */
	bool offload;	   /* IFF_VNET_HDR + checksum offload and TSO */
};

struct tun {
	int fd;
	int ifindex; /* in the namespace the TUN lives in */
	char name[IFNAMSIZ];
	bool vnet_hdr; /* every read and write starts with a virtio-net header */
	bool tso;      /* the kernel took TUNSETOFFLOAD: reads may be super-segments */
};

/* One packet buffer for the batch helpers; the caller owns buf. */
struct tun_packet {
	uint8_t *buf;
	size_t cap; /* more than the TUN MTU: a read that fills the buffer counts as cut */
	size_t len;
};

/* Opens the TUN; on failure t->fd is -1 and the result is -errno. */
SEG_MUST_CHECK int tun_open(struct tun *t, const struct tun_options *opt, struct ip_err *err);

/* Closes the fd (the device goes away with its last fd unless persistent). */
void tun_close(struct tun *t);

/*
 * Reads up to n packets from a non-blocking fd until it would block; returns how many were
 * stored (0: none pending) or -errno for a device error. A packet that fills its whole buffer
 * may have been cut by the kernel: it is dropped and counted in *truncated (may be NULL), so
 * buffers must be larger than the TUN MTU (MTU + 1 is enough).
 */
SEG_MUST_CHECK int tun_read_batch(int fd, struct tun_packet *pkts, unsigned n, unsigned *truncated);

/*
 * Writes pkts[0..n) and returns how many were consumed: written, or refused by the kernel for
 * that packet alone (malformed, too big: counted in *dropped, may be NULL). Stops early when a
 * non-blocking fd would block; the rest is the caller's to retry or drop. -errno when the
 * device itself fails.
 */
SEG_MUST_CHECK int tun_write_batch(int fd, const struct tun_packet *pkts, unsigned n,
				   unsigned *dropped);

#endif /* SEG_ADAPTERS_IP_TUN_H */
