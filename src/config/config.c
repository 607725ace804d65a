// SPDX-License-Identifier: MIT
/*
 * conf.yaml: key tables, value checks and whole-file validation (see config.h and
 * docs/configuration.md). Keys and defaults of the original prototype come from its
 * gateway/conf.go, gateway/peer.go and gateway/pathmgr.go; everything else is seg's.
 */
#include "config/config.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config/duration.h"
#include "config/yaml_walk.h"

struct parse {
	struct seg_config *c;
	struct seg_config_remote *remote; /* the remote being walked */
	yaml_node_t *pathing_node;
};

/* ---- Values ------------------------------------------------------------------------- */

/*
 * Gateway addresses, in every form the original's snet.ParseUDPAddr took: "IA,IP:port",
 * "[IA,IP]:port" (scion_addr.h), the legacy "IA,[IP]:port", and, where a port may be left
 * out, "IA,IP" and "IA,[IP]". A missing port is returned as 0.
 */
static int parse_gateway_addr(const char *s, bool need_port, struct scion_udp_addr *out)
{
	int err = scion_udp_addr_parse(s, out);
	if (err == 0)
		return 0;
	if (!need_port && scion_addr_parse(s, &out->addr) == 0) {
		out->port = 0;
		return 0;
	}
	/* Legacy: brackets around the host only. Rewritten to the forms above. */
	const char *open = strstr(s, ",[");
	const char *close = open ? strchr(open, ']') : NULL;
	char buf[SCION_UDP_ADDR_STRLEN + 8];
	if (!close || strlen(s) + 3 > sizeof(buf))
		return err;
	int ia_len = (int)(open - s), ip_len = (int)(close - open - 2);
	if (close[1] == ':') {
		snprintf(buf, sizeof(buf), "[%.*s,%.*s]%s", ia_len, s, ip_len, open + 2, close + 1);
		return scion_udp_addr_parse(buf, out) == 0 ? 0 : err;
	}
	if (close[1] == '\0' && !need_port) {
		snprintf(buf, sizeof(buf), "%.*s,%.*s", ia_len, s, ip_len, open + 2);
		if (scion_addr_parse(buf, &out->addr) == 0) {
			out->port = 0;
			return 0;
		}
	}
	return err;
}

/* "host:port" or "[v6]:port" with a port 1..65535 and no spaces: a gRPC or HTTP target. */
static bool valid_host_port(const char *s)
{
	const char *colon = strrchr(s, ':');
	size_t host_len = colon ? (size_t)(colon - s) : 0;
	unsigned long port = 0;

	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	}
	if (!colon || host_len == 0 || colon[1] == '\0' || strlen(colon + 1) > 5)
		return false;
	for (const char *p = colon + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	if (port == 0 || port > 65535)
		return false;
	if (s[0] == '[')
		return host_len >= 3 && s[host_len - 1] == ']' && !memchr(s + 1, '[', host_len - 1);
	return !memchr(s, ':', host_len) && !memchr(s, '[', host_len) && !memchr(s, ']', host_len);
}

/* Strict standard base64 with padding; returns the decoded length or -1. */
static int base64_decode(const unsigned char *in, size_t len, uint8_t *out, size_t cap)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;
		int pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char ch = in[i + (size_t)k];
			const char *pos = ch ? strchr(alphabet, ch) : NULL;
			if (ch == '=' && i + 4 == len && k >= 2 &&
			    (pad || k == 3 || in[i + 3] == '=')) {
				pad++;
				v <<= 6;
			} else if (pos && !pad) {
				v = v << 6 | (uint32_t)(pos - alphabet);
			} else {
				return -1;
			}
		}
		for (int k = 0; k < 3 - pad; k++) {
			if (o == cap)
				return -1;
			out[o++] = (uint8_t)(v >> (16 - 8 * k));
		}
		/* Canonical only: the bits under the padding must be zero. */
		if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
			return -1;
	}
	return (int)o;
}

/* ---- Remotes ------------------------------------------------------------------------ */

static int remote_address(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, "address", SEG_CONFIG_STRING_MAX, &s);
	if (ret)
		return ret;
	int err = parse_gateway_addr(s, false, &p->remote->address);
	free(s);
	if (err)
		return yaml_walk_error(w, n, "bad address %s: %s", yaml_walk_quote(n, q, sizeof(q)),
				       scion_addr_strerror(err));
	return 0;
}

