/*
 * test_bft_vectors.c: the CometBFT light client against the real vectors in
 * ../shared/vectors/cometbft (tendermint-rs's TLA+ model-based single-step cases, its bisection
 * cases, and a header of known hash).
 *
 * Single step: the trusted state starts at "initial" and advances only on SUCCESS; trust level
 * 1/3, clock drift 0, trusting period from the file.  Every step's verdict must match.  A block
 * the strict decoder refuses counts as INVALID (none of the vectors' blocks is refused: that is
 * checked too, so the decoder cannot hide a verdict).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_adapter.h"
#include "adapters/cometbft/bft_bisect.h"
#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_json.h"
#include "adapters/cometbft/bft_time.h"
#include "adapters/cometbft/bft_verify.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "tests/qt.h"

#define ARENA_BYTES ((size_t)16 << 20)

static struct qiao_crypto *cx;
static struct qiao_arena arena;

static cJSON *load(const char *relative)
{
    const char *path = qt_vector_path(relative);
    struct qiao_diag d = {0};
    cJSON *root = NULL;
    if (!path)
        return NULL;
    if (qiao_json_parse_file(&root, path, 0, 0, &d))
        QT_CHECKF(0, "%s: %s", relative, d.msg);
    return root;
}

static void known_hash(void)
{
    cJSON *root = load("cometbft/header_with_known_hash.json");
    if (!root)
        return;
    struct qiao_bft_header h;
    struct qiao_diag d = {0};
    const char *want_hex = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "expected_hash"));
    uint8_t want[32], got[32];
    QT_CHECKF(qiao_bft_header_from_json(&h, qiao_json_get(root, "header"), &d) == 0, "%s", d.msg);
    QT_CHECK(qiao_hex_decode_exact(want, 32, want_hex, &d) == 0);
    QT_CHECK(qiao_bft_header_hash(cx, got, &h, &d) == 0);
    QT_CHECK_MEM(got, want, 32);
    cJSON_Delete(root);
}

static int64_t ns_member(const cJSON *obj, const char *key)
{
    uint64_t v = 0;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_json_u64(&v, obj, key, &d) == 0, "%s", d.msg);
    return (int64_t)v;
}

static struct qiao_bft_time time_member(const cJSON *obj, const char *key)
{
    struct qiao_bft_time t = {0, 0};
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_bft_time_parse(&t, cJSON_GetStringValue(qiao_json_get(obj, key)), key, &d) == 0,
              "%s", d.msg);
    return t;
}

/* One input step; returns the block when it verified (the new trusted state). */
static const struct qiao_bft_light_block *run_step(const char *file, size_t i, const cJSON *in,
                                                   const struct qiao_bft_light_block *trusted,
                                                   const struct qiao_bft_options *opt)
{
    struct qiao_bft_light_block *lb = qiao_arena_alloc(&arena, sizeof(*lb), NULL);
    struct qiao_diag d = {0};
    enum qiao_bft_verdict v = QIAO_BFT_INVALID;
    const char *want = cJSON_GetStringValue(qiao_json_get(in, "verdict"));
    qiao_err err = qiao_bft_light_block_from_json(cx, lb, qiao_json_get(in, "block"), 0, &arena, &d);
    QT_CHECKF(err == 0, "%s step %zu: decoder refused a vector block: %s", file, i, d.msg);
    if (!err)
        err = qiao_bft_verify(cx, &v, trusted, lb, opt, time_member(in, "now"), &arena, &d);
    QT_CHECKF(want && strcmp(qiao_bft_verdict_name(v), want) == 0,
              "%s step %zu: got %s (%s: %s), want %s", file, i, qiao_bft_verdict_name(v), d.reason,
              d.msg, want ? want : "?");
    return v == QIAO_BFT_SUCCESS ? lb : trusted;
}

