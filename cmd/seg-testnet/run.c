/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet run TOPO --dir DIR: starts the network (netrun.h), prints a summary, writes
 * DIR/testnet.pid, and runs in the foreground until SIGINT or SIGTERM, then stops routers,
 * daemons and threads and removes the control socket and the pid file. The signals are
 * blocked before any thread starts and taken with sigwait(), so no thread is interrupted.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "netrun.h"
#include "subcommands.h"

struct run_args {
	const char *topo;
	const char *dir;
	struct netrun_options opts;
};

/* Unsigned decimal (or 0x hex) of at most max; the whole string. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int run_opt(int c, const char *arg, struct run_args *a)
{
	enum seg_log_level level;
	uint64_t v;

	switch (c) {
	case 'd':
		a->dir = arg;
		return 0;
	case 'n':
		if (!strcmp(arg, "auto")) {
			a->opts.net = NETRUN_NET_AUTO;
			return 0;
		}
		if (parse_u64(arg, NETRUN_NET_MAX, &v))
			return -1;
		a->opts.net = (int)v;
		return 0;
	case 's':
		if (parse_u64(arg, UINT64_MAX, &a->opts.seed))
			return -1;
		a->opts.has_seed = true;
		return 0;
	case 'e':
		if (parse_u64(arg, UINT32_MAX, &v) || v < 2)
			return -1;
		a->opts.drkey_epoch_sec = (uint32_t)v;
		return 0;
	case 'r':
		if (parse_u64(arg, UINT32_MAX, &v) || v == 0)
			return -1;
		a->opts.refresh_ms = (uint32_t)v;
		return 0;
	case 'l':
		if (seg_log_level_parse(arg, &level))
			return -1;
		seg_log_set_level(level);
		return 0;
	}
	return -1;
}

static int run_parse(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
	    {"dir", required_argument, NULL, 'd'},
	    {"net", required_argument, NULL, 'n'},
	    {"seed", required_argument, NULL, 's'},
	    {"drkey-epoch", required_argument, NULL, 'e'},
	    {"refresh-ms", required_argument, NULL, 'r'},
	    {"log.console", required_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, idx = 0;

	netrun_options_init(&a->opts);
	a->opts.net = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, &idx)) != -1) {
		if (c == 'h') {
			subcommand_usage(subcommand_find("run"), stdout);
			return 1;
		}
		if (c == ':' || c == '?') {
			fprintf(stderr, "seg-testnet run: %s '%s'\n",
				c == ':' ? "missing value for option" : "bad option",
				argv[optind - 1]);
			return -1;
		}
		if (run_opt(c, optarg, a)) {
			fprintf(stderr, "seg-testnet run: bad value '%s' for '--%s'\n", optarg,
				opts[idx].name);
			return -1;
		}
	}
	if (argc - optind != 1) {
		if (argc - optind == 0)
			fprintf(stderr, "seg-testnet run: no topology file given\n");
		else
			fprintf(stderr, "seg-testnet run: unexpected argument '%s'\n",
				argv[optind + 1]);
		return -1;
	}
	a->topo = argv[optind];
	if (!a->dir) {
		fprintf(stderr, "seg-testnet run: --dir DIR is required\n");
		return -1;
	}
	return 0;
}

static void run_summary(struct netrun *n, const char *topo)
{
	printf("seg-testnet: %zu ASes of %s on 127.%d.0.0/16\n", netrun_num_ases(n), topo,
	       netrun_net(n));
	for (size_t i = 0; i < netrun_num_ases(n); i++) {
		const struct netrun_as *as = netrun_as_at(n, i);

		printf("  %-20s %-4s daemon %-20s router %s\n", as->ia_str, as->core ? "core" : "",
		       as->daemon, as->router);
	}
	printf("testnet.json: %s/testnet.json\ncontrol:      %s/control.sock\n"
	       "running (pid %ld); SIGINT or SIGTERM stops it\n",
	       netrun_dir(n), netrun_dir(n), (long)getpid());
	fflush(stdout);
}

static int write_pid(const char *dir)
{
	char path[NETRUN_PATH_MAX + 32];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/testnet.pid", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	ok = fprintf(f, "%ld\n", (long)getpid()) > 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int run_main(int argc, char **argv)
{
	struct run_args a = {0};
	struct netrun *n = NULL;
	char err[NETRUN_ERR_LEN], pid_path[NETRUN_PATH_MAX + 32];
	sigset_t set;
	int rc = run_parse(argc, argv, &a), sig = 0;

	if (rc)
		return rc > 0 ? 0 : EXIT_USAGE;
	/* Blocked before netrun starts its threads, which inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	rc = netrun_start(a.topo, a.dir, &a.opts, &n, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "seg-testnet run: %s\n", err[0] ? err : netrun_strerror(rc));
		if (rc == NETRUN_ERR_ADDR && a.opts.net != NETRUN_NET_AUTO)
			fprintf(stderr, "seg-testnet run: '--net auto' picks a free network\n");
		return 1;
	}
	snprintf(pid_path, sizeof(pid_path), "%s/testnet.pid", netrun_dir(n));
	if (write_pid(netrun_dir(n)))
		fprintf(stderr, "seg-testnet run: cannot write '%s': %s\n", pid_path,
			strerror(errno));
	run_summary(n, a.topo);
	while (sigwait(&set, &sig) != 0)
		;
	seg_log_info("seg-testnet: %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	netrun_stop(n);
	unlink(pid_path);
	return 0;
}
