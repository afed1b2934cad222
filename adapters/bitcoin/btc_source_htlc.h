/*
 * btc_source_htlc.h: the HTLC leg's I/O against a bitcoind-compatible node (bcoin, Core):
 * broadcasting raw transactions, fetching them back, mining on regtest, and observing an HTLC
 * through the verified path: the block header must be in our verified chain, the transaction
 * proven into it by gettxoutproof (qiao_btc_merkleblock_verify), and only then is it matched
 * against the HTLC template (qiao_btc_htlc_match through the adapter table).
 *
 * Synchronous calls (qiao_rpc_call_sync): for tools, tests and the first relay iteration; never
 * from inside an lws callback.  Ownership: rpc and chain are borrowed for each call.
 */
#ifndef QIAO_BTC_SOURCE_HTLC_H
#define QIAO_BTC_SOURCE_HTLC_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_htlc.h"
#include "adapters/bitcoin/btc_store.h"
#include "relay/rpc/rpc.h"

/** How long qiao_btc_source_send waits for the mempool entry, and how often it asks. */
#define QIAO_BTC_SEND_CONFIRM_MS 1500u
#define QIAO_BTC_SEND_POLL_MS 50u

/**
 * sendrawtransaction, then confirm the node's mempool holds the transaction (bcoin answers
 * sendrawtransaction before verifying, and drops a rejected transaction silently).  The node's
 * txid must equal the one we compute.
 * Returns: QIAO_OK; rpc failures ("rpc-error" with the node's reason in d->msg when the node
 *          rejects the transaction at once, as Core does); QIAO_EVERIFY "not-accepted" (not in
 *          the mempool after QIAO_BTC_SEND_CONFIRM_MS), "bad-node-reply".
 * Out: txid (internal order, may be NULL).
 */
qiao_err qiao_btc_source_send(struct qiao_crypto *cx, struct qiao_rpc *rpc, uint8_t txid[32],
                              const uint8_t *raw, size_t len, struct qiao_diag *d);

/** getrawtransaction txid: the raw bytes, malloc'd (caller frees), checked to hash to txid. */
qiao_err qiao_btc_source_raw_tx(struct qiao_crypto *cx, struct qiao_rpc *rpc, uint8_t **raw,
                                size_t *len, const uint8_t txid[32], struct qiao_diag *d);

/** Regtest: generatetoaddress n blocks to addr.  Out: last (hash of the last block, may be NULL). */
qiao_err qiao_btc_source_mine(struct qiao_rpc *rpc, uint8_t last[32], unsigned n,
                              const char *addr, struct qiao_diag *d);

/** What one observation established. */
struct qiao_btc_htlc_seen {
    uint64_t height;        /* of the block that holds the transaction */
    uint32_t block_time;    /* that header's timestamp */
    uint64_t confirmations; /* on our verified best chain */
};

/**
 * Observe txid in block through the verified path and match it against the watched HTLC (m's
 * In fields).  The chain must already hold the block (qiao_btc_source_follow first).
 * Returns: QIAO_OK; QIAO_ENOTFOUND "unknown-header" / "not-on-best-chain"; proof failures;
 *          qiao_btc_htlc_match failures.
 * Out: *m, *seen.
 */
qiao_err qiao_btc_source_htlc_observe(struct qiao_crypto *cx, struct qiao_rpc *rpc,
                                      const struct qiao_btc_chain *chain,
                                      struct qiao_btc_htlc_match *m,
                                      struct qiao_btc_htlc_seen *seen, const uint8_t txid[32],
                                      const uint8_t block[32], struct qiao_diag *d);

#endif
