/*
 * test_btc_swap_leg.c: a swap's Bitcoin leg (adapters/bitcoin/btc_swap_leg.h) without a node:
 * the script follows from the terms (and changes with every agreed field), the relay's claim and
 * refund of the leg are built and signed only with the branch's key, qiao_btc_htlc_find reads
 * them back, they become engine events that the engine accepts on the right side of the height
 * (claim in block <= T, refund from block T+1), and a spend of another script is refused.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/bitcoin/btc_swap_leg.h"
#include "tests/qt.h"

#define FEE 2000u
#define VALUE 100000000u

struct keys {
    uint8_t alice_sk[32], bob_sk[32], alice[33], bob[33];
};

static void make_record(struct qiao_crypto *cx, struct qiao_htlc_record *r, struct keys *k,
                        const uint8_t preimage[32])
{
    struct qiao_diag d = {0};
    memset(k->alice_sk, 0xa1, 32), memset(k->bob_sk, 0xb2, 32);
    QT_CHECK(qiao_btc_pubkey33(cx, k->alice, k->alice_sk, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_pubkey33(cx, k->bob, k->bob_sk, &d) == QIAO_OK);
    memset(r, 0, sizeof(*r));
    qiao_sha256(cx, r->swap.terms.hashlock, preimage, 32);
    r->swap.terms.preimage_len = 32, r->swap.terms.margin_s = 600;
    struct qiao_htlc_leg *init = &r->swap.terms.leg[0], *part = &r->swap.terms.leg[1];
    init->chain_id = 7002, init->hash = QIAO_HTLC_SHA256, init->addr_len = 20;
    memset(init->sender, 0x11, 20), memset(init->receiver, 0x22, 20);
    init->amount[31] = 9, init->timelock = 90000, init->finality_s = 10, init->submit_s = 20;
    r->drive[0].family = QIAO_HTLC_FAMILY_EVM;
    /* The participant (bob) locks bitcoin for the initiator (alice). */
    part->chain_id = 18444, part->hash = QIAO_HTLC_SHA256, part->addr_len = 33;
    memcpy(part->sender, k->bob, 33), memcpy(part->receiver, k->alice, 33);
    for (int b = 0; b < 8; b++)
        part->amount[31 - b] = (uint8_t)((uint64_t)VALUE >> (8 * b));
    part->timelock = 50000, part->finality_s = 10, part->submit_s = 20;
    r->drive[1].family = QIAO_HTLC_FAMILY_BITCOIN;
    r->drive[1].height = (struct qiao_htlc_height_lock){.height = 1400, .block_s_min = 1,
                                                        .block_s_max = 30};
    struct qiao_htlc_terms t = r->swap.terms; /* init copies from t after clearing s */
    qiao_htlc_init(&r->swap, &t, 1);
}

