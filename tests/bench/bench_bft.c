/*
 * bench_bft.c: `qiao bench bft`, CometBFT light-client verification of commits signed by 4, 100
 * and 150 Ed25519 validators (all voting), each step a full qiao_bft_verify of an adjacent block:
 * validator-set and header hashes, the commit's shape and every signature.  Beside each figure is
 * the ceiling the same run measures: the raw Ed25519 verify rate divided by the validator count
 * (a commit costs n signature checks; everything else is overhead).  The raw rate is measured
 * again right before each commit figure, because on a shared machine the load drifts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_fixture.h"
#include "adapters/cometbft/bft_verify.h"
#include "relay/core/sig.h"
#include "tests/bench/bench.h"

#define ARENA_BYTES ((size_t)8 << 20)

struct bft_case {
    struct qiao_crypto *cx;
    struct qiao_arena *arena;
    struct qiao_bft_light_block trusted, untrusted;
    struct qiao_bft_options opt;
    struct qiao_bft_time now;
    uint8_t pub[32], sig[64], msg[128];
    int failed;
};

static void run_ed25519(void *arg, uint64_t n)
{
    struct bft_case *c = arg;
    for (uint64_t i = 0; i < n; i++)
        c->failed |= qiao_ed25519_verify(c->pub, c->sig, c->msg, sizeof(c->msg), NULL) != 0;
}

static void run_commit(void *arg, uint64_t n)
{
    struct bft_case *c = arg;
    enum qiao_bft_verdict v;
    for (uint64_t i = 0; i < n; i++)
        c->failed |= qiao_bft_verify(c->cx, &v, &c->trusted, &c->untrusted, &c->opt, c->now,
                                     c->arena, NULL) != 0;
}

static int make_case(struct bft_case *c, size_t n)
{
    struct qiao_bft_fixture_set s;
    struct qiao_bft_time t1 = {1700000000, 0}, t2 = {1700000006, 0};
    struct qiao_diag d = {0};
    qiao_arena_reset(c->arena);
    qiao_bft_options_default(&c->opt);
    c->now = (struct qiao_bft_time){1700000100, 0};
    if (qiao_bft_fixture_set_make(c->cx, &s, n, (uint32_t)n, QIAO_BFT_KEY_ED25519, 100, c->arena, &d) ||
        qiao_bft_fixture_block(c->cx, &c->trusted, "bench-chain", 1, t1, &s, &s, NULL, c->arena, &d) ||
        qiao_bft_fixture_block(c->cx, &c->untrusted, "bench-chain", 2, t2, &s, &s, NULL, c->arena, &d)) {
        fprintf(stderr, "qiao bench bft: fixture failed: %s\n", d.msg);
        return -1;
    }
    return 0;
}

int qiao_bench_bft(int argc, char **argv)
{
    (void)argc, (void)argv;
    static const size_t sizes[] = {4, 100, 150};
    double secs = qiao_bench_seconds(1.0);
    struct bft_case c;
    struct qiao_arena arena;
    void *storage = malloc(ARENA_BYTES);
    memset(&c, 0, sizeof(c));
    c.cx = qiao_crypto_create();
    c.arena = &arena;
    if (!storage || !c.cx) {
        free(storage);
        qiao_crypto_destroy(c.cx);
        return 2;
    }
    qiao_arena_init(&arena, storage, ARENA_BYTES);
    uint8_t seed[32] = {7};
    memset(c.msg, 0x5a, sizeof(c.msg));
    qiao_ed25519_pubkey(c.pub, seed, NULL);
    qiao_ed25519_sign(c.sig, seed, c.msg, sizeof(c.msg), NULL);
    printf("CometBFT light client (one core, %.1f s per figure)\n", secs);
    int status = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]) && !status; i++) {
        char name[64], ref[48];
        if (make_case(&c, sizes[i])) {
            status = 2;
            break;
        }
        double raw = qiao_bench_rate(run_ed25519, &c, secs);
        qiao_bench_line("ed25519 verify (OpenSSL EVP, raw)", raw, " sig/s", NULL, 0);
        double rate = qiao_bench_rate(run_commit, &c, secs);
        snprintf(name, sizeof(name), "verify commit, %zu validators", sizes[i]);
        snprintf(ref, sizeof(ref), "ceiling raw/%zu", sizes[i]);
        qiao_bench_line(name, rate, " commit/s", ref, raw / (double)sizes[i]);
        snprintf(name, sizeof(name), "  = signatures checked, n=%zu", sizes[i]);
        qiao_bench_line(name, rate * (double)sizes[i], " sig/s", "raw", raw);
    }
    if (c.failed) {
        fprintf(stderr, "qiao bench bft: a verification failed; figures are not valid\n");
        status = 1;
    }
    free(storage);
    qiao_crypto_destroy(c.cx);
    return status;
}
