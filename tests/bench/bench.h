/*
 * bench.h: the benchmark harness behind `qiao bench`.
 *
 * Benchmarks are not tests: they measure and print, they do not pass or fail.  Each prints its
 * figure next to the limit that bounds it, measured in the same run on the same core, so a reader
 * can judge the figure without knowing the machine.
 */
#ifndef QIAO_BENCH_H
#define QIAO_BENCH_H

#include <stdint.h>

/** Run fn(arg, iters) in growing batches until min_seconds have passed; returns operations/s. */
typedef void (*qiao_bench_fn)(void *arg, uint64_t iters);
double qiao_bench_rate(qiao_bench_fn fn, void *arg, double min_seconds);

/** Monotonic seconds. */
double qiao_bench_now(void);

/** Print "name  rate unit" aligned, with an optional reference (NULL to omit). */
void qiao_bench_line(const char *name, double rate, const char *unit, const char *ref_name,
                     double ref_rate);

/** Seconds per measurement from QIAO_BENCH_SECONDS (default def). */
double qiao_bench_seconds(double def);

int qiao_bench_primitives(int argc, char **argv);
int qiao_bench_btc_headers(int argc, char **argv);
int qiao_bench_evm_proofs(int argc, char **argv);
int qiao_bench_bft(int argc, char **argv);
int qiao_bench_relay(int argc, char **argv);

#endif
