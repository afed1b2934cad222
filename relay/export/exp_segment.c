/*
 * exp_segment.c: one EVM chain segment of a bundle from a node (export.h): the transaction's
 * receipt (to find its index and the log's position in it), the receipt proof from the EVM
 * source half (which re-encodes every receipt and checks them against the verified header's
 * receiptsRoot), and the headers from the trusted checkpoint to the including block plus the
 * chain's confirmations.  Each header is re-encoded and hashed by the source half; the segment as
 * a whole is proven later by the offline verifier (exp_bundle.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/export/exp_seg.h"

static qiao_err hex_u64(uint64_t *out, const cJSON *o, const char *key, struct qiao_diag *d)
{
    const char *s;
    QIAO_TRY(qiao_json_str(&s, o, key, d));
    char *end = NULL;
    if (strncmp(s, "0x", 2) != 0 || !s[2] || strlen(s) > 18)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-quantity", "receipt %s \"%.24s\" is not a quantity",
                         key, s);
    *out = strtoull(s + 2, &end, 16);
    if (*end)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-quantity", "receipt %s \"%.24s\"", key, s);
    return QIAO_OK;
}

/* Does log l (an RPC log object) match m? */
static int log_matches(const cJSON *l, const struct qiao_exp_match *m)
{
    uint8_t addr[20], t[32];
    const cJSON *topics = qiao_json_get(l, "topics");
    uint64_t block_index;
    if (qiao_json_hex_exact(addr, 20, l, "address", NULL) || memcmp(addr, m->address, 20))
        return 0;
    if (m->by_block_index)
        return hex_u64(&block_index, l, "logIndex", NULL) == 0 && block_index == m->block_index;
    for (int i = 0; i < m->ntopics; i++) {
        const cJSON *ti = cJSON_GetArrayItem(topics, i);
        if (!cJSON_IsString(ti) || qiao_hex_decode_exact(t, 32, ti->valuestring, NULL) ||
            memcmp(t, m->topics[i], 32))
            return 0;
    }
    return 1;
}

/* The receipt of tx: its index in the block and the matching log's position in it. */
static qiao_err locate(struct qiao_evm_source *s, const uint8_t tx[32], const uint8_t block[32],
                       const struct qiao_exp_match *m, uint64_t *tx_index, uint64_t *log_pos,
                       struct qiao_diag *d)
{
    char hex[67];
    cJSON *p = cJSON_CreateArray(), *rc = NULL;
    uint8_t bh[32];
    qiao_hex_encode0x(hex, tx, 32);
    cJSON_AddItemToArray(p, cJSON_CreateString(hex));
    QIAO_TRY(qiao_evm_source_call(s, &rc, "eth_getTransactionReceipt", p, d));
    qiao_err err = cJSON_IsObject(rc) ? QIAO_OK
                   : QIAO_FAIL(d, QIAO_ENOTFOUND, "no-receipt", "transaction %s has no receipt",
                               hex);
    if (!err && !(err = qiao_json_hex_exact(bh, 32, rc, "blockHash", d)) && memcmp(bh, block, 32))
        err = QIAO_FAIL(d, QIAO_EVERIFY, "block-reorged", "transaction %s is no longer in the "
                        "block the notary recorded (the chain reorganised)", hex);
    if (!err)
        err = hex_u64(tx_index, rc, "transactionIndex", d);
    const cJSON *logs = err ? NULL : qiao_json_get(rc, "logs"), *l;
    uint64_t pos = 0;
    int found = 0;
    cJSON_ArrayForEach(l, logs) {
        if (log_matches(l, m)) {
            found = 1;
            break;
        }
        pos++;
    }
    if (!err && !found)
        err = QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-log", "transaction %s has no %s log", hex,
                        m->what);
    *log_pos = pos;
    cJSON_Delete(rc);
    return err;
}

