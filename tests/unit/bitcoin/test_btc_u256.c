/*
 * test_btc_u256.c: nBits codec against Bitcoin Core's arith_uint256 SetCompact/GetCompact cases,
 * block work, the retarget (clamps at x4 and /4, powLimit cap), and GetNextWorkRequired's
 * testnet and regtest branches on synthetic links (no proof of work involved).
 */
#include <string.h>

#include "adapters/bitcoin/btc_chain.h"
#include "adapters/bitcoin/btc_header.h"
#include "tests/qt.h"

struct compact_case {
    uint32_t bits;
    uint32_t low;  /* low 32 bits of the decoded value (when it fits) */
    int negative, overflow;
    uint32_t back; /* GetCompact of the decoded value */
};

static void compact_cases(void)
{
    static const struct compact_case cases[] = {
        {0x00000000, 0, 0, 0, 0},          {0x00123456, 0, 0, 0, 0},
        {0x01003456, 0, 0, 0, 0},          {0x02000056, 0, 0, 0, 0},
        {0x03000000, 0, 0, 0, 0},          {0x04000000, 0, 0, 0, 0},
        {0x00923456, 0, 0, 0, 0},          {0x01803456, 0, 0, 0, 0},
        {0x02800056, 0, 0, 0, 0},          {0x03800000, 0, 0, 0, 0},
        {0x04800000, 0, 0, 0, 0},          {0x01123456, 0x12, 0, 0, 0x01120000},
        {0x01fedcba, 0x7e, 1, 0, 0x017e0000}, {0x02123456, 0x1234, 0, 0, 0x02123400},
        {0x03123456, 0x123456, 0, 0, 0x03123456}, {0x04123456, 0x12345600, 0, 0, 0x04123456},
        {0x04923456, 0x12345600, 1, 0, 0x04123456}, {0x05009234, 0x92340000, 0, 0, 0x05009234},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct qiao_btc_u256 v;
        int neg, ovf;
        qiao_btc_u256_from_compact(&v, &neg, &ovf, cases[i].bits);
        QT_CHECKF(v.w[0] == cases[i].low && neg == cases[i].negative && !ovf,
                  "SetCompact(0x%08x)", cases[i].bits);
        QT_CHECKF(qiao_btc_u256_to_compact(&v) == cases[i].back, "GetCompact(0x%08x) = 0x%08x",
                  cases[i].bits, qiao_btc_u256_to_compact(&v));
    }
    struct qiao_btc_u256 v;
    int neg, ovf;
    qiao_btc_u256_from_compact(&v, &neg, &ovf, 0x20123456); /* 0x123456 << 232 */
    QT_CHECK(v.w[7] == 0x12345600 && v.w[6] == 0 && !neg && !ovf);
    QT_CHECK(qiao_btc_u256_to_compact(&v) == 0x20123456);
    qiao_btc_u256_from_compact(&v, &neg, &ovf, 0xff123456);
    QT_CHECK(ovf && !neg);
    qiao_btc_u256_from_compact(&v, &neg, &ovf, 0x2100ffff); /* 0xffff << 240: fits */
    QT_CHECK(!ovf && v.w[7] == 0xffff0000);
    qiao_btc_u256_from_compact(&v, &neg, &ovf, 0x21010000); /* 2^256: Core flags overflow */
    QT_CHECK(ovf);
    qiao_btc_u256_from_compact(&v, &neg, &ovf, 0x22010000);
    QT_CHECK(ovf);
}

static void target_checks(void)
{
    const struct qiao_btc_params *main = qiao_btc_params_get(QIAO_BTC_MAIN);
    struct qiao_btc_u256 t, work;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_btc_bits_target(&t, main, 0x1d00ffff, &d) == QIAO_OK);
    qiao_btc_u256_work(&work, &t);
    QT_CHECK(work.w[0] == 0x00010001 && work.w[1] == 1 && work.w[2] == 0); /* 4295032833 */
    QT_CHECK(qiao_btc_bits_target(&t, main, 0x04923456, &d) && !strcmp(d.reason, "bits-negative"));
    QT_CHECK(qiao_btc_bits_target(&t, main, 0xff123456, &d) && !strcmp(d.reason, "bits-overflow"));
    QT_CHECK(qiao_btc_bits_target(&t, main, 0x01003456, &d) && !strcmp(d.reason, "bits-zero"));
    QT_CHECK(qiao_btc_bits_target(&t, main, 0x1d01ffff, &d) &&
             !strcmp(d.reason, "target-above-limit"));
    QT_CHECK(qiao_btc_bits_target(&t, main, 0x207fffff, &d) &&
             !strcmp(d.reason, "target-above-limit"));
    QT_CHECK(qiao_btc_bits_target(&t, qiao_btc_params_get(QIAO_BTC_REGTEST), 0x207fffff, &d) ==
             QIAO_OK);
}

