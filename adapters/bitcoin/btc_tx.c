/* btc_tx.c: transaction structure and ids (see btc_tx.h). */
#include "adapters/bitcoin/btc_tx.h"

#include <string.h>

qiao_err qiao_btc_read_compact(struct qiao_cursor *c, uint64_t *v, uint64_t max, const char *what,
                               struct qiao_diag *d)
{
    uint8_t first;
    uint64_t min = 0;
    QIAO_TRY(qiao_cursor_u8(c, &first, d));
    if (first < 0xfd) {
        *v = first;
    } else if (first == 0xfd) {
        uint16_t x;
        QIAO_TRY(qiao_cursor_u16le(c, &x, d));
        *v = x, min = 0xfd;
    } else if (first == 0xfe) {
        uint32_t x;
        QIAO_TRY(qiao_cursor_u32le(c, &x, d));
        *v = x, min = 0x10000;
    } else {
        QIAO_TRY(qiao_cursor_u64le(c, v, d));
        min = 0x100000000ull;
    }
    if (*v < min)
        return QIAO_FAIL(d, QIAO_EINVAL, "non-canonical-varint",
                         "%s: CompactSize %llu at offset %zu is not minimally encoded", what,
                         (unsigned long long)*v, c->pos);
    if (*v > max)
        return QIAO_FAIL(d, QIAO_ERANGE, "varint-too-large",
                         "%s: count %llu at offset %zu exceeds the limit %llu", what,
                         (unsigned long long)*v, c->pos, (unsigned long long)max);
    return QIAO_OK;
}

static qiao_err skip_bytes(struct qiao_cursor *c, const char *what, struct qiao_diag *d)
{
    uint64_t n;
    const uint8_t *p;
    QIAO_TRY(qiao_btc_read_compact(c, &n, qiao_cursor_left(c), what, d));
    return qiao_cursor_take(c, &p, (size_t)n, d);
}

static qiao_err skip_inputs(struct qiao_cursor *c, uint64_t n, struct qiao_diag *d)
{
    const uint8_t *p;
    for (uint64_t i = 0; i < n; i++) {
        QIAO_TRY(qiao_cursor_take(c, &p, 36, d)); /* outpoint */
        QIAO_TRY(skip_bytes(c, "scriptSig", d));
        QIAO_TRY(qiao_cursor_take(c, &p, 4, d)); /* sequence */
    }
    return QIAO_OK;
}

static qiao_err skip_outputs(struct qiao_cursor *c, uint64_t n, struct qiao_diag *d)
{
    const uint8_t *p;
    for (uint64_t i = 0; i < n; i++) {
        QIAO_TRY(qiao_cursor_take(c, &p, 8, d)); /* value */
        QIAO_TRY(skip_bytes(c, "scriptPubKey", d));
    }
    return QIAO_OK;
}

/* Returns through *any whether some input carries a non-empty witness stack. */
static qiao_err skip_witnesses(struct qiao_cursor *c, uint64_t inputs, int *any,
                               struct qiao_diag *d)
{
    *any = 0;
    for (uint64_t i = 0; i < inputs; i++) {
        uint64_t items;
        QIAO_TRY(qiao_btc_read_compact(c, &items, qiao_cursor_left(c), "witness stack", d));
        if (items)
            *any = 1;
        for (uint64_t k = 0; k < items; k++)
            QIAO_TRY(skip_bytes(c, "witness item", d));
    }
    return QIAO_OK;
}

/* The legacy part: counts, inputs and outputs, from c's position.  Sizes are bounded by the
 * bytes left, so a hostile count fails at the first missing input instead of looping long. */
static qiao_err parse_body(struct qiao_cursor *c, struct qiao_btc_tx_info *info,
                           struct qiao_diag *d)
{
    QIAO_TRY(qiao_btc_read_compact(c, &info->inputs, qiao_cursor_left(c) / 41, "input count", d));
    if (info->inputs == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-inputs", "transaction has no inputs");
    QIAO_TRY(skip_inputs(c, info->inputs, d));
    QIAO_TRY(qiao_btc_read_compact(c, &info->outputs, qiao_cursor_left(c) / 9, "output count",
                                   d));
    if (info->outputs == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-outputs", "transaction has no outputs");
    return skip_outputs(c, info->outputs, d);
}

static void hash_again(struct qiao_crypto *cx, uint8_t out[32])
{
    uint8_t once[32];
    memcpy(once, out, 32);
    qiao_sha256(cx, out, once, 32);
}

qiao_err qiao_btc_tx_parse(struct qiao_crypto *cx, struct qiao_btc_tx_info *info,
                           const uint8_t *raw, size_t len, struct qiao_diag *d)
{
    struct qiao_cursor c;
    memset(info, 0, sizeof(*info));
    if (len > QIAO_BTC_MAX_TX_BYTES)
        return QIAO_FAIL(d, QIAO_ERANGE, "tx-too-large", "transaction of %zu bytes", len);
    if (len < 10)
        return QIAO_FAIL(d, QIAO_EINVAL, "truncated", "transaction of %zu bytes", len);
    qiao_cursor_init(&c, raw, len);
    c.pos = 4;
    /* Core reads a zero input count as the segwit marker when a flag byte follows. */
    info->segwit = raw[4] == 0x00 && raw[5] != 0x00;
    if (info->segwit && raw[5] != 0x01)
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-tx-flags", "transaction flag byte 0x%02x",
                         raw[5]);
    if (info->segwit)
        c.pos = 6;
    size_t body_start = c.pos;
    QIAO_TRY(parse_body(&c, info, d));
    size_t body_end = c.pos;
    if (info->segwit) {
        int any;
        QIAO_TRY(skip_witnesses(&c, info->inputs, &any, d));
        if (!any)
            return QIAO_FAIL(d, QIAO_EINVAL, "superfluous-witness",
                             "segwit marker present but every witness is empty");
    }
    const uint8_t *lock;
    QIAO_TRY(qiao_cursor_take(&c, &lock, 4, d));
    QIAO_TRY(qiao_cursor_expect_end(&c, "transaction", d));
    qiao_sha256_begin(cx);
    qiao_sha256_add(cx, raw, 4);
    qiao_sha256_add(cx, raw + body_start, body_end - body_start);
    qiao_sha256_add(cx, lock, 4);
    qiao_sha256_end(cx, info->txid);
    hash_again(cx, info->txid);
    info->stripped_len = 4 + (body_end - body_start) + 4;
    if (info->segwit)
        qiao_sha256d(cx, info->wtxid, raw, len);
    else
        memcpy(info->wtxid, info->txid, 32);
    return QIAO_OK;
}
