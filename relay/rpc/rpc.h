/*
 * rpc.h: the core JSON-RPC client.  Adapters' source halves speak to their nodes through this.
 *
 * One struct qiao_rpc is one endpoint, named by URL:
 *   http://host:port/path, https://...  each call is one HTTP/1.1 POST on its own connection;
 *   ws://host:port/path,   wss://...    one persistent WebSocket carries many calls at once and
 *                                       eth_subscribe subscriptions; it reconnects with backoff
 *                                       and re-subscribes, telling subscribers about the gap.
 * Every reply is validated (rpc_msg.h) before a callback sees it: size and depth caps, duplicate
 * keys, the JSON-RPC version, result XOR error, the id, the HTTP status.  Node errors arrive as a
 * failure with reason "rpc-error" and the node's code and message in the diagnostic.
 *
 * Threading: everything runs on the thread that services the caller-owned lws_context.  No
 * function here may be called from another thread; qiao_rpc_call_sync and qiao_rpc_service_until
 * run the loop themselves and must not be called from inside any lws callback (including ours).
 *
 * Ownership: the client copies the opts strings (the password is wiped on destroy).  `params`
 * passed to qiao_rpc_call / qiao_rpc_subscribe is taken, on success and on failure alike.  A
 * `result` given to a callback borrows the reply tree and is freed when the callback returns.
 * Destroy every client before the lws_context it runs on.
 */
#ifndef QIAO_RPC_RPC_H
#define QIAO_RPC_RPC_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"
#include "relay/rpc/rpc_msg.h"

struct lws_context;
struct qiao_rpc;
struct qiao_rpc_sub;

#define QIAO_RPC_DEFAULT_TIMEOUT_MS 30000u
#define QIAO_RPC_DEFAULT_MAX_INFLIGHT 256u
#define QIAO_RPC_DEFAULT_MAX_REQUEST ((size_t)16 << 20)

/** Endpoint options.  Zero fields take the defaults named beside them. */
struct qiao_rpc_opts {
    const char *url;          /* required: http, https, ws or wss (rpc_url.h) */
    const char *basic_user;   /* HTTP basic auth user, or NULL for none (bcoin: "x") */
    const char *basic_pass;   /* HTTP basic auth password (bcoin: the API key) */
    size_t max_reply;         /* reply body or WS message cap; 0: QIAO_RPC_DEFAULT_MAX_REPLY */
    unsigned max_depth;       /* JSON nesting cap; 0: QIAO_RPC_DEFAULT_MAX_DEPTH */
    unsigned timeout_ms;      /* per call, from qiao_rpc_call to reply; 0: 30 s */
    unsigned max_inflight;    /* calls queued or in flight; 0: 256 */
    size_t max_request;       /* encoded request cap; 0: 16 MiB */
    enum qiao_rpc_dialect dialect; /* QIAO_RPC_DIALECT_LEGACY for bitcoind/bcoin replies */
    int tls_allow_selfsigned; /* https/wss: accept a self-signed certificate (test nodes only) */
};

/**
 * Reply callback: called exactly once for every call that qiao_rpc_call accepted, always from the
 * lws service loop (never from inside qiao_rpc_call).  On success err is QIAO_OK and result is the
 * reply's "result" (possibly a JSON null).  On failure d says why; when d->reason is "rpc-error",
 * result is the node's error object ({"code":..,"message":..,"data"?}), otherwise NULL.  Reasons:
 * rpc_msg.h's validation reasons, "rpc-error", "http-status", "reply-too-large", "truncated",
 * "connect-failed", "connection-closed", "connection-lost", "timeout", "cancelled".
 */
typedef void (*qiao_rpc_cb)(void *user, qiao_err err, const cJSON *result,
                            const struct qiao_diag *d);

/** What a subscription callback is told. */
enum qiao_rpc_sub_event {
    QIAO_RPC_SUB_UP = 1, /* the node accepted eth_subscribe; data is the subscription id */
    QIAO_RPC_SUB_DATA,   /* one notification; data is params.result (a header, a log, ...) */
    QIAO_RPC_SUB_DOWN,   /* the connection dropped (d says why); notifications are being missed */
    QIAO_RPC_SUB_GAP,    /* re-subscribed after a DOWN: anything between DOWN and now was missed,
                            so backfill (e.g. eth_getBlockByNumber from the last height seen) */
    QIAO_RPC_SUB_FAILED, /* the node refused eth_subscribe (d says why); the subscription is dead
                            and delivers nothing more, but the caller still unsubscribes it */
};

/** Subscription callback; data borrows the message and dies when the callback returns. */
typedef void (*qiao_rpc_sub_cb)(void *user, enum qiao_rpc_sub_event ev, const cJSON *data,
                                const struct qiao_diag *d);

