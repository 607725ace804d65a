// SPDX-License-Identifier: MIT
/* Go-compatible flag parsing (flags.h). */
#include "flags.h"

#include <string.h>

static struct flag *flag_find(struct flag *flags, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (strlen(flags[i].name) == len && memcmp(flags[i].name, name, len) == 0)
			return &flags[i];
	}
	return NULL;
}

/* The spellings Go's strconv.ParseBool accepts. */
static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "t", "T", "true", "TRUE", "True"};
	static const char *const no[] = {"0", "f", "F", "false", "FALSE", "False"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* One flag at argv[*i]; advances *i past its value. */
static enum flags_result parse_one(struct flag *flags, size_t n, int argc, char **argv, int *i,
				   char *err, size_t errlen)
{
	const char *arg = argv[*i];
	const char *name = arg + (arg[1] == '-' ? 2 : 1);

	if (name[0] == '\0' || name[0] == '-' || name[0] == '=') {
		snprintf(err, errlen, "bad flag syntax: %s", arg);
		return FLAGS_ERROR;
	}
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	struct flag *f = flag_find(flags, n, name, len);
	if (!f) {
		if ((len == 1 && name[0] == 'h') || (len == 4 && memcmp(name, "help", 4) == 0))
			return FLAGS_HELP;
		snprintf(err, errlen, "flag provided but not defined: -%.*s", (int)len, name);
		return FLAGS_ERROR;
	}
	if (f->kind == FLAG_BOOL) {
		if (eq && parse_bool(eq + 1, f->value) < 0) {
			snprintf(err, errlen, "invalid boolean value \"%s\" for -%s: parse error",
				 eq + 1, f->name);
			return FLAGS_ERROR;
		}
		if (!eq)
			*(bool *)f->value = true;
	} else if (eq) {
		*(const char **)f->value = eq + 1;
	} else if (*i + 1 < argc) {
		*(const char **)f->value = argv[++*i];
	} else {
		snprintf(err, errlen, "flag needs an argument: -%s", f->name);
		return FLAGS_ERROR;
	}
	f->set = true;
	return FLAGS_OK;
}

enum flags_result flags_parse(struct flag *flags, size_t n, int argc, char **argv, int *first_arg,
			      char *err, size_t errlen)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-' || arg[1] == '\0')
			break; /* a positional argument, or "-" */
		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		enum flags_result r = parse_one(flags, n, argc, argv, &i, err, errlen);
		if (r != FLAGS_OK)
			return r;
	}
	*first_arg = i;
	return FLAGS_OK;
}

void flags_print_usage(FILE *f, const char *synopsis, const struct flag *flags, size_t n)
{
	fprintf(f, "usage: %s\n", synopsis);
	for (size_t i = 0; i < n; i++) {
		const struct flag *fl = &flags[i];
		fprintf(f, "  -%s", fl->name);
		if (fl->kind == FLAG_STRING) {
			const char *def = *(const char *const *)fl->value;
			fprintf(f, " %s\n        %s", fl->arg ? fl->arg : "value", fl->help);
			if (def && def[0])
				fprintf(f, " (default \"%s\")", def);
		} else {
			fprintf(f, "\n        %s", fl->help);
		}
		fputc('\n', f);
	}
}
