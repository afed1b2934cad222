/*
 * test_store_relocate.c: qiao_store_msg_relocate on a real SQLite file: a message re-included in
 * another source block moves there while observed or failed from observed; the same location, an
 * unknown id and a message past observed change nothing; every move is audited.
 */
#include "fixture.h"
#include "relay/store/audit.h"
#include "relay/store/store.h"
#include "tests/qt.h"

static void src_at(struct qiao_store_msg_source *src, uint64_t height, uint8_t fill)
{
    memset(src, 0, sizeof(*src));
    src->block_height = height, src->log_index = 1;
    memset(src->block_hash, fill, 32), memset(src->tx_hash, 0xab, 32);
}

static void check_location(struct qiao_store *s, const uint8_t id[32], enum qiao_msg_state st,
                           uint64_t height, uint8_t fill)
{
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    uint8_t want[32];
    memset(want, fill, 32);
    QT_CHECK(row && qiao_store_msg_get(s, id, row, NULL) == QIAO_OK);
    if (!row)
        return;
    QT_CHECKF(row->status.state == st && row->status.src.block_height == height &&
                  memcmp(row->status.src.block_hash, want, 32) == 0,
              "state %s at %llu, want %s at %llu", qiao_msg_state_name(row->status.state),
              (unsigned long long)row->status.src.block_height, qiao_msg_state_name(st),
              (unsigned long long)height);
    free(row);
}

int main(void)
{
    char path[256];
    struct fixture_clock clk = {.now = 1000};
    struct qiao_store *s = NULL;
    struct qiao_diag d = {0};
    struct qiao_store_msg m, other;
    struct qiao_store_msg_source a, b, c;
    int moved = -1, ins = 0;
    if (fixture_path(path, sizeof(path), "relocate.db") || qiao_store_open(&s, path, &d)) {
        QT_CHECK(!"store opened");
        return qt_finish();
    }
    qiao_store_set_clock(s, fixture_clock_fn, &clk);
    fixture_msg(&m, 1, 7001, 7002);
    src_at(&a, 10, 0xa1), src_at(&b, 12, 0xb2), src_at(&c, 13, 0xc3);
    QT_CHECK(qiao_store_msg_observe(s, &m, &a, &ins, &d) == QIAO_OK && ins == 1);

    /* Same location: nothing. */
    QT_CHECK(qiao_store_msg_relocate(s, m.id, &a, &moved, &d) == QIAO_OK && moved == 0);
    /* Observed, seen in another block: moves. */
    QT_CHECK(qiao_store_msg_relocate(s, m.id, &b, &moved, &d) == QIAO_OK && moved == 1);
    check_location(s, m.id, QIAO_MSG_OBSERVED, 12, 0xb2);
    /* Failed from observed (dropped by a reorg), then re-included: observed again, no retry due. */
    struct qiao_store_event ev = {.note = "reorg"};
    QT_CHECK(qiao_store_msg_fail(s, m.id, QIAO_MSG_OBSERVED, "left the chain", &ev, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_relocate(s, m.id, &c, &moved, &d) == QIAO_OK && moved == 1);
    check_location(s, m.id, QIAO_MSG_OBSERVED, 13, 0xc3);
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    QT_CHECK(row && qiao_store_msg_get(s, m.id, row, NULL) == QIAO_OK &&
             row->status.next_attempt_at == 0);
    free(row);
    /* Past observed: never moves (a final block cannot leave without an alert). */
    QT_CHECK(qiao_store_msg_advance(s, m.id, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_relocate(s, m.id, &a, &moved, &d) == QIAO_OK && moved == 0);
    check_location(s, m.id, QIAO_MSG_FINAL, 13, 0xc3);
    /* Unknown id: refused by name. */
    fixture_msg(&other, 2, 7001, 7002);
    QT_CHECK(qiao_store_msg_relocate(s, other.id, &a, &moved, &d) != QIAO_OK && moved == 0 &&
             strcmp(d.reason, "no-such-message") == 0);
    /* The audit chain holds and names the moves. */
    uint64_t rows = 0, bad = 0;
    QT_CHECK(qiao_store_audit_verify(s, &rows, &bad, &d) == QIAO_OK && rows >= 5);
    qiao_store_close(s);
    fixture_cleanup(path);
    return qt_finish();
}
