/*
 * config.c: parsing each section of the notary config into struct qiao_config.  Field-level rules
 * (types, ranges, formats) live here; rules that relate fields to each other (thresholds, lanes
 * naming known chains, peers being members) live in config_check.c.
 */
#include "relay/config/config.h"

#include <stdio.h>
#include <string.h>

#include "relay/config/cfg_int.h"
#include "relay/config/cfg_walk.h"
#include "relay/core/json.h"

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

static qiao_err addr_field(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                           uint8_t out[20], int *present)
{
    const cJSON *v;
    QIAO_TRY(cfg_member(w, obj, key, required, &v));
    if (present)
        *present = v != NULL;
    if (!v)
        return QIAO_OK;
    size_t old = cfg_push_key(w, key);
    qiao_err err = cfg_addr_value(w, v, out);
    cfg_pop(w, old);
    return err;
}

static qiao_err parse_notary(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("address", "key_file", "passphrase_env", "passphrase_file")));
    QIAO_TRY(addr_field(w, o, "address", 1, c->notary.address, NULL));
    QIAO_TRY(cfg_str(w, o, "key_file", 1, c->notary.key_file, sizeof(c->notary.key_file), NULL));
    int has_env = 0, has_file = 0;
    QIAO_TRY(cfg_str(w, o, "passphrase_env", 0, c->notary.passphrase_env,
                     sizeof(c->notary.passphrase_env), &has_env));
    QIAO_TRY(cfg_str(w, o, "passphrase_file", 0, c->notary.passphrase_file,
                     sizeof(c->notary.passphrase_file), &has_file));
    if (has_env && has_file)
        return cfg_fail(w, QIAO_EINVAL, "bad-value", "give passphrase_env or passphrase_file, not "
                        "both");
    if (!has_env && !has_file)
        snprintf(c->notary.passphrase_env, sizeof(c->notary.passphrase_env), "%s",
                 QIAO_CFG_DEFAULT_PASSPHRASE_ENV);
    return QIAO_OK;
}

static qiao_err parse_members(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_committee *cm)
{
    const cJSON *arr;
    QIAO_TRY(cfg_array(w, o, "members", 1, QIAO_CFG_MAX_MEMBERS, &arr));
    size_t old = cfg_push_key(w, "members");
    qiao_err err = QIAO_OK;
    cm->n = 0;
    for (const cJSON *v = arr->child; v && !err; v = v->next, cm->n++) {
        size_t at = cfg_push_index(w, cm->n);
        err = cfg_addr_value(w, v, cm->members[cm->n]);
        cfg_pop(w, at);
    }
    cfg_pop(w, old);
    return err;
}

static qiao_err parse_committee(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_committee *cm)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("id", "epoch", "members", "k", "allow_low_threshold")));
    QIAO_TRY(cfg_hex(w, o, "id", 1, cm->id, 32, NULL));
    QIAO_TRY(cfg_u64(w, o, "epoch", 1, 0, INT64_MAX, &cm->epoch, NULL));
    QIAO_TRY(parse_members(w, o, cm));
    uint64_t k = 0;
    QIAO_TRY(cfg_u64(w, o, "k", 1, 0, UINT16_MAX, &k, NULL));
    cm->k = (unsigned)k;
    cm->allow_low_threshold = 0;
    return cfg_bool(w, o, "allow_low_threshold", 0, &cm->allow_low_threshold);
}

static qiao_err parse_endpoints(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_chain *ch)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("http", "ws")));
    const cJSON *http, *ws;
    QIAO_TRY(cfg_array(w, o, "http", 1, QIAO_CFG_MAX_ENDPOINTS, &http));
    QIAO_TRY(cfg_array(w, o, "ws", 0, QIAO_CFG_MAX_ENDPOINTS, &ws));
    if (cJSON_GetArraySize(http) == 0)
        return cfg_fail_at(w, "http", QIAO_EINVAL, "bad-value", "at least one HTTP endpoint");
    QIAO_TRY(qiao_cfg_urls(w, http, "http", ch->http, &ch->n_http, "http://", "https://"));
    ch->n_ws = 0;
    return ws ? qiao_cfg_urls(w, ws, "ws", ch->ws, &ch->n_ws, "ws://", "wss://") : QIAO_OK;
}

static qiao_err parse_finality(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_chain *ch)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("confirmations", "tag")));
    uint64_t n = 0;
    int has_n = 0, has_tag = 0;
    char tag[16];
    QIAO_TRY(cfg_u64(w, o, "confirmations", 0, 1, 10000, &n, &has_n));
    QIAO_TRY(cfg_str(w, o, "tag", 0, tag, sizeof(tag), &has_tag));
    if (has_n == has_tag)
        return cfg_fail(w, QIAO_EINVAL, "bad-value", "give exactly one of \"confirmations\" or "
                        "\"tag\"");
    if (has_tag && strcmp(tag, "finalized") != 0)
        return cfg_fail_at(w, "tag", QIAO_EINVAL, "bad-value", "\"%s\" is not a finality tag "
                           "(only \"finalized\")", tag);
    ch->finality = has_tag ? QIAO_CFG_FINALITY_FINALIZED_TAG : QIAO_CFG_FINALITY_CONFIRMATIONS;
    ch->confirmations = (uint32_t)n;
    return QIAO_OK;
}

