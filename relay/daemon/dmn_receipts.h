/*
 * dmn_receipts.h: a block's receipts as the node reports them, checked against the block's
 * verified receiptsRoot before anything in them is believed.  Shared by the message scanner
 * (dmn_scan.c) and the swap watcher (dmn_swap_evm.c), which both read logs out of whole blocks.
 *
 * Ownership: a struct qiao_dmn_receipts owns its encodings; release with qiao_dmn_receipts_clear.
 */
#ifndef QIAO_DAEMON_DMN_RECEIPTS_H
#define QIAO_DAEMON_DMN_RECEIPTS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

struct qiao_dmn_receipts {
    size_t n;
    struct qiao_buf *enc; /* consensus encoding of receipt i (typed receipts as type ‖ payload) */
    uint8_t (*tx)[32];    /* transaction hash of receipt i: operator metadata, not committed to */
};

void qiao_dmn_receipts_clear(struct qiao_dmn_receipts *r);

/**
 * Encode an eth_getBlockReceipts result, in order.  Reasons: "wrong-type",
 * "receipts-out-of-order", the receipt decoder's reasons, "out-of-memory".  On failure r still
 * holds what was built, for qiao_dmn_receipts_clear.
 */
qiao_err qiao_dmn_receipts_load(struct qiao_dmn_receipts *r, const cJSON *arr,
                                struct qiao_diag *d);

/** Rebuild the receipts trie and require its root to equal root ("receipts-root-mismatch"). */
qiao_err qiao_dmn_receipts_check_root(const struct qiao_dmn_receipts *r, const uint8_t root[32],
                                      uint64_t number, struct qiao_diag *d);

/** 1 when a block's logs bloom may hold a log from addr (with topic0 = topic, unless NULL). */
int qiao_dmn_bloom_may_hold(const uint8_t bloom[256], const uint8_t addr[20],
                            const uint8_t *topic);

#endif
