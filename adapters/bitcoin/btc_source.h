/*
 * btc_source.h: the Bitcoin adapter's source half: fetching headers and Merkle-block proofs from
 * a bitcoind-compatible node (bcoin, Bitcoin Core) through the core JSON-RPC client, and following
 * the node's best chain into a qiao_btc_chain (every header verified before it is stored).
 *
 * These calls are synchronous (qiao_rpc_call_sync): for tools, tests and the first relay
 * iteration.  They must not run inside an lws callback.  Nothing fetched is trusted: headers go
 * through qiao_btc_chain_add, proofs through qiao_btc_merkleblock_verify.
 *
 * Ownership: the rpc client and chain are borrowed for each call.
 */
#ifndef QIAO_BTC_SOURCE_H
#define QIAO_BTC_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_store.h"
#include "relay/core/diag.h"
#include "relay/rpc/rpc.h"

/** Most headers one follow call fetches (a later call continues). */
#define QIAO_BTC_FOLLOW_MAX 10000u

/** What one follow call did. */
struct qiao_btc_follow_result {
    uint64_t added;        /* headers verified and stored */
    int reorged;           /* 1 when the best chain switched branches */
    uint64_t fork_height;  /* when reorged: the deepest fork point seen */
    uint64_t node_height;  /* the node's best height at the start of the call */
};

/**
 * The node's best-chain hash at height (getblockhash), internal order.
 * Returns: QIAO_OK, rpc failures, QIAO_EINVAL "bad-node-reply".
 */
qiao_err qiao_btc_source_block_hash(struct qiao_rpc *rpc, uint8_t hash[32], uint64_t height,
                                    struct qiao_diag *d);

/** The raw 80-byte header of hash (getblockheader hash false); the bytes must hash to it. */
qiao_err qiao_btc_source_header(struct qiao_crypto *cx, struct qiao_rpc *rpc, uint8_t raw[80],
                                const uint8_t hash[32], struct qiao_diag *d);

/**
 * Bring chain up to the node's best chain: find the highest node header already stored, then
 * fetch, verify and add every header above it.  A node branch with more work becomes the tip
 * (reorg); a node that serves an invalid header makes the call fail with that header's reason
 * and leaves everything verified before it in place.
 * Returns: QIAO_OK, rpc failures, qiao_btc_chain_add failures, QIAO_ENOTFOUND "no-common-ancestor".
 */
qiao_err qiao_btc_source_follow(struct qiao_crypto *cx, struct qiao_rpc *rpc,
                                struct qiao_btc_chain *chain, struct qiao_btc_follow_result *res,
                                struct qiao_diag *d);

/**
 * gettxoutproof [txid] blockhash: the serialised Merkle block, malloc'd (caller frees).
 * Returns: QIAO_OK, rpc failures, "bad-node-reply".  In: txid and block in internal order.
 */
qiao_err qiao_btc_source_txoutproof(struct qiao_rpc *rpc, uint8_t **proof, size_t *len,
                                    const uint8_t txid[32], const uint8_t block[32],
                                    struct qiao_diag *d);

#endif
