// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness for the configuration parsers, run as they are (no stubs): every input
 * is parsed as conf.yaml and as adapter.yaml. Besides crashes, leaks and undefined
 * behaviour, it checks the canonical printer: whatever parses must print to a form that
 * parses back to an equal configuration.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/adapter_config.h"
#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *print_config(const struct seg_config *c, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	if (!f)
		abort();
	seg_config_fprint(f, c, SEG_CONFIG_PRINT_SECRETS);
	fclose(f);
	return out;
}

static char *print_adapter(const struct seg_adapter_config *c, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	if (!f)
		abort();
	seg_adapter_config_print(f, c);
	fclose(f);
	return out;
}

static void round_trip_config(const struct seg_config *c)
{
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *again;
	size_t len;
	char *text = print_config(c, &len);

	if (seg_config_parse("canonical", (const uint8_t *)text, len, &again, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "canonical form rejected: %s\n%s", err, text);
		abort();
	}
	if (!seg_config_equal(c, again)) {
		fprintf(stderr, "canonical form differs:\n%s", text);
		abort();
	}
	seg_config_free(again);
	free(text);
}

static void round_trip_adapter(const struct seg_adapter_config *c)
{
	char err[SEG_CONFIG_ERRLEN];
	struct seg_adapter_config *again;
	size_t len;
	char *text = print_adapter(c, &len);

	if (seg_adapter_config_parse("canonical", (const uint8_t *)text, len, &again, err,
				     sizeof(err)) != 0) {
		fprintf(stderr, "canonical form rejected: %s\n%s", err, text);
		abort();
	}
	if (!seg_adapter_config_equal(c, again)) {
		fprintf(stderr, "canonical form differs:\n%s", text);
		abort();
	}
	seg_adapter_config_free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *c;
	struct seg_adapter_config *a;

	if (seg_config_parse("fuzz.yaml", data, size, &c, err, sizeof(err)) == 0) {
		round_trip_config(c);
		seg_config_free(c);
	}
	if (seg_adapter_config_parse("fuzz.yaml", data, size, &a, err, sizeof(err)) == 0) {
		round_trip_adapter(a);
		seg_adapter_config_free(a);
	}
	return 0;
}
