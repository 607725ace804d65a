/* SPDX-License-Identifier: MIT */
/* The IP adapter's subnet announcement codec; the format is in ipadapter_announce.h. */
#include "adapters/ip/ipadapter_announce.h"

#include <string.h>

#include "base/cursor.h"

static bool prefix_valid(const struct cidr *c)
{
	if (c->len > ip_family_bits(c->addr.family))
		return false;
	struct cidr net = cidr_network(c);

	return ip_addr_equal(&net.addr, &c->addr);
}

static bool prefix_equal(const struct cidr *a, const struct cidr *b)
{
	return a->len == b->len && ip_addr_equal(&a->addr, &b->addr);
}

int ipa_msg_encode_subnets(const struct cidr *subnets, size_t n, uint8_t *out, size_t cap,
			   size_t *out_len)
{
	struct wcursor w = wcursor_init(out, cap);

	if (n > IPA_MSG_SUBNETS_MAX)
		return IPA_MSG_ERR_COUNT;
	if (!wcursor_u8(&w, IPA_MSG_ADAPTER) || !wcursor_u8(&w, IPA_MSG_VERSION) ||
	    !wcursor_u8(&w, IPA_MSG_SUBNETS) || !wcursor_u8(&w, 0) ||
	    !wcursor_u16be(&w, (uint16_t)n))
		return IPA_MSG_ERR_SPACE;
	for (size_t i = 0; i < n; i++) {
		const struct cidr *c = &subnets[i];

		if (c->addr.family != IP_FAMILY_V4 && c->addr.family != IP_FAMILY_V6)
			return IPA_MSG_ERR_FAMILY;
		if (!prefix_valid(c))
			return IPA_MSG_ERR_PREFIX;
		if (!wcursor_u8(&w, (uint8_t)c->addr.family) || !wcursor_u8(&w, c->len) ||
		    !wcursor_bytes(&w, c->addr.bytes, ip_family_len(c->addr.family)))
			return IPA_MSG_ERR_SPACE;
	}
	*out_len = cap - w.cap;
	return IPA_MSG_OK;
}

static int decode_entry(struct rcursor *r, struct cidr *out)
{
	uint8_t family, len;

	if (!rcursor_u8(r, &family) || !rcursor_u8(r, &len))
		return IPA_MSG_ERR_SHORT;
	if (family != IP_FAMILY_V4 && family != IP_FAMILY_V6)
		return IPA_MSG_ERR_FAMILY;
	memset(out, 0, sizeof(*out));
	out->addr.family = (enum ip_family)family;
	out->len = len;
	if (!rcursor_bytes(r, out->addr.bytes, ip_family_len(out->addr.family)))
		return IPA_MSG_ERR_SHORT;
	return prefix_valid(out) ? IPA_MSG_OK : IPA_MSG_ERR_PREFIX;
}

int ipa_msg_decode_subnets(const uint8_t *msg, size_t len, struct cidr *out, size_t cap, size_t *n)
{
	struct rcursor r = rcursor_init(msg, len);
	uint8_t adapter, version, type, flags;
	uint16_t count;

	*n = 0;
	if (!rcursor_u8(&r, &adapter))
		return IPA_MSG_ERR_SHORT;
	if (adapter != IPA_MSG_ADAPTER)
		return IPA_MSG_ERR_OTHER_ADAPTER;
	if (!rcursor_u8(&r, &version) || !rcursor_u8(&r, &type) || !rcursor_u8(&r, &flags) ||
	    !rcursor_u16be(&r, &count))
		return IPA_MSG_ERR_SHORT;
	if (version != IPA_MSG_VERSION)
		return IPA_MSG_ERR_VERSION;
	if (type != IPA_MSG_SUBNETS)
		return IPA_MSG_ERR_TYPE;
	if (flags != 0)
		return IPA_MSG_ERR_FLAGS;
	if (count > IPA_MSG_SUBNETS_MAX || count > cap)
		return IPA_MSG_ERR_COUNT;
	for (size_t i = 0; i < count; i++) {
		int err = decode_entry(&r, &out[i]);

		if (err)
			return err;
		for (size_t j = 0; j < i; j++)
			if (prefix_equal(&out[j], &out[i]))
				return IPA_MSG_ERR_DUPLICATE;
	}
	if (r.len)
		return IPA_MSG_ERR_TRAILING;
	*n = count;
	return IPA_MSG_OK;
}

const char *ipa_msg_strerror(int err)
{
	switch ((enum ipa_msg_err)err) {
	case IPA_MSG_OK:
		return "ok";
	case IPA_MSG_ERR_OTHER_ADAPTER:
		return "not an IP adapter message";
	case IPA_MSG_ERR_SHORT:
		return "truncated";
	case IPA_MSG_ERR_VERSION:
		return "unsupported version";
	case IPA_MSG_ERR_TYPE:
		return "unknown message type";
	case IPA_MSG_ERR_FLAGS:
		return "reserved flags set";
	case IPA_MSG_ERR_COUNT:
		return "too many subnets";
	case IPA_MSG_ERR_FAMILY:
		return "unknown address family";
	case IPA_MSG_ERR_PREFIX:
		return "invalid prefix (length or host bits)";
	case IPA_MSG_ERR_DUPLICATE:
		return "prefix listed twice";
	case IPA_MSG_ERR_TRAILING:
		return "trailing bytes";
	case IPA_MSG_ERR_SPACE:
		return "buffer too small";
	}
	return "unknown error";
}
