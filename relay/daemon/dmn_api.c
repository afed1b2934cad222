/*
 * dmn_api.c: the notary's JSON-RPC methods on the local API (relay/api/server.h):
 *   status                         chains (tip, final, node head, lag, RPC health), peers, backlog
 *   messages.list {state?,limit?,after?}   summaries, oldest first
 *   messages.get  {id} | [id]      the full record, attestations, certificate, delivery, and why
 *                                  the message is where it is
 *   messages.retry {id} | [id]     make a failed message due now
 * Parameters are checked strictly; errors carry a reason (jsonrpc.h puts it in error.data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/api/server.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/daemon/daemon_int.h"
#include "relay/daemon/dmn_rotation.h"
#include "relay/daemon/dmn_swap.h"
#include "relay/mesh/mesh.h"

#define LIST_MAX 1000

static void add_hex(cJSON *o, const char *key, const uint8_t *p, size_t n)
{
    char hex[2 * 65 + 3];
    if (n > 65)
        n = 65;
    qiao_hex_encode0x(hex, p, n);
    cJSON_AddStringToObject(o, key, hex);
}

static cJSON *chains_json(struct qiao_daemon *dm)
{
    cJSON *arr = cJSON_CreateArray();
    for (unsigned i = 0; i < dm->cfg->n_chains; i++) {
        const struct qiao_cfg_chain *c = &dm->cfg->chains[i];
        const struct qiao_dmn_chain_view *v = &dm->views[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)c->id);
        cJSON_AddStringToObject(o, "name", c->name);
        cJSON_AddStringToObject(o, "family", c->family);
        cJSON_AddNumberToObject(o, "tip", (double)v->tip);
        if (v->has_final)
            cJSON_AddNumberToObject(o, "finalized", (double)v->final_height);
        else
            cJSON_AddNullToObject(o, "finalized");
        cJSON_AddNumberToObject(o, "node_head", (double)v->node_head);
        cJSON_AddNumberToObject(o, "head_lag",
                                v->node_head > v->tip ? (double)(v->node_head - v->tip) : 0);
        cJSON_AddBoolToObject(o, "rpc_ok", v->seen && v->rpc_ok);
        cJSON_AddStringToObject(o, "last_error", v->seen ? v->error : "no report from worker yet");
        cJSON_AddNumberToObject(o, "reorgs", (double)v->reorgs);
        cJSON_AddNumberToObject(o, "headers_verified", (double)v->headers);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

static cJSON *peers_json(struct qiao_daemon *dm)
{
    cJSON *arr = cJSON_CreateArray();
    for (unsigned i = 0; i < dm->cfg->n_peers; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", dm->cfg->peers[i].id);
        add_hex(o, "address", dm->cfg->peers[i].address, 20);
        cJSON_AddStringToObject(o, "url", dm->cfg->peers[i].url);
        cJSON_AddBoolToObject(o, "up", dm->mesh && qiao_mesh_peer_is_up(dm->mesh,
                                                                       dm->cfg->peers[i].address));
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

cJSON *qiao_dmn_status_json(struct qiao_daemon *dm)
{
    cJSON *o = cJSON_CreateObject(), *cm = cJSON_CreateObject(), *counts = cJSON_CreateObject();
    uint64_t n[QIAO_MSG_STATE_COUNT] = {0}, backlog = 0;
    int64_t age = 0;
    add_hex(o, "notary", dm->key.address, 20);
    add_hex(cm, "id", dm->committee.id, 32);
    cJSON_AddNumberToObject(cm, "epoch", (double)dm->committee.epoch);
    cJSON_AddNumberToObject(cm, "k", dm->committee.k);
    cJSON_AddNumberToObject(cm, "n", (double)dm->committee.n);
    cJSON_AddNumberToObject(cm, "self_index", dm->self_index);
    cJSON_AddItemToObject(o, "committee", cm);
    cJSON_AddItemToObject(o, "chains", chains_json(dm));
    cJSON_AddItemToObject(o, "peers", peers_json(dm));
    qiao_store_msg_counts(dm->store, n, NULL);
    qiao_store_msg_backlog(dm->store, &backlog, &age, NULL);
    for (int i = 0; i < QIAO_MSG_STATE_COUNT; i++)
        cJSON_AddNumberToObject(counts, qiao_msg_state_name((enum qiao_msg_state)i), (double)n[i]);
    cJSON_AddItemToObject(o, "messages", counts);
    cJSON_AddNumberToObject(o, "backlog", (double)backlog);
    cJSON_AddNumberToObject(o, "oldest_pending_age_ms", (double)age);
    cJSON_AddNumberToObject(o, "alerts", (double)dm->alerts);
    cJSON_AddStringToObject(o, "last_alert", dm->last_alert);
    cJSON_AddNumberToObject(o, "uptime_ms", (double)(qiao_dmn_now() - dm->started_ms));
    return o;
}

/* ---- messages -------------------------------------------------------------------------------- */

