/*
 * dmn_pipeline.c: the pipeline's timer: two group-committed ticks per round, and start-up
 * recovery.
 *
 * Round structure (the durability contract of store.h, applied to signing):
 *   tick A  worker events (observations, finality, reorgs, submissions, deliveries), due
 *           retries, submission rotation, and the signing guard for every final message;
 *           COMMIT (fsync).
 *   sign    only now, and only for the guards that committed: attestation signatures (pure).
 *   tick B  our own attestations (final -> attested), peer attestations (verified first),
 *           certificates for messages with >= k distinct current-epoch signers; COMMIT.
 *   act     only now: gossip our attestations, publish events, hand jobs to workers.
 * A failed commit drops every planned side effect of its tick; the worker events of a failed
 * tick A are replayed next round, and the signing list is rebuilt from the store.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/api/server.h"
#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/daemon_int.h"
#include "relay/daemon/dmn_crash.h"
#include "relay/daemon/dmn_rotation.h"
#include "relay/mesh/mesh.h"
#include "relay/store/store.h"

void qiao_dmn_publish(struct qiao_dmn_tick *t, const uint8_t id[32], const char *state,
                      const char *note)
{
    char hex[67];
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return;
    qiao_hex_encode0x(hex, id, 32);
    cJSON_AddStringToObject(ev, "id", hex);
    cJSON_AddStringToObject(ev, "state", state);
    if (note)
        cJSON_AddStringToObject(ev, "note", note);
    cJSON_AddNumberToObject(ev, "at", (double)qiao_dmn_now());
    cJSON_AddItemToArray(t->published, ev);
}

void qiao_dmn_tick_job(struct qiao_dmn_tick *t, struct qiao_dmn_item *job)
{
    if (!job)
        return;
    job->next = t->jobs;
    t->jobs = job;
}

static void tick_clear(struct qiao_dmn_tick *t)
{
    cJSON_Delete(t->published);
    qiao_dmn_item_free_list(t->jobs);
    free(t->gossip);
    memset(t, 0, sizeof(*t));
}

/* After a commit: publish, gossip, dispatch, count. */
static void tick_act(struct qiao_daemon *dm, struct qiao_dmn_tick *t)
{
    const cJSON *ev;
    cJSON_ArrayForEach(ev, t->published)
        if (dm->api)
            qiao_api_publish(dm->api, "messages", ev);
    for (size_t i = 0; dm->mesh && i < t->ngossip; i++)
        qiao_mesh_send_att(dm->mesh, NULL, t->gossip[i].id, dm->committee.epoch, t->gossip[i].sig);
    while (t->jobs) {
        struct qiao_dmn_item *job = t->jobs;
        t->jobs = job->next;
        struct qiao_dmn_worker *w = qiao_dmn_worker_of(dm, job->chain);
        if (w)
            qiao_dmn_worker_post(w, job);
        else
            qiao_dmn_item_free(job);
    }
    dm->metrics.delivered_total += t->delivered;
    dm->metrics.failed_total += t->failed;
    for (size_t i = 0; i < t->nlatency; i++)
        qiao_metrics_observe_latency(&dm->metrics, t->latency[i]);
}

/* ---- signing --------------------------------------------------------------------------------- */

struct signing {
    uint8_t id[32];
    uint8_t digest[32];
    uint8_t sig[65];
};

