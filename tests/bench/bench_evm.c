/*
 * bench_evm.c: `qiao bench evm-proofs`.
 *
 * Builds one block's receipts trie (RECEIPTS receipts, each carrying a MessageSent log, the event
 * the relay proves), makes a proof for every receipt, and measures on one core:
 *   - receipt proofs verified per second (wire form decoded, every node hashed and walked, the
 *     receipt returned), printed next to the raw Keccak-256 rate over the same bytes per proof, so
 *     the overhead above hashing is visible;
 *   - header decode+hash per second for a 21-field (Prague) header, next to raw Keccak on its bytes;
 *   - the same proofs through @ethereumjs/mpt's verifyMerkleProof in Node (tests/bench/
 *     evm_proofs_peer.mjs), as the side-by-side peer, and the ratio.
 * Targets from the issue: >= 200k receipt proofs/s per core, >= 20x the JS peer.  Figures are
 * printed, never asserted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adapters/evm/evm_adapter.h"
#include "adapters/evm/evm_block.h"
#include "adapters/evm/evm_header.h"
#include "adapters/evm/evm_message.h"
#include "adapters/evm/evm_receipt.h"
#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"
#include "tests/bench/bench.h"

#define RECEIPTS 200
#define PAYLOAD 64

struct proofs {
    struct qiao_buf wire[RECEIPTS];
    struct qiao_buf receipt[RECEIPTS];
    struct qiao_evm_proof proof[RECEIPTS];
    struct qiao_buf store[RECEIPTS];
    uint8_t root[32];
    size_t nodes, bytes; /* totals over all proofs */
    volatile size_t sink;
};

static void make_receipts(struct proofs *p)
{
    uint8_t emitter[20], payload[PAYLOAD];
    struct qiao_buf data = {0};
    memset(emitter, 0xee, 20);
    for (int i = 0; i < RECEIPTS; i++) {
        struct qiao_evm_message_sent m = {.seq = (uint64_t)i, .dst_chain_id = 7001};
        struct qiao_evm_log log;
        memset(payload, i, sizeof(payload));
        memset(m.sender, 0x11, 20), memset(m.receiver, 0x22, 20);
        m.payload = payload, m.payload_len = sizeof(payload);
        qiao_keccak256(m.payload_hash, payload, sizeof(payload));
        qiao_evm_message_sent_encode(&log, &data, &m, 0x7, emitter, NULL);
        qiao_evm_receipt_encode(&p->receipt[i], 2, 1, NULL, 50000 * (uint64_t)(i + 1), &log, 1,
                                NULL);
    }
    qiao_buf_clear(&data);
}

static int make_proofs(struct proofs *p)
{
    static uint8_t arena_mem[1 << 16];
    const uint8_t *vals[RECEIPTS];
    size_t lens[RECEIPTS];
    struct qiao_buf scratch = {0};
    struct qiao_arena arena;
    make_receipts(p);
    for (int i = 0; i < RECEIPTS; i++)
        vals[i] = p->receipt[i].p, lens[i] = p->receipt[i].len;
    for (int i = 0; i < RECEIPTS; i++) {
        qiao_arena_init(&arena, arena_mem, sizeof(arena_mem));
        if (qiao_evm_ordered_prove(p->root, &p->proof[i], &p->store[i], vals, lens, RECEIPTS,
                                   (uint64_t)i, &arena, &scratch, NULL) ||
            qiao_evm_receipt_proof_encode(&p->wire[i], (uint64_t)i, &p->proof[i], NULL))
            return -1;
        p->nodes += p->proof[i].count;
        for (size_t k = 0; k < p->proof[i].count; k++)
            p->bytes += p->proof[i].len[k];
    }
    qiao_buf_clear(&scratch);
    return 0;
}

static void run_verify(void *arg, uint64_t iters)
{
    struct proofs *p = arg;
    for (uint64_t i = 0; i < iters; i++) {
        const struct qiao_buf *w = &p->wire[i % RECEIPTS];
        const uint8_t *leaf;
        size_t len;
        uint64_t idx;
        if (qiao_evm_receipt_proof_verify(&leaf, &len, &idx, p->root, w->p, w->len, NULL) == 0)
            p->sink += len;
    }
}

