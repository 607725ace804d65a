/* SPDX-License-Identifier: MIT */
/*
 * Why the gateway dropped a packet: one counter per reason, declared once (X-macro) and
 * exported to `seg status` and metrics under the name in the second column. Gateway-wide
 * counters cover what cannot be pinned on a peer (decode failures, unknown index); the rest
 * are also counted per peer.
 *
 * Thread: counters are bumped with relaxed atomics (RX on the control thread, TX on adapter
 * threads); readers see a recent value.
 */
#ifndef SEG_GATEWAY_DROPS_H
#define SEG_GATEWAY_DROPS_H

#include <stdint.h>

#define GW_DROP_LIST(X)                                                                   \
	X(RX_TRUNC, "rx_truncated_datagram")	    /* larger than the receive buffer */  \
	X(SCION_DECODE, "scion_decode")		    /* not a valid SCION packet */        \
	X(NOT_FOR_US, "not_for_us")		    /* destination is not our address */  \
	X(L4_PROTO, "l4_proto")			    /* neither UDP nor SCMP */            \
	X(UDP_DECODE, "udp_decode")		    /* UDP length or checksum */          \
	X(SCMP_DECODE, "scmp_decode")		    /* SCMP we cannot read */             \
	X(SCMP_IGNORED, "scmp_ignored")		    /* an SCMP we have no use for */      \
	X(SEG_SHORT, "seg_short")		    /* fewer than 2 bytes of seg */       \
	X(SEG_TYPE, "seg_type")			    /* unknown seg message type */        \
	X(UNKNOWN_PEER, "unknown_peer")		    /* handshake from an unconfigured */  \
	X(NO_KEY, "no_drkey")			    /* DRKey not fetched yet */           \
	X(HS_INVALID, "handshake_invalid")	    /* framing of Init/Response */        \
	X(HS_EPOCH, "handshake_epoch")		    /* unknown DRKey epoch */             \
	X(HS_MAC, "handshake_mac")		    /* MAC did not verify */              \
	X(HS_TIMESTAMP, "handshake_timestamp")	    /* replayed or older Init */          \
	X(HS_ROLE, "handshake_role_conflict")	    /* simultaneous Init, we keep ours */ \
	X(HS_NO_PENDING, "handshake_no_pending")    /* Response to no Init of ours */     \
	X(HS_OTHER, "handshake_other")		    /* cipher, DH, stale, crypto */       \
	X(TR_HEADER, "transport_header")	    /* transport header invalid */        \
	X(TR_INDEX, "transport_index")		    /* receiver index unknown */          \
	X(TR_EXPIRED, "transport_expired")	    /* session too old */                 \
	X(TR_AEAD, "transport_aead")		    /* authentication failed */           \
	X(TR_REPLAY, "transport_replay")	    /* counter replayed or too old */     \
	X(INNER_TYPE, "inner_type")		    /* unknown inner type */              \
	X(PROBE_INVALID, "probe_invalid")	    /* probe of the wrong length */       \
	X(PROBE_UNKNOWN, "probe_reply_unknown")	    /* reply to no probe of ours */       \
	X(CTRL_REJECTED, "ctrl_rejected")	    /* ctrlchan refused the frame */      \
	X(CTRL_OLD_SESSION, "ctrl_old_session")	    /* ctrl frame on a non-current */     \
	X(CTRL_DUPLICATE, "ctrl_duplicate")	    /* resent copy after a reset */       \
	X(FRAG_REJECTED, "fragment_rejected")	    /* reassembly refused it */           \
	X(HIDDEN_REJECTED, "hidden_paths_rejected") /* peer's hidden path list */         \
	X(NO_ADAPTER, "no_adapter")		    /* data with no adapter to take it */ \
	X(TX_NO_SESSION, "tx_no_session")	    /* egress before the peer is up */    \
	X(TX_NO_PATH, "tx_no_path")		    /* egress with no path */             \
	X(TX_TOO_BIG, "tx_too_big")		    /* egress packet over the limit */    \
	X(TX_SEND, "tx_send_error")		    /* sendmmsg refused it */

enum gw_drop {
#define GW_DROP_X(name, text) GW_DROP_##name,
	GW_DROP_LIST(GW_DROP_X)
#undef GW_DROP_X
	    GW_DROP_COUNT
};

static inline const char *gw_drop_name(enum gw_drop d)
{
	static const char *const names[] = {
#define GW_DROP_X(name, text) text,
	    GW_DROP_LIST(GW_DROP_X)
#undef GW_DROP_X
	};
	return (unsigned)d < GW_DROP_COUNT ? names[d] : "?";
}

struct gw_drops {
	uint64_t n[GW_DROP_COUNT];
};

static inline void gw_drops_inc(struct gw_drops *d, enum gw_drop r)
{
	__atomic_fetch_add(&d->n[r], 1, __ATOMIC_RELAXED);
}

static inline uint64_t gw_drops_get(const struct gw_drops *d, enum gw_drop r)
{
	return __atomic_load_n(&d->n[r], __ATOMIC_RELAXED);
}

#endif /* SEG_GATEWAY_DROPS_H */