static int remote_rendezvous(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_expect(w, n, YAML_SCALAR_NODE, "rendezvousAddr");
	if (ret)
		return ret;
	if (yaml_walk_is_null(n)) /* the original's *YIA: null means none */
		return 0;
	int err = scion_ia_parse((const char *)n->data.scalar.value, n->data.scalar.length,
				 &p->remote->rendezvous);
	if (err)
		return yaml_walk_error(w, n, "bad rendezvousAddr %s (want an ISD-AS): %s",
				       yaml_walk_quote(n, q, sizeof(q)), scion_addr_strerror(err));
	p->remote->has_rendezvous = true;
	return 0;
}

static int remote_description(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;
	if (yaml_walk_is_null(n))
		return 0;
	return yaml_walk_string(w, n, "description", SEG_CONFIG_STRING_MAX,
				&p->remote->description);
}

static int remote_subnets(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_config_remote *r = ((struct parse *)ctx)->remote;
	char q[YAML_WALK_QUOTE_MAX + 16];

	if (yaml_walk_is_null(n))
		return 0;
	if (n->type == YAML_SCALAR_NODE && n->data.scalar.length == 3 &&
	    memcmp(n->data.scalar.value, "any", 3) == 0)
		return 0;
	int ret = yaml_walk_expect(w, n, YAML_SEQUENCE_NODE, "allowedSubnets (or \"any\")");
	if (ret)
		return ret;
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > SEG_CONFIG_SUBNETS_MAX)
		return yaml_walk_error(w, n, "more than %d allowedSubnets", SEG_CONFIG_SUBNETS_MAX);
	r->allow_any_subnet = false;
	r->allowed_subnets = calloc(count ? count : 1, sizeof(*r->allowed_subnets));
	if (!r->allowed_subnets)
		return yaml_walk_error(w, n, "out of memory");
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_walk_node(w, n->data.sequence.items.start[i]);
		char *s = NULL;
		if (!item)
			return yaml_walk_error(w, n, "malformed list");
		ret = yaml_walk_string(w, item, "allowedSubnets entry", SEG_CONFIG_ADDR_MAX, &s);
		if (ret)
			return ret;
		int bad = cidr_parse_masked(s, &r->allowed_subnets[i]);
		free(s);
		if (bad)
			return yaml_walk_error(w, item, "bad subnet %s (want e.g. 10.1.0.0/16)",
					       yaml_walk_quote(item, q, sizeof(q)));
		r->allowed_subnets_len++;
	}
	return 0;
}

static const struct yaml_walk_key remote_keys[] = {
    {"address", remote_address},
    {"rendezvousAddr", remote_rendezvous},
    {"description", remote_description},
    {"allowedSubnets", remote_subnets},
};

static int parse_remote(struct yaml_walk *w, yaml_node_t *n, struct parse *p)
{
	struct seg_config *c = p->c;
	struct seg_config_remote *r = &c->remotes[c->remotes_len++];
	uint64_t seen;
	char ia[SCION_IA_STRLEN];

	r->allow_any_subnet = true;
	r->description = strdup("");
	if (!r->description)
		return yaml_walk_error(w, n, "out of memory");
	int ret = yaml_walk_expect(w, n, YAML_MAPPING_NODE, "a remote");
	if (ret)
		return ret;
	p->remote = r;
	ret = yaml_walk_mapping(w, n, remote_keys, sizeof(remote_keys) / sizeof(remote_keys[0]), p,
				&seen);
	if (ret)
		return ret;
	if (!(seen & 1))
		return yaml_walk_error(w, n, "remote without \"address\"");
	/* A gateway's identity is its ISD-AS and host IP (DESIGN.md), so several gateways of
	 * one AS may be remotes; the same gateway twice is an error (the original, keyed by
	 * ISD-AS, silently kept the last). */
	for (struct seg_config_remote *o = c->remotes; o < r; o++) {
		if (scion_addr_equal(&o->address.addr, &r->address.addr)) {
			if (scion_ia_format(r->address.addr.ia, ia, sizeof(ia)) != 0)
				ia[0] = '\0';
			return yaml_walk_error(w, n, "second remote for the gateway at %s", ia);
		}
	}
	return 0;
}

/* ---- Top level ---------------------------------------------------------------------- */

static int key_address(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;
	char *s = NULL, q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, "address", SEG_CONFIG_STRING_MAX, &s);
	if (ret)
		return ret;
	int err = parse_gateway_addr(s, true, &p->c->address);
	free(s);
	if (err)
		return yaml_walk_error(w, n, "bad address %s (want ISD-AS,IP:port): %s",
				       yaml_walk_quote(n, q, sizeof(q)), scion_addr_strerror(err));
	if (p->c->address.port == 0)
		return yaml_walk_error(w, n, "address %s needs a port other than 0",
				       yaml_walk_quote(n, q, sizeof(q)));
	return 0;
}

