/*
 * test_rpc_anvil_http.c: the JSON-RPC client over HTTP against a real anvil (chain id 7001):
 * synchronous and concurrent asynchronous calls, block queries after evm_mine, a node error with
 * its code, and a refused connection.
 */
#include <stdlib.h>
#include <string.h>

#include <libwebsockets.h>

#include "anvil.h"
#include "relay/rpc/rpc.h"
#include "tests/qt.h"
#include "tests/support/proc.h"

static struct lws_context *g_lws;

static struct qiao_rpc *client(const char *url)
{
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 10000};
    struct qiao_rpc *r = NULL;
    struct qiao_diag d = {0};
    qiao_err err = qiao_rpc_create(&r, g_lws, &o, &d);
    QT_CHECKF(err == QIAO_OK, "create %s: %s", url, d.msg);
    return r;
}

static char *call_str(struct qiao_rpc *r, const char *method, cJSON *params)
{
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    qiao_err err = qiao_rpc_call_sync(r, method, params, &res, &d);
    QT_CHECKF(err == QIAO_OK, "%s: %s (%s)", method, d.msg, d.reason);
    char *s = cJSON_IsString(res) ? strdup(res->valuestring) : NULL;
    cJSON_Delete(res);
    return s;
}

static void check_chain(struct qiao_rpc *r)
{
    char *id = call_str(r, "eth_chainId", NULL);
    QT_CHECKF(id && strcmp(id, "0x1b59") == 0, "chain id %s", id ? id : "(none)");
    free(id);
    char *n = call_str(r, "eth_blockNumber", cJSON_CreateArray());
    QT_CHECKF(n && strcmp(n, "0x0") == 0, "fresh anvil height %s", n ? n : "(none)");
    free(n);
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_call_sync(r, "evm_mine", NULL, &res, &d) == QIAO_OK);
    cJSON_Delete(res);
    n = call_str(r, "eth_blockNumber", NULL);
    QT_CHECKF(n && strcmp(n, "0x1") == 0, "height after evm_mine %s", n ? n : "(none)");
    free(n);
}

static void check_block(struct qiao_rpc *r)
{
    cJSON *params = cJSON_CreateArray();
    cJSON_AddItemToArray(params, cJSON_CreateString("0x1"));
    cJSON_AddItemToArray(params, cJSON_CreateFalse());
    cJSON *blk = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_rpc_call_sync(r, "eth_getBlockByNumber", params, &blk, &d) == QIAO_OK, "%s",
              d.msg);
    const cJSON *num = cJSON_GetObjectItemCaseSensitive(blk, "number");
    const cJSON *hash = cJSON_GetObjectItemCaseSensitive(blk, "hash");
    QT_CHECK(cJSON_IsString(num) && strcmp(num->valuestring, "0x1") == 0);
    QT_CHECK(cJSON_IsString(hash) && strlen(hash->valuestring) == 66);
    cJSON_Delete(blk);
}

struct node_err {
    int done;
    qiao_err err;
    char reason[48];
    double code;
};

static void node_err_cb(void *user, qiao_err err, const cJSON *result, const struct qiao_diag *d)
{
    struct node_err *ne = user;
    ne->err = err;
    snprintf(ne->reason, sizeof(ne->reason), "%s", d ? d->reason : "");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(result, "code");
    ne->code = cJSON_IsNumber(code) ? code->valuedouble : 0;
    ne->done = 1;
}

static void check_node_error(struct qiao_rpc *r)
{
    struct node_err ne = {0};
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_call(r, "eth_noSuchMethod", NULL, node_err_cb, &ne, &d) == QIAO_OK);
    QT_CHECK(!ne.done); /* never called back from inside qiao_rpc_call */
    QT_CHECK(qiao_rpc_service_until(g_lws, &ne.done, 15000));
    QT_CHECK(ne.err == QIAO_EIO);
    QT_CHECKF(strcmp(ne.reason, "rpc-error") == 0, "reason %s", ne.reason);
    QT_CHECKF(ne.code == -32601, "node code %g", ne.code);
}

#define CONCURRENT 24

struct many {
    int done, ok, wrong;
};

static void many_cb(void *user, qiao_err err, const cJSON *result, const struct qiao_diag *d)
{
    struct many *m = user;
    if (!err && cJSON_IsString(result) && strcmp(result->valuestring, "0x1b59") == 0)
        m->ok++;
    else
        m->wrong++;
    if (m->ok + m->wrong == CONCURRENT)
        m->done = 1;
}

static void check_concurrent(struct qiao_rpc *r)
{
    struct many m = {0};
    for (int i = 0; i < CONCURRENT; i++)
        QT_CHECK(qiao_rpc_call(r, "eth_chainId", NULL, many_cb, &m, NULL) == QIAO_OK);
    QT_CHECK(qiao_rpc_service_until(g_lws, &m.done, 20000));
    QT_CHECKF(m.ok == CONCURRENT && m.wrong == 0, "ok %d wrong %d", m.ok, m.wrong);
}

static void check_refused(void)
{
    char url[64];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d/", qiao_proc_free_port());
    struct qiao_rpc *r = client(url);
    cJSON *res = NULL;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_rpc_call_sync(r, "eth_chainId", NULL, &res, &d) == QIAO_EIO);
    QT_CHECKF(strcmp(d.reason, "connect-failed") == 0, "reason %s: %s", d.reason, d.msg);
    QT_CHECK(res == NULL);
    qiao_rpc_destroy(r);
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
    snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
    struct qiao_rpc *r = client(url);
    if (r) {
        check_chain(r);
        check_block(r);
        check_node_error(r);
        check_concurrent(r);
        struct qiao_rpc_stats st;
        qiao_rpc_get_stats(r, &st);
        QT_CHECKF(st.failed == 1 && st.ok == st.calls - 1, "calls %llu ok %llu failed %llu",
                  (unsigned long long)st.calls, (unsigned long long)st.ok,
                  (unsigned long long)st.failed);
    }
    qiao_rpc_destroy(r);
    check_refused();
    lws_context_destroy(g_lws);
    qiao_proc_stop(pid);
    return qt_finish();
}
