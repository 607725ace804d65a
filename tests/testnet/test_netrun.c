/* SPDX-License-Identifier: MIT */
/*
 * seg-testnet's runner in-process: tiny and multipath started on free networks, every AS's
 * daemon queried with the real client (include/seg/daemon.h), DRKey keys checked against
 * an independent derivation from the written master0.key files, link control through the
 * control socket reflected in testnet.json and in the daemons' answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <poll.h>
#include <sys/socket.h>

#include <seg/daemon.h>
#include <seg/drkey.h>
#include <seg/scion_packet.h>

#include "netctl.h"
#include "netrun.h"
#include "router_io.h"

#define IA_110 ((scion_ia_t)0x0001ff0000000110ull)
#define IA_111 ((scion_ia_t)0x0001ff0000000111ull)
#define IA_112 ((scion_ia_t)0x0001ff0000000112ull)
#define IA_121 ((scion_ia_t)0x0001ff0000000121ull)
#define IA_131 ((scion_ia_t)0x0001ff0000000131ull)

struct fixture {
	char dir[64];
	struct netrun *net;
};

static int start_topo(void **state, const char *topo)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct netrun_options o;
	char err[NETRUN_ERR_LEN];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/seg-netrun-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	netrun_options_init(&o);
	o.has_seed = true;
	o.seed = 42;
	o.drkey_epoch_sec = 3600;
	if (netrun_start(topo, f->dir, &o, &f->net, err, sizeof(err))) {
		fprintf(stderr, "netrun_start: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup_tiny(void **state)
{
	return start_topo(state, "topologies/tiny.topo");
}

static int setup_tiny6(void **state)
{
	return start_topo(state, "topologies/tiny6.topo");
}

static int setup_multipath(void **state)
{
	return start_topo(state, "topologies/multipath.topo");
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	netrun_stop(f->net);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static struct seg_daemon *open_daemon(struct netrun *net, scion_ia_t ia)
{
	const struct netrun_as *as = netrun_as_find(net, ia);
	struct seg_daemon *d;

	assert_non_null(as);
	d = seg_daemon_open(as->daemon, 5000);
	assert_non_null(d);
	return d;
}

static void assert_next_hop(const struct seg_path *p, const struct netrun_as *as)
{
	char buf[SEG_UNDERLAY_STRLEN];

	assert_int_equal(seg_underlay_format(&p->next_hop, buf, sizeof(buf)), 0);
	assert_string_equal(buf, as->router);
}

static void check_as_basics(struct netrun *net, const struct netrun_as *as)
{
	struct seg_daemon *d = open_daemon(net, as->ia);
	struct seg_daemon_as_info info;
	struct seg_daemon_port_range pr;
	struct seg_daemon_interface *ifs = NULL;
	size_t n_ifs = 0;

	assert_int_equal(seg_daemon_as_info(d, 0, &info), 0);
	assert_true(info.ia == as->ia);
	assert_int_equal(info.core, as->core);
	assert_int_equal(info.mtu, as->mtu);
	assert_int_equal(seg_daemon_port_range(d, &pr), 0);
	assert_int_equal(pr.start, 31000);
	assert_int_equal(pr.end, 32767);
	assert_int_equal(seg_daemon_interfaces(d, &ifs, &n_ifs), 0);
	assert_true(n_ifs > 0);
	for (size_t i = 0; i < n_ifs; i++) {
		char buf[SEG_UNDERLAY_STRLEN];

		assert_int_equal(seg_underlay_format(&ifs[i].addr, buf, sizeof(buf)), 0);
		assert_string_equal(buf, as->router);
	}
	seg_daemon_interfaces_free(ifs);
	/* An IA outside the topology is not found. */
	assert_int_equal(seg_daemon_as_info(d, 0x0009ff0000000999ull, &info),
			 SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_last_status(d), 5);
	seg_daemon_close(d);
}

