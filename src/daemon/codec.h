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
__attribute__((warn_unused_result)) int daemon_path_validate(const struct seg_path *p);
/* Checks raw bytes for a standard SCION path whose meta header matches its length. */
__attribute__((warn_unused_result)) int daemon_raw_path_check(const uint8_t *raw, size_t len);

/* One proto.daemon.v1.Path message. */
__attribute__((warn_unused_result)) int daemon_decode_path(const uint8_t *buf, size_t len, struct seg_path *out);
__attribute__((warn_unused_result)) int daemon_encode_path(const struct seg_path *p, uint8_t **out, size_t *len);

/* Client: requests. */
__attribute__((warn_unused_result)) int daemon_encode_paths_req(const struct seg_daemon_paths_req *r, uint8_t **out, size_t *len);
__attribute__((warn_unused_result)) int daemon_encode_as_req(scion_ia_t ia, uint8_t **out, size_t *len);
__attribute__((warn_unused_result)) int daemon_encode_empty(uint8_t **out, size_t *len);
__attribute__((warn_unused_result)) int daemon_encode_drkey_req(enum seg_drkey_kind kind, const struct seg_daemon_drkey_req *r,
			    uint8_t **out, size_t *len);

/* Client: answers. The paths and interfaces arrays are malloc'd arrays (NULL when empty). */
__attribute__((warn_unused_result)) int daemon_decode_paths_resp(const uint8_t *buf, size_t len, struct seg_path **paths, size_t *n);
__attribute__((warn_unused_result)) int daemon_decode_as_resp(const uint8_t *buf, size_t len, struct seg_daemon_as_info *out);
__attribute__((warn_unused_result)) int daemon_decode_interfaces_resp(const uint8_t *buf, size_t len,
				  struct seg_daemon_interface **ifaces, size_t *n);
__attribute__((warn_unused_result)) int daemon_decode_port_range_resp(const uint8_t *buf, size_t len,
				  struct seg_daemon_port_range *out);
__attribute__((warn_unused_result)) int daemon_decode_drkey_resp(enum seg_drkey_kind kind, const uint8_t *buf, size_t len,
			     struct seg_drkey *out);

/* Server: requests. */
__attribute__((warn_unused_result)) int daemon_decode_paths_req(const uint8_t *buf, size_t len, struct seg_daemon_paths_req *out);
__attribute__((warn_unused_result)) int daemon_decode_as_req(const uint8_t *buf, size_t len, scion_ia_t *ia);
__attribute__((warn_unused_result)) int daemon_decode_interfaces_req(const uint8_t *buf, size_t len);
__attribute__((warn_unused_result)) int daemon_decode_empty(const uint8_t *buf, size_t len);
__attribute__((warn_unused_result)) int daemon_decode_drkey_req(enum seg_drkey_kind kind, const uint8_t *buf, size_t len,
			    struct seg_daemon_drkey_req *out);

/* Server: answers. At most SEG_DAEMON_PATHS_MAX paths are sent. */
__attribute__((warn_unused_result)) int daemon_encode_paths_resp(const struct seg_path *paths, size_t n, uint8_t **out, size_t *len);
__attribute__((warn_unused_result)) int daemon_encode_as_resp(const struct seg_daemon_as_info *a, uint8_t **out, size_t *len);
__attribute__((warn_unused_result)) int daemon_encode_interfaces_resp(const struct seg_daemon_interface *ifaces, size_t n,
				  uint8_t **out, size_t *len);
__attribute__((warn_unused_result)) int daemon_encode_port_range_resp(const struct seg_daemon_port_range *r, uint8_t **out,
				  size_t *len);
__attribute__((warn_unused_result)) int daemon_encode_drkey_resp(enum seg_drkey_kind kind, const struct seg_drkey *k, uint8_t **out,
			     size_t *len);

/* Shared helpers of the codec files. */
struct ProtobufCMessage;
__attribute__((warn_unused_result)) int daemon_pack(const struct ProtobufCMessage *m, uint8_t **out, size_t *len);
/* Checks a google.protobuf.Timestamp's range; *unix gets max(seconds, 0). */
struct Google__Protobuf__Timestamp;
__attribute__((warn_unused_result)) int daemon_timestamp_check(const struct Google__Protobuf__Timestamp *t, uint64_t *unix_sec);

#endif /* SEG_DAEMON_CODEC_H */
