/* attest.c: attestations, the anti-equivocation signing guard and "what are you missing". */
#include "relay/store/attest.h"

#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/store/store_int.h"

/* Audit row with one message id and a short note; detail keys sorted, no spaces. */
static qiao_err audit_att(struct qiao_store *s, const char *action, const uint8_t message[32],
                          const char *k2, const char *v2, uint64_t epoch, const char *peer,
                          struct qiao_diag *d)
{
    char id[67], detail[256];
    qiao_hex_encode0x(id, message, 32);
    snprintf(detail, sizeof(detail), "{\"epoch\":%llu,\"id\":\"%s\",\"%s\":\"%s\"}",
             (unsigned long long)epoch, id, k2, v2);
    struct qiao_store_audit_in in = {.actor = peer ? "peer" : "notary", .action = action,
                                     .peer = peer, .detail = detail};
    return qiao_store_audit_put(s, &in, d);
}

static qiao_err insert_att(struct qiao_store *s, const struct qiao_store_att *a, int *inserted,
                           struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "INSERT INTO attestations(message, committee, epoch, signer,"
                                     " signature, peer, received_at) VALUES(?,?,?,?,?,?,?)"
                                     " ON CONFLICT DO NOTHING", d));
    qiao_store_bind_blob(st, 1, a->message, 32);
    qiao_store_bind_blob(st, 2, a->committee, 32);
    qiao_store_bind_u64(st, 3, a->epoch);
    qiao_store_bind_blob(st, 4, a->signer, 20);
    qiao_store_bind_blob(st, 5, a->sig, 65);
    if (a->peer)
        sqlite3_bind_text(st, 6, a->peer, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 7, qiao_store_now(s));
    QIAO_TRY(qiao_store_run(s, st, NULL, "storing an attestation", d));
    *inserted = sqlite3_changes(s->db) == 1;
    return QIAO_OK;
}

qiao_err qiao_store_att_put(struct qiao_store *s, const struct qiao_store_att *a, int *inserted,
                            struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_op_begin(s, d));
    int ins = 0;
    qiao_err err = insert_att(s, a, &ins, d);
    if (!err && ins) {
        char signer[43];
        qiao_hex_encode0x(signer, a->signer, 20);
        err = audit_att(s, "att-stored", a->message, "signer", signer, a->epoch, a->peer, d);
    }
    err = qiao_store_op_end(s, err, d);
    if (inserted)
        *inserted = !err && ins;
    return err;
}

static void read_att(sqlite3_stmt *st, struct qiao_store_att *a)
{
    qiao_store_col_blob(st, 0, a->message, 32);
    qiao_store_col_blob(st, 1, a->committee, 32);
    a->epoch = qiao_store_col_u64(st, 2);
    qiao_store_col_blob(st, 3, a->signer, 20);
    qiao_store_col_blob(st, 4, a->sig, 65);
    a->peer = (const char *)sqlite3_column_text(st, 5);
    a->received_at = sqlite3_column_int64(st, 6);
}

/* Returns 1 when fn asked to stop. */
static qiao_err list_one(struct qiao_store *s, sqlite3_stmt *st, const uint8_t message[32],
                         uint64_t epoch, qiao_store_att_fn fn, void *ctx, int *stop,
                         struct qiao_diag *d)
{
    sqlite3_reset(st);
    qiao_store_bind_blob(st, 1, message, 32);
    qiao_store_bind_u64(st, 2, epoch);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct qiao_store_att a;
        read_att(st, &a);
        if ((*stop = fn(ctx, &a)) != 0)
            return QIAO_OK;
    }
    return rc == SQLITE_DONE ? QIAO_OK : qiao_store_sql_fail(s, "listing attestations", d);
}

#define ATT_SELECT                                                                                 \
    "SELECT message, committee, epoch, signer, signature, peer, received_at FROM attestations"     \
    " WHERE message=? AND epoch=? ORDER BY signer"

qiao_err qiao_store_att_list(struct qiao_store *s, const uint8_t message[32], uint64_t epoch,
                             qiao_store_att_fn fn, void *ctx, struct qiao_diag *d)
{
    return qiao_store_missing(s, (const uint8_t(*)[32])message, 1, epoch, fn, ctx, d);
}

