/*
 * dmn_swap.c: the swap driver's service half (dmn_swap.h): records, persistence, the engine,
 * actions and events.
 *
 * Every 100 ms (an lws_sul timer of its own, so the message pipeline's cron is untouched) the
 * driver takes the worker's reports, applies each observation to its swap through the engine,
 * and stores the record whenever it changed, compare-and-set on the phase it last stored.  Then
 * it asks the engine what is due on each leg at that leg's chain time (the timestamp of the
 * chain's verified tip: the contract compares block.timestamp with the timelock, and a test that
 * moves a chain's clock with evm_increaseTime moves only that chain) and hands sends to the
 * worker.  At most one send per leg is in flight; a failed send is retried with a backoff of
 * 2 s per attempt up to 30 s, and a send that succeeded is not repeated while its effect is
 * waiting for finality.  Records that can no longer change are dropped from memory (the store
 * keeps them) and their watches forgotten.
 *
 * Restart: unfinished swaps are read back from the store and their legs watched again from
 * their from_height, so every observation is made again from the chain itself; observations the
 * record already holds are recognised and skipped.  A send whose outcome was not recorded before
 * the restart is treated as failed and may be repeated after 10 s (a repeat reverts harmlessly
 * when the first one did land: the contract refuses a second withdraw or refund).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/bitcoin/btc_htlc.h"
#include "relay/api/server.h"
#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/daemon_int.h"
#include "relay/daemon/dmn_swap_svc.h"
#include "relay/store/htlc_swaps.h"

#define TIMER_MS 100
#define RESTART_DELAY_MS 10000

const char *const qiao_swap_phases[] = {
    "proposed", "part-locked-first", "anomalous", "init-locked", "both-locked",
    "secret-revealed", "refunding", "init-claimed-first", "completed", "initiator-lost",
    "participant-lost", "refunded", NULL};

int64_t qiao_swap_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int qiao_swap_clock(const struct qiao_dmn_swaps *sw, uint64_t chain, uint64_t *time,
                    uint64_t *height)
{
    for (unsigned i = 0; i < QIAO_CFG_MAX_CHAINS; i++)
        if (sw->clock[i].known && sw->clock[i].chain == chain) {
            if (time)
                *time = sw->clock[i].time;
            if (height)
                *height = sw->clock[i].height;
            return 1;
        }
    return 0;
}

static void set_clock(struct qiao_dmn_swaps *sw, const struct qiao_swq_item *ev)
{
    for (unsigned i = 0; i < QIAO_CFG_MAX_CHAINS; i++)
        if (!sw->clock[i].known || sw->clock[i].chain == ev->chain) {
            sw->clock[i].known = 1;
            sw->clock[i].chain = ev->chain;
            sw->clock[i].height = ev->height;
            sw->clock[i].time = ev->time;
            return;
        }
}

struct qiao_swap_slot *qiao_swap_find(struct qiao_dmn_swaps *sw, const uint8_t id[32])
{
    for (size_t i = 0; i < sw->n; i++)
        if (memcmp(sw->slots[i]->r.id, id, 32) == 0)
            return sw->slots[i];
    return NULL;
}

/* ---- persistence and events ------------------------------------------------------------------ */

static void publish(struct qiao_dmn_swaps *sw, const struct qiao_swap_slot *s, const char *what)
{
    char hex[67];
    cJSON *ev = cJSON_CreateObject();
    if (!ev)
        return;
    qiao_hex_encode0x(hex, s->r.id, 32);
    cJSON_AddStringToObject(ev, "id", hex);
    cJSON_AddStringToObject(ev, "phase", qiao_htlc_phase(&s->r.swap));
    cJSON_AddStringToObject(ev, "event", what);
    cJSON_AddNumberToObject(ev, "at", (double)qiao_swap_wall_ms());
    if (sw->dm->api)
        qiao_api_publish(sw->dm->api, "swaps", ev);
    cJSON_Delete(ev);
}

