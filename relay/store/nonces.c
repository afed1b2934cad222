/* nonces.c: persisted per-(chain, address) transaction nonces (see nonces.h). */
#include "relay/store/nonces.h"

#include "relay/store/store_int.h"

qiao_err qiao_store_nonce_peek(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                               uint64_t *next, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "SELECT next_nonce FROM nonces WHERE chain=? AND address=?",
                             d));
    qiao_store_bind_u64(st, 1, chain);
    qiao_store_bind_blob(st, 2, address, 20);
    int rc = sqlite3_step(st);
    *next = rc == SQLITE_ROW ? qiao_store_col_u64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QIAO_OK
                                                 : qiao_store_sql_fail(s, "reading a nonce", d);
}

static qiao_err write_next(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                           uint64_t next, struct qiao_diag *d)
{
    sqlite3_stmt *st;
    QIAO_TRY(qiao_store_prep(s, &st, "INSERT INTO nonces(chain, address, next_nonce, updated_at)"
                                     " VALUES(?1,?2,?3,?4) ON CONFLICT(chain, address) DO UPDATE"
                                     " SET next_nonce=?3, updated_at=?4", d));
    qiao_store_bind_u64(st, 1, chain);
    qiao_store_bind_blob(st, 2, address, 20);
    qiao_store_bind_u64(st, 3, next);
    sqlite3_bind_int64(st, 4, qiao_store_now(s));
    return qiao_store_run(s, st, NULL, "storing a nonce", d);
}

static qiao_err reserve_work(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                             uint64_t chain_pending, uint64_t *nonce, struct qiao_diag *d)
{
    uint64_t stored;
    QIAO_TRY(qiao_store_nonce_peek(s, chain, address, &stored, d));
    uint64_t n = stored > chain_pending ? stored : chain_pending;
    if (n >= INT64_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "nonce-overflow", "nonce %llu is out of range",
                         (unsigned long long)n);
    QIAO_TRY(write_next(s, chain, address, n + 1, d));
    *nonce = n;
    return QIAO_OK;
}

qiao_err qiao_store_nonce_reserve(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                                  uint64_t chain_pending, uint64_t *nonce, struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_op_begin(s, d));
    return qiao_store_op_end(s, reserve_work(s, chain, address, chain_pending, nonce, d), d);
}

qiao_err qiao_store_nonce_set(struct qiao_store *s, uint64_t chain, const uint8_t address[20],
                              uint64_t next, struct qiao_diag *d)
{
    if (next >= INT64_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "nonce-overflow", "nonce %llu is out of range",
                         (unsigned long long)next);
    QIAO_TRY(qiao_store_op_begin(s, d));
    return qiao_store_op_end(s, write_next(s, chain, address, next, d), d);
}
