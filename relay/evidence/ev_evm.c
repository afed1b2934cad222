/*
 * ev_evm.c: EVM segments (source and delivery) and the EVM source's MessageSent binding.
 *
 * A segment starts at the trust checkpoint's header (its keccak256 must be the checkpoint hash)
 * and every later header must link to the one before it (parent hash, number + 1, time not
 * decreasing: qiao_evm_header_check_link), hashes recomputed from the RLP.  The receipt proof is
 * checked under the including header's receiptsRoot, and finality is the number of headers the
 * segment carries above the including one.
 */
#include <stdio.h>
#include <string.h>

#include "adapters/evm/evm_adapter.h"
#include "relay/core/hex.h"
#include "relay/evidence/ev_int.h"
#include "relay/notary/abi.h"

static qiao_err checkpoint(struct qiao_ev_run *v, struct qiao_evm_header *h,
                           const struct qiao_ev_segment *s, const struct qiao_ev_chain *tc,
                           const char *component)
{
    if (qiao_evm_header_decode(h, s->headers[0].p, s->headers[0].len, v->d)) {
        qiao_diag_wrap(v->d, "%s header 0", component);
        return qiao_ev_failed(v, component, "checkpoint", QIAO_EVERIFY);
    }
    if (h->number != tc->checkpoint_height || !qiao_ct_equal(h->hash, tc->checkpoint_hash, 32))
        return QIAO_EV_REJECT(v, component, "checkpoint", "checkpoint-mismatch",
                              "%s header 0 (number %llu) is not the trusted checkpoint %llu",
                              component, (unsigned long long)h->number,
                              (unsigned long long)tc->checkpoint_height);
    qiao_ev_pass(v, component, "checkpoint", "header 0 is trusted checkpoint %llu of chain %llu",
                 (unsigned long long)h->number, (unsigned long long)tc->chain_id);
    return QIAO_OK;
}

/* Walk the headers; out gets the including one (index s->block). */
static qiao_err header_chain(struct qiao_ev_run *v, struct qiao_evm_header *out,
                             const struct qiao_ev_segment *s, const struct qiao_ev_chain *tc,
                             const char *component)
{
    struct qiao_evm_header h[2];
    if (s->block >= s->nheaders)
        return QIAO_EV_REJECT(v, component, "header-chain", "block-out-of-range",
                              "%s.block %llu is beyond its %zu headers", component,
                              (unsigned long long)s->block, s->nheaders);
    QIAO_TRY(checkpoint(v, &h[0], s, tc, component));
    if (s->block == 0)
        *out = h[0];
    for (size_t i = 1; i < s->nheaders; i++) {
        struct qiao_evm_header *cur = &h[i & 1], *prev = &h[(i - 1) & 1];
        if (qiao_evm_header_decode(cur, s->headers[i].p, s->headers[i].len, v->d) ||
            qiao_evm_header_check_link(cur, prev, v->d)) {
            qiao_diag_wrap(v->d, "%s header %zu", component, i);
            return qiao_ev_failed(v, component, "header-chain", QIAO_EVERIFY);
        }
        if (i == s->block)
            *out = *cur;
    }
    qiao_ev_pass(v, component, "header-chain", "%zu headers linked by hash from the checkpoint "
                 "to number %llu", s->nheaders,
                 (unsigned long long)(tc->checkpoint_height + s->nheaders - 1));
    return QIAO_OK;
}

static qiao_err receipt_log(struct qiao_ev_run *v, struct qiao_ev_evm_proved *p,
                            const struct qiao_ev_segment *s, const char *component)
{
    const uint8_t *receipt;
    size_t len;
    uint64_t tx;
    struct qiao_evm_receipt rc;
    if (qiao_evm_receipt_proof_verify(&receipt, &len, &tx, p->block.receipts_root, s->proof.p,
                                      s->proof.len, v->d) ||
        qiao_evm_receipt_decode(&rc, receipt, len, v->d)) {
        qiao_diag_wrap(v->d, "%s receipt proof", component);
        return qiao_ev_failed(v, component, "receipt-proof", QIAO_EVERIFY);
    }
    if (rc.has_status && rc.status != 1)
        return QIAO_EV_REJECT(v, component, "receipt-proof", "transaction-failed",
                              "%s transaction %llu reverted", component, (unsigned long long)tx);
    if (qiao_evm_receipt_log(&p->log, &rc, s->index, v->d)) {
        qiao_diag_wrap(v->d, "%s log %llu", component, (unsigned long long)s->index);
        return qiao_ev_failed(v, component, "receipt-proof", QIAO_EVERIFY);
    }
    qiao_ev_pass(v, component, "receipt-proof", "receipt of transaction %llu proven under the "
                 "receiptsRoot of block %llu; log %llu", (unsigned long long)tx,
                 (unsigned long long)p->block.number, (unsigned long long)s->index);
    return QIAO_OK;
}

