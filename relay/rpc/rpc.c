/*
 * rpc.c: the client object and the life of one call (see rpc.h).  The transports (rpc_http.c,
 * rpc_ws.c) move bytes; everything that decides how a call ends passes through here, so each
 * accepted call gets exactly one callback.
 */
#include "relay/rpc/rpc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rpc_call_free(struct qiao_rpc_call *c)
{
    qiao_buf_clear(&c->req);
    qiao_buf_clear(&c->body);
    free(c);
}

/* The connection may outlive the call (a timeout, a too-large body): it is told to close soon and
 * finds no call behind it when its callbacks run. */
static void rpc_call_detach_wsi(struct qiao_rpc_call *c)
{
    if (!c->wsi)
        return;
    lws_set_opaque_user_data(c->wsi, NULL);
    lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    c->wsi = NULL;
}

void qiao_rpc_call_finish(struct qiao_rpc_call *c, qiao_err err, const cJSON *result,
                          const struct qiao_diag *d)
{
    struct qiao_rpc *r = c->r;
    if (r->connecting == c)
        r->connecting = NULL;
    lws_sul_cancel(&c->sul_timeout);
    lws_dll2_remove(&c->list);
    rpc_call_detach_wsi(c);
    if (err)
        r->stats.failed++;
    else
        r->stats.ok++;
    if (c->cb)
        c->cb(c->user, err, result, d);
    rpc_call_free(c);
}

void qiao_rpc_call_fail(struct qiao_rpc_call *c, qiao_err code, const char *reason,
                        const char *msg)
{
    struct qiao_diag d;
    qiao_diag_clear(&d);
    (void)QIAO_FAIL(&d, code, reason, "%s on %.300s: %s", c->method, c->r->url_text, msg);
    qiao_rpc_call_finish(c, code, NULL, &d);
}

void qiao_rpc_call_finish_msg(struct qiao_rpc_call *c, struct qiao_rpc_msg *m, qiao_err err,
                              const struct qiao_diag *d)
{
    if (!err)
        qiao_rpc_call_finish(c, QIAO_OK, m->result, NULL);
    else
        qiao_rpc_call_finish(c, err, err == QIAO_EIO ? m->error : NULL, d);
}

static void rpc_call_timeout_cb(lws_sorted_usec_list_t *sul)
{
    struct qiao_rpc_call *c = lws_container_of(sul, struct qiao_rpc_call, sul_timeout);
    char msg[96];
    if (c->on_wire)
        qiao_rpc_ws_forget_id(c->r, c->id);
    snprintf(msg, sizeof(msg), "no reply within %u ms", c->r->timeout_ms);
    struct lws_context *lws = c->r->lws;
    qiao_rpc_call_fail(c, QIAO_ETIMEOUT, "timeout", msg);
    qiao_rpc_wake(lws);
}

/* HTTP calls connect from the loop, never inside qiao_rpc_call, so a connection that fails at
 * once still reports through the callback after qiao_rpc_call has returned. */
static void rpc_kick_cb(lws_sorted_usec_list_t *sul)
{
    struct qiao_rpc *r = lws_container_of(sul, struct qiao_rpc, sul_kick);
    lws_start_foreach_dll_safe(struct lws_dll2 *, p, p1, lws_dll2_get_head(&r->calls)) {
        struct qiao_rpc_call *c = lws_container_of(p, struct qiao_rpc_call, list);
        if (!c->started) {
            c->started = 1;
            qiao_rpc_http_start(c);
        }
    } lws_end_foreach_dll_safe(p, p1);
    qiao_rpc_wake(r->lws);
}

static qiao_err rpc_call_new(struct qiao_rpc *r, const char *method, const cJSON *params,
                             struct qiao_rpc_call **out, struct qiao_diag *d)
{
    struct qiao_rpc_call *c = calloc(1, sizeof(*c));
    if (!c)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot allocate a call to %s", method);
    c->r = r;
    c->id = r->next_id++;
    c->content_length = -1;
    snprintf(c->method, sizeof(c->method), "%s", method);
    qiao_buf_init(&c->req, LWS_PRE + r->max_request);
    qiao_buf_init(&c->body, r->lim.max_bytes);
    qiao_err err = qiao_rpc_request_encode(&c->req, LWS_PRE, c->id, method, params, d);
    if (err == QIAO_ERANGE)
        err = QIAO_FAIL(d, QIAO_ERANGE, "request-too-large",
                        "request %s exceeds the %zu-byte cap", method, r->max_request);
    if (err) {
        rpc_call_free(c);
        return err;
    }
    *out = c;
    return QIAO_OK;
}

qiao_err qiao_rpc_call_start(struct qiao_rpc *r, const char *method, cJSON *params,
                             qiao_rpc_cb cb, void *user, struct qiao_rpc_call **out,
                             struct qiao_diag *d)
{
    struct qiao_rpc_call *c = NULL;
    qiao_err err = QIAO_OK;
    if (r->closing)
        err = QIAO_FAIL(d, QIAO_ESTATE, "closing", "client for %.300s is closing", r->url_text);
    else if (r->calls.count >= r->max_inflight)
        err = QIAO_FAIL(d, QIAO_ERANGE, "queue-full", "%u calls already pending on %.300s",
                        r->max_inflight, r->url_text);
    else
        err = rpc_call_new(r, method, params, &c, d);
    cJSON_Delete(params);
    if (err)
        return err;
    c->cb = cb;
    c->user = user;
    lws_dll2_add_tail(&c->list, &r->calls);
    r->stats.calls++;
    lws_sul_schedule(r->lws, 0, &c->sul_timeout, rpc_call_timeout_cb,
                     (lws_usec_t)r->timeout_ms * LWS_US_PER_MS);
    if (qiao_rpc_url_is_ws(&r->url))
        qiao_rpc_ws_want_write(r);
    else
        lws_sul_schedule(r->lws, 0, &r->sul_kick, rpc_kick_cb, 1);
    if (out)
        *out = c;
    return QIAO_OK;
}

