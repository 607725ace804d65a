// SPDX-License-Identifier: MIT
/*
 * `seg status [-conf FILE | --ctl SOCKET] [--json]`: asks a running gateway over its
 * control socket (gateway/ctl.h) for peers, paths and counters. The socket is --ctl, or
 * controlSocket of the -conf file; with neither, that of ./conf.yaml if there is one, else
 * the default /run/seg/seg.sock.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "gateway/ctl.h"

#include "commands.h"
#include "flags.h"

static const char STATUS_SYNOPSIS[] = "seg status [-conf FILE | --ctl SOCKET] [--json]";

/* The socket to ask; malloc'd; NULL after printing an error. */
static char *socket_path(const char *conf, bool conf_given, const char *ctl)
{
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *cfg;

	if (ctl)
		return strdup(ctl);
	if (!conf_given && access(conf, F_OK) != 0)
		return strdup(SEG_CONFIG_DEFAULT_CONTROL_SOCKET);
	if (seg_config_load(conf, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	char *path = strdup(cfg->control_socket);
	seg_config_free(cfg);
	return path;
}

int status_main(int argc, char **argv)
{
	const char *conf = "conf.yaml", *ctl = NULL;
	bool json = false;
	struct flag flags[] = {
	    {"conf", FLAG_STRING, &conf, "FILE", "find the control socket in this configuration",
	     false},
	    {"ctl", FLAG_STRING, &ctl, "SOCKET", "the gateway's control socket", false},
	    {"json", FLAG_BOOL, &json, NULL, "print JSON (docs/cli.md lists the keys)", false},
	};
	size_t n = sizeof(flags) / sizeof(flags[0]);
	char err[512];
	int first;

	switch (flags_parse(flags, n, argc, argv, &first, err, sizeof(err))) {
	case FLAGS_OK:
		break;
	case FLAGS_HELP:
		flags_print_usage(stdout, STATUS_SYNOPSIS, flags, n);
		return 0;
	case FLAGS_ERROR:
		fprintf(stderr, "seg status: %s\n(seg status -h lists the flags)\n", err);
		return 1;
	}
	if (first < argc) {
		fprintf(stderr, "seg status: unexpected argument \"%s\"\n", argv[first]);
		return 1;
	}
	if (flags[0].set && flags[1].set) {
		fprintf(stderr, "seg status: give -conf or --ctl, not both\n");
		return 1;
	}
	char *path = socket_path(conf, flags[0].set, ctl);
	if (!path)
		return 1;
	char *body;
	size_t len;
	int rc = ctl_request(path, json ? "status" : "status table", CTL_CLIENT_TIMEOUT, &body,
			     &len, err, sizeof(err));
	free(path);
	if (rc < 0) {
		fprintf(stderr, "seg status: %s\n", err);
		return 1;
	}
	size_t written = fwrite(body, 1, len, stdout);
	free(body);
	return written == len && fflush(stdout) == 0 ? 0 : 1;
}
