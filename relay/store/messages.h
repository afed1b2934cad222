/*
 * messages.h: cross-chain messages in the store and their state machine.
 *
 *     observed -> final -> attested -> certified -> submitted -> delivered
 *
 * plus failed(reason) from any non-terminal state, with persisted exponential backoff.  Allowed
 * moves (anything else is refused with "bad-transition"):
 *     observed->final, final->attested, attested->certified, certified->submitted,
 *     submitted->delivered, attested|certified|failed->delivered (another notary's delivery was
 *     seen on the destination), submitted->certified (submission lost: hand back for takeover),
 *     X->failed for X not delivered/failed, and failed->X only through qiao_store_msg_resume
 *     back to the state it failed from.
 * Every move is one compare-and-set transaction (or tick savepoint) that checks the expected
 * current state and appends an audit row; a concurrent or stale caller gets "state-mismatch" and
 * changes nothing.  One message failing never touches any other.
 *
 * Retry: qiao_store_msg_fail records the reason, counts the attempt and sets next_attempt_at =
 * now + min(QIAO_STORE_RETRY_BASE_MS * 2^(attempts-1), QIAO_STORE_RETRY_MAX_MS).  The pipeline
 * polls qiao_store_msg_list_due and calls qiao_store_msg_resume; an operator's retry
 * (qiao_store_msg_retry_now) makes a failed message due immediately.  There is no attempt limit:
 * a message is never silently abandoned, and `last_error` says why it is where it is.
 *
 * Ownership: rows passed to callbacks are borrowed for the duration of the callback.
 */
#ifndef QIAO_STORE_MESSAGES_H
#define QIAO_STORE_MESSAGES_H

#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/store/store.h"

enum qiao_msg_state {
    QIAO_MSG_OBSERVED = 0,
    QIAO_MSG_FINAL,
    QIAO_MSG_ATTESTED,
    QIAO_MSG_CERTIFIED,
    QIAO_MSG_SUBMITTED,
    QIAO_MSG_DELIVERED,
    QIAO_MSG_FAILED,
    QIAO_MSG_STATE_COUNT
};

#define QIAO_STORE_PAYLOAD_MAX 16384 /* the Outbox's cap (docs/PROTOCOL.md) */
#define QIAO_STORE_ERROR_MAX 256
#define QIAO_STORE_RETRY_BASE_MS 1000
#define QIAO_STORE_RETRY_MAX_MS 600000

/** The protocol fields of a message (docs/PROTOCOL.md).  id is computed by the caller. */
struct qiao_store_msg {
    uint8_t id[32];
    uint8_t version;
    uint64_t src_chain;
    uint8_t src_emitter[20];
    uint64_t seq;
    uint64_t dst_chain;
    uint8_t sender[20];
    uint8_t receiver[20];
    uint8_t payload_hash[32];
    size_t payload_len;
    uint8_t payload[QIAO_STORE_PAYLOAD_MAX];
};

/** Where the message was observed on its source chain. */
struct qiao_store_msg_source {
    uint64_t block_height;
    uint8_t block_hash[32];
    uint8_t tx_hash[32];
    uint64_t log_index;
};

/** Why a message is where it is. */
struct qiao_store_msg_status {
    enum qiao_msg_state state;
    enum qiao_msg_state failed_from; /* meaningful when state is FAILED */
    uint32_t attempts;
    int64_t next_attempt_at; /* Unix ms; 0 when not scheduled */
    char last_error[QIAO_STORE_ERROR_MAX];
    int64_t entered_at[QIAO_MSG_STATE_COUNT]; /* last time each state was entered; 0 = never */
    int64_t updated_at;
    struct qiao_store_msg_source src;
    uint64_t rowid; /* listing cursor */
};

struct qiao_store_msg_row {
    struct qiao_store_msg msg;
    struct qiao_store_msg_status status;
};

/** Optional context for a transition's audit row; any member may be zero/NULL. */
struct qiao_store_event {
    const char *actor; /* default "notary" */
    const char *peer;
    int has_height;
    uint64_t height;  /* the chain height that justified the move */
    const char *note; /* free text recorded in the audit detail */
};

typedef int (*qiao_store_msg_fn)(void *ctx, const struct qiao_store_msg_row *row);

/** "observed", "final", ... */
const char *qiao_msg_state_name(enum qiao_msg_state st);
/** Parse a state name ("bad-state" otherwise). */
qiao_err qiao_msg_state_parse(enum qiao_msg_state *out, const char *name, struct qiao_diag *d);

