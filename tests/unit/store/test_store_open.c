/*
 * test_store_open.c: opening a real SQLite file: the durability pragmas take effect, the file is
 * owner-only, migrations run once and atomically, and a database from a newer Qiao is refused.
 */
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "relay/store/store.h"
#include "relay/store/store_int.h"
#include "tests/qt.h"
#include "tests/unit/store/fixture.h"

static const char *pragma_text(sqlite3 *db, const char *sql, char *out, size_t cap)
{
    sqlite3_stmt *st = NULL;
    out[0] = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void test_pragmas_and_mode(void)
{
    char path[256], v[64];
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    QT_CHECK(fixture_path(path, sizeof(path), "n.db") == 0);
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK && s);
    QT_CHECK(strcmp(pragma_text(s->db, "PRAGMA journal_mode", v, sizeof(v)), "wal") == 0);
    QT_CHECK(strcmp(pragma_text(s->db, "PRAGMA synchronous", v, sizeof(v)), "2") == 0);
    QT_CHECK(strcmp(pragma_text(s->db, "PRAGMA foreign_keys", v, sizeof(v)), "1") == 0);
    QT_CHECK(strcmp(pragma_text(s->db, "PRAGMA busy_timeout", v, sizeof(v)), "5000") == 0);
    QT_CHECK(strcmp(pragma_text(s->db, "PRAGMA user_version", v, sizeof(v)), "1") == 0);
    QT_CHECK(qiao_store_schema_version(s) == QIAO_STORE_SCHEMA_VERSION);
    struct stat sb;
    QT_CHECK(stat(path, &sb) == 0 && (sb.st_mode & 077) == 0);
    qiao_store_close(s);
    /* Reopening finds the schema current and runs nothing. */
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    QT_CHECK(qiao_store_schema_version(s) == 1);
    qiao_store_close(s);
    fixture_cleanup(path);
}

static void test_newer_schema_refused(void)
{
    char path[256];
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    QT_CHECK(fixture_path(path, sizeof(path), "new.db") == 0);
    sqlite3 *db;
    QT_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    QT_CHECK(sqlite3_exec(db, "PRAGMA user_version=7", NULL, NULL, NULL) == SQLITE_OK);
    sqlite3_close(db);
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_EUNSUPPORTED && !s);
    QT_CHECK(strcmp(d.reason, "schema-too-new") == 0);
    QT_CHECKF(strstr(d.msg, "version 7") && strstr(d.msg, path), "%s", d.msg);
    fixture_cleanup(path);
}

/* A failing step leaves the database at the previous version with none of the step's tables. */
static void test_migration_atomic(void)
{
    char path[256];
    struct qiao_diag d = {0};
    QT_CHECK(fixture_path(path, sizeof(path), "mig.db") == 0);
    sqlite3 *db;
    QT_CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    const struct qiao_store_migration steps[] = {
        {.version = 1, .sql = "CREATE TABLE a(x);"},
        {.version = 2, .sql = "CREATE TABLE b(x); CREATE TABLE c(y); INSERT INTO nosuch VALUES(1);"},
    };
    int version = -1;
    QT_CHECK(qiao_store_migrate(db, steps, 2, &version, &d) == QIAO_EIO);
    QT_CHECK(strcmp(d.reason, "migration-failed") == 0);
    QT_CHECKF(strstr(d.msg, "version 2") != NULL, "%s", d.msg);
    char v[16];
    QT_CHECK(strcmp(pragma_text(db, "PRAGMA user_version", v, sizeof(v)), "1") == 0);
    QT_CHECK(strcmp(pragma_text(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('b','c')",
                                v, sizeof(v)), "0") == 0);
    /* Fixing the step and migrating again picks up from version 1. */
    const struct qiao_store_migration fixed[] = {
        steps[0], {.version = 2, .sql = "CREATE TABLE b(x); CREATE TABLE c(y);"}};
    QT_CHECK(qiao_store_migrate(db, fixed, 2, &version, &d) == QIAO_OK && version == 2);
    QT_CHECK(strcmp(pragma_text(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('a','b','c')",
                                v, sizeof(v)), "3") == 0);
    sqlite3_close(db);
    fixture_cleanup(path);
}

static void test_open_errors(void)
{
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    QT_CHECK(qiao_store_open(&s, "/nonexistent-dir/x.db", &d) == QIAO_EIO && !s);
    QT_CHECK(strcmp(d.reason, "open-failed") == 0);
    char path[256];
    QT_CHECK(fixture_path(path, sizeof(path), "garbage.db") == 0);
    FILE *f = fopen(path, "wb");
    for (int i = 0; f && i < 300; i++)
        fputs("this is not an sqlite database ", f);
    if (f)
        fclose(f);
    QT_CHECK(qiao_store_open(&s, path, &d) != QIAO_OK && !s);
    QT_CHECKF(d.msg[0] != 0, "%s", d.msg);
    fixture_cleanup(path);
}

int main(void)
{
    test_pragmas_and_mode();
    test_newer_schema_refused();
    test_migration_atomic();
    test_open_errors();
    return qt_finish();
}
