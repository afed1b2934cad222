/* btc_header.c: header codec and context-free proof of work (see btc_header.h). */
#include "adapters/bitcoin/btc_header.h"

#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/hex.h"

qiao_err qiao_btc_header_decode(struct qiao_btc_header *h, const uint8_t *raw, size_t len,
                                struct qiao_diag *d)
{
    if (len != QIAO_BTC_HEADER_LEN)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-header-length",
                         "a Bitcoin header is 80 bytes, got %zu", len);
    h->version = qiao_load32le(raw);
    memcpy(h->prev, raw + 4, 32);
    memcpy(h->merkle_root, raw + 36, 32);
    h->time = qiao_load32le(raw + 68);
    h->bits = qiao_load32le(raw + 72);
    h->nonce = qiao_load32le(raw + 76);
    return QIAO_OK;
}

void qiao_btc_header_encode(uint8_t raw[QIAO_BTC_HEADER_LEN], const struct qiao_btc_header *h)
{
    qiao_store32le(raw, h->version);
    memcpy(raw + 4, h->prev, 32);
    memcpy(raw + 36, h->merkle_root, 32);
    qiao_store32le(raw + 68, h->time);
    qiao_store32le(raw + 72, h->bits);
    qiao_store32le(raw + 76, h->nonce);
}

void qiao_btc_header_hash(struct qiao_crypto *cx, uint8_t hash[32],
                          const uint8_t raw[QIAO_BTC_HEADER_LEN])
{
    qiao_sha256d(cx, hash, raw, QIAO_BTC_HEADER_LEN);
}

qiao_err qiao_btc_bits_target(struct qiao_btc_u256 *target, const struct qiao_btc_params *params,
                              uint32_t bits, struct qiao_diag *d)
{
    int negative, overflow;
    qiao_btc_u256_from_compact(target, &negative, &overflow, bits);
    if (negative)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bits-negative",
                         "nBits 0x%08x encodes a negative target", bits);
    if (overflow)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bits-overflow",
                         "nBits 0x%08x encodes a target above 2^256", bits);
    if (qiao_btc_u256_is_zero(target))
        return QIAO_FAIL(d, QIAO_EVERIFY, "bits-zero", "nBits 0x%08x encodes a zero target",
                         bits);
    if (params && qiao_btc_u256_cmp(target, &params->pow_limit) > 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "target-above-limit",
                         "nBits 0x%08x is easier than %s's powLimit (0x%08x)", bits,
                         params->name, params->pow_limit_bits);
    return QIAO_OK;
}

qiao_err qiao_btc_header_check_pow(struct qiao_crypto *cx, uint8_t hash[32],
                                   struct qiao_btc_u256 *target,
                                   const struct qiao_btc_params *params,
                                   const uint8_t raw[QIAO_BTC_HEADER_LEN], struct qiao_diag *d)
{
    struct qiao_btc_u256 t;
    QIAO_TRY(qiao_btc_bits_target(&t, params, qiao_load32le(raw + 72), d));
    qiao_btc_header_hash(cx, hash, raw);
    if (!qiao_btc_hash_le_target(hash, &t)) {
        char shown[65];
        qiao_hex_encode_rev(shown, hash, 32);
        return QIAO_FAIL(d, QIAO_EVERIFY, "high-hash",
                         "block hash %s is above the target of nBits 0x%08x", shown,
                         qiao_load32le(raw + 72));
    }
    if (target)
        *target = t;
    return QIAO_OK;
}
