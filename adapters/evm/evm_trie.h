/*
 * evm_trie.h: Ethereum's Merkle-Patricia trie (yellow paper, appendix D): building roots from a
 * set of key/value items, producing proofs, and verifying inclusion and exclusion proofs.
 *
 * Verification (qiao_evm_proof_verify) is pure and allocation-free: it walks the proof nodes the
 * caller lends it, hashing each referenced node with Keccak-256 and following the key's nibbles
 * through branch, extension and leaf nodes, including nodes under 32 bytes that their parent embeds
 * inline instead of referencing by hash.  It accepts only canonical shapes (see the reasons in
 * docs/adapters/evm.md) and insists that the proof holds exactly the nodes on the key's path.
 *
 * Building (qiao_evm_trie_root, qiao_evm_trie_prove) is for roots the relay recomputes (the
 * transactions and receipts tries) and for proofs the source half hands out.  It writes node
 * encodings into a caller-owned qiao_buf used as scratch; it never retains pointers.
 *
 * Ownership: items and keys are borrowed for the call.  A verified value borrows the proof bytes.
 */
#ifndef QIAO_EVM_TRIE_H
#define QIAO_EVM_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

/** Longest key accepted, in bytes.  Ethereum's keys are 32 bytes (secure) or rlp(index) (<= 9). */
#define QIAO_EVM_TRIE_MAX_KEY 64
/** Most nodes a proof may hold: one per nibble of the longest key, plus the root. */
#define QIAO_EVM_PROOF_MAX_NODES (2 * QIAO_EVM_TRIE_MAX_KEY + 1)
/** Largest node accepted in a proof: a branch of 16 hashes is 532 bytes; leaves carry values. */
#define QIAO_EVM_PROOF_MAX_NODE_BYTES ((size_t)1 << 20)

/** keccak256(rlp("")): the root of the empty trie. */
extern const uint8_t qiao_evm_empty_trie_root[32];

/** One key/value pair to build a trie from.  Values must be non-empty (empty means absent). */
struct qiao_evm_trie_item {
    const uint8_t *key;
    size_t key_len;
    const uint8_t *val;
    size_t val_len;
};

/** A proof: the nodes on a key's path, root first, each the node's RLP encoding (borrowed). */
struct qiao_evm_proof {
    const uint8_t *node[QIAO_EVM_PROOF_MAX_NODES];
    size_t len[QIAO_EVM_PROOF_MAX_NODES];
    size_t count;
};

/**
 * Root of the trie holding items (any order; sorted in place).
 * Returns: QIAO_OK, or QIAO_EINVAL ("duplicate-key", "empty-value"), QIAO_ERANGE ("key-too-long"),
 *          QIAO_ENOMEM from the scratch buffer.
 * Out: root.  In: items[0..n).  scratch: caller's buffer, reused across calls (left non-empty).
 */
qiao_err qiao_evm_trie_root(uint8_t root[32], struct qiao_evm_trie_item *items, size_t n,
                            struct qiao_buf *scratch, struct qiao_diag *d);

/**
 * Build the trie over items and collect the proof for key (present or absent).
 * Out: root; proof->node[] point into store, which this call clears and fills (the pointers are
 *      valid until store is next modified).
 * In:  items (sorted in place), key.  scratch as for qiao_evm_trie_root.
 */
qiao_err qiao_evm_trie_prove(uint8_t root[32], struct qiao_evm_proof *proof, struct qiao_buf *store,
                             struct qiao_evm_trie_item *items, size_t n, const uint8_t *key,
                             size_t key_len, struct qiao_buf *scratch, struct qiao_diag *d);

/**
 * Verify a proof for key under root.  Pure; no allocation.
 * Returns: QIAO_OK when the proof is valid (for inclusion OR exclusion: see *found), otherwise
 *          QIAO_EVERIFY ("root-mismatch", "node-hash-mismatch", "proof-missing-node",
 *          "proof-extra-nodes", ...) or QIAO_EINVAL for malformed nodes ("bad-node",
 *          "bad-hex-prefix", "bad-child-ref", ...).
 * Out: *found (1: key present with *value; 0: the proof shows the key is absent), value/value_len
 *      (borrow proof bytes; NULL/0 when absent).
 * In:  root, key/key_len, proof.
 */
qiao_err qiao_evm_proof_verify(int *found, const uint8_t **value, size_t *value_len,
                               const uint8_t root[32], const uint8_t *key, size_t key_len,
                               const struct qiao_evm_proof *proof, struct qiao_diag *d);

/**
 * Split an RLP list of node strings (the wire form of a proof, as qiao_evm_proof_encode writes it)
 * into proof, borrowing buf.  Reasons: "not-a-list", "too-many-nodes", "node-too-large".
 */
qiao_err qiao_evm_proof_decode(struct qiao_evm_proof *proof, const uint8_t *buf, size_t len,
                               struct qiao_diag *d);

/** Append the wire form of proof (an RLP list of the node encodings as strings) to out. */
qiao_err qiao_evm_proof_encode(struct qiao_buf *out, const struct qiao_evm_proof *proof,
                               struct qiao_diag *d);

/** The key of item i in the transactions and receipts tries: rlp(i), into out[9]; returns length. */
size_t qiao_evm_index_key(uint8_t out[9], uint64_t i);

#endif
