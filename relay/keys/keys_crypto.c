/* keys_crypto.c: scrypt (OpenSSL EVP_KDF "SCRYPT") and AES-256-GCM for key files. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#include "relay/keys/keys_int.h"

#define AAD_PREFIX "qiao-key-v1"
#define MAXMEM ((uint64_t)256 << 20)

const struct qiao_keys_kdf qiao_keys_kdf_default = {.log2_n = 15, .r = 8, .p = 1};

qiao_err qiao_keys_kdf_check(const struct qiao_keys_kdf *kdf, struct qiao_diag *d)
{
    if (kdf->r == 0 || kdf->p == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-kdf", "scrypt r and p must be positive");
    if (kdf->log2_n < 14)
        return QIAO_FAIL(d, QIAO_EINVAL, "kdf-too-weak", "scrypt N = 2^%u is below the minimum "
                         "2^14", kdf->log2_n);
    if (kdf->log2_n > 20 || kdf->r > 16 || kdf->p > 4 ||
        ((uint64_t)128 * kdf->r << kdf->log2_n) > MAXMEM)
        return QIAO_FAIL(d, QIAO_EINVAL, "kdf-too-costly", "scrypt N = 2^%u, r = %u, p = %u "
                         "exceeds the limits (N <= 2^20, r <= 16, p <= 4, 128rN <= 256 MiB)",
                         kdf->log2_n, kdf->r, kdf->p);
    return QIAO_OK;
}

qiao_err qiao_keys_derive(uint8_t out[32], const char *pass, size_t pass_len,
                          const uint8_t *salt, size_t salt_len, const struct qiao_keys_kdf *kdf,
                          struct qiao_diag *d)
{
    QIAO_TRY(qiao_keys_kdf_check(kdf, d));
    uint64_t n = (uint64_t)1 << kdf->log2_n, maxmem = MAXMEM + ((uint64_t)1 << 20);
    uint32_t r = kdf->r, p = kdf->p;
    EVP_KDF *alg = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *ctx = alg ? EVP_KDF_CTX_new(alg) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pass, pass_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, salt_len),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    int ok = ctx && EVP_KDF_derive(ctx, out, 32, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(alg);
    if (!ok) {
        memset(out, 0, 32);
        return QIAO_FAIL(d, QIAO_EIO, "kdf-failed", "OpenSSL scrypt failed (N = 2^%u, r = %u)",
                         kdf->log2_n, kdf->r);
    }
    return QIAO_OK;
}

static int add_aad(EVP_CIPHER_CTX *c, const uint8_t address[20])
{
    uint8_t aad[sizeof(AAD_PREFIX) - 1 + 20];
    int outl;
    memcpy(aad, AAD_PREFIX, sizeof(AAD_PREFIX) - 1);
    memcpy(aad + sizeof(AAD_PREFIX) - 1, address, 20);
    return EVP_CipherUpdate(c, NULL, &outl, aad, (int)sizeof(aad)) == 1;
}

qiao_err qiao_keys_seal(uint8_t ct[32], uint8_t tag[16], const uint8_t key[32],
                        const uint8_t iv[12], const uint8_t address[20], const uint8_t secret[32],
                        struct qiao_diag *d)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int outl = 0, fin = 0;
    int ok = c && EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 && add_aad(c, address) &&
             EVP_EncryptUpdate(c, ct, &outl, secret, 32) == 1 && outl == 32 &&
             EVP_EncryptFinal_ex(c, ct + outl, &fin) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    if (!ok)
        return QIAO_FAIL(d, QIAO_EIO, "cipher-failed", "AES-256-GCM encryption failed");
    return QIAO_OK;
}

qiao_err qiao_keys_open(uint8_t secret[32], const uint8_t key[32], const uint8_t iv[12],
                        const uint8_t address[20], const uint8_t ct[32], const uint8_t tag[16],
                        const char *path, struct qiao_diag *d)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t buf[48];
    int outl = 0, fin = 0;
    int ok = c && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) == 1 && add_aad(c, address) &&
             EVP_DecryptUpdate(c, buf, &outl, ct, 32) == 1 && outl == 32 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag) == 1 &&
             EVP_DecryptFinal_ex(c, buf + outl, &fin) == 1;
    EVP_CIPHER_CTX_free(c);
    if (ok)
        memcpy(secret, buf, 32);
    OPENSSL_cleanse(buf, sizeof(buf));
    if (!ok)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-passphrase", "cannot decrypt key file %s: wrong "
                         "passphrase, or the file was modified", path);
    return QIAO_OK;
}
