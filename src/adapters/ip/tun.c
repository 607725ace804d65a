/* SPDX-License-Identifier: MIT */
/* TUN device creation (Documentation/networking/tuntap.rst) and batch I/O; see tun.h. */
#include "adapters/ip/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "adapters/ip/netns.h"

struct open_args {
	const struct tun_options *opt;
	struct tun *t;
	struct ip_err *err;
};

/* The kernel's dev_valid_name(): 1..15 bytes, not "." or "..", no '/', ':' or space. */
static bool name_valid(const char *name)
{
	size_t n = strnlen(name, IFNAMSIZ);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '/' || name[i] == ':' || name[i] == ' ' || name[i] == '\t' ||
		    name[i] == '\n')
			return false;
	}
	return true;
}

static int open_error(struct ip_err *err, int e, const char *name)
{
	char hint[256];

	switch (e) {
	case ENOENT:
	case ENXIO:
	case ENODEV:
		return ip_err_set(err, e,
				  "cannot open %s (%s): load the tun module (modprobe tun), or in "
				  "a container pass the device (--device /dev/net/tun)",
				  TUN_DEVICE_PATH, strerror(e));
	case EACCES:
		ip_err_cap_hint(hint, sizeof(hint), "CAP_NET_ADMIN");
		return ip_err_set(err, e,
				  "no permission to open %s: %s (and make sure the device node is "
				  "accessible, mode 0666 is usual)",
				  TUN_DEVICE_PATH, hint);
	case EPERM:
		ip_err_cap_hint(hint, sizeof(hint), "CAP_NET_ADMIN");
		return ip_err_set(err, e, "creating TUN device '%s' needs CAP_NET_ADMIN: %s", name,
				  hint);
	case EBUSY:
		return ip_err_set(err, e,
				  "TUN device '%s' is busy: another process has it open (another "
				  "gateway?); choose another tunName or stop that process",
				  name);
	case EINVAL:
		return ip_err_set(
		    err, e,
		    "cannot create TUN device '%s': the name is taken by an interface "
		    "that is not a TUN (or the TUN has other flags, e.g. multi-queue)",
		    name);
	default:
		return ip_err_set(err, e, "cannot create TUN device '%s': %s", name, strerror(e));
	}
}

/* Runs in the target namespace (netns_run): /dev/net/tun binds a new device to the namespace
 * of the opening thread, and if_nametoindex asks that same namespace. */
static int open_in_ns(void *p)
{
	struct open_args *a = p;
	const char *name = a->opt->name ? a->opt->name : "";
	struct ifreq ifr;
	int flags = O_RDWR | O_CLOEXEC | (a->opt->nonblock ? O_NONBLOCK : 0);
	int fd = open(TUN_DEVICE_PATH, flags);

	if (fd < 0)
		return open_error(a->err, errno, name);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (a->opt->multi_queue ? IFF_MULTI_QUEUE : 0) |
			(a->opt->offload ? IFF_VNET_HDR : 0);
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		int e = errno;

		close(fd);
		return open_error(a->err, e, name);
	}
	memcpy(a->t->name, ifr.ifr_name, IFNAMSIZ);
	a->t->name[IFNAMSIZ - 1] = '\0';
	unsigned idx = if_nametoindex(a->t->name);

	if (idx == 0) {
		int e = errno;

		close(fd);
		return ip_err_set(a->err, e, "TUN device '%s' created but not found: %s",
				  a->t->name, strerror(e));
	}
	a->t->ifindex = (int)idx;
	a->t->fd = fd;
	a->t->vnet_hdr = a->opt->offload;
	/* An optimisation only: without it the header is there and always empty. */
	a->t->tso =
	    a->opt->offload && ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0;
	return 0;
}

int tun_open(struct tun *t, const struct tun_options *opt, struct ip_err *err)
{
	struct open_args a = {.opt = opt, .t = t, .err = err};

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (opt->name && *opt->name && !name_valid(opt->name))
		return ip_err_set(
		    err, EINVAL, "invalid TUN name '%s': 1 to %d characters, no '/', ':' or spaces",
		    opt->name, IFNAMSIZ - 1);
	return netns_run(opt->netns, open_in_ns, &a, err);
}

void tun_close(struct tun *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

int tun_read_batch(int fd, struct tun_packet *pkts, unsigned n, unsigned *truncated)
{
	unsigned got = 0;

	while (got < n) {
		ssize_t r = read(fd, pkts[got].buf, pkts[got].cap);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return got ? (int)got : -errno;
		}
		/* The kernel cuts a packet longer than the buffer to the buffer's size (and drops
		 * the rest), so a read that fills the buffer may have lost bytes: with cap above
		 * the MTU, only a cut packet does. */
		if ((size_t)r >= pkts[got].cap) {
			if (truncated)
				(*truncated)++;
			continue;
		}
		pkts[got].len = (size_t)r;
		got++;
	}
	return (int)got;
}

int tun_write_batch(int fd, const struct tun_packet *pkts, unsigned n, unsigned *dropped)
{
	unsigned done = 0;

	while (done < n) {
		ssize_t r = write(fd, pkts[done].buf, pkts[done].len);

		if (r >= 0) {
			done++;
			continue;
		}
		switch (errno) {
		case EINTR:
			continue;
		case EAGAIN:
			return (int)done;
		case EINVAL:
		case EMSGSIZE:
		case ENOMEM:
		case ENOBUFS:
			/* That packet alone: malformed, too big or no buffer now. */
			if (dropped)
				(*dropped)++;
			done++;
			continue;
		default:
			return done ? (int)done : -errno;
		}
	}
	return (int)done;
}