static qiao_err parse_checkpoint(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_chain *ch)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("height", "hash")));
    QIAO_TRY(cfg_u64(w, o, "height", 1, 0, INT64_MAX, &ch->checkpoint_height, NULL));
    QIAO_TRY(cfg_hex(w, o, "hash", 1, ch->checkpoint_hash, 32, NULL));
    ch->has_checkpoint = 1;
    return QIAO_OK;
}

static qiao_err parse_contracts(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_chain *ch)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("outbox", "inbox")));
    QIAO_TRY(addr_field(w, o, "outbox", 0, ch->outbox, &ch->has_outbox));
    return addr_field(w, o, "inbox", 0, ch->inbox, &ch->has_inbox);
}

static qiao_err parse_fees(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_chain *ch)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("max_fee_per_gas", "max_priority_fee_per_gas", "gas_limit")));
    QIAO_TRY(cfg_u64(w, o, "max_fee_per_gas", 0, 1, UINT64_MAX, &ch->max_fee_per_gas, NULL));
    QIAO_TRY(cfg_u64(w, o, "max_priority_fee_per_gas", 0, 0, UINT64_MAX,
                     &ch->max_priority_fee_per_gas, NULL));
    return cfg_u64(w, o, "gas_limit", 0, 21000, 100000000, &ch->gas_limit, NULL);
}

typedef qiao_err (*section_fn)(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_chain *ch);

/* Parse an object member with fn, with the path extended by key.  Absent optional: no-op. */
static qiao_err chain_section(struct cfg_walk *w, const cJSON *o, const char *key, int required,
                              section_fn fn, struct qiao_cfg_chain *ch)
{
    const cJSON *v;
    QIAO_TRY(cfg_object(w, o, key, required, &v));
    if (!v)
        return QIAO_OK;
    size_t old = cfg_push_key(w, key);
    qiao_err err = fn(w, v, ch);
    cfg_pop(w, old);
    return err;
}

static qiao_err parse_chain(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_chain *ch)
{
    memset(ch, 0, sizeof(*ch));
    QIAO_TRY(cfg_keys(w, o, KEYS("id", "name", "family", "endpoints", "finality", "checkpoint",
                                 "contracts", "fees")));
    QIAO_TRY(cfg_u64(w, o, "id", 1, 1, INT64_MAX, &ch->id, NULL));
    QIAO_TRY(cfg_str(w, o, "name", 1, ch->name, sizeof(ch->name), NULL));
    QIAO_TRY(cfg_str(w, o, "family", 1, ch->family, sizeof(ch->family), NULL));
    if (strcmp(ch->family, "evm") && strcmp(ch->family, "bitcoin") && strcmp(ch->family, "cometbft"))
        return cfg_fail_at(w, "family", QIAO_EINVAL, "bad-value", "\"%s\" is not a chain family "
                           "(evm, bitcoin, cometbft)", ch->family);
    QIAO_TRY(chain_section(w, o, "endpoints", 1, parse_endpoints, ch));
    QIAO_TRY(chain_section(w, o, "finality", 1, parse_finality, ch));
    QIAO_TRY(chain_section(w, o, "checkpoint", 0, parse_checkpoint, ch));
    QIAO_TRY(chain_section(w, o, "contracts", 0, parse_contracts, ch));
    return chain_section(w, o, "fees", 0, parse_fees, ch);
}

static qiao_err parse_chains(struct cfg_walk *w, const cJSON *root, struct qiao_config *c)
{
    const cJSON *arr;
    QIAO_TRY(cfg_array(w, root, "chains", 1, QIAO_CFG_MAX_CHAINS, &arr));
    size_t old = cfg_push_key(w, "chains");
    qiao_err err = QIAO_OK;
    c->n_chains = 0;
    for (const cJSON *v = arr->child; v && !err; v = v->next) {
        size_t at = cfg_push_index(w, c->n_chains);
        err = parse_chain(w, v, &c->chains[c->n_chains++]);
        cfg_pop(w, at);
    }
    cfg_pop(w, old);
    if (!err && c->n_chains == 0)
        err = cfg_fail_at(w, "chains", QIAO_EINVAL, "bad-value", "at least one chain is needed");
    return err;
}

static qiao_err parse_peer(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_peer *p)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("id", "address", "url")));
    QIAO_TRY(cfg_str(w, o, "id", 1, p->id, sizeof(p->id), NULL));
    QIAO_TRY(addr_field(w, o, "address", 1, p->address, NULL));
    QIAO_TRY(cfg_str(w, o, "url", 1, p->url, sizeof(p->url), NULL));
    return qiao_cfg_url_check(w, "url", p->url, "ws://", "wss://");
}

