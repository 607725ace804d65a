/* SPDX-License-Identifier: MIT */
/*
 * The reliable control channel of one peer: ordered, acknowledged, retransmitted delivery of
 * messages of 0..CTRL_MSG_MAX bytes over the seg transport's unreliable, authenticated
 * messages (DESIGN.md "The seg protocol"; wire format in docs/control-channel.md).
 *
 * A pure state machine: no sockets, no crypto, no clock, no logging. The caller passes the
 * monotonic time in nanoseconds, hands received frames to ctrlchan_input(), and calls
 * ctrlchan_poll() no later than ctrlchan_next_timeout() to emit due frames.
 *
 * Messages are records (kind, length, bytes) in a byte stream numbered by 32-bit serial
 * sequence numbers. Frames carry a range of that stream and a cumulative ack, the
 * receiver's window and up to CTRL_SACK_MAX SACK ranges. Byte numbering (rather than frame
 * numbering) lets a retransmission be cut smaller when the path MTU shrank.
 *
 * Session reset (every new current session, rekeys included): call ctrlchan_reset() or
 * ctrlchan_reset_prefix() on both sides. Messages whose every byte was acked are gone;
 * every other queued message is resent from its first byte on the new session, in the
 * original order, and a partly received message is discarded by the receiver. So delivery
 * is exactly once within a session and at least once across a reset: a message delivered
 * whose ack was lost is delivered again, unless the receiver drops it by the stream
 * header's msgs_acked (docs/control-channel.md "Session reset"; the gateway does).
 *
 * Thread: the control thread; a channel belongs to its peer. Not reentrant: a deliver or
 * emit callback may call ctrlchan_send() on the same channel, nothing else of it.
 */
#ifndef SEG_GATEWAY_CTRLCHAN_H
#define SEG_GATEWAY_CTRLCHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"	    /* the frame format: CTRL_* wire constants */
#include "seg/scion_addr.h" /* SEG_MUST_CHECK */

/*
 * Local policy of one channel (docs/control-channel.md has the reasoning behind each value);
 * a peer never needs to know them.
 */
enum {
	/*
	 * Frame sizes. poll() refuses a max_frame below CTRL_FRAME_MIN (a path that small
	 * cannot carry SCION anyway) and never builds frames above CTRL_FRAME_MAX, whatever
	 * the path allows, so one scratch buffer per channel suffices.
	 */
	CTRL_FRAME_MIN = 128,
	CTRL_FRAME_MAX = 16384,
	CTRL_DATA_MIN = CTRL_FRAME_MIN - CTRL_FRAME_OVERHEAD_MAX,

	/*
	 * Receiver: the reorder window (CTRL_RECV_WINDOW, protocol.h) is tracked by a bitmap.
	 * Overflow policy: a frame reaching beyond the window edge, or from before one window
	 * below the cumulative ack, is dropped and counted; a sender that keeps to the
	 * advertised window never sends one.
	 *
	 * Sender: queued and unacknowledged messages share a ring of CTRL_SEND_BUF bytes and
	 * at most CTRL_SEND_MSGS_MAX messages. Overflow policy: ctrlchan_send() rejects the
	 * new message with -ENOBUFS; nothing queued is ever dropped.
	 */
	CTRL_SEND_BUF = 256 * 1024,
	CTRL_SEND_MSGS_MAX = 256,
	/* Kept free by ctrlchan_send() for the stream header of the next reset (one record of
	 * at most CTRL_PREFIX_MAX bytes): a full queue never costs the receiver its dedup. */
	CTRL_PREFIX_MAX = 32,
	CTRL_PREFIX_RESERVE = CTRL_REC_HDR_LEN + CTRL_PREFIX_MAX,
	/* At most this many bytes in flight, whatever the peer's window allows. */
	CTRL_SEND_WINDOW = 64 * 1024,
	/*
	 * Scoreboard of frames in flight. New data stops at half of it, so that
	 * retransmissions re-cut for a smaller path MTU can still split frames.
	 */
	CTRL_SEGS_MAX = 1024,
	CTRL_SEGS_NEW_MAX = CTRL_SEGS_MAX / 2,

