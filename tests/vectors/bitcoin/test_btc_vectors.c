/*
 * test_btc_vectors.c: every applicable case of ../shared/vectors/bitcoin for headers, chains,
 * retargets, Merkle paths and `prove`.  spv_proofs.json is in test_btc_vectors_proofs.c.
 *
 * Not applicable (and so not run): summa's helpers for parsing inputs and outputs, addresses,
 * hash160/ripemd160, and validateHeaderWork's first case, where summa treats an all-zero digest as
 * a sentinel error; Bitcoin has no such rule (a zero hash meets every target).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_chain.h"
#include "adapters/bitcoin/btc_merkle.h"
#include "adapters/bitcoin/btc_store.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/qt.h"
#include "tests/vectors/bitcoin/btc_vec.h"

/* Difficulty as summa computes it: the difficulty-1 target (0xffff * 2^208) / target. */
static uint64_t difficulty(uint32_t bits)
{
    struct qiao_btc_u256 t, one, q;
    int neg, ovf;
    qiao_btc_u256_from_compact(&t, &neg, &ovf, bits);
    qiao_btc_u256_from_compact(&one, &neg, &ovf, 0x1d00ffff);
    qiao_btc_u256_div(&q, &one, &t);
    return (uint64_t)q.w[1] << 32 | q.w[0];
}

/* summa's validateHeaderChain: length, links and each header's own PoW; sums difficulty. */
static qiao_err summa_chain(struct qiao_crypto *cx, const uint8_t *p, size_t n, uint64_t *diff,
                            struct qiao_diag *d)
{
    uint8_t hash[32], prev[32];
    if (n % 80)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-header-length", "not whole headers");
    *diff = 0;
    for (size_t i = 0; i < n; i += 80) {
        if (i && memcmp(p + i + 4, prev, 32) != 0)
            return QIAO_FAIL(d, QIAO_EVERIFY, "bad-prev-hash", "link broken at %zu", i / 80);
        QIAO_TRY(qiao_btc_header_check_pow(cx, hash, NULL, NULL, p + i, d));
        memcpy(prev, hash, 32);
        *diff += difficulty(qiao_load32le(p + i + 72));
    }
    return QIAO_OK;
}

static void vec_header_chains(struct qiao_crypto *cx, const cJSON *v)
{
    const cJSON *e;
    size_t n;
    uint64_t diff;
    struct qiao_diag d = {0};
    cJSON_ArrayForEach(e, qiao_json_get(v, "validateHeaderChain")) {
        uint8_t *p = btc_vec_hex(e, "input", &n);
        QT_CHECKF(p && summa_chain(cx, p, n, &diff, &d) == QIAO_OK, "%s", d.msg);
        QT_CHECK(diff == (uint64_t)qiao_json_get(e, "output")->valuedouble);
        free(p);
    }
    static const struct {
        const char *comment, *reason;
    } why[] = {{"Header bytes not multiple of 80", "bad-header-length"},
               {"Header bytes not a valid chain", "bad-prev-hash"},
               {"Header does not meet its own difficulty target", "high-hash"}};
    int seen = 0;
    cJSON_ArrayForEach(e, qiao_json_get(v, "validateHeaderChainError")) {
        const char *c = qiao_json_get(e, "comment")->valuestring;
        uint8_t *p = btc_vec_hex(e, "input", &n);
        for (size_t k = 0; k < 3; k++)
            if (!strcmp(c, why[k].comment)) {
                seen++;
                QT_CHECK(summa_chain(cx, p, n, &diff, &d) != QIAO_OK);
                QT_CHECKF(!strcmp(d.reason, why[k].reason), "%s: got %s", c, d.reason);
            }
        free(p);
    }
    QT_CHECK(seen == 3);
}

static uint32_t entry_bits(const cJSON *h)
{
    size_t n;
    uint8_t *p = btc_vec_hex(h, "hex", &n);
    uint32_t bits = p && n == 80 ? qiao_load32le(p + 72) : 0;
    free(p);
    return bits;
}

