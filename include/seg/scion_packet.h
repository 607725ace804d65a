/* SPDX-License-Identifier: MIT */
/**
 * @file scion_packet.h
 * @brief The SCION packet: common header, address header, extensions, SCION/UDP and SCMP.
 *
 * Wire format per scionproto `doc/protocols/scion-header.rst`, `extension-header.rst` and
 * `scmp.rst`. Decoding is zero-copy: decoded structs point into the caller's buffer, which
 * must outlive them. Every length field is checked against the bytes actually present.
 * Encoders write into a caller buffer and fail with SCION_PKT_ERR_SPACE when it is short.
 *
 * Thread: any; all functions are pure.
 */
#ifndef SEG_SCION_PACKET_H
#define SEG_SCION_PACKET_H

#include <seg/scion_addr.h>
#include <seg/scion_path.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
	SCION_VERSION = 0,
	SCION_COMMON_HDR_LEN = 12,
	/** DstISD-AS and SrcISD-AS. */
	SCION_ADDR_IA_LEN = 16,
	/** HdrLen counts 4-byte units in 8 bits. */
	SCION_HDR_LEN_UNIT = 4,
	SCION_MAX_HDR_LEN = 255 * SCION_HDR_LEN_UNIT,
	SCION_UDP_HDR_LEN = 8,
	SCION_SCMP_HDR_LEN = 4,
	/** An SCMP error packet (SCION header + SCMP + quote) never exceeds this (scmp.rst). */
	SCMP_MAX_PACKET_LEN = 1232,
};

/** Values of NextHdr (scionproto assigned protocol numbers). */
enum scion_proto {
	SCION_PROTO_TCP = 6,
	SCION_PROTO_UDP = 17,
	SCION_PROTO_HBH = 200,
	SCION_PROTO_E2E = 201,
	SCION_PROTO_SCMP = 202,
	SCION_PROTO_BFD = 203,
	SCION_PROTO_EXPERIMENTAL1 = 253,
	SCION_PROTO_EXPERIMENTAL2 = 254,
};

enum scion_path_type {
	SCION_PATH_TYPE_EMPTY = 0,
	SCION_PATH_TYPE_SCION = 1,
	SCION_PATH_TYPE_ONEHOP = 2,
	SCION_PATH_TYPE_EPIC = 3,
	SCION_PATH_TYPE_COLIBRI = 4,
};

/** Why a packet decode or encode failed. */
enum scion_pkt_err {
	SCION_PKT_OK = 0,
	SCION_PKT_ERR_TRUNCATED = -40,	 /**< buffer shorter than a fixed header part */
	SCION_PKT_ERR_VERSION = -41,	 /**< version is not 0 */
	SCION_PKT_ERR_HDR_LEN = -42,	 /**< HdrLen below the address header or past the buffer */
	SCION_PKT_ERR_PAYLOAD_LEN = -43, /**< PayloadLen disagrees with the packet length */
	SCION_PKT_ERR_ADDR_TYPE = -44,	 /**< unsupported DT/DL combination */
	SCION_PKT_ERR_PATH_TYPE = -45,	 /**< unknown or unsupported path type */
	SCION_PKT_ERR_PATH = -46,	 /**< the path itself is malformed (see scion_path_err) */
	SCION_PKT_ERR_EXT = -47,	 /**< extension header length past its bounds or repeated */
	SCION_PKT_ERR_L4_LEN = -48,	 /**< UDP/SCMP length field disagrees with the bytes */
	SCION_PKT_ERR_CHECKSUM = -49,	 /**< UDP/SCMP checksum wrong */
	SCION_PKT_ERR_SCMP_TYPE = -50,	 /**< SCMP type this stack does not decode */
	SCION_PKT_ERR_SPACE = -51,	 /**< output buffer too small */
	SCION_PKT_ERR_INVALID = -52,	 /**< caller passed inconsistent values to an encoder */
};

/**
 * Common and address header. On decode, path points into the buffer; on encode, path and
 * path_len give the raw path bytes to write (or use scion_std_path_encode first).
 */
struct scion_header {
	uint8_t version;
	uint8_t traffic_class;
	uint32_t flow_id; /**< 20 bits */
	uint8_t next_hdr;
	uint16_t payload_len; /**< bytes after the SCION header (extensions + L4) */
	uint8_t path_type;
	struct scion_addr dst;
	struct scion_addr src;
	const uint8_t *path;
	size_t path_len;
};

/** A hop-by-hop or end-to-end extension header: its options area, unparsed. */
struct scion_ext {
	bool present;
	uint8_t next_hdr;
	const uint8_t *options; /**< after NextHdr and ExtLen */
	size_t options_len;
};

/** A whole decoded packet: header, extensions, then the upper-layer (L4) bytes. */
struct scion_packet {
	struct scion_header hdr;
	size_t hdr_len; /**< common + address + path = HdrLen * 4 */
	struct scion_ext hbh;
	struct scion_ext e2e;
	uint8_t l4_proto;  /**< NextHdr after the extensions */
	const uint8_t *l4; /**< the upper-layer header and payload */
	size_t l4_len;
};

/**
 * Decodes a whole packet of exactly len bytes (HdrLen * 4 + PayloadLen must equal len).
 * Checks version, address types, HdrLen, PayloadLen, the path's meta header (SCION: segment
 * lengths, hop count, CurrINF/CurrHF; one-hop: its fixed length; empty: no bytes) and the
 * extension chain. Hop and info fields are not decoded (use scion_std_path_decode or the
 * offsets in scion_path.h). Reserved bits and SVC padding are ignored. No allocation.
 */
