/*
 * messages_relocate.c: a message re-included in another source block after a reorg.
 *
 * Before finality a message's location (block, transaction, log index) is only provisional: a
 * reorg can drop its block and the same transaction (same Outbox sequence, so the same message
 * id) can land in another block.  The worker then proves it again at the new location; this moves
 * the stored location there and puts the message back to observed, so finality is judged on the
 * block that holds it now.  Past observed nothing moves: a final block cannot be reorged away
 * without the alert that stops the chain's worker.
 */
#include <string.h>

#include "relay/store/msg_int.h"

/* Current state, failed_from and source block hash.  Out: *has_hash. */
static qiao_err read_location(struct qiao_store *s, const uint8_t id[32], enum qiao_msg_state *st,
                              enum qiao_msg_state *from, uint8_t hash[32], int *has_hash,
                              struct qiao_diag *d)
{
    sqlite3_stmt *q;
    uint64_t src, dst;
    QIAO_TRY(qiao_store_msg_probe(s, id, st, &src, &dst, d));
    QIAO_TRY(qiao_store_prep(s, &q, "SELECT failed_from, src_block_hash FROM messages WHERE id=?",
                             d));
    qiao_store_bind_blob(q, 1, id, 32);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return qiao_store_sql_fail(s, "reading a message's location", d);
    }
    const char *f = (const char *)sqlite3_column_text(q, 0);
    *from = QIAO_MSG_STATE_COUNT;
    if (f)
        qiao_msg_state_parse(from, f, NULL);
    *has_hash = sqlite3_column_bytes(q, 1) == 32;
    if (*has_hash)
        memcpy(hash, sqlite3_column_blob(q, 1), 32);
    sqlite3_finalize(q);
    return QIAO_OK;
}

static qiao_err move(struct qiao_store *s, const uint8_t id[32],
                     const struct qiao_store_msg_source *src, struct qiao_diag *d)
{
    sqlite3_stmt *q;
    QIAO_TRY(qiao_store_prep(s, &q, "UPDATE messages SET src_block_height=?1, src_block_hash=?2,"
                                    " src_tx_hash=?3, src_log_index=?4, state='observed',"
                                    " failed_from=NULL, next_attempt_at=NULL, last_error=NULL,"
                                    " updated_at=?5 WHERE id=?6", d));
    sqlite3_bind_int64(q, 1, (sqlite3_int64)src->block_height);
    qiao_store_bind_blob(q, 2, src->block_hash, 32);
    qiao_store_bind_blob(q, 3, src->tx_hash, 32);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)src->log_index);
    sqlite3_bind_int64(q, 5, qiao_store_now(s));
    qiao_store_bind_blob(q, 6, id, 32);
    return qiao_store_run(s, q, NULL, "relocating a message", d);
}

qiao_err qiao_store_msg_relocate(struct qiao_store *s, const uint8_t id[32],
                                 const struct qiao_store_msg_source *src, int *moved,
                                 struct qiao_diag *d)
{
    enum qiao_msg_state st = QIAO_MSG_STATE_COUNT, from = QIAO_MSG_STATE_COUNT;
    uint8_t hash[32];
    int has_hash = 0, go = 0;
    *moved = 0;
    QIAO_TRY(qiao_store_op_begin(s, d));
    qiao_err err = read_location(s, id, &st, &from, hash, &has_hash, d);
    if (!err)
        go = (st == QIAO_MSG_OBSERVED ||
              (st == QIAO_MSG_FAILED && from == QIAO_MSG_OBSERVED)) &&
             (!has_hash || memcmp(hash, src->block_hash, 32) != 0);
    if (!err && go)
        err = move(s, id, src, d);
    if (!err && go) {
        struct qiao_store_event ev = {.has_height = 1, .height = src->block_height,
                                      .note = "re-included in another source block"};
        uint64_t chain = 0, dst = 0;
        enum qiao_msg_state cur;
        err = qiao_store_msg_probe(s, id, &cur, &chain, &dst, d);
        if (!err)
            err = qiao_store_msg_audit(s, id, "msg-relocated", st, QIAO_MSG_OBSERVED, chain, &ev,
                                       d);
    }
    err = qiao_store_op_end(s, err, d);
    *moved = !err && go;
    return err;
}
