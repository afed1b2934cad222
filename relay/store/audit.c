/* audit.c: appending to and verifying the hash-chained audit log (see audit.h). */
#include "relay/store/audit.h"

#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/json.h"
#include "relay/store/store_int.h"

static void add_str(struct qiao_crypto *cx, const char *x)
{
    uint8_t len[4];
    size_t n = strlen(x);
    qiao_store32be(len, (uint32_t)n);
    qiao_sha256_add(cx, len, 4);
    qiao_sha256_add(cx, x, n);
}

static void add_opt(struct qiao_crypto *cx, int has, uint64_t v)
{
    uint8_t b[9] = {0};
    b[0] = has ? 1 : 0;
    qiao_store64be(b + 1, v);
    qiao_sha256_add(cx, b, has ? 9 : 1);
}

/* hash = SHA-256(prev ‖ canonical row bytes); the layout is specified in audit.h. */
static void row_hash(struct qiao_crypto *cx, uint8_t out[32], const struct qiao_store_audit_row *r)
{
    uint8_t head[16];
    qiao_store64be(head, r->seq);
    qiao_store64be(head + 8, (uint64_t)r->at);
    qiao_sha256_begin(cx);
    qiao_sha256_add(cx, r->prev_hash, 32);
    qiao_sha256_add(cx, head, 16);
    add_str(cx, r->actor);
    add_str(cx, r->action);
    add_opt(cx, r->has_chain, r->chain);
    add_opt(cx, r->has_height, r->height);
    uint8_t has_peer = r->peer != NULL;
    qiao_sha256_add(cx, &has_peer, 1);
    if (r->peer)
        add_str(cx, r->peer);
    add_str(cx, r->detail);
    qiao_sha256_end(cx, out);
}

qiao_err qiao_store_audit_head(struct qiao_store *s, uint64_t *seq, uint8_t hash[32],
                               struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", d));
    int rc = sqlite3_step(st);
    *seq = 0;
    memset(hash, 0, 32);
    if (rc == SQLITE_ROW) {
        *seq = qiao_store_col_u64(st, 0);
        qiao_store_col_blob(st, 1, hash, 32);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return qiao_store_sql_fail(s, "reading the audit head", d);
    return QIAO_OK;
}

static qiao_err insert_row(struct qiao_store *s, const struct qiao_store_audit_row *r,
                           struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st,
                             "INSERT INTO audit(seq, at, actor, action, chain, height, peer, detail,"
                             " prev_hash, hash) VALUES(?,?,?,?,?,?,?,?,?,?)", d));
    qiao_store_bind_u64(st, 1, r->seq);
    sqlite3_bind_int64(st, 2, r->at);
    sqlite3_bind_text(st, 3, r->actor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, r->action, -1, SQLITE_TRANSIENT);
    if (r->has_chain)
        qiao_store_bind_u64(st, 5, r->chain);
    if (r->has_height)
        qiao_store_bind_u64(st, 6, r->height);
    if (r->peer)
        sqlite3_bind_text(st, 7, r->peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, r->detail, -1, SQLITE_TRANSIENT);
    qiao_store_bind_blob(st, 9, r->prev_hash, 32);
    qiao_store_bind_blob(st, 10, r->hash, 32);
    return qiao_store_run(s, st, NULL, "appending an audit row", d);
}

qiao_err qiao_store_audit_put(struct qiao_store *s, const struct qiao_store_audit_in *in,
                              struct qiao_diag *d)
{
    struct qiao_store_audit_row r = {
        .at = qiao_store_now(s), .actor = in->actor, .action = in->action,
        .has_chain = in->has_chain, .chain = in->chain, .has_height = in->has_height,
        .height = in->height, .peer = in->peer, .detail = in->detail ? in->detail : "{}",
    };
    uint64_t last;
    QIAO_TRY(qiao_store_audit_head(s, &last, r.prev_hash, d));
    r.seq = last + 1;
    row_hash(s->cx, r.hash, &r);
    return insert_row(s, &r, d);
}

