/* SPDX-License-Identifier: MIT */
/*
 * The UDP service adapter's pure parts: data and service-list codecs (round trips and every
 * rejection), the flow table (ids, stale ids after reuse, LRU eviction when full, idle expiry,
 * against a naive reference under random operations), and its configuration file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "adapters/udp/udp_flows.h"
#include "adapters/udp/udp_frame.h"
#include "config/udp_adapter_config.h"

static void test_data_codec(void **state)
{
	static const uint8_t payload[] = "hello";
	struct udpa_data d = {.type = UDPA_TYPE_TO_SERVICE,
			      .service = 0x0102,
			      .flow = 0xa0b0c0d0,
			      .payload = payload,
			      .payload_len = 5};
	uint8_t buf[64];
	struct udpa_data out;
	size_t len;

	(void)state;
	assert_int_equal(udpa_data_encode(&d, buf, sizeof(buf), &len), UDPA_OK);
	assert_int_equal(len, 13);
	static const uint8_t want[] = {'U',  1,	  1,   2,   0xa0, 0xb0, 0xc0,
				       0xd0, 'h', 'e', 'l', 'l',  'o'};
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(udpa_data_decode(buf, len, &out), UDPA_OK);
	assert_int_equal(out.type, UDPA_TYPE_TO_SERVICE);
	assert_int_equal(out.service, 0x0102);
	assert_int_equal(out.flow, 0xa0b0c0d0);
	assert_int_equal(out.payload_len, 5);
	assert_memory_equal(out.payload, "hello", 5);
	/* Empty payloads are datagrams too. */
	assert_int_equal(udpa_data_decode(buf, 8, &out), UDPA_OK);
	assert_int_equal(out.payload_len, 0);
	for (size_t cut = 1; cut < 8; cut++)
		assert_int_equal(udpa_data_decode(buf, cut, &out), UDPA_ERR_SHORT);
	assert_int_equal(udpa_data_decode(buf, 0, &out), UDPA_ERR_SHORT);
	buf[1] = UDPA_TYPE_SERVICES;
	assert_int_equal(udpa_data_decode(buf, len, &out), UDPA_ERR_TYPE);
	buf[0] = 'I';
	assert_int_equal(udpa_data_decode(buf, len, &out), UDPA_ERR_OTHER_ADAPTER);
	assert_int_equal(udpa_data_encode(&d, buf, 12, &len), UDPA_ERR_SPACE);
	d.type = 7;
	assert_int_equal(udpa_data_encode(&d, buf, sizeof(buf), &len), UDPA_ERR_TYPE);
	d.type = UDPA_TYPE_TO_CLIENT;
	d.payload_len = UDPA_PAYLOAD_MAX + 1;
	assert_int_equal(udpa_data_encode(&d, buf, sizeof(buf), &len), UDPA_ERR_SPACE);
}

static void test_services_codec(void **state)
{
	struct udpa_service_entry in[2] = {{1, "echo"}, {7, "dns.v2"}};
	struct udpa_service_entry out[UDPA_SERVICES_MAX];
	uint8_t buf[UDPA_SERVICES_MSG_MAX];
	size_t len, n;

	(void)state;
	assert_int_equal(udpa_services_encode(in, 2, buf, sizeof(buf), &len), UDPA_OK);
	assert_int_equal(len, 4 + 3 + 4 + 3 + 6);
	assert_int_equal(udpa_services_decode(buf, len, out, &n), UDPA_OK);
	assert_int_equal(n, 2);
	assert_int_equal(out[1].id, 7);
	assert_string_equal(out[1].name, "dns.v2");
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(udpa_services_decode(buf, cut, out, &n), UDPA_ERR_SHORT);
	assert_int_equal(n, 0);

	struct {
		const char *name;
		uint8_t b[24];
		size_t len;
		int want;
	} bad[] = {
	    {"ip adapter", {'I', 1, 1, 0, 0, 0}, 6, UDPA_ERR_OTHER_ADAPTER},
	    {"data type", {'U', 1, 1, 0}, 4, UDPA_ERR_TYPE},
	    {"version", {'U', 3, 2, 0}, 4, UDPA_ERR_VERSION},
	    {"count", {'U', 3, 1, 65}, 4, UDPA_ERR_COUNT},
	    {"id 0", {'U', 3, 1, 1, 0, 0, 1, 'a'}, 8, UDPA_ERR_ID},
	    {"empty name", {'U', 3, 1, 1, 0, 1, 0}, 7, UDPA_ERR_NAME},
	    {"long name", {'U', 3, 1, 1, 0, 1, 33}, 7, UDPA_ERR_NAME},
	    {"bad char", {'U', 3, 1, 1, 0, 1, 1, '/'}, 8, UDPA_ERR_NAME},
	    {"dup id", {'U', 3, 1, 2, 0, 1, 1, 'a', 0, 1, 1, 'b'}, 12, UDPA_ERR_ID},
	    {"dup name", {'U', 3, 1, 2, 0, 1, 1, 'a', 0, 2, 1, 'a'}, 12, UDPA_ERR_NAME},
	    {"trailing", {'U', 3, 1, 0, 0}, 5, UDPA_ERR_TRAILING},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int got = udpa_services_decode(bad[i].b, bad[i].len, out, &n);

		if (got != bad[i].want)
			fail_msg("%s: got %s", bad[i].name, udpa_strerror(got));
	}
	in[1].id = 0;
	assert_int_equal(udpa_services_encode(in, 2, buf, sizeof(buf), &len), UDPA_ERR_ID);
	in[1].id = 2;
	strcpy(in[1].name, "a b");
	assert_int_equal(udpa_services_encode(in, 2, buf, sizeof(buf), &len), UDPA_ERR_NAME);
}

