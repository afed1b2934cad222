/*
 * dmn_scan.c: find and prove the Outbox's MessageSent and the Inbox's MessageDelivered logs in a
 * verified block.
 *
 * The header's logs bloom (covered by the header hash we computed) says whether a block may hold
 * a log of an address and topic; a bloom has no false negatives, so a block it rules out needs no
 * RPC at all and a node cannot hide a message by omitting it from a log query.  For a block that
 * may hold one, the worker fetches eth_getBlockReceipts, re-encodes every receipt, rebuilds the
 * receipts trie and requires its root to equal the verified header's receiptsRoot.  That proves
 * every receipt of the block at once (stronger than one inclusion proof per log: the log index is
 * proven too).  Only then are the logs decoded, with the strict ABI decoder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_json.h"
#include "adapters/evm/evm_receipt.h"
#include "adapters/evm/evm_source.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"
#include "relay/core/log.h"
#include "relay/daemon/dmn_receipts.h"
#include "relay/daemon/dmn_worker.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"

/** topic0 of Inbox.MessageDelivered(bytes32,uint64,uint64,address). */
static void delivered_topic(uint8_t t[32])
{
    static const char sig[] = "MessageDelivered(bytes32,uint64,uint64,address)";
    qiao_keccak256(t, sig, sizeof(sig) - 1);
}

static void append(struct qiao_dmn_item **out, struct qiao_dmn_item *ev)
{
    while (*out)
        out = &(*out)->next;
    *out = ev;
}

static void emit_message(struct qiao_dmn_worker *w, const struct qiao_evm_header *h,
                         const struct qiao_evm_log *log, const uint8_t tx[32], uint64_t log_index,
                         struct qiao_dmn_item **out)
{
    struct qiao_message m = {0};
    struct qiao_diag d = {0};
    if (qiao_abi_decode_message_sent(&m, (const uint8_t(*)[32])log->topics, log->topic_count,
                                     log->data, log->data_len, &d)) {
        QIAO_LOG(QIAO_LOG_WARN, "scan", "chain=%llu block=%llu log=%llu reason=%s msg=\"%s\"",
                 (unsigned long long)w->o.chain.id, (unsigned long long)h->number,
                 (unsigned long long)log_index, d.reason, d.msg);
        return;
    }
    struct qiao_dmn_item *ev = qiao_dmn_item_new(QIAO_DMN_EV_OBSERVED, w->o.chain.id);
    if (!ev || !(ev->msg = calloc(1, sizeof(*ev->msg)))) {
        qiao_dmn_item_free(ev);
        return;
    }
    m.src_chain_id = w->o.chain.id;
    memcpy(m.src_emitter, log->address, 20);
    struct qiao_store_msg *s = ev->msg;
    qiao_msg_id(s->id, &m);
    s->version = m.version, s->src_chain = m.src_chain_id, s->seq = m.seq;
    s->dst_chain = m.dst_chain_id;
    memcpy(s->src_emitter, m.src_emitter, 20), memcpy(s->sender, m.sender, 20);
    memcpy(s->receiver, m.receiver, 20), memcpy(s->payload_hash, m.payload_hash, 32);
    s->payload_len = m.payload_len;
    if (m.payload_len)
        memcpy(s->payload, m.payload, m.payload_len);
    memcpy(ev->id, s->id, 32);
    ev->src_time = h->timestamp;
    ev->height = h->number;
    memcpy(ev->hash, h->hash, 32);
    ev->src.block_height = h->number;
    memcpy(ev->src.block_hash, h->hash, 32), memcpy(ev->src.tx_hash, tx, 32);
    ev->src.log_index = log_index;
    append(out, ev);
}

static void emit_delivered(struct qiao_dmn_worker *w, const struct qiao_evm_header *h,
                           const struct qiao_evm_log *log, const uint8_t tx[32],
                           struct qiao_dmn_item **out)
{
    if (log->topic_count < 2)
        return;
    struct qiao_dmn_item *ev = qiao_dmn_item_new(QIAO_DMN_EV_DELIVERED, w->o.chain.id);
    if (!ev)
        return;
    memcpy(ev->id, log->topics[1], 32), memcpy(ev->tx, tx, 32), memcpy(ev->hash, h->hash, 32);
    ev->height = h->number;
    append(out, ev);
}

static qiao_err scan_receipts(struct qiao_dmn_worker *w, const struct qiao_evm_header *h,
                              const struct qiao_dmn_receipts *r, struct qiao_dmn_item **out,
                              struct qiao_diag *d)
{
    const struct qiao_cfg_chain *c = &w->o.chain;
    uint8_t sent[32], deliv[32];
    uint64_t log_index = 0;
    qiao_abi_message_sent_topic(sent);
    delivered_topic(deliv);
    for (size_t i = 0; i < r->n; i++) {
        struct qiao_evm_receipt rc;
        QIAO_TRY(qiao_evm_receipt_decode(&rc, r->enc[i].p, r->enc[i].len, d));
        for (size_t j = 0; j < rc.log_count; j++, log_index++) {
            struct qiao_evm_log log;
            QIAO_TRY(qiao_evm_receipt_log(&log, &rc, j, d));
            if (log.topic_count == 0)
                continue;
            if (c->has_outbox && memcmp(log.address, c->outbox, 20) == 0 &&
                memcmp(log.topics[0], sent, 32) == 0)
                emit_message(w, h, &log, r->tx[i], log_index, out);
            else if (c->has_inbox && memcmp(log.address, c->inbox, 20) == 0 &&
                     memcmp(log.topics[0], deliv, 32) == 0)
                emit_delivered(w, h, &log, r->tx[i], out);
        }
    }
    return QIAO_OK;
}

qiao_err qiao_dmn_scan_block(struct qiao_dmn_worker *w, const struct qiao_evm_header *h,
                             struct qiao_dmn_item **out, struct qiao_diag *d)
{
    const struct qiao_cfg_chain *c = &w->o.chain;
    uint8_t sent[32], deliv[32];
    qiao_abi_message_sent_topic(sent);
    delivered_topic(deliv);
    int want = (c->has_outbox && qiao_dmn_bloom_may_hold(h->logs_bloom, c->outbox, sent)) ||
               (c->has_inbox && qiao_dmn_bloom_may_hold(h->logs_bloom, c->inbox, deliv));
    if (!want)
        return QIAO_OK;
    char hex[67];
    cJSON *params = cJSON_CreateArray(), *res = NULL;
    qiao_hex_encode0x(hex, h->hash, 32);
    cJSON_AddItemToArray(params, cJSON_CreateString(hex));
    QIAO_TRY(qiao_evm_source_call(w->src, &res, "eth_getBlockReceipts", params, d));
    struct qiao_dmn_receipts r = {0};
    qiao_err err = qiao_dmn_receipts_load(&r, res, d);
    cJSON_Delete(res);
    if (!err)
        err = qiao_dmn_receipts_check_root(&r, h->receipts_root, h->number, d);
    if (!err)
        err = scan_receipts(w, h, &r, out, d);
    qiao_dmn_receipts_clear(&r);
    if (err)
        qiao_diag_wrap(d, "block %llu", (unsigned long long)h->number);
    return err;
}
