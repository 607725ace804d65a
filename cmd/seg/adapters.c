// SPDX-License-Identifier: MIT
/* Creating the configured adapter for `seg run` (adapters.h). */
#include "adapters.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/ip/ipadapter.h"
#include "adapters/udp/udpadapter.h"
#include "base/log.h"
#include "config/adapter_config.h"
#include "config/config.h"
#include "config/udp_adapter_config.h"

struct seg_adapters {
	struct seg_adapter_config *ip_cfg;
	struct ipadapter *ip;
	struct seg_udp_adapter_config *udp_cfg;
	struct udpadapter *udp;
};

/* The whole file, at most SEG_CONFIG_FILE_MAX bytes; -errno or -EFBIG. */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f)
		return -errno;
	buf = malloc(SEG_CONFIG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, SEG_CONFIG_FILE_MAX + 1, f);
	fclose(f);
	if (n > SEG_CONFIG_FILE_MAX) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int create_ip(struct seg_adapters *a, struct gateway *gw, struct evloop *loop,
		     const struct seg_config *cfg, const uint8_t *buf, size_t len, char *err,
		     size_t errlen)
{
	const char *path = cfg->adapter_conf_path;
	struct ipadapter_opts o = {.gw_cfg = cfg, .gw = gw, .loop = loop};

	if (seg_adapter_config_parse(path, buf, len, &a->ip_cfg, err, errlen) != 0)
		return -1;
	o.cfg = a->ip_cfg;
	return ipadapter_create(&o, &a->ip, err, errlen) < 0 ? -1 : 0;
}

static int create_udp(struct seg_adapters *a, struct gateway *gw, struct evloop *loop,
		      const struct seg_config *cfg, const uint8_t *buf, size_t len, char *err,
		      size_t errlen)
{
	const char *path = cfg->adapter_conf_path;

	if (seg_udp_adapter_config_parse(path, buf, len, &a->udp_cfg, err, errlen) != 0)
		return -1;
	return udpadapter_create(a->udp_cfg, gw, loop, &a->udp, err, errlen) < 0 ? -1 : 0;
}

int adapters_create(struct gateway *gw, struct evloop *loop, const struct seg_config *cfg,
		    struct seg_adapters **out, char *err, size_t errlen)
{
	const char *path = cfg->adapter_conf_path;
	struct seg_adapters *a;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = read_file(path, &buf, &len);

	*out = NULL;
	if (rc == -ENOENT && !strcmp(path, SEG_CONFIG_DEFAULT_ADAPTER_CONF_PATH)) {
		seg_log_warn("no %s: running without an adapter (no traffic is carried)", path);
		return 0;
	}
	if (rc < 0) {
		snprintf(err, errlen, "%s: cannot read the adapter configuration: %s", path,
			 rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		free(buf);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (seg_udp_adapter_config_is_udp(buf, len))
		rc = create_udp(a, gw, loop, cfg, buf, len, err, errlen);
	else
		rc = create_ip(a, gw, loop, cfg, buf, len, err, errlen);
	free(buf);
	if (rc) {
		adapters_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

void adapters_stop(struct seg_adapters *a)
{
	if (a && a->ip)
		ipadapter_stop(a->ip);
}

void adapters_free(struct seg_adapters *a)
{
	if (!a)
		return;
	ipadapter_destroy(a->ip);
	udpadapter_destroy(a->udp);
	seg_adapter_config_free(a->ip_cfg);
	seg_udp_adapter_config_free(a->udp_cfg);
	free(a);
}
