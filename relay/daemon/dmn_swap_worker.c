/*
 * dmn_swap_worker.c: the swap worker's thread (dmn_swap.h): watches, following, scanning, sends.
 *
 * One thread serves every chain that has a watched leg, so a swap costs no thread of its own.
 * Per chain it keeps an EVM source anchored at the earliest watched leg's from_height (the node
 * is trusted for that one block, as the message workers trust their anchor), follows headers by
 * number into the verified chain (a header that does not link is handed to the source's sync,
 * which fetches the branch by parent hash), and scans each block once it is final under the
 * chain's configured confirmations.  A scan that fails (node unreachable, receipts that do not
 * prove) leaves the cursor where it is: the block is tried again next round, never skipped.
 * A send blocks the thread until its receipt (at most 20 s): swaps are few and slow, and sends
 * are rare, so one thread keeps the ordering simple.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_source.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/log.h"
#include "relay/daemon/dmn_swap_int.h"
#include "relay/rpc/rpc.h"

#define STEP_BUDGET 64 /* headers per chain per round */
#define ROUND_MS 200

struct swchain {
    const struct qiao_cfg_chain *cfg;
    struct qiao_evm_source *src;
    uint64_t cursor; /* next block to scan */
    char nonce_path[QIAO_CFG_PATH_MAX + 48];
    char error[QIAO_HTLC_NOTE_MAX];
    int bitcoin;                /* a Bitcoin chain: btc below instead of src */
    struct qiao_swap_btc *btc;  /* dmn_swap_btc.c */
    int restart;                /* re-anchor the Bitcoin chain lower */
};

struct qiao_swap_worker {
    struct qiao_swap_worker_opts o;
    pthread_t thread;
    volatile int stop;
    int started;
    struct qiao_swq jobs;
    struct lws_context *lws;
    struct qiao_crypto *cx;
    struct swchain chains[QIAO_CFG_MAX_CHAINS];
    struct qiao_swap_watch *ws;
    size_t nw, capw;
};

static void note_error(struct swchain *c, const struct qiao_diag *d)
{
    if (strncmp(c->error, d->reason, strlen(d->reason)) != 0)
        QIAO_LOG(QIAO_LOG_WARN, "swap", "chain=%llu reason=%s msg=\"%s\"",
                 (unsigned long long)c->cfg->id, d->reason, d->msg);
    snprintf(c->error, sizeof(c->error), "%.47s: %.100s", d->reason, d->msg);
}

static struct swchain *chain_of(struct qiao_swap_worker *w, uint64_t id)
{
    for (unsigned i = 0; i < w->o.n_chains; i++)
        if (w->chains[i].cfg->id == id)
            return &w->chains[i];
    return NULL;
}

/* ---- watches --------------------------------------------------------------------------------- */

static void reset_chain(struct swchain *c)
{
    qiao_evm_source_destroy(c->src);
    c->src = NULL;
}

static void add_watch(struct qiao_swap_worker *w, const struct qiao_swq_item *job)
{
    struct swchain *c = chain_of(w, job->chain);
    if (!c)
        return;
    for (size_t i = 0; i < w->nw; i++)
        if (memcmp(w->ws[i].id, job->id, 32) == 0 && w->ws[i].leg == job->leg)
            return;
    if (w->nw == w->capw) {
        size_t cap = w->capw ? w->capw * 2 : 16;
        void *p = realloc(w->ws, cap * sizeof(*w->ws));
        if (!p)
            return;
        w->ws = p, w->capw = cap;
    }
    struct qiao_swap_watch *x = &w->ws[w->nw++];
    memset(x, 0, sizeof(*x));
    memcpy(x->id, job->id, 32), memcpy(x->contract, job->contract, 20);
    memcpy(x->hashlock, job->hashlock, 32);
    x->leg = job->leg, x->chain = job->chain, x->from = job->height;
    memcpy(x->program, job->program, 32);
    if (c->bitcoin && x->from < qiao_swap_btc_cursor(c->btc) &&
        qiao_swap_btc_cursor(c->btc) != UINT64_MAX)
        c->restart = 1;
    /* A leg that starts below the scanned range is scanned from its start: re-anchor. */
    if (c->src && c->src->anchored && x->from < c->cursor)
        reset_chain(c);
}

