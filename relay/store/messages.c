/* messages.c: recording messages and moving them through their states (see messages.h). */
#include "relay/store/messages.h"

#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "relay/store/msg_int.h"
#include "relay/store/store_int.h"

static const char *const state_names[QIAO_MSG_STATE_COUNT] = {
    [QIAO_MSG_OBSERVED] = "observed", [QIAO_MSG_FINAL] = "final",
    [QIAO_MSG_ATTESTED] = "attested", [QIAO_MSG_CERTIFIED] = "certified",
    [QIAO_MSG_SUBMITTED] = "submitted", [QIAO_MSG_DELIVERED] = "delivered",
    [QIAO_MSG_FAILED] = "failed",
};

/* Column stamped when a state is entered; static strings, so safe to splice into SQL. */
static const char *const state_cols[QIAO_MSG_STATE_COUNT] = {
    [QIAO_MSG_OBSERVED] = "observed_at", [QIAO_MSG_FINAL] = "final_at",
    [QIAO_MSG_ATTESTED] = "attested_at", [QIAO_MSG_CERTIFIED] = "certified_at",
    [QIAO_MSG_SUBMITTED] = "submitted_at", [QIAO_MSG_DELIVERED] = "delivered_at",
    [QIAO_MSG_FAILED] = "failed_at",
};

const char *qiao_msg_state_name(enum qiao_msg_state st)
{
    return (unsigned)st < QIAO_MSG_STATE_COUNT ? state_names[st] : "unknown";
}

const char *qiao_msg_state_col(enum qiao_msg_state st)
{
    return state_cols[st];
}

qiao_err qiao_msg_state_parse(enum qiao_msg_state *out, const char *name, struct qiao_diag *d)
{
    for (int i = 0; i < QIAO_MSG_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0) {
            *out = (enum qiao_msg_state)i;
            return QIAO_OK;
        }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-state", "\"%.32s\" is not a message state (observed, "
                     "final, attested, certified, submitted, delivered, failed)", name);
}

/* The transition table of messages.h; failed->X goes only through resume. */
static int allowed(enum qiao_msg_state from, enum qiao_msg_state to)
{
    if (to == QIAO_MSG_FAILED)
        return from != QIAO_MSG_DELIVERED && from != QIAO_MSG_FAILED;
    if (to == QIAO_MSG_DELIVERED)
        return from == QIAO_MSG_SUBMITTED || from == QIAO_MSG_CERTIFIED ||
               from == QIAO_MSG_ATTESTED || from == QIAO_MSG_FAILED;
    if (from == QIAO_MSG_SUBMITTED && to == QIAO_MSG_CERTIFIED)
        return 1;
    return from != QIAO_MSG_FAILED && to == from + 1;
}

int64_t qiao_store_retry_delay_ms(uint32_t attempts)
{
    int64_t delay = QIAO_STORE_RETRY_BASE_MS;
    for (uint32_t i = 1; i < attempts && delay < QIAO_STORE_RETRY_MAX_MS; i++)
        delay *= 2;
    return delay < QIAO_STORE_RETRY_MAX_MS ? delay : QIAO_STORE_RETRY_MAX_MS;
}

static qiao_err check_msg(const struct qiao_store_msg *m, struct qiao_diag *d)
{
    uint8_t h[32];
    if (m->version == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-version", "message version 0 is not defined");
    if (m->payload_len > QIAO_STORE_PAYLOAD_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "payload-too-large", "payload of %zu bytes exceeds the "
                         "%d-byte cap", m->payload_len, QIAO_STORE_PAYLOAD_MAX);
    qiao_keccak256(h, m->payload, m->payload_len);
    if (memcmp(h, m->payload_hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-payload-hash",
                         "keccak256(payload) does not match the message's payloadHash");
    return QIAO_OK;
}

static qiao_err insert_msg(struct qiao_store *s, const struct qiao_store_msg *m,
                           const struct qiao_store_msg_source *src, int *inserted,
                           struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st,
        "INSERT INTO messages(id, version, src_chain, src_emitter, seq, dst_chain, sender,"
        " receiver, payload_hash, payload, state, src_block_height, src_block_hash, src_tx_hash,"
        " src_log_index, observed_at, updated_at)"
        " VALUES(?,?,?,?,?,?,?,?,?,?,'observed',?,?,?,?,?,?) ON CONFLICT(id) DO NOTHING", d));
    int64_t now = qiao_store_now(s);
    qiao_store_bind_blob(st, 1, m->id, 32);
    sqlite3_bind_int(st, 2, m->version);
    qiao_store_bind_u64(st, 3, m->src_chain);
    qiao_store_bind_blob(st, 4, m->src_emitter, 20);
    qiao_store_bind_u64(st, 5, m->seq);
    qiao_store_bind_u64(st, 6, m->dst_chain);
    qiao_store_bind_blob(st, 7, m->sender, 20);
    qiao_store_bind_blob(st, 8, m->receiver, 20);
    qiao_store_bind_blob(st, 9, m->payload_hash, 32);
    qiao_store_bind_blob(st, 10, m->payload, m->payload_len);
    if (src) {
        qiao_store_bind_u64(st, 11, src->block_height);
        qiao_store_bind_blob(st, 12, src->block_hash, 32);
        qiao_store_bind_blob(st, 13, src->tx_hash, 32);
        qiao_store_bind_u64(st, 14, src->log_index);
    }
    sqlite3_bind_int64(st, 15, now);
    sqlite3_bind_int64(st, 16, now);
    QIAO_TRY(qiao_store_run(s, st, NULL, "inserting a message", d));
    *inserted = sqlite3_changes(s->db) == 1;
    return QIAO_OK;
}

