/*
 * dmn_swap_api.c: the swap methods of the notary's local API (dmn_swap.h):
 *   swaps.propose {terms} | [terms] | terms   check the terms (qiao_htlc_check_terms and the
 *                                             relay's own rules), store, start watching
 *   swaps.list {phase?}                       summaries
 *   swaps.get {id} | [id]                     the whole record, and why it is where it is
 *   swaps.refund {id} | [id]                  send the refund of every expired locked leg now
 * Every refusal carries a reason (jsonrpc.h puts it in error.data).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/daemon/daemon_int.h"
#include "relay/daemon/dmn_swap_svc.h"

static const char *const leg_names[2] = {"initiator", "participant"};

/* ---- propose --------------------------------------------------------------------------------- */

static const cJSON *terms_param(const cJSON *params)
{
    if (cJSON_IsArray(params))
        return cJSON_GetArraySize(params) == 1 ? cJSON_GetArrayItem(params, 0) : NULL;
    if (cJSON_IsObject(params) && qiao_json_get(params, "terms") && cJSON_GetArraySize(params) == 1)
        return qiao_json_get(params, "terms");
    return params;
}

/* A Bitcoin leg's seconds deadline against its height lock, from the verified tip
 * (htlc/height_clock.h).  The tip is known only once the worker follows the chain, which it does
 * once a leg is watched, so the first Bitcoin swap on a chain needs from_height. */
static qiao_err check_height(const struct qiao_htlc_record *r, int i, int have, uint64_t h,
                             uint64_t t, struct qiao_diag *d)
{
    if (!have && !r->drive[i].from_height)
        return QIAO_FAIL(d, QIAO_ESTATE, "chain-not-ready", "%s.chain: no verified tip of "
                         "bitcoin chain %llu yet; give from_height", leg_names[i],
                         (unsigned long long)r->swap.terms.leg[i].chain_id);
    if (!have)
        return QIAO_OK; /* checked by the CLI and by the engine's own ordering rules */
    if (qiao_htlc_height_check(&r->drive[i].height, r->swap.terms.leg[i].timelock, i == 0, h, t,
                               d))
        return qiao_diag_wrap(d, "%s", leg_names[i]);
    return QIAO_OK;
}

/* The relay's rules on top of the engine's: each leg's chain is one this notary follows, and is
 * EVM; the start block is known. */
static qiao_err check_legs(struct qiao_daemon *dm, struct qiao_htlc_record *r, uint64_t *now,
                           struct qiao_diag *d)
{
    for (int i = 0; i < 2; i++) {
        uint64_t chain = r->swap.terms.leg[i].chain_id, t = 0, h = 0;
        int ci = qiao_dmn_chain_index(dm, chain);
        if (ci < 0)
            return QIAO_FAIL(d, QIAO_EINVAL, "unknown-chain", "%s.chain: %llu is not in this "
                             "notary's configuration", leg_names[i], (unsigned long long)chain);
        if (strcmp(dm->cfg->chains[ci].family, qiao_htlc_family_name(r->drive[i].family)) != 0)
            return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unsupported-family", "%s.chain: %llu is a %s "
                             "chain, the leg says %s", leg_names[i], (unsigned long long)chain,
                             dm->cfg->chains[ci].family, qiao_htlc_family_name(r->drive[i].family));
        int have = qiao_swap_clock(dm->swaps, chain, &t, &h);
        if (r->drive[i].family == QIAO_HTLC_FAMILY_BITCOIN)
            QIAO_TRY(check_height(r, i, have, h, t, d));
        if (have && t > *now)
            *now = t; /* a chain ahead of the wall clock: its timelocks count from its own time */
        if (r->drive[i].from_height)
            continue;
        if (!have && dm->views[ci].seen)
            h = dm->views[ci].tip, have = 1;
        if (!have)
            return QIAO_FAIL(d, QIAO_ESTATE, "chain-not-ready", "%s.chain: no verified tip of "
                             "chain %llu yet; give from_height or try again", leg_names[i],
                             (unsigned long long)chain);
        r->drive[i].from_height = h;
    }
    return QIAO_OK;
}

