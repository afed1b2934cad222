/*
 * bft_commit.h: commit verification: the commit's shape against its own validator set, and the
 * voting power that signed it as counted by any validator set.
 *
 * Counting rules (CometBFT's, and the TLA+ spec's):
 *  - absent votes carry nothing and are skipped;
 *  - every non-absent vote by a member of the counting set must carry a valid signature, nil
 *    votes included (a bad nil signature makes the commit invalid), but only COMMIT votes add
 *    power;
 *  - a validator's power counts at most once; a second vote from one address is an error;
 *  - votes by non-members of the counting set are ignored (the skipping check counts the trusted
 *    set's members among the new block's signers).
 * A signature verified once under a key is not verified again under the same key (a cache in
 * caller storage), so sequential plus skipping checks cost one verification per signature.
 */
#ifndef QIAO_BFT_COMMIT_H
#define QIAO_BFT_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/cometbft/bft_types.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Which signature of one commit has been verified under which validator's key. */
struct qiao_bft_sigcache {
    size_t n;
    const struct qiao_bft_validator **verified_by; /* arena; NULL = not yet verified */
};

/** Prepare a cache for commit c (n_sigs pointers from the arena). */
qiao_err qiao_bft_sigcache_init(struct qiao_bft_sigcache *sc, const struct qiao_bft_commit *c,
                                struct qiao_arena *arena, struct qiao_diag *d);

/**
 * The commit's shape against the block's own validator set: one signature slot per validator
 * ("signature-count-mismatch"), at least one non-absent vote ("no-signatures"), and the vote in
 * slot i from validator i ("duplicate-signer" when the address already voted in an earlier slot,
 * "signer-mismatch" otherwise).
 */
qiao_err qiao_bft_commit_check_shape(const struct qiao_bft_commit *c,
                                     const struct qiao_bft_valset *vals, struct qiao_diag *d);

/** Binary search of set's by-address index; NULL when addr is not a member. */
const struct qiao_bft_validator *qiao_bft_valset_find(const struct qiao_bft_valset *set,
                                                      const uint8_t addr[QIAO_BFT_ADDRESS_LEN]);

/**
 * The power of `set` that signed commit c for its block, verifying signatures as above.
 * Returns: QIAO_OK, QIAO_EVERIFY ("bad-signature" naming the slot, "duplicate-signer").
 * Out: *tallied.  In: h, the commit's header (chain id and encoding); sc (may be NULL: no
 * caching); arena for a seen-map.
 */
qiao_err qiao_bft_commit_tally(struct qiao_crypto *cx, int64_t *tallied,
                               const struct qiao_bft_commit *c, const struct qiao_bft_header *h,
                               const struct qiao_bft_valset *set,
                               struct qiao_bft_sigcache *sc, struct qiao_arena *arena,
                               struct qiao_diag *d);

/** 1 when tallied / total > num / den exactly (128-bit products, no rounding). */
int qiao_bft_power_exceeds(int64_t tallied, int64_t total, uint64_t num, uint64_t den);

#endif
