/*
 * keccak.c: Keccak-f[1600] and the Keccak-256 sponge.
 *
 * The permutation is written out lane by lane (see the comment above it) rather than as loops.
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

/*
 * Lane (x, y) is aN with N = x + 5y.  A round computes theta's column parities c and mixers d,
 * then, one output row at a time, gathers the five lanes that rho and pi move into that row (lane
 * (x, y) lands at (y, 2x + 3y), rotated by the standard rho offset) into b0..b4 and applies chi,
 * writing the new state into the other bank (a → e, then e → a); iota closes the round.
 *
 * Why this shape: every index is a compile-time constant, so the lanes live in registers, and
 * building one row at a time keeps only five intermediates alive instead of a second full state.
 * Against the previous array-and-loop form it executes fewer instructions per permutation (the
 * bench prints the rate next to OpenSSL's assembly SHA3-256).  The statements were generated
 * from the rho table and the pi rule; the known-answer tests in test_hash.c cover them.
 */
#define ROL(v, n) (((v) << (n)) | ((v) >> (64 - (n))))

#define KECCAK_ROUND_AE(rc) \
    c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20; \
    c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21; \
    c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22; \
    c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23; \
    c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24; \
    d0 = c4 ^ ROL(c1, 1); \
    d1 = c0 ^ ROL(c2, 1); \
    d2 = c1 ^ ROL(c3, 1); \
    d3 = c2 ^ ROL(c4, 1); \
    d4 = c3 ^ ROL(c0, 1); \
    b0 = a0 ^ d0; \
    b1 = ROL(a6 ^ d1, 44); \
    b2 = ROL(a12 ^ d2, 43); \
    b3 = ROL(a18 ^ d3, 21); \
    b4 = ROL(a24 ^ d4, 14); \
    e0 = b0 ^ (~b1 & b2); \
    e1 = b1 ^ (~b2 & b3); \
    e2 = b2 ^ (~b3 & b4); \
    e3 = b3 ^ (~b4 & b0); \
    e4 = b4 ^ (~b0 & b1); \
    b0 = ROL(a3 ^ d3, 28); \
    b1 = ROL(a9 ^ d4, 20); \
    b2 = ROL(a10 ^ d0, 3); \
    b3 = ROL(a16 ^ d1, 45); \
    b4 = ROL(a22 ^ d2, 61); \
    e5 = b0 ^ (~b1 & b2); \
    e6 = b1 ^ (~b2 & b3); \
    e7 = b2 ^ (~b3 & b4); \
    e8 = b3 ^ (~b4 & b0); \
    e9 = b4 ^ (~b0 & b1); \
    b0 = ROL(a1 ^ d1, 1); \
    b1 = ROL(a7 ^ d2, 6); \
    b2 = ROL(a13 ^ d3, 25); \
    b3 = ROL(a19 ^ d4, 8); \
    b4 = ROL(a20 ^ d0, 18); \
    e10 = b0 ^ (~b1 & b2); \
    e11 = b1 ^ (~b2 & b3); \
    e12 = b2 ^ (~b3 & b4); \
    e13 = b3 ^ (~b4 & b0); \
    e14 = b4 ^ (~b0 & b1); \
    b0 = ROL(a4 ^ d4, 27); \
    b1 = ROL(a5 ^ d0, 36); \
    b2 = ROL(a11 ^ d1, 10); \
    b3 = ROL(a17 ^ d2, 15); \
    b4 = ROL(a23 ^ d3, 56); \
    e15 = b0 ^ (~b1 & b2); \
    e16 = b1 ^ (~b2 & b3); \
    e17 = b2 ^ (~b3 & b4); \
    e18 = b3 ^ (~b4 & b0); \
    e19 = b4 ^ (~b0 & b1); \
    b0 = ROL(a2 ^ d2, 62); \
    b1 = ROL(a8 ^ d3, 55); \
    b2 = ROL(a14 ^ d4, 39); \
    b3 = ROL(a15 ^ d0, 41); \
    b4 = ROL(a21 ^ d1, 2); \
    e20 = b0 ^ (~b1 & b2); \
    e21 = b1 ^ (~b2 & b3); \
    e22 = b2 ^ (~b3 & b4); \
    e23 = b3 ^ (~b4 & b0); \
    e24 = b4 ^ (~b0 & b1); \
    e0 ^= (rc);

