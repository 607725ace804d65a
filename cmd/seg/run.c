// SPDX-License-Identifier: MIT
/*
 * `seg run` (and `seg -conf ...`, the original's command line): loads conf.yaml, runs the
 * gateway on an event loop this command owns, with the control socket (`seg status`) and,
 * when configured, the metrics endpoint on the same loop.
 *
 * Signals arrive on the loop (signalfd): SIGINT and SIGTERM stop it cleanly; SIGHUP
 * re-reads the file, validates the whole, and hands it to gateway_reload() — a bad file is
 * logged and ignored, the running configuration stays (STYLE.md rule 21).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/evloop.h"
#include "base/log.h"
#include "config/config.h"
#include "gateway/ctl.h"
#include "gateway/gateway.h"
#include "gateway/metrics.h"
#include "gateway/status.h"

#include "adapters.h"
#include "commands.h"
#include "flags.h"

static const char RUN_SYNOPSIS[] = "seg [run] [-conf FILE] [-sciond ADDR] [-log.console LEVEL] "
				   "[-hiddenFailover] [-configtest]";

struct run_options {
	const char *conf;
	const char *sciond;
	const char *log_console;
	bool hidden_failover;
	bool configtest;
	bool conf_given;
};

struct run_state {
	const struct run_options *opts;
	struct evloop *loop;
	struct gateway *gw;
	struct seg_config *cfg; /* the configuration running now */
	struct ctl_server *ctl;
	struct metrics_server *metrics;
	struct seg_adapters *adapters;
};

/* "host:port" or "[v6]:port", as daemonAddr in conf.yaml (config.c checks that one). */
static bool sciond_addr_valid(const char *s)
{
	const char *colon = strrchr(s, ':');

	if (!colon || colon == s || colon[1] == '\0' || strlen(colon + 1) > 5 ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return false;
	long port = strtol(colon + 1, NULL, 10);
	if (port < 1 || port > 65535)
		return false;
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	}
	return true;
}

/* Flags into opts; prints the error or the usage. -1: exit with *code. */
static int parse_args(int argc, char **argv, struct run_options *o, int *code)
{
	struct flag flags[] = {
	    {"conf", FLAG_STRING, &o->conf, "FILE", "the gateway's configuration", false},
	    {"sciond", FLAG_STRING, &o->sciond, "ADDR",
	     "SCION daemon address host:port; overrides daemonAddr", false},
	    {"log.console", FLAG_STRING, &o->log_console, "LEVEL",
	     "log level: trace, debug, info, warn, error, crit", false},
	    {"hiddenFailover", FLAG_BOOL, &o->hidden_failover, NULL,
	     "prefer hidden paths over public ones (a test flag of the original)", false},
	    {"configtest", FLAG_BOOL, &o->configtest, NULL,
	     "parse and validate the configuration, print it in canonical form, exit", false},
	};
	size_t n = sizeof(flags) / sizeof(flags[0]);
	char err[256];
	int first;

	switch (flags_parse(flags, n, argc, argv, &first, err, sizeof(err))) {
	case FLAGS_OK:
		break;
	case FLAGS_HELP:
		flags_print_usage(stdout, RUN_SYNOPSIS, flags, n);
		*code = 0;
		return -1;
	case FLAGS_ERROR:
		fprintf(stderr, "seg run: %s\n(seg run -h lists the flags)\n", err);
		*code = 1;
		return -1;
	}
	o->conf_given = flags[0].set;
	if (first < argc) {
		fprintf(stderr, "seg run: unexpected argument \"%s\"\n", argv[first]);
		*code = 1;
		return -1;
	}
	enum seg_log_level level;
	if (seg_log_level_parse(o->log_console, &level) < 0) {
		fprintf(stderr,
			"seg run: -log.console: unknown level \"%s\" (trace, debug, info, warn, "
			"error, crit)\n",
			o->log_console);
		*code = 1;
		return -1;
	}
	seg_log_set_level(level);
	if (o->sciond && !sciond_addr_valid(o->sciond)) {
		fprintf(stderr, "seg run: -sciond: \"%s\" is not host:port\n", o->sciond);
		*code = 1;
		return -1;
	}
	return 0;
}

static int collect_status(void *arg, struct gw_status *out)
{
	return gateway_status_collect(arg, out);
}

static void on_stop_signal(struct evloop *loop, int signo, void *arg)
{
	struct run_state *st = arg;

	seg_log_info("received %s, shutting down", signo == SIGINT ? "SIGINT" : "SIGTERM");
	gateway_stop(st->gw);
	evloop_stop(loop);
}

/* Keys that live outside the gateway's reload take effect only at the next start. */
static void warn_restart_keys(const struct run_state *st, const struct seg_config *new)
{
	const struct seg_config *old = st->cfg;

	if (!st->opts->sciond && strcmp(old->daemon_addr, new->daemon_addr) != 0)
		seg_log_warn("reload: daemonAddr changed from %s to %s; applies after a restart",
			     old->daemon_addr, new->daemon_addr);
	if (strcmp(old->control_socket, new->control_socket) != 0)
		seg_log_warn("reload: controlSocket changed from %s to %s; applies after a restart",
			     old->control_socket, new->control_socket);
	if (strcmp(old->metrics_addr, new->metrics_addr) != 0)
		seg_log_warn("reload: metricsAddr changed from \"%s\" to \"%s\"; applies after a "
			     "restart",
			     old->metrics_addr, new->metrics_addr);
}

