/*
 * ev_verify.c: the offline verifier's order of checks (docs/EVIDENCE_FORMAT.md §5).
 *
 *   record       sha256(payload) = record.sha256
 *   source       the family's proof from the trust checkpoint (ev_evm.c, ev_btc.c, ev_bft.c)
 *   record       sourceTime = the including block's time
 *   message      Inbox message checks, id recomputed, route (source chain, emitter, destination)
 *   committee    the update chain from the trust file's genesis committee to the signing epoch
 *   certificate  qiao_cert_verify: >= k distinct members of that epoch over the attestation digest
 *   delivery     MessageDelivered(id, srcChainId, seq, receiver) from the trusted Inbox, final
 *   timestamp    the RFC 3161 token, when present
 *
 * The first failure ends the run; the report names its component and check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/evidence/ev_int.h"
#include "relay/notary/abi.h"

static struct qiao_ev_check *next_check(struct qiao_ev_run *v)
{
    struct qiao_ev_report *r = v->r;
    if (r->nchecks == QIAO_EV_MAX_CHECKS) /* keep the last slot for the final entry */
        r->nchecks--;
    return &r->checks[r->nchecks++];
}

void qiao_ev_pass(struct qiao_ev_run *v, const char *component, const char *check,
                  const char *fmt, ...)
{
    struct qiao_ev_check *c = next_check(v);
    va_list ap;
    c->component = component, c->check = check, c->ok = 1;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
    va_end(ap);
}

qiao_err qiao_ev_failed(struct qiao_ev_run *v, const char *component, const char *check,
                        qiao_err err)
{
    struct qiao_ev_check *c = next_check(v);
    c->component = component, c->check = check, c->ok = 0;
    snprintf(c->detail, sizeof(c->detail), "%.47s: %.150s", v->d->reason, v->d->msg);
    v->r->fail_component = component;
    v->r->fail_check = check;
    v->r->fail = *v->d;
    return err;
}

static qiao_err check_record(struct qiao_ev_run *v)
{
    uint8_t h[32];
    const struct qiao_ev_bundle *b = v->b;
    qiao_sha256(v->cx, h, b->record.payload.p, b->record.payload.len);
    memcpy(v->r->record_sha256, h, 32);
    if (!qiao_ct_equal(h, b->record.sha256, 32))
        return QIAO_EV_REJECT(v, "record", "sha256", "record-hash-mismatch",
                              "SHA-256 of the %zu-byte record differs from record.sha256",
                              b->record.payload.len);
    qiao_ev_pass(v, "record", "sha256", "SHA-256 of the %zu-byte record matches",
                 b->record.payload.len);
    return QIAO_OK;
}

static qiao_err check_source(struct qiao_ev_run *v)
{
    const struct qiao_ev_source *s = &v->b->source;
    const struct qiao_ev_chain *tc = qiao_ev_trust_chain(v->t, s->seg.chain_id);
    v->r->family = qiao_ev_family_name(s->family);
    v->r->src_chain_id = s->seg.chain_id;
    if (!tc || tc->family != s->family)
        return QIAO_EV_REJECT(v, "source", "trust-anchor", "untrusted-chain",
                              "trust.json has no %s chain %llu", qiao_ev_family_name(s->family),
                              (unsigned long long)s->seg.chain_id);
    snprintf(v->r->src_name, sizeof(v->r->src_name), "%s", tc->name);
    QIAO_TRY(s->family == QIAO_EV_EVM       ? qiao_ev_evm_source(v, tc)
             : s->family == QIAO_EV_BITCOIN ? qiao_ev_btc_source(v, tc)
                                            : qiao_ev_bft_source(v, tc));
    if (v->b->record.source_time != v->r->src_time)
        return QIAO_EV_REJECT(v, "record", "source-time", "source-time-mismatch",
                              "record.sourceTime %llu is not the including block's time %llu",
                              (unsigned long long)v->b->record.source_time,
                              (unsigned long long)v->r->src_time);
    qiao_ev_pass(v, "record", "source-time", "the record's source time is the block's, %llu",
                 (unsigned long long)v->r->src_time);
    return QIAO_OK;
}

static qiao_err check_route(struct qiao_ev_run *v, const struct qiao_message *m)
{
    const struct qiao_ev_chain *src = qiao_ev_trust_chain(v->t, v->b->source.seg.chain_id);
    if (m->src_chain_id != v->b->source.seg.chain_id)
        return QIAO_EV_REJECT(v, "message", "route", "source-chain-mismatch",
                              "message.srcChainId %llu is not the proven source chain %llu",
                              (unsigned long long)m->src_chain_id,
                              (unsigned long long)v->b->source.seg.chain_id);
    if (!src->has_emitter || !qiao_ct_equal(src->emitter, m->src_emitter, 20))
        return QIAO_EV_REJECT(v, "message", "route", "unknown-source",
                              "message.srcEmitter is not the emitter trust.json names for chain "
                              "%llu", (unsigned long long)m->src_chain_id);
    if (m->dst_chain_id != v->b->delivery.chain_id)
        return QIAO_EV_REJECT(v, "message", "route", "wrong-destination",
                              "message.dstChainId %llu is not the delivery chain %llu",
                              (unsigned long long)m->dst_chain_id,
                              (unsigned long long)v->b->delivery.chain_id);
    qiao_ev_pass(v, "message", "route", "chain %llu (emitter as trusted) to chain %llu",
                 (unsigned long long)m->src_chain_id, (unsigned long long)m->dst_chain_id);
    return QIAO_OK;
}

