/* SPDX-License-Identifier: MIT */
/* Strict address and prefix parsing; see cidr.h for what "strict" rejects. */
#include "base/ipaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/*
 * inet_pton is strict enough for the address itself: glibc rejects IPv4 octets with leading
 * zeros, fewer than four parts, and IPv6 zones. Input is copied into a bounded buffer first, so
 * an unterminated or huge string cannot make it read far.
 */
static int parse_addr_part(const char *s, size_t n, struct ip_addr *out)
{
	char buf[CIDR_INPUT_MAX + 1];

	if (n == 0)
		return CIDR_ERR_ADDR;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, sizeof(*out));
	if (memchr(buf, ':', n)) {
		out->family = IP_FAMILY_V6;
		if (inet_pton(AF_INET6, buf, out->bytes) != 1)
			return CIDR_ERR_ADDR;
	} else {
		out->family = IP_FAMILY_V4;
		if (inet_pton(AF_INET, buf, out->bytes) != 1)
			return CIDR_ERR_ADDR;
	}
	return CIDR_OK;
}

/* A decimal prefix length: digits only, no leading zero (except "0" itself), at most max. */
static int parse_len(const char *s, unsigned max, uint8_t *out)
{
	unsigned v = 0;
	size_t n = strlen(s);

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return CIDR_ERR_LEN;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return CIDR_ERR_LEN;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (v > max)
		return CIDR_ERR_LEN;
	*out = (uint8_t)v;
	return CIDR_OK;
}

static int check_input(const char *s, size_t *n)
{
	if (!s || !*s)
		return CIDR_ERR_EMPTY;
	*n = strnlen(s, CIDR_INPUT_MAX + 1);
	if (*n > CIDR_INPUT_MAX)
		return CIDR_ERR_TOO_LONG;
	return CIDR_OK;
}

int ip_addr_parse(const char *s, struct ip_addr *out)
{
	struct ip_addr a;
	size_t n;
	int err = check_input(s, &n);

	if (!err)
		err = parse_addr_part(s, n, &a);
	if (!err)
		*out = a;
	return err;
}

/* Parses "addr/len", or a bare address when bare_ok (it then gets the full length). */
static int parse_with_len(const char *s, bool bare_ok, struct cidr *out)
{
	size_t n;
	int err = check_input(s, &n);

	if (err)
		return err;
	const char *slash = memchr(s, '/', n);
	size_t addr_n = slash ? (size_t)(slash - s) : n;

	err = parse_addr_part(s, addr_n, &out->addr);
	if (err)
		return err;
	unsigned bits = ip_family_bits(out->addr.family);
	if (!slash) {
		if (!bare_ok)
			return CIDR_ERR_LEN;
		out->len = (uint8_t)bits;
		return CIDR_OK;
	}
	return parse_len(slash + 1, bits, &out->len);
}

int cidr_parse(const char *s, struct cidr *out)
{
	struct cidr c;
	int err = parse_with_len(s, false, &c);

	if (err)
		return err;
	struct cidr net = cidr_network(&c);

	if (!ip_addr_equal(&net.addr, &c.addr))
		return CIDR_ERR_HOST_BITS;
	*out = c;
	return CIDR_OK;
}

int cidr_parse_masked(const char *s, struct cidr *out)
{
	struct cidr c;
	int err = parse_with_len(s, false, &c);

	if (err)
		return err;
	*out = cidr_network(&c);
	return CIDR_OK;
}

int cidr_parse_iface(const char *s, struct cidr *out)
{
	struct cidr c;
	int err = parse_with_len(s, true, &c);

	if (err)
		return err;
	*out = c;
	return CIDR_OK;
}

int ip_addr_format(const struct ip_addr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];
	int af = a->family == IP_FAMILY_V4 ? AF_INET : AF_INET6;

	if (!inet_ntop(af, a->bytes, tmp, sizeof(tmp)))
		return CIDR_ERR_ADDR;
	if (strlen(tmp) >= len)
		return CIDR_ERR_SPACE;
	memcpy(buf, tmp, strlen(tmp) + 1);
	return CIDR_OK;
}

int cidr_format(const struct cidr *c, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];
	int err = ip_addr_format(&c->addr, tmp, sizeof(tmp));

	if (err)
		return err;
	int n = snprintf(buf, len, "%s/%u", tmp, (unsigned)c->len);

	if (n < 0 || (size_t)n >= len)
		return CIDR_ERR_SPACE;
	return CIDR_OK;
}

struct cidr cidr_network(const struct cidr *c)
{
	struct cidr net = *c;
	size_t bytes = ip_family_len(c->addr.family);

	for (size_t i = 0; i < sizeof(net.addr.bytes); i++) {
		size_t bit = i * 8;

		if (i >= bytes || bit >= c->len)
			net.addr.bytes[i] = 0;
		else if (c->len - bit < 8)
			net.addr.bytes[i] &= (uint8_t)(0xff00u >> (c->len - bit));
	}
	return net;
}

bool cidr_contains(const struct cidr *c, const struct ip_addr *addr)
{
	if (addr->family != c->addr.family)
		return false;
	struct cidr probe = {.addr = *addr, .len = c->len};
	struct cidr a = cidr_network(&probe);
	struct cidr b = cidr_network(c);

	return ip_addr_equal(&a.addr, &b.addr);
}

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, ip_family_len(a->family)) == 0;
}

bool cidr_equal(const struct cidr *a, const struct cidr *b)
{
	return a->len == b->len && ip_addr_equal(&a->addr, &b->addr);
}

const char *cidr_strerror(int err)
{
	switch ((enum cidr_err)err) {
	case CIDR_OK:
		return "ok";
	case CIDR_ERR_EMPTY:
		return "empty address";
	case CIDR_ERR_TOO_LONG:
		return "too long to be an address or prefix";
	case CIDR_ERR_ADDR:
		return "not an IPv4 or IPv6 address (IPv4 octets without leading zeros, no zone)";
	case CIDR_ERR_LEN:
		return "prefix length missing or out of range (/0../32 for IPv4, /0../128 for "
		       "IPv6)";
	case CIDR_ERR_HOST_BITS:
		return "bits set past the prefix length (write the network address, e.g. "
		       "10.1.0.0/24)";
	case CIDR_ERR_SPACE:
		return "output buffer too small";
	}
	return "unknown error";
}