/* Tick A: for each final message, persist the signing guard; collect what may be signed. */
static size_t guard_all(struct qiao_daemon *dm, struct qiao_dmn_tick *t, struct signing *out,
                        size_t cap)
{
    size_t n = 0;
    struct qiao_store_msg_row *row = malloc(sizeof(*row));
    struct qiao_dmn_ids todo = dm->to_sign;
    memset(&dm->to_sign, 0, sizeof(dm->to_sign));
    for (size_t i = 0; row && i < todo.n; i++) {
        struct qiao_diag d = {0};
        if (n == cap) { /* the rest next round */
            qiao_dmn_ids_add(&dm->to_sign, todo.v[i]);
            continue;
        }
        if (qiao_store_msg_get(dm->store, todo.v[i], row, &d) || row->status.state != QIAO_MSG_FINAL)
            continue;
        struct qiao_store_lane_seq key = {.epoch = dm->committee.epoch,
                                          .src_chain = row->msg.src_chain,
                                          .dst_chain = row->msg.dst_chain, .seq = row->msg.seq};
        memcpy(key.committee, dm->committee.id, 32);
        qiao_attest_digest(out[n].digest, dm->committee.id, dm->committee.epoch, todo.v[i]);
        if (qiao_store_sign_guard(dm->store, &key, out[n].digest, todo.v[i], &d)) {
            struct qiao_store_event ev = {.note = d.reason};
            QIAO_LOG(QIAO_LOG_ERROR, "pipeline", "msg=%.18s... refused-to-sign reason=%s msg=\"%s\"",
                     "", d.reason, d.msg);
            qiao_metrics_verify_failure(&dm->metrics, d.reason);
            if (qiao_store_msg_fail(dm->store, todo.v[i], QIAO_MSG_FINAL, d.msg, &ev, NULL) == 0)
                qiao_dmn_publish(t, todo.v[i], "failed", d.reason), t->failed++;
            continue;
        }
        memcpy(out[n++].id, todo.v[i], 32);
    }
    free(row);
    qiao_dmn_ids_clear(&todo);
    return n;
}

/* Tick B: our own attestations, then final -> attested. */
static void attest_all(struct qiao_daemon *dm, struct qiao_dmn_tick *t, struct signing *s,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct qiao_diag d = {0};
        struct qiao_store_att a = {.epoch = dm->committee.epoch};
        memcpy(a.message, s[i].id, 32), memcpy(a.committee, dm->committee.id, 32);
        memcpy(a.signer, dm->key.address, 20), memcpy(a.sig, s[i].sig, 65);
        if (qiao_store_att_put(dm->store, &a, NULL, &d) ||
            qiao_store_msg_advance(dm->store, s[i].id, QIAO_MSG_FINAL, QIAO_MSG_ATTESTED, NULL, &d)) {
            QIAO_LOG(QIAO_LOG_WARN, "pipeline", "attest reason=%s msg=\"%s\"", d.reason, d.msg);
            continue;
        }
        qiao_dmn_publish(t, s[i].id, "attested", NULL);
        qiao_dmn_ids_add(&dm->to_certify, s[i].id);
        if (t->ngossip == t->capgossip) {
            size_t cap = t->capgossip ? t->capgossip * 2 : 16;
            void *p = realloc(t->gossip, cap * sizeof(*t->gossip));
            if (!p)
                continue;
            t->gossip = p, t->capgossip = cap;
        }
        memcpy(t->gossip[t->ngossip].id, s[i].id, 32);
        memcpy(t->gossip[t->ngossip++].sig, s[i].sig, 65);
    }
}

/* ---- periodic: retries and submission rotation ----------------------------------------------- */

struct scan_ctx {
    struct qiao_daemon *dm;
    struct qiao_dmn_tick *t;
    int64_t now;
    uint64_t last;
};

static void after_resume(struct qiao_daemon *dm, struct qiao_dmn_tick *t,
                         const struct qiao_store_msg_row *row)
{
    const uint8_t *id = row->msg.id;
    switch (row->status.failed_from) {
    case QIAO_MSG_OBSERVED: {
        struct qiao_dmn_item *job = qiao_dmn_item_new(QIAO_DMN_JOB_WATCH, row->msg.src_chain);
        if (job) {
            memcpy(job->id, id, 32), memcpy(job->hash, row->status.src.block_hash, 32);
            job->height = row->status.src.block_height;
        }
        qiao_dmn_tick_job(t, job);
        break;
    }
    case QIAO_MSG_FINAL:
        qiao_dmn_ids_add(&dm->to_sign, id);
        break;
    case QIAO_MSG_ATTESTED:
        qiao_dmn_ids_add(&dm->to_certify, id);
        break;
    case QIAO_MSG_SUBMITTED: /* hand back: the rotation decides again, consumed() first */
        qiao_store_msg_advance(dm->store, id, QIAO_MSG_SUBMITTED, QIAO_MSG_CERTIFIED, NULL, NULL);
        break;
    default:
        break;
    }
}

static int due_cb(void *ctx, const struct qiao_store_msg_row *row)
{
    struct scan_ctx *c = ctx;
    if (qiao_store_msg_resume(c->dm->store, row->msg.id, NULL, NULL) == QIAO_OK) {
        qiao_dmn_publish(c->t, row->msg.id, qiao_msg_state_name(row->status.failed_from),
                         "retry");
        after_resume(c->dm, c->t, row);
    }
    return 0;
}

