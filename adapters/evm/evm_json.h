/*
 * evm_json.h: turn what a node says over JSON-RPC into the canonical bytes we verify.
 *
 * A node's header and receipt objects are re-encoded field by field into RLP (headers: the layout
 * is chosen by which fork fields are present; receipts: the trie value encoding).  The header hash
 * is then recomputed from those bytes; the node's own `hash` is only compared against it, never
 * used.  Every field is validated: quantities are canonical "0x" hex (no leading zeros, at most
 * their width), data fields are even-length hex of the exact size, unknown shapes are errors.
 * Pure: no I/O.  The bytes go to a caller's qiao_buf.
 */
#ifndef QIAO_EVM_JSON_H
#define QIAO_EVM_JSON_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

/**
 * Re-encode a JSON block header (eth_getBlockBy*, newHeads) as RLP into out (cleared first), and
 * check the node's "hash" against keccak256 of it.
 * Reasons: "missing-field", "bad-quantity", "bad-data" (field named), "hash-mismatch" (QIAO_EVERIFY:
 *          the node's hash field is not the hash of the header it sent).
 */
qiao_err qiao_evm_header_from_json(struct qiao_buf *out, const cJSON *obj, struct qiao_diag *d);

/**
 * Re-encode a JSON receipt (eth_getBlockReceipts item) as its canonical trie value into out
 * (appended).  Checks the logs bloom against the logs ("bloom-mismatch").  Out: *tx_index.
 */
qiao_err qiao_evm_receipt_from_json(struct qiao_buf *out, uint64_t *tx_index, const cJSON *obj,
                                    struct qiao_diag *d);

/** A canonical JSON quantity ("0x0", "0x1a") of at most n bytes, into out[n] big-endian. */
qiao_err qiao_evm_json_quantity(uint8_t *out, size_t n, const cJSON *obj, const char *key,
                                struct qiao_diag *d);
/** A JSON quantity that fits 64 bits. */
qiao_err qiao_evm_json_u64(uint64_t *out, const cJSON *obj, const char *key, struct qiao_diag *d);

#endif
