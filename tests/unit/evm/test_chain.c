/*
 * test_chain.c: the verified header chain.  Headers are real RLP built here (Prague layout, 21
 * fields) and decoded, so hashes are recomputed exactly as on the live path: extension, duplicate,
 * a reorg, a gap that needs parents, a lying parent, out-of-order heads, reorgs below finality,
 * and the finality rules.  Also header decoding's rejections (truncation, field counts).
 */
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_adapter.h"
#include "adapters/evm/evm_chain.h"
#include "adapters/evm/evm_header.h"
#include "relay/core/rlp.h"
#include "tests/qt.h"

/* Encode a 21-field header with the given parent, number, time and a salt in extraData. */
static void make_header(struct qiao_buf *b, const uint8_t parent[32], uint64_t number,
                        uint64_t time, uint8_t salt, unsigned fields)
{
    uint8_t z32[32] = {0}, z20[20] = {0}, bloom[256] = {0}, nonce[8] = {0};
    b->len = 0;
    size_t s = qiao_rlp_list_begin(b);
    qiao_rlp_put_bytes(b, parent, 32, NULL);
    for (int i = 0; i < 1; i++)
        qiao_rlp_put_bytes(b, z32, 32, NULL);
    qiao_rlp_put_bytes(b, z20, 20, NULL);
    for (int i = 0; i < 3; i++)
        qiao_rlp_put_bytes(b, z32, 32, NULL);
    qiao_rlp_put_bytes(b, bloom, 256, NULL);
    qiao_rlp_put_u64(b, 0, NULL);
    qiao_rlp_put_u64(b, number, NULL);
    qiao_rlp_put_u64(b, 30000000, NULL);
    qiao_rlp_put_u64(b, 21000, NULL);
    qiao_rlp_put_u64(b, time, NULL);
    qiao_rlp_put_bytes(b, &salt, 1, NULL);
    qiao_rlp_put_bytes(b, z32, 32, NULL);
    qiao_rlp_put_bytes(b, nonce, 8, NULL);
    if (fields >= 16)
        qiao_rlp_put_u64(b, 7, NULL);
    if (fields >= 17)
        qiao_rlp_put_bytes(b, z32, 32, NULL);
    if (fields == 18)
        qiao_rlp_put_u64(b, 0, NULL);
    if (fields >= 20) {
        qiao_rlp_put_u64(b, 0, NULL);
        qiao_rlp_put_u64(b, 0, NULL);
        qiao_rlp_put_bytes(b, z32, 32, NULL);
    }
    if (fields >= 21)
        qiao_rlp_put_bytes(b, z32, 32, NULL);
    qiao_rlp_list_end(b, s, NULL);
}

static void header(struct qiao_evm_header *h, struct qiao_buf *b, const uint8_t parent[32],
                   uint64_t n, uint64_t t, uint8_t salt)
{
    make_header(b, parent, n, t, salt, 21);
    QT_CHECK(qiao_evm_header_decode(h, b->p, b->len, NULL) == QIAO_OK && h->number == n);
}

static void test_decode_rejects(void)
{
    struct qiao_buf b = {0};
    struct qiao_evm_header h;
    struct qiao_diag d = {0};
    uint8_t z[32] = {0};
    static const unsigned ok_counts[] = {15, 16, 17, 20, 21};
    for (size_t i = 0; i < 5; i++) {
        make_header(&b, z, 5, 100, 1, ok_counts[i]);
        QT_CHECK(qiao_evm_header_decode(&h, b.p, b.len, NULL) == QIAO_OK &&
                 h.fields == ok_counts[i]);
    }
    make_header(&b, z, 5, 100, 1, 21);
    int all = 1;
    for (size_t n = 0; n < b.len; n++)
        all &= qiao_evm_header_decode(&h, b.p, n, NULL) != QIAO_OK;
    QT_CHECKF(all, "every truncated header is rejected");
    make_header(&b, z, 5, 100, 1, 18); /* 18 fields: no fork has that layout */
    QT_CHECK(qiao_evm_header_decode(&h, b.p, b.len, &d) == QIAO_EINVAL &&
             strcmp(d.reason, "header-field-count") == 0);
    qiao_buf_clear(&b);
}