static struct qiao_dmn_item *submit_job(struct qiao_daemon *dm,
                                        const struct qiao_store_msg_row *row)
{
    struct qiao_dmn_item *job = qiao_dmn_item_new(QIAO_DMN_JOB_SUBMIT, row->msg.dst_chain);
    uint64_t epoch;
    size_t n = 0;
    if (!job || !(job->msg = malloc(sizeof(*job->msg))) ||
        !(job->blob = malloc(QIAO_COMMITTEE_MAX * 65)) ||
        qiao_store_cert_get(dm->store, row->msg.id, &epoch, job->blob, QIAO_COMMITTEE_MAX, &n,
                            NULL)) {
        qiao_dmn_item_free(job);
        return NULL;
    }
    *job->msg = row->msg;
    job->blob_len = n * 65;
    memcpy(job->id, row->msg.id, 32);
    return job;
}

static int certified_cb(void *ctx, const struct qiao_store_msg_row *row)
{
    struct scan_ctx *c = ctx;
    struct qiao_daemon *dm = c->dm;
    c->last = row->status.rowid;
    int64_t due = qiao_dmn_rotation_due(row->msg.id, (unsigned)dm->committee.n, dm->self_index,
                                        row->status.entered_at[QIAO_MSG_CERTIFIED],
                                        dm->cfg->submit_takeover_ms);
    if (c->now < due)
        return 0;
    struct qiao_dmn_item *job = submit_job(dm, row);
    struct qiao_store_event ev = {.note = "submission job queued"};
    if (!job || qiao_store_msg_advance(dm->store, row->msg.id, QIAO_MSG_CERTIFIED,
                                       QIAO_MSG_SUBMITTED, &ev, NULL)) {
        qiao_dmn_item_free(job);
        return 0;
    }
    qiao_dmn_publish(c->t, row->msg.id, "submitted", "submission job queued");
    qiao_dmn_tick_job(c->t, job);
    return 0;
}

static void periodic(struct qiao_daemon *dm, struct qiao_dmn_tick *t)
{
    struct scan_ctx c = {.dm = dm, .t = t, .now = qiao_dmn_now()};
    qiao_store_msg_list_due(dm->store, c.now, 256, due_cb, &c, NULL);
    for (;;) { /* every certified message, a page at a time */
        uint64_t before = c.last;
        qiao_store_msg_list(dm->store, QIAO_MSG_CERTIFIED, c.last, 256, certified_cb, &c, NULL);
        if (c.last == before)
            break;
    }
    dm->last_scan_ms = c.now;
}

/* ---- the round ------------------------------------------------------------------------------- */

static struct qiao_dmn_item *take_events(struct qiao_daemon *dm)
{
    struct qiao_dmn_item *ev = dm->retry_events, **tail = &ev;
    dm->retry_events = NULL;
    while (*tail)
        tail = &(*tail)->next;
    *tail = qiao_dmn_queue_take(&dm->events);
    return ev;
}

static int tick_a(struct qiao_daemon *dm, struct qiao_dmn_tick *t, struct signing *s, size_t cap,
                  size_t *n)
{
    struct qiao_diag d = {0};
    struct qiao_dmn_item *events = take_events(dm);
    int scan = qiao_dmn_now() - dm->last_scan_ms >= QIAO_DMN_SCAN_MS;
    *n = 0;
    if (!events && !scan && !dm->to_sign.n)
        return 1;
    if (qiao_store_begin_tick(dm->store, &d)) {
        dm->retry_events = events;
        return 0;
    }
    for (struct qiao_dmn_item *ev = events; ev; ev = ev->next)
        qiao_dmn_apply_event(dm, t, ev);
    if (scan)
        periodic(dm, t);
    *n = guard_all(dm, t, s, cap);
    if (qiao_store_end_tick(dm->store, &d)) {
        QIAO_LOG(QIAO_LOG_ERROR, "pipeline", "tick=A reason=%s msg=\"%s\"", d.reason, d.msg);
        dm->retry_events = events; /* replayed next round; the store was rolled back */
        for (size_t i = 0; i < *n; i++)
            qiao_dmn_ids_add(&dm->to_sign, s[i].id);
        *n = 0;
        return 0;
    }
    qiao_dmn_item_free_list(events);
    return 1;
}

