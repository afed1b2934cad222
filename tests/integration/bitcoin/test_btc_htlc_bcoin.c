/*
 * test_btc_htlc_bcoin.c: the Bitcoin HTLC live on a real bcoin regtest node.  A coinbase mined to
 * our own key funds two HTLC outputs (built and signed here).  On the claim HTLC: claims with
 * 31-, 33- and 521-byte preimages and with a wrong 32-byte preimage are rejected by the node; a
 * third party that redirects the claim's output is rejected, and broadcasting the receiver's
 * claim unchanged pays the receiver; the mined claim is observed through the verified path
 * (header chain, gettxoutproof, htlc_match) and yields the preimage.  On the refund HTLC (CLTV
 * with a block height): a refund before T and a refund with nLockTime below T are rejected; after
 * mining past T the refund is accepted and observed.  The node is stopped by PID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_htlc.h"
#include "adapters/bitcoin/btc_source.h"
#include "adapters/bitcoin/btc_source_htlc.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/hex.h"
#include "tests/integration/bitcoin/bcoin_node.h"
#include "tests/integration/bitcoin/regtest_funds.h"
#include "tests/qt.h"

#define FEE 2000u
/* bcoin's mempool reason for a failed witness script: it re-checks with its mandatory flags,
 * which omit WITNESS, so script failures inside P2WSH surface as "non-mandatory". */
#define SCRIPT_FAILED "non-mandatory-script-verify-flag"

#define LOCKED 100000000u /* 1 BTC per HTLC */

struct world {
    struct qiao_crypto *cx;
    struct bcoin_node node;
    struct qiao_btc_memstore mem;
    struct qiao_btc_chain chain;
    struct regtest_key funder, alice, bob, mallory;
    uint8_t preimage[32];
    struct qiao_btc_htlc claim_htlc, refund_htlc;
    uint8_t fund_txid[32];
};

static uint64_t tip_height(struct world *w)
{
    cJSON *res = NULL;
    uint64_t h = 0;
    if (qiao_rpc_call_sync(w->node.rpc, "getblockcount", NULL, &res, NULL) == QIAO_OK &&
        cJSON_IsNumber(res))
        h = (uint64_t)res->valuedouble;
    cJSON_Delete(res);
    return h;
}

static void follow(struct world *w)
{
    struct qiao_btc_follow_result fr;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_btc_source_follow(w->cx, w->node.rpc, &w->chain, &fr, &d) == QIAO_OK, "%s",
              d.msg);
}

static int init_chain(struct world *w)
{
    struct qiao_btc_store view;
    struct qiao_diag d = {0};
    uint8_t genesis[32], raw[80];
    const struct qiao_btc_params *reg = qiao_btc_params_get(QIAO_BTC_REGTEST);
    if (qiao_btc_source_block_hash(w->node.rpc, genesis, 0, &d) ||
        qiao_btc_source_header(w->cx, w->node.rpc, raw, genesis, &d))
        return -1;
    qiao_btc_memstore_init(&w->mem, &view, 0);
    QT_CHECK(qiao_btc_chain_init(w->cx, &w->chain, reg, view, raw, 80, 0, NULL, &d) == QIAO_OK);
    w->chain.confirmations = 1;
    return 0;
}

#define NODE_LOG "bcoin-htlc-test.log"

