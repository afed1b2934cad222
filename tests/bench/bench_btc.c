/*
 * bench_btc.c: `qiao bench btc-headers [N]`.  Mines a valid regtest-difficulty chain of N headers
 * (default 925,000, about mainnet's length) on the regtest genesis, then verifies it with the
 * same rolling verifier `qiao btc verify-headers` uses (PoW, nBits rule, MTP, version, chainwork)
 * and prints headers/s next to the raw double-SHA-256 rate of an 80-byte input measured in the
 * same run: one header costs one such hash, so the raw rate is the ceiling.  The target is
 * verification at >= 60% of it.  The store path (fork choice, best-chain index) is timed too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_chain.h"
#include "adapters/bitcoin/btc_store.h"
#include "relay/core/bytes.h"
#include "tests/bench/bench.h"

static const uint8_t regtest_genesis[80] = {
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x3b, 0xa3, 0xed, 0xfd, 0x7a, 0x7b, 0x12, 0xb2, 0x7a, 0xc7, 0x2c, 0x3e,
    0x67, 0x76, 0x8f, 0x61, 0x7f, 0xc8, 0x1b, 0xc3, 0x88, 0x8a, 0x51, 0x32, 0x3a, 0x9f, 0xb8, 0xaa,
    0x4b, 0x1e, 0x5e, 0x4a, 0xda, 0xe5, 0x49, 0x4d, 0xff, 0xff, 0x7f, 0x20, 0x02, 0x00, 0x00, 0x00,
};

struct raw_arg {
    struct qiao_crypto *cx;
    uint8_t data[80];
    uint8_t out[32];
};

static void run_sha256d(void *arg, uint64_t n)
{
    struct raw_arg *r = arg;
    for (uint64_t i = 0; i < n; i++) {
        r->data[76] = (uint8_t)i;
        qiao_sha256d(r->cx, r->out, r->data, 80);
    }
}

/* Mine headers 1..n-1 after genesis (headers[0]); regtest targets 2^255, two tries each. */
static void mine_chain(struct qiao_crypto *cx, uint8_t *headers, size_t n)
{
    struct qiao_btc_u256 target;
    int neg, ovf;
    uint8_t prev[32];
    qiao_btc_u256_from_compact(&target, &neg, &ovf, 0x207fffff);
    memcpy(headers, regtest_genesis, 80);
    qiao_btc_header_hash(cx, prev, headers);
    for (size_t i = 1; i < n; i++) {
        struct qiao_btc_header h = {.version = 0x20000000, .time = 1296688602 + 600 * (uint32_t)i,
                                    .bits = 0x207fffff};
        uint8_t *raw = headers + 80 * i;
        memcpy(h.prev, prev, 32);
        memset(h.merkle_root, 0x42, 32);
        qiao_store32le(h.merkle_root, (uint32_t)i);
        do {
            h.nonce++;
            qiao_btc_header_encode(raw, &h);
            qiao_btc_header_hash(cx, prev, raw);
        } while (!qiao_btc_hash_le_target(prev, &target));
    }
}

static int verify_linear(struct qiao_crypto *cx, const uint8_t *headers, size_t n,
                         struct qiao_btc_link *tip)
{
    const struct qiao_btc_params *reg = qiao_btc_params_get(QIAO_BTC_REGTEST);
    struct qiao_btc_link a, b;
    struct qiao_diag d = {0};
    if (qiao_btc_link_anchor(cx, &a, reg, headers, 80, 0, NULL, &d))
        return fprintf(stderr, "bench: anchor: %s\n", d.msg), -1;
    for (size_t i = 1; i < n; i += 2) {
        if (qiao_btc_link_next(cx, &b, reg, &a, headers + 80 * i, 80, QIAO_BTC_NO_CLOCK, &d))
            return fprintf(stderr, "bench: header %zu: %s\n", i, d.msg), -1;
        if (i + 1 == n) {
            a = b;
            break;
        }
        if (qiao_btc_link_next(cx, &a, reg, &b, headers + 80 * (i + 1), 80, QIAO_BTC_NO_CLOCK, &d))
            return fprintf(stderr, "bench: header %zu: %s\n", i + 1, d.msg), -1;
    }
    *tip = a;
    return 0;
}

static int verify_store(struct qiao_crypto *cx, const uint8_t *headers, size_t n)
{
    struct qiao_btc_memstore mem;
    struct qiao_btc_store view;
    struct qiao_btc_chain chain;
    struct qiao_btc_add_result res;
    struct qiao_diag d = {0};
    int rc = 0;
    qiao_btc_memstore_init(&mem, &view, n + 1);
    if (qiao_btc_chain_init(cx, &chain, qiao_btc_params_get(QIAO_BTC_REGTEST), view, headers, 80,
                            0, NULL, &d))
        rc = -1;
    for (size_t i = 1; rc == 0 && i < n; i++)
        if (qiao_btc_chain_add(cx, &chain, &res, headers + 80 * i, 80, QIAO_BTC_NO_CLOCK, &d))
            rc = -1;
    if (rc)
        fprintf(stderr, "bench: store: %s\n", d.msg);
    qiao_btc_memstore_clear(&mem);
    return rc;
}

int qiao_bench_btc_headers(int argc, char **argv)
{
    size_t n = 925000;
    if (argc > 1 && (n = strtoull(argv[1], NULL, 10)) < 2) {
        fprintf(stderr, "usage: qiao bench btc-headers [N >= 2]\n");
        return 2;
    }
    struct qiao_crypto *cx = qiao_crypto_create();
    uint8_t *headers = malloc(80 * n);
    if (!cx || !headers)
        return fprintf(stderr, "bench: out of memory\n"), free(headers), qiao_crypto_destroy(cx), 2;
    struct raw_arg raw = {.cx = cx};
    memcpy(raw.data, regtest_genesis, 80);
    printf("btc-headers: %zu regtest headers\n", n);
    double t0 = qiao_bench_now();
    mine_chain(cx, headers, n);
    double t1 = qiao_bench_now();
    printf("  mined in %.2f s\n", t1 - t0);
    double raw_rate = qiao_bench_rate(run_sha256d, &raw, qiao_bench_seconds(1.0));
    struct qiao_btc_link tip;
    t0 = qiao_bench_now();
    int rc = verify_linear(cx, headers, n, &tip);
    t1 = qiao_bench_now();
    if (rc == 0) {
        qiao_bench_line("verify headers (rolling link)", (double)(n - 1) / (t1 - t0), "/s",
                        "raw double SHA-256 80 B", raw_rate);
        printf("  %zu headers verified in %.3f s (tip height %llu); target >= 0.60x raw\n", n - 1,
               t1 - t0, (unsigned long long)tip.height);
        t0 = qiao_bench_now();
        rc = verify_store(cx, headers, n);
        t1 = qiao_bench_now();
        if (rc == 0)
            qiao_bench_line("verify+store headers (memstore)", (double)(n - 1) / (t1 - t0), "/s",
                            "raw double SHA-256 80 B", raw_rate);
    }
    free(headers);
    qiao_crypto_destroy(cx);
    return rc ? 1 : 0;
}