static cJSON *summary(const struct qiao_store_msg_row *r)
{
    cJSON *o = cJSON_CreateObject();
    add_hex(o, "id", r->msg.id, 32);
    cJSON_AddStringToObject(o, "state", qiao_msg_state_name(r->status.state));
    if (r->status.state == QIAO_MSG_FAILED)
        cJSON_AddStringToObject(o, "failed_from", qiao_msg_state_name(r->status.failed_from));
    cJSON_AddNumberToObject(o, "src_chain", (double)r->msg.src_chain);
    cJSON_AddNumberToObject(o, "dst_chain", (double)r->msg.dst_chain);
    cJSON_AddNumberToObject(o, "seq", (double)r->msg.seq);
    cJSON_AddNumberToObject(o, "src_height", (double)r->status.src.block_height);
    cJSON_AddNumberToObject(o, "attempts", r->status.attempts);
    cJSON_AddStringToObject(o, "last_error", r->status.last_error);
    cJSON_AddNumberToObject(o, "updated_at", (double)r->status.updated_at);
    cJSON_AddNumberToObject(o, "cursor", (double)r->status.rowid);
    return o;
}

struct list_ctx {
    cJSON *arr;
    unsigned left;
};

static int list_cb(void *ctx, const struct qiao_store_msg_row *row)
{
    struct list_ctx *c = ctx;
    if (!c->left)
        return 1;
    cJSON_AddItemToArray(c->arr, summary(row));
    c->left--;
    return 0;
}

/* params: {state?, limit?, after?} or [state?, limit?]. */
static qiao_err m_list(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                       struct qiao_diag *d)
{
    const cJSON *st = NULL, *lim = NULL, *after = NULL;
    if (cJSON_IsObject(params)) {
        const cJSON *it;
        cJSON_ArrayForEach(it, params)
            if (strcmp(it->string, "state") && strcmp(it->string, "limit") &&
                strcmp(it->string, "after"))
                return QIAO_FAIL(d, QIAO_EINVAL, "unknown-param", "messages.list: unknown "
                                 "parameter \"%.40s\" (state, limit, after)", it->string);
        st = qiao_json_get(params, "state"), lim = qiao_json_get(params, "limit");
        after = qiao_json_get(params, "after");
    } else if (cJSON_IsArray(params)) {
        st = cJSON_GetArrayItem(params, 0), lim = cJSON_GetArrayItem(params, 1);
    }
    enum qiao_msg_state state = QIAO_MSG_STATE_COUNT;
    if (st && !cJSON_IsNull(st)) {
        if (!cJSON_IsString(st))
            return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "messages.list: state is a string");
        QIAO_TRY(qiao_msg_state_parse(&state, st->valuestring, d));
    }
    double l = lim && cJSON_IsNumber(lim) ? lim->valuedouble : 100;
    if (lim && !cJSON_IsNumber(lim))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "messages.list: limit is a number");
    if (l < 1 || l > LIST_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "messages.list: limit in 1..%d", LIST_MAX);
    uint64_t from = after && cJSON_IsNumber(after) && after->valuedouble > 0
                        ? (uint64_t)after->valuedouble : 0;
    struct list_ctx c = {.arr = cJSON_CreateArray(), .left = (unsigned)l};
    for (int s = 0; s < QIAO_MSG_STATE_COUNT && c.left; s++)
        if (state == QIAO_MSG_STATE_COUNT || (int)state == s)
            qiao_store_msg_list(dm->store, (enum qiao_msg_state)s, from, c.left, list_cb, &c, d);
    *result = c.arr;
    return QIAO_OK;
}

