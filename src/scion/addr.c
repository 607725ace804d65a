/* SPDX-License-Identifier: MIT */
/*
 * SCION endhost and UDP addresses: parsing and formatting, with the forms scionproto accepts
 * (pkg/addr/addr.go ParseAddr and ParseAddrPort, pkg/snet/udpaddr.go ParseUDPAddr):
 *
 *   IA,HOST            scion_addr_parse: HOST is IPv4, IPv6 (no brackets) or a service name
 *   [IA,HOST]:port     scion_udp_addr_parse, the pkg/addr form
 *   IA,IPv4:port       scion_udp_addr_parse, the snet form (also IA,SVC:port)
 *   IA,[HOST]:port     scion_udp_addr_parse, the snet form for IPv6 (IPv4 allowed too)
 *
 * Differences from the reference, on purpose: the port is required (snet defaults it to 0,
 * which a gateway cannot listen on or send to), and IPv6 zones ("%eth0") are rejected, since
 * a SCION host address has no zone. IPs are parsed by inet_pton on a bounded copy.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <seg/scion_addr.h>

#include "consts.h"

/* Limits of the text forms only; the service values themselves are in consts.h. */
enum {
	PORT_MAX = 0xffff,
};

static const struct {
	const char *name;
	uint16_t svc;
} svc_names[] = {
    {"DS", SCION_SVC_DS},
    {"CS", SCION_SVC_CS},
    {"Wildcard", SCION_SVC_WILDCARD},
};

static bool svc_parse(const char *s, size_t len, uint16_t *out)
{
	uint16_t mcast = 0;

	/* An "_A" (anycast) or "_M" (multicast) suffix, as ParseSVC strips them. */
	if (len >= 2 && s[len - 2] == '_' && s[len - 1] == 'A') {
		len -= 2;
	} else if (len >= 2 && s[len - 2] == '_' && s[len - 1] == 'M') {
		len -= 2;
		mcast = SCION_SVC_MULTICAST;
	}
	for (size_t i = 0; i < sizeof(svc_names) / sizeof(svc_names[0]); i++) {
		if (strlen(svc_names[i].name) == len && memcmp(svc_names[i].name, s, len) == 0) {
			*out = svc_names[i].svc | mcast;
			return true;
		}
	}
	return false;
}

/* A host of exactly len bytes: IPv4, then IPv6, then a service name. */
static int host_parse(const char *s, size_t len, struct scion_host *out)
{
	char buf[INET6_ADDRSTRLEN];
	uint16_t svc;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len >= sizeof(buf) || memchr(s, '\0', len) != NULL)
		return SCION_ADDR_ERR_HOST;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, out->ip) == 1) {
		out->type = SCION_HOST_IPV4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, out->ip) == 1) {
		out->type = SCION_HOST_IPV6;
		return 0;
	}
	if (svc_parse(s, len, &svc)) {
		out->type = SCION_HOST_SVC;
		out->svc = svc;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return SCION_ADDR_ERR_HOST;
}

/* A decimal port of exactly len bytes; leading zeros allowed as in Go's ParseUint. */
static int port_parse(const char *s, size_t len, uint16_t *out)
{
	uint32_t v = 0;

	if (len == 0)
		return SCION_ADDR_ERR_PORT;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return SCION_ADDR_ERR_PORT;
		v = v * 10 + (uint32_t)(s[i] - '0');
		if (v > PORT_MAX)
			return SCION_ADDR_ERR_PORT;
	}
	*out = (uint16_t)v;
	return 0;
}

/* "IA,HOST" of exactly len bytes, split at the first comma as ParseAddr does. */
static int addr_parse(const char *s, size_t len, struct scion_addr *out)
{
	const char *comma = memchr(s, ',', len);
	int err;

	if (comma == NULL)
		return SCION_ADDR_ERR_SYNTAX;
	if (comma == s)
		return SCION_ADDR_ERR_ISD;
	err = scion_ia_parse(s, (size_t)(comma - s), &out->ia);
	if (err)
		return err;
	return host_parse(comma + 1, len - (size_t)(comma - s) - 1, &out->host);
}

/* ":port" running to the end of the string at s. */
static int colon_port_parse(const char *s, uint16_t *port)
{
	if (*s == '\0')
		return SCION_ADDR_ERR_PORT;
	if (*s != ':')
		return SCION_ADDR_ERR_SYNTAX;
	return port_parse(s + 1, strlen(s + 1), port);
}

/* "[IA,HOST]:port" (pkg/addr ParseAddrPort). */
static int udp_parse_bracketed(const char *s, struct scion_udp_addr *out)
{
	const char *close = strchr(s, ']');
	int err;

	if (close == NULL || memchr(s + 1, '[', (size_t)(close - s - 1)) != NULL)
		return SCION_ADDR_ERR_SYNTAX;
	err = addr_parse(s + 1, (size_t)(close - s - 1), &out->addr);
	if (err)
		return err;
	return colon_port_parse(close + 1, &out->port);
}

