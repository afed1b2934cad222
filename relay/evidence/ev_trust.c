/*
 * ev_trust.c: trust.json, the verifier's anchors (docs/EVIDENCE_FORMAT.md §4): the genesis
 * committee, one checkpoint per chain, and the TSA certificates.  Parsed strictly (unknown
 * members refused) but not required to be canonical: people edit this file by hand.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/evidence/evidence.h"

static qiao_err known_keys(const cJSON *obj, const char *const *keys, const char *what,
                           struct qiao_diag *d)
{
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "%s is not an object", what);
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], c->string))
            i++;
        if (!keys[i])
            return QIAO_FAIL(d, QIAO_EINVAL, "unknown-field", "%s has an unknown member \"%s\"",
                             what, c->string);
    }
    return QIAO_OK;
}

static qiao_err opt_addr(uint8_t out[20], int *have, const cJSON *o, const char *key,
                         struct qiao_diag *d)
{
    *have = qiao_json_get(o, key) != NULL;
    return *have ? qiao_json_hex_exact(out, 20, o, key, d) : QIAO_OK;
}

static qiao_err copy_str(char *out, size_t cap, const cJSON *o, const char *key, int required,
                         struct qiao_diag *d)
{
    const char *s;
    if (!required && !qiao_json_get(o, key))
        return QIAO_OK;
    QIAO_TRY(qiao_json_str(&s, o, key, d));
    if (strlen(s) >= cap)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-long", "trust: \"%s\" is over %zu bytes", key,
                         cap - 1);
    strcpy(out, s);
    return QIAO_OK;
}

static qiao_err checkpoint(struct qiao_ev_chain *c, const cJSON *o, struct qiao_diag *d)
{
    static const char *const keys[] = {"height", "hash", NULL};
    const cJSON *cp;
    QIAO_TRY(qiao_json_object(&cp, o, "checkpoint", d));
    QIAO_TRY(known_keys(cp, keys, "checkpoint", d));
    QIAO_TRY(qiao_json_u64(&c->checkpoint_height, cp, "height", d));
    QIAO_TRY(qiao_json_hex_exact(c->checkpoint_hash, 32, cp, "hash", d));
    if (c->family == QIAO_EV_BITCOIN) /* written in display order, compared as hashed */
        for (int i = 0; i < 16; i++) {
            uint8_t x = c->checkpoint_hash[i];
            c->checkpoint_hash[i] = c->checkpoint_hash[31 - i];
            c->checkpoint_hash[31 - i] = x;
        }
    return QIAO_OK;
}

static qiao_err chain(struct qiao_ev_chain *c, const cJSON *o, struct qiao_diag *d)
{
    static const char *const keys[] = {"chainId", "family", "name", "checkpoint", "confirmations",
                                       "emitter", "inbox", "network", "trustingPeriod", NULL};
    const char *fam;
    QIAO_TRY(known_keys(o, keys, "trust chain", d));
    QIAO_TRY(qiao_json_u64(&c->chain_id, o, "chainId", d));
    QIAO_TRY(qiao_json_str(&fam, o, "family", d));
    QIAO_TRY(qiao_ev_family_parse(&c->family, fam, d));
    QIAO_TRY(copy_str(c->name, sizeof(c->name), o, "name", 0, d));
    QIAO_TRY(checkpoint(c, o, d));
    QIAO_TRY(qiao_json_u64(&c->confirmations, o, "confirmations", d));
    QIAO_TRY(opt_addr(c->emitter, &c->has_emitter, o, "emitter", d));
    QIAO_TRY(opt_addr(c->inbox, &c->has_inbox, o, "inbox", d));
    if (c->family == QIAO_EV_BITCOIN)
        QIAO_TRY(copy_str(c->network, sizeof(c->network), o, "network", 1, d));
    if (c->family == QIAO_EV_COMETBFT) {
        uint64_t ns;
        QIAO_TRY(qiao_json_u64(&ns, o, "trustingPeriod", d));
        if (ns == 0 || ns > (uint64_t)INT64_MAX)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-trusting-period",
                             "trustingPeriod must be 1..2^63-1 nanoseconds");
        c->trusting_period_ns = (int64_t)ns;
    }
    return QIAO_OK;
}

