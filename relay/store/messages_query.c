/* messages_query.c: reading messages back: get, list, due retries, counts and backlog. */
#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/store/msg_int.h"

#define MSG_COLS                                                                                   \
    "id, version, src_chain, src_emitter, seq, dst_chain, sender, receiver, payload_hash, payload," \
    " state, failed_from, attempts, next_attempt_at, last_error, src_block_height,"                \
    " src_block_hash, src_tx_hash, src_log_index, observed_at, final_at, attested_at,"             \
    " certified_at, submitted_at, delivered_at, failed_at, updated_at, rowid"

static void read_fields(sqlite3_stmt *st, struct qiao_store_msg *m)
{
    qiao_store_col_blob(st, 0, m->id, 32);
    m->version = (uint8_t)sqlite3_column_int(st, 1);
    m->src_chain = qiao_store_col_u64(st, 2);
    qiao_store_col_blob(st, 3, m->src_emitter, 20);
    m->seq = qiao_store_col_u64(st, 4);
    m->dst_chain = qiao_store_col_u64(st, 5);
    qiao_store_col_blob(st, 6, m->sender, 20);
    qiao_store_col_blob(st, 7, m->receiver, 20);
    qiao_store_col_blob(st, 8, m->payload_hash, 32);
    size_t n = (size_t)sqlite3_column_bytes(st, 9);
    m->payload_len = n <= QIAO_STORE_PAYLOAD_MAX ? n : QIAO_STORE_PAYLOAD_MAX;
    if (m->payload_len)
        memcpy(m->payload, sqlite3_column_blob(st, 9), m->payload_len);
}

static const char *text_or(sqlite3_stmt *st, int col, const char *dflt)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : dflt;
}

static void read_status(sqlite3_stmt *st, struct qiao_store_msg_status *x)
{
    memset(x, 0, sizeof(*x));
    qiao_msg_state_parse(&x->state, text_or(st, 10, ""), NULL);
    x->failed_from = x->state;
    if (sqlite3_column_type(st, 11) != SQLITE_NULL)
        qiao_msg_state_parse(&x->failed_from, text_or(st, 11, ""), NULL);
    int64_t attempts = sqlite3_column_int64(st, 12);
    x->attempts = attempts < 0 ? 0 : attempts > UINT32_MAX ? UINT32_MAX : (uint32_t)attempts;
    x->next_attempt_at = sqlite3_column_int64(st, 13);
    snprintf(x->last_error, sizeof(x->last_error), "%s", text_or(st, 14, ""));
    x->src.block_height = qiao_store_col_u64(st, 15);
    qiao_store_col_blob(st, 16, x->src.block_hash, 32);
    qiao_store_col_blob(st, 17, x->src.tx_hash, 32);
    x->src.log_index = qiao_store_col_u64(st, 18);
    for (int i = 0; i < QIAO_MSG_STATE_COUNT; i++)
        x->entered_at[i] = sqlite3_column_int64(st, 19 + i);
    x->updated_at = sqlite3_column_int64(st, 26);
    x->rowid = qiao_store_col_u64(st, 27);
}

static void read_row(sqlite3_stmt *st, struct qiao_store_msg_row *row)
{
    read_fields(st, &row->msg);
    read_status(st, &row->status);
}

qiao_err qiao_store_msg_get(struct qiao_store *s, const uint8_t id[32],
                            struct qiao_store_msg_row *row, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " MSG_COLS " FROM messages WHERE id=?", d));
    qiao_store_bind_blob(st, 1, id, 32);
    int rc = sqlite3_step(st);
    qiao_err err = QIAO_OK;
    if (rc == SQLITE_ROW) {
        read_row(st, row);
    } else if (rc == SQLITE_DONE) {
        char hex[67];
        qiao_hex_encode0x(hex, id, 32);
        err = QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-message", "no message %s in the store", hex);
    } else {
        err = qiao_store_sql_fail(s, "reading a message", d);
    }
    sqlite3_finalize(st);
    return err;
}

/* Step a prepared listing, handing each row to fn; the row lives in caller-provided storage
 * because it carries a 16 KiB payload buffer. */
static qiao_err walk(struct qiao_store *s, sqlite3_stmt *st, qiao_store_msg_fn fn, void *ctx,
                     struct qiao_diag *d)
{
    struct qiao_store_msg_row *row = sqlite3_malloc(sizeof(*row));
    int rc = row ? SQLITE_ROW : SQLITE_NOMEM;
    while (row && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, row);
        if (fn(ctx, row))
            break;
    }
    sqlite3_free(row);
    sqlite3_finalize(st);
    if (rc == SQLITE_NOMEM)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "allocating a message row");
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return qiao_store_sql_fail(s, "listing messages", d);
    return QIAO_OK;
}

qiao_err qiao_store_msg_list(struct qiao_store *s, enum qiao_msg_state state, uint64_t after,
                             unsigned limit, qiao_store_msg_fn fn, void *ctx, struct qiao_diag *d)
{
    if ((unsigned)state >= QIAO_MSG_STATE_COUNT)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-state", "message state %d does not exist", (int)state);
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " MSG_COLS " FROM messages WHERE state=? AND rowid>?"
                                     " ORDER BY rowid LIMIT ?", d));
    sqlite3_bind_text(st, 1, qiao_msg_state_name(state), -1, SQLITE_STATIC);
    qiao_store_bind_u64(st, 2, after);
    sqlite3_bind_int64(st, 3, limit);
    return walk(s, st, fn, ctx, d);
}

qiao_err qiao_store_msg_list_due(struct qiao_store *s, int64_t now, unsigned limit,
                                 qiao_store_msg_fn fn, void *ctx, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " MSG_COLS " FROM messages WHERE state='failed' AND"
                                     " next_attempt_at<=? ORDER BY next_attempt_at, rowid LIMIT ?",
                             d));
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, limit);
    return walk(s, st, fn, ctx, d);
}

qiao_err qiao_store_msg_counts(struct qiao_store *s, uint64_t counts[QIAO_MSG_STATE_COUNT],
                               struct qiao_diag *d)
{
    memset(counts, 0, sizeof(uint64_t) * QIAO_MSG_STATE_COUNT);
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT state, count(*) FROM messages GROUP BY state", d));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        enum qiao_msg_state state;
        if (qiao_msg_state_parse(&state, text_or(st, 0, ""), NULL) == QIAO_OK)
            counts[state] = qiao_store_col_u64(st, 1);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QIAO_OK : qiao_store_sql_fail(s, "counting messages", d);
}

qiao_err qiao_store_msg_backlog(struct qiao_store *s, uint64_t *count, int64_t *oldest_age_ms,
                                struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT count(*), min(observed_at) FROM messages"
                                     " WHERE state<>'delivered'", d));
    int rc = sqlite3_step(st);
    *count = 0;
    *oldest_age_ms = 0;
    if (rc == SQLITE_ROW) {
        *count = qiao_store_col_u64(st, 0);
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            int64_t age = qiao_store_now(s) - sqlite3_column_int64(st, 1);
            *oldest_age_ms = age > 0 ? age : 0;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? QIAO_OK : qiao_store_sql_fail(s, "measuring the backlog", d);
}
