/* SPDX-License-Identifier: MIT */
/*
 * The UDP service adapter's configuration file (docs/udp-adapter.md), named by conf.yaml's
 * adapterConfPath like the IP adapter's adapter.yaml. The file says which adapter it is for
 * with `type: udp`; a file without that key is the IP adapter's (the original's files keep
 * working unchanged). seg_udp_adapter_config_is_udp() makes that choice.
 *
 *   type: udp
 *   services:                          # what this gateway exposes
 *     - name: echo                     # [A-Za-z0-9._-], 1..32 bytes
 *       address: 127.0.0.1:7           # the local UDP service
 *       allowedPeers: any              # or a list of gateways "1-ff00:0:111,127.0.0.1"
 *   forwards:                          # what this gateway reaches
 *     - listen: 127.0.0.1:10007        # local clients send here
 *       peer: 1-ff00:0:110,127.0.0.1   # the gateway exposing the service (a remote)
 *       service: echo
 *   flowIdleTimeout: 60s               # a flow without datagrams this long is forgotten
 *   maxFlows: 1024                     # per side; the least recently used one goes
 *
 * Thread: any; parsing has no global state.
 */
#ifndef SEG_CONFIG_UDP_ADAPTER_CONFIG_H
#define SEG_CONFIG_UDP_ADAPTER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "base/time.h"

#include "config/config_err.h"
#include "seg/scion_addr.h"

enum {
	SEG_UDP_NAME_MAX = 32,
	SEG_UDP_SERVICES_MAX = 64,
	SEG_UDP_FORWARDS_MAX = 64,
	SEG_UDP_PEERS_MAX = 64, /* allowedPeers per service */
	SEG_UDP_DEFAULT_MAX_FLOWS = 1024,
	SEG_UDP_MAX_FLOWS = 65535,
};

#define SEG_UDP_DEFAULT_FLOW_IDLE_TIMEOUT SEG_SEC(60)

struct seg_udp_sockaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct seg_udp_service {
	char name[SEG_UDP_NAME_MAX + 1];
	struct seg_udp_sockaddr address;
	bool allow_any; /* allowedPeers absent or "any" */
	struct scion_addr allowed[SEG_UDP_PEERS_MAX];
	size_t allowed_len;
};

struct seg_udp_forward {
	struct seg_udp_sockaddr listen;
	struct scion_addr peer;
	char service[SEG_UDP_NAME_MAX + 1];
};

struct seg_udp_adapter_config {
	struct seg_udp_service services[SEG_UDP_SERVICES_MAX];
	size_t services_len;
	struct seg_udp_forward forwards[SEG_UDP_FORWARDS_MAX];
	size_t forwards_len;
	uint64_t flow_idle_ns;
	uint32_t max_flows;
};

/* True when buf is a YAML mapping whose key "type" is "udp". */
bool seg_udp_adapter_config_is_udp(const uint8_t *buf, size_t len);

/* As seg_config_parse (config.h). */
__attribute__((warn_unused_result)) int
seg_udp_adapter_config_parse(const char *name, const uint8_t *buf, size_t len,
			     struct seg_udp_adapter_config **out, char *err, size_t errlen);
void seg_udp_adapter_config_free(struct seg_udp_adapter_config *c);

/* "127.0.0.1:7", "[::1]:7"; port 1..65535. 0 or -1. */
__attribute__((warn_unused_result)) int seg_udp_sockaddr_parse(const char *s,
							       struct seg_udp_sockaddr *out);

#endif /* SEG_CONFIG_UDP_ADAPTER_CONFIG_H */
