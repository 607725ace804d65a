// SPDX-License-Identifier: MIT
/*
 * The `seg` binary as a user runs it (path in argv[1]): -configtest prints the canonical
 * configuration, bad files and bad flags exit 1 with a message quoting the problem, never
 * a crash; `seg status` without a gateway says so; a running gateway answers `seg status`
 * and metrics, reloads on SIGHUP (keeping its configuration when the file is bad) and
 * stops cleanly on SIGTERM. Runs from the repository root (ctest). Only loopback is used;
 * no SCION daemon runs, so peers stay idle.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gateway/ctl.h"

static const char *seg_binary;

struct result {
	int code; /* exit status; 128 + signal number when killed */
	char out[1 << 16];
	char err[1 << 14];
};

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, cap - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	unlink(path);
}

/* Runs seg with args (NULL-terminated), stdout and stderr captured through files. */
static void run(struct result *r, const char *const *args)
{
	char out_path[] = "/tmp/seg-test-cli-out-XXXXXX",
	     err_path[] = "/tmp/seg-test-cli-err-XXXXXX";
	int out_fd = mkstemp(out_path), err_fd = mkstemp(err_path);
	char *argv[16];
	size_t n = 0;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status;

	assert_true(out_fd >= 0 && err_fd >= 0);
	argv[n++] = (char *)seg_binary;
	for (; args[n - 1] && n < 15; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	assert_int_equal(posix_spawn(&pid, seg_binary, &fa, NULL, argv, NULL), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(out_fd);
	close(err_fd);
	r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	slurp(out_path, r->out, sizeof(r->out));
	slurp(err_path, r->err, sizeof(r->err));
}

static void test_configtest_golden(void **state)
{
	static const char *const names[] = {"original", "full", "readme", "compact", "no-remotes"};
	static struct result r;
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char yaml[256], golden[256];
		static char want[1 << 14];
		snprintf(yaml, sizeof(yaml), "tests/config/data/good/%s.yaml", names[i]);
		snprintf(golden, sizeof(golden), "tests/config/data/good/%s.golden", names[i]);
		/* Both spellings: the original's (no subcommand) and `run`, -conf=x and -conf x. */
		const char *const a1[] = {"-configtest", "-conf", yaml, NULL};
		char conf_eq[300];
		snprintf(conf_eq, sizeof(conf_eq), "--conf=%s", yaml);
		const char *const a2b[] = {"run", conf_eq, "-configtest=true", NULL};
		FILE *f = fopen(golden, "rb");
		assert_non_null(f);
		want[fread(want, 1, sizeof(want) - 1, f)] = '\0';
		fclose(f);
		run(&r, a1);
		if (r.code != 0 || strcmp(r.out, want) != 0)
			fail_msg("%s: exit %d, stderr %s, stdout:\n%s", yaml, r.code, r.err, r.out);
		run(&r, a2b);
		assert_int_equal(r.code, 0);
		assert_string_equal(r.out, want);
	}
}

/* Every bad file of the config tests: exit 1, and stderr is exactly its file:line:col
 * message (the .err file, which names the file without its directory). */
static void test_bad_configs(void **state)
{
	static const char dir[] = "tests/config/data/bad";
	static struct result r;
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort), checked = 0;
	(void)state;

	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);
		if (len > 5 && strcmp(name + len - 5, ".yaml") == 0) {
			char yaml[512], errfile[512], want[2048], line[1024];
			snprintf(yaml, sizeof(yaml), "%s/%s", dir, name);
			snprintf(errfile, sizeof(errfile), "%s/%.*s.err", dir, (int)(len - 5),
				 name);
			FILE *f = fopen(errfile, "rb");
			assert_non_null(f);
			line[fread(line, 1, sizeof(line) - 1, f)] = '\0';
			fclose(f);
			snprintf(want, sizeof(want), "%s/%s", dir, line);
			if (want[strlen(want) - 1] != '\n')
				strcat(want, "\n");
			const char *const args[] = {"-conf", yaml, NULL};
			run(&r, args);
			if (r.code != 1 || strcmp(r.err, want) != 0)
				fail_msg("%s: exit %d, stderr \"%s\", want \"%s\"", yaml, r.code,
					 r.err, want);
			assert_string_equal(r.out, "");
			checked++;
		}
		free(list[i]);
	}
	free(list);
	assert_true(checked >= 10);
}

