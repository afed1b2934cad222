/*
 * cmd_evidence.c: `qiao evidence export ID -o FILE [--api URL | --config FILE]` and
 * `qiao evidence trust --config FILE -o FILE` (relay/export/export.h, docs/OPERATIONS.md).
 *
 * export --api asks a running notary (method evidence.export, polled until the notary's export
 * thread is done); export --config does the same work in this process from the notary's config,
 * reading its store (SQLite WAL allows it while the notary runs) and its chains' RPC.  Either way
 * the bundle was verified by the pure verifier before it reaches this file.  --tsa-cmd adds an
 * RFC 3161 token here, on the operator's machine, never inside the daemon.
 * Exit codes: 0 written, 1 failed (the reason is printed), 2 usage.
 */
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay/cli/cli_args.h"
#include "relay/cli/cmd_api.h"
#include "relay/cli/commands.h"
#include "relay/core/hex.h"
#include "relay/export/export.h"
#include "relay/rpc/rpc.h"
#include "relay/store/store.h"

#define EXPORT_POLL_MS 200
#define EXPORT_WAIT_MS 300000

struct ev_args {
    const char *id, *out, *api, *config, *tsa_cmd, *tsa_cert;
};

static int usage(void)
{
    fprintf(stderr,
            "usage: qiao evidence export ID -o FILE [--api URL | --config FILE]\n"
            "                            [--tsa-cmd CMD [--tsa-cert PEM]]\n"
            "       qiao evidence trust --config FILE -o FILE [--tsa-cert PEM]\n"
            "  export writes the verified qiao-evidence/1 bundle of a delivered message;\n"
            "  trust writes the qiao-trust/1 file (committee, checkpoints, contracts).\n"
            "  --tsa-cmd runs under /bin/sh with $QIAO_TSQ (request) and must write the\n"
            "  TSA's reply to $QIAO_TSR.  Exit 0 written, 1 failed, 2 usage.\n");
    return 2;
}

static int parse(struct ev_args *a, int argc, char **argv)
{
    const struct qiao_cli_opt opts[] = {
        {.name = "-o", .alias = "--out", .value = &a->out},
        {.name = "--api", .value = &a->api},
        {.name = "--config", .value = &a->config},
        {.name = "--tsa-cmd", .value = &a->tsa_cmd},
        {.name = "--tsa-cert", .value = &a->tsa_cert},
        {.name = NULL},
    };
    return qiao_cli_parse(argc, argv, 2, opts, &a->id);
}

static int fail(const char *what, const struct qiao_diag *d)
{
    fprintf(stderr, "qiao evidence %s: %s: %s\n", what, d->reason, d->msg);
    return 1;
}

/* Write atomically: a reader never sees half a bundle. */
static qiao_err write_out(const char *path, const void *p, size_t n, struct qiao_diag *d)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(p, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = 0;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return QIAO_FAIL(d, QIAO_EIO, "write-failed", "cannot write %s", path);
    }
    return QIAO_OK;
}

static char *read_text(const char *path, struct qiao_diag *d)
{
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n = -1;
    if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (1 << 20) &&
        fseek(f, 0, SEEK_SET) == 0 && (p = malloc((size_t)n + 1)) &&
        fread(p, 1, (size_t)n, f) == (size_t)n)
        p[n] = 0;
    else {
        free(p);
        p = NULL;
        (void)QIAO_FAIL(d, QIAO_EIO, "read-failed", "cannot read %s", path);
    }
    if (f)
        fclose(f);
    return p;
}

/* --api: ask the notary, polling while its export thread works. */
static qiao_err export_api(struct qiao_buf *out, const struct ev_args *a, struct qiao_diag *d)
{
    const char *url = qiao_cli_api_url(a->api);
    for (int waited = 0; waited <= EXPORT_WAIT_MS; waited += EXPORT_POLL_MS) {
        cJSON *p = cJSON_CreateObject(), *res = NULL;
        cJSON_AddStringToObject(p, "id", a->id);
        QIAO_TRY(qiao_cli_api_call(url, "evidence.export", p, &res, d));
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(res, "state");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(res, "bundle");
        qiao_err err = QIAO_OK;
        int done = cJSON_IsString(st) && strcmp(st->valuestring, "done") == 0;
        if (done)
            err = cJSON_IsString(b) ? qiao_buf_append(out, b->valuestring, strlen(b->valuestring), d)
                                    : QIAO_FAIL(d, QIAO_EINVAL, "bad-reply", "no bundle in reply");
        cJSON_Delete(res);
        if (done || err)
            return err;
        usleep(EXPORT_POLL_MS * 1000);
    }
    return QIAO_FAIL(d, QIAO_ETIMEOUT, "timeout", "the notary's export did not finish in %d s",
                     EXPORT_WAIT_MS / 1000);
}

