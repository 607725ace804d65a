// SPDX-License-Identifier: MIT
/*
 * The canonical form of conf.yaml (for `seg configtest` and golden tests) and structural
 * equality. Every key is printed, defaults included, in one fixed order.
 */
#include <openssl/crypto.h>
#include <string.h>

#include "config/config.h"
#include "config/duration.h"
#include "config/yaml_print.h"

static void print_udp_addr(FILE *f, const struct scion_udp_addr *a)
{
	char buf[SCION_UDP_ADDR_STRLEN];

	if (scion_udp_addr_format(a, buf, sizeof(buf)) != 0)
		buf[0] = '\0'; /* cannot happen: the buffer is sized for any address */
	yaml_print_string(f, buf);
}

static void print_duration(FILE *f, const char *key, uint64_t ns)
{
	char buf[SEG_DURATION_STRLEN];

	if (seg_duration_format(ns, buf, sizeof(buf)) < 0)
		buf[0] = '\0';
	fprintf(f, "  %s: %s\n", key, buf);
}

static void print_base64(FILE *f, const uint8_t *in, size_t len)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	fputc('"', f);
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		fputc(alphabet[v >> 18 & 63], f);
		fputc(alphabet[v >> 12 & 63], f);
		fputc(i + 1 < len ? alphabet[v >> 6 & 63] : '=', f);
		fputc(i + 2 < len ? alphabet[v & 63] : '=', f);
	}
	fputc('"', f);
}

static void print_remote(FILE *f, const struct seg_config_remote *r)
{
	char buf[CIDR_STRLEN];

	fputs("  - address: ", f);
	print_udp_addr(f, &r->address);
	fputc('\n', f);
	if (r->has_rendezvous) {
		if (scion_ia_format(r->rendezvous, buf, sizeof(buf)) != 0)
			buf[0] = '\0';
		fputs("    rendezvousAddr: ", f);
		yaml_print_string(f, buf);
		fputc('\n', f);
	}
	fputs("    description: ", f);
	yaml_print_string(f, r->description);
	fputc('\n', f);
	if (r->allow_any_subnet) {
		fputs("    allowedSubnets: any\n", f);
	} else if (r->allowed_subnets_len == 0) {
		fputs("    allowedSubnets: []\n", f);
	} else {
		fputs("    allowedSubnets:\n", f);
		for (size_t i = 0; i < r->allowed_subnets_len; i++) {
			if (cidr_format(&r->allowed_subnets[i], buf, sizeof(buf)) < 0)
				buf[0] = '\0';
			fputs("      - ", f);
			yaml_print_string(f, buf);
			fputc('\n', f);
		}
	}
}

void seg_config_fprint(FILE *f, const struct seg_config *c, unsigned flags)
{
	fputs("address: ", f);
	print_udp_addr(f, &c->address);
	fputs("\nadapterConfPath: ", f);
	yaml_print_string(f, c->adapter_conf_path);
	fputs("\ndaemonAddr: ", f);
	yaml_print_string(f, c->daemon_addr);
	fputs("\ncontrolSocket: ", f);
	yaml_print_string(f, c->control_socket);
	fputs("\nmetricsAddr: ", f);
	yaml_print_string(f, c->metrics_addr);
	fprintf(f, "\npathPolicy: %s\n", seg_path_policy_name(c->path_policy));
	fprintf(f, "redundant: %s\n", c->redundant ? "true" : "false");
	fprintf(f, "cipher: %s\n", seg_cipher_name(c->cipher));
	if (c->has_psk) {
		fputs("preSharedKey: ", f);
		if (flags & SEG_CONFIG_PRINT_SECRETS)
			print_base64(f, c->psk, sizeof(c->psk));
		else
			fputs("\"(hidden)\"", f);
		fputc('\n', f);
	}
	fputs("pathing:\n", f);
	print_duration(f, "keepAliveInterval", c->pathing.keep_alive_interval);
	if (c->pathing.keep_alive_timeout == SEG_CONFIG_KEEP_ALIVE_TIMEOUT_AUTO)
		fputs("  keepAliveTimeout: auto\n", f);
	else
		print_duration(f, "keepAliveTimeout", c->pathing.keep_alive_timeout);
	print_duration(f, "keepAliveTimeoutInterval", c->pathing.keep_alive_timeout_interval);
	print_duration(f, "migrateGraceTimeout", c->pathing.migrate_grace_timeout);
	if (c->remotes_len == 0) {
		fputs("remotes: []\n", f);
		return;
	}
	fputs("remotes:\n", f);
	for (size_t i = 0; i < c->remotes_len; i++)
		print_remote(f, &c->remotes[i]);
}

void seg_config_print(FILE *f, const struct seg_config *c)
{
	seg_config_fprint(f, c, 0);
}

static bool udp_addr_equal(const struct scion_udp_addr *a, const struct scion_udp_addr *b)
{
	const struct scion_host *x = &a->addr.host, *y = &b->addr.host;

	return a->port == b->port && a->addr.ia == b->addr.ia && x->type == y->type &&
	       x->svc == y->svc && memcmp(x->ip, y->ip, sizeof(x->ip)) == 0;
}

static bool remote_equal(const struct seg_config_remote *a, const struct seg_config_remote *b)
{
	if (!udp_addr_equal(&a->address, &b->address) || a->has_rendezvous != b->has_rendezvous ||
	    (a->has_rendezvous && a->rendezvous != b->rendezvous) ||
	    strcmp(a->description, b->description) != 0 ||
	    a->allow_any_subnet != b->allow_any_subnet ||
	    a->allowed_subnets_len != b->allowed_subnets_len)
		return false;
	for (size_t i = 0; i < a->allowed_subnets_len; i++) {
		if (!cidr_equal(&a->allowed_subnets[i], &b->allowed_subnets[i]))
			return false;
	}
	return true;
}

bool seg_config_equal(const struct seg_config *a, const struct seg_config *b)
{
	if (!udp_addr_equal(&a->address, &b->address) ||
	    strcmp(a->adapter_conf_path, b->adapter_conf_path) != 0 ||
	    strcmp(a->daemon_addr, b->daemon_addr) != 0 ||
	    strcmp(a->control_socket, b->control_socket) != 0 ||
	    strcmp(a->metrics_addr, b->metrics_addr) != 0 || a->path_policy != b->path_policy ||
	    a->redundant != b->redundant || a->cipher != b->cipher || a->has_psk != b->has_psk ||
	    (a->has_psk && CRYPTO_memcmp(a->psk, b->psk, sizeof(a->psk)) != 0) ||
	    memcmp(&a->pathing, &b->pathing, sizeof(a->pathing)) != 0 ||
	    a->remotes_len != b->remotes_len)
		return false;
	for (size_t i = 0; i < a->remotes_len; i++) {
		if (!remote_equal(&a->remotes[i], &b->remotes[i]))
			return false;
	}
	return true;
}