struct bad_invocation {
	const char *args[8];
	const char *err; /* expected at the start of stderr */
};

static void test_bad_invocations(void **state)
{
	static const char good[] = "tests/config/data/good/original.yaml";
	static const struct bad_invocation cases[] = {
	    {{"-bogus"}, "seg run: flag provided but not defined: -bogus\n"},
	    {{"run", "-conf"}, "seg run: flag needs an argument: -conf\n"},
	    {{"-hiddenFailover=maybe"},
	     "seg run: invalid boolean value \"maybe\" for -hiddenFailover: parse error\n"},
	    {{"-log.console", "loud", "-conf", good, "-configtest"},
	     "seg run: -log.console: unknown level \"loud\""},
	    {{"-sciond", "nonsense", "-conf", good, "-configtest"},
	     "seg run: -sciond: \"nonsense\" is not host:port\n"},
	    {{"run", "-conf", good, "extra"}, "seg run: unexpected argument \"extra\"\n"},
	    {{"-conf", "/nonexistent/conf.yaml"}, "/nonexistent/conf.yaml: cannot open"},
	    {{"bogus"}, "seg: unknown command \"bogus\"\n"},
	    {{"help", "bogus"}, "seg: unknown command \"bogus\"\n"},
	    {{"status", "--ctl", "/nonexistent/seg.sock"},
	     "seg status: no control socket at /nonexistent/seg.sock (is the gateway running?)\n"},
	    {{"status", "--json", "--ctl", "/tmp/x.sock", "-conf", good},
	     "seg status: give -conf or --ctl, not both\n"},
	    {{"status", "-conf", "tests/config/data/good/full.yaml"},
	     "seg status: no control socket at /run/seg/gw-a.sock"},
	    {{"status", "-conf", "tests/config/data/bad/unknown-key.yaml"},
	     "tests/config/data/bad/unknown-key.yaml:2:1: unknown key \"remotess\"\n"},
	    {{"status", "--jsn"}, "seg status: flag provided but not defined: -jsn\n"},
	    {{"version", "x"}, "usage: seg version\n"},
	};
	static struct result r;
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run(&r, cases[i].args);
		if (r.code != 1 || strncmp(r.err, cases[i].err, strlen(cases[i].err)) != 0)
			fail_msg("case %zu (%s): exit %d, stderr \"%s\"", i, cases[i].args[0],
				 r.code, r.err);
	}
}

static void test_help_and_version(void **state)
{
	static struct result r;
	(void)state;
	const char *const help[] = {"help", NULL};
	run(&r, help);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "usage: seg <command>"));
	assert_non_null(strstr(r.out, "\n  run "));
	assert_non_null(strstr(r.out, "\n  status "));
	assert_non_null(strstr(r.out, "\n  version "));
	const char *const dash_h[] = {"-h", NULL};
	run(&r, dash_h);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "usage: seg <command>"));
	const char *const run_h[] = {"run", "-h", NULL};
	run(&r, run_h);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "-hiddenFailover"));
	assert_non_null(strstr(r.out, "-log.console LEVEL"));
	const char *const help_status[] = {"help", "status", NULL};
	run(&r, help_status);
	assert_int_equal(r.code, 0);
	assert_non_null(strstr(r.out, "-ctl SOCKET"));
	const char *const version[] = {"version", NULL};
	run(&r, version);
	assert_int_equal(r.code, 0);
	assert_true(strncmp(r.out, "seg ", 4) == 0);
}

/* A free loopback port of the given type (bound, read, closed; good enough for a test). */
static unsigned free_port(int type)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, type, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void write_conf(const char *path, const char *dir, unsigned udp, unsigned metrics,
		       unsigned daemon, int n_remotes, bool broken)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
		"address: 1-ff00:0:110,127.0.0.1:%u\n"
		"controlSocket: %s/seg.sock\n"
		"metricsAddr: 127.0.0.1:%u\n"
		"daemonAddr: 127.0.0.1:%u\n"
		"remotes:\n",
		udp, dir, metrics, daemon);
	for (int i = 0; i < n_remotes; i++)
		fprintf(f, "  - address: 1-ff00:0:%x,127.0.0.1:%u\n    description: peer %d\n",
			0x111 + i, udp, i);
	if (broken)
		fprintf(f, "remotess: []\n");
	fclose(f);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000L};
	nanosleep(&ts, NULL);
}

