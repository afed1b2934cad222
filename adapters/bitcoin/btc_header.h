/*
 * btc_header.h: the 80-byte Bitcoin block header: decoding, hashing and the context-free proof of
 * work check (nBits decoded as Core's SetCompact; negative, overflowing, zero and above-powLimit
 * targets rejected; hash at most target).
 *
 * Pure: no I/O, no globals, no heap.  Hashes are kept in internal byte order (as hashed); display
 * order (block explorers, RPC) is the reverse.
 */
#ifndef QIAO_BTC_HEADER_H
#define QIAO_BTC_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_params.h"
#include "adapters/bitcoin/btc_u256.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

#define QIAO_BTC_HEADER_LEN 80

/** A decoded header.  Caller storage. */
struct qiao_btc_header {
    uint32_t version;
    uint8_t prev[32];        /* parent hash, internal order */
    uint8_t merkle_root[32]; /* internal order */
    uint32_t time;
    uint32_t bits;
    uint32_t nonce;
};

/**
 * Decode a raw header.
 * Returns: QIAO_OK, or QIAO_EINVAL "bad-header-length" when len != 80.
 * Out: *h.  In: raw, len.
 */
qiao_err qiao_btc_header_decode(struct qiao_btc_header *h, const uint8_t *raw, size_t len,
                                struct qiao_diag *d);

/** Serialise h into 80 bytes.  Out: raw. */
void qiao_btc_header_encode(uint8_t raw[QIAO_BTC_HEADER_LEN], const struct qiao_btc_header *h);

/** The block hash: double SHA-256 of the 80 bytes, internal order.  Out: hash. */
void qiao_btc_header_hash(struct qiao_crypto *cx, uint8_t hash[32],
                          const uint8_t raw[QIAO_BTC_HEADER_LEN]);

/**
 * Decode nBits into a usable target, as Core's CheckProofOfWork does before comparing.
 * Returns: QIAO_OK, or QIAO_EVERIFY with "bits-negative", "bits-overflow", "bits-zero", or
 *          "target-above-limit" (only when params is non-NULL).
 * Out: *target.  In: params (NULL: no powLimit check), bits.
 */
qiao_err qiao_btc_bits_target(struct qiao_btc_u256 *target, const struct qiao_btc_params *params,
                              uint32_t bits, struct qiao_diag *d);

/**
 * Context-free proof of work: the header's hash must not exceed the target its own nBits encode.
 * Returns: QIAO_OK, the qiao_btc_bits_target failures, or QIAO_EVERIFY "high-hash".
 * Out: hash (internal order), *target (may be NULL).  In: params (NULL: no powLimit), raw.
 */
qiao_err qiao_btc_header_check_pow(struct qiao_crypto *cx, uint8_t hash[32],
                                   struct qiao_btc_u256 *target,
                                   const struct qiao_btc_params *params,
                                   const uint8_t raw[QIAO_BTC_HEADER_LEN], struct qiao_diag *d);

#endif
