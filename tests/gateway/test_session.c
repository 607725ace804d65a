// SPDX-License-Identifier: MIT
/* Sessions over time: slot rotation, rekey decisions, in-flight packets on the previous
 * session, expiry. Sessions come from real handshakes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "session.h"

#define T0   UINT64_C(1000000000000)
#define S(x) ((uint64_t)(x)*SEG_NS_PER_S)

static const uint8_t KEY[SEG_DRKEY_KEY_LEN] = "0123456789abcdef";

struct peers {
	struct handshake ha, hb;
	struct handshake_keys keys;
	struct session_slots a, b; /* a initiates */
	uint32_t next_index;
	uint64_t ts;
};

static void peers_setup(struct peers *p)
{
	struct handshake_config ca = {.cipher = SEG_CIPHER_AES256_GCM};
	struct handshake_config cb;

	memset(p, 0, sizeof(*p));
	ca.local.ia = scion_ia_make(1, 0x110);
	ca.remote.ia = scion_ia_make(1, 0x111);
	cb = ca;
	cb.local = ca.remote;
	cb.remote = ca.local;
	handshake_init(&p->ha, &ca);
	handshake_init(&p->hb, &cb);
	p->keys.epoch = 1;
	memcpy(p->keys.key, KEY, sizeof(KEY));
	p->next_index = 100;
}

static void free_evicted(struct session_evicted *ev)
{
	for (size_t i = 0; i < ev->n; i++)
		session_free(ev->s[i]);
	ev->n = 0;
}

static void peers_clear(struct peers *p)
{
	struct session_evicted ev = {0};

	session_slots_clear(&p->a, &ev);
	free_evicted(&ev);
	session_slots_clear(&p->b, &ev);
	free_evicted(&ev);
	handshake_clear(&p->ha);
	handshake_clear(&p->hb);
}

/* A full handshake at time now; installs both sessions. Returns what a and b evicted. */
static void handshake_at(struct peers *p, uint64_t now, struct session_evicted *eva,
			 struct session_evicted *evb)
{
	uint8_t init[SEG_INIT_LEN], resp[SEG_RESPONSE_LEN];
	struct handshake_result ra, rb;
	uint32_t ia = p->next_index++, ib = p->next_index++;

	assert_int_equal(handshake_create_init(&p->ha, &p->keys, ia, ++p->ts, now, init), SEG_OK);
	assert_int_equal(
	    handshake_consume_init(&p->hb, &p->keys, init, sizeof(init), ib, now, resp, &rb),
	    SEG_OK);
	assert_int_equal(handshake_consume_response(&p->ha, resp, sizeof(resp), now, &ra), SEG_OK);
	struct session *sa = session_new(&ra, now), *sb = session_new(&rb, now);
	assert_non_null(sa);
	assert_non_null(sb);
	session_slots_install(&p->a, sa, eva);
	session_slots_install(&p->b, sb, evb);
}

static size_t seal_on(struct session_slots *ss, uint64_t now, uint8_t *pkt, size_t cap)
{
	size_t len;

	pkt[SEG_TRANSPORT_HEADER_LEN] = SEG_INNER_DATA;
	pkt[SEG_TRANSPORT_HEADER_LEN + 1] = 0x42;
	assert_int_equal(session_slots_seal(ss, now, pkt, cap, 2, &len), SEG_OK);
	return len;
}

static int open_on(struct session_slots *ss, uint64_t now, uint8_t *pkt, size_t len,
		   struct session_evicted *ev)
{
	struct transport_header h;
	size_t plain;
	int err = transport_header_parse(pkt, len, &h);

	if (err)
		return err;
	err = session_slots_open(ss, now, &h, pkt, len, &plain, ev);
	if (err == SEG_OK)
		assert_int_equal(pkt[SEG_TRANSPORT_HEADER_LEN + 1], 0x42);
	return err;
}

