/*
 * exp_seg.h: fetching one EVM segment for a bundle (internal to relay/export).
 */
#ifndef QIAO_EXP_SEG_H
#define QIAO_EXP_SEG_H

#include "relay/evidence/evidence.h"
#include "relay/export/exp_int.h"

/** A chain as the exporter trusts it (the same anchors qiao_export_trust writes). */
struct qiao_exp_chain {
    uint64_t id;
    uint64_t checkpoint_height;
    uint8_t checkpoint_hash[32];
    uint64_t confirmations;
};

/** Which log of the receipt the segment proves. */
struct qiao_exp_match {
    const char *what;   /* for messages: "MessageSent", "MessageDelivered" */
    uint8_t address[20];
    int by_block_index; /* match the log's block-wide logIndex (the store's) ... */
    uint64_t block_index;
    uint8_t topics[2][32]; /* ... or its first ntopics topics */
    int ntopics;
};

/**
 * Fill seg (chain id, headers from the checkpoint to block + confirmations, block index, receipt
 * proof of tx, log position) from s (anchored here at block).  Out: seg, *block_time.
 * Reasons: "no-receipt", "block-reorged", "no-such-log", "below-checkpoint", "segment-too-long",
 * "not-final-yet", "checkpoint-mismatch", "cancelled", the EVM source's.
 */
qiao_err qiao_exp_segment(struct qiao_ev_segment *seg, uint64_t *block_time,
                          struct qiao_evm_source *s, const struct qiao_exp_chain *ch,
                          const uint8_t block[32], const uint8_t tx[32],
                          const struct qiao_exp_match *m, const volatile int *cancel,
                          struct qiao_diag *d);

#endif