static int evicted;

static void count_evict(struct udpa_flow *f, void *ctx)
{
	(void)f;
	(void)ctx;
	evicted++;
}

static struct udpa_flow_key K(uint32_t id, uint16_t port) {
	struct udpa_flow_key k = {0};

	k.id = id;
	k.family = 4;
	k.port = port;
	k.ip[0] = 127;
	k.ip[3] = 1;
	return k;
}

static void
test_flows_basic(void **state)
{
	struct udpa_flows t;
	struct udpa_flow_key k1 = K(0, 1000), k2 = K(0, 1001), k3 = K(1, 1000);
	struct udpa_flow *a, *b, *c;
	uint32_t ida;

	(void)state;
	evicted = 0;
	assert_int_equal(udpa_flows_init(&t, 2, 100, count_evict, NULL), 0);
	assert_null(udpa_flows_find(&t, &k1, 1));
	a = udpa_flows_add(&t, &k1, 1);
	b = udpa_flows_add(&t, &k2, 2);
	assert_ptr_equal(udpa_flows_find(&t, &k1, 3), a); /* a is now the most recent */
	assert_ptr_equal(udpa_flows_find(&t, &k2, 3), b);
	assert_null(udpa_flows_find(&t, &k3, 3));
	ida = udpa_flow_id(&t, a);
	assert_ptr_equal(udpa_flows_by_id(&t, ida, 4), a);
	/* Full: the least recently used one (b, touched at 3 before a's 4) goes. */
	c = udpa_flows_add(&t, &k3, 5);
	assert_int_equal(evicted, 1);
	assert_null(udpa_flows_find(&t, &k2, 5));
	assert_ptr_equal(udpa_flows_find(&t, &k1, 5), a);
	assert_ptr_equal(udpa_flows_find(&t, &k3, 5), c);
	/* b's slot was reused: its old id is stale, the new one differs. */
	assert_int_equal(t.n, 2);
	/* Idle expiry: a and c touched at 5, timeout 100. */
	assert_int_equal(udpa_flows_expire(&t, 104), 0);
	assert_ptr_equal(udpa_flows_find(&t, &k1, 50), a);
	assert_int_equal(udpa_flows_expire(&t, 105), 1); /* c: 5 + 100 */
	assert_int_equal(evicted, 2);
	assert_null(udpa_flows_by_id(&t, udpa_flow_id(&t, c), 106));
	/* An id from before the slot's reuse no longer matches. */
	c = udpa_flows_add(&t, &k3, 106);
	assert_null(udpa_flows_by_id(&t, ida ^ 0x10000, 106));
	assert_null(udpa_flows_by_id(&t, 0xffff, 106));
	udpa_flows_free(&t);
	assert_int_equal(evicted, 4);
	assert_int_equal(udpa_flows_init(&t, UDPA_FLOWS_LIMIT + 1, 1, NULL, NULL), -EINVAL);
}

/* Random adds, finds, removals and expiries against a plain array. */
static void test_flows_differential(void **state)
{
	enum { MAX = 64, KEYS = 200, STEPS = 20000 };
	struct udpa_flows t;
	bool present[KEYS] = {false};
	uint64_t last[KEYS] = {0};
	uint64_t now = 1;

	(void)state;
	srand(7);
	evicted = 0;
	assert_int_equal(udpa_flows_init(&t, MAX, 500, count_evict, NULL), 0);
	for (int s = 0; s < STEPS; s++, now++) {
		uint32_t k = (uint32_t)rand() % KEYS;
		struct udpa_flow_key key = K(k, (uint16_t)(k * 7));
		struct udpa_flow *f = udpa_flows_find(&t, &key, now);
		size_t n = 0;

		assert_int_equal(f != NULL, present[k]);
		if (f) {
			last[k] = now;
			assert_ptr_equal(udpa_flows_by_id(&t, udpa_flow_id(&t, f), now), f);
			if (rand() % 8 == 0) {
				udpa_flows_remove(&t, f);
				present[k] = false;
			}
		} else {
			for (size_t i = 0; i < KEYS; i++)
				n += present[i];
			if (n == MAX) { /* the reference's least recently used goes */
				size_t old = KEYS;

				for (size_t i = 0; i < KEYS; i++)
					if (present[i] && (old == KEYS || last[i] < last[old]))
						old = i;
				present[old] = false;
			}
			assert_non_null(udpa_flows_add(&t, &key, now));
			present[k] = true;
			last[k] = now;
		}
		if (s % 97 == 0) {
			size_t want = 0;

			for (size_t i = 0; i < KEYS; i++) {
				if (present[i] && now >= last[i] + 500) {
					present[i] = false;
					want++;
				}
			}
			assert_int_equal(udpa_flows_expire(&t, now), want);
		}
		n = 0;
		for (size_t i = 0; i < KEYS; i++)
			n += present[i];
		assert_int_equal(t.n, n);
	}
	udpa_flows_free(&t);
}

