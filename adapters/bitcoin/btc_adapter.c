/* btc_adapter.c: the Bitcoin adapter table (see btc_adapter.h). */
#include "adapters/bitcoin/btc_adapter.h"

#include <string.h>

#include "adapters/bitcoin/btc_header.h"
#include "adapters/bitcoin/btc_htlc.h"
#include "adapters/bitcoin/btc_merkle.h"

static qiao_err btc_header_decode(struct qiao_crypto *cx, struct qiao_header_info *out,
                                  const uint8_t *raw, size_t len, struct qiao_diag *d)
{
    struct qiao_btc_header h;
    struct qiao_btc_u256 target, work;
    QIAO_TRY(qiao_btc_header_decode(&h, raw, len, d));
    qiao_btc_header_hash(cx, out->hash, raw);
    memcpy(out->parent, h.prev, 32);
    memcpy(out->root, h.merkle_root, 32);
    out->time = h.time;
    /* An unusable nBits carries no work; header_verify is where it is rejected. */
    if (qiao_btc_bits_target(&target, NULL, h.bits, NULL) == QIAO_OK) {
        qiao_btc_u256_work(&work, &target);
        qiao_btc_u256_to_be(out->work, &work);
    }
    return QIAO_OK;
}

static qiao_err btc_header_verify(struct qiao_crypto *cx, struct qiao_header_info *out,
                                  const void *chain, const uint8_t *raw, size_t len,
                                  struct qiao_arena *arena, struct qiao_diag *d)
{
    const struct qiao_btc_verify_ctx *ctx = chain;
    struct qiao_btc_link link;
    (void)arena;
    if (!ctx || !ctx->params || !ctx->parent)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-chain-state",
                         "bitcoin header_verify needs a struct qiao_btc_verify_ctx");
    QIAO_TRY(qiao_btc_link_next(cx, &link, ctx->params, ctx->parent, raw, len, ctx->now, d));
    out->height = link.height;
    memcpy(out->hash, link.hash, 32);
    memcpy(out->parent, link.prev, 32);
    memcpy(out->root, raw + 36, 32);
    out->time = link.time;
    qiao_btc_u256_to_be(out->work, &link.chainwork);
    return QIAO_OK;
}

static int btc_is_final(const void *policy, const struct qiao_header_info *h,
                        const struct qiao_header_info *tip)
{
    const struct qiao_btc_finality *f = policy;
    uint64_t need = f ? f->confirmations : QIAO_BTC_DEFAULT_CONFIRMATIONS;
    if (tip->height < h->height)
        return 0;
    return tip->height - h->height + 1 >= need;
}

static qiao_err btc_proof_verify(struct qiao_crypto *cx, struct qiao_proof_result *out,
                                 const struct qiao_header_info *header, const uint8_t *proof,
                                 size_t proof_len, struct qiao_arena *arena, struct qiao_diag *d)
{
    struct qiao_btc_merkleblock mb;
    QIAO_TRY(qiao_btc_merkleblock_verify(cx, &mb, proof, proof_len, arena, d));
    if (memcmp(mb.block_hash, header->hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "header-mismatch",
                         "the Merkle block is for a different header");
    out->index = mb.matches[0].index;
    memcpy(out->id, mb.matches[0].txid, 32);
    return QIAO_OK;
}

const struct qiao_adapter qiao_adapter_bitcoin = {
    .abi = QIAO_ADAPTER_ABI,
    .family = "bitcoin",
    .caps = QIAO_CAP_POW | QIAO_CAP_TX_PROOF | QIAO_CAP_HTLC,
    .header_decode = btc_header_decode,
    .header_verify = btc_header_verify,
    .tip_cmp = qiao_adapter_default_tip_cmp,
    .is_final = btc_is_final,
    .proof_verify = btc_proof_verify,
    .htlc_match = qiao_btc_htlc_match,
};
