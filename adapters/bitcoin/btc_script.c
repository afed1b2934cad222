/* btc_script.c: minimal pushes, script numbers and the P2WSH form (see btc_script.h). */
#include "adapters/bitcoin/btc_script.h"

#include <string.h>

/* Core's MAX_SCRIPT_ELEMENT_SIZE: no push may carry more. */
#define MAX_ELEMENT 520u

void qiao_btc_script_w_init(struct qiao_btc_script_w *w, uint8_t *p, size_t cap)
{
    w->p = p, w->cap = cap, w->len = 0;
}

static qiao_err room(struct qiao_btc_script_w *w, size_t n, struct qiao_diag *d)
{
    if (w->cap - w->len < n)
        return QIAO_FAIL(d, QIAO_ERANGE, "script-too-long",
                         "script of %zu bytes has no room for %zu more (capacity %zu)", w->len, n,
                         w->cap);
    return QIAO_OK;
}

qiao_err qiao_btc_script_op(struct qiao_btc_script_w *w, uint8_t op, struct qiao_diag *d)
{
    QIAO_TRY(room(w, 1, d));
    w->p[w->len++] = op;
    return QIAO_OK;
}

qiao_err qiao_btc_script_push(struct qiao_btc_script_w *w, const uint8_t *data, size_t n,
                              struct qiao_diag *d)
{
    if (n > MAX_ELEMENT)
        return QIAO_FAIL(d, QIAO_ERANGE, "push-too-large", "push of %zu bytes exceeds %u", n,
                         MAX_ELEMENT);
    if (n == 0)
        return qiao_btc_script_op(w, QIAO_OP_0, d);
    if (n == 1 && data[0] >= 1 && data[0] <= 16)
        return qiao_btc_script_op(w, (uint8_t)(QIAO_OP_1 + data[0] - 1), d);
    if (n == 1 && data[0] == 0x81)
        return qiao_btc_script_op(w, QIAO_OP_1NEGATE, d);
    size_t head = n <= 75 ? 1 : n <= 255 ? 2 : 3;
    QIAO_TRY(room(w, head + n, d));
    if (head == 1) {
        w->p[w->len++] = (uint8_t)n;
    } else if (head == 2) {
        w->p[w->len++] = QIAO_OP_PUSHDATA1;
        w->p[w->len++] = (uint8_t)n;
    } else {
        w->p[w->len++] = QIAO_OP_PUSHDATA2;
        w->p[w->len++] = (uint8_t)n;
        w->p[w->len++] = (uint8_t)(n >> 8);
    }
    memcpy(w->p + w->len, data, n);
    w->len += n;
    return QIAO_OK;
}

qiao_err qiao_btc_script_num(struct qiao_btc_script_w *w, uint64_t v, struct qiao_diag *d)
{
    uint8_t b[5];
    size_t n = 0;
    if (v > 0xffffffffull)
        return QIAO_FAIL(d, QIAO_ERANGE, "number-too-large",
                         "script number %llu does not fit a lock time", (unsigned long long)v);
    if (v <= 16)
        return qiao_btc_script_op(w, (uint8_t)(v == 0 ? QIAO_OP_0 : QIAO_OP_1 + v - 1), d);
    while (v) {
        b[n++] = (uint8_t)v;
        v >>= 8;
    }
    if (b[n - 1] & 0x80) /* the top bit is the sign: a positive number needs a 0x00 byte */
        b[n++] = 0x00;
    return qiao_btc_script_push(w, b, n, d);
}

static qiao_err push_len(const uint8_t *s, size_t len, size_t *pos, uint8_t op, size_t *n,
                         struct qiao_diag *d)
{
    size_t width = op == QIAO_OP_PUSHDATA1 ? 1 : op == QIAO_OP_PUSHDATA2 ? 2 : 4;
    if (op < QIAO_OP_PUSHDATA1) {
        *n = op;
        return QIAO_OK;
    }
    if (len - *pos < width)
        return QIAO_FAIL(d, QIAO_EINVAL, "truncated-push", "push length at offset %zu runs past "
                         "the end of a %zu-byte script", *pos, len);
    *n = 0;
    for (size_t i = 0; i < width; i++)
        *n |= (size_t)s[*pos + i] << (8 * i);
    *pos += width;
    return QIAO_OK;
}

qiao_err qiao_btc_script_next(struct qiao_btc_script_op *out, const uint8_t *script, size_t len,
                              size_t *pos, struct qiao_diag *d)
{
    uint8_t op = script[(*pos)++];
    size_t n;
    out->op = op, out->data = NULL, out->len = 0;
    if (op > 0x4e) /* not a data push (OP_PUSHDATA4 is 0x4e) */
        return QIAO_OK;
    QIAO_TRY(push_len(script, len, pos, op, &n, d));
    if (n > len - *pos)
        return QIAO_FAIL(d, QIAO_EINVAL, "truncated-push", "push of %zu bytes at offset %zu runs "
                         "past the end of a %zu-byte script", n, *pos, len);
    out->data = script + *pos, out->len = n;
    *pos += n;
    return QIAO_OK;
}

void qiao_btc_p2wsh_program(struct qiao_crypto *cx, uint8_t program[32], const uint8_t *script,
                            size_t len)
{
    qiao_sha256(cx, program, script, len);
}

void qiao_btc_p2wsh_spk(uint8_t spk[34], const uint8_t program[32])
{
    spk[0] = QIAO_OP_0;
    spk[1] = 32;
    memcpy(spk + 2, program, 32);
}

int qiao_btc_is_p2wsh(const uint8_t *spk, size_t len, uint8_t program[32])
{
    if (len != 34 || spk[0] != QIAO_OP_0 || spk[1] != 32)
        return 0;
    if (program)
        memcpy(program, spk + 2, 32);
    return 1;
}
