/* btc_bech32.c: BIP 173 segwit v0 addresses (see btc_bech32.h). */
#include "adapters/bitcoin/btc_bech32.h"

#include <string.h>

static const char CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
#define BECH32_CONST 1u
#define MAX_DATA 90u /* 5-bit groups: bounded by the address length */

static uint32_t polymod_step(uint32_t chk, uint8_t v)
{
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    uint32_t top = chk >> 25;
    chk = (chk & 0x1ffffff) << 5 ^ v;
    for (int i = 0; i < 5; i++)
        if (top >> i & 1)
            chk ^= gen[i];
    return chk;
}

/* The checksum state after the expanded prefix and the data groups. */
static uint32_t polymod(const char *hrp, const uint8_t *data, size_t n)
{
    uint32_t chk = 1;
    size_t h = strlen(hrp);
    for (size_t i = 0; i < h; i++)
        chk = polymod_step(chk, (uint8_t)((unsigned char)hrp[i] >> 5));
    chk = polymod_step(chk, 0);
    for (size_t i = 0; i < h; i++)
        chk = polymod_step(chk, (uint8_t)(hrp[i] & 31));
    for (size_t i = 0; i < n; i++)
        chk = polymod_step(chk, data[i]);
    return chk;
}

const char *qiao_btc_bech32_hrp(enum qiao_btc_network net)
{
    switch (net) {
    case QIAO_BTC_MAIN:
        return "bc";
    case QIAO_BTC_TESTNET:
        return "tb";
    case QIAO_BTC_REGTEST:
        return "bcrt";
    }
    return NULL;
}

/* Regroup bits; when !pad the leftover must be fewer than `from` bits and all zero. */
static int regroup(uint8_t *out, size_t *out_len, size_t cap, const uint8_t *in, size_t n,
                   unsigned from, unsigned to, int pad)
{
    uint32_t acc = 0;
    unsigned bits = 0;
    *out_len = 0;
    for (size_t i = 0; i < n; i++) {
        acc = acc << from | in[i];
        bits += from;
        while (bits >= to) {
            bits -= to;
            if (*out_len == cap)
                return 0;
            out[(*out_len)++] = (uint8_t)(acc >> bits & ((1u << to) - 1));
        }
    }
    if (pad && bits) {
        if (*out_len == cap)
            return 0;
        out[(*out_len)++] = (uint8_t)(acc << (to - bits) & ((1u << to) - 1));
    } else if (!pad && (bits >= from || (acc << (to - bits) & ((1u << to) - 1)))) {
        return 0;
    }
    return 1;
}

qiao_err qiao_btc_address_encode(char out[QIAO_BTC_ADDR_MAX], enum qiao_btc_network net,
                                 const uint8_t *program, size_t program_len, struct qiao_diag *d)
{
    const char *hrp = qiao_btc_bech32_hrp(net);
    if (!hrp)
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-network", "no bech32 prefix for network %d",
                         (int)net);
    return qiao_btc_address_encode_hrp(out, hrp, program, program_len, d);
}

/* Prefixes we write: short lower-case letters, so the address stays within 90 characters. */
static int hrp_ok(const char *hrp)
{
    size_t n = strnlen(hrp, 11);
    for (size_t i = 0; i < n; i++)
        if (hrp[i] < 'a' || hrp[i] > 'z')
            return 0;
    return n >= 1 && n <= 10;
}

qiao_err qiao_btc_address_encode_hrp(char out[QIAO_BTC_ADDR_MAX], const char *hrp,
                                     const uint8_t *program, size_t program_len,
                                     struct qiao_diag *d)
{
    uint8_t data[MAX_DATA];
    size_t n;
    if (!hrp_ok(hrp))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-hrp", "bech32 prefix must be 1-10 lower-case "
                         "letters");
    if (program_len != 20 && program_len != 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-program-length",
                         "a version 0 program has 20 or 32 bytes, not %zu", program_len);
    data[0] = 0; /* witness version */
    regroup(data + 1, &n, MAX_DATA - 7, program, program_len, 8, 5, 1);
    n += 1;
    uint32_t chk = polymod(hrp, data, n);
    for (int i = 0; i < 6; i++)
        chk = polymod_step(chk, 0);
    chk ^= BECH32_CONST;
    for (int i = 0; i < 6; i++)
        data[n++] = (uint8_t)(chk >> (5 * (5 - i)) & 31);
    size_t h = strlen(hrp);
    memcpy(out, hrp, h);
    out[h] = '1';
    for (size_t i = 0; i < n; i++)
        out[h + 1 + i] = CHARSET[data[i]];
    out[h + 1 + n] = '\0';
    return QIAO_OK;
}

/* Lower-case copy of addr into low; fails on bad characters and mixed case. */
static qiao_err fold_case(char *low, const char *addr, size_t len, struct qiao_diag *d)
{
    int lower = 0, upper = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (c < 33 || c > 126)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-char", "address character %zu is 0x%02x", i, c);
        lower |= c >= 'a' && c <= 'z';
        upper |= c >= 'A' && c <= 'Z';
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    low[len] = '\0';
    if (lower && upper)
        return QIAO_FAIL(d, QIAO_EINVAL, "mixed-case", "address mixes upper and lower case");
    return QIAO_OK;
}

/* Map the data part (after the separator) to 5-bit groups and check the checksum. */
static qiao_err data_groups(uint8_t *data, size_t *n, const char *hrp, const char *part,
                            struct qiao_diag *d)
{
    *n = strlen(part);
    if (*n < 7) /* version + 6 checksum groups */
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-checksum", "address data part of %zu characters",
                         *n);
    for (size_t i = 0; i < *n; i++) {
        const char *at = strchr(CHARSET, part[i]);
        if (!at || !part[i])
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-char", "'%c' is not a bech32 character",
                             part[i]);
        data[i] = (uint8_t)(at - CHARSET);
    }
    if (polymod(hrp, data, *n) != BECH32_CONST)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-checksum", "bech32 checksum does not verify");
    *n -= 6;
    return QIAO_OK;
}

qiao_err qiao_btc_address_decode(uint8_t program[32], size_t *program_len,
                                 enum qiao_btc_network net, const char *addr,
                                 struct qiao_diag *d)
{
    char low[QIAO_BTC_ADDR_MAX];
    uint8_t data[MAX_DATA];
    size_t len = strnlen(addr, QIAO_BTC_ADDR_MAX), n;
    const char *hrp = qiao_btc_bech32_hrp(net);
    if (!hrp)
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-network", "network %d", (int)net);
    if (len >= QIAO_BTC_ADDR_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "address-too-long", "address longer than 90 characters");
    QIAO_TRY(fold_case(low, addr, len, d));
    char *sep = strrchr(low, '1');
    if (!sep || sep == low)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-separator", "address has no bech32 separator");
    *sep = '\0';
    if (strcmp(low, hrp) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-network", "address prefix '%s', %s uses '%s'",
                         low, qiao_btc_params_get(net)->name, hrp);
    QIAO_TRY(data_groups(data, &n, hrp, sep + 1, d));
    if (data[0] != 0)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unsupported-witness-version",
                         "witness version %u (only version 0 is supported)", data[0]);
    if (!regroup(program, program_len, 32, data + 1, n - 1, 5, 8, 0))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-padding", "address program has bad padding or is "
                         "longer than 32 bytes");
    if (*program_len != 20 && *program_len != 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-program-length",
                         "a version 0 program has 20 or 32 bytes, not %zu", *program_len);
    return QIAO_OK;
}
