/*
 * ev_btc.c: the Bitcoin source.  The record is a raw transaction; the segment carries 80-byte
 * headers from the trust checkpoint, each verified as the next header after its parent with
 * Core's contextual rules (qiao_btc_link_next: link, proof of work, difficulty, median time,
 * versions; no wall clock, since the verifier runs years later), the Merkle path of the record's
 * txid under the including header, and confirmations as headers above the including one.
 */
#include <string.h>

#include "adapters/bitcoin/btc_chain.h"
#include "adapters/bitcoin/btc_merkle.h"
#include "relay/core/hex.h"
#include "relay/evidence/ev_int.h"

static qiao_err anchor(struct qiao_ev_run *v, struct qiao_btc_link *l,
                       const struct qiao_btc_params *p, const struct qiao_ev_segment *s,
                       const struct qiao_ev_chain *tc)
{
    if (qiao_btc_link_anchor(v->cx, l, p, s->headers[0].p, s->headers[0].len,
                             tc->checkpoint_height, NULL, v->d)) {
        qiao_diag_wrap(v->d, "source header 0");
        return qiao_ev_failed(v, "source", "checkpoint", QIAO_EVERIFY);
    }
    if (!qiao_ct_equal(l->hash, tc->checkpoint_hash, 32))
        return QIAO_EV_REJECT(v, "source", "checkpoint", "checkpoint-mismatch",
                              "source header 0 is not the trusted checkpoint at height %llu",
                              (unsigned long long)tc->checkpoint_height);
    qiao_ev_pass(v, "source", "checkpoint", "header 0 is trusted checkpoint %llu (%s)",
                 (unsigned long long)tc->checkpoint_height, p->name);
    return QIAO_OK;
}

static qiao_err header_chain(struct qiao_ev_run *v, struct qiao_btc_link *inc,
                             const struct qiao_btc_params *p, const struct qiao_ev_segment *s,
                             const struct qiao_ev_chain *tc)
{
    struct qiao_btc_link l[2];
    if (s->block >= s->nheaders)
        return QIAO_EV_REJECT(v, "source", "header-chain", "block-out-of-range",
                              "source.block %llu is beyond its %zu headers",
                              (unsigned long long)s->block, s->nheaders);
    QIAO_TRY(anchor(v, &l[0], p, s, tc));
    if (s->block == 0)
        *inc = l[0];
    for (size_t i = 1; i < s->nheaders; i++) {
        if (qiao_btc_link_next(v->cx, &l[i & 1], p, &l[(i - 1) & 1], s->headers[i].p,
                               s->headers[i].len, QIAO_BTC_NO_CLOCK, v->d)) {
            qiao_diag_wrap(v->d, "source header %zu", i);
            return qiao_ev_failed(v, "source", "header-chain", QIAO_EVERIFY);
        }
        if (i == s->block)
            *inc = l[i & 1];
    }
    qiao_ev_pass(v, "source", "header-chain", "%zu headers with valid proof of work and "
                 "difficulty from the checkpoint to height %llu", s->nheaders,
                 (unsigned long long)(tc->checkpoint_height + s->nheaders - 1));
    return QIAO_OK;
}

qiao_err qiao_ev_btc_source(struct qiao_ev_run *v, const struct qiao_ev_chain *tc)
{
    const struct qiao_ev_segment *s = &v->b->source.seg;
    const struct qiao_btc_params *p;
    struct qiao_btc_link inc;
    struct qiao_btc_header h;
    uint8_t txid[32];
    char shown[65];
    memset(&inc, 0, sizeof(inc));
    if (qiao_btc_params_by_name(&p, tc->network, v->d))
        return qiao_ev_failed(v, "source", "trust-anchor", QIAO_EINVAL);
    QIAO_TRY(header_chain(v, &inc, p, s, tc));
    v->r->src_height = inc.height, v->r->src_time = inc.time;
    memcpy(v->r->src_block_hash, inc.hash, 32);
    qiao_btc_header_decode(&h, s->headers[s->block].p, s->headers[s->block].len, NULL);
    if (qiao_btc_spv_verify_tx(v->cx, txid, h.merkle_root, v->b->record.payload.p,
                               v->b->record.payload.len, s->index, s->proof.p, s->proof.len,
                               v->d)) {
        qiao_diag_wrap(v->d, "source Merkle path");
        return qiao_ev_failed(v, "source", "merkle-path", QIAO_EVERIFY);
    }
    qiao_hex_encode_rev(shown, txid, 32);
    qiao_ev_pass(v, "source", "merkle-path", "the record is transaction %s at index %llu of "
                 "block %llu", shown, (unsigned long long)s->index,
                 (unsigned long long)inc.height);
    v->r->src_confirmations = s->nheaders - 1 - s->block;
    if (v->r->src_confirmations < tc->confirmations)
        return QIAO_EV_REJECT(v, "source", "finality", "not-final",
                              "%llu headers above block %llu; trust.json requires %llu",
                              (unsigned long long)v->r->src_confirmations,
                              (unsigned long long)inc.height,
                              (unsigned long long)tc->confirmations);
    qiao_ev_pass(v, "source", "finality", "%llu confirmations covered by headers (required %llu)",
                 (unsigned long long)v->r->src_confirmations,
                 (unsigned long long)tc->confirmations);
    return QIAO_OK;
}
