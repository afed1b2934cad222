/*
 * dmn_worker.c: a chain worker's thread: connect, anchor, follow verified headers, judge the
 * watched blocks' finality, run jobs (dmn_worker.h).
 *
 * Following is done here rather than with qiao_evm_source_sync because the worker needs every
 * new header in full (its logs bloom decides whether the block is scanned) and must catch up
 * from an anchor that may be far more than one chain window behind the node: headers are fetched
 * by number one after another, each offered to the verified chain, which accepts it only if it
 * links to the tip by parent hash.  A header that does not link means a reorg: the branch is
 * fetched back by parent hash until it meets the verified chain and offered in one step, and the
 * branch's blocks are scanned.  A reorg that would undo a final block is refused by the chain and
 * raised as an alert; the worker then stops advancing (the operator must look).
 */
#include "relay/daemon/dmn_worker.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/evm/evm_source.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/rpc/rpc.h"

#define CATCHUP_BUDGET 128 /* headers per round, so jobs and watches are never starved */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void qiao_dmn_worker_emit(struct qiao_dmn_worker *w, struct qiao_dmn_item *ev)
{
    if (!ev)
        return;
    qiao_dmn_queue_push(w->o.events, ev);
    if (w->o.wake)
        lws_cancel_service(w->o.wake);
}

void qiao_dmn_worker_emit_list(struct qiao_dmn_worker *w, struct qiao_dmn_item *list)
{
    while (list) {
        struct qiao_dmn_item *next = list->next;
        /* Watch here, so finality is judged even before the service thread answers. */
        if (list->kind == QIAO_DMN_EV_OBSERVED)
            qiao_dmn_worker_watch(w, list->id, list->height, list->hash, NULL);
        qiao_dmn_worker_emit(w, list);
        list = next;
    }
}

static void set_error(struct qiao_dmn_worker *w, const struct qiao_diag *d)
{
    if (w->rpc_ok || strncmp(w->error, d->msg, sizeof(w->error) - 1) != 0)
        QIAO_LOG(QIAO_LOG_WARN, "worker", "chain=%llu reason=%s msg=\"%s\"",
                 (unsigned long long)w->o.chain.id, d->reason, d->msg);
    w->rpc_ok = 0;
    snprintf(w->error, sizeof(w->error), "%s: %.200s", d->reason, d->msg);
}

static void report_head(struct qiao_dmn_worker *w, int force)
{
    int64_t t = now_ms();
    if (!force && t - w->last_head_report < 1000)
        return;
    w->last_head_report = t;
    struct qiao_dmn_item *ev = qiao_dmn_item_new(QIAO_DMN_EV_HEAD, w->o.chain.id);
    if (!ev)
        return;
    if (w->src && w->src->anchored) {
        ev->tip = w->src->chain.tip;
        ev->has_final = w->src->chain.has_final;
        ev->final_height = w->src->chain.final_number;
        ev->reorgs = w->src->reorgs;
        ev->headers = w->src->headers;
    }
    ev->node_head = w->node_head;
    ev->rpc_ok = w->rpc_ok;
    snprintf(ev->error, sizeof(ev->error), "%s", w->error);
    qiao_dmn_worker_emit(w, ev);
}

qiao_err qiao_dmn_worker_watch(struct qiao_dmn_worker *w, const uint8_t id[32], uint64_t height,
                               const uint8_t hash[32], struct qiao_diag *d)
{
    for (size_t i = 0; i < w->nwatch; i++)
        if (memcmp(w->watches[i].id, id, 32) == 0) {
            w->watches[i].height = height;
            memcpy(w->watches[i].hash, hash, 32);
            return QIAO_OK;
        }
    if (w->nwatch == w->capwatch) {
        size_t cap = w->capwatch ? w->capwatch * 2 : 64;
        void *p = realloc(w->watches, cap * sizeof(*w->watches));
        if (!p)
            return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "watch list");
        w->watches = p, w->capwatch = cap;
    }
    struct qiao_dmn_watch *x = &w->watches[w->nwatch++];
    memcpy(x->id, id, 32), memcpy(x->hash, hash, 32);
    x->height = height;
    return QIAO_OK;
}

/* ---- connecting and anchoring ---------------------------------------------------------------- */

static qiao_err connect_node(struct qiao_dmn_worker *w, struct qiao_diag *d)
{
    const struct qiao_cfg_chain *c = &w->o.chain;
    struct qiao_evm_source_opts so = {
        .url = c->n_http ? c->http[0] : c->ws[0],
        .chain_id = c->id,
        .finality = {.confirmations = c->confirmations,
                     .use_finalized_tag = c->finality == QIAO_CFG_FINALITY_FINALIZED_TAG},
        .timeout_ms = w->o.rpc_timeout_ms,
    };
    return qiao_evm_source_create(&w->src, w->lws, &so, d);
}

