/* crypto.c: context set-up and SHA-256 through OpenSSL EVP (see crypto.h). */
#include "relay/core/crypto.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <secp256k1.h>
#include <stdio.h>
#include <stdlib.h>

#include "relay/core/bytes.h"

struct qiao_crypto {
    EVP_MD *sha256;
    EVP_MD *sha3;
    EVP_MD_CTX *md;     /* one-shot hashing */
    EVP_MD_CTX *stream; /* qiao_sha256_begin/add/end */
    secp256k1_context *secp;
};

/* EVP calls on a fetched, initialised digest cannot fail short of memory corruption; treating a
 * failure as a broken invariant keeps every hashing call site free of impossible error paths. */
static void evp_check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "qiao: OpenSSL %s failed unexpectedly\n", what);
        abort();
    }
}

struct qiao_crypto *qiao_crypto_create(void)
{
    struct qiao_crypto *cx = calloc(1, sizeof(*cx));
    if (!cx)
        return NULL;
    cx->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    cx->sha3 = EVP_MD_fetch(NULL, "SHA3-256", NULL);
    cx->md = EVP_MD_CTX_new();
    cx->stream = EVP_MD_CTX_new();
    cx->secp = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    uint8_t seed[32];
    if (!cx->sha256 || !cx->sha3 || !cx->md || !cx->stream || !cx->secp ||
        RAND_bytes(seed, sizeof(seed)) != 1 || !secp256k1_context_randomize(cx->secp, seed)) {
        qiao_crypto_destroy(cx);
        return NULL;
    }
    qiao_wipe(seed, sizeof(seed));
    return cx;
}

void qiao_crypto_destroy(struct qiao_crypto *cx)
{
    if (!cx)
        return;
    EVP_MD_free(cx->sha256);
    EVP_MD_free(cx->sha3);
    EVP_MD_CTX_free(cx->md);
    EVP_MD_CTX_free(cx->stream);
    if (cx->secp)
        secp256k1_context_destroy(cx->secp);
    free(cx);
}

static void digest(EVP_MD_CTX *ctx, const EVP_MD *md, uint8_t *out, const void *a, size_t an,
                   const void *b, size_t bn)
{
    evp_check(EVP_DigestInit_ex(ctx, md, NULL), "DigestInit");
    evp_check(EVP_DigestUpdate(ctx, a, an), "DigestUpdate");
    if (bn)
        evp_check(EVP_DigestUpdate(ctx, b, bn), "DigestUpdate");
    evp_check(EVP_DigestFinal_ex(ctx, out, NULL), "DigestFinal");
}

void qiao_sha256(struct qiao_crypto *cx, uint8_t out[32], const void *p, size_t n)
{
    digest(cx->md, cx->sha256, out, p, n, NULL, 0);
}

void qiao_sha256d(struct qiao_crypto *cx, uint8_t out[32], const void *p, size_t n)
{
    uint8_t once[32];
    digest(cx->md, cx->sha256, once, p, n, NULL, 0);
    digest(cx->md, cx->sha256, out, once, 32, NULL, 0);
}

void qiao_sha256_2(struct qiao_crypto *cx, uint8_t out[32], const void *a, size_t an,
                   const void *b, size_t bn)
{
    digest(cx->md, cx->sha256, out, a, an, b, bn);
}

void qiao_sha256_begin(struct qiao_crypto *cx)
{
    evp_check(EVP_DigestInit_ex(cx->stream, cx->sha256, NULL), "DigestInit");
}

void qiao_sha256_add(struct qiao_crypto *cx, const void *p, size_t n)
{
    evp_check(EVP_DigestUpdate(cx->stream, p, n), "DigestUpdate");
}

void qiao_sha256_end(struct qiao_crypto *cx, uint8_t out[32])
{
    evp_check(EVP_DigestFinal_ex(cx->stream, out, NULL), "DigestFinal");
}

void qiao_sha3_256(struct qiao_crypto *cx, uint8_t out[32], const void *p, size_t n)
{
    digest(cx->md, cx->sha3, out, p, n, NULL, 0);
}

void *qiao_crypto_secp(struct qiao_crypto *cx)
{
    return cx->secp;
}

qiao_err qiao_random(uint8_t *out, size_t n, struct qiao_diag *d)
{
    if (n > (size_t)INT32_MAX || RAND_bytes(out, (int)n) != 1)
        return QIAO_FAIL(d, QIAO_EIO, "rng-failed", "OpenSSL RAND_bytes failed for %zu bytes", n);
    return QIAO_OK;
}
