// SPDX-License-Identifier: MIT
/* IP address and CIDR prefix parsing for configuration files (see cidr.h). */
#include "config/cidr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

int seg_ip_parse(const char *s, struct seg_ip *out)
{
	struct seg_ip ip = {0};

	if (inet_pton(AF_INET, s, ip.addr) == 1)
		ip.family = SEG_IP_V4;
	else if (inet_pton(AF_INET6, s, ip.addr) == 1)
		ip.family = SEG_IP_V6;
	else
		return -1;
	*out = ip;
	return 0;
}

static void clear_host_bits(struct seg_cidr *c)
{
	size_t bytes = c->ip.family == SEG_IP_V4 ? 4 : 16;
	for (size_t i = 0; i < bytes; i++) {
		size_t first_bit = i * 8;
		if (first_bit >= c->len)
			c->ip.addr[i] = 0;
		else if (c->len - first_bit < 8)
			c->ip.addr[i] &= (uint8_t)(0xff << (8 - (c->len - first_bit)));
	}
}

int seg_cidr_parse(const char *s, struct seg_cidr *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	struct seg_cidr c = {0};
	unsigned len = 0;

	if (!slash || (size_t)(slash - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(slash - s));
	host[slash - s] = '\0';
	if (seg_ip_parse(host, &c.ip) != 0)
		return -1;
	/* Decimal, no sign, no leading zeros, at most three digits. */
	const char *p = slash + 1;
	size_t digits = strspn(p, "0123456789");
	if (digits == 0 || digits > 3 || p[digits] != '\0' || (digits > 1 && p[0] == '0'))
		return -1;
	for (size_t i = 0; i < digits; i++)
		len = len * 10 + (unsigned)(p[i] - '0');
	if (len > (c.ip.family == SEG_IP_V4 ? 32u : 128u))
		return -1;
	c.len = (uint8_t)len;
	clear_host_bits(&c);
	*out = c;
	return 0;
}

int seg_ip_format(const struct seg_ip *ip, char *buf, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN];
	int af = ip->family == SEG_IP_V4 ? AF_INET : AF_INET6;

	if (!inet_ntop(af, ip->addr, tmp, sizeof(tmp)))
		return -1;
	int n = snprintf(buf, cap, "%s", tmp);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

int seg_cidr_format(const struct seg_cidr *c, char *buf, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN];

	if (seg_ip_format(&c->ip, tmp, sizeof(tmp)) < 0)
		return -1;
	int n = snprintf(buf, cap, "%s/%u", tmp, (unsigned)c->len);
	return n < 0 || (size_t)n >= cap ? -1 : n;
}

bool seg_ip_equal(const struct seg_ip *a, const struct seg_ip *b)
{
	return a->family == b->family && memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

bool seg_cidr_equal(const struct seg_cidr *a, const struct seg_cidr *b)
{
	return a->len == b->len && seg_ip_equal(&a->ip, &b->ip);
}

bool seg_cidr_contains(const struct seg_cidr *c, const struct seg_ip *ip)
{
	struct seg_cidr masked = {.ip = *ip, .len = c->len};

	if (ip->family != c->ip.family)
		return false;
	clear_host_bits(&masked);
	return seg_ip_equal(&masked.ip, &c->ip);
}
