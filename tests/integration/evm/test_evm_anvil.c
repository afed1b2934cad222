/*
 * test_evm_anvil.c: the EVM source half against real anvil nodes (node_modules/.bin/anvil 1.7.1).
 *
 * Three anvils with chain ids 7001/7002/7003 and distinct --timestamp are followed and every header
 * hash is recomputed from re-encoded RLP.  On 7001, 40 transactions (20 EIP-155 legacy, 20
 * EIP-1559) are signed here, sent with automine off and mined in one block; each gets a receipt
 * proof built from eth_getBlockReceipts and verified through the adapter table.  Nonces survive a
 * restart of the source (file store).  eth_getProof account and storage proofs are verified for
 * the sender and for a contract holding slot 0 = 42.  On 7002 anvil_reorg replaces 3 blocks and
 * the reorg is detected.  Adversarial cases use a hostile stand-in node (hostile.h, a mock because
 * a real node cannot be made to lie): a lying hash field, an oversized reply, out-of-order heads,
 * a wrong chain id, and tampered proofs and roots.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "adapters/evm/evm_adapter.h"
#include "adapters/evm/evm_json.h"
#include "adapters/evm/evm_receipt.h"
#include "adapters/evm/evm_send.h"
#include "adapters/evm/evm_source.h"
#include "hostile.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "relay/rpc/rpc.h"
#include "tests/qt.h"
#include "tests/support/proc.h"

/* anvil's first default dev account (public test key, funded on every anvil). */
static const char *DEV_KEY = "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
static const char *DEV_ADDR = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

static struct lws_context *g_lws;
static struct qiao_crypto *g_cx;

static pid_t start_anvil(int chain_id, int *port, long timestamp)
{
    const char *bin = qiao_proc_kit_bin("anvil");
    char p[16], id[16], ts[32], log[256];
    if (!bin)
        return -1;
    *port = qiao_proc_free_port();
    snprintf(p, sizeof(p), "%d", *port);
    snprintf(id, sizeof(id), "%d", chain_id);
    snprintf(ts, sizeof(ts), "%ld", timestamp);
    snprintf(log, sizeof(log), QIAO_BINARY_DIR "/anvil-evm-%d.log", chain_id);
    char *argv[] = {(char *)bin, "--port", p, "--host", "127.0.0.1", "--chain-id", id,
                    "--timestamp", ts, NULL};
    pid_t pid = qiao_proc_spawn(argv, log);
    if (pid > 0 && qiao_proc_wait_port(*port, 30000, pid) != 0) {
        qiao_proc_stop(pid);
        return -1;
    }
    return pid;
}

static struct qiao_evm_source *source(int port, uint64_t chain_id, struct qiao_diag *d)
{
    char url[64];
    struct qiao_evm_source *s = NULL;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    struct qiao_evm_source_opts o = {.url = url, .chain_id = chain_id, .timeout_ms = 10000,
                                     .finality = {.confirmations = 2}};
    qiao_evm_source_create(&s, g_lws, &o, d);
    return s;
}

static void call(struct qiao_evm_source *s, const char *method, cJSON *params)
{
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_evm_source_call(s, &res, method, params ? params : cJSON_CreateArray(), &d) ==
                  QIAO_OK, "%s: %s", method, d.msg);
    cJSON_Delete(res);
}

static void follow(struct qiao_evm_source *s, int blocks)
{
    struct qiao_evm_sync_result r;
    struct qiao_diag d = {0};
    for (int i = 0; i < blocks; i++)
        call(s, "evm_mine", NULL);
    QT_CHECKF(qiao_evm_source_sync(s, &r, &d) == QIAO_OK, "sync: %s (%s)", d.msg, d.reason);
    QT_CHECKF(r.extended == (uint64_t)blocks, "chain %llu: %llu headers verified, want %d",
              (unsigned long long)s->chain_id, (unsigned long long)r.extended, blocks);
}