qiao_err qiao_swap_save(struct qiao_dmn_swaps *sw, struct qiao_swap_slot *s, const char *what,
                        struct qiao_diag *d)
{
    struct qiao_store_swap *row = calloc(1, sizeof(*row));
    cJSON *j = qiao_htlc_record_to_json(&s->r);
    char *text = j ? cJSON_PrintUnformatted(j) : NULL;
    qiao_err err = QIAO_OK;
    if (!row || !text || strlen(text) > QIAO_STORE_SWAP_BLOB_MAX)
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "encoding swap record");
    if (!err) {
        const struct qiao_htlc_terms *t = &s->r.swap.terms;
        memcpy(row->id, s->r.id, 32), memcpy(row->hashlock, t->hashlock, 32);
        snprintf(row->state, sizeof(row->state), "%s", qiao_htlc_phase(&s->r.swap));
        row->chain_a = t->leg[0].chain_id, row->chain_b = t->leg[1].chain_id;
        row->timelock_a = t->leg[0].timelock, row->timelock_b = t->leg[1].timelock;
        row->blob_len = strlen(text);
        memcpy(row->blob, text, row->blob_len);
        err = qiao_store_swap_put(sw->dm->store, row, s->stored[0] ? s->stored : NULL, d);
    }
    if (!err) {
        snprintf(s->stored, sizeof(s->stored), "%s", row->state);
        publish(sw, s, what);
    }
    free(row), free(text);
    cJSON_Delete(j);
    return err;
}

static void save_or_log(struct qiao_dmn_swaps *sw, struct qiao_swap_slot *s, const char *what)
{
    struct qiao_diag d = {0};
    char hex[67];
    if (qiao_swap_save(sw, s, what, &d) == QIAO_OK)
        return;
    qiao_hex_encode0x(hex, s->r.id, 32);
    QIAO_LOG(QIAO_LOG_ERROR, "swap", "swap=%s store reason=%s msg=\"%s\"", hex, d.reason, d.msg);
}

void qiao_swap_watch_legs(struct qiao_dmn_swaps *sw, const struct qiao_swap_slot *s)
{
    for (int i = 0; i < 2; i++) {
        struct qiao_swq_item *job = qiao_swq_new(QIAO_SWQ_WATCH);
        if (!job)
            return;
        memcpy(job->id, s->r.id, 32), memcpy(job->contract, s->r.drive[i].contract, 20);
        memcpy(job->hashlock, s->r.swap.terms.hashlock, 32);
        job->leg = i, job->chain = s->r.swap.terms.leg[i].chain_id;
        job->height = s->r.drive[i].from_height;
        if (qiao_swap_is_bitcoin(&s->r, i))
            qiao_swap_btc_watch_job(sw, &s->r, i, job);
        qiao_swap_worker_post(sw->worker, job);
    }
}

qiao_err qiao_swap_add(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r,
                       const char *stored, struct qiao_swap_slot **out, struct qiao_diag *d)
{
    if (sw->n == sw->cap) {
        size_t cap = sw->cap ? sw->cap * 2 : 16;
        void *p = realloc(sw->slots, cap * sizeof(*sw->slots));
        if (!p)
            return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swap list");
        sw->slots = p, sw->cap = cap;
    }
    struct qiao_swap_slot *s = calloc(1, sizeof(*s));
    if (!s)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swap");
    s->r = *r;
    snprintf(s->stored, sizeof(s->stored), "%s", stored ? stored : "");
    sw->slots[sw->n++] = s;
    *out = s;
    return QIAO_OK;
}

/* ---- observations ---------------------------------------------------------------------------- */

static const char *const kind_names[] = {[QIAO_SWQ_LOCKED] = "locked",
                                         [QIAO_SWQ_CLAIMED] = "claimed",
                                         [QIAO_SWQ_REFUNDED] = "refunded"};

static void refuse(struct qiao_swap_slot *s, const struct qiao_swq_item *ev, const char *reason,
                   const char *msg)
{
    char hex[67];
    /* The note is a bounded summary for the status page; the full message goes to the log. */
    struct qiao_buf note = {0};
    if (qiao_buf_printf(&note, NULL, "%s leg block %llu: %s: %s", ev->leg ? "participant" : "initiator",
                        (unsigned long long)ev->height, reason, msg) == QIAO_OK) {
        size_t n = note.len < sizeof(s->r.note) - 1 ? note.len : sizeof(s->r.note) - 1;
        memcpy(s->r.note, note.p, n);
        s->r.note[n] = '\0';
    }
    qiao_buf_clear(&note);
    qiao_hex_encode0x(hex, s->r.id, 32);
    QIAO_LOG(QIAO_LOG_WARN, "swap", "swap=%s refused=%s leg=%d block=%llu reason=%s msg=\"%s\"",
             hex, kind_names[ev->kind], ev->leg, (unsigned long long)ev->height, reason, msg);
}

