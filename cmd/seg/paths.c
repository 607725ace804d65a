/* SPDX-License-Identifier: MIT */
/*
 * `seg paths DST_IA`: the paths the SCION daemon knows to an AS, as `scion showpaths` lists
 * them (index, hops as `IA IF>IF IA ...`, MTU, next hop, expiry), with --probe whether each
 * is alive (an SCMP traceroute to the destination AS's border router over it), with --json
 * as one JSON document.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/time.h"
#include "commands.h"
#include "config/duration.h"
#include "endhost.h"

enum {
	PATHS_DEFAULT_MAX = 10,
	PATHS_DEFAULT_PROBE_TIMEOUT_MS = 2000,
	PATHS_MAX_PROBE_TIMEOUT_MS = 60000,
	PATHS_TIME_STRLEN = 32,
};

struct paths_opts {
	const char *sciond;
	const char *local;
	scion_ia_t dst;
	bool json, probe, hidden, refresh;
	uint64_t max_paths;
	uint64_t timeout_ms;
};

static void paths_usage(FILE *f)
{
	fprintf(f,
		"usage: seg paths DST_IA [flags]\n"
		"Lists the paths the SCION daemon knows from the local AS to DST_IA.\n\n"
		"  --sciond ADDR     daemon address (default 127.0.0.1:30255)\n"
		"  --json            print one JSON document instead of the table\n"
		"  --probe           probe every path (SCMP traceroute to the destination AS)\n"
		"  --timeout D       how long to wait for probe replies (default 2s, at most 1m)\n"
		"  --local IP        local host IP (default: the daemon's IP if it is loopback,\n"
		"                    else the source address towards the first next hop)\n"
		"  --hidden          also ask for hidden paths\n"
		"  --refresh         ask the daemon to refresh its paths first\n"
		"  -m, --maxpaths N  list at most N paths (default %d)\n",
		PATHS_DEFAULT_MAX);
}

/* Returns 0 to go on, 1 for an error, 2 after --help. */
static int paths_parse(int argc, char **argv, struct paths_opts *o)
{
	static const struct option longopts[] = {
	    {"sciond", required_argument, NULL, 's'}, {"json", no_argument, NULL, 'j'},
	    {"probe", no_argument, NULL, 'p'},	      {"timeout", required_argument, NULL, 't'},
	    {"local", required_argument, NULL, 'l'},  {"hidden", no_argument, NULL, 'H'},
	    {"refresh", no_argument, NULL, 'r'},      {"maxpaths", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	uint64_t ns;
	int c;

	memset(o, 0, sizeof(*o));
	o->max_paths = PATHS_DEFAULT_MAX;
	o->timeout_ms = PATHS_DEFAULT_PROBE_TIMEOUT_MS;
	optind = 0; /* glibc: start over, so that the command can run twice in one process */
	opterr = 0;
	while ((c = getopt_long_only(argc, argv, "m:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->sciond = optarg;
			break;
		case 'l':
			o->local = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->probe = true;
			break;
		case 'H':
			o->hidden = true;
			break;
		case 'r':
			o->refresh = true;
			break;
		case 'm':
			if (!endhost_parse_uint(optarg, 1, SEG_DAEMON_PATHS_MAX, &o->max_paths)) {
				fprintf(stderr, "seg paths: invalid --maxpaths \"%s\" (1..%d)\n",
					optarg, SEG_DAEMON_PATHS_MAX);
				return 1;
			}
			break;
		case 't':
			if (seg_duration_parse(optarg, strlen(optarg), &ns) || ns < SEG_MS(1) ||
			    ns > SEG_MS(PATHS_MAX_PROBE_TIMEOUT_MS)) {
				fprintf(stderr, "seg paths: invalid --timeout \"%s\" (1ms..1m)\n",
					optarg);
				return 1;
			}
			o->timeout_ms = seg_time_to_ms(ns);
			break;
		case 'h':
			paths_usage(stdout);
			return 2;
		default:
			fprintf(stderr, "seg paths: unknown or incomplete flag \"%s\"\n",
				argv[optind - 1]);
			paths_usage(stderr);
			return 1;
		}
	}
	if (optind + 1 != argc) {
		fprintf(stderr,
			optind == argc ? "seg paths: missing DST_IA\n"
				       : "seg paths: unexpected argument \"%s\"\n",
			argv[optind + 1 < argc ? optind + 1 : 0]);
		paths_usage(stderr);
		return 1;
	}
	if (scion_ia_parse(argv[optind], strlen(argv[optind]), &o->dst)) {
		fprintf(stderr, "seg paths: invalid ISD-AS \"%s\"\n", argv[optind]);
		return 1;
	}
	return 0;
}

/* "2025-01-02 03:04:05 UTC" and "2025-01-02T03:04:05Z"; "-" for unknown expiry. */
static void time_text(uint64_t unix_sec, bool rfc3339, char *buf, size_t cap)
{
	time_t t = (time_t)unix_sec;
	struct tm tm;

	if (unix_sec == 0 || !gmtime_r(&t, &tm) ||
	    !strftime(buf, cap, rfc3339 ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(buf, cap, "-");
}

static void next_hop_text(const struct seg_path *p, char *buf, size_t cap)
{
	if (p->type != SEG_PATH_TYPE_SCION || seg_underlay_format(&p->next_hop, buf, cap))
		snprintf(buf, cap, "-");
}

static void host_text(const struct scion_host *h, char *buf, size_t cap)
{
	struct scion_addr a = {.host = *h};
	char full[SCION_UDP_ADDR_STRLEN];
	const char *comma;

	/* The host part of "0-0,IP". */
	if (scion_addr_format(&a, full, sizeof(full)) || !(comma = strchr(full, ','))) {
		snprintf(buf, cap, "?");
		return;
	}
	snprintf(buf, cap, "%s", comma + 1);
}

static void print_table(const struct paths_opts *o, const struct endhost *e,
			const struct seg_path *paths, size_t n, const struct endhost_probe *pr)
{
	char ia[SCION_IA_STRLEN], local_ia[SCION_IA_STRLEN], hops[ENDHOST_HOPS_STRLEN];
	char nh[SEG_UNDERLAY_STRLEN], exp[PATHS_TIME_STRLEN], left[SEG_DURATION_STRLEN],
	    ip[SCION_UDP_ADDR_STRLEN];
	uint64_t now = seg_wall_now() / SEG_SEC(1);

	endhost_ia_format(o->dst, ia);
	endhost_ia_format(e->local_ia, local_ia);
	printf("Available paths to %s (from %s):\n", ia, local_ia);
	for (size_t i = 0; i < n; i++) {
		const struct seg_path *p = &paths[i];

		endhost_hops_format(p, e->local_ia, hops, sizeof(hops));
		next_hop_text(p, nh, sizeof(nh));
		time_text(p->expiry_unix, false, exp, sizeof(exp));
		if (p->expiry_unix > now)
			(void)seg_duration_format(SEG_SEC(p->expiry_unix - now), left,
						  sizeof(left));
		else
			snprintf(left, sizeof(left), p->expiry_unix ? "expired" : "unknown");
		printf("[%2zu] Hops: %s MTU: %u NextHop: %s Expires: %s (%s)", i, hops, p->mtu, nh,
		       exp, left);
		if (pr) {
			printf(" Status: %s", endhost_probe_status_name(pr[i].status));
			if (pr[i].status == ENDHOST_PROBE_ALIVE)
				printf(" RTT: %.3fms", pr[i].rtt_ms);
			else if (pr[i].info[0])
				printf(" (%s)", pr[i].info);
			host_text(&e->local_host, ip, sizeof(ip));
			printf(" LocalIP: %s", ip);
		}
		printf("\n");
	}
}

static void print_json_path(const struct seg_path *p, size_t idx, const struct endhost_probe *pr)
{
	char ia[SCION_IA_STRLEN], seq[ENDHOST_HOPS_STRLEN], nh[SEG_UNDERLAY_STRLEN],
	    exp[PATHS_TIME_STRLEN];

	printf("    {\"index\": %zu, \"hops\": [", idx);
	for (size_t k = 0; k < p->n_ifaces; k++) {
		endhost_ia_format(p->ifaces[k].ia, ia);
		printf("%s{\"isd_as\": \"%s\", \"ifid\": %" PRIu64 "}", k ? ", " : "", ia,
		       p->ifaces[k].id);
	}
	endhost_sequence_format(p, seq, sizeof(seq));
	printf("], \"sequence\": ");
	json_write_escaped(stdout, seq);
	printf(", \"links\": %zu, \"mtu\": %u, \"next_hop\": ", p->n_ifaces / 2, p->mtu);
	if (p->type == SEG_PATH_TYPE_SCION && !seg_underlay_format(&p->next_hop, nh, sizeof(nh)))
		json_write_escaped(stdout, nh);
	else
		printf("null");
	time_text(p->expiry_unix, true, exp, sizeof(exp));
	printf(", \"expiry\": ");
	json_write_escaped(stdout, exp);
	printf(", \"expiry_unix\": %" PRIu64, p->expiry_unix);
	if (pr) {
		printf(", \"status\": ");
		json_write_escaped(stdout, endhost_probe_status_name(pr->status));
		if (pr->status == ENDHOST_PROBE_ALIVE)
			printf(", \"rtt_ms\": %.3f", pr->rtt_ms);
		printf(", \"status_info\": ");
		json_write_escaped(stdout, pr->info);
	}
	printf("}");
}

static void print_json(const struct paths_opts *o, const struct endhost *e,
		       const struct seg_path *paths, size_t n, const struct endhost_probe *pr)
{
	char ia[SCION_IA_STRLEN], ip[SCION_UDP_ADDR_STRLEN];

	endhost_ia_format(e->local_ia, ia);
	printf("{\n  \"local_isd_as\": \"%s\",\n", ia);
	endhost_ia_format(o->dst, ia);
	printf("  \"destination\": \"%s\",\n", ia);
	if (pr) {
		host_text(&e->local_host, ip, sizeof(ip));
		printf("  \"local_ip\": ");
		json_write_escaped(stdout, ip);
		printf(",\n");
	}
	printf("  \"paths\": [%s", n ? "\n" : "");
	for (size_t i = 0; i < n; i++) {
		print_json_path(&paths[i], i, pr ? &pr[i] : NULL);
		printf("%s\n", i + 1 < n ? "," : "");
	}
	printf("%s]\n}\n", n ? "  " : "");
}

int paths_main(int argc, char **argv)
{
	struct paths_opts o;
	struct endhost e;
	struct seg_path *paths = NULL;
	struct endhost_probe *pr = NULL;
	size_t n = 0;
	int ret = 1;

	switch (paths_parse(argc, argv, &o)) {
	case 0:
		break;
	case 2:
		return 0;
	default:
		return 1;
	}
	if (endhost_open(&e, "seg paths", o.sciond) ||
	    endhost_paths(&e, o.dst, o.hidden, o.refresh, &paths, &n))
		goto out;
	if (n > o.max_paths)
		n = o.max_paths;
	if (n == 0) {
		fprintf(stderr, "seg paths: no path to %s\n", argv[argc - 1]);
		goto out;
	}
	if (o.probe) {
		pr = calloc(n, sizeof(*pr));
		if (!pr || endhost_bind(&e, o.local, paths, n) ||
		    endhost_probe(&e, paths, n, (int)o.timeout_ms, pr))
			goto out;
	}
	if (o.json)
		print_json(&o, &e, paths, n, pr);
	else
		print_table(&o, &e, paths, n, pr);
	ret = fflush(stdout) ? 1 : 0;
out:
	free(pr);
	seg_daemon_paths_free(paths);
	endhost_close(&e);
	return ret;
}
