/* SPDX-License-Identifier: MIT */
/*
 * Text forms of addresses in the daemon API: underlay UDP addresses ("192.0.2.1:30042",
 * "[2001:db8::1]:30042", proto.daemon.v1.Underlay.address) and DRKey host addresses
 * ("192.0.2.1", "2001:db8::1", the *_host strings). Strict: IP literals only, no host
 * names, no zones, decimal ports without sign or leading zeros. Pure functions.
 */
#ifndef SEG_DAEMON_UNDERLAY_H
#define SEG_DAEMON_UNDERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include <seg/scion_addr.h>

/* Parses an underlay address; port 0 only with allow_port0 (a server asking for any port). */
SEG_MUST_CHECK int daemon_underlay_parse(const char *s, struct sockaddr_storage *out,
					 bool allow_port0);
bool daemon_underlay_is_loopback(const struct sockaddr_storage *a);

/* DRKey host text <-> struct scion_host (IPv4 and IPv6 only). 0 or SEG_DAEMON_ERR_HOST. */
SEG_MUST_CHECK int daemon_host_parse(const char *s, struct scion_host *out);
SEG_MUST_CHECK int daemon_host_format(const struct scion_host *h, char *buf, size_t cap);

#endif /* SEG_DAEMON_UNDERLAY_H */
