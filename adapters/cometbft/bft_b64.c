/* bft_b64.c: strict base64 (see bft_b64.h). */
#include "adapters/cometbft/bft_b64.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value_of(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static qiao_err bad(const char *what, const char *why, struct qiao_diag *d)
{
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-base64", "%s: not strict base64 (%s)", what, why);
}

/* Decode one 4-character group; pad is how many '=' it ends with (0..2). */
static int group(uint8_t out[3], const char *g, int pad)
{
    int v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = i >= 4 - pad ? 0 : value_of(g[i]);
        if (v[i] < 0)
            return -1;
    }
    uint32_t x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
    if ((pad == 1 && (x & 0xff)) || (pad == 2 && (x & 0xffff)))
        return -1; /* non-zero unused bits */
    out[0] = (uint8_t)(x >> 16), out[1] = (uint8_t)(x >> 8), out[2] = (uint8_t)x;
    return 0;
}

qiao_err qiao_bft_b64_decode(uint8_t *out, size_t cap, size_t *out_len, const char *s,
                             const char *what, struct qiao_diag *d)
{
    size_t n = strlen(s);
    if (n % 4)
        return bad(what, "length not a multiple of 4", d);
    int pad = n && s[n - 1] == '=' ? (s[n - 2] == '=' ? 2 : 1) : 0;
    size_t len = n / 4 * 3 - (size_t)pad;
    if (len > cap)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-long", "%s: %zu bytes where at most %zu fit", what, len,
                         cap);
    for (size_t i = 0; i < n; i += 4) {
        uint8_t b[3];
        int last = i + 4 == n;
        if (group(b, s + i, last ? pad : 0) != 0)
            return bad(what, "bad character, misplaced padding or non-zero trailing bits", d);
        size_t take = last ? (size_t)(3 - pad) : 3;
        memcpy(out + i / 4 * 3, b, take);
    }
    *out_len = len;
    return QIAO_OK;
}

void qiao_bft_b64_encode(char *out, const uint8_t *in, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t x = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            x |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            x |= in[i + 2];
        out[o++] = alphabet[x >> 18 & 63];
        out[o++] = alphabet[x >> 12 & 63];
        out[o++] = i + 1 < n ? alphabet[x >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? alphabet[x & 63] : '=';
    }
    out[o] = '\0';
}
