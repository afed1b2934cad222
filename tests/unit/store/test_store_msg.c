/*
 * test_store_msg.c: the message state machine on a real SQLite file: observe (idempotent, conflict,
 * payload checks), compare-and-set transitions and the transition table, failure with persisted
 * backoff, resume and operator retry, the listing/count/backlog queries, and the audit rows each
 * transition writes.
 */
#include <string.h>

#include "relay/store/audit.h"
#include "relay/store/messages.h"
#include "tests/qt.h"
#include "tests/unit/store/fixture.h"

static struct qiao_store_msg m1, m2;
static struct qiao_store_msg_row row;

static struct qiao_store *open_fresh(char *path, struct fixture_clock *clk)
{
    struct qiao_store *s = NULL;
    struct qiao_diag d = {0};
    if (fixture_path(path, 256, "msg.db") || qiao_store_open(&s, path, &d))
        return NULL;
    qiao_store_set_clock(s, fixture_clock_fn, clk);
    return s;
}

static void test_observe(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    struct qiao_store_msg_source src = {.block_height = 42, .log_index = 3};
    memset(src.tx_hash, 0xab, 32);
    int ins = -1;
    fixture_msg(&m1, 1, 7003, 7001);
    QT_CHECK(qiao_store_msg_observe(s, &m1, &src, &ins, &d) == QIAO_OK && ins == 1);
    QT_CHECK(qiao_store_msg_observe(s, &m1, &src, &ins, &d) == QIAO_OK && ins == 0);
    QT_CHECK(qiao_store_msg_get(s, m1.id, &row, &d) == QIAO_OK);
    QT_CHECK(row.status.state == QIAO_MSG_OBSERVED && row.msg.seq == 1);
    QT_CHECK(row.msg.payload_len == m1.payload_len &&
             memcmp(row.msg.payload, m1.payload, m1.payload_len) == 0);
    QT_CHECK(row.status.src.block_height == 42 && row.status.src.log_index == 3 &&
             row.status.src.tx_hash[31] == 0xab);
    QT_CHECK(row.status.entered_at[QIAO_MSG_OBSERVED] == 1000);
    /* Same id, different fields: a conflict, and nothing changes. */
    struct qiao_store_msg evil = m1;
    evil.receiver[0] ^= 1;
    QT_CHECK(qiao_store_msg_observe(s, &evil, NULL, &ins, &d) == QIAO_EVERIFY && ins == 0);
    QT_CHECK(strcmp(d.reason, "message-conflict") == 0);
    evil = m1;
    evil.payload[0] ^= 1;
    QT_CHECK(qiao_store_msg_observe(s, &evil, NULL, &ins, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-payload-hash") == 0);
    evil.payload_len = QIAO_STORE_PAYLOAD_MAX + 1;
    QT_CHECK(qiao_store_msg_observe(s, &evil, NULL, &ins, &d) == QIAO_ERANGE);
    evil = m1;
    evil.version = 0;
    QT_CHECK(qiao_store_msg_observe(s, &evil, NULL, &ins, &d) == QIAO_EINVAL);
    /* Full-size payload round-trips. */
    fixture_msg(&m2, 2, 7002, 7001);
    m2.payload_len = QIAO_STORE_PAYLOAD_MAX;
    for (size_t i = 0; i < m2.payload_len; i++)
        m2.payload[i] = (uint8_t)(i * 7);
    qiao_keccak256(m2.payload_hash, m2.payload, m2.payload_len);
    QT_CHECK(qiao_store_msg_observe(s, &m2, NULL, &ins, &d) == QIAO_OK && ins == 1);
    QT_CHECK(qiao_store_msg_get(s, m2.id, &row, &d) == QIAO_OK &&
             row.msg.payload_len == QIAO_STORE_PAYLOAD_MAX &&
             memcmp(row.msg.payload, m2.payload, QIAO_STORE_PAYLOAD_MAX) == 0);
}

static void test_transitions(struct qiao_store *s, struct fixture_clock *clk)
{
    struct qiao_diag d = {0};
    /* Wrong expected state: refused, names the actual state, changes nothing. */
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_FINAL, QIAO_MSG_ATTESTED, NULL, &d) ==
             QIAO_ESTATE);
    QT_CHECK(strcmp(d.reason, "state-mismatch") == 0);
    QT_CHECKF(strstr(d.msg, "is observed, not final") != NULL, "%s", d.msg);
    /* Skipping a state is not a transition. */
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_OBSERVED, QIAO_MSG_ATTESTED, NULL, &d) ==
             QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-transition") == 0);
    uint8_t nosuch[32] = {9};
    QT_CHECK(qiao_store_msg_advance(s, nosuch, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, NULL, &d) ==
             QIAO_ENOTFOUND);
    struct qiao_store_event ev = {.has_height = 1, .height = 50, .note = "12 confirmations"};
    clk->now = 2000;
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, &ev, &d) == 0);
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_FINAL, QIAO_MSG_ATTESTED, NULL, &d) == 0);
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_ATTESTED, QIAO_MSG_CERTIFIED, NULL, &d) == 0);
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_CERTIFIED, QIAO_MSG_SUBMITTED, NULL, &d) == 0);
    /* Takeover hands a lost submission back. */
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_SUBMITTED, QIAO_MSG_CERTIFIED, NULL, &d) == 0);
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_CERTIFIED, QIAO_MSG_SUBMITTED, NULL, &d) == 0);
    clk->now = 3000;
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_SUBMITTED, QIAO_MSG_DELIVERED, NULL, &d) == 0);
    QT_CHECK(qiao_store_msg_get(s, m1.id, &row, &d) == QIAO_OK);
    QT_CHECK(row.status.state == QIAO_MSG_DELIVERED);
    QT_CHECK(row.status.entered_at[QIAO_MSG_FINAL] == 2000 &&
             row.status.entered_at[QIAO_MSG_DELIVERED] == 3000);
    /* Delivered is terminal. */
    QT_CHECK(qiao_store_msg_fail(s, m1.id, QIAO_MSG_DELIVERED, "x", NULL, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_store_msg_advance(s, m1.id, QIAO_MSG_DELIVERED, QIAO_MSG_SUBMITTED, NULL, &d) ==
             QIAO_EINVAL);
}

