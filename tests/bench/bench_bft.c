/* bench_bft.c: placeholder until the family's adapter lands; the adapter's work replaces it. */
#include <stdio.h>

#include "tests/bench/bench.h"

int qiao_bench_bft(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "qiao bench: this family's adapter is not built yet\n");
    return 2;
}
