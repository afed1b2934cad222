/*
 * test_btc_bcoin.c: the Bitcoin adapter live against a real bcoin regtest node on 127.0.0.1,
 * through the core JSON-RPC client: follow the tip while mining, verify a real gettxoutproof
 * (a coinbase transaction fetched raw, its txid recomputed), then drive a reorg (invalidate a
 * block and mine a longer competing branch) and check the adapter switches tips and
 * un-finalises the replaced blocks.  The node is stopped by PID.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "adapters/bitcoin/btc_merkle.h"
#include "adapters/bitcoin/btc_source.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/hex.h"
#include "tests/qt.h"
#include "tests/support/proc.h"

/* A regtest P2PKH address (bcoin prefix 0x3c) for hash160 01..14; nobody needs its key. */
#define MINER_ADDR "R9NXAVJezHiBnT3ijTpg3JUZre7PxhJWti"

static pid_t start_bcoin(int *port)
{
    const char *bin = qiao_proc_kit_bin("bcoin");
    if (!bin)
        return -1;
    char p[32], prefix[64];
    *port = qiao_proc_free_port();
    snprintf(p, sizeof(p), "--http-port=%d", *port);
    snprintf(prefix, sizeof(prefix), "--prefix=/tmp/qiao-bcoin-%d", *port);
    char *argv[] = {(char *)bin, "--network=regtest", "--memory=true", "--index-tx",
                    "--http-host=127.0.0.1", p, "--api-key=qiaotest", "--workers=false",
                    "--listen=false", "--no-wallet", "--log-level=error", prefix,
                    NULL};
    pid_t pid = qiao_proc_spawn(argv, QIAO_BINARY_DIR "/bcoin-test.log");
    if (pid > 0 && qiao_proc_wait_port(*port, 60000, pid) != 0)
        return qiao_proc_stop(pid), -1;
    return pid;
}

static cJSON *call(struct qiao_rpc *r, const char *method, cJSON *params)
{
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_rpc_call_sync(r, method, params, &res, &d) == QIAO_OK, "%s: %s", method, d.msg);
    return res;
}

static void mine(struct qiao_rpc *r, int n)
{
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateNumber(n));
    cJSON_AddItemToArray(p, cJSON_CreateString(MINER_ADDR));
    cJSON_Delete(call(r, "generatetoaddress", p));
}

static void follow(struct qiao_crypto *cx, struct qiao_rpc *r, struct qiao_btc_chain *c,
                   struct qiao_btc_follow_result *fr)
{
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_btc_source_follow(cx, r, c, fr, &d) == QIAO_OK, "follow: %s (%s)", d.msg,
              d.reason);
    uint8_t best[32];
    QT_CHECK(qiao_btc_source_block_hash(r, best, fr->node_height, &d) == QIAO_OK);
    QT_CHECK(c->tip.height == fr->node_height && !memcmp(c->tip.hash, best, 32));
}

/* gettxoutproof for the coinbase of the block at height, verified against our stored header. */
static void proof_at(struct qiao_crypto *cx, struct qiao_rpc *r, struct qiao_btc_chain *c,
                     uint64_t height)
{
    struct qiao_diag d = {0};
    uint8_t block[32], txid[32], *proof = NULL, *tx = NULL;
    size_t len, txlen;
    QT_CHECK(qiao_btc_source_block_hash(r, block, height, &d) == QIAO_OK);
    char bh[65];
    qiao_hex_encode_rev(bh, block, 32);
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(bh));
    cJSON *blk = call(r, "getblock", p);
    const cJSON *txs = cJSON_GetObjectItemCaseSensitive(blk, "tx");
    const cJSON *first = cJSON_GetArrayItem(txs, 0);
    QT_CHECK(cJSON_IsString(first));
    p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(first->valuestring));
    cJSON *raw = call(r, "getrawtransaction", p);
    struct qiao_btc_tx_info info;
    QT_CHECK(cJSON_IsString(raw) &&
             qiao_hex_decode_alloc(&tx, &txlen, raw->valuestring, 1 << 20, &d) == QIAO_OK &&
             qiao_btc_tx_parse(cx, &info, tx, txlen, &d) == QIAO_OK);
    char shown[65];
    qiao_hex_encode_rev(shown, info.txid, 32);
    QT_CHECKF(!strcmp(shown, first->valuestring), "txid %s vs node %s", shown, first->valuestring);
    memcpy(txid, info.txid, 32);
    QT_CHECK(qiao_btc_source_txoutproof(r, &proof, &len, txid, block, &d) == QIAO_OK);
    static uint8_t arena_mem[1 << 16];
    struct qiao_arena a;
    struct qiao_btc_merkleblock mb;
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    QT_CHECKF(proof && qiao_btc_merkleblock_verify(cx, &mb, proof, len, &a, &d) == QIAO_OK, "%s",
              d.msg);
    QT_CHECK(!memcmp(mb.block_hash, block, 32) && qiao_btc_chain_is_final(c, block));
    QT_CHECK(mb.nmatches == 1 && mb.matches[0].index == 0 && !memcmp(mb.matches[0].txid, txid, 32));
    if (proof && len > 100) { /* a flipped byte of the tree's hash must not verify */
        proof[len - 10] ^= 1;
        qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
        QT_CHECK(qiao_btc_merkleblock_verify(cx, &mb, proof, len, &a, NULL) != QIAO_OK);
    }
    free(proof), free(tx);
    cJSON_Delete(blk), cJSON_Delete(raw);
}

