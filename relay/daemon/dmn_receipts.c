/* dmn_receipts.c: receipts checked against a verified receiptsRoot (see dmn_receipts.h). */
#include "relay/daemon/dmn_receipts.h"

#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_json.h"
#include "adapters/evm/evm_receipt.h"
#include "adapters/evm/evm_trie.h"
#include "relay/core/json.h"

void qiao_dmn_receipts_clear(struct qiao_dmn_receipts *r)
{
    for (size_t i = 0; r->enc && i < r->n; i++)
        qiao_buf_clear(&r->enc[i]);
    free(r->enc), free(r->tx);
    memset(r, 0, sizeof(*r));
}

qiao_err qiao_dmn_receipts_load(struct qiao_dmn_receipts *r, const cJSON *arr,
                                struct qiao_diag *d)
{
    if (!cJSON_IsArray(arr))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "eth_getBlockReceipts did not return a list");
    size_t cap = (size_t)cJSON_GetArraySize(arr);
    r->enc = calloc(cap + 1, sizeof(*r->enc));
    r->tx = calloc(cap + 1, sizeof(*r->tx));
    if (!r->enc || !r->tx)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "receipts");
    const cJSON *it;
    cJSON_ArrayForEach(it, arr) {
        uint64_t idx;
        /* Count the slot before checking, so a half-built encoding is released by clear. */
        qiao_err err = qiao_evm_receipt_from_json(&r->enc[r->n++], &idx, it, d);
        if (err)
            return err;
        if (idx != r->n - 1)
            return QIAO_FAIL(d, QIAO_EVERIFY, "receipts-out-of-order",
                             "receipt %zu claims transaction index %llu", r->n - 1,
                             (unsigned long long)idx);
        qiao_json_hex_exact(r->tx[r->n - 1], 32, it, "transactionHash", NULL);
    }
    return QIAO_OK;
}

qiao_err qiao_dmn_receipts_check_root(const struct qiao_dmn_receipts *r, const uint8_t root[32],
                                      uint64_t number, struct qiao_diag *d)
{
    struct qiao_evm_trie_item *items = calloc(r->n + 1, sizeof(*items));
    uint8_t(*keys)[9] = calloc(r->n + 1, sizeof(*keys));
    struct qiao_buf scratch = {0};
    uint8_t got[32];
    qiao_err err = items && keys ? QIAO_OK
                                 : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "receipts trie");
    for (size_t i = 0; !err && i < r->n; i++) {
        items[i].key = keys[i];
        items[i].key_len = qiao_evm_index_key(keys[i], i);
        items[i].val = r->enc[i].p, items[i].val_len = r->enc[i].len;
    }
    if (!err && r->n == 0)
        memcpy(got, qiao_evm_empty_trie_root, 32);
    else if (!err)
        err = qiao_evm_trie_root(got, items, r->n, &scratch, d);
    if (!err && memcmp(got, root, 32) != 0)
        err = QIAO_FAIL(d, QIAO_EVERIFY, "receipts-root-mismatch",
                        "the node's receipts for block %llu do not reproduce its receiptsRoot",
                        (unsigned long long)number);
    free(items), free(keys);
    qiao_buf_clear(&scratch);
    return err;
}

int qiao_dmn_bloom_may_hold(const uint8_t bloom[256], const uint8_t addr[20],
                            const uint8_t *topic)
{
    struct qiao_evm_log l = {.topic_count = topic ? 1 : 0};
    uint8_t b[256];
    memcpy(l.address, addr, 20);
    if (topic)
        memcpy(l.topics[0], topic, 32);
    qiao_evm_bloom(b, &l, 1);
    for (int i = 0; i < 256; i++)
        if ((bloom[i] & b[i]) != b[i])
            return 0;
    return 1;
}
