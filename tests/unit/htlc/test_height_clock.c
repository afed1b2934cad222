/*
 * test_height_clock.c: the Bitcoin leg's height-to-seconds rules (htlc/height_clock.h) at every
 * boundary: the proposal check for each role, the bounds, and the clock switching from "before"
 * to "after" exactly when the refund becomes valid (block T+1; tip T).
 */
#include <string.h>

#include "htlc/height_clock.h"
#include "tests/qt.h"

static int refused(const struct qiao_htlc_height_lock *h, uint64_t tl, int init, uint64_t th,
                   uint64_t tt, const char *reason)
{
    struct qiao_diag d = {0};
    return qiao_htlc_height_check(h, tl, init, th, tt, &d) && strcmp(d.reason, reason) == 0;
}

static void test_check(void)
{
    struct qiao_htlc_height_lock h = {.height = 1400, .block_s_min = 60, .block_s_max = 1200};
    struct qiao_diag d = {0};
    /* tip 1300 at t=10000: 100 blocks; earliest 16000, latest 130000. */
    QT_CHECK(qiao_htlc_height_check(&h, 16000, 1, 1300, 10000, &d) == QIAO_OK);
    QT_CHECK(refused(&h, 16001, 1, 1300, 10000, "height-deadline"));
    QT_CHECK(qiao_htlc_height_check(&h, 130000, 0, 1300, 10000, &d) == QIAO_OK);
    QT_CHECK(refused(&h, 129999, 0, 1300, 10000, "height-deadline"));
    QT_CHECK(refused(&h, 130000, 0, 1400, 10000, "timelock-too-soon"));
    QT_CHECK(refused(&h, 130000, 0, 1500, 10000, "timelock-too-soon"));
    QT_CHECK(qiao_htlc_height_check(&h, 11200, 0, 1399, 10000, &d) == QIAO_OK);
    struct qiao_htlc_height_lock b = h;
    b.block_s_min = 0;
    QT_CHECK(refused(&b, 1, 1, 1, 0, "bad-value"));
    b = h, b.block_s_min = 1201;
    QT_CHECK(refused(&b, 1, 1, 1, 0, "bad-value"));
    b = h, b.block_s_max = QIAO_HTLC_BLOCK_S_CAP + 1;
    QT_CHECK(refused(&b, 1, 0, 1, 0, "bad-value"));
    b = h, b.height = 0;
    QT_CHECK(refused(&b, 1, 0, 0, 0, "bad-value"));
    b = h, b.height = QIAO_HTLC_LOCKTIME_THRESHOLD; /* a time lock, not a height */
    QT_CHECK(refused(&b, 1, 0, 1, 0, "bad-value"));
    b = h, b.height = QIAO_HTLC_LOCKTIME_THRESHOLD - 1, b.block_s_max = QIAO_HTLC_BLOCK_S_CAP;
    QT_CHECK(qiao_htlc_height_check(&b, UINT64_MAX, 0, 0, 1800000000u, &d) == QIAO_OK);
}

static void test_clock(void)
{
    struct qiao_htlc_height_lock h = {.height = 1400, .block_s_min = 1, .block_s_max = 30};
    const uint64_t T = 50000;
    /* A block at or below T is before expiry whatever its timestamp says... */
    QT_CHECK(qiao_htlc_height_block_clock(&h, T, 1400, 99999) == T - 1);
    QT_CHECK(qiao_htlc_height_block_clock(&h, T, 1399, 123) == 123);
    QT_CHECK(qiao_htlc_height_block_clock(&h, T, 0, 0) == 0);
    /* ...and above T after it: the refund (nLockTime T) is valid from block T+1. */
    QT_CHECK(qiao_htlc_height_block_clock(&h, T, 1401, 10) == T);
    QT_CHECK(qiao_htlc_height_block_clock(&h, T, 1401, 60000) == 60000);
    /* At a tip, what counts is the next block: tip T means a refund sent now can be mined. */
    QT_CHECK(qiao_htlc_height_tip_clock(&h, T, 1399, 10) == 10);
    QT_CHECK(qiao_htlc_height_tip_clock(&h, T, 1400, 10) == T);
    QT_CHECK(qiao_htlc_height_tip_clock(&h, 0, 5, 10) == 0); /* degenerate: no deadline before 0 */
    QT_CHECK(qiao_htlc_height_block_clock(&h, 0, 5, 10) == 0);
}

int main(void)
{
    test_check();
    test_clock();
    return qt_finish();
}
