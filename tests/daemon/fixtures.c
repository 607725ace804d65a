/* SPDX-License-Identifier: MIT */
/* Fixed daemon answers; see fixtures.h. Values are mirrored in interop.py. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"

static void fixture_raw(size_t i, struct seg_path *p)
{
	/* Meta header: path 0 has two segments of two hops, path 1 one segment of three. */
	static const uint8_t meta[2][4] = {{0x00, 0x00, 0x20, 0x80}, {0x00, 0x00, 0x30, 0x00}};
	size_t body =
	    i == 0 ? 2 * SCION_INFO_LEN + 4 * SCION_HOP_LEN : SCION_INFO_LEN + 3 * SCION_HOP_LEN;

	memcpy(p->raw, meta[i], 4);
	for (size_t k = 0; k < body; k++)
		p->raw[4 + k] = (uint8_t)(i == 0 ? k * 7 + 1 : k * 3 + 5);
	p->raw_len = 4 + body;
}

static void fixture_sockaddr(const char *text, struct sockaddr_storage *out)
{
	if (seg_underlay_parse(text, out))
		abort(); /* a broken fixture, not an input */
}

void fixture_path(size_t i, struct seg_path *out)
{
	memset(out, 0, sizeof(*out));
	if (i == 2) {
		out->type = SEG_PATH_TYPE_EMPTY;
		out->mtu = FIX_AS_MTU;
		out->expiry_unix = FIX_EXPIRY + 2;
		return;
	}
	out->type = SEG_PATH_TYPE_SCION;
	fixture_raw(i, out);
	fixture_sockaddr(i == 0 ? "127.0.0.1:31002" : "[::1]:31004", &out->next_hop);
	out->n_ifaces = 4;
	out->ifaces[0] = (struct seg_path_interface){FIX_SRC_IA, 1};
	out->ifaces[1] = (struct seg_path_interface){FIX_MID_IA, 2 + i};
	out->ifaces[2] = (struct seg_path_interface){FIX_MID_IA, 65535};
	out->ifaces[3] = (struct seg_path_interface){FIX_DST_IA, 40 + i};
	out->mtu = (uint16_t)(i == 0 ? 1472 : 9000);
	out->expiry_unix = FIX_EXPIRY + i;
}

void fixture_interface(size_t i, struct seg_daemon_interface *out)
{
	static const char *const addrs[FIX_N_IFACES] = {"127.0.0.1:31001", "[::1]:31002",
							"127.0.0.17:50000"};
	static const uint64_t ids[FIX_N_IFACES] = {1, 2, 41};

	memset(out, 0, sizeof(*out));
	out->id = ids[i];
	fixture_sockaddr(addrs[i], &out->addr);
}

void fixture_as_info(struct seg_daemon_as_info *out)
{
	out->ia = FIX_SRC_IA;
	out->core = true;
	out->mtu = FIX_AS_MTU;
}

void fixture_drkey_req(struct seg_daemon_drkey_req *out)
{
	static const uint8_t v4[4] = {192, 0, 2, 1};
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	memset(out, 0, sizeof(*out));
	out->val_time = FIX_VAL_TIME;
	out->protocol = FIX_DRKEY_PROTOCOL;
	out->src_ia = FIX_SRC_IA;
	out->dst_ia = FIX_DST_IA;
	out->src_host.type = SCION_HOST_IPV4;
	memcpy(out->src_host.ip, v4, 4);
	out->dst_host.type = SCION_HOST_IPV6;
	memcpy(out->dst_host.ip, v6, 16);
}

void fixture_drkey(enum seg_drkey_kind kind, struct seg_drkey *out)
{
	for (int k = 0; k < SEG_DRKEY_LEN; k++)
		out->key[k] = (uint8_t)(k * 17 + (int)kind);
	out->epoch_begin = FIX_EPOCH_BEGIN;
	out->epoch_end = FIX_EPOCH_END + (uint64_t)kind;
}

static int fix_paths(void *ctx, const struct seg_daemon_paths_req *req, struct seg_path **out,
		     size_t *n)
{
	struct fixture_state *st = ctx;
	size_t count = req->hidden ? FIX_N_PATHS_HIDDEN : FIX_N_PATHS;

	st->n_calls++;
	st->last_paths = *req;
	if (req->src != FIX_SRC_IA || req->dst != FIX_DST_IA)
		return SEG_DAEMON_ERR_NOT_FOUND;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return SEG_DAEMON_ERR_NOMEM;
	for (size_t i = 0; i < count; i++)
		fixture_path(i, &(*out)[i]);
	*n = count;
	return 0;
}

