/*
 * test_rpc_anvil_ws.c: the JSON-RPC client over WebSocket against a real anvil: calls sharing one
 * connection, eth_subscribe newHeads while blocks are mined with evm_mine, eth_subscribe logs
 * for a contract creation that emits one, and the outage path:
 * anvil is stopped (subscriber hears DOWN, the call on the wire fails), restarted on the same
 * port (client reconnects, re-subscribes, subscriber hears GAP, a call queued during the outage
 * goes through) and new heads flow again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>

#include <libwebsockets.h>

#include "anvil.h"
#include "relay/rpc/rpc.h"
#include "tests/qt.h"
#include "tests/support/proc.h"

static struct lws_context *g_lws;

struct watcher {
    int up, down, gap, failed;
    int heads;
    char last_number[32];
    char down_reason[48];
};

static void watch_cb(void *user, enum qiao_rpc_sub_event ev, const cJSON *data,
                     const struct qiao_diag *d)
{
    struct watcher *w = user;
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(data, "number");
    switch (ev) {
    case QIAO_RPC_SUB_UP:
        w->up++;
        break;
    case QIAO_RPC_SUB_DATA:
        w->heads++;
        if (cJSON_IsString(num))
            snprintf(w->last_number, sizeof(w->last_number), "%s", num->valuestring);
        break;
    case QIAO_RPC_SUB_DOWN:
        w->down++;
        snprintf(w->down_reason, sizeof(w->down_reason), "%s", d ? d->reason : "");
        break;
    case QIAO_RPC_SUB_GAP:
        w->gap++;
        break;
    case QIAO_RPC_SUB_FAILED:
        w->failed++;
        break;
    }
}

struct log_watch {
    int up, logs, has_address, topics;
    char tx_hash[80];
};

static void log_cb(void *user, enum qiao_rpc_sub_event ev, const cJSON *data,
                   const struct qiao_diag *d)
{
    struct log_watch *w = user;
    (void)d;
    if (ev == QIAO_RPC_SUB_UP)
        w->up = 1;
    if (ev != QIAO_RPC_SUB_DATA)
        return;
    const cJSON *addr = cJSON_GetObjectItemCaseSensitive(data, "address");
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive(data, "topics");
    const cJSON *txh = cJSON_GetObjectItemCaseSensitive(data, "transactionHash");
    w->has_address = cJSON_IsString(addr) && strlen(addr->valuestring) == 42;
    w->topics = cJSON_IsArray(topics) ? cJSON_GetArraySize(topics) : -1;
    if (cJSON_IsString(txh))
        snprintf(w->tx_hash, sizeof(w->tx_hash), "%s", txh->valuestring);
    w->logs++;
}

struct counter {
    int target, n, ok;
    int done;
    char reason[48];
};

static void count_cb(void *user, qiao_err err, const cJSON *result, const struct qiao_diag *d)
{
    struct counter *c = user;
    c->n++;
    c->ok += err == QIAO_OK;
    if (err && d)
        snprintf(c->reason, sizeof(c->reason), "%s", d->reason);
    c->done = c->n >= c->target;
}

static struct qiao_rpc *client(const char *url)
{
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 15000};
    struct qiao_rpc *r = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_rpc_create(&r, g_lws, &o, &d) == QIAO_OK, "create %s: %s", url, d.msg);
    return r;
}

static void mine(struct qiao_rpc *http, int n)
{
    for (int i = 0; i < n; i++) {
        cJSON *res = NULL;
        struct qiao_diag d = {0};
        QT_CHECKF(qiao_rpc_call_sync(http, "evm_mine", NULL, &res, &d) == QIAO_OK, "%s", d.msg);
        cJSON_Delete(res);
    }
}

static void check_calls(struct qiao_rpc *ws)
{
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_rpc_call_sync(ws, "eth_chainId", NULL, &res, &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(cJSON_IsString(res) && strcmp(res->valuestring, "0x1b59") == 0);
    cJSON_Delete(res);
    struct counter c = {.target = 32};
    for (int i = 0; i < c.target; i++)
        QT_CHECK(qiao_rpc_call(ws, i % 2 ? "eth_blockNumber" : "eth_chainId", NULL, count_cb, &c,
                               NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &c.done, 15000));
    QT_CHECKF(c.ok == c.target, "%d of %d ok (%s)", c.ok, c.target, c.reason);
    struct counter e = {.target = 1};
    QT_CHECK(qiao_rpc_call(ws, "eth_noSuchMethod", NULL, count_cb, &e, NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &e.done, 15000));
    QT_CHECKF(e.ok == 0 && strcmp(e.reason, "rpc-error") == 0, "reason %s", e.reason);
    struct qiao_rpc_stats st;
    qiao_rpc_get_stats(ws, &st);
    QT_CHECKF(st.connects == 1, "one connection carried every call (%llu)",
              (unsigned long long)st.connects);
}

static void check_heads(struct qiao_rpc *http, struct watcher *w, int from)
{
    mine(http, 3);
    int want = from + 3;
    for (int i = 0; i < 100 && w->heads < want; i++) {
        int never = 0;
        qiao_rpc_service_until(g_lws, &never, 50);
    }
    QT_CHECKF(w->heads == want, "heads %d, want %d", w->heads, want);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Printed figures only (no timed assertion): how fast calls go on this machine, HTTP one at a
 * time (a connection each) against WebSocket with 200 in flight at once. */
