/* SPDX-License-Identifier: MIT */
/*
 * Path probes inside the session (docs/path-management.md "Probing and liveness"). After the
 * inner type byte (SEG_INNER_PROBE or SEG_INNER_PROBE_REPLY):
 *
 *   u64 seq        the prober's sequence number for pathmgr_probe_sent / _reply
 *   u32 path id    the prober's path id (opaque to the answering side)
 *   u64 timestamp  the prober's monotonic ns at sending (opaque to the answering side)
 *
 * A reply copies the probe's body and goes back on the reversed path of the probe, to the
 * underlay address the probe came from, so it follows the probed path whatever the
 * answering side's own active path is.
 *
 * Thread: control thread.
 */
#ifndef SEG_GATEWAY_PROBE_H
#define SEG_GATEWAY_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <seg/scion_packet.h>

enum { PROBE_BODY_LEN = 8 + 4 + 8 };

struct seg_peer;

/* The t_probe timer: sends due probes, ticks the path manager, logs its events. */
void probe_run(struct seg_peer *p);
/* A probe arrived (authenticated) in pkt from UDP port peer_port, underlay address from:
 * answer it. */
void probe_receive(struct seg_peer *p, const struct scion_packet *pkt, uint16_t peer_port,
		   const struct sockaddr_storage *from, const uint8_t *body, size_t len);
/* A probe reply arrived (authenticated). */
void probe_reply_receive(struct seg_peer *p, const uint8_t *body, size_t len);

#endif /* SEG_GATEWAY_PROBE_H */
