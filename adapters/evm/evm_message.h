/*
 * evm_message.h: the Outbox event the relay forwards,
 *   MessageSent(uint64 seq, uint64 dstChainId, address sender, address receiver,
 *               bytes32 payloadHash, bytes payload)
 * decoded from a log with strict ABI rules: canonical head offsets, zero padding, exact data
 * length, and payloadHash == keccak256(payload).
 *
 * The Outbox contract is not written yet, so which of the first five parameters are `indexed` is a
 * parameter (a bit mask, bit i for parameter i); `payload` is never indexed (an indexed `bytes`
 * leaves only its hash in the log).  Pure; the payload borrows the log's data.
 */
#ifndef QIAO_EVM_MESSAGE_H
#define QIAO_EVM_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/evm/evm_receipt.h"
#include "relay/core/diag.h"

/** Largest payload accepted. */
#define QIAO_EVM_MESSAGE_MAX_PAYLOAD ((size_t)64 << 10)

struct qiao_evm_message_sent {
    uint64_t seq;
    uint64_t dst_chain_id;
    uint8_t sender[20];
    uint8_t receiver[20];
    uint8_t payload_hash[32];
    const uint8_t *payload;
    size_t payload_len;
};

/** topic0 of MessageSent: keccak256 of its canonical signature. */
void qiao_evm_message_sent_topic(uint8_t topic[32]);

/**
 * Decode log as MessageSent with the given indexed mask (bits 0..4).
 * Reasons: "not-message-sent" (topic0 or topic count), "bad-abi" (offsets, padding, lengths,
 *          integers above their type), "payload-too-large", "payload-hash-mismatch" (QIAO_EVERIFY).
 */
qiao_err qiao_evm_message_sent_decode(struct qiao_evm_message_sent *m, const struct qiao_evm_log *log,
                                      unsigned indexed_mask, struct qiao_diag *d);

/** Append the log data (non-indexed part) for m under indexed_mask; for tests and the demo. */
qiao_err qiao_evm_message_sent_encode(struct qiao_evm_log *log, struct qiao_buf *data,
                                      const struct qiao_evm_message_sent *m, unsigned indexed_mask,
                                      const uint8_t emitter[20], struct qiao_diag *d);

#endif
