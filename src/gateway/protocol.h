/* SPDX-License-Identifier: MIT */
/*
 * The seg protocol: every wire constant and limit in one place (docs/protocol.md is the byte
 * by byte description; section numbers below refer to it), including what rides inside the
 * transport messages: control-channel frames and fragments (docs/control-channel.md) and the
 * hidden path list (docs/path-management.md). Derived values are computed from their
 * sources; header lengths are sums of named field sizes. Values that do not fit an int
 * (nanosecond times, 64-bit counters) are macros of type uint64_t; everything else is a
 * named enum. Local policy (buffer sizes, timers, congestion control) lives beside its code
 * in ctrlchan.h and fragment.h.
 *
 * Thread: none; constants and pure inline helpers only.
 */
#ifndef SEG_GATEWAY_PROTOCOL_H
#define SEG_GATEWAY_PROTOCOL_H

#include <stdbool.h>
#include <stdint.h>

#include <seg/drkey.h>

/* §1 Message types: the first byte of every seg message inside SCION/UDP. */
enum seg_msg_type {
	SEG_MSG_INIT = 1,
	SEG_MSG_RESPONSE = 2,
	SEG_MSG_TRANSPORT = 3,
};

/* §1 The second byte of every message; a receiver drops any other value. */
enum { SEG_PROTOCOL_VERSION = 1 };

/* §2 AEAD suites of the transport messages, carried in the Init; both sides must agree. */
enum seg_cipher {
	SEG_CIPHER_AES256_GCM = 1,
	SEG_CIPHER_CHACHA20_POLY1305 = 2,
};

static inline bool seg_cipher_valid(unsigned c)
{
	return c == SEG_CIPHER_AES256_GCM || c == SEG_CIPHER_CHACHA20_POLY1305;
}

/* §5 Inner type: the first plaintext byte inside the AEAD of a transport message. */
enum seg_inner_type {
	SEG_INNER_DATA = 1,	   /* an adapter packet, whole */
	SEG_INNER_CONTROL = 2,	   /* reliable, ordered control-channel segment */
	SEG_INNER_PROBE = 3,	   /* path probe */
	SEG_INNER_PROBE_REPLY = 4, /* answer to a probe, sent on the reversed path */
	SEG_INNER_FRAGMENT = 5,	   /* one fragment of an adapter packet larger than the MTU */
	SEG_INNER_KEEPALIVE = 6,   /* empty; confirms a new session and keeps it alive */
	SEG_INNER_TYPE_MAX = SEG_INNER_KEEPALIVE,
};

static inline bool seg_inner_type_valid(unsigned t)
{
	return t >= SEG_INNER_DATA && t <= SEG_INNER_TYPE_MAX;
}

/* Sizes of the integer fields, for header lengths written as sums of their fields. */
enum {
	SEG_U8_LEN = 1,
	SEG_U16_LEN = 2,
	SEG_U32_LEN = 4,
	SEG_U64_LEN = 8,
	SEG_IA_LEN = SEG_U64_LEN, /* an ISD-AS number */
};

/* Sizes of the primitives. */
enum {
	SEG_INDEX_LEN = SEG_U32_LEN,	   /* session index, random per session */
	SEG_TIMESTAMP_LEN = SEG_U64_LEN,   /* Init timestamp, ns */
	SEG_EPOCH_LEN = SEG_U64_LEN,	   /* DRKey epoch begin, Unix seconds */
	SEG_COUNTER_LEN = SEG_U64_LEN,	   /* transport counter, also the AEAD nonce's low bytes */
	SEG_X25519_KEY_LEN = 32,	   /* ephemeral public and private keys, DH output */
	SEG_DRKEY_KEY_LEN = DRKEY_KEY_LEN, /* host-host key (AES-128 key in the DRKey PRF) */
	SEG_PSK_LEN = 32,	  /* optional configured pre-shared key; zeros when unset */
	SEG_MAC_LEN = 16,	  /* handshake MAC: HMAC-SHA256 truncated to 128 bits */
	SEG_HASH_LEN = 32,	  /* SHA-256: transcript hash */
	SEG_SESSION_KEY_LEN = 32, /* per-direction AEAD key (AES-256 and ChaCha20 alike) */
	SEG_AEAD_TAG_LEN = 16,
	SEG_AEAD_NONCE_LEN = 12, /* 4 zero bytes || 64-bit counter, big-endian */
	SEG_AEAD_NONCE_PAD = SEG_AEAD_NONCE_LEN - SEG_COUNTER_LEN,
};

