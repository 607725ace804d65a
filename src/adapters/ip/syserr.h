/* SPDX-License-Identifier: MIT */
/*
 * Error messages of the IP adapter's system-level parts (TUN, netlink, network namespaces).
 * Those functions return -errno (the kernel's own error space, which callers may switch on)
 * and, when given a struct ip_err, a sentence for the operator that says what failed, on
 * which interface or namespace, and what to do: for a missing privilege it names the exact
 * capability and the setcap command for this binary.
 *
 * Thread: any; a struct ip_err belongs to its caller.
 */
#ifndef SEG_ADAPTERS_IP_SYSERR_H
#define SEG_ADAPTERS_IP_SYSERR_H

#include <stddef.h>

enum {
	IP_ERR_MSG_LEN = 320,
};

struct ip_err {
	char msg[IP_ERR_MSG_LEN];
};

/* Formats into err (if not NULL), replacing what was there. Returns -errnum, for tail calls. */
int ip_err_set(struct ip_err *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "run as root or grant CAP_X: setcap cap_x+ep /path/to/this/binary" for capability cap. */
void ip_err_cap_hint(char *buf, size_t len, const char *cap);

#endif /* SEG_ADAPTERS_IP_SYSERR_H */
