/* SPDX-License-Identifier: MIT */
/*
 * Host addresses of the SCION address header (scion-header.rst, "Address Header"): IPv4
 * (DT/DL 0/0), IPv6 (0/3) and service addresses (1/0: 2 bytes plus 2 bytes of padding).
 */
#include <string.h>

#include <seg/scion_packet.h>

#include "scion/consts.h"
#include "scion/host.h"

void scion_host_from_ipv4(struct scion_host *h, const uint8_t ip[4])
{
	memset(h, 0, sizeof(*h));
	h->type = SCION_HOST_IPV4;
	memcpy(h->ip, ip, SCION_HOST_IPV4_LEN);
}

void scion_host_from_ipv6(struct scion_host *h, const uint8_t ip[16])
{
	memset(h, 0, sizeof(*h));
	h->type = SCION_HOST_IPV6;
	memcpy(h->ip, ip, SCION_HOST_IPV6_LEN);
}

size_t scion_host_len(const struct scion_host *h)
{
	switch (h->type) {
	case SCION_HOST_IPV4:
		return SCION_HOST_IPV4_LEN;
	case SCION_HOST_IPV6:
		return SCION_HOST_IPV6_LEN;
	case SCION_HOST_SVC:
		return SCION_HOST_SVC_WIRE_LEN;
	}
	return 0;
}

bool scion_host_equal(const struct scion_host *a, const struct scion_host *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case SCION_HOST_IPV4:
		return memcmp(a->ip, b->ip, SCION_HOST_IPV4_LEN) == 0;
	case SCION_HOST_IPV6:
		return memcmp(a->ip, b->ip, SCION_HOST_IPV6_LEN) == 0;
	case SCION_HOST_SVC:
		return a->svc == b->svc;
	}
	return false;
}

bool scion_addr_equal(const struct scion_addr *a, const struct scion_addr *b)
{
	return a->ia == b->ia && scion_host_equal(&a->host, &b->host);
}

bool scion_host_codes(const struct scion_host *h, uint8_t *type_code, uint8_t *len_code)
{
	switch (h->type) {
	case SCION_HOST_IPV4:
		*type_code = SCION_ADDR_T_IP;
		*len_code = SCION_ADDR_L_4;
		return true;
	case SCION_HOST_IPV6:
		*type_code = SCION_ADDR_T_IP;
		*len_code = SCION_ADDR_L_16;
		return true;
	case SCION_HOST_SVC:
		*type_code = SCION_ADDR_T_SVC;
		*len_code = SCION_ADDR_L_4;
		return true;
	}
	return false;
}

int scion_host_read(struct rcursor *c, uint8_t type_code, uint8_t len_code, struct scion_host *out)
{
	memset(out, 0, sizeof(*out));
	if (type_code == SCION_ADDR_T_IP && len_code == SCION_ADDR_L_4) {
		out->type = SCION_HOST_IPV4;
		if (!rcursor_bytes(c, out->ip, SCION_HOST_IPV4_LEN))
			return SCION_PKT_ERR_TRUNCATED;
		return 0;
	}
	if (type_code == SCION_ADDR_T_IP && len_code == SCION_ADDR_L_16) {
		out->type = SCION_HOST_IPV6;
		if (!rcursor_bytes(c, out->ip, SCION_HOST_IPV6_LEN))
			return SCION_PKT_ERR_TRUNCATED;
		return 0;
	}
	if (type_code == SCION_ADDR_T_SVC && len_code == SCION_ADDR_L_4) {
		out->type = SCION_HOST_SVC;
		/* The padding is ignored, as the reference's parseAddr does. */
		if (!rcursor_u16be(c, &out->svc) ||
		    !rcursor_skip(c, SCION_HOST_SVC_WIRE_LEN - SCION_HOST_SVC_LEN))
			return SCION_PKT_ERR_TRUNCATED;
		return 0;
	}
	return SCION_PKT_ERR_ADDR_TYPE;
}

size_t scion_host_write(const struct scion_host *h, uint8_t out[16])
{
	switch (h->type) {
	case SCION_HOST_IPV4:
		memcpy(out, h->ip, SCION_HOST_IPV4_LEN);
		return SCION_HOST_IPV4_LEN;
	case SCION_HOST_IPV6:
		memcpy(out, h->ip, SCION_HOST_IPV6_LEN);
		return SCION_HOST_IPV6_LEN;
	case SCION_HOST_SVC:
		store_u16be(out, h->svc);
		out[2] = 0;
		out[3] = 0;
		return SCION_HOST_SVC_WIRE_LEN;
	}
	return 0;
}
