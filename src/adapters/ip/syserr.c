/* SPDX-License-Identifier: MIT */
/* Operator-facing error sentences for the IP adapter's system calls; see syserr.h. */
#include "adapters/ip/syserr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

int ip_err_set(struct ip_err *err, int errnum, const char *fmt, ...)
{
	if (err) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -errnum;
}

void ip_err_cap_hint(char *buf, size_t len, const char *cap)
{
	char exe[256] = "BINARY";
	char lower[32];
	size_t i = 0;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0)
		exe[n] = '\0';
	else
		snprintf(exe, sizeof(exe), "BINARY");
	for (; cap[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)cap[i]);
	lower[i] = '\0';
	snprintf(buf, len, "run as root or grant %s: setcap %s+ep %s", cap, lower, exe);
}
