/*
 * cmd_bft.c: `qiao bft verify`, the CometBFT light-client conformance command.
 *
 *   qiao bft verify --trusted FILE --untrusted FILE --now RFC3339 [--trust-threshold N/D]
 *                   [--trusting-period SECONDS] [--max-clock-drift SECONDS]
 *
 * Prints {"verdict":"SUCCESS"|"NOT_ENOUGH_TRUST"|"INVALID","reason":"..."} and exits 0 only for
 * SUCCESS, 1 for a rejected block (an untrusted file the strict decoder refuses is INVALID), and
 * 2 for usage errors or an unusable trusted file.  Defaults: trust 1/3, trusting period two
 * weeks, clock drift 10 s.  A human explanation of any failure goes to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_json.h"
#include "adapters/cometbft/bft_time.h"
#include "adapters/cometbft/bft_verify.h"
#include "relay/cli/commands.h"
#include "relay/core/json.h"

#define ARENA_BYTES (3 * QIAO_BFT_BLOCK_ARENA)

struct args {
    const char *trusted, *untrusted, *now;
    struct qiao_bft_options opt;
};

static void usage(FILE *f)
{
    fprintf(f, "usage: qiao bft verify --trusted FILE --untrusted FILE --now RFC3339\n"
               "                       [--trust-threshold 1/3] [--trusting-period SECONDS]\n"
               "                       [--max-clock-drift SECONDS]\n"
               "FILEs hold light blocks in CometBFT's JSON shape (signed_header, validator_set,\n"
               "next_validator_set; a trusted block may omit validator_set and the commit).\n");
}

static int emit(enum qiao_bft_verdict v, const char *reason, int status)
{
    printf("{\"verdict\":\"%s\",\"reason\":\"%s\"}\n", qiao_bft_verdict_name(v), reason);
    return status;
}

static int fail_usage(const char *reason, const char *fmt, const char *arg)
{
    fprintf(stderr, "qiao bft verify: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    return emit(QIAO_BFT_INVALID, reason, 2);
}

static qiao_err parse_threshold(struct qiao_bft_options *o, const char *s, struct qiao_diag *d)
{
    char num[24], *slash = strchr(s, '/');
    if (!slash || (size_t)(slash - s) >= sizeof(num))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-trust-level", "--trust-threshold wants N/D, got \"%.32s\"", s);
    memcpy(num, s, (size_t)(slash - s));
    num[slash - s] = '\0';
    QIAO_TRY(qiao_parse_u64(&o->trust_num, num, "--trust-threshold numerator", d));
    QIAO_TRY(qiao_parse_u64(&o->trust_den, slash + 1, "--trust-threshold denominator", d));
    return qiao_bft_options_check(o, d);
}

/* Returns 0 when the arguments parse; otherwise the exit status already reported. */
static int parse_args(struct args *a, int argc, char **argv)
{
    struct qiao_diag d = {0};
    memset(a, 0, sizeof(*a));
    qiao_bft_options_default(&a->opt);
    for (int i = 2; i < argc; i += 2) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return fail_usage("usage", "%s needs a value", k);
        qiao_err err = QIAO_OK;
        if (!strcmp(k, "--trusted"))
            a->trusted = v;
        else if (!strcmp(k, "--untrusted"))
            a->untrusted = v;
        else if (!strcmp(k, "--now"))
            a->now = v;
        else if (!strcmp(k, "--trust-threshold"))
            err = parse_threshold(&a->opt, v, &d);
        else if (!strcmp(k, "--trusting-period"))
            err = qiao_bft_duration_parse(&a->opt.trusting_period_ns, v, k, &d);
        else if (!strcmp(k, "--max-clock-drift"))
            err = qiao_bft_duration_parse(&a->opt.max_clock_drift_ns, v, k, &d);
        else
            return fail_usage("usage", "unknown option %s", k);
        if (err)
            return fail_usage(d.reason, "%s", d.msg);
    }
    if (!a->trusted || !a->untrusted || !a->now)
        return fail_usage("usage", "%s", "--trusted, --untrusted and --now are required");
    if (qiao_bft_options_check(&a->opt, &d))
        return fail_usage(d.reason, "%s", d.msg);
    return 0;
}

static qiao_err load_block(struct qiao_crypto *cx, struct qiao_bft_light_block *lb, const char *path,
                           unsigned flags, struct qiao_arena *arena, struct qiao_diag *d)
{
    cJSON *root = NULL;
    QIAO_TRY(qiao_json_parse_file(&root, path, 0, 0, d));
    qiao_err err = qiao_bft_light_block_from_json(cx, lb, root, flags, arena, d);
    cJSON_Delete(root);
    return err ? qiao_diag_wrap(d, "%s", path) : QIAO_OK;
}

static int run_verify(struct qiao_crypto *cx, const struct args *a, struct qiao_arena *arena)
{
    struct qiao_bft_light_block trusted, untrusted;
    struct qiao_bft_time now;
    struct qiao_diag d = {0};
    enum qiao_bft_verdict v = QIAO_BFT_INVALID;
    if (qiao_bft_time_parse(&now, a->now, "--now", &d))
        return fail_usage(d.reason, "%s", d.msg);
    if (load_block(cx, &trusted, a->trusted, QIAO_BFT_JSON_TRUSTED, arena, &d))
        return fail_usage(d.reason, "trusted block unusable: %s", d.msg);
    qiao_err err = load_block(cx, &untrusted, a->untrusted, 0, arena, &d);
    if (!err)
        err = qiao_bft_verify(cx, &v, &trusted, &untrusted, &a->opt, now, arena, &d);
    if (err)
        fprintf(stderr, "qiao bft verify: %s: %s\n", qiao_bft_verdict_name(v), d.msg);
    return emit(v, err ? d.reason : "ok", err ? 1 : 0);
}

int qiao_cmd_bft(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "verify") != 0) {
        int help = argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));
        usage(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        usage(stdout);
        return 0;
    }
    struct args a;
    int status = parse_args(&a, argc, argv);
    if (status)
        return status;
    struct qiao_crypto *cx = qiao_crypto_create();
    void *storage = malloc(ARENA_BYTES);
    struct qiao_arena arena;
    if (!cx || !storage) {
        free(storage);
        qiao_crypto_destroy(cx);
        return fail_usage("out-of-memory", "%s", "cannot set up the crypto context or arena");
    }
    qiao_arena_init(&arena, storage, ARENA_BYTES);
    status = run_verify(cx, &a, &arena);
    free(storage);
    qiao_crypto_destroy(cx);
    return status;
}
