/* btc_u256.c: 256-bit arithmetic with arith_uint256 semantics (see btc_u256.h). */
#include "adapters/bitcoin/btc_u256.h"

#include <string.h>

#include "relay/core/bytes.h"

static void set_u32(struct qiao_btc_u256 *a, uint32_t v)
{
    memset(a, 0, sizeof(*a));
    a->w[0] = v;
}

/* Shift by any amount; shifts of 256 or more give zero, as in arith_uint256. */
static void shl(struct qiao_btc_u256 *a, unsigned n)
{
    struct qiao_btc_u256 r = {{0}};
    unsigned words = n / 32, bits = n % 32;
    for (int i = 7; i >= 0; i--) {
        if ((unsigned)i < words)
            break;
        unsigned src = (unsigned)i - words;
        r.w[i] = a->w[src] << bits;
        if (bits && src > 0)
            r.w[i] |= a->w[src - 1] >> (32 - bits);
    }
    *a = r;
}

static void shr(struct qiao_btc_u256 *a, unsigned n)
{
    struct qiao_btc_u256 r = {{0}};
    unsigned words = n / 32, bits = n % 32;
    for (unsigned i = 0; i + words < 8; i++) {
        r.w[i] = a->w[i + words] >> bits;
        if (bits && i + words + 1 < 8)
            r.w[i] |= a->w[i + words + 1] << (32 - bits);
    }
    *a = r;
}

static unsigned bit_length(const struct qiao_btc_u256 *a)
{
    for (int i = 7; i >= 0; i--) {
        if (a->w[i]) {
            unsigned n = 32;
            while (!(a->w[i] >> (n - 1)))
                n--;
            return (unsigned)i * 32 + n;
        }
    }
    return 0;
}

void qiao_btc_u256_from_compact(struct qiao_btc_u256 *out, int *negative, int *overflow,
                                uint32_t bits)
{
    unsigned size = bits >> 24;
    uint32_t word = bits & 0x007fffff;
    if (size <= 3) {
        word >>= 8 * (3 - size);
        set_u32(out, word);
    } else {
        set_u32(out, word);
        shl(out, 8 * (size - 3));
    }
    *negative = word != 0 && (bits & 0x00800000) != 0;
    *overflow = word != 0 && (size > 34 || (word > 0xff && size > 33) ||
                              (word > 0xffff && size > 32));
}

uint32_t qiao_btc_u256_to_compact(const struct qiao_btc_u256 *a)
{
    unsigned size = (bit_length(a) + 7) / 8;
    uint32_t compact;
    if (size <= 3) {
        compact = a->w[0] << 8 * (3 - size);
    } else {
        struct qiao_btc_u256 t = *a;
        shr(&t, 8 * (size - 3));
        compact = t.w[0];
    }
    if (compact & 0x00800000) {
        compact >>= 8;
        size++;
    }
    return compact | (uint32_t)size << 24;
}

void qiao_btc_u256_from_le(struct qiao_btc_u256 *out, const uint8_t in[32])
{
    for (int i = 0; i < 8; i++)
        out->w[i] = qiao_load32le(in + 4 * i);
}

void qiao_btc_u256_from_be(struct qiao_btc_u256 *out, const uint8_t in[32])
{
    for (int i = 0; i < 8; i++)
        out->w[i] = qiao_load32be(in + 4 * (7 - i));
}

void qiao_btc_u256_to_be(uint8_t out[32], const struct qiao_btc_u256 *a)
{
    for (int i = 0; i < 8; i++)
        qiao_store32be(out + 4 * (7 - i), a->w[i]);
}

int qiao_btc_u256_cmp(const struct qiao_btc_u256 *a, const struct qiao_btc_u256 *b)
{
    for (int i = 7; i >= 0; i--)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

int qiao_btc_u256_is_zero(const struct qiao_btc_u256 *a)
{
    uint32_t acc = 0;
    for (int i = 0; i < 8; i++)
        acc |= a->w[i];
    return acc == 0;
}

int qiao_btc_hash_le_target(const uint8_t hash[32], const struct qiao_btc_u256 *target)
{
    /* Compare from the most significant word (the end of the internal-order hash) down; almost
     * every valid hash decides on the first word, so this stays off the profile. */
    for (int i = 7; i >= 0; i--) {
        uint32_t h = qiao_load32le(hash + 4 * i);
        if (h != target->w[i])
            return h < target->w[i];
    }
    return 1;
}

void qiao_btc_u256_add(struct qiao_btc_u256 *r, const struct qiao_btc_u256 *a,
                       const struct qiao_btc_u256 *b)
{
    uint64_t carry = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t s = (uint64_t)a->w[i] + b->w[i] + carry;
        r->w[i] = (uint32_t)s;
        carry = s >> 32;
    }
}

void qiao_btc_u256_mul32(struct qiao_btc_u256 *r, const struct qiao_btc_u256 *a, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t p = (uint64_t)a->w[i] * m + carry;
        r->w[i] = (uint32_t)p;
        carry = p >> 32;
    }
}

static void sub(struct qiao_btc_u256 *a, const struct qiao_btc_u256 *b)
{
    uint64_t borrow = 0;
    for (int i = 0; i < 8; i++) {
        uint64_t d = (uint64_t)a->w[i] - b->w[i] - borrow;
        a->w[i] = (uint32_t)d;
        borrow = (d >> 32) & 1;
    }
}

/* Shift-and-subtract long division, the algorithm of arith_uint256::operator/=.  Only runs when a
 * header's nBits differ from its parent's (work is cached per nBits), so simplicity wins. */
void qiao_btc_u256_div(struct qiao_btc_u256 *r, const struct qiao_btc_u256 *a,
                       const struct qiao_btc_u256 *b)
{
    struct qiao_btc_u256 num = *a, div = *b, q = {{0}};
    unsigned nb = bit_length(&num), db = bit_length(&div);
    if (db == 0 || db > nb) {
        *r = q;
        return;
    }
    unsigned shift = nb - db;
    shl(&div, shift);
    for (;;) {
        if (qiao_btc_u256_cmp(&num, &div) >= 0) {
            sub(&num, &div);
            q.w[shift / 32] |= 1u << (shift % 32);
        }
        if (shift == 0)
            break;
        shr(&div, 1);
        shift--;
    }
    *r = q;
}

void qiao_btc_u256_work(struct qiao_btc_u256 *work, const struct qiao_btc_u256 *target)
{
    struct qiao_btc_u256 inv, plus1, one;
    if (qiao_btc_u256_is_zero(target)) {
        memset(work, 0, sizeof(*work));
        return;
    }
    set_u32(&one, 1);
    for (int i = 0; i < 8; i++)
        inv.w[i] = ~target->w[i];
    qiao_btc_u256_add(&plus1, target, &one);
    qiao_btc_u256_div(work, &inv, &plus1);
    qiao_btc_u256_add(work, work, &one);
}
