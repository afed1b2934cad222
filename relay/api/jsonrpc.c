/* jsonrpc.c: JSON-RPC 2.0 request parsing and reply building (see jsonrpc.h). */
#include "relay/api/jsonrpc.h"

#include <stdlib.h>
#include <string.h>

#include "relay/core/json.h"

void qiao_jsonrpc_request_clear(struct qiao_jsonrpc_request *req)
{
    cJSON_Delete(req->id);
    cJSON_Delete(req->params);
    memset(req, 0, sizeof(*req));
}

static qiao_err invalid(int *code, struct qiao_diag *d, const char *what)
{
    *code = QIAO_JSONRPC_INVALID_REQUEST;
    return QIAO_FAIL(d, QIAO_EINVAL, "invalid-request", "JSON-RPC request: %s", what);
}

static qiao_err parse_members(struct qiao_jsonrpc_request *req, int *code, const cJSON *j,
                              struct qiao_diag *d)
{
    const cJSON *v = qiao_json_get(j, "jsonrpc"), *id = qiao_json_get(j, "id");
    const cJSON *m = qiao_json_get(j, "method"), *p = qiao_json_get(j, "params");
    if (id && !cJSON_IsNumber(id) && !cJSON_IsString(id) && !cJSON_IsNull(id))
        return invalid(code, d, "\"id\" must be a number, a string or null");
    if (id && !(req->id = cJSON_Duplicate(id, 0)))
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot copy the request id");
    for (const cJSON *c = j->child; c; c = c->next)
        if (strcmp(c->string, "jsonrpc") && strcmp(c->string, "id") && strcmp(c->string, "method") &&
            strcmp(c->string, "params"))
            return invalid(code, d, "unknown member");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, "2.0") != 0)
        return invalid(code, d, "\"jsonrpc\" must be \"2.0\"");
    if (!cJSON_IsString(m) || !m->valuestring[0] || strlen(m->valuestring) >= sizeof(req->method))
        return invalid(code, d, "\"method\" must be a non-empty string of at most 63 bytes");
    if (p && !cJSON_IsArray(p) && !cJSON_IsObject(p))
        return invalid(code, d, "\"params\" must be an array or an object");
    strcpy(req->method, m->valuestring);
    if (p && !(req->params = cJSON_Duplicate(p, 1)))
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot copy the request params");
    return QIAO_OK;
}

qiao_err qiao_jsonrpc_parse(struct qiao_jsonrpc_request *req, int *code, const char *text,
                            size_t len, size_t max_len, struct qiao_diag *d)
{
    cJSON *j = NULL;
    memset(req, 0, sizeof(*req));
    *code = QIAO_JSONRPC_PARSE_ERROR;
    QIAO_TRY(qiao_json_parse(&j, text, len, max_len, 16, d));
    qiao_err err = cJSON_IsObject(j) ? parse_members(req, code, j, d)
                                     : invalid(code, d, "not a JSON object (batches are not accepted)");
    cJSON_Delete(j);
    return err;
}

static qiao_err append_json(struct qiao_buf *out, cJSON *obj, struct qiao_diag *d)
{
    char *text = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    if (!text)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot encode the reply");
    qiao_err err = qiao_buf_append(out, text, strlen(text), d);
    free(text);
    return err;
}

static cJSON *envelope(const cJSON *id)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "jsonrpc", "2.0");
    cJSON_AddItemToObject(o, "id", id ? cJSON_Duplicate(id, 0) : cJSON_CreateNull());
    return o;
}

qiao_err qiao_jsonrpc_reply_ok(struct qiao_buf *out, const cJSON *id, const cJSON *result,
                               struct qiao_diag *d)
{
    cJSON *o = envelope(id);
    if (!o)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot build the reply");
    cJSON_AddItemToObject(o, "result", result ? cJSON_Duplicate(result, 1) : cJSON_CreateNull());
    return append_json(out, o, d);
}

qiao_err qiao_jsonrpc_reply_error(struct qiao_buf *out, const cJSON *id, int code,
                                  const struct qiao_diag *why, struct qiao_diag *d)
{
    cJSON *o = envelope(id), *e = cJSON_CreateObject();
    if (!o || !e) {
        cJSON_Delete(o);
        cJSON_Delete(e);
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot build the error reply");
    }
    cJSON_AddNumberToObject(e, "code", code);
    cJSON_AddStringToObject(e, "message", why && why->msg[0] ? why->msg : "error");
    if (why && why->reason[0]) {
        cJSON *data = cJSON_AddObjectToObject(e, "data");
        if (data)
            cJSON_AddStringToObject(data, "reason", why->reason);
    }
    cJSON_AddItemToObject(o, "error", e);
    return append_json(out, o, d);
}

int qiao_jsonrpc_code_for(qiao_err err)
{
    return err == QIAO_EINVAL || err == QIAO_ERANGE ? QIAO_JSONRPC_INVALID_PARAMS
                                                    : QIAO_JSONRPC_APP_ERROR;
}
