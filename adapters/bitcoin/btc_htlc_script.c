/* btc_htlc_script.c: the HTLC witness script, built and parsed back (see btc_htlc.h). */
#include "adapters/bitcoin/btc_htlc.h"

#include <string.h>

#include "adapters/bitcoin/btc_script.h"

static int key_prefix_ok(const uint8_t pub[33])
{
    return pub[0] == 0x02 || pub[0] == 0x03;
}

static qiao_err write_script(struct qiao_btc_script_w *w, const struct qiao_btc_htlc *h,
                             struct qiao_diag *d)
{
    static const uint8_t size32 = 32;
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_IF, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_SIZE, d));
    QIAO_TRY(qiao_btc_script_push(w, &size32, 1, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_EQUALVERIFY, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_SHA256, d));
    QIAO_TRY(qiao_btc_script_push(w, h->hash, 32, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_EQUALVERIFY, d));
    QIAO_TRY(qiao_btc_script_push(w, h->recv_pub, 33, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_ELSE, d));
    QIAO_TRY(qiao_btc_script_num(w, h->locktime, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_CHECKLOCKTIMEVERIFY, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_DROP, d));
    QIAO_TRY(qiao_btc_script_push(w, h->refund_pub, 33, d));
    QIAO_TRY(qiao_btc_script_op(w, QIAO_OP_ENDIF, d));
    return qiao_btc_script_op(w, QIAO_OP_CHECKSIG, d);
}

qiao_err qiao_btc_htlc_script(uint8_t script[QIAO_BTC_HTLC_SCRIPT_MAX], size_t *len,
                              const struct qiao_btc_htlc *h, struct qiao_diag *d)
{
    struct qiao_btc_script_w w;
    if (h->locktime == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "locktime-zero", "an HTLC needs a lock time above 0");
    if (!key_prefix_ok(h->recv_pub) || !key_prefix_ok(h->refund_pub))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "HTLC keys must be compressed (0x02/0x03)");
    qiao_btc_script_w_init(&w, script, QIAO_BTC_HTLC_SCRIPT_MAX);
    QIAO_TRY(write_script(&w, h, d));
    *len = w.len;
    return QIAO_OK;
}

/* Require the literal bytes want at *pos. */
static qiao_err expect(const uint8_t *s, size_t len, size_t *pos, const uint8_t *want, size_t n,
                       const char *what, struct qiao_diag *d)
{
    if (len - *pos < n || memcmp(s + *pos, want, n) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "HTLC template: expected %s at offset "
                         "%zu", what, *pos);
    *pos += n;
    return QIAO_OK;
}

static qiao_err take(const uint8_t *s, size_t len, size_t *pos, uint8_t *out, size_t n,
                     const char *what, struct qiao_diag *d)
{
    if (len - *pos < n)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "HTLC template: %s at offset %zu runs "
                         "past the end", what, *pos);
    memcpy(out, s + *pos, n);
    *pos += n;
    return QIAO_OK;
}

/* T: OP_1..OP_16 or a push of 1..5 bytes holding a positive little-endian number. */
static qiao_err read_locktime(const uint8_t *s, size_t len, size_t *pos, uint32_t *t,
                              struct qiao_diag *d)
{
    uint8_t op = s[*pos];
    uint64_t v = 0;
    if (op == QIAO_OP_0)
        return QIAO_FAIL(d, QIAO_EINVAL, "locktime-zero", "HTLC lock time is OP_0");
    if (op >= QIAO_OP_1 && op <= QIAO_OP_16) {
        *t = (uint32_t)(op - QIAO_OP_1 + 1), (*pos)++;
        return QIAO_OK;
    }
    if (op < 1 || op > 5 || len - *pos < 1u + op)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "HTLC template: expected a lock time "
                         "push at offset %zu", *pos);
    const uint8_t *b = s + *pos + 1;
    if (b[op - 1] & 0x80)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "HTLC lock time is negative");
    for (int i = op - 1; i >= 0; i--)
        v = v << 8 | b[i];
    if (v > 0xffffffffull)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "HTLC lock time exceeds 32 bits");
    *t = (uint32_t)v;
    *pos += 1u + op;
    return QIAO_OK;
}

