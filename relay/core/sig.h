/*
 * sig.h: Ed25519 and P-256 (secp256r1) signature verification through OpenSSL EVP.
 *
 * Ed25519 serves CometBFT validators; P-256 serves Hyperledger Fabric endorsements and TLS-era
 * keys.  Both are verification only: Qiao never holds these keys.
 */
#ifndef QIAO_CORE_SIG_H
#define QIAO_CORE_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

/** Verify an Ed25519 signature (RFC 8032, pure) of msg under a 32-byte public key. */
qiao_err qiao_ed25519_verify(const uint8_t pub[32], const uint8_t sig[64], const uint8_t *msg,
                             size_t msg_len, struct qiao_diag *d);

/**
 * Verify a P-256 ECDSA signature over SHA-256(msg).
 * In: pub (SEC1, 33 compressed or 65 uncompressed bytes), sig (64 bytes r ‖ s, big-endian).
 * Rejects r or s of zero or not below the order, and high-S when require_low_s is non-zero.
 */
qiao_err qiao_p256_verify(const uint8_t *pub, size_t pub_len, const uint8_t sig[64],
                          const uint8_t *msg, size_t msg_len, int require_low_s,
                          struct qiao_diag *d);

/** Sign with Ed25519 (tests and replay fixtures only: makes signed light blocks for mutation). */
qiao_err qiao_ed25519_sign(uint8_t sig[64], const uint8_t seed[32], const uint8_t *msg,
                           size_t msg_len, struct qiao_diag *d);
/** Ed25519 public key of a 32-byte seed. */
qiao_err qiao_ed25519_pubkey(uint8_t pub[32], const uint8_t seed[32], struct qiao_diag *d);

#endif
