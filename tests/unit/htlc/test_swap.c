/*
 * test_swap.c: the swap engine, exhaustively.  Every reachable state (each leg's status, whether
 * the preimage is known) meets every event in an alphabet that covers honest, forged, early and
 * late observations at each side of both timelocks; every reachable state is asked for its due
 * actions at each of those times.  Invariants are checked on all of it.  Term checks: one case
 * per refusal reason.
 */
#include <stdio.h>
#include <string.h>

#include "htlc/swap.h"
#include "tests/qt.h"

#define T2 1000u
#define T1 2000u

static uint8_t good_preimage[33], long_preimage[521], wrong_preimage[32];
static struct qiao_htlc_terms base_terms;

static void make_terms(struct qiao_crypto *cx)
{
    struct qiao_htlc_terms *t = &base_terms;
    memset(t, 0, sizeof(*t));
    memset(good_preimage, 0x5a, sizeof(good_preimage));
    memset(long_preimage, 0x5a, sizeof(long_preimage));
    memset(wrong_preimage, 0x5b, sizeof(wrong_preimage));
    qiao_sha256(cx, t->hashlock, good_preimage, 32);
    t->preimage_len = 32;
    t->margin_s = 1000;
    for (int i = 0; i < 2; i++) {
        struct qiao_htlc_leg *l = &t->leg[i];
        l->chain_id = 7002 + (uint64_t)i;
        l->hash = QIAO_HTLC_SHA256;
        l->addr_len = 20;
        memset(l->sender, i ? 0xbb : 0xaa, 20);
        memset(l->receiver, i ? 0xaa : 0xbb, 20);
        l->amount[31] = 100;
        l->finality_s = 100;
        l->submit_s = 100;
    }
    t->leg[QIAO_HTLC_INIT].timelock = T1;
    t->leg[QIAO_HTLC_PART].timelock = T2;
}

/* The event alphabet: for each leg, honest and forged events at times around the timelocks. */
#define MAX_EVENTS 128
static struct qiao_htlc_event alphabet[MAX_EVENTS];
static size_t alphabet_len;

static void add(struct qiao_htlc_event ev)
{
    alphabet[alphabet_len++] = ev;
}

static void build_alphabet(void)
{
    static const uint64_t times[] = {0, T2 - 1, T2, T2 + 1, T1 - 1, T1, T1 + 1};
    for (int leg = 0; leg < 2; leg++) {
        const struct qiao_htlc_leg *l = &base_terms.leg[leg];
        struct qiao_htlc_event lock = {.kind = QIAO_HTLC_EV_LOCKED, .leg = leg, .timelock = l->timelock};
        memcpy(lock.hashlock, base_terms.hashlock, 32);
        memcpy(lock.receiver, l->receiver, 20);
        memcpy(lock.amount, l->amount, 32);
        add(lock);
        struct qiao_htlc_event forged = lock;
        forged.hashlock[0] ^= 1;
        add(forged);
        forged = lock;
        forged.timelock += 1;
        add(forged);
        forged = lock;
        forged.amount[31] = 99;
        add(forged);
        for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
            struct qiao_htlc_event claim = {.kind = QIAO_HTLC_EV_CLAIMED, .leg = leg,
                                            .block_time = times[i], .preimage = good_preimage,
                                            .preimage_len = 32};
            add(claim);
            claim.preimage_len = 31;
            add(claim);
            claim.preimage_len = 33;
            add(claim);
            claim.preimage = long_preimage;
            claim.preimage_len = 521;
            add(claim);
            claim.preimage = wrong_preimage; /* 32 bytes, wrong value */
            claim.preimage_len = 32;
            add(claim);
            add((struct qiao_htlc_event){.kind = QIAO_HTLC_EV_REFUNDED, .leg = leg,
                                         .block_time = times[i]});
        }
    }
}

static int legal_move(enum qiao_htlc_status from, enum qiao_htlc_status to)
{
    return from == to || (from == QIAO_HTLC_NONE && to == QIAO_HTLC_LOCKED) ||
           (from == QIAO_HTLC_LOCKED && (to == QIAO_HTLC_CLAIMED || to == QIAO_HTLC_REFUNDED));
}