	/*
	 * Loss detection from SACKs: a frame is lost once a frame sent this many
	 * transmissions after it has arrived (the dup-ack threshold of RFC 5681 3.2 counted
	 * in transmissions, RFC 8985 in spirit), or once the latest one has (early
	 * retransmit, RFC 5827).
	 */
	CTRL_DUPACK_THRESH = 3,
	/* Congestion window (RFC 5681), in bytes of a nominal segment. */
	CTRL_CWND_MSS = 1200,
	CTRL_CWND_INIT = 10 * CTRL_CWND_MSS, /* RFC 6928 */
	CTRL_CWND_MIN = 2 * CTRL_CWND_MSS,
	CTRL_CWND_MAX = CTRL_SEND_WINDOW,
	/* Ack at once after this many in-order data frames (RFC 5681 4.2, every second). */
	CTRL_ACK_EVERY = 2,

	/* Times in milliseconds (enums are int); SEG_MS() converts. RFC 6298 names. */
	CTRL_ACK_DELAY_MS = 10,
	CTRL_RTO_INIT_MS = 1000, /* RFC 6298 2.1 */
	CTRL_RTO_MIN_MS = 200,	 /* below RFC 6298's 1 s, as Linux: gateways are latency-bound */
	CTRL_RTO_MAX_MS = 30000,
	CTRL_CLOCK_GRANULARITY_MS = 1,
};

/* Why a received frame was rejected: each reason is a counter and an error value. */
#define CTRLCHAN_DROP_LIST(X)                                             \
	X(TRUNCATED, "truncated")                                         \
	X(FLAGS, "unknown flag bits")                                     \
	X(EMPTY, "neither ack nor data")                                  \
	X(WINDOW, "advertised window too large")                          \
	X(SACK_COUNT, "too many sack blocks")                             \
	X(SACK_RANGE, "sack block empty, unordered or not above the ack") \
	X(DATA_EMPTY, "data section without data")                        \
	X(TRAILING, "bytes after the frame")                              \
	X(ACK_UNSENT, "acks data never sent")                             \
	X(OUTSIDE_WINDOW, "data outside the receive window")              \
	X(BAD_RECORD, "message length above the maximum: stream broken")  \
	X(BROKEN, "stream broken until reset")                            \
	X(UNKNOWN_KIND, "message of unknown kind skipped")

enum ctrlchan_drop {
#define CTRLCHAN_X(name, text) CTRLCHAN_DROP_##name,
	CTRLCHAN_DROP_LIST(CTRLCHAN_X)
#undef CTRLCHAN_X
	    CTRLCHAN_DROP_COUNT
};

/* Errors of ctrlchan_input() and ctrlchan_frame_decode(): one per drop reason. */
enum ctrlchan_err {
	CTRLCHAN_OK = 0,
#define CTRLCHAN_X(name, text) CTRLCHAN_ERR_##name = -(CTRLCHAN_ERR_BASE + CTRLCHAN_DROP_##name),
	CTRLCHAN_DROP_LIST(CTRLCHAN_X)
#undef CTRLCHAN_X
};

/* A decoded frame; data points into the decoded buffer. */
struct ctrlchan_frame {
	bool has_ack;
	bool has_data;
	uint32_t ack;	 /* next byte expected: every byte before it was received */
	uint32_t window; /* bytes the receiver accepts from ack on */
	uint32_t echo;	 /* timestamp of the data frame that advanced ack, 0 for none */
	uint8_t nsack;
	struct {
		uint32_t start, end; /* [start, end), above ack, ascending, disjoint */
	} sack[CTRL_SACK_MAX];
	uint32_t seq;	/* sequence number of data[0] */
	uint32_t tsval; /* sender's timestamp, microseconds */
	uint16_t len;
	const uint8_t *data;
};

