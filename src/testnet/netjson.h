/* SPDX-License-Identifier: MIT */
/*
 * A small JSON emitter: a growing buffer with object/array nesting, commas and string
 * escaping (RFC 8259 section 7: quote, backslash and control characters escaped, the rest
 * passed through as UTF-8). Used for testnet.json and the control socket's status line.
 *
 * Every call takes a key (inside an object) or NULL (inside an array or at the top). Errors
 * (no memory, nesting past JSON_MAX_DEPTH, unbalanced end) are sticky: json_out_finish() reports
 * them once.
 *
 * Thread: a builder belongs to one thread.
 */
#ifndef SEG_TESTNET_NETJSON_H
#define SEG_TESTNET_NETJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	JSON_MAX_DEPTH = 16,
};

struct json_out {
	char *buf;
	size_t len;
	size_t cap;
	bool failed;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

/** Starts an empty document; pretty adds newlines and two-space indentation. */
void json_out_init(struct json_out *j, bool pretty);
void json_obj_begin(struct json_out *j, const char *key);
void json_obj_end(struct json_out *j);
void json_arr_begin(struct json_out *j, const char *key);
void json_arr_end(struct json_out *j);
void json_str(struct json_out *j, const char *key, const char *val);
void json_u64(struct json_out *j, const char *key, uint64_t val);
void json_i64(struct json_out *j, const char *key, int64_t val);
void json_out_bool(struct json_out *j, const char *key, bool val);
/**
 * Ends the document: on success *out gets the NUL-terminated text (malloc'ed, the caller
 * frees) and 0 is returned; on any earlier error -1 and nothing to free.
 */
__attribute__((warn_unused_result)) int json_out_finish(struct json_out *j, char **out);

#endif /* SEG_TESTNET_NETJSON_H */