static void forget(struct qiao_swap_worker *w, const uint8_t id[32])
{
    for (size_t i = 0; i < w->nw;)
        if (memcmp(w->ws[i].id, id, 32) == 0)
            w->ws[i] = w->ws[--w->nw];
        else
            i++;
}

/* ---- sending --------------------------------------------------------------------------------- */

static void send_job(struct qiao_swap_worker *w, const struct qiao_swq_item *job)
{
    struct swchain *c = chain_of(w, job->chain);
    struct qiao_swq_item *ev = qiao_swq_new(QIAO_SWQ_SENT);
    struct qiao_diag d = {0};
    if (!ev)
        return;
    memcpy(ev->id, job->id, 32);
    ev->leg = job->leg, ev->chain = job->chain, ev->action = job->action;
    qiao_err err = c && c->bitcoin ? qiao_swap_btc_send(c->btc, w->cx, job, ev->tx, &d)
                   : c && c->src ? qiao_swap_evm_send(c->src, w->cx, c->cfg, w->o.seckey,
                                                    c->nonce_path, job, ev->tx, &d)
                               : QIAO_FAIL(&d, QIAO_ESTATE, "chain-not-ready", "chain %llu has "
                                           "no connected source yet",
                                           (unsigned long long)job->chain);
    ev->ok = err == QIAO_OK;
    if (err)
        snprintf(ev->error, sizeof(ev->error), "%.47s: %.100s", d.reason, d.msg);
    QIAO_LOG(err ? QIAO_LOG_WARN : QIAO_LOG_INFO, "swap", "chain=%llu action=%s ok=%d%s%s",
             (unsigned long long)job->chain,
             job->action == QIAO_HTLC_SENT_REFUND ? "refund" : "claim", ev->ok,
             err ? " error=" : "", err ? ev->error : "");
    qiao_swq_push(w->o.events, ev);
}

/* ---- following and scanning ------------------------------------------------------------------ */

static uint64_t lowest_from(struct qiao_swap_worker *w, uint64_t chain, int *any)
{
    uint64_t low = UINT64_MAX;
    *any = 0;
    for (size_t i = 0; i < w->nw; i++)
        if (w->ws[i].chain == chain && w->ws[i].from < low)
            low = w->ws[i].from, *any = 1;
    return low;
}

static qiao_err connect_and_anchor(struct qiao_swap_worker *w, struct swchain *c, uint64_t from,
                                   struct qiao_diag *d)
{
    if (!c->src) {
        struct qiao_evm_source_opts so = {
            .url = c->cfg->n_http ? c->cfg->http[0] : c->cfg->ws[0],
            .chain_id = c->cfg->id,
            .finality = {.confirmations = c->cfg->confirmations,
                         .use_finalized_tag = c->cfg->finality == QIAO_CFG_FINALITY_FINALIZED_TAG},
            .timeout_ms = w->o.rpc_timeout_ms,
        };
        QIAO_TRY(qiao_evm_source_create(&c->src, w->lws, &so, d));
    }
    if (!c->src->anchored) {
        char num[24];
        snprintf(num, sizeof(num), "0x%llx", (unsigned long long)from);
        QIAO_TRY(qiao_evm_source_anchor(c->src, num, d));
        c->cursor = from;
        QIAO_LOG(QIAO_LOG_INFO, "swap", "chain=%llu anchored height=%llu",
                 (unsigned long long)c->cfg->id, (unsigned long long)from);
    }
    return QIAO_OK;
}

