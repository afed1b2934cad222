/* btc_txcodec.c: transactions as data, decode and encode (see btc_txcodec.h). */
#include "adapters/bitcoin/btc_txcodec.h"

#include <string.h>

#include "adapters/bitcoin/btc_tx.h"

static qiao_err read_bytes(struct qiao_cursor *c, struct qiao_btc_bytes *b, const char *what,
                           struct qiao_diag *d)
{
    uint64_t n;
    QIAO_TRY(qiao_btc_read_compact(c, &n, qiao_cursor_left(c), what, d));
    b->len = (size_t)n;
    return qiao_cursor_take(c, &b->p, b->len, d);
}

static qiao_err read_input(struct qiao_cursor *c, struct qiao_btc_txin *in, struct qiao_diag *d)
{
    memset(in, 0, sizeof(*in));
    QIAO_TRY(qiao_cursor_copy(c, in->prev_txid, 32, d));
    QIAO_TRY(qiao_cursor_u32le(c, &in->prev_vout, d));
    QIAO_TRY(read_bytes(c, &in->script_sig, "scriptSig", d));
    return qiao_cursor_u32le(c, &in->sequence, d);
}

static qiao_err read_outputs(struct qiao_cursor *c, struct qiao_btc_txn *tx, struct qiao_diag *d)
{
    uint64_t total = 0;
    for (size_t i = 0; i < tx->nout; i++) {
        struct qiao_btc_txout *o = &tx->out[i];
        QIAO_TRY(qiao_cursor_u64le(c, &o->value, d));
        if (o->value > QIAO_BTC_MAX_MONEY || total + o->value > QIAO_BTC_MAX_MONEY)
            return QIAO_FAIL(d, QIAO_EINVAL, "value-out-of-range",
                             "output %zu: value %llu takes the total above 21 million BTC", i,
                             (unsigned long long)o->value);
        total += o->value;
        QIAO_TRY(read_bytes(c, &o->script, "scriptPubKey", d));
    }
    return QIAO_OK;
}

/* Counts are bounded by the bytes left (41 per input, 9 per output), so a hostile count fails
 * at the arena or the first missing byte instead of allocating without bound. */