static qiao_err m_propose(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                          struct qiao_diag *d)
{
    struct qiao_htlc_record *r = calloc(1, sizeof(*r));
    struct qiao_swap_slot *s = NULL;
    uint64_t now = (uint64_t)(qiao_swap_wall_ms() / 1000);
    if (!r)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swaps.propose");
    qiao_err err = qiao_htlc_record_parse(r, terms_param(params), 1, d);
    if (!err)
        err = check_legs(dm, r, &now, d);
    if (!err)
        err = qiao_htlc_check_terms(&r->swap.terms, now, d);
    if (!err) {
        struct qiao_htlc_terms t = r->swap.terms;
        qiao_htlc_init(&r->swap, &t, r->swap.claim_for_counterparty);
        r->created_at = (uint64_t)(qiao_swap_wall_ms() / 1000);
        err = qiao_swap_add(dm->swaps, r, NULL, &s, d);
    }
    if (!err && (err = qiao_swap_save(dm->swaps, s, "proposed", d)) != QIAO_OK) {
        dm->swaps->n--; /* s is the last slot: take it back */
        free(s);
    } else if (!err) {
        qiao_swap_watch_legs(dm->swaps, s);
        *result = qiao_htlc_record_to_json(&s->r);
    }
    free(r);
    return err ? qiao_diag_wrap(d, "swaps.propose") : QIAO_OK;
}

/* ---- list, get ------------------------------------------------------------------------------- */

static int summary_cb(void *ctx, const struct qiao_store_swap *row)
{
    char hex[67];
    cJSON *o = cJSON_CreateObject();
    qiao_hex_encode0x(hex, row->id, 32);
    cJSON_AddStringToObject(o, "id", hex);
    cJSON_AddStringToObject(o, "phase", row->state);
    cJSON_AddNumberToObject(o, "initiator_chain", (double)row->chain_a);
    cJSON_AddNumberToObject(o, "participant_chain", (double)row->chain_b);
    cJSON_AddNumberToObject(o, "initiator_timelock", (double)row->timelock_a);
    cJSON_AddNumberToObject(o, "participant_timelock", (double)row->timelock_b);
    qiao_hex_encode0x(hex, row->hashlock, 32);
    cJSON_AddStringToObject(o, "hashlock", hex);
    cJSON_AddItemToArray(ctx, o);
    return 0;
}

static qiao_err m_list(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                       struct qiao_diag *d)
{
    const cJSON *ph = cJSON_IsObject(params) ? qiao_json_get(params, "phase")
                      : cJSON_IsArray(params) ? cJSON_GetArrayItem(params, 0) : NULL;
    const cJSON *it;
    if (cJSON_IsObject(params))
        cJSON_ArrayForEach(it, params)
            if (strcmp(it->string, "phase") != 0)
                return QIAO_FAIL(d, QIAO_EINVAL, "unknown-param", "swaps.list: unknown parameter "
                                 "\"%.40s\" (phase)", it->string);
    if (ph && !cJSON_IsString(ph) && !cJSON_IsNull(ph))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "swaps.list: phase is a string");
    int known = !cJSON_IsString(ph);
    for (int i = 0; qiao_swap_phases[i] && !known; i++)
        known = strcmp(ph->valuestring, qiao_swap_phases[i]) == 0;
    if (!known)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-phase", "swaps.list: unknown phase \"%.40s\"",
                         ph->valuestring);
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; qiao_swap_phases[i]; i++)
        if (!cJSON_IsString(ph) || strcmp(ph->valuestring, qiao_swap_phases[i]) == 0)
            if (qiao_store_swap_find(dm->store, qiao_swap_phases[i], NULL, summary_cb, arr, d)) {
                cJSON_Delete(arr);
                return d->code;
            }
    *result = arr;
    return QIAO_OK;
}

/* One sentence per leg: where it is and what the relay waits for or did last. */
static void why_leg(struct qiao_daemon *dm, const struct qiao_htlc_record *r, int i, char *out,
                    size_t cap)
{
    const struct qiao_htlc_leg_drive *dr = &r->drive[i];
    uint64_t t = 0, h = 0;
    int have = qiao_swap_clock(dm->swaps, r->swap.terms.leg[i].chain_id, &t, &h);
    static const char *const st[] = {"not locked", "locked", "claimed", "refunded"};
    int n = snprintf(out, cap, "%s leg on chain %llu: %s", leg_names[i],
                     (unsigned long long)r->swap.terms.leg[i].chain_id, st[r->swap.status[i] & 3]);
    if (have)
        n += snprintf(out + n, cap - (size_t)n, "; chain time %llu at block %llu, timelock %llu",
                      (unsigned long long)t, (unsigned long long)h,
                      (unsigned long long)r->swap.terms.leg[i].timelock);
    if (have && qiao_swap_is_bitcoin(r, i) && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, " (height lock %u: refund from tip %u)",
                      dr->height.height, dr->height.height);
    if (dr->sent && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "; relay sent a %s (attempt %u)%s%s",
                 dr->sent == QIAO_HTLC_SENT_CLAIM ? "claim" : "refund", dr->attempts,
                 dr->error[0] ? ": " : "", dr->error);
}

