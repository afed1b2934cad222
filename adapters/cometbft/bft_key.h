/*
 * bft_key.h: CometBFT validator keys: address derivation and vote signature verification.
 *
 * Ed25519 keys (32 bytes) have address SHA-256(pub)[0..20) and sign the sign-bytes directly
 * (RFC 8032, through OpenSSL).  secp256k1 keys (33-byte compressed) have address
 * RIPEMD-160(SHA-256(pub)) and sign SHA-256(sign-bytes) as 64-byte r ‖ s in low-S form, which
 * CometBFT requires and relay/core/secp.h enforces.
 */
#ifndef QIAO_BFT_KEY_H
#define QIAO_BFT_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/cometbft/bft_types.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/**
 * The address CometBFT derives from a key.
 * Returns: QIAO_OK or QIAO_EUNSUPPORTED ("unsupported-hash") if RIPEMD-160 is unavailable.
 * Out: addr.  In: key_type (enum qiao_bft_key_type), pub, pub_len.
 */
qiao_err qiao_bft_key_address(struct qiao_crypto *cx, uint8_t addr[QIAO_BFT_ADDRESS_LEN],
                              int key_type, const uint8_t *pub, size_t pub_len,
                              struct qiao_diag *d);

/**
 * Verify a vote signature by validator v over msg.
 * Returns: QIAO_OK, QIAO_EVERIFY ("bad-signature") or QIAO_EINVAL ("bad-pubkey").
 */
qiao_err qiao_bft_key_verify(struct qiao_crypto *cx, const struct qiao_bft_validator *v,
                             const uint8_t *msg, size_t len, const uint8_t sig[QIAO_BFT_SIG_LEN],
                             struct qiao_diag *d);

#endif
