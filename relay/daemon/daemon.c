/*
 * daemon.c: `qiao run` start-up, the service loop and shutdown (daemon.h).
 *
 * Start-up order is chosen so that a refusal happens before anything is listening: config (every
 * error names its field), key (mode and plaintext rules), store (migrations), committee shape,
 * then the lws context with the API, the mesh and the chain workers.  The loop is lws_service;
 * the pipeline runs from an lws_sul timer (dmn_pipeline.c) and is woken early by workers through
 * lws_cancel_service(), which lws turns into LWS_CALLBACK_EVENT_WAIT_CANCELLED on our protocol.
 */
#include "relay/daemon/daemon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay/api/server.h"
#include "relay/core/bytes.h"
#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/daemon_int.h"
#include "relay/daemon/dmn_swap.h"
#include "relay/mesh/mesh.h"
#include "relay/rpc/tls_client.h"
#include "relay/store/chains.h"
#include "relay/store/store.h"

int64_t qiao_dmn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

qiao_err qiao_dmn_ids_add(struct qiao_dmn_ids *l, const uint8_t id[32])
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        void *p = realloc(l->v, cap * 32);
        if (!p)
            return QIAO_ENOMEM;
        l->v = p, l->cap = cap;
    }
    memcpy(l->v[l->n++], id, 32);
    return QIAO_OK;
}

void qiao_dmn_ids_clear(struct qiao_dmn_ids *l)
{
    free(l->v);
    memset(l, 0, sizeof(*l));
}

int qiao_dmn_chain_index(const struct qiao_daemon *dm, uint64_t id)
{
    for (unsigned i = 0; i < dm->cfg->n_chains; i++)
        if (dm->cfg->chains[i].id == id)
            return (int)i;
    return -1;
}

struct qiao_dmn_worker *qiao_dmn_worker_of(struct qiao_daemon *dm, uint64_t id)
{
    int i = qiao_dmn_chain_index(dm, id);
    return i < 0 ? NULL : dm->workers[i];
}

/* ---- lws wake-up ----------------------------------------------------------------------------- */