static int checked_transitions, checked_due;

static void check_event(struct qiao_crypto *cx, const struct qiao_htlc_swap *s,
                        const struct qiao_htlc_event *ev, struct qiao_htlc_swap *next, int *ok)
{
    *next = *s;
    qiao_err err = qiao_htlc_apply(cx, next, ev, NULL);
    *ok = err == QIAO_OK;
    checked_transitions++;
    if (err) {
        QT_CHECKF(memcmp(next, s, sizeof(*s)) == 0, "refused event changed the state");
        return;
    }
    const struct qiao_htlc_leg *l = &s->terms.leg[ev->leg];
    QT_CHECK(legal_move(s->status[ev->leg], next->status[ev->leg]));
    if (ev->kind == QIAO_HTLC_EV_CLAIMED) {
        QT_CHECKF(ev->block_time < l->timelock, "claim accepted at %llu >= timelock",
                  (unsigned long long)ev->block_time);
        QT_CHECK(ev->preimage == good_preimage && ev->preimage_len == 32);
    }
    if (ev->kind == QIAO_HTLC_EV_REFUNDED)
        QT_CHECK(ev->block_time >= l->timelock);
    if (ev->kind == QIAO_HTLC_EV_LOCKED)
        QT_CHECK(memcmp(ev->hashlock, s->terms.hashlock, 32) == 0 && ev->timelock == l->timelock &&
                 ev->amount[31] == 100);
}

static void check_due(struct qiao_htlc_swap *s, uint64_t now)
{
    struct qiao_htlc_action a[2];
    size_t n = qiao_htlc_due(a, s, now);
    checked_due++;
    QT_CHECK(n <= 2);
    for (size_t i = 0; i < n; i++) {
        const struct qiao_htlc_leg *l = &s->terms.leg[a[i].leg];
        QT_CHECK(s->status[a[i].leg] == QIAO_HTLC_LOCKED);
        if (a[i].kind == QIAO_HTLC_ACT_CLAIM)
            QT_CHECK(a[i].leg == QIAO_HTLC_INIT && s->preimage_known && now < l->timelock);
        if (a[i].kind == QIAO_HTLC_ACT_REFUND)
            QT_CHECKF(now >= l->timelock, "refund due before expiry at %llu", (unsigned long long)now);
        for (size_t j = 0; j < i; j++)
            QT_CHECK(a[j].leg != a[i].leg); /* never claim and refund one leg together */
    }
    /* Atomicity for the participant: once the secret is out, the relay claims INIT in time. */
    int claim_due = 0;
    for (size_t i = 0; i < n; i++)
        claim_due |= a[i].kind == QIAO_HTLC_ACT_CLAIM;
    if (s->preimage_known && s->status[QIAO_HTLC_INIT] == QIAO_HTLC_LOCKED && now < T1)
        QT_CHECKF(claim_due, "secret known, initiator leg locked, but no claim due at %llu",
                  (unsigned long long)now);
}

/* Breadth-first search over reachable states. */
static void explore(struct qiao_crypto *cx)
{
    static struct qiao_htlc_swap seen[64];
    size_t nseen = 0, head = 0;
    qiao_htlc_init(&seen[nseen++], &base_terms, 1);
    while (head < nseen) {
        struct qiao_htlc_swap s = seen[head++];
        static const uint64_t times[] = {0, T2 - 1, T2, T1 - 1, T1, T1 + 1};
        for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++) {
            struct qiao_htlc_swap copy = s;
            check_due(&copy, times[t]);
        }
        for (size_t e = 0; e < alphabet_len; e++) {
            struct qiao_htlc_swap next;
            int ok;
            check_event(cx, &s, &alphabet[e], &next, &ok);
            if (!ok)
                continue;
            next.alerts = 0;
            int known = 0;
            for (size_t k = 0; k < nseen && !known; k++)
                known = memcmp(&seen[k], &next, sizeof(next)) == 0;
            if (!known && nseen < 64)
                seen[nseen++] = next;
        }
    }
    printf("explored %zu reachable states, %d transitions, %d due-action checks\n", nseen,
           checked_transitions, checked_due);
    QT_CHECK(nseen >= 9 && nseen < 64);
}