static qiao_err check_message(struct qiao_ev_run *v)
{
    const struct qiao_message *m = &v->b->message;
    uint8_t id[32];
    if (qiao_msg_check(m, v->d))
        return qiao_ev_failed(v, "message", "inbox-rules", QIAO_EVERIFY);
    qiao_msg_id(id, m);
    memcpy(v->r->message_id, id, 32);
    if (!qiao_ct_equal(id, v->b->message_id, 32))
        return QIAO_EV_REJECT(v, "message", "message-id", "message-id-mismatch",
                              "message.id is not keccak256 of the message fields");
    qiao_ev_pass(v, "message", "message-id", "message id recomputed from its eight fields");
    return check_route(v, m);
}

static void committee_of_update(struct qiao_committee *c, const struct qiao_ev_update *u,
                                const uint8_t id[32])
{
    memcpy(c->id, id, 32);
    c->epoch = u->epoch, c->members = (const uint8_t(*)[20])u->members, c->n = u->n, c->k = u->k;
}

static qiao_err apply_update(struct qiao_ev_run *v, struct qiao_committee *cur, size_t i)
{
    const struct qiao_ev_update *u = &v->b->updates[i];
    struct qiao_committee next;
    uint8_t digest[32];
    committee_of_update(&next, u, cur->id);
    /* The Inbox's `epoch + 1` is checked arithmetic: after 2^64 - 1 it reverts, never wraps. */
    if (cur->epoch == UINT64_MAX)
        return QIAO_EV_REJECT(v, "committee", "update-epoch", "update-epoch-overflow",
                              "committee update %zu follows epoch %llu, the last one (the Inbox's "
                              "epoch + 1 overflows)", i, (unsigned long long)cur->epoch);
    if (u->epoch != cur->epoch + 1)
        return QIAO_EV_REJECT(v, "committee", "update-epoch", "update-epoch-gap",
                              "committee update %zu moves to epoch %llu, not %llu", i,
                              (unsigned long long)u->epoch,
                              (unsigned long long)(cur->epoch + 1));
    if (qiao_committee_digest(digest, &next, v->d) ||
        qiao_cert_verify_digest(v->cx, cur, digest, u->nsigs ? u->sigs[0] : NULL, u->nsigs * 65,
                                NULL, NULL, v->d)) {
        qiao_diag_wrap(v->d, "committee update %zu (epoch %llu)", i,
                       (unsigned long long)u->epoch);
        return qiao_ev_failed(v, "committee", "update-signatures", QIAO_EVERIFY);
    }
    qiao_ev_pass(v, "committee", "update-signatures",
                 "epoch %llu -> %llu signed by %zu of %zu (k=%u); new committee %zu members, k=%u",
                 (unsigned long long)cur->epoch, (unsigned long long)u->epoch, u->nsigs, cur->n,
                 cur->k, u->n, u->k);
    *cur = next;
    return QIAO_OK;
}

/* Walk every update from the genesis committee; *at is the committee of the certificate epoch. */
static qiao_err check_committee(struct qiao_ev_run *v, struct qiao_committee *at)
{
    const struct qiao_ev_trust *t = v->t;
    struct qiao_committee cur = {.epoch = t->epoch, .members = (const uint8_t(*)[20])t->members,
                                 .n = t->n, .k = t->k};
    int found = 0;
    memcpy(cur.id, t->committee_id, 32);
    v->r->genesis_epoch = t->epoch;
    if (!qiao_ct_equal(v->b->cert.committee_id, t->committee_id, 32))
        return QIAO_EV_REJECT(v, "committee", "committee-id", "committee-id-mismatch",
                              "certificate.committeeId is not the trusted committee's id");
    for (size_t i = 0;; i++) {
        if (cur.epoch == v->b->cert.epoch)
            *at = cur, found = 1;
        if (i == v->b->nupdates)
            break;
        QIAO_TRY(apply_update(v, &cur, i));
    }
    v->r->updates = v->b->nupdates;
    if (!found)
        return QIAO_EV_REJECT(v, "committee", "chain-to-epoch", "committee-chain-missing",
                              "no signed committee updates lead from trusted epoch %llu to the "
                              "certificate's epoch %llu (chain ends at %llu)",
                              (unsigned long long)t->epoch, (unsigned long long)v->b->cert.epoch,
                              (unsigned long long)cur.epoch);
    qiao_ev_pass(v, "committee", "chain-to-epoch", "epoch %llu reached from trusted epoch %llu "
                 "through %zu signed update(s)", (unsigned long long)at->epoch,
                 (unsigned long long)t->epoch, v->b->nupdates);
    return QIAO_OK;
}

