/*
 * btc_chain.h: contextual header verification, one header after its parent, exactly as Bitcoin
 * Core's ContextualCheckBlockHeader and GetNextWorkRequired decide it: parent link, proof of work,
 * the required nBits (retarget every 2016 blocks with the timespan clamped to x4 and /4 and the
 * result capped at powLimit; testnet's 20-minute min-difficulty rule; regtest's fixed nBits),
 * the median-time-past of the last 11 blocks, the +2 h future limit against a supplied clock, and
 * the BIP34/66/65 minimum versions.
 *
 * A `struct qiao_btc_link` is everything verification needs to know about a header's ancestry,
 * summarised in a fixed-size value: verifying header N+1 needs only link N, so a linear chain is
 * checked in O(1) memory and a header store keeps one link per header (btc_store.h).  Links are
 * plain values: copy them freely.  Pure: no I/O, no globals, no heap.
 *
 * Starting from a trusted anchor that is not genesis, some ancestry is unknown.  The median time
 * is then checked as tightly as the known times allow (see qiao_btc_link_mtp_bound), and a rule
 * that needs an unknown ancestor fails with "period-start-required" or "insufficient-history"
 * rather than guessing.
 */
#ifndef QIAO_BTC_CHAIN_H
#define QIAO_BTC_CHAIN_H

#include <stdint.h>

#include "adapters/bitcoin/btc_header.h"
#include "adapters/bitcoin/btc_params.h"
#include "adapters/bitcoin/btc_u256.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Pass as `now` to skip the future-time check (only where no clock applies, e.g. replaying). */
#define QIAO_BTC_NO_CLOCK INT64_MIN

/** A verified header and the summary of its ancestry that its children are checked against. */
struct qiao_btc_link {
    uint8_t hash[32];               /* internal order */
    uint8_t prev[32];               /* parent hash, internal order */
    uint64_t height;
    uint32_t time;
    uint32_t bits;
    uint32_t version;
    struct qiao_btc_u256 work;      /* this header's own work (GetBlockProof) */
    struct qiao_btc_u256 chainwork; /* cumulative work, counted from the anchor (inclusive) */
    uint32_t times[QIAO_BTC_MTP_SPAN]; /* timestamps of this header and its ancestors, a ring */
    uint8_t ntimes;                 /* how many of times[] are known (<= 11) */
    uint8_t times_head;             /* index of this header's own time in times[] */
    uint8_t full_history;           /* 1 when the chain reaches genesis: no ancestor is unknown */
    uint8_t period_known;           /* period_time is known */
    uint32_t period_time;           /* time of the first header of this header's 2016-period */
    uint8_t last_bits_known;        /* last_bits is known */
    uint32_t last_bits;             /* testnet: nBits of the last non-min-difficulty ancestor */
};

/**
 * Make the link of a trusted anchor header at a given height.  The anchor's own proof of work is
 * checked (it is cheap and catches a wrong line); its parent link is not.  At height 0 the anchor
 * must be the network's genesis block.
 * Returns: QIAO_OK, header decode and PoW failures, QIAO_EVERIFY "anchor-not-genesis", or
 *          QIAO_EINVAL "bad-period-start" (period_start has the wrong PoW or the anchor starts
 *          its own period and period_start differs from it).
 * Out: *link (chainwork = the anchor's own work).
 * In:  params, raw anchor, height, period_start (the first header of the anchor's retarget
 *      period, 80 bytes, or NULL when unknown).
 */
qiao_err qiao_btc_link_anchor(struct qiao_crypto *cx, struct qiao_btc_link *link,
                              const struct qiao_btc_params *params, const uint8_t *raw,
                              size_t len, uint64_t height, const uint8_t *period_start,
                              struct qiao_diag *d);

/**
 * Verify raw as the child of parent and produce its link.
 * Returns: QIAO_OK, or the first failing check (in Core's order):
 *   QIAO_EINVAL "bad-header-length"; QIAO_EVERIFY "bad-prev-hash", "bits-negative",
 *   "bits-overflow", "bits-zero", "target-above-limit", "high-hash", "bad-diffbits",
 *   "period-start-required", "insufficient-history", "time-too-old", "time-too-new",
 *   "bad-version".
 * Out: *out (may alias nothing in parent).
 * In:  params, parent, raw/len, now (Unix seconds of the caller's clock, or QIAO_BTC_NO_CLOCK).
 */
qiao_err qiao_btc_link_next(struct qiao_crypto *cx, struct qiao_btc_link *out,
                            const struct qiao_btc_params *params,
                            const struct qiao_btc_link *parent, const uint8_t *raw, size_t len,
                            int64_t now, struct qiao_diag *d);

/**
 * The nBits a child of parent with timestamp `time` must carry (GetNextWorkRequired).
 * Returns: QIAO_OK, or QIAO_EVERIFY "period-start-required" / "insufficient-history" when the
 *          rule needs an ancestor the link does not know.
 * Out: *bits.
 */
qiao_err qiao_btc_next_bits(uint32_t *bits, const struct qiao_btc_params *params,
                            const struct qiao_btc_link *parent, uint32_t time,
                            struct qiao_diag *d);

/**
 * The retarget of CalculateNextWorkRequired: last_bits scaled by the clamped timespan
 * (last_time - first_time), capped at powLimit.  Returns: the new compact nBits.
 */
uint32_t qiao_btc_retarget(const struct qiao_btc_params *params, uint32_t last_bits,
                           int64_t first_time, int64_t last_time);

/**
 * The lowest timestamp a child of link may not have: a child must be strictly later than the
 * returned value.  With full history (or 11 known times) this is Core's median-time-past.  With
 * k < 11 known times out of an unknown ancestry, it is the (k-5)-th smallest known time, a bound
 * the true median can never be below, so the check never rejects a valid chain; with k < 6
 * nothing is implied and the function returns 0.
 */
uint32_t qiao_btc_link_mtp_bound(const struct qiao_btc_link *link);

#endif