static void reorg(struct qiao_crypto *cx, struct qiao_rpc *r, struct qiao_btc_chain *c)
{
    struct qiao_btc_follow_result fr;
    struct qiao_diag d = {0};
    uint8_t old8[32], old5[32];
    QT_CHECK(qiao_btc_source_block_hash(r, old8, 8, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_source_block_hash(r, old5, 5, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_chain_is_final(c, old5)); /* tip 12: 8 confirmations */
    char h[65];
    qiao_hex_encode_rev(h, old8, 32);
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString(h));
    cJSON_Delete(call(r, "invalidateblock", p)); /* the node drops 8..12 */
    mine(r, 6);                                   /* a competing branch 8..13 */
    follow(cx, r, c, &fr);
    QT_CHECK(fr.reorged && fr.fork_height == 7 && c->tip.height == 13);
    uint64_t confs = 9;
    QT_CHECK(qiao_btc_chain_confirmations(c, &confs, old8, &d) == QIAO_OK && confs == 0);
    QT_CHECK(!qiao_btc_chain_is_final(c, old8));
    QT_CHECK(qiao_btc_chain_is_final(c, old5)); /* below the fork: still final */
    uint8_t new8[32];
    QT_CHECK(qiao_btc_source_block_hash(r, new8, 8, &d) == QIAO_OK && memcmp(new8, old8, 32));
    QT_CHECK(qiao_btc_chain_is_final(c, new8)); /* 6 confirmations on the new branch */
}

static void run(struct qiao_crypto *cx, struct qiao_rpc *r)
{
    struct qiao_btc_memstore mem;
    struct qiao_btc_store view;
    struct qiao_btc_chain chain;
    struct qiao_btc_follow_result fr;
    struct qiao_diag d = {0};
    uint8_t genesis[32], raw[80];
    const struct qiao_btc_params *reg = qiao_btc_params_get(QIAO_BTC_REGTEST);
    QT_CHECK(qiao_btc_source_block_hash(r, genesis, 0, &d) == QIAO_OK);
    QT_CHECK(!memcmp(genesis, reg->genesis, 32));
    QT_CHECK(qiao_btc_source_header(cx, r, raw, genesis, &d) == QIAO_OK);
    qiao_btc_memstore_init(&mem, &view, 0);
    QT_CHECKF(qiao_btc_chain_init(cx, &chain, reg, view, raw, 80, 0, NULL, &d) == QIAO_OK, "%s",
              d.msg);
    mine(r, 5);
    follow(cx, r, &chain, &fr);
    QT_CHECK(fr.added == 5 && !fr.reorged);
    mine(r, 7);
    follow(cx, r, &chain, &fr);
    QT_CHECK(fr.added == 7 && chain.tip.height == 12);
    follow(cx, r, &chain, &fr); /* nothing new */
    QT_CHECK(fr.added == 0);
    proof_at(cx, r, &chain, 5);
    reorg(cx, r, &chain);
    qiao_btc_memstore_clear(&mem);
}

int main(void)
{
    int port;
    pid_t pid = start_bcoin(&port);
    if (pid < 0) {
        QT_CHECKF(0, "bcoin must start (run ./run test to install the kit)");
        return qt_finish();
    }
    struct lws_context *lws = NULL;
    struct qiao_rpc *r = NULL;
    struct qiao_diag d = {0};
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
    struct qiao_rpc_opts o = {.url = url, .basic_user = "x", .basic_pass = "qiaotest",
                              .dialect = QIAO_RPC_DIALECT_LEGACY, .timeout_ms = 20000};
    QT_CHECK(qiao_rpc_lws_create(&lws, &d) == QIAO_OK);
    QT_CHECKF(qiao_rpc_create(&r, lws, &o, &d) == QIAO_OK, "%s", d.msg);
    struct qiao_crypto *cx = qiao_crypto_create();
    if (r)
        run(cx, r);
    qiao_crypto_destroy(cx);
    qiao_rpc_destroy(r);
    lws_context_destroy(lws);
    qiao_proc_stop(pid);
    return qt_finish();
}
