/*
 * test_server.c: the local API server on a real lws loop and real sockets.  JSON-RPC goes through
 * Qiao's own RPC client (HTTP and WebSocket); GET routes, oversized bodies and the subscription
 * stream are driven by a raw socket client on a second thread, so the bytes on the wire are
 * exactly what a browser, Prometheus or a script would send.  The method handler is a small test
 * handler: the server under test is the real one.
 */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "relay/api/server.h"
#include "relay/rpc/rpc.h"
#include "tests/qt.h"

static qiao_err test_call(void *user, const char *method, const cJSON *params, cJSON **result,
                          struct qiao_diag *d)
{
    (void)user;
    if (strcmp(method, "echo") == 0) {
        *result = params ? cJSON_Duplicate(params, 1) : cJSON_CreateNull();
        return QIAO_OK;
    }
    if (strcmp(method, "fail") == 0)
        return QIAO_FAIL(d, QIAO_ESTATE, "message-stuck", "message 0x01 is waiting for finality");
    return QIAO_FAIL(d, QIAO_ENOTFOUND, "method-not-found", "unknown method %s", method);
}

static qiao_err test_metrics(void *user, struct qiao_buf *out, struct qiao_diag *d)
{
    (void)user;
    return qiao_buf_append(out, "qiao_backlog_messages 3\n", 24, d);
}

static qiao_err test_status(void *user, struct qiao_buf *out, struct qiao_diag *d)
{
    (void)user;
    static const char page[] = "<!doctype html><title>Qiao notary</title><h1>status</h1>";
    return qiao_buf_append(out, page, sizeof(page) - 1, d);
}

/* ---- a raw client on its own thread ---- */

struct raw_job {
    struct lws_context *lws;
    int port;
    const char *request; /* sent as is */
    size_t request_len;
    char reply[65536];
    size_t reply_len;
    int ws;              /* after the upgrade, read frames until one contains `until` */
    const char *until;
    volatile int done;
};

static int dial(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {.tv_sec = 10};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(s);
        return -1;
    }
    return s;
}

/* A masked WebSocket text frame (clients must mask). */
static size_t ws_frame(uint8_t *out, const char *text)
{
    size_t n = strlen(text), h = 2;
    out[0] = 0x81;
    if (n < 126) {
        out[1] = (uint8_t)(0x80 | n);
    } else {
        out[1] = 0x80 | 126;
        out[2] = (uint8_t)(n >> 8), out[3] = (uint8_t)n;
        h = 4;
    }
    static const uint8_t mask[4] = {1, 2, 3, 4};
    memcpy(out + h, mask, 4);
    for (size_t i = 0; i < n; i++)
        out[h + 4 + i] = (uint8_t)text[i] ^ mask[i % 4];
    return h + 4 + n;
}

static void *raw_client(void *arg)
{
    struct raw_job *j = arg;
    int s = dial(j->port);
    if (s >= 0 && send(s, j->request, j->request_len, 0) == (ssize_t)j->request_len) {
        if (j->ws) {
            uint8_t frame[512];
            static const char sub[] = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"subscribe\",\"params\":[\"messages\"]}";
            usleep(200000); /* let the 101 arrive first; frames may follow it in one read */
            size_t n = ws_frame(frame, sub);
            send(s, frame, n, 0);
        }
        ssize_t r;
        while (j->reply_len < sizeof(j->reply) - 1 &&
               (r = recv(s, j->reply + j->reply_len, sizeof(j->reply) - 1 - j->reply_len, 0)) > 0) {
            j->reply_len += (size_t)r;
            j->reply[j->reply_len] = 0;
            if (j->until && memmem(j->reply, j->reply_len, j->until, strlen(j->until)))
                break;
        }
    }
    if (s >= 0)
        close(s);
    j->done = 1;
    lws_cancel_service(j->lws); /* wake the loop: the flag was set from this thread */
    return NULL;
}

static void run_raw(struct lws_context *lws, struct raw_job *j)
{
    pthread_t t;
    j->lws = lws;
    pthread_create(&t, NULL, raw_client, j);
    qiao_rpc_service_until(lws, &j->done, 15000);
    pthread_join(t, NULL);
}

static void http_get(struct lws_context *lws, int port, const char *path, const char *want)
{
    static struct raw_job j;
    char req[256];
    memset(&j, 0, sizeof(j));
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
    j.port = port, j.request = req, j.request_len = strlen(req);
    run_raw(lws, &j);
    QT_CHECKF(strstr(j.reply, want) != NULL, "GET %s: want \"%s\" in:\n%.300s", path, want, j.reply);
}

