/*
 * test_store_attest.c: attestations (unique per message/epoch/signer, listed in signer order),
 * "what are you missing", the signing guard that refuses a second digest for one (lane, seq)
 * (also across a reopen, as after a crash), certificates and deliveries.
 */
#include <string.h>

#include "relay/store/attest.h"
#include "relay/store/audit.h"
#include "relay/store/messages.h"
#include "tests/qt.h"
#include "tests/unit/store/fixture.h"

static struct qiao_store_msg m1, m2;

static void make_att(struct qiao_store_att *a, const uint8_t msg[32], uint64_t epoch, uint8_t who)
{
    memset(a, 0, sizeof(*a));
    memcpy(a->message, msg, 32);
    memset(a->committee, 0xcc, 32);
    a->epoch = epoch;
    memset(a->signer, who, 20);
    memset(a->sig, who, 65);
    a->peer = who == 0x10 ? NULL : "notary-2";
}

struct seen {
    int n;
    uint8_t first[8];
};

static int seen_fn(void *ctx, const struct qiao_store_att *a)
{
    struct seen *s = ctx;
    if (s->n < 8)
        s->first[s->n] = a->signer[0];
    s->n++;
    return 0;
}

static void test_attestations(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    struct qiao_store_att a;
    int ins;
    uint8_t who[] = {0x30, 0x10, 0x20};
    for (int i = 0; i < 3; i++) {
        make_att(&a, m1.id, 1, who[i]);
        QT_CHECK(qiao_store_att_put(s, &a, &ins, &d) == QIAO_OK && ins == 1);
    }
    make_att(&a, m1.id, 1, 0x20);
    a.sig[0] ^= 0xff; /* another encoding from the same signer: the first one stays */
    QT_CHECK(qiao_store_att_put(s, &a, &ins, &d) == QIAO_OK && ins == 0);
    make_att(&a, m1.id, 2, 0x20); /* a new epoch is a new attestation */
    QT_CHECK(qiao_store_att_put(s, &a, &ins, &d) == QIAO_OK && ins == 1);
    make_att(&a, m2.id, 1, 0x40);
    QT_CHECK(qiao_store_att_put(s, &a, &ins, &d) == QIAO_OK && ins == 1);
    unsigned count;
    QT_CHECK(qiao_store_att_count(s, m1.id, 1, &count, &d) == QIAO_OK && count == 3);
    struct seen seen = {0};
    QT_CHECK(qiao_store_att_list(s, m1.id, 1, seen_fn, &seen, &d) == QIAO_OK && seen.n == 3);
    QT_CHECK(seen.first[0] == 0x10 && seen.first[1] == 0x20 && seen.first[2] == 0x30);
    /* A reconnected peer asks for two ids and an unknown one. */
    uint8_t ids[3][32];
    memcpy(ids[0], m2.id, 32);
    memset(ids[1], 0x99, 32);
    memcpy(ids[2], m1.id, 32);
    memset(&seen, 0, sizeof(seen));
    QT_CHECK(qiao_store_missing(s, (const uint8_t(*)[32])ids, 3, 1, seen_fn, &seen, &d) == 0);
    QT_CHECK(seen.n == 4 && seen.first[0] == 0x40 && seen.first[1] == 0x10);
    QT_CHECK(qiao_store_missing(s, (const uint8_t(*)[32])ids, 1025, 1, seen_fn, &seen, &d) ==
             QIAO_ERANGE);
}

static void test_guard(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    struct qiao_store_lane_seq k = {.epoch = 1, .src_chain = 7003, .dst_chain = 7001, .seq = 1};
    memset(k.committee, 0xcc, 32);
    uint8_t dg1[32], dg2[32];
    memset(dg1, 1, 32);
    memset(dg2, 2, 32);
    QT_CHECK(qiao_store_sign_guard(s, &k, dg1, m1.id, &d) == QIAO_OK);
    QT_CHECK(qiao_store_sign_guard(s, &k, dg1, m1.id, &d) == QIAO_OK); /* re-sign after a crash */
    QT_CHECK(qiao_store_sign_guard(s, &k, dg2, m2.id, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "lane-seq-conflict") == 0);
    QT_CHECKF(strstr(d.msg, "7003->7001 seq 1") != NULL, "%s", d.msg);
    /* Another seq, lane or epoch is a different key. */
    k.seq = 2;
    QT_CHECK(qiao_store_sign_guard(s, &k, dg2, m2.id, &d) == QIAO_OK);
    k.seq = 1;
    k.dst_chain = 7002;
    QT_CHECK(qiao_store_sign_guard(s, &k, dg2, m2.id, &d) == QIAO_OK);
    k.dst_chain = 7001;
    k.epoch = 2;
    QT_CHECK(qiao_store_sign_guard(s, &k, dg2, m2.id, &d) == QIAO_OK);
    /* Inside a tick a refused guard rolls back only itself. */
    QT_CHECK(qiao_store_begin_tick(s, &d) == QIAO_OK);
    k.seq = 3;
    QT_CHECK(qiao_store_sign_guard(s, &k, dg1, m1.id, &d) == QIAO_OK);
    k.seq = 1;
    k.epoch = 1;
    QT_CHECK(qiao_store_sign_guard(s, &k, dg2, m2.id, &d) == QIAO_EVERIFY);
    QT_CHECK(qiao_store_end_tick(s, &d) == QIAO_OK);
    k.seq = 3;
    k.epoch = 2;
    QT_CHECK(qiao_store_sign_guard(s, &k, dg2, m2.id, &d) == QIAO_EVERIFY);
}

