/*
 * store.c: opening the store (pragmas, migrations), ticks, per-operation transactions and the
 * commit fault hook.  See store.h for the durability contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "relay/store/store_int.h"

static int64_t system_clock(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* SQLite calls this just before a COMMIT; non-zero turns the COMMIT into a ROLLBACK.  It is the
 * injection point for a failing commit, placed where a real failed fsync would surface. */
static int commit_hook(void *p)
{
    struct qiao_store *s = p;
    if (s->fault_skip < 0)
        return 0;
    if (s->fault_skip-- > 0)
        return 0;
    s->fault_skip = -1;
    return 1;
}

/* SQLite creates files with the process umask; the store holds what a notary signed and its
 * nonces, so it is created owner-only before SQLite opens it. */
static qiao_err precreate(const char *path, struct qiao_diag *d)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return QIAO_FAIL(d, QIAO_EIO, "open-failed", "store %s: %s", path, strerror(errno));
    close(fd);
    return QIAO_OK;
}

/* Set a pragma and read it back: journal_mode=WAL can silently stay "delete" (e.g. on a
 * filesystem without shared memory), and durability depends on it. */
static qiao_err pragma_expect(struct qiao_store *s, const char *sql, const char *want,
                              struct qiao_diag *d)
{
    sqlite3_stmt *st = NULL;
    QIAO_TRY(qiao_store_prep(s, &st, sql, d));
    int rc = sqlite3_step(st);
    const char *v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    int ok = want ? v && strcmp(v, want) == 0 : rc == SQLITE_ROW || rc == SQLITE_DONE;
    sqlite3_finalize(st);
    if (!ok)
        return QIAO_FAIL(d, QIAO_EIO, "pragma-failed", "\"%s\" did not take effect (want %s): %s",
                         sql, want ? want : "success", sqlite3_errmsg(s->db));
    return QIAO_OK;
}

static qiao_err configure(struct qiao_store *s, struct qiao_diag *d)
{
    sqlite3_busy_timeout(s->db, QIAO_STORE_BUSY_TIMEOUT_MS);
    /* Defensive mode forbids writable_schema and other ways to corrupt the file through SQL. */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    QIAO_TRY(pragma_expect(s, "PRAGMA journal_mode=WAL", "wal", d));
    QIAO_TRY(pragma_expect(s, "PRAGMA synchronous=FULL", NULL, d));
    QIAO_TRY(pragma_expect(s, "PRAGMA synchronous", "2", d));
    QIAO_TRY(pragma_expect(s, "PRAGMA foreign_keys=ON", NULL, d));
    QIAO_TRY(pragma_expect(s, "PRAGMA foreign_keys", "1", d));
    return QIAO_OK;
}

qiao_err qiao_store_open(struct qiao_store **out, const char *path, struct qiao_diag *d)
{
    *out = NULL;
    QIAO_TRY(precreate(path, d));
    struct qiao_store *s = calloc(1, sizeof(*s));
    if (!s)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "allocating the store handle");
    s->fault_skip = -1;
    s->clock = system_clock;
    s->cx = qiao_crypto_create();
    qiao_err err = QIAO_OK;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (!s->cx)
        err = QIAO_FAIL(d, QIAO_ENOMEM, "crypto-init", "cannot create the crypto context");
    else if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK)
        err = QIAO_FAIL(d, QIAO_EIO, "open-failed", "store %s: %s", path,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
    if (!err)
        err = configure(s, d);
    if (!err)
        err = qiao_store_migrate(s->db, qiao_store_migrations, qiao_store_migration_count,
                                 &s->schema_version, d);
    if (err) {
        qiao_diag_wrap(d, "store %s", path);
        qiao_store_close(s);
        return err;
    }
    sqlite3_commit_hook(s->db, commit_hook, s);
    *out = s;
    return QIAO_OK;
}