static qiao_err m_get(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                      struct qiao_diag *d)
{
    uint8_t id[32];
    QIAO_TRY(qiao_dmn_id_param(id, params, "swaps.get", "swap", d));
    struct qiao_store_swap *row = malloc(sizeof(*row));
    struct qiao_htlc_record *r = malloc(sizeof(*r));
    qiao_err err = row && r ? QIAO_OK : QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "swaps.get");
    if (!err)
        err = qiao_store_swap_get(dm->store, id, row, d);
    if (!err)
        err = qiao_htlc_record_parse_text(r, (const char *)row->blob, row->blob_len, 0, d);
    if (!err) {
        cJSON *o = qiao_htlc_record_to_json(r), *why = cJSON_CreateArray();
        char text[512];
        for (int i = 0; i < 2; i++) {
            why_leg(dm, r, i, text, sizeof(text));
            cJSON_AddItemToArray(why, cJSON_CreateString(text));
        }
        cJSON_AddItemToObject(o, "why", why);
        cJSON_AddBoolToObject(o, "active", qiao_swap_find(dm->swaps, id) != NULL);
        *result = o;
    }
    free(row), free(r);
    return err;
}

/* ---- refund ---------------------------------------------------------------------------------- */

static qiao_err m_refund(struct qiao_daemon *dm, const cJSON *params, cJSON **result,
                         struct qiao_diag *d)
{
    uint8_t id[32];
    char why[2][160] = {"", ""};
    QIAO_TRY(qiao_dmn_id_param(id, params, "swaps.refund", "swap", d));
    struct qiao_swap_slot *s = qiao_swap_find(dm->swaps, id);
    if (!s)
        return QIAO_FAIL(d, QIAO_ESTATE, "not-active", "swaps.refund: the swap is finished or "
                         "unknown (swaps.get shows it)");
    cJSON *legs = cJSON_CreateArray();
    for (int i = 0; i < 2; i++) {
        uint64_t t = 0, tl = s->r.swap.terms.leg[i].timelock;
        int have = qiao_swap_leg_now(dm->swaps, &s->r, i, &t); /* Bitcoin: the height clock */
        if (s->r.swap.status[i] != QIAO_HTLC_LOCKED || !s->r.drive[i].has_lock_id)
            snprintf(why[i], sizeof(why[i]), "%s leg is not locked", leg_names[i]);
        else if (qiao_swap_is_bitcoin(&s->r, i) &&
                 !qiao_swap_btc_can_act(dm->swaps, &s->r, i, QIAO_HTLC_SENT_REFUND))
            snprintf(why[i], sizeof(why[i]), "%s leg: the refund key is not delegated to this "
                     "relay (or no refund_to/fee_sat)", leg_names[i]);
        else if (!have || t < tl)
            snprintf(why[i], sizeof(why[i]), "%s leg expires at %llu, chain time is %llu",
                     leg_names[i], (unsigned long long)tl, (unsigned long long)t);
        else if (s->busy[i])
            snprintf(why[i], sizeof(why[i]), "%s leg: a transaction is already in flight",
                     leg_names[i]);
        else {
            s->next_try_ms[i] = 0;
            qiao_swap_send(dm->swaps, s, i, QIAO_HTLC_SENT_REFUND);
            cJSON_AddItemToArray(legs, cJSON_CreateString(leg_names[i]));
        }
    }
    if (cJSON_GetArraySize(legs) == 0) {
        cJSON_Delete(legs);
        return QIAO_FAIL(d, QIAO_ESTATE, "nothing-to-refund", "swaps.refund: %s; %s", why[0],
                         why[1]);
    }
    *result = cJSON_CreateObject();
    cJSON_AddItemToObject(*result, "refunding", legs);
    return QIAO_OK;
}

qiao_err qiao_dmn_swaps_call(struct qiao_daemon *dm, const char *method, const cJSON *params,
                             cJSON **result, struct qiao_diag *d)
{
    if (!dm->swaps)
        return QIAO_FAIL(d, QIAO_ESTATE, "swaps-unavailable", "the swap driver is not running");
    if (strcmp(method, "swaps.propose") == 0)
        return m_propose(dm, params, result, d);
    if (strcmp(method, "swaps.list") == 0)
        return m_list(dm, params, result, d);
    if (strcmp(method, "swaps.get") == 0)
        return m_get(dm, params, result, d);
    if (strcmp(method, "swaps.refund") == 0)
        return m_refund(dm, params, result, d);
    return QIAO_FAIL(d, QIAO_ENOTFOUND, "method-not-found", "no method \"%.60s\" (swaps.propose, "
                     "swaps.list, swaps.get, swaps.refund)", method);
}
