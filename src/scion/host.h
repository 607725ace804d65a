/* SPDX-License-Identifier: MIT */
/*
 * Internal: the wire codec of one host address of the SCION address header, shared by the
 * header codec (header.c) and the pseudo-header checksum (checksum.c).
 */
#ifndef SEG_SCION_HOST_H
#define SEG_SCION_HOST_H

#include <seg/scion_addr.h>

#include "base/cursor.h"

/* DT/DL (or ST/SL) codes of a host type; false for a value outside enum scion_host_type. */
bool scion_host_codes(const struct scion_host *h, uint8_t *type_code, uint8_t *len_code);
/* Reads a host of the given DT/DL codes; SCION_PKT_ERR_ADDR_TYPE or _TRUNCATED on failure. */
SEG_MUST_CHECK int scion_host_read(struct rcursor *c, uint8_t type_code, uint8_t len_code,
				   struct scion_host *out);
/* Writes the wire form (SVC padded with zeros) into out; returns its length (0: bad type). */
size_t scion_host_write(const struct scion_host *h, uint8_t out[16]);

#endif /* SEG_SCION_HOST_H */