/* Extend the verified chain towards the node's head, STEP_BUDGET headers at most. */
static qiao_err follow(struct swchain *c, struct qiao_diag *d)
{
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    struct qiao_evm_sync_result res;
    QIAO_TRY(qiao_evm_source_header(c->src, &h, &raw, "latest", d));
    uint64_t head = h.number;
    qiao_err err = QIAO_OK;
    for (int i = 0; !err && i < STEP_BUDGET && c->src->chain.tip < head; i++) {
        char num[24];
        enum qiao_evm_offer what;
        uint64_t depth;
        snprintf(num, sizeof(num), "0x%llx", (unsigned long long)(c->src->chain.tip + 1));
        err = qiao_evm_source_header(c->src, &h, &raw, num, d);
        if (!err)
            err = qiao_evm_chain_offer(&c->src->chain, &what, &depth, &h, d);
        if (!err && what != QIAO_EVM_EXTENDED)
            break; /* a branch: the sync below fetches it by parent hash */
    }
    qiao_buf_clear(&raw);
    if (!err && c->src->chain.tip + STEP_BUDGET >= head)
        err = qiao_evm_source_sync(c->src, &res, d); /* siblings and reorgs near the head */
    return err;
}

static int final_height(const struct swchain *c, uint64_t *out)
{
    const struct qiao_evm_chain *ch = &c->src->chain;
    if (c->cfg->finality == QIAO_CFG_FINALITY_FINALIZED_TAG) {
        *out = ch->final_number;
        return ch->has_final;
    }
    if (ch->tip < c->cfg->confirmations)
        return 0;
    *out = ch->tip - c->cfg->confirmations;
    return 1;
}

static void emit_clock(struct qiao_swap_worker *w, struct swchain *c)
{
    const struct qiao_evm_link *tip = qiao_evm_chain_tip(&c->src->chain);
    struct qiao_swq_item *ev = qiao_swq_new(QIAO_SWQ_CLOCK);
    if (!ev)
        return;
    ev->chain = c->cfg->id, ev->height = tip->number, ev->time = tip->timestamp;
    qiao_swq_push(w->o.events, ev);
}

/* Scan every final block from the cursor; stop at the first failure (retried next round). */
static void scan_final(struct qiao_swap_worker *w, struct swchain *c)
{
    struct qiao_swap_watch *mine = malloc(sizeof(*mine) * (w->nw + 1));
    size_t n = 0;
    uint64_t fin;
    if (!mine)
        return;
    for (size_t i = 0; i < w->nw; i++)
        if (w->ws[i].chain == c->cfg->id)
            mine[n++] = w->ws[i];
    while (!w->stop && final_height(c, &fin) && c->cursor <= fin) {
        const struct qiao_evm_link *l = qiao_evm_chain_at(&c->src->chain, c->cursor);
        struct qiao_diag d = {0};
        if (!l) { /* fell out of the verified window: cannot be proven any more */
            QIAO_LOG(QIAO_LOG_WARN, "swap", "chain=%llu block=%llu below the verified window",
                     (unsigned long long)c->cfg->id, (unsigned long long)c->cursor);
            c->cursor++;
            continue;
        }
        if (qiao_swap_evm_scan(c->src, l, mine, n, w->o.events, &d)) {
            note_error(c, &d);
            break;
        }
        c->cursor++;
    }
    /* Lock ids learned while scanning belong to the watches, not to this copy. */
    for (size_t i = 0, k = 0; i < w->nw && k < n; i++)
        if (w->ws[i].chain == c->cfg->id)
            w->ws[i] = mine[k++];
    free(mine);
}

static void round_bitcoin(struct qiao_swap_worker *w, struct swchain *c, uint64_t from)
{
    struct qiao_swap_watch *mine = malloc(sizeof(*mine) * (w->nw + 1));
    struct qiao_diag d = {0};
    size_t n = 0;
    if (!mine)
        return;
    for (size_t i = 0; i < w->nw; i++)
        if (w->ws[i].chain == c->cfg->id)
            mine[n++] = w->ws[i];
    int restart = c->restart;
    c->restart = 0;
    if (qiao_swap_btc_round(&c->btc, w->lws, w->cx, c->cfg, w->o.rpc_timeout_ms, from, restart,
                            mine, n, w->o.events, &d))
        note_error(c, &d);
    else
        c->error[0] = 0;
    free(mine);
}