/* Raw Keccak over exactly the nodes each proof hashes: the floor under proof verification. */
static void run_keccak_nodes(void *arg, uint64_t iters)
{
    struct proofs *p = arg;
    uint8_t h[32];
    for (uint64_t i = 0; i < iters; i++) {
        const struct qiao_evm_proof *pr = &p->proof[i % RECEIPTS];
        for (size_t k = 0; k < pr->count; k++)
            qiao_keccak256(h, pr->node[k], pr->len[k]);
        p->sink += h[0];
    }
}

struct header_arg {
    struct qiao_buf raw;
    volatile size_t sink;
};

static void run_header(void *arg, uint64_t iters)
{
    struct header_arg *a = arg;
    struct qiao_evm_header h;
    for (uint64_t i = 0; i < iters; i++)
        if (qiao_evm_header_decode(&h, a->raw.p, a->raw.len, NULL) == 0)
            a->sink += h.hash[0];
}

static void run_keccak_header(void *arg, uint64_t iters)
{
    struct header_arg *a = arg;
    uint8_t h[32];
    for (uint64_t i = 0; i < iters; i++) {
        qiao_keccak256(h, a->raw.p, a->raw.len);
        a->sink += h[0];
    }
}

/* A Prague header shaped like anvil's: 21 fields, empty extraData. */
static void make_header(struct qiao_buf *b)
{
    uint8_t h32[32], a20[20], bloom[256], nonce[8] = {0};
    memset(h32, 0x5a, 32), memset(a20, 0x33, 20), memset(bloom, 0, 256);
    size_t s = qiao_rlp_list_begin(b);
    for (int i = 0; i < 2; i++)
        qiao_rlp_put_bytes(b, h32, 32, NULL);
    qiao_rlp_put_bytes(b, a20, 20, NULL);
    for (int i = 0; i < 3; i++)
        qiao_rlp_put_bytes(b, h32, 32, NULL);
    qiao_rlp_put_bytes(b, bloom, 256, NULL);
    qiao_rlp_put_u64(b, 0, NULL);
    qiao_rlp_put_u64(b, 1234567, NULL);
    qiao_rlp_put_u64(b, 30000000, NULL);
    qiao_rlp_put_u64(b, 12345678, NULL);
    qiao_rlp_put_u64(b, 1760000000, NULL);
    qiao_rlp_put_bytes(b, NULL, 0, NULL);
    qiao_rlp_put_bytes(b, h32, 32, NULL);
    qiao_rlp_put_bytes(b, nonce, 8, NULL);
    qiao_rlp_put_u64(b, 7, NULL);
    qiao_rlp_put_bytes(b, h32, 32, NULL);
    qiao_rlp_put_u64(b, 0, NULL);
    qiao_rlp_put_u64(b, 0, NULL);
    qiao_rlp_put_bytes(b, h32, 32, NULL);
    qiao_rlp_put_bytes(b, h32, 32, NULL);
    qiao_rlp_list_end(b, s, NULL);
}

/* Write the proofs for the JS peer as JSON.  Returns 0 on success. */
static int write_peer_input(const struct proofs *p, const char *path)
{
    FILE *f = fopen(path, "w");
    char *hex = malloc(2 * (1 << 16) + 3);
    if (!f || !hex) {
        if (f)
            fclose(f);
        free(hex);
        return -1;
    }
    qiao_hex_encode0x(hex, p->root, 32);
    fprintf(f, "{\"root\":\"%s\",\"proofs\":[", hex);
    for (int i = 0; i < RECEIPTS; i++) {
        uint8_t key[9];
        size_t kl = qiao_evm_index_key(key, (uint64_t)i);
        qiao_hex_encode0x(hex, key, kl);
        fprintf(f, "%s{\"key\":\"%s\",\"value\":\"", i ? "," : "", hex);
        qiao_hex_encode0x(hex, p->receipt[i].p, p->receipt[i].len);
        fprintf(f, "%s\",\"nodes\":[", hex);
        for (size_t k = 0; k < p->proof[i].count; k++) {
            qiao_hex_encode0x(hex, p->proof[i].node[k], p->proof[i].len[k]);
            fprintf(f, "%s\"%s\"", k ? "," : "", hex);
        }
        fprintf(f, "]}");
    }
    fprintf(f, "]}\n");
    free(hex);
    return fclose(f);
}