static void single_step_file(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "cometbft/single_step/%s", name);
    cJSON *root = load(rel);
    if (!root)
        return;
    struct qiao_diag d = {0};
    struct qiao_bft_light_block *trusted = qiao_arena_alloc(&arena, sizeof(*trusted), NULL);
    const cJSON *initial = qiao_json_get(root, "initial"), *input = qiao_json_get(root, "input");
    struct qiao_bft_options opt = {.trust_num = 1, .trust_den = 3, .max_clock_drift_ns = 0};
    opt.trusting_period_ns = ns_member(initial, "trusting_period");
    QT_CHECKF(qiao_bft_light_block_from_json(cx, trusted, initial, QIAO_BFT_JSON_TRUSTED, &arena, &d) == 0,
              "%s initial: %s", name, d.msg);
    const struct qiao_bft_light_block *state = trusted;
    size_t i = 0, steps = 0;
    for (const cJSON *in = input ? input->child : NULL; in; in = in->next, i++, steps++)
        state = run_step(name, i, in, state, &opt);
    QT_CHECKF(steps > 0, "%s has no steps", name);
    cJSON_Delete(root);
    qiao_arena_reset(&arena);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void single_step_all(void)
{
    const char *dir = qt_vector_path("cometbft/single_step");
    if (!dir)
        return;
    char *names[256];
    size_t n = 0;
    DIR *dh = opendir(dir);
    QT_CHECK(dh != NULL);
    for (struct dirent *e; dh && (e = readdir(dh)) && n < 256;)
        if (strstr(e->d_name, ".json"))
            names[n++] = strdup(e->d_name);
    if (dh)
        closedir(dh);
    qsort(names, n, sizeof(names[0]), cmp_names);
    QT_CHECKF(n >= 20, "expected the 20+ single-step files, found %zu", n);
    for (size_t i = 0; i < n; i++) {
        single_step_file(names[i]);
        free(names[i]);
    }
    printf("single_step: %zu files\n", n);
}

/* The bisection provider: the file's primary blocks, decoded up front. */
struct replay {
    struct qiao_bft_light_block *blocks;
    size_t n;
};

static qiao_err replay_block(void *ctx, struct qiao_bft_light_block *out, int64_t height,
                             struct qiao_arena *a, struct qiao_diag *d)
{
    const struct replay *r = ctx;
    (void)a;
    for (size_t i = 0; i < r->n; i++)
        if (r->blocks[i].header.height == height) {
            *out = r->blocks[i];
            return QIAO_OK;
        }
    return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-block", "no block at height %lld", (long long)height);
}

/*
 * _worst_case.json cannot verify under any sound light client: its headers' validators_hash and
 * next_validators_hash fields were edited after the blocks were hashed and signed.  Block 1 shows
 * it exactly: its header hashes to something other than the commit's (and trust_options') hash,
 * but with next_validators_hash set back to the hash of the file's own next_validator_set it
 * hashes to that value.  We assert the demonstration and that bisection rejects the file.
 */
static void worst_case_is_inconsistent(const struct qiao_bft_light_block *b1, const uint8_t trust_hash[32])
{
    struct qiao_bft_header h = b1->header;
    struct qiao_diag d = {0};
    uint8_t got[32], next[32];
    QT_CHECK(qiao_bft_header_hash(cx, got, &h, &d) == 0);
    QT_CHECKF(memcmp(got, trust_hash, 32) != 0, "_worst_case block 1 unexpectedly consistent");
    QT_CHECK(qiao_bft_valset_hash(cx, next, &b1->next_vals, qiao_bft_encoding_of(&h), &d) == 0);
    memcpy(h.next_validators_hash.b, next, 32);
    QT_CHECK(qiao_bft_header_hash(cx, got, &h, &d) == 0);
    QT_CHECK_MEM(got, trust_hash, 32);
}

/* expect: 1 = must verify, 0 = must fail; reason: the failure the file is about (or NULL). */
static void bisection_file(const char *name, int expect_ok, const char *reason)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "cometbft/bisection/%s", name);
    cJSON *root = load(rel);
    if (!root)
        return;
    struct qiao_diag d = {0};
    const cJSON *topts = qiao_json_get(root, "trust_options"), *lvl = qiao_json_get(topts, "trust_level");
    const cJSON *blocks = qiao_json_get(qiao_json_get(root, "primary"), "lite_blocks");
    const char *want = cJSON_GetStringValue(qiao_json_get(root, "expected_output"));
    struct replay r = {.n = (size_t)cJSON_GetArraySize(blocks)};
    r.blocks = qiao_arena_alloc(&arena, r.n * sizeof(*r.blocks), NULL);
    size_t i = 0;
    for (const cJSON *b = blocks->child; b; b = b->next, i++)
        QT_CHECKF(qiao_bft_light_block_from_json(cx, &r.blocks[i], b, 0, &arena, &d) == 0, "%s block %zu: %s",
                  name, i, d.msg);
    struct qiao_bft_options opt;
    qiao_bft_options_default(&opt); /* clock drift 10 s, as tendermint-rs runs these cases */
    opt.trusting_period_ns = ns_member(topts, "period");
    opt.trust_num = (uint64_t)ns_member(lvl, "numerator");
    opt.trust_den = (uint64_t)ns_member(lvl, "denominator");
    struct qiao_bft_light_block root_block, out;
    struct qiao_bft_provider p = {.ctx = &r, .light_block = replay_block};
    uint8_t trust_hash[32], got_hash[32];
    QT_CHECK(replay_block(&r, &root_block, ns_member(topts, "height"), NULL, &d) == 0);
    QT_CHECK(qiao_hex_decode_exact(trust_hash, 32, cJSON_GetStringValue(qiao_json_get(topts, "hash")), &d) == 0);
    QT_CHECK(qiao_bft_header_hash(cx, got_hash, &root_block.header, &d) == 0);
    if (strcmp(name, "_worst_case.json") != 0)
        QT_CHECKF(memcmp(trust_hash, got_hash, 32) == 0, "%s: trust root hash differs", name);
    else
        worst_case_is_inconsistent(&root_block, trust_hash);
    struct qiao_bft_bisect_stats st;
    qiao_err err = qiao_bft_bisect(cx, &out, &root_block, ns_member(root, "height_to_verify"), &p, &opt,
                                   time_member(root, "now"), &arena, &st, &d);
    QT_CHECKF((err == 0) == expect_ok, "%s: bisection %s (%s: %s)", name, err ? "failed" : "succeeded",
              d.reason, d.msg);
    if (!err)
        QT_CHECK(out.header.height == ns_member(root, "height_to_verify"));
    if (err && reason)
        QT_CHECKF(strcmp(d.reason, reason) == 0, "%s: failed with %s, expected %s", name, d.reason, reason);
    printf("bisection %s: %s after %u pivots, %u verifications (file: \"%s\", %lld bisections)%s%s\n",
           name, err ? "error" : "verified", st.bisections, st.verifications, want ? want : "?",
           (long long)ns_member(root, "expected_num_of_bisections"), err ? ": " : "", err ? d.reason : "");
    cJSON_Delete(root);
    qiao_arena_reset(&arena);
}

