/*
 * abi.h: the slice of the Solidity ABI that Qiao's notaries speak: 32-byte words, calldata for
 * Inbox.deliver, Inbox.rotate and Outbox.send, and a strict decoder for the MessageSent log.
 *
 * Pure: no I/O, no globals.  Encoders append to a caller-owned qiao_buf (which owns its storage).
 * The decoder is for hostile input: it accepts only the canonical encoding solc emits (offsets,
 * lengths and zero padding exactly as produced, no trailing bytes, payload within the cap), so
 * one log has exactly one accepted byte string.  Decoded payloads borrow the input bytes.
 */
#ifndef QIAO_NOTARY_ABI_H
#define QIAO_NOTARY_ABI_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

struct qiao_message;

/** Out: w = v as a uint word (big-endian, left-padded). */
void qiao_abi_put_u64(uint8_t w[32], uint64_t v);
/** Out: w = addr left-padded with 12 zero bytes. */
void qiao_abi_put_address(uint8_t w[32], const uint8_t addr[20]);
/** Read a word holding a uint64: reason "abi-dirty-word" unless the top 24 bytes are zero. */
qiao_err qiao_abi_get_u64(uint64_t *v, const uint8_t w[32], struct qiao_diag *d);
/** Read a word holding an address: "abi-dirty-word" unless the top 12 bytes are zero. */
qiao_err qiao_abi_get_address(uint8_t addr[20], const uint8_t w[32], struct qiao_diag *d);

/** The 4-byte selector of a canonical signature string, e.g. "send(uint64,address,bytes)". */
void qiao_abi_selector(uint8_t sel[4], const char *signature);

/** topic0 of MessageSent(uint64,uint64,address,address,bytes32,bytes). */
void qiao_abi_message_sent_topic(uint8_t topic[32]);

/**
 * Append calldata for Inbox.deliver(Message m, bytes sigs).  The payload must be present
 * (m->payload_len bytes; "payload-missing" otherwise) and within QIAO_MSG_PAYLOAD_MAX.
 */
qiao_err qiao_abi_encode_deliver(struct qiao_buf *out, const struct qiao_message *m,
                                 const uint8_t *sigs, size_t sigs_len, struct qiao_diag *d);

/** Append calldata for Inbox.rotate(address[] newMembers, uint16 newK, bytes sigs). */
qiao_err qiao_abi_encode_rotate(struct qiao_buf *out, const uint8_t (*members)[20], size_t n,
                                uint16_t k, const uint8_t *sigs, size_t sigs_len,
                                struct qiao_diag *d);

/** Append calldata for Outbox.send(uint64 dstChainId, address receiver, bytes payload). */
qiao_err qiao_abi_encode_send(struct qiao_buf *out, uint64_t dst_chain_id,
                              const uint8_t receiver[20], const uint8_t *payload,
                              size_t payload_len, struct qiao_diag *d);

/**
 * Decode one MessageSent log.  In: topics (ntopics words: topic0, seq, dstChainId, sender), data
 * (receiver, payloadHash, offset 0x60, length, payload padded to 32 bytes).  Out: m's seq,
 * dst_chain_id, sender, receiver, payload_hash, payload (borrowing data) and version = 1;
 * src_chain_id and src_emitter (the log's address) are the caller's to fill.  Reasons:
 * "abi-wrong-topic-count", "abi-wrong-event", "abi-dirty-word", "abi-truncated",
 * "abi-bad-offset", "payload-too-large", "abi-bad-length", "abi-dirty-padding",
 * "bad-payload-hash" (payloadHash is not keccak256 of the payload).
 */
qiao_err qiao_abi_decode_message_sent(struct qiao_message *m, const uint8_t (*topics)[32],
                                      size_t ntopics, const uint8_t *data, size_t data_len,
                                      struct qiao_diag *d);

#endif