#define KECCAK_ROUND_EA(rc) \
    c0 = e0 ^ e5 ^ e10 ^ e15 ^ e20; \
    c1 = e1 ^ e6 ^ e11 ^ e16 ^ e21; \
    c2 = e2 ^ e7 ^ e12 ^ e17 ^ e22; \
    c3 = e3 ^ e8 ^ e13 ^ e18 ^ e23; \
    c4 = e4 ^ e9 ^ e14 ^ e19 ^ e24; \
    d0 = c4 ^ ROL(c1, 1); \
    d1 = c0 ^ ROL(c2, 1); \
    d2 = c1 ^ ROL(c3, 1); \
    d3 = c2 ^ ROL(c4, 1); \
    d4 = c3 ^ ROL(c0, 1); \
    b0 = e0 ^ d0; \
    b1 = ROL(e6 ^ d1, 44); \
    b2 = ROL(e12 ^ d2, 43); \
    b3 = ROL(e18 ^ d3, 21); \
    b4 = ROL(e24 ^ d4, 14); \
    a0 = b0 ^ (~b1 & b2); \
    a1 = b1 ^ (~b2 & b3); \
    a2 = b2 ^ (~b3 & b4); \
    a3 = b3 ^ (~b4 & b0); \
    a4 = b4 ^ (~b0 & b1); \
    b0 = ROL(e3 ^ d3, 28); \
    b1 = ROL(e9 ^ d4, 20); \
    b2 = ROL(e10 ^ d0, 3); \
    b3 = ROL(e16 ^ d1, 45); \
    b4 = ROL(e22 ^ d2, 61); \
    a5 = b0 ^ (~b1 & b2); \
    a6 = b1 ^ (~b2 & b3); \
    a7 = b2 ^ (~b3 & b4); \
    a8 = b3 ^ (~b4 & b0); \
    a9 = b4 ^ (~b0 & b1); \
    b0 = ROL(e1 ^ d1, 1); \
    b1 = ROL(e7 ^ d2, 6); \
    b2 = ROL(e13 ^ d3, 25); \
    b3 = ROL(e19 ^ d4, 8); \
    b4 = ROL(e20 ^ d0, 18); \
    a10 = b0 ^ (~b1 & b2); \
    a11 = b1 ^ (~b2 & b3); \
    a12 = b2 ^ (~b3 & b4); \
    a13 = b3 ^ (~b4 & b0); \
    a14 = b4 ^ (~b0 & b1); \
    b0 = ROL(e4 ^ d4, 27); \
    b1 = ROL(e5 ^ d0, 36); \
    b2 = ROL(e11 ^ d1, 10); \
    b3 = ROL(e17 ^ d2, 15); \
    b4 = ROL(e23 ^ d3, 56); \
    a15 = b0 ^ (~b1 & b2); \
    a16 = b1 ^ (~b2 & b3); \
    a17 = b2 ^ (~b3 & b4); \
    a18 = b3 ^ (~b4 & b0); \
    a19 = b4 ^ (~b0 & b1); \
    b0 = ROL(e2 ^ d2, 62); \
    b1 = ROL(e8 ^ d3, 55); \
    b2 = ROL(e14 ^ d4, 39); \
    b3 = ROL(e15 ^ d0, 41); \
    b4 = ROL(e21 ^ d1, 2); \
    a20 = b0 ^ (~b1 & b2); \
    a21 = b1 ^ (~b2 & b3); \
    a22 = b2 ^ (~b3 & b4); \
    a23 = b3 ^ (~b4 & b0); \
    a24 = b4 ^ (~b0 & b1); \
    a0 ^= (rc);


/* chi's ~b & c is one ANDN instruction with BMI1; the loader picks the clone the CPU supports
 * (an ifunc, resolved once at load: no state of ours).  About a tenth faster where BMI1 exists. */
#if defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
__attribute__((target_clones("bmi", "default")))
#endif
#endif
void qiao_keccak_f1600(uint64_t s[25])
{
    uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6];
    uint64_t a7 = s[7], a8 = s[8], a9 = s[9], a10 = s[10], a11 = s[11], a12 = s[12];
    uint64_t a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16], a17 = s[17], a18 = s[18];
    uint64_t a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
    uint64_t e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, e13, e14, e15, e16, e17;
    uint64_t e18, e19, e20, e21, e22, e23, e24, b0, b1, b2, b3, b4, c0, c1, c2, c3, c4;
    uint64_t d0, d1, d2, d3, d4;
    for (int round = 0; round < 24; round += 2) {
        KECCAK_ROUND_AE(round_constants[round]);
        KECCAK_ROUND_EA(round_constants[round + 1]);
    }
    s[0] = a0, s[1] = a1, s[2] = a2, s[3] = a3, s[4] = a4, s[5] = a5, s[6] = a6, s[7] = a7;
    s[8] = a8, s[9] = a9, s[10] = a10, s[11] = a11, s[12] = a12, s[13] = a13, s[14] = a14;
    s[15] = a15, s[16] = a16, s[17] = a17, s[18] = a18, s[19] = a19, s[20] = a20, s[21] = a21;
    s[22] = a22, s[23] = a23, s[24] = a24;
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
    if (n == 0) /* p may be NULL then, and memcpy from NULL is undefined even for 0 bytes */
        return;
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
