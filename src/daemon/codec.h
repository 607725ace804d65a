/* SPDX-License-Identifier: MIT */
/*
 * Protobuf codecs of the daemon API messages, between the wire bytes and seg's structs
 * (include/seg/daemon.h). Pure: bytes in, struct out, no logging, no state; every decode
 * validates what it returns (docs/daemon-api.md lists the checks) and fails with a specific
 * enum seg_daemon_err. Encoders return a malloc'd buffer (never NULL on success, even for an
 * empty message) that the caller frees; encoders of answers validate like the decoders, so a
 * server never sends what a client would reject.
 *
 * codec_path.c: Path and the raw path checks; codec_client.c: requests out, answers in;
 * codec_server.c: requests in, answers out.
 */
#ifndef SEG_DAEMON_CODEC_H
#define SEG_DAEMON_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <seg/daemon.h>

/* Validates a path as the decoder would produce it. */
SEG_MUST_CHECK int daemon_path_validate(const struct seg_path *p);
/* Checks raw bytes for a standard SCION path whose meta header matches its length. */
SEG_MUST_CHECK int daemon_raw_path_check(const uint8_t *raw, size_t len);

/* One proto.daemon.v1.Path message. */
SEG_MUST_CHECK int daemon_decode_path(const uint8_t *buf, size_t len, struct seg_path *out);
SEG_MUST_CHECK int daemon_encode_path(const struct seg_path *p, uint8_t **out, size_t *len);

/* Client: requests. */
SEG_MUST_CHECK int daemon_encode_paths_req(const struct seg_daemon_paths_req *r, uint8_t **out,
					   size_t *len);
SEG_MUST_CHECK int daemon_encode_as_req(scion_ia_t ia, uint8_t **out, size_t *len);
SEG_MUST_CHECK int daemon_encode_empty(uint8_t **out, size_t *len);
SEG_MUST_CHECK int daemon_encode_drkey_req(enum seg_drkey_kind kind,
					   const struct seg_daemon_drkey_req *r, uint8_t **out,
					   size_t *len);

/* Client: answers. The paths and interfaces arrays are malloc'd arrays (NULL when empty). */
SEG_MUST_CHECK int daemon_decode_paths_resp(const uint8_t *buf, size_t len, struct seg_path **paths,
					    size_t *n);
SEG_MUST_CHECK int daemon_decode_as_resp(const uint8_t *buf, size_t len,
					 struct seg_daemon_as_info *out);
SEG_MUST_CHECK int daemon_decode_interfaces_resp(const uint8_t *buf, size_t len,
						 struct seg_daemon_interface **ifaces, size_t *n);
SEG_MUST_CHECK int daemon_decode_port_range_resp(const uint8_t *buf, size_t len,
						 struct seg_daemon_port_range *out);
SEG_MUST_CHECK int daemon_decode_drkey_resp(enum seg_drkey_kind kind, const uint8_t *buf,
					    size_t len, struct seg_drkey *out);

/* Server: requests. */
SEG_MUST_CHECK int daemon_decode_paths_req(const uint8_t *buf, size_t len,
					   struct seg_daemon_paths_req *out);
SEG_MUST_CHECK int daemon_decode_as_req(const uint8_t *buf, size_t len, scion_ia_t *ia);
SEG_MUST_CHECK int daemon_decode_interfaces_req(const uint8_t *buf, size_t len);
SEG_MUST_CHECK int daemon_decode_empty(const uint8_t *buf, size_t len);
SEG_MUST_CHECK int daemon_decode_drkey_req(enum seg_drkey_kind kind, const uint8_t *buf, size_t len,
					   struct seg_daemon_drkey_req *out);

/* Server: answers. At most SEG_DAEMON_PATHS_MAX paths are sent. */
SEG_MUST_CHECK int daemon_encode_paths_resp(const struct seg_path *paths, size_t n, uint8_t **out,
					    size_t *len);
SEG_MUST_CHECK int daemon_encode_as_resp(const struct seg_daemon_as_info *a, uint8_t **out,
					 size_t *len);
SEG_MUST_CHECK int daemon_encode_interfaces_resp(const struct seg_daemon_interface *ifaces,
						 size_t n, uint8_t **out, size_t *len);
SEG_MUST_CHECK int daemon_encode_port_range_resp(const struct seg_daemon_port_range *r,
						 uint8_t **out, size_t *len);
SEG_MUST_CHECK int daemon_encode_drkey_resp(enum seg_drkey_kind kind, const struct seg_drkey *k,
					    uint8_t **out, size_t *len);

/* Shared helpers of the codec files. */
struct ProtobufCMessage;
SEG_MUST_CHECK int daemon_pack(const struct ProtobufCMessage *m, uint8_t **out, size_t *len);
/* Checks a google.protobuf.Timestamp's range; *unix gets max(seconds, 0). */
struct Google__Protobuf__Timestamp;
SEG_MUST_CHECK int daemon_timestamp_check(const struct Google__Protobuf__Timestamp *t,
					  uint64_t *unix_sec);

#endif /* SEG_DAEMON_CODEC_H */
