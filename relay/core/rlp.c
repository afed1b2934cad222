/* rlp.c: strict canonical RLP (see rlp.h). */
#include "relay/core/rlp.h"

#include <string.h>

/* Read a long-form length of n bytes (1..8): no leading zero, at least 56, must fit size_t. */
static qiao_err read_long_len(size_t *out, const uint8_t *p, size_t n, size_t at,
                              struct qiao_diag *d)
{
    if (p[0] == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "non-canonical-length",
                         "RLP at byte %zu: long length has a leading zero byte", at);
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (v < 56)
        return QIAO_FAIL(d, QIAO_EINVAL, "non-canonical-length",
                         "RLP at byte %zu: long form used for length %llu below 56", at,
                         (unsigned long long)v);
    if (v > SIZE_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "length-overflow", "RLP at byte %zu: length overflows", at);
    *out = (size_t)v;
    return QIAO_OK;
}

/* Parse the header at buf[0]: payload offset and length, and whether it is a list. */
static qiao_err read_header(size_t *off, size_t *plen, bool *list, const uint8_t *buf, size_t len,
                            struct qiao_diag *d)
{
    uint8_t b = buf[0];
    *list = b >= 0xc0;
    uint8_t base = *list ? 0xc0 : 0x80;
    if (b < 0x80) {
        *off = 0, *plen = 1;
    } else if (b <= base + 55) {
        *off = 1, *plen = (size_t)(b - base);
    } else {
        size_t n = (size_t)(b - base - 55);
        if (len < 1 + n)
            return QIAO_FAIL(d, QIAO_EINVAL, "truncated",
                             "RLP header 0x%02x needs %zu length bytes, %zu present", b, n, len - 1);
        QIAO_TRY(read_long_len(plen, buf + 1, n, 0, d));
        *off = 1 + n;
    }
    return QIAO_OK;
}

qiao_err qiao_rlp_decode(struct qiao_rlp_item *it, size_t *used, const uint8_t *buf, size_t len,
                         struct qiao_diag *d)
{
    if (len == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "empty", "RLP input is empty");
    size_t off, plen;
    bool list;
    QIAO_TRY(read_header(&off, &plen, &list, buf, len, d));
    if (plen > len - off)
        return QIAO_FAIL(d, QIAO_EINVAL, "truncated",
                         "RLP item declares %zu payload bytes, only %zu present", plen, len - off);
    if (!list && off == 1 && plen == 1 && buf[1] < 0x80)
        return QIAO_FAIL(d, QIAO_EINVAL, "non-canonical-single-byte",
                         "RLP byte 0x%02x must be encoded as itself, not as a 1-byte string", buf[1]);
    it->p = buf + off;
    it->len = plen;
    it->list = list;
    it->raw = buf;
    it->raw_len = off + plen;
    *used = off + plen;
    return QIAO_OK;
}

qiao_err qiao_rlp_validate(const struct qiao_rlp_item *it, unsigned max_depth,
                           struct qiao_diag *d)
{
    if (!it->list)
        return QIAO_OK;
    if (max_depth == 0)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-deep", "RLP nesting exceeds the depth limit");
    size_t pos = 0;
    while (pos < it->len) {
        struct qiao_rlp_item child;
        size_t used;
        qiao_err err = qiao_rlp_decode(&child, &used, it->p + pos, it->len - pos, d);
        if (err)
            return qiao_diag_wrap(d, "in list item at payload offset %zu", pos);
        QIAO_TRY(qiao_rlp_validate(&child, max_depth - 1, d));
        pos += used;
    }
    return QIAO_OK;
}

qiao_err qiao_rlp_decode_whole(struct qiao_rlp_item *it, const uint8_t *buf, size_t len,
                               struct qiao_diag *d)
{
    size_t used;
    QIAO_TRY(qiao_rlp_decode(it, &used, buf, len, d));
    if (used != len)
        return QIAO_FAIL(d, QIAO_EINVAL, "trailing-bytes", "%zu bytes follow the RLP item",
                         len - used);
    return qiao_rlp_validate(it, QIAO_RLP_MAX_DEPTH, d);
}

qiao_err qiao_rlp_iter_init(struct qiao_rlp_iter *it, const struct qiao_rlp_item *list,
                            struct qiao_diag *d)
{
    if (!list->list)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-a-list", "expected an RLP list, found a string");
    it->p = list->p;
    it->len = list->len;
    it->pos = 0;
    it->index = 0;
    return QIAO_OK;
}

qiao_err qiao_rlp_next(struct qiao_rlp_iter *it, struct qiao_rlp_item *out, int *have,
                       struct qiao_diag *d)
{
    *have = 0;
    if (it->pos >= it->len)
        return QIAO_OK;
    size_t used;
    qiao_err err = qiao_rlp_decode(out, &used, it->p + it->pos, it->len - it->pos, d);
    if (err)
        return qiao_diag_wrap(d, "list item %zu", it->index);
    it->pos += used;
    it->index++;
    *have = 1;
    return QIAO_OK;
}

