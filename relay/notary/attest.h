/*
 * attest.h: Qiao messages, attestations and committee certificates (docs/PROTOCOL.md).
 *
 * This is the C side of the contract in adapters/evm/contracts/Inbox.sol.  qiao_cert_verify applies
 * exactly the Inbox's certificate rules, in the Inbox's order, so a notary (and the offline
 * verifier) reaches the verdict the chain will reach, with a reason code naming the same check as
 * the Inbox's custom error.  Digests and ids are byte-for-byte the Solidity ones; the unit tests
 * and the Node contract tests assert the same hex constants.
 *
 * Pure: no I/O, no globals, no heap.  The crypto context supplies secp256k1.
 * Ownership: every pointer argument is borrowed for the duration of the call; struct qiao_message
 * and struct qiao_committee borrow their payload and member arrays from the caller.
 */
#ifndef QIAO_NOTARY_ATTEST_H
#define QIAO_NOTARY_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/core/diag.h"

#define QIAO_MSG_VERSION 1
#define QIAO_MSG_PAYLOAD_MAX 16384 /* Outbox.MAX_PAYLOAD and Inbox.MAX_PAYLOAD */
#define QIAO_COMMITTEE_MAX 64      /* Inbox.MAX_MEMBERS */
#define QIAO_SIG_LEN 65            /* r ‖ s ‖ v, v in {27, 28} */
#define QIAO_ADDR_LEN 20

/** A cross-chain message (Solidity struct Message).  payload is borrowed. */
struct qiao_message {
    uint8_t version;
    uint64_t src_chain_id;
    uint8_t src_emitter[20]; /* the source Outbox */
    uint64_t seq;            /* per-lane sequence, first 1 */
    uint64_t dst_chain_id;
    uint8_t sender[20];      /* msg.sender of Outbox.send */
    uint8_t receiver[20];
    uint8_t payload_hash[32]; /* keccak256(payload) */
    const uint8_t *payload;   /* may be NULL when only the id is needed */
    size_t payload_len;
};

/**
 * A committee epoch: members strictly ascending (as 160-bit big-endian numbers), none zero,
 * 1 <= k <= n <= QIAO_COMMITTEE_MAX, k fits uint16.  members is borrowed.
 */
struct qiao_committee {
    uint8_t id[32];
    uint64_t epoch;
    const uint8_t (*members)[20];
    size_t n;
    unsigned k;
};

/**
 * Message id = keccak256(abi.encode(uint8 version, uint64 srcChainId, address srcEmitter,
 * uint64 seq, uint64 dstChainId, address sender, address receiver, bytes32 payloadHash)).
 * Out: id.  In: m (the payload itself is not read).
 */
void qiao_msg_id(uint8_t id[32], const struct qiao_message *m);

/**
 * The checks the Inbox makes on a message itself, in its order: version ("bad-version"),
 * payload size ("payload-too-large"), keccak256(payload) == payload_hash ("bad-payload-hash").
 * The chain-specific ones (WrongDestination, UnknownSource) need configuration: see
 * qiao_msg_check_route.  Returns: QIAO_OK or QIAO_EVERIFY.
 */
qiao_err qiao_msg_check(const struct qiao_message *m, struct qiao_diag *d);

/**
 * The Inbox's routing checks: m->dst_chain_id == dst_chain_id ("wrong-destination") and
 * m->src_emitter equals the Outbox trusted for m->src_chain_id ("unknown-source"; pass NULL for
 * an unknown source chain).
 */
qiao_err qiao_msg_check_route(const struct qiao_message *m, uint64_t dst_chain_id,
                              const uint8_t trusted_emitter[20], struct qiao_diag *d);

/**
 * Attestation digest = keccak256(0x19 ‖ "Qiao attestation v1" ‖ committeeId ‖ uint64be epoch ‖
 * messageId), 92 bytes hashed.  Out: digest.
 */
void qiao_attest_digest(uint8_t digest[32], const uint8_t committee_id[32], uint64_t epoch,
                        const uint8_t msg_id[32]);

/**
 * Check a committee's shape with the Inbox's rules, in its order: "committee-empty",
 * "committee-too-large", "member-zero", "members-not-ascending", "bad-threshold".
 * Returns: QIAO_OK or QIAO_EINVAL.
 */
qiao_err qiao_committee_check(const struct qiao_committee *c, struct qiao_diag *d);

