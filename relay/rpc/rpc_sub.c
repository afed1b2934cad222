/*
 * rpc_sub.c: eth_subscribe subscriptions that survive reconnects.
 *
 * A subscription keeps its eth_subscribe params and re-sends them on every new connection.  The
 * node's subscription id is only valid on the connection that issued it, so it is cleared when
 * the connection drops (DOWN) and replaced when the node answers again (GAP: the subscriber must
 * backfill what the outage hid, since a node never replays notifications).
 */
#include "relay/rpc/rpc_int.h"

#include <stdlib.h>
#include <string.h>

static void sub_event(struct qiao_rpc_sub *s, enum qiao_rpc_sub_event ev, const cJSON *data,
                      const struct qiao_diag *d)
{
    if (s->cb && !s->cancelled)
        s->cb(s->user, ev, data, d);
}

static void sub_free(struct qiao_rpc_sub *s)
{
    cJSON_Delete(s->params);
    free(s);
}

static void sub_send_unsubscribe(struct qiao_rpc *r, const char *id)
{
    cJSON *params = cJSON_CreateArray();
    if (params && cJSON_AddItemToArray(params, cJSON_CreateString(id)))
        qiao_rpc_call(r, "eth_unsubscribe", params, NULL, NULL, NULL);
    else
        cJSON_Delete(params);
}

static void sub_fail(struct qiao_rpc_sub *s, const cJSON *data, const struct qiao_diag *d)
{
    s->failed = 1;
    sub_event(s, QIAO_RPC_SUB_FAILED, data, d);
}

