/* SPDX-License-Identifier: MIT */
/*
 * Internal to seg-testnet's border router: the router object and the per-packet processing
 * state shared by router.c (the checks and the forwarding decision), router_inbound.c
 * (delivery to endhosts, echo and traceroute replies) and router_setup.c (construction).
 *
 * Thread: a struct router and everything reached from it belong to one thread.
 */
#ifndef SEG_TESTNET_ROUTER_PROC_H
#define SEG_TESTNET_ROUTER_PROC_H

#include <seg/scion_mac.h>
#include <seg/scion_path.h>

#include "router.h"
#include "router_scmp.h"

struct router_iface {
	uint16_t ifid;
	enum router_link_type type;
	bool up;
};

struct router {
	scion_ia_t ia;
	struct scion_mac_key *key;
	/* Replies from the router itself come from its internal address (prepareSCMP). */
	struct router_scmp_src router_src;
	/* Echo replies come from the AS host they were sent to. */
	struct router_scmp_src host_src;
	uint16_t port_min, port_max;
	size_t n_ifaces;
	struct router_iface ifaces[ROUTER_MAX_IFACES];
	/* ifid -> index + 1 into ifaces (0: none); O(1) on every packet. */
	uint8_t iface_of[UINT16_MAX + 1];
	struct router_counters counters;
	uint8_t reply[ROUTER_REPLY_CAP];
};

/* The state of one packet through router_process(); lives on the stack. */
struct router_proc {
	struct router *r;
	struct router_pkt p;
	uint16_t ingress;
	uint64_t now;
	size_t inf_off, hop_off; /* absolute offsets of the current info and hop field */
	struct scion_info_field inf;
	struct scion_hop_field hf;
	bool peering;
	bool xover;	     /* an effective segment crossover happened here */
	bool seg_id_pending; /* the ingress SegID update is still to be made */
	uint16_t egress;
	struct router_action *act;
};

/* Outcomes: each fills pr->act and returns its verdict. */
enum router_verdict router_out_drop(struct router_proc *pr, enum router_drop_reason why);
enum router_verdict router_out_reply(struct router_proc *pr, enum router_drop_reason why,
				     size_t len);
/* An SCMP error (type, code, info in m) answering the packet, which counts under why. */
enum router_verdict router_out_scmp(struct router_proc *pr, enum router_drop_reason why,
				    const struct scmp_msg *m);
enum router_verdict router_out_param_problem(struct router_proc *pr, enum router_drop_reason why,
					     uint8_t code, size_t pointer);

/* Common and address header and the extension chain (reference decodeLayers). */
enum router_drop_reason router_parse_header(struct router_pkt *p);

bool router_host_is_v4_mapped(const struct scion_host *h);
bool router_host_is_unspecified(const struct scion_host *h);

/* router_inbound.c */
/* Answers a traceroute whose alert flag_bit is set in the current hop field, naming ifid. */
enum router_verdict router_traceroute(struct router_proc *pr, uint8_t flag_bit, uint16_t ifid);
/* resolveInbound: a packet for this AS, to an endhost or the AS's host_ip. */
enum router_verdict router_inbound(struct router_proc *pr);
/* The empty path: only an endhost's echo request to host_ip within the AS. */
enum router_verdict router_process_empty(struct router_proc *pr);

#endif /* SEG_TESTNET_ROUTER_PROC_H */
