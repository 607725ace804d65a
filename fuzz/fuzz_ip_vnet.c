/* SPDX-License-Identifier: MIT */
/*
 * The TUN offload code (vnet.h) on arbitrary bytes: the first byte picks the mode. Join: the
 * rest is packets (2-byte length, bytes), as peers deliver them after the AEAD, added to a
 * group and written out. Split: a vnet header and a packet as the TUN reader gets them.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "adapters/ip/vnet.h"

static void join(const uint8_t *d, size_t n)
{
	static struct vnet_gro g;
	size_t total = 0;

	vnet_gro_reset(&g);
	while (n >= 2) {
		size_t len = (size_t)d[0] << 8 | d[1];

		d += 2;
		n -= 2;
		if (len > n)
			len = n;
		if (!vnet_gro_add(&g, d, len)) {
			total += vnet_gro_finish(&g);
			vnet_gro_reset(&g);
			if (!vnet_gro_add(&g, d, len))
				__builtin_trap();
		}
		d += len;
		n -= len;
	}
	total += vnet_gro_finish(&g);
	(void)total;
}

static void split(const uint8_t *d, size_t n)
{
	static uint8_t pkt[VNET_IP_MAX], out[1500];
	struct vnet_hdr h;
	struct vnet_split s;

	if (n < VNET_HDR_LEN || n - VNET_HDR_LEN > sizeof(pkt))
		return;
	vnet_hdr_read(d, &h);
	memcpy(pkt, d + VNET_HDR_LEN, n - VNET_HDR_LEN);
	if (vnet_split_init(&s, pkt, n - VNET_HDR_LEN, &h) != VNET_OK) {
		(void)vnet_csum_finish(pkt, n - VNET_HDR_LEN, &h);
		return;
	}
	for (int i = 0; i < 70000 && vnet_split_next(&s, out, sizeof(out)) > 0; i++)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		split(data + 1, size - 1);
	else
		join(data + 1, size - 1);
	return 0;
}
