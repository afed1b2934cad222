/*
 * test_bft_codec.c: the CometBFT codecs: RFC 3339 times, durations, strict base64, the protobuf
 * writer, and the strict light-block JSON decoder's refusals.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/cometbft/bft_b64.h"
#include "adapters/cometbft/bft_json.h"
#include "adapters/cometbft/bft_pb.h"
#include "adapters/cometbft/bft_time.h"
#include "relay/core/json.h"
#include "tests/qt.h"

static void times(void)
{
    static const struct {
        const char *s;
        int64_t sec;
        int32_t nsec;
    } good[] = {
        {"1970-01-01T00:00:00Z", 0, 0},
        {"1970-01-01T00:00:01Z", 1, 0},
        {"2020-09-14T16:33:54.21191421Z", 1600101234, 211914210},
        {"2020-11-18T12:36:18.160570297Z", 1605702978, 160570297},
        {"2000-02-29T00:00:00Z", 951782400, 0},
        {"0001-01-01T00:00:00Z", -62135596800LL, 0},
        {"9999-12-31T23:59:59.999999999Z", 253402300799LL, 999999999},
        {"2020-01-01T08:00:00+08:00", 1577836800, 0},
        {"2019-12-31T23:00:00.5-01:00", 1577836800, 500000000},
    };
    static const char *const bad[] = {
        "", "1970-01-01", "1970-01-01T00:00:00", "1970-01-01t00:00:00Z", "1970-01-01T00:00:00z",
        "1970-01-01 00:00:00Z", "1970-01-01T00:00:00.Z", "1970-01-01T00:00:00.1234567891Z",
        "2019-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2020-13-01T00:00:00Z",
        "2020-04-31T00:00:00Z", "2020-01-01T24:00:00Z", "2020-01-01T23:60:00Z",
        "2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z", " 2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z ", "2020-01-01T00:00:00+8:00", "2020-01-01T00:00:00+24:00",
        "+2020-01-01T00:00:00Z", "2020-1-01T00:00:00Z",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        struct qiao_bft_time t = {0, 0};
        struct qiao_diag d = {0};
        QT_CHECKF(qiao_bft_time_parse(&t, good[i].s, "t", &d) == 0, "%s: %s", good[i].s, d.msg);
        QT_CHECKF(t.sec == good[i].sec && t.nsec == good[i].nsec, "%s -> %lld.%09d", good[i].s,
                  (long long)t.sec, t.nsec);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct qiao_bft_time t;
        struct qiao_diag d = {0};
        QT_CHECKF(qiao_bft_time_parse(&t, bad[i], "t", &d) == QIAO_EINVAL && !strcmp(d.reason, "bad-time"),
                  "accepted \"%s\"", bad[i]);
    }
    /* Formatting round-trips and trims trailing zeros as Go's RFC3339Nano does. */
    const char *rt[] = {"2020-09-14T16:33:54.21191421Z", "1970-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
                        "1969-12-31T23:59:59.5Z"};
    for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
        struct qiao_bft_time t;
        char buf[48];
        QT_CHECK(qiao_bft_time_parse(&t, rt[i], "t", NULL) == 0);
        qiao_bft_time_format(buf, sizeof(buf), t);
        QT_CHECKF(!strcmp(buf, rt[i]), "%s formatted as %s", rt[i], buf);
    }
    struct qiao_bft_time a = {10, 999999999}, b = qiao_bft_time_add(a, 1);
    QT_CHECK(b.sec == 11 && b.nsec == 0);
    b = qiao_bft_time_add(b, -2);
    QT_CHECK(b.sec == 10 && b.nsec == 999999998);
    QT_CHECK(qiao_bft_time_cmp(a, b) == 1 && qiao_bft_time_cmp(b, a) == -1 && qiao_bft_time_cmp(a, a) == 0);
}

