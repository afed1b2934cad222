/*
 * test_rpc_msg.c: the pure JSON-RPC codec: request encoding and reply validation, one case per
 * rule (version, id, result XOR error, error objects, notifications, caps, dialects), plus the
 * endpoint URL parser.
 */
#include <string.h>

#include "relay/rpc/rpc_msg.h"
#include "relay/rpc/rpc_url.h"
#include "tests/qt.h"

/* Validate text as the reply to id 7 and return the reason ("" when accepted). */
static const char *reply_reason(const char *text, enum qiao_rpc_dialect dialect)
{
    static struct qiao_diag d;
    struct qiao_rpc_limits lim = {.max_bytes = 4096, .max_depth = 8, .dialect = dialect};
    struct qiao_rpc_msg m;
    qiao_diag_clear(&d);
    qiao_err err = qiao_rpc_reply_check(&m, text, strlen(text), 7, "eth_test", &lim, &d);
    qiao_rpc_msg_clear(&m);
    return err ? d.reason : "";
}

#define ACCEPT(text) QT_CHECKF(!*reply_reason(text, 0), "%s -> %s", text, reply_reason(text, 0))
#define REJECT(text, why)                                                                          \
    QT_CHECKF(strcmp(reply_reason(text, 0), why) == 0, "%s -> %s (want %s)", text,                \
              reply_reason(text, 0), why)
#define ACCEPT_LEGACY(text) QT_CHECKF(!*reply_reason(text, 1), "%s -> %s", text, reply_reason(text, 1))
#define REJECT_LEGACY(text, why)                                                                   \
    QT_CHECKF(strcmp(reply_reason(text, 1), why) == 0, "legacy %s -> %s (want %s)", text,         \
              reply_reason(text, 1), why)

static void test_replies(void)
{
    ACCEPT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"0x1\"}");
    ACCEPT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":null}");
    ACCEPT("{\"id\":7,\"jsonrpc\":\"2.0\",\"result\":{\"a\":[1,2]}}");
    REJECT("{\"jsonrpc\":\"1.0\",\"id\":7,\"result\":1}", "bad-version");
    REJECT("{\"id\":7,\"result\":1}", "bad-version");
    REJECT("{\"jsonrpc\":2.0,\"id\":7,\"result\":1}", "bad-version");
    REJECT("{\"jsonrpc\":\"2.0\",\"result\":1}", "missing-id");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":null,\"result\":1}", "missing-id");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":8,\"result\":1}", "id-mismatch");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":\"7\",\"result\":1}", "bad-id");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7.5,\"result\":1}", "bad-id");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":-7,\"result\":1}", "bad-id");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":1e300,\"result\":1}", "bad-id");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7}", "no-result-or-error");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1,\"error\":null}", "result-and-error");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1,\"error\":{\"code\":1,\"message\":\"x\"}}",
           "result-and-error");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32000,\"message\":\"boom\"}}",
           "rpc-error");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"parse\"}}",
           "rpc-error");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":\"boom\"}", "bad-error-object");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"message\":\"boom\"}}", "bad-error-object");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":1.5,\"message\":\"x\"}}",
           "bad-error-object");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":1}}", "bad-error-object");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1,\"result\":2}", "duplicate-key");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1} x", "trailing-bytes");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1", "bad-json");
    REJECT("", "bad-json");
    REJECT("[{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1}]", "not-object");
    REJECT("\"0x1\"", "not-object");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":[[[[[[[[[[1]]]]]]]]]]}", "too-deep");
    REJECT("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{}}",
           "unexpected-notification");
    REJECT("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"}", "unexpected-request");
}