/* The node answered (or did not answer) an eth_subscribe. */
static void sub_transport_failed(struct qiao_rpc_sub *s, qiao_err err, const struct qiao_diag *d)
{
    struct qiao_rpc *r = s->r;
    /* A silent node on a live connection: drop the connection so the whole cycle starts over,
     * rather than leave a subscriber believing it is subscribed. */
    if (err == QIAO_ETIMEOUT && r->ws) {
        r->ws_why = *d;
        lws_set_timeout(r->ws, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    }
    /* Otherwise the connection is already gone and re-subscription follows the reconnect. */
}

static void sub_reply_cb(void *user, qiao_err err, const cJSON *result, const struct qiao_diag *d)
{
    struct qiao_rpc_sub *s = user;
    s->call_pending = 0;
    if (s->cancelled) {
        if (!err && cJSON_IsString(result) && !s->r->closing)
            sub_send_unsubscribe(s->r, result->valuestring);
        sub_free(s);
        return;
    }
    if (err && strcmp(d->reason, "rpc-error") == 0)
        return sub_fail(s, result, d);
    if (err)
        return sub_transport_failed(s, err, d);
    if (!cJSON_IsString(result) || !result->valuestring[0] ||
        strlen(result->valuestring) > QIAO_RPC_SUBID_MAX) {
        struct qiao_diag bad;
        (void)QIAO_FAIL(&bad, QIAO_EINVAL, "bad-subscription-id",
                  "eth_subscribe on %.300s returned no usable subscription id", s->r->url_text);
        return sub_fail(s, NULL, &bad);
    }
    strcpy(s->id, result->valuestring);
    enum qiao_rpc_sub_event ev = s->lost ? QIAO_RPC_SUB_GAP : QIAO_RPC_SUB_UP;
    s->lost = 0;
    s->ever_up = 1;
    sub_event(s, ev, result, NULL);
}

static void sub_send(struct qiao_rpc_sub *s)
{
    struct qiao_diag d;
    cJSON *params = cJSON_Duplicate(s->params, 1);
    if (!params) {
        (void)QIAO_FAIL(&d, QIAO_ENOMEM, "out-of-memory", "cannot copy eth_subscribe params");
        return sub_fail(s, NULL, &d);
    }
    if (qiao_rpc_call(s->r, "eth_subscribe", params, sub_reply_cb, s, &d) != QIAO_OK)
        return sub_fail(s, NULL, &d);
    s->call_pending = 1;
}

void qiao_rpc_subs_resubscribe(struct qiao_rpc *r)
{
    lws_start_foreach_dll_safe(struct lws_dll2 *, p, p1, lws_dll2_get_head(&r->subs)) {
        struct qiao_rpc_sub *s = lws_container_of(p, struct qiao_rpc_sub, list);
        if (!s->failed && !s->call_pending && !s->id[0])
            sub_send(s);
    } lws_end_foreach_dll_safe(p, p1);
}

void qiao_rpc_subs_down(struct qiao_rpc *r, const struct qiao_diag *why)
{
    lws_start_foreach_dll_safe(struct lws_dll2 *, p, p1, lws_dll2_get_head(&r->subs)) {
        struct qiao_rpc_sub *s = lws_container_of(p, struct qiao_rpc_sub, list);
        if (s->id[0]) {
            s->id[0] = 0;
            s->lost = 1;
            sub_event(s, QIAO_RPC_SUB_DOWN, NULL, why);
        }
    } lws_end_foreach_dll_safe(p, p1);
}

void qiao_rpc_subs_deliver(struct qiao_rpc *r, const struct qiao_rpc_msg *m)
{
    const char *sid;
    const cJSON *result;
    if (qiao_rpc_msg_eth_notification(m, &sid, &result, NULL) != QIAO_OK)
        return; /* another kind of notification: nothing here listens for it */
    lws_start_foreach_dll(struct lws_dll2 *, p, lws_dll2_get_head(&r->subs)) {
        struct qiao_rpc_sub *s = lws_container_of(p, struct qiao_rpc_sub, list);
        if (s->id[0] && strcmp(s->id, sid) == 0) {
            sub_event(s, QIAO_RPC_SUB_DATA, result, NULL);
            return;
        }
    } lws_end_foreach_dll(p);
    /* Unknown id: a notification racing our eth_unsubscribe.  Dropped. */
}

void qiao_rpc_subs_drop_all(struct qiao_rpc *r)
{
    while (r->subs.head) {
        struct qiao_rpc_sub *s = lws_container_of(r->subs.head, struct qiao_rpc_sub, list);
        lws_dll2_remove(&s->list);
        s->cb = NULL;
        s->cancelled = 1;
        if (!s->call_pending)
            sub_free(s); /* else sub_reply_cb frees it when its call is cancelled */
    }
}

static qiao_err sub_params_check(const struct qiao_rpc *r, const cJSON *params,
                                 struct qiao_diag *d)
{
    if (!qiao_rpc_url_is_ws(&r->url))
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "subscribe-needs-websocket",
                         "%.300s is not a ws:// or wss:// endpoint", r->url_text);
    if (!cJSON_IsArray(params) || !cJSON_IsString(cJSON_GetArrayItem(params, 0)))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-params",
                         "eth_subscribe params must be an array starting with a string");
    if (r->closing)
        return QIAO_FAIL(d, QIAO_ESTATE, "closing", "client for %.300s is closing", r->url_text);
    return QIAO_OK;
}

qiao_err qiao_rpc_subscribe(struct qiao_rpc *r, struct qiao_rpc_sub **out, cJSON *params,
                            qiao_rpc_sub_cb cb, void *user, struct qiao_diag *d)
{
    *out = NULL;
    qiao_err err = sub_params_check(r, params, d);
    struct qiao_rpc_sub *s = err ? NULL : calloc(1, sizeof(*s));
    if (!err && !s)
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot allocate a subscription");
    if (err) {
        cJSON_Delete(params);
        return err;
    }
    s->r = r;
    s->params = params;
    s->cb = cb;
    s->user = user;
    lws_dll2_add_tail(&s->list, &r->subs);
    if (r->ws_up)
        sub_send(s);
    *out = s;
    return QIAO_OK;
}

void qiao_rpc_unsubscribe(struct qiao_rpc_sub *s)
{
    if (!s)
        return;
    s->cb = NULL;
    lws_dll2_remove(&s->list);
    if (s->call_pending) {
        s->cancelled = 1; /* sub_reply_cb frees it */
        return;
    }
    if (s->id[0] && s->r->ws_up && !s->r->closing)
        sub_send_unsubscribe(s->r, s->id);
    sub_free(s);
}
