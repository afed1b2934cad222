/*
 * dmn_swap_int.h: what the swap worker's files share (dmn_swap_worker.c, dmn_swap_evm.c).
 * Everything here runs on the swap worker's thread.
 */
#ifndef QIAO_DAEMON_SWAP_INT_H
#define QIAO_DAEMON_SWAP_INT_H

#include "relay/daemon/dmn_swap.h"

struct qiao_crypto;
struct qiao_evm_link;
struct qiao_evm_source;

#define QIAO_SWAP_WATCH_LOCKS 8 /* lock ids with the watched hashlock remembered per leg */

/** One watched leg. */
struct qiao_swap_watch {
    uint8_t id[32];
    int leg;
    uint64_t chain;
    uint8_t program[32]; /* Bitcoin: the leg's P2WSH program */
    uint8_t contract[20];
    uint8_t hashlock[32];
    uint64_t from;
    uint8_t locks[QIAO_SWAP_WATCH_LOCKS][32]; /* ids of Locked logs seen with our hashlock */
    size_t nlocks;
};

/**
 * Look at verified block l (a link of src's verified chain) for HashedTimelock logs of the
 * watches' contracts, proving the block's receipts first.  Out: events pushed on out.
 * Reasons: "hash-mismatch", "receipts-root-mismatch", "receipts-out-of-order", the source's.
 */
qiao_err qiao_swap_evm_scan(struct qiao_evm_source *src, const struct qiao_evm_link *l,
                            struct qiao_swap_watch *ws, size_t nw, struct qiao_swq *out,
                            struct qiao_diag *d);

/**
 * Sign and send job's withdraw or refund to job->contract on chain c and wait for its receipt.
 * Out: tx.  Reasons: "reverted", qiao_evm_send's and qiao_evm_wait_receipt's.
 */
qiao_err qiao_swap_evm_send(struct qiao_evm_source *src, struct qiao_crypto *cx,
                            const struct qiao_cfg_chain *c, const uint8_t seckey[32],
                            const char *nonce_path, const struct qiao_swq_item *job,
                            uint8_t tx[32], struct qiao_diag *d);

/* ---- Bitcoin chains (dmn_swap_btc.c) ---- */

struct qiao_swap_btc;
struct lws_context;

/**
 * One round on a Bitcoin chain: connect (*b created on first use), anchor at `from` (again when
 * restart), follow verified headers, report the tip (CLOCK) and every watched HTLC lock, claim or
 * refund proven in a block final under the chain's confirmations.  Out: events pushed on out.
 * Reasons: the RPC client's, qiao_btc_source_follow's, qiao_btc_source_htlc_observe's.
 */
qiao_err qiao_swap_btc_round(struct qiao_swap_btc **b, struct lws_context *lws,
                             struct qiao_crypto *cx, const struct qiao_cfg_chain *cfg,
                             unsigned timeout_ms, uint64_t from, int restart,
                             struct qiao_swap_watch *ws, size_t nw, struct qiao_swq *out,
                             struct qiao_diag *d);
/** The next block the chain will scan (UINT64_MAX before it is anchored). */
uint64_t qiao_swap_btc_cursor(const struct qiao_swap_btc *b);
/**
 * Broadcast job's signed spend and confirm the node's mempool took it.  Out: tx (its txid).
 * Reasons: "chain-not-ready", "no-transaction", qiao_btc_source_send's ("not-accepted", ...).
 */
qiao_err qiao_swap_btc_send(struct qiao_swap_btc *b, struct qiao_crypto *cx,
                            const struct qiao_swq_item *job, uint8_t tx[32], struct qiao_diag *d);
/** Free the chain's client and headers.  NULL is a no-op. */
void qiao_swap_btc_destroy(struct qiao_swap_btc *b);

#endif
