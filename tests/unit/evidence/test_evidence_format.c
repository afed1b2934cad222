/*
 * test_evidence_format.c: the qiao-evidence/1 encoding without any chain: a small bundle built
 * in memory round-trips through the builder and the strict parser byte for byte, and hostile
 * variants are refused with the documented reasons (unknown member, duplicate key, non-canonical
 * spelling, wrong format, oversized arrays), as are malformed trust files.  Verification of a
 * structurally valid but unproven bundle fails at the first check, naming it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/keccak.h"
#include "relay/evidence/evidence.h"
#include "tests/qt.h"

static void small_bundle(struct qiao_ev_bundle *b)
{
    static const char rec[] = "{\"doc\":\"x\"}";
    memset(b, 0, sizeof(*b));
    qiao_ev_bytes_set(&b->record.payload, rec, strlen(rec), NULL);
    strcpy(b->record.subject, "0x00000000000000000000000000000000000000aa");
    b->record.source_time = 1700000000, b->record.observed_time = 1700000005;
    b->message.version = 1, b->message.src_chain_id = 7003, b->message.seq = 1;
    b->message.dst_chain_id = 7001;
    qiao_keccak256(b->message.payload_hash, rec, strlen(rec));
    b->source.family = QIAO_EV_EVM;
    b->source.seg.chain_id = 7003;
    uint8_t hdr[3] = {0xc1, 0x80, 0x00};
    qiao_ev_segment_push(&b->source.seg, hdr, 2, NULL);
    qiao_ev_bytes_set(&b->source.seg.proof, "\xc0", 1, NULL);
    b->delivery.chain_id = 7001;
    qiao_ev_segment_push(&b->delivery, hdr, 2, NULL);
    qiao_ev_bytes_set(&b->delivery.proof, "\xc0", 1, NULL);
    b->cert.epoch = 1;
}

static qiao_err parse_text(const char *text, struct qiao_diag *d)
{
    struct qiao_ev_bundle b;
    qiao_err err = qiao_ev_parse(&b, text, strlen(text), d);
    qiao_ev_bundle_clear(&b);
    return err;
}

/* Replace the first occurrence of from with to in a copy of s. */
static char *edit(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    char *out = malloc(strlen(s) + strlen(to) + 1);
    if (!p) {
        strcpy(out, s);
        return out;
    }
    size_t head = (size_t)(p - s);
    memcpy(out, s, head);
    strcpy(out + head, to);
    strcat(out, p + strlen(from));
    return out;
}

static void expect_reason(const char *text, const char *from, const char *to, const char *reason)
{
    struct qiao_diag d = {0};
    char *bad = edit(text, from, to);
    qiao_err err = parse_text(bad, &d);
    QT_CHECKF(err != QIAO_OK && strcmp(d.reason, reason) == 0, "%s -> %s: got \"%s\" (%s), want "
              "%s", from, to, d.reason, d.msg, reason);
    free(bad);
}