static int fix_as_info(void *ctx, scion_ia_t ia, struct seg_daemon_as_info *out)
{
	struct fixture_state *st = ctx;

	st->n_calls++;
	st->last_as = ia;
	if (ia != 0 && ia != FIX_SRC_IA)
		return SEG_DAEMON_ERR_NOT_FOUND;
	fixture_as_info(out);
	return 0;
}

static int fix_interfaces(void *ctx, struct seg_daemon_interface **out, size_t *n)
{
	struct fixture_state *st = ctx;

	st->n_calls++;
	*out = calloc(FIX_N_IFACES, sizeof(**out));
	if (!*out)
		return SEG_DAEMON_ERR_NOMEM;
	/* In reverse, so that the client's sorting is exercised. */
	for (size_t i = 0; i < FIX_N_IFACES; i++)
		fixture_interface(FIX_N_IFACES - 1 - i, &(*out)[i]);
	*n = FIX_N_IFACES;
	return 0;
}

static int fix_port_range(void *ctx, struct seg_daemon_port_range *out)
{
	struct fixture_state *st = ctx;

	st->n_calls++;
	out->start = FIX_PORT_START;
	out->end = FIX_PORT_END;
	return 0;
}

/* seg_scion's scion_host_equal, without linking seg_scion. */
static bool fixture_host_equal(const struct scion_host *a, const struct scion_host *b)
{
	size_t n = a->type == SCION_HOST_IPV4 ? 4 : 16;

	return a->type == b->type && memcmp(a->ip, b->ip, n) == 0;
}

static int fix_drkey(void *ctx, enum seg_drkey_kind kind, const struct seg_daemon_drkey_req *req,
		     struct seg_drkey *out)
{
	struct fixture_state *st = ctx;
	struct seg_daemon_drkey_req want;

	st->n_calls++;
	fixture_drkey_req(&want);
	if (req->val_time != want.val_time || req->protocol != want.protocol ||
	    req->src_ia != want.src_ia || req->dst_ia != want.dst_ia)
		return SEG_DAEMON_ERR_ARG;
	if (kind != SEG_DRKEY_AS_HOST && !fixture_host_equal(&req->src_host, &want.src_host))
		return SEG_DAEMON_ERR_ARG;
	if (kind != SEG_DRKEY_HOST_AS && !fixture_host_equal(&req->dst_host, &want.dst_host))
		return SEG_DAEMON_ERR_ARG;
	fixture_drkey(kind, out);
	return 0;
}

const struct seg_daemon_service_ops fixture_ops = {
    .paths = fix_paths,
    .as_info = fix_as_info,
    .interfaces = fix_interfaces,
    .port_range = fix_port_range,
    .drkey = fix_drkey,
};

static bool sockaddr_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	char x[SEG_UNDERLAY_STRLEN] = "?", y[SEG_UNDERLAY_STRLEN] = "?";

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_UNSPEC)
		return true;
	return !seg_underlay_format(a, x, sizeof(x)) && !seg_underlay_format(b, y, sizeof(y)) &&
	       strcmp(x, y) == 0;
}

static bool fixture_path_equal(const struct seg_path *got, const struct seg_path *want)
{
	if (got->type != want->type || got->raw_len != want->raw_len ||
	    memcmp(got->raw, want->raw, want->raw_len) || got->n_ifaces != want->n_ifaces ||
	    got->mtu != want->mtu || got->expiry_unix != want->expiry_unix ||
	    !sockaddr_equal(&got->next_hop, &want->next_hop))
		return false;
	for (size_t k = 0; k < want->n_ifaces; k++) {
		if (got->ifaces[k].ia != want->ifaces[k].ia ||
		    got->ifaces[k].id != want->ifaces[k].id)
			return false;
	}
	return true;
}

bool fixture_check_paths(const struct seg_path *p, size_t n, bool hidden, FILE *err)
{
	size_t want_n = hidden ? FIX_N_PATHS_HIDDEN : FIX_N_PATHS;
	struct seg_path want;

	if (n != want_n) {
		fprintf(err, "paths: got %zu, want %zu\n", n, want_n);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		fixture_path(i, &want);
		if (!fixture_path_equal(&p[i], &want)) {
			fprintf(err, "paths: path %zu differs\n", i);
			return false;
		}
	}
	return true;
}

