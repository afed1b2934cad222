/*
 * test_btc_chain.c: contextual header checks on genuinely mined regtest headers (each rule's
 * rejection reason, and its boundary accepted), plus the byte-flip mutation test on two real
 * consecutive mainnet headers (block 536,384 area, from summa-tx/bitcoin-spv's chain).
 */
#include <string.h>

#include "adapters/bitcoin/btc_chain.h"
#include "relay/core/bytes.h"
#include "relay/core/hex.h"
#include "tests/qt.h"
#include "tests/unit/bitcoin/btc_mine.h"

#define V4 0x20000000u
#define REG_BITS 0x207fffffu

static const struct qiao_btc_params *reg(void)
{
    return qiao_btc_params_get(QIAO_BTC_REGTEST);
}

/* Verify raw after parent and return the reason ("" on success). */
static const char *try_next(struct qiao_crypto *cx, struct qiao_btc_link *out,
                            const struct qiao_btc_link *parent, const uint8_t raw[80], int64_t now)
{
    static struct qiao_diag d;
    qiao_diag_clear(&d);
    return qiao_btc_link_next(cx, out, reg(), parent, raw, 80, now, &d) ? d.reason : "";
}

static void build(struct qiao_crypto *cx, struct qiao_btc_link *links, int n)
{
    struct qiao_diag d = {0};
    uint8_t raw[80];
    QT_CHECK(qiao_btc_link_anchor(cx, &links[0], reg(), btc_regtest_genesis, 80, 0, NULL, &d) ==
             QIAO_OK);
    for (int i = 1; i < n; i++) {
        btc_mine_child(cx, raw, &links[i - 1], links[i - 1].time + 600, REG_BITS, V4, 0);
        QT_CHECKF(!strcmp(try_next(cx, &links[i], &links[i - 1], raw, QIAO_BTC_NO_CLOCK), ""),
                  "block %d", i);
    }
    QT_CHECK(links[n - 1].height == (uint64_t)n - 1);
    /* Chainwork: every regtest block carries work 2 (2^256 / 2^255). */
    QT_CHECK(links[n - 1].chainwork.w[0] == 2u * (uint32_t)n && links[n - 1].chainwork.w[1] == 0);
}

static void rule_failures(struct qiao_crypto *cx, const struct qiao_btc_link *tip)
{
    struct qiao_btc_link out, other = *tip;
    uint8_t raw[80];
    uint32_t t = tip->time + 600;
    other.hash[0] ^= 1;
    btc_mine_child(cx, raw, &other, t, REG_BITS, V4, 0);
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), "bad-prev-hash"));
    static const struct {
        uint32_t bits;
        const char *reason;
    } bad_bits[] = {{0x04923456, "bits-negative"}, {0xff123456, "bits-overflow"},
                    {0x01003456, "bits-zero"},     {0x2100ffff, "target-above-limit"},
                    {0x207ffffe, "bad-diffbits"}};
    for (size_t i = 0; i < sizeof(bad_bits) / sizeof(bad_bits[0]); i++) {
        btc_mine_child(cx, raw, tip, t, 0x207ffffe, V4, 0); /* mined hard enough for any case */
        qiao_store32le(raw + 72, bad_bits[i].bits);
        if (strcmp(bad_bits[i].reason, "bad-diffbits") != 0) {
            QT_CHECKF(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), bad_bits[i].reason),
                      "bits 0x%08x", bad_bits[i].bits);
            continue;
        }
        btc_mine_child(cx, raw, tip, t, bad_bits[i].bits, V4, 0);
        QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), "bad-diffbits"));
    }
    /* high-hash: bump the nonce of a mined header until its hash misses the target. */
    btc_mine_child(cx, raw, tip, t, REG_BITS, V4, 0);
    const char *r;
    do {
        qiao_store32le(raw + 76, qiao_load32le(raw + 76) + 1);
        r = try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK);
    } while (!strcmp(r, ""));
    QT_CHECK(!strcmp(r, "high-hash"));
}

