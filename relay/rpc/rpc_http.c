/*
 * rpc_http.c: JSON-RPC over HTTP/1.1 POST, one connection per call.
 *
 * Why one connection per call: lws 4.1's client keep-alive and pipelining serialise requests on a
 * connection and tie a slow reply to every call queued behind it; a fresh loopback or LAN
 * connection costs well under a millisecond, and the per-call connection makes a hostile reply's
 * damage (a stall, a huge body) end with that call.  The body is read through
 * lws_http_client_read into a buffer capped at max_reply, and the transfer is aborted the moment
 * the cap is passed (or at once when Content-Length announces more).
 */
#include "relay/rpc/rpc_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QIAO_RPC_HTTP_RX_CHUNK 4096

void qiao_rpc_http_start(struct qiao_rpc_call *c)
{
    struct qiao_rpc *r = c->r;
    struct lws_client_connect_info i;
    memset(&i, 0, sizeof(i));
    i.context = r->lws;
    i.vhost = r->vhost;
    i.address = r->url.host;
    i.port = r->url.port;
    i.path = r->url.path;
    i.host = r->host_header;
    i.origin = r->host_header;
    i.method = "POST";
    i.alpn = "http/1.1";
    i.ssl_connection = r->tls_flags | LCCSCF_HTTP_NO_FOLLOW_REDIRECT;
    i.local_protocol_name = QIAO_RPC_PROTO_HTTP;
    i.opaque_user_data = c;
    i.pwsi = &c->wsi;
    /* lws may report a failure through our callback before it returns, which finishes (frees)
     * c; r->connecting tells whether c is still alive afterwards. */
    r->connecting = c;
    struct lws *wsi = lws_client_connect_via_info(&i);
    int alive = r->connecting == c;
    r->connecting = NULL;
    if (!wsi && alive) {
        c->wsi = NULL;
        qiao_rpc_call_fail(c, QIAO_EIO, "connect-failed", "cannot start the HTTP connection");
    }
}

int qiao_rpc_add_auth(struct qiao_rpc *r, struct lws *wsi, unsigned char **p, unsigned char *end)
{
    if (!r->auth[0])
        return 0;
    return lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_AUTHORIZATION,
                                        (const unsigned char *)r->auth, (int)strlen(r->auth), p,
                                        end)
               ? -1
               : 0;
}

static int http_append_headers(struct qiao_rpc_call *c, struct lws *wsi, void *in, size_t len)
{
    unsigned char **p = (unsigned char **)in, *end = (*p) + len;
    static const char type[] = "application/json";
    char clen[24];
    int n = snprintf(clen, sizeof(clen), "%zu", c->req.len - LWS_PRE);
    if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, (const unsigned char *)type,
                                     (int)sizeof(type) - 1, p, end) ||
        lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH,
                                     (const unsigned char *)clen, n, p, end) ||
        qiao_rpc_add_auth(c->r, wsi, p, end)) {
        qiao_rpc_call_fail(c, QIAO_ERANGE, "connect-failed", "request headers do not fit");
        return -1;
    }
    lws_client_http_body_pending(wsi, 1);
    lws_callback_on_writable(wsi);
    return 0;
}

/* The whole body in one lws_write: lws keeps any part the socket does not take and sends it
 * before the next WRITEABLE, so this is still one write per callback. */
