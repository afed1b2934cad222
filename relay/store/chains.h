/*
 * chains.h: chains and their verified headers in the store.
 *
 * Only headers an adapter has verified are stored here; the store keeps them so that a restarted
 * notary resumes from its own verified view instead of trusting an RPC node again.  A header is
 * active (on the best chain as last seen), stale (reorganised away) or final (past the chain's
 * finality policy).  Status changes to final or stale append an audit row with the height, so an
 * operator can see which reorg or finality decision a message depended on.
 *
 * Ownership: a header's raw bytes are copied in; reads copy out into caller storage.
 */
#ifndef QIAO_STORE_CHAINS_H
#define QIAO_STORE_CHAINS_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/store/store.h"

#define QIAO_STORE_HEADER_RAW_MAX 65536

enum qiao_header_status { QIAO_HDR_ACTIVE = 0, QIAO_HDR_STALE, QIAO_HDR_FINAL };

struct qiao_store_chain {
    uint64_t id;
    char name[64];
    char family[32];
    int has_checkpoint;
    uint64_t checkpoint_height;
    uint8_t checkpoint_hash[32];
    uint64_t tip_height, final_height;
};

struct qiao_store_header {
    uint64_t chain, height;
    uint8_t hash[32], parent[32], chainwork[32]; /* chainwork: big-endian cumulative work */
    enum qiao_header_status status;
    const uint8_t *raw; /* in: borrowed; out: NULL (use qiao_store_header_raw) */
    size_t raw_len;
};

/** Insert or update a chain's identity and checkpoint (heights are kept). */
qiao_err qiao_store_chain_put(struct qiao_store *s, const struct qiao_store_chain *c,
                              struct qiao_diag *d);
/** Record the chain's tip and finalized heights. */
qiao_err qiao_store_chain_heights(struct qiao_store *s, uint64_t id, uint64_t tip,
                                  uint64_t final_height, struct qiao_diag *d);
/** ENOTFOUND "no-such-chain". */
qiao_err qiao_store_chain_get(struct qiao_store *s, uint64_t id, struct qiao_store_chain *out,
                              struct qiao_diag *d);

/**
 * Store a verified header (idempotent).  The chain must exist.  The same hash with different
 * contents is refused ("header-conflict").  Raw is capped at QIAO_STORE_HEADER_RAW_MAX.
 */
qiao_err qiao_store_header_put(struct qiao_store *s, const struct qiao_store_header *h,
                               struct qiao_diag *d);
/** Change a header's status (audit row for stale/final).  ENOTFOUND "no-such-header". */
qiao_err qiao_store_header_status(struct qiao_store *s, uint64_t chain, const uint8_t hash[32],
                                  enum qiao_header_status st, struct qiao_diag *d);
/** Look a header up by hash (raw not copied).  ENOTFOUND "no-such-header". */
qiao_err qiao_store_header_get(struct qiao_store *s, uint64_t chain, const uint8_t hash[32],
                               struct qiao_store_header *out, struct qiao_diag *d);
/** Copy a header's raw bytes into buf (cap bytes).  Out: *len. */
qiao_err qiao_store_header_raw(struct qiao_store *s, uint64_t chain, const uint8_t hash[32],
                               uint8_t *buf, size_t cap, size_t *len, struct qiao_diag *d);
/** The non-stale header at height (active or final).  ENOTFOUND "no-such-header". */
qiao_err qiao_store_header_at(struct qiao_store *s, uint64_t chain, uint64_t height,
                              struct qiao_store_header *out, struct qiao_diag *d);
/** The non-stale header with the greatest height.  ENOTFOUND when the chain has none. */
qiao_err qiao_store_header_tip(struct qiao_store *s, uint64_t chain, struct qiao_store_header *out,
                               struct qiao_diag *d);

#endif
