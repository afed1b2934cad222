/*
 * evm_receipt.h: transaction receipts, their logs, the logs bloom, and event matching.
 *
 * A receipt's canonical encoding (the receipts trie value) is rlp([status, cumulativeGasUsed,
 * logsBloom, logs]) for legacy transactions and `type ‖ rlp(...)` for typed ones; before Byzantium
 * the first field is a 32-byte post-state root instead of a status.  Each log is
 * [address, [topic0..topic3], data].  Decoding borrows the input; logs are read by index without
 * copying, so matching an event in a proven receipt allocates nothing.
 */
#ifndef QIAO_EVM_RECEIPT_H
#define QIAO_EVM_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"
#include "relay/core/rlp.h"

/** Most logs accepted in one receipt. */
#define QIAO_EVM_MAX_LOGS 4096

/** One log.  data borrows the receipt (or, when encoding, the caller's bytes). */
struct qiao_evm_log {
    uint8_t address[20];
    uint8_t topics[4][32];
    size_t topic_count;
    const uint8_t *data;
    size_t data_len;
};

/** A decoded receipt.  logs borrows the input: read entries with qiao_evm_receipt_log. */
struct qiao_evm_receipt {
    uint8_t type;
    int has_status;          /* 0: pre-Byzantium, post_state holds the state root */
    uint8_t status;          /* 1 success, 0 failure */
    uint8_t post_state[32];
    uint64_t cumulative_gas;
    uint8_t bloom[256];
    struct qiao_rlp_item logs; /* the RLP list of logs */
    size_t log_count;
};

/**
 * Decode a receipt's canonical encoding (exactly len bytes); every log is checked for shape.
 * Reasons: "bad-receipt", "bad-log", "too-many-logs", "unknown-receipt-type", RLP reasons.
 */
qiao_err qiao_evm_receipt_decode(struct qiao_evm_receipt *r, const uint8_t *raw, size_t len,
                                 struct qiao_diag *d);

/** Log i of a decoded receipt ("no-such-log" past the end). */
qiao_err qiao_evm_receipt_log(struct qiao_evm_log *out, const struct qiao_evm_receipt *r,
                              size_t i, struct qiao_diag *d);

/** The 2048-bit bloom of logs (yellow paper M3:2048 over addresses and topics). */
void qiao_evm_bloom(uint8_t bloom[256], const struct qiao_evm_log *logs, size_t n);

/** Check that r's bloom is exactly the bloom of its logs ("bloom-mismatch", QIAO_EVERIFY). */
qiao_err qiao_evm_receipt_check_bloom(const struct qiao_evm_receipt *r, struct qiao_diag *d);

/**
 * Append a receipt's canonical encoding.  In: type (0 legacy), status (0/1; post_state used
 * instead when non-NULL), cumulative gas, logs[0..n).  The bloom is computed from the logs.
 */
qiao_err qiao_evm_receipt_encode(struct qiao_buf *out, uint8_t type, int status,
                                 const uint8_t *post_state, uint64_t cumulative_gas,
                                 const struct qiao_evm_log *logs, size_t n, struct qiao_diag *d);

/**
 * 1 when log was emitted by emitter (NULL: any) and its topics begin with topics[0..n) where a
 * NULL entry matches any topic.
 */
int qiao_evm_log_match(const struct qiao_evm_log *log, const uint8_t emitter[20],
                       const uint8_t *const *topics, size_t n);

#endif
