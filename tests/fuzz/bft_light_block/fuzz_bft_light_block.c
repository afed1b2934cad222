/*
 * fuzz_bft_light_block.c: libFuzzer target for the strict light-block JSON decoder and, when a
 * block decodes, the whole verifier against a fixed trusted block (the first corpus seed's
 * shape: test-chain, one validator).  Neither may crash, leak or read out of bounds on any input.
 * Corpus: light blocks cut from ../shared/vectors/cometbft (see corpus/).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_json.h"
#include "adapters/cometbft/bft_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t storage[2 * QIAO_BFT_BLOCK_ARENA];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct qiao_crypto *cx;
    if (!cx)
        cx = qiao_crypto_create();
    struct qiao_arena arena;
    struct qiao_bft_light_block lb;
    struct qiao_diag d;
    qiao_arena_init(&arena, storage, sizeof(storage));
    qiao_diag_clear(&d);
    /* Decode as trusted first (the lenient shape), then as untrusted. */
    if (qiao_bft_light_block_parse(cx, &lb, (const char *)data, size, QIAO_BFT_JSON_TRUSTED, &arena, &d))
        return 0;
    uint8_t h[32];
    qiao_bft_header_hash(cx, h, &lb.header, NULL);
    qiao_bft_trusted_check(cx, &lb, NULL);
    struct qiao_bft_light_block u;
    if (qiao_bft_light_block_parse(cx, &u, (const char *)data, size, 0, &arena, &d))
        return 0;
    /* Verify the block against itself as trusted (height and time fail) and against a copy
     * one height lower (exercises hashing, shape, tally and signatures on fuzzed data). */
    struct qiao_bft_options opt;
    struct qiao_bft_time now = u.header.time;
    enum qiao_bft_verdict v;
    qiao_bft_options_default(&opt);
    now.sec += 5;
    qiao_bft_verify(cx, &v, &lb, &u, &opt, now, &arena, NULL);
    struct qiao_bft_light_block lower = lb;
    lower.header.height = u.header.height > 1 ? u.header.height - 1 : 1;
    lower.header.time.sec -= 1;
    qiao_bft_verify(cx, &v, &lower, &u, &opt, now, &arena, NULL);
    lower.header.height = u.header.height > 3 ? u.header.height - 3 : 1;
    qiao_bft_verify(cx, &v, &lower, &u, &opt, now, &arena, NULL);
    return 0;
}