/* Send 40 signed transactions (20 legacy, 20 EIP-1559) and mine them in one block. */
static void send_forty(struct qiao_evm_source *s, const uint8_t key[32], const char *nonce_path,
                       uint8_t hashes[40][32])
{
    struct qiao_evm_nonce_store store;
    struct qiao_evm_fee_caps caps = {.max_fee = 100000000000ULL, .max_priority_fee = 2000000000ULL,
                                     .gas_cap = 1000000, .gas_margin_pct = 20};
    struct qiao_evm_call c = {.value = 1000};
    struct qiao_diag d = {0};
    qiao_evm_nonce_file(&store, nonce_path);
    call(s, "evm_setAutomine", cJSON_Parse("[false]"));
    int sent = 0;
    for (int i = 0; i < 40; i++) {
        uint64_t nonce;
        memset(c.to, 0x40 + i, 20);
        caps.legacy = i % 2;
        qiao_err err = qiao_evm_send(s, g_cx, hashes[i], &nonce, key, &store, &caps, &c, &d);
        QT_CHECKF(err == QIAO_OK && nonce == (uint64_t)i, "send %d: nonce %llu: %s", i,
                  (unsigned long long)nonce, d.msg);
        sent += err == QIAO_OK;
    }
    QT_CHECK(sent == 40);
    call(s, "evm_mine", NULL);
    call(s, "evm_setAutomine", cJSON_Parse("[true]"));
}

static void check_receipt_proofs(struct qiao_evm_source *s, uint8_t hashes[40][32])
{
    struct qiao_evm_sync_result r;
    struct qiao_diag d = {0};
    uint8_t block[32], other[32];
    uint64_t number, n2;
    int status;
    QT_CHECKF(qiao_evm_source_sync(s, &r, &d) == QIAO_OK && r.extended == 1, "sync: %s", d.msg);
    QT_CHECK(qiao_evm_wait_receipt(s, &status, &number, block, hashes[0], 50, 5000, &d) == QIAO_OK &&
             status == 1);
    int same = 1, proofs = 0;
    for (int i = 0; i < 40; i++) {
        same &= qiao_evm_wait_receipt(s, &status, &n2, other, hashes[i], 50, 5000, NULL) ==
                    QIAO_OK && status == 1 && memcmp(other, block, 32) == 0;
        struct qiao_buf wire = {0};
        struct qiao_proof_result res;
        struct qiao_header_info info = {0};
        const struct qiao_evm_link *l = qiao_evm_chain_find(&s->chain, block);
        if (!l)
            break;
        memcpy(info.root, l->receipts_root, 32);
        qiao_err err = qiao_evm_source_receipt_proof(s, &wire, block, (uint64_t)i, &d);
        if (!err)
            err = qiao_adapter_proof_verify(&qiao_adapter_evm, g_cx, &res, &info, wire.p, wire.len,
                                            NULL, &d);
        proofs += err == QIAO_OK && res.index == (uint64_t)i;
        if (!err) { /* tamper: flip a byte in the middle of the proof */
            wire.p[wire.len / 2] ^= 0x10;
            QT_CHECK(qiao_adapter_proof_verify(&qiao_adapter_evm, g_cx, &res, &info, wire.p,
                                               wire.len, NULL, NULL) != QIAO_OK);
            wire.p[wire.len / 2] ^= 0x10;
            info.root[0] ^= 1; /* wrong root */
            QT_CHECK(qiao_adapter_proof_verify(&qiao_adapter_evm, g_cx, &res, &info, wire.p,
                                               wire.len, NULL, &d) == QIAO_EVERIFY &&
                     strcmp(d.reason, "root-mismatch") == 0);
        }
        qiao_buf_clear(&wire);
    }
    QT_CHECKF(same, "all 40 transactions mined in one block");
    QT_CHECKF(proofs == 40, "%d of 40 receipt proofs verified", proofs);
}