/** 1 when addr is a member of c (binary search; c must have passed qiao_committee_check). */
int qiao_committee_is_member(const struct qiao_committee *c, const uint8_t addr[20]);

/**
 * Committee update digest for moving to `next` (next->id is the unchanged committee id,
 * next->epoch the new epoch): keccak256(0x19 ‖ "Qiao committee v1" ‖ committeeId ‖
 * uint64be newEpoch ‖ uint16be k ‖ members as 20 bytes each).
 * Returns: QIAO_OK, or the qiao_committee_check failure for a malformed next committee.
 */
qiao_err qiao_committee_digest(uint8_t digest[32], const struct qiao_committee *next,
                               struct qiao_diag *d);

/**
 * Sign a digest made by qiao_attest_digest or qiao_committee_digest (never anything else).
 * Out: sig65 = r ‖ s ‖ v with v in {27, 28} (low-S, RFC 6979).  In: seckey, digest.
 */
qiao_err qiao_attest_sign(struct qiao_crypto *cx, uint8_t sig65[65], const uint8_t seckey[32],
                          const uint8_t digest[32], struct qiao_diag *d);

/**
 * Recover the signer of one wire signature with the Inbox's per-signature rules, in order:
 * "r-zero", "s-zero", "r-out-of-range", "s-out-of-range", "high-s", "bad-v" (v not 27/28),
 * "zero-signer" (nothing recovers, where ecrecover returns address 0).
 * Out: signer.  Returns: QIAO_OK or QIAO_EVERIFY.
 */
qiao_err qiao_attest_recover(struct qiao_crypto *cx, uint8_t signer[20], const uint8_t sig65[65],
                             const uint8_t digest[32], struct qiao_diag *d);

/**
 * Check one peer's attestation for msg_id: recovers (qiao_attest_recover) and requires a member
 * of c ("not-member").  Out: signer (may be NULL).
 */
qiao_err qiao_attest_verify(struct qiao_crypto *cx, const struct qiao_committee *c,
                            const uint8_t msg_id[32], const uint8_t sig65[65], uint8_t signer[20],
                            struct qiao_diag *d);

/**
 * Verify a certificate for msg_id exactly as Inbox.deliver does, against c's current epoch.
 * Rules in order: committee shape (qiao_committee_check), length a multiple of 65
 * ("sigs-length", QIAO_EINVAL), at most n signatures ("too-many-signatures"), then per
 * signature qiao_attest_recover's rules, signer strictly above the previous one
 * ("signers-not-ascending"), a member ("not-member"); finally count >= k ("below-threshold").
 * Out: signers (room for c->n addresses, may be NULL), count (may be NULL): the recovered
 *      signers in certificate order.
 * Returns: QIAO_OK, QIAO_EINVAL or QIAO_EVERIFY.
 */
qiao_err qiao_cert_verify(struct qiao_crypto *cx, const struct qiao_committee *c,
                          const uint8_t msg_id[32], const uint8_t *sigs, size_t sigs_len,
                          uint8_t (*signers)[20], size_t *count, struct qiao_diag *d);

/** As qiao_cert_verify over an explicit digest (Inbox.rotate uses the committee update digest). */
qiao_err qiao_cert_verify_digest(struct qiao_crypto *cx, const struct qiao_committee *c,
                                 const uint8_t digest[32], const uint8_t *sigs, size_t sigs_len,
                                 uint8_t (*signers)[20], size_t *count, struct qiao_diag *d);

/**
 * Build a certificate from attestations in any order: each is recovered and must be a member
 * (qiao_attest_verify's reasons, with its index in the message), repeats of one signer are
 * dropped, the rest sorted by signer ascending and the lowest `want` kept (0: all).  Fails with
 * "below-threshold" when fewer than k distinct signers remain, "too-many-signatures" for more
 * than QIAO_COMMITTEE_MAX inputs, "cert-buffer-small" (QIAO_ERANGE) when out cannot hold it.
 * Out: out (cap bytes), out_len.  In: attestations (nsigs × 65 bytes), digest they sign.
 */
qiao_err qiao_cert_build(struct qiao_crypto *cx, const struct qiao_committee *c,
                         const uint8_t digest[32], const uint8_t (*attestations)[65], size_t nsigs,
                         size_t want, uint8_t *out, size_t cap, size_t *out_len,
                         struct qiao_diag *d);

#endif
