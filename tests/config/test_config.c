// SPDX-License-Identifier: MIT
/*
 * conf.yaml and adapter.yaml: golden files (parse, print canonically, compare), canonical
 * round trips (parse -> print -> parse gives an equal struct), bad files each with the
 * exact expected error, and specific values of the original prototype's examples.
 *
 * Data: tests/config/data/{good,adapter-good}/X.yaml with X.golden (the canonical print),
 * {bad,adapter-bad}/X.yaml with X.err (the one-line error). Set SEG_UPDATE_GOLDEN=1 to
 * rewrite .golden and .err files from the current output (then review the diff).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/adapter_config.h"
#include "config/config.h"

#define DATA SEG_SOURCE_DIR "/tests/config/data"

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0;

	if (!f)
		return NULL;
	*len = 0;
	for (;;) {
		if (*len + 4096 + 1 > cap) {
			cap = cap * 2 + 8192;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		size_t n = fread(buf + *len, 1, cap - *len - 1, f);
		if (n == 0)
			break;
		*len += n;
	}
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static void write_all(const char *path, const char *s)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static bool updating(void)
{
	const char *v = getenv("SEG_UPDATE_GOLDEN");
	return v && v[0] == '1';
}

/* Compares output with the expected file (or rewrites it when updating). */
static void check_golden(const char *path, const char *got)
{
	size_t len;
	if (updating())
		write_all(path, got);
	char *want = read_all(path, &len);
	if (!want)
		fail_msg("missing %s; got:\n%s", path, got);
	if (strcmp(want, got) != 0)
		fail_msg("%s differs; got:\n%s\nwant:\n%s", path, got, want);
	free(want);
}

typedef char *print_fn(const void *cfg, unsigned flags);

static char *print_config(const void *cfg, unsigned flags)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	seg_config_fprint(f, cfg, flags);
	fclose(f);
	return out;
}

static char *print_adapter(const void *cfg, unsigned flags)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	(void)flags;
	assert_non_null(f);
	seg_adapter_config_print(f, cfg);
	fclose(f);
	return out;
}

/* The two file kinds behind one interface, so every check runs on both. */
struct kind {
	const char *good_dir, *bad_dir;
	int (*parse)(const char *name, const uint8_t *buf, size_t len, void **out, char *err,
		     size_t errlen);
	void (*free)(void *);
	print_fn *print;
	bool (*equal)(const void *, const void *);
};

static int parse_config(const char *name, const uint8_t *buf, size_t len, void **out, char *err,
			size_t errlen)
{
	return seg_config_parse(name, buf, len, (struct seg_config **)out, err, errlen);
}

static int parse_adapter(const char *name, const uint8_t *buf, size_t len, void **out, char *err,
			 size_t errlen)
{
	return seg_adapter_config_parse(name, buf, len, (struct seg_adapter_config **)out, err,
					errlen);
}

static void free_config(void *c)
{
	seg_config_free(c);
}

static void free_adapter(void *c)
{
	seg_adapter_config_free(c);
}

static bool equal_config(const void *a, const void *b)
{
	return seg_config_equal(a, b);
}

static bool equal_adapter(const void *a, const void *b)
{
	return seg_adapter_config_equal(a, b);
}

static const struct kind conf_kind = {"good",	   "bad",	 parse_config,
				      free_config, print_config, equal_config};
static const struct kind adapter_kind = {"adapter-good", "adapter-bad", parse_adapter,
					 free_adapter,	 print_adapter, equal_adapter};

/* Calls fn for every X.yaml in DATA/dir; returns how many. */
static int for_each_yaml(const char *dir, const struct kind *k,
			 void (*fn)(const struct kind *, const char *dir, const char *file))
{
	char path[512];
	struct dirent **list;
	int count = 0;

	snprintf(path, sizeof(path), "%s/%s", DATA, dir);
	int n = scandir(path, &list, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(list[i]->d_name);
		if (len > 5 && strcmp(list[i]->d_name + len - 5, ".yaml") == 0) {
			fn(k, dir, list[i]->d_name);
			count++;
		}
		free(list[i]);
	}
	free(list);
	return count;
}

