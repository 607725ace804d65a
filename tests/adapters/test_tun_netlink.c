/* SPDX-License-Identifier: MIT */
/*
 * TUN, network namespace and netlink configuration, end to end. Needs root (CI is root); as
 * another user every test is skipped and says why.
 *
 *   root namespace (untouched: no address, no route)
 *        |
 *   segtest-PID namespace (created here with `ip netns add`, deleted on every exit path)
 *     segtN: TUN  10.99.0.1/24  fd99::1/64  mtu 1400  up
 *            routes 10.98.0.0/16, fd98::/48 added and removed
 *            ping 10.99.0.2 -> 10.99.0.1 written into the TUN, reply read back from it
 *
 * The namespace is removed with umount2 + unlink (what `ip netns del` does), which is
 * async-signal-safe, from atexit and from fatal-signal handlers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapters/ip/netlink.h"
#include "adapters/ip/netns.h"
#include "adapters/ip/packet.h"
#include "adapters/ip/tun.h"
#include "base/cursor.h"

static char ns[32];
static char ns_path[96];
static volatile sig_atomic_t ns_created;
static bool is_root;

static void ns_cleanup(void)
{
	if (!ns_created)
		return;
	ns_created = 0;
	umount2(ns_path, MNT_DETACH);
	unlink(ns_path);
}

static void on_fatal(int sig)
{
	ns_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int group_setup(void **state)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGABRT, SIGSEGV, SIGBUS};
	char cmd[128];

	(void)state;
	is_root = geteuid() == 0;
	if (!is_root)
		return 0;
	snprintf(ns, sizeof(ns), "segtest-%d", (int)getpid());
	snprintf(ns_path, sizeof(ns_path), "%s/%s", NETNS_RUN_DIR, ns);
	atexit(ns_cleanup);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], on_fatal);
	snprintf(cmd, sizeof(cmd), "ip netns add %s", ns);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot create network namespace %s (is iproute2 installed?)\n",
			ns);
		return -1;
	}
	ns_created = 1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	ns_cleanup();
	return 0;
}

#define NEED_ROOT()                                                                           \
	do {                                                                                  \
		if (!is_root) {                                                               \
			print_message("skipped: needs root (creates a network namespace and " \
				      "TUN devices); CI runs it as root\n");                  \
			skip();                                                               \
		}                                                                             \
	} while (0)

static struct cidr C(const char *s) {
	struct cidr c;

	if (cidr_parse_iface(s, &c) != CIDR_OK)
		fail_msg("bad cidr in test: %s", s);
	return c;
}

static bool
has(const struct cidr *list, size_t n, const char *want)
{
	struct cidr w = C(want);

	for (size_t i = 0; i < n; i++) {
		if (list[i].len == w.len && ip_addr_equal(&list[i].addr, &w.addr))
			return true;
	}
	return false;
}

/* An independent view: what iproute2 prints for the interface inside the namespace. */
static bool ip_shows(const char *what, const char *dev, const char *needle)
{
	char cmd[160], line[512];
	bool found = false;

	snprintf(cmd, sizeof(cmd), "ip -n %s -o %s show dev %s 2>/dev/null", ns, what, dev);
	FILE *f = popen(cmd, "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		found = found || strstr(line, needle) != NULL;
	pclose(f);
	return found;
}

static void open_tun(struct tun *t, const char *prefix, bool multi)
{
	char name[IFNAMSIZ];
	struct ip_err err = {""};
	struct tun_options opt = {
	    .name = name, .netns = ns, .nonblock = true, .multi_queue = multi};

	snprintf(name, sizeof(name), "%s%d", prefix, (int)getpid() % 100000);
	if (tun_open(t, &opt, &err) != 0)
		fail_msg("tun_open: %s", err.msg);
	assert_true(t->fd >= 0);
	assert_string_equal(t->name, name);
	/* Created inside the namespace only. */
	assert_int_equal(if_nametoindex(name), 0);
}

static void test_configure(void **state)
{
	struct tun t;
	struct netlink *nl;
	struct netlink_link link;
	struct ip_err err = {""};
	struct cidr list[16];
	size_t n;

	(void)state;
	NEED_ROOT();
	open_tun(&t, "segt", false);
	if (netlink_open(&nl, ns, &err) != 0)
		fail_msg("netlink_open: %s", err.msg);
	assert_int_equal(netlink_link_get(nl, t.name, &link), 0);
	assert_int_equal(link.ifindex, t.ifindex);
	assert_int_equal(netlink_link_set_mtu(nl, t.ifindex, 1400), 0);
	assert_int_equal(netlink_link_set_txqlen(nl, t.ifindex, 777), 0);
	assert_int_equal(netlink_link_set_up(nl, t.ifindex, true), 0);
	assert_int_equal(netlink_link_get(nl, t.name, &link), 0);
	assert_int_equal(link.mtu, 1400);
	assert_int_equal(link.txqlen, 777);
	assert_true(link.flags & IFF_UP);
	assert_string_equal(link.name, t.name);

	struct cidr a4 = C("10.99.0.1/24"), a6 = C("fd99::1/64");

	assert_int_equal(netlink_addr_add(nl, t.ifindex, &a4), 0);
	assert_int_equal(netlink_addr_add(nl, t.ifindex, &a6), 0);
	assert_int_equal(netlink_addr_add(nl, t.ifindex, &a4), -EEXIST);
	assert_non_null(strstr(netlink_error(nl), "10.99.0.1/24"));
	assert_non_null(strstr(netlink_error(nl), ns));
	assert_int_equal(netlink_addr_list(nl, t.ifindex, list, 16, &n), 0);
	assert_true(has(list, n, "10.99.0.1/24"));
	assert_true(has(list, n, "fd99::1/64"));
	assert_true(ip_shows("addr", t.name, "inet 10.99.0.1/24"));
	assert_true(ip_shows("addr", t.name, "inet6 fd99::1/64"));
	assert_false(ip_shows("addr", t.name, "tentative")); /* NODAD: usable at once */

	struct cidr r4 = C("10.98.0.0/16"), r6 = C("fd98::/48");

	assert_int_equal(netlink_route_add(nl, t.ifindex, &r4), 0);
	assert_int_equal(netlink_route_add(nl, t.ifindex, &r6), 0);
	assert_int_equal(netlink_route_add(nl, t.ifindex, &r4), -EEXIST);
	assert_non_null(strstr(netlink_error(nl), "exists"));
	assert_int_equal(netlink_route_list(nl, t.ifindex, list, 16, &n), 0);
	assert_true(has(list, n, "10.98.0.0/16"));
	assert_true(has(list, n, "fd98::/48"));
	assert_true(has(list, n, "10.99.0.0/24")); /* the kernel's connected route */
	assert_true(ip_shows("route", t.name, "10.98.0.0/16"));
	assert_int_equal(netlink_route_del(nl, t.ifindex, &r4), 0);
	assert_int_equal(netlink_route_del(nl, t.ifindex, &r6), 0);
	assert_int_equal(netlink_route_del(nl, t.ifindex, &r6), -ESRCH);
	assert_int_equal(netlink_route_list(nl, t.ifindex, list, 16, &n), 0);
	assert_false(has(list, n, "10.98.0.0/16"));
	assert_false(has(list, n, "fd98::/48"));
	assert_false(ip_shows("route", t.name, "10.98.0.0/16"));

	assert_int_equal(netlink_addr_del(nl, t.ifindex, &a6), 0);
	assert_int_equal(netlink_addr_del(nl, t.ifindex, &a6), -EADDRNOTAVAIL);
	assert_int_equal(netlink_addr_list(nl, t.ifindex, list, 16, &n), 0);
	assert_false(has(list, n, "fd99::1/64"));
	assert_true(has(list, n, "10.99.0.1/24"));

	/* The original's default MTU 1200 turns IPv6 off on the device: said clearly. */
	assert_int_equal(netlink_link_set_mtu(nl, t.ifindex, 1200), 0);
	assert_true(netlink_addr_add(nl, t.ifindex, &a6) < 0);
	assert_non_null(strstr(netlink_error(nl), "1280"));
	assert_int_equal(netlink_link_set_mtu(nl, t.ifindex, 20), -EINVAL);
	assert_non_null(strstr(netlink_error(nl), "MTU 20"));
	/* IPv4 device routes need the link up. */
	assert_int_equal(netlink_link_set_up(nl, t.ifindex, false), 0);
	assert_int_equal(netlink_route_add(nl, t.ifindex, &r4), -ENETDOWN);
	assert_non_null(strstr(netlink_error(nl), "up first"));
	assert_int_equal(netlink_link_get(nl, "nosuchif0", &link), -ENODEV);
	netlink_close(nl);
	tun_close(&t);
}

/* An ICMP echo request 10.99.0.2 -> 10.99.0.1 (RFC 792), checksums computed. */
static size_t make_ping(uint8_t *p)
{
	static const uint8_t hdr[28] = {0x45, 0, 0,  84, 0, 1, 0x40, 0, 64, 1, 0,    0,	   10, 99,
					0,    2, 10, 99, 0, 1, 8,    0, 0,  0, 0x12, 0x34, 0,  1};

	memset(p, 0, 84);
	memcpy(p, hdr, sizeof(hdr));
	for (int i = 28; i < 84; i++)
		p[i] = (uint8_t)i;
	uint16_t c = (uint16_t)~ip_checksum_fold(ip_checksum_add(0, p, 20));

	store_u16be(p + 10, c);
	c = (uint16_t)~ip_checksum_fold(ip_checksum_add(0, p + 20, 64));
	store_u16be(p + 22, c);
	return 84;
}

/* Reads until an echo reply to our ping arrives (bounded: 2 s, 64 packets). */
static bool await_echo_reply(int fd)
{
	uint8_t bufs[4][2048];
	struct tun_packet pkts[4];

	for (int i = 0; i < 4; i++)
		pkts[i] = (struct tun_packet){.buf = bufs[i], .cap = sizeof(bufs[i])};
	for (int seen = 0, rounds = 0; seen < 64 && rounds < 20; rounds++) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		int got = tun_read_batch(fd, pkts, 4, NULL);

		assert_true(got >= 0);
		for (int i = 0; i < got; i++, seen++) {
			struct ip_packet_info info;

			if (ip_packet_parse(pkts[i].buf, pkts[i].len, &info) != IP_PACKET_OK ||
			    info.family != IP_FAMILY_V4 || info.upper_proto != IP_PROTO_ICMP)
				continue;
			/* Echo reply (type 0) to 10.99.0.2 with our identifier. */
			if (pkts[i].len == 84 && pkts[i].buf[20] == 0 && pkts[i].buf[19] == 2 &&
			    info.src.bytes[3] == 1 && load_u16be(pkts[i].buf + 24) == 0x1234)
				return true;
		}
	}
	return false;
}

