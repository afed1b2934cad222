/*
 * rpc_ws.c: JSON-RPC over one persistent WebSocket, with reconnect.
 *
 * Calls wait in r->calls until WRITEABLE sends them (one frame per WRITEABLE, in order); replies
 * are matched by id, so many calls share the connection.  A message that fails validation, an
 * over-cap message, or a reply whose id matches no call means the stream cannot be trusted: the
 * connection is dropped and every call on the wire fails with that reason (a late reply to a call
 * that already timed out is the one exception, dropped quietly).  When the connection goes, calls
 * on the wire fail with "connection-lost" (we cannot know whether the node executed them), calls
 * not yet sent stay queued, subscribers hear DOWN, and lws_retry_bo_t paces the reconnect.
 */
#include "relay/rpc/rpc_int.h"

#include <stdio.h>
#include <string.h>

static const uint32_t qiao_rpc_ws_backoff_ms[] = {100, 250, 500, 1000, 2000, 4000};

/* Ping after 30 s of silence and hang up after 60 s without a valid frame, so a half-open TCP
 * connection (a node host that vanished) is noticed and replaced. */
static const lws_retry_bo_t qiao_rpc_ws_retry = {
    .retry_ms_table = qiao_rpc_ws_backoff_ms,
    .retry_ms_table_count = sizeof(qiao_rpc_ws_backoff_ms) / sizeof(qiao_rpc_ws_backoff_ms[0]),
    .conceal_count = LWS_RETRY_CONCEAL_ALWAYS,
    .secs_since_valid_ping = 30,
    .secs_since_valid_hangup = 60,
    .jitter_percent = 20,
};

static void ws_retry_cb(lws_sorted_usec_list_t *sul)
{
    struct qiao_rpc *r = lws_container_of(sul, struct qiao_rpc, sul_retry);
    r->retry_scheduled = 0;
    qiao_rpc_ws_connect(r);
    qiao_rpc_wake(r->lws);
}

static void ws_schedule_retry(struct qiao_rpc *r)
{
    if (r->closing || r->retry_scheduled || r->ws)
        return;
    r->retry_scheduled = 1;
    lws_retry_sul_schedule(r->lws, 0, &r->sul_retry, &qiao_rpc_ws_retry, ws_retry_cb,
                           &r->retry_try);
}

void qiao_rpc_ws_connect(struct qiao_rpc *r)
{
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof(i));
    i.context = r->lws;
    i.vhost = r->vhost;
    i.address = r->url.host;
    i.port = r->url.port;
    i.path = r->url.path;
    i.host = r->host_header;
    i.origin = r->host_header;
    i.alpn = "http/1.1";
    i.ssl_connection = r->tls_flags;
    i.local_protocol_name = QIAO_RPC_PROTO_WS;
    i.opaque_user_data = r;
    i.retry_and_idle_policy = &qiao_rpc_ws_retry;
    i.pwsi = &r->ws;
    if (!lws_client_connect_via_info(&i)) {
        r->ws = NULL;
        ws_schedule_retry(r);
    }
}

static struct qiao_rpc_call *ws_next_unsent(struct qiao_rpc *r)
{
    lws_start_foreach_dll(struct lws_dll2 *, p, lws_dll2_get_head(&r->calls)) {
        struct qiao_rpc_call *c = lws_container_of(p, struct qiao_rpc_call, list);
        if (!c->on_wire)
            return c;
    } lws_end_foreach_dll(p);
    return NULL;
}

void qiao_rpc_ws_want_write(struct qiao_rpc *r)
{
    if (r->ws && r->ws_up && ws_next_unsent(r))
        lws_callback_on_writable(r->ws);
}

