/*
 * server.c: the local API's lws glue (see server.h).  HTTP and WebSocket each have one callback
 * that only dispatches each reason to a named function, so no case grows into a page of code.
 */
#include "relay/api/server.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/api/jsonrpc.h"
#include "relay/core/log.h"

#define DEFAULT_MAX_BODY ((size_t)1 << 20)
#define DEFAULT_MAX_QUEUE 1024u
#define HTTP_CHUNK 16384u

static const char *const topics[] = {"messages", "swaps", "alerts"};
#define TOPIC_COUNT (sizeof(topics) / sizeof(topics[0]))

struct ws_frame {
    struct ws_frame *next;
    size_t len;
    uint8_t data[]; /* LWS_PRE bytes of headroom, then the text */
};

struct ws_sess {
    struct ws_sess *next;
    struct lws *wsi;
    struct qiao_api *api; /* NULL once the server is being destroyed */
    struct qiao_buf in;
    struct ws_frame *head, *tail;
    unsigned queued;
    unsigned topics;      /* bit i: subscribed to topics[i] */
    unsigned sub_ids[TOPIC_COUNT];
    int dropping;
};

struct http_sess {
    struct qiao_buf body;  /* request body */
    struct qiao_buf reply; /* LWS_PRE headroom, then the response body */
    size_t sent;
    int status;
    const char *ctype;
    int headers_done;
    int want_body;
};

struct qiao_api {
    struct lws_context *lws;
    struct lws_vhost *vh;
    struct qiao_api_handlers h;
    size_t max_body;
    unsigned max_queue;
    unsigned next_sub;
    struct ws_sess *sessions;
    /* lws keeps these pointers for the vhost's lifetime instead of copying them. */
    char vhost_name[48];
    char iface[64];
};

/* ---- shared: one JSON-RPC request in, one reply out ---- */

static void answer_call(struct qiao_api *a, const struct qiao_jsonrpc_request *req, struct qiao_buf *out)
{
    struct qiao_diag d = {0};
    cJSON *result = NULL;
    qiao_err err = a->h.call ? a->h.call(a->h.user, req->method, req->params, &result, &d)
                             : QIAO_FAIL(&d, QIAO_ENOTFOUND, "method-not-found", "no methods");
    if (!err)
        qiao_jsonrpc_reply_ok(out, req->id, result, NULL);
    else if (err == QIAO_ENOTFOUND && strcmp(d.reason, "method-not-found") == 0)
        qiao_jsonrpc_reply_error(out, req->id, QIAO_JSONRPC_METHOD_NOT_FOUND, &d, NULL);
    else
        qiao_jsonrpc_reply_error(out, req->id, qiao_jsonrpc_code_for(err), &d, NULL);
    cJSON_Delete(result);
}

/* ---- HTTP ---- */

static void http_respond(struct lws *wsi, struct http_sess *s, int status, const char *ctype)
{
    s->status = status;
    s->ctype = ctype;
    lws_callback_on_writable(wsi);
}

static void http_text(struct lws *wsi, struct http_sess *s, int status, const char *text)
{
    qiao_buf_append(&s->reply, text, strlen(text), NULL);
    http_respond(wsi, s, status, "text/plain; charset=utf-8");
}

static int http_get(struct qiao_api *a, struct lws *wsi, struct http_sess *s, const char *uri)
{
    struct qiao_diag d = {0};
    qiao_err err = QIAO_OK;
    if (strcmp(uri, "/metrics") == 0 && a->h.metrics) {
        err = a->h.metrics(a->h.user, &s->reply, &d);
        if (!err)
            http_respond(wsi, s, 200, "text/plain; version=0.0.4; charset=utf-8");
    } else if ((strcmp(uri, "/") == 0 || strcmp(uri, "/status") == 0) && a->h.status_html) {
        err = a->h.status_html(a->h.user, &s->reply, &d);
        if (!err)
            http_respond(wsi, s, 200, "text/html; charset=utf-8");
    } else {
        http_text(wsi, s, 404, "not found: GET /, /status, /metrics; POST /rpc; WebSocket /ws\n");
    }
    if (err) {
        s->reply.len = LWS_PRE;
        http_text(wsi, s, 500, d.msg);
    }
    return 0;
}