qiao_err qiao_store_missing(struct qiao_store *s, const uint8_t (*ids)[32], size_t n,
                            uint64_t epoch, qiao_store_att_fn fn, void *ctx, struct qiao_diag *d)
{
    if (n > 1024)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-ids", "a missing-attestations request names %zu "
                         "ids; the cap is 1024", n);
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, ATT_SELECT, d));
    qiao_err err = QIAO_OK;
    int stop = 0;
    for (size_t i = 0; i < n && !err && !stop; i++)
        err = list_one(s, st, ids[i], epoch, fn, ctx, &stop, d);
    sqlite3_finalize(st);
    return err;
}

qiao_err qiao_store_att_count(struct qiao_store *s, const uint8_t message[32], uint64_t epoch,
                              unsigned *count, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT count(*) FROM attestations WHERE message=? AND"
                                     " epoch=?", d));
    qiao_store_bind_blob(st, 1, message, 32);
    qiao_store_bind_u64(st, 2, epoch);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? (unsigned)sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? QIAO_OK : qiao_store_sql_fail(s, "counting attestations", d);
}

/* Out: *found and the bound digest for key. */
static qiao_err guard_lookup(struct qiao_store *s, const struct qiao_store_lane_seq *k,
                             int *found, uint8_t digest[32], struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT digest FROM signed_lane_seq WHERE committee=? AND"
                                     " epoch=? AND src_chain=? AND dst_chain=? AND seq=?", d));
    qiao_store_bind_blob(st, 1, k->committee, 32);
    qiao_store_bind_u64(st, 2, k->epoch);
    qiao_store_bind_u64(st, 3, k->src_chain);
    qiao_store_bind_u64(st, 4, k->dst_chain);
    qiao_store_bind_u64(st, 5, k->seq);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found)
        qiao_store_col_blob(st, 0, digest, 32);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QIAO_OK
                                                 : qiao_store_sql_fail(s, "reading the guard", d);
}

static qiao_err guard_insert(struct qiao_store *s, const struct qiao_store_lane_seq *k,
                             const uint8_t digest[32], const uint8_t message[32],
                             struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "INSERT INTO signed_lane_seq(committee, epoch, src_chain,"
                                     " dst_chain, seq, digest, message, signed_at)"
                                     " VALUES(?,?,?,?,?,?,?,?)", d));
    qiao_store_bind_blob(st, 1, k->committee, 32);
    qiao_store_bind_u64(st, 2, k->epoch);
    qiao_store_bind_u64(st, 3, k->src_chain);
    qiao_store_bind_u64(st, 4, k->dst_chain);
    qiao_store_bind_u64(st, 5, k->seq);
    qiao_store_bind_blob(st, 6, digest, 32);
    qiao_store_bind_blob(st, 7, message, 32);
    sqlite3_bind_int64(st, 8, qiao_store_now(s));
    return qiao_store_run(s, st, "lane-seq-conflict", "reserving a lane sequence", d);
}

static qiao_err guard_work(struct qiao_store *s, const struct qiao_store_lane_seq *k,
                           const uint8_t digest[32], const uint8_t message[32],
                           struct qiao_diag *d)
{
    int found;
    uint8_t have[32];
    QIAO_TRY(guard_lookup(s, k, &found, have, d));
    if (found && memcmp(have, digest, 32) == 0)
        return QIAO_OK;
    char a[67], b[67];
    if (found) {
        qiao_hex_encode0x(a, have, 32);
        qiao_hex_encode0x(b, digest, 32);
        return QIAO_FAIL(d, QIAO_EVERIFY, "lane-seq-conflict",
                         "refusing to sign %s: lane %llu->%llu seq %llu (epoch %llu) is already "
                         "signed as %s", b, (unsigned long long)k->src_chain,
                         (unsigned long long)k->dst_chain, (unsigned long long)k->seq,
                         (unsigned long long)k->epoch, a);
    }
    QIAO_TRY(guard_insert(s, k, digest, message, d));
    qiao_hex_encode0x(a, digest, 32);
    return audit_att(s, "sign-reserved", message, "digest", a, k->epoch, NULL, d);
}

qiao_err qiao_store_sign_guard(struct qiao_store *s, const struct qiao_store_lane_seq *key,
                               const uint8_t digest[32], const uint8_t message[32],
                               struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_op_begin(s, d));
    return qiao_store_op_end(s, guard_work(s, key, digest, message, d), d);
}
