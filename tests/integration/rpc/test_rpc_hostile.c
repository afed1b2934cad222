/*
 * test_rpc_hostile.c: the JSON-RPC client against a lying node.
 *
 * The server (hostile.c) is a hostile stand-in for a lying or broken node, because no real node
 * can be made to lie.  Each case checks the exact reason the client reports, that a huge body is
 * aborted long before it ends, that stalls end at the call's timeout, and that a WebSocket that
 * misbehaves is dropped and replaced while honest calls still go through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "hostile.h"
#include "relay/rpc/rpc.h"
#include "tests/qt.h"

static struct lws_context *g_lws;
static int g_port;

static struct qiao_rpc *client(const char *path, unsigned timeout_ms, const char *user,
                               const char *pass)
{
    char url[128];
    snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", strncmp(path, "/ws/", 4) ? "http" : "ws",
             g_port, path);
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = timeout_ms, .max_reply = 64 * 1024,
                              .basic_user = user, .basic_pass = pass};
    struct qiao_rpc *r = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_rpc_create(&r, g_lws, &o, &d) == QIAO_OK, "create %s: %s", url, d.msg);
    return r;
}

/* One sync call on path; returns the failure reason ("" on success) in a static buffer. */
static const char *outcome(const char *path, unsigned timeout_ms, cJSON **result)
{
    static struct qiao_diag d;
    qiao_diag_clear(&d);
    struct qiao_rpc *r = client(path, timeout_ms, NULL, NULL);
    if (!r)
        return "no-client";
    cJSON *res = NULL;
    qiao_err err = qiao_rpc_call_sync(r, "eth_chainId", NULL, &res, &d);
    qiao_rpc_destroy(r);
    if (result)
        *result = res;
    else
        cJSON_Delete(res);
    QT_CHECKF(!err == !d.code, "%s: err %d with diag code %d", path, err, d.code);
    return err ? d.reason : "";
}

#define EXPECT(path, want)                                                                         \
    do {                                                                                           \
        const char *got_ = outcome(path, 3000, NULL);                                              \
        QT_CHECKF(strcmp(got_, want) == 0, "%s: got \"%s\", want \"%s\"", path, got_, want);       \
    } while (0)

static void test_http_lies(void)
{
    cJSON *res = NULL;
    const char *ok = outcome("/ok", 3000, &res);
    QT_CHECKF(!*ok && cJSON_IsString(res) && strcmp(res->valuestring, "0x1b59") == 0,
              "honest path: %s", ok);
    cJSON_Delete(res);
    EXPECT("/malformed", "bad-json");
    EXPECT("/wrong-id", "id-mismatch");
    EXPECT("/both", "result-and-error");
    EXPECT("/neither", "no-result-or-error");
    EXPECT("/version", "bad-version");
    EXPECT("/dup-key", "duplicate-key");
    EXPECT("/deep", "too-deep");
    EXPECT("/status500", "http-status");
    EXPECT("/status500-rpc", "rpc-error");
    EXPECT("/redirect", "http-status");
    EXPECT("/truncated", "truncated");
    EXPECT("/close", "connection-closed");
    EXPECT("/close-delimited", ""); /* honest, if old-fashioned */
}

static void test_huge(void)
{
    int before = qiao_hostile_huge_done();
    EXPECT("/huge-cl", "reply-too-large");
    size_t sent = qiao_hostile_bytes_sent(before);
    QT_CHECKF(sent == 0 || sent < (size_t)32 << 20,
              "announced 256 MiB refused at the headers (server wrote %zu)", sent);
    before = qiao_hostile_huge_done();
    EXPECT("/huge-stream", "reply-too-large");
    sent = qiao_hostile_bytes_sent(before);
    /* The cap is 64 KiB; socket buffers on loopback hold a few MiB more.  Reading to the end
     * would have taken all 256 MiB. */
    QT_CHECKF(sent < (size_t)32 << 20, "stream aborted early: server wrote %zu bytes", sent);
    printf("huge-stream: server wrote %zu of %zu bytes before the client hung up\n", sent,
           (size_t)256 << 20);
}

static void test_stalls(void)
{
    const char *got = outcome("/stall", 300, NULL);
    QT_CHECKF(strcmp(got, "timeout") == 0, "stall: %s", got);
    got = outcome("/slowloris", 300, NULL);
    QT_CHECKF(strcmp(got, "timeout") == 0, "slowloris: %s", got);
}

