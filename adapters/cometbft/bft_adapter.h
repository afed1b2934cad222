/*
 * bft_adapter.h: the CometBFT family's adapter table (relay/core/adapter.h) and the chain state
 * its header_verify and committee_update take.
 *
 * Raw inputs are light blocks in CometBFT's JSON shape (bft_json.h).  header_decode reads only
 * signed_header.header; header_verify runs one light-client step (bft_verify.h) against the
 * chain state; committee_update runs the same step and, on SUCCESS, makes the block the new
 * trusted state, which is how validator-set changes are carried forward.  Summaries: hash is the
 * header hash, parent the last_block_id hash, work the height (big-endian), root the data_hash
 * (transactions Merkle root).  Every verified header is final (BFT finality is immediate).
 * proof_verify is not implemented yet (QIAO_EUNSUPPORTED through the wrapper).
 */
#ifndef QIAO_BFT_ADAPTER_H
#define QIAO_BFT_ADAPTER_H

#include "adapters/cometbft/bft_types.h"
#include "adapters/cometbft/bft_verify.h"
#include "relay/core/adapter.h"

/**
 * The trusted state.  Ownership: trusted's arrays live in an arena the caller keeps alive; after
 * committee_update they live in the arena passed to that call.
 */
struct qiao_bft_chain {
    struct qiao_bft_light_block trusted;
    struct qiao_bft_options opt;
    struct qiao_bft_time now; /* the caller's clock, set before each call */
};

extern const struct qiao_adapter qiao_adapter_cometbft;

#endif