static void report_rates(struct qiao_rpc *http, struct qiao_rpc *ws)
{
    enum { N = 200 };
    double t0 = now_s();
    for (int i = 0; i < N; i++) {
        cJSON *res = NULL;
        qiao_rpc_call_sync(http, "eth_blockNumber", NULL, &res, NULL);
        cJSON_Delete(res);
    }
    double http_rate = N / (now_s() - t0);
    struct counter c = {.target = N};
    t0 = now_s();
    for (int i = 0; i < N; i++)
        qiao_rpc_call(ws, "eth_blockNumber", NULL, count_cb, &c, NULL);
    qiao_rpc_service_until(g_lws, &c.done, 30000);
    double ws_rate = c.ok / (now_s() - t0);
    QT_CHECKF(c.ok == N, "%d of %d pipelined WebSocket calls ok", c.ok, N);
    printf("rate: HTTP sequential %.0f calls/s, WebSocket %d in flight %.0f calls/s (anvil, "
           "eth_blockNumber)\n", http_rate, N, ws_rate);
}

/* eth_subscribe "logs": create a contract whose init code is PUSH1 0 PUSH1 0 LOG0 STOP, so the
 * creation itself emits one log, and see it arrive with the creating block's number. */
static void check_logs(struct qiao_rpc *http, struct qiao_rpc *ws)
{
    struct qiao_diag d = {0};
    struct log_watch lw = {0};
    struct qiao_rpc_sub *sub = NULL;
    cJSON *params = cJSON_CreateArray(), *accounts = NULL, *tx_hash = NULL;
    cJSON_AddItemToArray(params, cJSON_CreateString("logs"));
    cJSON_AddItemToArray(params, cJSON_CreateObject());
    QT_CHECK(qiao_rpc_subscribe(ws, &sub, params, log_cb, &lw, &d) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &lw.up, 10000));
    QT_CHECK(qiao_rpc_call_sync(http, "eth_accounts", NULL, &accounts, &d) == QIAO_OK);
    const cJSON *from = cJSON_GetArrayItem(accounts, 0);
    cJSON *tx = cJSON_CreateObject(), *args = cJSON_CreateArray();
    cJSON_AddStringToObject(tx, "from", cJSON_IsString(from) ? from->valuestring : "0x0");
    cJSON_AddStringToObject(tx, "data", "0x60006000a000");
    cJSON_AddItemToArray(args, tx);
    QT_CHECKF(qiao_rpc_call_sync(http, "eth_sendTransaction", args, &tx_hash, &d) == QIAO_OK, "%s",
              d.msg);
    QT_CHECK(qiao_rpc_service_until(g_lws, &lw.logs, 10000));
    QT_CHECKF(lw.logs == 1 && lw.has_address && lw.topics == 0, "logs %d address %d topics %d",
              lw.logs, lw.has_address, lw.topics);
    QT_CHECK(strcmp(lw.tx_hash, cJSON_IsString(tx_hash) ? tx_hash->valuestring : "") == 0);
    qiao_rpc_unsubscribe(sub);
    cJSON_Delete(accounts);
    cJSON_Delete(tx_hash);
}

