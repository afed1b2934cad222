/* bft_source.c: light blocks over CometBFT's JSON-RPC (see bft_source.h). */
#include "adapters/cometbft/source/bft_source.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_json.h"
#include "relay/core/json.h"
#include "relay/rpc/rpc.h"

#define PER_PAGE 100

struct qiao_bft_source {
    struct lws_context *lws;
    struct qiao_rpc *rpc;
    struct qiao_crypto *cx;
};

qiao_err qiao_bft_source_create(struct qiao_bft_source **out, const char *url,
                                struct qiao_crypto *cx, struct qiao_diag *d)
{
    struct qiao_bft_source *s = calloc(1, sizeof(*s));
    struct qiao_rpc_opts o = {.url = url, .timeout_ms = 10000};
    *out = NULL;
    if (!s)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cometbft source");
    s->cx = cx;
    qiao_err err = qiao_rpc_lws_create(&s->lws, d);
    if (!err)
        err = qiao_rpc_create(&s->rpc, s->lws, &o, d);
    if (err) {
        qiao_bft_source_destroy(s);
        return err;
    }
    *out = s;
    return QIAO_OK;
}

void qiao_bft_source_destroy(struct qiao_bft_source *s)
{
    if (!s)
        return;
    qiao_rpc_destroy(s->rpc);
    if (s->lws)
        lws_context_destroy(s->lws);
    free(s);
}

/* One call with params {"height": "<h>"} plus an optional page; h <= 0 omits the height. */
static qiao_err call(struct qiao_bft_source *s, cJSON **result, const char *method, int64_t h,
                     int page, struct qiao_diag *d)
{
    cJSON *params = cJSON_CreateObject();
    char buf[32];
    if (!params)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cometbft rpc params");
    if (h > 0) {
        snprintf(buf, sizeof(buf), "%lld", (long long)h);
        cJSON_AddStringToObject(params, "height", buf);
    }
    if (page > 0) {
        snprintf(buf, sizeof(buf), "%d", page);
        cJSON_AddStringToObject(params, "page", buf);
        cJSON_AddStringToObject(params, "per_page", "100");
    }
    if (qiao_rpc_call_sync(s->rpc, method, params, result, d))
        return qiao_diag_wrap(d, "cometbft %s at height %lld", method, (long long)h);
    return QIAO_OK;
}

qiao_err qiao_bft_source_status(struct qiao_bft_source *s, int64_t *height,
                                char chain_id[QIAO_BFT_MAX_CHAIN_ID + 1], struct qiao_diag *d)
{
    cJSON *r = NULL;
    const cJSON *ni, *si;
    const char *net = NULL;
    uint64_t h = 0;
    QIAO_TRY(call(s, &r, "status", 0, 0, d));
    qiao_err err = qiao_json_object(&ni, r, "node_info", d);
    if (!err)
        err = qiao_json_object(&si, r, "sync_info", d);
    if (!err)
        err = qiao_json_str(&net, ni, "network", d);
    if (!err)
        err = qiao_json_u64(&h, si, "latest_block_height", d);
    if (!err && (strlen(net) > QIAO_BFT_MAX_CHAIN_ID || h < 1 || h > INT64_MAX))
        err = QIAO_FAIL(d, QIAO_EINVAL, "bad-status", "status: chain id or height out of range");
    if (!err) {
        snprintf(chain_id, QIAO_BFT_MAX_CHAIN_ID + 1, "%s", net);
        *height = (int64_t)h;
    }
    cJSON_Delete(r);
    return err;
}

