/* messages_retry.c: backoff scheduling, resuming failed messages and the operator's retry. */
#include <string.h>

#include "relay/core/hex.h"
#include "relay/store/msg_int.h"

qiao_err qiao_store_msg_schedule(struct qiao_store *s, const uint8_t id[32], struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT attempts FROM messages WHERE id=?", d));
    qiao_store_bind_blob(st, 1, id, 32);
    int rc = sqlite3_step(st);
    int64_t attempts = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return qiao_store_sql_fail(s, "reading a message's attempts", d);
    uint32_t n = attempts > UINT32_MAX ? UINT32_MAX : attempts < 0 ? 0 : (uint32_t)attempts;
    QIAO_TRY(qiao_store_prep(s, &st, "UPDATE messages SET next_attempt_at=? WHERE id=?", d));
    sqlite3_bind_int64(st, 1, qiao_store_now(s) + qiao_store_retry_delay_ms(n));
    qiao_store_bind_blob(st, 2, id, 32);
    return qiao_store_run(s, st, NULL, "scheduling a retry", d);
}

static qiao_err expect_failed(struct qiao_store *s, const uint8_t id[32],
                              enum qiao_msg_state *back, uint64_t *chain, struct qiao_diag *d)
{
    enum qiao_msg_state cur;
    uint64_t src, dst;
    QIAO_TRY(qiao_store_msg_probe(s, id, &cur, &src, &dst, d));
    char hex[67];
    qiao_hex_encode0x(hex, id, 32);
    if (cur != QIAO_MSG_FAILED)
        return QIAO_FAIL(d, QIAO_ESTATE, "not-failed", "message %s is %s, not failed", hex,
                         qiao_msg_state_name(cur));
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT failed_from FROM messages WHERE id=?", d));
    qiao_store_bind_blob(st, 1, id, 32);
    qiao_err err = sqlite3_step(st) == SQLITE_ROW
                       ? qiao_msg_state_parse(back, (const char *)sqlite3_column_text(st, 0)
                                                        ? (const char *)sqlite3_column_text(st, 0)
                                                        : "",
                                              d)
                       : qiao_store_sql_fail(s, "reading failed_from", d);
    sqlite3_finalize(st);
    *chain = src;
    return err;
}

qiao_err qiao_store_msg_resume(struct qiao_store *s, const uint8_t id[32],
                               const struct qiao_store_event *ev, struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_op_begin(s, d));
    enum qiao_msg_state back = QIAO_MSG_OBSERVED;
    uint64_t chain = 0;
    qiao_err err = expect_failed(s, id, &back, &chain, d);
    sqlite3_stmt *st = NULL;
    if (!err)
        err = qiao_store_prep(s, &st, "UPDATE messages SET state=?, failed_from=NULL, "
                                      "next_attempt_at=NULL, updated_at=? WHERE id=? AND "
                                      "state='failed'", d);
    if (!err) {
        sqlite3_bind_text(st, 1, qiao_msg_state_name(back), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, qiao_store_now(s));
        qiao_store_bind_blob(st, 3, id, 32);
        err = qiao_store_run(s, st, NULL, "resuming a message", d);
    }
    if (!err)
        err = qiao_store_msg_audit(s, id, "msg-resumed", QIAO_MSG_FAILED, back, chain, ev, d);
    return qiao_store_op_end(s, err, d);
}

qiao_err qiao_store_msg_retry_now(struct qiao_store *s, const uint8_t id[32],
                                  const struct qiao_store_event *ev, struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_op_begin(s, d));
    enum qiao_msg_state back = QIAO_MSG_OBSERVED;
    uint64_t chain = 0;
    qiao_err err = expect_failed(s, id, &back, &chain, d);
    sqlite3_stmt *st = NULL;
    if (!err)
        err = qiao_store_prep(s, &st, "UPDATE messages SET next_attempt_at=?1, updated_at=?1 "
                                      "WHERE id=?2", d);
    if (!err) {
        sqlite3_bind_int64(st, 1, qiao_store_now(s));
        qiao_store_bind_blob(st, 2, id, 32);
        err = qiao_store_run(s, st, NULL, "requesting a retry", d);
    }
    if (!err) {
        struct qiao_store_event e = ev ? *ev : (struct qiao_store_event){0};
        if (!e.actor)
            e.actor = "operator";
        err = qiao_store_msg_audit(s, id, "msg-retry-requested", QIAO_MSG_FAILED, QIAO_MSG_FAILED,
                                   chain, &e, d);
    }
    return qiao_store_op_end(s, err, d);
}