void qiao_store_close(struct qiao_store *s)
{
    if (!s)
        return;
    if (s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close_v2(s->db);
    qiao_crypto_destroy(s->cx);
    free(s);
}

void qiao_store_set_clock(struct qiao_store *s, qiao_store_clock_fn fn, void *ctx)
{
    s->clock = fn ? fn : system_clock;
    s->clock_ctx = fn ? ctx : NULL;
}

int64_t qiao_store_now(struct qiao_store *s)
{
    return s->clock(s->clock_ctx);
}

int qiao_store_schema_version(struct qiao_store *s)
{
    return s->schema_version;
}

void qiao_store_fault_fail_commit(struct qiao_store *s, int skip)
{
    s->fault_skip = skip < 0 ? -1 : skip;
}

int qiao_store_in_tick(const struct qiao_store *s)
{
    return s->in_tick;
}

qiao_err qiao_store_begin_tick(struct qiao_store *s, struct qiao_diag *d)
{
    if (s->in_tick)
        return QIAO_FAIL(d, QIAO_ESTATE, "tick-open", "a store tick is already open");
    QIAO_TRY(qiao_store_exec(s, "BEGIN IMMEDIATE", d));
    s->in_tick = 1;
    return QIAO_OK;
}

/* COMMIT, and on failure make sure nothing of the transaction survives. */
static qiao_err commit(struct qiao_store *s, const char *what, struct qiao_diag *d)
{
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return QIAO_OK;
    qiao_err err = QIAO_FAIL(d, QIAO_EIO, "commit-failed", "%s did not commit (rolled back): %s",
                             what, sqlite3_errmsg(s->db));
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

qiao_err qiao_store_end_tick(struct qiao_store *s, struct qiao_diag *d)
{
    if (!s->in_tick)
        return QIAO_FAIL(d, QIAO_ESTATE, "no-tick", "end_tick without begin_tick");
    s->in_tick = 0;
    return commit(s, "the tick", d);
}

void qiao_store_abort_tick(struct qiao_store *s)
{
    if (!s->in_tick)
        return;
    s->in_tick = 0;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

qiao_err qiao_store_op_begin(struct qiao_store *s, struct qiao_diag *d)
{
    return qiao_store_exec(s, s->in_tick ? "SAVEPOINT qiao_op" : "BEGIN IMMEDIATE", d);
}

qiao_err qiao_store_op_end(struct qiao_store *s, qiao_err err, struct qiao_diag *d)
{
    if (s->in_tick) {
        if (err)
            sqlite3_exec(s->db, "ROLLBACK TO qiao_op", NULL, NULL, NULL);
        if (sqlite3_exec(s->db, "RELEASE qiao_op", NULL, NULL, NULL) != SQLITE_OK && !err)
            err = qiao_store_sql_fail(s, "releasing a savepoint", d);
        return err;
    }
    if (err) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return err;
    }
    return commit(s, "the operation", d);
}

qiao_err qiao_store_sql_fail(struct qiao_store *s, const char *what, struct qiao_diag *d)
{
    return QIAO_FAIL(d, QIAO_EIO, "sql-failed", "%s: %s", what, sqlite3_errmsg(s->db));
}

qiao_err qiao_store_exec(struct qiao_store *s, const char *sql, struct qiao_diag *d)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return qiao_store_sql_fail(s, sql, d);
    return QIAO_OK;
}

qiao_err qiao_store_prep(struct qiao_store *s, sqlite3_stmt **st, const char *sql,
                         struct qiao_diag *d)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return qiao_store_sql_fail(s, "preparing a statement", d);
    }
    return QIAO_OK;
}

qiao_err qiao_store_run(struct qiao_store *s, sqlite3_stmt *st, const char *conflict_reason,
                        const char *what, struct qiao_diag *d)
{
    int rc = sqlite3_step(st);
    qiao_err err = QIAO_OK;
    if (rc == SQLITE_CONSTRAINT && conflict_reason)
        err = QIAO_FAIL(d, QIAO_ESTATE, conflict_reason, "%s: %s", what, sqlite3_errmsg(s->db));
    else if (rc != SQLITE_DONE)
        err = qiao_store_sql_fail(s, what, d);
    sqlite3_finalize(st);
    return err;
}

void qiao_store_bind_blob(sqlite3_stmt *st, int col, const void *p, size_t n)
{
    if (p)
        sqlite3_bind_blob(st, col, n ? p : "", (int)n, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, col);
}

void qiao_store_bind_u64(sqlite3_stmt *st, int col, uint64_t v)
{
    sqlite3_bind_int64(st, col, (sqlite3_int64)v);
}

int qiao_store_col_blob(sqlite3_stmt *st, int col, uint8_t *out, size_t n)
{
    const void *p = sqlite3_column_blob(st, col);
    if (!p || (size_t)sqlite3_column_bytes(st, col) != n) {
        memset(out, 0, n);
        return -1;
    }
    memcpy(out, p, n);
    return 0;
}

uint64_t qiao_store_col_u64(sqlite3_stmt *st, int col)
{
    return (uint64_t)sqlite3_column_int64(st, col);
}
