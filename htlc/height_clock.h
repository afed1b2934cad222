/*
 * height_clock.h: how a Bitcoin leg's block-height timelock (CLTV) maps onto the engine's seconds.
 *
 * The engine (swap.h) compares every leg's timelock in seconds, but a Bitcoin HTLC expires at a
 * block height T: the refund (nLockTime T) is valid in block T+1, accepted by the mempool once the
 * tip is at T, and the claim branch has no deadline at all.  A Bitcoin leg therefore carries both:
 * the height T the script enforces (`timelock_height`) and a seconds deadline (`timelock`) that
 * only orders the legs at proposal.  Two rules keep the seconds honest:
 *
 * - At proposal, from the verified tip (h0, t0) and the terms' bounds on the block interval
 *   [block_s_min, block_s_max]: an initiator leg's deadline must come no later than height T can
 *   be reached (timelock <= t0 + (T - h0) * block_s_min), so the initiator cannot refund before
 *   the deadline the margin was computed from; a participant leg's deadline must come no earlier
 *   than height T is expected at the slowest (timelock >= t0 + (T - h0) * block_s_max), so the
 *   initiator's timelock, at least this plus the margin, outlasts the participant's claim window.
 * - While watching, the leg's clock is derived from heights, not from block timestamps: a block at
 *   height h is "before expiry" (clock < timelock) when h <= T and "after" (clock >= timelock) when
 *   h > T, and the clock at a tip h is that of block h+1 (where a transaction sent now lands).  So
 *   the engine declares the leg expired exactly when the refund becomes valid on chain.
 *
 * Pure: no I/O, no globals.  Ownership: plain values.
 */
#ifndef QIAO_HTLC_HEIGHT_CLOCK_H
#define QIAO_HTLC_HEIGHT_CLOCK_H

#include <stdint.h>

#include "relay/core/diag.h"

#define QIAO_HTLC_LOCKTIME_THRESHOLD 500000000u /* Core's LOCKTIME_THRESHOLD: below is a height */
#define QIAO_HTLC_BLOCK_S_CAP 86400u            /* no configured block interval above a day */

/** A Bitcoin leg's height lock and its bounds on the block interval, from the terms. */
struct qiao_htlc_height_lock {
    uint32_t height;      /* T, the CLTV height (1 .. LOCKTIME_THRESHOLD-1) */
    uint32_t block_s_min; /* fastest plausible mean block interval, seconds */
    uint32_t block_s_max; /* slowest plausible mean block interval, seconds */
};

/**
 * Check a height lock against the leg's seconds deadline at proposal, from the verified tip
 * (tip_height, tip_time); initiator selects the rule above.  Reasons: "bad-value" (bounds out of
 * order, zero or above the cap; height zero or not below the threshold), "timelock-too-soon"
 * (T is not above the tip), "height-deadline" (the seconds deadline breaks the rule; the message
 * gives the bound).
 */
qiao_err qiao_htlc_height_check(const struct qiao_htlc_height_lock *h, uint64_t timelock,
                                int initiator, uint64_t tip_height, uint64_t tip_time,
                                struct qiao_diag *d);

/**
 * The engine clock of a block at height `height` with timestamp `time` on a leg whose seconds
 * deadline is `timelock`: min(time, timelock-1) while height <= T, max(time, timelock) after.
 * Returns: that clock.
 */
uint64_t qiao_htlc_height_block_clock(const struct qiao_htlc_height_lock *h, uint64_t timelock,
                                      uint64_t height, uint64_t time);

/** The engine clock at a verified tip: the clock of block tip_height+1.  Returns: that clock. */
uint64_t qiao_htlc_height_tip_clock(const struct qiao_htlc_height_lock *h, uint64_t timelock,
                                    uint64_t tip_height, uint64_t tip_time);

#endif