/* §3 Init: type, version, cipher, reserved | sender index | ephemeral | timestamp | epoch |
 * MAC. The MAC covers every byte before it. */
enum {
	SEG_INIT_OFF_SENDER = 4,
	SEG_INIT_OFF_EPHEMERAL = SEG_INIT_OFF_SENDER + SEG_INDEX_LEN,
	SEG_INIT_OFF_TIMESTAMP = SEG_INIT_OFF_EPHEMERAL + SEG_X25519_KEY_LEN,
	SEG_INIT_OFF_EPOCH = SEG_INIT_OFF_TIMESTAMP + SEG_TIMESTAMP_LEN,
	SEG_INIT_OFF_MAC = SEG_INIT_OFF_EPOCH + SEG_EPOCH_LEN,
	SEG_INIT_LEN = SEG_INIT_OFF_MAC + SEG_MAC_LEN,
};

/* §4 Response: type, version, reserved(2) | sender index | receiver index | ephemeral | MAC.
 * The MAC covers the transcript hash of the Init and every Response byte before the MAC. */
enum {
	SEG_RESPONSE_OFF_SENDER = 4,
	SEG_RESPONSE_OFF_RECEIVER = SEG_RESPONSE_OFF_SENDER + SEG_INDEX_LEN,
	SEG_RESPONSE_OFF_EPHEMERAL = SEG_RESPONSE_OFF_RECEIVER + SEG_INDEX_LEN,
	SEG_RESPONSE_OFF_MAC = SEG_RESPONSE_OFF_EPHEMERAL + SEG_X25519_KEY_LEN,
	SEG_RESPONSE_LEN = SEG_RESPONSE_OFF_MAC + SEG_MAC_LEN,
};

/* §5 Transport: type, version, reserved(2) | receiver index | counter | AEAD(inner) | tag.
 * The header is the AAD. The plaintext holds at least the inner type byte. */
enum {
	SEG_TRANSPORT_OFF_RECEIVER = 4,
	SEG_TRANSPORT_OFF_COUNTER = SEG_TRANSPORT_OFF_RECEIVER + SEG_INDEX_LEN,
	SEG_TRANSPORT_HEADER_LEN = SEG_TRANSPORT_OFF_COUNTER + SEG_COUNTER_LEN,
	SEG_TRANSPORT_MIN_PLAINTEXT = 1,
	SEG_TRANSPORT_OVERHEAD = SEG_TRANSPORT_HEADER_LEN + SEG_AEAD_TAG_LEN,
	SEG_TRANSPORT_MIN_LEN = SEG_TRANSPORT_OVERHEAD + SEG_TRANSPORT_MIN_PLAINTEXT,
};

/* §6 DRKey: seg uses the generic-protocol derivation (scionproto doc/cryptography/drkey.rst,
 * "Generic-protocol derivation") with this 16-bit protocol number. 0 (generic) and 1 (SCMP)
 * are assigned; seg takes a value far from them, "SE" in ASCII. */
enum {
	SEG_DRKEY_PROTOCOL = 0x5345,
	/* drkey.rst "Grace period": the previous epoch's key is accepted this long. */
	SEG_DRKEY_GRACE_S = DRKEY_GRACE_PERIOD_SEC,
};

