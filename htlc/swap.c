/* swap.c: the swap state machine (see swap.h). */
#include "htlc/swap.h"

#include <string.h>

#include "relay/core/keccak.h"

void qiao_htlc_init(struct qiao_htlc_swap *s, const struct qiao_htlc_terms *t,
                    int claim_for_counterparty)
{
    memset(s, 0, sizeof(*s));
    s->terms = *t;
    s->claim_for_counterparty = claim_for_counterparty;
}

static const char *leg_name(enum qiao_htlc_leg_id leg)
{
    return leg == QIAO_HTLC_INIT ? "initiator" : "participant";
}

static qiao_err apply_lock(struct qiao_htlc_swap *s, const struct qiao_htlc_event *ev,
                           struct qiao_diag *d)
{
    const struct qiao_htlc_leg *l = &s->terms.leg[ev->leg];
    if (memcmp(ev->hashlock, s->terms.hashlock, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "lock-mismatch", "%s leg: lock has a different hashlock",
                         leg_name(ev->leg));
    if (memcmp(ev->receiver, l->receiver, l->addr_len) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "lock-mismatch", "%s leg: lock pays a different receiver",
                         leg_name(ev->leg));
    if (memcmp(ev->amount, l->amount, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "lock-mismatch", "%s leg: lock has a different amount",
                         leg_name(ev->leg));
    if (ev->timelock != l->timelock)
        return QIAO_FAIL(d, QIAO_EVERIFY, "lock-mismatch", "%s leg: lock timelock %llu, agreed %llu",
                         leg_name(ev->leg), (unsigned long long)ev->timelock,
                         (unsigned long long)l->timelock);
    s->status[ev->leg] = QIAO_HTLC_LOCKED;
    return QIAO_OK;
}

static qiao_err apply_claim(struct qiao_crypto *cx, struct qiao_htlc_swap *s,
                            const struct qiao_htlc_event *ev, struct qiao_diag *d)
{
    const struct qiao_htlc_leg *l = &s->terms.leg[ev->leg];
    uint8_t h[32];
    if (ev->block_time >= l->timelock)
        return QIAO_FAIL(d, QIAO_EVERIFY, "claim-after-expiry", "%s leg: claim at %llu, timelock %llu",
                         leg_name(ev->leg), (unsigned long long)ev->block_time,
                         (unsigned long long)l->timelock);
    if (!ev->preimage || ev->preimage_len != QIAO_HTLC_PREIMAGE_LEN)
        return QIAO_FAIL(d, QIAO_EVERIFY, "preimage-length", "%s leg: claim preimage of %zu bytes",
                         leg_name(ev->leg), ev->preimage ? ev->preimage_len : 0);
    if (l->hash == QIAO_HTLC_SHA256)
        qiao_sha256(cx, h, ev->preimage, ev->preimage_len);
    else
        qiao_keccak256(h, ev->preimage, ev->preimage_len);
    if (memcmp(h, s->terms.hashlock, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-preimage", "%s leg: preimage does not hash to the "
                         "hashlock", leg_name(ev->leg));
    memcpy(s->preimage, ev->preimage, QIAO_HTLC_PREIMAGE_LEN);
    s->preimage_known = 1;
    s->status[ev->leg] = QIAO_HTLC_CLAIMED;
    return QIAO_OK;
}

qiao_err qiao_htlc_apply(struct qiao_crypto *cx, struct qiao_htlc_swap *s,
                         const struct qiao_htlc_event *ev, struct qiao_diag *d)
{
    if (ev->leg != QIAO_HTLC_INIT && ev->leg != QIAO_HTLC_PART)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-leg", "event names leg %d", (int)ev->leg);
    enum qiao_htlc_status st = s->status[ev->leg];
    enum qiao_htlc_status need = ev->kind == QIAO_HTLC_EV_LOCKED ? QIAO_HTLC_NONE : QIAO_HTLC_LOCKED;
    if (st != need)
        return QIAO_FAIL(d, QIAO_ESTATE, "bad-transition", "%s leg: event %d in status %d",
                         leg_name(ev->leg), (int)ev->kind, (int)st);
    switch (ev->kind) {
    case QIAO_HTLC_EV_LOCKED:
        return apply_lock(s, ev, d);
    case QIAO_HTLC_EV_CLAIMED:
        return apply_claim(cx, s, ev, d);
    case QIAO_HTLC_EV_REFUNDED:
        if (ev->block_time < s->terms.leg[ev->leg].timelock)
            return QIAO_FAIL(d, QIAO_EVERIFY, "refund-before-expiry", "%s leg: refund at %llu, "
                             "timelock %llu", leg_name(ev->leg), (unsigned long long)ev->block_time,
                             (unsigned long long)s->terms.leg[ev->leg].timelock);
        s->status[ev->leg] = QIAO_HTLC_REFUNDED;
        return QIAO_OK;
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-event", "unknown event kind %d", (int)ev->kind);
}

size_t qiao_htlc_due(struct qiao_htlc_action out[2], struct qiao_htlc_swap *s, uint64_t now)
{
    size_t n = 0;
    uint64_t t1 = s->terms.leg[QIAO_HTLC_INIT].timelock, t2 = s->terms.leg[QIAO_HTLC_PART].timelock;
    if (s->status[QIAO_HTLC_INIT] == QIAO_HTLC_LOCKED) {
        if (s->preimage_known && now < t1 && s->claim_for_counterparty)
            out[n++] = (struct qiao_htlc_action){QIAO_HTLC_ACT_CLAIM, QIAO_HTLC_INIT};
        else if (now >= t1) {
            out[n++] = (struct qiao_htlc_action){QIAO_HTLC_ACT_REFUND, QIAO_HTLC_INIT};
            if (s->preimage_known)
                s->alerts |= QIAO_HTLC_ALERT_MISSED_CLAIM;
        }
        if (s->status[QIAO_HTLC_PART] == QIAO_HTLC_NONE && now >= t2)
            s->alerts |= QIAO_HTLC_ALERT_NEVER_LOCKED;
    }
    if (s->status[QIAO_HTLC_PART] == QIAO_HTLC_LOCKED && now >= t2)
        out[n++] = (struct qiao_htlc_action){QIAO_HTLC_ACT_REFUND, QIAO_HTLC_PART};
    return n;
}

const char *qiao_htlc_phase(const struct qiao_htlc_swap *s)
{
    static const char *const names[4][4] = {
        /* [init][part]   NONE              LOCKED             CLAIMED               REFUNDED */
        /* NONE     */ {"proposed", "part-locked-first", "anomalous", "anomalous"},
        /* LOCKED   */ {"init-locked", "both-locked", "secret-revealed", "refunding"},
        /* CLAIMED  */ {"anomalous", "init-claimed-first", "completed", "initiator-lost"},
        /* REFUNDED */ {"refunded", "refunding", "participant-lost", "refunded"},
    };
    return names[s->status[QIAO_HTLC_INIT]][s->status[QIAO_HTLC_PART]];
}
