/*
 * test_btc_vectors_proofs.c: spv_proofs.json (the full valid SPV proof, the bad headers and bad
 * proofs, the malformed-hex cases) and headers.json through the header store (the real stale
 * block at 562630 and the unconnected bad header).
 */
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_merkle.h"
#include "adapters/bitcoin/btc_store.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/qt.h"
#include "tests/vectors/bitcoin/btc_vec.h"

static uint8_t *proof_tx(const cJSON *p, size_t *n)
{
    const char *parts[4] = {"version", "vin", "vout", "locktime"};
    size_t total = 1;
    for (int i = 0; i < 4; i++) {
        const cJSON *part = qiao_json_get(p, parts[i]);
        if (!cJSON_IsString(part))
            return NULL;
        total += strlen(part->valuestring);
    }
    char *hex = calloc(1, total);
    for (int i = 0; i < 4; i++)
        strcat(hex, qiao_json_get(p, parts[i])->valuestring + 2);
    uint8_t *tx = btc_vec_hexs(hex, n);
    free(hex);
    return tx;
}

/* The whole SPV check of one spv_proofs.json entry; d->reason says which part failed. */
static qiao_err check_proof(struct qiao_crypto *cx, const cJSON *p, struct qiao_diag *d)
{
    const cJSON *hdr = qiao_json_get(p, "confirming_header");
    uint8_t txid[32], raw[80], hash[32], want_hash[32], claimed[32];
    struct qiao_btc_tx_info info;
    struct qiao_btc_header h;
    size_t n;
    QIAO_TRY(qiao_json_hex_exact(claimed, 32, p, "tx_id", d));
    QIAO_TRY(qiao_json_hex_exact(raw, 80, hdr, "raw", d));
    /* "hash" is in internal order unless a "hash_le" sits beside it (then it is display order). */
    QIAO_TRY(qiao_json_hex_exact(want_hash, 32, hdr, "hash", d));
    if (qiao_json_get(hdr, "hash_le"))
        QIAO_TRY(qiao_json_hex_exact(want_hash, 32, hdr, "hash_le", d));
    qiao_err err;
    memcpy(txid, claimed, 32);
    if (qiao_json_get(p, "vin")) { /* the malformed-hex cases carry only tx_id */
        uint8_t *tx = proof_tx(p, &n);
        if (!tx)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-hex", "transaction parts");
        err = qiao_btc_tx_parse(cx, &info, tx, n, d);
        free(tx);
        QIAO_TRY(err);
        memcpy(txid, info.txid, 32);
        if (memcmp(txid, claimed, 32))
            return QIAO_FAIL(d, QIAO_EVERIFY, "txid-mismatch", "tx does not hash to tx_id");
    }
    qiao_btc_header_hash(cx, hash, raw);
    if (memcmp(hash, want_hash, 32))
        return QIAO_FAIL(d, QIAO_EVERIFY, "header-hash-mismatch", "hash_le");
    qiao_btc_header_decode(&h, raw, 80, NULL);
    uint8_t *path;
    const char *nodes;
    QIAO_TRY(qiao_json_str(&nodes, p, "intermediate_nodes", d));
    QIAO_TRY(qiao_hex_decode_alloc(&path, &n, nodes, 1 << 16, d));
    err = qiao_btc_merkle_verify(cx, h.merkle_root,
                                 txid, (uint64_t)qiao_json_get(p, "index")->valuedouble, path, n,
                                 d);
    free(path);
    return err;
}

static void proofs_valid_and_bad(struct qiao_crypto *cx, const cJSON *v)
{
    const cJSON *e;
    struct qiao_diag d = {0};
    cJSON_ArrayForEach(e, qiao_json_get(v, "valid")) {
        cJSON *p = btc_vec_obj(e);
        QT_CHECKF(p && check_proof(cx, p, &d) == QIAO_OK, "valid proof: %s", d.msg);
        cJSON_Delete(p);
    }
    static const struct {
        const char *comment, *reason;
    } why[] = {/* The short vin makes the parser read the output count one byte late: 0x16
                * outputs cannot fit in what is left. */
               {"Bad Vin", "varint-too-large"},
               {"Bad Vout", "no-outputs"},
               {"Bad TxID", "txid-mismatch"},
               {"Bad Header -- Merkle Proof", "merkle-root-mismatch"}};
    int seen = 0;
    cJSON_ArrayForEach(e, qiao_json_get(v, "badSPVProofs")) {
        cJSON *b = btc_vec_obj(e);
        const char *c = qiao_json_get(b, "comment")->valuestring;
        for (size_t k = 0; k < 4; k++)
            if (!strcmp(c, why[k].comment)) {
                seen++;
                QT_CHECK(check_proof(cx, qiao_json_get(b, "proof"), &d) != QIAO_OK);
                QT_CHECKF(!strcmp(d.reason, why[k].reason), "%s: got %s", c, d.reason);
            }
        cJSON_Delete(b);
    }
    QT_CHECK(seen == 4);
}

