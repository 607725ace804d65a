// SPDX-License-Identifier: MIT
/*
 * seg: the SCION Extensible Gateway. `seg <command> [flags]`, the commands taken from one
 * table; the usage is printed from it. The original prototype had no subcommands
 * (`seg -conf conf.yaml`), so a first argument that is a flag, or no argument at all,
 * means `run`.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

struct seg_command {
	const char *name;
	const char *help;
	int (*main)(int argc, char **argv);
};

/* One entry per line, in the order `seg help` lists them. */
/* clang-format off */
static const struct seg_command commands[] = {
	{ "run", "run a gateway (default when the first argument is a flag)", run_main },
	{ "status", "show peers, paths and counters of a running gateway", status_main },
	{ "version", "print the version", version_main },
	{ "paths", "list the paths to an AS from the SCION daemon, --probe for liveness", paths_main },
	{ "ping", "send SCMP echo requests to a SCION host", ping_main },
};
/* clang-format on */

static void print_usage(FILE *f)
{
	fprintf(f, "usage: seg <command> [flags]\n"
		   "       seg [run flags]        (as the original: seg -conf conf.yaml)\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`seg <command> -h` describes the flags of a command.\n");
}

static const struct seg_command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	}
	return NULL;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "help") == 0 || strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0 ||
	       strcmp(arg, "-help") == 0;
}

/* `seg help` or `seg help CMD` (which runs `CMD -h`). */
static int help_main(int argc, char **argv)
{
	if (argc < 2) {
		print_usage(stdout);
		return 0;
	}
	const struct seg_command *cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "seg: unknown command \"%s\"\n", argv[1]);
		print_usage(stderr);
		return 1;
	}
	char *sub_argv[] = {argv[1], "-h", NULL};
	return cmd->main(2, sub_argv);
}

int main(int argc, char **argv)
{
	static char run_name[] = "run";

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && is_help(argv[1]))
			return help_main(argc - 1, argv + 1);
		/* The original's command line: every argument is a flag of `run`. */
		argv[0] = run_name;
		return run_main(argc, argv);
	}
	if (is_help(argv[1]))
		return help_main(argc - 1, argv + 1);
	const struct seg_command *cmd = find_command(argv[1]);
	if (!cmd) {
		fprintf(stderr, "seg: unknown command \"%s\"\n", argv[1]);
		print_usage(stderr);
		return 1;
	}
	return cmd->main(argc - 1, argv + 1);
}