static void on_reload_signal(struct evloop *loop, int signo, void *arg)
{
	struct run_state *st = arg;
	char err[SEG_CONFIG_ERRLEN];
	struct seg_config *cfg;

	(void)loop;
	(void)signo;
	seg_log_info("received SIGHUP, reloading %s", st->opts->conf);
	if (seg_config_load(st->opts->conf, &cfg, err, sizeof(err)) != 0) {
		seg_log_error("reload: %s; keeping the running configuration", err);
		return;
	}
	int rc = gateway_reload(st->gw, cfg);
	if (rc < 0) {
		seg_log_error("reload of %s refused (%s); keeping the running configuration",
			      st->opts->conf, strerror(-rc));
		seg_config_free(cfg);
		return;
	}
	warn_restart_keys(st, cfg);
	seg_log_info("reload: %zu remotes (were %zu)", cfg->remotes_len, st->cfg->remotes_len);
	seg_config_free(st->cfg);
	st->cfg = cfg;
}

/* The loop, its signals, the gateway, the control socket and metrics. */
static int run_start(struct run_state *st)
{
	struct gateway_opts gopts = {
	    .hidden_failover = st->opts->hidden_failover,
	    .daemon_addr = st->opts->sciond,
	};
	char err[(int)GATEWAY_ERRLEN > (int)SEG_CONFIG_ERRLEN ? (int)GATEWAY_ERRLEN
							      : (int)SEG_CONFIG_ERRLEN];

	st->loop = evloop_new();
	if (!st->loop) {
		fprintf(stderr, "seg run: event loop: %s\n", strerror(errno));
		return -1;
	}
	/* Before the gateway starts its threads, so that they inherit the blocked mask. */
	if (evloop_signal_add(st->loop, SIGINT, on_stop_signal, st) < 0 ||
	    evloop_signal_add(st->loop, SIGTERM, on_stop_signal, st) < 0 ||
	    evloop_signal_add(st->loop, SIGHUP, on_reload_signal, st) < 0) {
		fprintf(stderr, "seg run: cannot take over signals\n");
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	gopts.loop = st->loop;
	if (gateway_new(st->cfg, &gopts, &st->gw, err, sizeof(err)) < 0) {
		fprintf(stderr, "seg run: %s\n", err);
		return -1;
	}
	if (adapters_create(st->gw, st->loop, st->cfg, &st->adapters, err, sizeof(err)) < 0) {
		fprintf(stderr, "seg run: %s\n", err);
		return -1;
	}
	int rc = ctl_server_new(st->loop, st->cfg->control_socket, collect_status, st->gw, &st->ctl,
				err, sizeof(err));
	if (rc == CTL_ERR_IN_USE) {
		fprintf(stderr, "seg run: %s\n", err);
		return -1;
	}
	if (rc < 0)
		seg_log_warn("%s; running without it (seg status will not reach this gateway)",
			     err);
	if (st->cfg->metrics_addr[0] &&
	    metrics_server_new(st->loop, st->cfg->metrics_addr, collect_status, st->gw,
			       &st->metrics, err, sizeof(err)) < 0) {
		fprintf(stderr, "seg run: %s\n", err);
		return -1;
	}
	if (gateway_run(st->gw) < 0) {
		fprintf(stderr, "seg run: the gateway failed to start\n");
		return -1;
	}
	return 0;
}

static void run_stop(struct run_state *st)
{
	metrics_server_free(st->metrics);
	ctl_server_free(st->ctl);
	adapters_stop(st->adapters);
	gateway_free(st->gw);
	adapters_free(st->adapters);
	evloop_free(st->loop);
	seg_config_free(st->cfg);
}

int run_main(int argc, char **argv)
{
	struct run_options o = {.conf = "conf.yaml", .log_console = "info"};
	struct run_state st = {.opts = &o};
	char err[SEG_CONFIG_ERRLEN];
	int code = 1;

	if (parse_args(argc, argv, &o, &code) < 0)
		return code;
	if (seg_config_load(o.conf, &st.cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		if (!o.conf_given)
			fprintf(stderr, "(give the configuration with -conf FILE; seg help lists "
					"the commands)\n");
		return 1;
	}
	if (o.configtest) {
		seg_config_print(stdout, st.cfg);
		seg_config_free(st.cfg);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (run_start(&st) == 0) {
		seg_log_info("gateway %s: %zu remotes, control socket %s%s%s", o.conf,
			     st.cfg->remotes_len, st.ctl ? st.cfg->control_socket : "(none)",
			     st.metrics ? ", metrics on " : "",
			     st.metrics ? st.cfg->metrics_addr : "");
		int rc = evloop_run(st.loop);
		code = rc < 0 ? 1 : 0;
		if (rc < 0)
			seg_log_error("event loop: %s", strerror(-rc));
	}
	run_stop(&st);
	return code;
}
