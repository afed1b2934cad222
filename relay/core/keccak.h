/*
 * keccak.h: Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not SHA3-256's 0x06).
 *
 * OpenSSL 3.0 has no Keccak-256, so Qiao carries its own permutation.  Pure: no I/O, no globals,
 * caller storage only.  Tested against published known answers and multi-block inputs
 * (tests/unit/core/test_keccak.c).
 */
#ifndef QIAO_CORE_KECCAK_H
#define QIAO_CORE_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define QIAO_KECCAK256_RATE 136

/** Streaming state.  Caller storage; no clear needed (holds no secrets of ours). */
struct qiao_keccak {
    uint64_t s[25];
    uint8_t buf[QIAO_KECCAK256_RATE];
    size_t fill;
};

void qiao_keccak_init(struct qiao_keccak *k);
void qiao_keccak_update(struct qiao_keccak *k, const void *p, size_t n);
/** Pad, squeeze 32 bytes into out.  The state must be re-initialised before reuse. */
void qiao_keccak_final(struct qiao_keccak *k, uint8_t out[32]);

/** One-shot Keccak-256. */
void qiao_keccak256(uint8_t out[32], const void *p, size_t n);

/** The Keccak-f[1600] permutation (exposed for tests and benchmarks). */
void qiao_keccak_f1600(uint64_t s[25]);

#endif
