/* SPDX-License-Identifier: MIT */
/*
 * IP addresses and CIDR prefixes (IPv4 and IPv6) as written in seg's configuration files:
 * "192.168.1.100", "fd00::1", "10.0.0.0/8", "fd00:1::/64". Host bits set in a prefix
 * ("192.168.1.100/24") are accepted and cleared, as Go's net.ParseCIDR did for the
 * original prototype.
 *
 * Thread: any; pure functions.
 */
#ifndef SEG_CONFIG_CIDR_H
#define SEG_CONFIG_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum seg_ip_family {
	SEG_IP_V4 = 4,
	SEG_IP_V6 = 6,
};

enum {
	/* Enough for a formatted IPv6 prefix ("ffff:...:ffff/128") and a NUL. */
	SEG_CIDR_STRLEN = 48,
};

/* IPv4 uses addr[0..3], the rest is zero. */
struct seg_ip {
	enum seg_ip_family family;
	uint8_t addr[16];
};

struct seg_cidr {
	struct seg_ip ip; /* host bits zero */
	uint8_t len;	  /* 0..32 or 0..128 */
};

/* Parse a NUL-terminated string; 0, or -1 when malformed. */
__attribute__((warn_unused_result)) int seg_ip_parse(const char *s, struct seg_ip *out);
__attribute__((warn_unused_result)) int seg_cidr_parse(const char *s, struct seg_cidr *out);
/* Format (inet_ntop form); the length, or -1 when cap is too small. */
__attribute__((warn_unused_result)) int seg_ip_format(const struct seg_ip *ip, char *buf,
						      size_t cap);
__attribute__((warn_unused_result)) int seg_cidr_format(const struct seg_cidr *c, char *buf,
							size_t cap);

bool seg_ip_equal(const struct seg_ip *a, const struct seg_ip *b);
bool seg_cidr_equal(const struct seg_cidr *a, const struct seg_cidr *b);
/* True when ip is inside c (same family, first c->len bits equal). */
bool seg_cidr_contains(const struct seg_cidr *c, const struct seg_ip *ip);

#endif /* SEG_CONFIG_CIDR_H */