static int wake_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
    if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED) {
        struct qiao_daemon *dm = lws_context_user(lws_get_context(wsi));
        if (dm && dm->store)
            lws_sul_schedule(dm->lws, 0, &dm->cron, qiao_dmn_cron, 1);
        return 0;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols wake_protocols[] = {
    {.name = "qiao-daemon", .callback = wake_callback},
    {.name = NULL, .callback = NULL},
};

static qiao_err lws_start(struct qiao_daemon *dm, struct qiao_diag *d)
{
    const char *level = getenv("QIAO_LWS_LOG");
    lws_set_log_level(level ? atoi(level) : LLL_ERR, NULL);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = wake_protocols;
    info.user = dm;
    /* Our own client SSL_CTX: lws 4.1 leaks the ones it makes when a process has several
     * contexts, as a notary does (relay/rpc/tls_client.h). */
    QIAO_TRY(qiao_tls_client_setup(&info, NULL, NULL, NULL, d));
    dm->lws = lws_create_context(&info);
    if (!dm->lws)
        return QIAO_FAIL(d, QIAO_EIO, "lws-context", "cannot create the service lws context");
    return QIAO_OK;
}

/* ---- start-up -------------------------------------------------------------------------------- */

static qiao_err load_key(struct qiao_daemon *dm, int plaintext_ok, struct qiao_diag *d)
{
    const struct qiao_config *c = dm->cfg;
    char pass[QIAO_KEYS_PASSPHRASE_MAX + 2];
    size_t plen = 0;
    qiao_err err = qiao_keys_passphrase(pass, sizeof(pass), &plen,
                                        c->notary.passphrase_env[0] ? c->notary.passphrase_env
                                                                    : NULL,
                                        c->notary.passphrase_file[0] ? c->notary.passphrase_file
                                                                     : NULL, d);
    if (err && plaintext_ok && err == QIAO_ENOTFOUND) /* a plaintext key needs no passphrase */
        err = QIAO_OK, plen = 0;
    if (!err)
        err = qiao_keys_load(&dm->key, c->notary.key_file, pass, plen, plaintext_ok, d);
    qiao_wipe(pass, sizeof(pass));
    if (err)
        return qiao_diag_wrap(d, "notary.key_file %s", c->notary.key_file);
    if (memcmp(dm->key.address, c->notary.address, 20) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "key-address-mismatch",
                         "notary.address: the key file holds another address");
    return QIAO_OK;
}

static int addr_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

static qiao_err committee_setup(struct qiao_daemon *dm, struct qiao_diag *d)
{
    const struct qiao_cfg_committee *c = &dm->cfg->committee;
    memcpy(dm->members, c->members, sizeof(dm->members));
    qsort(dm->members, c->n, 20, addr_cmp);
    memcpy(dm->committee.id, c->id, 32);
    dm->committee.epoch = c->epoch;
    dm->committee.members = (const uint8_t(*)[20])dm->members;
    dm->committee.n = c->n;
    dm->committee.k = c->k;
    QIAO_TRY(qiao_committee_check(&dm->committee, d));
    for (unsigned i = 0; i < c->n; i++)
        if (memcmp(dm->members[i], dm->key.address, 20) == 0)
            dm->self_index = i;
    qiao_hex_encode0x(dm->self_label, dm->key.address, 20);
    return QIAO_OK;
}

static qiao_err store_start(struct qiao_daemon *dm, struct qiao_diag *d)
{
    QIAO_TRY(qiao_store_open(&dm->store, dm->cfg->store_path, d));
    for (unsigned i = 0; i < dm->cfg->n_chains; i++) {
        const struct qiao_cfg_chain *c = &dm->cfg->chains[i];
        struct qiao_store_chain sc = {.id = c->id, .has_checkpoint = c->has_checkpoint,
                                      .checkpoint_height = c->checkpoint_height};
        snprintf(sc.name, sizeof(sc.name), "%s", c->name);
        snprintf(sc.family, sizeof(sc.family), "%s", c->family);
        memcpy(sc.checkpoint_hash, c->checkpoint_hash, 32);
        QIAO_TRY(qiao_store_chain_put(dm->store, &sc, d));
    }
    return QIAO_OK;
}

/* Lowest block of a message still waiting for finality on chain (to anchor below it). */
struct lowest {
    uint64_t chain, height;
    uint8_t hash[32];
    int found;
};

static int lowest_cb(void *ctx, const struct qiao_store_msg_row *row)
{
    struct lowest *l = ctx;
    if (row->msg.src_chain == l->chain && (!l->found || row->status.src.block_height < l->height)) {
        l->found = 1, l->height = row->status.src.block_height;
        memcpy(l->hash, row->status.src.block_hash, 32);
    }
    return 0;
}

static int zero32(const uint8_t h[32])
{
    for (int i = 0; i < 32; i++)
        if (h[i])
            return 0;
    return 1;
}

/* Where a worker starts: the earliest unfinalised message's block, else the last scanned block,
 * else the configured checkpoint, else the node's latest block. */
static void choose_anchor(struct qiao_daemon *dm, const struct qiao_cfg_chain *c,
                          struct qiao_dmn_worker_opts *o)
{
    struct lowest low = {.chain = c->id};
    struct qiao_store_header h;
    qiao_store_msg_list(dm->store, QIAO_MSG_OBSERVED, 0, 100000, lowest_cb, &low, NULL);
    if (low.found) {
        qiao_hex_encode0x(o->anchor, low.hash, 32);
    } else if (qiao_store_header_tip(dm->store, c->id, &h, NULL) == QIAO_OK) {
        qiao_hex_encode0x(o->anchor, h.hash, 32);
    } else if (c->has_checkpoint) {
        snprintf(o->anchor, sizeof(o->anchor), "0x%llx", (unsigned long long)c->checkpoint_height);
        o->check_anchor_hash = !zero32(c->checkpoint_hash);
        memcpy(o->anchor_hash, c->checkpoint_hash, 32);
    } else {
        snprintf(o->anchor, sizeof(o->anchor), "latest");
    }
}

struct watch_ctx {
    struct qiao_dmn_worker *w;
    uint64_t chain;
};

static int watch_cb(void *ctx, const struct qiao_store_msg_row *row)
{
    struct watch_ctx *c = ctx;
    if (row->msg.src_chain != c->chain)
        return 0;
    struct qiao_dmn_item *job = qiao_dmn_item_new(QIAO_DMN_JOB_WATCH, c->chain);
    if (job) {
        memcpy(job->id, row->msg.id, 32), memcpy(job->hash, row->status.src.block_hash, 32);
        job->height = row->status.src.block_height;
        qiao_dmn_worker_post(c->w, job);
    }
    return 0;
}

static qiao_err workers_start(struct qiao_daemon *dm, struct qiao_diag *d)
{
    for (unsigned i = 0; i < dm->cfg->n_chains; i++) {
        const struct qiao_cfg_chain *c = &dm->cfg->chains[i];
        struct qiao_dmn_worker_opts *o = calloc(1, sizeof(*o));
        if (!o)
            return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "worker options");
        if (strcmp(c->family, "evm") != 0) {
            QIAO_LOG(QIAO_LOG_WARN, "daemon", "chain=%llu family=%s not driven by this build",
                     (unsigned long long)c->id, c->family);
            free(o);
            continue;
        }
        o->chain = *c;
        choose_anchor(dm, c, o);
        memcpy(o->seckey, dm->key.seckey, 32);
        snprintf(o->nonce_path, sizeof(o->nonce_path), "%s.nonces-%llu", dm->cfg->store_path,
                 (unsigned long long)c->id);
        o->rpc_timeout_ms = dm->cfg->rpc_timeout_ms;
        o->poll_ms = 200;
        o->events = &dm->events;
        o->wake = dm->lws;
        qiao_err err = qiao_dmn_worker_start(&dm->workers[i], o, d);
        qiao_wipe(o->seckey, 32);
        QIAO_LOG(QIAO_LOG_INFO, "daemon", "chain=%llu name=%s worker=started anchor=%s",
                 (unsigned long long)c->id, c->name, o->anchor);
        free(o);
        if (err)
            return err;
        struct watch_ctx wc = {.w = dm->workers[i], .chain = c->id};
        QIAO_TRY(qiao_store_msg_list(dm->store, QIAO_MSG_OBSERVED, 0, 1000000, watch_cb, &wc, d));
    }
    return QIAO_OK;
}

