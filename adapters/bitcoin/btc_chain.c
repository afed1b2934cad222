/* btc_chain.c: contextual header checks against a parent link (see btc_chain.h). */
#include "adapters/bitcoin/btc_chain.h"

#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/hex.h"

uint32_t qiao_btc_retarget(const struct qiao_btc_params *params, uint32_t last_bits,
                           int64_t first_time, int64_t last_time)
{
    int64_t span = last_time - first_time;
    int64_t want = params->target_timespan;
    if (span < want / 4)
        span = want / 4;
    if (span > want * 4)
        span = want * 4;
    struct qiao_btc_u256 target, divisor = {{(uint32_t)want}};
    int negative, overflow;
    /* Core ignores the flags here: the parent's nBits already passed the checks. */
    qiao_btc_u256_from_compact(&target, &negative, &overflow, last_bits);
    qiao_btc_u256_mul32(&target, &target, (uint32_t)span);
    qiao_btc_u256_div(&target, &target, &divisor);
    if (qiao_btc_u256_cmp(&target, &params->pow_limit) > 0)
        target = params->pow_limit;
    return qiao_btc_u256_to_compact(&target);
}

qiao_err qiao_btc_next_bits(uint32_t *bits, const struct qiao_btc_params *params,
                            const struct qiao_btc_link *parent, uint32_t time,
                            struct qiao_diag *d)
{
    uint64_t height = parent->height + 1;
    if (params->no_retargeting) {
        /* Regtest: every rule of GetNextWorkRequired returns genesis's nBits, powLimit. */
        *bits = params->pow_limit_bits;
        return QIAO_OK;
    }
    if (height % QIAO_BTC_RETARGET_INTERVAL != 0) {
        if (!params->allow_min_difficulty) {
            *bits = parent->bits;
            return QIAO_OK;
        }
        if ((int64_t)time > (int64_t)parent->time + 2 * (int64_t)params->target_spacing) {
            *bits = params->pow_limit_bits;
            return QIAO_OK;
        }
        if (!parent->last_bits_known)
            return QIAO_FAIL(d, QIAO_EVERIFY, "insufficient-history",
                             "height %llu: the testnet difficulty rule needs the last "
                             "non-minimum-difficulty ancestor, which lies before the anchor",
                             (unsigned long long)height);
        *bits = parent->last_bits;
        return QIAO_OK;
    }
    if (!parent->period_known)
        return QIAO_FAIL(d, QIAO_EVERIFY, "period-start-required",
                         "height %llu retargets, and the first header of the previous period "
                         "(height %llu) is not known: pass it as the period start",
                         (unsigned long long)height,
                         (unsigned long long)(height - QIAO_BTC_RETARGET_INTERVAL));
    *bits = qiao_btc_retarget(params, parent->bits, parent->period_time, parent->time);
    return QIAO_OK;
}

static void sort_times(uint32_t *t, unsigned n)
{
    for (unsigned i = 1; i < n; i++) {
        uint32_t v = t[i];
        unsigned j = i;
        while (j > 0 && t[j - 1] > v) {
            t[j] = t[j - 1];
            j--;
        }
        t[j] = v;
    }
}

uint32_t qiao_btc_link_mtp_bound(const struct qiao_btc_link *link)
{
    uint32_t t[QIAO_BTC_MTP_SPAN];
    unsigned n = link->ntimes;
    for (unsigned i = 0; i < n; i++)
        t[i] = link->times[(link->times_head + QIAO_BTC_MTP_SPAN - i) % QIAO_BTC_MTP_SPAN];
    sort_times(t, n);
    if (link->full_history || n == QIAO_BTC_MTP_SPAN)
        return t[n / 2];
    return n >= 6 ? t[n - 6] : 0;
}

static void link_push_time(struct qiao_btc_link *l, const struct qiao_btc_link *parent,
                           uint32_t time)
{
    memcpy(l->times, parent->times, sizeof(l->times));
    l->times_head = (uint8_t)((parent->times_head + 1) % QIAO_BTC_MTP_SPAN);
    l->times[l->times_head] = time;
    l->ntimes = parent->ntimes < QIAO_BTC_MTP_SPAN ? (uint8_t)(parent->ntimes + 1)
                                                   : (uint8_t)QIAO_BTC_MTP_SPAN;
}

/* Work is cached per nBits: consecutive headers nearly always share it, and the 256-bit
 * division is the only costly step of the whole check. */
static void link_set_work(struct qiao_btc_link *l, const struct qiao_btc_link *parent,
                          const struct qiao_btc_u256 *target)
{
    if (parent && parent->bits == l->bits)
        l->work = parent->work;
    else
        qiao_btc_u256_work(&l->work, target);
    if (parent)
        qiao_btc_u256_add(&l->chainwork, &parent->chainwork, &l->work);
    else
        l->chainwork = l->work;
}

static void link_set_rules(struct qiao_btc_link *l, const struct qiao_btc_params *params)
{
    if (l->height % QIAO_BTC_RETARGET_INTERVAL == 0) {
        l->period_known = 1;
        l->period_time = l->time;
    }
    if (l->height % QIAO_BTC_RETARGET_INTERVAL == 0 || l->bits != params->pow_limit_bits) {
        l->last_bits_known = 1;
        l->last_bits = l->bits;
    }
}

