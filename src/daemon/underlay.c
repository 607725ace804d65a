/* SPDX-License-Identifier: MIT */
/*
 * Underlay and host address text of the daemon API. The reference daemon writes these with
 * Go's netip formatting ("ip:port", IPv6 in brackets); seg reads exactly that and nothing
 * looser, because the daemon is external input and a name here would mean a DNS lookup.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include <seg/daemon.h>

#include "underlay.h"

/* Decimal 0..65535, no sign, no leading zeros, nothing after. */
static bool underlay_parse_port(const char *s, uint16_t *out)
{
	unsigned long v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

int daemon_underlay_parse(const char *s, struct sockaddr_storage *out, bool allow_port0)
{
	char host[SEG_UNDERLAY_STRLEN];
	const char *port_text;
	uint16_t port;
	size_t len;

	if (!s)
		return SEG_DAEMON_ERR_UNDERLAY;
	len = strnlen(s, SEG_UNDERLAY_STRLEN);
	if (len == 0 || len >= SEG_UNDERLAY_STRLEN)
		return SEG_DAEMON_ERR_UNDERLAY;
	memset(out, 0, sizeof(*out));

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)out;

		if (!close || close[1] != ':')
			return SEG_DAEMON_ERR_UNDERLAY;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = '\0';
		port_text = close + 2;
		if (!underlay_parse_port(port_text, &port) || (!port && !allow_port0))
			return SEG_DAEMON_ERR_UNDERLAY;
		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return SEG_DAEMON_ERR_UNDERLAY;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		return 0;
	}

	const char *colon = strrchr(s, ':');
	struct sockaddr_in *a4 = (struct sockaddr_in *)out;

	/* Unbracketed, only IPv4: one colon, before the port. */
	if (!colon || memchr(s, ':', (size_t)(colon - s)))
		return SEG_DAEMON_ERR_UNDERLAY;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	if (!underlay_parse_port(colon + 1, &port) || (!port && !allow_port0))
		return SEG_DAEMON_ERR_UNDERLAY;
	if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
		return SEG_DAEMON_ERR_UNDERLAY;
	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	return 0;
}

int seg_underlay_parse(const char *s, struct sockaddr_storage *out)
{
	if (!out)
		return SEG_DAEMON_ERR_ARG;
	return daemon_underlay_parse(s, out, false);
}

int seg_underlay_format(const struct sockaddr_storage *a, char *buf, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (!a || !buf)
		return SEG_DAEMON_ERR_ARG;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;

		if (!inet_ntop(AF_INET, &a4->sin_addr, ip, sizeof(ip)))
			return SEG_DAEMON_ERR_UNDERLAY;
		n = snprintf(buf, cap, "%s:%u", ip, ntohs(a4->sin_port));
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;

		if (!inet_ntop(AF_INET6, &a6->sin6_addr, ip, sizeof(ip)))
			return SEG_DAEMON_ERR_UNDERLAY;
		n = snprintf(buf, cap, "[%s]:%u", ip, ntohs(a6->sin6_port));
	} else {
		return SEG_DAEMON_ERR_UNDERLAY;
	}
	if (n < 0 || (size_t)n >= cap)
		return SEG_DAEMON_ERR_ARG;
	return 0;
}

bool daemon_underlay_is_loopback(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)a;
		const uint8_t *b = (const uint8_t *)&a4->sin_addr;

		return b[0] == 127;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)a;

		return IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr);
	}
	return false;
}

int daemon_host_parse(const char *s, struct scion_host *out)
{
	uint8_t ip[16];

	if (!s || strnlen(s, INET6_ADDRSTRLEN) >= INET6_ADDRSTRLEN)
		return SEG_DAEMON_ERR_HOST;
	if (inet_pton(AF_INET, s, ip) == 1) {
		memset(out, 0, sizeof(*out));
		out->type = SCION_HOST_IPV4;
		memcpy(out->ip, ip, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip) == 1) {
		memset(out, 0, sizeof(*out));
		out->type = SCION_HOST_IPV6;
		memcpy(out->ip, ip, 16);
		return 0;
	}
	return SEG_DAEMON_ERR_HOST;
}

int daemon_host_format(const struct scion_host *h, char *buf, size_t cap)
{
	int af;

	switch (h->type) {
	case SCION_HOST_IPV4:
		af = AF_INET;
		break;
	case SCION_HOST_IPV6:
		af = AF_INET6;
		break;
	default:
		return SEG_DAEMON_ERR_HOST;
	}
	if (cap > (size_t)INT32_MAX || !inet_ntop(af, h->ip, buf, (socklen_t)cap))
		return SEG_DAEMON_ERR_HOST;
	return 0;
}
