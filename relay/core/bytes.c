/* bytes.c: cursor, buffer and arena primitives (see bytes.h). */
#include "relay/core/bytes.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void qiao_cursor_init(struct qiao_cursor *c, const uint8_t *p, size_t len)
{
    c->p = p;
    c->len = p ? len : 0;
    c->pos = 0;
}

size_t qiao_cursor_left(const struct qiao_cursor *c)
{
    return c->len - c->pos;
}

qiao_err qiao_cursor_take(struct qiao_cursor *c, const uint8_t **out, size_t n,
                          struct qiao_diag *d)
{
    if (n > qiao_cursor_left(c))
        return QIAO_FAIL(d, QIAO_EINVAL, "truncated",
                         "input truncated at byte %zu: need %zu more bytes, %zu left", c->pos, n,
                         qiao_cursor_left(c));
    *out = c->p + c->pos;
    c->pos += n;
    return QIAO_OK;
}

qiao_err qiao_cursor_copy(struct qiao_cursor *c, uint8_t *out, size_t n, struct qiao_diag *d)
{
    const uint8_t *src;
    QIAO_TRY(qiao_cursor_take(c, &src, n, d));
    memcpy(out, src, n);
    return QIAO_OK;
}

qiao_err qiao_cursor_u8(struct qiao_cursor *c, uint8_t *out, struct qiao_diag *d)
{
    return qiao_cursor_copy(c, out, 1, d);
}

qiao_err qiao_cursor_u16le(struct qiao_cursor *c, uint16_t *out, struct qiao_diag *d)
{
    const uint8_t *p;
    QIAO_TRY(qiao_cursor_take(c, &p, 2, d));
    *out = (uint16_t)(p[0] | p[1] << 8);
    return QIAO_OK;
}

qiao_err qiao_cursor_u32le(struct qiao_cursor *c, uint32_t *out, struct qiao_diag *d)
{
    const uint8_t *p;
    QIAO_TRY(qiao_cursor_take(c, &p, 4, d));
    *out = qiao_load32le(p);
    return QIAO_OK;
}

qiao_err qiao_cursor_u64le(struct qiao_cursor *c, uint64_t *out, struct qiao_diag *d)
{
    const uint8_t *p;
    QIAO_TRY(qiao_cursor_take(c, &p, 8, d));
    *out = qiao_load64le(p);
    return QIAO_OK;
}

qiao_err qiao_cursor_u32be(struct qiao_cursor *c, uint32_t *out, struct qiao_diag *d)
{
    const uint8_t *p;
    QIAO_TRY(qiao_cursor_take(c, &p, 4, d));
    *out = qiao_load32be(p);
    return QIAO_OK;
}

qiao_err qiao_cursor_u64be(struct qiao_cursor *c, uint64_t *out, struct qiao_diag *d)
{
    const uint8_t *p;
    QIAO_TRY(qiao_cursor_take(c, &p, 8, d));
    *out = (uint64_t)qiao_load32be(p) << 32 | qiao_load32be(p + 4);
    return QIAO_OK;
}

qiao_err qiao_cursor_expect_end(const struct qiao_cursor *c, const char *what,
                                struct qiao_diag *d)
{
    if (c->pos != c->len)
        return QIAO_FAIL(d, QIAO_EINVAL, "trailing-bytes", "%s: %zu unexpected bytes after offset %zu",
                         what, c->len - c->pos, c->pos);
    return QIAO_OK;
}

void qiao_buf_init(struct qiao_buf *b, size_t max)
{
    memset(b, 0, sizeof(*b));
    b->max = max;
}

void qiao_buf_clear(struct qiao_buf *b)
{
    if (!b)
        return;
    free(b->p);
    memset(b, 0, sizeof(*b));
}

qiao_err qiao_buf_reserve(struct qiao_buf *b, size_t n, struct qiao_diag *d)
{
    size_t max = b->max ? b->max : QIAO_BUF_DEFAULT_MAX;
    if (n > max || b->len > max - n)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-large", "output would exceed %zu bytes", max);
    if (b->len + n <= b->cap)
        return QIAO_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + n)
        cap = cap > max / 2 ? max : cap * 2;
    uint8_t *p = realloc(b->p, cap);
    if (!p)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot grow buffer to %zu bytes", cap);
    b->p = p;
    b->cap = cap;
    return QIAO_OK;
}

qiao_err qiao_buf_append(struct qiao_buf *b, const void *p, size_t n, struct qiao_diag *d)
{
    if (n == 0)
        return QIAO_OK;
    QIAO_TRY(qiao_buf_reserve(b, n, d));
    memcpy(b->p + b->len, p, n);
    b->len += n;
    return QIAO_OK;
}

qiao_err qiao_buf_push(struct qiao_buf *b, uint8_t byte, struct qiao_diag *d)
{
    return qiao_buf_append(b, &byte, 1, d);
}

qiao_err qiao_buf_printf(struct qiao_buf *b, struct qiao_diag *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-format", "cannot format \"%.40s\"", fmt);
    QIAO_TRY(qiao_buf_reserve(b, (size_t)n + 1, d));
    va_start(ap, fmt);
    vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return QIAO_OK;
}

qiao_err qiao_buf_insert(struct qiao_buf *b, size_t off, const void *p, size_t n,
                         struct qiao_diag *d)
{
    if (off > b->len)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-offset", "insert offset %zu past end %zu", off, b->len);
    if (n == 0)
        return QIAO_OK;
    QIAO_TRY(qiao_buf_reserve(b, n, d));
    memmove(b->p + off + n, b->p + off, b->len - off);
    memcpy(b->p + off, p, n);
    b->len += n;
    return QIAO_OK;
}

void qiao_arena_init(struct qiao_arena *a, void *storage, size_t cap)
{
    a->base = storage;
    a->cap = storage ? cap : 0;
    a->used = 0;
}

void *qiao_arena_alloc(struct qiao_arena *a, size_t n, struct qiao_diag *d)
{
    size_t start = (a->used + 15) & ~(size_t)15;
    if (start > a->cap || n > a->cap - start) {
        (void)QIAO_FAIL(d, QIAO_ENOMEM, "arena-exhausted", "verification arena of %zu bytes exhausted",
                  a->cap);
        return NULL;
    }
    a->used = start + n;
    return a->base + start;
}

void qiao_arena_reset(struct qiao_arena *a)
{
    a->used = 0;
}

int qiao_ct_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void qiao_wipe(void *p, size_t n)
{
    if (p && n)
        OPENSSL_cleanse(p, n);
}