static void vec_retarget(const cJSON *v)
{
    const struct qiao_btc_params *main = qiao_btc_params_get(QIAO_BTC_MAIN);
    const cJSON *e;
    int count = 0;
    cJSON_ArrayForEach(e, qiao_json_get(v, "retargetAlgorithm")) {
        const cJSON *in = qiao_json_get(e, "input");
        const cJSON *first = cJSON_GetArrayItem(in, 0), *last = cJSON_GetArrayItem(in, 1),
                    *next = cJSON_GetArrayItem(in, 2);
        uint32_t got = qiao_btc_retarget(main, entry_bits(last),
                                         (int64_t)qiao_json_get(first, "timestamp")->valuedouble,
                                         (int64_t)qiao_json_get(last, "timestamp")->valuedouble);
        QT_CHECKF(got == entry_bits(next), "retarget %d: got 0x%08x want 0x%08x", count, got,
                  entry_bits(next));
        QT_CHECK(difficulty(got) == (uint64_t)qiao_json_get(e, "output")->valuedouble);
        count++;
    }
    QT_CHECK(count == 9);
}

static void vec_merkle(struct qiao_crypto *cx, const cJSON *v)
{
    const cJSON *e;
    size_t n;
    cJSON_ArrayForEach(e, qiao_json_get(v, "verifyHash256Merkle")) {
        const cJSON *in = qiao_json_get(e, "input");
        uint8_t *p = btc_vec_hex(in, "proof", &n);
        uint64_t index = (uint64_t)qiao_json_get(in, "index")->valuedouble;
        int want = cJSON_IsTrue(qiao_json_get(e, "output"));
        int ok = 0;
        if (n >= 32 && n % 32 == 0) {
            const uint8_t *root = n == 32 ? p : p + n - 32;
            size_t sib = n == 32 ? 0 : n - 64;
            ok = qiao_btc_merkle_verify(cx, root, p, index, p + 32, sib, NULL) == QIAO_OK;
        }
        QT_CHECKF(ok == want, "verifyHash256Merkle of %zu bytes, index %llu", n,
                  (unsigned long long)index);
        free(p);
    }
    cJSON_ArrayForEach(e, qiao_json_get(v, "prove")) {
        const cJSON *in = qiao_json_get(e, "input");
        size_t tl, rl, pl;
        uint8_t *txid = btc_vec_hex(in, "txIdLE", &tl), *root = btc_vec_hex(in, "merkleRootLE", &rl);
        uint8_t *path = btc_vec_hex(in, "proof", &pl);
        uint64_t index = (uint64_t)qiao_json_get(in, "index")->valuedouble;
        int ok = qiao_btc_merkle_verify(cx, root, txid, index, path, pl, NULL) == QIAO_OK;
        QT_CHECK(ok == cJSON_IsTrue(qiao_json_get(e, "output")));
        free(txid), free(root), free(path);
    }
}

static void vec_hashes(struct qiao_crypto *cx, const cJSON *v)
{
    const cJSON *e;
    size_t n, m;
    uint8_t got[32];
    cJSON_ArrayForEach(e, qiao_json_get(v, "hash256")) {
        uint8_t *in = btc_vec_hex(e, "input", &n), *want = btc_vec_hex(e, "output", &m);
        qiao_sha256d(cx, got, in, n);
        QT_CHECK_MEM(got, want, 32);
        free(in), free(want);
    }
    cJSON_ArrayForEach(e, qiao_json_get(v, "calculateTxId")) {
        const cJSON *in = qiao_json_get(e, "input");
        const char *parts[4] = {"version", "vin", "vout", "locktime"};
        char hex[4096] = "";
        for (int i = 0; i < 4; i++)
            strncat(hex, qiao_json_get(in, parts[i])->valuestring + 2, sizeof(hex) - strlen(hex) - 1);
        uint8_t *tx = btc_vec_hexs(hex, &n), *want = btc_vec_hex(e, "output", &m);
        struct qiao_btc_tx_info info;
        QT_CHECK(tx && qiao_btc_tx_parse(cx, &info, tx, n, NULL) == QIAO_OK);
        QT_CHECK_MEM(info.txid, want, 32);
        free(tx), free(want);
    }
}

