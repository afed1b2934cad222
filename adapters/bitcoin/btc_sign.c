/* btc_sign.c: DER low-S signatures and compressed keys (see btc_sign.h). */
#include "adapters/bitcoin/btc_sign.h"

#include <secp256k1.h>
#include <string.h>

qiao_err qiao_btc_pubkey33(struct qiao_crypto *cx, uint8_t pub33[33], const uint8_t seckey[32],
                           struct qiao_diag *d)
{
    secp256k1_context *ctx = qiao_crypto_secp(cx);
    secp256k1_pubkey pk;
    size_t n = 33;
    if (!secp256k1_ec_pubkey_create(ctx, &pk, seckey))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-seckey", "secret key is zero or not below n");
    secp256k1_ec_pubkey_serialize(ctx, pub33, &n, &pk, SECP256K1_EC_COMPRESSED);
    return QIAO_OK;
}

int qiao_btc_pubkey33_valid(struct qiao_crypto *cx, const uint8_t pub33[33])
{
    secp256k1_pubkey pk;
    return (pub33[0] == 0x02 || pub33[0] == 0x03) &&
           secp256k1_ec_pubkey_parse(qiao_crypto_secp(cx), &pk, pub33, 33);
}

qiao_err qiao_btc_sign(struct qiao_crypto *cx, uint8_t sig[QIAO_BTC_SIG_MAX], size_t *sig_len,
                       const uint8_t seckey[32], const uint8_t digest[32], uint8_t hash_type,
                       struct qiao_diag *d)
{
    secp256k1_context *ctx = qiao_crypto_secp(cx);
    secp256k1_ecdsa_signature s;
    size_t n = QIAO_BTC_SIG_MAX - 1;
    /* libsecp256k1 always produces low S; RFC 6979 is its default nonce function. */
    if (!secp256k1_ecdsa_sign(ctx, &s, digest, seckey, NULL, NULL))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-seckey", "secret key is zero or not below n");
    secp256k1_ecdsa_signature_serialize_der(ctx, sig, &n, &s);
    sig[n] = hash_type;
    *sig_len = n + 1;
    return QIAO_OK;
}

static qiao_err bad_der(struct qiao_diag *d, const char *rule)
{
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-der", "signature is not strict DER: %s", rule);
}

/* One INTEGER of the DER body: positive, minimally encoded. */
static qiao_err check_int(const uint8_t *p, size_t len, const char *name, struct qiao_diag *d)
{
    if (len == 0)
        return bad_der(d, name);
    if (p[0] & 0x80)
        return bad_der(d, "negative integer");
    if (len > 1 && p[0] == 0x00 && !(p[1] & 0x80))
        return bad_der(d, "integer with a superfluous leading zero");
    return QIAO_OK;
}

/* The rules of BIP 66 (Core's IsValidSignatureEncoding), sig including the hash-type byte. */
static qiao_err check_der(const uint8_t *sig, size_t len, struct qiao_diag *d)
{
    if (len < 9 || len > 73)
        return bad_der(d, "length outside 9..73");
    if (sig[0] != 0x30 || sig[1] != len - 3)
        return bad_der(d, "bad sequence header or length");
    size_t rlen = sig[3];
    if (sig[2] != 0x02 || 5 + rlen >= len)
        return bad_der(d, "bad R header or length");
    size_t slen = sig[5 + rlen];
    if (rlen + slen + 7 != len || sig[4 + rlen] != 0x02)
        return bad_der(d, "bad S header or lengths do not add up");
    QIAO_TRY(check_int(sig + 4, rlen, "empty R", d));
    return check_int(sig + 6 + rlen, slen, "empty S", d);
}

qiao_err qiao_btc_sig_check(const uint8_t *sig, size_t len, struct qiao_diag *d)
{
    /* n / 2, big-endian: S above it is "high". */
    static const uint8_t half_n[32] = {
        0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0};
    QIAO_TRY(check_der(sig, len, d));
    uint8_t ht = sig[len - 1] & (uint8_t)~0x80u;
    if (ht < 1 || ht > 3)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-hash-type", "hash type 0x%02x", sig[len - 1]);
    size_t rlen = sig[3], slen = sig[5 + rlen];
    const uint8_t *s = sig + 6 + rlen;
    while (slen > 0 && s[0] == 0)
        s++, slen--;
    if (slen > 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "high-s", "S is longer than 32 bytes");
    uint8_t s32[32] = {0};
    memcpy(s32 + 32 - slen, s, slen);
    if (memcmp(s32, half_n, 32) > 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "high-s", "S is above n/2 (BIP 146 LOW_S)");
    return QIAO_OK;
}

qiao_err qiao_btc_verify(struct qiao_crypto *cx, const uint8_t pub33[33], const uint8_t *sig,
                         size_t len, const uint8_t digest[32], struct qiao_diag *d)
{
    secp256k1_context *ctx = qiao_crypto_secp(cx);
    secp256k1_pubkey pk;
    secp256k1_ecdsa_signature s;
    QIAO_TRY(qiao_btc_sig_check(sig, len, d));
    if ((pub33[0] != 0x02 && pub33[0] != 0x03) || !secp256k1_ec_pubkey_parse(ctx, &pk, pub33, 33))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "not a compressed secp256k1 point");
    if (!secp256k1_ecdsa_signature_parse_der(ctx, &s, sig, len - 1) ||
        !secp256k1_ecdsa_verify(ctx, &s, digest, &pk))
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-signature", "signature does not verify");
    return QIAO_OK;
}
