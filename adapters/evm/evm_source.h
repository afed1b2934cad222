/*
 * evm_source.h: the EVM family's live source half: follow a node's headers, build receipt and
 * state proofs from its replies, and write signed transactions (evm_send.h).
 *
 * Everything a node says is checked before use: header JSON is re-encoded to RLP and hashed here
 * (the node's `hash` is only compared), headers join the verified chain (evm_chain.h) only by
 * parent hash, receipts are re-encoded and must reproduce the verified header's receiptsRoot
 * before any proof is handed out, and eth_getProof answers are verified against the verified
 * stateRoot.  Replies are size-capped by the RPC client.
 *
 * This first cut drives the core JSON-RPC client synchronously (qiao_rpc_call_sync) so that tools
 * and tests can use it directly; qiao_evm_source_on_head takes newHeads notifications from an
 * eth_subscribe on the same client for the daemon's event loop.
 *
 * Ownership: a source owns its RPC client; the lws_context is borrowed and must outlive it.
 */
#ifndef QIAO_EVM_SOURCE_H
#define QIAO_EVM_SOURCE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "adapters/evm/evm_chain.h"
#include "adapters/evm/evm_state.h"
#include "relay/core/bytes.h"
#include "relay/core/diag.h"

struct lws_context;
struct qiao_rpc;

/** Reply cap default: a block's receipts for a 30M-gas block fit well inside. */
#define QIAO_EVM_SOURCE_MAX_REPLY ((size_t)8 << 20)

struct qiao_evm_source_opts {
    const char *url;             /* http:// or ws:// endpoint */
    uint64_t chain_id;           /* expected eth_chainId; the source refuses another chain */
    struct qiao_evm_finality finality;
    size_t max_reply;            /* 0: QIAO_EVM_SOURCE_MAX_REPLY */
    unsigned timeout_ms;         /* per call; 0: the RPC default */
};

struct qiao_evm_source {
    struct qiao_rpc *rpc;
    uint64_t chain_id;
    struct qiao_evm_finality finality;
    struct qiao_evm_chain chain; /* the verified header chain */
    int anchored;
    uint64_t reorgs;             /* reorgs observed */
    uint64_t headers;            /* headers verified */
};

/** What one sync step did. */
struct qiao_evm_sync_result {
    uint64_t extended; /* headers appended */
    uint64_t reorg_depth; /* headers dropped by a reorg (0: none) */
};

/**
 * Create a source: connects, checks eth_chainId ("chain-id-mismatch").
 * Out: *out (free with qiao_evm_source_destroy).  The verified chain starts empty; anchor it.
 */
qiao_err qiao_evm_source_create(struct qiao_evm_source **out, struct lws_context *lws,
                                const struct qiao_evm_source_opts *o, struct qiao_diag *d);
void qiao_evm_source_destroy(struct qiao_evm_source *s);

/** The RPC client (borrowed), for callers that need other methods. */
struct qiao_rpc *qiao_evm_source_rpc(struct qiao_evm_source *s);

/**
 * Fetch a header by "latest", "finalized", a number ("0x..") or a hash, re-encode and decode it.
 * Out: h; raw (the header's RLP, cleared first).  Reasons: "no-such-block", evm_json.h's.
 */
qiao_err qiao_evm_source_header(struct qiao_evm_source *s, struct qiao_evm_header *h,
                                struct qiao_buf *raw, const char *block, struct qiao_diag *d);

/** Trust the node's block `block` (a tag or number) as the anchor of the verified chain. */
qiao_err qiao_evm_source_anchor(struct qiao_evm_source *s, const char *block, struct qiao_diag *d);

/**
 * Bring the verified chain up to the node's latest head: fetches missing ancestors by parent hash
 * (at most the chain window), detects reorgs, and refuses reorgs below finality.
 */
qiao_err qiao_evm_source_sync(struct qiao_evm_source *s, struct qiao_evm_sync_result *res,
                              struct qiao_diag *d);

/** Offer one newHeads notification (a header object); fetches ancestors if needed. */
qiao_err qiao_evm_source_on_head(struct qiao_evm_source *s, const cJSON *header,
                                 struct qiao_evm_sync_result *res, struct qiao_diag *d);

/**
 * Build the receipt proof (evm_adapter.h wire form) for transaction tx_index of the verified
 * block block_hash, from eth_getBlockReceipts.  The re-encoded receipts must reproduce the
 * verified receiptsRoot ("receipts-root-mismatch") and the node must return them in order.
 * Out: wire (appended).  Reasons: "block-not-verified", "receipts-root-mismatch", ...
 */
qiao_err qiao_evm_source_receipt_proof(struct qiao_evm_source *s, struct qiao_buf *wire,
                                       const uint8_t block_hash[32], uint64_t tx_index,
                                       struct qiao_diag *d);

/**
 * eth_getProof for addr and slots at the verified block block_hash, verified against its
 * stateRoot; the node's claimed account fields and storage values must equal what the proofs
 * prove.  Out: acct, values[n][32].
 */
qiao_err qiao_evm_source_account(struct qiao_evm_source *s, struct qiao_evm_account *acct,
                                 uint8_t (*values)[32], const uint8_t block_hash[32],
                                 const uint8_t addr[20], const uint8_t (*slots)[32], size_t n,
                                 struct qiao_diag *d);

/** Call method with params (taken) and return the result (caller frees).  Thin wrapper. */
qiao_err qiao_evm_source_call(struct qiao_evm_source *s, cJSON **result, const char *method,
                              cJSON *params, struct qiao_diag *d);

#endif
