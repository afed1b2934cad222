/*
 * bft_verify.h: one step of the CometBFT light client: may `untrusted` be trusted, given the
 * trusted light block `trusted`, the options and the time now?
 *
 * Checks, in this order (the order fixes which verdict a block with several faults gets, and
 * follows tendermint-rs's verifier, against which the TLA+-generated vectors were made):
 *   1. the trusted header is within the trusting period: trusted.time + period > now;
 *   2. validator_set and next_validator_set hash to the header's validators_hash and
 *      next_validators_hash;
 *   3. the header hashes to the commit's block_id.hash, the commit is for the header's height,
 *      and the chain id is the trusted block's;
 *   4. the commit's shape matches its validator set (bft_commit.h);
 *   5. the header is not from the future: time < now + max_clock_drift;
 *   6. time and height increase strictly over the trusted header's;
 *   7. adjacent (height + 1): validators_hash equals the trusted next_validators_hash;
 *      otherwise (skipping): members of the trusted next set holding more than trust_num /
 *      trust_den of its power signed, else the verdict is NOT_ENOUGH_TRUST;
 *   8. more than 2/3 of the block's own validator power signed.
 * Every failure other than 7's insufficient trust is INVALID.  On SUCCESS the caller carries the
 * untrusted block forward as the new trusted state (its next_validator_set becomes the set that
 * must sign what follows): that is how validator-set changes propagate.
 *
 * Pure: no I/O, no globals.  Scratch memory (signature cache, seen-maps: a few bytes per
 * validator) comes from the caller's arena.
 */
#ifndef QIAO_BFT_VERIFY_H
#define QIAO_BFT_VERIFY_H

#include <stdint.h>

#include "adapters/cometbft/bft_types.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

enum qiao_bft_verdict {
    QIAO_BFT_SUCCESS = 0,
    QIAO_BFT_NOT_ENOUGH_TRUST = 1,
    QIAO_BFT_INVALID = 2,
};

struct qiao_bft_options {
    uint64_t trust_num, trust_den; /* trust level, within [1/3, 1] */
    int64_t trusting_period_ns;    /* > 0 */
    int64_t max_clock_drift_ns;    /* >= 0 */
};

/** Defaults: trust level 1/3, trusting period two weeks, clock drift 10 s (CometBFT's). */
void qiao_bft_options_default(struct qiao_bft_options *o);

/** Reject a trust level outside [1/3, 1], a zero denominator, or durations out of range. */
qiao_err qiao_bft_options_check(const struct qiao_bft_options *o, struct qiao_diag *d);

/** "SUCCESS", "NOT_ENOUGH_TRUST" or "INVALID". */
const char *qiao_bft_verdict_name(enum qiao_bft_verdict v);

/**
 * Check that a trusted block is self-consistent: next_validator_set (and validator_set when
 * present) hash to the header's fields.  Returns: QIAO_OK or QIAO_EVERIFY.
 */
qiao_err qiao_bft_trusted_check(struct qiao_crypto *cx, const struct qiao_bft_light_block *trusted,
                                struct qiao_diag *d);

/**
 * Verify untrusted against trusted (which must pass qiao_bft_trusted_check; this call checks it).
 * Returns: QIAO_OK exactly when *verdict is SUCCESS; otherwise the failure with its reason
 *          ("not-enough-trust" for NOT_ENOUGH_TRUST).
 * Out: *verdict.  In: opt, now.  Scratch from arena.
 */
qiao_err qiao_bft_verify(struct qiao_crypto *cx, enum qiao_bft_verdict *verdict,
                         const struct qiao_bft_light_block *trusted,
                         const struct qiao_bft_light_block *untrusted,
                         const struct qiao_bft_options *opt, struct qiao_bft_time now,
                         struct qiao_arena *arena, struct qiao_diag *d);

#endif