struct ctrlchan_stats {
	uint64_t msgs_queued;
	uint64_t msgs_rejected; /* send() returned -ENOBUFS */
	uint64_t msgs_delivered;
	uint64_t frames_sent;	       /* every frame emitted */
	uint64_t acks_sent;	       /* of which ack-only */
	uint64_t frames_retransmitted; /* data frames sent again */
	uint64_t rtx_timeout;	       /* frames declared lost by RTO */
	uint64_t rtx_fast;	       /* frames declared lost by SACK/dup-ack */
	uint64_t frames_received;      /* accepted frames */
	uint64_t dup_frames;	       /* accepted, but all data already received */
	uint64_t stale_acks;	       /* ack below one already seen (reordering) */
	uint64_t resets;
	uint64_t drops[CTRLCHAN_DROP_COUNT];
};

/* One frame in flight: the stream range [start, end) as last sent. */
struct ctrlchan_seg {
	uint32_t start, end;
	uint64_t sent_ns;
	uint64_t xmit; /* transmission number of the last send */
	uint16_t tx_count;
	uint8_t flags; /* CTRLCHAN_SEG_* in ctrlchan_loss.h */
};

struct ctrlchan {
	/* Sender: the stream [snd_base, snd_end) is in sbuf at (seq + sbuf_off) mod size. */
	uint8_t *sbuf;
	uint32_t sbuf_off;
	uint32_t snd_base;		      /* first byte of the oldest message not fully acked */
	uint32_t snd_una;		      /* oldest unacked byte */
	uint32_t snd_nxt;		      /* next byte never sent */
	uint32_t snd_end;		      /* end of the queued stream */
	uint32_t peer_edge;		      /* peer accepts bytes before this */
	uint32_t rec_end[CTRL_SEND_MSGS_MAX]; /* end of each queued message, a ring */
	unsigned rec_head, rec_count;
	bool head_is_prefix;	   /* the record at rec_head is a reset prefix (not counted) */
	uint64_t msgs_acked;	   /* records fully acked over the channel's life, prefixes aside */
	struct ctrlchan_seg *segs; /* ordered by start, covering [snd_una, snd_nxt) */
	unsigned nsegs;
	uint64_t srtt, rttvar, rto; /* ns, RFC 6298 */
	bool rtt_valid;
	unsigned backoff;	 /* the RTO is doubled this many times */
	uint64_t xmit_next;	 /* number of the next transmission */
	uint64_t rack_xmit;	 /* latest transmission known to have arrived */
	uint64_t rack_rtt;	 /* the round trip it took, ns */
	uint32_t cwnd, ssthresh; /* bytes, RFC 5681 */
	bool in_recovery, rto_recovery;
	uint32_t recover; /* recovery ends when this byte is acked */

	/* Receiver: the stream [rcv_rec, rcv_rec + CTRL_RECV_WINDOW) maps into rbuf mod size. */
	uint8_t *rbuf;
	uint8_t *rmsg;	    /* a message that wraps around rbuf is copied here to deliver it */
	uint32_t rcv_rec;   /* first byte of the message being received */
	uint32_t rcv_nxt;   /* every byte before it received */
	uint32_t rcv_high;  /* end of the highest data received */
	uint64_t *rmap;	    /* bit per byte of the window: received above rcv_nxt */
	uint32_t ts_recent; /* timestamp to echo */
	bool ts_fresh;	    /* ts_recent set since the last ack sent */
	bool ack_pending, ack_now;
	uint64_t ack_due;
	unsigned unacked_frames;
	bool broken;

	uint8_t *frame; /* scratch for the frame being emitted */
	struct ctrlchan_stats stats;
};

/* Serial number arithmetic over 32-bit sequence numbers (RFC 1982): a before b. */
static inline bool ctrlchan_seq_lt(uint32_t a, uint32_t b)
{
	return ((a - b) & 0x80000000u) != 0;
}
static inline bool ctrlchan_seq_le(uint32_t a, uint32_t b)
{
	return a == b || ctrlchan_seq_lt(a, b);
}

/* Receives one complete message, in order; msg is valid during the call only. */
typedef void (*ctrlchan_deliver_fn)(void *ctx, uint8_t kind, const uint8_t *msg, size_t len);
/* Sends one frame through the session; a negative return stops this poll (the frame
 * counts as sent and lost: it is retransmitted on its timeout). */