qiao_err qiao_dmn_id_param(uint8_t id[32], const cJSON *params, const char *method,
                           const char *what, struct qiao_diag *d)
{
    const cJSON *v = cJSON_IsArray(params) ? cJSON_GetArrayItem(params, 0)
                     : cJSON_IsObject(params) ? qiao_json_get(params, "id") : NULL;
    if (!cJSON_IsString(v))
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "%s needs the %s id", method, what);
    if (qiao_hex_decode_exact(id, 32, v->valuestring, d))
        return qiao_diag_wrap(d, "%s: id", method);
    return QIAO_OK;
}

static int att_cb(void *ctx, const struct qiao_store_att *a)
{
    cJSON *o = cJSON_CreateObject();
    add_hex(o, "signer", a->signer, 20);
    add_hex(o, "sig", a->sig, 65);
    cJSON_AddStringToObject(o, "from", a->peer ? a->peer : "self");
    cJSON_AddNumberToObject(o, "received_at", (double)a->received_at);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

/* A sentence saying why the message is where it is and what it waits for. */
static void why(struct qiao_daemon *dm, const struct qiao_store_msg_row *r, unsigned atts,
                char *out, size_t cap)
{
    const struct qiao_store_msg_status *s = &r->status;
    int ci = qiao_dmn_chain_index(dm, r->msg.src_chain);
    const struct qiao_dmn_chain_view *v = ci >= 0 ? &dm->views[ci] : NULL;
    switch (s->state) {
    case QIAO_MSG_OBSERVED:
        snprintf(out, cap, "proven in block %llu; waiting for finality (verified tip %llu, "
                 "finalized %llu)", (unsigned long long)s->src.block_height,
                 v ? (unsigned long long)v->tip : 0ull,
                 v && v->has_final ? (unsigned long long)v->final_height : 0ull);
        break;
    case QIAO_MSG_FINAL:
        snprintf(out, cap, "final; the signing guard is being persisted before signing");
        break;
    case QIAO_MSG_ATTESTED:
        snprintf(out, cap, "signed by us; %u of k=%u current-epoch signatures collected, waiting "
                 "for peers", atts, dm->committee.k);
        break;
    case QIAO_MSG_CERTIFIED: {
        unsigned n = (unsigned)dm->committee.n, lead = qiao_dmn_rotation_leader(r->msg.id, n);
        int64_t due = qiao_dmn_rotation_due(r->msg.id, n, dm->self_index,
                                            s->entered_at[QIAO_MSG_CERTIFIED],
                                            dm->cfg->submit_takeover_ms);
        snprintf(out, cap, "certified; submitter is member %u, our turn (member %u) at %lld ms "
                 "unless delivered first", lead, dm->self_index, (long long)due);
        break;
    }
    case QIAO_MSG_SUBMITTED:
        snprintf(out, cap, "delivery transaction in flight on chain %llu; waiting for its receipt",
                 (unsigned long long)r->msg.dst_chain);
        break;
    case QIAO_MSG_DELIVERED:
        snprintf(out, cap, "delivered on chain %llu", (unsigned long long)r->msg.dst_chain);
        break;
    default:
        snprintf(out, cap, "failed while %s: %s; attempt %u, next retry at %lld ms",
                 qiao_msg_state_name(s->failed_from), s->last_error, s->attempts,
                 (long long)s->next_attempt_at);
        break;
    }
}

static cJSON *record(struct qiao_daemon *dm, const struct qiao_store_msg_row *r)
{
    cJSON *o = summary(r), *atts = cJSON_CreateArray(), *times = cJSON_CreateObject();
    unsigned count = 0;
    char text[512];
    add_hex(o, "src_emitter", r->msg.src_emitter, 20);
    add_hex(o, "sender", r->msg.sender, 20);
    add_hex(o, "receiver", r->msg.receiver, 20);
    add_hex(o, "payload_hash", r->msg.payload_hash, 32);
    char *payload = malloc(2 * r->msg.payload_len + 3);
    if (payload) {
        qiao_hex_encode0x(payload, r->msg.payload, r->msg.payload_len);
        cJSON_AddStringToObject(o, "payload", payload);
        free(payload);
    }
    add_hex(o, "src_block_hash", r->status.src.block_hash, 32);
    add_hex(o, "src_tx", r->status.src.tx_hash, 32);
    cJSON_AddNumberToObject(o, "src_log_index", (double)r->status.src.log_index);
    for (int i = 0; i < QIAO_MSG_STATE_COUNT; i++)
        if (r->status.entered_at[i])
            cJSON_AddNumberToObject(times, qiao_msg_state_name((enum qiao_msg_state)i),
                                    (double)r->status.entered_at[i]);
    cJSON_AddItemToObject(o, "entered_at", times);
    qiao_store_att_list(dm->store, r->msg.id, dm->committee.epoch, att_cb, atts, NULL);
    qiao_store_att_count(dm->store, r->msg.id, dm->committee.epoch, &count, NULL);
    cJSON_AddItemToObject(o, "attestations", atts);
    uint8_t sigs[QIAO_COMMITTEE_MAX * 65];
    uint64_t epoch;
    size_t n;
    if (qiao_store_cert_get(dm->store, r->msg.id, &epoch, sigs, QIAO_COMMITTEE_MAX, &n, NULL) == 0) {
        cJSON *c = cJSON_CreateObject();
        cJSON_AddNumberToObject(c, "epoch", (double)epoch);
        cJSON_AddNumberToObject(c, "signers", (double)n);
        char *hex = malloc(2 * n * 65 + 3);
        if (hex) {
            qiao_hex_encode0x(hex, sigs, n * 65);
            cJSON_AddStringToObject(c, "sigs", hex);
            free(hex);
        }
        cJSON_AddItemToObject(o, "certificate", c);
    }
    struct qiao_store_delivery del;
    if (qiao_store_delivery_get(dm->store, r->msg.id, &del, NULL) == 0) {
        cJSON *c = cJSON_CreateObject();
        add_hex(c, "tx", del.tx_hash, 32);
        cJSON_AddBoolToObject(c, "confirmed", del.confirmed);
        cJSON_AddNumberToObject(c, "block_height", (double)del.block_height);
        cJSON_AddItemToObject(o, "delivery", c);
    }
    why(dm, r, count, text, sizeof(text));
    cJSON_AddStringToObject(o, "why", text);
    return o;
}

static qiao_err m_get(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                      struct qiao_diag *d)
{
    uint8_t id[32];
    QIAO_TRY(qiao_dmn_id_param(id, params, "messages.get", "message", d));
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    if (!row)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "messages.get");
    qiao_err err = qiao_store_msg_get(dm->store, id, row, d);
    if (!err)
        *result = record(dm, row);
    free(row);
    return err;
}

