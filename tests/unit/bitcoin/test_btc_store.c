/*
 * test_btc_store.c: the header tree on mined regtest branches: extension, first-seen ties,
 * reorgs (shallow and back to the anchor), un-finalisation, duplicates, orphans, rejected headers
 * leaving the store untouched, the store's size cap, and the adapter table's wrappers.
 */
#include <string.h>

#include "adapters/bitcoin/btc_adapter.h"
#include "adapters/bitcoin/btc_store.h"
#include "tests/qt.h"
#include "tests/unit/bitcoin/btc_mine.h"

struct fixture {
    struct qiao_crypto *cx;
    struct qiao_btc_memstore mem;
    struct qiao_btc_chain chain;
};

/* Mine n blocks on top of the stored header `from`; tag separates branches.  Returns the
 * status of the last addition and leaves its hash in last. */
static enum qiao_btc_add_status grow(struct fixture *f, const uint8_t from[32], int n,
                                     uint32_t tag, uint8_t last[32], struct qiao_btc_add_result *r)
{
    struct qiao_btc_record rec;
    struct qiao_diag d = {0};
    uint8_t raw[80];
    QT_CHECK(f->chain.store.ops->get(f->chain.store.self, &rec, from, NULL) == QIAO_OK);
    struct qiao_btc_link parent = rec.link;
    for (int i = 0; i < n; i++) {
        btc_mine_child(f->cx, raw, &parent, parent.time + 600, 0x207fffff, 0x20000000, tag);
        QT_CHECKF(qiao_btc_chain_add(f->cx, &f->chain, r, raw, 80, QIAO_BTC_NO_CLOCK, &d) ==
                      QIAO_OK, "%s", d.msg);
        QT_CHECK(f->chain.store.ops->get(f->chain.store.self, &rec, r->hash, NULL) == QIAO_OK);
        parent = rec.link;
    }
    memcpy(last, parent.hash, 32);
    return r->status;
}

static void main_hash(struct fixture *f, uint8_t out[32], uint64_t height)
{
    QT_CHECK(f->chain.store.ops->main_get(f->chain.store.self, out, height, NULL) == QIAO_OK);
}

static void reorgs(struct fixture *f)
{
    struct qiao_btc_add_result r;
    uint8_t genesis[32], a_tip[32], a3[32], a5[32], b_tip[32], b5[32], c_tip[32];
    memcpy(genesis, f->chain.tip.hash, 32);
    QT_CHECK(grow(f, genesis, 10, 1, a_tip, &r) == QIAO_BTC_ADD_EXTENDED);
    main_hash(f, a3, 3);
    main_hash(f, a5, 5);
    QT_CHECK(qiao_btc_chain_is_final(&f->chain, a5));        /* 6 confirmations */
    uint8_t a6[32];
    main_hash(f, a6, 6);
    QT_CHECK(!qiao_btc_chain_is_final(&f->chain, a6));       /* 5 confirmations */
    /* Branch B from height 3 to the same height: equal work, first seen wins. */
    QT_CHECK(grow(f, a3, 7, 2, b_tip, &r) == QIAO_BTC_ADD_SIDE);
    QT_CHECK(!memcmp(f->chain.tip.hash, a_tip, 32));
    /* One more block on B: B has more work, the best chain switches. */
    QT_CHECK(grow(f, b_tip, 1, 2, b_tip, &r) == QIAO_BTC_ADD_REORG);
    QT_CHECK(r.fork_height == 3 && r.reorg_depth == 7 && f->chain.tip.height == 11);
    QT_CHECK(!memcmp(f->chain.tip.hash, b_tip, 32));
    uint64_t confs = 1;
    QT_CHECK(qiao_btc_chain_confirmations(&f->chain, &confs, a5, NULL) == QIAO_OK && confs == 0);
    QT_CHECK(!qiao_btc_chain_is_final(&f->chain, a5));      /* un-finalised by the reorg */
    main_hash(f, b5, 5);
    QT_CHECK(memcmp(b5, a5, 32) != 0 && qiao_btc_chain_is_final(&f->chain, b5));
    QT_CHECK(qiao_btc_chain_is_final(&f->chain, a3));       /* the common part stays final */
    /* Branch C from the anchor, longer than B: a reorg down to the anchor. */
    QT_CHECK(grow(f, genesis, 11, 3, c_tip, &r) == QIAO_BTC_ADD_SIDE);
    QT_CHECK(grow(f, c_tip, 1, 3, c_tip, &r) == QIAO_BTC_ADD_REORG);
    QT_CHECK(r.fork_height == 0 && r.reorg_depth == 11 && f->chain.tip.height == 12);
    QT_CHECK(!qiao_btc_chain_is_final(&f->chain, a3) && !qiao_btc_chain_is_final(&f->chain, b5));
    /* And back to A by extending it past C. */
    QT_CHECK(grow(f, a_tip, 3, 1, a_tip, &r) == QIAO_BTC_ADD_REORG);
    QT_CHECK(r.fork_height == 0 && f->chain.tip.height == 13 && qiao_btc_chain_is_final(&f->chain, a5));
    uint8_t h5[32];
    main_hash(f, h5, 5);
    QT_CHECK(!memcmp(h5, a5, 32));
}