static void test_race_at_expiry(struct qiao_crypto *cx)
{
    struct qiao_htlc_swap s;
    qiao_htlc_init(&s, &base_terms, 1);
    QT_CHECK(qiao_htlc_apply(cx, &s, &alphabet[0], NULL) == QIAO_OK); /* INIT locked */
    struct qiao_htlc_event claim = {.kind = QIAO_HTLC_EV_CLAIMED, .leg = QIAO_HTLC_INIT,
                                    .block_time = T1, .preimage = good_preimage, .preimage_len = 32};
    struct qiao_htlc_event refund = {.kind = QIAO_HTLC_EV_REFUNDED, .leg = QIAO_HTLC_INIT,
                                     .block_time = T1};
    struct qiao_diag d = {0};
    QT_CHECK(qiao_htlc_apply(cx, &s, &claim, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "claim-after-expiry") == 0);
    QT_CHECK(qiao_htlc_apply(cx, &s, &refund, &d) == QIAO_OK);
    QT_CHECK(strcmp(qiao_htlc_phase(&s), "refunded") == 0);
    QT_CHECK(qiao_htlc_apply(cx, &s, &claim, &d) == QIAO_ESTATE); /* exactly one succeeds */
}

static void expect_terms(const struct qiao_htlc_terms *t, const char *reason)
{
    struct qiao_diag d = {0};
    qiao_err err = qiao_htlc_check_terms(t, 0, &d);
    if (!reason)
        QT_CHECKF(err == QIAO_OK, "valid terms refused: %s", d.msg);
    else
        QT_CHECKF(err && strcmp(d.reason, reason) == 0, "want %s, got %s", reason,
                  err ? d.reason : "accepted");
}

static void test_terms(void)
{
    struct qiao_htlc_terms t = base_terms;
    expect_terms(&t, NULL);
    t.leg[QIAO_HTLC_INIT].timelock = T2 + 999;
    expect_terms(&t, "timelock-order");
    t = base_terms;
    t.leg[QIAO_HTLC_INIT].timelock = T2 - 10;
    expect_terms(&t, "timelock-order");
    t = base_terms;
    t.margin_s = 399;
    expect_terms(&t, "margin-too-small");
    t = base_terms;
    t.leg[QIAO_HTLC_PART].hash = QIAO_HTLC_KECCAK256;
    expect_terms(&t, "hash-mismatch");
    static const size_t bad_lengths[] = {31, 33, 521, 0};
    for (size_t i = 0; i < 4; i++) {
        t = base_terms;
        t.preimage_len = bad_lengths[i];
        expect_terms(&t, "preimage-length");
    }
    t = base_terms;
    memset(t.leg[QIAO_HTLC_PART].amount, 0, 32);
    expect_terms(&t, "amount-zero");
    t = base_terms;
    memset(t.leg[QIAO_HTLC_INIT].receiver, 0, 20);
    expect_terms(&t, "recipient-zero");
    t = base_terms;
    t.leg[QIAO_HTLC_INIT].receiver[0] = 0xcc;
    expect_terms(&t, "recipient-mismatch");
    t = base_terms;
    t.leg[QIAO_HTLC_PART].timelock = 300;
    t.leg[QIAO_HTLC_INIT].timelock = 1300;
    expect_terms(&t, "timelock-too-soon");
    t = base_terms;
    t.leg[QIAO_HTLC_INIT].hash = 9;
    expect_terms(&t, "unsupported-hash");
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    QT_CHECK(cx != NULL);
    if (!cx)
        return qt_finish();
    make_terms(cx);
    build_alphabet();
    explore(cx);
    test_race_at_expiry(cx);
    test_terms();
    qiao_crypto_destroy(cx);
    return qt_finish();
}
