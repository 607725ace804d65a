/* SPDX-License-Identifier: MIT */
/*
 * The two JSON documents seg-testnet writes, with the writer of base/json.h:
 * DIR/testnet.json (docs/testnet.md, "testnet.json") and the status line of the control
 * socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "netrun_internal.h"
#include "netrun_router.h"

/* ---- in-memory documents ------------------------------------------------------------------ */

/*
 * Both documents are built in memory: testnet.json is then replaced whole (write_atomic) and
 * the status goes out as one reply line. doc_begin opens the stream, doc_end closes it and
 * hands over the NUL-terminated text (the caller frees) or returns -1 with nothing to free.
 */
struct doc {
	struct json j;
	FILE *f;
	char *text;
	size_t len;
};

static int doc_begin(struct doc *d, bool pretty)
{
	d->text = NULL;
	d->len = 0;
	d->f = open_memstream(&d->text, &d->len);
	if (!d->f)
		return -1;
	json_init(&d->j, d->f, pretty);
	return 0;
}

static int doc_end(struct doc *d, char **out)
{
	int rc = json_finish(&d->j);

	if (fclose(d->f) != 0)
		rc = -1;
	if (rc != 0) {
		free(d->text);
		return -1;
	}
	*out = d->text;
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

static void json_link_state(struct json *j, const struct netrun_link_state *st)
{
	json_key(j, "state");
	json_string(j, st->up ? "up" : "down");
	json_key(j, "revoked");
	json_bool(j, st->revoked);
	json_key(j, "loss_ppm");
	json_uint(j, st->loss_ppm);
	json_key(j, "delay_us");
	json_uint(j, st->delay_us);
}

static void json_links(struct json *j, struct netrun *n)
{
	json_key(j, "links");
	json_array_begin(j);
	for (size_t i = 0; i < n->topo->num_links; i++) {
		const struct topo_link *l = n->links[i].tl;
		char a[SCION_IA_STRLEN + 8], b[SCION_IA_STRLEN + 8];

		endpoint_str(n, &l->a, a, sizeof(a));
		endpoint_str(n, &l->b, b, sizeof(b));
		json_object_begin(j);
		json_key(j, "a");
		json_string(j, a);
		json_key(j, "b");
		json_string(j, b);
		json_key(j, "type");
		json_string(j, link_type_json(l->type));
		json_key(j, "underlay");
		json_string(j, topo_underlay_name(topo_link_underlay(n->topo, l)));
		json_key(j, "mtu");
		json_uint(j, l->mtu);
		json_key(j, "hidden");
		json_bool(j, l->hidden);
		json_link_state(j, &n->links[i].st);
		json_object_end(j);
	}
	json_array_end(j);
}

static void json_iface_addr(struct json *j, const char *key, const struct netrun *n,
			    unsigned as_idx, uint16_t ifid)
{
	char buf[SEG_UNDERLAY_STRLEN];
	struct sockaddr_storage ss;

	netrun_iface_addr(n, as_idx, ifid, &ss);
	if (seg_underlay_format(&ss, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	json_key(j, key);
	json_string(j, buf);
}

static void json_as_interfaces(struct json *j, const struct netrun *n, unsigned idx)
{
	json_key(j, "interfaces");
	json_array_begin(j);
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
			json_object_begin(j);
			json_key(j, "ifid");
			json_uint(j, loc->ifid);
			json_key(j, "type");
			json_string(j, type);
			json_key(j, "remote_ia");
			json_string(j, n->ases[rem->as].pub.ia_str);
			json_key(j, "remote_ifid");
			json_uint(j, rem->ifid);
			json_key(j, "underlay");
			json_string(j, topo_underlay_name(topo_link_underlay(n->topo, l)));
			json_iface_addr(j, "local", n, idx, loc->ifid);
			json_iface_addr(j, "remote", n, rem->as, rem->ifid);
			json_object_end(j);
		}
	}
	json_array_end(j);
}

static void json_ases(struct json *j, const struct netrun *n)
{
	json_key(j, "ases");
	json_array_begin(j);
	for (size_t i = 0; i < n->num_ases; i++) {
		const struct netrun_as *as = &n->ases[i].pub;
		char keys[NETRUN_PATH_MAX + 64];

		snprintf(keys, sizeof(keys), "%s/%s/keys", n->dir, as->ia_str);
		json_object_begin(j);
		json_key(j, "ia");
		json_string(j, as->ia_str);
		json_key(j, "core");
		json_bool(j, as->core);
		json_key(j, "underlay");
		json_string(j, as->ipv6 ? "UDP/IPv6" : "UDP/IPv4");
		json_key(j, "mtu");
		json_uint(j, as->mtu);
		json_key(j, "daemon");
		json_string(j, as->daemon);
		json_key(j, "host_ip");
		json_string(j, as->host_ip);
		json_key(j, "router");
		json_string(j, as->router);
		json_key(j, "keys");
		json_string(j, keys);
		json_as_interfaces(j, n, (unsigned)i);
		json_object_end(j);
	}
	json_array_end(j);
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

int netrun_json_write_testnet(struct netrun *n)
{
	struct doc d;
	struct json *j = &d.j;
	char *text, ctl[NETRUN_PATH_MAX + 32];
	int rc;

	if (doc_begin(&d, true))
		return NETRUN_ERR_NOMEM;
	json_object_begin(j);
	json_key(j, "topology");
	json_string(j, n->topo_path);
	json_key(j, "dir");
	json_string(j, n->dir);
	json_key(j, "pid");
	json_uint(j, (uint64_t)getpid());
	json_key(j, "net");
	json_int(j, n->net);
	snprintf(ctl, sizeof(ctl), "%s/control.sock", n->dir);
	json_key(j, "control");
	json_string(j, n->opts.no_control ? "" : ctl);
	json_key(j, "port_range");
	json_array_begin(j);
	json_uint(j, NETRUN_PORT_MIN);
	json_uint(j, NETRUN_PORT_MAX);
	json_array_end(j);
	json_key(j, "drkey_epoch");
	json_uint(j, n->opts.drkey_epoch_sec);
	json_ases(j, n);
	pthread_mutex_lock(&n->lock);
	json_links(j, n);
	pthread_mutex_unlock(&n->lock);
	json_object_end(j);
	if (doc_end(&d, &text)) {
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

int netrun_json_status(struct netrun *n, char **out)
{
	struct doc d;
	struct json *j = &d.j;
	uint64_t runs, expiry;

	pthread_mutex_lock(&n->lock);
	runs = n->beacon_runs;
	expiry = n->segs->set.expiry;
	pthread_mutex_unlock(&n->lock);

	*out = NULL;
	if (doc_begin(&d, false))
		return NETRUN_ERR_NOMEM;
	json_object_begin(j);
	json_key(j, "net");
	json_int(j, n->net);
	json_key(j, "beacon_runs");
	json_uint(j, runs);
	json_key(j, "segments_expiry");
	json_uint(j, expiry);
	pthread_mutex_lock(&n->lock);
	json_links(j, n);
	pthread_mutex_unlock(&n->lock);
	json_key(j, "routers");
	json_array_begin(j);
	for (size_t i = 0; i < n->num_ases; i++) {
		json_object_begin(j);
		json_key(j, "ia");
		json_string(j, n->ases[i].pub.ia_str);
		netrun_router_stats_json(&n->ases[i], j);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	return doc_end(&d, out) ? NETRUN_ERR_NOMEM : 0;
}
