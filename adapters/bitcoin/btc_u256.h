/*
 * btc_u256.h: the 256-bit unsigned arithmetic Bitcoin's proof of work needs, with the exact
 * semantics of Bitcoin Core's arith_uint256: SetCompact / GetCompact for nBits (including the
 * negative and overflow flags), work from target, and the retarget's multiply and divide.
 *
 * Values are caller-owned fixed-size structs (no heap).  Limbs are little-endian 32-bit words so
 * that a block hash in its internal byte order loads directly as a number.
 */
#ifndef QIAO_BTC_U256_H
#define QIAO_BTC_U256_H

#include <stdint.h>

/** A 256-bit unsigned integer; w[0] is the least significant word.  Arithmetic wraps mod 2^256. */
struct qiao_btc_u256 {
    uint32_t w[8];
};

/** Decode compact nBits exactly as Core's SetCompact.  Out: *out, *negative, *overflow (0/1). */
void qiao_btc_u256_from_compact(struct qiao_btc_u256 *out, int *negative, int *overflow,
                                uint32_t bits);
/** Encode as Core's GetCompact(false).  Returns: the compact form. */
uint32_t qiao_btc_u256_to_compact(const struct qiao_btc_u256 *a);

/** Load 32 bytes read as a little-endian number (a hash in internal byte order). */
void qiao_btc_u256_from_le(struct qiao_btc_u256 *out, const uint8_t in[32]);
/** Load / store 32 bytes as a big-endian number (chainwork on the wire). */
void qiao_btc_u256_from_be(struct qiao_btc_u256 *out, const uint8_t in[32]);
void qiao_btc_u256_to_be(uint8_t out[32], const struct qiao_btc_u256 *a);

/** Returns: < 0, 0, > 0 as a is below, equal to, above b. */
int qiao_btc_u256_cmp(const struct qiao_btc_u256 *a, const struct qiao_btc_u256 *b);
/** Returns: 1 when a is zero. */
int qiao_btc_u256_is_zero(const struct qiao_btc_u256 *a);
/** Returns: 1 when the little-endian hash is at most target (the proof-of-work comparison). */
int qiao_btc_hash_le_target(const uint8_t hash[32], const struct qiao_btc_u256 *target);

/** Out: r = a + b (mod 2^256). */
void qiao_btc_u256_add(struct qiao_btc_u256 *r, const struct qiao_btc_u256 *a,
                       const struct qiao_btc_u256 *b);
/** Out: r = a * m (mod 2^256), as Core's operator*=(uint32). */
void qiao_btc_u256_mul32(struct qiao_btc_u256 *r, const struct qiao_btc_u256 *a, uint32_t m);
/** Out: r = a / b (b != 0), as Core's operator/=; a zero divisor yields zero (caller checks). */
void qiao_btc_u256_div(struct qiao_btc_u256 *r, const struct qiao_btc_u256 *a,
                       const struct qiao_btc_u256 *b);

/**
 * Work represented by a target, Core's GetBlockProof: 2^256 / (target + 1), computed as
 * ~target / (target + 1) + 1.  Out: *work (zero for a zero target).
 */
void qiao_btc_u256_work(struct qiao_btc_u256 *work, const struct qiao_btc_u256 *target);

#endif
