/* SPDX-License-Identifier: MIT */
/*
 * Wire constants and limits of what rides inside a seg transport message after its inner
 * type byte: the reliable control channel's frames and the data channel's fragments
 * (docs/control-channel.md has the byte-by-byte layout and the reasoning behind each value).
 * The integrator moves these into protocol.h; until then this is the one place they live.
 * Derived values are computed from their sources, never restated.
 *
 * Thread: none (constants only).
 */
#ifndef SEG_GATEWAY_CHAN_WIRE_H
#define SEG_GATEWAY_CHAN_WIRE_H

#include <stdint.h>

/* Control channel: one frame = flags, then an ack section and/or a data section. */
enum {
	CTRL_FLAG_ACK = 0x01,  /* ack section present */
	CTRL_FLAG_DATA = 0x02, /* data section present */
	CTRL_FLAGS_KNOWN = CTRL_FLAG_ACK | CTRL_FLAG_DATA,

	CTRL_FLAGS_LEN = 1,
	/*
	 * Ack section: cumulative ack u32, window u32, timestamp echo u32, SACK block count
	 * u8, then the blocks. The echo returns the timestamp of the data frame that
	 * advanced the cumulative ack (RFC 7323 3.4), for RTT samples that lost acks and
	 * retransmissions cannot spoil.
	 */
	CTRL_ACK_FIXED_LEN = 4 + 4 + 4 + 1,
	/* One SACK block: start u32, end u32 (exclusive), both byte sequence numbers. */
	CTRL_SACK_BLOCK_LEN = 4 + 4,
	CTRL_SACK_MAX = 4,
	CTRL_ACK_MAX_LEN = CTRL_ACK_FIXED_LEN + CTRL_SACK_MAX * CTRL_SACK_BLOCK_LEN,
	/* Data section header: sequence number of the first byte u32, the sender's
	 * timestamp u32 (microseconds, wrapping; 0 means none), data length u16. */
	CTRL_DATA_HDR_LEN = 4 + 4 + 2,
	CTRL_FRAME_OVERHEAD_MAX = CTRL_FLAGS_LEN + CTRL_ACK_MAX_LEN + CTRL_DATA_HDR_LEN,

	/*
	 * Frame sizes. poll() refuses a max_frame below CTRL_FRAME_MIN (a path that small
	 * cannot carry SCION anyway) and never builds frames above CTRL_FRAME_MAX, whatever
	 * the path allows, so one scratch buffer per channel suffices.
	 */
	CTRL_FRAME_MIN = 128,
	CTRL_FRAME_MAX = 16384,
	CTRL_DATA_MIN = CTRL_FRAME_MIN - CTRL_FRAME_OVERHEAD_MAX,

	/* Messages: a record of kind u8, length u32, then the bytes, in the byte stream. */
	CTRL_MSG_MAX = 64 * 1024,
	CTRL_REC_HDR_LEN = 1 + 4,
	CTRL_REC_MAX = CTRL_REC_HDR_LEN + CTRL_MSG_MAX,

	/*
	 * Receiver: a reorder window of CTRL_RECV_WINDOW bytes from the start of the message
	 * being received (it must hold the largest record, or the stream would deadlock),
	 * its bytes tracked by a bitmap. Overflow policy: a frame reaching beyond the window
	 * edge, or from before one window below the cumulative ack, is dropped and counted;
	 * a sender that keeps to the advertised window never sends one.
	 */
	CTRL_RECV_WINDOW = 128 * 1024,

	/*
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

	/* Times in milliseconds (enums are int); chan_ms_to_ns() converts. RFC 6298 names. */
	CTRL_ACK_DELAY_MS = 10,
	CTRL_RTO_INIT_MS = 1000, /* RFC 6298 2.1 */
	CTRL_RTO_MIN_MS = 200,	 /* below RFC 6298's 1 s, as Linux: gateways are latency-bound */
	CTRL_RTO_MAX_MS = 30000,
	CTRL_CLOCK_GRANULARITY_MS = 1,

	/* Message kinds: the gateway tells its own messages from adapters'. */
	CTRL_KIND_GATEWAY = 0,
	CTRL_KIND_ADAPTER = 1,
	CTRL_KIND_MAX = CTRL_KIND_ADAPTER,
};

/* Data channel fragments: id u32, index u8, count u8, total u16, offset u16, length u16. */
enum {
	FRAG_HDR_LEN = 4 + 1 + 1 + 2 + 2 + 2,
	/* Fragments per packet; a 64-bit bitmap tracks them. */
	FRAG_COUNT_MAX = 64,
	/* Largest packet (the total length field is 16 bits). */
	FRAG_PKT_MAX = 65535,
	/*
	 * Concurrent reassemblies per peer. Overflow policy: the peer's oldest reassembly
	 * (by arrival of its first fragment) is evicted and counted.
	 */
	FRAG_SLOTS_PER_PEER = 8,
	/*
	 * Reassembly memory is drawn from a pool shared by the peers of one data worker, in
	 * chunks of FRAG_CHUNK_LEN; the pool's size is the global byte budget. Overflow
	 * policy: the oldest reassembly in the pool, whichever peer it belongs to, is evicted
	 * and counted until the new packet fits.
	 */
	FRAG_CHUNK_LEN = 1024,
	FRAG_CHUNKS_PER_PKT = (FRAG_PKT_MAX + FRAG_CHUNK_LEN - 1) / FRAG_CHUNK_LEN,
	FRAG_BUDGET_DEFAULT = 4 * 1024 * 1024,
	/* A partial packet older than this is dropped (measured from its first fragment). */
	FRAG_TIMEOUT_MS = 1000,
};

/* Error values of the two channels start here, clear of errno values (both are returned). */
enum {
	CTRLCHAN_ERR_BASE = 256,
	FRAG_ERR_BASE = 320,
};

static inline uint64_t chan_ms_to_ns(uint64_t ms)
{
	return ms * 1000000ull;
}

#endif /* SEG_GATEWAY_CHAN_WIRE_H */
