/*
 * secp.h: secp256k1 signatures as Ethereum and the notary committee use them.
 *
 * Signatures are 65 bytes r ‖ s ‖ v with v in {0, 1} (the recovery id).  Every accepting path
 * enforces the canonical form an EVM inbox also enforces: r and s in [1, n-1] and s ≤ n/2 (low-S),
 * so one signer cannot produce two valid encodings of one attestation.
 */
#ifndef QIAO_CORE_SECP_H
#define QIAO_CORE_SECP_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Check that seckey is a valid secret key (non-zero, below n). */
qiao_err qiao_secp_seckey_check(struct qiao_crypto *cx, const uint8_t seckey[32],
                                struct qiao_diag *d);

/** Generate a fresh secret key from the CSPRNG.  Out: seckey (wipe it when done). */
qiao_err qiao_secp_keygen(struct qiao_crypto *cx, uint8_t seckey[32], struct qiao_diag *d);

/**
 * Sign a 32-byte digest (RFC 6979 nonce; libsecp256k1 always produces low-S).
 * Out: sig65 = r ‖ s ‖ v.   In: seckey, digest.
 */
qiao_err qiao_secp_sign(struct qiao_crypto *cx, uint8_t sig65[65], const uint8_t seckey[32],
                        const uint8_t digest[32], struct qiao_diag *d);

/**
 * Check the canonical form of r ‖ s: reasons "r-zero", "s-zero", "r-out-of-range",
 * "s-out-of-range" (≥ n), "high-s".  Pure byte checks, no curve arithmetic.
 */
qiao_err qiao_secp_sig_check(const uint8_t rs[64], struct qiao_diag *d);

/**
 * Recover the signer of digest from sig65.  Enforces qiao_secp_sig_check and v in {0, 1}.
 * Out: addr20 (Ethereum address: last 20 bytes of keccak256 of the 64-byte public key), pub64
 *      (may be NULL).
 */
qiao_err qiao_secp_recover(struct qiao_crypto *cx, uint8_t addr20[20], uint8_t pub64[64],
                           const uint8_t sig65[65], const uint8_t digest[32], struct qiao_diag *d);

/**
 * Verify a 64-byte r ‖ s signature on digest under a serialized public key (33 or 65 bytes).
 * Enforces the canonical form above.
 */
qiao_err qiao_secp_verify(struct qiao_crypto *cx, const uint8_t *pub, size_t pub_len,
                          const uint8_t rs[64], const uint8_t digest[32], struct qiao_diag *d);

/** Public key of seckey.  Out: pub64 (uncompressed X ‖ Y, no 0x04 prefix), addr20 (may be NULL). */
qiao_err qiao_secp_pubkey(struct qiao_crypto *cx, uint8_t pub64[64], uint8_t addr20[20],
                          const uint8_t seckey[32], struct qiao_diag *d);

/** Ethereum address of a 64-byte public key. */
void qiao_secp_address(uint8_t addr20[20], const uint8_t pub64[64]);

#endif
