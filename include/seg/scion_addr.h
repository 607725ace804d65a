/* SPDX-License-Identifier: MIT */
/**
 * @file scion_addr.h
 * @brief SCION ISD-AS numbers, host addresses and SCION UDP addresses: parsing and formatting.
 *
 * Forms accepted, as scionproto's `addr` package accepts them:
 *  - ISD-AS: `1-ff00:0:110` (AS as three 16-bit hex groups), `1-64512` (decimal BGP AS,
 *    0..2^32-1), `0-0` (wildcard). ISD is decimal 0..65535.
 *  - SCION UDP address: `1-ff00:0:110,127.0.0.1:31000`, `[1-ff00:0:110,::1]:31000`, and
 *    `[1-ff00:0:110,127.0.0.1]:31000`.
 *
 * Thread: any; all functions are pure.
 */
#ifndef SEG_SCION_ADDR_H
#define SEG_SCION_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SEG_MUST_CHECK __attribute__((warn_unused_result))

/** An ISD-AS: ISD in the top 16 bits, AS number in the low 48 bits (wire order). */
typedef uint64_t scion_ia_t;

enum {
	SCION_ISD_BITS = 16,
	SCION_AS_BITS = 48,
	/** Largest AS number written in decimal (BGP-compatible); larger ones use hex groups. */
	SCION_AS_MAX_BGP = 0xffffffffu,
	/** Enough for "65535-ffff:ffff:ffff" and a NUL. */
	SCION_IA_STRLEN = 24,
	/** Enough for "[65535-ffff:ffff:ffff,ffff:...:ffff]:65535" and a NUL. */
	SCION_UDP_ADDR_STRLEN = 80,
};

/** Builds an ISD-AS from its parts (AS truncated to 48 bits); scion_ia_isd() and
 *  scion_ia_as() take it apart again. */
static inline scion_ia_t scion_ia_make(uint16_t isd, uint64_t as)
{
	return (uint64_t)isd << SCION_AS_BITS | (as & ((1ull << SCION_AS_BITS) - 1));
}
static inline uint16_t scion_ia_isd(scion_ia_t ia)
{
	return (uint16_t)(ia >> SCION_AS_BITS);
}
static inline uint64_t scion_ia_as(scion_ia_t ia)
{
	return ia & ((1ull << SCION_AS_BITS) - 1);
}

/** Why a parse failed; negative, so it can be returned as an error. */
enum scion_addr_err {
	SCION_ADDR_OK = 0,
	SCION_ADDR_ERR_EMPTY = -1,     /**< empty input */
	SCION_ADDR_ERR_ISD = -2,       /**< ISD missing, not decimal or > 65535 */
	SCION_ADDR_ERR_SEPARATOR = -3, /**< no '-' between ISD and AS */
	SCION_ADDR_ERR_AS = -4,	       /**< AS malformed or out of range */
	SCION_ADDR_ERR_HOST = -5,      /**< host IP malformed */
	SCION_ADDR_ERR_PORT = -6,      /**< port missing, not decimal or > 65535 */
	SCION_ADDR_ERR_SYNTAX = -7,    /**< brackets, comma or trailing characters */
	SCION_ADDR_ERR_SPACE = -8,     /**< output buffer too small */
};

/** Host address types of the SCION address header (DT/DL). */
enum scion_host_type {
	SCION_HOST_IPV4 = 0, /**< DT=0, DL=0: 4 bytes */
	SCION_HOST_IPV6 = 1, /**< DT=0, DL=3: 16 bytes */
	SCION_HOST_SVC = 2,  /**< DT=1, DL=0: 2-byte service address + 2 bytes padding */
};

/** A host address. IPv4 uses ip[0..3]; SVC keeps its 16-bit value in svc. */
struct scion_host {
	enum scion_host_type type;
	uint8_t ip[16];
	uint16_t svc;
};

/** A SCION endhost address: ISD-AS plus host. */
struct scion_addr {
	scion_ia_t ia;
	struct scion_host host;
};

/** A SCION UDP endpoint. */
struct scion_udp_addr {
	struct scion_addr addr;
	uint16_t port;
};

/** Parses an ISD-AS of exactly len bytes (no NUL needed). */
SEG_MUST_CHECK int scion_ia_parse(const char *s, size_t len, scion_ia_t *out);
/** Parses an AS number alone (`ff00:0:110` or `64512`). */
SEG_MUST_CHECK int scion_as_parse(const char *s, size_t len, uint64_t *out);
/** Formats as the reference does: decimal up to SCION_AS_MAX_BGP, else hex groups. */
SEG_MUST_CHECK int scion_ia_format(scion_ia_t ia, char *buf, size_t cap);
SEG_MUST_CHECK int scion_as_format(uint64_t as, char *buf, size_t cap);

/** Parses `IA,IP:port`, `[IA,IP]:port` (IPv4 or IPv6) from a NUL-terminated string. */
SEG_MUST_CHECK int scion_udp_addr_parse(const char *s, struct scion_udp_addr *out);
/** Parses `IA,IP` (no port) from a NUL-terminated string. */
SEG_MUST_CHECK int scion_addr_parse(const char *s, struct scion_addr *out);
/** Formats `IA,IPv4:port` or `[IA,IPv6]:port`. */
SEG_MUST_CHECK int scion_udp_addr_format(const struct scion_udp_addr *a, char *buf, size_t cap);
SEG_MUST_CHECK int scion_addr_format(const struct scion_addr *a, char *buf, size_t cap);

/** Host address helpers. */
void scion_host_from_ipv4(struct scion_host *h, const uint8_t ip[4]);
void scion_host_from_ipv6(struct scion_host *h, const uint8_t ip[16]);
/** Wire length of a host address in the SCION address header (4 or 16). */
size_t scion_host_len(const struct scion_host *h);
bool scion_host_equal(const struct scion_host *a, const struct scion_host *b);
bool scion_addr_equal(const struct scion_addr *a, const struct scion_addr *b);

/** A static English description of an enum scion_addr_err value. */
const char *scion_addr_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SCION_ADDR_H */
