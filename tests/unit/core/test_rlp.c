/* test_rlp.c: RLP encoder and strict decoder on hand-made cases (the shared vectors are in
 * tests/vectors/rlp). */
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/rlp.h"
#include "tests/qt.h"

static int decode_hex(const char *hex, struct qiao_diag *d)
{
    uint8_t buf[256];
    size_t n;
    struct qiao_rlp_item it;
    if (qiao_hex_decode(buf, sizeof(buf), &n, hex, strlen(hex), d))
        return -1;
    return qiao_rlp_decode_whole(&it, buf, n, d);
}

static void test_encode_scalars(void)
{
    struct qiao_buf b = {0};
    char hex[128];
    QT_CHECK(qiao_rlp_put_u64(&b, 0, NULL) == QIAO_OK);
    QT_CHECK(qiao_rlp_put_u64(&b, 127, NULL) == QIAO_OK);
    QT_CHECK(qiao_rlp_put_u64(&b, 128, NULL) == QIAO_OK);
    QT_CHECK(qiao_rlp_put_u64(&b, 0x0102030405060708ULL, NULL) == QIAO_OK);
    QT_CHECK(qiao_rlp_put_bytes(&b, "\x00", 1, NULL) == QIAO_OK);
    qiao_hex_encode(hex, b.p, b.len);
    QT_CHECK(strcmp(hex, "807f8180880102030405060708" "00") == 0);
    qiao_buf_clear(&b);
}

static void test_encode_lists(void)
{
    struct qiao_buf b = {0};
    char hex[512];
    size_t outer = qiao_rlp_list_begin(&b);
    size_t inner = qiao_rlp_list_begin(&b);
    QT_CHECK(qiao_rlp_list_end(&b, inner, NULL) == QIAO_OK);
    QT_CHECK(qiao_rlp_put_bytes(&b, "dog", 3, NULL) == QIAO_OK);
    QT_CHECK(qiao_rlp_list_end(&b, outer, NULL) == QIAO_OK);
    qiao_hex_encode(hex, b.p, b.len);
    QT_CHECK(strcmp(hex, "c5c083646f67") == 0);
    qiao_buf_clear(&b);
    /* A 56-byte payload switches to the long form. */
    uint8_t s[56];
    memset(s, 'a', sizeof(s));
    QT_CHECK(qiao_rlp_put_bytes(&b, s, 56, NULL) == QIAO_OK);
    QT_CHECK(b.len == 58 && b.p[0] == 0xb8 && b.p[1] == 56);
    qiao_buf_clear(&b);
    outer = qiao_rlp_list_begin(&b);
    QT_CHECK(qiao_rlp_put_bytes(&b, s, 54, NULL) == QIAO_OK); /* 55-byte payload: short list */
    QT_CHECK(qiao_rlp_list_end(&b, outer, NULL) == QIAO_OK);
    QT_CHECK(b.p[0] == 0xf7);
    qiao_buf_clear(&b);
}

static void test_decode_rules(void)
{
    struct qiao_diag d = {0};
    QT_CHECK(decode_hex("c5c083646f67", &d) == QIAO_OK);
    QT_CHECK(decode_hex("8100", &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "non-canonical-single-byte") == 0);
    QT_CHECK(decode_hex("8180", &d) == QIAO_OK);
    QT_CHECK(decode_hex("b800", &d) == QIAO_EINVAL);
    QT_CHECK(decode_hex("b837" "00", &d) == QIAO_EINVAL); /* long form for 55 */
    QT_CHECK(strcmp(d.reason, "non-canonical-length") == 0);
    QT_CHECK(decode_hex("c3010203" "04", &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "trailing-bytes") == 0);
    QT_CHECK(decode_hex("c3018201", &d) == QIAO_EINVAL); /* last item overruns its list */
    QT_CHECK(strcmp(d.reason, "truncated") == 0);
    QT_CHECK(decode_hex("", &d) == QIAO_EINVAL);
    QT_CHECK(decode_hex("bf0f000000000000021111", &d) != QIAO_OK);
    QT_CHECK(decode_hex("c2c18100", &d) == QIAO_EINVAL); /* bad item two levels down */
}

/* Wrap an empty list in `levels` further lists: c0, c1c0, c2c1c0, ... */
static void nest(struct qiao_buf *b, size_t levels)
{
    b->len = 0;
    qiao_buf_push(b, 0xc0, NULL);
    for (size_t i = 0; i < levels; i++)
        qiao_rlp_list_end(b, 0, NULL);
}

static void test_depth_cap(void)
{
    struct qiao_buf b = {0};
    struct qiao_rlp_item it;
    struct qiao_diag d = {0};
    nest(&b, QIAO_RLP_MAX_DEPTH);
    QT_CHECK(qiao_rlp_decode_whole(&it, b.p, b.len, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "too-deep") == 0);
    nest(&b, QIAO_RLP_MAX_DEPTH - 1);
    QT_CHECK(qiao_rlp_decode_whole(&it, b.p, b.len, &d) == QIAO_OK);
    qiao_buf_clear(&b);
}

static void test_accessors(void)
{
    uint8_t buf[64];
    size_t n, count;
    struct qiao_rlp_item it, items[5];
    struct qiao_diag d = {0};
    uint64_t v;
    uint8_t fixed[3], be[4];
    qiao_hex_decode(buf, sizeof(buf), &n, "ca820400830102038000c0", 22, NULL);
    QT_CHECK(qiao_rlp_decode_whole(&it, buf, n, &d) == QIAO_OK);
    QT_CHECK(qiao_rlp_list(items, 5, &count, &it, &d) == QIAO_OK && count == 5);
    QT_CHECK(qiao_rlp_u64(&v, &items[0], &d) == QIAO_OK && v == 0x0400);
    QT_CHECK(qiao_rlp_fixed(fixed, 3, &items[1], &d) == QIAO_OK && fixed[2] == 3);
    QT_CHECK(qiao_rlp_fixed(fixed, 2, &items[1], &d) == QIAO_EINVAL);
    QT_CHECK(qiao_rlp_u64(&v, &items[2], &d) == QIAO_OK && v == 0);
    QT_CHECK(qiao_rlp_u64(&v, &items[3], &d) == QIAO_EINVAL); /* 0x00 is a leading zero */
    QT_CHECK(strcmp(d.reason, "non-canonical-int") == 0);
    QT_CHECK(qiao_rlp_uint_be(be, 4, &items[1], &d) == QIAO_OK && be[0] == 0 && be[3] == 3);
    QT_CHECK(qiao_rlp_list(items, 4, &count, &it, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "too-many-items") == 0);
    QT_CHECK(qiao_rlp_list(items, 5, &count, &it, &d) == QIAO_OK);
    QT_CHECK(qiao_rlp_u64(&v, &items[4], &d) == QIAO_EINVAL); /* a list is not an integer */
    QT_CHECK(strcmp(d.reason, "not-a-string") == 0);
    struct qiao_rlp_iter iter;
    QT_CHECK(qiao_rlp_iter_init(&iter, &items[0], &d) == QIAO_EINVAL);
}

int main(void)
{
    test_encode_scalars();
    test_encode_lists();
    test_decode_rules();
    test_depth_cap();
    test_accessors();
    return qt_finish();
}
