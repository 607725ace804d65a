/* SPDX-License-Identifier: MIT */
/* The UDP service adapter's data and control codecs (udp_frame.h). */
#include "adapters/udp/udp_frame.h"

#include <string.h>

#include "base/cursor.h"

bool udpa_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > UDPA_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int udpa_data_encode(const struct udpa_data *d, uint8_t *out, size_t cap, size_t *out_len)
{
	struct wcursor w = wcursor_init(out, cap);

	if (d->type != UDPA_TYPE_TO_SERVICE && d->type != UDPA_TYPE_TO_CLIENT)
		return UDPA_ERR_TYPE;
	if (d->payload_len > UDPA_PAYLOAD_MAX)
		return UDPA_ERR_SPACE;
	if (!wcursor_u8(&w, UDPA_MSG_ADAPTER) || !wcursor_u8(&w, d->type) ||
	    !wcursor_u16be(&w, d->service) || !wcursor_u32be(&w, d->flow) ||
	    !wcursor_bytes(&w, d->payload, d->payload_len))
		return UDPA_ERR_SPACE;
	*out_len = cap - w.cap;
	return UDPA_OK;
}

int udpa_data_decode(const uint8_t *buf, size_t len, struct udpa_data *out)
{
	struct rcursor r = rcursor_init(buf, len);
	uint8_t adapter;

	memset(out, 0, sizeof(*out));
	if (!rcursor_u8(&r, &adapter))
		return UDPA_ERR_SHORT;
	if (adapter != UDPA_MSG_ADAPTER)
		return UDPA_ERR_OTHER_ADAPTER;
	if (!rcursor_u8(&r, &out->type) || !rcursor_u16be(&r, &out->service) ||
	    !rcursor_u32be(&r, &out->flow))
		return UDPA_ERR_SHORT;
	if (out->type != UDPA_TYPE_TO_SERVICE && out->type != UDPA_TYPE_TO_CLIENT)
		return UDPA_ERR_TYPE;
	if (!rcursor_view(&r, &out->payload, r.len))
		return UDPA_ERR_SHORT;
	out->payload_len = len - UDPA_DATA_HDR_LEN;
	return UDPA_OK;
}

int udpa_services_encode(const struct udpa_service_entry *s, size_t n, uint8_t *out, size_t cap,
			 size_t *out_len)
{
	struct wcursor w = wcursor_init(out, cap);

	if (n > UDPA_SERVICES_MAX)
		return UDPA_ERR_COUNT;
	if (!wcursor_u8(&w, UDPA_MSG_ADAPTER) || !wcursor_u8(&w, UDPA_TYPE_SERVICES) ||
	    !wcursor_u8(&w, UDPA_VERSION) || !wcursor_u8(&w, (uint8_t)n))
		return UDPA_ERR_SPACE;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strnlen(s[i].name, sizeof(s[i].name));

		if (!s[i].id)
			return UDPA_ERR_ID;
		if (!udpa_name_valid(s[i].name, nl))
			return UDPA_ERR_NAME;
		if (!wcursor_u16be(&w, s[i].id) || !wcursor_u8(&w, (uint8_t)nl) ||
		    !wcursor_bytes(&w, s[i].name, nl))
			return UDPA_ERR_SPACE;
	}
	*out_len = cap - w.cap;
	return UDPA_OK;
}

static int decode_service(struct rcursor *r, struct udpa_service_entry *e)
{
	uint8_t nl;

	memset(e, 0, sizeof(*e));
	if (!rcursor_u16be(r, &e->id) || !rcursor_u8(r, &nl))
		return UDPA_ERR_SHORT;
	if (!e->id)
		return UDPA_ERR_ID;
	if (nl == 0 || nl > UDPA_NAME_MAX)
		return UDPA_ERR_NAME;
	if (!rcursor_bytes(r, e->name, nl))
		return UDPA_ERR_SHORT;
	return udpa_name_valid(e->name, nl) ? UDPA_OK : UDPA_ERR_NAME;
}

int udpa_services_decode(const uint8_t *buf, size_t len, struct udpa_service_entry *out, size_t *n)
{
	struct rcursor r = rcursor_init(buf, len);
	uint8_t adapter, type, version, count;

	*n = 0;
	if (!rcursor_u8(&r, &adapter))
		return UDPA_ERR_SHORT;
	if (adapter != UDPA_MSG_ADAPTER)
		return UDPA_ERR_OTHER_ADAPTER;
	if (!rcursor_u8(&r, &type))
		return UDPA_ERR_SHORT;
	if (type != UDPA_TYPE_SERVICES)
		return UDPA_ERR_TYPE;
	if (!rcursor_u8(&r, &version) || !rcursor_u8(&r, &count))
		return UDPA_ERR_SHORT;
	if (version != UDPA_VERSION)
		return UDPA_ERR_VERSION;
	if (count > UDPA_SERVICES_MAX)
		return UDPA_ERR_COUNT;
	for (size_t i = 0; i < count; i++) {
		int err = decode_service(&r, &out[i]);

		if (err)
			return err;
		for (size_t j = 0; j < i; j++) {
			if (out[j].id == out[i].id)
				return UDPA_ERR_ID;
			if (strcmp(out[j].name, out[i].name) == 0)
				return UDPA_ERR_NAME;
		}
	}
	if (r.len)
		return UDPA_ERR_TRAILING;
	*n = count;
	return UDPA_OK;
}

const char *udpa_strerror(int err)
{
	switch ((enum udpa_frame_err)err) {
	case UDPA_OK:
		return "ok";
	case UDPA_ERR_OTHER_ADAPTER:
		return "not a UDP adapter message";
	case UDPA_ERR_SHORT:
		return "truncated";
	case UDPA_ERR_TYPE:
		return "unknown message type";
	case UDPA_ERR_VERSION:
		return "unsupported version";
	case UDPA_ERR_COUNT:
		return "too many services";
	case UDPA_ERR_ID:
		return "service id zero or repeated";
	case UDPA_ERR_NAME:
		return "bad or repeated service name";
	case UDPA_ERR_TRAILING:
		return "trailing bytes";
	case UDPA_ERR_SPACE:
		return "buffer too small";
	}
	return "unknown error";
}
