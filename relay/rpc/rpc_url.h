/*
 * rpc_url.h: strict parsing of a node endpoint URL (http, https, ws, wss) into its parts.
 *
 * Pure: no I/O, no allocation.  The parts are copied into fixed arrays inside the struct, so a
 * parsed URL owns nothing and borrows nothing.  Credentials in the URL ("user:pass@host") are
 * refused: they belong in qiao_rpc_opts, where they cannot leak into logs that print the URL.
 */
#ifndef QIAO_RPC_URL_H
#define QIAO_RPC_URL_H

#include "relay/core/diag.h"

#define QIAO_RPC_URL_MAX 512
#define QIAO_RPC_HOST_MAX 256

/** Which transport a URL selects. */
enum qiao_rpc_scheme { QIAO_RPC_HTTP = 0, QIAO_RPC_HTTPS, QIAO_RPC_WS, QIAO_RPC_WSS };

/** A parsed endpoint.  Caller storage; plain value. */
struct qiao_rpc_url {
    enum qiao_rpc_scheme scheme;
    char host[QIAO_RPC_HOST_MAX]; /* without IPv6 brackets */
    int port;                     /* explicit or the scheme's default (80, 443) */
    char path[QIAO_RPC_URL_MAX];  /* starts with '/', includes any query; "/" when absent */
};

/**
 * Parse url ("http://127.0.0.1:8545", "ws://[::1]:8546/ws", "https://node.example/rpc?k=v").
 * Returns: QIAO_OK, or QIAO_EINVAL with reason "bad-url" (unknown scheme, bad host, bad port,
 *          control characters, credentials, fragment) or QIAO_ERANGE "url-too-long".
 * Out: *out filled on success.
 * In:  url, NUL-terminated.
 */
qiao_err qiao_rpc_url_parse(struct qiao_rpc_url *out, const char *url, struct qiao_diag *d);

/** 1 for ws and wss. */
int qiao_rpc_url_is_ws(const struct qiao_rpc_url *u);
/** 1 for https and wss. */
int qiao_rpc_url_is_tls(const struct qiao_rpc_url *u);

#endif
