/* SPDX-License-Identifier: MIT */
/*
 * The UDP service adapter's wire formats (docs/udp-adapter.md), all big-endian:
 *
 * Data, through seg_peer_send_data (one datagram per seg data packet):
 *   u8  adapter  UDPA_MSG_ADAPTER ('U'); the IP adapter uses 'I'
 *   u8  type     UDPA_TYPE_TO_SERVICE (client → exposed service) or UDPA_TYPE_TO_CLIENT
 *                (the service's reply)
 *   u16 service  the id the exposing gateway gave the service
 *   u32 flow     chosen by the forwarding gateway per local client; echoed in replies
 *   ... payload  the UDP datagram's payload (may be empty)
 *
 * Control, through seg_peer_send_ctrl: the services a gateway exposes to that peer, sent on
 * every peer_up; it replaces the previous list.
 *   u8  adapter  'U'
 *   u8  type     UDPA_TYPE_SERVICES
 *   u8  version  UDPA_VERSION (1)
 *   u8  count    0..UDPA_SERVICES_MAX
 *   count times: u16 id (non-zero, distinct), u8 name length (1..UDPA_NAME_MAX), name
 *                ([A-Za-z0-9._-], distinct)
 *
 * Decoders are strict and pure.
 *
 * Thread: any; pure.
 */
#ifndef SEG_ADAPTERS_UDP_UDP_FRAME_H
#define SEG_ADAPTERS_UDP_UDP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "seg/adapter.h"

enum {
	UDPA_MSG_ADAPTER = 0x55, /* 'U' */
	UDPA_TYPE_TO_SERVICE = 1,
	UDPA_TYPE_TO_CLIENT = 2,
	UDPA_TYPE_SERVICES = 3,
	UDPA_VERSION = 1,
	UDPA_DATA_HDR_LEN = 8,
	UDPA_PAYLOAD_MAX = SEG_DATA_MAX - UDPA_DATA_HDR_LEN,
	UDPA_NAME_MAX = 32,
	UDPA_SERVICES_MAX = 64,
	UDPA_SERVICES_MSG_MAX = 4 + UDPA_SERVICES_MAX * (3 + UDPA_NAME_MAX),
};

enum udpa_frame_err {
	UDPA_OK = 0,
	UDPA_ERR_OTHER_ADAPTER = -1, /* not a UDP adapter message: not ours */
	UDPA_ERR_SHORT = -2,
	UDPA_ERR_TYPE = -3, /* unknown type (or a data type where control is due) */
	UDPA_ERR_VERSION = -4,
	UDPA_ERR_COUNT = -5,
	UDPA_ERR_ID = -6,   /* service id 0 or repeated */
	UDPA_ERR_NAME = -7, /* empty, too long, bad characters, or repeated */
	UDPA_ERR_TRAILING = -8,
	UDPA_ERR_SPACE = -9, /* encode: buffer too small / payload too large */
};

struct udpa_data {
	uint8_t type; /* UDPA_TYPE_TO_SERVICE or UDPA_TYPE_TO_CLIENT */
	uint16_t service;
	uint32_t flow;
	const uint8_t *payload; /* points into the decoded buffer */
	size_t payload_len;
};

struct udpa_service_entry {
	uint16_t id;
	char name[UDPA_NAME_MAX + 1];
};

/* Writes the 8-byte header and copies the payload; *out_len gets the frame length. */
SEG_MUST_CHECK int udpa_data_encode(const struct udpa_data *d, uint8_t *out, size_t cap,
				    size_t *out_len);
SEG_MUST_CHECK int udpa_data_decode(const uint8_t *buf, size_t len, struct udpa_data *out);

SEG_MUST_CHECK int udpa_services_encode(const struct udpa_service_entry *s, size_t n, uint8_t *out,
					size_t cap, size_t *out_len);
/* out needs UDPA_SERVICES_MAX entries. */
SEG_MUST_CHECK int udpa_services_decode(const uint8_t *buf, size_t len,
					struct udpa_service_entry *out, size_t *n);

/* A service name: 1..UDPA_NAME_MAX bytes of [A-Za-z0-9._-]. */
bool udpa_name_valid(const char *name, size_t len);

const char *udpa_strerror(int err);

#endif /* SEG_ADAPTERS_UDP_UDP_FRAME_H */
