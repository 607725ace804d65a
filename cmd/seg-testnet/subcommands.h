/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's subcommands: each is one file with a <name>_main(argc, argv), where argv[0]
 * is the subcommand's name. They return the process exit status: 0, 1 for a failure at run
 * time, 2 for a usage error (which they explain on stderr, quoting the bad token).
 */
#ifndef SEG_CMD_TESTNET_SUBCOMMANDS_H
#define SEG_CMD_TESTNET_SUBCOMMANDS_H

#include <stdio.h>

enum {
	EXIT_USAGE = 2,
};

struct subcommand {
	const char *name;
	int (*main)(int argc, char **argv);
	/** Arguments after the name, for the usage line. */
	const char *args;
	const char *summary;
	/** Option lines for --help. */
	const char *help;
};

int run_main(int argc, char **argv);
int link_main(int argc, char **argv);
int status_main(int argc, char **argv);

/** The table entry of a subcommand (for its --help). */
const struct subcommand *subcommand_find(const char *name);
/** Prints "usage: seg-testnet NAME ARGS" and the option lines to f. */
void subcommand_usage(const struct subcommand *c, FILE *f);

/** The control socket of the testnet in dir: "DIR/control.sock". */
int testnet_control_path(const char *dir, char *buf, size_t cap);
/** Sends line to the testnet in dir and prints the reply; returns the exit status. */
int testnet_request(const char *dir, const char *line, int (*print)(const char *reply));

#endif /* SEG_CMD_TESTNET_SUBCOMMANDS_H */
