/*
 * auth.h: authenticating a notary peer on a mesh connection.
 *
 * Each side sends hello with a fresh 32-byte nonce; the other side proves possession of its
 * notary key by signing
 *
 *   keccak256(0x19 ‖ "Qiao peer auth v1" ‖ committee[32] ‖ epoch[8, big-endian] ‖
 *             challenger_nonce[32] ‖ prover[20] ‖ challenger[20])
 *
 * Binding both addresses and the challenger's nonce stops a signature from being replayed to
 * another peer or on another connection; binding committee and epoch stops it crossing bridges.
 * Pure: no I/O, no globals.
 */
#ifndef QIAO_MESH_AUTH_H
#define QIAO_MESH_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** The digest above.  Out: digest.  In: all fields as described. */
void qiao_mesh_auth_digest(uint8_t digest[32], const uint8_t committee[32], uint64_t epoch,
                           const uint8_t challenger_nonce[32], const uint8_t prover[20],
                           const uint8_t challenger[20]);

/** Answer a challenge: sign the digest with this notary's key.  Out: sig65 (v = 0/1). */
qiao_err qiao_mesh_auth_sign(struct qiao_crypto *cx, uint8_t sig65[65], const uint8_t seckey[32],
                             const uint8_t committee[32], uint64_t epoch,
                             const uint8_t challenger_nonce[32], const uint8_t prover[20],
                             const uint8_t challenger[20], struct qiao_diag *d);

/**
 * Check a peer's answer to our challenge.  The signature must recover to `claimed` (the hello's
 * from) and `claimed` must be among the n allowed addresses (committee members that are
 * configured peers).  Reasons: "auth-bad-signature", "auth-wrong-signer", "auth-not-member",
 * plus the canonical-signature reasons of secp.h.
 */
qiao_err qiao_mesh_auth_check(struct qiao_crypto *cx, const uint8_t sig65[65],
                              const uint8_t committee[32], uint64_t epoch,
                              const uint8_t our_nonce[32], const uint8_t claimed[20],
                              const uint8_t ours[20], const uint8_t (*allowed)[20], size_t n,
                              struct qiao_diag *d);

#endif