static void test_legacy(void)
{
    ACCEPT_LEGACY("{\"result\":5,\"error\":null,\"id\":7}");
    ACCEPT_LEGACY("{\"result\":null,\"error\":null,\"id\":7}");
    ACCEPT_LEGACY("{\"jsonrpc\":\"1.0\",\"result\":\"x\",\"error\":null,\"id\":7}");
    ACCEPT_LEGACY("{\"jsonrpc\":\"2.0\",\"result\":\"x\",\"id\":7}");
    REJECT_LEGACY("{\"result\":null,\"error\":{\"code\":-5,\"message\":\"nope\"},\"id\":7}",
                  "rpc-error");
    REJECT_LEGACY("{\"result\":1,\"error\":{\"code\":-5,\"message\":\"nope\"},\"id\":7}",
                  "result-and-error");
    REJECT_LEGACY("{\"error\":null,\"id\":7}", "no-result-or-error");
    REJECT_LEGACY("{\"jsonrpc\":\"3.0\",\"result\":1,\"id\":7}", "bad-version");
    REJECT_LEGACY("{\"result\":1,\"error\":null,\"id\":8}", "id-mismatch");
}

static void test_error_kept(void)
{
    const char *text = "{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32601,"
                       "\"message\":\"Method not found\",\"data\":\"x\"}}";
    struct qiao_rpc_msg m;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_reply_check(&m, text, strlen(text), 3, "eth_x", NULL, &d) == QIAO_EIO);
    QT_CHECK(m.error && m.error_code == -32601);
    QT_CHECK(m.error_message && strcmp(m.error_message, "Method not found") == 0);
    QT_CHECKF(strstr(d.msg, "-32601") && strstr(d.msg, "eth_x"), "%s", d.msg);
    qiao_rpc_msg_clear(&m);
    QT_CHECK(m.root == NULL);
}

static void test_caps(void)
{
    char big[5000];
    memset(big, ' ', sizeof(big));
    memcpy(big, "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":1}", 35);
    big[sizeof(big) - 1] = 0;
    REJECT(big, "too-large");
}

static void test_notification(void)
{
    const char *text = "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":"
                       "{\"subscription\":\"0xab\",\"result\":{\"number\":\"0x2\"}}}";
    struct qiao_rpc_msg m;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_msg_parse(&m, text, strlen(text), NULL, &d) == QIAO_OK);
    QT_CHECK(m.kind == QIAO_RPC_MSG_NOTIFICATION);
    const char *sid = NULL;
    const cJSON *res = NULL;
    QT_CHECK(qiao_rpc_msg_eth_notification(&m, &sid, &res, &d) == QIAO_OK);
    QT_CHECK(sid && strcmp(sid, "0xab") == 0 && cJSON_IsObject(res));
    qiao_rpc_msg_clear(&m);
    const char *bad[] = {
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"result\":1}}",
        ("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":1,"
         "\"result\":1}}"),
        "{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\"0x1\"}}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"other\",\"params\":{\"subscription\":\"0x1\",\"result\":1}}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        QT_CHECK(qiao_rpc_msg_parse(&m, bad[i], strlen(bad[i]), NULL, &d) == QIAO_OK);
        QT_CHECKF(qiao_rpc_msg_eth_notification(&m, &sid, &res, &d) == QIAO_EINVAL, "%s", bad[i]);
        qiao_rpc_msg_clear(&m);
    }
    const char *malformed[] = {
        "{\"jsonrpc\":\"2.0\",\"method\":5}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"a b\"}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":3}",
        "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"result\":3}",
    };
    for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
        QT_CHECKF(qiao_rpc_msg_parse(&m, malformed[i], strlen(malformed[i]), NULL, &d) ==
                          QIAO_EINVAL && strcmp(d.reason, "bad-notification") == 0,
                  "%s -> %s", malformed[i], d.reason);
        QT_CHECK(m.root == NULL);
    }
}

