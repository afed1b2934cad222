/*
 * cmd_api.h: the CLI's client for a running notary's local API (`qiao status`, `qiao msg`).
 * Calls go over HTTP JSON-RPC to <api>/rpc with Qiao's own RPC client.
 */
#ifndef QIAO_CLI_API_H
#define QIAO_CLI_API_H

#include <cjson/cJSON.h>

#include "relay/core/diag.h"

/** The API base URL: --api when given, else $QIAO_API, else http://127.0.0.1:8700. */
const char *qiao_cli_api_url(const char *flag);

/**
 * Call method with params (taken) on the API at base.  Out: *result (caller frees).
 * Returns: the RPC client's error (reason "rpc-error" carries the daemon's message).
 */
qiao_err qiao_cli_api_call(const char *base, const char *method, cJSON *params, cJSON **result,
                           struct qiao_diag *d);

#endif
