/* SPDX-License-Identifier: MIT */
/*
 * The gateway's own view of its configuration: what the engine needs of conf.yaml, in plain
 * types, copied out of a struct seg_config (config/config.h) by gwconf.c.
 *
 * Why a copy: the engine needs a small, stable subset in its own types (the cipher as its
 * wire value of protocol.h, durations in ns), and only gwconf.c depends on config.h's
 * layout. (config.h's choice is `enum seg_config_cipher`, protocol.h's wire value
 * `enum seg_cipher`.)
 *
 * Thread: built on the control thread; immutable afterwards.
 */
#ifndef SEG_GATEWAY_GWCONF_H
#define SEG_GATEWAY_GWCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_addr.h>

struct seg_config;

enum {
	GWCONF_DESCRIPTION_MAX = 128,
	GWCONF_ADDR_MAX = 256,
	GWCONF_PSK_LEN = 32,
};

struct gwconf_remote {
	struct scion_udp_addr addr;
	bool has_rendezvous;
	scion_ia_t rendezvous;
	char description[GWCONF_DESCRIPTION_MAX];
};

struct gwconf {
	struct scion_udp_addr local;
	char daemon_addr[GWCONF_ADDR_MAX];
	struct gwconf_remote *remotes; /* owned */
	size_t n_remotes;
	uint64_t keepalive_interval_ns;
	uint64_t keepalive_timeout_ns;
	uint64_t keepalive_timeout_interval_ns;
	uint64_t migrate_grace_ns;
	unsigned policy; /* enum pathpolicy_kind */
	bool redundant;
	unsigned cipher_wire;	     /* enum seg_cipher of protocol.h */
	uint8_t psk[GWCONF_PSK_LEN]; /* zeros when none */
};

/* Copies cfg into out (remotes allocated). 0 or -ENOMEM / -EINVAL. */
SEG_MUST_CHECK int gwconf_from_config(const struct seg_config *cfg, struct gwconf *out);
/* Frees and wipes (the PSK). */
void gwconf_clear(struct gwconf *c);

#endif /* SEG_GATEWAY_GWCONF_H */
