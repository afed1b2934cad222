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

int main(void)
{
    test_round_trip();
    test_trust();
    return qt_finish();
}
