/* peers.c: persisted peer records (see peers.h). */
#include "relay/store/peers.h"

#include <stdio.h>
#include <string.h>

#include "relay/store/store_int.h"

static qiao_err check_str(const char *what, const char *v, size_t max, struct qiao_diag *d)
{
    size_t n = v ? strlen(v) : 0;
    if (n == 0 || n > max)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-peer", "peer %s must be 1..%zu bytes", what, max);
    return QIAO_OK;
}

qiao_err qiao_store_peer_put(struct qiao_store *s, const char *id, const uint8_t address[20],
                             const char *url, struct qiao_diag *d)
{
    QIAO_TRY(check_str("id", id, QIAO_STORE_PEER_ID_MAX, d));
    QIAO_TRY(check_str("url", url, QIAO_STORE_PEER_URL_MAX, d));
    QIAO_TRY(qiao_store_op_begin(s, d));
    sqlite3_stmt *st;
    qiao_err err = qiao_store_prep(s, &st, "INSERT INTO peers(id, address, url, updated_at)"
                                           " VALUES(?1,?2,?3,?4) ON CONFLICT(id) DO UPDATE SET"
                                           " address=?2, url=?3, updated_at=?4", d);
    if (!err) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        qiao_store_bind_blob(st, 2, address, 20);
        sqlite3_bind_text(st, 3, url, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, qiao_store_now(s));
        err = qiao_store_run(s, st, NULL, "storing a peer", d);
    }
    return qiao_store_op_end(s, err, d);
}

static qiao_err read_up(struct qiao_store *s, const char *id, int *up, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT up FROM peers WHERE id=?", d));
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *up = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-peer", "peer \"%.64s\" is not known", id);
    return rc == SQLITE_ROW ? QIAO_OK : qiao_store_sql_fail(s, "reading a peer", d);
}

static qiao_err set_up_work(struct qiao_store *s, const char *id, int up, struct qiao_diag *d)
{
    int was;
    QIAO_TRY(read_up(s, id, &was, d));
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, up ? "UPDATE peers SET up=1, failures=0, last_seen=?1,"
                                          " updated_at=?1 WHERE id=?2"
                                        : "UPDATE peers SET up=0, failures=failures+1,"
                                          " updated_at=?1 WHERE id=?2", d));
    sqlite3_bind_int64(st, 1, qiao_store_now(s));
    sqlite3_bind_text(st, 2, id, -1, SQLITE_TRANSIENT);
    QIAO_TRY(qiao_store_run(s, st, NULL, "updating a peer", d));
    if (!was == !up)
        return QIAO_OK;
    struct qiao_store_audit_in in = {.actor = "notary", .action = up ? "peer-up" : "peer-down",
                                     .peer = id};
    return qiao_store_audit_put(s, &in, d);
}

qiao_err qiao_store_peer_set_up(struct qiao_store *s, const char *id, int up, struct qiao_diag *d)
{
    QIAO_TRY(check_str("id", id, QIAO_STORE_PEER_ID_MAX, d));
    QIAO_TRY(qiao_store_op_begin(s, d));
    return qiao_store_op_end(s, set_up_work(s, id, up, d), d);
}

qiao_err qiao_store_peer_list(struct qiao_store *s, qiao_store_peer_fn fn, void *ctx,
                              struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT id, address, url, up, failures, last_seen FROM peers"
                                     " ORDER BY id", d));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct qiao_store_peer p = {
            .id = (const char *)sqlite3_column_text(st, 0),
            .url = (const char *)sqlite3_column_text(st, 2),
            .up = sqlite3_column_int(st, 3),
            .failures = (uint32_t)sqlite3_column_int64(st, 4),
            .last_seen = sqlite3_column_int64(st, 5),
        };
        qiao_store_col_blob(st, 1, p.address, 20);
        if (fn(ctx, &p))
            break;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QIAO_OK
                                                 : qiao_store_sql_fail(s, "listing peers", d);
}
