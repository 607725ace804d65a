/* SPDX-License-Identifier: MIT */
/*
 * Shared YAML walking for the configuration parsers: load one document with libyaml,
 * then check node types and scalar values, each failure reported once as
 * "<name>:<line>:<column>: <what>" with the offending token quoted.
 *
 * Internal to src/config. Thread: none; a struct yaml_walk belongs to one parse.
 */
#ifndef SEG_CONFIG_YAML_WALK_H
#define SEG_CONFIG_YAML_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "config/config_err.h"

enum {
	/* Nesting deeper than any seg file needs is refused before building the tree. */
	YAML_WALK_DEPTH_MAX = 16,
	/* Longest token quoted in an error message. */
	YAML_WALK_QUOTE_MAX = 64,
};

struct yaml_walk {
	yaml_document_t doc;
	bool loaded;
	const char *name; /* file name for messages */
	char *err;	  /* message buffer, errlen bytes */
	size_t errlen;
};

/* Reads a whole file (at most SEG_CONFIG_FILE_MAX bytes) into a malloc'd buffer. */
__attribute__((warn_unused_result)) int yaml_walk_read_file(const char *path, uint8_t **buf,
							    size_t *len, char *err, size_t errlen);

/* Loads exactly one YAML document from buf. 0 or a negative enum seg_config_err with the
 * message in err. An empty input loads as a document without root. */
__attribute__((warn_unused_result)) int yaml_walk_load(struct yaml_walk *w, const char *name,
						       const uint8_t *buf, size_t len, char *err,
						       size_t errlen);
void yaml_walk_free(struct yaml_walk *w);

/* The document's root, or NULL when the input was empty. */
yaml_node_t *yaml_walk_root(struct yaml_walk *w);

/* Formats "<name>:<line>:<col>: <message>" at n (or at 1:1 when n is NULL) into the error
 * buffer and returns SEG_CONFIG_ERR_INVALID. */
__attribute__((warn_unused_result)) int yaml_walk_error(struct yaml_walk *w, const yaml_node_t *n,
							const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes the scalar as a double-quoted, escaped, possibly shortened token for messages. */
const char *yaml_walk_quote(const yaml_node_t *n, char *buf, size_t cap);

/* A plain empty scalar, "~" or "null": a key written without a value. */
bool yaml_walk_is_null(const yaml_node_t *n);

/* Type checks: 0, or an error naming what (e.g. "\"remotes\" must be a list"). */
__attribute__((warn_unused_result)) int yaml_walk_expect(struct yaml_walk *w, const yaml_node_t *n,
							 yaml_node_type_t type, const char *what);

/* Scalar conversions; each checks the type first. Strings reject embedded NULs and
 * values longer than max bytes, and are malloc'd (free()). */
__attribute__((warn_unused_result)) int yaml_walk_string(struct yaml_walk *w, const yaml_node_t *n,
							 const char *what, size_t max, char **out);
__attribute__((warn_unused_result)) int yaml_walk_bool(struct yaml_walk *w, const yaml_node_t *n,
						       const char *what, bool *out);
__attribute__((warn_unused_result)) int yaml_walk_uint(struct yaml_walk *w, const yaml_node_t *n,
						       const char *what, uint64_t min, uint64_t max,
						       uint64_t *out);
__attribute__((warn_unused_result)) int
yaml_walk_duration(struct yaml_walk *w, const yaml_node_t *n, const char *what, uint64_t *out_ns);

/* A mapping walked against a table of known keys. Each handler gets the value node. */
struct yaml_walk_key {
	const char *name;
	int (*fn)(struct yaml_walk *w, yaml_node_t *value, void *ctx);
};

/* Calls the handler of every key in the mapping n. Unknown keys ("unknown key \"x\""),
 * duplicates and non-scalar keys are errors. *seen gets bit i for keys[i] (at most 64). */
__attribute__((warn_unused_result)) int yaml_walk_mapping(struct yaml_walk *w, yaml_node_t *n,
							  const struct yaml_walk_key *keys,
							  size_t nkeys, void *ctx, uint64_t *seen);

/* Child nodes (NULL when the index is invalid, which libyaml never produces). */
static inline yaml_node_t *yaml_walk_node(struct yaml_walk *w, int index)
{
	return yaml_document_get_node(&w->doc, index);
}

#endif /* SEG_CONFIG_YAML_WALK_H */