static int zero20(const uint8_t a[20])
{
    static const uint8_t z[20];
    return memcmp(a, z, 20) == 0;
}

/* Fill the engine event; 0 when the observation is a repeat or not about our lock. */
static int engine_event(struct qiao_swap_slot *s, const struct qiao_swq_item *ev,
                        struct qiao_htlc_event *e)
{
    const struct qiao_htlc_leg_drive *dr = &s->r.drive[ev->leg];
    enum qiao_htlc_status st = s->r.swap.status[ev->leg];
    memset(e, 0, sizeof(*e));
    e->leg = (enum qiao_htlc_leg_id)ev->leg, e->block_time = ev->time;
    if (ev->kind == QIAO_SWQ_LOCKED) {
        if (st != QIAO_HTLC_NONE)
            return 0; /* seen before (a rescan), or a second lock with the same hashlock */
        e->kind = QIAO_HTLC_EV_LOCKED, e->timelock = ev->timelock;
        memcpy(e->hashlock, ev->hashlock, 32), memcpy(e->receiver, ev->receiver, 20);
        memcpy(e->amount, ev->amount, 32);
        return 1;
    }
    if (!dr->has_lock_id || memcmp(dr->lock_id, ev->lock_id, 32) != 0 || st != QIAO_HTLC_LOCKED)
        return 0;
    e->kind = ev->kind == QIAO_SWQ_CLAIMED ? QIAO_HTLC_EV_CLAIMED : QIAO_HTLC_EV_REFUNDED;
    e->preimage = ev->preimage, e->preimage_len = ev->preimage_len;
    return 1;
}

static void on_observed(struct qiao_dmn_swaps *sw, const struct qiao_swq_item *ev)
{
    struct qiao_swap_slot *s = qiao_swap_find(sw, ev->id);
    struct qiao_htlc_event e;
    struct qiao_btc_htlc_match m;
    struct qiao_diag d = {0};
    if (!s || ev->leg < 0 || ev->leg > 1)
        return;
    int btc = qiao_swap_is_bitcoin(&s->r, ev->leg);
    if (btc ? !qiao_swap_btc_event(s, ev, &e, &m) : !engine_event(s, ev, &e))
        return;
    const struct qiao_htlc_leg *l = &s->r.swap.terms.leg[ev->leg];
    if (!btc && ev->kind == QIAO_SWQ_LOCKED &&
        (!zero20(ev->token) || memcmp(ev->sender, l->sender, 20)))
        refuse(s, ev, "lock-mismatch", zero20(ev->token) ? "lock made by another sender"
                                                         : "lock of a token, not the chain's coin");
    else if (qiao_htlc_apply(sw->dm->cx, &s->r.swap, &e, &d))
        refuse(s, ev, d.reason, d.msg);
    else if (ev->kind == QIAO_SWQ_LOCKED)
        s->r.drive[ev->leg].has_lock_id = 1, memcpy(s->r.drive[ev->leg].lock_id, ev->lock_id, 32),
        s->r.drive[ev->leg].lock_vout = ev->vout;
    if (s->r.swap.status[ev->leg] != QIAO_HTLC_NONE || ev->kind != QIAO_SWQ_LOCKED)
        s->r.drive[ev->leg].seen_height = ev->height;
    char what[48];
    snprintf(what, sizeof(what), "%s-%s", ev->leg ? "participant" : "initiator",
             kind_names[ev->kind]);
    save_or_log(sw, s, what);
}

static void on_sent(struct qiao_dmn_swaps *sw, const struct qiao_swq_item *ev)
{
    struct qiao_swap_slot *s = qiao_swap_find(sw, ev->id);
    if (!s || ev->leg < 0 || ev->leg > 1)
        return;
    struct qiao_htlc_leg_drive *dr = &s->r.drive[ev->leg];
    s->busy[ev->leg] = 0;
    dr->sent = ev->action;
    memcpy(dr->sent_tx, ev->tx, 32);
    dr->attempts++;
    snprintf(dr->error, sizeof(dr->error), "%s", ev->ok ? "" : ev->error);
    if (!ev->ok) {
        int64_t back = 2000 * (int64_t)dr->attempts;
        s->next_try_ms[ev->leg] = qiao_swap_wall_ms() + (back < 30000 ? back : 30000);
    }
    save_or_log(sw, s, ev->action == QIAO_HTLC_SENT_CLAIM ? "claim-sent" : "refund-sent");
}

