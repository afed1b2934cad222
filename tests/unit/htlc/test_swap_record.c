/*
 * test_swap_record.c: the swap record's JSON codec (htlc/swap_record.h): a terms file parses and
 * passes the engine's checks; a full record round-trips byte for byte; every refusal reason has a
 * case; the id is stable and depends on every agreed field; completion.
 */
#include <stdio.h>
#include <string.h>

#include "htlc/swap_record.h"
#include "relay/core/json.h"
#include "tests/qt.h"

static const char terms_text[] =
    "{\"format\":\"qiao-swap/1\",\"hashlock\":\"0x"
    "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925\","
    "\"preimage_len\":32,\"margin_s\":600,\"claim_for_counterparty\":true,"
    "\"initiator\":{\"chain\":7001,\"family\":\"evm\",\"contract\":\"0x"
    "5fbdb2315678afecb367f032d93f642f64180aa3\",\"hash\":\"sha256\",\"sender\":\"0x"
    "f39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"receiver\":\"0x"
    "70997970c51812dc3a010c7d01b50e0d17dc79c8\",\"amount\":\"1000000000000000000\","
    "\"timelock\":5000,\"finality_s\":10,\"submit_s\":20},"
    "\"participant\":{\"chain\":7002,\"family\":\"evm\",\"contract\":\"0x"
    "5fbdb2315678afecb367f032d93f642f64180aa3\",\"hash\":\"sha256\",\"sender\":\"0x"
    "70997970c51812dc3a010c7d01b50e0d17dc79c8\",\"receiver\":\"0x"
    "f39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"amount\":\"7\",\"timelock\":4000,"
    "\"finality_s\":10,\"submit_s\":20,\"from_height\":12}}";

static qiao_err parse_terms(struct qiao_htlc_record *r, const char *text, struct qiao_diag *d)
{
    return qiao_htlc_record_parse_text(r, text, strlen(text), 1, d);
}

/* Replace the first occurrence of from with to in terms_text and expect reason. */
static void expect_refused(const char *from, const char *to, const char *reason, int terms_only)
{
    char buf[4096];
    const char *at = strstr(terms_text, from);
    QT_CHECKF(at != NULL, "fixture has %s", from);
    if (!at)
        return;
    snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - terms_text), terms_text, to,
             at + strlen(from));
    struct qiao_htlc_record r;
    struct qiao_diag d = {0};
    qiao_err err = qiao_htlc_record_parse_text(&r, buf, strlen(buf), terms_only, &d);
    QT_CHECKF(err && strcmp(d.reason, reason) == 0, "%s -> %s: got %s (%s)", from, to, d.reason,
              d.msg);
}

static void test_terms(void)
{
    struct qiao_htlc_record r;
    struct qiao_diag d = {0};
    QT_CHECK(parse_terms(&r, terms_text, &d) == QIAO_OK);
    QT_CHECK(r.swap.terms.leg[0].chain_id == 7001 && r.swap.terms.leg[1].timelock == 4000);
    QT_CHECK(r.swap.terms.leg[0].amount[24] == 0x0d && r.swap.terms.leg[1].amount[31] == 7);
    QT_CHECK(r.drive[1].from_height == 12 && r.drive[0].from_height == 0);
    QT_CHECK(r.swap.claim_for_counterparty == 1 && r.swap.terms.margin_s == 600);
    QT_CHECKF(qiao_htlc_check_terms(&r.swap.terms, 1000, &d) == QIAO_OK, "%s", d.msg);
    /* The engine's refusals reach through the file. */
    struct qiao_htlc_record w = r;
    w.swap.terms.leg[0].timelock = 4500;
    QT_CHECK(qiao_htlc_check_terms(&w.swap.terms, 1000, &d) && !strcmp(d.reason, "timelock-order"));
    w = r;
    w.swap.terms.leg[1].hash = QIAO_HTLC_KECCAK256;
    QT_CHECK(qiao_htlc_check_terms(&w.swap.terms, 1000, &d) && !strcmp(d.reason, "hash-mismatch"));
    for (size_t len = 31; len <= 521; len += len == 31 ? 2 : 488) {
        w = r;
        w.swap.terms.preimage_len = len;
        QT_CHECKF(qiao_htlc_check_terms(&w.swap.terms, 1000, &d) &&
                  !strcmp(d.reason, "preimage-length"), "preimage length %zu", len);
    }
}