static int parse(const char *yaml, struct seg_udp_adapter_config **c, char *err)
{
	return seg_udp_adapter_config_parse("udp.yaml", (const uint8_t *)yaml, strlen(yaml), c, err,
					    SEG_CONFIG_ERRLEN);
}

static void test_config(void **state)
{
	static const char good[] = "type: udp\n"
				   "services:\n"
				   "  - name: echo\n"
				   "    address: 127.0.0.1:7\n"
				   "  - name: dns\n"
				   "    address: \"[::1]:53\"\n"
				   "    allowedPeers: [\"1-ff00:0:111,127.0.0.1\"]\n"
				   "forwards:\n"
				   "  - listen: 127.0.0.1:10007\n"
				   "    peer: 1-ff00:0:110,127.0.0.1\n"
				   "    service: echo\n"
				   "flowIdleTimeout: 5s\n";
	struct seg_udp_adapter_config *c = NULL;
	char err[SEG_CONFIG_ERRLEN];

	(void)state;
	assert_true(seg_udp_adapter_config_is_udp((const uint8_t *)good, strlen(good)));
	assert_false(seg_udp_adapter_config_is_udp((const uint8_t *)"addr: 10.0.0.1\n", 15));
	assert_false(seg_udp_adapter_config_is_udp((const uint8_t *)"[", 1));
	if (parse(good, &c, err))
		fail_msg("%s", err);
	assert_int_equal(c->services_len, 2);
	assert_true(c->services[0].allow_any);
	assert_false(c->services[1].allow_any);
	assert_int_equal(c->services[1].allowed_len, 1);
	assert_int_equal(c->services[1].address.ss.ss_family, AF_INET6);
	assert_int_equal(c->forwards_len, 1);
	assert_string_equal(c->forwards[0].service, "echo");
	assert_int_equal(c->flow_idle_ns, 5000000000ull);
	assert_int_equal(c->max_flows, SEG_UDP_DEFAULT_MAX_FLOWS);
	seg_udp_adapter_config_free(c);

	static const struct {
		const char *yaml, *want;
	} bad[] = {
	    {"services: []\n", "missing key \"type\""},
	    {"type: ip\n", "type \"ip\""},
	    {"type: udp\nservice: []\n", "unknown key \"service\""},
	    {"type: udp\nservices:\n  - name: a/b\n    address: 127.0.0.1:7\n", "bad name"},
	    {"type: udp\nservices:\n  - name: a\n    address: 127.0.0.1:0\n", "bad address"},
	    {"type: udp\nservices:\n  - name: a\n    address: ::1:7\n", "bad address"},
	    {"type: udp\nservices:\n  - name: a\n", "missing key \"address\""},
	    {"type: udp\nservices:\n  - {name: a, address: \"127.0.0.1:7\"}\n  - {name: a, "
	     "address: \"127.0.0.1:8\"}\n",
	     "listed twice"},
	    {"type: udp\nforwards:\n  - listen: 127.0.0.1:1\n    peer: 1-ff00:0:110\n    "
	     "service: a\n",
	     "bad peer"},
	    {"type: udp\nforwards:\n  - listen: 127.0.0.1:1\n    service: a\n",
	     "missing key \"peer\""},
	    {"type: udp\nflowIdleTimeout: 0s\n", "greater than 0"},
	    {"type: udp\nmaxFlows: 70000\n", "maxFlows"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		if (parse(bad[i].yaml, &c, err) == 0)
			fail_msg("accepted: %s", bad[i].yaml);
		assert_null(c);
		if (!strstr(err, bad[i].want))
			fail_msg("%s: error \"%s\" lacks \"%s\"", bad[i].yaml, err, bad[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_codec),	cmocka_unit_test(test_services_codec),
	    cmocka_unit_test(test_flows_basic), cmocka_unit_test(test_flows_differential),
	    cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
