/* SPDX-License-Identifier: MIT */
/*
 * Hidden path list codec and the combination of two paths through the rendezvous AS.
 * Message layout: hidden.h. Combination rules and the SegID argument: docs/path-management.md.
 */
#include "hidden.h"

#include <string.h>

#include "base/cursor.h"

enum { PATH_TYPE_SCION = 1 }; /* SCION_PATH_TYPE_SCION in seg/scion_packet.h */

/* A valid ISD-AS of a real AS: neither the ISD nor the AS is the wildcard 0. */
static bool ia_specific(scion_ia_t ia)
{
	return scion_ia_isd(ia) != 0 && scion_ia_as(ia) != 0;
}

/* The structural checks a raw path to R must pass before anyone combines it. */
static int check_raw_path(const uint8_t *raw, size_t len, struct scion_std_path *p)
{
	if (scion_std_path_decode(raw, len, p) != 0)
		return HIDDEN_ERR_PATH;
	if (p->meta.curr_inf != 0 || p->meta.curr_hf != 0)
		return HIDDEN_ERR_NOT_FRESH;
	for (unsigned i = 0; i < p->num_infs; i++)
		if (p->inf[i].peer)
			return HIDDEN_ERR_PEERING;
	return 0;
}

/* Checks of one path's fields that need no decode of the raw path. */
static int check_path_fields(const struct hidden_path *hp, scion_ia_t src, scion_ia_t rdv)
{
	if (hp->raw_len < HIDDEN_MIN_RAW_LEN || hp->raw_len > SCION_MAX_STD_PATH_LEN)
		return HIDDEN_ERR_RAW_LEN;
	if (hp->mtu == 0)
		return HIDDEN_ERR_MTU;
	if (hp->num_ifaces < 2 || hp->num_ifaces > HIDDEN_MAX_INTERFACES || hp->num_ifaces % 2)
		return HIDDEN_ERR_IFACES;
	for (size_t i = 0; i < hp->num_ifaces; i++)
		if (hp->ifaces[i].ifid == 0 || !ia_specific(hp->ifaces[i].ia))
			return HIDDEN_ERR_IFACES;
	if (hp->ifaces[0].ia != src || hp->ifaces[hp->num_ifaces - 1].ia != rdv)
		return HIDDEN_ERR_ENDPOINT;
	return 0;
}

static int decode_path(struct rcursor *c, scion_ia_t src, scion_ia_t rdv, struct hidden_path *hp)
{
	struct scion_std_path p;
	uint16_t raw_len;
	uint8_t n;
	int err;

	if (!rcursor_u16be(c, &raw_len))
		return HIDDEN_ERR_TRUNCATED;
	if (raw_len < HIDDEN_MIN_RAW_LEN || raw_len > SCION_MAX_STD_PATH_LEN)
		return HIDDEN_ERR_RAW_LEN;
	hp->raw_len = raw_len;
	if (!rcursor_view(c, &hp->raw, raw_len) || !rcursor_u16be(c, &hp->mtu) ||
	    !rcursor_u64be(c, &hp->expiry) || !rcursor_u8(c, &n))
		return HIDDEN_ERR_TRUNCATED;
	if (n < 2 || n > HIDDEN_MAX_INTERFACES || n % 2)
		return HIDDEN_ERR_IFACES;
	/* Cheap length check before reading any interface. */
	if (c->len < (size_t)n * HIDDEN_IFACE_LEN)
		return HIDDEN_ERR_TRUNCATED;
	hp->num_ifaces = n;
	for (size_t i = 0; i < n; i++)
		if (!rcursor_u64be(c, &hp->ifaces[i].ia) || !rcursor_u64be(c, &hp->ifaces[i].ifid))
			return HIDDEN_ERR_TRUNCATED;
	err = check_path_fields(hp, src, rdv);
	if (err)
		return err;
	return check_raw_path(hp->raw, hp->raw_len, &p);
}

int hidden_list_decode(const uint8_t *buf, size_t len, struct hidden_path_list *out)
{
	struct rcursor c = rcursor_init(buf, len);
	uint8_t version, count;
	int err;

	if (!rcursor_u8(&c, &version) || !rcursor_u8(&c, &count) ||
	    !rcursor_u64be(&c, &out->src_ia) || !rcursor_u64be(&c, &out->rendezvous_ia))
		return HIDDEN_ERR_TRUNCATED;
	if (version != HIDDEN_MSG_VERSION)
		return HIDDEN_ERR_VERSION;
	if (count > HIDDEN_MAX_PATHS)
		return HIDDEN_ERR_COUNT;
	if (!ia_specific(out->src_ia) || !ia_specific(out->rendezvous_ia) ||
	    out->src_ia == out->rendezvous_ia)
		return HIDDEN_ERR_ENDPOINT;
	out->count = count;
	for (size_t i = 0; i < count; i++) {
		err = decode_path(&c, out->src_ia, out->rendezvous_ia, &out->paths[i]);
		if (err)
			return err;
	}
	if (c.len)
		return HIDDEN_ERR_TRAILING;
	return 0;
}