static qiao_err m_retry(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                        struct qiao_diag *d)
{
    uint8_t id[32];
    struct qiao_store_event ev = {.actor = "operator", .note = "messages.retry"};
    QIAO_TRY(qiao_dmn_id_param(id, params, "messages.retry", "message", d));
    QIAO_TRY(qiao_store_msg_retry_now(dm->store, id, &ev, d));
    dm->last_scan_ms = 0; /* look at due retries on the next round */
    *result = cJSON_CreateTrue();
    return QIAO_OK;
}

static qiao_err api_call(void *user, const char *method, const cJSON *params, cJSON **result,
                         struct qiao_diag *d)
{
    struct qiao_daemon *dm = user;
    if (qiao_store_in_tick(dm->store))
        return QIAO_FAIL(d, QIAO_ESTATE, "busy", "the pipeline is committing; try again");
    if (strcmp(method, "status") == 0) {
        *result = qiao_dmn_status_json(dm);
        return QIAO_OK;
    }
    if (strcmp(method, "messages.list") == 0)
        return m_list(dm, params, result, d);
    if (strcmp(method, "messages.get") == 0)
        return m_get(dm, params, result, d);
    if (strcmp(method, "messages.retry") == 0)
        return m_retry(dm, params, result, d);
    if (strncmp(method, "evidence.", 9) == 0)
        return qiao_dmn_evidence_call(dm, method, params, result, d);
    if (strncmp(method, "swaps.", 6) == 0)
        return qiao_dmn_swaps_call(dm, method, params, result, d);
    return QIAO_FAIL(d, QIAO_ENOTFOUND, "method-not-found", "no method \"%.60s\" (status, "
                     "messages.list, messages.get, messages.retry)", method);
}

qiao_err qiao_dmn_api_start(struct qiao_daemon *dm, struct qiao_diag *d)
{
    struct qiao_api_handlers h = {.user = dm, .call = api_call, .metrics = qiao_dmn_metrics,
                                  .status_html = qiao_dmn_status_html};
    struct qiao_api_opts o = {.host = dm->cfg->api.host, .port = dm->cfg->api.port};
    QIAO_TRY(qiao_api_create(&dm->api, dm->lws, &o, &h, d));
    return QIAO_OK;
}
