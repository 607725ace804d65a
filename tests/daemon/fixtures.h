/* SPDX-License-Identifier: MIT */
/*
 * Fixed daemon answers shared by the daemon tests, the interop helper binaries and (as the
 * same literal values) tests/daemon/interop.py: keep the two in step.
 */
#ifndef SEG_TESTS_DAEMON_FIXTURES_H
#define SEG_TESTS_DAEMON_FIXTURES_H

#include <stdbool.h>
#include <stdio.h>

#include <seg/daemon.h>

/* 1-ff00:0:110 -> 2-ff00:0:220 */
#define FIX_SRC_IA ((scion_ia_t)0x0001ff0000000110ull)
#define FIX_DST_IA ((scion_ia_t)0x0002ff0000000220ull)
#define FIX_MID_IA ((scion_ia_t)0x0001ff0000000111ull)
enum {
	FIX_N_PATHS = 3,	/* two SCION paths and the empty path */
	FIX_N_PATHS_HIDDEN = 1, /* hidden = true: the first path only */
	FIX_N_IFACES = 3,
	FIX_AS_MTU = 1400,
	FIX_PORT_START = 31000,
	FIX_PORT_END = 32767,
	FIX_DRKEY_PROTOCOL = 7,
};
#define FIX_EXPIRY	1700003600ull
#define FIX_VAL_TIME	1700000100ull
#define FIX_EPOCH_BEGIN 1700000000ull
#define FIX_EPOCH_END	1700086400ull

/* What the fixture ops saw last; tests check that requests arrived intact. */
struct fixture_state {
	struct seg_daemon_paths_req last_paths;
	scion_ia_t last_as;
	int n_calls;
};

void fixture_path(size_t i, struct seg_path *out);
void fixture_interface(size_t i, struct seg_daemon_interface *out);
void fixture_as_info(struct seg_daemon_as_info *out);
void fixture_drkey_req(struct seg_daemon_drkey_req *out);
void fixture_drkey(enum seg_drkey_kind kind, struct seg_drkey *out);

/* Ops answering the fixtures (ctx: struct fixture_state); wrong requests get errors. */
extern const struct seg_daemon_service_ops fixture_ops;

/* Compare a client's results with the fixtures; print the first difference to err. */
bool fixture_check_paths(const struct seg_path *p, size_t n, bool hidden, FILE *err);
bool fixture_check_interfaces(const struct seg_daemon_interface *a, size_t n, FILE *err);
bool fixture_check_as_info(const struct seg_daemon_as_info *a, FILE *err);
bool fixture_check_drkey(enum seg_drkey_kind kind, const struct seg_drkey *k, FILE *err);

/* Runs every client call against a daemon at addr and checks it; 0 when all match. */
int fixture_client_check_all(const char *addr, FILE *err);

#endif /* SEG_TESTS_DAEMON_FIXTURES_H */