static int http_request(struct qiao_api *a, struct lws *wsi, struct http_sess *s, const char *uri)
{
    memset(s, 0, sizeof(*s));
    uint8_t pre[LWS_PRE] = {0};
    qiao_buf_append(&s->reply, pre, LWS_PRE, NULL);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0)
        return http_get(a, wsi, s, uri);
    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) <= 0 || strcmp(uri, "/rpc") != 0) {
        http_text(wsi, s, 405, "only POST /rpc accepts a body\n");
        return 0;
    }
    char len_text[32] = {0};
    if (lws_hdr_copy(wsi, len_text, sizeof(len_text), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
        strtoull(len_text, NULL, 10) > a->max_body) {
        http_text(wsi, s, 413, "request body too large\n");
        return 0;
    }
    qiao_buf_init(&s->body, a->max_body);
    s->want_body = 1;
    return 0;
}

static int http_body(struct lws *wsi, struct http_sess *s, const void *in, size_t len)
{
    if (!s->want_body)
        return 0;
    if (qiao_buf_append(&s->body, in, len, NULL) != QIAO_OK) {
        s->want_body = 0;
        http_text(wsi, s, 413, "request body too large\n");
    }
    return 0;
}

static int http_body_done(struct qiao_api *a, struct lws *wsi, struct http_sess *s)
{
    if (!s->want_body)
        return 0;
    struct qiao_jsonrpc_request req;
    struct qiao_diag d = {0};
    int code;
    if (qiao_jsonrpc_parse(&req, &code, (const char *)s->body.p, s->body.len, a->max_body, &d))
        qiao_jsonrpc_reply_error(&s->reply, req.id, code, &d, NULL);
    else
        answer_call(a, &req, &s->reply);
    qiao_jsonrpc_request_clear(&req);
    http_respond(wsi, s, 200, "application/json");
    return 0;
}

