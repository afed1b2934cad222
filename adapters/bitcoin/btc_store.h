/*
 * btc_store.h: the Bitcoin header tree: a header store interface, an in-memory implementation,
 * and the chain logic on top (most-work fork choice, reorgs of any depth the store holds,
 * finality by confirmations).
 *
 * The store is an ops table so that a persistent store (SQLite, with the relay) can replace the
 * in-memory one without touching the chain logic: every record is a flat value (a link plus the
 * raw header) that maps to one row, and the best chain is a height -> hash index that maps to a
 * second table.  The chain logic never holds pointers into the store; it copies records out.
 *
 * Ownership: a qiao_btc_chain borrows its params and store for its lifetime.  The in-memory store
 * owns its heap storage; release it with qiao_btc_memstore_clear.  Not thread-safe.
 */
#ifndef QIAO_BTC_STORE_H
#define QIAO_BTC_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_chain.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** One stored header: its verified link and its raw bytes. */
struct qiao_btc_record {
    struct qiao_btc_link link;
    uint8_t raw[QIAO_BTC_HEADER_LEN];
};

/** What a header store provides.  Every member is required. */
struct qiao_btc_store_ops {
    /** Copy out the record of hash.  Returns: QIAO_OK, QIAO_ENOTFOUND ("unknown-header"). */
    qiao_err (*get)(void *self, struct qiao_btc_record *out, const uint8_t hash[32],
                    struct qiao_diag *d);
    /** Insert a record (the hash is new).  Returns: QIAO_OK, QIAO_ERANGE "store-full". */
    qiao_err (*put)(void *self, const struct qiao_btc_record *rec, struct qiao_diag *d);
    /** Best-chain hash at height.  Returns: QIAO_OK, QIAO_ENOTFOUND outside the best chain. */
    qiao_err (*main_get)(void *self, uint8_t hash[32], uint64_t height, struct qiao_diag *d);
    /** Set the best-chain hash at height.  The index may grow by several heights at once; the
     *  chain logic fills every height in between before it reads them. */
    qiao_err (*main_set)(void *self, uint64_t height, const uint8_t hash[32],
                         struct qiao_diag *d);
    /** Drop best-chain entries above height. */
    qiao_err (*main_truncate)(void *self, uint64_t height, struct qiao_diag *d);
};

struct qiao_btc_store {
    const struct qiao_btc_store_ops *ops;
    void *self;
};

/** The in-memory store: records in a growable array, found through an open-addressing index. */
struct qiao_btc_memstore {
    struct qiao_btc_record *recs;
    size_t nrecs, cap, max;
    uint32_t *index; /* record number + 1; 0 = empty slot */
    size_t index_cap;
    uint8_t (*main)[32];
    uint64_t main_base; /* height of main[0] */
    size_t main_len, main_cap;
};

/** Set up an empty in-memory store holding at most max headers, and its ops view. */
void qiao_btc_memstore_init(struct qiao_btc_memstore *m, struct qiao_btc_store *view,
                            size_t max);
/** Free the store's storage; the struct may be re-initialised afterwards. */
void qiao_btc_memstore_clear(struct qiao_btc_memstore *m);

/** Chain state: the store, the network, the tip and the finality policy. */
struct qiao_btc_chain {
    const struct qiao_btc_params *params;
    struct qiao_btc_store store;
    struct qiao_btc_link tip;
    uint64_t anchor_height;
    uint32_t confirmations; /* a header is final with this many confirmations (default 6) */
};

/** How a header changed the chain. */
enum qiao_btc_add_status {
    QIAO_BTC_ADD_DUPLICATE = 0, /* already stored */
    QIAO_BTC_ADD_EXTENDED = 1,  /* new tip, child of the old tip */
    QIAO_BTC_ADD_REORG = 2,     /* new tip on another branch: the best chain switched */
    QIAO_BTC_ADD_SIDE = 3,      /* stored on a branch with no more work than the tip */
};

struct qiao_btc_add_result {
    enum qiao_btc_add_status status;
    uint8_t hash[32];
    uint64_t height;
    uint64_t fork_height;  /* REORG: height of the last common ancestor */
    uint64_t reorg_depth;  /* REORG: best-chain headers that left the best chain */
};

/**
 * Start a chain at a trusted anchor (see qiao_btc_link_anchor) and store it as the tip.
 * Returns: QIAO_OK or the anchor / store failures.
 * In: params, store (borrowed), raw/len anchor, height, period_start (80 bytes or NULL).
 */
qiao_err qiao_btc_chain_init(struct qiao_crypto *cx, struct qiao_btc_chain *chain,
                             const struct qiao_btc_params *params, struct qiao_btc_store store,
                             const uint8_t *raw, size_t len, uint64_t height,
                             const uint8_t *period_start, struct qiao_diag *d);

/**
 * Verify a header against its stored parent, store it, and apply most-work fork choice (ties
 * keep the first-seen tip, as Core does).  A rejected header changes nothing.
 * Returns: QIAO_OK, QIAO_ENOTFOUND "unknown-parent", the qiao_btc_link_next failures, store
 *          failures.  Out: *res.  In: raw/len, now (caller's clock or QIAO_BTC_NO_CLOCK).
 */
qiao_err qiao_btc_chain_add(struct qiao_crypto *cx, struct qiao_btc_chain *chain,
                            struct qiao_btc_add_result *res, const uint8_t *raw, size_t len,
                            int64_t now, struct qiao_diag *d);

/**
 * Confirmations of a stored header: tip height - height + 1 on the best chain, 0 off it.
 * Returns: QIAO_OK, QIAO_ENOTFOUND "unknown-header".  Out: *confirmations.
 */
qiao_err qiao_btc_chain_confirmations(const struct qiao_btc_chain *chain, uint64_t *confirmations,
                                      const uint8_t hash[32], struct qiao_diag *d);

/** Returns: 1 when hash is on the best chain with at least chain->confirmations confirmations. */
int qiao_btc_chain_is_final(const struct qiao_btc_chain *chain, const uint8_t hash[32]);

#endif