static void test_tiny_every_as(void **state)
{
	struct fixture *f = *state;
	struct netrun *net = f->net;

	assert_int_equal(netrun_num_ases(net), 3);
	for (size_t i = 0; i < netrun_num_ases(net); i++) {
		const struct netrun_as *src = netrun_as_at(net, i);
		struct seg_daemon *d;
		char ip[32];

		/* 127.N.k.1 with k the AS's number in file order. */
		snprintf(ip, sizeof(ip), "127.%d.%zu.1", netrun_net(net), i + 1);
		assert_string_equal(src->host_ip, ip);
		check_as_basics(net, src);
		d = open_daemon(net, src->ia);
		for (size_t j = 0; j < netrun_num_ases(net); j++) {
			const struct netrun_as *dst = netrun_as_at(net, j);
			struct seg_path *paths = NULL;
			size_t n = 0;

			assert_int_equal(seg_daemon_paths(d, 0, dst->ia, false, false, &paths, &n),
					 0);
			assert_true(n > 0);
			if (i == j) {
				assert_int_equal(n, 1);
				assert_int_equal(paths[0].type, SEG_PATH_TYPE_EMPTY);
				assert_int_equal(paths[0].next_hop.ss_family, AF_UNSPEC);
			}
			for (size_t k = 0; i != j && k < n; k++) {
				assert_int_equal(paths[k].type, SEG_PATH_TYPE_SCION);
				assert_next_hop(&paths[k], src);
				assert_true(paths[k].n_ifaces >= 2);
				assert_true(paths[k].expiry_unix > (uint64_t)time(NULL));
				assert_true(paths[k].mtu >= 1280);
			}
			seg_daemon_paths_free(paths);
		}
		seg_daemon_close(d);
	}
}

