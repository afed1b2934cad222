/* secp.c: secp256k1 signing, recovery and verification through libsecp256k1 (see secp.h). */
#include "relay/core/secp.h"

#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/keccak.h"

/* The group order n and n/2, big-endian. */
static const uint8_t order_n[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};
static const uint8_t half_n[32] = {
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};
static const uint8_t zero32[32];

qiao_err qiao_secp_sig_check(const uint8_t rs[64], struct qiao_diag *d)
{
    if (memcmp(rs, zero32, 32) == 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "r-zero", "signature r is zero");
    if (memcmp(rs + 32, zero32, 32) == 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "s-zero", "signature s is zero");
    if (memcmp(rs, order_n, 32) >= 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "r-out-of-range", "signature r is not below the group order");
    if (memcmp(rs + 32, order_n, 32) >= 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "s-out-of-range", "signature s is not below the group order");
    if (memcmp(rs + 32, half_n, 32) > 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "high-s", "signature s is above n/2 (not low-S canonical)");
    return QIAO_OK;
}

qiao_err qiao_secp_seckey_check(struct qiao_crypto *cx, const uint8_t seckey[32],
                                struct qiao_diag *d)
{
    if (!secp256k1_ec_seckey_verify(qiao_crypto_secp(cx), seckey))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-seckey", "secret key is zero or not below the group order");
    return QIAO_OK;
}

qiao_err qiao_secp_keygen(struct qiao_crypto *cx, uint8_t seckey[32], struct qiao_diag *d)
{
    /* A random 32-byte value is out of range with probability about 2^-128; retry anyway. */
    for (int i = 0; i < 8; i++) {
        QIAO_TRY(qiao_random(seckey, 32, d));
        if (secp256k1_ec_seckey_verify(qiao_crypto_secp(cx), seckey))
            return QIAO_OK;
    }
    qiao_wipe(seckey, 32);
    return QIAO_FAIL(d, QIAO_EIO, "rng-failed", "random generator produced no valid key");
}

qiao_err qiao_secp_sign(struct qiao_crypto *cx, uint8_t sig65[65], const uint8_t seckey[32],
                        const uint8_t digest[32], struct qiao_diag *d)
{
    secp256k1_context *ctx = qiao_crypto_secp(cx);
    secp256k1_ecdsa_recoverable_signature sig;
    int recid = 0;
    if (!secp256k1_ecdsa_sign_recoverable(ctx, &sig, digest, seckey, NULL, NULL))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-seckey", "cannot sign: secret key is invalid");
    secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, sig65, &recid, &sig);
    sig65[64] = (uint8_t)recid;
    return QIAO_OK;
}

void qiao_secp_address(uint8_t addr20[20], const uint8_t pub64[64])
{
    uint8_t h[32];
    qiao_keccak256(h, pub64, 64);
    memcpy(addr20, h + 12, 20);
}

static void serialize64(secp256k1_context *ctx, uint8_t pub64[64], const secp256k1_pubkey *pk)
{
    uint8_t ser[65];
    size_t n = sizeof(ser);
    secp256k1_ec_pubkey_serialize(ctx, ser, &n, pk, SECP256K1_EC_UNCOMPRESSED);
    memcpy(pub64, ser + 1, 64);
}

qiao_err qiao_secp_recover(struct qiao_crypto *cx, uint8_t addr20[20], uint8_t pub64[64],
                           const uint8_t sig65[65], const uint8_t digest[32], struct qiao_diag *d)
{
    secp256k1_context *ctx = qiao_crypto_secp(cx);
    QIAO_TRY(qiao_secp_sig_check(sig65, d));
    if (sig65[64] > 1)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-recovery-id", "recovery id %u is not 0 or 1",
                         sig65[64]);
    secp256k1_ecdsa_recoverable_signature sig;
    secp256k1_pubkey pk;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, sig65, sig65[64]) ||
        !secp256k1_ecdsa_recover(ctx, &pk, &sig, digest))
        return QIAO_FAIL(d, QIAO_EVERIFY, "unrecoverable", "no public key recovers from this signature");
    uint8_t pub[64];
    serialize64(ctx, pub, &pk);
    qiao_secp_address(addr20, pub);
    if (pub64)
        memcpy(pub64, pub, 64);
    return QIAO_OK;
}

qiao_err qiao_secp_verify(struct qiao_crypto *cx, const uint8_t *pub, size_t pub_len,
                          const uint8_t rs[64], const uint8_t digest[32], struct qiao_diag *d)
{
    secp256k1_context *ctx = qiao_crypto_secp(cx);
    QIAO_TRY(qiao_secp_sig_check(rs, d));
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature sig;
    if ((pub_len != 33 && pub_len != 65) || !secp256k1_ec_pubkey_parse(ctx, &pk, pub, pub_len))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "public key of %zu bytes does not parse",
                         pub_len);
    if (!secp256k1_ecdsa_signature_parse_compact(ctx, &sig, rs))
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-signature", "signature does not parse");
    if (!secp256k1_ecdsa_verify(ctx, &sig, digest, &pk))
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-signature", "signature does not verify");
    return QIAO_OK;
}

qiao_err qiao_secp_pubkey(struct qiao_crypto *cx, uint8_t pub64[64], uint8_t addr20[20],
                          const uint8_t seckey[32], struct qiao_diag *d)
{
    secp256k1_context *ctx = qiao_crypto_secp(cx);
    secp256k1_pubkey pk;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, seckey))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-seckey", "secret key is zero or not below the group order");
    serialize64(ctx, pub64, &pk);
    if (addr20)
        qiao_secp_address(addr20, pub64);
    return QIAO_OK;
}