/* All validators at height h, gathered page by page into one array (taken by the caller). */
static qiao_err validators(struct qiao_bft_source *s, cJSON **out, int64_t h, struct qiao_diag *d)
{
    cJSON *all = cJSON_CreateArray();
    uint64_t total = 0;
    *out = NULL;
    for (int page = 1; all; page++) {
        cJSON *r = NULL;
        const cJSON *arr;
        qiao_err err = call(s, &r, "validators", h, page, d);
        if (!err)
            err = qiao_json_array(&arr, r, "validators", d);
        if (!err)
            err = qiao_json_u64(&total, r, "total", d);
        if (!err && (total > QIAO_BFT_MAX_VALIDATORS || cJSON_GetArraySize(arr) == 0))
            err = QIAO_FAIL(d, QIAO_ERANGE, "bad-validators", "validators at %lld: bad page or total", (long long)h);
        for (const cJSON *v = err ? NULL : arr->child; v; v = v->next)
            cJSON_AddItemToArray(all, cJSON_Duplicate(v, 1));
        cJSON_Delete(r);
        if (err) {
            cJSON_Delete(all);
            return err;
        }
        if ((uint64_t)cJSON_GetArraySize(all) >= total)
            break;
    }
    if (!all)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "validators");
    *out = all;
    return QIAO_OK;
}

static cJSON *wrap_set(cJSON *arr)
{
    cJSON *set = cJSON_CreateObject();
    if (set)
        cJSON_AddItemToObject(set, "validators", arr);
    else
        cJSON_Delete(arr);
    return set;
}

qiao_err qiao_bft_source_light_block(struct qiao_bft_source *s, struct qiao_bft_light_block *out,
                                     int64_t height, struct qiao_arena *arena,
                                     struct qiao_diag *d)
{
    cJSON *commit = NULL, *vals = NULL, *next = NULL, *lb = cJSON_CreateObject();
    const cJSON *sh = NULL;
    qiao_err err = lb ? call(s, &commit, "commit", height, 0, d)
                      : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "light block");
    if (!err)
        err = qiao_json_object(&sh, commit, "signed_header", d);
    if (!err)
        err = validators(s, &vals, height, d);
    if (!err)
        err = validators(s, &next, height + 1, d);
    if (!err) {
        cJSON_AddItemToObject(lb, "signed_header", cJSON_Duplicate(sh, 1));
        cJSON_AddItemToObject(lb, "validator_set", wrap_set(vals));
        cJSON_AddItemToObject(lb, "next_validator_set", wrap_set(next));
        vals = next = NULL;
        err = qiao_bft_light_block_from_json(s->cx, out, lb, 0, arena, d);
    }
    cJSON_Delete(commit);
    cJSON_Delete(vals);
    cJSON_Delete(next);
    cJSON_Delete(lb);
    return err;
}

static qiao_err provide(void *ctx, struct qiao_bft_light_block *out, int64_t height,
                        struct qiao_arena *arena, struct qiao_diag *d)
{
    return qiao_bft_source_light_block(ctx, out, height, arena, d);
}

void qiao_bft_source_provider(struct qiao_bft_source *s, struct qiao_bft_provider *p)
{
    p->ctx = s;
    p->light_block = provide;
}

qiao_err qiao_bft_source_sync(struct qiao_bft_source *s, struct qiao_bft_light_block *out,
                              const struct qiao_bft_light_block *trusted,
                              const struct qiao_bft_options *opt, struct qiao_bft_time now,
                              struct qiao_arena *arena, struct qiao_bft_bisect_stats *stats,
                              struct qiao_diag *d)
{
    int64_t top = 0;
    char chain[QIAO_BFT_MAX_CHAIN_ID + 1];
    struct qiao_bft_provider p;
    QIAO_TRY(qiao_bft_source_status(s, &top, chain, d));
    if (strcmp(chain, trusted->header.chain_id) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "chain-id-mismatch", "node serves chain \"%s\", trusted is \"%s\"",
                         chain, trusted->header.chain_id);
    if (stats)
        memset(stats, 0, sizeof(*stats));
    if (top <= trusted->header.height) {
        *out = *trusted;
        return QIAO_OK;
    }
    qiao_bft_source_provider(s, &p);
    return qiao_bft_bisect(s->cx, out, trusted, top, &p, opt, now, arena, stats, d);
}
