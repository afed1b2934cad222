/*
 * cmd_btc_headers.c: `qiao btc verify-headers`, the header-chain conformance command.
 *
 * The file is streamed line by line and verified with one rolling link (btc_chain.h), so memory
 * stays constant for any chain length.  Blank lines are skipped; the index reported for a
 * rejection counts headers (non-blank lines) from 0, the anchor being 0.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapters/bitcoin/btc_chain.h"
#include "relay/cli/cmd_btc_cli.h"
#include "relay/core/hex.h"

static const char headers_usage[] =
    "usage: qiao btc verify-headers [--network main|testnet|regtest] --anchor-height H\n"
    "                               [--period-start HEX] [--now UNIX] FILE\n"
    "  FILE: one 80-byte header in hex per line (optionally 0x-prefixed); the first line is\n"
    "  the trusted anchor at height H.\n";

struct headers_opts {
    const struct qiao_btc_params *params;
    uint64_t anchor_height;
    int have_height;
    uint8_t period_start[QIAO_BTC_HEADER_LEN];
    int have_period_start;
    int64_t now;
    const char *file;
};

static int parse_value(struct headers_opts *o, const char *opt, const char *val)
{
    struct qiao_diag d = {0};
    uint64_t v;
    if (!strcmp(opt, "--network")) {
        if (qiao_btc_params_by_name(&o->params, val, &d))
            return qiao_btc_cli_usage(headers_usage, "%s", d.msg);
    } else if (!strcmp(opt, "--anchor-height")) {
        if (qiao_btc_cli_u64(&o->anchor_height, val) || o->anchor_height > UINT32_MAX)
            return qiao_btc_cli_usage(headers_usage, "--anchor-height: bad height \"%s\"", val);
        o->have_height = 1;
    } else if (!strcmp(opt, "--period-start")) {
        if (qiao_hex_decode_exact(o->period_start, QIAO_BTC_HEADER_LEN, val, &d))
            return qiao_btc_cli_usage(headers_usage, "--period-start: %s", d.msg);
        o->have_period_start = 1;
    } else if (!strcmp(opt, "--now")) {
        if (qiao_btc_cli_u64(&v, val) || v > INT64_MAX / 2)
            return qiao_btc_cli_usage(headers_usage, "--now: bad Unix time \"%s\"", val);
        o->now = (int64_t)v;
    } else {
        return qiao_btc_cli_usage(headers_usage, "unknown option %s", opt);
    }
    return 0;
}

static int parse_opts(struct headers_opts *o, int argc, char **argv)
{
    o->params = qiao_btc_params_get(QIAO_BTC_MAIN);
    o->now = (int64_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(headers_usage, stdout);
            return -1;
        }
        if (argv[i][0] == '-' && argv[i][1] == '-') {
            if (i + 1 >= argc)
                return qiao_btc_cli_usage(headers_usage, "%s needs a value", argv[i]);
            int rc = parse_value(o, argv[i], argv[i + 1]);
            if (rc)
                return rc;
            i++;
        } else if (!o->file) {
            o->file = argv[i];
        } else {
            return qiao_btc_cli_usage(headers_usage, "more than one FILE given");
        }
    }
    if (!o->have_height)
        return qiao_btc_cli_usage(headers_usage, "--anchor-height is required");
    if (!o->file)
        return qiao_btc_cli_usage(headers_usage, "FILE is required");
    return 0;
}

static int reject(uint64_t index, uint64_t height, const struct qiao_diag *d)
{
    printf("{\"ok\":false,\"index\":%" PRIu64 ",\"height\":%" PRIu64 ",\"error\":", index, height);
    qiao_btc_cli_json_str(stdout, d->reason);
    printf(",\"message\":");
    qiao_btc_cli_json_str(stdout, d->msg);
    printf("}\n");
    return QIAO_BTC_EXIT_REJECT;
}

static int accept(const struct qiao_btc_link *tip, uint64_t count)
{
    char hash[65], work[65];
    uint8_t be[32];
    qiao_hex_encode_rev(hash, tip->hash, 32);
    qiao_btc_u256_to_be(be, &tip->chainwork);
    qiao_hex_encode(work, be, 32);
    printf("{\"ok\":true,\"tip_height\":%" PRIu64 ",\"tip_hash\":\"%s\",\"chainwork\":\"0x%s\","
           "\"headers\":%" PRIu64 "}\n",
           tip->height, hash, work, count);
    return QIAO_BTC_EXIT_OK;
}

/* Strip the line ending and surrounding blanks in place; returns the trimmed length. */
static size_t trim(char *s, size_t n)
{
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = 0;
    return n;
}

static qiao_err decode_line(uint8_t raw[QIAO_BTC_HEADER_LEN], const char *line, size_t n,
                            struct qiao_diag *d)
{
    size_t got;
    uint8_t buf[QIAO_BTC_HEADER_LEN + 1];
    QIAO_TRY(qiao_hex_decode(buf, sizeof(buf), &got, line, n, d));
    if (got != QIAO_BTC_HEADER_LEN)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-header-length",
                         "a header line must hold 80 bytes, this one holds %zu", got);
    memcpy(raw, buf, QIAO_BTC_HEADER_LEN);
    return QIAO_OK;
}

static qiao_err verify_line(struct qiao_crypto *cx, const struct headers_opts *o,
                            struct qiao_btc_link *tip, uint64_t index, const char *line,
                            size_t n, struct qiao_diag *d)
{
    uint8_t raw[QIAO_BTC_HEADER_LEN];
    QIAO_TRY(decode_line(raw, line, n, d));
    if (index == 0)
        return qiao_btc_link_anchor(cx, tip, o->params, raw, sizeof(raw), o->anchor_height,
                                    o->have_period_start ? o->period_start : NULL, d);
    struct qiao_btc_link next;
    QIAO_TRY(qiao_btc_link_next(cx, &next, o->params, tip, raw, sizeof(raw), o->now, d));
    *tip = next;
    return QIAO_OK;
}

static int run(struct qiao_crypto *cx, const struct headers_opts *o, FILE *f)
{
    struct qiao_btc_link tip;
    struct qiao_diag d = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t index = 0;
    int rc = -1;
    while (rc < 0 && (n = getline(&line, &cap, f)) >= 0) {
        size_t len = trim(line, (size_t)n);
        if (len == 0)
            continue;
        if (verify_line(cx, o, &tip, index, line, len, &d) != QIAO_OK)
            rc = reject(index, o->anchor_height + index, &d);
        index++;
    }
    free(line);
    if (rc >= 0)
        return rc;
    if (ferror(f))
        return qiao_btc_cli_usage(headers_usage, "cannot read %s", o->file);
    if (index == 0)
        return qiao_btc_cli_usage(headers_usage, "%s holds no headers", o->file);
    return accept(&tip, index);
}

int qiao_btc_cmd_verify_headers(int argc, char **argv)
{
    struct headers_opts o = {0};
    int rc = parse_opts(&o, argc, argv);
    if (rc)
        return rc < 0 ? QIAO_BTC_EXIT_OK : rc;
    FILE *f = strcmp(o.file, "-") ? fopen(o.file, "r") : stdin;
    if (!f)
        return qiao_btc_cli_usage(headers_usage, "cannot open %s", o.file);
    struct qiao_crypto *cx = qiao_crypto_create();
    if (!cx) {
        fprintf(stderr, "qiao btc: crypto initialisation failed\n");
        rc = QIAO_BTC_EXIT_USAGE;
    } else {
        rc = run(cx, &o, f);
    }
    qiao_crypto_destroy(cx);
    if (f != stdin)
        fclose(f);
    return rc;
}