static void proofs_malformed(struct qiao_crypto *cx, const cJSON *v)
{
    static const struct {
        const char *key, *reason;
    } why[] = {{"errBadHexBytes", "bad-hex-char"},     {"errBadHexHash256", "bad-hex-char"},
               {"errBadLenHash256", "wrong-length"},   {"errBadHexRawHeader", "bad-hex-char"},
               {"errBadLenRawHeader", "wrong-length"}, {"errBadLenHash", "wrong-length"}};
    struct qiao_diag d = {0};
    for (size_t k = 0; k < sizeof(why) / sizeof(why[0]); k++) {
        cJSON *p = btc_vec_obj(qiao_json_get(v, why[k].key));
        QT_CHECKF(p != NULL, "%s", why[k].key);
        QT_CHECK(p && check_proof(cx, p, &d) != QIAO_OK);
        QT_CHECKF(!strcmp(d.reason, why[k].reason), "%s: got %s", why[k].key, d.reason);
        cJSON_Delete(p);
    }
}

/* badHeaders: a header paired with a wrong claimed field; decoding shows which. */
static void proofs_bad_headers(struct qiao_crypto *cx, const cJSON *v)
{
    const cJSON *e;
    int seen = 0;
    cJSON_ArrayForEach(e, qiao_json_get(v, "badHeaders")) {
        cJSON *b = btc_vec_obj(e);
        const cJSON *h = qiao_json_get(b, "header");
        const char *c = qiao_json_get(b, "comment")->valuestring;
        uint8_t raw[80], hash[32], root[32], prev[32], got[32];
        struct qiao_btc_header hd;
        QT_CHECK(qiao_json_hex_exact(raw, 80, h, "raw", NULL) == QIAO_OK);
        QT_CHECK(qiao_json_hex_exact(hash, 32, h, "hash", NULL) == QIAO_OK);
        QT_CHECK(qiao_json_hex_exact(root, 32, h, "merkle_root", NULL) == QIAO_OK);
        QT_CHECK(qiao_json_hex_exact(prev, 32, h, "prevhash", NULL) == QIAO_OK);
        qiao_btc_header_decode(&hd, raw, 80, NULL);
        qiao_btc_header_hash(cx, got, raw);
        int hash_ok = !memcmp(got, hash, 32), root_ok = !memcmp(hd.merkle_root, root, 32),
            prev_ok = !memcmp(hd.prev, prev, 32);
        if (!strcmp(c, "Bad Hash"))
            seen++, QT_CHECK(!hash_ok && root_ok && prev_ok);
        else if (!strcmp(c, "Bad MerkleRoot"))
            seen++, QT_CHECK(hash_ok && !root_ok && prev_ok);
        else if (!strcmp(c, "Bad Prevhash"))
            seen++, QT_CHECK(hash_ok && root_ok && !prev_ok);
        cJSON_Delete(b);
    }
    QT_CHECK(seen == 3);
}

static qiao_err add_hex(struct qiao_crypto *cx, struct qiao_btc_chain *chain, const cJSON *e,
                        struct qiao_btc_add_result *res, struct qiao_diag *d)
{
    size_t n;
    uint8_t *raw = btc_vec_hex(e, "hex", &n);
    qiao_err err = qiao_btc_chain_add(cx, chain, res, raw, n, 1700000000, d);
    free(raw);
    return err;
}

static void store_headers(struct qiao_crypto *cx)
{
    cJSON *f = btc_vec_load("headers.json");
    if (!f)
        return;
    struct qiao_btc_memstore mem;
    struct qiao_btc_store view;
    struct qiao_btc_chain chain;
    struct qiao_btc_add_result res;
    struct qiao_diag d = {0};
    size_t n;
    const cJSON *g = qiao_json_get(f, "genesis"), *e;
    uint8_t *raw = btc_vec_hex(g, "hex", &n);
    qiao_btc_memstore_init(&mem, &view, 0);
    QT_CHECK(qiao_btc_chain_init(cx, &chain, qiao_btc_params_get(QIAO_BTC_MAIN), view, raw, n,
                                 562621, NULL, &d) == QIAO_OK);
    free(raw);
    cJSON_ArrayForEach(e, qiao_json_get(f, "chain")) {
        QT_CHECKF(add_hex(cx, &chain, e, &res, &d) == QIAO_OK, "%s", d.msg);
        QT_CHECK(res.status == QIAO_BTC_ADD_EXTENDED);
    }
    QT_CHECK(chain.tip.height == 562639);
    /* The real stale block 562630: valid, equal work to the best block there, so a side branch. */
    QT_CHECKF(add_hex(cx, &chain, qiao_json_get(f, "orphan_562630"), &res, &d) == QIAO_OK, "%s",
              d.msg);
    QT_CHECK(res.status == QIAO_BTC_ADD_SIDE && res.height == 562630);
    uint64_t confs = 99;
    QT_CHECK(qiao_btc_chain_confirmations(&chain, &confs, res.hash, NULL) == QIAO_OK && confs == 0);
    QT_CHECK(!qiao_btc_chain_is_final(&chain, res.hash));
    QT_CHECK(add_hex(cx, &chain, qiao_json_get(f, "badHeader"), &res, &d) != QIAO_OK);
    QT_CHECKF(!strcmp(d.reason, "unknown-parent"), "%s", d.reason);
    qiao_btc_memstore_clear(&mem);
    cJSON_Delete(f);
}

void btc_vec_proofs(struct qiao_crypto *cx)
{
    cJSON *v = btc_vec_load("spv_proofs.json");
    if (v) {
        proofs_valid_and_bad(cx, v);
        proofs_malformed(cx, v);
        proofs_bad_headers(cx, v);
        cJSON_Delete(v);
    }
    store_headers(cx);
}
