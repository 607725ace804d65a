/* SPDX-License-Identifier: MIT */
/*
 * The JSON emitter (netjson.h) and the two documents seg-testnet writes with it:
 * DIR/testnet.json (docs/testnet.md, "testnet.json") and the status line of the control
 * socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netjson.h"
#include "netrun_internal.h"
#include "netrun_router.h"

/* ---- emitter ------------------------------------------------------------------------------ */

void json_out_init(struct json_out *j, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->pretty = pretty;
	j->first[0] = true;
}

static void json_put(struct json_out *j, const char *s, size_t len)
{
	if (j->failed)
		return;
	if (j->len + len + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *nb;

		while (j->len + len + 1 > cap)
			cap *= 2;
		nb = realloc(j->buf, cap);
		if (!nb) {
			j->failed = true;
			return;
		}
		j->buf = nb;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, len);
	j->len += len;
	j->buf[j->len] = '\0';
}

static void json_puts(struct json_out *j, const char *s)
{
	json_put(j, s, strlen(s));
}

static void json_quoted(struct json_out *j, const char *s)
{
	json_put(j, "\"", 1);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			json_put(j, esc, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			json_put(j, esc, 6);
		} else {
			json_put(j, (const char *)p, 1);
		}
	}
	json_put(j, "\"", 1);
}

static void json_newline(struct json_out *j)
{
	if (!j->pretty)
		return;
	json_put(j, "\n", 1);
	for (int i = 0; i < j->depth; i++)
		json_put(j, "  ", 2);
}

/* Comma, indentation and key before a value. */
static void json_prefix(struct json_out *j, const char *key)
{
	if (!j->first[j->depth])
		json_put(j, ",", 1);
	j->first[j->depth] = false;
	if (j->depth > 0)
		json_newline(j);
	if (key) {
		json_quoted(j, key);
		json_put(j, j->pretty ? ": " : ":", j->pretty ? 2 : 1);
	}
}

static void json_open(struct json_out *j, const char *key, const char *bracket)
{
	json_prefix(j, key);
	json_puts(j, bracket);
	if (j->depth + 1 >= JSON_MAX_DEPTH) {
		j->failed = true;
		return;
	}
	j->first[++j->depth] = true;
}

static void json_close(struct json_out *j, const char *bracket)
{
	bool empty;

	if (j->depth <= 0) {
		j->failed = true;
		return;
	}
	empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		json_newline(j);
	json_puts(j, bracket);
}

void json_obj_begin(struct json_out *j, const char *key)
{
	json_open(j, key, "{");
}

void json_obj_end(struct json_out *j)
{
	json_close(j, "}");
}

void json_arr_begin(struct json_out *j, const char *key)
{
	json_open(j, key, "[");
}

void json_arr_end(struct json_out *j)
{
	json_close(j, "]");
}

void json_str(struct json_out *j, const char *key, const char *val)
{
	json_prefix(j, key);
	json_quoted(j, val);
}

void json_u64(struct json_out *j, const char *key, uint64_t val)
{
	char num[24];

	json_prefix(j, key);
	snprintf(num, sizeof(num), "%" PRIu64, val);
	json_puts(j, num);
}

void json_i64(struct json_out *j, const char *key, int64_t val)
{
	char num[24];

	json_prefix(j, key);
	snprintf(num, sizeof(num), "%" PRId64, val);
	json_puts(j, num);
}

void json_out_bool(struct json_out *j, const char *key, bool val)
{
	json_prefix(j, key);
	json_puts(j, val ? "true" : "false");
}

int json_out_finish(struct json_out *j, char **out)
{
	*out = NULL;
	if (j->depth != 0)
		j->failed = true;
	if (j->pretty)
		json_put(j, "\n", 1);
	if (j->failed || !j->buf) {
		free(j->buf);
		j->buf = NULL;
		return -1;
	}
	*out = j->buf;
	j->buf = NULL;
	return 0;
}

/* ---- testnet.json ------------------------------------------------------------------------- */

static void endpoint_str(const struct netrun *n, const struct topo_endpoint *e, char *buf,
			 size_t cap)
{
	snprintf(buf, cap, "%s#%u", n->ases[e->as].pub.ia_str, e->ifid);
}

static const char *link_type_json(enum topo_link_type t)
{
	switch (t) {
	case TOPO_LINK_CORE:
		return "CORE";
	case TOPO_LINK_CHILD:
		return "CHILD";
	case TOPO_LINK_PEER:
		return "PEER";
	}
	return "?";
}

static void json_link_state(struct json_out *j, const struct netrun_link_state *st)
{
	json_str(j, "state", st->up ? "up" : "down");
	json_out_bool(j, "revoked", st->revoked);
	json_u64(j, "loss_ppm", st->loss_ppm);
	json_u64(j, "delay_us", st->delay_us);
}

