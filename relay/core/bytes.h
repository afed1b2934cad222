/*
 * bytes.h: bounds-checked reading (qiao_cursor), growable output (qiao_buf) and a bounded arena
 * (qiao_arena) for verification code that must not touch the general heap in its hot path.
 *
 * Ownership: a cursor borrows its bytes for its lifetime.  A qiao_buf owns its storage; release it
 * with qiao_buf_clear.  An arena borrows caller storage and never frees individual allocations.
 */
#ifndef QIAO_CORE_BYTES_H
#define QIAO_CORE_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

/** A read position over borrowed bytes.  Every read checks the remaining length first. */
struct qiao_cursor {
    const uint8_t *p;
    size_t len;
    size_t pos;
};

void qiao_cursor_init(struct qiao_cursor *c, const uint8_t *p, size_t len);
/** Bytes not yet read. */
size_t qiao_cursor_left(const struct qiao_cursor *c);
/** Borrow the next n bytes (no copy).  Fails with reason "truncated" when fewer remain. */
qiao_err qiao_cursor_take(struct qiao_cursor *c, const uint8_t **out, size_t n,
                          struct qiao_diag *d);
/** Copy the next n bytes into out. */
qiao_err qiao_cursor_copy(struct qiao_cursor *c, uint8_t *out, size_t n, struct qiao_diag *d);
qiao_err qiao_cursor_u8(struct qiao_cursor *c, uint8_t *out, struct qiao_diag *d);
qiao_err qiao_cursor_u16le(struct qiao_cursor *c, uint16_t *out, struct qiao_diag *d);
qiao_err qiao_cursor_u32le(struct qiao_cursor *c, uint32_t *out, struct qiao_diag *d);
qiao_err qiao_cursor_u64le(struct qiao_cursor *c, uint64_t *out, struct qiao_diag *d);
qiao_err qiao_cursor_u32be(struct qiao_cursor *c, uint32_t *out, struct qiao_diag *d);
qiao_err qiao_cursor_u64be(struct qiao_cursor *c, uint64_t *out, struct qiao_diag *d);
/** Fail with reason "trailing-bytes" unless the cursor is exhausted. `what` names the input. */
qiao_err qiao_cursor_expect_end(const struct qiao_cursor *c, const char *what,
                                struct qiao_diag *d);

static inline uint32_t qiao_load32le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t qiao_load64le(const uint8_t *p)
{
    return (uint64_t)qiao_load32le(p) | (uint64_t)qiao_load32le(p + 4) << 32;
}
static inline uint32_t qiao_load32be(const uint8_t *p)
{
    return (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}
static inline void qiao_store32le(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}
static inline void qiao_store64le(uint8_t *p, uint64_t v)
{
    qiao_store32le(p, (uint32_t)v);
    qiao_store32le(p + 4, (uint32_t)(v >> 32));
}
static inline void qiao_store32be(uint8_t *p, uint32_t v)
{
    p[3] = (uint8_t)v, p[2] = (uint8_t)(v >> 8), p[1] = (uint8_t)(v >> 16), p[0] = (uint8_t)(v >> 24);
}
static inline void qiao_store64be(uint8_t *p, uint64_t v)
{
    qiao_store32be(p, (uint32_t)(v >> 32));
    qiao_store32be(p + 4, (uint32_t)v);
}

/** Growable byte buffer.  Owns p.  Zero-initialise, or qiao_buf_init; release with qiao_buf_clear. */
struct qiao_buf {
    uint8_t *p;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len; 0 means QIAO_BUF_DEFAULT_MAX */
};
#define QIAO_BUF_DEFAULT_MAX ((size_t)64 << 20)

void qiao_buf_init(struct qiao_buf *b, size_t max);
void qiao_buf_clear(struct qiao_buf *b);
/** Ensure room for n more bytes.  Fails with QIAO_ERANGE past max, QIAO_ENOMEM on malloc failure. */
qiao_err qiao_buf_reserve(struct qiao_buf *b, size_t n, struct qiao_diag *d);
qiao_err qiao_buf_append(struct qiao_buf *b, const void *p, size_t n, struct qiao_diag *d);
qiao_err qiao_buf_push(struct qiao_buf *b, uint8_t byte, struct qiao_diag *d);
/**
 * Append printf-formatted text (no terminator counted in len; one is kept after it in storage).
 * The diagnostic precedes the format here, the one exception to "diag last", because a variadic
 * function's format must come last.
 */
qiao_err qiao_buf_printf(struct qiao_buf *b, struct qiao_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Insert n bytes at offset off, moving the tail up. */
qiao_err qiao_buf_insert(struct qiao_buf *b, size_t off, const void *p, size_t n,
                         struct qiao_diag *d);

/** Bump allocator over caller storage.  Verification code allocates here, bounded by cap. */
struct qiao_arena {
    uint8_t *base;
    size_t cap;
    size_t used;
};

void qiao_arena_init(struct qiao_arena *a, void *storage, size_t cap);
/** 16-byte aligned allocation; NULL (and diag reason "arena-exhausted") when it does not fit. */
void *qiao_arena_alloc(struct qiao_arena *a, size_t n, struct qiao_diag *d);
void qiao_arena_reset(struct qiao_arena *a);

/** Constant-time comparison of n bytes; 1 when equal. */
int qiao_ct_equal(const void *a, const void *b, size_t n);
/** Wipe memory in a way the compiler may not elide (for secrets). */
void qiao_wipe(void *p, size_t n);

#endif
