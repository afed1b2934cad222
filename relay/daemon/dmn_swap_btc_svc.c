/*
 * dmn_swap_btc_svc.c: the service half's Bitcoin legs (dmn_swap_svc.h): the leg's clock, its
 * observations as engine events, what to watch, and the spends the relay signs.
 *
 * Clock: a Bitcoin leg's engine time is derived from the verified tip's height
 * (htlc/height_clock.h), so the engine declares the leg expired exactly when a refund with
 * nLockTime = timelock_height can be mined (tip >= T), whatever the block timestamps say.
 *
 * Keys: the relay signs a Bitcoin spend only with the notary's own secp256k1 key (the key file
 * of `qiao run`, never argv), and only on a branch whose script key IS the notary's public key,
 * i.e. where the party named the relay as its delegate in the terms (refund: the leg's sender
 * key; claim: the receiver key of the initiator leg with claim_for_counterparty).  It pays the
 * leg's claim_to / refund_to scriptPubKey minus fee_sat; without those the relay does not act on
 * the leg and the party spends it itself.
 */
#include <string.h>

#include "adapters/bitcoin/btc_sign.h"
#include "adapters/bitcoin/btc_swap_leg.h"
#include "relay/core/log.h"
#include "relay/daemon/daemon_int.h"
#include "relay/daemon/dmn_swap_svc.h"

int qiao_swap_is_bitcoin(const struct qiao_htlc_record *r, int leg)
{
    return r->drive[leg & 1].family == QIAO_HTLC_FAMILY_BITCOIN;
}

int qiao_swap_leg_now(const struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                      uint64_t *now)
{
    uint64_t t, h;
    if (!qiao_swap_clock(sw, r->swap.terms.leg[leg].chain_id, &t, &h))
        return 0;
    *now = qiao_swap_is_bitcoin(r, leg) ? qiao_btc_swap_leg_clock(r, leg, h, t) : t;
    return 1;
}

void qiao_swap_btc_watch_job(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                             struct qiao_swq_item *job)
{
    struct qiao_diag d = {0};
    job->bitcoin = 1;
    if (qiao_btc_swap_leg_program(sw->dm->cx, job->program, NULL, r, leg, &d))
        QIAO_LOG(QIAO_LOG_ERROR, "swap", "leg=%d no script reason=%s msg=\"%s\"", leg, d.reason,
                 d.msg);
}

int qiao_swap_btc_event(struct qiao_swap_slot *s, const struct qiao_swq_item *ev,
                        struct qiao_htlc_event *e, struct qiao_btc_htlc_match *m)
{
    const struct qiao_htlc_leg_drive *dr = &s->r.drive[ev->leg];
    enum qiao_htlc_status st = s->r.swap.status[ev->leg];
    struct qiao_diag d = {0};
    memset(m, 0, sizeof(*m));
    if (ev->kind == QIAO_SWQ_LOCKED) {
        if (st != QIAO_HTLC_NONE)
            return 0; /* a rescan, or a second output paying the same script */
        m->kind = QIAO_BTC_HTLC_LOCK, m->index = ev->vout, m->value = ev->value;
    } else {
        /* Only a spend of the output the engine took as the lock counts. */
        if (!dr->has_lock_id || memcmp(dr->lock_id, ev->lock_id, 32) != 0 ||
            dr->lock_vout != ev->vout || st != QIAO_HTLC_LOCKED)
            return 0;
        m->kind = ev->kind == QIAO_SWQ_CLAIMED ? QIAO_BTC_HTLC_CLAIMED : QIAO_BTC_HTLC_REFUNDED;
        if (qiao_btc_swap_leg_htlc(&m->htlc, &s->r, ev->leg, &d))
            return 0;
        memcpy(m->preimage, ev->preimage, 32);
    }
    return qiao_btc_swap_leg_event(e, &s->r, ev->leg, m, ev->height, ev->time, &d) == QIAO_OK;
}

/* The key the branch's script names, when it is the notary's; the payout; the fee. */
static int delegated(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                     enum qiao_htlc_sent action, const uint8_t **spk, size_t *spk_len)
{
    const struct qiao_htlc_leg *l = &r->swap.terms.leg[leg];
    const struct qiao_htlc_leg_drive *dr = &r->drive[leg];
    uint8_t pub[33];
    struct qiao_diag d = {0};
    if (qiao_btc_pubkey33(sw->dm->cx, pub, sw->dm->key.seckey, &d) || !dr->fee_sat)
        return 0;
    if (action == QIAO_HTLC_SENT_REFUND)
        *spk = dr->refund_to, *spk_len = dr->refund_to_len;
    else
        *spk = dr->claim_to, *spk_len = dr->claim_to_len;
    const uint8_t *key = action == QIAO_HTLC_SENT_REFUND ? l->sender : l->receiver;
    return *spk_len && memcmp(key, pub, 33) == 0;
}

int qiao_swap_btc_can_act(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                          enum qiao_htlc_sent action)
{
    const uint8_t *spk;
    size_t n;
    return delegated(sw, r, leg, action, &spk, &n);
}

int qiao_swap_btc_prepare(struct qiao_dmn_swaps *sw, const struct qiao_htlc_record *r, int leg,
                          enum qiao_htlc_sent action, struct qiao_swq_item *job)
{
    const struct qiao_htlc_leg_drive *dr = &r->drive[leg];
    struct qiao_btc_swap_outpoint op = {.vout = dr->lock_vout};
    struct qiao_buf tx = {0};
    struct qiao_diag d = {0};
    const uint8_t *spk;
    size_t spk_len;
    if (!delegated(sw, r, leg, action, &spk, &spk_len))
        return 0;
    memcpy(op.txid, dr->lock_id, 32);
    for (int b = 24; b < 32; b++)
        op.value = op.value << 8 | r->swap.terms.leg[leg].amount[b];
    qiao_err err = qiao_btc_swap_leg_spend(
        sw->dm->cx, &tx, r, leg, &op,
        action == QIAO_HTLC_SENT_CLAIM ? QIAO_BTC_HTLC_CLAIM : QIAO_BTC_HTLC_REFUND,
        sw->dm->key.seckey, r->swap.preimage, QIAO_HTLC_PREIMAGE_LEN, spk, spk_len, dr->fee_sat,
        &d);
    if (!err && tx.len > sizeof(job->raw))
        err = QIAO_FAIL(&d, QIAO_ERANGE, "too-long", "spend of %zu bytes", tx.len);
    if (!err)
        memcpy(job->raw, tx.p, tx.len), job->raw_len = tx.len, job->bitcoin = 1;
    else
        QIAO_LOG(QIAO_LOG_WARN, "swap", "leg=%d spend not built reason=%s msg=\"%s\"", leg,
                 d.reason, d.msg);
    qiao_buf_clear(&tx);
    return err == QIAO_OK;
}
