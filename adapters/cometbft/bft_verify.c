/* bft_verify.c: one light-client verification step (see bft_verify.h). */
#include "adapters/cometbft/bft_verify.h"

#include <string.h>

#include "adapters/cometbft/bft_commit.h"
#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_time.h"

void qiao_bft_options_default(struct qiao_bft_options *o)
{
    o->trust_num = 1;
    o->trust_den = 3;
    o->trusting_period_ns = (int64_t)14 * 86400 * 1000000000;
    o->max_clock_drift_ns = (int64_t)10 * 1000000000;
}

qiao_err qiao_bft_options_check(const struct qiao_bft_options *o, struct qiao_diag *d)
{
    unsigned __int128 three_num = (unsigned __int128)o->trust_num * 3;
    if (!o->trust_den || o->trust_num > o->trust_den || three_num < o->trust_den)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-trust-level", "trust level %llu/%llu is not within [1/3, 1]",
                         (unsigned long long)o->trust_num, (unsigned long long)o->trust_den);
    if (o->trusting_period_ns <= 0 || o->trusting_period_ns > QIAO_BFT_MAX_DURATION_NS ||
        o->max_clock_drift_ns < 0 || o->max_clock_drift_ns > QIAO_BFT_MAX_DURATION_NS)
        return QIAO_FAIL(d, QIAO_ERANGE, "bad-duration",
                         "trusting period must be positive and clock drift non-negative (both "
                         "under 200 years)");
    return QIAO_OK;
}

const char *qiao_bft_verdict_name(enum qiao_bft_verdict v)
{
    return v == QIAO_BFT_SUCCESS ? "SUCCESS" : v == QIAO_BFT_NOT_ENOUGH_TRUST ? "NOT_ENOUGH_TRUST"
                                                                             : "INVALID";
}

static qiao_err valset_matches(struct qiao_crypto *cx, const struct qiao_bft_valset *vs,
                               enum qiao_bft_encoding enc, const struct qiao_bft_hash *want, const char *reason,
                               const char *what, struct qiao_diag *d)
{
    uint8_t h[32];
    QIAO_TRY(qiao_bft_valset_hash(cx, h, vs, enc, d));
    if (want->len != 32 || memcmp(h, want->b, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, reason, "%s does not hash to the header's field", what);
    return QIAO_OK;
}

qiao_err qiao_bft_trusted_check(struct qiao_crypto *cx, const struct qiao_bft_light_block *t,
                                struct qiao_diag *d)
{
    if (!t->has_next_vals)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "trusted block has no next_validator_set");
    enum qiao_bft_encoding enc = qiao_bft_encoding_of(&t->header);
    QIAO_TRY(valset_matches(cx, &t->next_vals, enc, &t->header.next_validators_hash,
                            "trusted-next-validators-mismatch", "trusted next_validator_set", d));
    if (t->has_vals)
        QIAO_TRY(valset_matches(cx, &t->vals, enc, &t->header.validators_hash,
                                "trusted-validators-mismatch", "trusted validator_set", d));
    return QIAO_OK;
}

