/* cmd_api.c: the CLI's API client (cmd_api.h). */
#include "relay/cli/cmd_api.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/rpc/rpc.h"

const char *qiao_cli_api_url(const char *flag)
{
    const char *env = getenv("QIAO_API");
    return flag ? flag : env && *env ? env : "http://127.0.0.1:8700";
}

qiao_err qiao_cli_api_call(const char *base, const char *method, cJSON *params, cJSON **result,
                           struct qiao_diag *d)
{
    char url[512];
    struct lws_context *lws = NULL;
    struct qiao_rpc *rpc = NULL;
    size_t n = strlen(base);
    *result = NULL;
    snprintf(url, sizeof(url), "%.*s/rpc", (int)(n && base[n - 1] == '/' ? n - 1 : n), base);
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 10000};
    qiao_err err = qiao_rpc_lws_create(&lws, d);
    if (!err)
        err = qiao_rpc_create(&rpc, lws, &o, d);
    if (!err)
        err = qiao_rpc_call_sync(rpc, method, params, result, d);
    else
        cJSON_Delete(params);
    qiao_rpc_destroy(rpc);
    if (lws)
        lws_context_destroy(lws);
    return err;
}