static qiao_err anchor(struct qiao_dmn_worker *w, struct qiao_diag *d)
{
    QIAO_TRY(qiao_evm_source_anchor(w->src, w->o.anchor, d));
    const struct qiao_evm_link *tip = qiao_evm_chain_tip(&w->src->chain);
    if (w->o.check_anchor_hash && memcmp(tip->hash, w->o.anchor_hash, 32) != 0) {
        w->src->anchored = 0;
        return QIAO_FAIL(d, QIAO_EVERIFY, "checkpoint-mismatch",
                         "chains[%s].checkpoint: block %llu on the node has another hash",
                         w->o.chain.name, (unsigned long long)tip->number);
    }
    QIAO_LOG(QIAO_LOG_INFO, "worker", "chain=%llu anchored height=%llu",
             (unsigned long long)w->o.chain.id, (unsigned long long)tip->number);
    return QIAO_OK;
}

/* ---- following ------------------------------------------------------------------------------- */

static void emit_scanned(struct qiao_dmn_worker *w, const struct qiao_buf *raw,
                         const struct qiao_evm_header *h)
{
    struct qiao_dmn_item *ev = qiao_dmn_item_new(QIAO_DMN_EV_SCANNED, w->o.chain.id);
    if (!ev || !(ev->blob = malloc(raw->len ? raw->len : 1))) {
        qiao_dmn_item_free(ev);
        return;
    }
    memcpy(ev->blob, raw->p, raw->len);
    ev->blob_len = raw->len;
    ev->height = h->number;
    memcpy(ev->hash, h->hash, 32);
    memcpy(ev->tx, h->parent_hash, 32); /* the parent, for the store's header row */
    qiao_dmn_worker_emit(w, ev);
}

static void alert(struct qiao_dmn_worker *w, const struct qiao_diag *d)
{
    if (w->alerted)
        return;
    w->alerted = 1;
    struct qiao_dmn_item *ev = qiao_dmn_item_new(QIAO_DMN_EV_ALERT, w->o.chain.id);
    if (ev) {
        snprintf(ev->error, sizeof(ev->error), "%s: %.200s", d->reason, d->msg);
        ev->tip = w->src->chain.tip;
        qiao_dmn_worker_emit(w, ev);
    }
}

/* Fetch back from h by parent hash to the verified chain, offer the branch, scan it. */
static qiao_err reorg(struct qiao_dmn_worker *w, const struct qiao_evm_header *h,
                      struct qiao_diag *d)
{
    struct qiao_evm_header *back = malloc(sizeof(*back) * QIAO_EVM_CHAIN_WINDOW);
    struct qiao_buf raw = {0};
    size_t n = 0;
    qiao_err err = back ? QIAO_OK : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "reorg branch");
    if (back)
        back[n++] = *h;
    while (!err && !qiao_evm_chain_find(&w->src->chain, back[n - 1].parent_hash)) {
        char hex[67];
        if (n == QIAO_EVM_CHAIN_WINDOW || back[n - 1].number == 0) {
            err = QIAO_FAIL(d, QIAO_EVERIFY, "unknown-parent",
                            "head %llu does not connect to the verified chain",
                            (unsigned long long)h->number);
            break;
        }
        qiao_hex_encode0x(hex, back[n - 1].parent_hash, 32);
        err = qiao_evm_source_header(w->src, &back[n], &raw, hex, d);
        n++;
    }
    for (size_t i = 0; !err && i < n / 2; i++) {
        struct qiao_evm_header t = back[i];
        back[i] = back[n - 1 - i], back[n - 1 - i] = t;
    }
    enum qiao_evm_offer what;
    uint64_t depth = 0;
    struct qiao_dmn_item *found = NULL;
    for (size_t i = 0; !err && i < n; i++)
        err = qiao_dmn_scan_block(w, &back[i], &found, d);
    if (!err)
        err = qiao_evm_chain_offer_branch(&w->src->chain, &what, &depth, back, n, d);
    if (!err) {
        w->src->reorgs += what == QIAO_EVM_REORGED;
        w->src->headers += n;
        QIAO_LOG(QIAO_LOG_WARN, "worker", "chain=%llu reorg depth=%llu new_tip=%llu",
                 (unsigned long long)w->o.chain.id, (unsigned long long)depth,
                 (unsigned long long)w->src->chain.tip);
        qiao_dmn_worker_emit_list(w, found);
    } else {
        qiao_dmn_item_free_list(found);
    }
    free(back);
    qiao_buf_clear(&raw);
    return err;
}

