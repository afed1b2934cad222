/* sig.c: Ed25519 and P-256 through OpenSSL EVP (see sig.h). */
#include "relay/core/sig.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <string.h>

static const uint8_t p256_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};
static const uint8_t p256_half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0x80, 0x00, 0x00, 0x00, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xde, 0x73, 0x7d, 0x56, 0xd3, 0x8b, 0xcf, 0x42, 0x79, 0xdc, 0xe5, 0x61, 0x7e, 0x31, 0x92, 0xa8,
};
static const uint8_t zero32[32];

/* One DigestVerify over an already-built key; 1 = valid, 0 = invalid, -1 = setup failure. */
static int digest_verify(EVP_PKEY *pkey, const char *mdname, const uint8_t *sig, size_t sig_len,
                         const uint8_t *msg, size_t msg_len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (ctx && EVP_DigestVerifyInit_ex(ctx, NULL, mdname, NULL, NULL, pkey, NULL) == 1)
        rc = EVP_DigestVerify(ctx, sig, sig_len, msg, msg_len) == 1 ? 1 : 0;
    EVP_MD_CTX_free(ctx);
    return rc;
}

qiao_err qiao_ed25519_verify(const uint8_t pub[32], const uint8_t sig[64], const uint8_t *msg,
                             size_t msg_len, struct qiao_diag *d)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    if (!pkey)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "Ed25519 public key is not a valid point");
    int rc = digest_verify(pkey, NULL, sig, 64, msg, msg_len);
    EVP_PKEY_free(pkey);
    if (rc < 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "Ed25519 key rejected by OpenSSL");
    if (rc == 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-signature", "Ed25519 signature does not verify");
    return QIAO_OK;
}

static EVP_PKEY *p256_key(const uint8_t *pub, size_t pub_len)
{
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, pub_len),
        OSSL_PARAM_construct_end(),
    };
    if (!pctx || EVP_PKEY_fromdata_init(pctx) != 1 ||
        EVP_PKEY_fromdata(pctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(pctx);
    return pkey;
}

/* DER-encode r ‖ s for EVP (which takes ECDSA signatures only in DER). */
static int rs_to_der(uint8_t *der, size_t cap, const uint8_t sig[64])
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    int len = -1;
    if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
        r = s = NULL; /* owned by es now */
        if ((size_t)i2d_ECDSA_SIG(es, NULL) <= cap) {
            uint8_t *p = der;
            len = i2d_ECDSA_SIG(es, &p);
        }
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return len;
}

static qiao_err p256_sig_check(const uint8_t sig[64], int require_low_s, struct qiao_diag *d)
{
    if (!memcmp(sig, zero32, 32) || !memcmp(sig + 32, zero32, 32))
        return QIAO_FAIL(d, QIAO_EVERIFY, "zero-component", "P-256 signature has r or s of zero");
    if (memcmp(sig, p256_n, 32) >= 0 || memcmp(sig + 32, p256_n, 32) >= 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "out-of-range", "P-256 signature r or s not below the order");
    if (require_low_s && memcmp(sig + 32, p256_half_n, 32) > 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "high-s", "P-256 signature s is above n/2");
    return QIAO_OK;
}

qiao_err qiao_p256_verify(const uint8_t *pub, size_t pub_len, const uint8_t sig[64],
                          const uint8_t *msg, size_t msg_len, int require_low_s,
                          struct qiao_diag *d)
{
    QIAO_TRY(p256_sig_check(sig, require_low_s, d));
    if (pub_len != 33 && pub_len != 65)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "P-256 public key of %zu bytes", pub_len);
    EVP_PKEY *pkey = p256_key(pub, pub_len);
    if (!pkey)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "P-256 public key is not a point on the curve");
    uint8_t der[80];
    int der_len = rs_to_der(der, sizeof(der), sig);
    int rc = der_len < 0 ? -1 : digest_verify(pkey, "SHA256", der, (size_t)der_len, msg, msg_len);
    EVP_PKEY_free(pkey);
    if (rc < 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-signature", "P-256 signature could not be encoded");
    if (rc == 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-signature", "P-256 signature does not verify");
    return QIAO_OK;
}

qiao_err qiao_ed25519_pubkey(uint8_t pub[32], const uint8_t seed[32], struct qiao_diag *d)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    size_t n = 32;
    int ok = pkey && EVP_PKEY_get_raw_public_key(pkey, pub, &n) == 1;
    EVP_PKEY_free(pkey);
    return ok ? QIAO_OK : QIAO_FAIL(d, QIAO_EINVAL, "bad-seed", "Ed25519 seed rejected");
}

qiao_err qiao_ed25519_sign(uint8_t sig[64], const uint8_t seed[32], const uint8_t *msg,
                           size_t msg_len, struct qiao_diag *d)
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t n = 64;
    int ok = pkey && ctx && EVP_DigestSignInit_ex(ctx, NULL, NULL, NULL, NULL, pkey, NULL) == 1 &&
             EVP_DigestSign(ctx, sig, &n, msg, msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return ok ? QIAO_OK : QIAO_FAIL(d, QIAO_EINVAL, "sign-failed", "Ed25519 signing failed");
}