static qiao_err read_body(struct qiao_cursor *c, struct qiao_btc_txn *tx, struct qiao_arena *a,
                          struct qiao_diag *d)
{
    uint64_t n;
    QIAO_TRY(qiao_btc_read_compact(c, &n, qiao_cursor_left(c) / 41, "input count", d));
    if (n == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-inputs", "transaction has no inputs");
    tx->nin = (size_t)n;
    if (!(tx->in = qiao_arena_alloc(a, tx->nin * sizeof(*tx->in), d)))
        return QIAO_ENOMEM;
    for (size_t i = 0; i < tx->nin; i++)
        QIAO_TRY(read_input(c, &tx->in[i], d));
    QIAO_TRY(qiao_btc_read_compact(c, &n, qiao_cursor_left(c) / 9, "output count", d));
    if (n == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-outputs", "transaction has no outputs");
    tx->nout = (size_t)n;
    if (!(tx->out = qiao_arena_alloc(a, tx->nout * sizeof(*tx->out), d)))
        return QIAO_ENOMEM;
    return read_outputs(c, tx, d);
}

static qiao_err read_witness(struct qiao_cursor *c, struct qiao_btc_txin *in,
                             struct qiao_arena *a, struct qiao_diag *d)
{
    uint64_t n;
    QIAO_TRY(qiao_btc_read_compact(c, &n, QIAO_BTC_MAX_WITNESS_ITEMS, "witness stack", d));
    if (n > qiao_cursor_left(c))
        return QIAO_FAIL(d, QIAO_EINVAL, "truncated", "witness stack of %llu items in %zu bytes",
                         (unsigned long long)n, qiao_cursor_left(c));
    in->nwitness = (size_t)n;
    if (n && !(in->witness = qiao_arena_alloc(a, in->nwitness * sizeof(*in->witness), d)))
        return QIAO_ENOMEM;
    for (size_t k = 0; k < in->nwitness; k++)
        QIAO_TRY(read_bytes(c, &in->witness[k], "witness item", d));
    return QIAO_OK;
}

qiao_err qiao_btc_txn_decode(struct qiao_btc_txn *tx, const uint8_t *raw, size_t len,
                             struct qiao_arena *arena, struct qiao_diag *d)
{
    struct qiao_cursor c;
    memset(tx, 0, sizeof(*tx));
    if (len > QIAO_BTC_MAX_TX_BYTES)
        return QIAO_FAIL(d, QIAO_ERANGE, "tx-too-large", "transaction of %zu bytes", len);
    if (len < 10)
        return QIAO_FAIL(d, QIAO_EINVAL, "truncated", "transaction of %zu bytes", len);
    qiao_cursor_init(&c, raw, len);
    QIAO_TRY(qiao_cursor_u32le(&c, &tx->version, d));
    /* Core reads a zero input count followed by a non-zero byte as marker and flag. */
    int segwit = raw[4] == 0x00 && raw[5] != 0x00;
    if (segwit && raw[5] != 0x01)
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-tx-flags", "transaction flag byte 0x%02x",
                         raw[5]);
    if (segwit)
        c.pos = 6;
    QIAO_TRY(read_body(&c, tx, arena, d));
    if (segwit) {
        for (size_t i = 0; i < tx->nin; i++)
            QIAO_TRY(read_witness(&c, &tx->in[i], arena, d));
        if (!qiao_btc_txn_has_witness(tx))
            return QIAO_FAIL(d, QIAO_EINVAL, "superfluous-witness",
                             "segwit marker present but every witness is empty");
    }
    QIAO_TRY(qiao_cursor_u32le(&c, &tx->locktime, d));
    return qiao_cursor_expect_end(&c, "transaction", d);
}

int qiao_btc_txn_has_witness(const struct qiao_btc_txn *tx)
{
    for (size_t i = 0; i < tx->nin; i++)
        if (tx->in[i].nwitness)
            return 1;
    return 0;
}

qiao_err qiao_btc_put_compact(struct qiao_buf *out, uint64_t v, struct qiao_diag *d)
{
    uint8_t b[9];
    size_t n;
    if (v < 0xfd) {
        b[0] = (uint8_t)v, n = 1;
    } else if (v <= 0xffff) {
        b[0] = 0xfd, b[1] = (uint8_t)v, b[2] = (uint8_t)(v >> 8), n = 3;
    } else if (v <= 0xffffffffull) {
        b[0] = 0xfe, qiao_store32le(b + 1, (uint32_t)v), n = 5;
    } else {
        b[0] = 0xff, qiao_store64le(b + 1, v), n = 9;
    }
    return qiao_buf_append(out, b, n, d);
}

static qiao_err put_bytes(struct qiao_buf *out, const struct qiao_btc_bytes *b,
                          struct qiao_diag *d)
{
    QIAO_TRY(qiao_btc_put_compact(out, b->len, d));
    return b->len ? qiao_buf_append(out, b->p, b->len, d) : QIAO_OK;
}

static qiao_err put_u32(struct qiao_buf *out, uint32_t v, struct qiao_diag *d)
{
    uint8_t b[4];
    qiao_store32le(b, v);
    return qiao_buf_append(out, b, 4, d);
}

static qiao_err put_body(struct qiao_buf *out, const struct qiao_btc_txn *tx,
                         struct qiao_diag *d)
{
    QIAO_TRY(qiao_btc_put_compact(out, tx->nin, d));
    for (size_t i = 0; i < tx->nin; i++) {
        const struct qiao_btc_txin *in = &tx->in[i];
        QIAO_TRY(qiao_buf_append(out, in->prev_txid, 32, d));
        QIAO_TRY(put_u32(out, in->prev_vout, d));
        QIAO_TRY(put_bytes(out, &in->script_sig, d));
        QIAO_TRY(put_u32(out, in->sequence, d));
    }
    QIAO_TRY(qiao_btc_put_compact(out, tx->nout, d));
    for (size_t i = 0; i < tx->nout; i++) {
        uint8_t v[8];
        qiao_store64le(v, tx->out[i].value);
        QIAO_TRY(qiao_buf_append(out, v, 8, d));
        QIAO_TRY(put_bytes(out, &tx->out[i].script, d));
    }
    return QIAO_OK;
}

qiao_err qiao_btc_txn_encode(struct qiao_buf *out, const struct qiao_btc_txn *tx,
                             int with_witness, struct qiao_diag *d)
{
    int segwit = with_witness && qiao_btc_txn_has_witness(tx);
    QIAO_TRY(put_u32(out, tx->version, d));
    if (segwit) {
        static const uint8_t marker_flag[2] = {0x00, 0x01};
        QIAO_TRY(qiao_buf_append(out, marker_flag, 2, d));
    }
    QIAO_TRY(put_body(out, tx, d));
    for (size_t i = 0; segwit && i < tx->nin; i++) {
        QIAO_TRY(qiao_btc_put_compact(out, tx->in[i].nwitness, d));
        for (size_t k = 0; k < tx->in[i].nwitness; k++)
            QIAO_TRY(put_bytes(out, &tx->in[i].witness[k], d));
    }
    return put_u32(out, tx->locktime, d);
}
