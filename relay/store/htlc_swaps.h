/*
 * htlc_swaps.h: persisted HTLC swaps.  The swap engine (htlc/) owns the state machine and the
 * serialisation of its state; the store keeps the opaque state blob plus the columns needed to
 * find a swap (its state name, hashlock, chains and timelocks).  Every put is compare-and-set on the
 * previous state name and appends an audit row.
 */
#ifndef QIAO_STORE_HTLC_SWAPS_H
#define QIAO_STORE_HTLC_SWAPS_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/store/store.h"

#define QIAO_STORE_SWAP_BLOB_MAX 16384
#define QIAO_STORE_SWAP_STATE_MAX 32

struct qiao_store_swap {
    uint8_t id[32];
    char state[QIAO_STORE_SWAP_STATE_MAX]; /* the engine's state name */
    uint8_t hashlock[32];
    uint64_t chain_a, chain_b;
    uint64_t timelock_a, timelock_b;
    size_t blob_len;
    uint8_t blob[QIAO_STORE_SWAP_BLOB_MAX];
};

typedef int (*qiao_store_swap_fn)(void *ctx, const struct qiao_store_swap *sw);

/**
 * Insert (expect_state NULL: the id must be new, else "swap-exists") or update a swap whose stored
 * state is expect_state (else ESTATE "state-mismatch"; ENOTFOUND "no-such-swap").
 */
qiao_err qiao_store_swap_put(struct qiao_store *s, const struct qiao_store_swap *sw,
                             const char *expect_state, struct qiao_diag *d);
/** ENOTFOUND "no-such-swap".  Out: *out. */
qiao_err qiao_store_swap_get(struct qiao_store *s, const uint8_t id[32],
                             struct qiao_store_swap *out, struct qiao_diag *d);
/** Swaps in state (by id), or with hashlock when state is NULL. */
qiao_err qiao_store_swap_find(struct qiao_store *s, const char *state, const uint8_t hashlock[32],
                              qiao_store_swap_fn fn, void *ctx, struct qiao_diag *d);

#endif
