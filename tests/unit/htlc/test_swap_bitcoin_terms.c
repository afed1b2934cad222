/*
 * test_swap_bitcoin_terms.c: a qiao-swap/1 terms file with a Bitcoin leg (htlc/swap_record.h):
 * EVM initiator, Bitcoin participant with 33-byte keys and a CLTV height; it parses, passes the
 * engine's checks, round-trips; every Bitcoin-specific refusal has a case; the id covers the
 * height and the block interval bounds and leaves EVM-only ids as they were.
 */
#include <stdio.h>
#include <string.h>

#include "htlc/swap_record.h"
#include "tests/qt.h"

#define PUB_A "0x0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"
#define PUB_B "0x02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"

static const char terms_text[] =
    "{\"format\":\"qiao-swap/1\",\"hashlock\":\"0x"
    "66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925\","
    "\"preimage_len\":32,\"margin_s\":600,\"claim_for_counterparty\":true,"
    "\"initiator\":{\"chain\":7002,\"family\":\"evm\",\"contract\":\"0x"
    "5fbdb2315678afecb367f032d93f642f64180aa3\",\"hash\":\"sha256\",\"sender\":\"0x"
    "f39fd6e51aad88f6f4ce6ab8827279cfffb92266\",\"receiver\":\"0x"
    "70997970c51812dc3a010c7d01b50e0d17dc79c8\",\"amount\":\"1000000000000000000\","
    "\"timelock\":9000,\"finality_s\":10,\"submit_s\":20},"
    "\"participant\":{\"chain\":18444,\"family\":\"bitcoin\",\"hash\":\"sha256\","
    "\"sender\":\"" PUB_B "\",\"receiver\":\"" PUB_A "\",\"amount\":\"100000000\","
    "\"timelock\":4000,\"timelock_height\":1400,\"block_s_min\":1,\"block_s_max\":30,"
    "\"finality_s\":10,\"submit_s\":20,\"from_height\":1360}}";

static void expect_refused(const char *from, const char *to, const char *reason)
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
    qiao_err err = qiao_htlc_record_parse_text(&r, buf, strlen(buf), 1, &d);
    QT_CHECKF(err && strcmp(d.reason, reason) == 0, "%s -> %s: got %s (%s)", from, to, d.reason,
              d.msg);
}

static void test_parse(void)
{
    struct qiao_htlc_record r;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_htlc_record_parse_text(&r, terms_text, strlen(terms_text), 1, &d) == QIAO_OK,
              "%s", d.msg);
    QT_CHECK(r.drive[0].family == QIAO_HTLC_FAMILY_EVM && r.swap.terms.leg[0].addr_len == 20);
    QT_CHECK(r.drive[1].family == QIAO_HTLC_FAMILY_BITCOIN && r.swap.terms.leg[1].addr_len == 33);
    QT_CHECK(r.swap.terms.leg[1].receiver[0] == 0x02 && r.swap.terms.leg[1].receiver[32] == 0x98);
    QT_CHECK(r.drive[1].height.height == 1400 && r.drive[1].height.block_s_min == 1 &&
             r.drive[1].height.block_s_max == 30 && r.drive[1].from_height == 1360);
    QT_CHECK(r.swap.terms.leg[1].amount[31] == 0x00 && r.swap.terms.leg[1].amount[28] == 0x05);
    /* Cross-family legs compare recipients by role only, so the engine accepts them. */
    QT_CHECKF(qiao_htlc_check_terms(&r.swap.terms, 1000, &d) == QIAO_OK, "%s", d.msg);
    /* ...and still orders the timelocks. */
    struct qiao_htlc_record w = r;
    w.swap.terms.leg[1].timelock = 8500;
    QT_CHECK(qiao_htlc_check_terms(&w.swap.terms, 1000, &d) && !strcmp(d.reason, "timelock-order"));
}

static void test_roundtrip(void)
{
    struct qiao_htlc_record r, back;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_htlc_record_parse_text(&r, terms_text, strlen(terms_text), 1, &d) == QIAO_OK);
    r.swap.status[1] = QIAO_HTLC_LOCKED, r.drive[1].seen_height = 1361;
    cJSON *j = qiao_htlc_record_to_json(&r);
    char *text = cJSON_PrintUnformatted(j);
    QT_CHECK(text && strstr(text, "\"timelock_height\":1400") != NULL);
    QT_CHECK(text && strstr(text, "\"participant\":{\"chain\":18444,\"family\":\"bitcoin\","
                                  "\"timelock_height\"") != NULL); /* no contract */
    QT_CHECKF(text && qiao_htlc_record_parse_text(&back, text, strlen(text), 0, &d) == QIAO_OK,
              "%s", d.msg);
    QT_CHECK(memcmp(&back.swap.terms, &r.swap.terms, sizeof(r.swap.terms)) == 0);
    QT_CHECK(memcmp(&back.drive[1].height, &r.drive[1].height, sizeof(r.drive[1].height)) == 0);
    cJSON_free(text);
    cJSON_Delete(j);
}

static void test_refusals(void)
{
    expect_refused("\"family\":\"bitcoin\",", "\"family\":\"bitcoin\",\"contract\":\"0x"
                   "5fbdb2315678afecb367f032d93f642f64180aa3\",", "unknown-key");
    expect_refused("\"hash\":\"sha256\",\"sender\":\"0x02", "\"hash\":\"keccak256\",\"sender\":"
                   "\"0x02", "unsupported-hash");
    expect_refused(PUB_B, "0x04c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5",
                   "bad-value");
    expect_refused(PUB_A, "0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
                   "wrong-length");
    expect_refused("\"amount\":\"100000000\"", "\"amount\":\"2100000000000001\"", "out-of-range");
    expect_refused("\"timelock_height\":1400,", "", "missing-field");
    expect_refused("\"block_s_max\":30", "\"block_s_max\":4294967296", "out-of-range");
    expect_refused("\"timelock\":9000,", "\"timelock\":9000,\"timelock_height\":5,",
                   "unknown-key");
    expect_refused("\"family\":\"bitcoin\"", "\"family\":\"Bitcoin\"", "unsupported-family");
}

static void test_id(void)
{
    struct qiao_htlc_record r, s;
    struct qiao_diag d = {0};
    uint8_t a[32], b[32];
    QT_CHECK(qiao_htlc_record_parse_text(&r, terms_text, strlen(terms_text), 1, &d) == QIAO_OK);
    qiao_htlc_record_id(a, &r);
    QT_CHECK_MEM(a, r.id, 32);
    s = r, s.drive[1].height.height++;
    qiao_htlc_record_id(b, &s);
    QT_CHECK(memcmp(a, b, 32) != 0);
    s = r, s.drive[1].height.block_s_max++;
    qiao_htlc_record_id(b, &s);
    QT_CHECK(memcmp(a, b, 32) != 0);
    s = r, s.swap.terms.leg[1].receiver[32] ^= 1;
    qiao_htlc_record_id(b, &s);
    QT_CHECK(memcmp(a, b, 32) != 0);
    /* An EVM leg's height fields are not hashed (ids of EVM-only swaps are unchanged). */
    s = r, s.drive[0].height.height = 7;
    qiao_htlc_record_id(b, &s);
    QT_CHECK_MEM(a, b, 32);
}

int main(void)
{
    test_parse();
    test_roundtrip();
    test_refusals();
    test_id();
    return qt_finish();
}