static void check_state_proofs(struct qiao_evm_source *s)
{
    struct qiao_diag d = {0};
    cJSON *res = NULL;
    /* a contract whose constructor stores 42 in slot 0 and deploys empty code */
    cJSON *p = cJSON_Parse("[{\"from\":\"0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266\","
                           "\"data\":\"0x602a60005560006000f3\"}]");
    QT_CHECK(qiao_evm_source_call(s, &res, "eth_sendTransaction", p, &d) == QIAO_OK &&
             cJSON_IsString(res));
    uint8_t txh[32], block[32], contract[20], slots[2][32] = {{0}}, values[2][32], me[20];
    uint64_t number;
    int status;
    qiao_hex_decode_exact(txh, 32, res ? res->valuestring : "", NULL);
    cJSON_Delete(res);
    QT_CHECK(qiao_evm_wait_receipt(s, &status, &number, block, txh, 50, 5000, &d) == QIAO_OK);
    cJSON *pp = cJSON_CreateArray();
    char hex[67];
    qiao_hex_encode0x(hex, txh, 32);
    cJSON_AddItemToArray(pp, cJSON_CreateString(hex));
    res = NULL;
    QT_CHECK(qiao_evm_source_call(s, &res, "eth_getTransactionReceipt", pp, &d) == QIAO_OK &&
             qiao_json_hex_exact(contract, 20, res, "contractAddress", NULL) == QIAO_OK);
    cJSON_Delete(res);
    struct qiao_evm_sync_result r;
    QT_CHECK(qiao_evm_source_sync(s, &r, &d) == QIAO_OK);
    slots[1][31] = 1;
    struct qiao_evm_account acct;
    QT_CHECKF(qiao_evm_source_account(s, &acct, values, block, contract,
                                      (const uint8_t(*)[32])slots, 2, &d) == QIAO_OK,
              "contract proof: %s (%s)", d.msg, d.reason);
    QT_CHECK(acct.exists && values[0][31] == 42 && values[1][31] == 0);
    qiao_hex_decode_exact(me, 20, DEV_ADDR, NULL);
    QT_CHECKF(qiao_evm_source_account(s, &acct, values, block, me, NULL, 0, &d) == QIAO_OK &&
                  acct.exists && acct.nonce == 41,
              "sender proof at block %llu: nonce %llu: %s", (unsigned long long)number,
              (unsigned long long)acct.nonce, d.msg);
    uint8_t ghost[20];
    memset(ghost, 0x99, 20);
    QT_CHECK(qiao_evm_source_account(s, &acct, values, block, ghost, NULL, 0, &d) == QIAO_OK &&
             !acct.exists);
}

static void check_restart_nonce(int port, const uint8_t key[32], const char *path)
{
    struct qiao_diag d = {0};
    struct qiao_evm_source *s = source(port, 7001, &d);
    struct qiao_evm_nonce_store store;
    struct qiao_evm_fee_caps caps = {.max_fee = 100000000000ULL, .max_priority_fee = 1000000000ULL,
                                     .gas_cap = 1000000, .gas_margin_pct = 10};
    struct qiao_evm_call c = {.value = 1};
    uint8_t h[32], block[32];
    uint64_t nonce = 0, number;
    int status = 0;
    uint64_t next = 0;
    int have = 0;
    qiao_evm_nonce_file(&store, path);
    QT_CHECK(store.load(store.user, 7001, (const uint8_t *)"\xf3\x9f\xd6\xe5\x1a\xad\x88\xf6\xf4\xce"
                        "\x6a\xb8\x82\x72\x79\xcf\xff\xb9\x22\x66", &next, &have, NULL) == QIAO_OK &&
             have && next == 40); /* the contract was deployed outside the store */
    QT_CHECK(s && qiao_evm_send(s, g_cx, h, &nonce, key, &store, &caps, &c, &d) == QIAO_OK &&
             nonce == 41);
    QT_CHECK(s && qiao_evm_wait_receipt(s, &status, &number, block, h, 50, 5000, &d) == QIAO_OK &&
             status == 1);
    caps.max_fee = 1; /* below the base fee */
    QT_CHECK(s && qiao_evm_send(s, g_cx, h, &nonce, key, &store, &caps, &c, &d) == QIAO_ERANGE &&
             strcmp(d.reason, "fee-cap-below-base-fee") == 0);
    qiao_evm_source_destroy(s);
}

/* anvil_reorg replaces the last 3 blocks: a source with 10 confirmations follows the reorg; one
 * with 2 confirmations refuses it, because it would undo a header it already holds as final. */
