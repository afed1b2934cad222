/*
 * rpc_lws.c: where the client meets a caller-owned lws_context: the protocol table on a shared
 * client vhost, the loop helpers for tools and tests, and a client-only context for them.
 *
 * Why a vhost of our own: the caller created the context with its own protocols (the notary
 * mesh, the API).  A named vhost "qiao-rpc", created on first use and shared by every client on
 * that context, lets the RPC client bind its callbacks without the caller listing them.
 */
#include "relay/rpc/rpc_int.h"
#include "relay/rpc/tls_client.h"

#include <stdlib.h>
#include <string.h>

static const struct lws_protocols qiao_rpc_protocols[] = {
    {.name = QIAO_RPC_PROTO_HTTP, .callback = qiao_rpc_http_callback},
    {.name = QIAO_RPC_PROTO_WS, .callback = qiao_rpc_ws_callback},
    {.name = NULL, .callback = NULL},
};

qiao_err qiao_rpc_vhost_get(struct lws_context *ctx, struct lws_vhost **out, struct qiao_diag *d)
{
    *out = ctx ? lws_get_vhost_by_name(ctx, QIAO_RPC_VHOST_NAME) : NULL;
    if (*out)
        return QIAO_OK;
    if (!ctx)
        return QIAO_FAIL(d, QIAO_EINVAL, "lws-vhost", "no lws_context given");
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.vhost_name = QIAO_RPC_VHOST_NAME;
    info.protocols = qiao_rpc_protocols;
    QIAO_TRY(qiao_tls_client_setup(&info, NULL, NULL, NULL, d)); /* why: tls_client.h */
    *out = lws_create_vhost(ctx, &info);
    if (!*out)
        return QIAO_FAIL(d, QIAO_EIO, "lws-vhost", "cannot create the RPC client vhost");
    return QIAO_OK;
}

void qiao_rpc_wake(struct lws_context *lws)
{
    lws_cancel_service(lws);
}

struct qiao_rpc_sync {
    volatile int done;
    qiao_err err;
    cJSON *result;
    struct qiao_diag diag;
};

static void sync_cb(void *user, qiao_err err, const cJSON *result, const struct qiao_diag *d)
{
    struct qiao_rpc_sync *st = user;
    st->err = err;
    if (err && d)
        st->diag = *d;
    if (!err && !(st->result = cJSON_Duplicate(result, 1)))
        st->err = QIAO_FAIL(&st->diag, QIAO_ENOMEM, "out-of-memory", "cannot copy the result");
    st->done = 1;
}

qiao_err qiao_rpc_call_sync(struct qiao_rpc *r, const char *method, cJSON *params,
                            cJSON **result, struct qiao_diag *d)
{
    struct qiao_rpc_sync st;
    struct qiao_rpc_call *c;
    memset(&st, 0, sizeof(st));
    *result = NULL;
    QIAO_TRY(qiao_rpc_call_start(r, method, params, sync_cb, &st, &c, d));
    /* The call's own timeout ends the wait; the margin only guards a loop that stopped. */
    if (!qiao_rpc_service_until(r->lws, &st.done, r->timeout_ms + 5000)) {
        c->cb = NULL; /* still pending: it must not write into this stack frame later */
        return QIAO_FAIL(d, QIAO_ETIMEOUT, "timeout", "%s on %.300s: the lws loop stopped", method,
                         r->url_text);
    }
    if (st.err) {
        if (d)
            *d = st.diag;
        return st.err;
    }
    *result = st.result;
    return QIAO_OK;
}

struct qiao_rpc_wait {
    lws_sorted_usec_list_t sul;
    struct lws_context *lws;
    volatile int expired;
};

static void wait_expired_cb(lws_sorted_usec_list_t *sul)
{
    struct qiao_rpc_wait *w = lws_container_of(sul, struct qiao_rpc_wait, sul);
    w->expired = 1;
    qiao_rpc_wake(w->lws);
}

int qiao_rpc_service_until(struct lws_context *lws, const volatile int *flag,
                           unsigned timeout_ms)
{
    struct qiao_rpc_wait w;
    memset(&w, 0, sizeof(w));
    w.lws = lws;
    lws_sul_schedule(lws, 0, &w.sul, wait_expired_cb, (lws_usec_t)timeout_ms * LWS_US_PER_MS);
    while (!*flag && !w.expired)
        if (lws_service(lws, 0) < 0)
            break;
    lws_sul_cancel(&w.sul);
    return *flag != 0;
}

static const struct lws_protocols qiao_rpc_default_protocols[] = {
    {.name = "qiao-rpc-default", .callback = lws_callback_http_dummy},
    {.name = NULL, .callback = NULL},
};

qiao_err qiao_rpc_lws_create(struct lws_context **out, struct qiao_diag *d)
{
    const char *level = getenv("QIAO_LWS_LOG");
    lws_set_log_level(level ? atoi(level) : LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = qiao_rpc_default_protocols;
    *out = NULL;
    QIAO_TRY(qiao_tls_client_setup(&info, NULL, NULL, NULL, d)); /* why: tls_client.h */
    *out = lws_create_context(&info);
    if (!*out)
        return QIAO_FAIL(d, QIAO_EIO, "lws-context", "cannot create an lws context");
    return QIAO_OK;
}
