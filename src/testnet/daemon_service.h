/* SPDX-License-Identifier: MIT */
/*
 * The answers of one seg-testnet AS's SCION daemon (include/seg/daemon.h server ops), with a
 * struct netrun_as_rt as ctx:
 *
 *  - Paths: the combinator over the current segment set; hidden segments only when the
 *    request says hidden; paths over revoked links left out; next hop = the AS's router
 *    internal address. src == dst: one empty path, next hop empty (the endhost sends to
 *    the destination host directly, as with the reference daemon). A source other than the
 *    local AS is INVALID_ARGUMENT; an unknown destination gets no paths.
 *  - AS: the local AS for ia 0, any AS of the topology by its IA (the reference answers
 *    MTU 0 for remote ASes; ours knows them all).
 *  - Interfaces: every interface of the AS, each with the router's internal address.
 *  - PortRange: NETRUN_PORT_MIN..NETRUN_PORT_MAX.
 *  - DRKey: keys whose fast side A = src_ia, derived from A's secret value as the reference
 *    control service derives them (predefined protocols 0 and 1: protocol-specific
 *    derivation from SV^p; others: generic derivation from SV^0 with p in the input).
 *    Requests are answered only where the reference's control service answers them:
 *    HostAS when src_ia is this AS, ASHost when dst_ia is, HostHost when either is. The
 *    reference also checks that the requesting host is the key's host; the daemon API
 *    gives the ops no peer address, so the testnet does not (docs/testnet.md).
 *
 * Thread: the ops run on the AS's daemon server thread; they read the segment set by
 * reference (netrun_segs_get) and the immutable AS table.
 */
#ifndef SEG_TESTNET_DAEMON_SERVICE_H
#define SEG_TESTNET_DAEMON_SERVICE_H

#include <seg/daemon.h>

extern const struct seg_daemon_service_ops daemon_service_ops;

#endif /* SEG_TESTNET_DAEMON_SERVICE_H */
