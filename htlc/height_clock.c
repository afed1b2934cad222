/* height_clock.c: a Bitcoin leg's height lock against the engine's seconds (height_clock.h). */
#include "htlc/height_clock.h"

static qiao_err check_bounds(const struct qiao_htlc_height_lock *h, struct qiao_diag *d)
{
    if (h->height == 0 || h->height >= QIAO_HTLC_LOCKTIME_THRESHOLD)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-value", "timelock_height %u: must be a block height "
                         "between 1 and %u", h->height, QIAO_HTLC_LOCKTIME_THRESHOLD - 1);
    if (h->block_s_min == 0 || h->block_s_min > h->block_s_max ||
        h->block_s_max > QIAO_HTLC_BLOCK_S_CAP)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-value", "block interval bounds %u..%u s: need "
                         "1 <= block_s_min <= block_s_max <= %u", h->block_s_min, h->block_s_max,
                         QIAO_HTLC_BLOCK_S_CAP);
    return QIAO_OK;
}

qiao_err qiao_htlc_height_check(const struct qiao_htlc_height_lock *h, uint64_t timelock,
                                int initiator, uint64_t tip_height, uint64_t tip_time,
                                struct qiao_diag *d)
{
    QIAO_TRY(check_bounds(h, d));
    if (h->height <= tip_height)
        return QIAO_FAIL(d, QIAO_EINVAL, "timelock-too-soon", "timelock_height %u is not above "
                         "the verified tip %llu", h->height, (unsigned long long)tip_height);
    /* Both products fit: fewer than 2^29 blocks times at most 86400 s, plus a u64 time would
     * only wrap for tip times beyond any real clock, which the caller's verified tip is not. */
    uint64_t blocks = h->height - tip_height;
    if (initiator) {
        uint64_t earliest = tip_time + blocks * h->block_s_min;
        if (timelock > earliest)
            return QIAO_FAIL(d, QIAO_EINVAL, "height-deadline", "initiator leg: deadline %llu is "
                             "after the earliest time height %u can be reached (%llu: %llu blocks "
                             "at %u s)", (unsigned long long)timelock, h->height,
                             (unsigned long long)earliest, (unsigned long long)blocks,
                             h->block_s_min);
    } else {
        uint64_t latest = tip_time + blocks * h->block_s_max;
        if (timelock < latest)
            return QIAO_FAIL(d, QIAO_EINVAL, "height-deadline", "participant leg: deadline %llu "
                             "is before the latest expected time of height %u (%llu: %llu blocks "
                             "at %u s)", (unsigned long long)timelock, h->height,
                             (unsigned long long)latest, (unsigned long long)blocks,
                             h->block_s_max);
    }
    return QIAO_OK;
}

uint64_t qiao_htlc_height_block_clock(const struct qiao_htlc_height_lock *h, uint64_t timelock,
                                      uint64_t height, uint64_t time)
{
    if (height > h->height)
        return time > timelock ? time : timelock;
    /* timelock is at least 1 for any leg the engine accepted; 0 stays 0. */
    uint64_t before = timelock ? timelock - 1 : 0;
    return time < before ? time : before;
}

uint64_t qiao_htlc_height_tip_clock(const struct qiao_htlc_height_lock *h, uint64_t timelock,
                                    uint64_t tip_height, uint64_t tip_time)
{
    return qiao_htlc_height_block_clock(h, timelock, tip_height + 1, tip_time);
}