static void test_encode(void)
{
    struct qiao_buf b;
    struct qiao_diag d = {0};
    qiao_buf_init(&b, 0);
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString("latest"));
    cJSON_AddItemToArray(p, cJSON_CreateFalse());
    QT_CHECK(qiao_rpc_request_encode(&b, 4, 9, "eth_getBlockByNumber", p, &d) == QIAO_OK);
    const char *want = "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"eth_getBlockByNumber\","
                       "\"params\":[\"latest\",false]}";
    QT_CHECK(b.len == 4 + strlen(want) && memcmp(b.p + 4, want, strlen(want)) == 0);
    QT_CHECK(b.p[0] == 0 && b.p[3] == 0);
    b.len = 0;
    QT_CHECK(qiao_rpc_request_encode(&b, 0, 1, "getblockcount", NULL, &d) == QIAO_OK);
    want = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"getblockcount\",\"params\":[]}";
    QT_CHECK(b.len == strlen(want) && memcmp(b.p, want, b.len) == 0);
    QT_CHECK(qiao_rpc_request_encode(&b, 0, 1, "a\"b", NULL, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-method") == 0);
    QT_CHECK(qiao_rpc_request_encode(&b, 0, 1, "", NULL, &d) == QIAO_EINVAL);
    char longm[QIAO_RPC_METHOD_MAX + 2];
    memset(longm, 'a', sizeof(longm) - 1);
    longm[sizeof(longm) - 1] = 0;
    QT_CHECK(qiao_rpc_request_encode(&b, 0, 1, longm, NULL, &d) == QIAO_EINVAL);
    cJSON *num = cJSON_CreateNumber(3);
    QT_CHECK(qiao_rpc_request_encode(&b, 0, 1, "x", num, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-params") == 0);
    QT_CHECK(qiao_rpc_request_encode(&b, 0, QIAO_RPC_ID_LIMIT, "x", p, &d) == QIAO_EINVAL);
    cJSON_Delete(num);
    cJSON_Delete(p);
    qiao_buf_clear(&b);
}

static void test_url(void)
{
    struct qiao_rpc_url u;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_url_parse(&u, "http://127.0.0.1:8545", &d) == QIAO_OK);
    QT_CHECK(u.scheme == QIAO_RPC_HTTP && u.port == 8545 && strcmp(u.host, "127.0.0.1") == 0 &&
             strcmp(u.path, "/") == 0);
    QT_CHECK(qiao_rpc_url_parse(&u, "wss://node.example/ws?key=1", &d) == QIAO_OK);
    QT_CHECK(u.scheme == QIAO_RPC_WSS && u.port == 443 && strcmp(u.path, "/ws?key=1") == 0);
    QT_CHECK(qiao_rpc_url_is_ws(&u) && qiao_rpc_url_is_tls(&u));
    QT_CHECK(qiao_rpc_url_parse(&u, "ws://[::1]:8546/", &d) == QIAO_OK);
    QT_CHECK(strcmp(u.host, "::1") == 0 && u.port == 8546);
    QT_CHECK(qiao_rpc_url_parse(&u, "https://h:443", &d) == QIAO_OK && u.port == 443);
    const char *bad[] = {"ftp://h", "HTTP://h", "http://", "http://h:0", "http://h:65536",
                         "http://h:08545", "http://h:80x", "http://u:p@h/", "http://h/a b",
                         "http://h/#frag", "http://[::1/", "http://h:", "http:/h", NULL};
    for (int i = 0; bad[i]; i++)
        QT_CHECKF(qiao_rpc_url_parse(&u, bad[i], &d) == QIAO_EINVAL &&
                      strcmp(d.reason, "bad-url") == 0,
                  "%s accepted (%s)", bad[i], d.reason);
    char longurl[QIAO_RPC_URL_MAX + 8];
    memset(longurl, 'a', sizeof(longurl) - 1);
    memcpy(longurl, "http://", 7);
    longurl[sizeof(longurl) - 1] = 0;
    QT_CHECK(qiao_rpc_url_parse(&u, longurl, &d) == QIAO_ERANGE);
}

int main(void)
{
    test_replies();
    test_legacy();
    test_error_kept();
    test_caps();
    test_notification();
    test_encode();
    test_url();
    return qt_finish();
}
