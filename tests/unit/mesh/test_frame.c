/* test_frame.c: mesh frames round-trip, and every kind of malformed or hostile frame is refused
 * with the reason that names it. */
#include <stdio.h>
#include <string.h>

#include "relay/mesh/frame.h"
#include "tests/qt.h"

static void roundtrip(const struct qiao_mesh_frame *f)
{
    struct qiao_buf b = {0};
    struct qiao_mesh_frame back;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_mesh_frame_build(&b, f, &d) == QIAO_OK);
    QT_CHECKF(qiao_mesh_frame_parse(&back, (const char *)b.p, b.len, 0, &d) == QIAO_OK, "%s: %s",
              qiao_mesh_type_name(f->type), d.msg);
    QT_CHECKF(memcmp(&back, f, sizeof(back)) == 0, "%s frame differs after round trip",
              qiao_mesh_type_name(f->type));
    qiao_buf_clear(&b);
}

static void test_roundtrips(void)
{
    struct qiao_mesh_frame f;
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_HELLO;
    memset(f.u.hello.committee, 0xc1, 32);
    f.u.hello.epoch = 18446744073709551615ULL; /* epochs are strings on the wire: no 2^53 limit */
    memset(f.u.hello.from, 0xab, 20);
    memset(f.u.hello.nonce, 0x05, 32);
    roundtrip(&f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_AUTH;
    memset(f.u.auth.sig, 0x42, 65);
    roundtrip(&f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_ATT;
    memset(f.u.att.id, 0x11, 32);
    f.u.att.epoch = 3;
    memset(f.u.att.sig, 0x22, 65);
    roundtrip(&f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_WANT;
    f.u.want.count = QIAO_MESH_MAX_WANT;
    for (int i = 0; i < QIAO_MESH_MAX_WANT; i++)
        memset(f.u.want.ids[i], i, 32);
    roundtrip(&f);
    memset(&f, 0, sizeof(f));
    f.type = QIAO_MESH_HB;
    f.u.hb.t_ms = 1795240073000ULL;
    roundtrip(&f);
}

static void expect_reject(const char *text, const char *reason)
{
    struct qiao_mesh_frame f;
    struct qiao_diag d = {0};
    qiao_err err = qiao_mesh_frame_parse(&f, text, strlen(text), 0, &d);
    QT_CHECKF(err != QIAO_OK && strcmp(d.reason, reason) == 0, "%.60s: got %s (%s), want %s", text,
              err ? d.reason : "accepted", d.msg, reason);
}

static void test_rejections(void)
{
    static const char id[] = "0x1111111111111111111111111111111111111111111111111111111111111111";
    char buf[600];
    expect_reject("{\"type\":\"nope\"}", "unknown-type");
    expect_reject("[1,2]", "wrong-type");
    expect_reject("{\"type\":\"hb\",\"t\":\"1\",\"extra\":1}", "unknown-field");
    expect_reject("{\"type\":\"hb\",\"t\":\"1\",\"t\":\"2\"}", "duplicate-key");
    expect_reject("{\"type\":\"hb\"}", "missing-field");
    expect_reject("{\"type\":\"hb\",\"t\":\"01\"}", "bad-integer");
    expect_reject("{\"type\":\"hb\",\"t\":-5}", "bad-integer");
    expect_reject("{\"Type\":\"hb\",\"t\":\"1\"}", "missing-field"); /* case-sensitive */
    expect_reject("{\"type\":\"auth\",\"sig\":\"0x1234\"}", "wrong-length");
    snprintf(buf, sizeof(buf), "{\"type\":\"att\",\"id\":\"%s\",\"epoch\":\"1\",\"sig\":\"%.130sz\"}",
             id, "0x42424242424242424242424242424242424242424242424242424242424242424242424242"
                 "4242424242424242424242424242424242424242424242424242424242");
    expect_reject(buf, "wrong-length");
    expect_reject("{\"type\":\"want\",\"ids\":[1]}", "wrong-type");
    expect_reject("{\"type\":\"want\",\"ids\":\"x\"}", "wrong-type");
    expect_reject("{\"type\":\"hello\",\"v\":2,\"committee\":\"0x\",\"epoch\":\"1\",\"from\":\"0x\","
                  "\"nonce\":\"0x\"}", "bad-version");
    expect_reject("{\"type\":\"hb\",\"t\":{\"a\":{\"b\":{\"c\":{\"d\":{}}}}}}", "too-deep");
    expect_reject("{\"type\":\"hb\",", "bad-json");
    /* 257 ids: one more than a want may carry. */
    struct qiao_buf b = {0};
    qiao_buf_append(&b, "{\"type\":\"want\",\"ids\":[", 22, NULL);
    for (int i = 0; i <= QIAO_MESH_MAX_WANT; i++) {
        qiao_buf_append(&b, i ? ",\"" : "\"", i ? 2 : 1, NULL);
        qiao_buf_append(&b, id, strlen(id), NULL);
        qiao_buf_push(&b, '"', NULL);
    }
    qiao_buf_append(&b, "]}", 3, NULL);
    expect_reject((const char *)b.p, "too-many-ids");
    /* A frame over the cap is refused before it is parsed. */
    struct qiao_mesh_frame f;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_mesh_frame_parse(&f, (const char *)b.p, b.len, 100, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "frame-too-large") == 0);
    qiao_buf_clear(&b);
}

int main(void)
{
    test_roundtrips();
    test_rejections();
    return qt_finish();
}