static void daemon_free(struct qiao_daemon *dm)
{
    qiao_dmn_evidence_stop(dm);
    for (unsigned i = 0; i < QIAO_CFG_MAX_CHAINS; i++)
        qiao_dmn_worker_stop(dm->workers[i]);
    qiao_dmn_swaps_stop(dm);
    if (dm->lws)
        lws_sul_cancel(&dm->cron);
    qiao_mesh_destroy(dm->mesh);
    qiao_api_destroy(dm->api);
    if (dm->lws)
        lws_context_destroy(dm->lws);
    qiao_store_close(dm->store);
    qiao_dmn_item_free_list(dm->retry_events);
    qiao_dmn_queue_clear(&dm->events);
    qiao_dmn_ids_clear(&dm->to_sign);
    qiao_dmn_ids_clear(&dm->to_certify);
    free(dm->patts);
    free(dm->incl);
    qiao_crypto_destroy(dm->cx);
    qiao_key_clear(&dm->key);
    free(dm->cfg);
    free(dm);
}

static qiao_err start(struct qiao_daemon *dm, const struct qiao_daemon_opts *o,
                      struct qiao_diag *d)
{
    QIAO_TRY(qiao_config_load(dm->cfg, o->config_path, d));
    QIAO_TRY(load_key(dm, o->insecure_plaintext_key, d));
    if (!(dm->cx = qiao_crypto_create()))
        return QIAO_FAIL(d, QIAO_ENOMEM, "crypto", "cannot create a crypto context");
    QIAO_TRY(committee_setup(dm, d));
    QIAO_TRY(store_start(dm, d));
    QIAO_TRY(qiao_dmn_recover(dm, d));
    QIAO_TRY(lws_start(dm, d));
    QIAO_TRY(qiao_dmn_api_start(dm, d));
    QIAO_TRY(qiao_dmn_mesh_start(dm, d));
    QIAO_TRY(workers_start(dm, d));
    return qiao_dmn_swaps_start(dm, d);
}

qiao_err qiao_daemon_run(const struct qiao_daemon_opts *o, struct qiao_diag *d)
{
    struct qiao_daemon *dm = calloc(1, sizeof(*dm));
    if (!dm || !(dm->cfg = calloc(1, sizeof(*dm->cfg)))) {
        free(dm);
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "daemon");
    }
    dm->stop = o->stop;
    dm->started_ms = qiao_dmn_now();
    qiao_dmn_queue_init(&dm->events);
    qiao_metrics_init(&dm->metrics);
    qiao_err err = start(dm, o, d);
    if (!err) {
        QIAO_LOG(QIAO_LOG_INFO, "daemon", "notary=%s index=%u committee_k=%u n=%zu state=running",
                 dm->self_label, dm->self_index, dm->committee.k, dm->committee.n);
        lws_sul_schedule(dm->lws, 0, &dm->cron, qiao_dmn_cron, 1);
        while (!*dm->stop)
            if (lws_service(dm->lws, 0) < 0)
                break;
        QIAO_LOG(QIAO_LOG_INFO, "daemon", "notary=%s state=stopping", dm->self_label);
    }
    daemon_free(dm);
    return err;
}