qiao_err qiao_rlp_list(struct qiao_rlp_item *items, size_t cap, size_t *count,
                       const struct qiao_rlp_item *list, struct qiao_diag *d)
{
    struct qiao_rlp_iter it;
    QIAO_TRY(qiao_rlp_iter_init(&it, list, d));
    *count = 0;
    for (;;) {
        struct qiao_rlp_item item;
        int have;
        QIAO_TRY(qiao_rlp_next(&it, &item, &have, d));
        if (!have)
            return QIAO_OK;
        if (*count == cap)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-many-items", "RLP list has more than %zu items",
                             cap);
        items[(*count)++] = item;
    }
}

static qiao_err expect_string(const struct qiao_rlp_item *it, struct qiao_diag *d)
{
    if (it->list)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-a-string", "expected an RLP string, found a list");
    return QIAO_OK;
}

qiao_err qiao_rlp_uint_be(uint8_t *out, size_t n, const struct qiao_rlp_item *it,
                          struct qiao_diag *d)
{
    QIAO_TRY(expect_string(it, d));
    if (it->len > n)
        return QIAO_FAIL(d, QIAO_ERANGE, "int-too-large", "RLP integer of %zu bytes exceeds %zu",
                         it->len, n);
    if (it->len > 0 && it->p[0] == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "non-canonical-int", "RLP integer has a leading zero byte");
    memset(out, 0, n - it->len);
    memcpy(out + (n - it->len), it->p, it->len);
    return QIAO_OK;
}

qiao_err qiao_rlp_u64(uint64_t *v, const struct qiao_rlp_item *it, struct qiao_diag *d)
{
    uint8_t be[8];
    QIAO_TRY(qiao_rlp_uint_be(be, 8, it, d));
    *v = (uint64_t)qiao_load32be(be) << 32 | qiao_load32be(be + 4);
    return QIAO_OK;
}

qiao_err qiao_rlp_fixed(uint8_t *out, size_t n, const struct qiao_rlp_item *it,
                        struct qiao_diag *d)
{
    QIAO_TRY(expect_string(it, d));
    if (it->len != n)
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-length", "RLP string of %zu bytes, expected %zu",
                         it->len, n);
    memcpy(out, it->p, n);
    return QIAO_OK;
}

/* Encode a header for payload length n with the given base (0x80 string, 0xc0 list). */
static size_t make_header(uint8_t hdr[9], size_t n, uint8_t base)
{
    if (n <= 55) {
        hdr[0] = (uint8_t)(base + n);
        return 1;
    }
    size_t bytes = 0;
    for (size_t v = n; v; v >>= 8)
        bytes++;
    hdr[0] = (uint8_t)(base + 55 + bytes);
    for (size_t i = 0; i < bytes; i++)
        hdr[bytes - i] = (uint8_t)(n >> (8 * i));
    return 1 + bytes;
}

qiao_err qiao_rlp_put_bytes(struct qiao_buf *b, const void *p, size_t n, struct qiao_diag *d)
{
    const uint8_t *s = p;
    if (n == 1 && s[0] < 0x80)
        return qiao_buf_push(b, s[0], d);
    uint8_t hdr[9];
    size_t h = make_header(hdr, n, 0x80);
    QIAO_TRY(qiao_buf_reserve(b, h + n, d));
    QIAO_TRY(qiao_buf_append(b, hdr, h, d));
    return qiao_buf_append(b, s, n, d);
}

qiao_err qiao_rlp_put_uint_be(struct qiao_buf *b, const uint8_t *p, size_t n, struct qiao_diag *d)
{
    while (n > 0 && p[0] == 0)
        p++, n--;
    return qiao_rlp_put_bytes(b, p, n, d);
}

qiao_err qiao_rlp_put_u64(struct qiao_buf *b, uint64_t v, struct qiao_diag *d)
{
    uint8_t be[8];
    qiao_store64be(be, v);
    return qiao_rlp_put_uint_be(b, be, 8, d);
}

qiao_err qiao_rlp_put_raw(struct qiao_buf *b, const void *p, size_t n, struct qiao_diag *d)
{
    return qiao_buf_append(b, p, n, d);
}

size_t qiao_rlp_list_begin(const struct qiao_buf *b)
{
    return b->len;
}

qiao_err qiao_rlp_list_end(struct qiao_buf *b, size_t start, struct qiao_diag *d)
{
    uint8_t hdr[9];
    size_t h = make_header(hdr, b->len - start, 0xc0);
    return qiao_buf_insert(b, start, hdr, h, d);
}