SEG_MUST_CHECK int scion_packet_decode(const uint8_t *buf, size_t len, struct scion_packet *out);
/**
 * Writes header, extensions and l4 bytes; PayloadLen and HdrLen are computed, and so is the
 * NextHdr chain (hdr.next_hdr and the extensions' next_hdr are derived from which extensions
 * are present and from l4_proto, which must not be an extension number).
 */
SEG_MUST_CHECK int scion_packet_encode(const struct scion_packet *p, uint8_t *buf, size_t cap,
				       size_t *written);
/** Writes common + address header + path only, with PayloadLen = payload_len. */
SEG_MUST_CHECK int scion_header_encode(const struct scion_header *h, size_t payload_len,
				       uint8_t *buf, size_t cap, size_t *written);
/** Bytes the encoded common + address header + path takes. */
size_t scion_header_len(const struct scion_header *h);

/** SCION/UDP. */
struct scion_udp {
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t length; /**< header + payload */
	uint16_t checksum;
	const uint8_t *payload;
	size_t payload_len;
};

/** Decodes the UDP header; with verify_checksum, checks it against the SCION pseudo header. */
SEG_MUST_CHECK int scion_udp_decode(const struct scion_header *h, const uint8_t *l4, size_t len,
				    bool verify_checksum, struct scion_udp *out);
/**
 * Writes a UDP header and payload with the checksum over the SCION pseudo header. payload may
 * already sit at buf + SCION_UDP_HDR_LEN (zero copy) or anywhere else in buf.
 */
SEG_MUST_CHECK int scion_udp_encode(const struct scion_header *h, uint16_t src_port,
				    uint16_t dst_port, const uint8_t *payload, size_t payload_len,
				    uint8_t *buf, size_t cap, size_t *written);
/** The upper-layer checksum (RFC 1071 over pseudo header + l4, checksum field as stored). */
uint16_t scion_l4_checksum(const struct scion_header *h, uint8_t proto, const uint8_t *l4,
			   size_t len);

/**
 * Builds a whole SCION/UDP packet in one call: h's common, address header and path (its
 * next_hdr and payload_len are ignored: UDP and the computed length are written), then UDP
 * with its checksum. payload may already sit at its final place in buf (at
 * scion_header_len(h) + SCION_UDP_HDR_LEN) to avoid a copy. No allocation.
 */
SEG_MUST_CHECK int scion_udp_packet_build(const struct scion_header *h, uint16_t src_port,
					  uint16_t dst_port, const uint8_t *payload,
					  size_t payload_len, uint8_t *buf, size_t cap,
					  size_t *written);

/** SCMP types (scmp.rst). */
enum scmp_type {
	SCMP_DEST_UNREACHABLE = 1,
	SCMP_PACKET_TOO_BIG = 2,
	SCMP_PARAMETER_PROBLEM = 4,
	SCMP_EXTERNAL_INTERFACE_DOWN = 5,
	SCMP_INTERNAL_CONNECTIVITY_DOWN = 6,
	SCMP_ECHO_REQUEST = 128,
	SCMP_ECHO_REPLY = 129,
	SCMP_TRACEROUTE_REQUEST = 130,
	SCMP_TRACEROUTE_REPLY = 131,
};

/**
 * A decoded SCMP message. data is echo data or the quoted offending packet. Reserved and
 * unused InfoBlock bytes are ignored on decode and written as zero.
 */
struct scmp_msg {
	uint8_t type;
	uint8_t code;
	uint16_t checksum;
	union {
		struct {
			uint16_t id, seq;
		} echo;
		struct {
			uint16_t id, seq;
			scion_ia_t ia;
			uint64_t ifid;
		} traceroute;
		struct {
			uint16_t mtu;
		} too_big;
		struct {
			uint16_t pointer;
		} param;
		struct {
			scion_ia_t ia;
			uint64_t ifid;
		} ext_down;
		struct {
			scion_ia_t ia;
			uint64_t ingress, egress;
		} int_down;
	} u;
	const uint8_t *data;
	size_t data_len;
};

/**
 * Decodes an SCMP message of exactly len bytes. For a type this stack does not know it
 * returns SCION_PKT_ERR_SCMP_TYPE but still fills type, code, checksum and data (all bytes
 * after the 4-byte header), so that an endhost can apply scmp.rst's rule for unknown errors.
 */
SEG_MUST_CHECK int scmp_decode(const struct scion_header *h, const uint8_t *l4, size_t len,
			       bool verify_checksum, struct scmp_msg *out);
/** Writes an SCMP message with its checksum; quotes data (truncated by the caller). */
SEG_MUST_CHECK int scmp_encode(const struct scion_header *h, const struct scmp_msg *m, uint8_t *buf,
			       size_t cap, size_t *written);
/** True for SCMP error types (below 128, scmp.rst), false for informational ones. */
bool scmp_is_error(uint8_t type);
/** Length of the InfoBlock of a known SCMP type (after the 4-byte header), or 0 if unknown. */
size_t scmp_info_len(uint8_t type);
/**
 * Builds a whole SCION/SCMP packet in one call (h as for scion_udp_packet_build). For error
 * types the quoted data is cut so that the packet does not exceed SCMP_MAX_PACKET_LEN.
 */
SEG_MUST_CHECK int scion_scmp_packet_build(const struct scion_header *h, const struct scmp_msg *m,
					   uint8_t *buf, size_t cap, size_t *written);

/** A static English description of an enum scion_pkt_err value. */
const char *scion_pkt_strerror(int err);

#ifdef __cplusplus
}
#endif
#endif /* SEG_SCION_PACKET_H */