static qiao_err with_lws(struct qiao_buf *out, const struct qiao_export_req *rq,
                         const struct qiao_config *cfg, const char *tsa_pem, struct qiao_diag *d)
{
    struct lws_context *lws = NULL;
    QIAO_TRY(qiao_rpc_lws_create(&lws, d));
    qiao_err err = rq ? qiao_export_bundle(out, rq, cfg, lws, NULL, d)
                      : qiao_export_trust(out, cfg, lws, tsa_pem, d);
    lws_context_destroy(lws);
    return err;
}

/* --config: the same work in this process. */
static qiao_err export_config(struct qiao_buf *out, const struct qiao_config *cfg,
                              const uint8_t id[32], struct qiao_diag *d)
{
    struct stat st;
    struct qiao_store *s = NULL;
    if (stat(cfg->store_path, &st) != 0) /* opening would create an empty store */
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-store", "no store at %s", cfg->store_path);
    struct qiao_export_req *rq = malloc(sizeof(*rq));
    if (!rq)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "export request");
    qiao_err err = qiao_store_open(&s, cfg->store_path, d);
    if (!err)
        err = qiao_export_gather(rq, s, id, d);
    qiao_store_close(s);
    if (!err)
        err = with_lws(out, rq, cfg, NULL, d);
    free(rq);
    return err;
}

static qiao_err timestamp(struct qiao_buf *out, const struct ev_args *a, struct qiao_diag *d)
{
    char *pem = a->tsa_cert ? read_text(a->tsa_cert, d) : NULL;
    if (a->tsa_cert && !pem)
        return d->code;
    struct qiao_buf stamped = {0};
    qiao_err err = qiao_export_timestamp(&stamped, (const char *)out->p, out->len, a->tsa_cmd,
                                         pem, d);
    if (!err) {
        qiao_buf_clear(out);
        *out = stamped;
    } else {
        qiao_buf_clear(&stamped);
    }
    free(pem);
    return err;
}

static int cmd_export(const struct ev_args *a)
{
    uint8_t id[32];
    struct qiao_diag d = {0};
    struct qiao_buf out = {0};
    struct qiao_config *cfg = NULL;
    if (!a->id || !a->out || (a->api && a->config) || (a->tsa_cert && !a->tsa_cmd))
        return usage();
    if (qiao_hex_decode_exact(id, 32, a->id, &d))
        return fail("export", &d);
    qiao_err err = QIAO_OK;
    if (a->config) {
        cfg = malloc(sizeof(*cfg));
        err = !cfg ? QIAO_FAIL(&d, QIAO_ENOMEM, "out-of-memory", "config")
                   : qiao_config_load(cfg, a->config, &d);
        if (!err)
            err = export_config(&out, cfg, id, &d);
    } else {
        err = export_api(&out, a, &d);
    }
    if (!err && a->tsa_cmd)
        err = timestamp(&out, a, &d);
    if (!err)
        err = write_out(a->out, out.p, out.len, &d);
    if (!err)
        printf("wrote %s (%zu bytes): message %s, verified against the notary's anchors%s\n",
               a->out, out.len, a->id, a->tsa_cmd ? ", with an RFC 3161 token" : "");
    qiao_buf_clear(&out);
    free(cfg);
    return err ? fail("export", &d) : 0;
}

static int cmd_trust(const struct ev_args *a)
{
    struct qiao_diag d = {0};
    struct qiao_buf out = {0};
    if (!a->config || !a->out || a->id || a->api || a->tsa_cmd)
        return usage();
    struct qiao_config *cfg = malloc(sizeof(*cfg));
    char *pem = a->tsa_cert ? read_text(a->tsa_cert, &d) : NULL;
    qiao_err err = !cfg ? QIAO_FAIL(&d, QIAO_ENOMEM, "out-of-memory", "config")
                   : a->tsa_cert && !pem ? d.code
                                         : qiao_config_load(cfg, a->config, &d);
    if (!err)
        err = with_lws(&out, NULL, cfg, pem, &d);
    if (!err)
        err = write_out(a->out, out.p, out.len, &d);
    if (!err)
        printf("wrote %s: committee epoch %llu (k=%u of %u)\n", a->out,
               (unsigned long long)cfg->committee.epoch, cfg->committee.k, cfg->committee.n);
    qiao_buf_clear(&out);
    free(pem);
    free(cfg);
    return err ? fail("trust", &d) : 0;
}

int qiao_cmd_evidence(int argc, char **argv)
{
    struct ev_args a = {0};
    if (argc < 2 || parse(&a, argc, argv) < 0)
        return usage();
    if (strcmp(argv[1], "export") == 0)
        return cmd_export(&a);
    if (strcmp(argv[1], "trust") == 0)
        return cmd_trust(&a);
    return usage();
}
