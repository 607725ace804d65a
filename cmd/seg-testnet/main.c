/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet: a complete local SCION network on loopback (docs/testnet.md).
 *
 *   seg-testnet run TOPO --dir DIR        run it in the foreground until SIGINT/SIGTERM
 *   seg-testnet link down|up|set ...      change a link of a running testnet
 *   seg-testnet status --dir DIR          links and router counters of a running testnet
 *
 * The usage text is printed from the table below; every subcommand has --help.
 */
#include <stdlib.h>
#include <string.h>

#include "netctl.h"
#include "subcommands.h"

static const struct subcommand subcommands[] = {
    {"run", run_main, "TOPO --dir DIR [options]",
     "start the network of a .topo file and run it until SIGINT/SIGTERM",
     "  --dir DIR            where testnet.json, keys and control.sock go (required)\n"
     "  --net N|auto         use 127.N.k.1 for AS number k (default 0; auto picks a free N)\n"
     "  --seed S             derive the AS master secrets from S (default: random)\n"
     "  --drkey-epoch SEC    DRKey epoch length in seconds (default 86400)\n"
     "  --refresh-ms MS      re-beacon every MS ms (default: at half the segment lifetime)\n"
     "  --log.console LEVEL  trace, debug, info, warn, error or crit (default info)\n"},
    {"link", link_main, "down|up|set IA#IFID --dir DIR [options]",
     "take a link down or up, or set its loss and delay, in a running network",
     "  --dir DIR            the running testnet's directory (required)\n"
     "  --revoke             (down) the daemons also stop returning paths over the link\n"
     "  --loss P             (set) drop P percent of packets each way (0..100, e.g. 0.5)\n"
     "  --delay D            (set) delay each packet by D each way (20ms, 1.5s; bare: ms)\n"},
    {"status", status_main, "--dir DIR", "print the links and router counters as JSON",
     "  --dir DIR            the running testnet's directory (required)\n"},
};

enum { NUM_SUBCOMMANDS = sizeof(subcommands) / sizeof(subcommands[0]) };

const struct subcommand *subcommand_find(const char *name)
{
	for (size_t i = 0; i < NUM_SUBCOMMANDS; i++)
		if (!strcmp(subcommands[i].name, name))
			return &subcommands[i];
	return NULL;
}

void subcommand_usage(const struct subcommand *c, FILE *f)
{
	fprintf(f, "usage: seg-testnet %s %s\n%s.\n\noptions:\n%s", c->name, c->args, c->summary,
		c->help);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: seg-testnet COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < NUM_SUBCOMMANDS; i++)
		fprintf(f, "  %-7s %s\n          %s\n", subcommands[i].name, subcommands[i].args,
			subcommands[i].summary);
	fprintf(f, "\n'seg-testnet COMMAND --help' describes its options.\n");
}

int main(int argc, char **argv)
{
	const struct subcommand *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	c = subcommand_find(argv[1]);
	if (!c) {
		fprintf(stderr, "seg-testnet: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	return c->main(argc - 1, argv + 1);
}

int testnet_control_path(const char *dir, char *buf, size_t cap)
{
	int len = snprintf(buf, cap, "%s/control.sock", dir);

	return len > 0 && (size_t)len < cap ? 0 : -1;
}

int testnet_request(const char *dir, const char *line, int (*print)(const char *reply))
{
	char sock[4096], err[NETCTL_ERR_LEN];
	char *reply = NULL;
	int rc;

	if (testnet_control_path(dir, sock, sizeof(sock))) {
		fprintf(stderr, "seg-testnet: directory '%s' is too long\n", dir);
		return EXIT_USAGE;
	}
	if (netctl_request(sock, line, &reply, err, sizeof(err))) {
		fprintf(stderr, "seg-testnet: %s\n", err);
		return 1;
	}
	if (!strncmp(reply, "ok", 2) && (reply[2] == '\0' || reply[2] == ' ')) {
		rc = print ? print(reply[2] ? reply + 3 : "") : 0;
	} else {
		fprintf(stderr, "seg-testnet: %s\n", reply);
		rc = 1;
	}
	free(reply);
	return rc;
}