/* Run the Node peer; returns its proofs/s or a negative value when it cannot run. */
static double js_peer_rate(const struct proofs *p, double seconds)
{
    char dir[512], input[] = "/tmp/qiao-evm-bench-XXXXXX", cmd[1400], line[128];
    const char *file = __FILE__, *slash = strrchr(file, '/');
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) : 1, slash ? file : ".");
    int fd = mkstemp(input);
    if (fd < 0)
        return -1;
    close(fd);
    double rate = -1;
    if (write_peer_input(p, input) == 0) {
        snprintf(cmd, sizeof(cmd), "node '%s/evm_proofs_peer.mjs' '%s' %.2f 2>&1", dir, input,
                 seconds);
        FILE *pp = popen(cmd, "r");
        while (pp && fgets(line, sizeof(line), pp))
            if (strncmp(line, "rate ", 5) == 0)
                rate = atof(line + 5);
            else
                fprintf(stderr, "  js peer: %s", line);
        if (pp)
            pclose(pp);
    }
    remove(input);
    return rate;
}

int qiao_bench_evm_proofs(int argc, char **argv)
{
    double secs = qiao_bench_seconds(1.0);
    struct proofs *p = calloc(1, sizeof(*p));
    struct header_arg ha = {0};
    if (!p || make_proofs(p)) {
        fprintf(stderr, "qiao bench evm-proofs: cannot build the proofs\n");
        free(p);
        return 1;
    }
    printf("qiao bench evm-proofs (one core, %.1f s per figure)\n", secs);
    printf("  block of %d receipts, each with one MessageSent log; proofs average %.2f nodes, "
           "%.0f bytes (%.0f bytes/node)\n", RECEIPTS, (double)p->nodes / RECEIPTS,
           (double)p->bytes / RECEIPTS, (double)p->bytes / (double)p->nodes);
    double kp = qiao_bench_rate(run_keccak_nodes, p, secs);
    double vp = qiao_bench_rate(run_verify, p, secs);
    qiao_bench_line("receipt proof verify", vp, "/s", "raw Keccak of its nodes", kp);
    make_header(&ha.raw);
    double kh = qiao_bench_rate(run_keccak_header, &ha, secs);
    double vh = qiao_bench_rate(run_header, &ha, secs);
    char label[64];
    snprintf(label, sizeof(label), "header decode+hash (%zu B)", ha.raw.len);
    qiao_bench_line(label, vh, "/s", "raw Keccak same bytes", kh);
    double js = js_peer_rate(p, secs);
    if (js > 0)
        qiao_bench_line("@ethereumjs/mpt verifyMerkleProof", js, "/s", NULL, 0);
    else
        printf("  @ethereumjs/mpt peer: could not run (needs node and node_modules)\n");
    printf("  targets: receipt proofs >= 200.0 k/s per core: %s; >= 20x the JS peer: %s\n",
           vp >= 200e3 ? "met" : "NOT met",
           js > 0 ? (vp / js >= 20 ? "met" : "NOT met") : "not measured");
    if (js > 0)
        printf("  qiao / JS = %.1fx\n", vp / js);
    for (int i = 0; i < RECEIPTS; i++) {
        qiao_buf_clear(&p->wire[i]), qiao_buf_clear(&p->receipt[i]);
        qiao_buf_clear(&p->store[i]);
    }
    qiao_buf_clear(&ha.raw);
    free(p);
    return 0;
}
