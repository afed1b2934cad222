/*
 * rpc_int.h: the client's internal state, shared by rpc.c (calls, lifecycle), rpc_http.c (HTTP
 * transport), rpc_ws.c (WebSocket transport, reconnect), rpc_sub.c (subscriptions) and
 * rpc_lws.c (protocol table, vhost, loop helpers).  Not for use outside relay/rpc/.
 *
 * Ownership: a struct qiao_rpc owns its calls (r->calls) and subscriptions (r->subs).  A call or
 * client is tied to an lws connection only through the wsi's opaque user data; detaching sets it
 * to NULL, after which the connection's remaining callbacks find nothing and close it.
 */
#ifndef QIAO_RPC_INT_H
#define QIAO_RPC_INT_H

#include <libwebsockets.h>

#include "relay/core/bytes.h"
#include "relay/rpc/rpc.h"
#include "relay/rpc/rpc_url.h"

#define QIAO_RPC_VHOST_NAME "qiao-rpc"
#define QIAO_RPC_PROTO_HTTP "qiao-rpc-http"
#define QIAO_RPC_PROTO_WS "qiao-rpc-ws"
#define QIAO_RPC_AUTH_MAX 512
#define QIAO_RPC_LATE_IDS 64

/** One request, from qiao_rpc_call until its callback. */
struct qiao_rpc_call {
    lws_dll2_t list; /* in r->calls, in submission order */
    struct qiao_rpc *r;
    uint64_t id;
    char method[QIAO_RPC_METHOD_MAX + 1];
    qiao_rpc_cb cb;
    void *user;
    struct qiao_buf req;  /* LWS_PRE zero bytes, then the request text */
    struct qiao_buf body; /* HTTP: the reply body so far, capped at max_reply */
    struct lws *wsi;      /* HTTP: this call's own connection, NULL once detached */
    int started;          /* HTTP: connection requested */
    int body_sent;        /* HTTP: the request went out */
    int status;           /* HTTP: response status */
    long long content_length; /* HTTP: announced length, -1 when none */
    int on_wire;          /* WS: request frame written, reply outstanding */
    lws_sorted_usec_list_t sul_timeout;
};

/** One eth_subscribe, alive across reconnects until qiao_rpc_unsubscribe. */
struct qiao_rpc_sub {
    lws_dll2_t list; /* in r->subs */
    struct qiao_rpc *r;
    cJSON *params;   /* owned: the eth_subscribe params, re-sent on every connection */
    char id[QIAO_RPC_SUBID_MAX + 1]; /* the node's id on the current connection, "" if none */
    qiao_rpc_sub_cb cb;
    void *user;
    int call_pending; /* an eth_subscribe for it is in flight */
    int ever_up;      /* it was live once, so a later re-subscribe reports GAP */
    int lost;         /* DOWN was reported and GAP is owed */
    int failed;       /* the node refused it */
    int cancelled;    /* unsubscribed while its eth_subscribe was in flight */
};

struct qiao_rpc {
    struct lws_context *lws;
    struct lws_vhost *vhost;
    struct qiao_rpc_url url;
    char *url_text;
    char host_header[QIAO_RPC_HOST_MAX + 16];
    char auth[QIAO_RPC_AUTH_MAX]; /* "Basic ..." or ""; wiped on destroy */
    struct qiao_rpc_limits lim;
    unsigned timeout_ms;
    unsigned max_inflight;
    size_t max_request;
    int tls_flags; /* LCCSCF_* */
    int closing;
    uint64_t next_id;
    lws_dll2_owner_t calls;
    lws_sorted_usec_list_t sul_kick; /* starts queued HTTP calls from the loop */
    struct qiao_rpc_call *connecting; /* the call inside lws_client_connect_via_info, if any */
    struct qiao_rpc_stats stats;
    /* WebSocket transport */
    struct lws *ws;
    int ws_up;
    struct qiao_buf ws_rx;       /* the message being reassembled from fragments */
    struct qiao_diag ws_why;     /* why we are closing the connection ourselves */
    lws_sorted_usec_list_t sul_retry;
    uint16_t retry_try;
    int retry_scheduled;
    lws_dll2_owner_t subs;
    uint64_t late_ids[QIAO_RPC_LATE_IDS]; /* timed-out ids whose late replies are dropped */
    unsigned late_pos;
};

/* rpc.c */
/** Complete c: unlink, detach its connection, run its callback, free it. */
void qiao_rpc_call_finish(struct qiao_rpc_call *c, qiao_err err, const cJSON *result,
                          const struct qiao_diag *d);
/** Finish c with a failure recorded here (reason, message). */
void qiao_rpc_call_fail(struct qiao_rpc_call *c, qiao_err code, const char *reason,
                        const char *msg);
/** Finish c from a validated reply (success or node error) or a validation failure. */
void qiao_rpc_call_finish_msg(struct qiao_rpc_call *c, struct qiao_rpc_msg *m, qiao_err err,
                              const struct qiao_diag *d);
/** Queue a call and return it (internal callers that must be able to abandon it). */
qiao_err qiao_rpc_call_start(struct qiao_rpc *r, const char *method, cJSON *params,
                             qiao_rpc_cb cb, void *user, struct qiao_rpc_call **out,
                             struct qiao_diag *d);

/* rpc_http.c */
/** Open c's HTTP connection. */
void qiao_rpc_http_start(struct qiao_rpc_call *c);
/** lws protocol callback for HTTP calls. */
int qiao_rpc_http_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
                           void *in, size_t len);
/** Add Authorization to a handshake being built; -1 when it does not fit. */
int qiao_rpc_add_auth(struct qiao_rpc *r, struct lws *wsi, unsigned char **p, unsigned char *end);

/* rpc_ws.c */
/** Start (or restart) the WebSocket connection. */
void qiao_rpc_ws_connect(struct qiao_rpc *r);
/** Ask for WRITEABLE when a call waits to be sent. */
void qiao_rpc_ws_want_write(struct qiao_rpc *r);
/** Drop the connection (if any) without reconnecting; used by destroy. */
void qiao_rpc_ws_detach(struct qiao_rpc *r);
/** Remember a timed-out id so its late reply is dropped quietly. */
void qiao_rpc_ws_forget_id(struct qiao_rpc *r, uint64_t id);
/** lws protocol callback for the WebSocket. */
int qiao_rpc_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len);

/* rpc_sub.c */
/** Connection established: send eth_subscribe for every live subscription. */
void qiao_rpc_subs_resubscribe(struct qiao_rpc *r);
/** Connection lost: report DOWN to live subscriptions. */
void qiao_rpc_subs_down(struct qiao_rpc *r, const struct qiao_diag *why);
/** Deliver one eth_subscription notification. */
void qiao_rpc_subs_deliver(struct qiao_rpc *r, const struct qiao_rpc_msg *m);
/** Free every subscription without callbacks (destroy). */
void qiao_rpc_subs_drop_all(struct qiao_rpc *r);

/* rpc_lws.c */
/**
 * Make the loop's current lws_service return after a timer callback changed state.  lws 4.1
 * runs ripe timers and then goes straight back to its poll wait, so without this a caller waiting
 * on a flag set by a timer (a call timeout, a refused connection) would sleep until the next
 * network event or lws's own 30 s housekeeping timer.
 */
void qiao_rpc_wake(struct lws_context *lws);
/** The shared client vhost of ctx, created on first use. */
qiao_err qiao_rpc_vhost_get(struct lws_context *ctx, struct lws_vhost **out, struct qiao_diag *d);

#endif