/* ---- actions --------------------------------------------------------------------------------- */

void qiao_swap_send(struct qiao_dmn_swaps *sw, struct qiao_swap_slot *s, int leg,
                    enum qiao_htlc_sent action)
{
    struct qiao_swq_item *job = qiao_swq_new(QIAO_SWQ_SEND);
    if (!job)
        return;
    memcpy(job->id, s->r.id, 32), memcpy(job->contract, s->r.drive[leg].contract, 20);
    memcpy(job->lock_id, s->r.drive[leg].lock_id, 32);
    memcpy(job->preimage, s->r.swap.preimage, QIAO_HTLC_PREIMAGE_LEN);
    job->leg = leg, job->action = action, job->chain = s->r.swap.terms.leg[leg].chain_id;
    if (qiao_swap_is_bitcoin(&s->r, leg) && !qiao_swap_btc_prepare(sw, &s->r, leg, action, job)) {
        free(job);
        return;
    }
    s->busy[leg] = 1;
    qiao_swap_worker_post(sw->worker, job);
}

static void act_leg(struct qiao_dmn_swaps *sw, struct qiao_swap_slot *s, int leg, int64_t now_ms)
{
    uint64_t now;
    struct qiao_htlc_action acts[2];
    if (!qiao_swap_leg_now(sw, &s->r, leg, &now))
        return;
    uint32_t alerts = s->r.swap.alerts;
    size_t n = qiao_htlc_due(acts, &s->r.swap, now);
    if (alerts != s->r.swap.alerts)
        save_or_log(sw, s, "alert");
    const struct qiao_htlc_leg_drive *dr = &s->r.drive[leg];
    for (size_t i = 0; i < n; i++) {
        if ((int)acts[i].leg != leg || s->busy[leg] || now_ms < s->next_try_ms[leg] ||
            !dr->has_lock_id)
            continue;
        enum qiao_htlc_sent a = acts[i].kind == QIAO_HTLC_ACT_CLAIM ? QIAO_HTLC_SENT_CLAIM
                                                                    : QIAO_HTLC_SENT_REFUND;
        if (dr->sent == a && !dr->error[0])
            continue; /* it landed; its log is on the way to finality */
        if (qiao_swap_is_bitcoin(&s->r, leg) && !qiao_swap_btc_can_act(sw, &s->r, leg, a))
            continue; /* the party holds that key and spends the leg itself */
        qiao_swap_send(sw, s, leg, a);
    }
}

static void drop_done(struct qiao_dmn_swaps *sw)
{
    for (size_t i = 0; i < sw->n;) {
        struct qiao_swap_slot *s = sw->slots[i];
        uint64_t now_part = 0;
        qiao_swap_leg_now(sw, &s->r, QIAO_HTLC_PART, &now_part);
        if (!qiao_htlc_record_done(&s->r, now_part) || s->busy[0] || s->busy[1]) {
            i++;
            continue;
        }
        struct qiao_swq_item *job = qiao_swq_new(QIAO_SWQ_FORGET);
        if (job) {
            memcpy(job->id, s->r.id, 32);
            qiao_swap_worker_post(sw->worker, job);
        }
        free(s);
        sw->slots[i] = sw->slots[--sw->n];
    }
}

static void timer(lws_sorted_usec_list_t *sul)
{
    struct qiao_dmn_swaps *sw = lws_container_of(sul, struct qiao_dmn_swaps, sul);
    struct qiao_swq_item *evs = qiao_swq_take(&sw->events, 0, NULL);
    for (struct qiao_swq_item *ev = evs; ev; ev = ev->next) {
        if (ev->kind == QIAO_SWQ_CLOCK)
            set_clock(sw, ev);
        else if (ev->kind == QIAO_SWQ_SENT)
            on_sent(sw, ev);
        else
            on_observed(sw, ev);
    }
    qiao_swq_free_list(evs);
    int64_t now_ms = qiao_swap_wall_ms();
    for (size_t i = 0; i < sw->n; i++)
        for (int leg = 0; leg < 2; leg++)
            act_leg(sw, sw->slots[i], leg, now_ms);
    drop_done(sw);
    if (!*sw->dm->stop)
        lws_sul_schedule(sw->dm->lws, 0, &sw->sul, timer, (lws_usec_t)TIMER_MS * LWS_US_PER_MS);
}