int hidden_list_encode(const struct hidden_path_list *list, uint8_t *buf, size_t cap,
		       size_t *written)
{
	struct wcursor c = wcursor_init(buf, cap);
	struct scion_std_path p;
	int err;

	if (list->count > HIDDEN_MAX_PATHS || !ia_specific(list->src_ia) ||
	    !ia_specific(list->rendezvous_ia) || list->src_ia == list->rendezvous_ia)
		return HIDDEN_ERR_INVALID;
	if (!wcursor_u8(&c, HIDDEN_MSG_VERSION) || !wcursor_u8(&c, (uint8_t)list->count) ||
	    !wcursor_u64be(&c, list->src_ia) || !wcursor_u64be(&c, list->rendezvous_ia))
		return HIDDEN_ERR_SPACE;
	for (size_t i = 0; i < list->count; i++) {
		const struct hidden_path *hp = &list->paths[i];

		/* Send only what the peer's decoder accepts. */
		err = check_path_fields(hp, list->src_ia, list->rendezvous_ia);
		if (!err)
			err = check_raw_path(hp->raw, hp->raw_len, &p);
		if (err)
			return err;
		if (!wcursor_u16be(&c, (uint16_t)hp->raw_len) ||
		    !wcursor_bytes(&c, hp->raw, hp->raw_len) || !wcursor_u16be(&c, hp->mtu) ||
		    !wcursor_u64be(&c, hp->expiry) || !wcursor_u8(&c, (uint8_t)hp->num_ifaces))
			return HIDDEN_ERR_SPACE;
		for (size_t k = 0; k < hp->num_ifaces; k++)
			if (!wcursor_u64be(&c, hp->ifaces[k].ia) ||
			    !wcursor_u64be(&c, hp->ifaces[k].ifid))
				return HIDDEN_ERR_SPACE;
	}
	*written = cap - c.cap;
	return 0;
}

int hidden_path_from_candidate(const struct pathmgr_candidate *c, struct hidden_path *out)
{
	if (c->path_type != PATH_TYPE_SCION)
		return HIDDEN_ERR_PATH;
	if (c->num_ifaces > HIDDEN_MAX_INTERFACES)
		return HIDDEN_ERR_IFACES;
	out->raw = c->raw;
	out->raw_len = c->raw_len;
	out->mtu = c->mtu;
	out->expiry = c->expiry;
	out->num_ifaces = c->num_ifaces;
	memcpy(out->ifaces, c->ifaces, c->num_ifaces * sizeof(c->ifaces[0]));
	return 0;
}

/* ---- combination ---- */

static uint16_t mac_prefix(const struct scion_hop_field *h)
{
	return (uint16_t)(h->mac[0] << 8 | h->mac[1]);
}

/*
 * The hop field at R is the last of the last segment, traversed up to R (ConsDir = 0, so a
 * child link enters R: the segment switch at R is child->child, or child->core at a core R),
 * and its construction-egress interface is the one the interface list says R is entered by.
 */
static int check_ends_at(const struct scion_std_path *p, const struct pathmgr_interface *ifaces,
			 size_t n, scion_ia_t rdv)
{
	const struct scion_hop_field *last = &p->hop[p->num_hops - 1];

	if (n < 2 || n % 2 || ifaces[n - 1].ia != rdv || ifaces[0].ia == rdv)
		return HIDDEN_ERR_ENDPOINT;
	if (p->inf[p->num_infs - 1].cons_dir)
		return HIDDEN_ERR_DIRECTION;
	if (last->cons_egress != ifaces[n - 1].ifid)
		return HIDDEN_ERR_MISMATCH;
	return 0;
}

/*
 * The peer's path is fresh (as its daemon returned it), but scion_std_path_reverse() expects
 * a traversed one (it keeps SegIDs, as the reference's Reverse does for reply paths). Bring
 * every SegID to the value it has at the end of its segment, which is what a reversed
 * segment must start with. Routers update SegID once per hop except at the first hop of a
 * segment against construction direction (ingress from the AS itself or at a crossover) and
 * at the last hop in construction direction (no egress inside the segment); see scionproto
 * router/dataplane.go updateNonConsDirIngressSegID/processEgress. Either way the difference
 * between the two ends is the XOR of MAC[0:2] of all hops except the last in construction
 * order.
 */
static void advance_segids(struct scion_std_path *p)
{
	unsigned start = 0;

	for (unsigned s = 0; s < p->num_infs; s++) {
		unsigned len = p->meta.seg_len[s];
		/* Construction order is array order when ConsDir is set, else reversed. */
		unsigned skip = p->inf[s].cons_dir ? start + len - 1 : start;
		uint16_t x = 0;

		for (unsigned h = start; h < start + len; h++)
			if (h != skip)
				x ^= mac_prefix(&p->hop[h]);
		p->inf[s].seg_id ^= x;
		start += len;
	}
}

