/* SPDX-License-Identifier: MIT */
/*
 * Every SCION wire constant and limit that the public headers (seg/scion_packet.h,
 * seg/scion_path.h) do not already name: bit layouts of the common header, host address
 * type codes, flag bits of info and hop fields, extension header limits, SCMP info block
 * sizes. Sources: scionproto doc/protocols/scion-header.rst, extension-header.rst, scmp.rst,
 * and where prose and code differ, the reference code (noted beside the value).
 */
#ifndef SEG_SCION_CONSTS_H
#define SEG_SCION_CONSTS_H

#include <seg/scion_packet.h>
#include <seg/scion_path.h>

/* Common header, first word: Version(4) TrafficClass(8) FlowID(20). */
enum scion_common_layout {
	SCION_VERSION_SHIFT = 28,
	SCION_VERSION_MASK = 0xf,
	SCION_TC_SHIFT = 20,
	SCION_TC_MASK = 0xff,
	SCION_FLOW_ID_MASK = 0xfffff,
	/* Byte 9: DT(2) DL(2) ST(2) SL(2). */
	SCION_DT_SHIFT = 6,
	SCION_DL_SHIFT = 4,
	SCION_ST_SHIFT = 2,
	SCION_SL_SHIFT = 0,
	SCION_ADDR_CODE_MASK = 0x3,
	/* Bytes 10-11: RSV, written as zero, ignored on receipt as the reference does. */
	SCION_COMMON_RSV_LEN = 2,
	/* Offsets of fields that the router rewrites in place. */
	SCION_OFF_NEXT_HDR = 4,
	SCION_OFF_HDR_LEN = 5,
	SCION_OFF_PAYLOAD_LEN = 6,
	SCION_OFF_PATH_TYPE = 8,
	SCION_OFF_ADDR_CODES = 9,
	SCION_OFF_ADDR_HDR = SCION_COMMON_HDR_LEN,
	/* Largest payload PayloadLen can express. */
	SCION_MAX_PAYLOAD_LEN = 0xffff,
};

/*
 * Host address type (DT/ST) and length (DL/SL) codes. A host address is (DL + 1) * 4 bytes.
 * Only the combinations below are defined (scion-header.rst, reference slayers): any other
 * is rejected with SCION_PKT_ERR_ADDR_TYPE.
 */
enum scion_addr_code {
	SCION_ADDR_T_IP = 0,  /* DT for IPv4 (DL 0) and IPv6 (DL 3) */
	SCION_ADDR_T_SVC = 1, /* DT for a service address (DL 0) */
	SCION_ADDR_L_4 = 0,   /* 4 bytes */
	SCION_ADDR_L_16 = 3,  /* 16 bytes */
	SCION_HOST_IPV4_LEN = 4,
	SCION_HOST_IPV6_LEN = 16,
	SCION_HOST_SVC_LEN = 2,	     /* the service value itself ... */
	SCION_HOST_SVC_WIRE_LEN = 4, /* ... padded with two zero bytes on the wire */
	SCION_HOST_MAX_LEN = 16,
};

/* Service addresses (reference pkg/addr/svc.go). The top bit selects multicast. */
enum scion_svc {
	SCION_SVC_DS = 0x0001,
	SCION_SVC_CS = 0x0002,
	SCION_SVC_WILDCARD = 0x0010,
	SCION_SVC_NONE = 0xffff,
	SCION_SVC_MULTICAST = 0x8000,
};

/* Path meta header: CurrINF(2) CurrHF(6) RSV(6) Seg0Len(6) Seg1Len(6) Seg2Len(6). */
enum scion_meta_layout {
	SCION_META_CURR_INF_SHIFT = 30,
	SCION_META_CURR_INF_MASK = 0x3,
	SCION_META_CURR_HF_SHIFT = 24,
	SCION_META_CURR_HF_MASK = 0x3f,
	SCION_META_SEG_LEN_MASK = 0x3f,
	SCION_META_SEG0_SHIFT = 12,
	SCION_META_SEG1_SHIFT = 6,
	SCION_META_SEG2_SHIFT = 0,
	/* RSV bits: ignored on decode, zero on encode (reference MetaHdr). */
	SCION_META_RSV_MASK = 0x00fc0000u,
};

/*
 * Info field: flags(8) RSV(8) SegID(16) Timestamp(32); flags r r r r r r P C.
 * Hop field: flags(8) ExpTime(8) ConsIngress(16) ConsEgress(16) MAC(48); flags r..r I E.
 * Reserved bits are ignored on decode and written as zero, as the reference does.
 */
enum scion_field_flags {
	SCION_INFO_FLAG_CONS_DIR = 0x01,
	SCION_INFO_FLAG_PEER = 0x02,
	SCION_INFO_FLAGS_RSV = 0xfc,
	SCION_HOP_FLAG_EGRESS_ALERT = 0x01,
	SCION_HOP_FLAG_INGRESS_ALERT = 0x02,
	SCION_HOP_FLAGS_RSV = 0xfc,
	SCION_INFO_OFF_SEG_ID = 2,
	SCION_INFO_OFF_TIMESTAMP = 4,
	SCION_HOP_OFF_EXP_TIME = 1,
	SCION_HOP_OFF_CONS_INGRESS = 2,
	SCION_HOP_OFF_CONS_EGRESS = 4,
	SCION_HOP_OFF_MAC = 6,
};

