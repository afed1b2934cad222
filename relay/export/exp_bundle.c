/*
 * exp_bundle.c: assemble one bundle from a gathered request and the chains, then prove it with
 * the offline verifier before handing it out (export.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/export/exp_seg.h"

/* Shared state of one export: the bundle being filled and the two chains' sources. */
struct exp_run {
    const struct qiao_export_req *rq;
    const struct qiao_config *cfg;
    struct lws_context *lws;
    const volatile int *cancel;
    struct qiao_crypto *cx;
    struct qiao_ev_bundle b;
};

static void delivered_topic(uint8_t t[32])
{
    static const char sig[] = "MessageDelivered(bytes32,uint64,uint64,address)";
    qiao_keccak256(t, sig, sizeof(sig) - 1);
}

static qiao_err evm_chain(const struct qiao_cfg_chain **out, const struct qiao_config *cfg,
                          uint64_t id, const char *role, struct qiao_diag *d)
{
    *out = qiao_config_chain(cfg, id);
    if (!*out)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "unknown-chain", "export: %s chain %llu is not in "
                         "the config", role, (unsigned long long)id);
    if (strcmp((*out)->family, "evm") != 0)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "family-unsupported", "export: %s chain %s is "
                         "%s; the exporter proves evm chains only", role, (*out)->name,
                         (*out)->family);
    return QIAO_OK;
}

static void record(struct exp_run *x)
{
    const struct qiao_store_msg *m = &x->rq->msg;
    struct qiao_ev_bundle *b = &x->b;
    struct qiao_message *bm = &b->message;
    qiao_sha256(x->cx, b->record.sha256, m->payload, m->payload_len);
    qiao_hex_encode0x(b->record.subject, m->sender, 20);
    b->record.observed_time = x->rq->observed_at_ms > 0 ? (uint64_t)x->rq->observed_at_ms / 1000 : 0;
    bm->version = m->version, bm->src_chain_id = m->src_chain, bm->seq = m->seq;
    bm->dst_chain_id = m->dst_chain;
    memcpy(bm->src_emitter, m->src_emitter, 20);
    memcpy(bm->sender, m->sender, 20);
    memcpy(bm->receiver, m->receiver, 20);
    memcpy(bm->payload_hash, m->payload_hash, 32);
    bm->payload = b->record.payload.p;
    bm->payload_len = b->record.payload.len;
    memcpy(b->message_id, m->id, 32);
}

static qiao_err certificate(struct exp_run *x, struct qiao_diag *d)
{
    const struct qiao_export_req *rq = x->rq;
    struct qiao_ev_bundle *b = &x->b;
    if (rq->cert_epoch != x->cfg->committee.epoch)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "committee-chain-missing", "export: the "
                         "certificate is from epoch %llu but the config's committee is epoch "
                         "%llu, and the store holds no committee updates",
                         (unsigned long long)rq->cert_epoch,
                         (unsigned long long)x->cfg->committee.epoch);
    memcpy(b->cert.committee_id, x->cfg->committee.id, 32);
    b->cert.epoch = rq->cert_epoch;
    b->cert.sigs = malloc(rq->nsigs ? rq->nsigs * 65 : 1);
    if (!b->cert.sigs)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "export: certificate");
    memcpy(b->cert.sigs, rq->sigs, rq->nsigs * 65);
    b->cert.nsigs = rq->nsigs;
    return QIAO_OK;
}

/* One segment: open the chain's source, take its trusted checkpoint, fetch. */
static qiao_err segment(struct exp_run *x, struct qiao_ev_segment *seg, uint64_t *time,
                        uint64_t chain, const char *role, const uint8_t block[32],
                        const uint8_t tx[32], const struct qiao_exp_match *m, struct qiao_diag *d)
{
    const struct qiao_cfg_chain *c;
    struct qiao_evm_source *s = NULL;
    QIAO_TRY(evm_chain(&c, x->cfg, chain, role, d));
    struct qiao_exp_chain ch = {.id = c->id, .confirmations = c->confirmations};
    QIAO_TRY(qiao_exp_source_open(&s, x->lws, x->cfg, c, d));
    qiao_err err = qiao_exp_checkpoint(&ch.checkpoint_height, ch.checkpoint_hash, s, c, d);
    if (!err)
        err = qiao_exp_segment(seg, time, s, &ch, block, tx, m, x->cancel, d);
    qiao_evm_source_destroy(s);
    if (err)
        return qiao_diag_wrap(d, "%s segment", role);
    return QIAO_OK;
}