static void check_reorg(struct qiao_evm_source *shallow, int port)
{
    struct qiao_evm_sync_result r;
    struct qiao_diag d = {0};
    char url[64];
    struct qiao_evm_source *s = NULL;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    struct qiao_evm_source_opts o = {.url = url, .chain_id = 7002, .timeout_ms = 10000,
                                     .finality = {.confirmations = 10}};
    QT_CHECK(qiao_evm_source_create(&s, g_lws, &o, &d) == QIAO_OK &&
             qiao_evm_source_anchor(s, "0x0", &d) == QIAO_OK &&
             qiao_evm_source_sync(s, &r, &d) == QIAO_OK);
    if (!s)
        return;
    uint8_t old_tip[32];
    memcpy(old_tip, qiao_evm_chain_tip(&s->chain)->hash, 32);
    uint64_t tip = s->chain.tip;
    call(s, "anvil_reorg", cJSON_Parse("[3, []]"));
    QT_CHECKF(qiao_evm_source_sync(s, &r, &d) == QIAO_OK, "sync after reorg: %s (%s)", d.msg,
              d.reason);
    QT_CHECKF(r.reorg_depth == 3 && s->chain.tip == tip && s->reorgs == 1,
              "reorg depth %llu tip %llu", (unsigned long long)r.reorg_depth,
              (unsigned long long)s->chain.tip);
    QT_CHECK(qiao_evm_chain_find(&s->chain, old_tip) == NULL);
    QT_CHECK(qiao_evm_source_sync(shallow, &r, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "reorg-below-finality") == 0);
    qiao_evm_source_destroy(s);
}

/* ---- adversarial: the hostile stand-in node (hostile.h) --------------------------------- */

enum hostile_mode { LYING_HASH, TAMPERED_FIELD, OVERSIZED, OUT_OF_ORDER };

struct hostile_state {
    enum hostile_mode mode;
    cJSON *header; /* a real anvil header object to distort */
};

static char *reply_with(const cJSON *req, cJSON *result)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "jsonrpc", "2.0");
    cJSON_AddItemToObject(r, "id", cJSON_Duplicate(cJSON_GetObjectItem(req, "id"), 1));
    cJSON_AddItemToObject(r, "result", result);
    char *text = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    return text;
}

static void set_str(cJSON *obj, const char *key, const char *v)
{
    cJSON_ReplaceItemInObject(obj, key, cJSON_CreateString(v));
}

static char *hostile_answer(void *user, const cJSON *req)
{
    struct hostile_state *st = user;
    const char *method = cJSON_GetObjectItem(req, "method")->valuestring;
    if (strcmp(method, "eth_chainId") == 0)
        return reply_with(req, cJSON_CreateString("0x1b59"));
    cJSON *h = cJSON_Duplicate(st->header, 1);
    if (st->mode == LYING_HASH) {
        set_str(h, "hash", "0x1111111111111111111111111111111111111111111111111111111111111111");
    } else if (st->mode == TAMPERED_FIELD) {
        set_str(h, "stateRoot", "0x2222222222222222222222222222222222222222222222222222222222222222");
    } else if (st->mode == OVERSIZED) {
        size_t n = 200000;
        char *big = malloc(n + 3);
        memcpy(big, "0x", 2), memset(big + 2, 'a', n), big[n + 2] = 0;
        set_str(h, "extraData", big);
        free(big);
    } else { /* OUT_OF_ORDER: an older height with an unknown parent and a consistent hash */
        struct qiao_buf raw = {0};
        uint8_t hash[32];
        char hex[67];
        set_str(h, "parentHash", "0x3333333333333333333333333333333333333333333333333333333333333333");
        cJSON_DeleteItemFromObject(h, "hash");
        qiao_evm_header_from_json(&raw, h, NULL);
        qiao_keccak256(hash, raw.p, raw.len);
        qiao_hex_encode0x(hex, hash, 32);
        cJSON_AddStringToObject(h, "hash", hex);
        qiao_buf_clear(&raw);
    }
    return reply_with(req, h);
}

