/*
 * config_check.c: rules that relate config fields to each other.  These are the checks that keep a
 * committee safe (threshold, distinct non-zero members, self membership) and the daemon coherent
 * (lanes between known chains with the contracts they need, peers that are members).
 */
#include <stdio.h>
#include <string.h>

#include "relay/config/cfg_int.h"
#include "relay/core/hex.h"

/* Fail at "<section>[i].<field>" (field may be NULL). */
static qiao_err fail_item(struct cfg_walk *w, const char *section, size_t i, const char *field,
                          qiao_err code, const char *reason, const char *msg)
{
    size_t old = cfg_push_key(w, section);
    cfg_push_index(w, i);
    if (field)
        cfg_push_key(w, field);
    qiao_err err = cfg_fail(w, code, reason, "%s", msg);
    cfg_pop(w, old);
    return err;
}

static qiao_err check_committee(struct cfg_walk *w, const struct qiao_cfg_committee *cm)
{
    char msg[160], hex[43];
    if (cm->n == 0)
        return cfg_fail_at(w, "committee.members", QIAO_EINVAL, "bad-value", "no members");
    for (unsigned i = 1; i < cm->n; i++)
        for (unsigned j = 0; j < i; j++)
            if (memcmp(cm->members[i], cm->members[j], 20) == 0) {
                qiao_hex_encode0x(hex, cm->members[i], 20);
                snprintf(msg, sizeof(msg), "duplicate member %s (also members[%u])", hex, j);
                return fail_item(w, "committee.members", i, NULL, QIAO_EINVAL, "duplicate", msg);
            }
    if (cm->k == 0)
        return cfg_fail_at(w, "committee.k", QIAO_EINVAL, "bad-threshold", "k = 0: a certificate "
                           "would need no signatures");
    if (cm->k > cm->n)
        return cfg_fail_at(w, "committee.k", QIAO_EINVAL, "bad-threshold", "k = %u exceeds the %u "
                           "members", cm->k, cm->n);
    unsigned need = (2 * cm->n + 2) / 3;
    if (cm->k < need && !cm->allow_low_threshold)
        return cfg_fail_at(w, "committee.k", QIAO_EINVAL, "bad-threshold", "k = %u is below "
                           "ceil(2n/3) = %u for n = %u; set committee.allow_low_threshold to true "
                           "to accept a weaker committee", cm->k, need, cm->n);
    return QIAO_OK;
}

static qiao_err check_chains(struct cfg_walk *w, const struct qiao_config *c)
{
    char msg[160];
    for (unsigned i = 0; i < c->n_chains; i++) {
        const struct qiao_cfg_chain *ch = &c->chains[i];
        for (unsigned j = 0; j < i; j++) {
            if (c->chains[j].id == ch->id) {
                snprintf(msg, sizeof(msg), "duplicate chain id %llu (also chains[%u])",
                         (unsigned long long)ch->id, j);
                return fail_item(w, "chains", i, "id", QIAO_EINVAL, "duplicate", msg);
            }
            if (strcmp(c->chains[j].name, ch->name) == 0) {
                snprintf(msg, sizeof(msg), "duplicate chain name \"%s\" (also chains[%u])",
                         ch->name, j);
                return fail_item(w, "chains", i, "name", QIAO_EINVAL, "duplicate", msg);
            }
        }
        if (ch->finality == QIAO_CFG_FINALITY_FINALIZED_TAG && strcmp(ch->family, "evm") != 0)
            return fail_item(w, "chains", i, "finality.tag", QIAO_EINVAL, "bad-value",
                             "the \"finalized\" tag exists only on evm chains; use confirmations");
    }
    return QIAO_OK;
}

