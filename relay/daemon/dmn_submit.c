/*
 * dmn_submit.c: a chain worker's submission job: deliver a certified message to this chain's
 * Inbox unless it is already consumed, and confirm by receipt.
 *
 * Order: Inbox.consumed(id) first (another notary may have delivered: then nothing is sent);
 * then sign and send Inbox.deliver from the notary key (nonces through a file store that is
 * advanced durably before the transaction leaves, evm_send.h); then wait for the receipt.  A
 * reverted or refused transaction is checked against consumed(id) again, because a concurrent
 * delivery by the next notary in rotation makes ours revert with AlreadyConsumed, and that is a
 * success for the message.  Every outcome goes back to the service thread as an event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_send.h"
#include "adapters/evm/evm_source.h"
#include "relay/core/hex.h"
#include "relay/core/log.h"
#include "relay/daemon/dmn_crash.h"
#include "relay/daemon/dmn_worker.h"
#include "relay/notary/abi.h"
#include "relay/notary/attest.h"

#define RECEIPT_POLL_MS 100
#define RECEIPT_TIMEOUT_MS 30000
#define DEFAULT_GAS_CAP 3000000

/* Out: *consumed from Inbox.consumed(id) at the node's latest block. */
static qiao_err consumed(struct qiao_dmn_worker *w, int *out, const uint8_t id[32],
                         struct qiao_diag *d)
{
    uint8_t data[36], word[32];
    char to[43], hex[2 * 36 + 3];
    qiao_abi_selector(data, "consumed(bytes32)");
    memcpy(data + 4, id, 32);
    qiao_hex_encode0x(to, w->o.chain.inbox, 20);
    qiao_hex_encode0x(hex, data, sizeof(data));
    cJSON *params = cJSON_CreateArray(), *call = cJSON_CreateObject(), *res = NULL;
    cJSON_AddStringToObject(call, "to", to);
    cJSON_AddStringToObject(call, "data", hex);
    cJSON_AddItemToArray(params, call);
    cJSON_AddItemToArray(params, cJSON_CreateString("latest"));
    QIAO_TRY(qiao_evm_source_call(w->src, &res, "eth_call", params, d));
    qiao_err err = cJSON_IsString(res) ? qiao_hex_decode_exact(word, 32, res->valuestring, d)
                                       : QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "eth_call result");
    cJSON_Delete(res);
    if (err)
        return qiao_diag_wrap(d, "Inbox.consumed");
    *out = 0;
    for (int i = 0; i < 32; i++)
        *out |= word[i] != 0;
    return QIAO_OK;
}

static void emit(struct qiao_dmn_worker *w, enum qiao_dmn_kind kind, const uint8_t id[32],
                 const uint8_t *tx, uint64_t height, const uint8_t *block, int by_us,
                 const char *error)
{
    struct qiao_dmn_item *ev = qiao_dmn_item_new(kind, w->o.chain.id);
    if (!ev)
        return;
    memcpy(ev->id, id, 32);
    if (tx)
        memcpy(ev->tx, tx, 32);
    if (block)
        memcpy(ev->hash, block, 32);
    ev->height = height, ev->by_us = by_us;
    if (error)
        snprintf(ev->error, sizeof(ev->error), "%s", error);
    qiao_dmn_worker_emit(w, ev);
}

static void message_of(struct qiao_message *m, const struct qiao_store_msg *s)
{
    memset(m, 0, sizeof(*m));
    m->version = s->version, m->src_chain_id = s->src_chain, m->seq = s->seq;
    m->dst_chain_id = s->dst_chain;
    memcpy(m->src_emitter, s->src_emitter, 20), memcpy(m->sender, s->sender, 20);
    memcpy(m->receiver, s->receiver, 20), memcpy(m->payload_hash, s->payload_hash, 32);
    m->payload = s->payload, m->payload_len = s->payload_len;
}