/* "IA,IPv4:port" or "IA,[HOST]:port" (snet ParseUDPAddr). */
static int udp_parse_plain(const char *s, struct scion_udp_addr *out)
{
	const char *comma = strchr(s, ',');
	const char *host, *end;
	int err;

	if (comma == NULL)
		return SCION_ADDR_ERR_SYNTAX;
	if (comma == s)
		return SCION_ADDR_ERR_ISD;
	err = scion_ia_parse(s, (size_t)(comma - s), &out->addr.ia);
	if (err)
		return err;
	host = comma + 1;
	if (*host == '[') {
		host++;
		end = strchr(host, ']');
		if (end == NULL)
			return SCION_ADDR_ERR_SYNTAX;
		err = host_parse(host, (size_t)(end - host), &out->addr.host);
		if (err)
			return err;
		return colon_port_parse(end + 1, &out->port);
	}
	end = strrchr(host, ':');
	if (end == NULL)
		return SCION_ADDR_ERR_PORT;
	/* An IPv6 host needs brackets: "::1:60000" is ambiguous. */
	if (memchr(host, ':', (size_t)(end - host)) != NULL ||
	    memchr(host, ']', (size_t)(end - host)))
		return SCION_ADDR_ERR_SYNTAX;
	err = host_parse(host, (size_t)(end - host), &out->addr.host);
	if (err)
		return err;
	return colon_port_parse(end, &out->port);
}

int scion_udp_addr_parse(const char *s, struct scion_udp_addr *out)
{
	struct scion_udp_addr a;
	int err;

	if (s == NULL || *s == '\0')
		return SCION_ADDR_ERR_EMPTY;
	memset(&a, 0, sizeof(a));
	err = s[0] == '[' ? udp_parse_bracketed(s, &a) : udp_parse_plain(s, &a);
	if (err)
		return err;
	*out = a;
	return 0;
}

int scion_addr_parse(const char *s, struct scion_addr *out)
{
	struct scion_addr a;
	int err;

	if (s == NULL || *s == '\0')
		return SCION_ADDR_ERR_EMPTY;
	memset(&a, 0, sizeof(a));
	err = addr_parse(s, strlen(s), &a);
	if (err)
		return err;
	*out = a;
	return 0;
}

/* Appends the host at buf (cap bytes); *n receives the length written. */
static int host_format(const struct scion_host *h, char *buf, size_t cap, size_t *n)
{
	char tmp[INET6_ADDRSTRLEN];
	const char *name = NULL;
	int len;

	switch (h->type) {
	case SCION_HOST_IPV4:
		name = inet_ntop(AF_INET, h->ip, tmp, sizeof(tmp));
		break;
	case SCION_HOST_IPV6:
		name = inet_ntop(AF_INET6, h->ip, tmp, sizeof(tmp));
		break;
	case SCION_HOST_SVC:
		for (size_t i = 0; i < sizeof(svc_names) / sizeof(svc_names[0]); i++) {
			if (svc_names[i].svc == (h->svc & ~SCION_SVC_MULTICAST))
				name = svc_names[i].name;
		}
		if (name == NULL) {
			/* The reference's form for unknown services; it does not parse back. */
			len = snprintf(tmp, sizeof(tmp), "<SVC:0x%04x>", (unsigned)h->svc);
			name = len > 0 ? tmp : NULL;
		} else if (h->svc & SCION_SVC_MULTICAST) {
			len = snprintf(tmp, sizeof(tmp), "%s_M", name);
			name = len > 0 ? tmp : NULL;
		}
		break;
	}
	if (name == NULL)
		return SCION_ADDR_ERR_HOST;
	len = snprintf(buf, cap, "%s", name);
	if (len < 0 || (size_t)len >= cap)
		return SCION_ADDR_ERR_SPACE;
	*n = (size_t)len;
	return 0;
}

int scion_addr_format(const struct scion_addr *a, char *buf, size_t cap)
{
	size_t n, hn;
	int err = scion_ia_format(a->ia, buf, cap);

	if (err)
		return err;
	n = strlen(buf);
	if (cap - n < 2)
		return SCION_ADDR_ERR_SPACE;
	buf[n++] = ',';
	buf[n] = '\0';
	return host_format(&a->host, buf + n, cap - n, &hn);
}

int scion_udp_addr_format(const struct scion_udp_addr *a, char *buf, size_t cap)
{
	char inner[SCION_UDP_ADDR_STRLEN];
	bool v6 = a->addr.host.type == SCION_HOST_IPV6;
	int err = scion_addr_format(&a->addr, inner, sizeof(inner));
	int n;

	if (err)
		return err;
	/* Brackets only where the host has colons: the form the original seg's configs use. */
	n = snprintf(buf, cap, v6 ? "[%s]:%u" : "%s:%u", inner, (unsigned)a->port);
	if (n < 0 || (size_t)n >= cap)
		return SCION_ADDR_ERR_SPACE;
	return 0;
}

const char *scion_addr_strerror(int err)
{
	switch (err) {
	case SCION_ADDR_OK:
		return "success";
	case SCION_ADDR_ERR_EMPTY:
		return "empty address";
	case SCION_ADDR_ERR_ISD:
		return "ISD is not a decimal number in 0..65535";
	case SCION_ADDR_ERR_SEPARATOR:
		return "ISD-AS needs exactly one '-'";
	case SCION_ADDR_ERR_AS:
		return "AS is neither decimal 0..4294967295 nor three hex groups like ff00:0:110";
	case SCION_ADDR_ERR_HOST:
		return "host is not an IPv4 address, IPv6 address or service name";
	case SCION_ADDR_ERR_PORT:
		return "port missing or not a decimal number in 0..65535";
	case SCION_ADDR_ERR_SYNTAX:
		return "malformed address: expected IA,IP:port, [IA,IP]:port or IA,[IPv6]:port";
	case SCION_ADDR_ERR_SPACE:
		return "output buffer too small";
	}
	return "unknown address error";
}
