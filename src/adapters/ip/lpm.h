/* SPDX-License-Identifier: MIT */
/*
 * Longest-prefix-match table: IPv4 and IPv6 prefixes to an opaque non-NULL value (the IP
 * adapter maps a peer's announced subnets to that peer). A path-compressed binary trie per
 * family: every node holds a prefix; a node without a value always has two children, so a
 * lookup visits at most one node per distinct prefix length on its way, never a list.
 *
 * Bound: a table holds at most the max_entries given to lpm_create (LPM_MAX_ENTRIES by
 * default); an insert past it fails with LPM_ERR_FULL and changes nothing: the control thread
 * refuses that announcement and says so. Nodes never exceed 2 * entries.
 *
 * Thread rule: a table has one writer, the control thread. Data threads never see a table that
 * is being modified: the control thread edits a private copy (lpm_clone, then inserts and
 * removes), publishes it with lpm_publish (an atomic exchange with release order), and frees
 * the old one only after every data thread has passed a quiescent point (the gateway's
 * deferred free). Data threads read the current table with lpm_current (an acquire load) and
 * call lpm_lookup on it, lock-free; a published table is never modified again.
 */
#ifndef SEG_ADAPTERS_IP_LPM_H
#define SEG_ADAPTERS_IP_LPM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ipaddr.h"

enum {
	/* Default bound: far more than any set of peers announces, small enough to clone. */
	LPM_MAX_ENTRIES = 65536,
};

enum lpm_err {
	LPM_OK = 0,
	LPM_ERR_INVALID = -1,	/* bad family, length past the family's bits, host bits, NULL */
	LPM_ERR_EXISTS = -2,	/* that exact prefix is already in the table */
	LPM_ERR_NOT_FOUND = -3, /* no such exact prefix */
	LPM_ERR_FULL = -4,	/* max_entries reached */
	LPM_ERR_NOMEM = -5,	/* allocation failed; the table is unchanged */
};

struct lpm;

/* A new empty table holding at most max_entries prefixes (0: LPM_MAX_ENTRIES). */
SEG_MUST_CHECK struct lpm *lpm_create(size_t max_entries);

/* Frees the table (not the values). NULL is fine. */
void lpm_free(struct lpm *t);

/* A deep copy, to be edited and then published; NULL when out of memory. */
SEG_MUST_CHECK struct lpm *lpm_clone(const struct lpm *t);

/* Adds prefix -> value (value non-NULL, host bits of prefix zero). */
SEG_MUST_CHECK int lpm_insert(struct lpm *t, const struct cidr *prefix, void *value);

/* Removes the exact prefix; its value goes to *old if old is not NULL. */
SEG_MUST_CHECK int lpm_remove(struct lpm *t, const struct cidr *prefix, void **old);

/* Removes every prefix mapped to value (a peer gone for good); returns how many, or < 0. */
SEG_MUST_CHECK int lpm_remove_value(struct lpm *t, const void *value);

/* Removes everything. */
void lpm_clear(struct lpm *t);

/* The value of the longest prefix containing addr (4 or 16 bytes), or NULL. */
SEG_MUST_CHECK void *lpm_lookup(const struct lpm *t, enum ip_family family, const uint8_t *addr);

/* The value stored for exactly this prefix, or NULL. */
SEG_MUST_CHECK void *lpm_lookup_exact(const struct lpm *t, const struct cidr *prefix);

size_t lpm_count(const struct lpm *t);

/* Calls fn for every prefix, shorter prefixes before longer ones along a branch. */
void lpm_walk(const struct lpm *t, void (*fn)(const struct cidr *prefix, void *value, void *ctx),
	      void *ctx);

/* Checks the trie's structural invariants (lpm.c) and the entry count; for tests. */
bool lpm_validate(const struct lpm *t);

/* Publication (see the thread rule above); returns the previous table, to be freed later. */
static inline struct lpm *lpm_publish(_Atomic(struct lpm *) *slot, struct lpm *t)
{
	return atomic_exchange_explicit(slot, t, memory_order_acq_rel);
}

static inline const struct lpm *lpm_current(_Atomic(struct lpm *) *slot)
{
	return atomic_load_explicit(slot, memory_order_acquire);
}

const char *lpm_strerror(int err);

#endif /* SEG_ADAPTERS_IP_LPM_H */
