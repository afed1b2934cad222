/*
 * test_store_tick.c: group commit and durability on real files.
 *  - nothing of a tick is visible to another connection until end_tick returns;
 *  - a failed operation inside a tick rolls back only itself;
 *  - an injected commit failure (SQLite's commit hook turning COMMIT into ROLLBACK) leaves no
 *    half-written state, inside a tick and outside one, and the store keeps working afterwards;
 *  - a process killed with SIGKILL keeps every committed tick and loses the open one whole.
 */
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relay/store/audit.h"
#include "relay/store/messages.h"
#include "tests/qt.h"
#include "tests/unit/store/fixture.h"

static struct qiao_store_msg msgs[6];

static int count_messages(const char *path)
{
    sqlite3 *db;
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT count(*) FROM messages", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_group_commit(struct qiao_store *s, const char *path)
{
    struct qiao_diag d = {0};
    QT_CHECK(qiao_store_end_tick(s, &d) == QIAO_ESTATE && strcmp(d.reason, "no-tick") == 0);
    QT_CHECK(qiao_store_begin_tick(s, &d) == QIAO_OK && qiao_store_in_tick(s));
    QT_CHECK(qiao_store_begin_tick(s, &d) == QIAO_ESTATE);
    for (int i = 0; i < 3; i++)
        QT_CHECK(qiao_store_msg_observe(s, &msgs[i], NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_advance(s, msgs[0].id, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, NULL, &d) == 0);
    /* A stale caller's move fails alone; the tick goes on. */
    QT_CHECK(qiao_store_msg_advance(s, msgs[1].id, QIAO_MSG_FINAL, QIAO_MSG_ATTESTED, NULL, &d) ==
             QIAO_ESTATE);
    QT_CHECK(count_messages(path) == 0); /* not durable, not visible */
    QT_CHECK(qiao_store_end_tick(s, &d) == QIAO_OK && !qiao_store_in_tick(s));
    QT_CHECK(count_messages(path) == 3);
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    QT_CHECK(row && qiao_store_msg_get(s, msgs[0].id, row, &d) == 0 &&
             row->status.state == QIAO_MSG_FINAL);
    free(row);
    /* abort_tick drops everything of the tick. */
    QT_CHECK(qiao_store_begin_tick(s, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_observe(s, &msgs[3], NULL, NULL, &d) == QIAO_OK);
    qiao_store_abort_tick(s);
    QT_CHECK(count_messages(path) == 3);
}

static void audit_state(struct qiao_store *s, uint64_t *seq, uint8_t hash[32])
{
    QT_CHECK(qiao_store_audit_head(s, seq, hash, NULL) == QIAO_OK);
}

static void test_commit_fault(struct qiao_store *s, const char *path)
{
    struct qiao_diag d = {0};
    uint64_t seq0, seq1;
    uint8_t h0[32], h1[32];
    audit_state(s, &seq0, h0);
    /* Inside a tick: several operations, then the commit fails. */
    qiao_store_fault_fail_commit(s, 0);
    QT_CHECK(qiao_store_begin_tick(s, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_observe(s, &msgs[3], NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_observe(s, &msgs[4], NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_advance(s, msgs[1].id, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, NULL, &d) == 0);
    QT_CHECK(qiao_store_audit_append(s, "operator", "note", 0, 0, 0, 0, NULL, "{\"x\":1}", NULL,
                                     &d) == QIAO_OK);
    QT_CHECK(qiao_store_end_tick(s, &d) == QIAO_EIO);
    QT_CHECK(strcmp(d.reason, "commit-failed") == 0);
    QT_CHECK(!qiao_store_in_tick(s));
    QT_CHECK(count_messages(path) == 3);
    audit_state(s, &seq1, h1);
    QT_CHECK(seq1 == seq0 && memcmp(h0, h1, 32) == 0);
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    QT_CHECK(row && qiao_store_msg_get(s, msgs[1].id, row, &d) == 0 &&
             row->status.state == QIAO_MSG_OBSERVED);
    /* A fresh connection sees the same: nothing of the tick reached the file. */
    struct qiao_store *other = NULL;
    QT_CHECK(qiao_store_open(&other, path, &d) == QIAO_OK);
    QT_CHECK(other && qiao_store_msg_get(other, msgs[3].id, row, &d) == QIAO_ENOTFOUND);
    qiao_store_close(other);
    /* Outside a tick: the second commit from now fails. */
    qiao_store_fault_fail_commit(s, 1);
    QT_CHECK(qiao_store_msg_observe(s, &msgs[3], NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_observe(s, &msgs[4], NULL, NULL, &d) == QIAO_EIO);
    QT_CHECK(count_messages(path) == 4);
    QT_CHECK(qiao_store_msg_get(s, msgs[4].id, row, &d) == QIAO_ENOTFOUND);
    /* The hook disarms after firing: the store keeps working. */
    QT_CHECK(qiao_store_msg_observe(s, &msgs[4], NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(count_messages(path) == 5);
    uint64_t rows;
    QT_CHECK(qiao_store_audit_verify(s, &rows, NULL, &d) == QIAO_OK);
    free(row);
}

/* The child commits one tick, opens another, writes, and dies by SIGKILL before committing. */
static void crash_child(const char *path)
{
    struct qiao_store *s = NULL;
    if (qiao_store_open(&s, path, NULL))
        _exit(3);
    if (qiao_store_begin_tick(s, NULL) ||
        qiao_store_msg_advance(s, msgs[2].id, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, NULL, NULL) ||
        qiao_store_end_tick(s, NULL))
        _exit(4);
    if (qiao_store_begin_tick(s, NULL) || qiao_store_msg_observe(s, &msgs[5], NULL, NULL, NULL) ||
        qiao_store_msg_advance(s, msgs[3].id, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, NULL, NULL))
        _exit(5);
    raise(SIGKILL);
    _exit(6);
}

static void test_kill9(const char *path)
{
    pid_t pid = fork();
    if (pid == 0)
        crash_child(path);
    int status = 0;
    QT_CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
    QT_CHECKF(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "child status %d", status);
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    if (!s)
        return;
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    QT_CHECK(row && qiao_store_msg_get(s, msgs[2].id, row, &d) == 0 &&
             row->status.state == QIAO_MSG_FINAL);
    QT_CHECK(row && qiao_store_msg_get(s, msgs[3].id, row, &d) == 0 &&
             row->status.state == QIAO_MSG_OBSERVED);
    QT_CHECK(row && qiao_store_msg_get(s, msgs[5].id, row, &d) == QIAO_ENOTFOUND);
    uint64_t rows;
    QT_CHECK(qiao_store_audit_verify(s, &rows, NULL, &d) == QIAO_OK);
    free(row);
    qiao_store_close(s);
}

int main(void)
{
    char path[256];
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    for (uint32_t i = 0; i < 6; i++)
        fixture_msg(&msgs[i], i + 1, 7002, 7001);
    QT_CHECK(fixture_path(path, sizeof(path), "tick.db") == 0);
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    if (!s)
        return qt_finish();
    test_group_commit(s, path);
    test_commit_fault(s, path);
    qiao_store_close(s);
    test_kill9(path);
    fixture_cleanup(path);
    return qt_finish();
}
