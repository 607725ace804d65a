/* SPDX-License-Identifier: MIT */
/*
 * scion_l4_checksum against a naive RFC 1071 reference (16-bit words, one at a time) over
 * the SCION pseudo header built byte by byte here: every length 0..600, odd alignments,
 * random bytes and all-ones bytes (the most carries), IPv4 and IPv6 hosts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <seg/scion_packet.h>

static size_t put_host(uint8_t *p, const struct scion_host *h)
{
	size_t n = h->type == SCION_HOST_IPV6 ? 16 : 4;

	memcpy(p, h->ip, n);
	return n;
}

static uint16_t reference(const struct scion_header *h, uint8_t proto, const uint8_t *l4,
			  size_t len)
{
	uint8_t buf[64 + 1024];
	size_t n = 0;
	uint32_t sum = 0;

	for (int i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)(h->dst.ia >> (8 * i));
	for (int i = 7; i >= 0; i--)
		buf[n++] = (uint8_t)(h->src.ia >> (8 * i));
	n += put_host(buf + n, &h->dst.host);
	n += put_host(buf + n, &h->src.host);
	for (int i = 3; i >= 0; i--)
		buf[n++] = (uint8_t)(len >> (8 * i));
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = 0;
	buf[n++] = proto;
	memcpy(buf + n, l4, len);
	n += len;
	buf[n] = 0; /* odd length: padded */
	for (size_t i = 0; i < n; i += 2) {
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
		sum = (sum & 0xffff) + (sum >> 16);
	}
	return (uint16_t)~sum;
}

static void check_all_lengths(const struct scion_header *h, const uint8_t *data)
{
	for (size_t off = 0; off < 3; off++)
		for (size_t len = 0; len <= 600; len++)
			assert_int_equal(scion_l4_checksum(h, 17, data + off, len),
					 reference(h, 17, data + off, len));
}

static void test_against_reference(void **state)
{
	static const uint8_t v4a[4] = {127, 0, 0, 1}, v4b[4] = {10, 255, 255, 254};
	uint8_t v6[16], data[1024];
	struct scion_header h = {0};

	(void)state;
	srand(7);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)rand();
	for (size_t i = 0; i < sizeof(v6); i++)
		v6[i] = (uint8_t)(0xf0 + i);
	h.src.ia = 0x0001ff0000000110ull;
	h.dst.ia = 0xffffffffffffffffull;
	scion_host_from_ipv4(&h.src.host, v4a);
	scion_host_from_ipv4(&h.dst.host, v4b);
	check_all_lengths(&h, data);
	scion_host_from_ipv6(&h.dst.host, v6);
	check_all_lengths(&h, data);
	memset(data, 0xff, sizeof(data));
	check_all_lengths(&h, data);
	memset(data, 0, sizeof(data));
	check_all_lengths(&h, data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
