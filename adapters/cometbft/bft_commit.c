/* bft_commit.c: commit shape and voting-power tally (see bft_commit.h). */
#include "adapters/cometbft/bft_commit.h"

#include <string.h>

#include "adapters/cometbft/bft_key.h"
#include "adapters/cometbft/bft_vote.h"

#ifndef __SIZEOF_INT128__
#error "bft_commit.c needs unsigned __int128 for exact threshold arithmetic"
#endif

qiao_err qiao_bft_sigcache_init(struct qiao_bft_sigcache *sc, const struct qiao_bft_commit *c,
                                struct qiao_arena *arena, struct qiao_diag *d)
{
    sc->n = c->n_sigs;
    sc->verified_by = NULL;
    if (!sc->n)
        return QIAO_OK;
    sc->verified_by = qiao_arena_alloc(arena, sc->n * sizeof(*sc->verified_by), d);
    if (!sc->verified_by)
        return QIAO_ENOMEM;
    memset(sc->verified_by, 0, sc->n * sizeof(*sc->verified_by));
    return QIAO_OK;
}

static int earlier_voter(const struct qiao_bft_commit *c, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (c->sigs[j].flag != QIAO_BFT_FLAG_ABSENT &&
            !memcmp(c->sigs[j].address, c->sigs[i].address, QIAO_BFT_ADDRESS_LEN))
            return 1;
    return 0;
}

qiao_err qiao_bft_commit_check_shape(const struct qiao_bft_commit *c,
                                     const struct qiao_bft_valset *vals, struct qiao_diag *d)
{
    size_t voters = 0;
    if (c->n_sigs != vals->n)
        return QIAO_FAIL(d, QIAO_EVERIFY, "signature-count-mismatch",
                         "commit has %zu signature slots for %zu validators", c->n_sigs, vals->n);
    for (size_t i = 0; i < c->n_sigs; i++) {
        if (c->sigs[i].flag == QIAO_BFT_FLAG_ABSENT)
            continue;
        voters++;
        if (!memcmp(c->sigs[i].address, vals->v[i].address, QIAO_BFT_ADDRESS_LEN))
            continue;
        if (earlier_voter(c, i))
            return QIAO_FAIL(d, QIAO_EVERIFY, "duplicate-signer",
                             "commit slot %zu repeats a validator that already voted", i);
        return QIAO_FAIL(d, QIAO_EVERIFY, "signer-mismatch",
                         "commit slot %zu is not signed by validator %zu of the set", i, i);
    }
    if (!voters)
        return QIAO_FAIL(d, QIAO_EVERIFY, "no-signatures", "commit has no non-absent vote");
    return QIAO_OK;
}

const struct qiao_bft_validator *qiao_bft_valset_find(const struct qiao_bft_valset *set,
                                                      const uint8_t addr[QIAO_BFT_ADDRESS_LEN])
{
    size_t lo = 0, hi = set->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = memcmp(set->by_addr[mid]->address, addr, QIAO_BFT_ADDRESS_LEN);
        if (!c)
            return set->by_addr[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int same_key(const struct qiao_bft_validator *a, const struct qiao_bft_validator *b)
{
    return a->key_type == b->key_type && a->pub_len == b->pub_len &&
           !memcmp(a->pub, b->pub, a->pub_len);
}

static qiao_err verify_slot(struct qiao_crypto *cx, const struct qiao_bft_commit *c, size_t i,
                            enum qiao_bft_encoding enc, const char *chain_id, size_t chain_id_len,
                            const struct qiao_bft_validator *v, struct qiao_bft_sigcache *sc,
                            struct qiao_diag *d)
{
    if (sc && sc->n == c->n_sigs && sc->verified_by[i] && same_key(sc->verified_by[i], v))
        return QIAO_OK;
    uint8_t msg[QIAO_BFT_SIGN_BYTES_MAX];
    size_t len = 0;
    QIAO_TRY(qiao_bft_vote_sign_bytes(msg, &len, enc, chain_id, chain_id_len, c, &c->sigs[i], d));
    if (qiao_bft_key_verify(cx, v, msg, len, c->sigs[i].sig, d))
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-signature",
                         "commit signature in slot %zu does not verify under its validator's key", i);
    if (sc && sc->n == c->n_sigs)
        sc->verified_by[i] = v;
    return QIAO_OK;
}

qiao_err qiao_bft_commit_tally(struct qiao_crypto *cx, int64_t *tallied,
                               const struct qiao_bft_commit *c, const struct qiao_bft_header *h,
                               const struct qiao_bft_valset *set,
                               struct qiao_bft_sigcache *sc, struct qiao_arena *arena,
                               struct qiao_diag *d)
{
    *tallied = 0;
    uint8_t *seen = set->n ? qiao_arena_alloc(arena, set->n, d) : NULL;
    if (set->n && !seen)
        return QIAO_ENOMEM;
    if (seen)
        memset(seen, 0, set->n);
    int64_t sum = 0;
    for (size_t i = 0; i < c->n_sigs; i++) {
        if (c->sigs[i].flag == QIAO_BFT_FLAG_ABSENT)
            continue;
        const struct qiao_bft_validator *v = qiao_bft_valset_find(set, c->sigs[i].address);
        if (!v)
            continue;
        size_t k = (size_t)(v - set->v);
        if (seen[k]++)
            return QIAO_FAIL(d, QIAO_EVERIFY, "duplicate-signer",
                             "commit slot %zu is a second vote by one validator", i);
        QIAO_TRY(verify_slot(cx, c, i, qiao_bft_encoding_of(h), h->chain_id, h->chain_id_len, v, sc, d));
        if (c->sigs[i].flag == QIAO_BFT_FLAG_COMMIT)
            sum += v->power; /* cannot overflow: set total <= QIAO_BFT_MAX_TOTAL_POWER */
    }
    *tallied = sum;
    return QIAO_OK;
}

int qiao_bft_power_exceeds(int64_t tallied, int64_t total, uint64_t num, uint64_t den)
{
    unsigned __int128 lhs = (unsigned __int128)(uint64_t)tallied * den;
    unsigned __int128 rhs = (unsigned __int128)(uint64_t)total * num;
    return lhs > rhs;
}