static void round_chain(struct qiao_swap_worker *w, struct swchain *c)
{
    struct qiao_diag d = {0};
    int any;
    uint64_t from = lowest_from(w, c->cfg->id, &any);
    if (!any)
        return;
    if (c->bitcoin) {
        round_bitcoin(w, c, from);
        return;
    }
    if (connect_and_anchor(w, c, from, &d) || follow(c, &d)) {
        note_error(c, &d);
        if (c->src && !c->src->anchored)
            reset_chain(c);
        return;
    }
    c->error[0] = 0;
    emit_clock(w, c);
    scan_final(w, c);
}

static void run_jobs(struct qiao_swap_worker *w, struct qiao_swq_item *jobs)
{
    while (jobs) {
        struct qiao_swq_item *next = jobs->next;
        if (jobs->kind == QIAO_SWQ_WATCH)
            add_watch(w, jobs);
        else if (jobs->kind == QIAO_SWQ_FORGET)
            forget(w, jobs->id);
        else if (jobs->kind == QIAO_SWQ_SEND)
            send_job(w, jobs);
        free(jobs);
        jobs = next;
    }
}

static void *worker_main(void *arg)
{
    struct qiao_swap_worker *w = arg;
    while (!w->stop) {
        run_jobs(w, qiao_swq_take(&w->jobs, ROUND_MS, &w->stop));
        for (unsigned i = 0; i < w->o.n_chains && !w->stop; i++)
            round_chain(w, &w->chains[i]);
    }
    return NULL;
}

qiao_err qiao_swap_worker_start(struct qiao_swap_worker **out,
                                const struct qiao_swap_worker_opts *o, struct qiao_diag *d)
{
    struct qiao_swap_worker *w = calloc(1, sizeof(*w));
    *out = NULL;
    if (!w)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swap worker");
    w->o = *o;
    qiao_swq_init(&w->jobs);
    for (unsigned i = 0; i < o->n_chains; i++) {
        w->chains[i].cfg = &w->o.chains[i];
        w->chains[i].bitcoin = strcmp(o->chains[i].family, "bitcoin") == 0;
        snprintf(w->chains[i].nonce_path, sizeof(w->chains[i].nonce_path), "%s.swap-nonces-%llu",
                 o->nonce_prefix, (unsigned long long)o->chains[i].id);
    }
    w->cx = qiao_crypto_create();
    if (!w->cx || qiao_rpc_lws_create(&w->lws, d)) {
        qiao_swap_worker_stop(w);
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swap worker crypto or lws context");
    }
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        qiao_swap_worker_stop(w);
        return QIAO_FAIL(d, QIAO_EIO, "thread-failed", "cannot start the swap worker");
    }
    w->started = 1;
    *out = w;
    return QIAO_OK;
}

void qiao_swap_worker_post(struct qiao_swap_worker *w, struct qiao_swq_item *job)
{
    qiao_swq_push(&w->jobs, job);
}

void qiao_swap_worker_stop(struct qiao_swap_worker *w)
{
    if (!w)
        return;
    if (w->started) {
        pthread_mutex_lock(&w->jobs.mu);
        w->stop = 1;
        pthread_cond_broadcast(&w->jobs.cv);
        pthread_mutex_unlock(&w->jobs.mu);
        pthread_join(w->thread, NULL);
    }
    for (unsigned i = 0; i < w->o.n_chains; i++) {
        qiao_evm_source_destroy(w->chains[i].src);
        qiao_swap_btc_destroy(w->chains[i].btc);
    }
    if (w->lws)
        lws_context_destroy(w->lws);
    qiao_crypto_destroy(w->cx);
    qiao_swq_clear(&w->jobs);
    free(w->ws);
    qiao_wipe(w->o.seckey, sizeof(w->o.seckey));
    free(w);
}