static int key_remotes(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;

	if (yaml_walk_is_null(n))
		return 0;
	int ret = yaml_walk_expect(w, n, YAML_SEQUENCE_NODE, "remotes");
	if (ret)
		return ret;
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (count > SEG_CONFIG_REMOTES_MAX)
		return yaml_walk_error(w, n, "more than %d remotes", SEG_CONFIG_REMOTES_MAX);
	p->c->remotes = calloc(count ? count : 1, sizeof(*p->c->remotes));
	if (!p->c->remotes)
		return yaml_walk_error(w, n, "out of memory");
	for (size_t i = 0; i < count; i++) {
		yaml_node_t *item = yaml_walk_node(w, n->data.sequence.items.start[i]);
		if (!item)
			return yaml_walk_error(w, n, "malformed list");
		ret = parse_remote(w, item, p);
		if (ret)
			return ret;
	}
	return 0;
}

#define DURATION_KEY(fn_name, key, field)                                                 \
	static int fn_name(struct yaml_walk *w, yaml_node_t *n, void *ctx)                \
	{                                                                                 \
		struct parse *p = ctx;                                                    \
		char q[YAML_WALK_QUOTE_MAX + 16];                                         \
		int ret = yaml_walk_duration(w, n, key, &p->c->pathing.field);            \
		if (ret == 0 && p->c->pathing.field == 0)                                 \
			ret = yaml_walk_error(w, n, key " must be longer than 0, got %s", \
					      yaml_walk_quote(n, q, sizeof(q)));          \
		return ret;                                                               \
	}
DURATION_KEY(pathing_interval, "keepAliveInterval", keep_alive_interval)
DURATION_KEY(pathing_timeout_fixed, "keepAliveTimeout", keep_alive_timeout)
DURATION_KEY(pathing_timeout_interval, "keepAliveTimeoutInterval", keep_alive_timeout_interval)
DURATION_KEY(pathing_grace, "migrateGraceTimeout", migrate_grace_timeout)

/* keepAliveTimeout: a duration (the original's fixed timeout) or seg's `auto`. */
static int pathing_timeout(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;

	if (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    n->data.scalar.length == 4 && memcmp(n->data.scalar.value, "auto", 4) == 0) {
		p->c->pathing.keep_alive_timeout = SEG_CONFIG_KEEP_ALIVE_TIMEOUT_AUTO;
		return 0;
	}
	if (n->type == YAML_SCALAR_NODE) {
		char q[YAML_WALK_QUOTE_MAX + 16];
		uint64_t ns;
		int ret = seg_duration_parse((const char *)n->data.scalar.value,
					     n->data.scalar.length, &ns);
		if (ret)
			return yaml_walk_error(
			    w, n, "keepAliveTimeout must be auto or a duration: %s: %s",
			    seg_duration_strerror(ret), yaml_walk_quote(n, q, sizeof(q)));
	}
	return pathing_timeout_fixed(w, n, ctx);
}

static const struct yaml_walk_key pathing_keys[] = {
    {"keepAliveInterval", pathing_interval},
    {"keepAliveTimeout", pathing_timeout},
    {"keepAliveTimeoutInterval", pathing_timeout_interval},
    {"migrateGraceTimeout", pathing_grace},
};

static int key_pathing(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;
	uint64_t seen;

	p->pathing_node = n;
	if (yaml_walk_is_null(n))
		return 0;
	int ret = yaml_walk_expect(w, n, YAML_MAPPING_NODE, "pathing");
	if (ret)
		return ret;
	return yaml_walk_mapping(w, n, pathing_keys, sizeof(pathing_keys) / sizeof(pathing_keys[0]),
				 p, &seen);
}

static int key_adapter_conf_path(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;
	int ret = yaml_walk_string(w, n, "adapterConfPath", SEG_CONFIG_STRING_MAX,
				   &p->c->adapter_conf_path);
	if (ret == 0 && p->c->adapter_conf_path[0] == '\0')
		ret = yaml_walk_error(w, n, "adapterConfPath must not be empty");
	return ret;
}