static void tick_b(struct qiao_daemon *dm, struct qiao_dmn_tick *t, struct signing *s, size_t n)
{
    struct qiao_diag d = {0};
    if (!n && !dm->npatt && !dm->to_certify.n)
        return;
    if (qiao_store_begin_tick(dm->store, &d))
        return;
    attest_all(dm, t, s, n);
    qiao_dmn_take_peer_atts(dm, t);
    qiao_dmn_certify_all(dm, t);
    if (qiao_store_end_tick(dm->store, &d)) {
        QIAO_LOG(QIAO_LOG_ERROR, "pipeline", "tick=B reason=%s msg=\"%s\"", d.reason, d.msg);
        for (size_t i = 0; i < n; i++) /* guards are durable: re-signing is byte-identical */
            qiao_dmn_ids_add(&dm->to_sign, s[i].id);
        tick_clear(t);
        t->published = cJSON_CreateArray();
    }
}

#define SIGN_BATCH 512

void qiao_dmn_cron(lws_sorted_usec_list_t *sul)
{
    struct qiao_daemon *dm = lws_container_of(sul, struct qiao_daemon, cron);
    struct qiao_dmn_tick t = {.published = cJSON_CreateArray()};
    struct signing *s = malloc(sizeof(*s) * SIGN_BATCH);
    size_t n = 0;
    if (s && tick_a(dm, &t, s, SIGN_BATCH, &n)) {
        if (n)
            qiao_dmn_crash_point("guard-committed");
        tick_act(dm, &t); /* tick A's effects (jobs, events) are durable now */
        tick_clear(&t);
        t.published = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) /* the guards committed: signing is allowed now */
            if (qiao_attest_sign(dm->cx, s[i].sig, dm->key.seckey, s[i].digest, NULL)) {
                memmove(&s[i], &s[i + 1], (n - i - 1) * sizeof(*s));
                n--, i--;
            }
        if (n)
            qiao_dmn_crash_point("signed");
        tick_b(dm, &t, s, n);
        if (t.ngossip)
            qiao_dmn_crash_point("attested-committed");
        tick_act(dm, &t);
    }
    tick_clear(&t);
    if (s)
        qiao_wipe(s, sizeof(*s) * SIGN_BATCH);
    free(s);
    if (!*dm->stop)
        lws_sul_schedule(dm->lws, 0, &dm->cron, qiao_dmn_cron,
                         (lws_usec_t)QIAO_DMN_CRON_MS * LWS_US_PER_MS);
}

/* ---- start-up recovery ----------------------------------------------------------------------- */

struct recover_ctx {
    struct qiao_daemon *dm;
    enum qiao_msg_state st;
};

static int recover_cb(void *ctx, const struct qiao_store_msg_row *row)
{
    struct recover_ctx *c = ctx;
    if (c->st == QIAO_MSG_FINAL)
        qiao_dmn_ids_add(&c->dm->to_sign, row->msg.id);
    else if (c->st == QIAO_MSG_ATTESTED)
        qiao_dmn_ids_add(&c->dm->to_certify, row->msg.id);
    else if (c->st == QIAO_MSG_SUBMITTED)
        qiao_store_msg_advance(c->dm->store, row->msg.id, QIAO_MSG_SUBMITTED, QIAO_MSG_CERTIFIED,
                               &(struct qiao_store_event){.note = "restart: submission handed back"},
                               NULL);
    return 0;
}

qiao_err qiao_dmn_recover(struct qiao_daemon *dm, struct qiao_diag *d)
{
    static const enum qiao_msg_state states[] = {QIAO_MSG_FINAL, QIAO_MSG_ATTESTED,
                                                 QIAO_MSG_SUBMITTED};
    QIAO_TRY(qiao_store_begin_tick(dm->store, d));
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
        struct recover_ctx c = {.dm = dm, .st = states[i]};
        qiao_err err = qiao_store_msg_list(dm->store, states[i], 0, 1000000, recover_cb, &c, d);
        if (err) {
            qiao_store_abort_tick(dm->store);
            return err;
        }
    }
    return qiao_store_end_tick(dm->store, d);
}
