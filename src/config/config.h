/* SPDX-License-Identifier: MIT */
/*
 * The gateway configuration, conf.yaml: parsed into a fresh struct, validated as a whole,
 * and only then handed to the caller, who applies it. The original prototype's files load
 * unchanged; new keys have defaults. docs/configuration.md lists every key.
 *
 * Errors come back as one line "<file>:<line>:<column>: <what> \"<token>\"" in the
 * caller's buffer (SEG_CONFIG_ERRLEN bytes are enough); the pre-shared key is never quoted.
 *
 * Thread: any; parsing has no global state. A struct seg_config is immutable once returned.
 */
#ifndef SEG_CONFIG_CONFIG_H
#define SEG_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/ipaddr.h"
#include "base/time.h"
#include "config/config_err.h"
#include "gateway/protocol.h"
#include "seg/daemon.h"
#include "seg/scion_addr.h"

enum seg_path_policy {
	SEG_PATH_POLICY_HOPS = 0, /* fewest hops first, as the original */
	SEG_PATH_POLICY_LATENCY = 1,
};

/* The YAML choice; the wire values are protocol.h's enum seg_cipher. */
enum seg_config_cipher {
	SEG_CONFIG_CIPHER_AES_256_GCM = 0,
	SEG_CONFIG_CIPHER_CHACHA20_POLY1305 = 1,
};

enum {
	SEG_CONFIG_REMOTES_MAX = 1024,
	/* allowedSubnets per remote; the adapter has SEG_ADAPTER_SUBNETS_MAX. */
	SEG_CONFIG_SUBNETS_MAX = 256,
	SEG_CONFIG_PSK_LEN = SEG_PSK_LEN, /* the protocol's pre-shared key */
	SEG_CONFIG_STRING_MAX = 4096,	  /* paths, descriptions, addresses */
};

/* keep_alive_timeout when `keepAliveTimeout: auto`: adaptive per path (gateway/pathmgr.h). */
#define SEG_CONFIG_KEEP_ALIVE_TIMEOUT_AUTO 0
/* seg's pathing defaults: the original prototype's (its gateway/pathmgr.go: 50ms, 300ms,
 * 30ms, 500ms) detect a silent blackhole in 300-380 ms; seg probes the active path every
 * 20 ms and times a probe out adaptively (docs/configuration.md, "pathing"). */
#define SEG_CONFIG_DEFAULT_KEEP_ALIVE_INTERVAL	       SEG_MS(20)
#define SEG_CONFIG_DEFAULT_KEEP_ALIVE_TIMEOUT	       SEG_CONFIG_KEEP_ALIVE_TIMEOUT_AUTO
#define SEG_CONFIG_DEFAULT_KEEP_ALIVE_TIMEOUT_INTERVAL SEG_MS(30)
#define SEG_CONFIG_DEFAULT_MIGRATE_GRACE_TIMEOUT       SEG_MS(500)
/* Defaults of the keys seg added. */
#define SEG_CONFIG_DEFAULT_ADAPTER_CONF_PATH "adapter.yaml"
#define SEG_CONFIG_DEFAULT_DAEMON_ADDR	     SEG_DAEMON_DEFAULT_ADDR
#define SEG_CONFIG_DEFAULT_CONTROL_SOCKET    "/run/seg/seg.sock"

struct seg_config_pathing {
	uint64_t keep_alive_interval;	      /* ns between keep-alive probes */
	uint64_t keep_alive_timeout;	      /* ns of silence before a path counts as dead,
					       * or SEG_CONFIG_KEEP_ALIVE_TIMEOUT_AUTO */
	uint64_t keep_alive_timeout_interval; /* ns between checks of that timeout */
	uint64_t migrate_grace_timeout;	      /* ns of grace after a path switch */
};

struct seg_config_remote {
	struct scion_udp_addr address; /* port defaults to our own address' port */
	bool has_rendezvous;
	scion_ia_t rendezvous; /* rendezvousAddr: AS for hidden paths */
	char *description;     /* never NULL; "" when absent */
	bool allow_any_subnet; /* allowedSubnets absent or "any" (the original's behaviour) */
	struct cidr *allowed_subnets;
	size_t allowed_subnets_len;
};

struct seg_config {
	struct scion_udp_addr address; /* where this gateway listens */
	char *adapter_conf_path;       /* as written: relative to the working directory */
	struct seg_config_remote *remotes;
	size_t remotes_len;
	struct seg_config_pathing pathing;
	char *daemon_addr;    /* SCION daemon gRPC "host:port" */
	char *control_socket; /* unix socket path for seg status/paths/ping */
	char *metrics_addr;   /* "host:port", or "" for no metrics endpoint */
	enum seg_path_policy path_policy;
	bool redundant; /* send each packet on the two best disjoint paths */
	enum seg_config_cipher cipher;
	bool has_psk;
	uint8_t psk[SEG_CONFIG_PSK_LEN]; /* wiped by seg_config_free */
};

/* Parses conf.yaml held in memory; name is used in error messages. On success *out owns a
 * new configuration (seg_config_free); on failure *out is NULL and err says why. */
__attribute__((warn_unused_result)) int seg_config_parse(const char *name, const uint8_t *buf,
							 size_t len, struct seg_config **out,
							 char *err, size_t errlen);
/* Reads and parses a file (at most SEG_CONFIG_FILE_MAX bytes). */
__attribute__((warn_unused_result)) int seg_config_load(const char *path, struct seg_config **out,
							char *err, size_t errlen);
/* Frees and wipes; NULL is a no-op. */
void seg_config_free(struct seg_config *c);

enum seg_config_print_flags {
	/* Print the pre-shared key itself instead of "(hidden)" (round-trip tests only). */
	SEG_CONFIG_PRINT_SECRETS = 1 << 0,
};

/* Writes the canonical form: every key, defaults included, in a fixed order, values
 * normalised. Parsing it again gives an equal configuration (with the secrets flag). */
void seg_config_print(FILE *f, const struct seg_config *c);
void seg_config_fprint(FILE *f, const struct seg_config *c, unsigned flags);
bool seg_config_equal(const struct seg_config *a, const struct seg_config *b);

const char *seg_path_policy_name(enum seg_path_policy p);
const char *seg_cipher_name(enum seg_config_cipher c);

#endif /* SEG_CONFIG_CONFIG_H */
