/* rpc_msg.c: JSON-RPC request encoding and reply validation (see rpc_msg.h). */
#include "relay/rpc/rpc_msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/json.h"

static int method_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

qiao_err qiao_rpc_method_check(const char *method, struct qiao_diag *d)
{
    size_t n = 0;
    if (!method)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-method", "no RPC method name given");
    while (method[n] && n <= QIAO_RPC_METHOD_MAX) {
        if (!method_char_ok(method[n]))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-method",
                             "RPC method name has a bad character at offset %zu", n);
        n++;
    }
    if (n == 0 || n > QIAO_RPC_METHOD_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-method", "RPC method name must be 1 to %d characters",
                         QIAO_RPC_METHOD_MAX);
    return QIAO_OK;
}

qiao_err qiao_rpc_request_encode(struct qiao_buf *out, size_t headroom, uint64_t id,
                                 const char *method, const cJSON *params, struct qiao_diag *d)
{
    QIAO_TRY(qiao_rpc_method_check(method, d));
    if (params && !cJSON_IsArray(params) && !cJSON_IsObject(params))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-params", "params of %s must be an array or object",
                         method);
    if (id >= QIAO_RPC_ID_LIMIT)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-id", "request id %llu is not below 2^53",
                         (unsigned long long)id);
    char *ptext = params ? cJSON_PrintUnformatted(params) : NULL;
    if (params && !ptext)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot print params of %s", method);
    char head[160];
    int hn = snprintf(head, sizeof(head), "{\"jsonrpc\":\"2.0\",\"id\":%llu,\"method\":\"%s\",\"params\":",
                      (unsigned long long)id, method);
    static const uint8_t zeros[64];
    qiao_err err = QIAO_OK;
    for (size_t left = headroom; !err && left; left -= left < 64 ? left : 64)
        err = qiao_buf_append(out, zeros, left < 64 ? left : 64, d);
    if (!err)
        err = qiao_buf_append(out, head, (size_t)hn, d);
    if (!err)
        err = qiao_buf_append(out, ptext ? ptext : "[]", ptext ? strlen(ptext) : 2, d);
    if (!err)
        err = qiao_buf_push(out, '}', d);
    free(ptext);
    return err;
}

/* "jsonrpc": exactly "2.0", or (legacy dialect) absent, "1.0" or "2.0". */
static qiao_err check_version(const cJSON *root, enum qiao_rpc_dialect dialect,
                              struct qiao_diag *d)
{
    const cJSON *v = qiao_json_get(root, "jsonrpc");
    if (!v && dialect == QIAO_RPC_DIALECT_LEGACY)
        return QIAO_OK;
    if (cJSON_IsString(v) && strcmp(v->valuestring, "2.0") == 0)
        return QIAO_OK;
    if (cJSON_IsString(v) && dialect == QIAO_RPC_DIALECT_LEGACY &&
        strcmp(v->valuestring, "1.0") == 0)
        return QIAO_OK;
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-version", "reply must carry \"jsonrpc\": \"2.0\"");
}

/* A JSON number that is an exact integer in [lo, hi]. */
static int exact_integer(const cJSON *v, double lo, double hi, double *out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    double x = v->valuedouble;
    if (!(x >= lo && x <= hi) || x != (double)(int64_t)x)
        return 0;
    *out = x;
    return 1;
}

static qiao_err parse_id(struct qiao_rpc_msg *m, const cJSON *id, struct qiao_diag *d)
{
    double x;
    if (!id)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-id", "reply has no \"id\"");
    if (cJSON_IsNull(id)) {
        m->id_null = 1;
        return QIAO_OK;
    }
    if (!exact_integer(id, 0, (double)(QIAO_RPC_ID_LIMIT - 1), &x))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-id",
                         "reply \"id\" must be an integer below 2^53 (we send only those)");
    m->id = (uint64_t)x;
    return QIAO_OK;
}

static qiao_err parse_error_object(struct qiao_rpc_msg *m, const cJSON *e, struct qiao_diag *d)
{
    double code;
    const cJSON *msg = qiao_json_get(e, "message");
    if (!cJSON_IsObject(e))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-error-object", "reply \"error\" must be an object");
    if (!exact_integer(qiao_json_get(e, "code"), -9007199254740991.0, 9007199254740991.0, &code))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-error-object",
                         "reply error \"code\" must be an exact integer");
    if (!cJSON_IsString(msg))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-error-object",
                         "reply error \"message\" must be a string");
    m->error = e;
    m->error_code = (int64_t)code;
    m->error_message = msg->valuestring;
    return QIAO_OK;
}

/* result XOR error; legacy replies carry both with the unused one null. */
static qiao_err parse_outcome(struct qiao_rpc_msg *m, const cJSON *root,
                              enum qiao_rpc_dialect dialect, struct qiao_diag *d)
{
    const cJSON *res = qiao_json_get(root, "result");
    const cJSON *err = qiao_json_get(root, "error");
    if (dialect == QIAO_RPC_DIALECT_LEGACY && cJSON_IsNull(err))
        err = NULL;
    if (dialect == QIAO_RPC_DIALECT_LEGACY && err && cJSON_IsNull(res))
        res = NULL;
    if (res && err)
        return QIAO_FAIL(d, QIAO_EINVAL, "result-and-error",
                         "reply carries both \"result\" and \"error\"");
    if (!res && !err)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-result-or-error",
                         "reply carries neither \"result\" nor \"error\"");
    if (err)
        return parse_error_object(m, err, d);
    m->result = res;
    return QIAO_OK;
}

