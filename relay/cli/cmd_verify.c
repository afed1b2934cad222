/*
 * cmd_verify.c: `qiao verify BUNDLE --trust TRUST.json [--json] [--html FILE]`, the offline
 * evidence verifier (relay/evidence, docs/EVIDENCE_FORMAT.md).
 *
 * No network, no database: it reads two files and prints a report.  Exit status: 0 verified,
 * 1 rejected (the report names the component and check that failed), 2 unusable input (usage,
 * unreadable or malformed bundle or trust file).  This file links only qiao_evidence, so the
 * separate qiao-verify binary built from it proves that the verifier needs no I/O libraries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/cli/commands.h"
#include "relay/evidence/evidence.h"

struct verify_args {
    const char *bundle, *trust, *html;
    int json;
};

static int usage(FILE *f)
{
    fprintf(f, "usage: qiao verify BUNDLE --trust TRUST.json [--json] [--html FILE]\n"
               "  Verifies a qiao-evidence/1 bundle offline.  Exit 0 verified, 1 rejected,\n"
               "  2 unusable input.\n");
    return 2;
}

static int parse_args(struct verify_args *a, int argc, char **argv)
{
    memset(a, 0, sizeof(*a));
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--trust") && i + 1 < argc)
            a->trust = argv[++i];
        else if (!strcmp(argv[i], "--html") && i + 1 < argc)
            a->html = argv[++i];
        else if (!strcmp(argv[i], "--json"))
            a->json = 1;
        else if (argv[i][0] != '-' && !a->bundle)
            a->bundle = argv[i];
        else
            return -1;
    }
    return a->bundle && a->trust ? 0 : -1;
}

static char *read_file(const char *path, size_t max, size_t *len, struct qiao_diag *d)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(max + 1);
    size_t n = f && buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = !f || !buf || ferror(f) || n > max;
    if (f)
        fclose(f);
    if (bad) {
        free(buf);
        (void)QIAO_FAIL(d, QIAO_EIO, "unreadable", "cannot read %s (missing, unreadable or over %zu "
                  "bytes)", path, max);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

static qiao_err load(struct qiao_ev_bundle *b, struct qiao_ev_trust *t, const char **what,
                     const struct verify_args *a, struct qiao_diag *d)
{
    size_t len;
    char *text = read_file(a->bundle, QIAO_EV_MAX_BYTES, &len, d);
    *what = "bundle";
    if (!text)
        return QIAO_EIO;
    qiao_err err = qiao_ev_parse(b, text, len, d);
    free(text);
    if (err)
        return err;
    *what = "trust";
    if (!(text = read_file(a->trust, (size_t)1 << 20, &len, d)))
        return QIAO_EIO;
    err = qiao_ev_trust_parse(t, text, len, d);
    free(text);
    return err;
}

static int write_reports(const struct qiao_ev_report *r, const struct verify_args *a)
{
    struct qiao_buf out = {0};
    struct qiao_diag d = {0};
    int status = a->json ? qiao_ev_report_json(&out, r, &d) : qiao_ev_report_text(&out, r, &d);
    if (!status)
        fwrite(out.p, 1, out.len, stdout);
    qiao_buf_clear(&out);
    if (!status && a->html) {
        FILE *f = NULL;
        status = qiao_ev_report_html(&out, r, &d);
        if (!status && (!(f = fopen(a->html, "w")) || fwrite(out.p, 1, out.len, f) != out.len))
            status = QIAO_EIO;
        if (f && fclose(f))
            status = QIAO_EIO;
        if (status)
            fprintf(stderr, "qiao verify: cannot write %s\n", a->html);
        qiao_buf_clear(&out);
    }
    return status ? 2 : (int)r->verdict;
}

int qiao_cmd_verify(int argc, char **argv)
{
    struct verify_args a;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (parse_args(&a, argc, argv))
        return usage(stderr);
    struct qiao_ev_bundle b;
    struct qiao_ev_trust t;
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    struct qiao_crypto *cx = qiao_crypto_create();
    void *mem = malloc(QIAO_EV_ARENA_BYTES);
    struct qiao_diag d = {0};
    const char *what;
    memset(&t, 0, sizeof(t));
    int status = 2;
    if (!r || !cx || !mem) {
        fprintf(stderr, "qiao verify: out of memory or crypto initialisation failed\n");
    } else if (load(&b, &t, &what, &a, &d)) {
        qiao_ev_report_unusable(r, what, &d);
        status = write_reports(r, &a);
    } else {
        struct qiao_arena arena;
        qiao_arena_init(&arena, mem, QIAO_EV_ARENA_BYTES);
        qiao_ev_verify(cx, r, &b, &t, &arena, &d);
        status = write_reports(r, &a);
    }
    qiao_ev_bundle_clear(&b);
    qiao_ev_trust_clear(&t);
    free(mem);
    free(r);
    qiao_crypto_destroy(cx);
    return status;
}