static int combine_ifaces(const struct pathmgr_candidate *own, const struct hidden_path *peer,
			  struct pathmgr_candidate *out)
{
	size_t n = own->num_ifaces + peer->num_ifaces;

	if (n > PATHMGR_MAX_INTERFACES)
		return HIDDEN_ERR_TOO_LONG;
	memcpy(out->ifaces, own->ifaces, own->num_ifaces * sizeof(own->ifaces[0]));
	for (size_t i = 0; i < peer->num_ifaces; i++)
		out->ifaces[own->num_ifaces + i] = peer->ifaces[peer->num_ifaces - 1 - i];
	out->num_ifaces = n;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (out->ifaces[i].ia == out->ifaces[j].ia &&
			    out->ifaces[i].ifid == out->ifaces[j].ifid)
				return HIDDEN_ERR_LOOP;
	return 0;
}

/* Appends b's segments after a's (a is the result). */
static int append_segments(struct scion_std_path *a, const struct scion_std_path *b)
{
	if (a->num_infs + b->num_infs > SCION_MAX_INFS ||
	    a->num_hops + b->num_hops > SCION_MAX_HOPS)
		return HIDDEN_ERR_TOO_LONG;
	for (unsigned s = 0; s < b->num_infs; s++) {
		a->inf[a->num_infs + s] = b->inf[s];
		a->meta.seg_len[a->num_infs + s] = b->meta.seg_len[s];
	}
	memcpy(&a->hop[a->num_hops], b->hop, b->num_hops * sizeof(b->hop[0]));
	a->num_infs = (uint8_t)(a->num_infs + b->num_infs);
	a->num_hops = (uint8_t)(a->num_hops + b->num_hops);
	a->meta.curr_inf = 0;
	a->meta.curr_hf = 0;
	return 0;
}

int hidden_combine(const struct pathmgr_candidate *own, const struct hidden_path *peer,
		   scion_ia_t rendezvous, struct pathmgr_candidate *out)
{
	struct scion_std_path a, b;
	size_t written;
	int err;

	if (own->path_type != PATH_TYPE_SCION)
		return HIDDEN_ERR_PATH;
	err = check_raw_path(own->raw, own->raw_len, &a);
	if (!err)
		err = check_raw_path(peer->raw, peer->raw_len, &b);
	if (!err)
		err = check_ends_at(&a, own->ifaces, own->num_ifaces, rendezvous);
	if (!err)
		err = check_ends_at(&b, peer->ifaces, peer->num_ifaces, rendezvous);
	if (err)
		return err;
	if (own->ifaces[0].ia == peer->ifaces[0].ia)
		return HIDDEN_ERR_ENDPOINT; /* both ends in one AS: no use for R */

	advance_segids(&b);
	if (scion_std_path_reverse(&b) != 0)
		return HIDDEN_ERR_PATH;
	err = append_segments(&a, &b);
	if (err)
		return err;

	memset(out, 0, sizeof(*out));
	err = combine_ifaces(own, peer, out);
	if (err)
		return err;
	if (scion_std_path_encode(&a, out->raw, sizeof(out->raw), &written) != 0)
		return HIDDEN_ERR_SPACE;
	out->raw_len = written;
	out->path_type = PATH_TYPE_SCION;
	out->next_hop = own->next_hop;
	out->mtu = own->mtu < peer->mtu ? own->mtu : peer->mtu;
	out->expiry = own->expiry < peer->expiry ? own->expiry : peer->expiry;
	out->hidden = true;
	return 0;
}

const char *hidden_strerror(int err)
{
	switch (err) {
	case 0:
		return "ok";
	case HIDDEN_ERR_TRUNCATED:
		return "path list truncated";
	case HIDDEN_ERR_VERSION:
		return "unknown path list version";
	case HIDDEN_ERR_COUNT:
		return "too many paths";
	case HIDDEN_ERR_RAW_LEN:
		return "raw path length out of bounds";
	case HIDDEN_ERR_IFACES:
		return "bad interface list";
	case HIDDEN_ERR_ENDPOINT:
		return "path does not run from its source to the rendezvous AS";
	case HIDDEN_ERR_TRAILING:
		return "bytes after the path list";
	case HIDDEN_ERR_PATH:
		return "not a valid standard SCION path";
	case HIDDEN_ERR_NOT_FRESH:
		return "path not at its start (CurrINF/CurrHF)";
	case HIDDEN_ERR_PEERING:
		return "peering segment";
	case HIDDEN_ERR_DIRECTION:
		return "last segment not traversed up to the rendezvous AS";
	case HIDDEN_ERR_TOO_LONG:
		return "combined path over 3 segments or 64 hops";
	case HIDDEN_ERR_LOOP:
		return "combined path crosses an interface twice";
	case HIDDEN_ERR_MISMATCH:
		return "hop field at the rendezvous AS disagrees with the interfaces";
	case HIDDEN_ERR_SPACE:
		return "output buffer too small";
	case HIDDEN_ERR_INVALID:
		return "inconsistent path list";
	case HIDDEN_ERR_MTU:
		return "MTU of 0";
	}
	return "unknown error";
}