static void check_hostile(struct qiao_evm_source *honest)
{
    struct hostile_state st = {0};
    struct qiao_diag d = {0};
    cJSON *p = cJSON_Parse("[\"0x2\", false]");
    QT_CHECK(qiao_evm_source_call(honest, &st.header, "eth_getBlockByNumber", p, &d) == QIAO_OK);
    int port = hostile_start(hostile_answer, &st);
    QT_CHECK(port > 0);
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    struct qiao_evm_source_opts o = {.url = url, .chain_id = 7001, .timeout_ms = 5000,
                                     .max_reply = 65536};
    struct qiao_evm_source *s = NULL;
    QT_CHECKF(qiao_evm_source_create(&s, g_lws, &o, &d) == QIAO_OK, "hostile: %s", d.msg);
    static const struct {
        enum hostile_mode mode;
        const char *reason;
    } cases[] = {{LYING_HASH, "hash-mismatch"}, {TAMPERED_FIELD, "hash-mismatch"},
                 {OVERSIZED, "reply-too-large"}};
    for (size_t i = 0; s && i < sizeof(cases) / sizeof(cases[0]); i++) {
        st.mode = cases[i].mode;
        qiao_err err = qiao_evm_source_anchor(s, "latest", &d);
        QT_CHECKF(err != QIAO_OK && strcmp(d.reason, cases[i].reason) == 0,
                  "hostile mode %d: got %s (%s), want %s", (int)st.mode, d.reason, d.msg,
                  cases[i].reason);
    }
    /* out-of-order head: the honest chain is at its tip; the hostile head is older and unlinked */
    st.mode = OUT_OF_ORDER;
    if (s) {
        struct qiao_evm_sync_result r;
        s->chain = honest->chain, s->anchored = 1;
        QT_CHECK(qiao_evm_source_sync(s, &r, &d) == QIAO_EVERIFY &&
                 strcmp(d.reason, "unknown-parent") == 0);
    }
    qiao_evm_source_destroy(s);
    hostile_stop();
    cJSON_Delete(st.header);
}

int main(void)
{
    int ports[3];
    pid_t pids[3];
    struct qiao_evm_source *src[3] = {0};
    struct qiao_diag d = {0};
    if (!qiao_proc_kit_bin("anvil")) {
        qt_skip("anvil integration", "node_modules/.bin/anvil is not installed");
        return qt_finish();
    }
    g_cx = qiao_crypto_create();
    QT_CHECK(qiao_rpc_lws_create(&g_lws, &d) == QIAO_OK);
    for (int i = 0; i < 3; i++) {
        pids[i] = start_anvil(7001 + i, &ports[i], 1760000000L + 100000L * i);
        QT_CHECKF(pids[i] > 0, "anvil %d started", 7001 + i);
        src[i] = pids[i] > 0 ? source(ports[i], 7001 + (uint64_t)i, &d) : NULL;
        QT_CHECKF(src[i] != NULL, "source %d: %s", 7001 + i, d.msg);
        if (src[i]) {
            QT_CHECK(qiao_evm_source_anchor(src[i], "latest", &d) == QIAO_OK);
            follow(src[i], 5 + i);
        }
    }
    if (src[0] && src[1] && src[2]) {
        uint8_t key[32], hashes[40][32];
        char nonce_path[] = QIAO_BINARY_DIR "/evm-nonces.txt";
        remove(nonce_path);
        qiao_hex_decode_exact(key, 32, DEV_KEY, NULL);
        QT_CHECK(qiao_evm_chain_tip(&src[2]->chain)->timestamp >= 1760200000L &&
                 qiao_evm_chain_tip(&src[0]->chain)->timestamp < 1760100000L);
        send_forty(src[0], key, nonce_path, hashes);
        check_receipt_proofs(src[0], hashes);
        check_state_proofs(src[0]);
        check_restart_nonce(ports[0], key, nonce_path);
        check_reorg(src[1], ports[1]);
        check_hostile(src[0]);
        /* a source for 7003 pointed at 7001 refuses it */
        struct qiao_evm_source *wrong = source(ports[0], 7003, &d);
        QT_CHECK(wrong == NULL && strcmp(d.reason, "chain-id-mismatch") == 0);
    }
    for (int i = 0; i < 3; i++) {
        qiao_evm_source_destroy(src[i]);
        if (pids[i] > 0)
            qiao_proc_stop(pids[i]);
    }
    lws_context_destroy(g_lws);
    qiao_crypto_destroy(g_cx);
    return qt_finish();
}