static void test_tiny_paths_shape(void **state)
{
	struct fixture *f = *state;
	struct seg_daemon *d = open_daemon(f->net, IA_111);
	struct seg_path *paths = NULL;
	size_t n = 0;

	/* 111 -> 112: up to 110, down to 112: 110#1 ... 110#2. */
	assert_int_equal(seg_daemon_paths(d, IA_111, IA_112, false, false, &paths, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(paths[0].n_ifaces, 4);
	assert_true(paths[0].ifaces[0].ia == IA_111 && paths[0].ifaces[0].id == 41);
	assert_true(paths[0].ifaces[3].ia == IA_112 && paths[0].ifaces[3].id == 1);
	/* The link 110-111 has MTU 1280, the smallest on the path. */
	assert_int_equal(paths[0].mtu, 1280);
	seg_daemon_paths_free(paths);
	/* A source other than the local AS is refused; an unknown destination has no paths. */
	assert_int_equal(seg_daemon_paths(d, IA_112, IA_110, false, false, &paths, &n),
			 SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_paths(d, 0, 0x0001ff0000000999ull, false, false, &paths, &n),
			 0);
	assert_int_equal(n, 0);
	seg_daemon_close(d);
}

static bool path_crosses(const struct seg_path *p, scion_ia_t ia, uint64_t ifid)
{
	for (size_t i = 0; i < p->n_ifaces; i++)
		if (p->ifaces[i].ia == ia && p->ifaces[i].id == ifid)
			return true;
	return false;
}

static size_t count_crossing(const struct seg_path *p, size_t n, scion_ia_t ia, uint64_t ifid)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += path_crosses(&p[i], ia, ifid);
	return c;
}

static void test_multipath_hidden(void **state)
{
	struct fixture *f = *state;
	struct seg_daemon *d = open_daemon(f->net, IA_111);
	struct seg_path *pub = NULL, *hid = NULL;
	size_t n_pub = 0, n_hid = 0;

	assert_int_equal(seg_daemon_paths(d, 0, IA_131, false, false, &pub, &n_pub), 0);
	assert_int_equal(seg_daemon_paths(d, 0, IA_131, true, false, &hid, &n_hid), 0);
	assert_true(n_pub >= 2);
	assert_true(n_hid > n_pub);
	/* 111#3 is the hidden CHILD link to the rendezvous AS 121. */
	assert_int_equal(count_crossing(pub, n_pub, IA_111, 3), 0);
	assert_true(count_crossing(hid, n_hid, IA_111, 3) > 0);
	/* The hidden path A -> R -> B is there. */
	for (size_t i = 0; i < n_hid; i++)
		if (hid[i].n_ifaces == 4 && path_crosses(&hid[i], IA_121, 2) &&
		    path_crosses(&hid[i], IA_121, 3))
			goto found;
	fail_msg("no two-link path through 121 with hidden = true");
found:
	seg_daemon_paths_free(pub);
	seg_daemon_paths_free(hid);
	seg_daemon_close(d);
}

/* An AS's host_ip as a SCION host: IPv4, or IPv6 for an AS with an IPv6 underlay. */
static void host4(struct scion_host *h, const char *ip)
{
	uint8_t b[16];

	if (inet_pton(AF_INET, ip, b) == 1) {
		scion_host_from_ipv4(h, b);
		return;
	}
	assert_int_equal(inet_pton(AF_INET6, ip, b), 1);
	scion_host_from_ipv6(h, b);
}

/* Reads DIR/<ia>/keys/master0.key (base64) as a test would find it. */
static void read_master(const struct fixture *f, const struct netrun_as *as, uint8_t out[16])
{
	char path[256], b64[64] = {0};
	uint8_t raw[48];
	FILE *fp;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/keys/master0.key", f->dir, as->ia_str);
	fp = fopen(path, "r");
	assert_non_null(fp);
	len = fread(b64, 1, sizeof(b64) - 1, fp);
	fclose(fp);
	assert_int_equal(len, 24);
	assert_int_equal(EVP_DecodeBlock(raw, (unsigned char *)b64, 24), 18);
	memcpy(out, raw, 16);
}

/* HostAS K_{A:H_A,B}, derived independently of the runner from A's master secret. */
static void expected_host_as(const struct fixture *f, scion_ia_t a, scion_ia_t b,
			     const struct scion_host *h_a, uint16_t proto, uint64_t t,
			     uint8_t out[16])
{
	uint8_t master[16], sv[16], lvl1[16];
	struct drkey_epoch e = {.begin = (uint32_t)(t / 3600 * 3600)};
	bool specific = proto <= 1;

	e.end = e.begin + 3600;
	read_master(f, netrun_as_find(f->net, a), master);
	assert_int_equal(drkey_sv_derive(master, 16, specific ? proto : 0, &e, sv), 0);
	assert_int_equal(drkey_lvl1_derive(sv, b, lvl1), 0);
	if (specific)
		assert_int_equal(drkey_host_as_specific_derive(lvl1, h_a, out), 0);
	else
		assert_int_equal(drkey_host_as_derive(lvl1, proto, h_a, out), 0);
}

static void check_drkey_pair(struct fixture *f, scion_ia_t fast, scion_ia_t slow, uint16_t proto)
{
	struct seg_daemon *df = open_daemon(f->net, fast), *ds = open_daemon(f->net, slow);
	struct seg_daemon_drkey_req req = {0};
	struct seg_drkey host_as, host_host, as_host;
	uint8_t lvl3[16], want[16];
	uint64_t now = (uint64_t)time(NULL);

	req.val_time = now;
	req.protocol = proto;
	req.src_ia = fast;
	req.dst_ia = slow;
	host4(&req.src_host, netrun_as_find(f->net, fast)->host_ip);
	host4(&req.dst_host, netrun_as_find(f->net, slow)->host_ip);

	/* Fast side: its own daemon gives the host-AS key, the host derives level 3. */
	assert_int_equal(seg_daemon_drkey_host_as(df, &req, &host_as), 0);
	assert_int_equal(drkey_host_host_derive(host_as.key, &req.dst_host, lvl3), 0);
	/* Slow side: its daemon gives the host-host key directly. */
	assert_int_equal(seg_daemon_drkey_host_host(ds, &req, &host_host), 0);
	assert_memory_equal(lvl3, host_host.key, 16);
	/* The fast side's daemon gives the same host-host key. */
	assert_int_equal(seg_daemon_drkey_host_host(df, &req, &as_host), 0);
	assert_memory_equal(lvl3, as_host.key, 16);
	/* And it is the reference derivation from A's master secret. */
	expected_host_as(f, fast, slow, &req.src_host, proto, now, want);
	assert_memory_equal(want, host_as.key, 16);
	assert_true(host_as.epoch_begin <= now && now <= host_as.epoch_end);
	assert_int_equal(host_as.epoch_end - host_as.epoch_begin, 3600);
	/* AS-host keys are served by the slow side only. */
	assert_int_equal(seg_daemon_drkey_as_host(ds, &req, &as_host), 0);
	assert_int_equal(seg_daemon_drkey_as_host(df, &req, &as_host), SEG_DAEMON_ERR_STATUS);
	/* A host-AS key of another AS's host is not handed out. */
	assert_int_equal(seg_daemon_drkey_host_as(ds, &req, &host_as), SEG_DAEMON_ERR_STATUS);
	assert_int_equal(seg_daemon_last_status(ds), 3);
	seg_daemon_close(df);
	seg_daemon_close(ds);
}

static void test_drkey(void **state)
{
	struct fixture *f = *state;

	check_drkey_pair(f, IA_111, IA_112, 0);	     /* generic protocol: specific scheme */
	check_drkey_pair(f, IA_112, IA_111, 1);	     /* SCMP */
	check_drkey_pair(f, IA_110, IA_112, 0x5e67); /* a niche protocol: generic scheme */
}

static char *read_file(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	assert_non_null(fp);
	assert_non_null(buf);
	assert_true(fread(buf, 1, (1 << 20) - 1, fp) > 0);
	fclose(fp);
	return buf;
}

/* The "state" of the link whose "a" is a_end in testnet.json. */
static void json_link_state(const struct fixture *f, const char *a_end, char *state, size_t cap)
{
	char path[128], key[64];
	char *text, *p, *s;

	snprintf(path, sizeof(path), "%s/testnet.json", f->dir);
	text = read_file(path);
	snprintf(key, sizeof(key), "\"a\": \"%s\"", a_end);
	p = strstr(text, key);
	assert_non_null(p);
	s = strstr(p, "\"state\": \"");
	assert_non_null(s);
	s += strlen("\"state\": \"");
	snprintf(state, cap, "%.*s", (int)strcspn(s, "\""), s);
	free(text);
}

static void ctl(const struct fixture *f, const char *line, const char *want_prefix)
{
	char sock[128], err[NETCTL_ERR_LEN];
	char *reply = NULL;

	snprintf(sock, sizeof(sock), "%s/control.sock", f->dir);
	assert_int_equal(netctl_request(sock, line, &reply, err, sizeof(err)), 0);
	if (strncmp(reply, want_prefix, strlen(want_prefix)))
		fail_msg("'%s' answered '%s'", line, reply);
	free(reply);
}

static size_t paths_count(struct fixture *f, scion_ia_t src, scion_ia_t dst)
{
	struct seg_daemon *d = open_daemon(f->net, src);
	struct seg_path *p = NULL;
	size_t n = 0;

	assert_int_equal(seg_daemon_paths(d, 0, dst, false, false, &p, &n), 0);
	seg_daemon_paths_free(p);
	seg_daemon_close(d);
	return n;
}

static void test_link_control(void **state)
{
	struct fixture *f = *state;
	struct netrun_link_state st;
	char s[16];

	json_link_state(f, "1-ff00:0:110#1", s, sizeof(s));
	assert_string_equal(s, "up");
	ctl(f, "link down 1-ff00:0:110#1", "ok");
	json_link_state(f, "1-ff00:0:110#1", s, sizeof(s));
	assert_string_equal(s, "down");
	/* Without revocation the daemons keep returning the link's paths. */
	assert_int_equal(paths_count(f, IA_111, IA_112), 1);
	/* The other end of the link names the same link. */
	ctl(f, "link down 1-ff00:0:111#41 revoke", "ok");
	assert_int_equal(netrun_link_get(f->net, IA_110, 1, &st), 0);
	assert_false(st.up);
	assert_true(st.revoked);
	assert_int_equal(paths_count(f, IA_111, IA_112), 0);
	assert_int_equal(paths_count(f, IA_112, IA_110), 1);
	ctl(f, "link up 1-ff00:0:110#1", "ok");
	json_link_state(f, "1-ff00:0:110#1", s, sizeof(s));
	assert_string_equal(s, "up");
	assert_int_equal(paths_count(f, IA_111, IA_112), 1);

	ctl(f, "link set 1-ff00:0:110#2 loss=2.5% delay=20ms", "ok");
	assert_int_equal(netrun_link_get(f->net, IA_112, 1, &st), 0);
	assert_int_equal(st.loss_ppm, 25000);
	assert_int_equal(st.delay_us, 20000);
	assert_true(st.up);
	ctl(f, "link set 1-ff00:0:110#2 delay=0", "ok");
	assert_int_equal(netrun_link_get(f->net, IA_112, 1, &st), 0);
	assert_int_equal(st.loss_ppm, 25000);
	assert_int_equal(st.delay_us, 0);

	ctl(f, "link down 1-ff00:0:110#9", "error: no link at '1-ff00:0:110#9'");
	ctl(f, "link sideways 1-ff00:0:110#1", "error: unknown link command 'sideways'");
	ctl(f, "status", "ok {\"net\":");
}

static void test_two_networks(void **state)
{
	struct fixture *f = *state;
	struct netrun *other = NULL;
	struct netrun_options o;
	char dir[64], err[NETRUN_ERR_LEN], cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/seg-netrun-XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* The same network number is refused while it is claimed... */
	netrun_options_init(&o);
	o.net = netrun_net(f->net);
	assert_int_equal(netrun_start("topologies/tiny.topo", dir, &o, &other, err, sizeof(err)),
			 NETRUN_ERR_ADDR);
	assert_non_null(strstr(err, "in use"));
	/* ...and the automatic choice picks another one. */
	o.net = NETRUN_NET_AUTO;
	assert_int_equal(netrun_start("topologies/tiny.topo", dir, &o, &other, err, sizeof(err)),
			 0);
	assert_int_not_equal(netrun_net(other), netrun_net(f->net));
	/* A second runner in the same directory is refused (control socket in use). */
	{
		struct netrun *third = NULL;

		assert_int_equal(
		    netrun_start("topologies/tiny.topo", dir, &o, &third, err, sizeof(err)),
		    NETRUN_ERR_START);
		assert_non_null(strstr(err, "already runs"));
	}
	netrun_stop(other);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/*
 * tiny6: 110 and 111 on ::1 in their port blocks (netrun_addr.c), 112 on 127.N.3.1; the daemons
 * answer on both families, hand out next hops of their own family and the other side's keys.
 */
static void test_tiny6(void **state)
{
	struct fixture *f = *state;
	struct netrun *net = f->net;
	unsigned base = NETRUN_V6_PORT_BASE + NETRUN_V6_NET_SPAN * (netrun_net(net) % 20);
	char want[64], path[128], *json;
	struct seg_daemon *d;
	struct seg_path *paths = NULL;
	size_t n = 0;

	for (size_t i = 0; i < 2; i++) {
		const struct netrun_as *as = netrun_as_at(net, i);

		assert_true(as->ipv6);
		assert_string_equal(as->host_ip, "::1");
		snprintf(want, sizeof(want), "[::1]:%u", base + 32 * (unsigned)i);
		assert_string_equal(as->router, want);
		snprintf(want, sizeof(want), "[::1]:%u", base + 32 * (unsigned)i + 1);
		assert_string_equal(as->daemon, want);
	}
	assert_false(netrun_as_at(net, 2)->ipv6);
	snprintf(want, sizeof(want), "127.%d.3.1:30042", netrun_net(net));
	assert_string_equal(netrun_as_at(net, 2)->router, want);
	for (size_t i = 0; i < 3; i++) {
		const struct netrun_as *src = netrun_as_at(net, i);

		check_as_basics(net, src);
		d = open_daemon(net, src->ia);
		for (size_t j = 0; j < 3; j++) {
			assert_int_equal(seg_daemon_paths(d, 0, netrun_as_at(net, j)->ia, false,
							  false, &paths, &n),
					 0);
			assert_true(n > 0);
			for (size_t k = 0; i != j && k < n; k++)
				assert_next_hop(&paths[k], src);
			seg_daemon_paths_free(paths);
		}
		seg_daemon_close(d);
	}
	/* 111 -> 112: over the peering link and over 110 on either of its two links. */
	assert_int_equal(paths_count(f, IA_111, IA_112), 3);
	/* DRKey with an IPv6 host on one side. */
	check_drkey_pair(f, IA_111, IA_112, 0);
	check_drkey_pair(f, IA_112, IA_110, 0x5e67);

	snprintf(path, sizeof(path), "%s/testnet.json", f->dir);
	json = read_file(path);
	snprintf(want, sizeof(want), "\"daemon\": \"[::1]:%u\"", base + 33);
	assert_non_null(strstr(json, want));
	/* 110#1 -- 111#41 is IPv6 (both ASes are), 110#2 -- 112#1 IPv4 (mixed). */
	snprintf(want, sizeof(want), "\"local\": \"[::1]:%u\"", base + 2);
	assert_non_null(strstr(json, want));
	snprintf(want, sizeof(want), "\"remote\": \"[::1]:%u\"", base + 32 + 2);
	assert_non_null(strstr(json, want));
	snprintf(want, sizeof(want), "\"local\": \"127.%d.1.1:40002\"", netrun_net(net));
	assert_non_null(strstr(json, want));
	assert_non_null(strstr(json, "\"underlay\": \"UDP/IPv6\""));
	free(json);
}

/* Networks 20 apart share a ::1 port range: the second cannot start there. */
static void test_tiny6_port_clash(void **state)
{
	struct fixture *f = *state;
	struct netrun *other = NULL;
	struct netrun_options o;
	char dir[64], err[NETRUN_ERR_LEN], cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/seg-netrun-XXXXXX");
	assert_non_null(mkdtemp(dir));
	netrun_options_init(&o);
	o.net = netrun_net(f->net) + NETRUN_V6_NETS;
	assert_int_not_equal(
	    netrun_start("topologies/tiny6.topo", dir, &o, &other, err, sizeof(err)), 0);
	assert_null(other);
	assert_non_null(strstr(err, "in use"));
	/* tiny.topo has no IPv6 socket: it runs there. */
	assert_int_equal(netrun_start("topologies/tiny.topo", dir, &o, &other, err, sizeof(err)),
			 0);
	netrun_stop(other);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_start_errors(void **state)
{
	struct netrun *n = NULL;
	struct netrun_options o;
	char err[NETRUN_ERR_LEN];

	(void)state;
	assert_int_equal(netrun_start("topologies/nope.topo", "/tmp/seg-netrun-never", NULL, &n,
				      err, sizeof(err)),
			 NETRUN_ERR_TOPO);
	assert_null(n);
	assert_non_null(strstr(err, "nope.topo"));
	netrun_options_init(&o);
	o.net = 256;
	assert_int_equal(
	    netrun_start("topologies/tiny.topo", "/tmp/seg-netrun-never", &o, &n, err, sizeof(err)),
	    NETRUN_ERR_ARG);
	assert_non_null(strstr(err, "'256'"));
	netrun_options_init(&o);
	o.drkey_epoch_sec = 1;
	assert_int_equal(
	    netrun_start("topologies/tiny.topo", "/tmp/seg-netrun-never", &o, &n, err, sizeof(err)),
	    NETRUN_ERR_ARG);
	assert_int_equal(access("/tmp/seg-netrun-never", F_OK), -1);
}

static void test_refresh(void **state)
{
	struct netrun *n = NULL;
	struct netrun_options o;
	char dir[64], err[NETRUN_ERR_LEN], cmd[128], *status = NULL;
	const char *p;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/seg-netrun-XXXXXX");
	assert_non_null(mkdtemp(dir));
	netrun_options_init(&o);
	o.refresh_ms = 100;
	assert_int_equal(netrun_start("topologies/tiny.topo", dir, &o, &n, err, sizeof(err)), 0);
	/* Beaconing re-runs (at least twice in 1.5 s) and daemons keep answering meanwhile. */
	for (int i = 0; i < 15; i++) {
		struct seg_daemon *d = seg_daemon_open(netrun_as_find(n, IA_111)->daemon, 2000);
		struct seg_path *paths = NULL;
		size_t np = 0;

		assert_non_null(d);
		assert_int_equal(seg_daemon_paths(d, 0, IA_112, false, false, &paths, &np), 0);
		assert_int_equal(np, 1);
		seg_daemon_paths_free(paths);
		seg_daemon_close(d);
		usleep(100 * 1000);
	}
	assert_int_equal(netrun_status_json(n, &status), 0);
	p = strstr(status, "\"beacon_runs\":");
	assert_non_null(p);
	assert_true(strtoul(p + strlen("\"beacon_runs\":"), NULL, 10) >= 3);
	free(status);
	netrun_stop(n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* An endhost socket on the AS's host_ip, at a port of the dispatched range. */
static int endhost_socket(const struct netrun_as *as, uint16_t *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, as->host_ip, &sin.sin_addr), 1);
	for (uint16_t p = (uint16_t)(31000 + getpid() % 1000); p <= 32767; p++) {
		sin.sin_port = htons(p);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0) {
			*port = p;
			return fd;
		}
	}
	fail_msg("no free port in the dispatched range");
	return -1;
}

/* Sends an SCMP echo request from src's host to dst's host_ip over path p; returns the SCMP
 * type of what comes back within 1 s (0: nothing). */
static int echo_over(int fd, uint16_t port, const struct netrun_as *src,
		     const struct netrun_as *dst, const struct seg_path *p, uint16_t seq)
{
	struct scmp_msg req = {.type = SCMP_ECHO_REQUEST}, m;
	struct scion_header h = {.path_type = SCION_PATH_TYPE_SCION};
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	struct scion_packet dec;
	uint8_t pkt[1500], in[2048];
	size_t len;
	ssize_t got;

	req.u.echo.id = port;
	req.u.echo.seq = seq;
	h.dst.ia = dst->ia;
	host4(&h.dst.host, dst->host_ip);
	h.src.ia = src->ia;
	host4(&h.src.host, src->host_ip);
	h.path = p->raw;
	h.path_len = p->raw_len;
	assert_int_equal(scion_scmp_packet_build(&h, &req, pkt, sizeof(pkt), &len), 0);
	assert_int_equal(sendto(fd, pkt, len, 0, (const struct sockaddr *)&p->next_hop,
				sizeof(struct sockaddr_in)),
			 (ssize_t)len);
	if (poll(&pfd, 1, 1000) != 1)
		return 0;
	got = recv(fd, in, sizeof(in), 0);
	assert_true(got > 0);
	assert_int_equal(scion_packet_decode(in, (size_t)got, &dec), 0);
	assert_int_equal(dec.l4_proto, SCION_PROTO_SCMP);
	assert_int_equal(scmp_decode(&dec.hdr, dec.l4, dec.l4_len, true, &m), 0);
	if (m.type == SCMP_ECHO_REPLY)
		assert_int_equal(m.u.echo.seq, seq);
	return m.type;
}

/* Every path the daemon gives, hidden ones too, carries an echo through the routers; a
 * downed link answers with external-interface-down. */
static void test_multipath_routers(void **state)
{
	struct fixture *f = *state;
	const struct netrun_as *a = netrun_as_find(f->net, IA_111);
	const struct netrun_as *b = netrun_as_find(f->net, IA_131);
	struct seg_daemon *d = open_daemon(f->net, IA_111);
	struct seg_path *paths = NULL;
	size_t n = 0, down_path = SIZE_MAX;
	uint16_t port = 0;
	int fd = endhost_socket(a, &port);

	assert_int_equal(seg_daemon_paths(d, 0, IA_131, true, false, &paths, &n), 0);
	assert_true(n >= 3);
	for (size_t i = 0; i < n; i++) {
		if (echo_over(fd, port, a, b, &paths[i], (uint16_t)i) != SCMP_ECHO_REPLY)
			fail_msg("no echo reply over path %zu", i);
		if (down_path == SIZE_MAX && path_crosses(&paths[i], IA_110, 4))
			down_path = i;
	}
	assert_true(down_path != SIZE_MAX);
	ctl(f, "link down 1-ff00:0:110#4", "ok");
	assert_int_equal(echo_over(fd, port, a, b, &paths[down_path], 999),
			 SCMP_EXTERNAL_INTERFACE_DOWN);
	ctl(f, "link up 1-ff00:0:110#4", "ok");
	assert_int_equal(echo_over(fd, port, a, b, &paths[down_path], 1000), SCMP_ECHO_REPLY);
	{
		struct router_stats st;

		/* Both ends are down: 111 answers before the packet leaves over its 111#1. */
		assert_int_equal(netrun_router_stats(f->net, IA_111, &st), 0);
		assert_int_equal(st.drops[ROUTER_DROP_LINK_DOWN], 1);
		assert_int_equal(netrun_router_stats(f->net, 0x0009ff0000000999ull, &st),
				 NETRUN_ERR_NOT_FOUND);
	}
	close(fd);
	seg_daemon_paths_free(paths);
	seg_daemon_close(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_tiny_every_as, setup_tiny, teardown),
	    cmocka_unit_test_setup_teardown(test_tiny_paths_shape, setup_tiny, teardown),
	    cmocka_unit_test_setup_teardown(test_drkey, setup_tiny, teardown),
	    cmocka_unit_test_setup_teardown(test_link_control, setup_tiny, teardown),
	    cmocka_unit_test_setup_teardown(test_two_networks, setup_tiny, teardown),
	    cmocka_unit_test_setup_teardown(test_tiny6, setup_tiny6, teardown),
	    cmocka_unit_test_setup_teardown(test_tiny6_port_clash, setup_tiny6, teardown),
	    cmocka_unit_test_setup_teardown(test_multipath_hidden, setup_multipath, teardown),
	    cmocka_unit_test_setup_teardown(test_multipath_routers, setup_multipath, teardown),
	    cmocka_unit_test(test_start_errors),
	    cmocka_unit_test(test_refresh),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
