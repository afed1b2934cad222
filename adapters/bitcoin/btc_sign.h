/*
 * btc_sign.h: Bitcoin's ECDSA signature form: strict DER (BIP 66) with low S (BIP 146's
 * LOW_S policy), followed by one hash-type byte, and compressed public keys (BIP 143's policy for
 * segwit version 0).
 *
 * Signing uses libsecp256k1 through the crypto context, with its RFC 6979 nonces, so a signature
 * is a deterministic function of key and digest (the BIP 143 examples reproduce byte for byte).
 * The secret key is borrowed and never copied.
 */
#ifndef QIAO_BTC_SIGN_H
#define QIAO_BTC_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Longest signature with its hash-type byte: 72 bytes of DER plus one. */
#define QIAO_BTC_SIG_MAX 73u

/** The compressed (33-byte) public key of seckey.  Returns: QIAO_OK, QIAO_EINVAL "bad-seckey". */
qiao_err qiao_btc_pubkey33(struct qiao_crypto *cx, uint8_t pub33[33], const uint8_t seckey[32],
                           struct qiao_diag *d);

/** 1 when pub33 is a valid compressed point (0x02/0x03 prefix, on the curve). */
int qiao_btc_pubkey33_valid(struct qiao_crypto *cx, const uint8_t pub33[33]);

/**
 * Sign digest: low-S DER followed by the hash_type byte.
 * Returns: QIAO_OK, QIAO_EINVAL "bad-seckey".  Out: sig, *sig_len (at most QIAO_BTC_SIG_MAX).
 */
qiao_err qiao_btc_sign(struct qiao_crypto *cx, uint8_t sig[QIAO_BTC_SIG_MAX], size_t *sig_len,
                       const uint8_t seckey[32], const uint8_t digest[32], uint8_t hash_type,
                       struct qiao_diag *d);

/**
 * Check the encoding of a signature with its hash-type byte, as Core's IsValidSignatureEncoding
 * and IsLowDERSignature do.  Pure byte checks.
 * Returns: QIAO_OK, QIAO_EINVAL "bad-der" (with the rule in the message), "high-s".
 */
qiao_err qiao_btc_sig_check(const uint8_t *sig, size_t len, struct qiao_diag *d);

/**
 * Verify sig (DER plus hash-type byte) on digest under a compressed key; enforces
 * qiao_btc_sig_check.  Returns: QIAO_OK, the check's reasons, QIAO_EINVAL "bad-pubkey",
 * QIAO_EVERIFY "bad-signature".
 */
qiao_err qiao_btc_verify(struct qiao_crypto *cx, const uint8_t pub33[33], const uint8_t *sig,
                         size_t len, const uint8_t digest[32], struct qiao_diag *d);

#endif
