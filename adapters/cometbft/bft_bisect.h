/*
 * bft_bisect.h: skipping verification with bisection, from a trusted block to a target height,
 * fetching intermediate light blocks from a provider.
 *
 * The schedule is CometBFT's (light/client.go verifySkipping): try the target; when the trusted
 * set's trust is not enough, fetch the midpoint between the last verified height and the block
 * that failed, and try that; whenever a block verifies it becomes the trusted block (carrying its
 * next validator set forward) and the search restarts from the deepest block still pending.  Any
 * INVALID verdict ends the search.  NOT_ENOUGH_TRUST between adjacent heights cannot happen
 * (adjacent blocks are checked by hash), so the search always terminates; a fetch cap bounds it
 * anyway.
 *
 * The provider is the only I/O and is the caller's: a replayed vector file, or the RPC source half.
 * Blocks are decoded into the caller's arena, which must hold up to QIAO_BFT_BISECT_MAX_FETCHES
 * blocks for the worst case (QIAO_BFT_BLOCK_ARENA each at the caps; far less for real sets).
 */
#ifndef QIAO_BFT_BISECT_H
#define QIAO_BFT_BISECT_H

#include <stdint.h>

#include "adapters/cometbft/bft_types.h"
#include "adapters/cometbft/bft_verify.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

#define QIAO_BFT_BISECT_MAX_FETCHES 128
#define QIAO_BFT_BISECT_MAX_DEPTH 64

/** A source of light blocks by height. */
struct qiao_bft_provider {
    void *ctx;
    /** Fetch the block at height (> 0) into *out, arrays from arena.  ENOTFOUND if it has none. */
    qiao_err (*light_block)(void *ctx, struct qiao_bft_light_block *out, int64_t height,
                            struct qiao_arena *arena, struct qiao_diag *d);
};

struct qiao_bft_bisect_stats {
    unsigned fetches;       /* blocks fetched, the target included */
    unsigned bisections;    /* pivots fetched because trust was not enough */
    unsigned verifications; /* qiao_bft_verify calls */
};

/**
 * Verify the block at target from trusted.
 * Returns: QIAO_OK when the target verified; otherwise the failing step's error (reason
 *          "not-enough-trust" cannot escape: it only ever triggers bisection), or provider errors.
 * Out: *out (the verified target block, arrays in arena; it is the new trusted state), *stats
 *      (may be NULL).
 */
qiao_err qiao_bft_bisect(struct qiao_crypto *cx, struct qiao_bft_light_block *out,
                         const struct qiao_bft_light_block *trusted, int64_t target,
                         const struct qiao_bft_provider *p, const struct qiao_bft_options *opt,
                         struct qiao_bft_time now, struct qiao_arena *arena,
                         struct qiao_bft_bisect_stats *stats, struct qiao_diag *d);

#endif
