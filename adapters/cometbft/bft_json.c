/* bft_json.c: strict light-block JSON decoding (see bft_json.h). */
#include "adapters/cometbft/bft_json.h"

#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_b64.h"
#include "adapters/cometbft/bft_key.h"
#include "adapters/cometbft/bft_time.h"
#include "relay/core/hex.h"
#include "relay/core/json.h"

/* Accepted lengths of a hex field. */
enum hex_rule { HEX_HASH, HEX_ANY, HEX_ADDR, HEX_ADDR_OR_EMPTY };

static qiao_err hex_into(struct qiao_bft_hash *out, const char *s, const char *what,
                         enum hex_rule rule, struct qiao_diag *d)
{
    size_t n = strlen(s), len = 0;
    if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-hex", "%s: CometBFT hex has no 0x prefix", what);
    qiao_err err = qiao_hex_decode(out->b, sizeof(out->b), &len, s, n, d);
    if (err)
        return qiao_diag_wrap(d, "%s", what);
    int ok = rule == HEX_ANY || (rule == HEX_HASH && (len == 0 || len == 32)) ||
             (rule == HEX_ADDR && len == 20) || (rule == HEX_ADDR_OR_EMPTY && (len == 0 || len == 20));
    if (!ok)
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-length", "%s: %zu bytes is not a valid length", what,
                         len);
    out->len = (uint8_t)len;
    return QIAO_OK;
}

/* A required member that must be a string, or null when null_ok (then s is ""). */
static qiao_err str_member(const char **s, const cJSON *obj, const char *key, int null_ok,
                           struct qiao_diag *d)
{
    const cJSON *v = qiao_json_get(obj, key);
    if (v && null_ok && cJSON_IsNull(v)) {
        *s = "";
        return QIAO_OK;
    }
    return qiao_json_str(s, obj, key, d);
}

static qiao_err hex_member(struct qiao_bft_hash *out, const cJSON *obj, const char *key,
                           enum hex_rule rule, struct qiao_diag *d)
{
    const char *s;
    QIAO_TRY(str_member(&s, obj, key, 0, d));
    return hex_into(out, s, key, rule, d);
}

static qiao_err int_member(int64_t *out, const cJSON *obj, const char *key, uint64_t min,
                           uint64_t max, struct qiao_diag *d)
{
    uint64_t v;
    QIAO_TRY(qiao_json_u64(&v, obj, key, d));
    if (v < min || v > max)
        return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "field \"%s\" = %llu is outside [%llu, %llu]",
                         key, (unsigned long long)v, (unsigned long long)min,
                         (unsigned long long)max);
    *out = (int64_t)v;
    return QIAO_OK;
}

static qiao_err time_member(struct qiao_bft_time *out, const cJSON *obj, const char *key,
                            struct qiao_diag *d)
{
    const char *s;
    QIAO_TRY(qiao_json_str(&s, obj, key, d));
    return qiao_bft_time_parse(out, s, key, d);
}

/* An optional member: absent or null gives *out = NULL; anything else must be an object. */
static qiao_err opt_object(const cJSON **out, const cJSON *obj, const char *key,
                           struct qiao_diag *d)
{
    const cJSON *v = qiao_json_get(obj, key);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return QIAO_OK;
    return qiao_json_object(out, obj, key, d);
}

static qiao_err block_id_from_json(struct qiao_bft_block_id *out, const cJSON *obj,
                                   struct qiao_diag *d)
{
    memset(out, 0, sizeof(*out));
    if (!obj)
        return QIAO_OK;
    const cJSON *parts = qiao_json_get(obj, "parts"), *psh = qiao_json_get(obj, "part_set_header");
    if (parts && psh)
        return QIAO_FAIL(d, QIAO_EINVAL, "duplicate-key",
                         "block_id has both \"parts\" and \"part_set_header\"");
    QIAO_TRY(hex_member(&out->hash, obj, "hash", HEX_HASH, d));
    QIAO_TRY(qiao_json_object(&parts, obj, psh ? "part_set_header" : "parts", d));
    int64_t total;
    QIAO_TRY(int_member(&total, parts, "total", 0, UINT32_MAX, d));
    out->parts_total = (uint32_t)total;
    return hex_member(&out->parts_hash, parts, "hash", HEX_HASH, d);
}