static void update_final(struct qiao_dmn_worker *w)
{
    struct qiao_evm_chain *c = &w->src->chain;
    if (w->src->finality.use_finalized_tag) {
        struct qiao_evm_header h;
        struct qiao_buf raw = {0};
        if (qiao_evm_source_header(w->src, &h, &raw, "finalized", NULL) == QIAO_OK) {
            const struct qiao_evm_link *l = qiao_evm_chain_at(c, h.number);
            if (l && memcmp(l->hash, h.hash, 32) == 0 && (!c->has_final || h.number > c->final_number))
                qiao_evm_chain_set_final(c, h.number);
        }
        qiao_buf_clear(&raw);
    } else if (c->tip >= w->src->finality.confirmations) {
        uint64_t f = c->tip - w->src->finality.confirmations;
        if (!c->has_final || f > c->final_number)
            qiao_evm_chain_set_final(c, f);
    }
}

/* One header at number n: offer, and scan when it extends the verified chain. */
static qiao_err step(struct qiao_dmn_worker *w, const char *block, int *more, struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    enum qiao_evm_offer what;
    uint64_t depth;
    struct qiao_dmn_item *found = NULL;
    qiao_err err = qiao_evm_source_header(w->src, &h, &raw, block, d);
    *more = 0;
    /* Scan before offering: a block whose receipts cannot be proven now is not accepted, so it
     * is fetched and scanned again next round instead of being skipped. */
    const struct qiao_evm_link *tip = qiao_evm_chain_tip(&w->src->chain);
    if (!err && h.number == tip->number + 1 && memcmp(h.parent_hash, tip->hash, 32) == 0)
        err = qiao_dmn_scan_block(w, &h, &found, d);
    if (!err)
        err = qiao_evm_chain_offer(&w->src->chain, &what, &depth, &h, d);
    if (!err && what == QIAO_EVM_EXTENDED) {
        w->src->headers++;
        qiao_dmn_worker_emit_list(w, found);
        found = NULL;
        *more = 1;
    } else if (!err && what == QIAO_EVM_NEED_PARENT) {
        err = reorg(w, &h, d);
    }
    if (!err && (what == QIAO_EVM_EXTENDED || what == QIAO_EVM_NEED_PARENT))
        emit_scanned(w, &raw, &h);
    qiao_dmn_item_free_list(found);
    qiao_buf_clear(&raw);
    return err;
}

static qiao_err follow(struct qiao_dmn_worker *w, struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    qiao_err err = qiao_evm_source_header(w->src, &h, &raw, "latest", d);
    qiao_buf_clear(&raw);
    if (err)
        return err;
    w->node_head = h.number;
    int more = 1;
    char num[24];
    for (int i = 0; !err && more && i < CATCHUP_BUDGET && w->src->chain.tip < w->node_head &&
                    !w->stop; i++) {
        snprintf(num, sizeof(num), "0x%llx", (unsigned long long)(w->src->chain.tip + 1));
        err = step(w, num, &more, d);
    }
    if (!err && h.number <= w->src->chain.tip) { /* same height, other hash: a sibling head */
        const struct qiao_evm_link *l = qiao_evm_chain_at(&w->src->chain, h.number);
        if (l && h.number == w->src->chain.tip && memcmp(l->hash, h.hash, 32) != 0)
            err = step(w, "latest", &more, d);
    }
    if (err && strcmp(d->reason, "reorg-below-finality") == 0)
        alert(w, d);
    update_final(w);
    return err;
}

/* Report FINAL or DROPPED for every watched block the verified chain can now judge. */
static void check_watches(struct qiao_dmn_worker *w)
{
    const struct qiao_evm_chain *c = &w->src->chain;
    uint64_t oldest = c->tip + 1 - (uint64_t)c->count;
    for (size_t i = 0; i < w->nwatch;) {
        struct qiao_dmn_watch *x = &w->watches[i];
        const struct qiao_evm_link *l = qiao_evm_chain_at(c, x->height);
        enum qiao_dmn_kind verdict = 0;
        if (l && memcmp(l->hash, x->hash, 32) != 0)
            verdict = QIAO_DMN_EV_DROPPED;
        else if (l && c->has_final && x->height <= c->final_number)
            verdict = QIAO_DMN_EV_FINAL;
        else if (!l && x->height < oldest)
            verdict = QIAO_DMN_EV_DROPPED; /* below the verified window: cannot be judged */
        if (!verdict) {
            i++;
            continue;
        }
        struct qiao_dmn_item *ev = qiao_dmn_item_new(verdict, w->o.chain.id);
        if (ev) {
            memcpy(ev->id, x->id, 32), memcpy(ev->hash, x->hash, 32);
            ev->height = x->height;
            ev->tip = c->tip;
            if (!l)
                snprintf(ev->error, sizeof(ev->error), "block %llu is below the verified window "
                         "(oldest %llu)", (unsigned long long)x->height, (unsigned long long)oldest);
            qiao_dmn_worker_emit(w, ev);
        }
        w->watches[i] = w->watches[--w->nwatch];
    }
}