static qiao_err parse_response(struct qiao_rpc_msg *m, const cJSON *root,
                               enum qiao_rpc_dialect dialect, struct qiao_diag *d)
{
    m->kind = QIAO_RPC_MSG_RESPONSE;
    QIAO_TRY(parse_id(m, qiao_json_get(root, "id"), d));
    return parse_outcome(m, root, dialect, d);
}

/* A message with "method" is a notification from the node; we never serve requests. */
static qiao_err parse_notification(struct qiao_rpc_msg *m, const cJSON *root,
                                   struct qiao_diag *d)
{
    const cJSON *method = qiao_json_get(root, "method");
    const cJSON *params = qiao_json_get(root, "params");
    m->kind = QIAO_RPC_MSG_NOTIFICATION;
    if (qiao_json_get(root, "id"))
        return QIAO_FAIL(d, QIAO_EINVAL, "unexpected-request",
                         "node sent a request with an id; a client serves none");
    if (!cJSON_IsString(method) || qiao_rpc_method_check(method->valuestring, NULL))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-notification",
                         "notification \"method\" must be a short identifier string");
    if (params && !cJSON_IsObject(params) && !cJSON_IsArray(params))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-notification",
                         "notification \"params\" must be an object or array");
    if (qiao_json_get(root, "result") || qiao_json_get(root, "error"))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-notification",
                         "notification carries \"result\" or \"error\"");
    m->method = method->valuestring;
    m->params = params;
    return QIAO_OK;
}

qiao_err qiao_rpc_msg_parse(struct qiao_rpc_msg *m, const char *text, size_t len,
                            const struct qiao_rpc_limits *lim, struct qiao_diag *d)
{
    memset(m, 0, sizeof(*m));
    size_t max = lim && lim->max_bytes ? lim->max_bytes : QIAO_RPC_DEFAULT_MAX_REPLY;
    unsigned depth = lim && lim->max_depth ? lim->max_depth : QIAO_RPC_DEFAULT_MAX_DEPTH;
    enum qiao_rpc_dialect dialect = lim ? lim->dialect : QIAO_RPC_DIALECT_2_0;
    cJSON *root;
    /* A node's reply may carry raw revert bytes (NULs) inside error messages; see json.h. */
    QIAO_TRY(qiao_json_parse_ex(&root, text, len, max, depth, QIAO_JSON_NUL_IN_VALUES, d));
    qiao_err err;
    if (!cJSON_IsObject(root))
        err = QIAO_FAIL(d, QIAO_EINVAL, "not-object",
                        "reply must be one JSON object (batches are not used)");
    else if ((err = check_version(root, dialect, d)) == QIAO_OK)
        err = qiao_json_get(root, "method") ? parse_notification(m, root, d)
                                             : parse_response(m, root, dialect, d);
    if (err) {
        cJSON_Delete(root);
        memset(m, 0, sizeof(*m));
        return err;
    }
    m->root = root;
    return QIAO_OK;
}

static qiao_err node_error(const struct qiao_rpc_msg *m, const char *method, struct qiao_diag *d)
{
    return QIAO_FAIL(d, QIAO_EIO, "rpc-error", "node error %lld on %s%s: %.200s",
                     (long long)m->error_code, method ? method : "call",
                     m->id_null ? " (node could not read the request)" : "", m->error_message);
}

qiao_err qiao_rpc_msg_expect(const struct qiao_rpc_msg *m, uint64_t want_id, const char *method,
                             struct qiao_diag *d)
{
    if (m->kind != QIAO_RPC_MSG_RESPONSE)
        return QIAO_FAIL(d, QIAO_EINVAL, "unexpected-notification",
                         "expected the reply to %s, got a notification", method ? method : "a call");
    if (m->id_null && m->error)
        return node_error(m, method, d);
    if (m->id_null)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-id", "successful reply with \"id\": null");
    if (m->id != want_id)
        return QIAO_FAIL(d, QIAO_EINVAL, "id-mismatch", "reply id %llu does not match request id %llu",
                         (unsigned long long)m->id, (unsigned long long)want_id);
    if (m->error)
        return node_error(m, method, d);
    return QIAO_OK;
}

qiao_err qiao_rpc_msg_eth_notification(const struct qiao_rpc_msg *m, const char **sub_id,
                                       const cJSON **result, struct qiao_diag *d)
{
    const cJSON *sub = qiao_json_get(m->params, "subscription");
    const cJSON *res = qiao_json_get(m->params, "result");
    if (m->kind != QIAO_RPC_MSG_NOTIFICATION || strcmp(m->method, "eth_subscription") != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-notification", "not an eth_subscription notification");
    if (!cJSON_IsString(sub) || !sub->valuestring[0] ||
        strlen(sub->valuestring) > QIAO_RPC_SUBID_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-notification",
                         "eth_subscription \"subscription\" must be a short string");
    if (!res)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-notification", "eth_subscription has no \"result\"");
    *sub_id = sub->valuestring;
    *result = res;
    return QIAO_OK;
}

void qiao_rpc_msg_clear(struct qiao_rpc_msg *m)
{
    if (!m)
        return;
    cJSON_Delete(m->root);
    memset(m, 0, sizeof(*m));
}

qiao_err qiao_rpc_reply_check(struct qiao_rpc_msg *m, const char *text, size_t len,
                              uint64_t want_id, const char *method,
                              const struct qiao_rpc_limits *lim, struct qiao_diag *d)
{
    QIAO_TRY(qiao_rpc_msg_parse(m, text, len, lim, d));
    qiao_err err = qiao_rpc_msg_expect(m, want_id, method, d);
    if (err && err != QIAO_EIO) /* only "rpc-error" keeps the reply for the caller */
        qiao_rpc_msg_clear(m);
    return err;
}
