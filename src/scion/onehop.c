/* SPDX-License-Identifier: MIT */
/*
 * The one-hop path type (scion-header.rst, "Path Type: OneHopPath"): one info field and two
 * hop fields, no meta header; the second hop field is filled in by the receiving AS's border
 * router. Used to bootstrap beaconing between neighbours.
 */
#include <string.h>

#include <seg/scion_path.h>

int scion_onehop_path_decode(const uint8_t *raw, size_t len, struct scion_onehop_path *out)
{
	if (len < SCION_ONEHOP_PATH_LEN)
		return SCION_PATH_ERR_TRUNCATED;
	if (len > SCION_ONEHOP_PATH_LEN)
		return SCION_PATH_ERR_TRAILING;
	scion_info_field_decode(raw, &out->info);
	scion_hop_field_decode(raw + SCION_INFO_LEN, &out->first);
	scion_hop_field_decode(raw + SCION_INFO_LEN + SCION_HOP_LEN, &out->second);
	return 0;
}

int scion_onehop_path_encode(const struct scion_onehop_path *p, uint8_t *buf, size_t cap,
			     size_t *written)
{
	if (cap < SCION_ONEHOP_PATH_LEN)
		return SCION_PATH_ERR_SPACE;
	scion_info_field_encode(&p->info, buf);
	scion_hop_field_encode(&p->first, buf + SCION_INFO_LEN);
	scion_hop_field_encode(&p->second, buf + SCION_INFO_LEN + SCION_HOP_LEN);
	*written = SCION_ONEHOP_PATH_LEN;
	return 0;
}

int scion_onehop_path_to_std(const struct scion_onehop_path *p, struct scion_std_path *out)
{
	/* An incomplete one-hop path (second hop not yet set by the router) has no reply. */
	if (p->second.cons_ingress == 0)
		return SCION_PATH_ERR_CURR_HF;
	memset(out, 0, sizeof(*out));
	out->meta.seg_len[0] = 2;
	out->num_infs = 1;
	out->num_hops = 2;
	out->inf[0] = (struct scion_info_field){
	    .cons_dir = true,
	    .seg_id = p->info.seg_id,
	    .timestamp = p->info.timestamp,
	};
	out->hop[0] = p->first;
	out->hop[1] = p->second;
	return 0;
}

int scion_onehop_path_reverse(const struct scion_onehop_path *p, struct scion_std_path *out)
{
	int err = scion_onehop_path_to_std(p, out);

	/* The receiver sits at the second hop: advance there, then reverse (reference onehop.go).
	 */
	if (!err)
		err = scion_std_path_advance(out);
	if (!err)
		err = scion_std_path_reverse(out);
	return err;
}
