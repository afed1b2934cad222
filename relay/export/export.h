/*
 * export.h: evidence export from a notary: turn one DELIVERED message of the store into a
 * verified `qiao-evidence/1` bundle (docs/EVIDENCE_FORMAT.md), and write the `qiao-trust/1` file
 * a court needs from a notary configuration.
 *
 * Export runs in two steps so that the daemon can keep its store on the service thread:
 *   1. qiao_export_gather copies what the store knows (record, source location, certificate,
 *      delivery) into a request.  Store only; quick.
 *   2. qiao_export_bundle fetches header segments and receipt proofs from the chains' RPC (the EVM
 *      source half re-encodes and hashes everything a node says), assembles the bundle, and then
 *      verifies the canonical text it produced with the pure offline verifier against the trust
 *      anchors derived from the same configuration.  A bundle that would not pass `qiao verify`
 *      is never handed out ("export-self-check").  Blocking I/O: call it off the service thread.
 *
 * Trust anchors: a chain's checkpoint is the config's `checkpoint` (height and hash) when it has
 * one, otherwise block 0.  A zero or absent checkpoint hash is taken from the node at that height
 * (trust on first use; the operator publishes the resulting trust.json).  Header segments run from
 * the checkpoint to the including block plus the chain's `confirmations`, at most
 * QIAO_EV_MAX_HEADERS headers ("segment-too-long": configure a nearer checkpoint).
 *
 * Ownership: requests are caller storage (large: allocate them); outputs are appended to the
 * caller's buffers; the config and lws_context are borrowed for the call.
 */
#ifndef QIAO_EXPORT_EXPORT_H
#define QIAO_EXPORT_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "relay/config/config.h"
#include "relay/core/bytes.h"
#include "relay/core/diag.h"
#include "relay/notary/attest.h"
#include "relay/store/attest.h"
#include "relay/store/messages.h"

struct lws_context;
struct qiao_store;

/** Everything the store contributes to one bundle (a copy; about 17 KiB). */
struct qiao_export_req {
    struct qiao_store_msg msg;
    struct qiao_store_msg_source src;
    int64_t observed_at_ms; /* when this notary first saw the message */
    uint64_t cert_epoch;
    uint8_t sigs[QIAO_COMMITTEE_MAX][65];
    size_t nsigs;
    struct qiao_store_delivery delivery;
};

/**
 * Copy message id's record, certificate and confirmed delivery out of the store.
 * Returns: QIAO_OK; QIAO_ENOTFOUND "no-such-message", "no-certificate"; QIAO_ESTATE
 *          "not-delivered" (naming the state) or "delivery-unconfirmed".
 * Out: *rq.
 */
qiao_err qiao_export_gather(struct qiao_export_req *rq, struct qiao_store *s, const uint8_t id[32],
                            struct qiao_diag *d);

/**
 * Write the trust file for cfg: the genesis committee (config committee, members ascending), and
 * for every evm chain its checkpoint (fetched from the node when the config has no hash), its
 * confirmations, and its Outbox (`emitter`) / Inbox.  tsa_pem (may be NULL) is added to `tsa`.
 * The text is parsed back with qiao_ev_trust_parse before returning.
 * Returns: QIAO_OK; "finality-tag-unsupported" for a chain with `finality.tag`; RPC and EVM
 *          source reasons naming the chain.  Out: out (appended).
 */
qiao_err qiao_export_trust(struct qiao_buf *out, const struct qiao_config *cfg,
                           struct lws_context *lws, const char *tsa_pem, struct qiao_diag *d);

/**
 * Build, self-verify and return the canonical bundle of rq (see the file comment).  The
 * committee history is empty: the certificate must be at the configured committee's epoch
 * ("committee-chain-missing" otherwise; the daemon does not rotate committees yet).  *cancel,
 * when not NULL, is polled between RPC calls ("cancelled").
 * Returns: QIAO_OK; "unknown-chain", "block-reorged", "no-such-log", "not-final-yet",
 *          "segment-too-long", "export-self-check" (the verifier's component, check and reason in
 *          the message), RPC and EVM source reasons.  Out: out (appended, canonical JSON).
 */
qiao_err qiao_export_bundle(struct qiao_buf *out, const struct qiao_export_req *rq,
                            const struct qiao_config *cfg, struct lws_context *lws,
                            const volatile int *cancel, struct qiao_diag *d);

/**
 * Add an RFC 3161 token to a canonical bundle.  The request (TimeStampReq DER, SHA-256 imprint of
 * the bundle's core, a random nonce, certReq true) is written to a private temporary file whose
 * path is in $QIAO_TSQ; cmd runs under /bin/sh and must leave the TimeStampResp DER at $QIAO_TSR
 * (for example `openssl ts -reply ...` or `curl --data-binary @$QIAO_TSQ ... -o $QIAO_TSR`).  The
 * reply's status must be granted, its imprint and nonce must match, and when tsa_pem is given the
 * token must verify against it exactly as `qiao verify` checks it.
 * Returns: QIAO_OK; "tsa-command-failed", "tsa-reply-malformed", "tsa-not-granted",
 *          "tsa-nonce-mismatch", the verifier's tsa-* reasons.  Out: out (appended).
 */
qiao_err qiao_export_timestamp(struct qiao_buf *out, const char *bundle, size_t len,
                               const char *cmd, const char *tsa_pem, struct qiao_diag *d);

#endif
