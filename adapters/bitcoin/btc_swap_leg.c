/* btc_swap_leg.c: a swap's Bitcoin leg as its HTLC, events and spends (btc_swap_leg.h). */
#include "adapters/bitcoin/btc_swap_leg.h"

#include <string.h>

#include "htlc/height_clock.h"

static qiao_err bitcoin_leg(const struct qiao_htlc_record *r, int leg, struct qiao_diag *d)
{
    if (leg < 0 || leg > 1 || r->drive[leg].family != QIAO_HTLC_FAMILY_BITCOIN ||
        r->swap.terms.leg[leg].addr_len != 33)
        return QIAO_FAIL(d, QIAO_EINVAL, "not-bitcoin-leg", "swap leg %d is not a bitcoin leg",
                         leg);
    return QIAO_OK;
}

qiao_err qiao_btc_swap_leg_htlc(struct qiao_btc_htlc *h, const struct qiao_htlc_record *r,
                                int leg, struct qiao_diag *d)
{
    QIAO_TRY(bitcoin_leg(r, leg, d));
    const struct qiao_htlc_leg *l = &r->swap.terms.leg[leg];
    uint32_t t = r->drive[leg].height.height;
    if (t == 0 || t >= QIAO_BTC_LOCKTIME_THRESHOLD)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-value", "swap leg %d: timelock_height %u is not a "
                         "block height", leg, t);
    memset(h, 0, sizeof(*h));
    memcpy(h->hash, r->swap.terms.hashlock, 32);
    memcpy(h->recv_pub, l->receiver, 33);
    memcpy(h->refund_pub, l->sender, 33);
    h->locktime = t;
    return QIAO_OK;
}

qiao_err qiao_btc_swap_leg_program(struct qiao_crypto *cx, uint8_t program[32],
                                   uint8_t spk34[34], const struct qiao_htlc_record *r, int leg,
                                   struct qiao_diag *d)
{
    struct qiao_btc_htlc h;
    QIAO_TRY(qiao_btc_swap_leg_htlc(&h, r, leg, d));
    /* The network only picks the address's prefix, which is not asked for here. */
    return qiao_btc_htlc_address(cx, NULL, spk34, program, QIAO_BTC_REGTEST, &h, d);
}

uint64_t qiao_btc_swap_leg_clock(const struct qiao_htlc_record *r, int leg, uint64_t tip_height,
                                 uint64_t tip_time)
{
    return qiao_htlc_height_tip_clock(&r->drive[leg & 1].height,
                                      r->swap.terms.leg[leg & 1].timelock, tip_height, tip_time);
}

static void lock_event(struct qiao_htlc_event *ev, const struct qiao_htlc_record *r, int leg,
                       const struct qiao_btc_htlc_match *m)
{
    const struct qiao_htlc_leg *l = &r->swap.terms.leg[leg];
    ev->kind = QIAO_HTLC_EV_LOCKED;
    memcpy(ev->hashlock, r->swap.terms.hashlock, 32);
    memcpy(ev->receiver, l->receiver, 33);
    for (int b = 0; b < 8; b++)
        ev->amount[31 - b] = (uint8_t)(m->value >> (8 * b));
    ev->timelock = l->timelock;
}

qiao_err qiao_btc_swap_leg_event(struct qiao_htlc_event *ev, const struct qiao_htlc_record *r,
                                 int leg, const struct qiao_btc_htlc_match *m,
                                 uint64_t height, uint64_t block_time, struct qiao_diag *d)
{
    struct qiao_btc_htlc h;
    QIAO_TRY(qiao_btc_swap_leg_htlc(&h, r, leg, d));
    memset(ev, 0, sizeof(*ev));
    ev->leg = (enum qiao_htlc_leg_id)leg;
    ev->block_time = qiao_htlc_height_block_clock(&r->drive[leg].height,
                                                  r->swap.terms.leg[leg].timelock, height,
                                                  block_time);
    if (m->kind == QIAO_BTC_HTLC_LOCK) {
        lock_event(ev, r, leg, m);
        return QIAO_OK;
    }
    if (memcmp(&m->htlc, &h, sizeof(h)) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "wrong-htlc", "swap leg %d: the spend's script is not "
                         "the leg's", leg);
    if (m->kind == QIAO_BTC_HTLC_CLAIMED) {
        ev->kind = QIAO_HTLC_EV_CLAIMED;
        ev->preimage = m->preimage, ev->preimage_len = QIAO_BTC_HTLC_PREIMAGE_LEN;
    } else {
        ev->kind = QIAO_HTLC_EV_REFUNDED;
    }
    return QIAO_OK;
}

qiao_err qiao_btc_swap_leg_spend(struct qiao_crypto *cx, struct qiao_buf *out,
                                 const struct qiao_htlc_record *r, int leg,
                                 const struct qiao_btc_swap_outpoint *op,
                                 enum qiao_btc_htlc_branch branch, const uint8_t seckey[32],
                                 const uint8_t *preimage, size_t preimage_len,
                                 const uint8_t *dest_spk, size_t dest_spk_len, uint64_t fee,
                                 struct qiao_diag *d)
{
    struct qiao_btc_htlc h;
    QIAO_TRY(qiao_btc_swap_leg_htlc(&h, r, leg, d));
    struct qiao_btc_htlc_spend sp = {.htlc = &h, .prev_vout = op->vout, .prev_value = op->value,
                                     .dest_spk = dest_spk, .dest_spk_len = dest_spk_len,
                                     .fee = fee};
    memcpy(sp.prev_txid, op->txid, 32);
    if (branch == QIAO_BTC_HTLC_CLAIM)
        return qiao_btc_htlc_claim(cx, out, &sp, seckey, preimage, preimage_len, d);
    return qiao_btc_htlc_refund(cx, out, &sp, seckey, d);
}