/**
 * Record a newly observed message (state observed).  Idempotent: the same message again is
 * QIAO_OK with *inserted = 0.
 * Returns: QIAO_EINVAL ("bad-payload-hash" when keccak256(payload) differs, "bad-version"),
 *          QIAO_ERANGE ("payload-too-large"), QIAO_EVERIFY ("message-conflict") when the id is
 *          stored with different fields.
 * Out: *inserted (may be NULL).
 */
qiao_err qiao_store_msg_observe(struct qiao_store *s, const struct qiao_store_msg *m,
                                const struct qiao_store_msg_source *src, int *inserted,
                                struct qiao_diag *d);

/**
 * Compare-and-set move from `from` to `to` (see the table above), stamping the state's time.
 * Returns: QIAO_EINVAL ("bad-transition"), QIAO_ENOTFOUND ("no-such-message"),
 *          QIAO_ESTATE ("state-mismatch", naming the actual state).  ev may be NULL.
 */
qiao_err qiao_store_msg_advance(struct qiao_store *s, const uint8_t id[32],
                                enum qiao_msg_state from, enum qiao_msg_state to,
                                const struct qiao_store_event *ev, struct qiao_diag *d);

/**
 * Move from `from` to failed with reason (a short sentence: what failed and where), count the
 * attempt and schedule the retry.  Same errors as advance.
 */
qiao_err qiao_store_msg_fail(struct qiao_store *s, const uint8_t id[32], enum qiao_msg_state from,
                             const char *reason, const struct qiao_store_event *ev,
                             struct qiao_diag *d);

/** failed -> the state it failed from (the pipeline redoes that step).  ESTATE "not-failed". */
qiao_err qiao_store_msg_resume(struct qiao_store *s, const uint8_t id[32],
                               const struct qiao_store_event *ev, struct qiao_diag *d);

/**
 * The message was seen again in another source block (a reorg re-included its transaction).
 * While it is observed, or failed from observed (its first block left the chain before
 * finality), its source location becomes src and it is observed again (audit "msg-relocated").
 * Anything else (the same location, or a message already past observed) changes nothing.
 * Out: *moved = 1 when the location changed.  Returns QIAO_OK or a store error
 * ("no-such-message" when absent).
 */
qiao_err qiao_store_msg_relocate(struct qiao_store *s, const uint8_t id[32],
                                 const struct qiao_store_msg_source *src, int *moved,
                                 struct qiao_diag *d);

/** Operator retry: a failed message becomes due now.  ESTATE "not-failed" otherwise. */
qiao_err qiao_store_msg_retry_now(struct qiao_store *s, const uint8_t id[32],
                                  const struct qiao_store_event *ev, struct qiao_diag *d);

/** Fetch one message.  ENOTFOUND "no-such-message".  Out: *row. */
qiao_err qiao_store_msg_get(struct qiao_store *s, const uint8_t id[32],
                            struct qiao_store_msg_row *row, struct qiao_diag *d);

/** Messages in `state` with rowid > after, oldest first, at most limit. */
qiao_err qiao_store_msg_list(struct qiao_store *s, enum qiao_msg_state state, uint64_t after,
                             unsigned limit, qiao_store_msg_fn fn, void *ctx, struct qiao_diag *d);

/** Failed messages whose next_attempt_at <= now, earliest first, at most limit. */
qiao_err qiao_store_msg_list_due(struct qiao_store *s, int64_t now, unsigned limit,
                                 qiao_store_msg_fn fn, void *ctx, struct qiao_diag *d);

/** Out: counts[state] for every state. */
qiao_err qiao_store_msg_counts(struct qiao_store *s, uint64_t counts[QIAO_MSG_STATE_COUNT],
                               struct qiao_diag *d);

/**
 * Backlog: messages not yet delivered (failed included).  Out: *count, *oldest_age_ms (now minus
 * the earliest observed_at among them; 0 when the backlog is empty).
 */
qiao_err qiao_store_msg_backlog(struct qiao_store *s, uint64_t *count, int64_t *oldest_age_ms,
                                struct qiao_diag *d);

/** The delay before attempt number `attempts` + 1 (exposed for tests and docs). */
int64_t qiao_store_retry_delay_ms(uint32_t attempts);

#endif
