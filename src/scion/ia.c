/* SPDX-License-Identifier: MIT */
/*
 * ISD-AS numbers: parsing and formatting with the forms and edge cases of scionproto's
 * pkg/addr (isdas.go, fmt.go):
 *  - ISD: decimal, 0..65535.
 *  - AS without ':' is a BGP AS in decimal, 0..2^32-1; with ':' it is exactly three groups
 *    of hex digits (either case), each 0..0xffff, together at most 48 bits.
 *  - Numbers are read like Go's strconv.ParseUint with an explicit base: at least one
 *    digit, no sign, no "0x" prefix, no spaces; leading zeros are allowed (so "ff00:0:0110"
 *    and "0064512" parse), see docs/scion-notes.md.
 *  - Formatting: decimal when AS <= 2^32-1, else three lowercase hex groups without
 *    leading zeros.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <seg/scion_addr.h>

enum {
	AS_GROUPS = 3,
	AS_GROUP_BITS = 16,
	AS_GROUP_MAX = 0xffff,
	ISD_MAX = 0xffff,
};

static int digit_value(char c, unsigned base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (base == 16 && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* An unsigned number of exactly len characters in base 10 or 16, at most max. */
static bool parse_uint(const char *s, size_t len, unsigned base, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		int d = digit_value(s[i], base);

		if (d < 0 || (uint64_t)d > max || v > (max - (uint64_t)d) / base)
			return false;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
}

int scion_as_parse(const char *s, size_t len, uint64_t *out)
{
	const char *group = s;
	uint64_t as = 0;
	size_t colons = 0;

	if (s == NULL || len == 0)
		return SCION_ADDR_ERR_AS;
	for (size_t i = 0; i < len; i++)
		colons += s[i] == ':';
	if (colons == 0)
		return parse_uint(s, len, 10, SCION_AS_MAX_BGP, out) ? 0 : SCION_ADDR_ERR_AS;
	if (colons != AS_GROUPS - 1)
		return SCION_ADDR_ERR_AS;

	for (int i = 0; i < AS_GROUPS; i++) {
		size_t left = len - (size_t)(group - s);
		const char *end = memchr(group, ':', left);
		size_t glen = end ? (size_t)(end - group) : left;
		uint64_t v;

		if (!parse_uint(group, glen, 16, AS_GROUP_MAX, &v))
			return SCION_ADDR_ERR_AS;
		as = as << AS_GROUP_BITS | v;
		group += glen + 1;
	}
	*out = as;
	return 0;
}

int scion_ia_parse(const char *s, size_t len, scion_ia_t *out)
{
	const char *dash;
	uint64_t isd, as;
	int err;

	if (s == NULL || len == 0)
		return SCION_ADDR_ERR_EMPTY;
	dash = memchr(s, '-', len);
	/* Exactly one '-': the reference splits on it and wants two parts. */
	if (dash == NULL || memchr(dash + 1, '-', len - (size_t)(dash - s) - 1) != NULL)
		return SCION_ADDR_ERR_SEPARATOR;
	if (!parse_uint(s, (size_t)(dash - s), 10, ISD_MAX, &isd))
		return SCION_ADDR_ERR_ISD;
	err = scion_as_parse(dash + 1, len - (size_t)(dash - s) - 1, &as);
	if (err)
		return err;
	*out = scion_ia_make((uint16_t)isd, as);
	return 0;
}

int scion_as_format(uint64_t as, char *buf, size_t cap)
{
	const uint64_t mask = AS_GROUP_MAX;
	int n;

	if (as > scion_ia_as(UINT64_MAX))
		return SCION_ADDR_ERR_AS;
	if (as <= SCION_AS_MAX_BGP)
		n = snprintf(buf, cap, "%" PRIu64, as);
	else
		n = snprintf(buf, cap, "%" PRIx64 ":%" PRIx64 ":%" PRIx64,
			     as >> 2 * AS_GROUP_BITS & mask, as >> AS_GROUP_BITS & mask, as & mask);
	if (n < 0 || (size_t)n >= cap)
		return SCION_ADDR_ERR_SPACE;
	return 0;
}

int scion_ia_format(scion_ia_t ia, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%u-", (unsigned)scion_ia_isd(ia));

	if (n < 0 || (size_t)n >= cap)
		return SCION_ADDR_ERR_SPACE;
	return scion_as_format(scion_ia_as(ia), buf + n, cap - (size_t)n);
}
