// SPDX-License-Identifier: MIT
/*
 * Double-quoted YAML scalars (YAML 1.1 section 5.1 and 9.1.3 for the printable set and the
 * escapes). Line break characters other than \n (NEL, LS, PS) would be folded to spaces if
 * written raw, so they are escaped as \N, \L, \P.
 */
#include "config/yaml_print.h"

#include <stdbool.h>
#include <stdint.h>

/* Decodes one UTF-8 sequence (inputs come from libyaml, so they are valid); returns its
 * length, or 0 at a byte that does not start a valid sequence. */
static int utf8_decode(const unsigned char *s, uint32_t *cp)
{
	int len;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*cp = s[0] & 0x1fu;
		len = 2;
	} else if ((s[0] & 0xf0) == 0xe0) {
		*cp = s[0] & 0x0fu;
		len = 3;
	} else if ((s[0] & 0xf8) == 0xf0) {
		*cp = s[0] & 0x07u;
		len = 4;
	} else {
		return 0;
	}
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (s[i] & 0x3fu);
	}
	return len;
}

static bool printable_raw(uint32_t cp)
{
	if (cp >= 0x20 && cp <= 0x7e)
		return cp != '"' && cp != '\\';
	if (cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == 0xfeff)
		return false;
	return (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

void yaml_print_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		uint32_t cp;
		int len = utf8_decode(s, &cp);
		if (len == 0) { /* not UTF-8: cannot come from libyaml; keep the byte visible */
			fprintf(f, "\\x%02x", *s++);
			continue;
		}
		if (printable_raw(cp))
			fwrite(s, 1, (size_t)len, f);
		else if (cp == '"' || cp == '\\')
			fprintf(f, "\\%c", (char)cp);
		else if (cp == '\n')
			fputs("\\n", f);
		else if (cp == '\t')
			fputs("\\t", f);
		else if (cp == 0x85)
			fputs("\\N", f);
		else if (cp == 0x2028)
			fputs("\\L", f);
		else if (cp == 0x2029)
			fputs("\\P", f);
		else if (cp <= 0xff)
			fprintf(f, "\\x%02x", (unsigned)cp);
		else if (cp <= 0xffff)
			fprintf(f, "\\u%04x", (unsigned)cp);
		else
			fprintf(f, "\\U%08x", (unsigned)cp);
		s += len;
	}
	fputc('"', f);
}