/* §7 Time limits, WireGuard's values (whitepaper §6.1). Seconds as enums, ns derived. */
enum {
	SEG_REKEY_AFTER_TIME_S = 120,  /* initiator starts a new handshake */
	SEG_REJECT_AFTER_TIME_S = 180, /* a session older than this neither sends nor opens */
	SEG_REKEY_TIMEOUT_S = 5,       /* retransmit an unanswered Init (timers) */
	/* Ours, not WireGuard's: the first retransmission comes sooner, the gap doubles up
	 * to SEG_REKEY_TIMEOUT (§7 "Init retransmission"). */
	SEG_INIT_RETRY_FIRST_MS = 1000,
	SEG_REKEY_ATTEMPT_TIME_S = 90, /* give up a handshake; a Response later is stale */
	SEG_KEEPALIVE_TIMEOUT_S = 10,  /* send a keepalive after receiving without sending */
};

#define SEG_NS_PER_S		  UINT64_C(1000000000)
#define SEG_REKEY_AFTER_TIME_NS	  ((uint64_t)SEG_REKEY_AFTER_TIME_S * SEG_NS_PER_S)
#define SEG_REJECT_AFTER_TIME_NS  ((uint64_t)SEG_REJECT_AFTER_TIME_S * SEG_NS_PER_S)
#define SEG_REKEY_TIMEOUT_NS	  ((uint64_t)SEG_REKEY_TIMEOUT_S * SEG_NS_PER_S)
#define SEG_REKEY_ATTEMPT_TIME_NS ((uint64_t)SEG_REKEY_ATTEMPT_TIME_S * SEG_NS_PER_S)
#define SEG_KEEPALIVE_TIMEOUT_NS  ((uint64_t)SEG_KEEPALIVE_TIMEOUT_S * SEG_NS_PER_S)
#define SEG_DRKEY_GRACE_NS	  ((uint64_t)SEG_DRKEY_GRACE_S * SEG_NS_PER_S)
#define SEG_INIT_RETRY_FIRST_NS	  ((uint64_t)SEG_INIT_RETRY_FIRST_MS * 1000000u)

/* §8 Replay window, RFC 6479: a ring of 64-bit blocks, a power of two of them so a block is
 * found by masking. One block is the one being filled, so the window that is guaranteed is
 * (blocks - 1) * 64 counters behind the greatest one seen. */
enum {
	SEG_REPLAY_BLOCK_BITS = 64,
	SEG_REPLAY_BLOCKS = 64,
	SEG_REPLAY_BITMAP_BITS = SEG_REPLAY_BLOCK_BITS * SEG_REPLAY_BLOCKS,
	SEG_REPLAY_WINDOW = SEG_REPLAY_BITMAP_BITS - SEG_REPLAY_BLOCK_BITS, /* 4032 */
	SEG_REPLAY_WINDOW_MIN = 2048, /* DESIGN.md: at least 2048 packets */
};
_Static_assert((SEG_REPLAY_BLOCKS & (SEG_REPLAY_BLOCKS - 1)) == 0, "blocks: power of two");
_Static_assert(SEG_REPLAY_WINDOW >= SEG_REPLAY_WINDOW_MIN, "replay window too small");

/* §7 Message limits (WireGuard's): rekey long before the counter can wrap; reject a counter
 * that would leave no room for the replay window below 2^64. */
#define SEG_REKEY_AFTER_MESSAGES  (UINT64_C(1) << 60)
#define SEG_REJECT_AFTER_MESSAGES (UINT64_MAX - (uint64_t)SEG_REPLAY_WINDOW - 1)

/*
 * Control channel frames (docs/control-channel.md "Frame format"), inside a transport message
 * of inner type SEG_INNER_CONTROL: flags u8, then an ack section and/or a data section.
 */
enum {
	CTRL_FLAG_ACK = 0x01,  /* ack section present */
	CTRL_FLAG_DATA = 0x02, /* data section present */
	CTRL_FLAGS_KNOWN = CTRL_FLAG_ACK | CTRL_FLAG_DATA,

