/*
 * store_int.h: what the store's own files share (not for callers): the handle's layout, the
 * transaction wrappers every public operation uses, statement helpers and the migration runner.
 *
 * Every public mutating operation is written as
 *     QIAO_TRY(qiao_store_op_begin(s, d));
 *     err = <work using the internal helpers only>;
 *     return qiao_store_op_end(s, err, d);
 * so it is one transaction outside a tick and one savepoint inside a tick, and its failure undoes
 * exactly its own writes.  Internal helpers never open transactions themselves.
 */
#ifndef QIAO_STORE_STORE_INT_H
#define QIAO_STORE_STORE_INT_H

#include <sqlite3.h>

#include "relay/core/crypto.h"
#include "relay/store/store.h"

struct qiao_store {
    sqlite3 *db;
    struct qiao_crypto *cx; /* SHA-256 for the audit chain */
    int in_tick;
    int fault_skip; /* commits to let through before failing one; -1 disarmed */
    qiao_store_clock_fn clock;
    void *clock_ctx;
    int schema_version;
};

/** One schema step: running sql takes the database from version-1 to version. */
struct qiao_store_migration {
    int version;
    const char *sql;
};

/** The migrations this build knows, in order (store_schema.c). */
extern const struct qiao_store_migration qiao_store_migrations[];
extern const size_t qiao_store_migration_count;

/**
 * Bring db up to the last of migrations[0..n), each step in its own transaction that also sets
 * PRAGMA user_version.  Refuses ("schema-too-new") a version above the last one known.
 * Out: *version, the version after migrating.
 */
qiao_err qiao_store_migrate(sqlite3 *db, const struct qiao_store_migration *migrations, size_t n,
                            int *version, struct qiao_diag *d);

/** Start an operation: BEGIN IMMEDIATE outside a tick, a savepoint inside one. */
qiao_err qiao_store_op_begin(struct qiao_store *s, struct qiao_diag *d);
/** Finish an operation: commit or release when err is QIAO_OK, roll back otherwise.
 *  Returns err, or the commit's failure ("commit-failed"). */
qiao_err qiao_store_op_end(struct qiao_store *s, qiao_err err, struct qiao_diag *d);

/** Run SQL without results. */
qiao_err qiao_store_exec(struct qiao_store *s, const char *sql, struct qiao_diag *d);
/** Prepare one statement ("sql-failed" names SQLite's message). */
qiao_err qiao_store_prep(struct qiao_store *s, sqlite3_stmt **st, const char *sql,
                         struct qiao_diag *d);
/** Step a statement that returns no rows, then finalize it.  A constraint violation is reported as
 *  QIAO_ESTATE with reason `conflict_reason`; anything else as QIAO_EIO "sql-failed". */
qiao_err qiao_store_run(struct qiao_store *s, sqlite3_stmt *st, const char *conflict_reason,
                        const char *what, struct qiao_diag *d);
/** Report the connection's last error as QIAO_EIO "sql-failed" while doing `what`. */
qiao_err qiao_store_sql_fail(struct qiao_store *s, const char *what, struct qiao_diag *d);

/** Bind helpers: blobs are SQLITE_TRANSIENT copies; a NULL pointer binds SQL NULL. */
void qiao_store_bind_blob(sqlite3_stmt *st, int col, const void *p, size_t n);
void qiao_store_bind_u64(sqlite3_stmt *st, int col, uint64_t v);
/** Copy a column that must be an n-byte blob; zero-fills out otherwise and returns -1. */
int qiao_store_col_blob(sqlite3_stmt *st, int col, uint8_t *out, size_t n);
uint64_t qiao_store_col_u64(sqlite3_stmt *st, int col);

/**
 * Append one audit row inside the caller's operation (no transaction of its own).  detail_json is
 * canonical JSON text (may be NULL for "{}"); chain/height/peer are optional (has_chain, has_height,
 * peer NULL).
 */
struct qiao_store_audit_in {
    const char *actor;
    const char *action;
    int has_chain, has_height;
    uint64_t chain, height;
    const char *peer;
    const char *detail;
};
qiao_err qiao_store_audit_put(struct qiao_store *s, const struct qiao_store_audit_in *in,
                              struct qiao_diag *d);

#endif
