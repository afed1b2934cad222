/* test_bytes.c: cursor bounds, buffer growth and caps, arena limits, diagnostics. */
#include <string.h>

#include "relay/core/bytes.h"
#include "tests/qt.h"

static void test_cursor(void)
{
    static const uint8_t data[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    struct qiao_cursor c;
    struct qiao_diag d = {0};
    uint32_t v32;
    uint64_t v64;
    uint8_t b;
    qiao_cursor_init(&c, data, sizeof(data));
    QT_CHECK(qiao_cursor_u32le(&c, &v32, &d) == QIAO_OK && v32 == 0x04030201);
    QT_CHECK(qiao_cursor_u32be(&c, &v32, &d) == QIAO_OK && v32 == 0x05060708);
    QT_CHECK(qiao_cursor_u64be(&c, &v64, &d) == QIAO_EINVAL); /* only 3 bytes left */
    qiao_cursor_init(&c, data, sizeof(data));
    QT_CHECK(qiao_cursor_u64le(&c, &v64, &d) == QIAO_OK && v64 == 0x0807060504030201ULL);
    QT_CHECK(qiao_cursor_left(&c) == 3);
    QT_CHECK(qiao_cursor_u32le(&c, &v32, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "truncated") == 0);
    QT_CHECK(c.pos == 8); /* a failed read consumes nothing */
    QT_CHECK(qiao_cursor_expect_end(&c, "test", &d) == QIAO_EINVAL);
    QT_CHECK(qiao_cursor_u8(&c, &b, &d) == QIAO_OK && b == 9);
    const uint8_t *p;
    QT_CHECK(qiao_cursor_take(&c, &p, 2, &d) == QIAO_OK && p[1] == 11);
    QT_CHECK(qiao_cursor_expect_end(&c, "test", &d) == QIAO_OK);
    QT_CHECK(qiao_cursor_take(&c, &p, SIZE_MAX, &d) == QIAO_EINVAL);
}

static void test_buf(void)
{
    struct qiao_buf b;
    struct qiao_diag d = {0};
    qiao_buf_init(&b, 100);
    for (int i = 0; i < 100; i++)
        QT_CHECK(qiao_buf_push(&b, (uint8_t)i, NULL) == QIAO_OK);
    QT_CHECK(qiao_buf_push(&b, 0, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "too-large") == 0);
    QT_CHECK(b.len == 100 && b.p[99] == 99);
    qiao_buf_clear(&b);
    qiao_buf_init(&b, 0);
    QT_CHECK(qiao_buf_append(&b, "world", 5, NULL) == QIAO_OK);
    QT_CHECK(qiao_buf_insert(&b, 0, "hello ", 6, NULL) == QIAO_OK);
    QT_CHECK(b.len == 11 && memcmp(b.p, "hello world", 11) == 0);
    QT_CHECK(qiao_buf_insert(&b, 12, "x", 1, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_buf_reserve(&b, SIZE_MAX, &d) == QIAO_ERANGE);
    qiao_buf_clear(&b);
    qiao_buf_clear(NULL);
}

static void test_arena(void)
{
    uint8_t storage[64];
    struct qiao_arena a;
    struct qiao_diag d = {0};
    qiao_arena_init(&a, storage, sizeof(storage));
    void *x = qiao_arena_alloc(&a, 10, &d);
    void *y = qiao_arena_alloc(&a, 10, &d);
    QT_CHECK(x && y && (uint8_t *)y - (uint8_t *)x == 16);
    QT_CHECK(qiao_arena_alloc(&a, 40, &d) == NULL);
    QT_CHECK(strcmp(d.reason, "arena-exhausted") == 0);
    QT_CHECK(qiao_arena_alloc(&a, SIZE_MAX, &d) == NULL);
    qiao_arena_reset(&a);
    QT_CHECK(qiao_arena_alloc(&a, 64, &d) == storage);
}

static void test_diag(void)
{
    struct qiao_diag d = {0};
    QT_CHECK(QIAO_FAIL(&d, QIAO_EVERIFY, "bad-thing", "value %d", 7) == QIAO_EVERIFY);
    QT_CHECK(d.code == QIAO_EVERIFY && strcmp(d.reason, "bad-thing") == 0);
    QT_CHECK(strcmp(d.msg, "value 7") == 0 && d.line > 0 && strstr(d.file, "test_bytes.c"));
    QT_CHECK(qiao_diag_wrap(&d, "header %d", 3) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.msg, "header 3: value 7") == 0);
    QT_CHECK(QIAO_FAIL(NULL, QIAO_EIO, "x", "y") == QIAO_EIO);
    QT_CHECK(strcmp(qiao_code_name(QIAO_EVERIFY), "verify") == 0);
    QT_CHECK(strcmp(qiao_code_name(99), "unknown") == 0);
    qiao_diag_clear(&d);
    QT_CHECK(d.code == 0 && d.msg[0] == 0);
}

static void test_ct(void)
{
    uint8_t a[4] = {1, 2, 3, 4}, b[4] = {1, 2, 3, 5};
    QT_CHECK(qiao_ct_equal(a, a, 4));
    QT_CHECK(!qiao_ct_equal(a, b, 4));
    qiao_wipe(a, 4);
    QT_CHECK(a[0] == 0 && a[3] == 0);
}

int main(void)
{
    test_cursor();
    test_buf();
    test_arena();
    test_diag();
    test_ct();
    return qt_finish();
}