static void durations(void)
{
    int64_t ns = 0;
    QT_CHECK(qiao_bft_duration_parse(&ns, "1209600", "p", NULL) == 0 && ns == 1209600000000000LL);
    QT_CHECK(qiao_bft_duration_parse(&ns, "0.5", "p", NULL) == 0 && ns == 500000000);
    QT_CHECK(qiao_bft_duration_parse(&ns, "0", "p", NULL) == 0 && ns == 0);
    QT_CHECK(qiao_bft_duration_parse(&ns, "1.000000001", "p", NULL) == 0 && ns == 1000000001);
    const char *bad[] = {"", "-1", "01", "1.", ".5", "1e3", "1.0000000001", " 1", "1s", "99999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        QT_CHECKF(qiao_bft_duration_parse(&ns, bad[i], "p", NULL) != 0, "accepted \"%s\"", bad[i]);
}

static void base64(void)
{
    uint8_t out[64];
    size_t n = 0;
    char enc[96];
    QT_CHECK(qiao_bft_b64_decode(out, sizeof(out), &n, "", "x", NULL) == 0 && n == 0);
    QT_CHECK(qiao_bft_b64_decode(out, sizeof(out), &n, "Zm9vYg==", "x", NULL) == 0 && n == 4 &&
             !memcmp(out, "foob", 4));
    QT_CHECK(qiao_bft_b64_decode(out, sizeof(out), &n, "Zm9vYmE=", "x", NULL) == 0 && n == 5);
    QT_CHECK(qiao_bft_b64_decode(out, sizeof(out), &n, "Zm9vYmFy", "x", NULL) == 0 && n == 6);
    const char *bad[] = {"Zm9vYg", "Zm9vYh==", "Zm9vYmF=", "Zm9v\nYg==", "Zm9-Yg==", "Zm9_Yg==",
                         "Zm=vYg==", "====", "Zg=a", ("Zm9vYg==" "=")};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        QT_CHECKF(qiao_bft_b64_decode(out, sizeof(out), &n, bad[i], "x", NULL) != 0, "accepted \"%s\"",
                  bad[i]);
    QT_CHECK(qiao_bft_b64_decode(out, 3, &n, "Zm9vYg==", "x", NULL) == QIAO_ERANGE);
    for (size_t len = 0; len < 40; len++) {
        uint8_t in[40], back[40];
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)(i * 37 + len);
        qiao_bft_b64_encode(enc, in, len);
        QT_CHECK(qiao_bft_b64_decode(back, sizeof(back), &n, enc, "x", NULL) == 0 && n == len &&
                 !memcmp(in, back, len));
    }
}

static void protobuf(void)
{
    uint8_t buf[32];
    struct qiao_bft_pb w;
    qiao_bft_pb_init(&w, buf, sizeof(buf));
    qiao_bft_pb_uint(&w, 1, 300);
    qiao_bft_pb_uint(&w, 2, 0);                     /* omitted */
    qiao_bft_pb_sfixed64(&w, 2, -1);
    qiao_bft_pb_bytes(&w, 6, "", 0);                /* omitted */
    qiao_bft_pb_msg(&w, 4, "", 0);                  /* non-nullable: written */
    static const uint8_t want[] = {0x08, 0xac, 0x02, 0x11, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0x22, 0x00};
    QT_CHECK(qiao_bft_pb_finish(&w, "t", NULL) == 0 && w.len == sizeof(want));
    QT_CHECK_MEM(buf, want, sizeof(want));
    qiao_bft_pb_init(&w, buf, 4);
    qiao_bft_pb_uint(&w, 1, UINT64_MAX);
    QT_CHECK(qiao_bft_pb_finish(&w, "t", NULL) == QIAO_ERANGE);
}

/* A minimal light block that decodes (it would not verify: the hashes are empty); each refusal case
 * patches one substring.  The validator is a real one from the vectors (address = its key's). */
#define SIG64 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
#define VAL                                                                                        \
    "{\"address\":\"6AE5C701F508EB5B63343858E068C5843F28105F\",\"pub_key\":{\"type\":"             \
    "\"tendermint/PubKeyEd25519\",\"value\":\"GQEC/HB4sDBAVhHtUzyv4yct9ZGnudaP209QQBSTfSQ=\"},"     \
    "\"voting_power\":\"50\"}"