static qiao_err header_hashes(struct qiao_bft_header *h, const cJSON *obj, struct qiao_diag *d)
{
    static const char *const keys[] = {"last_commit_hash", "data_hash", "validators_hash",
                                       "next_validators_hash", "consensus_hash", "app_hash",
                                       "last_results_hash", "evidence_hash", "proposer_address"};
    struct qiao_bft_hash *dst[] = {&h->last_commit_hash, &h->data_hash, &h->validators_hash,
                                   &h->next_validators_hash, &h->consensus_hash, &h->app_hash,
                                   &h->last_results_hash, &h->evidence_hash, &h->proposer_address};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        enum hex_rule rule = i == 5 ? HEX_ANY : i == 8 ? HEX_ADDR : HEX_HASH;
        QIAO_TRY(hex_member(dst[i], obj, keys[i], rule, d));
    }
    return QIAO_OK;
}

qiao_err qiao_bft_header_from_json(struct qiao_bft_header *h, const cJSON *obj,
                                   struct qiao_diag *d)
{
    memset(h, 0, sizeof(*h));
    const cJSON *ver, *lbid;
    const char *chain;
    uint64_t vb, va;
    QIAO_TRY(qiao_json_object(&ver, obj, "version", d));
    QIAO_TRY(qiao_json_u64(&vb, ver, "block", d));
    QIAO_TRY(qiao_json_u64(&va, ver, "app", d));
    h->version_block = vb, h->version_app = va;
    QIAO_TRY(qiao_json_str(&chain, obj, "chain_id", d));
    h->chain_id_len = strlen(chain);
    if (h->chain_id_len > QIAO_BFT_MAX_CHAIN_ID)
        return QIAO_FAIL(d, QIAO_ERANGE, "chain-id-too-long", "chain_id of %zu bytes (max %d)",
                         h->chain_id_len, QIAO_BFT_MAX_CHAIN_ID);
    memcpy(h->chain_id, chain, h->chain_id_len + 1);
    QIAO_TRY(int_member(&h->height, obj, "height", 1, INT64_MAX, d));
    QIAO_TRY(time_member(&h->time, obj, "time", d));
    QIAO_TRY(opt_object(&lbid, obj, "last_block_id", d));
    if (!qiao_json_get(obj, "last_block_id"))
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "header has no \"last_block_id\"");
    QIAO_TRY(block_id_from_json(&h->last_block_id, lbid, d));
    return header_hashes(h, obj, d);
}

static qiao_err absent_sig(const cJSON *s, struct qiao_diag *d)
{
    const char *addr, *sig;
    QIAO_TRY(str_member(&addr, s, "validator_address", 1, d));
    QIAO_TRY(str_member(&sig, s, "signature", 1, d));
    if (*addr || *sig)
        return QIAO_FAIL(d, QIAO_EINVAL, "absent-with-data",
                         "an absent commit signature carries an address or signature");
    return QIAO_OK;
}

static qiao_err sig_from_json(struct qiao_bft_commit_sig *out, const cJSON *s, struct qiao_diag *d)
{
    int64_t flag;
    QIAO_TRY(int_member(&flag, s, "block_id_flag", QIAO_BFT_FLAG_ABSENT, QIAO_BFT_FLAG_NIL, d));
    out->flag = (uint8_t)flag;
    QIAO_TRY(time_member(&out->timestamp, s, "timestamp", d));
    if (flag == QIAO_BFT_FLAG_ABSENT)
        return absent_sig(s, d);
    struct qiao_bft_hash addr;
    const char *b64;
    size_t n = 0;
    QIAO_TRY(hex_member(&addr, s, "validator_address", HEX_ADDR, d));
    memcpy(out->address, addr.b, QIAO_BFT_ADDRESS_LEN);
    QIAO_TRY(qiao_json_str(&b64, s, "signature", d));
    QIAO_TRY(qiao_bft_b64_decode(out->sig, sizeof(out->sig), &n, b64, "signature", d));
    if (n != QIAO_BFT_SIG_LEN)
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-length", "signature of %zu bytes (want 64)", n);
    return QIAO_OK;
}