static void vec_work(struct qiao_crypto *cx, const cJSON *v)
{
    const cJSON *e;
    size_t n, m;
    uint8_t hash[32];
    cJSON_ArrayForEach(e, qiao_json_get(v, "checkWork")) {
        const cJSON *in = qiao_json_get(e, "input");
        uint8_t *h = btc_vec_hex(in, "header", &n), *t = btc_vec_hex(in, "target", &m);
        struct qiao_btc_u256 target; /* summa gives targets as big-endian numbers */
        qiao_btc_u256_from_be(&target, t);
        qiao_btc_header_hash(cx, hash, h);
        QT_CHECK(qiao_btc_hash_le_target(hash, &target) == cJSON_IsTrue(qiao_json_get(e, "output")));
        free(h), free(t);
    }
    int i = 0;
    cJSON_ArrayForEach(e, qiao_json_get(v, "validateHeaderWork")) {
        const cJSON *in = qiao_json_get(e, "input");
        uint8_t *h = btc_vec_hex(in, "digest", &n), *t = btc_vec_hex(in, "target", &m);
        struct qiao_btc_u256 target;
        qiao_btc_u256_from_be(&target, t);
        if (i++ > 0) /* the first case is summa's zero-digest sentinel (see the file comment) */
            QT_CHECK(qiao_btc_hash_le_target(h, &target) ==
                     cJSON_IsTrue(qiao_json_get(e, "output")));
        free(h), free(t);
    }
    cJSON_ArrayForEach(e, qiao_json_get(v, "workHash")) {
        uint8_t *h = btc_vec_hex(e, "input", &n), *want = btc_vec_hex(e, "output", &m);
        qiao_btc_header_hash(cx, hash, h);
        QT_CHECK_MEM(hash, want, 32);
        free(h), free(want);
    }
    cJSON_ArrayForEach(e, qiao_json_get(v, "extractTarget")) {
        uint8_t *h = btc_vec_hex(e, "input", &n), *want = btc_vec_hex(e, "output", &m), be[32];
        struct qiao_btc_u256 target;
        QT_CHECK(qiao_btc_bits_target(&target, qiao_btc_params_get(QIAO_BTC_MAIN),
                                      qiao_load32le(h + 72), NULL) == QIAO_OK);
        qiao_btc_u256_to_be(be, &target);
        QT_CHECK_MEM(be, want, 32);
        free(h), free(want);
    }
}

/* summa's "work" is the header hash read as a number; compare its decimal form. */
static void vec_work_decimal(struct qiao_crypto *cx, const cJSON *v)
{
    const cJSON *e;
    size_t n;
    cJSON_ArrayForEach(e, qiao_json_get(v, "work")) {
        uint8_t *h = btc_vec_hex(e, "input", &n), hash[32];
        qiao_btc_header_hash(cx, hash, h);
        struct qiao_btc_u256 x, ten = {{10}}, q, r;
        qiao_btc_u256_from_le(&x, hash);
        char dec[100];
        int k = (int)sizeof(dec) - 1;
        dec[k] = 0;
        do {
            qiao_btc_u256_div(&q, &x, &ten);
            qiao_btc_u256_mul32(&r, &q, 10);
            dec[--k] = (char)('0' + (x.w[0] - r.w[0]));
            x = q;
        } while (!qiao_btc_u256_is_zero(&x));
        QT_CHECKF(!strcmp(dec + k, qiao_json_get(e, "output")->valuestring), "%s", dec + k);
        free(h);
    }
}

