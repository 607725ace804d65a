/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet status --dir DIR: the status line of a running testnet (links with their
 * state, loss and delay; per-router counters), as one JSON object.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

static int print_json(const char *reply)
{
	return puts(reply) < 0 ? 1 : 0;
}

int status_main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			subcommand_usage(subcommand_find("status"), stdout);
			return 0;
		default:
			fprintf(stderr, "seg-testnet status: bad option '%s'\n", argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "seg-testnet status: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (!dir) {
		fprintf(stderr, "seg-testnet status: --dir DIR is required\n");
		return EXIT_USAGE;
	}
	return testnet_request(dir, "status", print_json);
}