static void test_http_routes(struct lws_context *lws, int port)
{
    http_get(lws, port, "/metrics", "qiao_backlog_messages 3");
    http_get(lws, port, "/metrics", "text/plain; version=0.0.4");
    http_get(lws, port, "/", "<h1>status</h1>");
    http_get(lws, port, "/status", "text/html");
    http_get(lws, port, "/nope", "404");
    static struct raw_job j;
    static const char big[] = "POST /rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                              "Content-Length: 9999999\r\nConnection: close\r\n\r\n{";
    memset(&j, 0, sizeof(j));
    j.port = port, j.request = big, j.request_len = strlen(big);
    run_raw(lws, &j);
    QT_CHECKF(strstr(j.reply, "413") != NULL, "oversized body: %.200s", j.reply);
}

static void test_rpc(struct lws_context *lws, int port, const char *scheme)
{
    char url[64];
    snprintf(url, sizeof(url), "%s://127.0.0.1:%d/%s", scheme, port, scheme[0] == 'w' ? "ws" : "rpc");
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 5000};
    struct qiao_rpc *r = NULL;
    struct qiao_diag d = {0};
    cJSON *res = NULL;
    QT_CHECKF(qiao_rpc_create(&r, lws, &o, &d) == QIAO_OK, "%s", d.msg);
    if (!r)
        return;
    QT_CHECKF(qiao_rpc_call_sync(r, "echo", cJSON_Parse("[1,\"two\"]"), &res, &d) == QIAO_OK,
              "%s echo: %s", scheme, d.msg);
    QT_CHECK(cJSON_IsArray(res) && cJSON_GetArraySize(res) == 2);
    cJSON_Delete(res);
    res = NULL;
    QT_CHECK(qiao_rpc_call_sync(r, "fail", NULL, &res, &d) != QIAO_OK);
    QT_CHECKF(strcmp(d.reason, "rpc-error") == 0 && strstr(d.msg, "waiting for finality"), "%s: %s",
              d.reason, d.msg);
    QT_CHECK(qiao_rpc_call_sync(r, "nosuch", NULL, &res, &d) != QIAO_OK);
    QT_CHECKF(strstr(d.msg, "-32601") || strstr(d.msg, "unknown method"), "%s", d.msg);
    qiao_rpc_destroy(r);
}

struct publisher {
    lws_sorted_usec_list_t sul;
    struct qiao_api *api;
    int sent;
};

static void publish_cb(lws_sorted_usec_list_t *sul)
{
    struct publisher *p = lws_container_of(sul, struct publisher, sul);
    cJSON *ev = cJSON_Parse("{\"id\":\"0xabc\",\"state\":\"delivered\"}");
    p->sent += qiao_api_publish(p->api, "messages", ev);
    cJSON_Delete(ev);
}

static void test_subscription(struct lws_context *lws, struct qiao_api *api, int port)
{
    static struct raw_job j;
    static struct publisher p;
    static const char upgrade[] =
        "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: qiao-api\r\n\r\n";
    memset(&j, 0, sizeof(j));
    memset(&p, 0, sizeof(p));
    p.api = api;
    j.port = port, j.request = upgrade, j.request_len = strlen(upgrade), j.ws = 1;
    j.until = "\"state\":\"delivered\"";
    lws_sul_schedule(lws, 0, &p.sul, publish_cb, 800 * LWS_US_PER_MS);
    run_raw(lws, &j);
    QT_CHECKF(strstr(j.reply, " 101 ") != NULL, "no upgrade: %.200s", j.reply);
    QT_CHECKF(memmem(j.reply, j.reply_len, "\"result\":\"0x", 12) != NULL, "no subscription id");
    QT_CHECK(p.sent == 1);
    QT_CHECKF(memmem(j.reply, j.reply_len, "\"method\":\"subscription\"", 23) != NULL,
              "no event delivered");
}

int main(void)
{
    struct lws_context *lws = NULL;
    struct qiao_api *api = NULL;
    struct qiao_diag d = {0};
    struct qiao_api_handlers h = {.call = test_call, .metrics = test_metrics, .status_html = test_status};
    struct qiao_api_opts o = {.port = 0, .max_body = 65536};
    QT_CHECK(qiao_rpc_lws_create(&lws, &d) == QIAO_OK);
    QT_CHECKF(lws && qiao_api_create(&api, lws, &o, &h, &d) == QIAO_OK, "%s", d.msg);
    if (!api)
        return qt_finish();
    int port = qiao_api_port(api);
    QT_CHECKF(port > 0, "listen port %d", port);
    printf("API listening on 127.0.0.1:%d\n", port);
    test_http_routes(lws, port);
    test_rpc(lws, port, "http");
    test_rpc(lws, port, "ws");
    test_subscription(lws, api, port);
    qiao_api_destroy(api);
    lws_context_destroy(lws);
    return qt_finish();
}