qiao_err qiao_bft_commit_from_json(struct qiao_bft_commit *c, const cJSON *obj,
                                   struct qiao_arena *arena, struct qiao_diag *d)
{
    memset(c, 0, sizeof(*c));
    const cJSON *bid, *sigs;
    int64_t round;
    QIAO_TRY(int_member(&c->height, obj, "height", 1, INT64_MAX, d));
    QIAO_TRY(int_member(&round, obj, "round", 0, INT32_MAX, d));
    c->round = (int32_t)round;
    QIAO_TRY(qiao_json_object(&bid, obj, "block_id", d));
    QIAO_TRY(block_id_from_json(&c->block_id, bid, d));
    QIAO_TRY(qiao_json_array(&sigs, obj, "signatures", d));
    size_t n = (size_t)cJSON_GetArraySize(sigs);
    if (n > QIAO_BFT_MAX_VALIDATORS)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-signatures", "commit has %zu signatures (max %d)",
                         n, QIAO_BFT_MAX_VALIDATORS);
    c->sigs = n ? qiao_arena_alloc(arena, n * sizeof(*c->sigs), d) : NULL;
    if (n && !c->sigs)
        return QIAO_ENOMEM;
    size_t i = 0;
    for (const cJSON *s = sigs->child; s; s = s->next, i++) {
        memset(&c->sigs[i], 0, sizeof(c->sigs[i]));
        if (!cJSON_IsObject(s) || sig_from_json(&c->sigs[i], s, d))
            return !cJSON_IsObject(s) ? QIAO_FAIL(d, QIAO_EINVAL, "wrong-type",
                                                  "commit signature %zu is not an object", i)
                                      : qiao_diag_wrap(d, "commit signature %zu", i);
    }
    c->n_sigs = n;
    return QIAO_OK;
}

static qiao_err pub_key_from_json(struct qiao_bft_validator *v, const cJSON *obj,
                                  struct qiao_diag *d)
{
    const cJSON *pk;
    const char *type, *b64;
    size_t n = 0;
    QIAO_TRY(qiao_json_object(&pk, obj, "pub_key", d));
    QIAO_TRY(qiao_json_str(&type, pk, "type", d));
    QIAO_TRY(qiao_json_str(&b64, pk, "value", d));
    if (strcmp(type, "tendermint/PubKeyEd25519") == 0)
        v->key_type = QIAO_BFT_KEY_ED25519;
    else if (strcmp(type, "tendermint/PubKeySecp256k1") == 0)
        v->key_type = QIAO_BFT_KEY_SECP256K1;
    else
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unsupported-key", "validator key type \"%.48s\"", type);
    QIAO_TRY(qiao_bft_b64_decode(v->pub, sizeof(v->pub), &n, b64, "pub_key.value", d));
    if (n != (v->key_type == QIAO_BFT_KEY_ED25519 ? 32u : 33u))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-length", "%s key of %zu bytes", type, n);
    v->pub_len = (uint8_t)n;
    return QIAO_OK;
}

static qiao_err validator_from_json(struct qiao_crypto *cx, struct qiao_bft_validator *v,
                                    const cJSON *obj, struct qiao_diag *d)
{
    struct qiao_bft_hash addr;
    uint8_t derived[QIAO_BFT_ADDRESS_LEN];
    memset(v, 0, sizeof(*v));
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "validator is not an object");
    QIAO_TRY(hex_member(&addr, obj, "address", HEX_ADDR, d));
    memcpy(v->address, addr.b, QIAO_BFT_ADDRESS_LEN);
    QIAO_TRY(pub_key_from_json(v, obj, d));
    QIAO_TRY(int_member(&v->power, obj, "voting_power", 1, INT64_MAX, d));
    QIAO_TRY(qiao_bft_key_address(cx, derived, v->key_type, v->pub, v->pub_len, d));
    if (memcmp(derived, v->address, QIAO_BFT_ADDRESS_LEN) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "address-mismatch",
                         "validator address is not the one derived from its public key");
    return QIAO_OK;
}

static int cmp_canonical(const void *a, const void *b)
{
    const struct qiao_bft_validator *x = a, *y = b;
    if (x->power != y->power)
        return x->power > y->power ? -1 : 1;
    return memcmp(x->address, y->address, QIAO_BFT_ADDRESS_LEN);
}

static int cmp_addr(const void *a, const void *b)
{
    const struct qiao_bft_validator *const *x = a, *const *y = b;
    return memcmp((*x)->address, (*y)->address, QIAO_BFT_ADDRESS_LEN);
}

/* Sort into canonical order and build the by-address index; reject duplicate addresses. */
static qiao_err valset_index(struct qiao_bft_valset *vs, struct qiao_arena *arena,
                             struct qiao_diag *d)
{
    if (!vs->n)
        return QIAO_OK;
    qsort(vs->v, vs->n, sizeof(*vs->v), cmp_canonical);
    vs->by_addr = qiao_arena_alloc(arena, vs->n * sizeof(*vs->by_addr), d);
    if (!vs->by_addr)
        return QIAO_ENOMEM;
    for (size_t i = 0; i < vs->n; i++)
        vs->by_addr[i] = &vs->v[i];
    qsort(vs->by_addr, vs->n, sizeof(*vs->by_addr), cmp_addr);
    for (size_t i = 1; i < vs->n; i++)
        if (!memcmp(vs->by_addr[i - 1]->address, vs->by_addr[i]->address, QIAO_BFT_ADDRESS_LEN))
            return QIAO_FAIL(d, QIAO_EINVAL, "duplicate-validator",
                             "a validator address appears twice in one validator set");
    return QIAO_OK;
}