/* The id is a hash of the fields, so a stored row with other fields means a bug or an attack. */
static qiao_err same_fields(struct qiao_store *s, const struct qiao_store_msg *m,
                            struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st,
        "SELECT count(*) FROM messages WHERE id=? AND version=? AND src_chain=? AND src_emitter=?"
        " AND seq=? AND dst_chain=? AND sender=? AND receiver=? AND payload_hash=? AND payload=?",
        d));
    qiao_store_bind_blob(st, 1, m->id, 32);
    sqlite3_bind_int(st, 2, m->version);
    qiao_store_bind_u64(st, 3, m->src_chain);
    qiao_store_bind_blob(st, 4, m->src_emitter, 20);
    qiao_store_bind_u64(st, 5, m->seq);
    qiao_store_bind_u64(st, 6, m->dst_chain);
    qiao_store_bind_blob(st, 7, m->sender, 20);
    qiao_store_bind_blob(st, 8, m->receiver, 20);
    qiao_store_bind_blob(st, 9, m->payload_hash, 32);
    qiao_store_bind_blob(st, 10, m->payload, m->payload_len);
    int rc = sqlite3_step(st);
    int same = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return qiao_store_sql_fail(s, "comparing a stored message", d);
    if (same)
        return QIAO_OK;
    char hex[67];
    qiao_hex_encode0x(hex, m->id, 32);
    return QIAO_FAIL(d, QIAO_EVERIFY, "message-conflict",
                     "message %s is already stored with different fields", hex);
}

qiao_err qiao_store_msg_observe(struct qiao_store *s, const struct qiao_store_msg *m,
                                const struct qiao_store_msg_source *src, int *inserted,
                                struct qiao_diag *d)
{
    QIAO_TRY(check_msg(m, d));
    QIAO_TRY(qiao_store_op_begin(s, d));
    int ins = 0;
    qiao_err err = insert_msg(s, m, src, &ins, d);
    if (!err && !ins)
        err = same_fields(s, m, d);
    if (!err && ins) {
        struct qiao_store_event ev = {.has_height = src != NULL,
                                      .height = src ? src->block_height : 0};
        err = qiao_store_msg_audit(s, m->id, "msg-observed", QIAO_MSG_STATE_COUNT, QIAO_MSG_OBSERVED,
                        m->src_chain, &ev, d);
    }
    err = qiao_store_op_end(s, err, d);
    if (inserted)
        *inserted = !err && ins;
    return err;
}

/* Detail JSON with keys in sorted order and no spaces (the canonical form). */
qiao_err qiao_store_msg_audit(struct qiao_store *s, const uint8_t id[32], const char *action,
                              enum qiao_msg_state from, enum qiao_msg_state to, uint64_t chain,
                              const struct qiao_store_event *ev, struct qiao_diag *d)
{
    char hex[67];
    qiao_hex_encode0x(hex, id, 32);
    cJSON *j = cJSON_CreateObject();
    if (from < QIAO_MSG_STATE_COUNT)
        cJSON_AddStringToObject(j, "from", state_names[from]);
    cJSON_AddStringToObject(j, "id", hex);
    if (ev && ev->note)
        cJSON_AddStringToObject(j, "note", ev->note);
    cJSON_AddStringToObject(j, "to", state_names[to]);
    char *text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "formatting an audit row");
    struct qiao_store_audit_in in = {
        .actor = ev && ev->actor ? ev->actor : "notary", .action = action, .has_chain = 1,
        .chain = chain, .has_height = ev && ev->has_height, .height = ev ? ev->height : 0,
        .peer = ev ? ev->peer : NULL, .detail = text,
    };
    qiao_err err = qiao_store_audit_put(s, &in, d);
    cJSON_free(text);
    return err;
}

