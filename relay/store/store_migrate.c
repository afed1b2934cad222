/*
 * store_migrate.c: schema migrations keyed on PRAGMA user_version.
 *
 * Each step runs in its own BEGIN IMMEDIATE transaction together with the user_version update, so
 * a crash or an error mid-step leaves the database at the previous version, never between two.
 * A database whose version is above every step this build knows was written by a newer Qiao; it
 * is refused rather than opened, because this build could misread the newer rows.
 */
#include <stdio.h>

#include "relay/store/store_int.h"

static qiao_err read_version(sqlite3 *db, int *version, struct qiao_diag *d)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        qiao_err err = QIAO_FAIL(d, QIAO_EIO, "pragma-failed", "reading PRAGMA user_version: %s",
                                 sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return err;
    }
    *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return QIAO_OK;
}

static qiao_err run_step(sqlite3 *db, const struct qiao_store_migration *m, struct qiao_diag *d)
{
    char set[64];
    snprintf(set, sizeof(set), "PRAGMA user_version=%d", m->version);
    char *msg = NULL;
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, m->sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, set, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return QIAO_OK;
    qiao_err err = QIAO_FAIL(d, QIAO_EIO, "migration-failed", "schema migration to version %d: %s",
                             m->version, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

qiao_err qiao_store_migrate(sqlite3 *db, const struct qiao_store_migration *migrations, size_t n,
                            int *version, struct qiao_diag *d)
{
    int have;
    QIAO_TRY(read_version(db, &have, d));
    int newest = n ? migrations[n - 1].version : 0;
    if (have > newest)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "schema-too-new",
                         "the store has schema version %d but this build knows only up to %d: it "
                         "was written by a newer Qiao; upgrade qiao instead of opening it",
                         have, newest);
    for (size_t i = 0; i < n; i++) {
        if (migrations[i].version <= have)
            continue;
        QIAO_TRY(run_step(db, &migrations[i], d));
        have = migrations[i].version;
    }
    *version = have;
    return QIAO_OK;
}
