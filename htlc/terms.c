/* terms.c: safety checks on swap terms, before anything is locked (see swap.h). */
#include <string.h>

#include "htlc/swap.h"

static int all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static qiao_err check_leg(const struct qiao_htlc_leg *l, const char *name, struct qiao_diag *d)
{
    if (l->hash != QIAO_HTLC_SHA256 && l->hash != QIAO_HTLC_KECCAK256)
        return QIAO_FAIL(d, QIAO_EINVAL, "unsupported-hash", "%s leg: unknown hash algorithm %d", name,
                         (int)l->hash);
    if (l->addr_len == 0 || l->addr_len > QIAO_HTLC_ADDR_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "address-length", "%s leg: address length %zu", name,
                         l->addr_len);
    if (all_zero(l->amount, 32))
        return QIAO_FAIL(d, QIAO_EINVAL, "amount-zero", "%s leg: amount is zero", name);
    if (all_zero(l->receiver, l->addr_len) || all_zero(l->sender, l->addr_len))
        return QIAO_FAIL(d, QIAO_EINVAL, "recipient-zero", "%s leg: sender or receiver is the zero "
                         "address", name);
    return QIAO_OK;
}

/* The initiator's timelock must exceed the participant's by a margin that covers reaching
 * finality and getting a transaction included on both chains: after the initiator reveals the
 * preimage on PART at the last moment before T2, the relay must still see that claim final and
 * get the INIT claim included before T1. */
static qiao_err check_timing(const struct qiao_htlc_terms *t, uint64_t now, struct qiao_diag *d)
{
    const struct qiao_htlc_leg *init = &t->leg[QIAO_HTLC_INIT], *part = &t->leg[QIAO_HTLC_PART];
    uint64_t need = (uint64_t)init->finality_s + init->submit_s + part->finality_s + part->submit_s;
    if (t->margin_s < need)
        return QIAO_FAIL(d, QIAO_EINVAL, "margin-too-small", "margin %llu s is below the %llu s that "
                         "finality plus submission take on both chains",
                         (unsigned long long)t->margin_s, (unsigned long long)need);
    if (init->timelock < part->timelock || init->timelock - part->timelock < t->margin_s)
        return QIAO_FAIL(d, QIAO_EINVAL, "timelock-order", "initiator timelock %llu must be at least "
                         "participant timelock %llu plus margin %llu",
                         (unsigned long long)init->timelock, (unsigned long long)part->timelock,
                         (unsigned long long)t->margin_s);
    uint64_t ready = now + init->finality_s + init->submit_s + part->finality_s + part->submit_s;
    if (part->timelock <= ready)
        return QIAO_FAIL(d, QIAO_EINVAL, "timelock-too-soon", "participant timelock %llu leaves no "
                         "time to lock both legs (earliest safe: after %llu)",
                         (unsigned long long)part->timelock, (unsigned long long)ready);
    return QIAO_OK;
}

qiao_err qiao_htlc_check_terms(const struct qiao_htlc_terms *t, uint64_t now, struct qiao_diag *d)
{
    const struct qiao_htlc_leg *init = &t->leg[QIAO_HTLC_INIT], *part = &t->leg[QIAO_HTLC_PART];
    QIAO_TRY(check_leg(init, "initiator", d));
    QIAO_TRY(check_leg(part, "participant", d));
    if (init->hash != part->hash)
        return QIAO_FAIL(d, QIAO_EINVAL, "hash-mismatch", "the legs use different hash algorithms");
    if (t->preimage_len != QIAO_HTLC_PREIMAGE_LEN)
        return QIAO_FAIL(d, QIAO_EINVAL, "preimage-length", "preimage length %zu; both legs require "
                         "exactly %d bytes", t->preimage_len, QIAO_HTLC_PREIMAGE_LEN);
    /* The participant receives on INIT what the initiator sends, and vice versa.  Addresses are
     * compared only within a leg's own chain format, so cross-family legs compare by role. */
    if (init->addr_len == part->addr_len &&
        (memcmp(init->receiver, part->sender, init->addr_len) != 0 ||
         memcmp(part->receiver, init->sender, init->addr_len) != 0))
        return QIAO_FAIL(d, QIAO_EINVAL, "recipient-mismatch", "each leg's receiver must be the "
                         "other leg's sender");
    return check_timing(t, now, d);
}
