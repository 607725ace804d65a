/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet link down|up|set IA#IFID --dir DIR [--revoke] [--loss P] [--delay D]: the
 * client of the control socket's link requests (netctl.h). Arguments are checked here with
 * the server's own parser before anything is sent.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "netctl.h"
#include "subcommands.h"

struct link_args {
	const char *dir;
	const char *action;
	const char *iface;
	bool revoke;
	const char *loss;
	const char *delay;
};

static int link_parse_opts(int argc, char **argv, struct link_args *a)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},  {"revoke", no_argument, NULL, 'r'},
	    {"loss", required_argument, NULL, 'l'}, {"delay", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			a->dir = optarg;
			break;
		case 'r':
			a->revoke = true;
			break;
		case 'l':
			a->loss = optarg;
			break;
		case 'D':
			a->delay = optarg;
			break;
		case 'h':
			subcommand_usage(subcommand_find("link"), stdout);
			return 1;
		case ':':
			fprintf(stderr, "seg-testnet link: option '%s' needs a value\n",
				argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "seg-testnet link: bad option '%s'\n", argv[optind - 1]);
			return -1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr,
			argc - optind < 2 ? "seg-testnet link: want down|up|set IA#IFID\n"
					  : "seg-testnet link: unexpected argument '%s'\n",
			argv[argc - 1]);
		return -1;
	}
	a->action = argv[optind];
	a->iface = argv[optind + 1];
	if (!a->dir) {
		fprintf(stderr, "seg-testnet link: --dir DIR is required\n");
		return -1;
	}
	return 0;
}

/* Builds the request from the arguments; complains about the first bad one. */
static int link_build(const struct link_args *a, struct netctl_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	if (!strcmp(a->action, "down")) {
		cmd->op = NETCTL_LINK_DOWN;
	} else if (!strcmp(a->action, "up")) {
		cmd->op = NETCTL_LINK_UP;
	} else if (!strcmp(a->action, "set")) {
		cmd->op = NETCTL_LINK_SET;
	} else {
		fprintf(stderr, "seg-testnet link: unknown action '%s' (want down, up or set)\n",
			a->action);
		return -1;
	}
	if (netctl_parse_iface(a->iface, &cmd->ia, &cmd->ifid)) {
		fprintf(stderr,
			"seg-testnet link: bad interface '%s' (want ISD-AS#IFID, e.g. "
			"1-ff00:0:110#1)\n",
			a->iface);
		return -1;
	}
	if (a->revoke && cmd->op != NETCTL_LINK_DOWN) {
		fprintf(stderr, "seg-testnet link: '--revoke' goes with 'down' only\n");
		return -1;
	}
	cmd->revoke = a->revoke;
	if ((a->loss || a->delay) && cmd->op != NETCTL_LINK_SET) {
		fprintf(stderr, "seg-testnet link: '%s' goes with 'set' only\n",
			a->loss ? "--loss" : "--delay");
		return -1;
	}
	if (cmd->op == NETCTL_LINK_SET && !a->loss && !a->delay) {
		fprintf(stderr, "seg-testnet link set: needs --loss and/or --delay\n");
		return -1;
	}
	if (a->loss && netctl_parse_loss(a->loss, &cmd->loss_ppm)) {
		fprintf(stderr, "seg-testnet link: bad loss '%s' (want a percentage 0..100)\n",
			a->loss);
		return -1;
	}
	if (a->delay && netctl_parse_delay(a->delay, &cmd->delay_us)) {
		fprintf(stderr,
			"seg-testnet link: bad delay '%s' (want e.g. 20ms, at most %d ms)\n",
			a->delay, NETCTL_MAX_DELAY_MS);
		return -1;
	}
	cmd->has_loss = a->loss != NULL;
	cmd->has_delay = a->delay != NULL;
	return 0;
}

int link_main(int argc, char **argv)
{
	struct link_args a = {0};
	struct netctl_cmd cmd;
	char line[NETCTL_LINE_MAX];
	int rc = link_parse_opts(argc, argv, &a);

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	if (link_build(&a, &cmd))
		return EXIT_USAGE;
	if (netctl_format(&cmd, line, sizeof(line))) {
		fprintf(stderr, "seg-testnet link: request too long\n");
		return EXIT_USAGE;
	}
	return testnet_request(a.dir, line, NULL);
}
