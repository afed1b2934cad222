/*
 * bft_fixture.h: signed CometBFT light blocks made from deterministic test keys.
 *
 * For tests and `qiao bench bft` only: it holds secret keys, so it lives in its own library
 * (qiao_bft_fixture) that the verifier, the daemon and the fuzz targets never link.  Keys are
 * derived as SHA-256("qiao-bft-fixture" ‖ tag ‖ index); blocks use the protobuf encoding (block
 * protocol 11), round 1, one part, and vote timestamps one second after the header time.
 *
 * Ownership: sets and blocks are allocated from the caller's arena.
 */
#ifndef QIAO_BFT_FIXTURE_H
#define QIAO_BFT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/cometbft/bft_types.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** A validator set with its members' secrets, both in canonical order. */
struct qiao_bft_fixture_set {
    struct qiao_bft_valset vs;
    uint8_t (*secret)[32]; /* secret[i] signs for vs.v[i] */
};

/**
 * n validators of key_type with voting power power(i) = base_power + i (so that the canonical
 * order is not the creation order).  Out: *s.  In: tag separates independent sets.
 */
qiao_err qiao_bft_fixture_set_make(struct qiao_crypto *cx, struct qiao_bft_fixture_set *s,
                                   size_t n, uint32_t tag, int key_type, int64_t base_power,
                                   struct qiao_arena *arena, struct qiao_diag *d);

/**
 * A light block at height and time, validated by vals and handing over to next, with every
 * member of vals voting as flags[i] says (NULL: all COMMIT).  Out: *lb.
 */
qiao_err qiao_bft_fixture_block(struct qiao_crypto *cx, struct qiao_bft_light_block *lb,
                                const char *chain_id, int64_t height, struct qiao_bft_time time,
                                const struct qiao_bft_fixture_set *vals,
                                const struct qiao_bft_fixture_set *next, const uint8_t *flags,
                                struct qiao_arena *arena, struct qiao_diag *d);

/** Recompute lb's commit block_id.hash from its header and re-sign every non-absent vote. */
qiao_err qiao_bft_fixture_resign(struct qiao_crypto *cx, struct qiao_bft_light_block *lb,
                                 const struct qiao_bft_fixture_set *vals, struct qiao_diag *d);

#endif
