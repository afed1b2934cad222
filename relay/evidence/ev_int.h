/*
 * ev_int.h: what the verifier's files share (internal to relay/evidence).
 *
 * A verification run is one struct qiao_ev_run: the inputs, the report being filled and the
 * caller's arena.  Each family file proves its source segment and fills the report's facts; the
 * orchestration in ev_verify.c records every check and stops at the first failure.
 */
#ifndef QIAO_EV_INT_H
#define QIAO_EV_INT_H

#include "adapters/evm/evm_header.h"
#include "adapters/evm/evm_receipt.h"
#include "relay/evidence/evidence.h"

struct qiao_ev_run {
    struct qiao_crypto *cx;
    struct qiao_ev_report *r;
    const struct qiao_ev_bundle *b;
    const struct qiao_ev_trust *t;
    struct qiao_arena *arena;
    struct qiao_diag *d;
};

/** Record a passed check with a detail line. */
void qiao_ev_pass(struct qiao_ev_run *v, const char *component, const char *check,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/**
 * Record the failure of check in component (the diagnostic already holds reason and message).
 * Returns: err, so callers can `return qiao_ev_failed(...)`.
 */
qiao_err qiao_ev_failed(struct qiao_ev_run *v, const char *component, const char *check,
                        qiao_err err);
/** Fail check with a fresh reason (QIAO_EVERIFY). */
#define QIAO_EV_REJECT(v, component, check, reason, ...)                                          \
    qiao_ev_failed((v), (component), (check),                                                      \
                   QIAO_FAIL((v)->d, QIAO_EVERIFY, (reason), __VA_ARGS__))

/** What an EVM segment proved: the including header and the proven log. */
struct qiao_ev_evm_proved {
    struct qiao_evm_header block;
    struct qiao_evm_log log; /* borrows the segment's proof bytes */
    uint64_t confirmations;
};

/**
 * Verify an EVM segment for component ("source" or "delivery"): checkpoint, header links,
 * receipt proof under the including block's receiptsRoot, the log at s->index, finality.
 */
qiao_err qiao_ev_evm_segment(struct qiao_ev_run *v, struct qiao_ev_evm_proved *out,
                             const struct qiao_ev_segment *s, const struct qiao_ev_chain *tc,
                             const char *component);
/** The EVM source: segment, MessageSent log from the trusted Outbox, equal to the message. */
qiao_err qiao_ev_evm_source(struct qiao_ev_run *v, const struct qiao_ev_chain *tc);
/** The Bitcoin source: header chain with PoW, Merkle path of the record (a raw tx), finality. */
qiao_err qiao_ev_btc_source(struct qiao_ev_run *v, const struct qiao_ev_chain *tc);
/** The CometBFT source: light-client steps from the checkpoint, header field bound to record. */
qiao_err qiao_ev_bft_source(struct qiao_ev_run *v, const struct qiao_ev_chain *tc);
/** The RFC 3161 token over the core digest, against the trust file's TSA certificates. */
qiao_err qiao_ev_tsa_check(struct qiao_ev_run *v);

#endif
