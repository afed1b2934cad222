/*
 * attest.h: signatures in the store: attestations (ours and peers'), the signing guard that stops
 * this notary from ever signing two digests for one (lane, seq), certificates and deliveries.
 *
 * THE SIGNING RULE.  Before signing an attestation digest the notary calls qiao_store_sign_guard
 * and commits (end_tick, or the operation's own commit outside a tick).  The guard row binds
 * (committee, epoch, src chain, dst chain, seq) to one digest; a later request for the same key
 * with another digest is refused ("lane-seq-conflict"), and the same digest again is allowed, so a
 * notary that crashed after the commit but before signing re-signs the same digest on restart.
 * Signing is deterministic (RFC 6979), so the re-signature is byte-identical.
 *
 * The store does not verify signatures: callers store only attestations they have recovered and
 * checked (relay/core/secp.h).  Ownership: rows passed to callbacks are borrowed for the callback.
 */
#ifndef QIAO_STORE_ATTEST_H
#define QIAO_STORE_ATTEST_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/store/store.h"

#define QIAO_STORE_CERT_MAX_SIGS 255

/** One signature by one committee member over one message's attestation digest. */
struct qiao_store_att {
    uint8_t message[32];
    uint8_t committee[32];
    uint64_t epoch;
    uint8_t signer[20];
    uint8_t sig[65]; /* r ‖ s ‖ v as received/produced */
    const char *peer; /* who relayed it; NULL for our own */
    int64_t received_at; /* filled when read back */
};

typedef int (*qiao_store_att_fn)(void *ctx, const struct qiao_store_att *att);

/**
 * Record an attestation (and an audit row).  A second one for (message, epoch, signer) is ignored
 * and reported through *inserted = 0; the first stays.
 * Out: *inserted (may be NULL).
 */
qiao_err qiao_store_att_put(struct qiao_store *s, const struct qiao_store_att *a, int *inserted,
                            struct qiao_diag *d);

/** Attestations for (message, epoch), signers ascending (certificate order). */
qiao_err qiao_store_att_list(struct qiao_store *s, const uint8_t message[32], uint64_t epoch,
                             qiao_store_att_fn fn, void *ctx, struct qiao_diag *d);

/** Out: *count, the number of distinct signers for (message, epoch). */
qiao_err qiao_store_att_count(struct qiao_store *s, const uint8_t message[32], uint64_t epoch,
                              unsigned *count, struct qiao_diag *d);

/**
 * "What are you missing": a reconnected peer names the message ids it still needs signatures for;
 * fn receives every attestation this store holds for them under epoch (ids in request order,
 * signers ascending).  n is capped at 1024 ids per request ("too-many-ids").
 */
qiao_err qiao_store_missing(struct qiao_store *s, const uint8_t (*ids)[32], size_t n,
                            uint64_t epoch, qiao_store_att_fn fn, void *ctx, struct qiao_diag *d);

/** The key of the signing guard. */
struct qiao_store_lane_seq {
    uint8_t committee[32];
    uint64_t epoch;
    uint64_t src_chain, dst_chain, seq;
};

/**
 * Reserve (key -> digest) before signing; see THE SIGNING RULE.  Writes an audit row when new.
 * Returns: QIAO_OK (new, or the same digest again); QIAO_EVERIFY ("lane-seq-conflict") when the key
 *          is bound to another digest, naming both.
 */
qiao_err qiao_store_sign_guard(struct qiao_store *s, const struct qiao_store_lane_seq *key,
                               const uint8_t digest[32], const uint8_t message[32],
                               struct qiao_diag *d);

/**
 * Store a certificate: n signatures (65 bytes each, concatenated, signers ascending) for message
 * under epoch.  The message must exist (foreign key).  Replacing one for the same epoch is refused
 * ("certificate-exists").  n in [1, QIAO_STORE_CERT_MAX_SIGS].
 */
qiao_err qiao_store_cert_put(struct qiao_store *s, const uint8_t message[32],
                             const uint8_t committee[32], uint64_t epoch, const uint8_t *sigs,
                             size_t n, struct qiao_diag *d);

/**
 * The newest-epoch certificate for message.  sigs has room for cap signatures.
 * Out: *epoch, sigs, *n.  ENOTFOUND "no-certificate"; ERANGE "buffer-too-small".
 */
qiao_err qiao_store_cert_get(struct qiao_store *s, const uint8_t message[32], uint64_t *epoch,
                             uint8_t *sigs, size_t cap, size_t *n, struct qiao_diag *d);

/** Record that this notary (submitter names it) sent tx_hash to deliver message on dst_chain. */
qiao_err qiao_store_delivery_submitted(struct qiao_store *s, const uint8_t message[32],
                                       uint64_t dst_chain, const uint8_t tx_hash[32],
                                       const char *submitter, struct qiao_diag *d);

/**
 * Record the destination receipt of tx_hash (inserting the row when another notary submitted it).
 */
qiao_err qiao_store_delivery_confirmed(struct qiao_store *s, const uint8_t message[32],
                                       uint64_t dst_chain, const uint8_t tx_hash[32],
                                       uint64_t block_height, const uint8_t block_hash[32],
                                       struct qiao_diag *d);

/** One delivery row. */
struct qiao_store_delivery {
    uint8_t tx_hash[32];
    uint64_t dst_chain;
    int confirmed;
    uint64_t block_height;
    uint8_t block_hash[32];
    int64_t submitted_at, confirmed_at;
};

/** The confirmed delivery of message if any, else its latest submission.  ENOTFOUND otherwise. */
qiao_err qiao_store_delivery_get(struct qiao_store *s, const uint8_t message[32],
                                 struct qiao_store_delivery *out, struct qiao_diag *d);

#endif
