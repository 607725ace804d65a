/* SPDX-License-Identifier: MIT */
/*
 * Address parsers, fuzzed as they are: any input either fails with a known error or parses
 * to a value that formats, parses again to the same value, and formats to the same text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <seg/scion_addr.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_INPUT = 256 };

static bool host_same(const struct scion_host *a, const struct scion_host *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case SCION_HOST_IPV4:
		return memcmp(a->ip, b->ip, 4) == 0;
	case SCION_HOST_IPV6:
		return memcmp(a->ip, b->ip, 16) == 0;
	case SCION_HOST_SVC:
		return a->svc == b->svc;
	}
	return false;
}

static void check_err(int err)
{
	if (err > 0 || err < SCION_ADDR_ERR_SPACE)
		abort();
}

static void roundtrip_udp(const char *s)
{
	struct scion_udp_addr a, b;
	char t1[SCION_UDP_ADDR_STRLEN], t2[SCION_UDP_ADDR_STRLEN];
	int err = scion_udp_addr_parse(s, &a);

	check_err(err);
	if (err)
		return;
	if (scion_udp_addr_format(&a, t1, sizeof(t1)) != 0 || scion_udp_addr_parse(t1, &b) != 0)
		abort();
	if (a.addr.ia != b.addr.ia || a.port != b.port || !host_same(&a.addr.host, &b.addr.host))
		abort();
	if (scion_udp_addr_format(&b, t2, sizeof(t2)) != 0 || strcmp(t1, t2) != 0)
		abort();
}

static void roundtrip_addr(const char *s)
{
	struct scion_addr a, b;
	char t1[SCION_UDP_ADDR_STRLEN], t2[SCION_UDP_ADDR_STRLEN];
	int err = scion_addr_parse(s, &a);

	check_err(err);
	if (err)
		return;
	if (scion_addr_format(&a, t1, sizeof(t1)) != 0 || scion_addr_parse(t1, &b) != 0)
		abort();
	if (a.ia != b.ia || !host_same(&a.host, &b.host))
		abort();
	if (scion_addr_format(&b, t2, sizeof(t2)) != 0 || strcmp(t1, t2) != 0)
		abort();
}

/* The IA parser takes a length, not a NUL: give it the raw bytes, NULs included. */
static void roundtrip_ia(const uint8_t *data, size_t size)
{
	scion_ia_t a, b;
	char t[SCION_IA_STRLEN];
	int err = scion_ia_parse((const char *)data, size, &a);

	check_err(err);
	if (err)
		return;
	if (scion_ia_format(a, t, sizeof(t)) != 0 || scion_ia_parse(t, strlen(t), &b) != 0 ||
	    a != b)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[MAX_INPUT + 1];

	if (size > MAX_INPUT)
		return 0;
	roundtrip_ia(data, size);
	memcpy(s, data, size);
	s[size] = '\0';
	roundtrip_udp(s);
	roundtrip_addr(s);
	return 0;
}