static struct qiao_crypto *cx;
static const char block_json[] =
    "{\"signed_header\":{\"header\":{\"version\":{\"block\":\"11\",\"app\":\"0\"},"
    "\"chain_id\":\"c\",\"height\":\"2\",\"time\":\"1970-01-01T00:00:02Z\",\"last_block_id\":null,"
    "\"last_commit_hash\":\"\",\"data_hash\":\"\",\"validators_hash\":\"\",\"next_validators_hash\":\"\","
    "\"consensus_hash\":\"\",\"app_hash\":\"\",\"last_results_hash\":\"\",\"evidence_hash\":\"\","
    "\"proposer_address\":\"6AE5C701F508EB5B63343858E068C5843F28105F\"},"
    "\"commit\":{\"height\":\"2\",\"round\":1,\"block_id\":{\"hash\":\"\",\"parts\":{\"total\":1,\"hash\":\"\"}},"
    "\"signatures\":[{\"block_id_flag\":2,\"validator_address\":\"6AE5C701F508EB5B63343858E068C5843F28105F\","
    "\"timestamp\":\"1970-01-01T00:00:02Z\",\"signature\":\"" SIG64 "\"}]}},"
    "\"validator_set\":{\"validators\":[" VAL "]},\"next_validator_set\":{\"validators\":[" VAL "]}}";

static void patch_case(const char *from, const char *to, const char *reason)
{
    char text[4096], *p = strstr(block_json, from) ? text : NULL;
    struct qiao_diag d = {0};
    struct qiao_bft_light_block lb;
    static uint8_t storage[1 << 16];
    struct qiao_arena a;
    qiao_arena_init(&a, storage, sizeof(storage));
    QT_CHECKF(p != NULL, "patch \"%s\" not found", from);
    if (!p)
        return;
    const char *at = strstr(block_json, from);
    size_t pre = (size_t)(at - block_json);
    snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, block_json, to, at + strlen(from));
    qiao_err err = qiao_bft_light_block_parse(cx, &lb, text, strlen(text), 0, &a, &d);
    QT_CHECKF(err != 0 && !strcmp(d.reason, reason), "%s -> %s: got %d %s (%s), want %s", from, to,
              err, d.reason, d.msg, reason);
}

static void refusals(void)
{
    struct qiao_bft_light_block lb;
    static uint8_t storage[1 << 16];
    struct qiao_arena a;
    struct qiao_diag d = {0};
    qiao_arena_init(&a, storage, sizeof(storage));
    QT_CHECKF(qiao_bft_light_block_parse(cx, &lb, block_json, strlen(block_json), 0, &a, &d) == 0, "%s",
              d.msg);
    QT_CHECK(lb.vals.n == 1 && lb.vals.total_power == 50 && lb.commit.n_sigs == 1 && lb.header.height == 2);
    patch_case("\"height\":\"2\",\"time", "\"height\":\"-2\",\"time", "bad-integer");
    patch_case("\"height\":\"2\",\"time", "\"height\":\"02\",\"time", "bad-integer");
    patch_case("\"height\":\"2\",\"time", "\"height\":\"0\",\"time", "out-of-range");
    patch_case("\"height\":\"2\",\"time", "\"height\":\"9223372036854775808\",\"time", "out-of-range");
    patch_case("\"chain_id\":\"c\"", "\"chain_id\":\"c\",\"chain_id\":\"d\"", "duplicate-key");
    patch_case("\"chain_id\":\"c\"", "\"chain_id\":\"123456789012345678901234567890123456789012345678901\"",
               "chain-id-too-long");
    patch_case("00:00:02Z\",\"last", "00:00:02.0000000001Z\",\"last", "bad-time");
    patch_case("\"data_hash\":\"\"", "\"data_hash\":\"0xAB\"", "bad-hex");
    patch_case("\"data_hash\":\"\"", "\"data_hash\":\"ABCD\"", "wrong-length");
    patch_case("\"data_hash\":\"\"", "\"data_hash\":\"G0\"", "bad-hex-char");
    patch_case("\"proposer_address\":\"6AE5", "\"proposer_address\":\"6AE5C", "odd-length");
    patch_case("\"last_block_id\":null", "\"last_block_id\":{\"hash\":\"\",\"parts\":{\"total\":0,"
               "\"hash\":\"\"},\"part_set_header\":{\"total\":0,\"hash\":\"\"}}", "duplicate-key");
    patch_case("\"block_id_flag\":2", "\"block_id_flag\":4", "out-of-range");
    patch_case("\"block_id_flag\":2", "\"block_id_flag\":1", "absent-with-data");
    patch_case("\"signature\":\"AAAA", "\"signature\":\"AAA=", "bad-base64");
    patch_case("\"signature\":\"AAAA", "\"signature\":\"", "wrong-length");
    patch_case("\"round\":1", "\"round\":-1", "bad-integer");
    patch_case("\"round\":1", "\"round\":1.5", "bad-integer");
    patch_case("\"voting_power\":\"50\"}]},\"next", "\"voting_power\":\"0\"}]},\"next", "out-of-range");
    patch_case("]},\"next_validator_set", "," VAL "]},\"next_validator_set", "duplicate-validator");
    patch_case("\"validators\":[{\"address\":\"6AE5C701", "\"validators\":[{\"address\":\"7AE5C701",
               "address-mismatch");
    patch_case("PubKeyEd25519\",\"value\":\"GQEC/HB4sDBAVhHtUzyv4yct9ZGnudaP209QQBSTfSQ=\"},\"voting_power\":\"50\"}]},\"next",
               "PubKeySr25519\",\"value\":\"GQEC/HB4sDBAVhHtUzyv4yct9ZGnudaP209QQBSTfSQ=\"},\"voting_power\":\"50\"}]},\"next",
               "unsupported-key");
    patch_case(",\"next_validator_set\":{\"validators\":[" VAL "]}}", "}", "missing-field");
    patch_case("\"validator_set\":{\"validators\":[" VAL "]},", "", "missing-field");
    patch_case("\"signatures\":[", "\"signatures\":{", "bad-json");
    patch_case("\"version\":{", "\"Version\":{", "missing-field");
}

