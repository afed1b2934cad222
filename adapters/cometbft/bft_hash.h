/*
 * bft_hash.h: CometBFT's hashes: the RFC 6962 Merkle tree (SHA-256, leaf prefix 0x00, inner prefix
 * 0x01, split at the largest power of two below n), the header hash over the fourteen
 * proto-encoded header fields, and the validator-set hash over proto SimpleValidator leaves.
 *
 * Pure: the only state is the caller's crypto context.  No allocation: the tree is walked
 * recursively (depth log2 n) with leaves produced on demand by a callback.
 */
#ifndef QIAO_BFT_HASH_H
#define QIAO_BFT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/cometbft/bft_pb.h"
#include "adapters/cometbft/bft_types.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Produce leaf i's bytes into buf (cap bytes); Out: *len.  A failure aborts the tree. */
typedef qiao_err (*qiao_bft_leaf_fn)(const void *ctx, size_t i, uint8_t *buf, size_t cap,
                                     size_t *len, struct qiao_diag *d);

/**
 * RFC 6962 Merkle root of n leaves (the empty tree hashes to SHA-256 of nothing).
 * Out: root.  In: leaf callback and its ctx.
 */
qiao_err qiao_bft_merkle_root(struct qiao_crypto *cx, uint8_t root[32], size_t n,
                              qiao_bft_leaf_fn leaf, const void *ctx, struct qiao_diag *d);

/** Append google.protobuf.Timestamp {seconds = 1, nanos = 2} fields for t to w. */
void qiao_bft_pb_timestamp(struct qiao_bft_pb *w, struct qiao_bft_time t);

/** The header hash (what commits sign as block_id.hash), in the encoding of the header's block
 *  protocol (bft_types.h).  Out: hash. */
qiao_err qiao_bft_header_hash(struct qiao_crypto *cx, uint8_t hash[32],
                              const struct qiao_bft_header *h, struct qiao_diag *d);

/** The validator-set hash in the set's (canonical) order under encoding enc.  Out: hash. */
qiao_err qiao_bft_valset_hash(struct qiao_crypto *cx, uint8_t hash[32],
                              const struct qiao_bft_valset *vs, enum qiao_bft_encoding enc,
                              struct qiao_diag *d);

#endif
