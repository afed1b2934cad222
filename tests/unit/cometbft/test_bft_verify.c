/*
 * test_bft_verify.c: the light client on signed blocks made from deterministic test keys
 * (bft_fixture.h): mutation of every header field and of signature bytes, duplicated signers,
 * nil and absent votes, exhaustive signer subsets of a 7-validator committee (sequential and
 * skipping), secp256k1 validators, the time and height rules at their exact boundaries,
 * validator-set changes carried forward, and bisection across four validator-set rotations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_bisect.h"
#include "adapters/cometbft/bft_fixture.h"
#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_time.h"
#include "adapters/cometbft/bft_verify.h"
#include "tests/qt.h"

#define ARENA_BYTES ((size_t)32 << 20)
#define SEC ((int64_t)1000000000)

static struct qiao_crypto *cx;
static struct qiao_arena arena;
static struct qiao_bft_options opt;
static const struct qiao_bft_time t0 = {1600000000, 0};

static struct qiao_bft_time at(int64_t s)
{
    struct qiao_bft_time t = t0;
    t.sec += s;
    return t;
}

static struct qiao_bft_fixture_set set_make(size_t n, uint32_t tag, int key_type)
{
    struct qiao_bft_fixture_set s;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_bft_fixture_set_make(cx, &s, n, tag, key_type, 10, &arena, &d) == 0, "%s", d.msg);
    return s;
}

static struct qiao_bft_light_block *block(int64_t h, const struct qiao_bft_fixture_set *vals,
                                          const struct qiao_bft_fixture_set *next, const uint8_t *flags)
{
    struct qiao_bft_light_block *lb = qiao_arena_alloc(&arena, sizeof(*lb), NULL);
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_bft_fixture_block(cx, lb, "qiao-test", h, at(h * 10), vals, next, flags, &arena, &d) == 0,
              "%s", d.msg);
    return lb;
}

/* Verify and return the verdict; reason (may be NULL) must match on failure. */
static enum qiao_bft_verdict check(const struct qiao_bft_light_block *t, const struct qiao_bft_light_block *u,
                                   struct qiao_bft_time now, const char *reason, const char *what)
{
    enum qiao_bft_verdict v;
    struct qiao_diag d = {0};
    qiao_err err = qiao_bft_verify(cx, &v, t, u, &opt, now, &arena, &d);
    QT_CHECK((err == 0) == (v == QIAO_BFT_SUCCESS));
    if (reason)
        QT_CHECKF(err != 0 && !strcmp(d.reason, reason), "%s: got %s (%s), want %s", what,
                  err ? d.reason : "SUCCESS", d.msg, reason);
    return v;
}

static void header_mutations(void)
{
    struct qiao_bft_fixture_set a = set_make(4, 1, QIAO_BFT_KEY_ED25519);
    struct qiao_bft_light_block *t = block(1, &a, &a, NULL), *u = block(2, &a, &a, NULL);
    QT_CHECK(check(t, u, at(100), NULL, "base") == QIAO_BFT_SUCCESS);
    for (int field = 0; field < 14; field++) {
        for (int resign_hash = 0; resign_hash < 2; resign_hash++) {
            struct qiao_bft_light_block m = *u;
            struct qiao_bft_header *h = &m.header;
            struct qiao_bft_hash *hashes[] = {&h->last_commit_hash, &h->data_hash, &h->validators_hash,
                                              &h->next_validators_hash, &h->consensus_hash, &h->app_hash,
                                              &h->last_results_hash, &h->evidence_hash, &h->proposer_address};
            switch (field) {
            case 0: h->version_app ^= 1; break;
            case 1: h->chain_id[0] ^= 1; break;
            case 2: h->height += 1; break;
            case 3: h->time.nsec += 1; break;
            case 4: h->last_block_id.parts_hash.b[5] ^= 1; break;
            default: hashes[field - 5]->b[0] ^= 0x80; break;
            }
            const char *want = "header-commit-mismatch";
            if (field == 7 || field == 8)
                want = field == 7 ? "validators-hash-mismatch" : "next-validators-hash-mismatch";
            if (resign_hash) { /* the commit now names the mutated header, but nobody signed it */
                QT_CHECK(qiao_bft_header_hash(cx, m.commit.block_id.hash.b, h, NULL) == 0);
                if (field != 7 && field != 8)
                    want = field == 1 ? "chain-id-mismatch"
                           : field == 2 ? "commit-height-mismatch" : "bad-signature";
            }
            char what[64];
            snprintf(what, sizeof(what), "header field %d%s", field, resign_hash ? " (rehashed)" : "");
            QT_CHECKF(check(t, &m, at(100), want, what) == QIAO_BFT_INVALID, "%s", what);
        }
    }
}