static void test_certs_and_deliveries(struct qiao_store *s)
{
    struct qiao_diag d = {0};
    uint8_t committee[32], sigs[3 * 65], out[4 * 65];
    memset(committee, 0xcc, 32);
    for (size_t i = 0; i < sizeof(sigs); i++)
        sigs[i] = (uint8_t)i;
    QT_CHECK(qiao_store_cert_put(s, m1.id, committee, 1, sigs, 3, &d) == QIAO_OK);
    QT_CHECK(qiao_store_cert_put(s, m1.id, committee, 1, sigs, 3, &d) == QIAO_ESTATE);
    QT_CHECK(strcmp(d.reason, "certificate-exists") == 0);
    QT_CHECK(qiao_store_cert_put(s, m1.id, committee, 2, sigs, 0, &d) == QIAO_ERANGE);
    uint8_t ghost[32] = {7};
    QT_CHECK(qiao_store_cert_put(s, ghost, committee, 1, sigs, 3, &d) != QIAO_OK); /* FK */
    uint64_t epoch;
    size_t n;
    QT_CHECK(qiao_store_cert_get(s, m1.id, &epoch, out, 4, &n, &d) == QIAO_OK && n == 3 &&
             epoch == 1);
    QT_CHECK_MEM(out, sigs, sizeof(sigs));
    QT_CHECK(qiao_store_cert_get(s, m1.id, &epoch, out, 2, &n, &d) == QIAO_ERANGE);
    QT_CHECK(qiao_store_cert_get(s, m2.id, &epoch, out, 4, &n, &d) == QIAO_ENOTFOUND);
    uint8_t tx1[32], tx2[32], bh[32];
    memset(tx1, 0xa1, 32);
    memset(tx2, 0xa2, 32);
    memset(bh, 0xb0, 32);
    struct qiao_store_delivery dl;
    QT_CHECK(qiao_store_delivery_get(s, m1.id, &dl, &d) == QIAO_ENOTFOUND);
    QT_CHECK(qiao_store_delivery_submitted(s, m1.id, 7001, tx1, "notary-1", &d) == QIAO_OK);
    QT_CHECK(qiao_store_delivery_get(s, m1.id, &dl, &d) == QIAO_OK && !dl.confirmed &&
             dl.tx_hash[0] == 0xa1);
    /* Another notary's transaction is what landed. */
    QT_CHECK(qiao_store_delivery_confirmed(s, m1.id, 7001, tx2, 99, bh, &d) == QIAO_OK);
    QT_CHECK(qiao_store_delivery_get(s, m1.id, &dl, &d) == QIAO_OK && dl.confirmed &&
             dl.tx_hash[0] == 0xa2 && dl.block_height == 99 && dl.block_hash[0] == 0xb0);
}

int main(void)
{
    char path[256];
    struct qiao_diag d = {0};
    struct qiao_store *s = NULL;
    QT_CHECK(fixture_path(path, sizeof(path), "att.db") == 0);
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    if (!s)
        return qt_finish();
    fixture_msg(&m1, 1, 7003, 7001);
    fixture_msg(&m2, 2, 7003, 7001);
    QT_CHECK(qiao_store_msg_observe(s, &m1, NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_store_msg_observe(s, &m2, NULL, NULL, &d) == QIAO_OK);
    test_attestations(s);
    test_guard(s);
    test_certs_and_deliveries(s);
    qiao_store_close(s);
    /* The guard is durable: after a reopen (as after a crash) the conflict is still refused. */
    QT_CHECK(qiao_store_open(&s, path, &d) == QIAO_OK);
    struct qiao_store_lane_seq k = {.epoch = 1, .src_chain = 7003, .dst_chain = 7001, .seq = 1};
    memset(k.committee, 0xcc, 32);
    uint8_t dg2[32];
    memset(dg2, 2, 32);
    QT_CHECK(s && qiao_store_sign_guard(s, &k, dg2, m2.id, &d) == QIAO_EVERIFY);
    uint64_t rows;
    QT_CHECK(s && qiao_store_audit_verify(s, &rows, NULL, &d) == QIAO_OK && rows > 10);
    qiao_store_close(s);
    fixture_cleanup(path);
    return qt_finish();
}