static void test_auth(void)
{
    struct qiao_diag d = {0};
    cJSON *res = NULL;
    struct qiao_rpc *r = client("/auth", 3000, "x", "secret");
    QT_CHECKF(r && qiao_rpc_call_sync(r, "getinfo", NULL, &res, &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(cJSON_IsString(res) && strcmp(res->valuestring, "authorised") == 0);
    cJSON_Delete(res);
    qiao_rpc_destroy(r);
    r = client("/auth", 3000, "x", "wrong");
    QT_CHECK(r && qiao_rpc_call_sync(r, "getinfo", NULL, &res, &d) == QIAO_EIO);
    QT_CHECKF(strcmp(d.reason, "http-status") == 0 && strstr(d.msg, "401"), "%s: %s", d.reason,
              d.msg);
    qiao_rpc_destroy(r);
}

struct result {
    int done;
    qiao_err err;
    char reason[48];
};

static void result_cb(void *user, qiao_err err, const cJSON *res, const struct qiao_diag *d)
{
    struct result *o = user;
    o->err = err;
    snprintf(o->reason, sizeof(o->reason), "%s", err && d ? d->reason : "");
    o->done = 1;
}

/* A misbehaving WebSocket: the call on the wire fails with the reason, and the client drops the
 * connection and reconnects (the server lies again on the new one, so only the reconnect is
 * checked). */
static void ws_case(const char *path, const char *want)
{
    struct qiao_rpc *r = client(path, 3000, NULL, NULL);
    struct result o = {0};
    QT_CHECK(r && qiao_rpc_call(r, "eth_chainId", NULL, result_cb, &o, NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &o.done, 5000));
    QT_CHECKF(strcmp(o.reason, want) == 0, "%s: got \"%s\", want \"%s\"", path, o.reason, want);
    int never = 0;
    qiao_rpc_service_until(g_lws, &never, 300); /* backoff: first retry after ~100 ms */
    struct qiao_rpc_stats st;
    qiao_rpc_get_stats(r, &st);
    QT_CHECKF(st.connects >= 2 && st.disconnects >= 1, "%s: reconnected (%llu connects)", path,
              (unsigned long long)st.connects);
    qiao_rpc_destroy(r);
}

static void test_ws_late(void)
{
    struct qiao_rpc *r = client("/ws/late", 150, NULL, NULL);
    struct result first = {0}, second = {0};
    QT_CHECK(r && qiao_rpc_call(r, "eth_chainId", NULL, result_cb, &first, NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &first.done, 3000));
    QT_CHECKF(strcmp(first.reason, "timeout") == 0, "late: %s", first.reason);
    /* The late reply arrives while the second call waits; it must be dropped quietly. */
    QT_CHECK(qiao_rpc_call(r, "eth_chainId", NULL, result_cb, &second, NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &second.done, 3000));
    struct qiao_rpc_stats st;
    qiao_rpc_get_stats(r, &st);
    /* The second call may itself time out behind the server's 400 ms sleep; what matters is
     * that the late reply did not tear the connection down. */
    QT_CHECKF(st.connects == 1 && st.disconnects == 0, "late reply kept the connection (%llu/%llu)",
              (unsigned long long)st.connects, (unsigned long long)st.disconnects);
    qiao_rpc_destroy(r);
}

static void test_ws_lies(void)
{
    struct qiao_rpc *r = client("/ws/ok", 3000, NULL, NULL);
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(r && qiao_rpc_call_sync(r, "eth_chainId", NULL, &res, &d) == QIAO_OK, "%s", d.msg);
    cJSON_Delete(res);
    qiao_rpc_destroy(r);
    ws_case("/ws/wrong-id", "id-mismatch");
    ws_case("/ws/malformed", "bad-json");
    ws_case("/ws/huge", "reply-too-large");
    ws_case("/ws/drop", "connection-lost");
    test_ws_late();
}

static void sub_cb(void *user, enum qiao_rpc_sub_event ev, const cJSON *data,
                   const struct qiao_diag *d)
{
    struct result *o = user;
    if (ev == QIAO_RPC_SUB_FAILED) {
        snprintf(o->reason, sizeof(o->reason), "%s", d ? d->reason : "");
        o->done = 1;
    }
}

static void test_ws_refused_subscription(void)
{
    struct qiao_rpc *r = client("/ws/refuse", 3000, NULL, NULL);
    struct qiao_rpc_sub *s = NULL;
    struct result o = {0};
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString("newHeads"));
    QT_CHECK(r && qiao_rpc_subscribe(r, &s, p, sub_cb, &o, NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &o.done, 5000));
    QT_CHECKF(strcmp(o.reason, "rpc-error") == 0, "refused subscription: %s", o.reason);
    qiao_rpc_unsubscribe(s);
    qiao_rpc_destroy(r);
}

/* bitcoind and bcoin answer in the JSON-RPC 1.0 shape, errors with HTTP 500. */
static void test_legacy_dialect(void)
{
    char url[96];
    struct qiao_diag d = {0};
    cJSON *res = NULL;
    struct qiao_rpc *r = NULL;
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/legacy-ok", g_port);
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 3000, .dialect = QIAO_RPC_DIALECT_LEGACY};
    QT_CHECK(qiao_rpc_create(&r, g_lws, &o, &d) == QIAO_OK);
    QT_CHECKF(qiao_rpc_call_sync(r, "getblockcount", NULL, &res, &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(cJSON_IsNumber(res) && res->valuedouble == 812);
    cJSON_Delete(res);
    qiao_rpc_destroy(r);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/legacy-err", g_port);
    QT_CHECK(qiao_rpc_create(&r, g_lws, &o, &d) == QIAO_OK);
    QT_CHECK(qiao_rpc_call_sync(r, "getblock", NULL, &res, &d) == QIAO_EIO);
    QT_CHECKF(strcmp(d.reason, "rpc-error") == 0 && strstr(d.msg, "-5"), "%s: %s", d.reason,
              d.msg);
    qiao_rpc_destroy(r);
    /* The same replies are refused by a JSON-RPC 2.0 endpoint. */
    EXPECT("/legacy-ok", "bad-version");
    EXPECT("/legacy-err", "http-status");
}

/* https and wss through lws's OpenSSL: the certificate is self-signed, so it is refused unless
 * the endpoint says tls_allow_selfsigned. */
static void tls_case(const char *scheme, const char *path, int allow, const char *want)
{
    char url[96];
    struct qiao_diag d = {0};
    cJSON *res = NULL;
    struct qiao_rpc *r = NULL;
    snprintf(url, sizeof(url), "%s://127.0.0.1:%d%s", scheme, qiao_hostile_tls_port(), path);
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 2000, .tls_allow_selfsigned = allow};
    QT_CHECK(qiao_rpc_create(&r, g_lws, &o, &d) == QIAO_OK);
    qiao_err err = r ? qiao_rpc_call_sync(r, "eth_chainId", NULL, &res, &d) : QIAO_EINVAL;
    const char *got = err ? d.reason : "";
    QT_CHECKF(strcmp(got, want) == 0, "%s: got \"%s\" (%s), want \"%s\"", url, got,
              err ? d.msg : "ok", want);
    QT_CHECK(err || (cJSON_IsString(res) && strcmp(res->valuestring, "0x1b59") == 0));
    cJSON_Delete(res);
    qiao_rpc_destroy(r);
}

static void test_tls(void)
{
    if (qiao_hostile_tls_port() < 0) {
        QT_CHECKF(0, "the hostile server could not set up TLS");
        return;
    }
    tls_case("https", "/ok", 1, "");
    tls_case("wss", "/ws/ok", 1, "");
    tls_case("https", "/ok", 0, "connect-failed");
    tls_case("wss", "/ws/ok", 0, "timeout"); /* WS keeps retrying; the call times out */
}

static void test_misuse(void)
{
    struct qiao_rpc *r = client("/ok", 3000, NULL, NULL);
    struct qiao_diag d = {0};
    struct qiao_rpc_sub *s = NULL;
    cJSON *p = cJSON_CreateArray();
    cJSON_AddItemToArray(p, cJSON_CreateString("newHeads"));
    QT_CHECK(qiao_rpc_subscribe(r, &s, p, NULL, NULL, &d) == QIAO_EUNSUPPORTED);
    QT_CHECK(strcmp(d.reason, "subscribe-needs-websocket") == 0 && s == NULL);
    QT_CHECK(qiao_rpc_call(r, "bad method", NULL, NULL, NULL, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-method") == 0);
    QT_CHECK(qiao_rpc_call(r, "x", cJSON_CreateString("no"), NULL, NULL, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-params") == 0);
    /* destroy with calls pending: each is told "cancelled" */
    struct result a = {0}, b = {0};
    QT_CHECK(qiao_rpc_call(r, "eth_chainId", NULL, result_cb, &a, NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_call(r, "eth_chainId", NULL, result_cb, &b, NULL) == QIAO_OK);
    qiao_rpc_destroy(r);
    QT_CHECK(a.done && b.done && strcmp(a.reason, "cancelled") == 0);
    struct qiao_rpc_opts bad = {.url = "http://u:p@127.0.0.1/"};
    QT_CHECK(qiao_rpc_create(&r, g_lws, &bad, &d) == QIAO_EINVAL && r == NULL);
    struct qiao_rpc_opts half = {.url = "http://127.0.0.1/", .basic_user = "x"};
    QT_CHECK(qiao_rpc_create(&r, g_lws, &half, &d) == QIAO_EINVAL);
    struct qiao_rpc_opts small = {.url = "http://127.0.0.1:1/", .max_inflight = 2};
    QT_CHECK(qiao_rpc_create(&r, g_lws, &small, &d) == QIAO_OK);
    QT_CHECK(qiao_rpc_call(r, "a", NULL, NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_rpc_call(r, "a", NULL, NULL, NULL, &d) == QIAO_OK);
    QT_CHECK(qiao_rpc_call(r, "a", NULL, NULL, NULL, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "queue-full") == 0);
    qiao_rpc_destroy(r);
}

int main(void)
{
    g_port = qiao_hostile_start();
    QT_CHECK(g_port > 0);
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_lws_create(&g_lws, &d) == QIAO_OK);
    if (g_port > 0 && g_lws) {
        test_http_lies();
        test_huge();
        test_stalls();
        test_auth();
        test_ws_lies();
        test_ws_refused_subscription();
        test_legacy_dialect();
        test_tls();
        test_misuse();
    }
    lws_context_destroy(g_lws);
    qiao_hostile_stop();
    return qt_finish();
}
