/* bench.c: timing harness and the `qiao bench` dispatcher (see bench.h). */
#include "tests/bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "relay/cli/commands.h"

double qiao_bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double qiao_bench_rate(qiao_bench_fn fn, void *arg, double min_seconds)
{
    uint64_t iters = 1, total = 0;
    double start = qiao_bench_now(), elapsed = 0;
    fn(arg, 1); /* warm caches and lazy initialisation outside the measurement */
    start = qiao_bench_now();
    while (elapsed < min_seconds) {
        fn(arg, iters);
        total += iters;
        elapsed = qiao_bench_now() - start;
        if (elapsed < min_seconds / 4 && iters < (1u << 30))
            iters *= 2;
    }
    return (double)total / elapsed;
}

double qiao_bench_seconds(double def)
{
    const char *s = getenv("QIAO_BENCH_SECONDS");
    double v = s ? atof(s) : 0;
    return v > 0 && v < 60 ? v : def;
}

static void human(char *out, size_t n, double rate)
{
    if (rate >= 1e6)
        snprintf(out, n, "%.2f M", rate / 1e6);
    else if (rate >= 1e3)
        snprintf(out, n, "%.1f k", rate / 1e3);
    else
        snprintf(out, n, "%.1f ", rate);
}

void qiao_bench_line(const char *name, double rate, const char *unit, const char *ref_name,
                     double ref_rate)
{
    char a[32];
    human(a, sizeof(a), rate);
    printf("  %-34s %12s%s", name, a, unit);
    if (ref_name) {
        char b[32];
        human(b, sizeof(b), ref_rate);
        printf("   | %s %s%s = %.2fx", ref_name, b, unit, rate / ref_rate);
    }
    printf("\n");
}

struct bench_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct bench_entry benches[] = {
    {.name = "primitives", .run = qiao_bench_primitives, .summary = "hash and signature rates per core"},
    {.name = "btc-headers", .run = qiao_bench_btc_headers, .summary = "N: verify a regtest header chain"},
    {.name = "evm-proofs", .run = qiao_bench_evm_proofs, .summary = "receipt proofs and header hashes"},
    {.name = "bft", .run = qiao_bench_bft, .summary = "CometBFT commits of 4, 100, 150 validators"},
    {.name = "relay", .run = qiao_bench_relay, .summary = "[N]: 4 notaries relay N messages on anvil"},
};

int qiao_cmd_bench(int argc, char **argv)
{
    size_t n = sizeof(benches) / sizeof(benches[0]);
    if (argc >= 2)
        for (size_t i = 0; i < n; i++)
            if (strcmp(argv[1], benches[i].name) == 0)
                return benches[i].run(argc - 1, argv + 1);
    FILE *out = argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr;
    if (argc >= 2 && out == stderr)
        fprintf(stderr, "qiao bench: unknown benchmark \"%s\"\n", argv[1]);
    fprintf(out, "usage: qiao bench <name> [args]   (QIAO_BENCH_SECONDS sets seconds per figure)\n");
    for (size_t i = 0; i < n; i++)
        fprintf(out, "  %-12s %s\n", benches[i].name, benches[i].summary);
    return out == stdout ? 0 : 2;
}