bool fixture_check_interfaces(const struct seg_daemon_interface *a, size_t n, FILE *err)
{
	struct seg_daemon_interface want;

	if (n != FIX_N_IFACES) {
		fprintf(err, "interfaces: got %zu, want %d\n", n, FIX_N_IFACES);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		fixture_interface(i, &want);
		if (a[i].id != want.id || !sockaddr_equal(&a[i].addr, &want.addr)) {
			fprintf(err, "interfaces: entry %zu differs (id %llu)\n", i,
				(unsigned long long)a[i].id);
			return false;
		}
	}
	return true;
}

bool fixture_check_as_info(const struct seg_daemon_as_info *a, FILE *err)
{
	struct seg_daemon_as_info want;

	fixture_as_info(&want);
	if (a->ia != want.ia || a->core != want.core || a->mtu != want.mtu) {
		fprintf(err, "as: got ia %llx core %d mtu %u\n", (unsigned long long)a->ia, a->core,
			a->mtu);
		return false;
	}
	return true;
}

bool fixture_check_drkey(enum seg_drkey_kind kind, const struct seg_drkey *k, FILE *err)
{
	struct seg_drkey want;

	fixture_drkey(kind, &want);
	if (memcmp(k->key, want.key, SEG_DRKEY_LEN) || k->epoch_begin != want.epoch_begin ||
	    k->epoch_end != want.epoch_end) {
		fprintf(err, "drkey kind %d: key or epoch differs\n", (int)kind);
		return false;
	}
	return true;
}

static bool fixture_report(struct seg_daemon *d, const char *what, int rc, FILE *err)
{
	if (rc)
		fprintf(err, "%s: %s (%s)\n", what, seg_daemon_strerror(rc),
			seg_daemon_last_error(d));
	return rc == 0;
}

static bool fixture_client_paths(struct seg_daemon *d, FILE *err)
{
	struct seg_path *paths;
	size_t n;
	bool ok;

	for (int hidden = 0; hidden <= 1; hidden++) {
		if (!fixture_report(
			d, "paths",
			seg_daemon_paths(d, FIX_SRC_IA, FIX_DST_IA, hidden, !hidden, &paths, &n),
			err))
			return false;
		ok = fixture_check_paths(paths, n, hidden, err);
		seg_daemon_paths_free(paths);
		if (!ok)
			return false;
	}
	return true;
}

static bool fixture_client_drkeys(struct seg_daemon *d, FILE *err)
{
	struct seg_daemon_drkey_req req;
	struct seg_drkey key;

	fixture_drkey_req(&req);
	for (int kind = SEG_DRKEY_HOST_AS; kind <= SEG_DRKEY_HOST_HOST; kind++) {
		if (!fixture_report(d, "drkey", seg_daemon_drkey(d, kind, &req, &key), err) ||
		    !fixture_check_drkey(kind, &key, err))
			return false;
	}
	return true;
}

int fixture_client_check_all(const char *addr, FILE *err)
{
	struct seg_daemon *d = seg_daemon_open(addr, 10000);
	struct seg_daemon_interface *ifaces = NULL;
	struct seg_daemon_port_range range;
	struct seg_daemon_as_info info;
	size_t n = 0;
	bool ok;

	if (!d) {
		fprintf(err, "cannot open %s\n", addr);
		return 1;
	}
	ok = fixture_client_paths(d, err) &&
	     fixture_report(d, "as", seg_daemon_as_info(d, 0, &info), err) &&
	     fixture_check_as_info(&info, err) &&
	     fixture_report(d, "interfaces", seg_daemon_interfaces(d, &ifaces, &n), err) &&
	     fixture_check_interfaces(ifaces, n, err) &&
	     fixture_report(d, "port range", seg_daemon_port_range(d, &range), err) &&
	     fixture_client_drkeys(d, err);
	if (ok && (range.start != FIX_PORT_START || range.end != FIX_PORT_END)) {
		fprintf(err, "port range: got %u-%u\n", range.start, range.end);
		ok = false;
	}
	seg_daemon_interfaces_free(ifaces);
	seg_daemon_close(d);
	return ok ? 0 : 1;
}
