/* SPDX-License-Identifier: MIT */
/*
 * The IP adapter's configuration, adapter.yaml: the TUN device's address and the subnets
 * announced to peers. The original prototype's files load unchanged (its keys were addr,
 * subnet, tunName, mtu and txqlen); seg adds IPv6, lists of subnets and netns.
 * docs/configuration.md lists every key.
 *
 * Thread: any; parsing has no global state.
 */
#ifndef SEG_CONFIG_ADAPTER_CONFIG_H
#define SEG_CONFIG_ADAPTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/ipaddr.h"
#include "config/config_err.h"

enum {
	/* The original's defaults (adapters/ip/ipadapter.go): MTU 1200, txqlen 1000, tun0. */
	SEG_ADAPTER_DEFAULT_MTU = 1200,
	/* IPv6 needs links of at least 1280 bytes (RFC 8200 section 5); the default MTU is
	 * raised to this when the adapter carries IPv6. */
	SEG_ADAPTER_IPV6_MIN_MTU = 1280,
	SEG_ADAPTER_MIN_MTU = 576,
	SEG_ADAPTER_MAX_MTU = 65535,
	SEG_ADAPTER_DEFAULT_TXQLEN = 1000,
	SEG_ADAPTER_MAX_TXQLEN = 1000000,
	SEG_ADAPTER_TUN_NAME_MAX = 15, /* IFNAMSIZ - 1 */
	SEG_ADAPTER_NETNS_NAME_MAX = 255,
	SEG_ADAPTER_SUBNETS_MAX = 256,
};

#define SEG_ADAPTER_DEFAULT_TUN_NAME "tun0"

struct seg_adapter_config {
	struct ip_addr addr;  /* address of the TUN device */
	struct cidr *subnets; /* announced to peers; at least one; host bits zero */
	size_t subnets_len;
	char tun_name[SEG_ADAPTER_TUN_NAME_MAX + 1];
	uint32_t mtu;
	uint32_t txqlen;
	char netns[SEG_ADAPTER_NETNS_NAME_MAX + 1]; /* "" = stay in our namespace */
};

/* As seg_config_parse (config.h), for adapter.yaml. */
__attribute__((warn_unused_result)) int seg_adapter_config_parse(const char *name,
								 const uint8_t *buf, size_t len,
								 struct seg_adapter_config **out,
								 char *err, size_t errlen);
__attribute__((warn_unused_result)) int seg_adapter_config_load(const char *path,
								struct seg_adapter_config **out,
								char *err, size_t errlen);
void seg_adapter_config_free(struct seg_adapter_config *c);
/* The canonical form: every key, in a fixed order; parses back to an equal struct. */
void seg_adapter_config_print(FILE *f, const struct seg_adapter_config *c);
bool seg_adapter_config_equal(const struct seg_adapter_config *a,
			      const struct seg_adapter_config *b);

#endif /* SEG_CONFIG_ADAPTER_CONFIG_H */
