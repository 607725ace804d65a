/* SPDX-License-Identifier: MIT */
/*
 * Internal to seg-testnet's border router: the decoded view of a packet that router.c keeps
 * (offsets into the caller's buffer, no copies), and the slow path that answers a packet:
 * SCMP errors, echo replies and traceroute replies.
 *
 * A reply goes back where the packet came from, on the packet's path reversed as the
 * reference does it (router/dataplane.go, prepareSCMP): reverse the path as it is after the
 * processing so far, undo a segment crossover the router had made, and if the reply leaves
 * over an inter-AS link, do the egress processing (SegID update in construction direction,
 * advance to the next hop). Errors quote as much of the offending packet as fits in
 * ROUTER_SCMP_MAX_LEN; an SCMP error is never answered with another.
 *
 * Thread: none; functions are pure over the buffers they are given.
 */
#ifndef SEG_TESTNET_ROUTER_SCMP_H
#define SEG_TESTNET_ROUTER_SCMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/scion_packet.h>

/** A packet as router.c decoded it: everything is an offset or a copy of a small field. */
struct router_pkt {
	uint8_t *buf;
	size_t len;
	size_t hdr_len; /**< HdrLen * 4: common + address + path */
	uint8_t next_hdr;
	uint8_t traffic_class;
	uint32_t flow_id;
	uint16_t payload_len;
	uint8_t path_type;
	scion_ia_t dst_ia, src_ia;
	enum scion_host_type dst_type, src_type;
	size_t dst_host_off, src_host_off; /**< offsets of the host addresses in buf */
	size_t path_off, path_len;
	/* Path meta header, SCION path type only. */
	uint8_t curr_inf, curr_hf;
	uint8_t seg_len[3];
	uint8_t num_infs, num_hops;
};

/** Who answers: the local ISD-AS and the host address put in the reply's source. */
struct router_scmp_src {
	scion_ia_t ia;
	struct scion_host host;
};

/** Wire length of a host of this type (4, 16, or 4 for SVC). */
size_t router_host_wire_len(enum scion_host_type t);
/** The host address at off in p->buf. */
void router_pkt_host(const struct router_pkt *p, enum scion_host_type t, size_t off,
		     struct scion_host *out);
/** The header of p (hosts copied, path pointing into p->buf) for checksums and replies. */
void router_pkt_header(const struct router_pkt *p, struct scion_header *h);
/**
 * Skips the hop-by-hop and end-to-end extension headers after the SCION header; *proto and
 * *off get the upper-layer protocol and its offset. False when an extension runs past the
 * packet.
 */
bool router_pkt_l4(const struct router_pkt *p, uint8_t *proto, size_t *off);

/**
 * The reply path for p: reversed, crossover undone, and advanced past this AS when the reply
 * leaves over an inter-AS link (ingress != 0). seg_id_pending says that the router found the
 * error before its ingress SegID update (updateNonConsDirIngressSegID) of the current hop:
 * the reply then keeps the SegID as received (see docs/testnet.md, "Border router"). Writes
 * path bytes into out (cap at least SCION_MAX_STD_PATH_LEN); 0 or a negative scion_path_err.
 */
SEG_MUST_CHECK int router_reply_path(const struct router_pkt *p, uint16_t ingress,
				     bool seg_id_pending, uint8_t *out, size_t cap,
				     size_t *out_len);

/**
 * Builds an SCMP error (type, code and the info fields in m->u; m->data ignored) answering p
 * into out. Returns 0, or -1 when no reply may or can be sent: p is an SCMP error itself, or
 * its path cannot be reversed.
 */
SEG_MUST_CHECK int router_scmp_error(const struct router_pkt *p, uint16_t ingress,
				     bool seg_id_pending, const struct router_scmp_src *src,
				     const struct scmp_msg *m, uint8_t *out, size_t cap,
				     size_t *out_len);

/** Builds the echo reply to the echo request req (decoded from p's payload) into out. */
SEG_MUST_CHECK int router_scmp_echo_reply(const struct router_pkt *p, uint16_t ingress,
					  const struct router_scmp_src *src,
					  const struct scmp_msg *req, uint8_t *out, size_t cap,
					  size_t *out_len);

/** Builds the traceroute reply naming interface ifid to request req into out. */
SEG_MUST_CHECK int router_scmp_traceroute_reply(const struct router_pkt *p, uint16_t ingress,
						const struct router_scmp_src *src,
						const struct scmp_msg *req, uint16_t ifid,
						uint8_t *out, size_t cap, size_t *out_len);

#endif /* SEG_TESTNET_ROUTER_SCMP_H */