static int http_write_body(struct qiao_rpc_call *c, struct lws *wsi)
{
    size_t n = c->req.len - LWS_PRE;
    if (lws_write(wsi, c->req.p + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n) {
        qiao_rpc_call_fail(c, QIAO_EIO, "connection-closed", "could not send the request body");
        return -1;
    }
    lws_client_http_body_pending(wsi, 0);
    c->body_sent = 1;
    return 0;
}

static int http_established(struct qiao_rpc_call *c, struct lws *wsi)
{
    char clen[32];
    c->status = (int)lws_http_client_http_response(wsi);
    if (lws_hdr_copy(wsi, clen, sizeof(clen), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
        char *endp = NULL;
        long long v = strtoll(clen, &endp, 10);
        c->content_length = (endp && *endp == 0 && v >= 0) ? v : -1;
    }
    if (c->content_length >= 0 && (unsigned long long)c->content_length > c->r->lim.max_bytes) {
        char msg[128];
        snprintf(msg, sizeof(msg), "reply announces %lld bytes, over the %zu-byte cap",
                 c->content_length, c->r->lim.max_bytes);
        qiao_rpc_call_fail(c, QIAO_ERANGE, "reply-too-large", msg);
        return -1;
    }
    return 0;
}

static int http_receive(struct lws *wsi)
{
    char buf[LWS_PRE + QIAO_RPC_HTTP_RX_CHUNK];
    char *px = buf + LWS_PRE;
    int lenx = QIAO_RPC_HTTP_RX_CHUNK;
    return lws_http_client_read(wsi, &px, &lenx) < 0 ? -1 : 0;
}

static int http_read(struct qiao_rpc_call *c, const void *in, size_t len)
{
    c->r->stats.bytes_in += len;
    if (qiao_buf_append(&c->body, in, len, NULL) != QIAO_OK) {
        char msg[96];
        snprintf(msg, sizeof(msg), "reply body passed the %zu-byte cap; transfer aborted",
                 c->r->lim.max_bytes);
        qiao_rpc_call_fail(c, QIAO_ERANGE, "reply-too-large", msg);
        return -1;
    }
    return 0;
}

/* A non-200 status may still carry a JSON-RPC error (bitcoind answers errors with HTTP 500). */
static void http_bad_status(struct qiao_rpc_call *c)
{
    struct qiao_rpc_msg m;
    struct qiao_diag d;
    qiao_diag_clear(&d);
    if (qiao_rpc_reply_check(&m, (const char *)c->body.p, c->body.len, c->id, c->method,
                             &c->r->lim, &d) == QIAO_EIO) {
        qiao_rpc_call_finish_msg(c, &m, QIAO_EIO, &d);
        qiao_rpc_msg_clear(&m);
        return;
    }
    qiao_rpc_msg_clear(&m);
    char msg[96];
    snprintf(msg, sizeof(msg), "HTTP status %d%s", c->status,
             c->status == 401 || c->status == 403 ? " (check basic_user/basic_pass)" : "");
    qiao_rpc_call_fail(c, QIAO_EIO, "http-status", msg);
}

static int http_completed(struct qiao_rpc_call *c)
{
    if (c->content_length >= 0 && c->body.len != (size_t)c->content_length) {
        qiao_rpc_call_fail(c, QIAO_EIO, "truncated", "reply body shorter than its Content-Length");
        return -1;
    }
    if (c->status != 200) {
        http_bad_status(c);
        return -1;
    }
    struct qiao_rpc_msg m;
    struct qiao_diag d;
    qiao_diag_clear(&d);
    qiao_err err = qiao_rpc_reply_check(&m, (const char *)c->body.p, c->body.len, c->id,
                                        c->method, &c->r->lim, &d);
    if (err && err != QIAO_EIO)
        qiao_diag_wrap(&d, "%s on %.200s", c->method, c->r->url_text);
    qiao_rpc_call_finish_msg(c, &m, err, &d);
    qiao_rpc_msg_clear(&m);
    return -1; /* done with this connection */
}

static int http_closed(struct qiao_rpc_call *c)
{
    int partial = c->content_length >= 0 && c->body.len < (size_t)c->content_length;
    /* A body without Content-Length or chunking ends when the server closes: that is its end,
     * not a truncation (a cut-off JSON object cannot validate, so nothing is lost by trusting
     * the close). */
    if (c->status && c->content_length < 0 && c->body.len) {
        http_completed(c);
        return 0;
    }
    if (c->status && (partial || c->body.len))
        qiao_rpc_call_fail(c, QIAO_EIO, "truncated", "connection closed in the middle of the reply");
    else
        qiao_rpc_call_fail(c, QIAO_EIO, "connection-closed", "connection closed before a reply");
    return 0;
}

/* lws reports any failure before the response headers as a connection error; once the request
 * went out, the truth is that the node hung up on it. */
static int http_connection_error(struct qiao_rpc_call *c, const void *in, size_t len)
{
    char msg[160];
    if (c->body_sent) {
        snprintf(msg, sizeof(msg), "connection closed before a reply (%.*s)",
                 in ? (int)(len ? len : strlen(in)) : 7, in ? (const char *)in : "unknown");
        qiao_rpc_call_fail(c, QIAO_EIO, "connection-closed", msg);
        return 0;
    }
    snprintf(msg, sizeof(msg), "cannot connect: %.*s", in ? (int)(len ? len : strlen(in)) : 7,
             in ? (const char *)in : "unknown");
    qiao_rpc_call_fail(c, QIAO_EIO, "connect-failed", msg);
    return 0;
}

/* The connection is going away on its own: forget it before finishing the call. */
static struct qiao_rpc_call *http_unbind(struct qiao_rpc_call *c, struct lws *wsi)
{
    c->wsi = NULL;
    lws_set_opaque_user_data(wsi, NULL);
    return c;
}

int qiao_rpc_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                           void *in, size_t len)
{
    struct qiao_rpc_call *c = wsi ? lws_get_opaque_user_data(wsi) : NULL;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return c ? http_append_headers(c, wsi, in, len) : -1;
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
        return c ? http_write_body(c, wsi) : -1;
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        return c ? http_established(c, wsi) : -1;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
        return c ? http_receive(wsi) : -1;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        return c ? http_read(c, in, len) : -1;
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        return c ? http_completed(c) : -1;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        return c ? http_connection_error(http_unbind(c, wsi), in, len) : 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        return c ? http_closed(http_unbind(c, wsi)) : 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}
