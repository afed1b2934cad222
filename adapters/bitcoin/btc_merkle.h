/*
 * btc_merkle.h: SPV inclusion proofs against a header's Merkle root.
 *
 * Two forms: a plain Merkle path (leaf txid, index, siblings from the leaf up) and Bitcoin Core's
 * `gettxoutproof` format, a CMerkleBlock (80-byte header, transaction count, hashes, flag bits of
 * a partial Merkle tree).  Both reject the CVE-2012-2459 duplicate-subtree mutation: a tree whose
 * last node was duplicated hashes like one where it was not, so a node that is its own left
 * sibling (path) or a right subtree equal to its left one (partial tree) never proves anything.
 * A 64-byte transaction can pose as an inner node, so proofs that carry the transaction refuse
 * one (see qiao_btc_spv_verify_tx).
 *
 * Pure: no I/O, no globals; the Merkle-block matches are allocated from the caller's arena and
 * borrow nothing after return except that arena.
 */
#ifndef QIAO_BTC_MERKLE_H
#define QIAO_BTC_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_header.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Deepest Merkle path accepted: a block holds at most 16,666 transactions, 15 levels. */
#define QIAO_BTC_MAX_MERKLE_DEPTH 20u
/** Most transactions a block can hold (MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT). */
#define QIAO_BTC_MAX_BLOCK_TXS 16666u

/** Bitcoin's inner-node hash: double SHA-256 of left || right.  Out: out. */
void qiao_btc_merkle_pair(struct qiao_crypto *cx, uint8_t out[32], const uint8_t left[32],
                          const uint8_t right[32]);

/**
 * Fold a Merkle path into the root it implies.
 * Returns: QIAO_OK, or QIAO_EINVAL "bad-path-length" (not whole 32-byte siblings),
 *          QIAO_ERANGE "path-too-long", QIAO_EVERIFY "index-out-of-range" (index needs more
 *          levels than the path has) or "duplicate-subtree" (CVE-2012-2459).
 * Out: root.  In: leaf (txid, internal order), index, siblings (concatenated, internal order).
 */
qiao_err qiao_btc_merkle_path_root(struct qiao_crypto *cx, uint8_t root[32],
                                   const uint8_t leaf[32], uint64_t index,
                                   const uint8_t *siblings, size_t siblings_len,
                                   struct qiao_diag *d);

/**
 * Verify a Merkle path against an expected root.
 * Returns: QIAO_OK, the path_root failures, or QIAO_EVERIFY "merkle-root-mismatch".
 */
qiao_err qiao_btc_merkle_verify(struct qiao_crypto *cx, const uint8_t root[32],
                                const uint8_t leaf[32], uint64_t index, const uint8_t *siblings,
                                size_t siblings_len, struct qiao_diag *d);

/**
 * Verify that a raw transaction sits at index under root: computes its txid (segwit stripped),
 * refuses a transaction whose stripped serialisation is 64 bytes, then checks the path.
 * Returns: QIAO_OK, qiao_btc_tx_parse failures, QIAO_EVERIFY "tx-64-bytes", or the path failures.
 * Out: txid (may be NULL).
 */
qiao_err qiao_btc_spv_verify_tx(struct qiao_crypto *cx, uint8_t txid[32], const uint8_t root[32],
                                const uint8_t *tx, size_t tx_len, uint64_t index,
                                const uint8_t *siblings, size_t siblings_len,
                                struct qiao_diag *d);

/** One transaction a Merkle block proves. */
struct qiao_btc_pmt_match {
    uint8_t txid[32]; /* internal order */
    uint32_t index;   /* position in the block */
};

/** A verified Merkle block. */
struct qiao_btc_merkleblock {
    struct qiao_btc_header header;
    uint8_t block_hash[32];              /* internal order */
    uint32_t transactions;               /* the block's transaction count */
    struct qiao_btc_pmt_match *matches;  /* arena storage */
    size_t nmatches;                     /* at least 1 on success */
};

/**
 * Parse and verify a serialised CMerkleBlock (gettxoutproof output), following Core's
 * CPartialMerkleTree::ExtractMatches, plus: no trailing bytes, minimal CompactSizes, zero padding
 * bits, at least one match.  The header's own PoW is NOT checked here: the caller verifies the
 * header (chain or --header) and compares block_hash.
 * Returns: QIAO_OK, or QIAO_EINVAL "truncated", "trailing-bytes", "non-canonical-varint",
 *          "non-canonical-flags"; QIAO_ERANGE "varint-too-large", "too-many-transactions";
 *          QIAO_ENOMEM "arena-exhausted"; QIAO_EVERIFY "no-transactions", "too-many-hashes",
 *          "too-few-flags", "flags-exhausted", "hashes-exhausted", "duplicate-subtree",
 *          "unused-flags", "unused-hashes", "merkle-root-mismatch", "no-match".
 * Out: *mb.  In: raw, len, arena (matches are allocated there).
 */
qiao_err qiao_btc_merkleblock_verify(struct qiao_crypto *cx, struct qiao_btc_merkleblock *mb,
                                     const uint8_t *raw, size_t len, struct qiao_arena *arena,
                                     struct qiao_diag *d);

#endif