static qiao_err check_certificate(struct qiao_ev_run *v, const struct qiao_committee *c)
{
    struct qiao_ev_report *r = v->r;
    size_t n = v->b->cert.nsigs;
    r->epoch = c->epoch, r->k = c->k;
    if (qiao_cert_verify(v->cx, c, r->message_id, n ? v->b->cert.sigs[0] : NULL, n * 65,
                         r->signers, &r->nsigners, v->d))
        return qiao_ev_failed(v, "certificate", "signatures", QIAO_EVERIFY);
    qiao_ev_pass(v, "certificate", "signatures", "%zu distinct members of epoch %llu signed the "
                 "attestation digest (k=%u of n=%zu)", r->nsigners, (unsigned long long)c->epoch,
                 c->k, c->n);
    return QIAO_OK;
}

static qiao_err check_delivered_log(struct qiao_ev_run *v, const struct qiao_evm_log *log,
                                    const struct qiao_ev_chain *tc)
{
    const struct qiao_message *m = &v->b->message;
    uint8_t topic0[32], w[32], data[64];
    static const char sig[] = "MessageDelivered(bytes32,uint64,uint64,address)";
    qiao_keccak256(topic0, sig, strlen(sig));
    qiao_abi_put_u64(w, m->src_chain_id);
    qiao_abi_put_u64(data, m->seq);
    qiao_abi_put_address(data + 32, m->receiver);
    if (!tc->has_inbox || memcmp(log->address, tc->inbox, 20))
        return QIAO_EV_REJECT(v, "delivery", "delivered-log", "not-trusted-inbox",
                              "the delivery log was not emitted by the Inbox trust.json names");
    if (log->topic_count != 3 || memcmp(log->topics[0], topic0, 32) ||
        memcmp(log->topics[1], v->r->message_id, 32) || memcmp(log->topics[2], w, 32) ||
        log->data_len != 64 || memcmp(log->data, data, 64))
        return QIAO_EV_REJECT(v, "delivery", "delivered-log", "not-this-delivery",
                              "the log is not MessageDelivered(id, srcChainId, seq, receiver) "
                              "of this message");
    qiao_ev_pass(v, "delivery", "delivered-log", "Inbox emitted MessageDelivered for this id");
    return QIAO_OK;
}

static qiao_err check_delivery(struct qiao_ev_run *v)
{
    const struct qiao_ev_segment *s = &v->b->delivery;
    const struct qiao_ev_chain *tc = qiao_ev_trust_chain(v->t, s->chain_id);
    struct qiao_ev_evm_proved p;
    v->r->dst_chain_id = s->chain_id;
    if (!tc || tc->family != QIAO_EV_EVM)
        return QIAO_EV_REJECT(v, "delivery", "trust-anchor", "untrusted-chain",
                              "trust.json has no evm chain %llu", (unsigned long long)s->chain_id);
    snprintf(v->r->dst_name, sizeof(v->r->dst_name), "%s", tc->name);
    QIAO_TRY(qiao_ev_evm_segment(v, &p, s, tc, "delivery"));
    v->r->dst_height = p.block.number, v->r->dst_time = p.block.timestamp;
    v->r->dst_confirmations = p.confirmations;
    memcpy(v->r->dst_block_hash, p.block.hash, 32);
    return check_delivered_log(v, &p.log, tc);
}

static qiao_err run(struct qiao_ev_run *v)
{
    struct qiao_committee c;
    v->r->observed_time = v->b->record.observed_time;
    QIAO_TRY(check_record(v));
    QIAO_TRY(check_source(v));
    QIAO_TRY(check_message(v));
    QIAO_TRY(check_committee(v, &c));
    QIAO_TRY(check_certificate(v, &c));
    QIAO_TRY(check_delivery(v));
    if (v->b->timestamp.len)
        QIAO_TRY(qiao_ev_tsa_check(v));
    return QIAO_OK;
}

qiao_err qiao_ev_verify(struct qiao_crypto *cx, struct qiao_ev_report *r,
                        const struct qiao_ev_bundle *b, const struct qiao_ev_trust *t,
                        struct qiao_arena *arena, struct qiao_diag *d)
{
    struct qiao_diag local = {0};
    struct qiao_ev_run v = {.cx = cx, .r = r, .b = b, .t = t, .arena = arena,
                            .d = d ? d : &local};
    memset(r, 0, sizeof(*r));
    r->has_timestamp = b->timestamp.len != 0;
    qiao_err err = qiao_ev_core_digest(cx, r->core_sha256, b, v.d);
    if (!err)
        err = run(&v);
    else
        qiao_ev_failed(&v, "bundle", "canonical-core", err);
    r->verdict = err ? QIAO_EV_REJECTED : QIAO_EV_VERIFIED;
    return err;
}

qiao_err qiao_ev_core_digest(struct qiao_crypto *cx, uint8_t digest[32],
                             const struct qiao_ev_bundle *b, struct qiao_diag *d)
{
    struct qiao_buf core = {0};
    qiao_err err = qiao_ev_build(&core, b, 0, d);
    if (!err)
        qiao_sha256(cx, digest, core.p, core.len);
    qiao_buf_clear(&core);
    return err;
}
