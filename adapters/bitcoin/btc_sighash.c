/* btc_sighash.c: BIP 143 (see btc_sighash.h). */
#include "adapters/bitcoin/btc_sighash.h"

#include <string.h>

static void finish_double(struct qiao_crypto *cx, uint8_t out[32])
{
    uint8_t once[32];
    qiao_sha256_end(cx, once);
    qiao_sha256(cx, out, once, 32);
}

static void add_u32(struct qiao_crypto *cx, uint32_t v)
{
    uint8_t b[4];
    qiao_store32le(b, v);
    qiao_sha256_add(cx, b, 4);
}

static void add_compact(struct qiao_crypto *cx, uint64_t v)
{
    uint8_t b[9];
    size_t n = 1;
    if (v < 0xfd)
        b[0] = (uint8_t)v;
    else if (v <= 0xffff)
        b[0] = 0xfd, b[1] = (uint8_t)v, b[2] = (uint8_t)(v >> 8), n = 3;
    else if (v <= 0xffffffffull)
        b[0] = 0xfe, qiao_store32le(b + 1, (uint32_t)v), n = 5;
    else
        b[0] = 0xff, qiao_store64le(b + 1, v), n = 9;
    qiao_sha256_add(cx, b, n);
}

static void add_output(struct qiao_crypto *cx, const struct qiao_btc_txout *o)
{
    uint8_t v[8];
    qiao_store64le(v, o->value);
    qiao_sha256_add(cx, v, 8);
    add_compact(cx, o->script.len);
    qiao_sha256_add(cx, o->script.p, o->script.len);
}

static void hash_prevouts(struct qiao_crypto *cx, uint8_t out[32], const struct qiao_btc_txn *tx)
{
    qiao_sha256_begin(cx);
    for (size_t i = 0; i < tx->nin; i++) {
        qiao_sha256_add(cx, tx->in[i].prev_txid, 32);
        add_u32(cx, tx->in[i].prev_vout);
    }
    finish_double(cx, out);
}

static void hash_sequence(struct qiao_crypto *cx, uint8_t out[32], const struct qiao_btc_txn *tx)
{
    qiao_sha256_begin(cx);
    for (size_t i = 0; i < tx->nin; i++)
        add_u32(cx, tx->in[i].sequence);
    finish_double(cx, out);
}

/* All outputs, the one paired with index (SINGLE), or none (zeros). */
static void hash_outputs(struct qiao_crypto *cx, uint8_t out[32], const struct qiao_btc_txn *tx,
                         size_t index, uint32_t base)
{
    memset(out, 0, 32);
    if (base == QIAO_BTC_SIGHASH_SINGLE && index >= tx->nout)
        return;
    if (base == QIAO_BTC_SIGHASH_NONE)
        return;
    qiao_sha256_begin(cx);
    if (base == QIAO_BTC_SIGHASH_SINGLE)
        add_output(cx, &tx->out[index]);
    else
        for (size_t i = 0; i < tx->nout; i++)
            add_output(cx, &tx->out[i]);
    finish_double(cx, out);
}

qiao_err qiao_btc_sighash_v0(struct qiao_crypto *cx, uint8_t digest[32],
                             const struct qiao_btc_txn *tx, size_t index,
                             const uint8_t *script_code, size_t script_code_len, uint64_t amount,
                             uint32_t hash_type, struct qiao_diag *d)
{
    uint8_t prevouts[32] = {0}, sequence[32] = {0}, outputs[32], v[8];
    uint32_t base = hash_type & 0x1f;
    int anyone = (hash_type & QIAO_BTC_SIGHASH_ANYONECANPAY) != 0;
    if (index >= tx->nin)
        return QIAO_FAIL(d, QIAO_EINVAL, "input-out-of-range", "input %zu of a %zu-input "
                         "transaction", index, tx->nin);
    if (!anyone)
        hash_prevouts(cx, prevouts, tx);
    if (!anyone && base != QIAO_BTC_SIGHASH_SINGLE && base != QIAO_BTC_SIGHASH_NONE)
        hash_sequence(cx, sequence, tx);
    hash_outputs(cx, outputs, tx, index, base);
    const struct qiao_btc_txin *in = &tx->in[index];
    qiao_sha256_begin(cx);
    add_u32(cx, tx->version);
    qiao_sha256_add(cx, prevouts, 32);
    qiao_sha256_add(cx, sequence, 32);
    qiao_sha256_add(cx, in->prev_txid, 32);
    add_u32(cx, in->prev_vout);
    add_compact(cx, script_code_len);
    qiao_sha256_add(cx, script_code, script_code_len);
    qiao_store64le(v, amount);
    qiao_sha256_add(cx, v, 8);
    add_u32(cx, in->sequence);
    qiao_sha256_add(cx, outputs, 32);
    add_u32(cx, tx->locktime);
    add_u32(cx, hash_type);
    finish_double(cx, digest);
    return QIAO_OK;
}
