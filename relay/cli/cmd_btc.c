/*
 * cmd_btc.c: `qiao btc`, the Bitcoin conformance commands.  verify-headers lives in
 * cmd_btc_headers.c; this file dispatches and implements verify-proof:
 *
 *   qiao btc verify-proof --header HEX (--tx HEX | --txid HEX) --index N --path HEX
 *   qiao btc verify-proof --header HEX --merkleblock HEX
 *
 * --txid and --path are in internal ("natural") byte order, as spv_proofs.json's tx_id and
 * intermediate_nodes; hashes printed in the output are in display order (reversed), as Bitcoin
 * RPC prints them.  Optional --network applies that network's powLimit to the header.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_header.h"
#include "adapters/bitcoin/btc_merkle.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/cli/cmd_btc_cli.h"
#include "relay/cli/commands.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"

static const char btc_usage[] =
    "usage: qiao btc verify-headers [--network main|testnet|regtest] --anchor-height H\n"
    "                               [--period-start HEX] [--now UNIX] FILE\n"
    "       qiao btc verify-proof --header HEX (--tx HEX | --txid HEX) --index N --path HEX\n"
    "       qiao btc verify-proof --header HEX --merkleblock HEX\n"
    "Prints JSON; exits 0 when accepted, 1 when rejected, 2 on a usage error.\n";

void qiao_btc_cli_json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

int qiao_btc_cli_usage(const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "qiao btc: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage);
    return QIAO_BTC_EXIT_USAGE;
}

int qiao_btc_cli_u64(uint64_t *out, const char *s)
{
    return qiao_parse_u64(out, s, "option", NULL) == QIAO_OK ? 0 : -1;
}

struct proof_opts {
    const char *header, *tx, *txid, *index, *path, *merkleblock, *network;
};

static int proof_opt(struct proof_opts *o, const char *opt, const char *val)
{
    static const struct {
        const char *name;
        size_t off;
    } table[] = {
        {"--header", offsetof(struct proof_opts, header)},
        {"--tx", offsetof(struct proof_opts, tx)},
        {"--txid", offsetof(struct proof_opts, txid)},
        {"--index", offsetof(struct proof_opts, index)},
        {"--path", offsetof(struct proof_opts, path)},
        {"--merkleblock", offsetof(struct proof_opts, merkleblock)},
        {"--network", offsetof(struct proof_opts, network)},
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcmp(opt, table[i].name) == 0) {
            const char **slot = (const char **)((char *)o + table[i].off);
            if (*slot)
                return qiao_btc_cli_usage(btc_usage, "%s given twice", opt);
            *slot = val;
            return 0;
        }
    }
    return qiao_btc_cli_usage(btc_usage, "unknown option %s", opt);
}

static int proof_parse(struct proof_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i += 2) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(btc_usage, stdout);
            return -1;
        }
        if (i + 1 >= argc)
            return qiao_btc_cli_usage(btc_usage, "%s needs a value", argv[i]);
        int rc = proof_opt(o, argv[i], argv[i + 1]);
        if (rc)
            return rc;
    }
    if (!o->header)
        return qiao_btc_cli_usage(btc_usage, "--header is required");
    if (o->merkleblock) {
        if (o->tx || o->txid || o->index || o->path)
            return qiao_btc_cli_usage(btc_usage, "--merkleblock excludes --tx/--txid/--index/--path");
        return 0;
    }
    if (!o->tx == !o->txid)
        return qiao_btc_cli_usage(btc_usage, "give exactly one of --tx and --txid");
    if (!o->index || !o->path)
        return qiao_btc_cli_usage(btc_usage, "--index and --path are required with --tx/--txid");
    return 0;
}

static int proof_reject(const struct qiao_diag *d)
{
    printf("{\"ok\":false,\"error\":");
    qiao_btc_cli_json_str(stdout, d->reason);
    printf(",\"message\":");
    qiao_btc_cli_json_str(stdout, d->msg);
    printf("}\n");
    return QIAO_BTC_EXIT_REJECT;
}

static void print_hash(const char *key, const uint8_t h[32])
{
    char s[65];
    qiao_hex_encode_rev(s, h, 32);
    printf("\"%s\":\"%s\"", key, s);
}

/* The header: 80 bytes whose own proof of work holds (and the network's powLimit if given). */
static qiao_err proof_header(struct qiao_crypto *cx, uint8_t raw[80], uint8_t hash[32],
                             const struct proof_opts *o, struct qiao_diag *d)
{
    const struct qiao_btc_params *params = NULL;
    if (o->network)
        QIAO_TRY(qiao_btc_params_by_name(&params, o->network, d));
    QIAO_TRY(qiao_hex_decode_exact(raw, QIAO_BTC_HEADER_LEN, o->header, d));
    return qiao_btc_header_check_pow(cx, hash, NULL, params, raw, d);
}