/* ---- the thread ------------------------------------------------------------------------------ */

static void run_jobs(struct qiao_dmn_worker *w, struct qiao_dmn_item *jobs)
{
    while (jobs) {
        struct qiao_dmn_item *next = jobs->next;
        if (jobs->kind == QIAO_DMN_JOB_WATCH) {
            qiao_dmn_worker_watch(w, jobs->id, jobs->height, jobs->hash, NULL);
            qiao_dmn_item_free(jobs);
        } else if (jobs->kind == QIAO_DMN_JOB_SUBMIT && w->src) {
            qiao_dmn_submit(w, jobs);
            qiao_dmn_item_free(jobs);
        } else { /* no node yet: keep it */
            jobs->next = w->deferred;
            w->deferred = jobs;
        }
        jobs = next;
    }
}

static int ready(struct qiao_dmn_worker *w)
{
    struct qiao_diag d = {0};
    if (!w->src && connect_node(w, &d)) {
        set_error(w, &d);
        return 0;
    }
    if (!w->src->anchored && anchor(w, &d)) {
        set_error(w, &d);
        return 0;
    }
    return 1;
}

static void *worker_main(void *arg)
{
    struct qiao_dmn_worker *w = arg;
    struct qiao_diag d = {0};
    while (!w->stop) {
        unsigned wait = w->o.poll_ms;
        if (ready(w)) {
            struct qiao_dmn_item *def = w->deferred;
            w->deferred = NULL;
            run_jobs(w, def);
            qiao_diag_clear(&d);
            if (follow(w, &d) == QIAO_OK) {
                w->rpc_ok = 1, w->error[0] = 0;
                if (w->src->chain.tip < w->node_head)
                    wait = 0; /* still catching up */
            } else {
                set_error(w, &d);
            }
            check_watches(w);
        } else {
            wait = 1000;
        }
        report_head(w, 0);
        run_jobs(w, qiao_dmn_queue_wait(&w->jobs, wait, &w->stop));
    }
    return NULL;
}

qiao_err qiao_dmn_worker_start(struct qiao_dmn_worker **out, const struct qiao_dmn_worker_opts *o,
                               struct qiao_diag *d)
{
    struct qiao_dmn_worker *w = calloc(1, sizeof(*w));
    *out = NULL;
    if (!w)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "worker");
    w->o = *o;
    qiao_dmn_queue_init(&w->jobs);
    w->cx = qiao_crypto_create();
    if (!w->cx || qiao_rpc_lws_create(&w->lws, d)) {
        qiao_dmn_worker_stop(w);
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "worker crypto or lws context");
    }
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        qiao_dmn_worker_stop(w);
        return QIAO_FAIL(d, QIAO_EIO, "thread-failed", "cannot start chain %llu's worker",
                         (unsigned long long)o->chain.id);
    }
    w->thread_started = 1;
    *out = w;
    return QIAO_OK;
}

void qiao_dmn_worker_post(struct qiao_dmn_worker *w, struct qiao_dmn_item *job)
{
    qiao_dmn_queue_push(&w->jobs, job);
}

void qiao_dmn_worker_stop(struct qiao_dmn_worker *w)
{
    if (!w)
        return;
    if (w->thread_started) {
        pthread_mutex_lock(&w->jobs.mu);
        w->stop = 1;
        pthread_cond_broadcast(&w->jobs.cv);
        pthread_mutex_unlock(&w->jobs.mu);
        pthread_join(w->thread, NULL);
    }
    qiao_evm_source_destroy(w->src);
    if (w->lws)
        lws_context_destroy(w->lws);
    qiao_crypto_destroy(w->cx);
    qiao_dmn_item_free_list(w->deferred);
    qiao_dmn_queue_clear(&w->jobs);
    free(w->watches);
    qiao_wipe(w->o.seckey, sizeof(w->o.seckey));
    free(w);
}