static void test_tun_io(void **state)
{
	struct tun t;
	struct netlink *nl;
	struct ip_err err = {""};
	uint8_t ping[84], junk[3] = {0x45, 0, 0};
	unsigned dropped = 0;

	(void)state;
	NEED_ROOT();
	open_tun(&t, "segio", false);
	if (netlink_open(&nl, ns, &err) != 0)
		fail_msg("netlink_open: %s", err.msg);
	struct cidr a4 = C("10.99.0.1/24");

	assert_int_equal(netlink_link_set_up(nl, t.ifindex, true), 0);
	assert_int_equal(netlink_addr_add(nl, t.ifindex, &a4), 0);
	/* Nothing pending yet (or only the kernel's own chatter): never blocks. */
	struct tun_packet none = {.buf = ping, .cap = sizeof(ping)};

	assert_true(tun_read_batch(t.fd, &none, 1, NULL) >= 0);
	make_ping(ping);
	struct tun_packet out[2] = {{.buf = junk, .len = sizeof(junk)},
				    {.buf = ping, .len = sizeof(ping)}};

	assert_int_equal(tun_write_batch(t.fd, out, 2, &dropped), 2);
	assert_true(dropped <= 1); /* the 3-byte packet may be refused, never the batch */
	assert_true(await_echo_reply(t.fd));
	/* A buffer too small for any IP packet: the cut packet is dropped and counted. */
	uint8_t small[12];
	struct tun_packet cut = {.buf = small, .cap = sizeof(small)};
	struct pollfd pfd = {.fd = t.fd, .events = POLLIN};
	unsigned truncated = 0;

	assert_int_equal(tun_write_batch(t.fd, &out[1], 1, NULL), 1);
	assert_int_equal(poll(&pfd, 1, 2000), 1);
	assert_int_equal(tun_read_batch(t.fd, &cut, 1, &truncated), 0);
	assert_true(truncated >= 1);
	netlink_close(nl);
	tun_close(&t);
}