static void test_round_trip(void)
{
    struct qiao_ev_bundle b, again;
    struct qiao_buf out = {0}, out2 = {0};
    struct qiao_diag d = {0};
    struct qiao_crypto *cx = qiao_crypto_create();
    small_bundle(&b);
    qiao_sha256(cx, b.record.sha256, b.record.payload.p, b.record.payload.len);
    QT_CHECK(qiao_ev_build(&out, &b, 1, &d) == QIAO_OK);
    QT_CHECK(qiao_buf_push(&out, 0, &d) == QIAO_OK);
    const char *text = (const char *)out.p;
    QT_CHECKF(qiao_ev_parse(&again, text, out.len - 1, &d) == QIAO_OK, "parse: %s", d.msg);
    QT_CHECK(qiao_ev_build(&out2, &again, 1, &d) == QIAO_OK && out2.len == out.len - 1 &&
             memcmp(out2.p, out.p, out2.len) == 0);
    QT_CHECK(strncmp(text, "{\"certificate\":{\"committeeId\":\"0x", 33) == 0);
    QT_CHECK(strstr(text, "\"seq\":\"1\"") && !strchr(text, ' '));
    expect_reason(text, "{\"certificate\"", "{\"extra\":\"1\",\"certificate\"", "unknown-field");
    expect_reason(text, "\"seq\":\"1\"", "\"seq\":\"1\",\"seq\":\"1\"", "duplicate-key");
    expect_reason(text, "\"seq\":\"1\"", "\"seq\":1", "non-canonical");
    expect_reason(text, "\"format\":\"qiao-evidence/1\"", "\"format\":\"qiao-evidence/2\"",
                  "unknown-format");
    expect_reason(text, "\"family\":\"evm\"", "\"family\":\"fabric\"", "unknown-family");
    expect_reason(text, "\"srcEmitter\":\"0x", "\"srcEmitter\":\"0X", "non-canonical");
    expect_reason(text, "\"headers\":[\"0xc180\"]", "\"headers\":[]", "header-count");
    expect_reason(text, "\"sourceTime\":\"1700000000\"", "\"sourceTime\":\"01700000000\"",
                  "bad-integer");
    expect_reason(text, "\"receiptProof\":\"0xc0\"", "\"receiptProof\":\"0xc\"", "odd-length");
    /* verification of this unproven bundle stops at the first check that cannot hold */
    struct qiao_ev_trust t;
    const char trust[] = "{\"format\":\"qiao-trust/1\",\"committee\":{\"id\":\"0x" 
        "0000000000000000000000000000000000000000000000000000000000000000\",\"epoch\":\"1\","
        "\"k\":\"1\",\"members\":[\"0x00000000000000000000000000000000000000aa\"]},\"chains\":[]}";
    QT_CHECKF(qiao_ev_trust_parse(&t, trust, strlen(trust), &d) == QIAO_OK, "trust: %s", d.msg);
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    void *mem = malloc(QIAO_EV_ARENA_BYTES);
    struct qiao_arena arena;
    qiao_arena_init(&arena, mem, QIAO_EV_ARENA_BYTES);
    QT_CHECK(qiao_ev_verify(cx, r, &again, &t, &arena, &d) != QIAO_OK &&
             r->verdict == QIAO_EV_REJECTED && !strcmp(r->fail_component, "source") &&
             !strcmp(r->fail.reason, "untrusted-chain"));
    again.record.payload.p[0] ^= 1;
    QT_CHECK(qiao_ev_verify(cx, r, &again, &t, &arena, &d) != QIAO_OK &&
             !strcmp(r->fail_component, "record") && !strcmp(r->fail.reason,
                                                              "record-hash-mismatch"));
    struct qiao_buf rep = {0};
    QT_CHECK(qiao_ev_report_text(&rep, r, &d) == QIAO_OK &&
             strstr((const char *)rep.p, "REJECTED"));
    qiao_buf_clear(&rep);
    free(mem);
    free(r);
    qiao_crypto_destroy(cx);
    qiao_ev_trust_clear(&t);
    qiao_ev_bundle_clear(&b);
    qiao_ev_bundle_clear(&again);
    qiao_buf_clear(&out);
    qiao_buf_clear(&out2);
}

