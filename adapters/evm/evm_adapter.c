/* evm_adapter.c: the EVM family's adapter table and receipt proof wire form (see evm_adapter.h). */
#include <string.h>

#include "adapters/evm/evm_adapter.h"
#include "adapters/evm/evm_chain.h"
#include "adapters/evm/evm_header.h"
#include "adapters/evm/evm_receipt.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"

static void fill_info(struct qiao_header_info *out, const struct qiao_evm_header *h)
{
    memset(out, 0, sizeof(*out));
    out->height = h->number;
    memcpy(out->hash, h->hash, 32);
    memcpy(out->parent, h->parent_hash, 32);
    out->time = h->timestamp;
    qiao_store64be(out->work + 24, h->number);
    memcpy(out->root, h->receipts_root, 32);
}

static qiao_err evm_header_decode(struct qiao_crypto *cx, struct qiao_header_info *out,
                                  const uint8_t *raw, size_t len, struct qiao_diag *d)
{
    struct qiao_evm_header h;
    QIAO_TRY(qiao_evm_header_decode(&h, raw, len, d));
    fill_info(out, &h);
    return QIAO_OK;
}

static qiao_err evm_header_verify(struct qiao_crypto *cx, struct qiao_header_info *out,
                                  const void *chain, const uint8_t *raw, size_t len,
                                  struct qiao_arena *arena, struct qiao_diag *d)
{
    const struct qiao_evm_link *p = chain;
    struct qiao_evm_header h, parent = {0};
    if (!p)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-parent", "header_verify needs the parent link");
    QIAO_TRY(qiao_evm_header_decode(&h, raw, len, d));
    memcpy(parent.hash, p->hash, 32);
    parent.number = p->number, parent.timestamp = p->timestamp, parent.fields = p->fields;
    QIAO_TRY(qiao_evm_header_check_link(&h, &parent, d));
    fill_info(out, &h);
    return QIAO_OK;
}

static int evm_is_final(const void *policy, const struct qiao_header_info *h,
                        const struct qiao_header_info *tip)
{
    const struct qiao_evm_finality *f = policy;
    struct qiao_evm_finality conf = {.confirmations = f ? f->confirmations : 0};
    return qiao_evm_is_final(&conf, h->height, tip->height, -1);
}

qiao_err qiao_evm_receipt_proof_encode(struct qiao_buf *out, uint64_t index,
                                       const struct qiao_evm_proof *proof, struct qiao_diag *d)
{
    size_t start = qiao_rlp_list_begin(out);
    QIAO_TRY(qiao_rlp_put_u64(out, index, d));
    QIAO_TRY(qiao_evm_proof_encode(out, proof, d));
    return qiao_rlp_list_end(out, start, d);
}

qiao_err qiao_evm_receipt_proof_verify(const uint8_t **receipt, size_t *receipt_len,
                                       uint64_t *index, const uint8_t receipts_root[32],
                                       const uint8_t *buf, size_t len, struct qiao_diag *d)
{
    struct qiao_rlp_item top, parts[2];
    struct qiao_evm_proof proof;
    size_t n, used;
    uint8_t key[9];
    int found;
    if (qiao_rlp_decode(&top, &used, buf, len, NULL) || used != len ||
        qiao_rlp_list(parts, 2, &n, &top, NULL) || n != 2 || qiao_rlp_u64(index, &parts[0], NULL) ||
        !parts[1].list)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-receipt-proof",
                         "receipt proof is not rlp([index, [nodes]])");
    QIAO_TRY(qiao_evm_proof_decode(&proof, parts[1].raw, parts[1].raw_len, d));
    size_t key_len = qiao_evm_index_key(key, *index);
    QIAO_TRY(qiao_evm_proof_verify(&found, receipt, receipt_len, receipts_root, key, key_len,
                                   &proof, d));
    if (!found)
        return QIAO_FAIL(d, QIAO_EVERIFY, "receipt-absent",
                         "the proof shows the block has no receipt %llu",
                         (unsigned long long)*index);
    return QIAO_OK;
}

static qiao_err evm_proof_verify(struct qiao_crypto *cx, struct qiao_proof_result *out,
                                 const struct qiao_header_info *header, const uint8_t *proof,
                                 size_t proof_len, struct qiao_arena *arena, struct qiao_diag *d)
{
    struct qiao_evm_receipt r;
    memset(out, 0, sizeof(*out));
    QIAO_TRY(qiao_evm_receipt_proof_verify(&out->leaf, &out->leaf_len, &out->index, header->root,
                                           proof, proof_len, d));
    QIAO_TRY(qiao_evm_receipt_decode(&r, out->leaf, out->leaf_len, d));
    qiao_keccak256(out->id, out->leaf, out->leaf_len);
    return QIAO_OK;
}

const struct qiao_adapter qiao_adapter_evm = {
    .abi = QIAO_ADAPTER_ABI,
    .family = "evm",
    .caps = QIAO_CAP_TX_PROOF | QIAO_CAP_RECEIPT_PROOF | QIAO_CAP_STATE_PROOF,
    .header_decode = evm_header_decode,
    .header_verify = evm_header_verify,
    .tip_cmp = qiao_adapter_default_tip_cmp,
    .is_final = evm_is_final,
    .proof_verify = evm_proof_verify,
};
