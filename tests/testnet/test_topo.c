/* SPDX-License-Identifier: MIT */
/* The .topo parser: the shipped topologies, and bad files with their file:line messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "testnet_util.h"
#include "topo.h"

static size_t count_links(const struct topo *t, enum topo_link_type type, bool hidden_only)
{
	size_t n = 0;

	for (size_t i = 0; i < t->num_links; i++)
		if (t->links[i].type == type && (!hidden_only || t->links[i].hidden))
			n++;
	return n;
}

static void test_tiny(void **state)
{
	struct topo *t = test_topo_load("topologies/tiny.topo");
	bool a;
	const struct topo_link *l;
	int core = topo_as_index(t, test_ia("1-ff00:0:110"));

	(void)state;
	assert_int_equal(t->num_ases, 3);
	assert_int_equal(t->num_links, 2);
	assert_true(core >= 0);
	assert_true(t->ases[core].core);
	assert_int_equal(t->ases[core].mtu, 1400);
	assert_false(t->ases[topo_as_index(t, test_ia("1-ff00:0:111"))].core);
	assert_int_equal(t->ases[topo_as_index(t, test_ia("1-ff00:0:111"))].mtu, TOPO_DEFAULT_MTU);
	l = topo_link_at(t, (unsigned)core, 1, &a);
	assert_non_null(l);
	assert_true(a);
	assert_int_equal(l->type, TOPO_LINK_CHILD);
	assert_int_equal(l->mtu, 1280);
	assert_int_equal(t->ases[l->b.as].ia, test_ia("1-ff00:0:111"));
	assert_int_equal(l->b.ifid, 41);
	assert_int_equal(l->line, 14);
	assert_null(topo_link_at(t, (unsigned)core, 3, &a));
	topo_free(t);
}

static void test_multipath(void **state)
{
	struct topo *t = test_topo_load("topologies/multipath.topo");

	(void)state;
	assert_int_equal(t->num_ases, 8);
	assert_int_equal(count_links(t, TOPO_LINK_CORE, false), 3);
	assert_int_equal(count_links(t, TOPO_LINK_PEER, false), 1);
	assert_int_equal(count_links(t, TOPO_LINK_CHILD, true), 1);
	assert_int_equal(count_links(t, TOPO_LINK_CHILD, false), 9);
	topo_free(t);
}

static void test_twenty(void **state)
{
	struct topo *t = test_topo_load("topologies/twenty.topo");
	size_t cores = 0;

	(void)state;
	assert_int_equal(t->num_ases, 20);
	for (size_t i = 0; i < t->num_ases; i++)
		cores += t->ases[i].core;
	assert_int_equal(cores, 5);
	assert_int_equal(count_links(t, TOPO_LINK_PEER, false), 4);
	assert_int_equal(count_links(t, TOPO_LINK_CHILD, true), 1);
	topo_free(t);
}

static void test_border_router_names(void **state)
{
	struct topo *t = test_topo_parse("ASes:\n"
					 "  \"1-ff00:0:110\": {core: true}\n"
					 "  \"1-64512\":\n"
					 "links:\n"
					 "  - {a: \"1-ff00:0:110-A#6\", b: \"1-64512-br_2#7\",\n"
					 "     linkAtoB: child, bw: 500, underlay: UDP/IPv6}\n");
	const struct topo_link *l = &t->links[0];

	(void)state;
	assert_string_equal(l->a.br, "A");
	assert_string_equal(l->b.br, "br_2");
	assert_int_equal(l->a.ifid, 6);
	assert_int_equal(l->b.ifid, 7);
	assert_int_equal(t->ases[l->b.as].ia, scion_ia_make(1, 64512));
	assert_int_equal(l->type, TOPO_LINK_CHILD);
	assert_false(l->hidden);
	assert_true(l->has_underlay);
	assert_int_equal(topo_link_underlay(t, l), TOPO_UNDERLAY_IPV6);
	topo_free(t);
}

/* tiny6: AS underlays as written; link underlays explicit, or IPv6 only between IPv6 ASes. */
static void test_tiny6(void **state)
{
	struct topo *t = test_topo_load("topologies/tiny6.topo");
	static const enum topo_underlay want[] = {TOPO_UNDERLAY_IPV6, TOPO_UNDERLAY_IPV4,
						  TOPO_UNDERLAY_IPV6, TOPO_UNDERLAY_IPV4};

	(void)state;
	assert_int_equal(t->num_ases, 3);
	assert_int_equal(t->ases[topo_as_index(t, test_ia("1-ff00:0:110"))].underlay,
			 TOPO_UNDERLAY_IPV6);
	assert_int_equal(t->ases[topo_as_index(t, test_ia("1-ff00:0:111"))].underlay,
			 TOPO_UNDERLAY_IPV6);
	assert_int_equal(t->ases[topo_as_index(t, test_ia("1-ff00:0:112"))].underlay,
			 TOPO_UNDERLAY_IPV4);
	assert_int_equal(t->num_links, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(topo_link_underlay(t, &t->links[i]), want[i]);
	assert_string_equal(topo_underlay_name(TOPO_UNDERLAY_IPV6), "UDP/IPv6");
	topo_free(t);
	/* tiny.topo says nothing: everything IPv4. */
	t = test_topo_load("topologies/tiny.topo");
	for (size_t i = 0; i < t->num_ases; i++)
		assert_int_equal(t->ases[i].underlay, TOPO_UNDERLAY_IPV4);
	for (size_t i = 0; i < t->num_links; i++)
		assert_int_equal(topo_link_underlay(t, &t->links[i]), TOPO_UNDERLAY_IPV4);
	topo_free(t);
}

struct bad_case {
	const char *text;
	int code;
	const char *msg; /* exact, or a prefix when ending in '*' */
};

static const struct bad_case bad_cases[] = {
    {"ASes:\n  \"1-ff00:0:110\":\n    core: true\n    colour: blue\n", TOPO_ERR_KEY,
     "bad.topo:4: unknown AS key 'colour'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-fg00:0:111\": {}\n", TOPO_ERR_VALUE,
     "bad.topo:3: bad ISD-AS '1-fg00:0:111'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\n"
     "  \"1-ff00:0:112\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:112#1\", linkAtoB: CHILD}\n",
     TOPO_ERR_DUP, "bad.topo:7: interface id used twice in its AS: '1-ff00:0:110#1'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:119#1\", linkAtoB: CHILD}\n",
     TOPO_ERR_LINK, "bad.topo:5: link endpoint names an undefined AS: '1-ff00:0:119#1'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\", linkAtoB: CORE}\n",
     TOPO_ERR_LINK, "bad.topo:5: CORE link to a non-core AS: '1-ff00:0:111#1'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:120\": {core: true}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:120#1\", linkAtoB: CHILD}\n",
     TOPO_ERR_LINK, "bad.topo:5: a core AS cannot be a CHILD: '1-ff00:0:120#1'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"2-ff00:0:210\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"2-ff00:0:210#1\", linkAtoB: CHILD}\n",
     TOPO_ERR_LINK, "bad.topo:5: CHILD link crosses ISDs: '2-ff00:0:210#1'"},
    {"ASes:\n  \"1-ff00:0:111\": {}\n  \"1-ff00:0:112\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:111#1\", b: \"1-ff00:0:112#1\", linkAtoB: CHILD}\n"
     "  - {a: \"1-ff00:0:112#2\", b: \"1-ff00:0:111#2\", linkAtoB: CHILD}\n",
     TOPO_ERR_LINK, "bad.topo:5: CHILD links form a cycle through this link"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD}\n",
     TOPO_ERR_VALUE, "bad.topo:5: link endpoint needs IA#IFID: '1-ff00:0:110'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\", linkAtoB: SIBLING}\n",
     TOPO_ERR_VALUE, "bad.topo:5: linkAtoB must be CORE, CHILD or PEER, got 'SIBLING'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\",\n     linkAtoB: CHILD, mtu: 100}\n",
     TOPO_ERR_VALUE, "bad.topo:6: number out of range '100'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD, hidden: maybe}\n",
     TOPO_ERR_VALUE, "bad.topo:5: expected true or false, got 'maybe'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD, colour: red}\n",
     TOPO_ERR_KEY, "bad.topo:5: unknown or repeated link key 'colour'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true, underlay: UDP/IPv5}\n", TOPO_ERR_VALUE,
     "bad.topo:2: underlay must be UDP/IPv4 or UDP/IPv6, got 'UDP/IPv5'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:111\": {}\nlinks:\n"
     "  - {a: \"1-ff00:0:110#1\", b: \"1-ff00:0:111#1\", linkAtoB: CHILD, underlay: udp/ipv6}\n",
     TOPO_ERR_VALUE, "bad.topo:5: underlay must be UDP/IPv4 or UDP/IPv6, got 'udp/ipv6'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\n  \"1-ff00:0:110\": {}\n", TOPO_ERR_DUP,
     "bad.topo:3: AS defined twice: '1-ff00:0:110'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: true}\nrouters: {}\n", TOPO_ERR_KEY,
     "bad.topo:3: unknown or repeated top-level key 'routers'"},
    {"links: []\n", TOPO_ERR_KEY, "bad.topo:1: missing ASes: '{...}'"},
    {"ASes:\n  \"1-ff00:0:110\": {core: [true}\n", TOPO_ERR_SYNTAX, "bad.topo:2: YAML error*"},
    {"", TOPO_ERR_SYNTAX, "bad.topo:1: empty topology"},
};

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct topo_error err;
		struct topo *t = (struct topo *)1;
		size_t n = strlen(bc->msg);
		int rc =
		    topo_parse("bad.topo", (const uint8_t *)bc->text, strlen(bc->text), &t, &err);

		if (rc != bc->code)
			fail_msg("case %zu: rc %d, want %d (%s)", i, rc, bc->code, err.msg);
		assert_null(t);
		if (bc->msg[n - 1] == '*' ? strncmp(err.msg, bc->msg, n - 1) != 0
					  : strcmp(err.msg, bc->msg) != 0)
			fail_msg("case %zu: message \"%s\", want \"%s\"", i, err.msg, bc->msg);
	}
}

static void test_missing_file(void **state)
{
	struct topo_error err;
	struct topo *t;

	(void)state;
	assert_int_equal(topo_load("/nonexistent/x.topo", &t, &err), TOPO_ERR_IO);
	assert_null(t);
	assert_non_null(strstr(err.msg, "/nonexistent/x.topo"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tiny),	 cmocka_unit_test(test_multipath),
	    cmocka_unit_test(test_twenty),	 cmocka_unit_test(test_border_router_names),
	    cmocka_unit_test(test_tiny6),	 cmocka_unit_test(test_bad_files),
	    cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