static void test_trust(void)
{
    static const struct {
        const char *text, *reason;
    } bad[] = {
        {"{\"format\":\"qiao-trust/1\",\"chains\":[]}", "missing-field"},
        {"{\"format\":\"x\"}", "unknown-format"},
        {"{\"format\":\"qiao-trust/1\",\"bogus\":1}", "unknown-field"},
        {"{\"format\":\"qiao-trust/1\",\"committee\":{\"id\":\"0x" 
         "0000000000000000000000000000000000000000000000000000000000000000\",\"epoch\":\"1\","
         "\"k\":\"2\",\"members\":[\"0x00000000000000000000000000000000000000aa\"]},"
         "\"chains\":[]}", "bad-threshold"},
        /* one chain id twice: the verifier would use the first entry, a reader might trust the
         * second (another checkpoint, another emitter) */
        {"{\"format\":\"qiao-trust/1\",\"committee\":{\"id\":\"0x"
         "0000000000000000000000000000000000000000000000000000000000000000\",\"epoch\":\"1\","
         "\"k\":\"1\",\"members\":[\"0x00000000000000000000000000000000000000aa\"]},"
         "\"chains\":[{\"chainId\":\"5\",\"family\":\"evm\",\"checkpoint\":{\"height\":\"1\","
         "\"hash\":\"0x0000000000000000000000000000000000000000000000000000000000000001\"},"
         "\"confirmations\":\"0\"},{\"chainId\":\"5\",\"family\":\"evm\",\"checkpoint\":"
         "{\"height\":\"2\",\"hash\":\"0x000000000000000000000000000000000000000000000000000000"
         "0000000002\"},\"confirmations\":\"0\"}]}", "duplicate-chain"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct qiao_ev_trust t;
        struct qiao_diag d = {0};
        QT_CHECKF(qiao_ev_trust_parse(&t, bad[i].text, strlen(bad[i].text), &d) != QIAO_OK &&
                      !strcmp(d.reason, bad[i].reason),
                  "trust %zu: got %s, want %s", i, d.reason, bad[i].reason);
        qiao_ev_trust_clear(&t);
    }
}

/* 1 when the text holds a byte a terminal would act on: C0 controls other than newline, DEL, or
 * a C1 control (U+0080..U+009F, e.g. U+009B CSI) in its UTF-8 form. */
static int has_terminal_control(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f)
            return 1;
        if (p[i] == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
            return 1;
    }
    return 0;
}

/* The text report goes to a judge's terminal, and the bundle is hostile: an unknown member's name,
 * record.subject or a light block's chain_id end up in failure messages.  Escape sequences in them
 * (clear the screen, print "Verdict: VERIFIED" in green) must reach the terminal as inert text. */
static void test_report_is_inert(void)
{
    static const char bundle[] = "{\"\\u001b[2J\\u001b[HVerdict: VERIFIED\\u0007\\u00c2\\u009b31m"
                                 "\":\"1\"}";
    struct qiao_diag d = {0};
    struct qiao_buf rep = {0};
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    QT_CHECK(parse_text(bundle, &d) != QIAO_OK && !strcmp(d.reason, "unknown-field"));
    QT_CHECK(strchr(d.msg, 0x1b) != NULL); /* the raw message does carry the escape */
    qiao_ev_report_unusable(r, "bundle", &d);
    QT_CHECK(qiao_ev_report_text(&rep, r, &d) == QIAO_OK);
    QT_CHECKF(!has_terminal_control(rep.p, rep.len), "%.*s", (int)rep.len, (const char *)rep.p);
    QT_CHECK(qiao_buf_push(&rep, 0, &d) == QIAO_OK);
    QT_CHECK(strstr((const char *)rep.p, "\\x1b[2J") != NULL); /* shown, not obeyed */
    /* a rejected report: check details and the failure message */
    memset(r, 0, sizeof(*r));
    r->verdict = QIAO_EV_REJECTED, r->fail_component = "record", r->fail_check = "subject";
    snprintf(r->fail.reason, sizeof(r->fail.reason), "subject-mismatch");
    snprintf(r->fail.msg, sizeof(r->fail.msg), "record.subject \"\x1b]0;owned\x07\xc2\x9b" "1m\"");
    r->nchecks = 1, r->checks[0].component = "record", r->checks[0].check = "subject";
    snprintf(r->checks[0].detail, sizeof(r->checks[0].detail), "bad \x1b[32m\r\x7f");
    rep.len = 0;
    QT_CHECK(qiao_ev_report_text(&rep, r, &d) == QIAO_OK && strstr((const char *)rep.p, "REJECTED"));
    QT_CHECKF(!has_terminal_control(rep.p, rep.len), "%.*s", (int)rep.len, (const char *)rep.p);
    qiao_buf_clear(&rep);
    free(r);
}

int main(void)
{
    test_round_trip();
    test_trust();
    test_report_is_inert();
    return qt_finish();
}