int main(void)
{
    int port;
    pid_t pid = qiao_test_anvil_start(0, &port);
    if (pid < 0) {
        QT_CHECKF(0, "anvil must start (run ./run test to install the kit)");
        return qt_finish();
    }
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_lws_create(&g_lws, &d) == QIAO_OK);
    char url[64];
    snprintf(url, sizeof(url), "ws://127.0.0.1:%d", port);
    struct qiao_rpc *ws = client(url);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    struct qiao_rpc *http = client(url);
    if (!ws || !http)
        return qt_finish();
    check_calls(ws);
    report_rates(http, ws);

    struct watcher w = {0};
    struct qiao_rpc_sub *sub = NULL;
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("newHeads"));
    QT_CHECK(qiao_rpc_subscribe(ws, &sub, params, watch_cb, &w, &d) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &w.up, 10000));
    check_heads(http, &w, 0);
    QT_CHECKF(strcmp(w.last_number, "0x3") == 0, "last head %s", w.last_number);

    /* Outage: the node goes away with a call on the wire. */
    struct counter lost = {.target = 1};
    QT_CHECK(qiao_rpc_call(ws, "eth_chainId", NULL, count_cb, &lost, NULL) == QIAO_OK);
    qiao_proc_stop(pid);
    QT_CHECK(qiao_rpc_service_until(g_lws, &w.down, 10000));
    QT_CHECKF(strcmp(w.down_reason, "connection-lost") == 0, "down reason %s", w.down_reason);
    QT_CHECK(!qiao_rpc_connected(ws));

    struct counter queued = {.target = 1};
    QT_CHECK(qiao_rpc_call(ws, "eth_chainId", NULL, count_cb, &queued, NULL) == QIAO_OK);
    int never = 0;
    qiao_rpc_service_until(g_lws, &never, 600); /* a few failed reconnects */
    pid = qiao_test_anvil_start(port, &port);
    QT_CHECK(pid > 0);
    QT_CHECK(qiao_rpc_service_until(g_lws, &w.gap, 15000));
    QT_CHECK(qiao_rpc_connected(ws));
    QT_CHECK(qiao_rpc_service_until(g_lws, &queued.done, 15000));
    QT_CHECKF(queued.ok == 1, "call queued during the outage: %s", queued.reason);
    /* The call made just before the stop either got its reply, failed as lost (it was on the
     * wire), or waited in the queue and went out on the new connection: never silence. */
    QT_CHECK(qiao_rpc_service_until(g_lws, &lost.done, 15000));
    QT_CHECKF(lost.ok == 1 || strcmp(lost.reason, "connection-lost") == 0, "reason %s",
              lost.reason);
    QT_CHECK(w.up == 1 && w.down == 1 && w.gap == 1 && w.failed == 0);
    check_heads(http, &w, 3);
    QT_CHECKF(strcmp(w.last_number, "0x3") == 0, "fresh chain's head %s", w.last_number);

    struct qiao_rpc_stats st;
    qiao_rpc_get_stats(ws, &st);
    QT_CHECKF(st.connects == 2 && st.disconnects == 1, "connects %llu disconnects %llu",
              (unsigned long long)st.connects, (unsigned long long)st.disconnects);

    qiao_rpc_unsubscribe(sub);
    mine(http, 1);
    qiao_rpc_service_until(g_lws, &never, 300);
    QT_CHECKF(w.heads == 6, "no heads after unsubscribe (%d)", w.heads);
    check_logs(http, ws);
    qiao_rpc_destroy(ws);
    qiao_rpc_destroy(http);
    lws_context_destroy(g_lws);
    qiao_proc_stop(pid);
    return qt_finish();
}
