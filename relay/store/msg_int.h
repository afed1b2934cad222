/*
 * msg_int.h: helpers shared by the store's message files (not for callers).  Each runs inside the
 * caller's operation and opens no transaction of its own.
 */
#ifndef QIAO_STORE_MSG_INT_H
#define QIAO_STORE_MSG_INT_H

#include "relay/store/messages.h"
#include "relay/store/store_int.h"

/** The column stamped when `st` is entered ("observed_at", ...). */
const char *qiao_msg_state_col(enum qiao_msg_state st);

/** Current state and lane of a message ("no-such-message" when absent). */
qiao_err qiao_store_msg_probe(struct qiao_store *s, const uint8_t id[32],
                              enum qiao_msg_state *state, uint64_t *src_chain,
                              uint64_t *dst_chain, struct qiao_diag *d);

/** Set next_attempt_at from the stored attempt count (qiao_store_retry_delay_ms). */
qiao_err qiao_store_msg_schedule(struct qiao_store *s, const uint8_t id[32], struct qiao_diag *d);

/** Append the audit row for a message event; from = QIAO_MSG_STATE_COUNT when there is none. */
qiao_err qiao_store_msg_audit(struct qiao_store *s, const uint8_t id[32], const char *action,
                              enum qiao_msg_state from, enum qiao_msg_state to, uint64_t chain,
                              const struct qiao_store_event *ev, struct qiao_diag *d);

#endif