void qiao_rpc_ws_detach(struct qiao_rpc *r)
{
    if (!r->ws)
        return;
    lws_set_opaque_user_data(r->ws, NULL);
    lws_set_timeout(r->ws, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
    r->ws = NULL;
    r->ws_up = 0;
}

void qiao_rpc_ws_forget_id(struct qiao_rpc *r, uint64_t id)
{
    r->late_ids[r->late_pos++ % QIAO_RPC_LATE_IDS] = id;
}

static int ws_is_late_id(const struct qiao_rpc *r, uint64_t id)
{
    for (unsigned i = 0; i < QIAO_RPC_LATE_IDS; i++)
        if (r->late_ids[i] == id && id)
            return 1;
    return 0;
}

/* Record why we are dropping the connection; the CLOSED callback reports it. */
static int ws_violation(struct qiao_rpc *r, const struct qiao_diag *d)
{
    r->ws_why = *d;
    return -1;
}

static void ws_fail_on_wire(struct qiao_rpc *r, const struct qiao_diag *why)
{
    lws_start_foreach_dll_safe(struct lws_dll2 *, p, p1, lws_dll2_get_head(&r->calls)) {
        struct qiao_rpc_call *c = lws_container_of(p, struct qiao_rpc_call, list);
        if (c->on_wire)
            qiao_rpc_call_finish(c, why->code, NULL, why);
    } lws_end_foreach_dll_safe(p, p1);
}

/* The connection failed or closed: settle the calls it carried, tell subscribers, retry. */
static void ws_lost(struct qiao_rpc *r, const char *reason, const char *what)
{
    struct qiao_diag why = r->ws_why;
    int was_up = r->ws_up;
    qiao_diag_clear(&r->ws_why);
    r->ws = NULL;
    r->ws_up = 0;
    r->ws_rx.len = 0;
    if (!why.code)
        (void)QIAO_FAIL(&why, QIAO_EIO, reason, "WebSocket %.300s: %.120s", r->url_text, what);
    if (was_up)
        r->stats.disconnects++;
    ws_fail_on_wire(r, &why);
    if (was_up)
        qiao_rpc_subs_down(r, &why);
    ws_schedule_retry(r);
}

static int ws_established(struct qiao_rpc *r)
{
    r->ws_up = 1;
    r->retry_try = 0;
    r->stats.connects++;
    qiao_rpc_subs_resubscribe(r);
    qiao_rpc_ws_want_write(r);
    return 0;
}

static int ws_writeable(struct qiao_rpc *r, struct lws *wsi)
{
    struct qiao_rpc_call *c = ws_next_unsent(r);
    if (!c)
        return 0;
    size_t n = c->req.len - LWS_PRE;
    if (lws_write(wsi, c->req.p + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n) {
        struct qiao_diag d;
        (void)QIAO_FAIL(&d, QIAO_EIO, "connection-lost", "WebSocket %.300s: write failed",
                        r->url_text);
        return ws_violation(r, &d);
    }
    c->on_wire = 1;
    qiao_rpc_ws_want_write(r);
    return 0;
}

static int ws_dispatch_response(struct qiao_rpc *r, struct qiao_rpc_msg *m)
{
    lws_start_foreach_dll(struct lws_dll2 *, p, lws_dll2_get_head(&r->calls)) {
        struct qiao_rpc_call *c = lws_container_of(p, struct qiao_rpc_call, list);
        if (c->on_wire && !m->id_null && c->id == m->id) {
            struct qiao_diag d;
            qiao_diag_clear(&d);
            qiao_rpc_call_finish_msg(c, m, qiao_rpc_msg_expect(m, c->id, c->method, &d), &d);
            return 0;
        }
    } lws_end_foreach_dll(p);
    if (!m->id_null && ws_is_late_id(r, m->id))
        return 0;
    struct qiao_diag d;
    (void)QIAO_FAIL(&d, QIAO_EINVAL, m->id_null ? "missing-id" : "id-mismatch",
              "WebSocket %.300s: reply id %llu%s matches no call in flight", r->url_text,
              (unsigned long long)m->id, m->id_null ? " (null)" : "");
    return ws_violation(r, &d);
}

static int ws_dispatch(struct qiao_rpc *r)
{
    struct qiao_rpc_msg m;
    struct qiao_diag d;
    qiao_diag_clear(&d);
    qiao_err err = qiao_rpc_msg_parse(&m, (const char *)r->ws_rx.p, r->ws_rx.len, &r->lim, &d);
    r->ws_rx.len = 0;
    if (err) {
        qiao_diag_wrap(&d, "WebSocket %.200s", r->url_text);
        return ws_violation(r, &d);
    }
    int rc = 0;
    if (m.kind == QIAO_RPC_MSG_NOTIFICATION) {
        r->stats.notifications++;
        qiao_rpc_subs_deliver(r, &m);
    } else {
        rc = ws_dispatch_response(r, &m);
    }
    qiao_rpc_msg_clear(&m);
    return rc;
}

static int ws_receive(struct qiao_rpc *r, struct lws *wsi, const void *in, size_t len)
{
    r->stats.bytes_in += len;
    if (qiao_buf_append(&r->ws_rx, in, len, NULL) != QIAO_OK) {
        struct qiao_diag d;
        (void)QIAO_FAIL(&d, QIAO_ERANGE, "reply-too-large",
                  "WebSocket %.300s: message passed the %zu-byte cap; connection dropped",
                  r->url_text, r->lim.max_bytes);
        return ws_violation(r, &d);
    }
    if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
        return 0;
    return ws_dispatch(r);
}

/* Unbind the dying connection from r first, so any later callback of it finds nothing and a
 * replacement connection made meanwhile is not mistaken for it. */
static struct qiao_rpc *ws_unbind(struct qiao_rpc *r, struct lws *wsi)
{
    lws_set_opaque_user_data(wsi, NULL);
    if (r->ws && r->ws != wsi)
        return NULL;
    return r;
}

static int ws_connection_error(struct qiao_rpc *r, const void *in)
{
    if (!r)
        return 0;
    char what[160];
    snprintf(what, sizeof(what), "cannot connect: %.120s", in ? (const char *)in : "unknown");
    ws_lost(r, "connect-failed", what);
    return 0;
}

int qiao_rpc_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    struct qiao_rpc *r = wsi ? lws_get_opaque_user_data(wsi) : NULL;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER: {
        unsigned char **p = (unsigned char **)in;
        return r ? qiao_rpc_add_auth(r, wsi, p, *p + len) : -1;
    }
    case LWS_CALLBACK_CLIENT_ESTABLISHED:
        return r ? ws_established(r) : -1;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return r ? ws_writeable(r, wsi) : -1;
    case LWS_CALLBACK_CLIENT_RECEIVE:
        return r ? ws_receive(r, wsi, in, len) : -1;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        return r ? ws_connection_error(ws_unbind(r, wsi), in) : 0;
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (r && (r = ws_unbind(r, wsi)) != NULL)
            ws_lost(r, "connection-lost", "connection closed");
        return 0;
    default:
        return 0;
    }
}