/* ---- start and stop -------------------------------------------------------------------------- */

struct load_ctx {
    struct qiao_dmn_swaps *sw;
    unsigned loaded, bad;
};

static int load_cb(void *ctx, const struct qiao_store_swap *row)
{
    struct load_ctx *c = ctx;
    struct qiao_htlc_record *r = malloc(sizeof(*r));
    struct qiao_swap_slot *s;
    struct qiao_diag d = {0};
    if (!r || qiao_htlc_record_parse_text(r, (const char *)row->blob, row->blob_len, 0, &d)) {
        c->bad++;
        QIAO_LOG(QIAO_LOG_ERROR, "swap", "stored swap unreadable reason=%s msg=\"%s\"",
                 r ? d.reason : "out-of-memory", r ? d.msg : "");
    } else if (!qiao_htlc_record_done(r, 0) && !qiao_swap_add(c->sw, r, row->state, &s, &d)) {
        for (int i = 0; i < 2; i++)
            if (s->r.drive[i].sent && !s->r.drive[i].error[0]) {
                snprintf(s->r.drive[i].error, sizeof(s->r.drive[i].error),
                         "restarted before the outcome was seen");
                s->next_try_ms[i] = qiao_swap_wall_ms() + RESTART_DELAY_MS;
            }
        qiao_swap_watch_legs(c->sw, s);
        c->loaded++;
    }
    free(r);
    return 0;
}

static qiao_err worker_start(struct qiao_dmn_swaps *sw, struct qiao_diag *d)
{
    const struct qiao_config *cfg = sw->dm->cfg;
    struct qiao_swap_worker_opts *o = calloc(1, sizeof(*o));
    if (!o)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swap worker options");
    for (unsigned i = 0; i < cfg->n_chains; i++)
        if (strcmp(cfg->chains[i].family, "evm") == 0 ||
            strcmp(cfg->chains[i].family, "bitcoin") == 0)
            o->chains[o->n_chains++] = cfg->chains[i];
    memcpy(o->seckey, sw->dm->key.seckey, 32);
    snprintf(o->nonce_prefix, sizeof(o->nonce_prefix), "%s", cfg->store_path);
    o->rpc_timeout_ms = cfg->rpc_timeout_ms;
    o->events = &sw->events;
    qiao_err err = qiao_swap_worker_start(&sw->worker, o, d);
    qiao_wipe(o->seckey, 32);
    free(o);
    return err;
}

qiao_err qiao_dmn_swaps_start(struct qiao_daemon *dm, struct qiao_diag *d)
{
    struct qiao_dmn_swaps *sw = calloc(1, sizeof(*sw));
    if (!sw)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swaps");
    sw->dm = dm;
    qiao_swq_init(&sw->events);
    dm->swaps = sw;
    QIAO_TRY(worker_start(sw, d));
    struct load_ctx c = {.sw = sw};
    for (int i = 0; qiao_swap_phases[i]; i++)
        QIAO_TRY(qiao_store_swap_find(dm->store, qiao_swap_phases[i], NULL, load_cb, &c, d));
    QIAO_LOG(QIAO_LOG_INFO, "swap", "driver=started unfinished=%u unreadable=%u", c.loaded, c.bad);
    lws_sul_schedule(dm->lws, 0, &sw->sul, timer, (lws_usec_t)TIMER_MS * LWS_US_PER_MS);
    return QIAO_OK;
}

void qiao_dmn_swaps_stop(struct qiao_daemon *dm)
{
    struct qiao_dmn_swaps *sw = dm->swaps;
    if (!sw)
        return;
    qiao_swap_worker_stop(sw->worker);
    if (dm->lws)
        lws_sul_cancel(&sw->sul);
    for (size_t i = 0; i < sw->n; i++)
        free(sw->slots[i]);
    free(sw->slots);
    qiao_swq_clear(&sw->events);
    free(sw);
    dm->swaps = NULL;
}
