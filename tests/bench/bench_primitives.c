/*
 * bench_primitives.c: `qiao bench primitives`, per-core rates of the hashes and signature checks
 * every adapter is built on.  Keccak-256 is printed beside OpenSSL's SHA3-256 on the same input: the
 * same permutation with different padding, so it is the natural ceiling for our own Keccak.
 */
#include <stdio.h>
#include <string.h>

#include "relay/core/crypto.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "relay/core/sig.h"
#include "tests/bench/bench.h"

struct prim {
    struct qiao_crypto *cx;
    uint8_t data[500];
    size_t len;
    uint8_t out[32];
    uint8_t digest[32];
    uint8_t sig65[65];
    uint8_t pub33[33];
    uint8_t ed_pub[32];
    uint8_t ed_sig[64];
};

static void run_sha256d(void *arg, uint64_t n)
{
    struct prim *p = arg;
    for (uint64_t i = 0; i < n; i++) {
        p->data[0] = (uint8_t)i;
        qiao_sha256d(p->cx, p->out, p->data, p->len);
    }
}

static void run_keccak(void *arg, uint64_t n)
{
    struct prim *p = arg;
    for (uint64_t i = 0; i < n; i++) {
        p->data[0] = (uint8_t)i;
        qiao_keccak256(p->out, p->data, p->len);
    }
}

static void run_sha3(void *arg, uint64_t n)
{
    struct prim *p = arg;
    for (uint64_t i = 0; i < n; i++) {
        p->data[0] = (uint8_t)i;
        qiao_sha3_256(p->cx, p->out, p->data, p->len);
    }
}

static void run_secp_verify(void *arg, uint64_t n)
{
    struct prim *p = arg;
    for (uint64_t i = 0; i < n; i++)
        if (qiao_secp_verify(p->cx, p->pub33, 33, p->sig65, p->digest, NULL))
            fprintf(stderr, "bench: secp256k1 verify unexpectedly failed\n");
}

static void run_secp_recover(void *arg, uint64_t n)
{
    struct prim *p = arg;
    uint8_t addr[20];
    for (uint64_t i = 0; i < n; i++)
        if (qiao_secp_recover(p->cx, addr, NULL, p->sig65, p->digest, NULL))
            fprintf(stderr, "bench: secp256k1 recover unexpectedly failed\n");
}

static void run_ed25519(void *arg, uint64_t n)
{
    struct prim *p = arg;
    for (uint64_t i = 0; i < n; i++)
        if (qiao_ed25519_verify(p->ed_pub, p->ed_sig, p->digest, 32, NULL))
            fprintf(stderr, "bench: Ed25519 verify unexpectedly failed\n");
}

static int setup_keys(struct prim *p)
{
    uint8_t sk[32], pub64[64], seed[32];
    memset(p->digest, 0x5a, sizeof(p->digest));
    if (qiao_secp_keygen(p->cx, sk, NULL) || qiao_secp_sign(p->cx, p->sig65, sk, p->digest, NULL) ||
        qiao_secp_pubkey(p->cx, pub64, NULL, sk, NULL))
        return -1;
    p->pub33[0] = (uint8_t)(2 + (pub64[63] & 1));
    memcpy(p->pub33 + 1, pub64, 32);
    memset(seed, 7, sizeof(seed));
    return qiao_ed25519_pubkey(p->ed_pub, seed, NULL) ||
                   qiao_ed25519_sign(p->ed_sig, seed, p->digest, 32, NULL)
               ? -1
               : 0;
}

int qiao_bench_primitives(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    double secs = qiao_bench_seconds(1.0);
    struct prim p = {.cx = qiao_crypto_create()};
    if (!p.cx || setup_keys(&p)) {
        fprintf(stderr, "qiao bench primitives: crypto set-up failed\n");
        qiao_crypto_destroy(p.cx);
        return 1;
    }
    memset(p.data, 0xa5, sizeof(p.data));
    printf("qiao bench primitives (one core, %.1f s per figure)\n", secs);
    p.len = 80;
    qiao_bench_line("double SHA-256, 80 B", qiao_bench_rate(run_sha256d, &p, secs), "/s", NULL, 0);
    static const size_t sizes[] = {64, 500};
    for (size_t i = 0; i < 2; i++) {
        char name[64];
        p.len = sizes[i];
        double sha3 = qiao_bench_rate(run_sha3, &p, secs);
        double kec = qiao_bench_rate(run_keccak, &p, secs);
        snprintf(name, sizeof(name), "Keccak-256 (qiao), %zu B", sizes[i]);
        qiao_bench_line(name, kec, "/s", "OpenSSL SHA3-256", sha3);
    }
    qiao_bench_line("secp256k1 verify", qiao_bench_rate(run_secp_verify, &p, secs), "/s", NULL, 0);
    qiao_bench_line("secp256k1 recover", qiao_bench_rate(run_secp_recover, &p, secs), "/s", NULL, 0);
    qiao_bench_line("Ed25519 verify", qiao_bench_rate(run_ed25519, &p, secs), "/s", NULL, 0);
    printf("  (target: Keccak-256 at least 0.5x OpenSSL SHA3-256 on the same input)\n");
    qiao_crypto_destroy(p.cx);
    return 0;
}