static void vec_fields(const cJSON *v)
{
    const cJSON *e;
    size_t n, m;
    struct qiao_btc_header h;
    cJSON_ArrayForEach(e, qiao_json_get(v, "validateHeaderPrevHash")) {
        const cJSON *in = qiao_json_get(e, "input");
        uint8_t *raw = btc_vec_hex(in, "header", &n), *prev = btc_vec_hex(in, "prevHash", &m);
        QT_CHECK(qiao_btc_header_decode(&h, raw, n, NULL) == QIAO_OK);
        QT_CHECK((memcmp(h.prev, prev, 32) == 0) == cJSON_IsTrue(qiao_json_get(e, "output")));
        free(raw), free(prev);
    }
    cJSON_ArrayForEach(e, qiao_json_get(v, "extractMerkleRootLE")) {
        uint8_t *raw = btc_vec_hex(e, "input", &n), *want = btc_vec_hex(e, "output", &m);
        QT_CHECK(qiao_btc_header_decode(&h, raw, n, NULL) == QIAO_OK);
        QT_CHECK_MEM(h.merkle_root, want, 32);
        free(raw), free(want);
    }
    cJSON_ArrayForEach(e, qiao_json_get(v, "extractTimestamp")) {
        uint8_t *raw = btc_vec_hex(e, "input", &n);
        QT_CHECK(qiao_btc_header_decode(&h, raw, n, NULL) == QIAO_OK);
        QT_CHECK(h.time == (uint32_t)qiao_json_get(e, "output")->valuedouble);
        free(raw);
    }
}

/* headers.json and headers_with_retarget.json through the rolling verifier. */
static qiao_err run_chain(struct qiao_crypto *cx, const cJSON *file, const uint8_t *period_start,
                          struct qiao_btc_link *tip, size_t *bad, struct qiao_diag *d)
{
    const struct qiao_btc_params *main = qiao_btc_params_get(QIAO_BTC_MAIN);
    const cJSON *g = qiao_json_get(file, "genesis"), *e;
    size_t n;
    uint8_t *raw = btc_vec_hex(g, "hex", &n);
    qiao_err err = qiao_btc_link_anchor(cx, tip, main, raw, n,
                                        (uint64_t)qiao_json_get(g, "height")->valuedouble,
                                        period_start, d);
    free(raw);
    *bad = 0;
    cJSON_ArrayForEach(e, qiao_json_get(file, "chain")) {
        if (err)
            break;
        struct qiao_btc_link next;
        raw = btc_vec_hex(e, "hex", &n);
        (*bad)++;
        err = qiao_btc_link_next(cx, &next, main, tip, raw, n, 1700000000, d);
        if (!err) {
            QT_CHECK(next.height == (uint64_t)qiao_json_get(e, "height")->valuedouble);
            *tip = next;
        }
        free(raw);
    }
    return err;
}

static void vec_chain_files(struct qiao_crypto *cx)
{
    struct qiao_btc_link tip;
    struct qiao_diag d = {0};
    size_t bad;
    cJSON *h = btc_vec_load("headers.json"), *r = btc_vec_load("headers_with_retarget.json");
    if (h) {
        QT_CHECKF(run_chain(cx, h, NULL, &tip, &bad, &d) == QIAO_OK, "headers.json: %s", d.msg);
        QT_CHECK(tip.height == 562639);
    }
    if (r) {
        size_t n;
        uint8_t *ps = btc_vec_hex(qiao_json_get(r, "oldPeriodStart"), "hex", &n);
        QT_CHECKF(run_chain(cx, r, ps, &tip, &bad, &d) == QIAO_OK, "retarget: %s", d.msg);
        QT_CHECK(tip.height == 554408);
        QT_CHECK(run_chain(cx, r, NULL, &tip, &bad, &d) != QIAO_OK);
        QT_CHECKF(!strcmp(d.reason, "period-start-required") && bad == 10, "%s at %zu", d.reason,
                  bad);
        free(ps);
    }
    cJSON_Delete(h);
    cJSON_Delete(r);
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    cJSON *v = btc_vec_load("spv_vectors.json");
    if (v) {
        vec_header_chains(cx, v);
        vec_retarget(v);
        vec_merkle(cx, v);
        vec_hashes(cx, v);
        vec_work(cx, v);
        vec_work_decimal(cx, v);
        vec_fields(v);
        cJSON_Delete(v);
    }
    vec_chain_files(cx);
    btc_vec_proofs(cx);
    qiao_crypto_destroy(cx);
    return qt_finish();
}