static qiao_err source(struct exp_run *x, struct qiao_diag *d)
{
    const struct qiao_export_req *rq = x->rq;
    struct qiao_exp_match m = {.what = "MessageSent", .by_block_index = 1,
                               .block_index = rq->src.log_index};
    memcpy(m.address, rq->msg.src_emitter, 20);
    x->b.source.family = QIAO_EV_EVM;
    return segment(x, &x->b.source.seg, &x->b.record.source_time, rq->msg.src_chain, "source",
                   rq->src.block_hash, rq->src.tx_hash, &m, d);
}

static qiao_err delivery(struct exp_run *x, struct qiao_diag *d)
{
    const struct qiao_export_req *rq = x->rq;
    const struct qiao_cfg_chain *c;
    uint64_t time;
    QIAO_TRY(evm_chain(&c, x->cfg, rq->msg.dst_chain, "destination", d));
    if (!c->has_inbox)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "missing-contract", "export: chain %s has no inbox",
                         c->name);
    struct qiao_exp_match m = {.what = "MessageDelivered", .ntopics = 2};
    memcpy(m.address, c->inbox, 20);
    delivered_topic(m.topics[0]);
    memcpy(m.topics[1], rq->msg.id, 32);
    return segment(x, &x->b.delivery, &time, rq->msg.dst_chain, "delivery",
                   rq->delivery.block_hash, rq->delivery.tx_hash, &m, d);
}

/* Verify the canonical text exactly as `qiao verify` would, against the config's anchors. */
static qiao_err self_check(struct exp_run *x, const struct qiao_buf *text, struct qiao_diag *d)
{
    struct qiao_buf trust = {0};
    struct qiao_ev_trust *t = calloc(1, sizeof(*t));
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    struct qiao_ev_bundle parsed = {0};
    void *mem = malloc(QIAO_EV_ARENA_BYTES);
    struct qiao_arena arena;
    qiao_err err = t && r && mem ? QIAO_OK
                   : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "export: self-check");
    if (!err)
        err = qiao_export_trust(&trust, x->cfg, x->lws, NULL, d);
    if (!err)
        err = qiao_ev_trust_parse(t, (const char *)trust.p, trust.len, d);
    if (!err && qiao_ev_parse(&parsed, (const char *)text->p, text->len, d))
        err = qiao_diag_wrap(d, "export: the bundle does not parse back");
    if (!err) {
        qiao_arena_init(&arena, mem, QIAO_EV_ARENA_BYTES);
        struct qiao_diag vd = {0};
        if (qiao_ev_verify(x->cx, r, &parsed, t, &arena, &vd))
            err = QIAO_FAIL(d, QIAO_EVERIFY, "export-self-check", "export: the bundle fails "
                            "%s/%s: %s: %s", r->fail_component ? r->fail_component : "?",
                            r->fail_check ? r->fail_check : "?", vd.reason, vd.msg);
    }
    qiao_ev_bundle_clear(&parsed);
    qiao_ev_trust_clear(t);
    qiao_buf_clear(&trust);
    free(t), free(r), free(mem);
    return err;
}

static qiao_err assemble(struct exp_run *x, struct qiao_buf *out, struct qiao_diag *d)
{
    const struct qiao_store_msg *m = &x->rq->msg;
    struct qiao_buf text = {0};
    QIAO_TRY(qiao_ev_bytes_set(&x->b.record.payload, m->payload, m->payload_len, d));
    record(x);
    QIAO_TRY(certificate(x, d));
    QIAO_TRY(source(x, d));
    QIAO_TRY(delivery(x, d));
    qiao_err err = qiao_ev_build(&text, &x->b, 1, d);
    if (!err)
        err = self_check(x, &text, d);
    if (!err)
        err = qiao_buf_append(out, text.p, text.len, d);
    qiao_buf_clear(&text);
    return err;
}

qiao_err qiao_export_bundle(struct qiao_buf *out, const struct qiao_export_req *rq,
                            const struct qiao_config *cfg, struct lws_context *lws,
                            const volatile int *cancel, struct qiao_diag *d)
{
    struct exp_run x = {.rq = rq, .cfg = cfg, .lws = lws, .cancel = cancel,
                        .cx = qiao_crypto_create()};
    if (!x.cx)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "export: crypto context");
    qiao_err err = assemble(&x, out, d);
    qiao_ev_bundle_clear(&x.b);
    qiao_crypto_destroy(x.cx);
    return err;
}
