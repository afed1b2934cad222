/*
 * test_blocks.c: every block of ../shared/vectors/ethereum/blocks.json (237 blocks, Frontier to
 * Cancun): the header decodes, keccak256(header RLP) is the expected hash, the parent hash and
 * number match, the recomputed transactions root equals both the header's root and the vector's
 * transactionsTrie, the count matches, and every transaction re-encodes to its exact bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_block.h"
#include "adapters/evm/evm_tx.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/qt.h"

static uint8_t arena_mem[4 << 20];

static int hex_field(uint8_t *out, size_t n, const cJSON *e, const char *key)
{
    return qiao_json_hex_exact(out, n, e, key, NULL) == QIAO_OK;
}

static uint64_t num_field(const cJSON *e, const char *key)
{
    const cJSON *v = qiao_json_get(e, key);
    if (cJSON_IsNumber(v))
        return (uint64_t)v->valuedouble;
    if (cJSON_IsString(v))
        return strtoull(v->valuestring, NULL, 0);
    return UINT64_MAX;
}

static void check_reencode(const struct qiao_evm_block *b, const char *src)
{
    struct qiao_buf out = {0};
    for (size_t i = 0; i < b->tx_count; i++) {
        const uint8_t *raw;
        size_t len;
        struct qiao_evm_tx tx;
        out.len = 0;
        int ok = qiao_evm_block_tx(&raw, &len, b, i, NULL) == QIAO_OK &&
                 qiao_evm_tx_decode(&tx, raw, len, NULL) == QIAO_OK &&
                 qiao_evm_tx_encode(&out, &tx, NULL) == QIAO_OK && out.len == len &&
                 memcmp(out.p, raw, len) == 0;
        QT_CHECKF(ok, "%s: tx %zu re-encodes identically", src, i);
    }
    qiao_buf_clear(&out);
}

static void check_block(const cJSON *e, struct qiao_buf *scratch, int *forks)
{
    const char *src = "?", *rlp_hex;
    uint8_t *raw = NULL, hash[32], parent[32], txroot[32], computed[32];
    size_t len;
    struct qiao_diag d = {0};
    struct qiao_evm_block b;
    struct qiao_arena arena;
    qiao_json_str(&src, e, "source", NULL);
    QT_CHECK(qiao_json_str(&rlp_hex, e, "blockRlp", NULL) == QIAO_OK &&
             qiao_hex_decode_alloc(&raw, &len, rlp_hex, QIAO_EVM_BLOCK_MAX_BYTES, NULL) == QIAO_OK);
    QT_CHECK(hex_field(hash, 32, e, "hash") && hex_field(parent, 32, e, "parentHash") &&
             hex_field(txroot, 32, e, "transactionsTrie"));
    if (!raw)
        return;
    qiao_err err = qiao_evm_block_decode(&b, raw, len, &d);
    QT_CHECKF(err == QIAO_OK, "%s: decode: %s (%s)", src, d.msg, d.reason);
    if (err) {
        free(raw);
        return;
    }
    forks[b.header.fields]++;
    QT_CHECKF(memcmp(b.header.hash, hash, 32) == 0, "%s: header hash", src);
    QT_CHECKF(memcmp(b.header.parent_hash, parent, 32) == 0, "%s: parent hash", src);
    QT_CHECKF(b.header.number == num_field(e, "number"), "%s: number", src);
    QT_CHECKF(b.tx_count == num_field(e, "txCount"), "%s: tx count", src);
    qiao_arena_init(&arena, arena_mem, sizeof(arena_mem));
    err = qiao_evm_block_tx_root(computed, &b, &arena, scratch, &d);
    QT_CHECKF(err == QIAO_OK, "%s: tx root: %s", src, d.msg);
    QT_CHECKF(memcmp(computed, txroot, 32) == 0 &&
                  memcmp(computed, b.header.transactions_root, 32) == 0,
              "%s: transactions root", src);
    check_reencode(&b, src);
    free(raw);
}

int main(void)
{
    const char *path = qt_vector_path("ethereum/blocks.json");
    if (!path)
        return qt_finish();
    cJSON *root = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_json_parse_file(&root, path, 0, 0, &d) == QIAO_OK, "parse: %s", d.msg);
    QT_CHECK(cJSON_IsArray(root) && cJSON_GetArraySize(root) == 237);
    struct qiao_buf scratch = {0};
    int forks[32] = {0};
    const cJSON *e;
    cJSON_ArrayForEach(e, root)
        check_block(e, &scratch, forks);
    printf("layouts seen: 15=%d 16=%d 17=%d 20=%d 21=%d\n", forks[15], forks[16], forks[17],
           forks[20], forks[21]);
    QT_CHECK(forks[15] > 0 && forks[16] > 0 && forks[17] > 0 && forks[20] > 0);
    qiao_buf_clear(&scratch);
    cJSON_Delete(root);
    return qt_finish();
}
