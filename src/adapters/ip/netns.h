/* SPDX-License-Identifier: MIT */
/*
 * Running a piece of setup inside a named network namespace (`ip netns add NAME`, bound at
 * /var/run/netns/NAME), so that a gateway on the host can serve an application namespace.
 *
 * setns(CLONE_NEWNET) switches only the calling thread, so netns_run does it in a short-lived
 * helper thread and never touches the caller's own namespace. Sockets and TUN devices created
 * there stay in that namespace for their lifetime, whichever thread later uses them: that is
 * how tun.c creates the TUN directly inside the namespace and netlink.c configures it there.
 * Entering a namespace needs CAP_SYS_ADMIN (setns(2)).
 *
 * Thread: the control thread (setup only).
 */
#ifndef SEG_ADAPTERS_IP_NETNS_H
#define SEG_ADAPTERS_IP_NETNS_H

#include <stdbool.h>

#include "adapters/ip/syserr.h"
#include "seg/scion_addr.h" /* SEG_MUST_CHECK */

#define NETNS_RUN_DIR "/var/run/netns"

/* A name `ip netns` would accept: non-empty, no '/', not "." or "..", under NAME_MAX. */
bool netns_name_valid(const char *name);

/* Opens /var/run/netns/NAME (O_RDONLY|O_CLOEXEC); returns the fd or -errno. */
SEG_MUST_CHECK int netns_open(const char *name, struct ip_err *err);

/*
 * Runs fn(arg) in a helper thread inside namespace name and returns its result; with name NULL
 * or "", runs fn(arg) directly. fn returns 0 or -errno and reports through its own arg.
 */
SEG_MUST_CHECK int netns_run(const char *name, int (*fn)(void *arg), void *arg, struct ip_err *err);

#endif /* SEG_ADAPTERS_IP_NETNS_H */
