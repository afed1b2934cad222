/* bft_bisect.c: bisection over a provider (see bft_bisect.h). */
#include "adapters/cometbft/bft_bisect.h"

#include <string.h>

struct search {
    const struct qiao_bft_light_block *verified;
    const struct qiao_bft_light_block *pending[QIAO_BFT_BISECT_MAX_DEPTH]; /* [0] is the target */
    size_t n_pending;
    struct qiao_bft_bisect_stats st;
};

static qiao_err fetch(struct search *s, const struct qiao_bft_light_block **out, int64_t height,
                      const struct qiao_bft_provider *p, struct qiao_arena *arena,
                      struct qiao_diag *d)
{
    if (s->st.fetches >= QIAO_BFT_BISECT_MAX_FETCHES || s->n_pending >= QIAO_BFT_BISECT_MAX_DEPTH)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-fetches",
                         "bisection needed more than %d light blocks", QIAO_BFT_BISECT_MAX_FETCHES);
    struct qiao_bft_light_block *lb = qiao_arena_alloc(arena, sizeof(*lb), d);
    if (!lb)
        return QIAO_ENOMEM;
    s->st.fetches++;
    if (p->light_block(p->ctx, lb, height, arena, d))
        return qiao_diag_wrap(d, "fetching light block %lld", (long long)height);
    if (lb->header.height != height)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-height", "provider answered height %lld for %lld",
                         (long long)lb->header.height, (long long)height);
    *out = lb;
    return QIAO_OK;
}

/* One step of the loop: verify the deepest-tried pending block.  *done when the target verified. */
static qiao_err step(struct qiao_crypto *cx, struct search *s, size_t *depth, int *done,
                     const struct qiao_bft_provider *p, const struct qiao_bft_options *opt,
                     struct qiao_bft_time now, struct qiao_arena *arena, struct qiao_diag *d)
{
    enum qiao_bft_verdict v;
    const struct qiao_bft_light_block *u = s->pending[*depth];
    s->st.verifications++;
    qiao_err err = qiao_bft_verify(cx, &v, s->verified, u, opt, now, arena, d);
    if (!err) {
        s->verified = u;
        *done = *depth == 0;
        s->n_pending = *depth; /* drop the block just verified */
        *depth = 0;
        return QIAO_OK;
    }
    if (v != QIAO_BFT_NOT_ENOUGH_TRUST)
        return err;
    if (*depth == s->n_pending - 1) {
        int64_t lo = s->verified->header.height, hi = u->header.height;
        int64_t pivot = lo + (hi - lo) / 2;
        if (pivot <= lo || pivot >= hi)
            return err; /* cannot happen for a sane provider; never loop */
        QIAO_TRY(fetch(s, &s->pending[s->n_pending], pivot, p, arena, d));
        s->n_pending++;
        s->st.bisections++;
    }
    (*depth)++;
    return QIAO_OK;
}

qiao_err qiao_bft_bisect(struct qiao_crypto *cx, struct qiao_bft_light_block *out,
                         const struct qiao_bft_light_block *trusted, int64_t target,
                         const struct qiao_bft_provider *p, const struct qiao_bft_options *opt,
                         struct qiao_bft_time now, struct qiao_arena *arena,
                         struct qiao_bft_bisect_stats *stats, struct qiao_diag *d)
{
    struct search s;
    memset(&s, 0, sizeof(s));
    s.verified = trusted;
    qiao_err err = target <= trusted->header.height
                       ? QIAO_FAIL(d, QIAO_EINVAL, "target-not-above-trusted",
                                   "target height %lld is not above the trusted height %lld",
                                   (long long)target, (long long)trusted->header.height)
                       : fetch(&s, &s.pending[0], target, p, arena, d);
    if (!err)
        s.n_pending = 1;
    size_t depth = 0;
    int done = 0;
    while (!err && !done)
        err = step(cx, &s, &depth, &done, p, opt, now, arena, d);
    if (stats)
        *stats = s.st;
    if (!err)
        *out = *s.verified;
    return err;
}
