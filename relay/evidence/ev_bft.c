/*
 * ev_bft.c: the CometBFT source.  lightBlocks[0] is the trust checkpoint (its header hash and
 * height are the ones trust.json names; its next_validator_set must hash to the header's field);
 * every later block is verified by the light client (qiao_bft_verify: sequential or skipping with
 * trust level 1/3, +2/3 of its own set) against the block before it.  Time: a verifier runs years
 * later, so each step is judged at the untrusted block's own time (now = its header time, with one
 * second of clock drift): the trusting period then bounds the gap between consecutive steps.
 * The last block's commit is the finality evidence; its header field named by source.field must
 * equal the record (binding "value") or the record's SHA-256 ("sha256").  The whole header is
 * hashed, so the field is proven by the header hash the commit signs.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_json.h"
#include "adapters/cometbft/bft_verify.h"
#include "relay/evidence/ev_int.h"

#define SCRATCH_BYTES ((size_t)1 << 20)

struct arenas {
    struct qiao_arena blk[2], scratch;
};

static qiao_err carve(struct qiao_ev_run *v, struct arenas *a)
{
    void *p0 = qiao_arena_alloc(v->arena, QIAO_BFT_BLOCK_ARENA, v->d);
    void *p1 = p0 ? qiao_arena_alloc(v->arena, QIAO_BFT_BLOCK_ARENA, v->d) : NULL;
    void *ps = p1 ? qiao_arena_alloc(v->arena, SCRATCH_BYTES, v->d) : NULL;
    if (!ps)
        return qiao_ev_failed(v, "source", "light-blocks", QIAO_ENOMEM);
    qiao_arena_init(&a->blk[0], p0, QIAO_BFT_BLOCK_ARENA);
    qiao_arena_init(&a->blk[1], p1, QIAO_BFT_BLOCK_ARENA);
    qiao_arena_init(&a->scratch, ps, SCRATCH_BYTES);
    return QIAO_OK;
}

static qiao_err checkpoint(struct qiao_ev_run *v, struct qiao_bft_light_block *lb,
                           struct qiao_arena *a, const struct qiao_ev_chain *tc)
{
    const char *text = v->b->source.light_blocks[0];
    uint8_t hash[32];
    if (qiao_bft_light_block_parse(v->cx, lb, text, strlen(text), QIAO_BFT_JSON_TRUSTED, a,
                                   v->d) ||
        qiao_bft_trusted_check(v->cx, lb, v->d) ||
        qiao_bft_header_hash(v->cx, hash, &lb->header, v->d)) {
        qiao_diag_wrap(v->d, "source light block 0");
        return qiao_ev_failed(v, "source", "checkpoint", QIAO_EVERIFY);
    }
    if ((uint64_t)lb->header.height != tc->checkpoint_height ||
        !qiao_ct_equal(hash, tc->checkpoint_hash, 32))
        return QIAO_EV_REJECT(v, "source", "checkpoint", "checkpoint-mismatch",
                              "light block 0 (height %lld) is not the trusted checkpoint %llu",
                              (long long)lb->header.height,
                              (unsigned long long)tc->checkpoint_height);
    qiao_ev_pass(v, "source", "checkpoint", "light block 0 is trusted checkpoint %llu of \"%s\"",
                 (unsigned long long)tc->checkpoint_height, lb->header.chain_id);
    return QIAO_OK;
}

static qiao_err step(struct qiao_ev_run *v, struct qiao_bft_light_block *trusted,
                     struct qiao_bft_light_block *next, struct arenas *a, size_t i,
                     const struct qiao_ev_chain *tc)
{
    const char *text = v->b->source.light_blocks[i];
    struct qiao_bft_options o;
    enum qiao_bft_verdict verdict;
    qiao_bft_options_default(&o);
    o.trusting_period_ns = tc->trusting_period_ns;
    o.max_clock_drift_ns = 1000000000;
    qiao_arena_reset(&a->blk[i & 1]);
    qiao_arena_reset(&a->scratch);
    if (qiao_bft_light_block_parse(v->cx, next, text, strlen(text), 0, &a->blk[i & 1], v->d) ||
        qiao_bft_verify(v->cx, &verdict, trusted, next, &o, next->header.time, &a->scratch,
                        v->d)) {
        qiao_diag_wrap(v->d, "source light block %zu", i);
        return qiao_ev_failed(v, "source", "light-client", QIAO_EVERIFY);
    }
    return QIAO_OK;
}

static const struct qiao_bft_hash *field_of(const struct qiao_bft_header *h, const char *name)
{
    static const struct {
        const char *name;
        size_t off;
    } fields[] = {
        {"last_commit_hash", offsetof(struct qiao_bft_header, last_commit_hash)},
        {"data_hash", offsetof(struct qiao_bft_header, data_hash)},
        {"validators_hash", offsetof(struct qiao_bft_header, validators_hash)},
        {"next_validators_hash", offsetof(struct qiao_bft_header, next_validators_hash)},
        {"consensus_hash", offsetof(struct qiao_bft_header, consensus_hash)},
        {"app_hash", offsetof(struct qiao_bft_header, app_hash)},
        {"last_results_hash", offsetof(struct qiao_bft_header, last_results_hash)},
        {"evidence_hash", offsetof(struct qiao_bft_header, evidence_hash)},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (strcmp(fields[i].name, name) == 0)
            return (const struct qiao_bft_hash *)((const char *)h + fields[i].off);
    return NULL;
}

static qiao_err binding(struct qiao_ev_run *v, const struct qiao_bft_header *h)
{
    const struct qiao_ev_source *s = &v->b->source;
    const struct qiao_bft_hash *f = field_of(h, s->field);
    const uint8_t *want = v->b->record.payload.p;
    size_t want_len = v->b->record.payload.len;
    uint8_t digest[32];
    if (!f)
        return QIAO_EV_REJECT(v, "source", "header-field", "unknown-header-field",
                              "source.field \"%s\" is not a hash field of the header", s->field);
    if (s->binding == QIAO_EV_BIND_SHA256) {
        qiao_sha256(v->cx, digest, want, want_len);
        want = digest, want_len = 32;
    }
    if (f->len != want_len || (want_len && memcmp(f->b, want, want_len)))
        return QIAO_EV_REJECT(v, "source", "header-field", "header-field-mismatch",
                              "header field %s at height %lld is not the record%s", s->field,
                              (long long)h->height, s->binding == QIAO_EV_BIND_SHA256 ?
                              "'s SHA-256" : "");
    qiao_ev_pass(v, "source", "header-field", "header field %s at height %lld holds the record%s",
                 s->field, (long long)h->height,
                 s->binding == QIAO_EV_BIND_SHA256 ? "'s SHA-256" : "");
    return QIAO_OK;
}

qiao_err qiao_ev_bft_source(struct qiao_ev_run *v, const struct qiao_ev_chain *tc)
{
    struct arenas a;
    struct qiao_bft_light_block lb[2];
    size_t n = v->b->source.nlight;
    uint8_t hash[32];
    if (n < 2) /* the parser guarantees it; a bundle built in memory might not */
        return QIAO_EV_REJECT(v, "source", "checkpoint", "light-block-count",
                              "a CometBFT source needs the checkpoint and at least one step");
    QIAO_TRY(carve(v, &a));
    QIAO_TRY(checkpoint(v, &lb[0], &a.blk[0], tc));
    for (size_t i = 1; i < n; i++)
        QIAO_TRY(step(v, &lb[(i - 1) & 1], &lb[i & 1], &a, i, tc));
    const struct qiao_bft_light_block *last = &lb[(n - 1) & 1];
    qiao_ev_pass(v, "source", "light-client", "%zu light-client steps from height %llu to %lld, "
                 "each committed by more than 2/3 of its validators' power", n - 1,
                 (unsigned long long)tc->checkpoint_height, (long long)last->header.height);
    qiao_bft_header_hash(v->cx, hash, &last->header, NULL);
    v->r->src_height = (uint64_t)last->header.height;
    v->r->src_time = last->header.time.sec < 0 ? 0 : (uint64_t)last->header.time.sec;
    memcpy(v->r->src_block_hash, hash, 32);
    qiao_ev_pass(v, "source", "finality", "BFT commit of height %lld (instant finality)",
                 (long long)last->header.height);
    return binding(v, &last->header);
}