qiao_err qiao_rpc_call(struct qiao_rpc *r, const char *method, cJSON *params, qiao_rpc_cb cb,
                       void *user, struct qiao_diag *d)
{
    return qiao_rpc_call_start(r, method, params, cb, user, NULL, d);
}

static qiao_err rpc_opts_check(const struct qiao_rpc_opts *o, struct qiao_diag *d)
{
    if (!o || !o->url)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "RPC endpoint options need a url");
    if (!o->basic_user != !o->basic_pass)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts",
                         "basic_user and basic_pass must be given together");
    if (o->basic_user && strchr(o->basic_user, ':'))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-opts", "basic_user may not contain ':'");
    if (o->basic_user && strlen(o->basic_user) + strlen(o->basic_pass) > 300)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-opts", "basic auth credentials longer than 300 bytes");
    return QIAO_OK;
}

static void rpc_apply_opts(struct qiao_rpc *r, const struct qiao_rpc_opts *o)
{
    r->lim.max_bytes = o->max_reply ? o->max_reply : QIAO_RPC_DEFAULT_MAX_REPLY;
    r->lim.max_depth = o->max_depth ? o->max_depth : QIAO_RPC_DEFAULT_MAX_DEPTH;
    r->lim.dialect = o->dialect;
    r->timeout_ms = o->timeout_ms ? o->timeout_ms : QIAO_RPC_DEFAULT_TIMEOUT_MS;
    r->max_inflight = o->max_inflight ? o->max_inflight : QIAO_RPC_DEFAULT_MAX_INFLIGHT;
    r->max_request = o->max_request ? o->max_request : QIAO_RPC_DEFAULT_MAX_REQUEST;
    r->next_id = 1;
    if (qiao_rpc_url_is_tls(&r->url))
        r->tls_flags = LCCSCF_USE_SSL | (o->tls_allow_selfsigned
                                             ? LCCSCF_ALLOW_SELFSIGNED |
                                                   LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK
                                             : 0);
    int default_port = qiao_rpc_url_is_tls(&r->url) ? 443 : 80;
    const char *fmt = strchr(r->url.host, ':') ? "[%s]" : "%s";
    int n = snprintf(r->host_header, sizeof(r->host_header), fmt, r->url.host);
    if (r->url.port != default_port)
        snprintf(r->host_header + n, sizeof(r->host_header) - (size_t)n, ":%d", r->url.port);
    qiao_buf_init(&r->ws_rx, r->lim.max_bytes);
}

static qiao_err rpc_auth_init(struct qiao_rpc *r, const struct qiao_rpc_opts *o,
                              struct qiao_diag *d)
{
    if (!o->basic_user)
        return QIAO_OK;
    if (lws_http_basic_auth_gen(o->basic_user, o->basic_pass, r->auth, sizeof(r->auth)))
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-opts", "basic auth credentials too long");
    return QIAO_OK;
}

qiao_err qiao_rpc_create(struct qiao_rpc **out, struct lws_context *lws,
                         const struct qiao_rpc_opts *o, struct qiao_diag *d)
{
    *out = NULL;
    QIAO_TRY(rpc_opts_check(o, d));
    struct qiao_rpc *r = calloc(1, sizeof(*r));
    if (!r)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot allocate an RPC client");
    r->lws = lws;
    qiao_err err = qiao_rpc_url_parse(&r->url, o->url, d);
    if (!err && !(r->url_text = strdup(o->url)))
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot copy the endpoint URL");
    if (!err)
        err = rpc_auth_init(r, o, d);
    if (!err)
        err = qiao_rpc_vhost_get(lws, &r->vhost, d);
    if (err) {
        qiao_wipe(r->auth, sizeof(r->auth));
        free(r->url_text);
        free(r);
        return err;
    }
    rpc_apply_opts(r, o);
    if (qiao_rpc_url_is_ws(&r->url))
        qiao_rpc_ws_connect(r);
    *out = r;
    return QIAO_OK;
}

void qiao_rpc_destroy(struct qiao_rpc *r)
{
    if (!r)
        return;
    r->closing = 1;
    lws_sul_cancel(&r->sul_kick);
    lws_sul_cancel(&r->sul_retry);
    qiao_rpc_ws_detach(r);
    qiao_rpc_subs_drop_all(r);
    while (r->calls.head) {
        struct qiao_rpc_call *c = lws_container_of(r->calls.head, struct qiao_rpc_call, list);
        qiao_rpc_call_fail(c, QIAO_ESTATE, "cancelled", "the client was destroyed");
    }
    qiao_rpc_subs_drop_all(r); /* those whose eth_subscribe was cancelled just now */
    qiao_buf_clear(&r->ws_rx);
    qiao_wipe(r->auth, sizeof(r->auth));
    free(r->url_text);
    free(r);
}

int qiao_rpc_connected(const struct qiao_rpc *r)
{
    return qiao_rpc_url_is_ws(&r->url) ? r->ws_up : 1;
}

void qiao_rpc_get_stats(const struct qiao_rpc *r, struct qiao_rpc_stats *out)
{
    *out = r->stats;
}

const char *qiao_rpc_url(const struct qiao_rpc *r)
{
    return r->url_text;
}
