/* evm_block.c: full-block decoding and ordered-trie roots (see evm_block.h). */
#include <string.h>

#include "adapters/evm/evm_block.h"
#include "adapters/evm/evm_tx.h"

/* The canonical encoding of one body entry: a list is a legacy tx; a string wraps a typed one. */
static qiao_err body_tx(const uint8_t **tx, size_t *tx_len, const struct qiao_rlp_item *it,
                        size_t i, struct qiao_diag *d)
{
    if (it->list) {
        *tx = it->raw, *tx_len = it->raw_len;
        return QIAO_OK;
    }
    if (it->len == 0 || it->p[0] >= 0x80)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-tx",
                         "transaction %zu is a string that does not hold a typed transaction", i);
    *tx = it->p, *tx_len = it->len;
    return QIAO_OK;
}

static qiao_err decode_txs(struct qiao_evm_block *b, struct qiao_diag *d)
{
    struct qiao_rlp_iter iter;
    struct qiao_rlp_item it;
    int have;
    QIAO_TRY(qiao_rlp_iter_init(&iter, &b->txs, d));
    b->tx_count = 0;
    for (;;) {
        QIAO_TRY(qiao_rlp_next(&iter, &it, &have, d));
        if (!have)
            return QIAO_OK;
        if (b->tx_count == QIAO_EVM_BLOCK_MAX_TXS)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-many-txs", "block holds more than %d "
                             "transactions", QIAO_EVM_BLOCK_MAX_TXS);
        const uint8_t *raw;
        size_t len;
        struct qiao_evm_tx tx;
        /* Not zero-initialised: clearing ~400 bytes per field showed up in the bench. */
        struct qiao_diag inner;
        inner.reason[0] = inner.msg[0] = 0;
        QIAO_TRY(body_tx(&raw, &len, &it, b->tx_count, d));
        if (qiao_evm_tx_decode(&tx, raw, len, &inner))
            return QIAO_FAIL(d, inner.code, "bad-tx", "transaction %zu: %s (%s)", b->tx_count,
                             inner.msg, inner.reason);
        b->tx_count++;
    }
}

qiao_err qiao_evm_block_decode(struct qiao_evm_block *b, const uint8_t *raw, size_t len,
                               struct qiao_diag *d)
{
    memset(b, 0, sizeof(*b));
    if (len > QIAO_EVM_BLOCK_MAX_BYTES)
        return QIAO_FAIL(d, QIAO_ERANGE, "block-too-large", "block of %zu bytes exceeds %zu", len,
                         QIAO_EVM_BLOCK_MAX_BYTES);
    struct qiao_rlp_item top, parts[4];
    size_t n;
    qiao_err err = qiao_rlp_decode_whole(&top, raw, len, d);
    if (!err)
        err = qiao_rlp_list(parts, 4, &n, &top, d);
    if (err)
        return qiao_diag_wrap(d, "block RLP");
    if (n < 3 || !parts[0].list || !parts[1].list || !parts[2].list || (n == 4 && !parts[3].list))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-block", "block is not [header, transactions, "
                         "ommers(, withdrawals)]");
    b->header_raw = parts[0].raw, b->header_len = parts[0].raw_len;
    QIAO_TRY(qiao_evm_header_decode(&b->header, b->header_raw, b->header_len, d));
    int wants_withdrawals = b->header.fields >= QIAO_EVM_FORK_SHANGHAI;
    if ((n == 4) != wants_withdrawals)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-block", "block body %s withdrawals but its header "
                         "has %u fields", n == 4 ? "has" : "lacks", b->header.fields);
    b->txs = parts[1], b->ommers = parts[2], b->has_withdrawals = n == 4;
    return decode_txs(b, d);
}

qiao_err qiao_evm_block_tx(const uint8_t **tx, size_t *tx_len, const struct qiao_evm_block *b,
                           size_t i, struct qiao_diag *d)
{
    struct qiao_rlp_iter iter;
    struct qiao_rlp_item it;
    int have = 0;
    QIAO_TRY(qiao_rlp_iter_init(&iter, &b->txs, d));
    for (size_t k = 0; k <= i; k++) {
        QIAO_TRY(qiao_rlp_next(&iter, &it, &have, d));
        if (!have)
            return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-tx", "block has no transaction %zu", i);
    }
    return body_tx(tx, tx_len, &it, i, d);
}

/* Items for an ordered trie: keys rlp(i) in arena storage. */
static qiao_err ordered_items(struct qiao_evm_trie_item **out, const uint8_t *const *vals,
                              const size_t *lens, size_t n, struct qiao_arena *arena,
                              struct qiao_diag *d)
{
    if (n > QIAO_EVM_BLOCK_MAX_TXS)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-items", "ordered trie of %zu items exceeds %d",
                         n, QIAO_EVM_BLOCK_MAX_TXS);
    struct qiao_evm_trie_item *items = qiao_arena_alloc(arena, n * sizeof(*items) + 1, d);
    uint8_t *keys = qiao_arena_alloc(arena, n * 9 + 1, d);
    if (!items || !keys)
        return QIAO_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        items[i].key = keys + 9 * i;
        items[i].key_len = qiao_evm_index_key(keys + 9 * i, i);
        items[i].val = vals[i], items[i].val_len = lens[i];
    }
    *out = items;
    return QIAO_OK;
}

qiao_err qiao_evm_ordered_root(uint8_t root[32], const uint8_t *const *vals, const size_t *lens,
                               size_t n, struct qiao_arena *arena, struct qiao_buf *scratch,
                               struct qiao_diag *d)
{
    struct qiao_evm_trie_item *items;
    QIAO_TRY(ordered_items(&items, vals, lens, n, arena, d));
    return qiao_evm_trie_root(root, items, n, scratch, d);
}

qiao_err qiao_evm_ordered_prove(uint8_t root[32], struct qiao_evm_proof *proof,
                                struct qiao_buf *store, const uint8_t *const *vals,
                                const size_t *lens, size_t n, uint64_t index,
                                struct qiao_arena *arena, struct qiao_buf *scratch,
                                struct qiao_diag *d)
{
    struct qiao_evm_trie_item *items;
    uint8_t key[9];
    size_t key_len = qiao_evm_index_key(key, index);
    QIAO_TRY(ordered_items(&items, vals, lens, n, arena, d));
    return qiao_evm_trie_prove(root, proof, store, items, n, key, key_len, scratch, d);
}

qiao_err qiao_evm_block_tx_root(uint8_t root[32], const struct qiao_evm_block *b,
                                struct qiao_arena *arena, struct qiao_buf *scratch,
                                struct qiao_diag *d)
{
    size_t n = b->tx_count;
    const uint8_t **vals = qiao_arena_alloc(arena, n * sizeof(*vals) + 1, d);
    size_t *lens = qiao_arena_alloc(arena, n * sizeof(*lens) + 1, d);
    struct qiao_rlp_iter iter;
    struct qiao_rlp_item it;
    int have;
    if (!vals || !lens)
        return QIAO_ENOMEM;
    QIAO_TRY(qiao_rlp_iter_init(&iter, &b->txs, d));
    for (size_t i = 0; i < n; i++) {
        QIAO_TRY(qiao_rlp_next(&iter, &it, &have, d));
        QIAO_TRY(body_tx(&vals[i], &lens[i], &it, i, d));
    }
    return qiao_evm_ordered_root(root, (const uint8_t *const *)vals, lens, n, arena, scratch, d);
}
