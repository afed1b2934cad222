/*
 * keccak.c: Keccak-f[1600] and the Keccak-256 sponge.
 *
 * The round is written out lane by lane (macros below) instead of as nested loops: with constant
 * indices the compiler keeps all 25 lanes in registers, which is what brings a portable C version
 * within reach of OpenSSL's assembly SHA3 (qiao bench primitives prints both rates).
 */
#include "relay/core/keccak.h"

#include <string.h>

#include "relay/core/bytes.h"

static const uint64_t round_constants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

static inline uint64_t rol64(uint64_t v, unsigned n)
{
    return n ? (v << n) | (v >> (64 - n)) : v;
}

/* Lane (x, y) is a[x + 5y].  Theta's column parity, then rho rotation and pi placement into b,
 * then chi back into a.  Rotation offsets are the standard rho table for lane (x, y). */
#define COL(x) (a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20])
#define RHOPI(x, y, r) b[(y) + 5 * ((2 * (x) + 3 * (y)) % 5)] = rol64(a[(x) + 5 * (y)] ^ d[x], r)
#define CHI(y)                                                                                     \
    a[5 * (y) + 0] = b[5 * (y) + 0] ^ (~b[5 * (y) + 1] & b[5 * (y) + 2]);                          \
    a[5 * (y) + 1] = b[5 * (y) + 1] ^ (~b[5 * (y) + 2] & b[5 * (y) + 3]);                          \
    a[5 * (y) + 2] = b[5 * (y) + 2] ^ (~b[5 * (y) + 3] & b[5 * (y) + 4]);                          \
    a[5 * (y) + 3] = b[5 * (y) + 3] ^ (~b[5 * (y) + 4] & b[5 * (y) + 0]);                          \
    a[5 * (y) + 4] = b[5 * (y) + 4] ^ (~b[5 * (y) + 0] & b[5 * (y) + 1])

void qiao_keccak_f1600(uint64_t s[25])
{
    uint64_t a[25], b[25], c[5], d[5];
    memcpy(a, s, sizeof(a));
    for (int round = 0; round < 24; round++) {
        c[0] = COL(0), c[1] = COL(1), c[2] = COL(2), c[3] = COL(3), c[4] = COL(4);
        d[0] = c[4] ^ rol64(c[1], 1);
        d[1] = c[0] ^ rol64(c[2], 1);
        d[2] = c[1] ^ rol64(c[3], 1);
        d[3] = c[2] ^ rol64(c[4], 1);
        d[4] = c[3] ^ rol64(c[0], 1);
        RHOPI(0, 0, 0), RHOPI(1, 0, 1), RHOPI(2, 0, 62), RHOPI(3, 0, 28), RHOPI(4, 0, 27);
        RHOPI(0, 1, 36), RHOPI(1, 1, 44), RHOPI(2, 1, 6), RHOPI(3, 1, 55), RHOPI(4, 1, 20);
        RHOPI(0, 2, 3), RHOPI(1, 2, 10), RHOPI(2, 2, 43), RHOPI(3, 2, 25), RHOPI(4, 2, 39);
        RHOPI(0, 3, 41), RHOPI(1, 3, 45), RHOPI(2, 3, 15), RHOPI(3, 3, 21), RHOPI(4, 3, 8);
        RHOPI(0, 4, 18), RHOPI(1, 4, 2), RHOPI(2, 4, 61), RHOPI(3, 4, 56), RHOPI(4, 4, 14);
        CHI(0);
        CHI(1);
        CHI(2);
        CHI(3);
        CHI(4);
        a[0] ^= round_constants[round];
    }
    memcpy(s, a, sizeof(a));
}

static void absorb_block(uint64_t s[25], const uint8_t *block)
{
    for (int i = 0; i < QIAO_KECCAK256_RATE / 8; i++)
        s[i] ^= qiao_load64le(block + 8 * i);
    qiao_keccak_f1600(s);
}

void qiao_keccak_init(struct qiao_keccak *k)
{
    memset(k, 0, sizeof(*k));
}

void qiao_keccak_update(struct qiao_keccak *k, const void *p, size_t n)
{
    const uint8_t *in = p;
    if (k->fill) {
        size_t take = QIAO_KECCAK256_RATE - k->fill;
        if (take > n)
            take = n;
        memcpy(k->buf + k->fill, in, take);
        k->fill += take, in += take, n -= take;
        if (k->fill < QIAO_KECCAK256_RATE)
            return;
        absorb_block(k->s, k->buf);
        k->fill = 0;
    }
    for (; n >= QIAO_KECCAK256_RATE; in += QIAO_KECCAK256_RATE, n -= QIAO_KECCAK256_RATE)
        absorb_block(k->s, in);
    memcpy(k->buf, in, n);
    k->fill = n;
}

void qiao_keccak_final(struct qiao_keccak *k, uint8_t out[32])
{
    memset(k->buf + k->fill, 0, QIAO_KECCAK256_RATE - k->fill);
    k->buf[k->fill] ^= 0x01;
    k->buf[QIAO_KECCAK256_RATE - 1] ^= 0x80;
    absorb_block(k->s, k->buf);
    for (int i = 0; i < 4; i++)
        qiao_store64le(out + 8 * i, k->s[i]);
}

void qiao_keccak256(uint8_t out[32], const void *p, size_t n)
{
    struct qiao_keccak k;
    qiao_keccak_init(&k);
    qiao_keccak_update(&k, p, n);
    qiao_keccak_final(&k, out);
}