typedef int (*ctrlchan_emit_fn)(void *ctx, const uint8_t *frame, size_t len);

/* Sets up an idle channel; its buffers are allocated while it has something to send or
 * to reassemble, and freed when it is idle again. Returns 0. */
SEG_MUST_CHECK int ctrlchan_init(struct ctrlchan *ch);
void ctrlchan_free(struct ctrlchan *ch);

/*
 * Queues one message of kind CTRL_KIND_* and 0..CTRL_MSG_MAX bytes (copied). Returns 0,
 * -EINVAL (unknown kind), -EMSGSIZE (too long) or -ENOBUFS when the send queue
 * (CTRL_SEND_BUF bytes or CTRL_SEND_MSGS_MAX messages, acked ones freed) is full: the
 * message is then not queued and the caller keeps it or drops it.
 */
SEG_MUST_CHECK int ctrlchan_send(struct ctrlchan *ch, uint8_t kind, const void *msg, size_t len,
				 uint64_t now);

/*
 * Processes one received frame (the plaintext after the inner type byte). Delivers every
 * message it completes, in order. Returns 0, or a CTRLCHAN_ERR_* when the frame is
 * rejected (counted in stats.drops; nothing of the frame applied).
 */
SEG_MUST_CHECK int ctrlchan_input(struct ctrlchan *ch, const uint8_t *frame, size_t len,
				  uint64_t now, ctrlchan_deliver_fn deliver, void *ctx);

/*
 * Emits every frame due at now: retransmissions, new data within the windows, and an ack
 * when one is due. max_frame is the frame size the current path allows (it may change
 * between calls); values above CTRL_FRAME_MAX are capped. Returns the number of frames
 * emitted, -EMSGSIZE when max_frame < CTRL_FRAME_MIN, or -EIO when emit failed.
 */
SEG_MUST_CHECK int ctrlchan_poll(struct ctrlchan *ch, uint64_t now, ctrlchan_emit_fn emit,
				 void *ctx, size_t max_frame);

/* When poll must next be called: 0 for now, UINT64_MAX when nothing is pending. */
uint64_t ctrlchan_next_timeout(const struct ctrlchan *ch);

/* Session reset: see the top of this file. */
void ctrlchan_reset(struct ctrlchan *ch);
/*
 * Session reset whose new stream starts with the record (kind, msg, len), ahead of the
 * messages kept for resending: the caller's stream header (the gateway's hello, which
 * carries msgs_acked so that the receiver can drop the kept messages it already delivered;
 * docs/control-channel.md "Resets"). A prefix still unacked from the previous reset is
 * dropped, not resent, and no prefix counts in msgs_acked. ctrlchan_send() keeps
 * CTRL_PREFIX_RESERVE bytes and one record free for it. 0, or -EMSGSIZE when len exceeds
 * CTRL_PREFIX_MAX, -ENOMEM when the send buffer cannot be allocated (the channel is reset
 * all the same, without the header).
 */
SEG_MUST_CHECK int ctrlchan_reset_prefix(struct ctrlchan *ch, uint8_t kind, const void *msg,
					 size_t len);

/* True when nothing is queued or unacked. */
bool ctrlchan_idle(const struct ctrlchan *ch);

const char *ctrlchan_drop_name(enum ctrlchan_drop reason);

/* Pure frame codec (ctrlchan_frame.c), shared with the fuzzer. */
SEG_MUST_CHECK int ctrlchan_frame_decode(const uint8_t *buf, size_t len,
					 struct ctrlchan_frame *out);
/* Writes the frame's header; with has_data, f->len data bytes follow at *data_at, to be
 * filled by the caller. Returns 0 or -EMSGSIZE. */
SEG_MUST_CHECK int ctrlchan_frame_encode(const struct ctrlchan_frame *f, uint8_t *buf, size_t cap,
					 size_t *out_len, uint8_t **data_at);
/* Encoded size of a frame with these sections and data length. */
size_t ctrlchan_frame_size(bool has_ack, unsigned nsack, bool has_data, size_t data_len);

#endif /* SEG_GATEWAY_CTRLCHAN_H */