static void signature_mutations(void)
{
    struct qiao_bft_fixture_set a = set_make(4, 2, QIAO_BFT_KEY_ED25519);
    struct qiao_bft_light_block *t = block(1, &a, &a, NULL), *u = block(3, &a, &a, NULL);
    QT_CHECK(check(t, u, at(100), NULL, "base") == QIAO_BFT_SUCCESS);
    struct qiao_bft_light_block m = *u;
    struct qiao_bft_commit_sig sigs[4];
    m.commit.sigs = sigs;
    for (size_t slot = 0; slot < 4; slot += 3)
        for (size_t byte = 0; byte < 64; byte++)
            for (unsigned bit = 1; bit < 256; bit <<= 4) {
                memcpy(sigs, u->commit.sigs, sizeof(sigs));
                sigs[slot].sig[byte] ^= (uint8_t)bit;
                QT_CHECKF(check(t, &m, at(100), "bad-signature", "sig flip") == QIAO_BFT_INVALID,
                          "slot %zu byte %zu", slot, byte);
            }
    /* A vote's other fields are signed too. */
    memcpy(sigs, u->commit.sigs, sizeof(sigs));
    sigs[2].timestamp.nsec = 1;
    check(t, &m, at(100), "bad-signature", "vote timestamp");
    memcpy(sigs, u->commit.sigs, sizeof(sigs));
    m.commit.round = 2;
    check(t, &m, at(100), "bad-signature", "commit round");
    m.commit.round = u->commit.round;
    /* A duplicated validator: slot 2 replays slot 1's vote. */
    memcpy(sigs, u->commit.sigs, sizeof(sigs));
    sigs[2] = sigs[1];
    check(t, &m, at(100), "duplicate-signer", "duplicate signer");
    /* A vote moved to another validator's slot. */
    memcpy(sigs, u->commit.sigs, sizeof(sigs));
    sigs[0] = u->commit.sigs[1], sigs[1] = u->commit.sigs[0];
    check(t, &m, at(100), "signer-mismatch", "swapped slots");
    /* A COMMIT vote relabelled NIL no longer matches what was signed. */
    memcpy(sigs, u->commit.sigs, sizeof(sigs));
    sigs[0].flag = QIAO_BFT_FLAG_NIL;
    check(t, &m, at(100), "bad-signature", "commit relabelled nil");
    /* Fewer slots than validators. */
    m.commit.sigs = u->commit.sigs;
    m.commit.n_sigs = 3;
    check(t, &m, at(100), "signature-count-mismatch", "short commit");
}

static void nil_and_absent(void)
{
    struct qiao_bft_fixture_set a = set_make(4, 3, QIAO_BFT_KEY_ED25519); /* powers 13,12,11,10 */
    struct qiao_bft_light_block *t = block(1, &a, &a, NULL);
    const uint8_t c = QIAO_BFT_FLAG_COMMIT, n = QIAO_BFT_FLAG_NIL, x = QIAO_BFT_FLAG_ABSENT;
    uint8_t f1[4] = {c, c, c, n}, f2[4] = {c, c, n, n}, f3[4] = {x, x, x, x}, f4[4] = {n, n, n, n};
    QT_CHECK(check(t, block(2, &a, &a, f1), at(100), NULL, "3 commit + nil") == QIAO_BFT_SUCCESS);
    check(t, block(2, &a, &a, f2), at(100), "insufficient-signers", "2 commit + 2 nil");
    check(t, block(2, &a, &a, f3), at(100), "no-signatures", "all absent");
    check(t, block(2, &a, &a, f4), at(100), "insufficient-signers", "all nil");
    struct qiao_bft_light_block *u = block(2, &a, &a, f1);
    u->commit.sigs[3].sig[7] ^= 1; /* a nil vote's signature is checked although it adds no power */
    check(t, u, at(100), "bad-signature", "bad nil signature");
}

/* Every subset of a 7-validator committee (powers 10..16, total 91): adjacent verification
 * succeeds exactly when more than 2/3 of the power signed; skipping verification from the same
 * set fails for lack of trust at or below 1/3 and as invalid up to 2/3.  Others vote nil on odd
 * subsets and are absent on even ones. */