qiao_err qiao_bft_validators_from_json(struct qiao_crypto *cx, struct qiao_bft_valset *vs,
                                       const cJSON *array, struct qiao_arena *arena,
                                       struct qiao_diag *d)
{
    memset(vs, 0, sizeof(*vs));
    if (!cJSON_IsArray(array))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "\"validators\" is not an array");
    size_t n = (size_t)cJSON_GetArraySize(array), i = 0;
    if (n > QIAO_BFT_MAX_VALIDATORS)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-validators", "%zu validators (max %d)", n,
                         QIAO_BFT_MAX_VALIDATORS);
    vs->v = n ? qiao_arena_alloc(arena, n * sizeof(*vs->v), d) : NULL;
    if (n && !vs->v)
        return QIAO_ENOMEM;
    for (const cJSON *e = array->child; e; e = e->next, i++) {
        if (validator_from_json(cx, &vs->v[i], e, d))
            return qiao_diag_wrap(d, "validator %zu", i);
        if (vs->v[i].power > QIAO_BFT_MAX_TOTAL_POWER - vs->total_power)
            return QIAO_FAIL(d, QIAO_ERANGE, "power-overflow",
                             "total voting power exceeds CometBFT's maximum %lld at validator %zu",
                             (long long)QIAO_BFT_MAX_TOTAL_POWER, i);
        vs->total_power += vs->v[i].power;
    }
    vs->n = n;
    return valset_index(vs, arena, d);
}

/* "validator_set" / "next_validator_set": an object whose "validators" is an array (or null for
 * an empty set).  *present says whether the member was there at all. */
static qiao_err valset_member(struct qiao_crypto *cx, struct qiao_bft_valset *vs, int *present,
                              const cJSON *obj, const char *key, struct qiao_arena *arena,
                              struct qiao_diag *d)
{
    const cJSON *set, *arr;
    memset(vs, 0, sizeof(*vs));
    QIAO_TRY(opt_object(&set, obj, key, d));
    *present = set != NULL;
    if (!set)
        return QIAO_OK;
    arr = qiao_json_get(set, "validators");
    if (!arr)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "%s has no \"validators\"", key);
    if (cJSON_IsNull(arr))
        return QIAO_OK;
    if (qiao_bft_validators_from_json(cx, vs, arr, arena, d))
        return qiao_diag_wrap(d, "%s", key);
    return QIAO_OK;
}

qiao_err qiao_bft_light_block_from_json(struct qiao_crypto *cx, struct qiao_bft_light_block *lb,
                                        const cJSON *obj, unsigned flags,
                                        struct qiao_arena *arena, struct qiao_diag *d)
{
    memset(lb, 0, sizeof(*lb));
    const cJSON *sh, *h, *c;
    int trusted = (flags & QIAO_BFT_JSON_TRUSTED) != 0;
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "a light block must be a JSON object");
    QIAO_TRY(qiao_json_object(&sh, obj, "signed_header", d));
    QIAO_TRY(qiao_json_object(&h, sh, "header", d));
    if (qiao_bft_header_from_json(&lb->header, h, d))
        return qiao_diag_wrap(d, "header");
    QIAO_TRY(opt_object(&c, sh, "commit", d));
    if (!c && !trusted)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "signed_header has no \"commit\"");
    if (c && qiao_bft_commit_from_json(&lb->commit, c, arena, d))
        return qiao_diag_wrap(d, "commit");
    lb->has_commit = c != NULL;
    QIAO_TRY(valset_member(cx, &lb->vals, &lb->has_vals, obj, "validator_set", arena, d));
    if (!lb->has_vals && !trusted)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "light block has no \"validator_set\"");
    QIAO_TRY(valset_member(cx, &lb->next_vals, &lb->has_next_vals, obj, "next_validator_set",
                           arena, d));
    if (!lb->has_next_vals)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "light block has no \"next_validator_set\"");
    return QIAO_OK;
}

qiao_err qiao_bft_light_block_parse(struct qiao_crypto *cx, struct qiao_bft_light_block *out,
                                    const char *text, size_t len, unsigned flags,
                                    struct qiao_arena *arena, struct qiao_diag *d)
{
    cJSON *root = NULL;
    QIAO_TRY(qiao_json_parse(&root, text, len, 0, 0, d));
    qiao_err err = qiao_bft_light_block_from_json(cx, out, root, flags, arena, d);
    cJSON_Delete(root);
    return err;
}