static qiao_err parse_lane(struct cfg_walk *w, const cJSON *o, struct qiao_cfg_lane *l)
{
    QIAO_TRY(cfg_keys(w, o, KEYS("src", "dst")));
    QIAO_TRY(cfg_u64(w, o, "src", 1, 1, INT64_MAX, &l->src, NULL));
    return cfg_u64(w, o, "dst", 1, 1, INT64_MAX, &l->dst, NULL);
}

static qiao_err parse_list(struct cfg_walk *w, const cJSON *root, const char *key, size_t max,
                           struct qiao_config *c)
{
    const cJSON *arr;
    QIAO_TRY(cfg_array(w, root, key, 1, max, &arr));
    size_t old = cfg_push_key(w, key);
    int peers = strcmp(key, "peers") == 0;
    unsigned *n = peers ? &c->n_peers : &c->n_lanes;
    qiao_err err = QIAO_OK;
    *n = 0;
    for (const cJSON *v = arr->child; v && !err; v = v->next) {
        size_t at = cfg_push_index(w, *n);
        err = peers ? parse_peer(w, v, &c->peers[*n]) : parse_lane(w, v, &c->lanes[*n]);
        (*n)++;
        cfg_pop(w, at);
    }
    cfg_pop(w, old);
    return err;
}

/* Run fn on root[key] (an object) with the path extended; optional sections may be absent. */
static qiao_err section(struct cfg_walk *w, const cJSON *root, const char *key, int required,
                        qiao_err (*fn)(struct cfg_walk *, const cJSON *, struct qiao_config *),
                        struct qiao_config *c)
{
    const cJSON *v;
    QIAO_TRY(cfg_object(w, root, key, required, &v));
    size_t old = cfg_push_key(w, key);
    qiao_err err = fn(w, v, c); /* v may be NULL: fn applies defaults */
    cfg_pop(w, old);
    return err;
}

static qiao_err committee_section(struct cfg_walk *w, const cJSON *o, struct qiao_config *c)
{
    return parse_committee(w, o, &c->committee);
}

static qiao_err parse_root(struct cfg_walk *w, const cJSON *root, struct qiao_config *c)
{
    QIAO_TRY(cfg_keys(w, root, KEYS("version", "notary", "committee", "chains", "lanes", "peers",
                                    "store", "api", "mesh", "limits", "timeouts")));
    uint64_t version = 0;
    QIAO_TRY(cfg_u64(w, root, "version", 1, QIAO_CFG_VERSION, QIAO_CFG_VERSION, &version, NULL));
    QIAO_TRY(section(w, root, "notary", 1, parse_notary, c));
    QIAO_TRY(section(w, root, "committee", 1, committee_section, c));
    QIAO_TRY(parse_chains(w, root, c));
    QIAO_TRY(parse_list(w, root, "lanes", QIAO_CFG_MAX_LANES, c));
    QIAO_TRY(parse_list(w, root, "peers", QIAO_CFG_MAX_PEERS, c));
    QIAO_TRY(section(w, root, "store", 1, qiao_cfg_parse_store, c));
    QIAO_TRY(section(w, root, "api", 0, qiao_cfg_parse_api, c));
    QIAO_TRY(section(w, root, "mesh", 1, qiao_cfg_parse_mesh, c));
    QIAO_TRY(section(w, root, "limits", 0, qiao_cfg_parse_limits, c));
    return section(w, root, "timeouts", 0, qiao_cfg_parse_timeouts, c);
}

qiao_err qiao_config_parse(struct qiao_config *cfg, const char *text, size_t len,
                           struct qiao_diag *d)
{
    memset(cfg, 0, sizeof(*cfg));
    cJSON *root = NULL;
    if (qiao_json_parse(&root, text, len, QIAO_CFG_MAX_BYTES, 16, d) != QIAO_OK)
        return qiao_diag_wrap(d, "config");
    struct cfg_walk w = {.d = d};
    qiao_err err = parse_root(&w, root, cfg);
    cJSON_Delete(root);
    if (!err)
        err = qiao_cfg_check(&w, cfg);
    return err;
}

const struct qiao_cfg_chain *qiao_config_chain(const struct qiao_config *cfg, uint64_t id)
{
    for (unsigned i = 0; i < cfg->n_chains; i++)
        if (cfg->chains[i].id == id)
            return &cfg->chains[i];
    return NULL;
}

int qiao_config_member_index(const struct qiao_config *cfg, const uint8_t addr[20])
{
    for (unsigned i = 0; i < cfg->committee.n; i++)
        if (memcmp(cfg->committee.members[i], addr, 20) == 0)
            return (int)i;
    return -1;
}