static void test_install_and_confirm(void **state)
{
	struct peers p;
	struct session_evicted eva = {0}, evb = {0};
	uint8_t pkt[64];
	size_t len;
	(void)state;

	peers_setup(&p);
	assert_int_equal(session_slots_rekey_due(&p.a, T0), SESSION_REKEY_NO_SESSION);
	handshake_at(&p, T0, &eva, &evb);
	assert_int_equal(eva.n + evb.n, 0);
	/* Initiator: current at once. Responder: next, and it may not send yet. */
	assert_non_null(p.a.current);
	assert_null(p.b.current);
	assert_non_null(p.b.next);
	assert_int_equal(session_slots_rekey_due(&p.b, T0), SESSION_REKEY_AWAIT_CONFIRM);
	assert_int_equal(session_slots_rekey_due(&p.b, T0 + SEG_REKEY_TIMEOUT_NS),
			 SESSION_REKEY_NO_SESSION);
	assert_int_equal(session_slots_seal(&p.b, T0, pkt, sizeof(pkt), 1, &len),
			 SEG_ERR_NO_SESSION);

	/* The initiator's first packet confirms b's session. */
	len = seal_on(&p.a, T0, pkt, sizeof(pkt));
	assert_int_equal(open_on(&p.b, T0, pkt, len, &evb), SEG_OK);
	assert_non_null(p.b.current);
	assert_null(p.b.next);
	assert_null(p.b.previous);
	assert_true(p.b.current->confirmed);
	len = seal_on(&p.b, T0, pkt, sizeof(pkt));
	assert_int_equal(open_on(&p.a, T0, pkt, len, &eva), SEG_OK);
	assert_int_equal(session_slots_rekey_due(&p.a, T0), SESSION_REKEY_NONE);
	assert_int_equal(session_slots_rekey_due(&p.b, T0), SESSION_REKEY_NONE);
	/* Unknown receiver index. */
	pkt[SEG_TRANSPORT_OFF_RECEIVER] ^= 0x80;
	assert_int_equal(open_on(&p.a, T0, pkt, len, &eva), SEG_ERR_INDEX);
	peers_clear(&p);
}

static void test_rekey_decisions(void **state)
{
	static const struct {
		uint64_t age;
		uint64_t sent;
		enum session_rekey initiator, responder;
	} cases[] = {
	    {0, 0, SESSION_REKEY_NONE, SESSION_REKEY_NONE},
	    {S(SEG_REKEY_AFTER_TIME_S) - 1, 0, SESSION_REKEY_NONE, SESSION_REKEY_NONE},
	    {S(SEG_REKEY_AFTER_TIME_S), 0, SESSION_REKEY_TIME, SESSION_REKEY_NONE},
	    {S(SEG_REJECT_AFTER_TIME_S) - 1, 0, SESSION_REKEY_TIME, SESSION_REKEY_NONE},
	    {S(SEG_REJECT_AFTER_TIME_S), 0, SESSION_REKEY_NO_SESSION, SESSION_REKEY_NO_SESSION},
	    {0, SEG_REKEY_AFTER_MESSAGES - 1, SESSION_REKEY_NONE, SESSION_REKEY_NONE},
	    {0, SEG_REKEY_AFTER_MESSAGES, SESSION_REKEY_MESSAGES, SESSION_REKEY_MESSAGES},
	    {0, SEG_REJECT_AFTER_MESSAGES - 1, SESSION_REKEY_MESSAGES, SESSION_REKEY_MESSAGES},
	    {0, SEG_REJECT_AFTER_MESSAGES, SESSION_REKEY_NO_SESSION, SESSION_REKEY_NO_SESSION},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct peers p;
		struct session_evicted eva = {0}, evb = {0};
		uint8_t pkt[64];
		size_t len;

		peers_setup(&p);
		handshake_at(&p, T0, &eva, &evb);
		len = seal_on(&p.a, T0, pkt, sizeof(pkt));
		assert_int_equal(open_on(&p.b, T0, pkt, len, &evb), SEG_OK);
		p.a.current->send_counter = cases[i].sent;
		p.b.current->send_counter = cases[i].sent;
		enum session_rekey ga = session_slots_rekey_due(&p.a, T0 + cases[i].age);
		enum session_rekey gb = session_slots_rekey_due(&p.b, T0 + cases[i].age);
		if (ga != cases[i].initiator || gb != cases[i].responder)
			fail_msg("case %zu: initiator %d (want %d), responder %d (want %d)", i, ga,
				 cases[i].initiator, gb, cases[i].responder);
		peers_clear(&p);
	}
}