static int http_write(struct lws *wsi, struct http_sess *s)
{
    if (!s->status)
        return 0;
    size_t body_len = s->reply.len - LWS_PRE;
    if (!s->headers_done) {
        uint8_t buf[LWS_PRE + 512], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf) - 1;
        if (lws_add_http_common_headers(wsi, (unsigned)s->status, s->ctype, body_len, &p, end) ||
            lws_finalize_write_http_header(wsi, start, &p, end))
            return -1;
        s->headers_done = 1;
        lws_callback_on_writable(wsi);
        return 0;
    }
    size_t n = body_len - s->sent < HTTP_CHUNK ? body_len - s->sent : HTTP_CHUNK;
    int final = s->sent + n == body_len;
    if (lws_write(wsi, s->reply.p + LWS_PRE + s->sent, n,
                  final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n)
        return -1;
    s->sent += n;
    if (!final) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static void http_free(struct http_sess *s)
{
    if (!s)
        return;
    qiao_buf_clear(&s->body);
    qiao_buf_clear(&s->reply);
}

/* ---- WebSocket ---- */

static int ws_enqueue(struct ws_sess *s, const void *text, size_t len)
{
    if (s->dropping)
        return -1;
    if (s->api && s->queued >= s->api->max_queue) {
        /* A subscriber that cannot keep up is cut off, not buffered without bound. */
        s->dropping = 1;
        QIAO_LOG(QIAO_LOG_WARN, "api", "event=subscriber-dropped queued=%u", s->queued);
        lws_set_timeout(s->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
        return -1;
    }
    struct ws_frame *f = malloc(sizeof(*f) + LWS_PRE + len);
    if (!f)
        return -1;
    f->next = NULL;
    f->len = len;
    memcpy(f->data + LWS_PRE, text, len);
    if (s->tail)
        s->tail->next = f;
    else
        s->head = f;
    s->tail = f;
    s->queued++;
    lws_callback_on_writable(s->wsi);
    return 0;
}

static int topic_index(const char *name)
{
    for (size_t i = 0; i < TOPIC_COUNT; i++)
        if (strcmp(name, topics[i]) == 0)
            return (int)i;
    return -1;
}

/* subscribe ["topic"] → "0x<id>"; handled here because it is about this connection. */
static qiao_err ws_subscribe(struct ws_sess *s, const cJSON *params, cJSON **result,
                             struct qiao_diag *d)
{
    const cJSON *t = cJSON_IsArray(params) ? params->child : NULL;
    int i = t && cJSON_IsString(t) && !t->next ? topic_index(t->valuestring) : -1;
    if (i < 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-topic", "subscribe takes one topic: messages, swaps or alerts");
    char id[24];
    s->topics |= 1u << i;
    s->sub_ids[i] = ++s->api->next_sub;
    snprintf(id, sizeof(id), "0x%x", s->sub_ids[i]);
    *result = cJSON_CreateString(id);
    return *result ? QIAO_OK : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "subscribe");
}

static void ws_message(struct ws_sess *s)
{
    struct qiao_api *a = s->api;
    struct qiao_jsonrpc_request req;
    struct qiao_diag d = {0};
    struct qiao_buf out = {0};
    int code;
    if (qiao_jsonrpc_parse(&req, &code, (const char *)s->in.p, s->in.len, a->max_body, &d)) {
        qiao_jsonrpc_reply_error(&out, req.id, code, &d, NULL);
    } else if (strcmp(req.method, "subscribe") == 0) {
        cJSON *result = NULL;
        if (ws_subscribe(s, req.params, &result, &d))
            qiao_jsonrpc_reply_error(&out, req.id, QIAO_JSONRPC_INVALID_PARAMS, &d, NULL);
        else
            qiao_jsonrpc_reply_ok(&out, req.id, result, NULL);
        cJSON_Delete(result);
    } else {
        answer_call(a, &req, &out);
    }
    qiao_jsonrpc_request_clear(&req);
    if (out.len)
        ws_enqueue(s, out.p, out.len);
    qiao_buf_clear(&out);
}

static int ws_receive(struct lws *wsi, struct ws_sess *s, const void *in, size_t len)
{
    if (!s->api)
        return -1;
    if (qiao_buf_append(&s->in, in, len, NULL) != QIAO_OK) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"too large", 9);
        return -1;
    }
    if (!lws_is_final_fragment(wsi))
        return 0;
    ws_message(s);
    s->in.len = 0;
    return 0;
}

static int ws_write(struct lws *wsi, struct ws_sess *s)
{
    struct ws_frame *f = s->head;
    if (!f)
        return s->dropping ? -1 : 0;
    int n = lws_write(wsi, f->data + LWS_PRE, f->len, LWS_WRITE_TEXT);
    s->head = f->next;
    if (!s->head)
        s->tail = NULL;
    s->queued--;
    free(f);
    if (n < 0)
        return -1;
    if (s->head)
        lws_callback_on_writable(wsi);
    return 0;
}

static void ws_established(struct qiao_api *a, struct lws *wsi, struct ws_sess *s)
{
    memset(s, 0, sizeof(*s));
    s->wsi = wsi;
    s->api = a;
    qiao_buf_init(&s->in, a->max_body);
    s->next = a->sessions;
    a->sessions = s;
}

static void ws_closed(struct ws_sess *s)
{
    if (s->api)
        for (struct ws_sess **pp = &s->api->sessions; *pp; pp = &(*pp)->next)
            if (*pp == s) {
                *pp = s->next;
                break;
            }
    while (s->head) {
        struct ws_frame *f = s->head;
        s->head = f->next;
        free(f);
    }
    qiao_buf_clear(&s->in);
}

/* The per-connection state: a connection is either a plain HTTP exchange or a WebSocket. */
union api_sess {
    struct http_sess http;
    struct ws_sess ws;
};

/* One protocol serves both kinds, because Ethereum-style WebSocket clients (ours included) ask
 * for no subprotocol, and lws binds such an upgrade to the vhost's first protocol. */