static void test_refusals(void)
{
    expect_refused("\"sha256\"", "\"sha3\"", "unsupported-hash", 1);
    expect_refused("\"evm\"", "\"fabric\"", "unsupported-family", 1);
    expect_refused("\"qiao-swap/1\"", "\"qiao-swap/2\"", "bad-format", 1);
    expect_refused("\"margin_s\":600", "\"margin_s\":600,\"margin\":1", "unknown-key", 1);
    expect_refused("\"margin_s\":600", "\"margin_s\":600,\"margin_s\":1", "duplicate-key", 1);
    expect_refused("\"amount\":\"7\"", "\"amount\":\"07\"", "bad-integer", 1);
    expect_refused("0x5fbdb2315678afecb367f032d93f642f64180aa3", "0x5fbdb2315678afecb367f032d93f642f64180aZZ", "bad-hex-char", 1);
    expect_refused("\"amount\":\"7\"", "\"amount\":-7", "bad-integer", 1);
    expect_refused("\"amount\":\"7\"", "\"amount\":\"18446744073709551616\"", "bad-integer", 1);
    expect_refused("\"timelock\":4000", "\"timelock\":\"4000\",\"status\":\"locked\"",
                   "unknown-key", 1);
    expect_refused("\"timelock\":4000", "\"timelock\":true", "wrong-type", 1);
    expect_refused("0x5fbdb2315678afecb367f032d93f642f64180aa3", "0x5fbdb2315678afecb367", "wrong-length",
                   1);
    expect_refused("\"finality_s\":10", "\"finality_s\":4294967296", "out-of-range", 1);
    expect_refused(",\"participant\":{", ",\"participan\":{", "unknown-key", 1);
    expect_refused("\"preimage_len\":32", "\"preimage_len\":[32]", "wrong-type", 1);
    /* A full record needs its runtime fields. */
    expect_refused("\"format\"", "\"formatx\"", "unknown-key", 0);
}

static void test_roundtrip(struct qiao_crypto *cx)
{
    struct qiao_htlc_record r, back;
    struct qiao_diag d = {0};
    QT_CHECK(parse_terms(&r, terms_text, &d) == QIAO_OK);
    r.swap.status[0] = QIAO_HTLC_CLAIMED, r.swap.status[1] = QIAO_HTLC_LOCKED;
    memset(r.swap.preimage, 0xab, 32);
    r.swap.preimage_known = 1, r.swap.alerts = 2, r.created_at = 1700000000;
    r.drive[0].has_lock_id = 1, memset(r.drive[0].lock_id, 0x11, 32);
    r.drive[0].sent = QIAO_HTLC_SENT_CLAIM, memset(r.drive[0].sent_tx, 0x22, 32);
    r.drive[0].attempts = 3, r.drive[0].seen_height = 99;
    snprintf(r.drive[1].error, sizeof(r.drive[1].error), "rpc-error: \"nonce too low\"");
    snprintf(r.note, sizeof(r.note), "participant leg block 5: lock-mismatch");
    cJSON *j = qiao_htlc_record_to_json(&r);
    char *text = cJSON_PrintUnformatted(j);
    QT_CHECK(text && qiao_htlc_record_parse_text(&back, text, strlen(text), 0, &d) == QIAO_OK);
    cJSON *j2 = qiao_htlc_record_to_json(&back);
    char *text2 = cJSON_PrintUnformatted(j2);
    QT_CHECK(text2 && strcmp(text, text2) == 0);
    QT_CHECK(memcmp(&back.swap.terms, &r.swap.terms, sizeof(r.swap.terms)) == 0);
    QT_CHECK(back.swap.preimage_known && back.swap.preimage[31] == 0xab);
    QT_CHECK(back.drive[0].attempts == 3 && back.drive[0].sent == QIAO_HTLC_SENT_CLAIM);
    QT_CHECK(strcmp(back.drive[1].error, r.drive[1].error) == 0);
    QT_CHECK(strcmp(qiao_htlc_phase(&back.swap), "init-claimed-first") == 0);
    /* A terms file refuses the runtime fields a full record carries. */
    QT_CHECK(qiao_htlc_record_parse_text(&back, text, strlen(text), 1, &d) &&
             !strcmp(d.reason, "unknown-key"));
    cJSON_free(text), cJSON_free(text2);
    cJSON_Delete(j), cJSON_Delete(j2);
    (void)cx;
}

static void test_id_and_done(void)
{
    struct qiao_htlc_record r, s;
    struct qiao_diag d = {0};
    uint8_t a[32], b[32];
    QT_CHECK(parse_terms(&r, terms_text, &d) == QIAO_OK);
    qiao_htlc_record_id(a, &r);
    QT_CHECK_MEM(a, r.id, 32);
    s = r, s.swap.terms.leg[1].timelock++;
    qiao_htlc_record_id(b, &s);
    QT_CHECK(memcmp(a, b, 32) != 0);
    s = r, s.drive[0].contract[19] ^= 1;
    qiao_htlc_record_id(b, &s);
    QT_CHECK(memcmp(a, b, 32) != 0);
    s = r, s.swap.terms.leg[0].amount[31] ^= 1;
    qiao_htlc_record_id(b, &s);
    QT_CHECK(memcmp(a, b, 32) != 0);
    s = r, s.drive[0].from_height = 77; /* where to scan is not part of the agreement */
    qiao_htlc_record_id(b, &s);
    QT_CHECK_MEM(a, b, 32);
    QT_CHECK(!qiao_htlc_record_done(&r, 99999));
    r.swap.status[0] = QIAO_HTLC_REFUNDED;
    QT_CHECK(!qiao_htlc_record_done(&r, 3999) && qiao_htlc_record_done(&r, 4000));
    r.swap.status[1] = QIAO_HTLC_LOCKED;
    QT_CHECK(!qiao_htlc_record_done(&r, 99999));
    r.swap.status[1] = QIAO_HTLC_CLAIMED;
    QT_CHECK(qiao_htlc_record_done(&r, 0));
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    test_terms();
    test_refusals();
    test_roundtrip(cx);
    test_id_and_done();
    qiao_crypto_destroy(cx);
    return qt_finish();
}
