/* SPDX-License-Identifier: MIT */
/*
 * What the gateway tests (tests/gateway/test_gateway_*.c, gwnet_fixture.c) and the gateway
 * benchmarks (bench/bench_gw.c) share, so that they set gateways up one way:
 *
 *   - an in-process SCION daemon (the gRPC server of seg/daemon.h) that answers Paths with
 *     the empty path of GW_FIXTURE_IA and DRKey requests from a master secret;
 *   - gateway configurations from YAML text, and gateways built and started from them;
 *   - a recording adapter (counts, sequence numbers, the last packet);
 *   - running an event loop until a condition holds.
 *
 * No cmocka here (the benchmarks link it too): every step returns 0 or a negative error, and
 * its caller fails the test or exits. Thread: the caller's, which runs the loop; the daemon
 * answers on its own server thread.
 */
#ifndef SEG_TESTS_GW_FIXTURE_H
#define SEG_TESTS_GW_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <seg/adapter.h>
#include <seg/daemon.h>
#include <seg/drkey.h>

#include "base/evloop.h"
#include "gateway/gateway.h"

/* The one AS of the in-process daemon: it has paths (the empty path) only within it. */
#define GW_FIXTURE_IA_STR "1-ff00:0:110"
#define GW_FIXTURE_IA	  UINT64_C(0x0001ff0000000110)

/* ---- the in-process daemon ---------------------------------------------------------------- */

struct gw_fixture_daemon {
	struct seg_daemon_server *srv;
	char addr[32]; /* 127.0.0.1:port, the gateways' daemonAddr */
	uint8_t master[16];
	struct drkey_epoch epoch;
	uint16_t mtu; /* of the empty path it returns */
	/* Written by the server thread (atomics); read them with __atomic_load_n or after the
	 * run. */
	unsigned long paths_calls, drkey_calls;
	uint64_t last_call_ns; /* monotonic time of the last call answered */
};

/* Starts the daemon on 127.0.0.1 (a port of the kernel's choice); its master secret is 16
 * times secret_byte, so two daemons with different bytes give keys that do not match. */
SEG_MUST_CHECK int gw_fixture_daemon_start(struct gw_fixture_daemon *d, uint8_t secret_byte,
					   uint16_t mtu);
void gw_fixture_daemon_stop(struct gw_fixture_daemon *d);

/* The host-host key the daemon hands an initiator `slow` for responder `fast` (what a
 * responder derives from its host-AS key, for the gateway's DRKey protocol). */
SEG_MUST_CHECK int gw_fixture_daemon_host_host(const struct gw_fixture_daemon *d,
					       const struct scion_addr *fast,
					       const struct scion_addr *slow,
					       uint8_t key[DRKEY_KEY_LEN]);

/* ---- the recording adapter ---------------------------------------------------------------- */

enum { GW_FIXTURE_REC_MAX = 4096 }; /* sequence numbers kept per direction */

struct gw_fixture_rec {
	unsigned ups, downs;
	uint64_t n_data, data_bytes;
	uint64_t first_data_ns;		       /* arrival of the first data packet; 0: none yet */
	uint32_t data_seq[GW_FIXTURE_REC_MAX]; /* first 4 bytes (big-endian) of each packet */
	uint8_t last_data[SEG_DATA_MAX];
	size_t last_len;
	uint64_t n_ctrl;
	uint32_t ctrl_seq[GW_FIXTURE_REC_MAX]; /* first 4 bytes of each control message */
	unsigned ctrl_bad;		       /* messages ctrl_valid refused */
	/* Optional, set before the gateway runs. on_data sees every data packet with the time
	 * its batch arrived; ctrl_valid says whether a control message is the one the sender
	 * sent as number seq (each refusal is printed and counted in ctrl_bad). */
	void (*on_data)(struct gw_fixture_rec *r, const struct seg_buf *pkt, uint64_t now_ns);
	bool (*ctrl_valid)(const uint8_t *msg, size_t len, uint32_t seq);
};

/* ctx: a struct gw_fixture_rec. */
extern const struct seg_adapter_ops gw_fixture_rec_ops;

/* ---- gateways ----------------------------------------------------------------------------- */

struct gw_fixture_config {
	const char *ia;	     /* "1-ff00:0:110" */
	const char *host;    /* underlay IP */
	uint16_t port;	     /* underlay port */
	const char *daemon;  /* daemonAddr */
	const char *extra;   /* more top-level YAML lines ("cipher: ...\n"), or NULL */
	const char *remotes; /* the body of the remotes list ("  - address: ...\n") */
};

/* Room for any message of gw_fixture_gateway_new/_start (config's or gateway_new's, with a
 * prefix). */
enum { GW_FIXTURE_ERRLEN = 1024 };

/* A gateway from c and opts, not run yet; on failure, a message in err. */
SEG_MUST_CHECK int gw_fixture_gateway_new(const struct gw_fixture_config *c,
					  const struct gateway_opts *opts, struct gateway **out,
					  char *err, size_t err_len);
/* gw_fixture_gateway_new, then rec as its adapter, then gateway_run (opts->loop set: the
 * caller runs the loop). */
SEG_MUST_CHECK int gw_fixture_gateway_start(const struct gw_fixture_config *c,
					    const struct gateway_opts *opts,
					    struct gw_fixture_rec *rec, struct gateway **out,
					    char *err, size_t err_len);

/* The count of drops for reason (a name of gateway/drops.h) in gw's status. */
SEG_MUST_CHECK int gw_fixture_drops(struct gateway *gw, const char *reason, uint64_t *count);

/* ---- running the loop --------------------------------------------------------------------- */

struct gw_fixture_wait {
	bool (*cond)(void *arg); /* NULL: run for the whole timeout */
	void (*each)(void *arg); /* called before every check; may be NULL */
	void *arg;
	uint64_t tick_ms; /* between checks */
	uint64_t timeout_ms;
};

/* Runs loop until w->cond holds or w->timeout_ms passed; *held tells which. 0, or the error
 * of the loop or of arming its timer. */
SEG_MUST_CHECK int gw_fixture_run_until(struct evloop *loop, const struct gw_fixture_wait *w,
					bool *held);

#endif /* SEG_TESTS_GW_FIXTURE_H */