static int api_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
    struct qiao_api *a = lws_vhost_user(lws_get_vhost(wsi));
    union api_sess *s = user;
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        return a ? http_request(a, wsi, &s->http, in) : -1;
    case LWS_CALLBACK_HTTP_BODY:
        return http_body(wsi, &s->http, in, len);
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        return a ? http_body_done(a, wsi, &s->http) : -1;
    case LWS_CALLBACK_HTTP_WRITEABLE:
        return http_write(wsi, &s->http);
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
    case LWS_CALLBACK_CLOSED_HTTP:
        http_free(s ? &s->http : NULL);
        return 0;
    case LWS_CALLBACK_ESTABLISHED:
        if (!a)
            return -1;
        ws_established(a, wsi, &s->ws);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        return ws_receive(wsi, &s->ws, in, len);
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return ws_write(wsi, &s->ws);
    case LWS_CALLBACK_CLOSED:
        ws_closed(&s->ws);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}

static const struct lws_protocols api_protocols[] = {
    {.name = "qiao-api", .callback = api_callback, .per_session_data_size = sizeof(union api_sess),
     .rx_buffer_size = 16384},
    {.name = NULL, .callback = NULL},
};

qiao_err qiao_api_create(struct qiao_api **out, struct lws_context *lws,
                         const struct qiao_api_opts *o, const struct qiao_api_handlers *h,
                         struct qiao_diag *d)
{
    struct qiao_api *a = calloc(1, sizeof(*a));
    if (!a)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "api server");
    a->lws = lws;
    a->h = *h;
    a->max_body = o->max_body ? o->max_body : DEFAULT_MAX_BODY;
    a->max_queue = o->max_ws_queue ? o->max_ws_queue : DEFAULT_MAX_QUEUE;
    snprintf(a->vhost_name, sizeof(a->vhost_name), "qiao-api-%p", (void *)a);
    snprintf(a->iface, sizeof(a->iface), "%s", o->host ? o->host : "127.0.0.1");
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = o->port;
    info.iface = a->iface;
    info.vhost_name = a->vhost_name;
    info.protocols = api_protocols;
    info.user = a;
    a->vh = lws_create_vhost(lws, &info);
    if (!a->vh) {
        free(a);
        return QIAO_FAIL(d, QIAO_EIO, "lws-vhost", "cannot listen on %s:%d", info.iface, o->port);
    }
    *out = a;
    return QIAO_OK;
}

void qiao_api_destroy(struct qiao_api *a)
{
    if (!a)
        return;
    for (struct ws_sess *s = a->sessions; s; s = s->next)
        s->api = NULL; /* close callbacks may run after a is gone */
    a->sessions = NULL;
    lws_vhost_destroy(a->vh);
    free(a);
}

int qiao_api_port(const struct qiao_api *a)
{
    return lws_get_vhost_listen_port(a->vh);
}

int qiao_api_publish(struct qiao_api *a, const char *topic, const cJSON *event)
{
    int i = topic_index(topic), reached = 0;
    if (i < 0)
        return 0;
    for (struct ws_sess *s = a->sessions; s; s = s->next) {
        if (!(s->topics & (1u << i)))
            continue;
        char id[24];
        snprintf(id, sizeof(id), "0x%x", s->sub_ids[i]);
        cJSON *n = cJSON_CreateObject(), *p = n ? cJSON_AddObjectToObject(n, "params") : NULL;
        if (!p) {
            cJSON_Delete(n);
            continue;
        }
        cJSON_AddStringToObject(n, "jsonrpc", "2.0");
        cJSON_AddStringToObject(n, "method", "subscription");
        cJSON_AddStringToObject(p, "subscription", id);
        cJSON_AddItemToObject(p, "result", cJSON_Duplicate(event, 1));
        char *text = cJSON_PrintUnformatted(n);
        cJSON_Delete(n);
        if (text && ws_enqueue(s, text, strlen(text)) == 0)
            reached++;
        free(text);
    }
    return reached;
}
