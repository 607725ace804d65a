/* SPDX-License-Identifier: MIT */
/*
 * Command-line flags parsed as Go's flag package does, so that the original prototype's
 * command lines keep working: `-name value`, `-name=value`, `--name value`, booleans as
 * `-name` or `-name=true|false|1|0|t|f|T|F|TRUE|FALSE|True|False` (never `-name false`,
 * which Go would read as a positional argument). Parsing stops at the first argument that
 * is not a flag, at "-" and after "--". A flag given twice keeps its last value.
 * `-h`, `-help` and `--help` ask for the usage unless a flag of that name exists.
 *
 * Errors quote the offending token, in Go's words: `flag provided but not defined: -x`,
 * `flag needs an argument: -conf`, `invalid boolean value "x" for -b`, `bad flag syntax: ---x`.
 */
#ifndef SEG_CMD_FLAGS_H
#define SEG_CMD_FLAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum flag_kind {
	FLAG_STRING, /* value: const char ** (points into argv) */
	FLAG_BOOL,   /* value: bool * */
};

struct flag {
	const char *name; /* without dashes: "conf", "log.console" */
	enum flag_kind kind;
	void *value;	  /* holds the default on entry */
	const char *arg;  /* placeholder in the usage ("FILE"); NULL for booleans */
	const char *help; /* one line */
	bool set;	  /* out: the flag was given */
};

enum flags_result {
	FLAGS_OK = 0,
	FLAGS_HELP = -1,  /* -h/-help/--help: print the usage, exit 0 */
	FLAGS_ERROR = -2, /* err says why */
};

/* Parses argv[1..argc) into flags; *first_arg is the index of the first positional
 * argument (argc when there is none). */
__attribute__((warn_unused_result)) enum flags_result flags_parse(struct flag *flags, size_t n,
								  int argc, char **argv,
								  int *first_arg, char *err,
								  size_t errlen);

/* "usage: <synopsis>" then one entry per flag with its help and default. */
void flags_print_usage(FILE *f, const char *synopsis, const struct flag *flags, size_t n);

#endif /* SEG_CMD_FLAGS_H */