static void test_follow_and_reorg(void)
{
    struct qiao_buf b = {0};
    struct qiao_evm_header g, h[8], alt[4];
    struct qiao_evm_chain *c = calloc(1, sizeof(*c));
    enum qiao_evm_offer res;
    uint64_t depth;
    struct qiao_diag d = {0};
    uint8_t z[32] = {0};
    header(&g, &b, z, 100, 1000, 0);
    qiao_evm_chain_init(c, &g);
    const uint8_t *prev = g.hash;
    for (int i = 0; i < 8; i++) {
        header(&h[i], &b, prev, 101 + (uint64_t)i, 1001 + (uint64_t)i, 0);
        prev = h[i].hash;
    }
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[0], NULL) == QIAO_OK && res == QIAO_EVM_EXTENDED);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[0], NULL) == QIAO_OK && res == QIAO_EVM_DUPLICATE);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[2], NULL) == QIAO_OK && res == QIAO_EVM_NEED_PARENT);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[1], NULL) == QIAO_OK && res == QIAO_EVM_EXTENDED);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[2], NULL) == QIAO_OK && res == QIAO_EVM_EXTENDED);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[3], NULL) == QIAO_OK && c->tip == 104);
    /* an alternative branch from 102 (h[1]): 103', 104', 105' */
    prev = h[1].hash;
    for (int i = 0; i < 3; i++) {
        header(&alt[i], &b, prev, 103 + (uint64_t)i, 1003 + 2 * (uint64_t)i, 9);
        prev = alt[i].hash;
    }
    /* a single header forking below the tip does not overtake it */
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &alt[0], &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "stale-head") == 0);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &alt[1], &d) == QIAO_OK &&
             res == QIAO_EVM_NEED_PARENT);
    QT_CHECK(qiao_evm_chain_offer_branch(c, &res, &depth, alt, 2, &d) == QIAO_OK &&
             res == QIAO_EVM_REORGED && depth == 2 && c->tip == 104);
    QT_CHECK(memcmp(qiao_evm_chain_tip(c)->hash, alt[1].hash, 32) == 0);
    QT_CHECK(qiao_evm_chain_find(c, h[3].hash) == NULL && qiao_evm_chain_find(c, h[2].hash) == NULL);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &alt[2], NULL) == QIAO_OK &&
             res == QIAO_EVM_EXTENDED && c->tip == 105);
    /* out of order: the old branch's 103 arrives after the chain moved on */
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[2], &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "stale-head") == 0);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &h[3], &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "unknown-parent") == 0);
    QT_CHECK(qiao_evm_chain_offer_branch(c, &res, &depth, &h[3], 1, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "unknown-parent") == 0);
    /* lying heads: a known parent with the wrong number, or time going backwards */
    struct qiao_evm_header liar;
    header(&liar, &b, alt[2].hash, 107, 1010, 3);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &liar, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "non-sequential-number") == 0);
    header(&liar, &b, alt[2].hash, 106, 900, 3);
    QT_CHECK(qiao_evm_chain_offer(c, &res, &depth, &liar, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "timestamp-decreasing") == 0);
    /* finality: with 102 final, even a longer branch from 101 is refused */
    qiao_evm_chain_set_final(c, 102);
    struct qiao_evm_header deep[6];
    prev = h[0].hash;
    for (int i = 0; i < 6; i++) {
        header(&deep[i], &b, prev, 102 + (uint64_t)i, 1500 + (uint64_t)i, 7);
        prev = deep[i].hash;
    }
    QT_CHECK(qiao_evm_chain_offer_branch(c, &res, &depth, deep, 6, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "reorg-below-finality") == 0 && c->tip == 105);
    free(c);
    qiao_buf_clear(&b);
}

static void test_finality_and_adapter(void)
{
    struct qiao_evm_finality conf = {.confirmations = 3}, tag = {.use_finalized_tag = 1};
    QT_CHECK(qiao_evm_is_final(&conf, 10, 13, -1) && !qiao_evm_is_final(&conf, 11, 13, -1));
    QT_CHECK(qiao_evm_is_final(&tag, 10, 11, 10) && !qiao_evm_is_final(&tag, 11, 50, 10) &&
             !qiao_evm_is_final(&tag, 1, 50, -1));
    struct qiao_buf b = {0};
    struct qiao_evm_header g, h;
    struct qiao_evm_link link;
    struct qiao_header_info info;
    struct qiao_diag d = {0};
    uint8_t z[32] = {0};
    header(&g, &b, z, 1, 10, 0);
    qiao_evm_link_of(&link, &g);
    header(&h, &b, g.hash, 2, 11, 0);
    QT_CHECK(qiao_adapter_header_verify(&qiao_adapter_evm, NULL, &info, &link, b.p, b.len, NULL,
                                        &d) == QIAO_OK && info.height == 2 &&
             memcmp(info.hash, h.hash, 32) == 0);
    b.p[b.len - 1] ^= 1; /* tamper: a different header no longer hashes the same */
    QT_CHECK(qiao_adapter_header_verify(&qiao_adapter_evm, NULL, &info, &link, b.p, b.len, NULL,
                                        &d) == QIAO_OK && memcmp(info.hash, h.hash, 32) != 0);
    header(&h, &b, z, 2, 11, 0);
    QT_CHECK(qiao_adapter_header_verify(&qiao_adapter_evm, NULL, &info, &link, b.p, b.len, NULL,
                                        &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "parent-hash-mismatch") == 0);
    qiao_buf_clear(&b);
}

int main(void)
{
    test_decode_rejects();
    test_follow_and_reorg();
    test_finality_and_adapter();
    return qt_finish();
}
