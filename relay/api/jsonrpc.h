/*
 * jsonrpc.h: the server side of JSON-RPC 2.0 for the local API, without I/O.
 *
 * Requests are parsed strictly (relay/core/json.h caps and duplicate-key rule); batches are not
 * accepted.  Errors use the standard codes, and application errors (-32000) carry the qiao_diag
 * reason in error.data so scripts can branch on it without parsing sentences.
 */
#ifndef QIAO_API_JSONRPC_H
#define QIAO_API_JSONRPC_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

#define QIAO_JSONRPC_PARSE_ERROR (-32700)
#define QIAO_JSONRPC_INVALID_REQUEST (-32600)
#define QIAO_JSONRPC_METHOD_NOT_FOUND (-32601)
#define QIAO_JSONRPC_INVALID_PARAMS (-32602)
#define QIAO_JSONRPC_APP_ERROR (-32000)

/** One request.  Owns id and params copies; release with qiao_jsonrpc_request_clear. */
struct qiao_jsonrpc_request {
    cJSON *id;      /* number, string or null (a copy); NULL for a notification */
    char method[64];
    cJSON *params;  /* array or object (a copy), or NULL */
};

/**
 * Parse one request.  On failure *code is the JSON-RPC error code to answer with, and req->id is
 * set when it could be read (so the error reply can carry it).
 */
qiao_err qiao_jsonrpc_parse(struct qiao_jsonrpc_request *req, int *code, const char *text,
                            size_t len, size_t max_len, struct qiao_diag *d);
void qiao_jsonrpc_request_clear(struct qiao_jsonrpc_request *req);

/** Append {"jsonrpc":"2.0","id":id,"result":result} (result borrowed; NULL means null). */
qiao_err qiao_jsonrpc_reply_ok(struct qiao_buf *out, const cJSON *id, const cJSON *result,
                               struct qiao_diag *d);
/** Append an error reply; `why` supplies message and, for app errors, data.reason. */
qiao_err qiao_jsonrpc_reply_error(struct qiao_buf *out, const cJSON *id, int code,
                                  const struct qiao_diag *why, struct qiao_diag *d);

/** Map a qiao_err class to the reply code: EINVAL/ERANGE → invalid params, else app error. */
int qiao_jsonrpc_code_for(qiao_err err);

#endif