static void test_script(struct qiao_crypto *cx, const struct qiao_htlc_record *r,
                        const struct keys *k)
{
    struct qiao_btc_htlc h;
    struct qiao_diag d = {0};
    uint8_t prog[32], prog2[32], want[32];
    QT_CHECK(qiao_btc_swap_leg_htlc(&h, r, 1, &d) == QIAO_OK);
    QT_CHECK(h.locktime == 1400 && !memcmp(h.recv_pub, k->alice, 33) &&
             !memcmp(h.refund_pub, k->bob, 33) && !memcmp(h.hash, r->swap.terms.hashlock, 32));
    QT_CHECK(qiao_btc_swap_leg_program(cx, prog, NULL, r, 1, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_htlc_address(cx, NULL, NULL, want, QIAO_BTC_REGTEST, &h, &d) == QIAO_OK);
    QT_CHECK_MEM(prog, want, 32);
    QT_CHECK(qiao_btc_swap_leg_htlc(&h, r, 0, &d) && !strcmp(d.reason, "not-bitcoin-leg"));
    QT_CHECK(qiao_btc_swap_leg_htlc(&h, r, 2, &d) && !strcmp(d.reason, "not-bitcoin-leg"));
    /* Every agreed field but the amount is in the script: change one, the program changes. */
    struct qiao_htlc_record w = *r;
    w.drive[1].height.height++;
    QT_CHECK(qiao_btc_swap_leg_program(cx, prog2, NULL, &w, 1, &d) == QIAO_OK &&
             memcmp(prog, prog2, 32) != 0);
    w = *r, w.swap.terms.leg[1].receiver[0] ^= 1; /* 02 <-> 03: still a valid prefix */
    QT_CHECK(qiao_btc_swap_leg_program(cx, prog2, NULL, &w, 1, &d) == QIAO_OK &&
             memcmp(prog, prog2, 32) != 0);
    w = *r, w.swap.terms.hashlock[5] ^= 1;
    QT_CHECK(qiao_btc_swap_leg_program(cx, prog2, NULL, &w, 1, &d) == QIAO_OK &&
             memcmp(prog, prog2, 32) != 0);
    w = *r, w.drive[1].height.height = QIAO_BTC_LOCKTIME_THRESHOLD;
    QT_CHECK(qiao_btc_swap_leg_htlc(&h, &w, 1, &d) && !strcmp(d.reason, "bad-value"));
}

/* Build the spend, find it as the watcher would, and turn it into an event at height. */
static qiao_err spend_event(struct qiao_crypto *cx, const struct qiao_htlc_record *r,
                            enum qiao_btc_htlc_branch br, const uint8_t sk[32],
                            const uint8_t *pre, struct qiao_btc_htlc_match *m,
                            struct qiao_htlc_event *ev, uint64_t height, struct qiao_diag *d)
{
    static const uint8_t dest[22] = {0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                     11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    struct qiao_btc_swap_outpoint op = {.vout = 1, .value = VALUE};
    struct qiao_buf tx = {0};
    uint8_t arena_mem[16384];
    struct qiao_arena arena;
    memset(op.txid, 0x5a, 32);
    qiao_err err = qiao_btc_swap_leg_spend(cx, &tx, r, 1, &op, br, sk, pre, 32, dest,
                                           sizeof(dest), FEE, d);
    if (!err) {
        qiao_arena_init(&arena, arena_mem, sizeof(arena_mem));
        memset(m, 0, sizeof(*m));
        m->want_program = 1;
        err = qiao_btc_swap_leg_program(cx, m->program, NULL, r, 1, d);
        if (!err)
            err = qiao_btc_htlc_find(cx, m, tx.p, tx.len, &arena, d);
        if (!err)
            err = qiao_btc_swap_leg_event(ev, r, 1, m, height, 1700000000, d);
    }
    qiao_buf_clear(&tx);
    return err;
}

static void test_spends(struct qiao_crypto *cx, struct qiao_htlc_record *r, const struct keys *k,
                        const uint8_t pre[32])
{
    struct qiao_btc_htlc_match m;
    struct qiao_htlc_event ev;
    struct qiao_diag d = {0};
    /* Only the branch's key signs. */
    QT_CHECK(spend_event(cx, r, QIAO_BTC_HTLC_CLAIM, k->bob_sk, pre, &m, &ev, 1400, &d) &&
             !strcmp(d.reason, "wrong-key"));
    QT_CHECK(spend_event(cx, r, QIAO_BTC_HTLC_REFUND, k->alice_sk, NULL, &m, &ev, 1401, &d) &&
             !strcmp(d.reason, "wrong-key"));
    uint8_t bad[32];
    memcpy(bad, pre, 32), bad[0] ^= 1;
    QT_CHECK(spend_event(cx, r, QIAO_BTC_HTLC_CLAIM, k->alice_sk, bad, &m, &ev, 1400, &d) &&
             !strcmp(d.reason, "bad-preimage"));
    /* The leg locked, then a claim mined in block T (the last block before the refund can be). */
    struct qiao_htlc_record s = *r;
    memset(&m, 0, sizeof(m));
    m.kind = QIAO_BTC_HTLC_LOCK, m.value = VALUE;
    QT_CHECK(qiao_btc_swap_leg_event(&ev, &s, 1, &m, 1380, 1700000000, &d) == QIAO_OK);
    QT_CHECK(ev.kind == QIAO_HTLC_EV_LOCKED &&
             ev.timelock == 50000);
    /* A block time beyond the seconds deadline does not expire a leg below its height. */
    QT_CHECK(ev.block_time == 49999);
    QT_CHECKF(qiao_htlc_apply(cx, &s.swap, &ev, &d) == QIAO_OK, "%s", d.msg);
    m.value = VALUE - 1;
    QT_CHECK(qiao_btc_swap_leg_event(&ev, r, 1, &m, 1380, 1, &d) == QIAO_OK);
    struct qiao_htlc_record t = *r;
    QT_CHECK(qiao_htlc_apply(cx, &t.swap, &ev, &d) && !strcmp(d.reason, "lock-mismatch"));
    struct qiao_htlc_record s2 = s;
    QT_CHECKF(spend_event(cx, &s, QIAO_BTC_HTLC_CLAIM, k->alice_sk, pre, &m, &ev, 1400, &d) ==
              QIAO_OK, "%s", d.msg);
    QT_CHECK(ev.kind == QIAO_HTLC_EV_CLAIMED && ev.preimage_len == 32 &&
             !memcmp(ev.preimage, pre, 32));
    QT_CHECKF(qiao_htlc_apply(cx, &s.swap, &ev, &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(s.swap.preimage_known && !memcmp(s.swap.preimage, pre, 32));
    /* The same claim in block T+1 raced the refund: the engine calls it late. */
    QT_CHECK(spend_event(cx, &s2, QIAO_BTC_HTLC_CLAIM, k->alice_sk, pre, &m, &ev, 1401, &d) ==
             QIAO_OK);
    QT_CHECK(qiao_htlc_apply(cx, &s2.swap, &ev, &d) && !strcmp(d.reason, "claim-after-expiry"));
    /* The refund: not due at tip T-1, due at tip T, accepted from block T+1. */
    struct qiao_htlc_action act[2];
    size_t n = qiao_htlc_due(act, &s2.swap, qiao_btc_swap_leg_clock(&s2, 1, 1399, 1700000000));
    QT_CHECK(n == 0 || act[0].leg != QIAO_HTLC_PART);
    n = qiao_htlc_due(act, &s2.swap, qiao_btc_swap_leg_clock(&s2, 1, 1400, 10));
    QT_CHECK(n >= 1 && act[0].kind == QIAO_HTLC_ACT_REFUND && act[0].leg == QIAO_HTLC_PART);
    QT_CHECKF(spend_event(cx, &s2, QIAO_BTC_HTLC_REFUND, k->bob_sk, NULL, &m, &ev, 1401, &d) ==
              QIAO_OK, "%s", d.msg);
    QT_CHECK(ev.kind == QIAO_HTLC_EV_REFUNDED && ev.block_time == 1700000000);
    QT_CHECKF(qiao_htlc_apply(cx, &s2.swap, &ev, &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(s2.swap.status[1] == QIAO_HTLC_REFUNDED);
    /* A spend of some other HTLC script is not this leg's. */
    m.kind = QIAO_BTC_HTLC_CLAIMED, m.htlc.locktime = 1399;
    QT_CHECK(qiao_btc_swap_leg_event(&ev, r, 1, &m, 1380, 1, &d) && !strcmp(d.reason, "wrong-htlc"));
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    struct qiao_htlc_record r;
    struct keys k;
    uint8_t pre[32];
    memset(pre, 0x42, 32);
    make_record(cx, &r, &k, pre);
    test_script(cx, &r, &k);
    test_spends(cx, &r, &k, pre);
    qiao_crypto_destroy(cx);
    return qt_finish();
}