static qiao_err headers(struct qiao_ev_segment *seg, struct qiao_evm_source *s,
                        const struct qiao_exp_chain *ch, uint64_t number, const uint8_t block[32],
                        const volatile int *cancel, struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    uint64_t last = number + ch->confirmations;
    qiao_err err = QIAO_OK;
    for (uint64_t n = ch->checkpoint_height; !err && n <= last; n++) {
        char num[24];
        snprintf(num, sizeof(num), "0x%llx", (unsigned long long)n);
        qiao_buf_clear(&raw);
        if (cancel && *cancel)
            err = QIAO_FAIL(d, QIAO_ESTATE, "cancelled", "export cancelled");
        else if ((err = qiao_evm_source_header(s, &h, &raw, num, d)))
            err = qiao_diag_wrap(d, "chain %llu header %llu", (unsigned long long)ch->id,
                                 (unsigned long long)n);
        else if (n == ch->checkpoint_height && memcmp(h.hash, ch->checkpoint_hash, 32))
            err = QIAO_FAIL(d, QIAO_EVERIFY, "checkpoint-mismatch", "chain %llu: block %llu on "
                            "the node is not the trusted checkpoint", (unsigned long long)ch->id,
                            (unsigned long long)n);
        else if (n == number && memcmp(h.hash, block, 32))
            err = QIAO_FAIL(d, QIAO_EVERIFY, "block-reorged", "chain %llu: block %llu on the "
                            "node is not the one the notary recorded", (unsigned long long)ch->id,
                            (unsigned long long)n);
        else
            err = qiao_ev_segment_push(seg, raw.p, raw.len, d);
    }
    qiao_buf_clear(&raw);
    return err;
}

/* The including block's number, and a refusal when the segment is too long or not final. */
static qiao_err span(uint64_t *number, struct qiao_evm_source *s, const struct qiao_exp_chain *ch,
                     const uint8_t block[32], struct qiao_diag *d)
{
    char hex[67];
    struct qiao_evm_header tip;
    struct qiao_buf raw = {0};
    qiao_hex_encode0x(hex, block, 32);
    qiao_err err = qiao_evm_source_anchor(s, hex, d);
    if (!err)
        err = qiao_evm_source_header(s, &tip, &raw, "latest", d);
    qiao_buf_clear(&raw);
    if (err)
        return err;
    uint64_t n = qiao_evm_chain_tip(&s->chain)->number;
    *number = n;
    if (n < ch->checkpoint_height)
        return QIAO_FAIL(d, QIAO_ERANGE, "below-checkpoint", "chain %llu: block %llu is below "
                         "the checkpoint %llu", (unsigned long long)ch->id,
                         (unsigned long long)n, (unsigned long long)ch->checkpoint_height);
    if (n + ch->confirmations - ch->checkpoint_height + 1 > QIAO_EV_MAX_HEADERS)
        return QIAO_FAIL(d, QIAO_ERANGE, "segment-too-long", "chain %llu: %llu headers from the "
                         "checkpoint %llu to block %llu plus %llu confirmations exceed %d; "
                         "configure a nearer checkpoint", (unsigned long long)ch->id,
                         (unsigned long long)(n + ch->confirmations - ch->checkpoint_height + 1),
                         (unsigned long long)ch->checkpoint_height, (unsigned long long)n,
                         (unsigned long long)ch->confirmations, QIAO_EV_MAX_HEADERS);
    if (tip.number < n + ch->confirmations)
        return QIAO_FAIL(d, QIAO_ESTATE, "not-final-yet", "chain %llu: block %llu needs %llu "
                         "confirmations; the node's head is %llu; try again later",
                         (unsigned long long)ch->id, (unsigned long long)n,
                         (unsigned long long)ch->confirmations, (unsigned long long)tip.number);
    return QIAO_OK;
}

qiao_err qiao_exp_segment(struct qiao_ev_segment *seg, uint64_t *block_time,
                          struct qiao_evm_source *s, const struct qiao_exp_chain *ch,
                          const uint8_t block[32], const uint8_t tx[32],
                          const struct qiao_exp_match *m, const volatile int *cancel,
                          struct qiao_diag *d)
{
    uint64_t tx_index, log_pos, number;
    struct qiao_buf proof = {0};
    QIAO_TRY(locate(s, tx, block, m, &tx_index, &log_pos, d));
    QIAO_TRY(span(&number, s, ch, block, d));
    *block_time = qiao_evm_chain_tip(&s->chain)->timestamp;
    qiao_err err = qiao_evm_source_receipt_proof(s, &proof, block, tx_index, d);
    if (!err)
        err = qiao_ev_bytes_set(&seg->proof, proof.p, proof.len, d);
    qiao_buf_clear(&proof);
    QIAO_TRY(err);
    seg->chain_id = ch->id;
    seg->block = number - ch->checkpoint_height;
    seg->index = log_pos;
    return headers(seg, s, ch, number, block, cancel, d);
}