static void json_links(struct json_out *j, struct netrun *n)
{
	json_arr_begin(j, "links");
	for (size_t i = 0; i < n->topo->num_links; i++) {
		const struct topo_link *l = n->links[i].tl;
		char a[SCION_IA_STRLEN + 8], b[SCION_IA_STRLEN + 8];

		endpoint_str(n, &l->a, a, sizeof(a));
		endpoint_str(n, &l->b, b, sizeof(b));
		json_obj_begin(j, NULL);
		json_str(j, "a", a);
		json_str(j, "b", b);
		json_str(j, "type", link_type_json(l->type));
		json_str(j, "underlay", topo_underlay_name(topo_link_underlay(n->topo, l)));
		json_u64(j, "mtu", l->mtu);
		json_out_bool(j, "hidden", l->hidden);
		json_link_state(j, &n->links[i].st);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static void json_iface_addr(struct json_out *j, const char *key, const struct netrun *n,
			    unsigned as_idx, uint16_t ifid)
{
	char buf[SEG_UNDERLAY_STRLEN];
	struct sockaddr_storage ss;

	netrun_iface_addr(n, as_idx, ifid, &ss);
	if (seg_underlay_format(&ss, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	json_str(j, key, buf);
}

static void json_as_interfaces(struct json_out *j, const struct netrun *n, unsigned idx)
{
	json_arr_begin(j, "interfaces");
	for (size_t i = 0; i < n->topo->num_links; i++) {
		const struct topo_link *l = &n->topo->links[i];

		for (int side = 0; side < 2; side++) {
			const struct topo_endpoint *loc = side ? &l->b : &l->a;
			const struct topo_endpoint *rem = side ? &l->a : &l->b;
			const char *type = link_type_json(l->type);

			if (loc->as != idx)
				continue;
			if (l->type == TOPO_LINK_CHILD)
				type = side == 0 ? "CHILD" : "PARENT";
			json_obj_begin(j, NULL);
			json_u64(j, "ifid", loc->ifid);
			json_str(j, "type", type);
			json_str(j, "remote_ia", n->ases[rem->as].pub.ia_str);
			json_u64(j, "remote_ifid", rem->ifid);
			json_str(j, "underlay", topo_underlay_name(topo_link_underlay(n->topo, l)));
			json_iface_addr(j, "local", n, idx, loc->ifid);
			json_iface_addr(j, "remote", n, rem->as, rem->ifid);
			json_obj_end(j);
		}
	}
	json_arr_end(j);
}

static void json_ases(struct json_out *j, const struct netrun *n)
{
	json_arr_begin(j, "ases");
	for (size_t i = 0; i < n->num_ases; i++) {
		const struct netrun_as *as = &n->ases[i].pub;
		char keys[NETRUN_PATH_MAX + 64];

		snprintf(keys, sizeof(keys), "%s/%s/keys", n->dir, as->ia_str);
		json_obj_begin(j, NULL);
		json_str(j, "ia", as->ia_str);
		json_out_bool(j, "core", as->core);
		json_str(j, "underlay", as->ipv6 ? "UDP/IPv6" : "UDP/IPv4");
		json_u64(j, "mtu", as->mtu);
		json_str(j, "daemon", as->daemon);
		json_str(j, "host_ip", as->host_ip);
		json_str(j, "router", as->router);
		json_str(j, "keys", keys);
		json_as_interfaces(j, n, (unsigned)i);
		json_obj_end(j);
	}
	json_arr_end(j);
}

static int write_atomic(const char *dir, const char *name, const char *text)
{
	char tmp[NETRUN_PATH_MAX + 64], path[NETRUN_PATH_MAX + 64];
	size_t len = strlen(text);
	int fd, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) == (ssize_t)len)
		rc = 0;
	if (close(fd) != 0)
		rc = -1;
	/* Readers see the old file or the new one, never a partial one. */
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -1;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

int netjson_write_testnet(struct netrun *n)
{
	struct json_out j;
	char *text, ctl[NETRUN_PATH_MAX + 32];
	int rc;

	json_out_init(&j, true);
	json_obj_begin(&j, NULL);
	json_str(&j, "topology", n->topo_path);
	json_str(&j, "dir", n->dir);
	json_u64(&j, "pid", (uint64_t)getpid());
	json_i64(&j, "net", n->net);
	snprintf(ctl, sizeof(ctl), "%s/control.sock", n->dir);
	json_str(&j, "control", n->opts.no_control ? "" : ctl);
	json_arr_begin(&j, "port_range");
	json_u64(&j, NULL, NETRUN_PORT_MIN);
	json_u64(&j, NULL, NETRUN_PORT_MAX);
	json_arr_end(&j);
	json_u64(&j, "drkey_epoch", n->opts.drkey_epoch_sec);
	json_ases(&j, n);
	pthread_mutex_lock(&n->lock);
	json_links(&j, n);
	pthread_mutex_unlock(&n->lock);
	json_obj_end(&j);
	if (json_out_finish(&j, &text)) {
		errno = ENOMEM;
		return NETRUN_ERR_NOMEM;
	}
	/* One writer at a time: the control thread and netrun_link_apply callers. */
	pthread_mutex_lock(&n->json_lock);
	rc = write_atomic(n->dir, "testnet.json", text);
	pthread_mutex_unlock(&n->json_lock);
	free(text);
	return rc ? NETRUN_ERR_IO : 0;
}

/* ---- status --------------------------------------------------------------------------------- */

int netjson_status(struct netrun *n, char **out)
{
	struct json_out j;
	uint64_t runs, expiry;

	pthread_mutex_lock(&n->lock);
	runs = n->beacon_runs;
	expiry = n->segs->set.expiry;
	pthread_mutex_unlock(&n->lock);

	json_out_init(&j, false);
	json_obj_begin(&j, NULL);
	json_i64(&j, "net", n->net);
	json_u64(&j, "beacon_runs", runs);
	json_u64(&j, "segments_expiry", expiry);
	pthread_mutex_lock(&n->lock);
	json_links(&j, n);
	pthread_mutex_unlock(&n->lock);
	json_arr_begin(&j, "routers");
	for (size_t i = 0; i < n->num_ases; i++) {
		json_obj_begin(&j, NULL);
		json_str(&j, "ia", n->ases[i].pub.ia_str);
		netrun_router_stats_json(&n->ases[i], &j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	return json_out_finish(&j, out) ? NETRUN_ERR_NOMEM : 0;
}