static int host_port_key(struct yaml_walk *w, yaml_node_t *n, const char *what, bool may_be_off,
			 char **out)
{
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_string(w, n, what, SEG_CONFIG_STRING_MAX, out);
	if (ret)
		return ret;
	if ((may_be_off && (*out)[0] == '\0') || valid_host_port(*out))
		return 0;
	return yaml_walk_error(w, n, "%s must be host:port%s, got %s", what,
			       may_be_off ? " or \"\"" : "", yaml_walk_quote(n, q, sizeof(q)));
}

static int key_daemon_addr(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return host_port_key(w, n, "daemonAddr", false, &((struct parse *)ctx)->c->daemon_addr);
}

static int key_metrics_addr(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return host_port_key(w, n, "metricsAddr", true, &((struct parse *)ctx)->c->metrics_addr);
}

static int key_control_socket(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct parse *p = ctx;
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret =
	    yaml_walk_string(w, n, "controlSocket", sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
			     &p->c->control_socket);
	if (ret == 0 && p->c->control_socket[0] == '\0')
		ret = yaml_walk_error(w, n, "controlSocket must be a path, got %s",
				      yaml_walk_quote(n, q, sizeof(q)));
	return ret;
}

/* A scalar that must be one of names[]; the index goes to *out. */
static int one_of(struct yaml_walk *w, yaml_node_t *n, const char *what, const char *const *names,
		  size_t count, int *out)
{
	char q[YAML_WALK_QUOTE_MAX + 16];
	int ret = yaml_walk_expect(w, n, YAML_SCALAR_NODE, what);
	if (ret)
		return ret;
	for (size_t i = 0; i < count; i++) {
		if (n->data.scalar.length == strlen(names[i]) &&
		    memcmp(n->data.scalar.value, names[i], n->data.scalar.length) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return yaml_walk_error(w, n, "%s must be %s or %s, got %s", what, names[0], names[1],
			       yaml_walk_quote(n, q, sizeof(q)));
}

static const char *const path_policy_names[] = {"hops", "latency"};
static const char *const cipher_names[] = {"aes-256-gcm", "chacha20-poly1305"};

static int key_path_policy(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	int v, ret = one_of(w, n, "pathPolicy", path_policy_names, 2, &v);
	if (ret == 0)
		((struct parse *)ctx)->c->path_policy = (enum seg_path_policy)v;
	return ret;
}

static int key_cipher(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	int v, ret = one_of(w, n, "cipher", cipher_names, 2, &v);
	if (ret == 0)
		((struct parse *)ctx)->c->cipher = (enum seg_config_cipher)v;
	return ret;
}

static int key_redundant(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	return yaml_walk_bool(w, n, "redundant", &((struct parse *)ctx)->c->redundant);
}

static int key_psk(struct yaml_walk *w, yaml_node_t *n, void *ctx)
{
	struct seg_config *c = ((struct parse *)ctx)->c;
	uint8_t key[SEG_CONFIG_PSK_LEN + 3];
	int ret = yaml_walk_expect(w, n, YAML_SCALAR_NODE, "preSharedKey");
	if (ret)
		return ret;
	int len = base64_decode(n->data.scalar.value, n->data.scalar.length, key, sizeof(key));
	/* The key text is no longer needed: wipe libyaml's copy. Never quoted in errors. */
	OPENSSL_cleanse(n->data.scalar.value, n->data.scalar.length);
	if (len != SEG_CONFIG_PSK_LEN) {
		ret = yaml_walk_error(w, n,
				      "preSharedKey must be 32 bytes in base64 "
				      "(44 characters, e.g. from `head -c32 /dev/urandom | "
				      "base64`); value not shown");
	} else {
		memcpy(c->psk, key, sizeof(c->psk));
		c->has_psk = true;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return ret;
}

static const struct yaml_walk_key top_keys[] = {
    {"address", key_address},	       {"remotes", key_remotes},
    {"pathing", key_pathing},	       {"adapterConfPath", key_adapter_conf_path},
    {"daemonAddr", key_daemon_addr},   {"controlSocket", key_control_socket},
    {"metricsAddr", key_metrics_addr}, {"pathPolicy", key_path_policy},
    {"redundant", key_redundant},      {"cipher", key_cipher},
    {"preSharedKey", key_psk},
};

/* ---- Whole file --------------------------------------------------------------------- */

static int set_defaults(struct seg_config *c)
{
	c->pathing = (struct seg_config_pathing){
	    .keep_alive_interval = SEG_CONFIG_DEFAULT_KEEP_ALIVE_INTERVAL,
	    .keep_alive_timeout = SEG_CONFIG_DEFAULT_KEEP_ALIVE_TIMEOUT,
	    .keep_alive_timeout_interval = SEG_CONFIG_DEFAULT_KEEP_ALIVE_TIMEOUT_INTERVAL,
	    .migrate_grace_timeout = SEG_CONFIG_DEFAULT_MIGRATE_GRACE_TIMEOUT,
	};
	c->adapter_conf_path = strdup(SEG_CONFIG_DEFAULT_ADAPTER_CONF_PATH);
	c->daemon_addr = strdup(SEG_CONFIG_DEFAULT_DAEMON_ADDR);
	c->control_socket = strdup(SEG_CONFIG_DEFAULT_CONTROL_SOCKET);
	c->metrics_addr = strdup("");
	c->path_policy = SEG_PATH_POLICY_HOPS;
	c->cipher = SEG_CONFIG_CIPHER_AES_256_GCM;
	if (!c->adapter_conf_path || !c->daemon_addr || !c->control_socket || !c->metrics_addr)
		return SEG_CONFIG_ERR_NOMEM;
	return 0;
}

/* Checks that need the whole file, then fills values that depend on other keys. */
static int validate(struct yaml_walk *w, yaml_node_t *root, struct parse *p, uint64_t seen)
{
	struct seg_config *c = p->c;
	char a[SEG_DURATION_STRLEN], b[SEG_DURATION_STRLEN];

	if (!(seen & 1))
		return yaml_walk_error(w, root, "missing key \"address\"");
	if (c->pathing.keep_alive_timeout != SEG_CONFIG_KEEP_ALIVE_TIMEOUT_AUTO &&
	    c->pathing.keep_alive_timeout <= c->pathing.keep_alive_interval) {
		seg_duration_format(c->pathing.keep_alive_timeout, a, sizeof(a));
		seg_duration_format(c->pathing.keep_alive_interval, b, sizeof(b));
		return yaml_walk_error(
		    w, p->pathing_node ? p->pathing_node : root,
		    "keepAliveTimeout %s must be longer than keepAliveInterval %s", a, b);
	}
	/* A remote written without a port listens on the same port as we do. */
	for (size_t i = 0; i < c->remotes_len; i++) {
		if (c->remotes[i].address.port == 0)
			c->remotes[i].address.port = c->address.port;
	}
	return 0;
}

int seg_config_parse(const char *name, const uint8_t *buf, size_t len, struct seg_config **out,
		     char *err, size_t errlen)
{
	struct yaml_walk w;
	struct parse p = {0};
	uint64_t seen = 0;

	*out = NULL;
	int ret = yaml_walk_load(&w, name, buf, len, err, errlen);
	if (ret)
		return ret;
	p.c = calloc(1, sizeof(*p.c));
	if (!p.c || set_defaults(p.c) != 0) {
		ret = SEG_CONFIG_ERR_NOMEM;
		snprintf(err, errlen, "%s: out of memory", name);
		goto out;
	}
	yaml_node_t *root = yaml_walk_root(&w);
	if (!root || yaml_walk_is_null(root)) {
		ret = yaml_walk_error(&w, NULL, "empty configuration: missing key \"address\"");
		goto out;
	}
	ret = yaml_walk_expect(&w, root, YAML_MAPPING_NODE, "the configuration");
	if (ret == 0)
		ret = yaml_walk_mapping(&w, root, top_keys, sizeof(top_keys) / sizeof(top_keys[0]),
					&p, &seen);
	if (ret == 0)
		ret = validate(&w, root, &p, seen);
out:
	yaml_walk_free(&w);
	if (ret) {
		seg_config_free(p.c);
		return ret;
	}
	*out = p.c;
	return 0;
}

int seg_config_load(const char *path, struct seg_config **out, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;

	*out = NULL;
	int ret = yaml_walk_read_file(path, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = seg_config_parse(path, buf, len, out, err, errlen);
	/* The file may hold the pre-shared key. */
	OPENSSL_cleanse(buf, len);
	free(buf);
	return ret;
}

void seg_config_free(struct seg_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->remotes_len; i++) {
		free(c->remotes[i].description);
		free(c->remotes[i].allowed_subnets);
	}
	free(c->remotes);
	free(c->adapter_conf_path);
	free(c->daemon_addr);
	free(c->control_socket);
	free(c->metrics_addr);
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

const char *seg_path_policy_name(enum seg_path_policy p)
{
	return (unsigned)p < 2 ? path_policy_names[p] : "?";
}

const char *seg_cipher_name(enum seg_config_cipher c)
{
	return (unsigned)c < 2 ? cipher_names[c] : "?";
}
