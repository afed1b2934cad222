/*
 * evm_chain.h: the verified header chain the relay keeps per EVM chain, and finality.
 *
 * Pure state machine: the source half offers decoded headers (hash recomputed from RLP, never the
 * node's word); the chain accepts one that extends its tip, recognises one that forks off a
 * recent ancestor as a reorg (and rejects a reorg that would undo a final header), reports a header
 * whose parent it does not yet hold so the caller can fetch the missing ancestors by parent hash,
 * and ignores duplicates.  It keeps the last QIAO_EVM_CHAIN_WINDOW headers as fixed-size links in
 * caller storage (no heap).
 *
 * Finality is a policy: N confirmations below the tip, or the node's `finalized` block where the
 * chain has one (the caller passes the finalized number it verified; see qiao_evm_is_final).
 */
#ifndef QIAO_EVM_CHAIN_H
#define QIAO_EVM_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/evm/evm_header.h"
#include "relay/core/diag.h"

#define QIAO_EVM_CHAIN_WINDOW 256

/** What the chain remembers of one verified header. */
struct qiao_evm_link {
    uint64_t number;
    uint64_t timestamp;
    uint8_t hash[32];
    uint8_t parent_hash[32];
    uint8_t state_root[32];
    uint8_t transactions_root[32];
    uint8_t receipts_root[32];
    unsigned fields;
};

/** Finality policy. */
struct qiao_evm_finality {
    uint32_t confirmations;  /* final when tip - number >= confirmations */
    int use_finalized_tag;   /* instead: final when number <= the node's verified `finalized` */
};

struct qiao_evm_chain {
    struct qiao_evm_link ring[QIAO_EVM_CHAIN_WINDOW]; /* link for number n at n % WINDOW */
    uint64_t tip;       /* number of the tip */
    size_t count;       /* links held: tip-count+1 .. tip */
    uint64_t final_number; /* highest number known final; reorgs at or below it are refused */
    int has_final;
};

enum qiao_evm_offer {
    QIAO_EVM_EXTENDED,     /* the header became the new tip */
    QIAO_EVM_REORGED,      /* the header replaced the tip's branch from its parent on */
    QIAO_EVM_DUPLICATE,    /* already held */
    QIAO_EVM_NEED_PARENT,  /* parent not held: fetch ancestors by parent hash, offer oldest first */
};

/** Start the chain at a trusted anchor header (the one header taken on trust). */
void qiao_evm_chain_init(struct qiao_evm_chain *c, const struct qiao_evm_header *anchor);

/** Summary of h as a link. */
void qiao_evm_link_of(struct qiao_evm_link *l, const struct qiao_evm_header *h);

/**
 * Offer a decoded header.  Out: *res and, for QIAO_EVM_REORGED, *depth (headers dropped).
 * Returns: QIAO_OK, or QIAO_EVERIFY with the link reasons of evm_header.h, "reorg-below-finality",
 *          "unknown-parent" (parent not held and the header is below the tip), "stale-head" (a
 *          fork that does not reach the tip's height: out-of-order or stale heads are refused).
 * A header with an unknown parent at or above the tip's height yields QIAO_EVM_NEED_PARENT.
 */
qiao_err qiao_evm_chain_offer(struct qiao_evm_chain *c, enum qiao_evm_offer *res, uint64_t *depth,
                              const struct qiao_evm_header *h, struct qiao_diag *d);

/**
 * Offer a fetched branch hs[0..n) (oldest first; hs[0]'s parent must be held) in one step, so a
 * reorg whose first headers are below the tip is judged by the branch's last header.
 * Out: *res (EXTENDED or REORGED), *depth.  Reasons as qiao_evm_chain_offer.
 */
qiao_err qiao_evm_chain_offer_branch(struct qiao_evm_chain *c, enum qiao_evm_offer *res,
                                     uint64_t *depth, const struct qiao_evm_header *hs, size_t n,
                                     struct qiao_diag *d);

/** The link at number n, or NULL when not held. */
const struct qiao_evm_link *qiao_evm_chain_at(const struct qiao_evm_chain *c, uint64_t n);

/** The link with hash, or NULL. */
const struct qiao_evm_link *qiao_evm_chain_find(const struct qiao_evm_chain *c,
                                                const uint8_t hash[32]);

/** The tip link (never NULL after init). */
const struct qiao_evm_link *qiao_evm_chain_tip(const struct qiao_evm_chain *c);

/** 1 when number is final under policy given tip and the verified finalized number (or -1). */
int qiao_evm_is_final(const struct qiao_evm_finality *policy, uint64_t number, uint64_t tip,
                      int64_t finalized);

/** Record that number is final (from the policy); later reorgs at or below it are refused. */
void qiao_evm_chain_set_final(struct qiao_evm_chain *c, uint64_t number);

#endif