/* After a rekey, packets sealed on the old session and still in flight open on previous;
 * once expired, previous is dropped. */
static void test_previous_opens_in_flight_then_expires(void **state)
{
	struct peers p;
	struct session_evicted eva = {0}, evb = {0};
	uint8_t pkt[64], ab1[64], ab2[64], ab3[64], ba[64];
	size_t len, len1, len2, len3, len_ba;
	(void)state;

	peers_setup(&p);
	handshake_at(&p, T0, &eva, &evb);
	len = seal_on(&p.a, T0, pkt, sizeof(pkt));
	assert_int_equal(open_on(&p.b, T0, pkt, len, &evb), SEG_OK);
	struct session *old_a = p.a.current, *old_b = p.b.current;

	uint64_t t1 = T0 + SEG_REKEY_AFTER_TIME_NS;
	assert_int_equal(session_slots_rekey_due(&p.a, t1), SESSION_REKEY_TIME);
	len1 = seal_on(&p.a, t1, ab1, sizeof(ab1));
	len2 = seal_on(&p.a, t1, ab2, sizeof(ab2));
	len3 = seal_on(&p.a, t1, ab3, sizeof(ab3));
	len_ba = seal_on(&p.b, t1, ba, sizeof(ba));

	handshake_at(&p, t1, &eva, &evb);
	assert_int_equal(eva.n + evb.n, 0);
	assert_ptr_equal(p.a.previous, old_a);
	assert_ptr_not_equal(p.a.current, old_a);
	assert_ptr_equal(p.b.current, old_b); /* b sends on the old one until confirmed */
	assert_non_null(p.b.next);
	assert_int_equal(session_slots_rekey_due(&p.a, t1), SESSION_REKEY_NONE);

	/* b's packet sealed before the rekey opens on a's previous session. */
	assert_int_equal(open_on(&p.a, t1, ba, len_ba, &eva), SEG_OK);
	/* a's old-session packet opens on b's current (the old one); b does not rotate. */
	assert_int_equal(open_on(&p.b, t1, ab1, len1, &evb), SEG_OK);
	assert_non_null(p.b.next);

	/* a's first packet on the new session rotates b: old becomes previous. */
	len = seal_on(&p.a, t1, pkt, sizeof(pkt));
	assert_int_equal(open_on(&p.b, t1, pkt, len, &evb), SEG_OK);
	assert_ptr_equal(p.b.previous, old_b);
	assert_null(p.b.next);
	assert_int_equal(evb.n, 0);
	/* Late old-session packets from a still open on b's previous, once each. */
	assert_int_equal(open_on(&p.b, t1 + 1, ab3, len3, &evb), SEG_OK);
	assert_int_equal(open_on(&p.b, t1 + 1, ab3, len3, &evb), SEG_ERR_AEAD);

	/* At REJECT_AFTER_TIME of the old session: it no longer opens, and expiry drops it
	 * (and only it). */
	uint64_t t2 = T0 + SEG_REJECT_AFTER_TIME_NS;
	assert_int_equal(open_on(&p.b, t2, ab2, len2, &evb), SEG_ERR_EXPIRED);
	session_slots_expire(&p.b, t2 - 1, &evb);
	assert_int_equal(evb.n, 0);
	session_slots_expire(&p.b, t2, &evb);
	assert_int_equal(evb.n, 1);
	assert_ptr_equal(evb.s[0], old_b);
	assert_null(p.b.previous);
	assert_non_null(p.b.current);
	free_evicted(&evb);
	assert_int_equal(open_on(&p.b, t2, ab2, len2, &evb), SEG_ERR_INDEX);
	session_slots_expire(&p.a, t2, &eva);
	assert_int_equal(eva.n, 1);
	assert_ptr_equal(eva.s[0], old_a);
	free_evicted(&eva);

	/* Traffic on the new session is unaffected. */
	len = seal_on(&p.b, t2, pkt, sizeof(pkt));
	assert_int_equal(open_on(&p.a, t2, pkt, len, &eva), SEG_OK);
	peers_clear(&p);
}