/* Two validators whose powers sum past CometBFT's MaxTotalVotingPower (MaxInt64 / 8). */
static void power_overflow(void)
{
    static const char *const fmt = "[{\"address\":\"6AE5C701F508EB5B63343858E068C5843F28105F\",\"pub_key\":"
        "{\"type\":\"tendermint/PubKeyEd25519\",\"value\":\"GQEC/HB4sDBAVhHtUzyv4yct9ZGnudaP209QQBSTfSQ=\"},"
        "\"voting_power\":\"%s\"},{\"address\":\"81D85BE9567F7069A4760C663062E66660DADF34\",\"pub_key\":"
        "{\"type\":\"tendermint/PubKeyEd25519\",\"value\":\"Lk4zm2cJO4FpzXFF9WUV9NzOLfr5jV+ps7EhwUDKlZM=\"},"
        "\"voting_power\":\"%s\"}]";
    static const char *const cases[][3] = {
        {"576460752303423487", "576460752303423488", "ok"},      /* sum = MaxInt64/8 exactly */
        {"576460752303423488", "576460752303423488", "power-overflow"},
        {"9223372036854775807", "1", "power-overflow"},
        {"9223372036854775808", "1", "out-of-range"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[1024];
        static uint8_t storage[1 << 14];
        struct qiao_arena a;
        struct qiao_bft_valset vs;
        struct qiao_diag d = {0};
        cJSON *arr = NULL;
        qiao_arena_init(&a, storage, sizeof(storage));
        snprintf(text, sizeof(text), fmt, cases[i][0], cases[i][1]);
        QT_CHECK(qiao_json_parse(&arr, text, strlen(text), 0, 0, &d) == 0);
        qiao_err err = qiao_bft_validators_from_json(cx, &vs, arr, &a, &d);
        if (!strcmp(cases[i][2], "ok"))
            QT_CHECKF(err == 0 && vs.total_power == QIAO_BFT_MAX_TOTAL_POWER && vs.v[0].power > vs.v[1].power,
                      "%s", d.msg);
        else
            QT_CHECKF(err != 0 && !strcmp(d.reason, cases[i][2]), "case %zu: %s", i, d.reason);
        cJSON_Delete(arr);
    }
}

int main(void)
{
    cx = qiao_crypto_create();
    times();
    durations();
    base64();
    protobuf();
    refusals();
    power_overflow();
    qiao_crypto_destroy(cx);
    return qt_finish();
}