static void fee_caps(struct qiao_evm_fee_caps *caps, const struct qiao_cfg_chain *c)
{
    memset(caps, 0, sizeof(*caps));
    caps->max_fee = c->max_fee_per_gas ? c->max_fee_per_gas : UINT64_MAX;
    caps->max_priority_fee = c->max_priority_fee_per_gas ? c->max_priority_fee_per_gas
                                                         : 2000000000ull;
    caps->gas_cap = c->gas_limit ? c->gas_limit : DEFAULT_GAS_CAP;
    caps->gas_margin_pct = 20;
}

static qiao_err send_deliver(struct qiao_dmn_worker *w, uint8_t tx[32],
                             const struct qiao_dmn_item *job, struct qiao_diag *d)
{
    struct qiao_message m;
    struct qiao_buf data = {0};
    struct qiao_evm_nonce_store ns;
    struct qiao_evm_fee_caps caps;
    struct qiao_evm_call call = {0};
    uint64_t nonce;
    message_of(&m, job->msg);
    qiao_err err = qiao_abi_encode_deliver(&data, &m, job->blob, job->blob_len, d);
    if (!err) {
        qiao_evm_nonce_file(&ns, w->o.nonce_path);
        fee_caps(&caps, &w->o.chain);
        memcpy(call.to, w->o.chain.inbox, 20);
        call.data = data.p, call.data_len = data.len;
        err = qiao_evm_send(w->src, w->cx, tx, &nonce, w->o.seckey, &ns, &caps, &call, d);
    }
    qiao_buf_clear(&data);
    return err;
}

/* After a failure: delivered by someone else (consumed) or a real failure. */
static void settle(struct qiao_dmn_worker *w, const uint8_t id[32], const struct qiao_diag *why)
{
    struct qiao_diag d = {0};
    int is = 0;
    if (consumed(w, &is, id, &d) == QIAO_OK && is) {
        emit(w, QIAO_DMN_EV_DELIVERED, id, NULL, 0, NULL, 0, NULL);
        return;
    }
    char text[256];
    snprintf(text, sizeof(text), "deliver to chain %llu: %s: %.180s",
             (unsigned long long)w->o.chain.id, why->reason, why->msg);
    emit(w, QIAO_DMN_EV_SUBMIT_FAILED, id, NULL, 0, NULL, 0, text);
}

void qiao_dmn_submit(struct qiao_dmn_worker *w, const struct qiao_dmn_item *job)
{
    struct qiao_diag d = {0};
    uint8_t tx[32], block[32];
    uint64_t height;
    int is = 0, status = 0;
    if (!w->o.chain.has_inbox) {
        (void)QIAO_FAIL(&d, QIAO_ESTATE, "no-inbox", "chain %llu has no Inbox configured",
                  (unsigned long long)w->o.chain.id);
        settle(w, job->id, &d);
        return;
    }
    if (consumed(w, &is, job->id, &d) == QIAO_OK && is) {
        emit(w, QIAO_DMN_EV_DELIVERED, job->id, NULL, 0, NULL, 0, NULL);
        return;
    }
    if (send_deliver(w, tx, job, &d)) {
        settle(w, job->id, &d);
        return;
    }
    qiao_dmn_crash_point("deliver-sent");
    emit(w, QIAO_DMN_EV_SUBMITTED, job->id, tx, 0, NULL, 1, NULL);
    if (qiao_evm_wait_receipt(w->src, &status, &height, block, tx, RECEIPT_POLL_MS,
                              RECEIPT_TIMEOUT_MS, &d)) {
        settle(w, job->id, &d);
        return;
    }
    if (status == 1) {
        emit(w, QIAO_DMN_EV_DELIVERED, job->id, tx, height, block, 1, NULL);
        return;
    }
    (void)QIAO_FAIL(&d, QIAO_EVERIFY, "deliver-reverted", "transaction reverted in block %llu",
              (unsigned long long)height);
    settle(w, job->id, &d);
}