/* A third session pushes the first out; an unconfirmed next is replaced by a newer one. */
static void test_rotation_evicts_oldest(void **state)
{
	struct peers p;
	struct session_evicted eva = {0}, evb = {0};
	uint8_t pkt[64];
	size_t len;
	(void)state;

	peers_setup(&p);
	handshake_at(&p, T0, &eva, &evb);
	struct session *first_a = p.a.current;
	uint32_t first_index = first_a->local_index;
	len = seal_on(&p.a, T0, pkt, sizeof(pkt));
	assert_int_equal(open_on(&p.b, T0, pkt, len, &evb), SEG_OK);
	handshake_at(&p, T0 + S(1), &eva, &evb);
	struct session *unconfirmed_b = p.b.next;
	handshake_at(&p, T0 + S(2), &eva, &evb);
	assert_int_equal(eva.n, 1);
	assert_ptr_equal(eva.s[0], first_a);
	assert_int_equal(evb.n, 1);
	assert_ptr_equal(evb.s[0], unconfirmed_b);
	free_evicted(&eva);
	free_evicted(&evb);
	assert_null(session_slots_find(&p.a, first_index));
	peers_clear(&p);
}

/* We initiated while an Init we answered is still unconfirmed (lost tie-break, late Init):
 * that `next` becomes previous so the peer's packets on it open, and current goes. */
static void test_initiator_install_with_next(void **state)
{
	struct session_slots ss = {0};
	struct session_evicted ev = {0};
	struct handshake_result r = {.cipher = SEG_CIPHER_AES256_GCM};
	struct session *cur, *nxt, *mine;
	(void)state;

	r.local_index = 1, r.initiator = true;
	cur = session_new(&r, T0);
	r.cipher = SEG_CIPHER_AES256_GCM, r.local_index = 2, r.initiator = false;
	nxt = session_new(&r, T0);
	r.cipher = SEG_CIPHER_AES256_GCM, r.local_index = 3, r.initiator = true;
	mine = session_new(&r, T0);
	assert_non_null(cur);
	assert_non_null(nxt);
	assert_non_null(mine);
	session_slots_install(&ss, cur, &ev);
	session_slots_install(&ss, nxt, &ev);
	assert_int_equal(ev.n, 0);
	session_slots_install(&ss, mine, &ev);
	assert_ptr_equal(ss.current, mine);
	assert_ptr_equal(ss.previous, nxt);
	assert_null(ss.next);
	assert_int_equal(ev.n, 1);
	assert_ptr_equal(ev.s[0], cur);
	assert_ptr_equal(session_slots_find(&ss, 2), nxt);
	assert_null(session_slots_find(&ss, 1));
	free_evicted(&ev);
	session_slots_clear(&ss, &ev);
	assert_int_equal(ev.n, 2);
	free_evicted(&ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_install_and_confirm),
	    cmocka_unit_test(test_rekey_decisions),
	    cmocka_unit_test(test_previous_opens_in_flight_then_expires),
	    cmocka_unit_test(test_rotation_evicts_oldest),
	    cmocka_unit_test(test_initiator_install_with_next),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
