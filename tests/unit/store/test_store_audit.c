/*
 * test_store_audit.c: the hash-chained audit log.  Appends link correctly; the triggers refuse
 * UPDATE and DELETE; and someone who drops the triggers and edits, deletes or re-links rows is
 * caught by qiao_store_audit_verify, which names the first broken row.
 */
#include <sqlite3.h>
#include <string.h>

#include "relay/store/audit.h"
#include "relay/store/store_int.h"
#include "tests/qt.h"
#include "tests/unit/store/fixture.h"

static void fill(struct qiao_store *s, int n)
{
    struct qiao_diag d = {0};
    for (int i = 0; i < n; i++) {
        char detail[64];
        snprintf(detail, sizeof(detail), "{\"i\":%d}", i);
        uint64_t seq = 0;
        QT_CHECK(qiao_store_audit_append(s, "notary", "test-row", 1, 7001, i % 2, (uint64_t)i,
                                         i % 3 ? "notary-2" : NULL, detail, &seq, &d) == QIAO_OK);
        QT_CHECK(seq == (uint64_t)i + 1);
    }
}

static void test_append_rules(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    QT_CHECK(qiao_store_audit_append(s, "", "x", 0, 0, 0, 0, NULL, NULL, NULL, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_store_audit_append(s, "a", "x", 0, 0, 0, 0, NULL, "[1]", NULL, &d) ==
             QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-detail") == 0);
    QT_CHECK(qiao_store_audit_append(s, "a", "x", 0, 0, 0, 0, NULL, "{\"a\":1,\"a\":2}", NULL,
                                     &d) == QIAO_EINVAL);
    char big[QIAO_AUDIT_DETAIL_MAX + 16];
    memset(big, ' ', sizeof(big));
    memcpy(big, "{}", 2);
    big[sizeof(big) - 1] = 0;
    QT_CHECK(qiao_store_audit_append(s, "a", "x", 0, 0, 0, 0, NULL, big, NULL, &d) == QIAO_ERANGE);
    uint64_t rows;
    QT_CHECK(qiao_store_audit_verify(s, &rows, NULL, &d) == QIAO_OK && rows == 0);
}

static int exec_ok(struct qiao_store *s, const char *sql)
{
    return sqlite3_exec(s->db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static void expect_broken(struct qiao_store *s, uint64_t row, const char *reason)
{
    struct qiao_diag d = {0};
    uint64_t rows, bad;
    QT_CHECK(qiao_store_audit_verify(s, &rows, &bad, &d) == QIAO_EVERIFY);
    QT_CHECKF(bad == row && strcmp(d.reason, reason) == 0, "bad %llu reason %s (%s)",
              (unsigned long long)bad, d.reason, d.msg);
    QT_CHECK(rows == row - 1);
}

static void test_tamper(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    uint64_t rows, bad;
    QT_CHECK(qiao_store_audit_verify(s, &rows, &bad, &d) == QIAO_OK && rows == 10 && bad == 0);
    QT_CHECK(!exec_ok(s, "UPDATE audit SET actor='mallory' WHERE seq=4"));
    QT_CHECK(!exec_ok(s, "DELETE FROM audit WHERE seq=10"));
    QT_CHECK(exec_ok(s, "DROP TRIGGER audit_no_update") && exec_ok(s, "DROP TRIGGER audit_no_delete"));
    /* Edit a row's content. */
    QT_CHECK(exec_ok(s, "UPDATE audit SET detail='{\"i\":99}' WHERE seq=4"));
    expect_broken(s, 4, "audit-hash-mismatch");
    QT_CHECK(exec_ok(s, "UPDATE audit SET detail='{\"i\":3}' WHERE seq=4"));
    QT_CHECK(qiao_store_audit_verify(s, &rows, &bad, &d) == QIAO_OK);
    /* Change a height (a column outside detail is covered too). */
    QT_CHECK(exec_ok(s, "UPDATE audit SET height=12345 WHERE seq=6"));
    expect_broken(s, 6, "audit-hash-mismatch");
    QT_CHECK(exec_ok(s, "UPDATE audit SET height=NULL WHERE seq=6"));
    /* ... row 6 had i=5 (odd), so it did carry height 5. */
    QT_CHECK(exec_ok(s, "UPDATE audit SET height=5 WHERE seq=6"));
    QT_CHECK(qiao_store_audit_verify(s, &rows, &bad, &d) == QIAO_OK);
    /* Re-hash a forged row: its successor's prev_hash no longer matches. */
    QT_CHECK(exec_ok(s, "UPDATE audit SET hash=zeroblob(32) WHERE seq=7"));
    expect_broken(s, 7, "audit-hash-mismatch");
    QT_CHECK(exec_ok(s, "UPDATE audit SET prev_hash=zeroblob(32) WHERE seq=8"));
    expect_broken(s, 7, "audit-hash-mismatch");
    /* Delete a row in the middle. */
    QT_CHECK(exec_ok(s, "DELETE FROM audit WHERE seq>=7 AND seq<=8"));
    expect_broken(s, 7, "audit-seq-gap");
}

int main(void)
{
    char path[256];
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    QT_CHECK(fixture_path(path, sizeof(path), "audit.db") == 0);
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    if (!s)
        return qt_finish();
    test_append_rules(s);
    fill(s, 10);
    uint64_t seq;
    uint8_t h[32];
    QT_CHECK(qiao_store_audit_head(s, &seq, h, &d) == QIAO_OK && seq == 10);
    test_tamper(s);
    qiao_store_close(s);
    fixture_cleanup(path);
    return qt_finish();
}