qiao_err qiao_ev_evm_segment(struct qiao_ev_run *v, struct qiao_ev_evm_proved *out,
                             const struct qiao_ev_segment *s, const struct qiao_ev_chain *tc,
                             const char *component)
{
    QIAO_TRY(header_chain(v, &out->block, s, tc, component));
    QIAO_TRY(receipt_log(v, out, s, component));
    out->confirmations = s->nheaders - 1 - s->block;
    if (out->confirmations < tc->confirmations)
        return QIAO_EV_REJECT(v, component, "finality", "not-final",
                              "%llu headers above block %llu; trust.json requires %llu",
                              (unsigned long long)out->confirmations,
                              (unsigned long long)out->block.number,
                              (unsigned long long)tc->confirmations);
    qiao_ev_pass(v, component, "finality", "%llu confirmations covered by headers (required %llu)",
                 (unsigned long long)out->confirmations, (unsigned long long)tc->confirmations);
    return QIAO_OK;
}

/* The decoded MessageSent must be the bundle's message, field by field. */
static qiao_err same_message(struct qiao_ev_run *v, const struct qiao_message *got,
                             const uint8_t emitter[20])
{
    const struct qiao_message *m = &v->b->message;
    const char *bad = memcmp(emitter, m->src_emitter, 20)               ? "srcEmitter"
                      : got->seq != m->seq                               ? "seq"
                      : got->dst_chain_id != m->dst_chain_id             ? "dstChainId"
                      : memcmp(got->sender, m->sender, 20)               ? "sender"
                      : memcmp(got->receiver, m->receiver, 20)           ? "receiver"
                      : memcmp(got->payload_hash, m->payload_hash, 32)   ? "payloadHash"
                      : got->payload_len != v->b->record.payload.len ||
                              memcmp(got->payload, v->b->record.payload.p, got->payload_len)
                          ? "payload"
                          : NULL;
    if (bad)
        return QIAO_EV_REJECT(v, "message", "source-event", "message-mismatch",
                              "the proven MessageSent log differs from the bundle's message in "
                              "%s", bad);
    qiao_ev_pass(v, "message", "source-event", "the proven MessageSent log carries exactly this "
                 "message and record");
    return QIAO_OK;
}

static qiao_err check_subject(struct qiao_ev_run *v)
{
    char want[43];
    qiao_hex_encode0x(want, v->b->message.sender, 20);
    if (strcmp(v->b->record.subject, want) != 0)
        return QIAO_EV_REJECT(v, "record", "subject", "subject-mismatch",
                              "record.subject \"%.60s\" is not the proven sender %s",
                              v->b->record.subject, want);
    qiao_ev_pass(v, "record", "subject", "subject %s is the account that sent the record", want);
    return QIAO_OK;
}

qiao_err qiao_ev_evm_source(struct qiao_ev_run *v, const struct qiao_ev_chain *tc)
{
    struct qiao_ev_evm_proved p;
    struct qiao_message got;
    QIAO_TRY(qiao_ev_evm_segment(v, &p, &v->b->source.seg, tc, "source"));
    v->r->src_height = p.block.number, v->r->src_time = p.block.timestamp;
    v->r->src_confirmations = p.confirmations;
    memcpy(v->r->src_block_hash, p.block.hash, 32);
    if (!tc->has_emitter || memcmp(p.log.address, tc->emitter, 20))
        return QIAO_EV_REJECT(v, "source", "emitter", "not-trusted-outbox",
                              "the proven log was not emitted by the Outbox trust.json names");
    if (qiao_abi_decode_message_sent(&got, (const uint8_t(*)[32])p.log.topics, p.log.topic_count,
                                     p.log.data, p.log.data_len, v->d)) {
        qiao_diag_wrap(v->d, "source log");
        return qiao_ev_failed(v, "source", "message-sent", QIAO_EVERIFY);
    }
    qiao_ev_pass(v, "source", "message-sent", "the log is a canonical MessageSent from the "
                 "trusted Outbox");
    QIAO_TRY(same_message(v, &got, p.log.address));
    return check_subject(v);
}
