/* SPDX-License-Identifier: MIT */
/* Path policy ranking; see pathpolicy.h and docs/path-management.md. */
#include "pathpolicy.h"

#include <string.h>

static int cmp_u64(uint64_t a, uint64_t b)
{
	return (a > b) - (a < b);
}

/* Last resort, shared by both policies: fingerprint, then id. */
static int compare_identity(const struct pathpolicy_metrics *a, const struct pathpolicy_metrics *b)
{
	int c = cmp_u64(a->fingerprint, b->fingerprint);

	return c ? c : cmp_u64(a->id, b->id);
}

/* A path with an RTT sample before one without; then lower SRTT. */
static int compare_rtt(const struct pathpolicy_metrics *a, const struct pathpolicy_metrics *b)
{
	if (a->rtt_known != b->rtt_known)
		return a->rtt_known ? -1 : 1;
	if (!a->rtt_known)
		return 0;
	return cmp_u64(a->srtt_ns, b->srtt_ns);
}

int pathpolicy_compare(enum pathpolicy_kind kind, const struct pathpolicy_metrics *a,
		       const struct pathpolicy_metrics *b)
{
	int c;

	switch (kind) {
	case PATHPOLICY_HOPS:
		c = cmp_u64(a->hops, b->hops);
		break;
	case PATHPOLICY_LATENCY:
		c = compare_rtt(a, b);
		if (!c)
			c = cmp_u64(a->hops, b->hops);
		break;
	default:
		c = 0;
		break;
	}
	return c ? c : compare_identity(a, b);
}

bool pathpolicy_worth_switch(enum pathpolicy_kind kind, const struct pathpolicy_metrics *cur,
			     const struct pathpolicy_metrics *cand)
{
	uint64_t margin;

	switch (kind) {
	case PATHPOLICY_HOPS:
		return cand->hops < cur->hops;
	case PATHPOLICY_LATENCY:
		if (!cand->rtt_known)
			return false;
		if (!cur->rtt_known)
			return true;
		margin = cur->srtt_ns / 100 * PATHPOLICY_LATENCY_MARGIN_PERCENT;
		if (margin < PATHPOLICY_LATENCY_MARGIN_MIN_NS)
			margin = PATHPOLICY_LATENCY_MARGIN_MIN_NS;
		return cand->srtt_ns + margin < cur->srtt_ns;
	}
	return false;
}

void pathpolicy_sort(enum pathpolicy_kind kind, struct pathpolicy_metrics *m, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct pathpolicy_metrics x = m[i];
		size_t j = i;

		while (j > 0 && pathpolicy_compare(kind, &x, &m[j - 1]) < 0) {
			m[j] = m[j - 1];
			j--;
		}
		m[j] = x;
	}
}

static const char *const policy_names[] = {
    [PATHPOLICY_HOPS] = "hops",
    [PATHPOLICY_LATENCY] = "latency",
};

int pathpolicy_parse(const char *s, size_t len, enum pathpolicy_kind *out)
{
	for (size_t k = 0; k < sizeof(policy_names) / sizeof(policy_names[0]); k++) {
		if (strlen(policy_names[k]) == len && memcmp(s, policy_names[k], len) == 0) {
			*out = (enum pathpolicy_kind)k;
			return 0;
		}
	}
	return PATHPOLICY_ERR_UNKNOWN;
}

const char *pathpolicy_name(enum pathpolicy_kind kind)
{
	if ((size_t)kind < sizeof(policy_names) / sizeof(policy_names[0]))
		return policy_names[kind];
	return "unknown";
}
