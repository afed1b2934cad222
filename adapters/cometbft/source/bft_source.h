/*
 * bft_source.h: the CometBFT adapter's source half: light blocks from a node's RPC.
 *
 * A light block at height h is assembled from three calls, as CometBFT's own light-client
 * provider does: "commit" (signed header) at h, "validators" at h and at h + 1 (the next set),
 * paging through validators 100 at a time.  Calls are JSON-RPC 2.0 POSTs through the core client
 * (relay/rpc/rpc.h) and run synchronously on the source's own lws context; the result goes
 * through the same strict decoder as every other light block (bft_json.h).  Nothing fetched is
 * trusted: the source only feeds the pure verifier (qiao_bft_source_sync, or a provider for
 * qiao_bft_bisect).
 *
 * Ownership: a source owns its lws context and RPC client; it borrows the crypto context, which
 * must outlive it.  Decoded blocks live in the caller's arena.  Not thread-safe.
 */
#ifndef QIAO_BFT_SOURCE_H
#define QIAO_BFT_SOURCE_H

#include <stdint.h>

#include "adapters/cometbft/bft_bisect.h"
#include "adapters/cometbft/bft_types.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

struct qiao_bft_source;

/**
 * Connect to a node (or replay server) at url ("http://127.0.0.1:26657/").
 * Returns: QIAO_OK or the RPC client's errors.  Out: *out, to release with qiao_bft_source_destroy.
 */
qiao_err qiao_bft_source_create(struct qiao_bft_source **out, const char *url,
                                struct qiao_crypto *cx, struct qiao_diag *d);

/** Release; NULL is a no-op. */
void qiao_bft_source_destroy(struct qiao_bft_source *s);

/** The node's latest height and chain id ("status").  Out: *height, chain_id (51 bytes). */
qiao_err qiao_bft_source_status(struct qiao_bft_source *s, int64_t *height,
                                char chain_id[QIAO_BFT_MAX_CHAIN_ID + 1], struct qiao_diag *d);

/** Fetch and decode the light block at height.  Out: *out (arrays in arena). */
qiao_err qiao_bft_source_light_block(struct qiao_bft_source *s, struct qiao_bft_light_block *out,
                                     int64_t height, struct qiao_arena *arena,
                                     struct qiao_diag *d);

/** A provider over this source, for qiao_bft_bisect.  Out: *p (borrows s). */
void qiao_bft_source_provider(struct qiao_bft_source *s, struct qiao_bft_provider *p);

/**
 * The watcher step: verify from trusted up to the node's latest height by bisection.
 * Returns: QIAO_OK with *out the new trusted block (already *trusted when nothing is newer), or
 *          the failure (a verification failure means the node served something untrustworthy).
 */
qiao_err qiao_bft_source_sync(struct qiao_bft_source *s, struct qiao_bft_light_block *out,
                              const struct qiao_bft_light_block *trusted,
                              const struct qiao_bft_options *opt, struct qiao_bft_time now,
                              struct qiao_arena *arena, struct qiao_bft_bisect_stats *stats,
                              struct qiao_diag *d);

#endif