	/* Field sizes: byte sequence numbers are 32-bit serial numbers (RFC 1982), timestamps
	 * microseconds, wrapping (0 means none). */
	CTRL_FLAGS_LEN = SEG_U8_LEN,
	CTRL_SEQ_LEN = SEG_U32_LEN,
	CTRL_WINDOW_LEN = SEG_U32_LEN,
	CTRL_TSTAMP_LEN = SEG_U32_LEN,
	CTRL_SACK_COUNT_LEN = SEG_U8_LEN,
	CTRL_DATA_LENGTH_LEN = SEG_U16_LEN,

	/*
	 * Ack section: cumulative ack, window, timestamp echo, SACK block count, then the
	 * blocks. The echo returns the timestamp of the data frame that advanced the
	 * cumulative ack (RFC 7323 3.4), for RTT samples that lost acks and retransmissions
	 * cannot spoil.
	 */
	CTRL_ACK_FIXED_LEN = CTRL_SEQ_LEN + CTRL_WINDOW_LEN + CTRL_TSTAMP_LEN + CTRL_SACK_COUNT_LEN,
	/* One SACK block: start, end (exclusive), both byte sequence numbers. */
	CTRL_SACK_BLOCK_LEN = 2 * CTRL_SEQ_LEN,
	CTRL_SACK_MAX = 4,
	CTRL_ACK_MAX_LEN = CTRL_ACK_FIXED_LEN + CTRL_SACK_MAX * CTRL_SACK_BLOCK_LEN,
	/* Data section header: sequence number of the first byte, the sender's timestamp,
	 * data length. */
	CTRL_DATA_HDR_LEN = CTRL_SEQ_LEN + CTRL_TSTAMP_LEN + CTRL_DATA_LENGTH_LEN,
	CTRL_FRAME_OVERHEAD_MAX = CTRL_FLAGS_LEN + CTRL_ACK_MAX_LEN + CTRL_DATA_HDR_LEN,

	/* Messages: a record of kind u8, length u32, then the bytes, in the byte stream. */
	CTRL_MSG_MAX = 64 * 1024,
	CTRL_REC_HDR_LEN = SEG_U8_LEN + SEG_U32_LEN,
	CTRL_REC_MAX = CTRL_REC_HDR_LEN + CTRL_MSG_MAX,

	/*
	 * The receive window: the largest window a receiver advertises and accepts, from the
	 * start of the message being received (it must hold the largest record, or the stream
	 * would deadlock). A frame reaching beyond it is dropped (ctrlchan.h).
	 */
	CTRL_RECV_WINDOW = 128 * 1024,

	/* Message kinds: the gateway tells its own messages from adapters'. */
	CTRL_KIND_GATEWAY = 0,
	CTRL_KIND_ADAPTER = 1,
	CTRL_KIND_MAX = CTRL_KIND_ADAPTER,
};

/*
 * Data channel fragments (docs/control-channel.md "Fragments"), inside a transport message
 * of inner type SEG_INNER_FRAGMENT: id u32, index u8, count u8, total length u16,
 * offset u16, length u16, then the bytes.
 */
enum {
	FRAG_HDR_LEN =
	    SEG_U32_LEN + SEG_U8_LEN + SEG_U8_LEN + SEG_U16_LEN + SEG_U16_LEN + SEG_U16_LEN,
	/* Fragments per packet; a 64-bit bitmap tracks them. */
	FRAG_COUNT_MAX = 64,
	/* Largest packet (the total length field is 16 bits). */
	FRAG_PKT_MAX = UINT16_MAX,
};

/*
 * Hidden path list message, version 1 (docs/path-management.md "Hidden paths"; the layout
 * and the limits that depend on the SCION path format are in hidden.h): a header of
 * version u8, count u8, source IA, rendezvous IA; per path raw length u16, the raw path,
 * MTU u16, expiry u64, interface count u8, then per interface IA and ifid u64.
 */
