/*
 * exp_trust.c: `qiao evidence trust`: the qiao-trust/1 file a court needs, from a notary config
 * (export.h).  Written with cJSON (the trust file need not be canonical), then parsed back with
 * the verifier's own strict parser so that a file this writes is always one it accepts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/evidence/evidence.h"
#include "relay/export/exp_int.h"

qiao_err qiao_exp_source_open(struct qiao_evm_source **out, struct lws_context *lws,
                              const struct qiao_config *cfg, const struct qiao_cfg_chain *c,
                              struct qiao_diag *d)
{
    struct qiao_evm_source_opts o = {
        .url = c->n_http ? c->http[0] : c->ws[0],
        .chain_id = c->id,
        .finality = {.confirmations = c->confirmations},
        .timeout_ms = cfg->rpc_timeout_ms,
    };
    if (qiao_evm_source_create(out, lws, &o, d))
        return qiao_diag_wrap(d, "chain %s (%llu)", c->name, (unsigned long long)c->id);
    return QIAO_OK;
}

static int zero32(const uint8_t h[32])
{
    for (int i = 0; i < 32; i++)
        if (h[i])
            return 0;
    return 1;
}

qiao_err qiao_exp_checkpoint(uint64_t *height, uint8_t hash[32], struct qiao_evm_source *s,
                             const struct qiao_cfg_chain *c, struct qiao_diag *d)
{
    *height = c->has_checkpoint ? c->checkpoint_height : 0;
    if (c->has_checkpoint && !zero32(c->checkpoint_hash)) {
        memcpy(hash, c->checkpoint_hash, 32);
        return QIAO_OK;
    }
    char num[24];
    struct qiao_evm_header h;
    struct qiao_buf raw = {0};
    snprintf(num, sizeof(num), "0x%llx", (unsigned long long)*height);
    qiao_err err = qiao_evm_source_header(s, &h, &raw, num, d);
    qiao_buf_clear(&raw);
    if (err)
        return qiao_diag_wrap(d, "chain %s: checkpoint block %llu", c->name,
                              (unsigned long long)*height);
    memcpy(hash, h.hash, 32);
    return QIAO_OK;
}

static void add_hex(cJSON *o, const char *key, const uint8_t *p, size_t n)
{
    char hex[2 * 32 + 3];
    qiao_hex_encode0x(hex, p, n);
    cJSON_AddStringToObject(o, key, hex);
}

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
    char num[24];
    snprintf(num, sizeof(num), "%llu", (unsigned long long)v);
    cJSON_AddStringToObject(o, key, num);
}

static int addr_cmp(const void *a, const void *b)
{
    return memcmp(a, b, 20);
}

static cJSON *committee_json(const struct qiao_cfg_committee *c)
{
    cJSON *o = cJSON_CreateObject(), *m = cJSON_CreateArray();
    uint8_t sorted[QIAO_CFG_MAX_MEMBERS][20];
    memcpy(sorted, c->members, sizeof(sorted));
    qsort(sorted, c->n, 20, addr_cmp); /* the Inbox's rule: strictly ascending */
    add_hex(o, "id", c->id, 32);
    add_u64(o, "epoch", c->epoch);
    add_u64(o, "k", c->k);
    for (unsigned i = 0; i < c->n; i++) {
        char hex[43];
        qiao_hex_encode0x(hex, sorted[i], 20);
        cJSON_AddItemToArray(m, cJSON_CreateString(hex));
    }
    cJSON_AddItemToObject(o, "members", m);
    return o;
}

static qiao_err chain_json(cJSON *arr, const struct qiao_config *cfg, const struct qiao_cfg_chain *c,
                           struct lws_context *lws, struct qiao_diag *d)
{
    if (c->finality != QIAO_CFG_FINALITY_CONFIRMATIONS)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "finality-tag-unsupported", "chain %s: evidence "
                         "needs finality by confirmations (a bundle cannot prove the node's "
                         "\"finalized\" tag)", c->name);
    struct qiao_evm_source *s = NULL;
    uint64_t height;
    uint8_t hash[32];
    QIAO_TRY(qiao_exp_source_open(&s, lws, cfg, c, d));
    qiao_err err = qiao_exp_checkpoint(&height, hash, s, c, d);
    qiao_evm_source_destroy(s);
    if (err)
        return err;
    cJSON *o = cJSON_CreateObject(), *cp = cJSON_CreateObject();
    add_u64(o, "chainId", c->id);
    cJSON_AddStringToObject(o, "family", "evm");
    cJSON_AddStringToObject(o, "name", c->name);
    add_u64(cp, "height", height);
    add_hex(cp, "hash", hash, 32);
    cJSON_AddItemToObject(o, "checkpoint", cp);
    add_u64(o, "confirmations", c->confirmations);
    if (c->has_outbox)
        add_hex(o, "emitter", c->outbox, 20);
    if (c->has_inbox)
        add_hex(o, "inbox", c->inbox, 20);
    cJSON_AddItemToArray(arr, o);
    return QIAO_OK;
}

static qiao_err trust_tree(cJSON *root, const struct qiao_config *cfg, struct lws_context *lws,
                           const char *tsa_pem, struct qiao_diag *d)
{
    cJSON *chains = cJSON_CreateArray();
    cJSON_AddStringToObject(root, "format", QIAO_EV_TRUST_FORMAT);
    cJSON_AddItemToObject(root, "committee", committee_json(&cfg->committee));
    cJSON_AddItemToObject(root, "chains", chains);
    for (unsigned i = 0; i < cfg->n_chains; i++)
        if (strcmp(cfg->chains[i].family, "evm") == 0)
            QIAO_TRY(chain_json(chains, cfg, &cfg->chains[i], lws, d));
    if (tsa_pem) {
        cJSON *tsa = cJSON_CreateArray();
        cJSON_AddItemToArray(tsa, cJSON_CreateString(tsa_pem));
        cJSON_AddItemToObject(root, "tsa", tsa);
    }
    return QIAO_OK;
}

qiao_err qiao_export_trust(struct qiao_buf *out, const struct qiao_config *cfg,
                           struct lws_context *lws, const char *tsa_pem, struct qiao_diag *d)
{
    cJSON *root = cJSON_CreateObject();
    qiao_err err = trust_tree(root, cfg, lws, tsa_pem, d);
    char *text = err ? NULL : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!err && !text)
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "trust file text");
    struct qiao_ev_trust *t = err ? NULL : calloc(1, sizeof(*t));
    if (!err && !t)
        err = QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "trust file check");
    if (!err && qiao_ev_trust_parse(t, text, strlen(text), d))
        err = qiao_diag_wrap(d, "the trust file written from the config does not parse");
    if (!err)
        err = qiao_buf_append(out, text, strlen(text), d);
    qiao_ev_trust_clear(t);
    free(t);
    free(text);
    return err;
}
