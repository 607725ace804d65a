/* SPDX-License-Identifier: MIT */
/*
 * A small streaming JSON writer over a stdio stream (a file, or open_memstream for a
 * buffer). The caller opens and closes objects and arrays; the writer places commas, colons
 * and (when pretty) newlines and two-space indentation. Strings are escaped per RFC 8259
 * section 7; bytes that are not valid UTF-8 are written as U+FFFD, so any C string gives
 * valid JSON. Non-finite doubles are written as null.
 *
 * Misuse (a value where a key is due, unbalanced ends, nesting deeper than JSON_DEPTH_MAX)
 * is remembered and reported by json_finish(), as are stream errors.
 *
 * Thread: none; a writer belongs to its caller.
 */
#ifndef SEG_BASE_JSON_H
#define SEG_BASE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum {
	JSON_DEPTH_MAX = 32,
};

struct json {
	FILE *f;
	bool pretty;
	bool failed;
	unsigned depth;
	bool want_key; /* inside an object, before a key */
	bool in_object[JSON_DEPTH_MAX];
	bool empty[JSON_DEPTH_MAX]; /* no element yet at this depth */
};

void json_init(struct json *j, FILE *f, bool pretty);

void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);

/* The key of the next member of the enclosing object. */
void json_key(struct json *j, const char *key);

/* NULL is written as null. */
void json_string(struct json *j, const char *s);
void json_uint(struct json *j, uint64_t v);
void json_int(struct json *j, int64_t v);
/* Fixed-point with `decimals` digits after the point; NaN and infinities as null. */
void json_double(struct json *j, double v, int decimals);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* Writes the final newline (pretty) and checks: 0 when the document is complete and every
 * write succeeded, -1 otherwise. */
__attribute__((warn_unused_result)) int json_finish(struct json *j);

/* Writes s as a JSON string literal (quotes included) to f; the escaping used above. */
void json_write_escaped(FILE *f, const char *s);

#endif /* SEG_BASE_JSON_H */