static qiao_err check_version(const struct qiao_btc_params *params, uint64_t height,
                              uint32_t version, struct qiao_diag *d)
{
    int32_t v = (int32_t)version; /* Core compares the signed nVersion */
    if ((v < 2 && height >= params->bip34_height) || (v < 3 && height >= params->bip66_height) ||
        (v < 4 && height >= params->bip65_height))
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-version",
                         "height %llu: version 0x%08x is below the BIP34/66/65 minimum",
                         (unsigned long long)height, version);
    return QIAO_OK;
}

static qiao_err check_context(const struct qiao_btc_params *params,
                              const struct qiao_btc_link *parent,
                              const struct qiao_btc_header *h, int64_t now, struct qiao_diag *d)
{
    uint64_t height = parent->height + 1;
    uint32_t want;
    QIAO_TRY(qiao_btc_next_bits(&want, params, parent, h->time, d));
    if (h->bits != want)
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-diffbits",
                         "height %llu: nBits 0x%08x, but the difficulty rules require 0x%08x",
                         (unsigned long long)height, h->bits, want);
    uint32_t mtp = qiao_btc_link_mtp_bound(parent);
    if (h->time <= mtp)
        return QIAO_FAIL(d, QIAO_EVERIFY, "time-too-old",
                         "height %llu: time %u is not after the median time past %u",
                         (unsigned long long)height, h->time, mtp);
    if (now != QIAO_BTC_NO_CLOCK && (int64_t)h->time > now + QIAO_BTC_MAX_FUTURE_SECONDS)
        return QIAO_FAIL(d, QIAO_EVERIFY, "time-too-new",
                         "height %llu: time %u is more than 2 hours after the clock (%lld)",
                         (unsigned long long)height, h->time, (long long)now);
    return check_version(params, height, h->version, d);
}

qiao_err qiao_btc_link_next(struct qiao_crypto *cx, struct qiao_btc_link *out,
                            const struct qiao_btc_params *params,
                            const struct qiao_btc_link *parent, const uint8_t *raw, size_t len,
                            int64_t now, struct qiao_diag *d)
{
    struct qiao_btc_header h;
    struct qiao_btc_u256 target;
    QIAO_TRY(qiao_btc_header_decode(&h, raw, len, d));
    if (memcmp(h.prev, parent->hash, 32) != 0) {
        char want[65];
        qiao_hex_encode_rev(want, parent->hash, 32);
        return QIAO_FAIL(d, QIAO_EVERIFY, "bad-prev-hash",
                         "height %llu: the header does not name its parent %s",
                         (unsigned long long)(parent->height + 1), want);
    }
    QIAO_TRY(qiao_btc_header_check_pow(cx, out->hash, &target, params, raw, d));
    QIAO_TRY(check_context(params, parent, &h, now, d));
    memcpy(out->prev, h.prev, 32);
    out->height = parent->height + 1;
    out->time = h.time;
    out->bits = h.bits;
    out->version = h.version;
    out->full_history = parent->full_history;
    out->period_known = parent->period_known;
    out->period_time = parent->period_time;
    out->last_bits_known = parent->last_bits_known;
    out->last_bits = parent->last_bits;
    link_push_time(out, parent, h.time);
    link_set_rules(out, params);
    link_set_work(out, parent, &target);
    return QIAO_OK;
}

static qiao_err anchor_period(struct qiao_crypto *cx, struct qiao_btc_link *link,
                              const struct qiao_btc_params *params, const uint8_t *raw,
                              const uint8_t *period_start, struct qiao_diag *d)
{
    if (!period_start)
        return QIAO_OK;
    if (link->height % QIAO_BTC_RETARGET_INTERVAL == 0 &&
        memcmp(period_start, raw, QIAO_BTC_HEADER_LEN) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-period-start",
                         "the anchor at height %llu starts its own period, and the given period "
                         "start is a different header", (unsigned long long)link->height);
    uint8_t hash[32];
    struct qiao_diag inner = {0};
    if (qiao_btc_header_check_pow(cx, hash, NULL, params, period_start, &inner) != QIAO_OK)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-period-start", "period start header: %s (%s)",
                         inner.msg, inner.reason);
    link->period_known = 1;
    link->period_time = qiao_load32le(period_start + 68);
    return QIAO_OK;
}

qiao_err qiao_btc_link_anchor(struct qiao_crypto *cx, struct qiao_btc_link *link,
                              const struct qiao_btc_params *params, const uint8_t *raw,
                              size_t len, uint64_t height, const uint8_t *period_start,
                              struct qiao_diag *d)
{
    struct qiao_btc_header h;
    struct qiao_btc_u256 target;
    memset(link, 0, sizeof(*link));
    QIAO_TRY(qiao_btc_header_decode(&h, raw, len, d));
    QIAO_TRY(qiao_btc_header_check_pow(cx, link->hash, &target, params, raw, d));
    if (height == 0 && memcmp(link->hash, params->genesis, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "anchor-not-genesis",
                         "an anchor at height 0 must be %s's genesis block", params->name);
    memcpy(link->prev, h.prev, 32);
    link->height = height;
    link->time = h.time;
    link->bits = h.bits;
    link->version = h.version;
    link->times[0] = h.time;
    link->ntimes = 1;
    link->full_history = height == 0;
    link_set_rules(link, params);
    link_set_work(link, NULL, &target);
    return anchor_period(cx, link, params, raw, period_start, d);
}