static void rejects(struct fixture *f)
{
    struct qiao_btc_add_result r;
    struct qiao_diag d = {0};
    struct qiao_btc_record rec;
    uint8_t raw[80];
    struct qiao_btc_link tip = f->chain.tip;
    btc_mine_child(f->cx, raw, &tip, tip.time + 600, 0x207fffff, 0x20000000, 9);
    QT_CHECK(qiao_btc_chain_add(f->cx, &f->chain, &r, raw, 80, QIAO_BTC_NO_CLOCK, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_chain_add(f->cx, &f->chain, &r, raw, 80, QIAO_BTC_NO_CLOCK, &d) == QIAO_OK &&
             r.status == QIAO_BTC_ADD_DUPLICATE);
    tip = f->chain.tip;
    btc_mine_child(f->cx, raw, &tip, tip.time + 600, 0x207fffff, 1, 9); /* bad version */
    size_t before = f->mem.nrecs;
    QT_CHECK(qiao_btc_chain_add(f->cx, &f->chain, &r, raw, 80, QIAO_BTC_NO_CLOCK, &d) ==
                 QIAO_EVERIFY && !strcmp(d.reason, "bad-version"));
    QT_CHECK(f->mem.nrecs == before && !memcmp(f->chain.tip.hash, tip.hash, 32));
    QT_CHECK(f->chain.store.ops->get(f->chain.store.self, &rec, r.hash, NULL) == QIAO_ENOTFOUND);
    tip.hash[5] ^= 1;
    btc_mine_child(f->cx, raw, &tip, tip.time + 600, 0x207fffff, 0x20000000, 9);
    QT_CHECK(qiao_btc_chain_add(f->cx, &f->chain, &r, raw, 80, QIAO_BTC_NO_CLOCK, &d) ==
                 QIAO_ENOTFOUND && !strcmp(d.reason, "unknown-parent"));
}

static void store_cap(struct qiao_crypto *cx)
{
    struct fixture f = {.cx = cx};
    struct qiao_btc_store view;
    struct qiao_btc_add_result r;
    struct qiao_diag d = {0};
    uint8_t raw[80];
    qiao_btc_memstore_init(&f.mem, &view, 3);
    QT_CHECK(qiao_btc_chain_init(cx, &f.chain, qiao_btc_params_get(QIAO_BTC_REGTEST), view,
                                 btc_regtest_genesis, 80, 0, NULL, &d) == QIAO_OK);
    for (int i = 0; i < 3; i++) {
        struct qiao_btc_link tip = f.chain.tip;
        btc_mine_child(cx, raw, &tip, tip.time + 600, 0x207fffff, 0x20000000, 0);
        qiao_err err = qiao_btc_chain_add(cx, &f.chain, &r, raw, 80, QIAO_BTC_NO_CLOCK, &d);
        QT_CHECK(i < 2 ? err == QIAO_OK : (err == QIAO_ERANGE && !strcmp(d.reason, "store-full")));
    }
    qiao_btc_memstore_clear(&f.mem);
}

static void adapter_table(struct qiao_crypto *cx)
{
    const struct qiao_adapter *a = &qiao_adapter_bitcoin;
    struct qiao_header_info info, tip;
    struct qiao_btc_link g, child;
    struct qiao_diag d = {0};
    uint8_t raw[80];
    QT_CHECK(a->abi == QIAO_ADAPTER_ABI && !strcmp(a->family, "bitcoin") && (a->caps & QIAO_CAP_POW));
    QT_CHECK(qiao_adapter_header_decode(a, cx, &info, btc_regtest_genesis, 80, &d) == QIAO_OK);
    QT_CHECK(info.time == 1296688602 && info.work[31] == 2);
    const struct qiao_btc_params *reg = qiao_btc_params_get(QIAO_BTC_REGTEST);
    QT_CHECK(qiao_btc_link_anchor(cx, &g, reg, btc_regtest_genesis, 80, 0, NULL, &d) == QIAO_OK);
    btc_mine_child(cx, raw, &g, g.time + 1, 0x207fffff, 0x20000000, 0);
    struct qiao_btc_verify_ctx ctx = {.params = reg, .parent = &g, .now = QIAO_BTC_NO_CLOCK};
    QT_CHECK(qiao_adapter_header_verify(a, cx, &info, &ctx, raw, 80, NULL, &d) == QIAO_OK);
    QT_CHECK(info.height == 1 && info.work[31] == 4 && !memcmp(info.parent, g.hash, 32));
    struct qiao_header_info scratch;
    QT_CHECK(qiao_adapter_header_verify(a, cx, &scratch, NULL, raw, 80, NULL, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_btc_link_next(cx, &child, reg, &g, raw, 80, QIAO_BTC_NO_CLOCK, &d) == QIAO_OK);
    tip = info;
    tip.height = 6;
    tip.work[31] = 14;
    QT_CHECK(qiao_adapter_is_final(a, NULL, &info, &tip));
    struct qiao_btc_finality seven = {.confirmations = 7};
    QT_CHECK(!qiao_adapter_is_final(a, &seven, &info, &tip));
    QT_CHECK(qiao_adapter_tip_cmp(a, &tip, &info) > 0);
}

int main(void)
{
    struct fixture f = {.cx = qiao_crypto_create()};
    struct qiao_btc_store view;
    struct qiao_diag d = {0};
    qiao_btc_memstore_init(&f.mem, &view, 0);
    QT_CHECK(qiao_btc_chain_init(f.cx, &f.chain, qiao_btc_params_get(QIAO_BTC_REGTEST), view,
                                 btc_regtest_genesis, 80, 0, NULL, &d) == QIAO_OK);
    reorgs(&f);
    rejects(&f);
    qiao_btc_memstore_clear(&f.mem);
    store_cap(f.cx);
    adapter_table(f.cx);
    qiao_crypto_destroy(f.cx);
    return qt_finish();
}