static qiao_err committee(struct qiao_ev_trust *t, const cJSON *o, struct qiao_diag *d)
{
    static const char *const keys[] = {"id", "epoch", "k", "members", NULL};
    const cJSON *a;
    uint64_t k;
    QIAO_TRY(known_keys(o, keys, "committee", d));
    QIAO_TRY(qiao_json_hex_exact(t->committee_id, 32, o, "id", d));
    QIAO_TRY(qiao_json_u64(&t->epoch, o, "epoch", d));
    QIAO_TRY(qiao_json_u64(&k, o, "k", d));
    t->k = k > 0xffff ? 0 : (unsigned)k; /* 0 fails qiao_committee_check below */
    QIAO_TRY(qiao_json_array(&a, o, "members", d));
    for (const cJSON *m = a->child; m; m = m->next) {
        if (t->n == QIAO_COMMITTEE_MAX)
            return QIAO_FAIL(d, QIAO_ERANGE, "committee-too-large", "trust committee has more "
                             "than %d members", QIAO_COMMITTEE_MAX);
        if (!cJSON_IsString(m) || qiao_hex_decode_exact(t->members[t->n], 20, m->valuestring, d))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-member", "trust committee member %zu is not a "
                             "20-byte hex address", t->n);
        t->n++;
    }
    struct qiao_committee c = {.epoch = t->epoch, .members = (const uint8_t(*)[20])t->members,
                               .n = t->n, .k = t->k};
    memcpy(c.id, t->committee_id, 32);
    return qiao_committee_check(&c, d);
}

static qiao_err tsa(struct qiao_ev_trust *t, const cJSON *root, struct qiao_diag *d)
{
    const cJSON *a = qiao_json_get(root, "tsa");
    if (!a)
        return QIAO_OK;
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > QIAO_EV_MAX_TSA)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-tsa", "trust \"tsa\" must be an array of at most %d "
                         "PEM certificates", QIAO_EV_MAX_TSA);
    for (const cJSON *c = a->child; c; c = c->next) {
        if (!cJSON_IsString(c))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-tsa", "trust \"tsa\" item is not a string");
        if (!(t->tsa_pem[t->ntsa] = strdup(c->valuestring)))
            return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "no memory for a TSA certificate");
        t->ntsa++;
    }
    return QIAO_OK;
}

qiao_err qiao_ev_trust_parse(struct qiao_ev_trust *t, const char *text, size_t len,
                             struct qiao_diag *d)
{
    static const char *const keys[] = {"format", "committee", "chains", "tsa", NULL};
    cJSON *root = NULL;
    const cJSON *o, *a;
    const char *format;
    memset(t, 0, sizeof(*t));
    QIAO_TRY(qiao_json_parse(&root, text, len, (size_t)1 << 20, 0, d));
    qiao_err err = known_keys(root, keys, "trust", d);
    if (!err && !(err = qiao_json_str(&format, root, "format", d)) &&
        strcmp(format, QIAO_EV_TRUST_FORMAT))
        err = QIAO_FAIL(d, QIAO_EINVAL, "unknown-format", "trust format \"%.40s\" is not \"%s\"",
                        format, QIAO_EV_TRUST_FORMAT);
    if (!err && !(err = qiao_json_object(&o, root, "committee", d)))
        err = committee(t, o, d);
    if (!err)
        err = qiao_json_array(&a, root, "chains", d);
    for (const cJSON *c = err ? NULL : a->child; c && !err; c = c->next) {
        if (t->nchains == QIAO_EV_MAX_CHAINS)
            err = QIAO_FAIL(d, QIAO_ERANGE, "too-many-chains", "trust lists more than %d chains",
                            QIAO_EV_MAX_CHAINS);
        else if ((err = chain(&t->chains[t->nchains], c, d)) != QIAO_OK)
            qiao_diag_wrap(d, "trust chains[%zu]", t->nchains);
        else if (qiao_ev_trust_chain(t, t->chains[t->nchains].chain_id)) /* lookups take the first */
            err = QIAO_FAIL(d, QIAO_EINVAL, "duplicate-chain", "trust chains[%zu]: chain %llu is "
                            "already listed", t->nchains,
                            (unsigned long long)t->chains[t->nchains].chain_id);
        else
            t->nchains++;
    }
    if (!err)
        err = tsa(t, root, d);
    cJSON_Delete(root);
    return err;
}
