// SPDX-License-Identifier: MIT
/*
 * Go-compatible duration parsing and formatting (see duration.h). Integer arithmetic only:
 * the fraction of each number is scaled with 128-bit intermediates, so "1.000000001s" is
 * exactly 1000000001 ns.
 */
#include "config/duration.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DURATION_MAX ((uint64_t)INT64_MAX)

struct unit {
	const char *name;
	uint64_t ns;
};

/* Longer names first where one is a prefix of another ("ms" before "m"). */
static const struct unit units[] = {
    {"ns", 1},
    {"us", 1000},
    {"\xc2\xb5s", 1000}, /* U+00B5 MICRO SIGN */
    {"\xce\xbcs", 1000}, /* U+03BC GREEK SMALL LETTER MU */
    {"ms", 1000000},
    {"s", 1000000000},
    {"m", UINT64_C(60000000000)},
    {"h", UINT64_C(3600000000000)},
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Unit names end where the next number starts. */
static const struct unit *match_unit(const char *s, size_t len, size_t *used)
{
	size_t n = 0;
	while (n < len && !is_digit(s[n]) && s[n] != '.')
		n++;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strlen(units[i].name) == n && memcmp(s, units[i].name, n) == 0) {
			*used = n;
			return &units[i];
		}
	}
	return NULL;
}

int seg_duration_parse(const char *s, size_t len, uint64_t *out_ns)
{
	size_t i = 0;
	uint64_t total = 0;

	if (len == 0)
		return SEG_DURATION_ERR_EMPTY;
	if (s[0] == '-')
		return SEG_DURATION_ERR_NEGATIVE;
	if (s[0] == '+')
		i++;
	if (len - i == 1 && s[i] == '0') { /* Go's special case: "0" needs no unit */
		*out_ns = 0;
		return 0;
	}
	if (i == len)
		return SEG_DURATION_ERR_SYNTAX;

	while (i < len) {
		uint64_t whole = 0, frac = 0, scale = 1;
		bool digits = false;

		for (; i < len && is_digit(s[i]); i++, digits = true) {
			if (whole > (DURATION_MAX - (uint64_t)(s[i] - '0')) / 10)
				return SEG_DURATION_ERR_RANGE;
			whole = whole * 10 + (uint64_t)(s[i] - '0');
		}
		if (i < len && s[i] == '.') {
			for (i++; i < len && is_digit(s[i]); i++, digits = true) {
				/* Digits past 10^18 are below a nanosecond of any unit: dropped. */
				if (scale > UINT64_C(100000000000000000))
					continue;
				frac = frac * 10 + (uint64_t)(s[i] - '0');
				scale *= 10;
			}
		}
		if (!digits)
			return SEG_DURATION_ERR_SYNTAX;

		size_t used;
		const struct unit *u = match_unit(s + i, len - i, &used);
		if (!u)
			return SEG_DURATION_ERR_UNIT;
		i += used;

		if (whole > DURATION_MAX / u->ns)
			return SEG_DURATION_ERR_RANGE;
		uint64_t v = whole * u->ns;
		v += (uint64_t)((unsigned __int128)frac * u->ns / scale);
		if (v > DURATION_MAX || total > DURATION_MAX - v)
			return SEG_DURATION_ERR_RANGE;
		total += v;
	}
	*out_ns = total;
	return 0;
}

/* Writes v / 10^prec with the fraction's trailing zeros (and a bare '.') dropped. */
static int format_fixed(char *buf, size_t cap, uint64_t v, int prec, const char *unit)
{
	uint64_t div = 1;
	for (int i = 0; i < prec; i++)
		div *= 10;
	uint64_t whole = v / div, frac = v % div;
	if (frac == 0)
		return snprintf(buf, cap, "%llu%s", (unsigned long long)whole, unit);
	while (frac % 10 == 0) {
		frac /= 10;
		prec--;
	}
	return snprintf(buf, cap, "%llu.%0*llu%s", (unsigned long long)whole, prec,
			(unsigned long long)frac, unit);
}

int seg_duration_format(uint64_t ns, char *buf, size_t cap)
{
	int n;

	if (ns == 0)
		n = snprintf(buf, cap, "0s");
	else if (ns < 1000)
		n = snprintf(buf, cap, "%lluns", (unsigned long long)ns);
	else if (ns < 1000000)
		n = format_fixed(buf, cap, ns, 3, "us");
	else if (ns < 1000000000)
		n = format_fixed(buf, cap, ns, 6, "ms");
	else {
		uint64_t h = ns / UINT64_C(3600000000000);
		uint64_t m = ns / UINT64_C(60000000000) % 60;
		uint64_t s_ns = ns % UINT64_C(60000000000);
		char secs[SEG_DURATION_STRLEN];
		int k = format_fixed(secs, sizeof(secs), s_ns, 9, "s");
		if (k < 0 || (size_t)k >= sizeof(secs))
			return -1;
		if (h)
			n = snprintf(buf, cap, "%lluh%llum%s", (unsigned long long)h,
				     (unsigned long long)m, secs);
		else if (m)
			n = snprintf(buf, cap, "%llum%s", (unsigned long long)m, secs);
		else
			n = snprintf(buf, cap, "%s", secs);
	}
	if (n < 0 || (size_t)n >= cap)
		return -1;
	return n;
}

const char *seg_duration_strerror(int err)
{
	switch (err) {
	case SEG_DURATION_OK:
		return "ok";
	case SEG_DURATION_ERR_EMPTY:
		return "empty duration";
	case SEG_DURATION_ERR_SYNTAX:
		return "not a duration (want e.g. 300ms, 1.5s, 1m30s)";
	case SEG_DURATION_ERR_UNIT:
		return "missing or unknown unit (ns, us, ms, s, m, h)";
	case SEG_DURATION_ERR_RANGE:
		return "duration too large";
	case SEG_DURATION_ERR_NEGATIVE:
		return "negative duration";
	}
	return "unknown duration error";
}
