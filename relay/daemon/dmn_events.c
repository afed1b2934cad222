/*
 * dmn_events.c: applying a worker's event inside tick A.  Each store change is one savepoint of
 * the tick, so one message's failure never touches another's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/api/server.h"
#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/daemon_int.h"
#include "relay/store/chains.h"

static int lane_known(const struct qiao_config *c, uint64_t src, uint64_t dst)
{
    for (unsigned i = 0; i < c->n_lanes; i++)
        if (c->lanes[i].src == src && c->lanes[i].dst == dst)
            return 1;
    return 0;
}

static void on_head(struct qiao_daemon *dm, const struct qiao_dmn_item *ev)
{
    int i = qiao_dmn_chain_index(dm, ev->chain);
    if (i < 0)
        return;
    struct qiao_dmn_chain_view *v = &dm->views[i];
    v->tip = ev->tip, v->final_height = ev->final_height, v->has_final = ev->has_final;
    v->node_head = ev->node_head, v->reorgs = ev->reorgs, v->headers = ev->headers;
    v->rpc_ok = ev->rpc_ok, v->seen = 1, v->updated_at = qiao_dmn_now();
    snprintf(v->error, sizeof(v->error), "%s", ev->error);
    if (ev->tip)
        qiao_store_chain_heights(dm->store, ev->chain, ev->tip, ev->final_height, NULL);
}

static void remember_inclusion(struct qiao_daemon *dm, const struct qiao_dmn_item *ev)
{
    if (!dm->incl && !(dm->incl = calloc(QIAO_DMN_INCLUSIONS, sizeof(*dm->incl))))
        return; /* the latency then falls back to the observation time */
    struct qiao_dmn_inclusion *e = &dm->incl[dm->nincl++ % QIAO_DMN_INCLUSIONS];
    memcpy(e->id, ev->id, 32);
    e->at_ms = (int64_t)ev->src_time * 1000;
}

/* Source inclusion time of id (Unix ms), else when we observed it (0 when neither is known). */
static int64_t included_at(const struct qiao_daemon *dm, const uint8_t id[32],
                           const struct qiao_store_msg_row *row)
{
    size_t n = dm->nincl < QIAO_DMN_INCLUSIONS ? dm->nincl : QIAO_DMN_INCLUSIONS;
    for (size_t i = 1; dm->incl && i <= n; i++) { /* newest first: a re-inclusion wins */
        const struct qiao_dmn_inclusion *e = &dm->incl[(dm->nincl - i) % QIAO_DMN_INCLUSIONS];
        if (memcmp(e->id, id, 32) == 0 && e->at_ms > 0)
            return e->at_ms;
    }
    return row->status.entered_at[QIAO_MSG_OBSERVED];
}

/* Seen again: a reorg re-included the message in another block before finality.  The worker
 * already watches the new block (it watched on emitting this event); the store follows. */
static void relocate(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                     const struct qiao_dmn_item *ev, const char *hex)
{
    struct qiao_diag d = {0};
    int moved = 0;
    if (qiao_store_msg_relocate(dm->store, ev->id, &ev->src, &moved, &d)) {
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "msg=%s relocate reason=%s msg=\"%s\"", hex, d.reason,
                 d.msg);
        return;
    }
    if (!moved)
        return;
    QIAO_LOG(QIAO_LOG_WARN, "pipeline", "msg=%s state=observed re-included height=%llu", hex,
             (unsigned long long)ev->src.block_height);
    qiao_dmn_publish(t, ev->id, "observed", "re-included in another source block");
    remember_inclusion(dm, ev);
}

