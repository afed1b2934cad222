/* test_hex.c: strict hex decoding (prefix, case, odd length, bad characters, caps) and encoding. */
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "tests/qt.h"

static void test_decode_ok(void)
{
    uint8_t out[8];
    size_t n;
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "0x00ff7A", 8, NULL) == QIAO_OK);
    QT_CHECK(n == 3 && out[0] == 0 && out[1] == 0xff && out[2] == 0x7a);
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "DEADbeef", 8, NULL) == QIAO_OK && n == 4);
    QT_CHECK(out[0] == 0xde && out[3] == 0xef);
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "0X", 2, NULL) == QIAO_OK && n == 0);
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "", 0, NULL) == QIAO_OK && n == 0);
}

static void test_decode_bad(void)
{
    uint8_t out[4];
    size_t n;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "abc", 3, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "odd-length") == 0);
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "0xabzz", 6, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-hex-char") == 0 && strstr(d.msg, "position 4"));
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "ab c", 4, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "0x0x", 4, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "x0", 2, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_hex_decode(out, sizeof(out), &n, "0011223344", 10, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "too-long") == 0);
    QT_CHECK(qiao_hex_decode_exact(out, 4, "001122", &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "wrong-length") == 0);
    QT_CHECK(qiao_hex_decode_exact(out, 4, "0x00112233", &d) == QIAO_OK && out[3] == 0x33);
    /* Every byte value that is not a hex digit is rejected in either position. */
    int rejected = 0, total = 0;
    for (int c = 1; c < 256; c++) {
        if (strchr("0123456789abcdefABCDEF", c))
            continue;
        char s1[3] = {(char)c, '0', 0}, s2[3] = {'0', (char)c, 0};
        total += 2;
        rejected += qiao_hex_decode(out, 4, &n, s1, 2, NULL) == QIAO_EINVAL;
        /* "0x" and "0X" alone are a valid prefix of an empty string. */
        if (c == 'x' || c == 'X')
            total--;
        else
            rejected += qiao_hex_decode(out, 4, &n, s2, 2, NULL) == QIAO_EINVAL;
    }
    QT_CHECKF(rejected == total, "%d of %d rejected", rejected, total);
}

static void test_alloc_and_encode(void)
{
    uint8_t *p;
    size_t n;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_hex_decode_alloc(&p, &n, "0x0102", 16, &d) == QIAO_OK && n == 2 && p[1] == 2);
    free(p);
    QT_CHECK(qiao_hex_decode_alloc(&p, &n, "", 16, &d) == QIAO_OK && n == 0 && p);
    free(p);
    QT_CHECK(qiao_hex_decode_alloc(&p, &n, "000000", 2, &d) == QIAO_ERANGE && !p);
    QT_CHECK(qiao_hex_decode_alloc(&p, &n, "0g", 2, &d) == QIAO_EINVAL && !p);
    char s[16];
    static const uint8_t bytes[] = {0x00, 0xab, 0x10};
    qiao_hex_encode(s, bytes, 3);
    QT_CHECK(strcmp(s, "00ab10") == 0);
    qiao_hex_encode0x(s, bytes, 3);
    QT_CHECK(strcmp(s, "0x00ab10") == 0);
    qiao_hex_encode_rev(s, bytes, 3);
    QT_CHECK(strcmp(s, "10ab00") == 0);
    qiao_hex_encode(s, bytes, 0);
    QT_CHECK(s[0] == 0);
}

static void test_roundtrip(void)
{
    uint8_t in[256], out[256];
    char s[513];
    size_t n;
    for (int i = 0; i < 256; i++)
        in[i] = (uint8_t)i;
    qiao_hex_encode(s, in, 256);
    QT_CHECK(qiao_hex_decode(out, 256, &n, s, 512, NULL) == QIAO_OK && n == 256);
    QT_CHECK_MEM(out, in, 256);
}

int main(void)
{
    test_decode_ok();
    test_decode_bad();
    test_alloc_and_encode();
    test_roundtrip();
    return qt_finish();
}
