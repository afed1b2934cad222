/*
 * evm_adapter.h: the EVM family's adapter table (relay/core/adapter.h) and its proof wire format.
 *
 * header_decode / header_verify take one header's RLP.  header_verify's `chain` argument is the
 * parent's `const struct qiao_evm_link *` (evm_chain.h).  The summary's `work` is the block number
 * (big-endian): EVM chains here are proof-of-stake or authority chains whose fork choice the node
 * makes; the relay follows the node's head and guards against reorgs below finality instead.
 * `root` is the receiptsRoot, because events are what the relay proves.
 *
 * is_final's policy is a `const struct qiao_evm_finality *`; through the table only the
 * confirmations rule is available (the finalized tag needs the node's answer: qiao_evm_is_final).
 *
 * proof_verify takes a receipt proof: rlp([txIndex, [node, node, ...]]).  It yields the receipt
 * (leaf), its index, and id = keccak256(receipt encoding).
 */
#ifndef QIAO_EVM_ADAPTER_H
#define QIAO_EVM_ADAPTER_H

#include <stdint.h>

#include "adapters/evm/evm_trie.h"
#include "relay/core/adapter.h"

extern const struct qiao_adapter qiao_adapter_evm;

/** Append the wire form of a receipt proof for index. */
qiao_err qiao_evm_receipt_proof_encode(struct qiao_buf *out, uint64_t index,
                                       const struct qiao_evm_proof *proof, struct qiao_diag *d);

/**
 * Verify a receipt proof (wire form) against receipts_root.  Pure, no heap.
 * Out: receipt/receipt_len (borrow buf), *index.  Reasons: "bad-receipt-proof", "receipt-absent"
 * (a valid exclusion proof: the index is not in the block), and the trie and receipt reasons.
 */
qiao_err qiao_evm_receipt_proof_verify(const uint8_t **receipt, size_t *receipt_len,
                                       uint64_t *index, const uint8_t receipts_root[32],
                                       const uint8_t *buf, size_t len, struct qiao_diag *d);

#endif
