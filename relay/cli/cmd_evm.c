/*
 * cmd_evm.c: `qiao evm verify-block --rlp HEX|-`, the EVM family's conformance command.
 *
 * Takes one full block's RLP as hex (from the argument, or stdin with "-"), decodes the header and
 * every transaction strictly, recomputes the transactions root and prints
 *   {"ok":…,"hash":"0x…","number":N,"parent_hash":"0x…","transactions_root":"0x…",
 *    "transactions_root_computed":"0x…","transactions":K}
 * ok is true only when the computed root equals the header's.  Exit 0 when ok, 1 when the block is
 * rejected (root mismatch, or RLP that is not a valid block: then {"ok":false,"error":reason,
 * "message":…}), 2 for usage errors and input that is not hex.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_block.h"
#include "relay/cli/commands.h"
#include "relay/core/hex.h"

#define HEX_MAX (2 * QIAO_EVM_BLOCK_MAX_BYTES + 8)

static int usage(void)
{
    fprintf(stderr, "usage: qiao evm verify-block --rlp HEX|-\n"
                    "  Verify one full block's RLP: header hash and transactions root.\n"
                    "  Prints JSON; exits 0 (ok), 1 (rejected) or 2 (usage or unreadable input).\n");
    return 2;
}

static void print_error(const char *reason, const char *msg)
{
    printf("{\"ok\":false,\"error\":\"%s\",\"message\":\"", reason);
    for (const char *p = msg; *p; p++)
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if ((unsigned char)*p >= 0x20)
            putchar(*p);
    printf("\"}\n");
}

/* Read all of stdin (capped) and strip surrounding whitespace. */
static char *read_stdin(void)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap + 1);
    size_t got;
    while (s && (got = fread(s + n, 1, cap - n, stdin)) > 0) {
        n += got;
        if (n == cap) {
            char *t = cap < HEX_MAX ? realloc(s, 2 * cap + 1) : NULL;
            if (!t) {
                free(s);
                return NULL;
            }
            s = t, cap *= 2;
        }
    }
    if (!s)
        return NULL;
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    s[n] = 0;
    return s;
}

static void hex32(char out[67], const uint8_t h[32])
{
    qiao_hex_encode0x(out, h, 32);
}

static int verify(const uint8_t *raw, size_t len)
{
    struct qiao_evm_block b;
    struct qiao_diag d = {0};
    if (qiao_evm_block_decode(&b, raw, len, &d)) {
        print_error(d.reason, d.msg);
        return 1;
    }
    size_t arena_cap = 64 * (b.tx_count + 1) + 4096;
    void *mem = malloc(arena_cap);
    struct qiao_arena arena;
    struct qiao_buf scratch = {0};
    uint8_t root[32];
    qiao_arena_init(&arena, mem, arena_cap);
    qiao_err err = mem ? qiao_evm_block_tx_root(root, &b, &arena, &scratch, &d) : QIAO_ENOMEM;
    free(mem);
    qiao_buf_clear(&scratch);
    if (err) {
        print_error(mem ? d.reason : "out-of-memory", mem ? d.msg : "cannot allocate");
        return 1;
    }
    int ok = memcmp(root, b.header.transactions_root, 32) == 0;
    char h[67], p[67], tr[67], tc[67];
    hex32(h, b.header.hash), hex32(p, b.header.parent_hash);
    hex32(tr, b.header.transactions_root), hex32(tc, root);
    printf("{\"ok\":%s,\"hash\":\"%s\",\"number\":%llu,\"parent_hash\":\"%s\","
           "\"transactions_root\":\"%s\",\"transactions_root_computed\":\"%s\",\"transactions\":%zu}\n",
           ok ? "true" : "false", h, (unsigned long long)b.header.number, p, tr, tc, b.tx_count);
    return ok ? 0 : 1;
}

static int verify_block(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[1], "--rlp") != 0)
        return usage();
    char *text = strcmp(argv[2], "-") == 0 ? read_stdin() : strdup(argv[2]);
    uint8_t *raw = NULL;
    size_t len;
    struct qiao_diag d = {0};
    if (!text) {
        print_error("unreadable-input", "cannot read the block hex");
        return 2;
    }
    if (qiao_hex_decode_alloc(&raw, &len, text, QIAO_EVM_BLOCK_MAX_BYTES, &d)) {
        print_error(d.reason, d.msg);
        free(text);
        return 2;
    }
    free(text);
    int rc = verify(raw, len);
    free(raw);
    return rc;
}

int qiao_cmd_evm(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "verify-block") == 0)
        return verify_block(argc - 1, argv + 1);
    return usage();
}
