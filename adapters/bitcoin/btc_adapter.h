/*
 * btc_adapter.h: the Bitcoin family's entry in the adapter ABI (relay/core/adapter.h).
 *
 * The table fills what the generic interface can express; the richer family API is btc_chain.h
 * (contextual verification), btc_store.h (header tree, reorgs, finality), btc_merkle.h (paths and
 * Merkle blocks) and btc_tx.h (txids).
 *
 * Family-defined arguments of the table:
 *  - header_verify's `chain` is a `const struct qiao_btc_verify_ctx *` (network, parent, clock);
 *    the summary's work is the cumulative chainwork counted from the parent's anchor.
 *  - is_final's `policy` is a `const struct qiao_btc_finality *`, or NULL for 6 confirmations.
 *    It assumes h lies on tip's branch; qiao_btc_chain_is_final also checks branch membership.
 *  - proof_verify's proof is a serialised CMerkleBlock (`gettxoutproof` output) whose header must
 *    be `header`; the result is its first matched transaction.
 */
#ifndef QIAO_BTC_ADAPTER_H
#define QIAO_BTC_ADAPTER_H

#include <stdint.h>

#include "adapters/bitcoin/btc_chain.h"
#include "adapters/bitcoin/btc_params.h"
#include "relay/core/adapter.h"

/** header_verify's chain state: borrowed for the call. */
struct qiao_btc_verify_ctx {
    const struct qiao_btc_params *params;
    const struct qiao_btc_link *parent;
    int64_t now; /* Unix seconds, or QIAO_BTC_NO_CLOCK */
};

/** is_final's policy. */
struct qiao_btc_finality {
    uint32_t confirmations; /* final at this many confirmations (the header itself counts 1) */
};

extern const struct qiao_adapter qiao_adapter_bitcoin;

#endif
