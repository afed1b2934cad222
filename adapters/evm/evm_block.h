/*
 * evm_block.h: a full block's RLP ([header, transactions, ommers] plus withdrawals from Shanghai)
 * and the transactions root recomputed from it.
 *
 * Each transaction is decoded strictly (evm_tx.h) so a block with a malformed transaction is
 * rejected even when its root would match.  The transactions trie maps rlp(index) to the
 * transaction's canonical encoding: the RLP list for legacy, `type ‖ payload` for typed ones
 * (which the block body wraps as an RLP string).
 *
 * Ownership: a decoded block borrows the input bytes.
 */
#ifndef QIAO_EVM_BLOCK_H
#define QIAO_EVM_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/evm/evm_header.h"
#include "adapters/evm/evm_trie.h"
#include "relay/core/bytes.h"
#include "relay/core/diag.h"
#include "relay/core/rlp.h"

/** Most transactions accepted in one block (mainnet's gas limit allows well under this). */
#define QIAO_EVM_BLOCK_MAX_TXS 65536
/** Largest block accepted. */
#define QIAO_EVM_BLOCK_MAX_BYTES ((size_t)32 << 20)

struct qiao_evm_block {
    struct qiao_evm_header header;
    const uint8_t *header_raw;
    size_t header_len;
    struct qiao_rlp_item txs;    /* the transactions list */
    size_t tx_count;
    struct qiao_rlp_item ommers;
    int has_withdrawals;
};

/**
 * Decode a full block and every transaction in it.
 * Reasons: "bad-block" (shape), "too-many-txs", "block-too-large", "bad-tx" (with the index), and
 *          the header's reasons.
 */
qiao_err qiao_evm_block_decode(struct qiao_evm_block *b, const uint8_t *raw, size_t len,
                               struct qiao_diag *d);

/** The canonical encoding of transaction i of the list (borrowed).  i < tx_count. */
qiao_err qiao_evm_block_tx(const uint8_t **tx, size_t *tx_len, const struct qiao_evm_block *b,
                           size_t i, struct qiao_diag *d);

/**
 * Recompute the transactions root.  Temporary item and key arrays come from arena (about 48 bytes
 * per transaction); node encodings go to scratch.
 */
qiao_err qiao_evm_block_tx_root(uint8_t root[32], const struct qiao_evm_block *b,
                                struct qiao_arena *arena, struct qiao_buf *scratch,
                                struct qiao_diag *d);

/**
 * The root of an ordered trie (transactions or receipts): value i under key rlp(i).
 * Arena and scratch as above.
 */
qiao_err qiao_evm_ordered_root(uint8_t root[32], const uint8_t *const *vals, const size_t *lens,
                               size_t n, struct qiao_arena *arena, struct qiao_buf *scratch,
                               struct qiao_diag *d);

/** Build the proof of item index in an ordered trie.  See qiao_evm_trie_prove for store. */
qiao_err qiao_evm_ordered_prove(uint8_t root[32], struct qiao_evm_proof *proof,
                                struct qiao_buf *store, const uint8_t *const *vals,
                                const size_t *lens, size_t n, uint64_t index,
                                struct qiao_arena *arena, struct qiao_buf *scratch,
                                struct qiao_diag *d);

#endif