/** Counters for tests, status pages and benchmarks. */
struct qiao_rpc_stats {
    uint64_t calls;       /* accepted by qiao_rpc_call */
    uint64_t ok;          /* completed with a result */
    uint64_t failed;      /* completed with an error (any reason) */
    uint64_t connects;    /* WebSocket connections established */
    uint64_t disconnects; /* WebSocket connections lost */
    uint64_t notifications;
    uint64_t bytes_in;    /* reply bytes received */
};

/**
 * Create a client for one endpoint on a caller-owned lws_context.  For ws/wss it starts
 * connecting at once.
 * Returns: QIAO_OK; "bad-url"/"url-too-long"; "bad-opts"; "out-of-memory"; "lws-vhost" when the
 *          context cannot host the client's protocols.
 * Out: *out, to release with qiao_rpc_destroy.
 * In:  lws must outlive the client; o and its strings are copied.
 */
qiao_err qiao_rpc_create(struct qiao_rpc **out, struct lws_context *lws,
                         const struct qiao_rpc_opts *o, struct qiao_diag *d);

/**
 * Close the endpoint.  Calls still pending get their callback with reason "cancelled" (so their
 * `user` can be released); subscriptions are dropped without further callbacks.  NULL is a no-op.
 * Must not be called from inside one of this client's own callbacks.
 */
void qiao_rpc_destroy(struct qiao_rpc *r);

/**
 * Start a call.  The request goes out when the loop next runs; cb gets the outcome.
 * Returns: QIAO_OK (cb will be called once); "bad-method", "bad-params", "request-too-large",
 *          "queue-full" (QIAO_ERANGE: max_inflight reached), "closing" (cb is never called).
 * In: params (array, object or NULL for []) is taken; cb may be NULL to ignore the outcome.
 */
qiao_err qiao_rpc_call(struct qiao_rpc *r, const char *method, cJSON *params, qiao_rpc_cb cb,
                       void *user, struct qiao_diag *d);

/**
 * Subscribe (WebSocket endpoints only) with eth_subscribe, e.g. params ["newHeads"] or
 * ["logs", {"address": ...}].  The subscription survives reconnects: it is re-sent on every new
 * connection, with DOWN and GAP events around the outage.
 * Returns: QIAO_OK; "subscribe-needs-websocket" (QIAO_EUNSUPPORTED); "bad-params".
 * Out: *out, a handle for qiao_rpc_unsubscribe (owned by the client until then).
 * In: params is taken.
 */
qiao_err qiao_rpc_subscribe(struct qiao_rpc *r, struct qiao_rpc_sub **out, cJSON *params,
                            qiao_rpc_sub_cb cb, void *user, struct qiao_diag *d);

/** Stop a subscription: no more callbacks; eth_unsubscribe is sent if it is live.  NULL: no-op. */
void qiao_rpc_unsubscribe(struct qiao_rpc_sub *s);

/**
 * Call and wait, running the lws loop until the reply or the call's timeout.  For CLI tools and
 * tests; a daemon uses qiao_rpc_call.  Never call from inside an lws callback.
 * Returns: as the callback's err (with the same reasons).
 * Out: *result, the reply's result (caller frees with cJSON_Delete), NULL on failure.
 * In: params is taken.
 */
qiao_err qiao_rpc_call_sync(struct qiao_rpc *r, const char *method, cJSON *params,
                            cJSON **result, struct qiao_diag *d);

/** 1 when a WebSocket endpoint's connection is up; 1 for HTTP endpoints (connection per call). */
int qiao_rpc_connected(const struct qiao_rpc *r);
/** A snapshot of the counters. */
void qiao_rpc_get_stats(const struct qiao_rpc *r, struct qiao_rpc_stats *out);
/** The endpoint URL as given (borrowed). */
const char *qiao_rpc_url(const struct qiao_rpc *r);

/**
 * Run the lws loop until *flag becomes non-zero or timeout_ms passes.  For tools and tests.
 * Returns: 1 if *flag was set, 0 on timeout or when the loop fails.
 */
int qiao_rpc_service_until(struct lws_context *lws, const volatile int *flag,
                           unsigned timeout_ms);

/**
 * A client-only lws_context (no listening socket, TLS initialised, lws logging limited to errors
 * unless QIAO_LWS_LOG is set to an lws log bitmask) for tools and tests.
 * Returns: QIAO_OK or QIAO_EIO "lws-context".
 * Out: *out, to free with lws_context_destroy after destroying its clients.
 */
qiao_err qiao_rpc_lws_create(struct lws_context **out, struct qiao_diag *d);

#endif