static void exhaustive_subsets(void)
{
    struct qiao_bft_fixture_set a = set_make(7, 4, QIAO_BFT_KEY_ED25519);
    struct qiao_bft_light_block *t = block(1, &a, &a, NULL);
    struct qiao_bft_light_block *adj = block(2, &a, &a, NULL), *skip = block(5, &a, &a, NULL);
    struct qiao_bft_commit_sig s_adj[7], s_skip[7];
    struct qiao_bft_light_block m_adj = *adj, m_skip = *skip;
    m_adj.commit.sigs = s_adj, m_skip.commit.sigs = s_skip;
    unsigned mismatches = 0;
    for (unsigned mask = 0; mask < 128; mask++) {
        int64_t signed_power = 0;
        memcpy(s_adj, adj->commit.sigs, sizeof(s_adj));
        memcpy(s_skip, skip->commit.sigs, sizeof(s_skip));
        for (int i = 0; i < 7; i++) {
            if (mask >> i & 1) {
                signed_power += a.vs.v[i].power;
                continue;
            }
            if (mask & 1) { /* vote nil: re-sign is needed since the block id is not signed */
                s_adj[i].flag = s_skip[i].flag = QIAO_BFT_FLAG_NIL;
            } else {
                memset(&s_adj[i], 0, sizeof(s_adj[i]));
                memset(&s_skip[i], 0, sizeof(s_skip[i]));
                s_adj[i].flag = s_skip[i].flag = QIAO_BFT_FLAG_ABSENT;
            }
        }
        if (mask & 1) {
            QT_CHECK(qiao_bft_fixture_resign(cx, &m_adj, &a, NULL) == 0);
            QT_CHECK(qiao_bft_fixture_resign(cx, &m_skip, &a, NULL) == 0);
        }
        int64_t total = a.vs.total_power;
        enum qiao_bft_verdict want_adj = 3 * signed_power > 2 * total ? QIAO_BFT_SUCCESS : QIAO_BFT_INVALID;
        enum qiao_bft_verdict want_skip = 3 * signed_power <= total ? QIAO_BFT_NOT_ENOUGH_TRUST : want_adj;
        if (!mask)
            want_skip = QIAO_BFT_INVALID; /* no vote at all: an invalid commit before any tally */
        mismatches += check(t, &m_adj, at(100), NULL, "adj") != want_adj;
        mismatches += check(t, &m_skip, at(100), NULL, "skip") != want_skip;
    }
    QT_CHECKF(mismatches == 0, "%u of 256 subset verdicts wrong", mismatches);
}

static void secp256k1_validators(void)
{
    struct qiao_bft_fixture_set a = set_make(4, 5, QIAO_BFT_KEY_SECP256K1);
    struct qiao_bft_light_block *t = block(1, &a, &a, NULL), *u = block(4, &a, &a, NULL);
    QT_CHECK(a.vs.v[0].pub_len == 33);
    QT_CHECK(check(t, u, at(100), NULL, "secp256k1") == QIAO_BFT_SUCCESS);
    u->commit.sigs[1].sig[40] ^= 1;
    check(t, u, at(100), "bad-signature", "secp256k1 flip");
}

static void time_and_height_rules(void)
{
    struct qiao_bft_fixture_set a = set_make(4, 6, QIAO_BFT_KEY_ED25519);
    struct qiao_bft_light_block *t = block(10, &a, &a, NULL), *u = block(12, &a, &a, NULL);
    struct qiao_bft_time expiry = qiao_bft_time_add(t->header.time, opt.trusting_period_ns);
    QT_CHECK(check(t, u, qiao_bft_time_add(expiry, -1), NULL, "just inside") == QIAO_BFT_SUCCESS);
    check(t, u, expiry, "trusted-expired", "exactly expired");
    int64_t drift = opt.max_clock_drift_ns;
    opt.max_clock_drift_ns = 0;
    check(t, u, u->header.time, "header-from-future", "header at now, no drift");
    QT_CHECK(check(t, u, qiao_bft_time_add(u->header.time, 1), NULL, "1 ns later") == QIAO_BFT_SUCCESS);
    opt.max_clock_drift_ns = 10 * SEC;
    QT_CHECK(check(t, u, qiao_bft_time_add(u->header.time, -9 * SEC), NULL, "within drift") == QIAO_BFT_SUCCESS);
    check(t, u, qiao_bft_time_add(u->header.time, -10 * SEC), "header-from-future", "at drift");
    opt.max_clock_drift_ns = drift;
    struct qiao_bft_light_block *same = block(10, &a, &a, NULL), *lower = block(9, &a, &a, NULL);
    check(t, same, at(1000), "non-monotonic-time", "same height and time");
    struct qiao_bft_light_block *late_low = block(9, &a, &a, NULL);
    late_low->header.time = at(500);
    QT_CHECK(qiao_bft_fixture_resign(cx, late_low, &a, NULL) == 0);
    check(t, late_low, at(1000), "non-monotonic-height", "lower height, later time");
    check(t, lower, at(1000), "non-monotonic-time", "lower height");
    struct qiao_bft_options bad = opt;
    bad.trust_num = 1, bad.trust_den = 4;
    enum qiao_bft_verdict v;
    QT_CHECK(qiao_bft_verify(cx, &v, t, u, &bad, at(1000), &arena, NULL) == QIAO_EINVAL);
}

