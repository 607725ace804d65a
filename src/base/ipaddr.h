/* SPDX-License-Identifier: MIT */
/*
 * IP addresses and prefixes, IPv4 and IPv6: strict parsing and canonical formatting. The one
 * address type of seg: the configuration files (conf.yaml `allowedSubnets`, adapter.yaml
 * `addr`, `subnet`), the IP adapter's routes and announcements, its packet parser and netlink.
 *
 * Strict means: no whitespace, no IPv4 octet with a leading zero (ambiguous: octal to some
 * parsers), no zone ("%eth0"), a decimal prefix length without sign or leading zero, and for a
 * prefix (cidr_parse) no bits set past the prefix length ("10.1.0.1/24" is rejected with
 * CIDR_ERR_HOST_BITS, so a typo never silently becomes a different route). The configuration
 * files keep the original prototype's rule instead (cidr_parse_masked: host bits cleared).
 *
 * Parsers write *out only on success. Thread: any; all functions are pure.
 */
#ifndef SEG_BASE_IPADDR_H
#define SEG_BASE_IPADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/scion_addr.h" /* SEG_MUST_CHECK */

/* The IP version number doubles as the family tag: it is what the packet's first nibble says. */
enum ip_family {
	IP_FAMILY_V4 = 4,
	IP_FAMILY_V6 = 6,
};

enum {
	IP_V4_LEN = 4,
	IP_V6_LEN = 16,
	IP_V4_BITS = 32,
	IP_V6_BITS = 128,
	/* "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128" and a NUL, rounded up. */
	CIDR_STRLEN = 56,
	/* Longest input accepted; anything longer cannot be a valid address or prefix. */
	CIDR_INPUT_MAX = 64,
};

/* An address; an IPv4 one uses bytes[0..3], the rest is zero. */
struct ip_addr {
	enum ip_family family;
	uint8_t bytes[IP_V6_LEN];
};

/* A prefix (or an interface address with its prefix length, see cidr_parse_iface). */
struct cidr {
	struct ip_addr addr;
	uint8_t len; /* prefix length in bits, 0..32 or 0..128 */
};

enum cidr_err {
	CIDR_OK = 0,
	CIDR_ERR_EMPTY = -1,	 /* empty or NULL input */
	CIDR_ERR_TOO_LONG = -2,	 /* longer than CIDR_INPUT_MAX */
	CIDR_ERR_ADDR = -3,	 /* the address part is not a valid IPv4 or IPv6 address */
	CIDR_ERR_LEN = -4,	 /* prefix length missing, not decimal, or too large */
	CIDR_ERR_HOST_BITS = -5, /* bits set past the prefix length */
	CIDR_ERR_SPACE = -6,	 /* output buffer too small */
};

static inline unsigned ip_family_bits(enum ip_family f)
{
	return f == IP_FAMILY_V4 ? IP_V4_BITS : IP_V6_BITS;
}

static inline size_t ip_family_len(enum ip_family f)
{
	return f == IP_FAMILY_V4 ? IP_V4_LEN : IP_V6_LEN;
}

/* Parses a plain address ("192.0.2.1", "2001:db8::1"). */
SEG_MUST_CHECK int ip_addr_parse(const char *s, struct ip_addr *out);

/* Parses a prefix ("192.0.2.0/24", "2001:db8::/64"); host bits must be zero. */
SEG_MUST_CHECK int cidr_parse(const char *s, struct cidr *out);

/*
 * Parses a prefix like cidr_parse, but clears host bits instead of rejecting them
 * ("192.168.1.100/24" is 192.168.1.0/24), as Go's net.ParseCIDR did for the original
 * prototype's configuration files, which must keep loading unchanged.
 */
SEG_MUST_CHECK int cidr_parse_masked(const char *s, struct cidr *out);

/*
 * Parses an interface address: "10.99.0.1/24" (host bits allowed) or a bare address, which
 * gets the full length (/32, /128).
 */
SEG_MUST_CHECK int cidr_parse_iface(const char *s, struct cidr *out);

/* Formats canonically (RFC 5952 for IPv6); buf needs CIDR_STRLEN bytes. */
SEG_MUST_CHECK int ip_addr_format(const struct ip_addr *a, char *buf, size_t len);
SEG_MUST_CHECK int cidr_format(const struct cidr *c, char *buf, size_t len);

/* The prefix with its host bits cleared (the network of an interface address). */
struct cidr cidr_network(const struct cidr *c);

/* True if addr (of the same family) lies inside prefix c. */
bool cidr_contains(const struct cidr *c, const struct ip_addr *addr);

bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b);
/* Same address and same length (host bits included). */
bool cidr_equal(const struct cidr *a, const struct cidr *b);

/* A short English description of a cidr_err. */
const char *cidr_strerror(int err);

#endif /* SEG_BASE_IPADDR_H */
