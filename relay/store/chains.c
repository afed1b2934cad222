/* chains.c: chains and verified headers (see chains.h). */
#include "relay/store/chains.h"

#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/store/store_int.h"

static const char *const hdr_names[] = {"active", "stale", "final"};

static enum qiao_header_status hdr_parse(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, hdr_names[i]) == 0)
            return (enum qiao_header_status)i;
    return QIAO_HDR_STALE; /* unreachable under the CHECK constraint; stale is the safe reading */
}

qiao_err qiao_store_chain_put(struct qiao_store *s, const struct qiao_store_chain *c,
                              struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_op_begin(s, d));
    sqlite3_stmt *st;
    qiao_err err = qiao_store_prep(s, &st,
        "INSERT INTO chains(id, name, family, checkpoint_height, checkpoint_hash, updated_at)"
        " VALUES(?1,?2,?3,?4,?5,?6) ON CONFLICT(id) DO UPDATE SET name=?2, family=?3,"
        " checkpoint_height=?4, checkpoint_hash=?5, updated_at=?6", d);
    if (!err) {
        qiao_store_bind_u64(st, 1, c->id);
        sqlite3_bind_text(st, 2, c->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, c->family, -1, SQLITE_TRANSIENT);
        if (c->has_checkpoint) {
            qiao_store_bind_u64(st, 4, c->checkpoint_height);
            qiao_store_bind_blob(st, 5, c->checkpoint_hash, 32);
        }
        sqlite3_bind_int64(st, 6, qiao_store_now(s));
        err = qiao_store_run(s, st, NULL, "storing a chain", d);
    }
    return qiao_store_op_end(s, err, d);
}

qiao_err qiao_store_chain_heights(struct qiao_store *s, uint64_t id, uint64_t tip,
                                  uint64_t final_height, struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_op_begin(s, d));
    sqlite3_stmt *st;
    qiao_err err = qiao_store_prep(s, &st, "UPDATE chains SET tip_height=?, final_height=?,"
                                           " updated_at=? WHERE id=?", d);
    if (!err) {
        qiao_store_bind_u64(st, 1, tip);
        qiao_store_bind_u64(st, 2, final_height);
        sqlite3_bind_int64(st, 3, qiao_store_now(s));
        qiao_store_bind_u64(st, 4, id);
        err = qiao_store_run(s, st, NULL, "updating chain heights", d);
    }
    if (!err && sqlite3_changes(s->db) == 0)
        err = QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-chain", "chain %llu is not in the store",
                        (unsigned long long)id);
    return qiao_store_op_end(s, err, d);
}

qiao_err qiao_store_chain_get(struct qiao_store *s, uint64_t id, struct qiao_store_chain *out,
                              struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT name, family, checkpoint_height, checkpoint_hash,"
                                     " tip_height, final_height FROM chains WHERE id=?", d));
    qiao_store_bind_u64(st, 1, id);
    int rc = sqlite3_step(st);
    memset(out, 0, sizeof(*out));
    if (rc == SQLITE_ROW) {
        out->id = id;
        snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(out->family, sizeof(out->family), "%s", (const char *)sqlite3_column_text(st, 1));
        out->has_checkpoint = sqlite3_column_type(st, 3) != SQLITE_NULL;
        out->checkpoint_height = qiao_store_col_u64(st, 2);
        qiao_store_col_blob(st, 3, out->checkpoint_hash, 32);
        out->tip_height = qiao_store_col_u64(st, 4);
        out->final_height = qiao_store_col_u64(st, 5);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-chain", "chain %llu is not in the store",
                         (unsigned long long)id);
    return rc == SQLITE_ROW ? QIAO_OK : qiao_store_sql_fail(s, "reading a chain", d);
}

#define HDR_COLS "chain, height, hash, parent, chainwork, status"

static void read_header(sqlite3_stmt *st, struct qiao_store_header *h)
{
    memset(h, 0, sizeof(*h));
    h->chain = qiao_store_col_u64(st, 0);
    h->height = qiao_store_col_u64(st, 1);
    qiao_store_col_blob(st, 2, h->hash, 32);
    qiao_store_col_blob(st, 3, h->parent, 32);
    qiao_store_col_blob(st, 4, h->chainwork, 32);
    h->status = hdr_parse((const char *)sqlite3_column_text(st, 5));
}

/* Run a one-row header query already bound; ENOTFOUND when empty. */
static qiao_err header_one(struct qiao_store *s, sqlite3_stmt *st, struct qiao_store_header *out,
                           struct qiao_diag *d)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_header(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-header", "no such header in the store");
    return rc == SQLITE_ROW ? QIAO_OK : qiao_store_sql_fail(s, "reading a header", d);
}

static qiao_err header_same(struct qiao_store *s, const struct qiao_store_header *h,
                            struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT count(*) FROM headers WHERE chain=? AND hash=? AND"
                                     " height=? AND parent=? AND raw=? AND chainwork=?", d));
    qiao_store_bind_u64(st, 1, h->chain);
    qiao_store_bind_blob(st, 2, h->hash, 32);
    qiao_store_bind_u64(st, 3, h->height);
    qiao_store_bind_blob(st, 4, h->parent, 32);
    qiao_store_bind_blob(st, 5, h->raw, h->raw_len);
    qiao_store_bind_blob(st, 6, h->chainwork, 32);
    int rc = sqlite3_step(st);
    int same = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
    sqlite3_finalize(st);
    if (same)
        return QIAO_OK;
    char hex[67];
    qiao_hex_encode0x(hex, h->hash, 32);
    return QIAO_FAIL(d, QIAO_EVERIFY, "header-conflict", "chain %llu header %s is already stored "
                     "with different contents", (unsigned long long)h->chain, hex);
}

