/* htlc_swaps.c: persisted HTLC swaps with compare-and-set on the engine's state (htlc_swaps.h). */
#include "relay/store/htlc_swaps.h"

#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/store/store_int.h"

static qiao_err check_swap(const struct qiao_store_swap *sw, struct qiao_diag *d)
{
    size_t n = strnlen(sw->state, QIAO_STORE_SWAP_STATE_MAX);
    if (n == 0 || n == QIAO_STORE_SWAP_STATE_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-swap", "swap state name must be 1..%d bytes",
                         QIAO_STORE_SWAP_STATE_MAX - 1);
    if (sw->blob_len == 0 || sw->blob_len > QIAO_STORE_SWAP_BLOB_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-swap", "swap blob of %zu bytes (allowed 1..%d)",
                         sw->blob_len, QIAO_STORE_SWAP_BLOB_MAX);
    return QIAO_OK;
}

static qiao_err current_state(struct qiao_store *s, const uint8_t id[32], char *out,
                              struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT state FROM htlc_swaps WHERE id=?", d));
    qiao_store_bind_blob(st, 1, id, 32);
    int rc = sqlite3_step(st);
    out[0] = 0;
    if (rc == SQLITE_ROW)
        snprintf(out, QIAO_STORE_SWAP_STATE_MAX, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QIAO_OK
                                                 : qiao_store_sql_fail(s, "reading a swap", d);
}

static qiao_err write_swap(struct qiao_store *s, const struct qiao_store_swap *sw,
                           struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "INSERT OR REPLACE INTO htlc_swaps(id, state, hashlock,"
                                     " chain_a, chain_b, timelock_a, timelock_b, blob, updated_at)"
                                     " VALUES(?,?,?,?,?,?,?,?,?)", d));
    qiao_store_bind_blob(st, 1, sw->id, 32);
    sqlite3_bind_text(st, 2, sw->state, -1, SQLITE_TRANSIENT);
    qiao_store_bind_blob(st, 3, sw->hashlock, 32);
    qiao_store_bind_u64(st, 4, sw->chain_a);
    qiao_store_bind_u64(st, 5, sw->chain_b);
    qiao_store_bind_u64(st, 6, sw->timelock_a);
    qiao_store_bind_u64(st, 7, sw->timelock_b);
    qiao_store_bind_blob(st, 8, sw->blob, sw->blob_len);
    sqlite3_bind_int64(st, 9, qiao_store_now(s));
    return qiao_store_run(s, st, NULL, "storing a swap", d);
}

static qiao_err put_work(struct qiao_store *s, const struct qiao_store_swap *sw,
                         const char *expect, struct qiao_diag *d)
{
    char cur[QIAO_STORE_SWAP_STATE_MAX], hex[67];
    qiao_hex_encode0x(hex, sw->id, 32);
    QIAO_TRY(current_state(s, sw->id, cur, d));
    if (!expect && cur[0])
        return QIAO_FAIL(d, QIAO_ESTATE, "swap-exists", "swap %s already exists", hex);
    if (expect && !cur[0])
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-swap", "no swap %s", hex);
    if (expect && strcmp(cur, expect) != 0)
        return QIAO_FAIL(d, QIAO_ESTATE, "state-mismatch", "swap %s is %s, not %.31s", hex, cur,
                         expect);
    QIAO_TRY(write_swap(s, sw, d));
    char detail[192];
    snprintf(detail, sizeof(detail), "{\"from\":\"%s\",\"id\":\"%s\",\"to\":\"%s\"}",
             expect ? cur : "", hex, sw->state);
    struct qiao_store_audit_in in = {.actor = "notary", .action = "swap-state", .detail = detail};
    return qiao_store_audit_put(s, &in, d);
}

static int name_ok(const char *v)
{
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') || *v == '-' || *v == '_'))
            return 0;
    return 1;
}

qiao_err qiao_store_swap_put(struct qiao_store *s, const struct qiao_store_swap *sw,
                             const char *expect_state, struct qiao_diag *d)
{
    QIAO_TRY(check_swap(sw, d));
    /* State names go into the audit JSON unescaped, so they are restricted to a safe alphabet. */
    if (!name_ok(sw->state) || (expect_state && !name_ok(expect_state)))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-swap", "swap state names use [a-z0-9_-] only");
    QIAO_TRY(qiao_store_op_begin(s, d));
    return qiao_store_op_end(s, put_work(s, sw, expect_state, d), d);
}

#define SWAP_COLS "id, state, hashlock, chain_a, chain_b, timelock_a, timelock_b, blob"

static void read_swap(sqlite3_stmt *st, struct qiao_store_swap *sw)
{
    qiao_store_col_blob(st, 0, sw->id, 32);
    snprintf(sw->state, sizeof(sw->state), "%s", (const char *)sqlite3_column_text(st, 1));
    qiao_store_col_blob(st, 2, sw->hashlock, 32);
    sw->chain_a = qiao_store_col_u64(st, 3);
    sw->chain_b = qiao_store_col_u64(st, 4);
    sw->timelock_a = qiao_store_col_u64(st, 5);
    sw->timelock_b = qiao_store_col_u64(st, 6);
    size_t n = (size_t)sqlite3_column_bytes(st, 7);
    sw->blob_len = n <= QIAO_STORE_SWAP_BLOB_MAX ? n : QIAO_STORE_SWAP_BLOB_MAX;
    if (sw->blob_len)
        memcpy(sw->blob, sqlite3_column_blob(st, 7), sw->blob_len);
}

qiao_err qiao_store_swap_get(struct qiao_store *s, const uint8_t id[32],
                             struct qiao_store_swap *out, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT " SWAP_COLS " FROM htlc_swaps WHERE id=?", d));
    qiao_store_bind_blob(st, 1, id, 32);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        read_swap(st, out);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-such-swap", "no such swap in the store");
    return rc == SQLITE_ROW ? QIAO_OK : qiao_store_sql_fail(s, "reading a swap", d);
}

qiao_err qiao_store_swap_find(struct qiao_store *s, const char *state, const uint8_t hashlock[32],
                              qiao_store_swap_fn fn, void *ctx, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, state ? "SELECT " SWAP_COLS " FROM htlc_swaps WHERE state=?"
                                             " ORDER BY id"
                                           : "SELECT " SWAP_COLS " FROM htlc_swaps WHERE"
                                             " hashlock=? ORDER BY id", d));
    if (state)
        sqlite3_bind_text(st, 1, state, -1, SQLITE_TRANSIENT);
    else
        qiao_store_bind_blob(st, 1, hashlock, 32);
    struct qiao_store_swap *sw = sqlite3_malloc(sizeof(*sw));
    int rc = sw ? SQLITE_ROW : SQLITE_NOMEM;
    while (sw && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_swap(st, sw);
        if (fn(ctx, sw))
            break;
    }
    sqlite3_free(sw);
    sqlite3_finalize(st);
    if (rc == SQLITE_NOMEM)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "allocating a swap row");
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QIAO_OK
                                                 : qiao_store_sql_fail(s, "listing swaps", d);
}