static qiao_err path_leaf(struct qiao_crypto *cx, uint8_t txid[32], const struct proof_opts *o,
                          struct qiao_diag *d)
{
    if (o->txid)
        return qiao_hex_decode_exact(txid, 32, o->txid, d);
    uint8_t *tx;
    size_t len;
    struct qiao_btc_tx_info info;
    QIAO_TRY(qiao_hex_decode_alloc(&tx, &len, o->tx, QIAO_BTC_MAX_TX_BYTES, d));
    qiao_err err = qiao_btc_tx_parse(cx, &info, tx, len, d);
    free(tx);
    QIAO_TRY(err);
    if (info.stripped_len == 64)
        return QIAO_FAIL(d, QIAO_EVERIFY, "tx-64-bytes",
                         "a 64-byte transaction can pose as a Merkle inner node");
    memcpy(txid, info.txid, 32);
    return QIAO_OK;
}

static int proof_path(struct qiao_crypto *cx, const struct proof_opts *o)
{
    struct qiao_diag d = {0};
    uint8_t raw[80], hash[32], txid[32], path[32 * QIAO_BTC_MAX_MERKLE_DEPTH];
    struct qiao_btc_header h;
    size_t path_len;
    uint64_t index;
    if (qiao_btc_cli_u64(&index, o->index))
        return qiao_btc_cli_usage(btc_usage, "--index: bad number \"%s\"", o->index);
    if (proof_header(cx, raw, hash, o, &d) || path_leaf(cx, txid, o, &d))
        return proof_reject(&d);
    if (qiao_hex_decode(path, sizeof(path), &path_len, o->path, strlen(o->path), &d))
        return proof_reject(&d);
    qiao_btc_header_decode(&h, raw, sizeof(raw), NULL);
    if (qiao_btc_merkle_verify(cx, h.merkle_root, txid, index, path, path_len, &d))
        return proof_reject(&d);
    printf("{\"ok\":true,");
    print_hash("txid", txid);
    printf(",\"index\":%llu,", (unsigned long long)index);
    print_hash("block_hash", hash);
    printf(",");
    print_hash("merkle_root", h.merkle_root);
    printf("}\n");
    return QIAO_BTC_EXIT_OK;
}

static void print_merkleblock(const struct qiao_btc_merkleblock *mb)
{
    printf("{\"ok\":true,");
    print_hash("block_hash", mb->block_hash);
    printf(",");
    print_hash("merkle_root", mb->header.merkle_root);
    printf(",\"transactions\":%u,\"matches\":[", mb->transactions);
    for (size_t i = 0; i < mb->nmatches; i++) {
        printf("%s{", i ? "," : "");
        print_hash("txid", mb->matches[i].txid);
        printf(",\"index\":%u}", mb->matches[i].index);
    }
    printf("]}\n");
}

static qiao_err merkleblock_check(struct qiao_crypto *cx, const struct proof_opts *o,
                                  uint8_t *mbraw, size_t len, struct qiao_btc_merkleblock *mb,
                                  struct qiao_arena *arena, struct qiao_diag *d)
{
    uint8_t raw[80], hash[32];
    QIAO_TRY(proof_header(cx, raw, hash, o, d));
    QIAO_TRY(qiao_btc_merkleblock_verify(cx, mb, mbraw, len, arena, d));
    if (memcmp(mb->block_hash, hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "header-mismatch",
                         "the Merkle block's header is not --header");
    return QIAO_OK;
}

static int proof_merkleblock(struct qiao_crypto *cx, const struct proof_opts *o)
{
    struct qiao_diag d = {0};
    struct qiao_btc_merkleblock mb;
    struct qiao_arena arena;
    uint8_t *raw = NULL;
    size_t len;
    size_t cap = QIAO_BTC_MAX_BLOCK_TXS * sizeof(struct qiao_btc_pmt_match) + 64;
    void *storage = malloc(cap);
    if (!storage)
        return QIAO_BTC_EXIT_USAGE;
    qiao_arena_init(&arena, storage, cap);
    int rc;
    if (qiao_hex_decode_alloc(&raw, &len, o->merkleblock, (size_t)1 << 20, &d) ||
        merkleblock_check(cx, o, raw, len, &mb, &arena, &d))
        rc = proof_reject(&d);
    else
        print_merkleblock(&mb), rc = QIAO_BTC_EXIT_OK;
    free(raw);
    free(storage);
    return rc;
}

static int cmd_verify_proof(int argc, char **argv)
{
    struct proof_opts o = {0};
    int rc = proof_parse(&o, argc, argv);
    if (rc)
        return rc < 0 ? QIAO_BTC_EXIT_OK : rc;
    struct qiao_crypto *cx = qiao_crypto_create();
    if (!cx) {
        fprintf(stderr, "qiao btc: crypto initialisation failed\n");
        return QIAO_BTC_EXIT_USAGE;
    }
    rc = o.merkleblock ? proof_merkleblock(cx, &o) : proof_path(cx, &o);
    qiao_crypto_destroy(cx);
    return rc;
}

int qiao_cmd_btc(int argc, char **argv)
{
    if (argc < 2)
        return qiao_btc_cli_usage(btc_usage, "missing subcommand");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(btc_usage, stdout);
        return QIAO_BTC_EXIT_OK;
    }
    if (!strcmp(argv[1], "verify-headers"))
        return qiao_btc_cmd_verify_headers(argc - 1, argv + 1);
    if (!strcmp(argv[1], "verify-proof"))
        return cmd_verify_proof(argc - 1, argv + 1);
    return qiao_btc_cli_usage(btc_usage, "unknown subcommand \"%s\"", argv[1]);
}