static qiao_err lane_end(struct cfg_walk *w, const struct qiao_config *c, unsigned i,
                         const char *field, uint64_t id, int need_outbox)
{
    char msg[160];
    const struct qiao_cfg_chain *ch = qiao_config_chain(c, id);
    if (!ch) {
        snprintf(msg, sizeof(msg), "unknown chain %llu (not in chains[])", (unsigned long long)id);
        return fail_item(w, "lanes", i, field, QIAO_EINVAL, "unknown-chain", msg);
    }
    if (strcmp(ch->family, "evm") == 0 && (need_outbox ? !ch->has_outbox : !ch->has_inbox)) {
        snprintf(msg, sizeof(msg), "chain %llu (%s) has no contracts.%s", (unsigned long long)id,
                 ch->name, need_outbox ? "outbox" : "inbox");
        return fail_item(w, "lanes", i, field, QIAO_EINVAL, "missing-contract", msg);
    }
    return QIAO_OK;
}

static qiao_err check_lanes(struct cfg_walk *w, const struct qiao_config *c)
{
    char msg[160];
    if (c->n_lanes == 0)
        return cfg_fail_at(w, "lanes", QIAO_EINVAL, "bad-value", "at least one lane is needed");
    for (unsigned i = 0; i < c->n_lanes; i++) {
        const struct qiao_cfg_lane *l = &c->lanes[i];
        QIAO_TRY(lane_end(w, c, i, "src", l->src, 1));
        QIAO_TRY(lane_end(w, c, i, "dst", l->dst, 0));
        if (l->src == l->dst)
            return fail_item(w, "lanes", i, NULL, QIAO_EINVAL, "bad-value",
                             "a lane must join two different chains");
        for (unsigned j = 0; j < i; j++)
            if (c->lanes[j].src == l->src && c->lanes[j].dst == l->dst) {
                snprintf(msg, sizeof(msg), "duplicate lane (also lanes[%u])", j);
                return fail_item(w, "lanes", i, NULL, QIAO_EINVAL, "duplicate", msg);
            }
    }
    return QIAO_OK;
}

static qiao_err check_peer(struct cfg_walk *w, const struct qiao_config *c, unsigned i)
{
    const struct qiao_cfg_peer *p = &c->peers[i];
    char msg[160], hex[43];
    qiao_hex_encode0x(hex, p->address, 20);
    if (memcmp(p->address, c->notary.address, 20) == 0) {
        snprintf(msg, sizeof(msg), "%s is this notary's own address", hex);
        return fail_item(w, "peers", i, "address", QIAO_EINVAL, "bad-value", msg);
    }
    if (qiao_config_member_index(c, p->address) < 0) {
        snprintf(msg, sizeof(msg), "%s is not among committee.members", hex);
        return fail_item(w, "peers", i, "address", QIAO_EINVAL, "bad-value", msg);
    }
    for (unsigned j = 0; j < i; j++) {
        if (strcmp(c->peers[j].id, p->id) == 0) {
            snprintf(msg, sizeof(msg), "duplicate peer id \"%s\" (also peers[%u])", p->id, j);
            return fail_item(w, "peers", i, "id", QIAO_EINVAL, "duplicate", msg);
        }
        if (memcmp(c->peers[j].address, p->address, 20) == 0) {
            snprintf(msg, sizeof(msg), "duplicate peer address %s (also peers[%u])", hex, j);
            return fail_item(w, "peers", i, "address", QIAO_EINVAL, "duplicate", msg);
        }
    }
    return QIAO_OK;
}

qiao_err qiao_cfg_check(struct cfg_walk *w, const struct qiao_config *c)
{
    QIAO_TRY(check_committee(w, &c->committee));
    if (qiao_config_member_index(c, c->notary.address) < 0) {
        char hex[43];
        qiao_hex_encode0x(hex, c->notary.address, 20);
        return cfg_fail_at(w, "notary.address", QIAO_EINVAL, "self-not-member",
                           "%s is not among committee.members", hex);
    }
    QIAO_TRY(check_chains(w, c));
    QIAO_TRY(check_lanes(w, c));
    for (unsigned i = 0; i < c->n_peers; i++)
        QIAO_TRY(check_peer(w, c, i));
    if (c->api.port == c->mesh.port && strcmp(c->api.host, c->mesh.host) == 0)
        return cfg_fail_at(w, "mesh.listen", QIAO_EINVAL, "bad-listen", "same address as "
                           "api.listen");
    return QIAO_OK;
}