/*
 * Extension headers (extension-header.rst): NextHdr(8) ExtLen(8) Options. The prose says
 * the header is 4 * ExtLen bytes; the reference code (slayers/extn.go) and every packet on
 * the wire use (ExtLen + 1) * 4, i.e. ExtLen does not count the first 4-byte line. We follow
 * the code. At most one HBH and one E2E header, HBH first.
 */
enum scion_ext_layout {
	SCION_EXT_FIXED_LEN = 2,
	SCION_EXT_LEN_UNIT = 4,
	SCION_EXT_MAX_LEN = (255 + 1) * SCION_EXT_LEN_UNIT,
	SCION_EXT_MAX_OPTIONS_LEN = SCION_EXT_MAX_LEN - SCION_EXT_FIXED_LEN,
	/* TLV option types every implementation must know. */
	SCION_OPT_PAD1 = 0,
	SCION_OPT_PADN = 1,
	SCION_OPT_AUTHENTICATOR = 2,
};

/* UDP (RFC 768): SrcPort(16) DstPort(16) Length(16) Checksum(16). */
enum scion_udp_layout {
	SCION_UDP_OFF_CHECKSUM = 6,
};

/* SCMP (scmp.rst): Type(8) Code(8) Checksum(16), then a type-specific InfoBlock. */
enum scmp_layout {
	SCMP_OFF_CHECKSUM = 2,
	SCMP_ERROR_TYPE_LIMIT = 128,	    /* types below are errors, from here on informational */
	SCMP_INFO_LEN_DEST_UNREACHABLE = 4, /* unused */
	SCMP_INFO_LEN_PACKET_TOO_BIG = 4,   /* reserved(16) MTU(16) */
	SCMP_INFO_LEN_PARAMETER_PROBLEM = 4, /* reserved(16) Pointer(16) */
	SCMP_INFO_LEN_EXT_IF_DOWN = 16,	     /* ISD-AS(64) IfID(64) */
	SCMP_INFO_LEN_INT_CONN_DOWN = 24,    /* ISD-AS(64) Ingress(64) Egress(64) */
	SCMP_INFO_LEN_ECHO = 4,		     /* Identifier(16) Sequence(16) */
	SCMP_INFO_LEN_TRACEROUTE = 20,	     /* Identifier Sequence ISD-AS(64) IfID(64) */
};

/* SCMP codes (scmp.rst). */
enum scmp_code {
	SCMP_CODE_NO_ROUTE = 0,
	SCMP_CODE_ADMIN_DENIED = 1,
	SCMP_CODE_BEYOND_SCOPE = 2,
	SCMP_CODE_ADDR_UNREACHABLE = 3,
	SCMP_CODE_PORT_UNREACHABLE = 4,
	SCMP_CODE_SOURCE_ADDR_FAILED = 5,
	SCMP_CODE_REJECT_ROUTE = 6,

	SCMP_CODE_ERRONEOUS_HEADER_FIELD = 0,
	SCMP_CODE_UNKNOWN_NEXT_HDR = 1,
	SCMP_CODE_INVALID_COMMON_HEADER = 16,
	SCMP_CODE_UNKNOWN_VERSION = 17,
	SCMP_CODE_FLOW_ID_REQUIRED = 18,
	SCMP_CODE_INVALID_PACKET_SIZE = 19,
	SCMP_CODE_UNKNOWN_PATH_TYPE = 20,
	SCMP_CODE_UNKNOWN_ADDRESS_FORMAT = 21,
	SCMP_CODE_INVALID_ADDRESS_HEADER = 32,
	SCMP_CODE_INVALID_SOURCE_ADDRESS = 33,
	SCMP_CODE_INVALID_DESTINATION_ADDRESS = 34,
	SCMP_CODE_NON_LOCAL_DELIVERY = 35,
	SCMP_CODE_INVALID_PATH = 48,
	SCMP_CODE_UNKNOWN_HOP_FIELD_INGRESS = 49,
	SCMP_CODE_UNKNOWN_HOP_FIELD_EGRESS = 50,
	SCMP_CODE_INVALID_HOP_FIELD_MAC = 51,
	SCMP_CODE_PATH_EXPIRED = 52,
	SCMP_CODE_INVALID_SEGMENT_CHANGE = 53,
	SCMP_CODE_INVALID_EXTENSION_HEADER = 64,
	SCMP_CODE_UNKNOWN_HBH_OPTION = 65,
	SCMP_CODE_UNKNOWN_E2E_OPTION = 66,
};

/* Pseudo header for upper-layer checksums: both IAs, both hosts, length(32), zero(24), proto(8). */
enum scion_pseudo_layout {
	SCION_PSEUDO_TAIL_LEN = 8,
	SCION_PSEUDO_MAX_LEN = SCION_ADDR_IA_LEN + 2 * SCION_HOST_MAX_LEN + SCION_PSEUDO_TAIL_LEN,
};

#endif /* SEG_SCION_CONSTS_H */
