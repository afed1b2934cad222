/*
 * dmn_evidence.c: the API method evidence.export {id} (relay/export/export.h).
 *
 * Exporting fetches header segments and receipt proofs over RPC, which can take seconds; the
 * service thread must not block on it (the mesh, the pipeline and the API share it).  So the
 * method works as a job: the service thread copies what the store knows (qiao_export_gather)
 * and starts one export thread, which runs qiao_export_bundle on its own lws_context (the
 * config is read-only after start-up, so sharing it is safe).  Calls answer
 *   {"state":"running"}                  while the thread works (call again), or
 *   {"state":"done","bundle":"<text>"}   the canonical bundle, byte for byte the file to write,
 * or a JSON-RPC error with the export's reason.  One export runs at a time ("busy" for another
 * id); a finished result stays until another id is asked for.  `qiao evidence export --api`
 * polls this.  Tried first: exporting inside the API callback.  It blocked the loop for as long as
 * the chains took to answer, and the RPC client may not run its own loop inside an lws callback.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/daemon/daemon_int.h"
#include "relay/export/export.h"
#include "relay/rpc/rpc.h"

struct qiao_dmn_export {
    pthread_t thread;
    int started;   /* a thread was created and not yet joined */
    pthread_mutex_t mu;
    int done;      /* under mu: the thread finished */
    volatile int cancel;
    uint8_t id[32];
    const struct qiao_config *cfg;
    struct qiao_export_req *rq;
    struct qiao_buf out;
    qiao_err err;
    struct qiao_diag d;
};

static void *export_main(void *arg)
{
    struct qiao_dmn_export *x = arg;
    struct lws_context *lws = NULL;
    struct qiao_buf out = {0};
    struct qiao_diag d = {0};
    qiao_err err = qiao_rpc_lws_create(&lws, &d);
    if (!err)
        err = qiao_export_bundle(&out, x->rq, x->cfg, lws, &x->cancel, &d);
    if (lws)
        lws_context_destroy(lws);
    pthread_mutex_lock(&x->mu);
    x->out = out, x->err = err, x->d = d, x->done = 1;
    pthread_mutex_unlock(&x->mu);
    return NULL;
}

static int finished(struct qiao_dmn_export *x)
{
    pthread_mutex_lock(&x->mu);
    int done = x->done;
    pthread_mutex_unlock(&x->mu);
    if (done && x->started) {
        pthread_join(x->thread, NULL);
        x->started = 0;
    }
    return done;
}

/* Forget the previous job (the caller checked it is not running). */
static void reset(struct qiao_dmn_export *x)
{
    qiao_buf_clear(&x->out);
    free(x->rq);
    x->rq = NULL, x->done = 0, x->cancel = 0, x->err = QIAO_OK;
    memset(x->id, 0, sizeof(x->id));
}

static qiao_err start(struct qiao_daemon *dm, struct qiao_dmn_export *x, const uint8_t id[32],
                      struct qiao_diag *d)
{
    reset(x);
    x->rq = malloc(sizeof(*x->rq));
    if (!x->rq)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "evidence.export");
    if (qiao_export_gather(x->rq, dm->store, id, d)) {
        reset(x);
        return d->code;
    }
    memcpy(x->id, id, 32);
    x->cfg = dm->cfg;
    if (pthread_create(&x->thread, NULL, export_main, x) != 0) {
        reset(x);
        return QIAO_FAIL(d, QIAO_EIO, "thread-failed", "evidence.export: cannot start a thread");
    }
    x->started = 1;
    return QIAO_OK;
}

static cJSON *state(const char *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "state", s);
    return o;
}

static qiao_err answer(struct qiao_dmn_export *x, cJSON **result, struct qiao_diag *d)
{
    if (x->err) {
        *d = x->d;
        return x->err;
    }
    char *text = malloc(x->out.len + 1);
    if (!text)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "evidence.export reply");
    memcpy(text, x->out.p, x->out.len);
    text[x->out.len] = 0;
    *result = state("done");
    cJSON_AddStringToObject(*result, "bundle", text);
    free(text);
    return QIAO_OK;
}

static qiao_err export_call(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                            struct qiao_diag *d)
{
    uint8_t id[32];
    const cJSON *v = cJSON_IsObject(params) ? qiao_json_get(params, "id")
                     : cJSON_IsArray(params) ? cJSON_GetArrayItem(params, 0) : NULL;
    if (!cJSON_IsString(v))
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "evidence.export needs the message id");
    if (qiao_hex_decode_exact(id, 32, v->valuestring, d))
        return qiao_diag_wrap(d, "evidence.export: id");
    if (!dm->exporter) {
        if (!(dm->exporter = calloc(1, sizeof(*dm->exporter))))
            return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "evidence.export");
        pthread_mutex_init(&dm->exporter->mu, NULL);
    }
    struct qiao_dmn_export *x = dm->exporter;
    int same = memcmp(x->id, id, 32) == 0 && x->rq;
    int done = !x->started || finished(x);
    if (!done && !same)
        return QIAO_FAIL(d, QIAO_ESTATE, "busy", "evidence.export: another export is running");
    if (same && done) {
        qiao_err err = answer(x, result, d);
        if (err) /* a failed export is not cached: the next call starts afresh */
            reset(x);
        return err;
    }
    if (!same)
        QIAO_TRY(start(dm, x, id, d));
    *result = state("running");
    return QIAO_OK;
}

qiao_err qiao_dmn_evidence_call(struct qiao_daemon *dm, const char *method, const cJSON *params,
                                cJSON **result, struct qiao_diag *d)
{
    if (strcmp(method, "evidence.export") == 0)
        return export_call(dm, params, result, d);
    return QIAO_FAIL(d, QIAO_ENOTFOUND, "method-not-found", "no method \"%.60s\" "
                     "(evidence.export)", method);
}

void qiao_dmn_evidence_stop(struct qiao_daemon *dm)
{
    struct qiao_dmn_export *x = dm->exporter;
    if (!x)
        return;
    x->cancel = 1;
    if (x->started)
        pthread_join(x->thread, NULL);
    x->started = 0;
    reset(x);
    pthread_mutex_destroy(&x->mu);
    free(x);
    dm->exporter = NULL;
}