static long log_size(void)
{
    FILE *f = fopen(QIAO_BINARY_DIR "/" NODE_LOG, "rb");
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

/* The node's own verdict: bcoin logs "Verification failure: <reason> (... hash=<txid>)". */
static int log_says(struct qiao_crypto *cx, long from, const char *reason, const uint8_t *raw, size_t len)
{
    struct qiao_btc_tx_info info;
    char want[160], txid[65], line[1024];
    int found = 0;
    FILE *f = fopen(QIAO_BINARY_DIR "/" NODE_LOG, "rb");
    if (!f || fseek(f, from, SEEK_SET) != 0 || qiao_btc_tx_parse(cx, &info, raw, len, NULL))
        return f ? fclose(f), 0 : 0;
    qiao_hex_encode_rev(txid, info.txid, 32);
    snprintf(want, sizeof(want), "Verification failure: %s", reason);
    while (fgets(line, sizeof(line), f))
        found |= strstr(line, want) && strstr(line, txid);
    fclose(f);
    return found;
}

/* Broadcast b and expect the node to refuse it, for the reason its log gives. */
static void expect_rejected(struct world *w, const struct qiao_buf *b, const char *what,
                            const char *node_reason)
{
    struct qiao_diag d = {0};
    long from = log_size();
    qiao_err err = qiao_btc_source_send(w->cx, w->node.rpc, NULL, b->p, b->len, &d);
    QT_CHECKF(err != QIAO_OK && (!strcmp(d.reason, "rpc-error") || !strcmp(d.reason,
              "not-accepted")), "%s: expected the node to reject it (got %s)", what, d.reason);
    QT_CHECKF(log_says(w->cx, from, node_reason, b->p, b->len), "%s: the node's log does not show "
              "\"%s\" for it", what, node_reason);
    printf("  node rejects %s: %s\n", what, node_reason);
}

static void spend_of(struct world *w, struct qiao_btc_htlc_spend *sp,
                     const struct qiao_btc_htlc *h, uint32_t vout, const struct regtest_key *to)
{
    memset(sp, 0, sizeof(*sp));
    sp->htlc = h;
    memcpy(sp->prev_txid, w->fund_txid, 32);
    sp->prev_vout = vout, sp->prev_value = LOCKED, sp->fee = FEE;
    sp->dest_spk = to->spk, sp->dest_spk_len = 34;
}

/* Mine one block and observe txid in it through the verified path. */
static void observe(struct world *w, const uint8_t txid[32], struct qiao_btc_htlc_match *m,
                    const struct qiao_btc_htlc *h)
{
    struct qiao_btc_htlc_seen seen;
    struct qiao_diag d = {0};
    uint8_t block[32];
    QT_CHECK(qiao_btc_source_mine(w->node.rpc, block, 1, REGTEST_BURN_ADDR, &d) == QIAO_OK);
    follow(w);
    memset(m, 0, sizeof(*m));
    m->want_program = 1;
    QT_CHECK(qiao_btc_htlc_address(w->cx, NULL, NULL, m->program, QIAO_BTC_REGTEST, h, &d) ==
             QIAO_OK);
    QT_CHECKF(qiao_btc_source_htlc_observe(w->cx, w->node.rpc, &w->chain, m, &seen, txid, block,
                                           &d) == QIAO_OK, "observe: %s (%s)", d.msg, d.reason);
    QT_CHECK(seen.height == w->chain.tip.height && seen.confirmations == 1);
}

static void fund(struct world *w)
{
    struct regtest_coin coin;
    struct qiao_diag d = {0};
    uint8_t spk_a[34], spk_b[34];
    char addr[QIAO_BTC_ADDR_MAX];
    QT_CHECK(regtest_coinbase(w->cx, &w->node, &w->funder, &coin) == 0);
    uint64_t tip = tip_height(w);
    qiao_sha256(w->cx, w->claim_htlc.hash, w->preimage, 32);
    memcpy(w->claim_htlc.recv_pub, w->alice.pub, 33);
    memcpy(w->claim_htlc.refund_pub, w->bob.pub, 33);
    w->refund_htlc = w->claim_htlc;
    w->claim_htlc.locktime = (uint32_t)tip + 500;
    w->refund_htlc.locktime = (uint32_t)tip + 6;
    QT_CHECK(qiao_btc_htlc_address(w->cx, addr, spk_a, NULL, QIAO_BTC_REGTEST, &w->claim_htlc,
                                   &d) == QIAO_OK);
    char rb[QIAO_BTC_ADDR_MAX];
    QT_CHECK(qiao_btc_address_encode_hrp(rb, BCOIN_REGTEST_HRP, spk_a + 2, 32, &d) == QIAO_OK);
    printf("  claim HTLC address %s (bcoin: %s) (T=%u), refund HTLC T=%u, tip %llu\n", addr,
           rb, w->claim_htlc.locktime, w->refund_htlc.locktime, (unsigned long long)tip);
    QT_CHECK(qiao_btc_htlc_address(w->cx, NULL, spk_b, NULL, QIAO_BTC_REGTEST, &w->refund_htlc,
                                   &d) == QIAO_OK);
    struct regtest_out outs[2] = {{spk_a, 34, LOCKED}, {spk_b, 34, LOCKED}};
    QT_CHECK(regtest_fund(w->cx, &w->node, &w->funder, &coin, outs, 2, FEE, w->fund_txid,
                          NULL) == 0);
    struct qiao_btc_htlc_match m;
    observe(w, w->fund_txid, &m, &w->claim_htlc);
    QT_CHECK(m.kind == QIAO_BTC_HTLC_LOCK && m.index == 0 && m.value == LOCKED);
}

static void bad_preimages(struct world *w, const struct qiao_btc_htlc_spend *sp)
{
    static const size_t lens[] = {31, 33, 521};
    uint8_t junk[521];
    memset(junk, 0x5a, sizeof(junk));
    memcpy(junk, w->preimage, 32);
    for (size_t i = 0; i < 3; i++) {
        struct qiao_buf b = {0};
        char what[48];
        QT_CHECK(qiao_btc_htlc_spend_raw(w->cx, &b, sp, w->alice.sk, QIAO_BTC_HTLC_CLAIM, junk,
                                         lens[i], 0, NULL) == QIAO_OK);
        snprintf(what, sizeof(what), "a %zu-byte preimage", lens[i]);
        expect_rejected(w, &b, what, SCRIPT_FAILED);
        qiao_buf_clear(&b);
    }
    uint8_t wrong[32];
    memcpy(wrong, w->preimage, 32);
    wrong[31] ^= 0xff;
    struct qiao_buf b = {0};
    QT_CHECK(qiao_btc_htlc_spend_raw(w->cx, &b, sp, w->alice.sk, QIAO_BTC_HTLC_CLAIM, wrong, 32,
                                     0, NULL) == QIAO_OK);
    expect_rejected(w, &b, "a wrong 32-byte preimage", SCRIPT_FAILED);
    qiao_buf_clear(&b);
}

/* Mallory holds Alice's signed claim: redirecting it breaks the signature; relaying it unchanged
 * pays Alice. */
static void third_party_claim(struct world *w, const struct qiao_btc_htlc_spend *sp)
{
    struct qiao_buf claim = {0}, stolen = {0};
    struct qiao_diag d = {0};
    uint8_t txid[32];
    QT_CHECK(qiao_btc_htlc_claim(w->cx, &claim, sp, w->alice.sk, w->preimage, 32, &d) == QIAO_OK);
    QT_CHECK(qiao_buf_append(&stolen, claim.p, claim.len, &d) == QIAO_OK);
    uint8_t *spk = NULL;
    for (size_t i = 0; i + 34 <= stolen.len && !spk; i++)
        if (!memcmp(stolen.p + i, w->alice.spk, 34))
            spk = stolen.p + i;
    QT_CHECK(spk != NULL);
    if (spk)
        memcpy(spk, w->mallory.spk, 34);
    expect_rejected(w, &stolen, "the claim redirected to a third party", SCRIPT_FAILED);
    QT_CHECKF(qiao_btc_source_send(w->cx, w->node.rpc, txid, claim.p, claim.len, &d) == QIAO_OK,
              "claim: %s", d.msg);
    struct qiao_btc_htlc_match m;
    observe(w, txid, &m, &w->claim_htlc);
    QT_CHECK(m.kind == QIAO_BTC_HTLC_CLAIMED && !memcmp(m.preimage, w->preimage, 32));
    uint8_t *raw = NULL;
    size_t len;
    static uint8_t mem[1 << 14];
    struct qiao_arena a;
    struct qiao_btc_txn tx;
    qiao_arena_init(&a, mem, sizeof(mem));
    QT_CHECK(qiao_btc_source_raw_tx(w->cx, w->node.rpc, &raw, &len, txid, &d) == QIAO_OK &&
             qiao_btc_txn_decode(&tx, raw, len, &a, &d) == QIAO_OK);
    QT_CHECK(raw && tx.nout == 1 && tx.out[0].value == LOCKED - FEE &&
             !memcmp(tx.out[0].script.p, w->alice.spk, 34));
    printf("  claim mined at height %llu; preimage read back from its witness\n",
           (unsigned long long)w->chain.tip.height);
    free(raw);
    qiao_buf_clear(&claim), qiao_buf_clear(&stolen);
}

static void refund(struct world *w)
{
    struct qiao_btc_htlc_spend sp;
    struct qiao_buf early = {0}, cheat = {0};
    struct qiao_diag d = {0};
    uint8_t txid[32];
    spend_of(w, &sp, &w->refund_htlc, 1, &w->bob);
    QT_CHECK(tip_height(w) + 1 <= w->refund_htlc.locktime);
    QT_CHECK(qiao_btc_htlc_refund(w->cx, &early, &sp, w->bob.sk, &d) == QIAO_OK);
    expect_rejected(w, &early, "a refund before T", "non-final");
    QT_CHECK(qiao_btc_htlc_spend_raw(w->cx, &cheat, &sp, w->bob.sk, QIAO_BTC_HTLC_REFUND, NULL,
                                     0, (uint32_t)tip_height(w), NULL) == QIAO_OK);
    expect_rejected(w, &cheat, "a refund with nLockTime below T (CLTV)", SCRIPT_FAILED);
    uint64_t tip = tip_height(w);
    QT_CHECK(qiao_btc_source_mine(w->node.rpc, NULL, (unsigned)(w->refund_htlc.locktime - tip),
                                  REGTEST_BURN_ADDR, &d) == QIAO_OK);
    QT_CHECK(tip_height(w) == w->refund_htlc.locktime); /* the next block is T + 1 > T */
    QT_CHECKF(qiao_btc_source_send(w->cx, w->node.rpc, txid, early.p, early.len, &d) == QIAO_OK,
              "refund after T: %s", d.msg);
    struct qiao_btc_htlc_match m;
    observe(w, txid, &m, &w->refund_htlc);
    QT_CHECK(m.kind == QIAO_BTC_HTLC_REFUNDED && m.locktime == w->refund_htlc.locktime);
    printf("  refund accepted at height %llu (T=%u)\n", (unsigned long long)w->chain.tip.height,
           w->refund_htlc.locktime);
    qiao_buf_clear(&early), qiao_buf_clear(&cheat);
}

static void run(struct world *w)
{
    struct qiao_btc_htlc_spend sp;
    regtest_key_init(w->cx, &w->funder, 0x31);
    regtest_key_init(w->cx, &w->alice, 0x32);
    regtest_key_init(w->cx, &w->bob, 0x33);
    regtest_key_init(w->cx, &w->mallory, 0x34);
    for (int i = 0; i < 32; i++)
        w->preimage[i] = (uint8_t)(0xc0 ^ i);
    if (init_chain(w) != 0) {
        QT_CHECKF(0, "regtest genesis");
        return;
    }
    fund(w);
    spend_of(w, &sp, &w->claim_htlc, 0, &w->alice);
    bad_preimages(w, &sp);
    third_party_claim(w, &sp);
    refund(w);
}

int main(void)
{
    struct world w;
    memset(&w, 0, sizeof(w));
    if (bcoin_node_start(&w.node, NODE_LOG) != 0) {
        QT_CHECKF(0, "bcoin must start (run ./run test to install the kit)");
        bcoin_node_stop(&w.node);
        return qt_finish();
    }
    w.cx = qiao_crypto_create();
    run(&w);
    qiao_btc_memstore_clear(&w.mem);
    qiao_crypto_destroy(w.cx);
    bcoin_node_stop(&w.node);
    return qt_finish();
}