static void test_move_to_netns(void **state)
{
	char name[IFNAMSIZ];
	struct tun t;
	struct netlink *root, *inside;
	struct netlink_link link;
	struct ip_err err = {""};
	struct tun_options opt = {.name = name};

	(void)state;
	NEED_ROOT();
	/* Created in the root namespace without any address, then moved at once. */
	snprintf(name, sizeof(name), "segmv%d", (int)getpid() % 100000);
	if (tun_open(&t, &opt, &err) != 0)
		fail_msg("tun_open: %s", err.msg);
	assert_int_equal(netlink_open(&root, NULL, &err), 0);
	if (netlink_link_set_netns(root, t.ifindex, ns) != 0)
		fail_msg("move: %s", netlink_error(root));
	assert_int_equal(if_nametoindex(name), 0);
	assert_int_equal(netlink_open(&inside, ns, &err), 0);
	assert_int_equal(netlink_link_get(inside, name, &link), 0);
	assert_string_equal(link.name, name);
	assert_int_equal(netlink_link_set_netns(root, 999999, "no-such-ns-seg"), -ENOENT);
	assert_non_null(strstr(netlink_error(root), "ip netns add"));
	netlink_close(inside);
	netlink_close(root);
	tun_close(&t);
}

static void test_open_errors(void **state)
{
	struct tun a, b, q1, q2;
	struct ip_err err = {""};
	struct netlink *nl;
	struct tun_options opt = {.name = "segbad", .netns = "no-such-ns-seg"};

	(void)state;
	NEED_ROOT();
	assert_int_equal(tun_open(&a, &opt, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "ip netns add no-such-ns-seg"));
	assert_int_equal(a.fd, -1);
	opt.netns = "../etc";
	assert_int_equal(tun_open(&a, &opt, &err), -EINVAL);
	assert_int_equal(netlink_open(&nl, "../etc", &err), -EINVAL);
	assert_null(nl);
	opt.netns = ns;
	opt.name = "bad/name";
	assert_int_equal(tun_open(&a, &opt, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid TUN name"));
	opt.name = "waytoolongname0123";
	assert_int_equal(tun_open(&a, &opt, &err), -EINVAL);
	/* A second single-queue open of the same TUN: busy. */
	open_tun(&a, "segbz", false);
	opt.name = a.name;
	assert_int_equal(tun_open(&b, &opt, &err), -EBUSY);
	assert_non_null(strstr(err.msg, "busy"));
	tun_close(&a);
	/* Multi-queue: a second open attaches another queue of the same device. */
	open_tun(&q1, "segmq", true);
	opt.name = q1.name;
	opt.multi_queue = true;
	assert_int_equal(tun_open(&q2, &opt, &err), 0);
	assert_int_equal(q2.ifindex, q1.ifindex);
	tun_close(&q2);
	tun_close(&q1);
}

/* In a child without CAP_NET_ADMIN: creating the TUN fails, naming what to grant. */
static int child_without_net_admin(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	struct tun t;
	struct ip_err err = {""};
	struct tun_options opt = {.name = "segnocap", .netns = ns};

	if (syscall(SYS_capget, &hdr, data) != 0)
		return 10;
	data[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	data[CAP_NET_ADMIN / 32].permitted &= ~(1u << (CAP_NET_ADMIN % 32));
	if (syscall(SYS_capset, &hdr, data) != 0)
		return 11;
	if (tun_open(&t, &opt, &err) != -EPERM)
		return 12;
	if (!strstr(err.msg, "CAP_NET_ADMIN") || !strstr(err.msg, "setcap cap_net_admin+ep /"))
		return 13;
	struct netlink *nl;

	if (netlink_open(&nl, ns, &err) != 0)
		return 14;
	int r = netlink_link_set_up(nl, 1, true);
	bool ok = r == -EPERM && strstr(netlink_error(nl), "CAP_NET_ADMIN");

	netlink_close(nl);
	return ok ? 0 : 15;
}

static void test_no_capability(void **state)
{
	int status;

	(void)state;
	NEED_ROOT();
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_without_net_admin());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_configure),	  cmocka_unit_test(test_tun_io),
	    cmocka_unit_test(test_move_to_netns), cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_no_capability),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