static qiao_err header_insert(struct qiao_store *s, const struct qiao_store_header *h,
                              struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "INSERT INTO headers(chain, height, hash, parent, raw,"
                                     " chainwork, status, seen_at) VALUES(?,?,?,?,?,?,?,?)"
                                     " ON CONFLICT DO NOTHING", d));
    qiao_store_bind_u64(st, 1, h->chain);
    qiao_store_bind_u64(st, 2, h->height);
    qiao_store_bind_blob(st, 3, h->hash, 32);
    qiao_store_bind_blob(st, 4, h->parent, 32);
    qiao_store_bind_blob(st, 5, h->raw, h->raw_len);
    qiao_store_bind_blob(st, 6, h->chainwork, 32);
    sqlite3_bind_text(st, 7, hdr_names[h->status], -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, qiao_store_now(s));
    QIAO_TRY(qiao_store_run(s, st, NULL, "storing a header", d));
    return sqlite3_changes(s->db) == 1 ? QIAO_OK : header_same(s, h, d);
}

qiao_err qiao_store_header_put(struct qiao_store *s, const struct qiao_store_header *h,
                               struct qiao_diag *d)
{
    if (!h->raw || h->raw_len == 0 || h->raw_len > QIAO_STORE_HEADER_RAW_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-header-size", "raw header of %zu bytes (allowed "
                         "1..%d)", h->raw_len, QIAO_STORE_HEADER_RAW_MAX);
    if ((unsigned)h->status > QIAO_HDR_FINAL)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-header-status", "header status %d", (int)h->status);
    QIAO_TRY(qiao_store_op_begin(s, d));
    return qiao_store_op_end(s, header_insert(s, h, d), d);
}

static qiao_err status_work(struct qiao_store *s, uint64_t chain, const uint8_t hash[32],
                            enum qiao_header_status status, struct qiao_diag *d)
{
    struct qiao_store_header h;
    QIAO_TRY(qiao_store_header_get(s, chain, hash, &h, d));
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "UPDATE headers SET status=? WHERE chain=? AND hash=?", d));
    sqlite3_bind_text(st, 1, hdr_names[status], -1, SQLITE_STATIC);
    qiao_store_bind_u64(st, 2, chain);
    qiao_store_bind_blob(st, 3, hash, 32);
    QIAO_TRY(qiao_store_run(s, st, NULL, "changing a header's status", d));
    if (status == QIAO_HDR_ACTIVE || h.status == status)
        return QIAO_OK;
    char hex[67], detail[128];
    qiao_hex_encode0x(hex, hash, 32);
    snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"hash\":\"%s\"}", hdr_names[h.status], hex);
    struct qiao_store_audit_in in = {.actor = "notary",
                                     .action = status == QIAO_HDR_FINAL ? "header-final"
                                                                        : "header-stale",
                                     .has_chain = 1, .chain = chain, .has_height = 1,
                                     .height = h.height, .detail = detail};
    return qiao_store_audit_put(s, &in, d);
}

qiao_err qiao_store_header_status(struct qiao_store *s, uint64_t chain, const uint8_t hash[32],
                                  enum qiao_header_status st, struct qiao_diag *d)
{
    if ((unsigned)st > QIAO_HDR_FINAL)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-header-status", "header status %d", (int)st);
    QIAO_TRY(qiao_store_op_begin(s, d));
    return qiao_store_op_end(s, status_work(s, chain, hash, st, d), d);
}

qiao_err qiao_store_header_get(struct qiao_store *s, uint64_t chain, const uint8_t hash[32],
                               struct qiao_store_header *out, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " HDR_COLS " FROM headers WHERE chain=? AND hash=?",
                             d));
    qiao_store_bind_u64(st, 1, chain);
    qiao_store_bind_blob(st, 2, hash, 32);
    return header_one(s, st, out, d);
}

qiao_err qiao_store_header_raw(struct qiao_store *s, uint64_t chain, const uint8_t hash[32],
                               uint8_t *buf, size_t cap, size_t *len, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT raw FROM headers WHERE chain=? AND hash=?", d));
    qiao_store_bind_u64(st, 1, chain);
    qiao_store_bind_blob(st, 2, hash, 32);
    int rc = sqlite3_step(st);
    qiao_err err = QIAO_OK;
    if (rc == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        if (*len > cap)
            err = QIAO_FAIL(d, QIAO_ERANGE, "buffer-too-small", "header of %zu bytes, room for %zu",
                            *len, cap);
        else if (*len)
            memcpy(buf, sqlite3_column_blob(st, 0), *len);
    } else {
        err = rc == SQLITE_DONE ? QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-header", "no such header")
                                : qiao_store_sql_fail(s, "reading a header", d);
    }
    sqlite3_finalize(st);
    return err;
}

qiao_err qiao_store_header_at(struct qiao_store *s, uint64_t chain, uint64_t height,
                              struct qiao_store_header *out, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " HDR_COLS " FROM headers WHERE chain=? AND height=?"
                                     " AND status<>'stale' ORDER BY status='final' DESC LIMIT 1",
                             d));
    qiao_store_bind_u64(st, 1, chain);
    qiao_store_bind_u64(st, 2, height);
    return header_one(s, st, out, d);
}

qiao_err qiao_store_header_tip(struct qiao_store *s, uint64_t chain, struct qiao_store_header *out,
                               struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " HDR_COLS " FROM headers WHERE chain=? AND"
                                     " status<>'stale' ORDER BY height DESC, chainwork DESC"
                                     " LIMIT 1", d));
    qiao_store_bind_u64(st, 1, chain);
    return header_one(s, st, out, d);
}
