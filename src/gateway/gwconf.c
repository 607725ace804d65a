/* SPDX-License-Identifier: MIT */
/* Copies a parsed conf.yaml into the engine's plain view (gwconf.h says why). */
#include "gwconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "config/config.h"
#include "protocol.h"

int gwconf_from_config(const struct seg_config *cfg, struct gwconf *out)
{
	memset(out, 0, sizeof(*out));
	out->local = cfg->address;
	snprintf(out->daemon_addr, sizeof(out->daemon_addr), "%s",
		 cfg->daemon_addr ? cfg->daemon_addr : SEG_CONFIG_DEFAULT_DAEMON_ADDR);
	if (cfg->remotes_len) {
		out->remotes = calloc(cfg->remotes_len, sizeof(out->remotes[0]));
		if (!out->remotes)
			return -ENOMEM;
	}
	for (size_t i = 0; i < cfg->remotes_len; i++) {
		const struct seg_config_remote *r = &cfg->remotes[i];
		struct gwconf_remote *o = &out->remotes[i];

		o->addr = r->address;
		o->has_rendezvous = r->has_rendezvous;
		o->rendezvous = r->rendezvous;
		snprintf(o->description, sizeof(o->description), "%s",
			 r->description ? r->description : "");
	}
	out->n_remotes = cfg->remotes_len;
	out->keepalive_interval_ns = cfg->pathing.keep_alive_interval;
	out->keepalive_timeout_ns = cfg->pathing.keep_alive_timeout;
	out->keepalive_timeout_interval_ns = cfg->pathing.keep_alive_timeout_interval;
	out->migrate_grace_ns = cfg->pathing.migrate_grace_timeout;
	/* pathpolicy_kind has the same order as seg_path_policy (hops 0, latency 1). */
	out->policy = cfg->path_policy == SEG_PATH_POLICY_LATENCY ? 1u : 0u;
	out->redundant = cfg->redundant;
	out->cipher_wire = cfg->cipher == SEG_CONFIG_CIPHER_CHACHA20_POLY1305
			       ? SEG_CIPHER_CHACHA20_POLY1305
			       : SEG_CIPHER_AES256_GCM;
	if (cfg->has_psk)
		memcpy(out->psk, cfg->psk, sizeof(out->psk));
	return 0;
}

void gwconf_clear(struct gwconf *c)
{
	free(c->remotes);
	OPENSSL_cleanse(c, sizeof(*c));
}
