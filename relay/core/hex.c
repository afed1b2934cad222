/* hex.c: strict hex codec (see hex.h). */
#include "relay/core/hex.h"

#include <stdlib.h>
#include <string.h>

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t prefix_len(const char *hex, size_t hex_len)
{
    return (hex_len >= 2 && hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X')) ? 2 : 0;
}

qiao_err qiao_hex_decode(uint8_t *out, size_t cap, size_t *out_len, const char *hex,
                         size_t hex_len, struct qiao_diag *d)
{
    size_t skip = prefix_len(hex, hex_len);
    size_t digits = hex_len - skip;
    *out_len = 0;
    if (digits % 2)
        return QIAO_FAIL(d, QIAO_EINVAL, "odd-length", "hex string has an odd number of digits (%zu)",
                         digits);
    if (digits / 2 > cap)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-long", "hex string encodes %zu bytes, at most %zu allowed",
                         digits / 2, cap);
    for (size_t i = 0; i < digits; i += 2) {
        int hi = nibble(hex[skip + i]), lo = nibble(hex[skip + i + 1]);
        if (hi < 0 || lo < 0) {
            size_t at = skip + i + (hi < 0 ? 0 : 1);
            unsigned char ch = (unsigned char)hex[at];
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-hex-char",
                             "non-hex character 0x%02x at position %zu", ch, at);
        }
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    *out_len = digits / 2;
    return QIAO_OK;
}

qiao_err qiao_hex_decode_exact(uint8_t *out, size_t n, const char *hex, struct qiao_diag *d)
{
    size_t hex_len = strlen(hex);
    size_t digits = hex_len - prefix_len(hex, hex_len);
    if (digits != 2 * n)
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-length", "expected %zu hex digits (%zu bytes), got %zu",
                         2 * n, n, digits);
    size_t got;
    return qiao_hex_decode(out, n, &got, hex, hex_len, d);
}

qiao_err qiao_hex_decode_alloc(uint8_t **out, size_t *out_len, const char *hex, size_t max,
                               struct qiao_diag *d)
{
    size_t hex_len = strlen(hex);
    size_t n = (hex_len - prefix_len(hex, hex_len)) / 2;
    *out = NULL;
    *out_len = 0;
    if (n > max)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-long", "hex string encodes %zu bytes, at most %zu allowed",
                         n, max);
    uint8_t *p = malloc(n ? n : 1);
    if (!p)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot allocate %zu bytes", n);
    qiao_err err = qiao_hex_decode(p, n, out_len, hex, hex_len, d);
    if (err) {
        free(p);
        return err;
    }
    *out = p;
    return QIAO_OK;
}

static const char digits_lc[] = "0123456789abcdef";

void qiao_hex_encode(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits_lc[in[i] >> 4];
        out[2 * i + 1] = digits_lc[in[i] & 15];
    }
    out[2 * n] = '\0';
}

void qiao_hex_encode0x(char *out, const uint8_t *in, size_t n)
{
    out[0] = '0';
    out[1] = 'x';
    qiao_hex_encode(out + 2, in, n);
}

void qiao_hex_encode_rev(char *out, const uint8_t *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = in[n - 1 - i];
        out[2 * i] = digits_lc[b >> 4];
        out[2 * i + 1] = digits_lc[b & 15];
    }
    out[2 * n] = '\0';
}