static void time_rules(struct qiao_crypto *cx, const struct qiao_btc_link *tip)
{
    struct qiao_btc_link out;
    uint8_t raw[80];
    uint32_t mtp = qiao_btc_link_mtp_bound(tip);
    QT_CHECK(mtp == tip->time - 5 * 600); /* 11 evenly spaced blocks: the 6th newest */
    btc_mine_child(cx, raw, tip, mtp, REG_BITS, V4, 0);
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), "time-too-old"));
    btc_mine_child(cx, raw, tip, mtp + 1, REG_BITS, V4, 0);
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), ""));
    uint32_t t = tip->time + 600;
    btc_mine_child(cx, raw, tip, t, REG_BITS, V4, 0);
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, (int64_t)t - 7201), "time-too-new"));
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, (int64_t)t - 7200), ""));
    btc_mine_child(cx, raw, tip, t, REG_BITS, 3, 0);
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), "bad-version"));
    btc_mine_child(cx, raw, tip, t, REG_BITS, 0x80000004u, 0); /* negative as Core's int32 */
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), "bad-version"));
    btc_mine_child(cx, raw, tip, t, REG_BITS, 4, 0);
    QT_CHECK(!strcmp(try_next(cx, &out, tip, raw, QIAO_BTC_NO_CLOCK), ""));
}

static void anchors(struct qiao_crypto *cx, const struct qiao_btc_link *links)
{
    struct qiao_btc_link a;
    struct qiao_diag d = {0};
    uint8_t raw[80];
    btc_mine_child(cx, raw, &links[3], links[3].time + 600, REG_BITS, V4, 0);
    QT_CHECK(qiao_btc_link_anchor(cx, &a, reg(), raw, 80, 0, NULL, &d) &&
             !strcmp(d.reason, "anchor-not-genesis"));
    QT_CHECK(qiao_btc_link_anchor(cx, &a, reg(), raw, 79, 4, NULL, &d) &&
             !strcmp(d.reason, "bad-header-length"));
    QT_CHECK(qiao_btc_link_anchor(cx, &a, reg(), raw, 80, 4, NULL, &d) == QIAO_OK);
    QT_CHECK(a.ntimes == 1 && !a.full_history && !a.period_known);
    QT_CHECK(qiao_btc_link_anchor(cx, &a, reg(), raw, 80, 4032, btc_regtest_genesis, &d) &&
             !strcmp(d.reason, "bad-period-start"));
}

static const char mainnet_pair[] =
    "0000002073bd2184edd9c4fc76642ea6754ee40136970efc10c4190000000000000000000296ef123ea96da5cf695f"
    "22bf7d94be87d49db1ad7ac371ac43c4da4161c8c216349c5ba11928170d38782b"
    "00000020fe70e48339d6b17fbbf1340d245338f57336e97767cc240000000000000000005af53b865c27c6e9b5e5db"
    "4c3ea8e024f8329178a79ddb39f7727ea2fe6e6825d1349c5ba1192817e2d95159";

/* Flip every byte of the child header: each must be rejected. */
static void mutation(struct qiao_crypto *cx)
{
    const struct qiao_btc_params *main = qiao_btc_params_get(QIAO_BTC_MAIN);
    uint8_t pair[160];
    struct qiao_btc_link a, b;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_hex_decode_exact(pair, 160, mainnet_pair, NULL) == QIAO_OK);
    QT_CHECK(qiao_btc_link_anchor(cx, &a, main, pair, 80, 540000, NULL, &d) == QIAO_OK);
    QT_CHECKF(qiao_btc_link_next(cx, &b, main, &a, pair + 80, 80, 1600000000, &d) == QIAO_OK,
              "%s", d.msg);
    int rejected = 0;
    for (int i = 0; i < 80; i++) {
        for (int bit = 0; bit < 8; bit += 7) { /* low and high bit of each byte */
            pair[80 + i] ^= (uint8_t)(1u << bit);
            rejected += qiao_btc_link_next(cx, &b, main, &a, pair + 80, 80, 1600000000, &d) != 0;
            pair[80 + i] ^= (uint8_t)(1u << bit);
        }
    }
    QT_CHECKF(rejected == 160, "%d of 160 single-bit mutations rejected", rejected);
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    struct qiao_btc_link links[24];
    build(cx, links, 24);
    rule_failures(cx, &links[23]);
    time_rules(cx, &links[23]);
    anchors(cx, links);
    mutation(cx);
    qiao_crypto_destroy(cx);
    return qt_finish();
}
