/*
 * fuzz_evm_parsers.c: libFuzzer target for the EVM pure parsers.  The first byte picks the parser:
 * header RLP, full block (with transactions root), receipt-proof wire form against a fixed root and
 * against the root of its own first node (so the walk goes deep), receipt, and transaction.  Any
 * crash, sanitizer report or hang is a finding; rejections are the expected outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "adapters/evm/evm_adapter.h"
#include "adapters/evm/evm_block.h"
#include "adapters/evm/evm_header.h"
#include "adapters/evm/evm_receipt.h"
#include "adapters/evm/evm_tx.h"
#include "relay/core/keccak.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena_mem[1 << 20];

static void fuzz_block(const uint8_t *p, size_t n)
{
    struct qiao_evm_block b;
    struct qiao_arena arena;
    struct qiao_buf scratch = {0};
    uint8_t root[32];
    if (qiao_evm_block_decode(&b, p, n, NULL) == QIAO_OK) {
        qiao_arena_init(&arena, arena_mem, sizeof(arena_mem));
        qiao_evm_block_tx_root(root, &b, &arena, &scratch, NULL);
    }
    qiao_buf_clear(&scratch);
}

static void fuzz_proof(const uint8_t *p, size_t n)
{
    const uint8_t *leaf;
    size_t len;
    uint64_t idx;
    uint8_t root[32] = {0};
    struct qiao_evm_proof proof;
    qiao_evm_receipt_proof_verify(&leaf, &len, &idx, root, p, n, NULL);
    /* Also walk under the root of the first node, so hashing succeeds and the walk goes on. */
    struct qiao_rlp_item top, parts[2];
    size_t used, cnt;
    if (qiao_rlp_decode(&top, &used, p, n, NULL) == QIAO_OK &&
        qiao_rlp_list(parts, 2, &cnt, &top, NULL) == QIAO_OK && cnt == 2 &&
        qiao_evm_proof_decode(&proof, parts[1].raw, parts[1].raw_len, NULL) == QIAO_OK &&
        proof.count > 0) {
        qiao_keccak256(root, proof.node[0], proof.len[0]);
        if (qiao_evm_receipt_proof_verify(&leaf, &len, &idx, root, p, n, NULL) == QIAO_OK) {
            struct qiao_evm_receipt r;
            if (qiao_evm_receipt_decode(&r, leaf, len, NULL) == QIAO_OK)
                qiao_evm_receipt_check_bloom(&r, NULL);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    switch (data[0] % 5) {
    case 0: {
        struct qiao_evm_header h;
        qiao_evm_header_decode(&h, p, n, NULL);
        break;
    }
    case 1:
        fuzz_block(p, n);
        break;
    case 2:
        fuzz_proof(p, n);
        break;
    case 3: {
        struct qiao_evm_receipt r;
        struct qiao_evm_log log;
        if (qiao_evm_receipt_decode(&r, p, n, NULL) == QIAO_OK && r.log_count)
            qiao_evm_receipt_log(&log, &r, r.log_count - 1, NULL);
        break;
    }
    default: {
        struct qiao_evm_tx tx;
        struct qiao_buf b = {0};
        if (qiao_evm_tx_decode(&tx, p, n, NULL) == QIAO_OK)
            qiao_evm_tx_encode(&b, &tx, NULL);
        qiao_buf_clear(&b);
        break;
    }
    }
    return 0;
}