static void check_good(const struct kind *k, const char *dir, const char *file)
{
	char path[512], err[SEG_CONFIG_ERRLEN];
	size_t len;
	void *cfg = NULL, *again = NULL;

	snprintf(path, sizeof(path), "%s/%s/%s", DATA, dir, file);
	char *text = read_all(path, &len);
	assert_non_null(text);
	if (k->parse(file, (const uint8_t *)text, len, &cfg, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);

	char *printed = k->print(cfg, 0);
	snprintf(path + strlen(path) - 5, 16, ".golden");
	check_golden(path, printed);

	/* Round trip: the canonical form (with secrets) parses to an equal struct, and
	 * prints the same again. */
	char *full = k->print(cfg, SEG_CONFIG_PRINT_SECRETS);
	if (k->parse("canonical", (const uint8_t *)full, strlen(full), &again, err, sizeof(err)) !=
	    0)
		fail_msg("%s: canonical form does not parse: %s\n%s", file, err, full);
	assert_true(k->equal(cfg, again));
	char *full2 = k->print(again, SEG_CONFIG_PRINT_SECRETS);
	assert_string_equal(full, full2);

	free(full2);
	free(full);
	free(printed);
	k->free(again);
	k->free(cfg);
	free(text);
}

static void check_bad(const struct kind *k, const char *dir, const char *file)
{
	char path[512], err[SEG_CONFIG_ERRLEN];
	size_t len;
	void *cfg = (void *)1;

	snprintf(path, sizeof(path), "%s/%s/%s", DATA, dir, file);
	char *text = read_all(path, &len);
	assert_non_null(text);
	int ret = k->parse(file, (const uint8_t *)text, len, &cfg, err, sizeof(err));
	if (ret == 0)
		fail_msg("%s: accepted", path);
	assert_true(ret < 0);
	assert_null(cfg);
	assert_non_null(strchr(err, ':'));
	strcat(err, "\n");
	snprintf(path + strlen(path) - 5, 16, ".err");
	check_golden(path, err);
	free(text);
}

static void test_good_files(void **state)
{
	(void)state;
	assert_true(for_each_yaml("good", &conf_kind, check_good) >= 3);
	assert_true(for_each_yaml("adapter-good", &adapter_kind, check_good) >= 3);
}

static void test_bad_files(void **state)
{
	(void)state;
	assert_true(for_each_yaml("bad", &conf_kind, check_bad) >= 10);
	assert_true(for_each_yaml("adapter-bad", &adapter_kind, check_bad) >= 5);
}

/* The seed README's example, with real ISD-AS numbers: values and defaults. */
static void test_readme_values(void **state)
{
	(void)state;
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *c;

	assert_int_equal(seg_config_load(DATA "/good/readme.yaml", &c, err, sizeof(err)), 0);
	assert_int_equal(c->address.addr.ia, scion_ia_make(1, 0xff0000000110));
	assert_int_equal(c->address.addr.host.type, SCION_HOST_IPV4);
	assert_memory_equal(c->address.addr.host.ip, "\x7f\0\0\x01", 4);
	assert_int_equal(c->address.port, 23000);
	assert_int_equal(c->remotes_len, 1);
	assert_int_equal(c->remotes[0].address.addr.ia, scion_ia_make(1, 0xff0000000111));
	assert_int_equal(c->remotes[0].address.port, 23000);
	assert_false(c->remotes[0].has_rendezvous);
	assert_true(c->remotes[0].allow_any_subnet);
	assert_string_equal(c->remotes[0].description, "");
	assert_string_equal(c->adapter_conf_path, "adapter.yaml");
	/* seg's pathing defaults (the original's gateway/pathmgr.go had 50ms and 300ms for the
	 * first two; docs/configuration.md compares them). */
	assert_int_equal(c->pathing.keep_alive_interval, SEG_MS(20));
	assert_int_equal(c->pathing.keep_alive_timeout, SEG_CONFIG_KEEP_ALIVE_TIMEOUT_AUTO);
	assert_int_equal(c->pathing.keep_alive_timeout_interval, SEG_MS(30));
	assert_int_equal(c->pathing.migrate_grace_timeout, SEG_MS(500));
	/* seg's new keys. */
	assert_string_equal(c->daemon_addr, "127.0.0.1:30255");
	assert_string_equal(c->metrics_addr, "");
	assert_int_equal(c->path_policy, SEG_PATH_POLICY_HOPS);
	assert_int_equal(c->cipher, SEG_CONFIG_CIPHER_AES_256_GCM);
	assert_false(c->redundant);
	assert_false(c->has_psk);
	seg_config_free(c);
}

/* Remote addresses in the legacy and port-less forms the original accepted. */
static void test_remote_address_forms(void **state)
{
	(void)state;
	static const char *const forms[] = {
	    "1-ff00:0:111,10.0.0.2:31000",   "[1-ff00:0:111,10.0.0.2]:31000",
	    "1-ff00:0:111,[10.0.0.2]:31000", "1-ff00:0:111,10.0.0.2",
	    "1-ff00:0:111,[10.0.0.2]",
	};
	static const uint16_t ports[] = {31000, 31000, 31000, 23000, 23000};
	char text[256], err[SEG_CONFIG_ERRLEN];

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct seg_config *c;
		snprintf(text, sizeof(text),
			 "address: 1-ff00:0:110,127.0.0.1:23000\nremotes:\n  - address: \"%s\"\n",
			 forms[i]);
		if (seg_config_parse("t.yaml", (const uint8_t *)text, strlen(text), &c, err,
				     sizeof(err)) != 0)
			fail_msg("%s: %s", forms[i], err);
		assert_int_equal(c->remotes[0].address.addr.ia, scion_ia_make(1, 0xff0000000111));
		assert_memory_equal(c->remotes[0].address.addr.host.ip, "\x0a\0\0\x02", 4);
		assert_int_equal(c->remotes[0].address.port, ports[i]);
		seg_config_free(c);
	}
}

