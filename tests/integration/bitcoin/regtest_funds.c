/* regtest_funds.c: coins under our own key on regtest (see regtest_funds.h). */
#include "tests/integration/bitcoin/regtest_funds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_htlc.h"
#include "adapters/bitcoin/btc_script.h"
#include "adapters/bitcoin/btc_source.h"
#include "adapters/bitcoin/btc_source_htlc.h"
#include "relay/core/hex.h"

void regtest_key_init(struct qiao_crypto *cx, struct regtest_key *k, uint8_t seed)
{
    uint8_t prog[32];
    memset(k, 0, sizeof(*k));
    memset(k->sk, seed, 32);
    qiao_btc_pubkey33(cx, k->pub, k->sk, NULL);
    k->script[0] = 33;
    memcpy(k->script + 1, k->pub, 33);
    k->script[34] = QIAO_OP_CHECKSIG;
    qiao_btc_p2wsh_program(cx, prog, k->script, sizeof(k->script));
    qiao_btc_p2wsh_spk(k->spk, prog);
    qiao_btc_address_encode_hrp(k->addr, BCOIN_REGTEST_HRP, prog, 32, NULL);
}

int regtest_block_txids(struct bcoin_node *n, const uint8_t block[32], char (*ids)[65], int max)
{
    char h[65];
    cJSON *p = cJSON_CreateArray(), *res = NULL;
    qiao_hex_encode_rev(h, block, 32);
    cJSON_AddItemToArray(p, cJSON_CreateString(h));
    if (qiao_rpc_call_sync(n->rpc, "getblock", p, &res, NULL) != QIAO_OK)
        return -1;
    const cJSON *txs = cJSON_GetObjectItemCaseSensitive(res, "tx"), *t;
    int count = 0;
    cJSON_ArrayForEach(t, txs) {
        if (count < max && cJSON_IsString(t) && strlen(t->valuestring) == 64)
            strcpy(ids[count++], t->valuestring);
    }
    cJSON_Delete(res);
    return count;
}

static int find_output(struct qiao_crypto *cx, struct bcoin_node *n, const struct regtest_key *k,
                       const uint8_t txid[32], struct regtest_coin *coin)
{
    static uint8_t mem[1 << 14];
    struct qiao_arena a;
    struct qiao_btc_txn tx;
    struct qiao_diag d = {0};
    uint8_t *raw = NULL;
    size_t len;
    int found = -1;
    if (qiao_btc_source_raw_tx(cx, n->rpc, &raw, &len, txid, &d) != QIAO_OK)
        return fprintf(stderr, "coinbase: %s\n", d.msg), -1;
    qiao_arena_init(&a, mem, sizeof(mem));
    if (qiao_btc_txn_decode(&tx, raw, len, &a, &d) == QIAO_OK)
        for (size_t i = 0; i < tx.nout && found < 0; i++)
            if (tx.out[i].script.len == 34 && !memcmp(tx.out[i].script.p, k->spk, 34)) {
                memcpy(coin->txid, txid, 32);
                coin->vout = (uint32_t)i, coin->value = tx.out[i].value, found = 0;
            }
    free(raw);
    return found;
}

int regtest_coinbase(struct qiao_crypto *cx, struct bcoin_node *n, const struct regtest_key *k,
                     struct regtest_coin *coin)
{
    struct qiao_diag d = {0};
    uint8_t block[32], txid[32];
    char ids[4][65];
    if (qiao_btc_source_mine(n->rpc, block, 1, k->addr, &d) != QIAO_OK)
        return fprintf(stderr, "mine to %s: %s\n", k->addr, d.msg), -1;
    if (regtest_block_txids(n, block, ids, 4) < 1)
        return -1;
    uint8_t disp[32];
    qiao_hex_decode_exact(disp, 32, ids[0], NULL);
    for (int i = 0; i < 32; i++)
        txid[i] = disp[31 - i];
    for (unsigned h = 1; h < REGTEST_READY_HEIGHT; h += 200) {
        unsigned step = REGTEST_READY_HEIGHT - h < 200 ? REGTEST_READY_HEIGHT - h : 200;
        if (qiao_btc_source_mine(n->rpc, NULL, step, REGTEST_BURN_ADDR, &d) != QIAO_OK)
            return fprintf(stderr, "mine %u: %s\n", step, d.msg), -1;
    }
    return find_output(cx, n, k, txid, coin);
}

int regtest_fund(struct qiao_crypto *cx, struct bcoin_node *n, const struct regtest_key *k,
                 const struct regtest_coin *coin, const struct regtest_out *outs, size_t nouts,
                 uint64_t fee, uint8_t txid[32], struct regtest_coin *change)
{
    struct qiao_btc_txout o[8];
    struct qiao_btc_bytes wit[2];
    struct qiao_btc_txin in = {.prev_vout = coin->vout, .sequence = 0xffffffffu, .witness = wit};
    struct qiao_diag d = {0};
    uint64_t spent = fee;
    if (nouts > 7)
        return -1;
    memcpy(in.prev_txid, coin->txid, 32);
    for (size_t i = 0; i < nouts; i++) {
        o[i] = (struct qiao_btc_txout){outs[i].value, {outs[i].spk, outs[i].spk_len}};
        spent += outs[i].value;
    }
    if (spent > coin->value)
        return fprintf(stderr, "fund: outputs exceed the coin\n"), -1;
    o[nouts] = (struct qiao_btc_txout){coin->value - spent, {k->spk, 34}};
    struct qiao_btc_txn tx = {.version = 2, .in = &in, .nin = 1, .out = o, .nout = nouts + 1};
    uint8_t sig[QIAO_BTC_SIG_MAX];
    size_t sig_len;
    struct qiao_buf b = {0};
    int rc = -1;
    if (qiao_btc_sign_p2wsh(cx, sig, &sig_len, &tx, 0, k->script, sizeof(k->script),
                            coin->value, k->sk, &d) == QIAO_OK) {
        wit[0] = (struct qiao_btc_bytes){sig, sig_len};
        wit[1] = (struct qiao_btc_bytes){k->script, sizeof(k->script)};
        in.nwitness = 2;
        if (qiao_btc_txn_encode(&b, &tx, 1, &d) == QIAO_OK &&
            qiao_btc_source_send(cx, n->rpc, txid, b.p, b.len, &d) == QIAO_OK)
            rc = 0;
    }
    if (rc)
        fprintf(stderr, "fund: %s (%s)\n", d.msg, d.reason);
    if (!rc && change) {
        memcpy(change->txid, txid, 32);
        change->vout = (uint32_t)nouts, change->value = coin->value - spent;
    }
    qiao_buf_clear(&b);
    return rc;
}
