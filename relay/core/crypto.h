/*
 * crypto.h: the per-thread crypto context and hashing.
 *
 * Verification code is pure: it keeps no globals.  What it needs that is expensive to set up (the
 * fetched OpenSSL SHA-256 implementation, reusable digest contexts, the secp256k1 context) lives in
 * a struct qiao_crypto that the caller creates once and passes first, in the manner of
 * libsecp256k1's context argument.  Fetching the digest once and reusing the context matters:
 * OpenSSL 3.0's one-shot SHA256() fetches per call and is about four times slower.
 *
 * A context is not thread-safe; use one per thread.
 */
#ifndef QIAO_CORE_CRYPTO_H
#define QIAO_CORE_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

struct qiao_crypto;

/** Create a context.  Returns NULL only when OpenSSL or libsecp256k1 cannot initialise. */
struct qiao_crypto *qiao_crypto_create(void);
/** Destroy; NULL is a no-op. */
void qiao_crypto_destroy(struct qiao_crypto *cx);

/** SHA-256 of n bytes. */
void qiao_sha256(struct qiao_crypto *cx, uint8_t out[32], const void *p, size_t n);
/** SHA-256(SHA-256(p)), Bitcoin's hash256. */
void qiao_sha256d(struct qiao_crypto *cx, uint8_t out[32], const void *p, size_t n);
/** SHA-256 of a ‖ b (for Merkle inner nodes without copying). */
void qiao_sha256_2(struct qiao_crypto *cx, uint8_t out[32], const void *a, size_t an,
                   const void *b, size_t bn);

/** Streaming SHA-256 on the context's second digest context; one stream at a time per context. */
void qiao_sha256_begin(struct qiao_crypto *cx);
void qiao_sha256_add(struct qiao_crypto *cx, const void *p, size_t n);
void qiao_sha256_end(struct qiao_crypto *cx, uint8_t out[32]);

/** OpenSSL's SHA3-256 (not Keccak-256; used only as the benchmark's reference rate). */
void qiao_sha3_256(struct qiao_crypto *cx, uint8_t out[32], const void *p, size_t n);

/** The context's secp256k1 context (borrowed; owned by cx).  Typed void to keep the header light. */
void *qiao_crypto_secp(struct qiao_crypto *cx);

/** Fill out with n bytes from OpenSSL's CSPRNG. */
qiao_err qiao_random(uint8_t *out, size_t n, struct qiao_diag *d);

#endif
