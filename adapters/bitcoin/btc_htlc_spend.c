/* btc_htlc_spend.c: claim and refund transactions for the HTLC output (see btc_htlc.h). */
#include "adapters/bitcoin/btc_htlc.h"

#include <string.h>

#include "adapters/bitcoin/btc_sighash.h"

qiao_err qiao_btc_sign_p2wsh(struct qiao_crypto *cx, uint8_t sig[QIAO_BTC_SIG_MAX],
                             size_t *sig_len, const struct qiao_btc_txn *tx, size_t index,
                             const uint8_t *script, size_t script_len, uint64_t amount,
                             const uint8_t seckey[32], struct qiao_diag *d)
{
    uint8_t digest[32];
    QIAO_TRY(qiao_btc_sighash_v0(cx, digest, tx, index, script, script_len, amount,
                                 QIAO_BTC_SIGHASH_ALL, d));
    return qiao_btc_sign(cx, sig, sig_len, seckey, digest, QIAO_BTC_SIGHASH_ALL, d);
}

static qiao_err check_amounts(const struct qiao_btc_htlc_spend *sp, struct qiao_diag *d)
{
    if (sp->prev_value > QIAO_BTC_MAX_MONEY)
        return QIAO_FAIL(d, QIAO_EINVAL, "value-out-of-range", "HTLC output value %llu",
                         (unsigned long long)sp->prev_value);
    if (sp->fee >= sp->prev_value || sp->prev_value - sp->fee < QIAO_BTC_DUST_SAT)
        return QIAO_FAIL(d, QIAO_EINVAL, "fee-too-high", "fee %llu sat leaves less than the dust "
                         "limit of the %llu sat output", (unsigned long long)sp->fee,
                         (unsigned long long)sp->prev_value);
    return QIAO_OK;
}

/* Virtual size: stripped size plus a quarter of the witness bytes, rounded up (BIP 141). */
static qiao_err check_relay_fee(const struct qiao_btc_txn *tx, size_t total, uint64_t fee,
                                struct qiao_diag *d)
{
    struct qiao_buf stripped = {0};
    QIAO_TRY(qiao_btc_txn_encode(&stripped, tx, 0, d));
    size_t weight = stripped.len * 3 + total, vsize = (weight + 3) / 4;
    qiao_buf_clear(&stripped);
    if (fee < vsize)
        return QIAO_FAIL(d, QIAO_EINVAL, "fee-below-relay", "fee %llu sat is below 1 sat/vbyte "
                         "for a %zu-vbyte transaction", (unsigned long long)fee, vsize);
    return QIAO_OK;
}

static qiao_err check_key(struct qiao_crypto *cx, const uint8_t seckey[32],
                          const uint8_t want[33], const char *role, struct qiao_diag *d)
{
    uint8_t pub[33];
    QIAO_TRY(qiao_btc_pubkey33(cx, pub, seckey, d));
    if (memcmp(pub, want, 33) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-key", "the signing key is not the HTLC's %s key",
                         role);
    return QIAO_OK;
}

qiao_err qiao_btc_htlc_spend_raw(struct qiao_crypto *cx, struct qiao_buf *out,
                                 const struct qiao_btc_htlc_spend *sp, const uint8_t seckey[32],
                                 enum qiao_btc_htlc_branch branch, const uint8_t *preimage,
                                 size_t preimage_len, uint32_t locktime, struct qiao_diag *d)
{
    static const uint8_t one = 0x01;
    uint8_t script[QIAO_BTC_HTLC_SCRIPT_MAX], sig[QIAO_BTC_SIG_MAX];
    size_t script_len, sig_len;
    int claim = branch == QIAO_BTC_HTLC_CLAIM;
    QIAO_TRY(check_amounts(sp, d));
    QIAO_TRY(qiao_btc_htlc_script(script, &script_len, sp->htlc, d));
    struct qiao_btc_bytes wit[4];
    struct qiao_btc_txin in = {.prev_vout = sp->prev_vout, .witness = wit,
                               .sequence = claim ? 0xffffffffu : QIAO_BTC_REFUND_SEQUENCE};
    memcpy(in.prev_txid, sp->prev_txid, 32);
    struct qiao_btc_txout o = {.value = sp->prev_value - sp->fee,
                               .script = {sp->dest_spk, sp->dest_spk_len}};
    struct qiao_btc_txn tx = {.version = 2, .in = &in, .nin = 1, .out = &o, .nout = 1,
                              .locktime = locktime};
    QIAO_TRY(qiao_btc_sign_p2wsh(cx, sig, &sig_len, &tx, 0, script, script_len, sp->prev_value,
                                 seckey, d));
    wit[0] = (struct qiao_btc_bytes){sig, sig_len};
    if (claim) {
        wit[1] = (struct qiao_btc_bytes){preimage, preimage_len};
        wit[2] = (struct qiao_btc_bytes){&one, 1};
        wit[3] = (struct qiao_btc_bytes){script, script_len};
        in.nwitness = 4;
    } else {
        wit[1] = (struct qiao_btc_bytes){NULL, 0};
        wit[2] = (struct qiao_btc_bytes){script, script_len};
        in.nwitness = 3;
    }
    size_t start = out->len;
    qiao_err err = qiao_btc_txn_encode(out, &tx, 1, d);
    if (err == QIAO_OK)
        err = check_relay_fee(&tx, out->len - start, sp->fee, d);
    if (err != QIAO_OK)
        out->len = start; /* leave nothing half-built behind */
    return err;
}

qiao_err qiao_btc_htlc_claim(struct qiao_crypto *cx, struct qiao_buf *out,
                             const struct qiao_btc_htlc_spend *sp, const uint8_t seckey[32],
                             const uint8_t *preimage, size_t preimage_len, struct qiao_diag *d)
{
    uint8_t h[32];
    if (preimage_len != QIAO_BTC_HTLC_PREIMAGE_LEN)
        return QIAO_FAIL(d, QIAO_EINVAL, "preimage-length", "preimage of %zu bytes; the script "
                         "requires %u", preimage_len, QIAO_BTC_HTLC_PREIMAGE_LEN);
    qiao_sha256(cx, h, preimage, preimage_len);
    if (memcmp(h, sp->htlc->hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-preimage", "preimage does not hash to the HTLC's "
                         "hash");
    QIAO_TRY(check_key(cx, seckey, sp->htlc->recv_pub, "receiver", d));
    return qiao_btc_htlc_spend_raw(cx, out, sp, seckey, QIAO_BTC_HTLC_CLAIM, preimage,
                                   preimage_len, 0, d);
}

qiao_err qiao_btc_htlc_refund(struct qiao_crypto *cx, struct qiao_buf *out,
                              const struct qiao_btc_htlc_spend *sp, const uint8_t seckey[32],
                              struct qiao_diag *d)
{
    QIAO_TRY(check_key(cx, seckey, sp->htlc->refund_pub, "refund", d));
    return qiao_btc_htlc_spend_raw(cx, out, sp, seckey, QIAO_BTC_HTLC_REFUND, NULL, 0,
                                   sp->htlc->locktime, d);
}