/* Asks for the JSON status until it has want_peers peers (bounded wait). */
static bool wait_peers(const char *sock, int want_peers)
{
	for (int tries = 0; tries < 100; tries++) {
		char *body, err[256], key[32];
		size_t len;
		if (ctl_request(sock, "status", SEG_SEC(2), &body, &len, err, sizeof(err)) == 0) {
			int n = 0;
			for (const char *p = body; (p = strstr(p, "\"remote\":")); p++)
				n++;
			snprintf(key, sizeof(key), "peer %d", want_peers - 1);
			bool ok = n == want_peers && strstr(body, key);
			free(body);
			if (ok)
				return true;
		}
		sleep_ms(50);
	}
	return false;
}

static void test_run_status_reload_stop(void **state)
{
	char dir[] = "/tmp/seg-test-run-XXXXXX", conf[128], sock[128], log_path[128];
	unsigned udp = free_port(SOCK_DGRAM), metrics = free_port(SOCK_STREAM);
	unsigned daemon = free_port(SOCK_STREAM);
	struct stat st;
	int status;
	pid_t pid;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/conf.yaml", dir);
	snprintf(sock, sizeof(sock), "%s/seg.sock", dir);
	snprintf(log_path, sizeof(log_path), "%s/log", dir);
	write_conf(conf, dir, udp, metrics, daemon, 1, false);

	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(log_fd >= 0);
	posix_spawn_file_actions_t fa;
	char *argv[] = {(char *)seg_binary, "-conf", conf, "-log.console", "debug", NULL};
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, log_fd, 2);
	assert_int_equal(posix_spawn(&pid, seg_binary, &fa, NULL, argv, NULL), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(log_fd);

	bool ok = wait_peers(sock, 1);
	if (ok) {
		assert_int_equal(stat(sock, &st), 0);
		ok = (st.st_mode & 0777) == 0600;
	}
	/* SIGHUP with one more remote: two peers. */
	if (ok) {
		write_conf(conf, dir, udp, metrics, daemon, 2, false);
		kill(pid, SIGHUP);
		ok = wait_peers(sock, 2);
	}
	/* SIGHUP with a bad file: logged, the running configuration stays. */
	if (ok) {
		write_conf(conf, dir, udp, metrics, daemon, 3, true);
		kill(pid, SIGHUP);
		sleep_ms(200);
		ok = wait_peers(sock, 2) && waitpid(pid, &status, WNOHANG) == 0;
	}
	/* The table and the metrics of the running gateway. */
	static struct result r;
	char ctl_flag[160];
	snprintf(ctl_flag, sizeof(ctl_flag), "--ctl=%s", sock);
	const char *const status_args[] = {"status", ctl_flag, NULL};
	if (ok) {
		run(&r, status_args);
		ok = r.code == 0 && strstr(r.out, "peer 1-ff00:0:112,127.0.0.1:") &&
		     strstr(r.out, "state idle");
	}
	/* SIGTERM: exit 0, socket removed. Killed if it does not stop within 5 s. */
	kill(pid, SIGTERM);
	int waited = 0;
	while (waitpid(pid, &status, WNOHANG) == 0 && waited++ < 100)
		sleep_ms(50);
	if (waited > 100) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		ok = false;
	}
	static char logbuf[1 << 14];
	slurp(log_path, logbuf, sizeof(logbuf));
	unlink(conf);
	bool sock_gone = stat(sock, &st) != 0;
	unlink(sock);
	rmdir(dir);
	if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !sock_gone)
		fail_msg("gateway run failed (exit %d, socket gone %d); log:\n%s",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1, sock_gone, logbuf);
	assert_non_null(strstr(logbuf, "keeping the running configuration"));
	assert_non_null(strstr(logbuf, "unknown key \"remotess\""));
	assert_non_null(strstr(logbuf, "received SIGTERM"));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_configtest_golden),	   cmocka_unit_test(test_bad_configs),
	    cmocka_unit_test(test_bad_invocations),	   cmocka_unit_test(test_help_and_version),
	    cmocka_unit_test(test_run_status_reload_stop),
	};
	if (argc < 2) {
		fprintf(stderr, "usage: test_cli_binary PATH-TO-SEG\n");
		return 1;
	}
	seg_binary = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