qiao_err qiao_store_msg_probe(struct qiao_store *s, const uint8_t id[32],
                              enum qiao_msg_state *state, uint64_t *src_chain,
                              uint64_t *dst_chain, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT state, src_chain, dst_chain FROM messages WHERE id=?",
                             d));
    qiao_store_bind_blob(st, 1, id, 32);
    int rc = sqlite3_step(st);
    qiao_err err = QIAO_OK;
    char hex[67];
    qiao_hex_encode0x(hex, id, 32);
    if (rc == SQLITE_ROW) {
        err = qiao_msg_state_parse(state, (const char *)sqlite3_column_text(st, 0), d);
        *src_chain = qiao_store_col_u64(st, 1);
        *dst_chain = qiao_store_col_u64(st, 2);
    } else if (rc == SQLITE_DONE) {
        err = QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-message", "no message %s in the store", hex);
    } else {
        err = qiao_store_sql_fail(s, "reading a message's state", d);
    }
    sqlite3_finalize(st);
    return err;
}

/* Check the state, then update it; both inside the caller's operation, so nothing can move the
 * row in between (the store is single-writer and the operation holds the write lock). */
static qiao_err cas(struct qiao_store *s, const uint8_t id[32], enum qiao_msg_state from,
                    enum qiao_msg_state to, const char *extra_set, const char *reason,
                    uint64_t *chain, struct qiao_diag *d)
{
    enum qiao_msg_state cur;
    uint64_t src, dst;
    QIAO_TRY(qiao_store_msg_probe(s, id, &cur, &src, &dst, d));
    if (cur != from) {
        char hex[67];
        qiao_hex_encode0x(hex, id, 32);
        return QIAO_FAIL(d, QIAO_ESTATE, "state-mismatch", "message %s is %s, not %s", hex,
                         state_names[cur], state_names[from]);
    }
    char sql[320];
    snprintf(sql, sizeof(sql), "UPDATE messages SET state=?1, %s=?2, updated_at=?2%s WHERE id=?3 "
             "AND state=?4", state_cols[to], extra_set ? extra_set : "");
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, sql, d));
    sqlite3_bind_text(st, 1, state_names[to], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, qiao_store_now(s));
    qiao_store_bind_blob(st, 3, id, 32);
    sqlite3_bind_text(st, 4, state_names[from], -1, SQLITE_STATIC);
    if (reason)
        sqlite3_bind_text(st, 5, reason, -1, SQLITE_TRANSIENT);
    if (to == QIAO_MSG_FAILED)
        sqlite3_bind_text(st, 6, state_names[from], -1, SQLITE_STATIC);
    QIAO_TRY(qiao_store_run(s, st, NULL, "updating a message's state", d));
    *chain = to >= QIAO_MSG_SUBMITTED && to != QIAO_MSG_FAILED ? dst : src;
    return QIAO_OK;
}

static qiao_err bad_transition(enum qiao_msg_state from, enum qiao_msg_state to,
                               struct qiao_diag *d)
{
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-transition", "a message cannot move from %s to %s",
                     qiao_msg_state_name(from), qiao_msg_state_name(to));
}

qiao_err qiao_store_msg_advance(struct qiao_store *s, const uint8_t id[32],
                                enum qiao_msg_state from, enum qiao_msg_state to,
                                const struct qiao_store_event *ev, struct qiao_diag *d)
{
    if ((unsigned)from >= QIAO_MSG_STATE_COUNT || (unsigned)to >= QIAO_MSG_STATE_COUNT ||
        to == QIAO_MSG_FAILED || !allowed(from, to))
        return bad_transition(from, to, d);
    char action[32];
    snprintf(action, sizeof(action), "msg-%s", state_names[to]);
    QIAO_TRY(qiao_store_op_begin(s, d));
    uint64_t chain = 0;
    qiao_err err = cas(s, id, from, to, NULL, NULL, &chain, d);
    if (!err)
        err = qiao_store_msg_audit(s, id, action, from, to, chain, ev, d);
    return qiao_store_op_end(s, err, d);
}

/* Attempts and the retry time are computed in SQL from the stored count, so the backoff survives
 * restarts. */
qiao_err qiao_store_msg_fail(struct qiao_store *s, const uint8_t id[32], enum qiao_msg_state from,
                             const char *reason, const struct qiao_store_event *ev,
                             struct qiao_diag *d)
{
    if ((unsigned)from >= QIAO_MSG_STATE_COUNT || !allowed(from, QIAO_MSG_FAILED))
        return bad_transition(from, QIAO_MSG_FAILED, d);
    char note[QIAO_STORE_ERROR_MAX];
    snprintf(note, sizeof(note), "%s", reason && *reason ? reason : "unspecified");
    QIAO_TRY(qiao_store_op_begin(s, d));
    uint64_t chain = 0;
    qiao_err err = cas(s, id, from, QIAO_MSG_FAILED,
                       ", last_error=?5, failed_from=?6, attempts=attempts+1", note, &chain, d);
    if (!err)
        err = qiao_store_msg_schedule(s, id, d);
    if (!err) {
        struct qiao_store_event e = ev ? *ev : (struct qiao_store_event){0};
        e.note = note;
        err = qiao_store_msg_audit(s, id, "msg-failed", from, QIAO_MSG_FAILED, chain, &e, d);
    }
    return qiao_store_op_end(s, err, d);
}