static qiao_err walk(struct qiao_btc_htlc *h, const uint8_t *s, size_t len, size_t *locktime_at,
                     size_t *locktime_end, struct qiao_diag *d)
{
    static const uint8_t head[] = {QIAO_OP_IF, QIAO_OP_SIZE, 0x01, 0x20, QIAO_OP_EQUALVERIFY,
                                   QIAO_OP_SHA256, 0x20};
    static const uint8_t mid[] = {QIAO_OP_EQUALVERIFY, 0x21};
    static const uint8_t tail[] = {QIAO_OP_CHECKLOCKTIMEVERIFY, QIAO_OP_DROP, 0x21};
    static const uint8_t end[] = {QIAO_OP_ENDIF, QIAO_OP_CHECKSIG};
    static const uint8_t op_else = QIAO_OP_ELSE;
    size_t pos = 0;
    QIAO_TRY(expect(s, len, &pos, head, sizeof(head), "OP_IF OP_SIZE 32 OP_EQUALVERIFY OP_SHA256 "
                    "<32 bytes>", d));
    QIAO_TRY(take(s, len, &pos, h->hash, 32, "the hash", d));
    QIAO_TRY(expect(s, len, &pos, mid, sizeof(mid), "OP_EQUALVERIFY <33-byte key>", d));
    QIAO_TRY(take(s, len, &pos, h->recv_pub, 33, "the receiver key", d));
    QIAO_TRY(expect(s, len, &pos, &op_else, 1, "OP_ELSE", d));
    if (pos >= len)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "HTLC template ends before its lock "
                         "time");
    *locktime_at = pos;
    QIAO_TRY(read_locktime(s, len, &pos, &h->locktime, d));
    *locktime_end = pos;
    QIAO_TRY(expect(s, len, &pos, tail, sizeof(tail), "OP_CHECKLOCKTIMEVERIFY OP_DROP <33-byte "
                    "key>", d));
    QIAO_TRY(take(s, len, &pos, h->refund_pub, 33, "the refund key", d));
    QIAO_TRY(expect(s, len, &pos, end, sizeof(end), "OP_ENDIF OP_CHECKSIG", d));
    if (pos != len)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "HTLC template: %zu bytes after "
                         "OP_CHECKSIG", len - pos);
    return QIAO_OK;
}

qiao_err qiao_btc_htlc_parse(struct qiao_crypto *cx, struct qiao_btc_htlc *h,
                             const uint8_t *script, size_t len, struct qiao_diag *d)
{
    size_t at = 0, end = 0;
    uint8_t canon[8];
    struct qiao_btc_script_w w;
    memset(h, 0, sizeof(*h));
    if (len > QIAO_BTC_HTLC_SCRIPT_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-htlc-script", "script of %zu bytes is longer than "
                         "any HTLC", len);
    QIAO_TRY(walk(h, script, len, &at, &end, d));
    /* The one encoding CHECKLOCKTIMEVERIFY's MINIMALDATA reading accepts is the one we write. */
    qiao_btc_script_w_init(&w, canon, sizeof(canon));
    QIAO_TRY(qiao_btc_script_num(&w, h->locktime, d));
    if (w.len != end - at || memcmp(canon, script + at, w.len) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "non-minimal-locktime", "HTLC lock time %u at offset %zu "
                         "is not minimally encoded", h->locktime, at);
    if (!qiao_btc_pubkey33_valid(cx, h->recv_pub) || !qiao_btc_pubkey33_valid(cx, h->refund_pub))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-pubkey", "an HTLC key is not a compressed "
                         "secp256k1 point");
    return QIAO_OK;
}

qiao_err qiao_btc_htlc_address(struct qiao_crypto *cx, char addr[QIAO_BTC_ADDR_MAX],
                               uint8_t spk34[34], uint8_t program[32],
                               enum qiao_btc_network net, const struct qiao_btc_htlc *h,
                               struct qiao_diag *d)
{
    uint8_t script[QIAO_BTC_HTLC_SCRIPT_MAX], prog[32];
    size_t len;
    QIAO_TRY(qiao_btc_htlc_script(script, &len, h, d));
    qiao_btc_p2wsh_program(cx, prog, script, len);
    if (spk34)
        qiao_btc_p2wsh_spk(spk34, prog);
    if (program)
        memcpy(program, prog, 32);
    return addr ? qiao_btc_address_encode(addr, net, prog, 32, d) : QIAO_OK;
}