static void test_fail_and_retry(struct qiao_store *s, struct fixture_clock *clk)
{
    struct qiao_diag d = {0};
    clk->now = 10000;
    QT_CHECK(qiao_store_msg_fail(s, m2.id, QIAO_MSG_OBSERVED, "rpc: receipt proof missing", NULL,
                                 &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_get(s, m2.id, &row, &d) == QIAO_OK);
    QT_CHECK(row.status.state == QIAO_MSG_FAILED && row.status.failed_from == QIAO_MSG_OBSERVED);
    QT_CHECK(row.status.attempts == 1 && row.status.next_attempt_at == 11000);
    QT_CHECK(strcmp(row.status.last_error, "rpc: receipt proof missing") == 0);
    QT_CHECK(qiao_store_msg_advance(s, m2.id, QIAO_MSG_FAILED, QIAO_MSG_OBSERVED, NULL, &d) ==
             QIAO_EINVAL);
    QT_CHECK(qiao_store_msg_resume(s, m2.id, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_get(s, m2.id, &row, &d) == 0 && row.status.state == QIAO_MSG_OBSERVED);
    QT_CHECK(qiao_store_msg_resume(s, m2.id, NULL, &d) == QIAO_ESTATE);
    QT_CHECK(strcmp(d.reason, "not-failed") == 0);
    /* The second failure doubles the delay; the count persists. */
    QT_CHECK(qiao_store_msg_fail(s, m2.id, QIAO_MSG_OBSERVED, "again", NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_get(s, m2.id, &row, &d) == 0 && row.status.attempts == 2 &&
             row.status.next_attempt_at == 12000);
    QT_CHECK(qiao_store_retry_delay_ms(1) == 1000 && qiao_store_retry_delay_ms(3) == 4000);
    QT_CHECK(qiao_store_retry_delay_ms(40) == QIAO_STORE_RETRY_MAX_MS);
    QT_CHECK(qiao_store_retry_delay_ms(UINT32_MAX) == QIAO_STORE_RETRY_MAX_MS);
    /* Operator retry makes it due now. */
    clk->now = 10500;
    QT_CHECK(qiao_store_msg_retry_now(s, m2.id, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_get(s, m2.id, &row, &d) == 0 && row.status.next_attempt_at == 10500);
    QT_CHECK(qiao_store_msg_retry_now(s, m1.id, NULL, &d) == QIAO_ESTATE);
}

struct collect {
    int n;
    uint64_t seqs[16];
};

static int collect_fn(void *ctx, const struct qiao_store_msg_row *r)
{
    struct collect *c = ctx;
    if (c->n < 16)
        c->seqs[c->n] = r->msg.seq;
    c->n++;
    return 0;
}

static void test_queries(struct qiao_store *s, struct fixture_clock *clk)
{
    struct qiao_diag d = {0};
    struct collect c = {0};
    QT_CHECK(qiao_store_msg_list_due(s, 10499, 10, collect_fn, &c, &d) == QIAO_OK && c.n == 0);
    QT_CHECK(qiao_store_msg_list_due(s, 10500, 10, collect_fn, &c, &d) == QIAO_OK && c.n == 1 &&
             c.seqs[0] == 2);
    struct qiao_store_msg m;
    for (uint32_t i = 10; i < 15; i++) {
        fixture_msg(&m, i, 7003, 7001);
        clk->now = 20000 + i;
        QT_CHECK(qiao_store_msg_observe(s, &m, NULL, NULL, &d) == QIAO_OK);
    }
    memset(&c, 0, sizeof(c));
    QT_CHECK(qiao_store_msg_list(s, QIAO_MSG_OBSERVED, 0, 3, collect_fn, &c, &d) == 0 && c.n == 3);
    QT_CHECK(c.seqs[0] == 10 && c.seqs[2] == 12);
    uint64_t counts[QIAO_MSG_STATE_COUNT];
    QT_CHECK(qiao_store_msg_counts(s, counts, &d) == QIAO_OK);
    QT_CHECK(counts[QIAO_MSG_OBSERVED] == 5 && counts[QIAO_MSG_FAILED] == 1 &&
             counts[QIAO_MSG_DELIVERED] == 1 && counts[QIAO_MSG_FINAL] == 0);
    uint64_t backlog;
    int64_t age;
    clk->now = 30000;
    QT_CHECK(qiao_store_msg_backlog(s, &backlog, &age, &d) == QIAO_OK);
    QT_CHECKF(backlog == 6 && age == 30000 - 1000, "backlog %llu age %lld",
              (unsigned long long)backlog, (long long)age);
    enum qiao_msg_state st;
    QT_CHECK(qiao_msg_state_parse(&st, "certified", &d) == 0 && st == QIAO_MSG_CERTIFIED);
    QT_CHECK(qiao_msg_state_parse(&st, "Certified", &d) == QIAO_EINVAL);
}

struct audit_scan {
    int n, failed_rows, observed_rows;
    char last_action[64];
};

static int audit_fn(void *ctx, const struct qiao_store_audit_row *r)
{
    struct audit_scan *a = ctx;
    a->n++;
    a->failed_rows += strcmp(r->action, "msg-failed") == 0;
    a->observed_rows += strcmp(r->action, "msg-observed") == 0;
    snprintf(a->last_action, sizeof(a->last_action), "%s", r->action);
    return 0;
}

static void test_audit_rows(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    struct audit_scan a = {0};
    QT_CHECK(qiao_store_audit_list(s, 0, 1000, audit_fn, &a, &d) == QIAO_OK);
    /* 7 observes, 7 m1 moves, 2 failures, 1 resume, 1 retry request. */
    QT_CHECKF(a.n == 18, "audit rows %d", a.n);
    QT_CHECK(a.failed_rows == 2 && a.observed_rows == 7);
    uint64_t rows, bad;
    QT_CHECK(qiao_store_audit_verify(s, &rows, &bad, &d) == QIAO_OK && rows == 18 && bad == 0);
}

int main(void)
{
    char path[256];
    struct fixture_clock clk = {.now = 1000};
    struct qiao_store *s = open_fresh(path, &clk);
    QT_CHECK(s != NULL);
    if (!s)
        return qt_finish();
    test_observe(s);
    test_transitions(s, &clk);
    test_fail_and_retry(s, &clk);
    test_queries(s, &clk);
    test_audit_rows(s);
    qiao_store_close(s);
    /* Everything survives a reopen. */
    struct qiao_diag d = {0};
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    QT_CHECK(s && qiao_store_msg_get(s, m2.id, &row, &d) == 0 && row.status.attempts == 2);
    qiao_store_close(s);
    fixture_cleanup(path);
    return qt_finish();
}
