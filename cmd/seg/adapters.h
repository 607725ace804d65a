/* SPDX-License-Identifier: MIT */
/*
 * The adapter `seg run` attaches to its gateway, chosen by the file conf.yaml's
 * adapterConfPath names: a file with `type: udp` is the UDP service adapter's
 * (docs/udp-adapter.md), any other the IP adapter's adapter.yaml (docs/ip-adapter.md), as in
 * the original. Without that file at the default path (adapter.yaml) the gateway runs
 * without an adapter, with a warning; a path given explicitly must exist.
 *
 * Order (run.c): adapters_create after gateway_new and before gateway_run; adapters_stop
 * (the adapters' own threads) before gateway_free, which may still call peer_down;
 * adapters_free after it.
 *
 * Thread: the control thread.
 */
#ifndef SEG_CMD_ADAPTERS_H
#define SEG_CMD_ADAPTERS_H

#include <stddef.h>

struct evloop;
struct gateway;
struct seg_config;
struct seg_adapters;

/* 0, or -1 with a message in err. *out may be NULL afterwards (no adapter). */
int adapters_create(struct gateway *gw, struct evloop *loop, const struct seg_config *cfg,
		    struct seg_adapters **out, char *err, size_t errlen);
void adapters_stop(struct seg_adapters *a);
void adapters_free(struct seg_adapters *a);

#endif /* SEG_CMD_ADAPTERS_H */