static void retarget_clamps(void)
{
    const struct qiao_btc_params *main = qiao_btc_params_get(QIAO_BTC_MAIN);
    const int64_t span = 1209600;
    uint32_t bits = 0x1b0404cb; /* an old mainnet difficulty */
    QT_CHECK(qiao_btc_retarget(main, bits, 0, span) == bits);
    /* x4 and /4 are the limits: anything beyond clamps to them. */
    QT_CHECK(qiao_btc_retarget(main, bits, 0, span * 4) == qiao_btc_retarget(main, bits, 0, span * 40));
    QT_CHECK(qiao_btc_retarget(main, bits, 0, span / 4) == qiao_btc_retarget(main, bits, 0, 1));
    QT_CHECK(qiao_btc_retarget(main, bits, 0, span / 4) == qiao_btc_retarget(main, bits, 10, 0));
    QT_CHECK(qiao_btc_retarget(main, bits, 0, span * 4) == 0x1b10132c); /* python: GetCompact(SetCompact(bits) * 4) */
    QT_CHECK(qiao_btc_retarget(main, bits, 0, span / 4) == 0x1b010132);
    /* Capped at powLimit: the easiest target cannot get easier. */
    QT_CHECK(qiao_btc_retarget(main, 0x1d00ffff, 0, span * 4) == 0x1d00ffff);
    QT_CHECK(qiao_btc_retarget(main, 0x1c7fffff, 0, span * 4) == 0x1d00ffff);
}

static void link_at(struct qiao_btc_link *l, uint64_t height, uint32_t time, uint32_t bits)
{
    memset(l, 0, sizeof(*l));
    l->height = height, l->time = time, l->bits = bits;
}

static void next_bits_rules(void)
{
    const struct qiao_btc_params *test = qiao_btc_params_get(QIAO_BTC_TESTNET);
    const struct qiao_btc_params *reg = qiao_btc_params_get(QIAO_BTC_REGTEST);
    const struct qiao_btc_params *main = qiao_btc_params_get(QIAO_BTC_MAIN);
    struct qiao_btc_link p;
    struct qiao_diag d = {0};
    uint32_t bits;
    link_at(&p, 100, 1000000, 0x1c0fffff);
    QT_CHECK(qiao_btc_next_bits(&bits, main, &p, 1000001, &d) == QIAO_OK && bits == 0x1c0fffff);
    /* Testnet: more than 20 minutes after the parent allows the minimum difficulty... */
    QT_CHECK(qiao_btc_next_bits(&bits, test, &p, 1001201, &d) == QIAO_OK && bits == 0x1d00ffff);
    /* ...otherwise the last non-minimum nBits, which must be known. */
    QT_CHECK(qiao_btc_next_bits(&bits, test, &p, 1001200, &d) &&
             !strcmp(d.reason, "insufficient-history"));
    p.last_bits_known = 1, p.last_bits = 0x1c0fffff, p.bits = 0x1d00ffff;
    QT_CHECK(qiao_btc_next_bits(&bits, test, &p, 1001200, &d) == QIAO_OK && bits == 0x1c0fffff);
    /* A retarget height needs the period's first time. */
    link_at(&p, 2015, 2000000, 0x1c0fffff);
    QT_CHECK(qiao_btc_next_bits(&bits, main, &p, 2000001, &d) &&
             !strcmp(d.reason, "period-start-required"));
    p.period_known = 1, p.period_time = 2000000 - 1209600; /* exactly two weeks: unchanged */
    QT_CHECK(qiao_btc_next_bits(&bits, main, &p, 2000001, &d) == QIAO_OK && bits == 0x1c0fffff);
    p.period_time = 2000000 - 1209600 / 2; /* one week: twice as hard */
    QT_CHECK(qiao_btc_next_bits(&bits, main, &p, 2000001, &d) == QIAO_OK && bits == 0x1c07ffff);
    /* Regtest never retargets. */
    link_at(&p, 2015, 1000000, 0x207fffff);
    QT_CHECK(qiao_btc_next_bits(&bits, reg, &p, 1, &d) == QIAO_OK && bits == 0x207fffff);
}

static void mtp_bound(void)
{
    struct qiao_btc_link l;
    memset(&l, 0, sizeof(l));
    /* Known times 10..60 out of an unknown ancestry: six known give the smallest as bound. */
    for (unsigned i = 0; i < 6; i++)
        l.times[i] = 10 * (i + 1);
    l.ntimes = 6, l.times_head = 5;
    QT_CHECK(qiao_btc_link_mtp_bound(&l) == 10);
    l.ntimes = 5;
    QT_CHECK(qiao_btc_link_mtp_bound(&l) == 0);
    l.full_history = 1; /* the chain starts at genesis: median of what exists (20..60) */
    QT_CHECK(qiao_btc_link_mtp_bound(&l) == 40);
    l.full_history = 0;
    for (unsigned i = 0; i < 11; i++)
        l.times[i] = 100 - i; /* unordered timestamps: the median is still 95 */
    l.ntimes = 11, l.times_head = 10;
    QT_CHECK(qiao_btc_link_mtp_bound(&l) == 95);
}

int main(void)
{
    compact_cases();
    target_checks();
    retarget_clamps();
    next_bits_rules();
    mtp_bound();
    return qt_finish();
}