enum {
	HIDDEN_MSG_VERSION = 1,
	HIDDEN_HDR_LEN = SEG_U8_LEN + SEG_U8_LEN + SEG_IA_LEN + SEG_IA_LEN,
	HIDDEN_PATH_FIXED_LEN = SEG_U16_LEN + SEG_U16_LEN + SEG_U64_LEN + SEG_U8_LEN,
	HIDDEN_IFACE_LEN = SEG_IA_LEN + SEG_U64_LEN,
};

/* Error values of the channels start here, clear of errno values (both are returned) and of
 * each other; hidden.h's errors follow at -340. Not on the wire. */
enum {
	CTRLCHAN_ERR_BASE = 256,
	FRAG_ERR_BASE = 320,
};

/*
 * Why a message was rejected or an operation failed; negative. The X-macro lets a counter
 * table (one drop counter per reason) be generated from the same list.
 */
#define SEG_PROTO_ERRORS(X)                                                            \
	X(SEG_ERR_TRUNCATED, -1, "message too short or of the wrong length")           \
	X(SEG_ERR_TYPE, -2, "wrong message type")                                      \
	X(SEG_ERR_VERSION, -3, "unsupported protocol version")                         \
	X(SEG_ERR_RESERVED, -4, "reserved bits set")                                   \
	X(SEG_ERR_CIPHER_UNKNOWN, -5, "unknown cipher suite")                          \
	X(SEG_ERR_CIPHER_MISMATCH, -6, "peer's cipher suite differs from ours")        \
	X(SEG_ERR_EPOCH, -7, "DRKey epoch unknown or past its grace period")           \
	X(SEG_ERR_MAC, -8, "handshake MAC invalid")                                    \
	X(SEG_ERR_TIMESTAMP, -9, "Init timestamp not newer than the last accepted")    \
	X(SEG_ERR_ROLE_CONFLICT, -10, "simultaneous Init: we keep the initiator role") \
	X(SEG_ERR_NO_PENDING, -11, "Response matches no pending Init")                 \
	X(SEG_ERR_STALE, -12, "Response to an Init older than the rekey attempt time") \
	X(SEG_ERR_DH, -13, "X25519 with the peer's key gave a weak result")            \
	X(SEG_ERR_CRYPTO, -14, "cryptographic library failure")                        \
	X(SEG_ERR_NOMEM, -15, "out of memory")                                         \
	X(SEG_ERR_SPACE, -16, "buffer too small")                                      \
	X(SEG_ERR_AEAD, -17, "transport authentication failed")                        \
	X(SEG_ERR_REPLAY, -18, "counter replayed or behind the window")                \
	X(SEG_ERR_COUNTER_LIMIT, -19, "counter at or past the reject limit")           \
	X(SEG_ERR_EXPIRED, -20, "session older than the reject time")                  \
	X(SEG_ERR_INDEX, -21, "receiver index matches no session")                     \
	X(SEG_ERR_NO_SESSION, -22, "no usable session")

enum seg_proto_err {
	SEG_OK = 0,
#define SEG_X_ENUM(name, value, text) name = value,
	SEG_PROTO_ERRORS(SEG_X_ENUM)
#undef SEG_X_ENUM
};

/* Number of seg_proto_err values, SEG_OK included: the size of a counter table. */
#define SEG_X_ONE(name, value, text) +1
enum { SEG_ERR_COUNT = 1 SEG_PROTO_ERRORS(SEG_X_ONE) };
#undef SEG_X_ONE

/* A static English description of a seg_proto_err value. */
static inline const char *seg_proto_strerror(int err)
{
	switch (err) {
	case SEG_OK:
		return "success";
#define SEG_X_CASE(name, value, text) \
	case name:                    \
		return text;
		SEG_PROTO_ERRORS(SEG_X_CASE)
#undef SEG_X_CASE
	default:
		return "unknown error";
	}
}

#endif /* SEG_GATEWAY_PROTOCOL_H */