static void on_observed(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                        const struct qiao_dmn_item *ev)
{
    struct qiao_diag d = {0};
    char hex[67];
    int inserted = 0;
    qiao_hex_encode0x(hex, ev->id, 32);
    if (!lane_known(dm->cfg, ev->msg->src_chain, ev->msg->dst_chain)) {
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "msg=%s src=%llu dst=%llu dropped reason=unknown-lane",
                 hex, (unsigned long long)ev->msg->src_chain,
                 (unsigned long long)ev->msg->dst_chain);
        qiao_metrics_verify_failure(&dm->metrics, "unknown-lane");
        return;
    }
    if (qiao_store_msg_observe(dm->store, ev->msg, &ev->src, &inserted, &d)) {
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "msg=%s observe reason=%s msg=\"%s\"", hex, d.reason,
                 d.msg);
        qiao_metrics_verify_failure(&dm->metrics, d.reason);
        return;
    }
    if (inserted) {
        QIAO_LOG(QIAO_LOG_INFO, "pipeline", "msg=%s state=observed src=%llu dst=%llu seq=%llu "
                 "height=%llu", hex, (unsigned long long)ev->msg->src_chain,
                 (unsigned long long)ev->msg->dst_chain, (unsigned long long)ev->msg->seq,
                 (unsigned long long)ev->src.block_height);
        qiao_dmn_publish(t, ev->id, "observed", NULL);
        remember_inclusion(dm, ev);
    } else {
        relocate(dm, t, ev, hex);
    }
}

static void on_scanned(struct qiao_daemon *dm, const struct qiao_dmn_item *ev)
{
    static const uint8_t zero[32];
    struct qiao_store_header h = {.chain = ev->chain, .height = ev->height, .raw = ev->blob,
                                  .raw_len = ev->blob_len, .status = QIAO_HDR_ACTIVE};
    memcpy(h.hash, ev->hash, 32), memcpy(h.parent, ev->tx, 32), memcpy(h.chainwork, zero, 32);
    struct qiao_diag d = {0};
    if (qiao_store_header_put(dm->store, &h, &d))
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "chain=%llu header=%llu reason=%s",
                 (unsigned long long)ev->chain, (unsigned long long)ev->height, d.reason);
}

static void on_final(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                     const struct qiao_dmn_item *ev)
{
    struct qiao_store_event sev = {.has_height = 1, .height = ev->tip,
                                   .note = "source block final and canonical"};
    if (qiao_store_msg_advance(dm->store, ev->id, QIAO_MSG_OBSERVED, QIAO_MSG_FINAL, &sev, NULL))
        return;
    qiao_dmn_publish(t, ev->id, "final", NULL);
    qiao_dmn_ids_add(&dm->to_sign, ev->id);
}

static void raise_alert(struct qiao_daemon *dm, struct qiao_dmn_tick *t, const char *text)
{
    (void)t;
    dm->alerts++;
    snprintf(dm->last_alert, sizeof(dm->last_alert), "%s", text);
    QIAO_LOG(QIAO_LOG_ERROR, "alert", "%s", text);
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return;
    cJSON_AddStringToObject(ev, "alert", text);
    cJSON_AddNumberToObject(ev, "at", (double)qiao_dmn_now());
    if (dm->api)
        qiao_api_publish(dm->api, "alerts", ev);
    cJSON_Delete(ev);
}

static void on_dropped(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                       const struct qiao_dmn_item *ev)
{
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    char text[640], hex[67], bh[67];
    if (!row || qiao_store_msg_get(dm->store, ev->id, row, NULL) ||
        memcmp(row->status.src.block_hash, ev->hash, 32) != 0) {
        free(row); /* (a verdict on a location the message has already left is stale) */
        return;
    }
    qiao_hex_encode0x(hex, ev->id, 32);
    qiao_hex_encode0x(bh, ev->hash, 32);
    snprintf(text, sizeof(text), "source block %llu (%s) of chain %llu left the canonical chain%s%s",
             (unsigned long long)ev->height, bh, (unsigned long long)ev->chain,
             ev->error[0] ? ": " : "", ev->error[0] ? ev->error : "");
    enum qiao_msg_state st = row->status.state;
    if (st == QIAO_MSG_OBSERVED) {
        struct qiao_store_event sev = {.has_height = 1, .height = ev->tip, .note = "reorg"};
        if (qiao_store_msg_fail(dm->store, ev->id, st, text, &sev, NULL) == QIAO_OK)
            qiao_dmn_publish(t, ev->id, "failed", "source-reorg"), t->failed++;
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "msg=%s dropped-before-finality %s", hex, text);
    } else if (st != QIAO_MSG_FAILED) {
        char alert[800];
        snprintf(alert, sizeof(alert), "msg=%s state=%s: %s", hex, qiao_msg_state_name(st), text);
        raise_alert(dm, t, alert);
    }
    free(row);
}

