/*
 * server.h: the notary's local API: HTTP and WebSocket JSON-RPC, /metrics and a status page.
 *
 * Routes on one listening vhost ("qiao-api", 127.0.0.1 by default):
 *   POST /rpc        JSON-RPC 2.0, one request per body (Content-Type application/json)
 *   GET  /metrics    Prometheus text exposition
 *   GET  / , /status the human status page (HTML)
 *   WS   /ws         protocol "qiao-api": JSON-RPC over WebSocket, plus
 *                    {"method":"subscribe","params":["messages"]} → subscription id, then
 *                    {"jsonrpc":"2.0","method":"subscription","params":{"subscription":ID,
 *                     "result":EVENT}} for every published event.
 * What the routes answer comes from the caller's handlers, so the server knows nothing of the
 * relay; the relay knows nothing of HTTP.  Bodies and frames are capped; a subscriber that falls
 * too far behind is disconnected rather than buffered without bound.
 *
 * Threading: everything runs on the lws service thread of the caller's context.
 * Ownership: the server copies opts; handlers' `user` is borrowed for the server's lifetime.
 */
#ifndef QIAO_API_SERVER_H
#define QIAO_API_SERVER_H

#include <cjson/cJSON.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

struct lws_context;
struct qiao_api;

struct qiao_api_handlers {
    void *user;
    /** A JSON-RPC method.  On success *result is a new tree the server frees; NULL is null. */
    qiao_err (*call)(void *user, const char *method, const cJSON *params, cJSON **result,
                     struct qiao_diag *d);
    /** Append the Prometheus text for GET /metrics. */
    qiao_err (*metrics)(void *user, struct qiao_buf *out, struct qiao_diag *d);
    /** Append the HTML status page. */
    qiao_err (*status_html)(void *user, struct qiao_buf *out, struct qiao_diag *d);
};

struct qiao_api_opts {
    const char *host;        /* interface to bind; NULL: 127.0.0.1 */
    int port;                /* 0: pick a free port (read it back with qiao_api_port) */
    size_t max_body;         /* request body / WS message cap; 0: 1 MiB */
    unsigned max_ws_queue;   /* queued frames per subscriber before it is dropped; 0: 1024 */
};

/** Start listening.  Reasons: "lws-vhost" (cannot bind), "out-of-memory". */
qiao_err qiao_api_create(struct qiao_api **out, struct lws_context *lws,
                         const struct qiao_api_opts *o, const struct qiao_api_handlers *h,
                         struct qiao_diag *d);
/** Stop listening and close every connection.  NULL is a no-op. */
void qiao_api_destroy(struct qiao_api *a);
/** The bound port. */
int qiao_api_port(const struct qiao_api *a);
/** Send event (borrowed) to every WebSocket subscriber of topic.  Returns subscribers reached. */
int qiao_api_publish(struct qiao_api *a, const char *topic, const cJSON *event);

#endif