static void valset_changes(void)
{
    struct qiao_bft_fixture_set a = set_make(4, 7, QIAO_BFT_KEY_ED25519), b = set_make(5, 8, QIAO_BFT_KEY_ED25519),
                                c = set_make(3, 9, QIAO_BFT_KEY_ED25519);
    struct qiao_bft_light_block *h1 = block(1, &a, &b, NULL), *h2 = block(2, &b, &c, NULL), *h3 = block(3, &c, &c, NULL);
    QT_CHECK(check(h1, h2, at(100), NULL, "A->B") == QIAO_BFT_SUCCESS);
    QT_CHECK(check(h2, h3, at(100), NULL, "B->C carried forward") == QIAO_BFT_SUCCESS);
    check(h1, h3, at(100), "not-enough-trust", "skip A..C with disjoint sets");
    struct qiao_bft_light_block *wrong = block(2, &c, &c, NULL);
    check(h1, wrong, at(100), "validators-not-trusted-next", "adjacent block by the wrong set");
    struct qiao_bft_light_block trusted_no_next = *h1;
    trusted_no_next.next_vals = a.vs; /* the trusted block must carry its real next set */
    check(&trusted_no_next, h2, at(100), "trusted-next-validators-mismatch", "trusted next set forged");
}

/* A chain of 20 heights whose validator set changes completely every 5 heights. */
struct chain {
    struct qiao_bft_light_block *b[21];
    unsigned fetched;
};

static qiao_err chain_block(void *ctx, struct qiao_bft_light_block *out, int64_t height,
                            struct qiao_arena *a, struct qiao_diag *d)
{
    struct chain *c = ctx;
    (void)a;
    if (height < 1 || height > 20)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "no-block", "height %lld", (long long)height);
    c->fetched++;
    *out = *c->b[height];
    return QIAO_OK;
}

static void bisection(void)
{
    struct qiao_bft_fixture_set s[5];
    struct chain c = {.fetched = 0};
    for (int i = 0; i < 5; i++)
        s[i] = set_make(4, 20 + (uint32_t)i, QIAO_BFT_KEY_ED25519);
    for (int h = 1; h <= 20; h++)
        c.b[h] = block(h, &s[(h - 1) / 5], &s[h / 5], NULL);
    struct qiao_bft_provider p = {.ctx = &c, .light_block = chain_block};
    struct qiao_bft_light_block out;
    struct qiao_bft_bisect_stats st;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_bft_bisect(cx, &out, c.b[1], 20, &p, &opt, at(1000), &arena, &st, &d) == 0, "%s: %s",
              d.reason, d.msg);
    QT_CHECK(out.header.height == 20 && st.bisections > 0 && st.fetches == c.fetched);
    printf("bisection 1 -> 20 over 4 rotations: %u pivots, %u verifications\n", st.bisections,
           st.verifications);
    /* A forged block on the way makes the whole search fail. */
    c.b[10]->commit.sigs[0].sig[0] ^= 1;
    c.b[10]->commit.sigs[1].sig[0] ^= 1;
    QT_CHECK(qiao_bft_bisect(cx, &out, c.b[1], 20, &p, &opt, at(1000), &arena, &st, &d) != 0);
    QT_CHECK(qiao_bft_bisect(cx, &out, c.b[5], 3, &p, &opt, at(1000), &arena, &st, &d) == QIAO_EINVAL);
}

int main(void)
{
    cx = qiao_crypto_create();
    void *storage = malloc(ARENA_BYTES);
    qiao_arena_init(&arena, storage, ARENA_BYTES);
    qiao_bft_options_default(&opt);
    header_mutations();
    signature_mutations();
    nil_and_absent();
    exhaustive_subsets();
    secp256k1_validators();
    time_and_height_rules();
    valset_changes();
    bisection();
    free(storage);
    qiao_crypto_destroy(cx);
    return qt_finish();
}