/* Another notary's delivery, or ours: delivered from whatever state allows it. */
static void on_delivered(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                         const struct qiao_dmn_item *ev)
{
    static const uint8_t zero[32];
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    if (!row || qiao_store_msg_get(dm->store, ev->id, row, NULL)) {
        free(row);
        return;
    }
    if (memcmp(ev->tx, zero, 32) != 0 && ev->height)
        qiao_store_delivery_confirmed(dm->store, ev->id, ev->chain, ev->tx, ev->height, ev->hash,
                                      NULL);
    enum qiao_msg_state st = row->status.state;
    struct qiao_store_event sev = {.has_height = ev->height != 0, .height = ev->height,
                                   .note = ev->by_us ? "our delivery confirmed by receipt"
                                                     : "delivery seen on the destination"};
    if (st != QIAO_MSG_DELIVERED && st != QIAO_MSG_OBSERVED && st != QIAO_MSG_FINAL &&
        qiao_store_msg_advance(dm->store, ev->id, st, QIAO_MSG_DELIVERED, &sev, NULL) == QIAO_OK) {
        char hex[67];
        qiao_hex_encode0x(hex, ev->id, 32);
        QIAO_LOG(QIAO_LOG_INFO, "pipeline", "msg=%s state=delivered by_us=%d height=%llu", hex,
                 ev->by_us, (unsigned long long)ev->height);
        qiao_dmn_publish(t, ev->id, "delivered", ev->by_us ? "by us" : NULL);
        t->delivered++;
        int64_t since = included_at(dm, ev->id, row), now = qiao_dmn_now();
        if (since && t->nlatency < sizeof(t->latency) / sizeof(t->latency[0]))
            t->latency[t->nlatency++] = now > since ? (double)(now - since) / 1000.0 : 0.0;
    }
    free(row);
}

static void on_submitted(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                         const struct qiao_dmn_item *ev)
{
    if (qiao_store_delivery_submitted(dm->store, ev->id, ev->chain, ev->tx, dm->self_label, NULL))
        return;
    char tx[67];
    qiao_hex_encode0x(tx, ev->tx, 32);
    qiao_dmn_publish(t, ev->id, "submitted", tx);
}

static void on_submit_failed(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                             const struct qiao_dmn_item *ev)
{
    struct qiao_store_event sev = {.note = "submission failed"};
    if (qiao_store_msg_fail(dm->store, ev->id, QIAO_MSG_SUBMITTED, ev->error, &sev, NULL) ==
        QIAO_OK) {
        char hex[67];
        qiao_hex_encode0x(hex, ev->id, 32);
        QIAO_LOG(QIAO_LOG_WARN, "pipeline", "msg=%s state=failed reason=\"%s\"", hex, ev->error);
        qiao_dmn_publish(t, ev->id, "failed", ev->error);
        t->failed++;
    }
}

void qiao_dmn_apply_event(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                          const struct qiao_dmn_item *ev)
{
    switch (ev->kind) {
    case QIAO_DMN_EV_HEAD:
        on_head(dm, ev);
        break;
    case QIAO_DMN_EV_OBSERVED:
        on_observed(dm, t, ev);
        break;
    case QIAO_DMN_EV_SCANNED:
        if (!ev->next || ev->next->kind != QIAO_DMN_EV_SCANNED || ev->next->chain != ev->chain)
            on_scanned(dm, ev); /* consecutive cursors: only the last one matters */
        break;
    case QIAO_DMN_EV_FINAL:
        on_final(dm, t, ev);
        break;
    case QIAO_DMN_EV_DROPPED:
        on_dropped(dm, t, ev);
        break;
    case QIAO_DMN_EV_ALERT: {
        char text[320];
        snprintf(text, sizeof(text), "chain %llu: %s", (unsigned long long)ev->chain, ev->error);
        raise_alert(dm, t, text);
        break;
    }
    case QIAO_DMN_EV_SUBMITTED:
        on_submitted(dm, t, ev);
        break;
    case QIAO_DMN_EV_DELIVERED:
        on_delivered(dm, t, ev);
        break;
    case QIAO_DMN_EV_SUBMIT_FAILED:
        on_submit_failed(dm, t, ev);
        break;
    default:
        break;
    }
}