/* Checks 2 and 3: the untrusted block's parts belong together. */
static qiao_err block_consistent(struct qiao_crypto *cx, const struct qiao_bft_light_block *t,
                                 const struct qiao_bft_light_block *u, struct qiao_diag *d)
{
    const struct qiao_bft_header *h = &u->header;
    uint8_t hash[32];
    enum qiao_bft_encoding enc = qiao_bft_encoding_of(h);
    if (enc != qiao_bft_encoding_of(&t->header))
        return QIAO_FAIL(d, QIAO_EVERIFY, "encoding-mismatch",
                         "block protocol %llu and the trusted %llu use different encodings",
                         (unsigned long long)h->version_block,
                         (unsigned long long)t->header.version_block);
    QIAO_TRY(valset_matches(cx, &u->vals, enc, &h->validators_hash, "validators-hash-mismatch",
                            "validator_set", d));
    QIAO_TRY(valset_matches(cx, &u->next_vals, enc, &h->next_validators_hash,
                            "next-validators-hash-mismatch", "next_validator_set", d));
    QIAO_TRY(qiao_bft_header_hash(cx, hash, h, d));
    if (u->commit.block_id.hash.len != 32 || memcmp(hash, u->commit.block_id.hash.b, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "header-commit-mismatch",
                         "the commit is for block_id.hash other than this header's hash");
    if (u->commit.height != h->height)
        return QIAO_FAIL(d, QIAO_EVERIFY, "commit-height-mismatch",
                         "commit height %lld differs from header height %lld",
                         (long long)u->commit.height, (long long)h->height);
    if (h->chain_id_len != t->header.chain_id_len ||
        memcmp(h->chain_id, t->header.chain_id, h->chain_id_len) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "chain-id-mismatch",
                         "header chain_id \"%s\" differs from the trusted \"%s\"", h->chain_id,
                         t->header.chain_id);
    return QIAO_OK;
}

/* Checks 1, 5 and 6. */
static qiao_err time_and_height(const struct qiao_bft_header *th, const struct qiao_bft_header *uh,
                                const struct qiao_bft_options *opt, struct qiao_bft_time now,
                                struct qiao_diag *d)
{
    if (qiao_bft_time_cmp(uh->time, qiao_bft_time_add(now, opt->max_clock_drift_ns)) >= 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "header-from-future",
                         "header time is not before now plus the maximum clock drift");
    if (qiao_bft_time_cmp(uh->time, th->time) <= 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "non-monotonic-time",
                         "header time is not after the trusted header's time");
    if (uh->height <= th->height)
        return QIAO_FAIL(d, QIAO_EVERIFY, "non-monotonic-height",
                         "header height %lld is not above the trusted height %lld",
                         (long long)uh->height, (long long)th->height);
    return QIAO_OK;
}

/* Check 7. */
static qiao_err trust_link(struct qiao_crypto *cx, enum qiao_bft_verdict *verdict,
                           const struct qiao_bft_light_block *t, const struct qiao_bft_light_block *u,
                           const struct qiao_bft_options *opt, struct qiao_bft_sigcache *sc,
                           struct qiao_arena *arena, struct qiao_diag *d)
{
    const struct qiao_bft_header *uh = &u->header;
    if (uh->height == t->header.height + 1) {
        if (uh->validators_hash.len != t->header.next_validators_hash.len ||
            memcmp(uh->validators_hash.b, t->header.next_validators_hash.b, uh->validators_hash.len))
            return QIAO_FAIL(d, QIAO_EVERIFY, "validators-not-trusted-next",
                             "adjacent header's validators_hash is not the trusted next_validators_hash");
        return QIAO_OK;
    }
    int64_t tallied;
    QIAO_TRY(qiao_bft_commit_tally(cx, &tallied, &u->commit, uh, &t->next_vals, sc, arena, d));
    if (!qiao_bft_power_exceeds(tallied, t->next_vals.total_power, opt->trust_num, opt->trust_den)) {
        *verdict = QIAO_BFT_NOT_ENOUGH_TRUST;
        return QIAO_FAIL(d, QIAO_EVERIFY, "not-enough-trust",
                         "trusted validators with %lld of %lld power signed; more than %llu/%llu "
                         "needed", (long long)tallied, (long long)t->next_vals.total_power,
                         (unsigned long long)opt->trust_num, (unsigned long long)opt->trust_den);
    }
    return QIAO_OK;
}

/* Check 8. */
static qiao_err own_quorum(struct qiao_crypto *cx, const struct qiao_bft_light_block *u,
                           struct qiao_bft_sigcache *sc, struct qiao_arena *arena,
                           struct qiao_diag *d)
{
    int64_t tallied;
    QIAO_TRY(qiao_bft_commit_tally(cx, &tallied, &u->commit, &u->header, &u->vals, sc, arena, d));
    if (!qiao_bft_power_exceeds(tallied, u->vals.total_power, 2, 3))
        return QIAO_FAIL(d, QIAO_EVERIFY, "insufficient-signers",
                         "validators with %lld of %lld power signed; more than 2/3 needed",
                         (long long)tallied, (long long)u->vals.total_power);
    return QIAO_OK;
}

static qiao_err verify_steps(struct qiao_crypto *cx, enum qiao_bft_verdict *verdict,
                             const struct qiao_bft_light_block *t,
                             const struct qiao_bft_light_block *u,
                             const struct qiao_bft_options *opt, struct qiao_bft_time now,
                             struct qiao_arena *arena, struct qiao_diag *d)
{
    struct qiao_bft_sigcache sc;
    if (qiao_bft_time_cmp(qiao_bft_time_add(t->header.time, opt->trusting_period_ns), now) <= 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "trusted-expired",
                         "the trusted header is older than the trusting period");
    QIAO_TRY(block_consistent(cx, t, u, d));
    QIAO_TRY(qiao_bft_commit_check_shape(&u->commit, &u->vals, d));
    QIAO_TRY(time_and_height(&t->header, &u->header, opt, now, d));
    QIAO_TRY(qiao_bft_sigcache_init(&sc, &u->commit, arena, d));
    QIAO_TRY(trust_link(cx, verdict, t, u, opt, &sc, arena, d));
    return own_quorum(cx, u, &sc, arena, d);
}

qiao_err qiao_bft_verify(struct qiao_crypto *cx, enum qiao_bft_verdict *verdict,
                         const struct qiao_bft_light_block *trusted,
                         const struct qiao_bft_light_block *untrusted,
                         const struct qiao_bft_options *opt, struct qiao_bft_time now,
                         struct qiao_arena *arena, struct qiao_diag *d)
{
    *verdict = QIAO_BFT_INVALID;
    QIAO_TRY(qiao_bft_options_check(opt, d));
    QIAO_TRY(qiao_bft_trusted_check(cx, trusted, d));
    if (!untrusted->has_commit || !untrusted->has_vals || !untrusted->has_next_vals)
        return QIAO_FAIL(d, QIAO_EINVAL, "incomplete-block",
                         "the untrusted block needs a commit, validator_set and next_validator_set");
    size_t mark = arena->used;
    qiao_err err = verify_steps(cx, verdict, trusted, untrusted, opt, now, arena, d);
    arena->used = mark; /* scratch only: release it for the caller */
    if (!err)
        *verdict = QIAO_BFT_SUCCESS;
    return err;
}