/* The adapter table through the core's wrappers, on TestSuccess: step 0 lacks trust, step 1
 * verifies and becomes the trusted state through committee_update, step 2 then verifies from it. */
static void adapter_table(void)
{
    cJSON *root = load("cometbft/single_step/MC4_4_faulty_TestSuccess.json");
    if (!root)
        return;
    const struct qiao_adapter *a = &qiao_adapter_cometbft;
    struct qiao_bft_chain *chain = qiao_arena_alloc(&arena, sizeof(*chain), NULL);
    struct qiao_diag d = {0};
    const cJSON *input = qiao_json_get(root, "input");
    QT_CHECK(qiao_bft_light_block_from_json(cx, &chain->trusted, qiao_json_get(root, "initial"),
                                            QIAO_BFT_JSON_TRUSTED, &arena, &d) == 0);
    qiao_bft_options_default(&chain->opt);
    chain->opt.max_clock_drift_ns = 0;
    chain->opt.trusting_period_ns = ns_member(qiao_json_get(root, "initial"), "trusting_period");
    const qiao_err want[3] = {QIAO_EVERIFY, QIAO_OK, QIAO_OK};
    for (int i = 0; i < 3; i++) {
        const cJSON *in = cJSON_GetArrayItem(input, i);
        char *raw = cJSON_PrintUnformatted(qiao_json_get(in, "block"));
        struct qiao_header_info info;
        chain->now = time_member(in, "now");
        QT_CHECK(qiao_adapter_header_decode(a, cx, &info, (const uint8_t *)raw, strlen(raw), &d) == 0);
        uint8_t hash[32];
        QT_CHECK(qiao_hex_decode_exact(hash, 32, cJSON_GetStringValue(qiao_json_get(qiao_json_get(qiao_json_get(
                     qiao_json_get(qiao_json_get(in, "block"), "signed_header"), "commit"), "block_id"), "hash")), NULL) == 0);
        QT_CHECK_MEM(info.hash, hash, 32);
        qiao_err err = a->committee_update(cx, chain, (const uint8_t *)raw, strlen(raw), &arena, &d);
        QT_CHECKF(err == want[i], "adapter step %d: %d %s", i, err, d.reason);
        QT_CHECK(chain->trusted.header.height == (int64_t)(i == 0 ? 1 : info.height));
        free(raw);
    }
    QT_CHECK(a->caps & QIAO_CAP_BFT);
    cJSON_Delete(root);
}

int main(void)
{
    cx = qiao_crypto_create();
    void *storage = malloc(ARENA_BYTES);
    qiao_arena_init(&arena, storage, ARENA_BYTES);
    known_hash();
    adapter_table();
    single_step_all();
    bisection_file("_happy_path.json", 1, NULL);
    bisection_file("header_out_of_trusting_period.json", 0, "trusted-expired");
    bisection_file("not_enough_commits.json", 0, "insufficient-signers");
    bisection_file("_worst_case.json", 0, "trusted-next-validators-mismatch"); /* see above */
    free(storage);
    qiao_crypto_destroy(cx);
    return qt_finish();
}