static void test_psk_never_quoted(void **state)
{
	(void)state;
	static const char text[] = "address: 1-ff00:0:110,127.0.0.1:23000\n"
				   "preSharedKey: c2VjcmV0LXNlY3JldC1zZWNyZXQ=\n";
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *c;

	assert_int_equal(
	    seg_config_parse("t.yaml", (const uint8_t *)text, strlen(text), &c, err, sizeof(err)),
	    SEG_CONFIG_ERR_INVALID);
	assert_null(strstr(err, "c2Vj"));
	assert_non_null(strstr(err, "t.yaml:2:15: preSharedKey"));
}

static void test_load_errors(void **state)
{
	(void)state;
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *c = (void *)1;
	struct seg_adapter_config *a = (void *)1;

	assert_int_equal(seg_config_load(DATA "/no-such-file.yaml", &c, err, sizeof(err)),
			 SEG_CONFIG_ERR_IO);
	assert_null(c);
	assert_non_null(strstr(err, "no-such-file.yaml: cannot open"));
	assert_int_equal(seg_adapter_config_load(DATA, &a, err, sizeof(err)), SEG_CONFIG_ERR_IO);
	assert_null(a);

	/* Larger than SEG_CONFIG_FILE_MAX. */
	char path[] = "/tmp/seg-test-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	assert_non_null(f);
	for (int i = 0; i <= SEG_CONFIG_FILE_MAX / 16; i++)
		fputs("# padding line\n\n", f);
	fclose(f);
	assert_int_equal(seg_config_load(path, &c, err, sizeof(err)), SEG_CONFIG_ERR_TOO_BIG);
	unlink(path);

	/* A tiny error buffer truncates instead of overflowing. */
	static const char text[] = "bogus: 1\n";
	char tiny[8];
	assert_int_equal(
	    seg_config_parse("t.yaml", (const uint8_t *)text, strlen(text), &c, tiny, sizeof(tiny)),
	    SEG_CONFIG_ERR_INVALID);
	assert_string_equal(tiny, "t.yaml:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_files),	     cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_readme_values),    cmocka_unit_test(test_remote_address_forms),
	    cmocka_unit_test(test_psk_never_quoted), cmocka_unit_test(test_load_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