static qiao_err check_text(const char *what, const char *v, size_t max, struct qiao_diag *d)
{
    size_t n = strlen(v);
    if (n == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-detail", "audit %s is empty", what);
    if (n > max)
        return QIAO_FAIL(d, QIAO_ERANGE, "audit-field-too-long", "audit %s of %zu bytes exceeds %zu",
                         what, n, max);
    return QIAO_OK;
}

static qiao_err check_detail(const char *detail, struct qiao_diag *d)
{
    QIAO_TRY(check_text("detail", detail, QIAO_AUDIT_DETAIL_MAX, d));
    cJSON *j = NULL;
    qiao_err err = qiao_json_parse(&j, detail, strlen(detail), QIAO_AUDIT_DETAIL_MAX, 8, d);
    if (!err && !cJSON_IsObject(j))
        err = QIAO_FAIL(d, QIAO_EINVAL, "bad-detail", "audit detail must be a JSON object");
    else if (err)
        err = QIAO_FAIL(d, QIAO_EINVAL, "bad-detail", "audit detail is not valid JSON");
    cJSON_Delete(j);
    return err;
}

qiao_err qiao_store_audit_append(struct qiao_store *s, const char *actor, const char *action,
                                 int has_chain, uint64_t chain, int has_height, uint64_t height,
                                 const char *peer, const char *detail_json, uint64_t *seq,
                                 struct qiao_diag *d)
{
    QIAO_TRY(check_text("actor", actor, QIAO_AUDIT_ACTOR_MAX, d));
    QIAO_TRY(check_text("action", action, QIAO_AUDIT_ACTION_MAX, d));
    if (peer)
        QIAO_TRY(check_text("peer", peer, QIAO_AUDIT_PEER_MAX, d));
    if (detail_json)
        QIAO_TRY(check_detail(detail_json, d));
    struct qiao_store_audit_in in = {.actor = actor, .action = action, .has_chain = has_chain,
                                     .chain = chain, .has_height = has_height, .height = height,
                                     .peer = peer, .detail = detail_json};
    QIAO_TRY(qiao_store_op_begin(s, d));
    qiao_err err = qiao_store_audit_put(s, &in, d);
    uint8_t h[32];
    uint64_t last = 0;
    if (!err && seq)
        err = qiao_store_audit_head(s, &last, h, d);
    err = qiao_store_op_end(s, err, d);
    if (!err && seq)
        *seq = last;
    return err;
}

static const char *col_text(sqlite3_stmt *st, int col)
{
    const char *t = (const char *)sqlite3_column_text(st, col);
    return t ? t : "";
}

static void read_row(sqlite3_stmt *st, struct qiao_store_audit_row *r)
{
    r->seq = qiao_store_col_u64(st, 0);
    r->at = sqlite3_column_int64(st, 1);
    r->actor = col_text(st, 2);
    r->action = col_text(st, 3);
    r->has_chain = sqlite3_column_type(st, 4) != SQLITE_NULL;
    r->chain = qiao_store_col_u64(st, 4);
    r->has_height = sqlite3_column_type(st, 5) != SQLITE_NULL;
    r->height = qiao_store_col_u64(st, 5);
    r->peer = sqlite3_column_type(st, 6) == SQLITE_NULL ? NULL : col_text(st, 6);
    r->detail = col_text(st, 7);
    qiao_store_col_blob(st, 8, r->prev_hash, 32);
    qiao_store_col_blob(st, 9, r->hash, 32);
}

#define AUDIT_COLS "seq, at, actor, action, chain, height, peer, detail, prev_hash, hash"

/* One link: seq follows, prev_hash matches the previous row, hash recomputes. */
static qiao_err check_link(struct qiao_store *s, const struct qiao_store_audit_row *r,
                           uint64_t want_seq, const uint8_t prev[32], struct qiao_diag *d)
{
    uint8_t h[32];
    if (r->seq != want_seq)
        return QIAO_FAIL(d, QIAO_EVERIFY, "audit-seq-gap", "audit row %llu found where row %llu "
                         "belongs: rows were removed", (unsigned long long)r->seq,
                         (unsigned long long)want_seq);
    if (!qiao_ct_equal(r->prev_hash, prev, 32))
        return QIAO_FAIL(d, QIAO_EVERIFY, "audit-prev-mismatch", "audit row %llu: prev_hash does "
                         "not match row %llu's hash", (unsigned long long)r->seq,
                         (unsigned long long)want_seq - 1);
    row_hash(s->cx, h, r);
    if (!qiao_ct_equal(h, r->hash, 32))
        return QIAO_FAIL(d, QIAO_EVERIFY, "audit-hash-mismatch", "audit row %llu: contents do "
                         "not match its hash (the row was altered)", (unsigned long long)r->seq);
    return QIAO_OK;
}

qiao_err qiao_store_audit_verify(struct qiao_store *s, uint64_t *rows, uint64_t *first_bad,
                                 struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " AUDIT_COLS " FROM audit ORDER BY seq", d));
    uint8_t prev[32] = {0};
    uint64_t n = 0, bad = 0;
    qiao_err err = QIAO_OK;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct qiao_store_audit_row r;
        read_row(st, &r);
        if ((err = check_link(s, &r, n + 1, prev, d)) != QIAO_OK) {
            bad = n + 1;
            break;
        }
        memcpy(prev, r.hash, 32);
        n++;
    }
    if (!err && rc != SQLITE_DONE)
        err = qiao_store_sql_fail(s, "walking the audit log", d);
    sqlite3_finalize(st);
    if (rows)
        *rows = n;
    if (first_bad)
        *first_bad = bad;
    return err;
}

qiao_err qiao_store_audit_list(struct qiao_store *s, uint64_t after, unsigned limit,
                               qiao_store_audit_fn fn, void *ctx, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " AUDIT_COLS " FROM audit WHERE seq > ? ORDER BY seq"
                                     " LIMIT ?", d));
    qiao_store_bind_u64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct qiao_store_audit_row r;
        read_row(st, &r);
        if (fn(ctx, &r))
            break;
    }
    qiao_err err = rc == SQLITE_ROW || rc == SQLITE_DONE
                       ? QIAO_OK
                       : qiao_store_sql_fail(s, "listing the audit log", d);
    sqlite3_finalize(st);
    return err;
}
