/* swap_record.c: the swap record's strict JSON codec and id (swap_record.h). */
#include "htlc/swap_record.h"

#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/keccak.h"

static const char *const leg_key[2] = {"initiator", "participant"};
static const char *const status_names[4] = {"none", "locked", "claimed", "refunded"};
static const char *const sent_names[3] = {"none", "claim", "refund"};

static const char *const terms_leg_keys[] = {"chain", "family", "contract", "hash", "sender",
                                             "receiver", "amount", "timelock", "finality_s",
                                             "submit_s", "from_height", "timelock_height",
                                             "block_s_min", "block_s_max", "claim_to",
                                             "refund_to", "fee_sat", NULL};
static const char *const state_leg_keys[] = {"status", "lock_id", "lock_vout", "seen_height",
                                             "sent", "sent_tx", "attempts", "error", NULL};
static const char *const terms_top_keys[] = {"format", "hashlock", "preimage_len", "margin_s",
                                             "claim_for_counterparty", "initiator", "participant",
                                             "_comment", NULL};
static const char *const state_top_keys[] = {"id", "phase", "preimage", "alerts", "created_at",
                                             "note", NULL};

const char *qiao_htlc_family_name(enum qiao_htlc_family f)
{
    return f == QIAO_HTLC_FAMILY_EVM ? "evm" : f == QIAO_HTLC_FAMILY_BITCOIN ? "bitcoin" : "?";
}

static int in_list(const char *k, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(k, *list) == 0)
            return 1;
    return 0;
}

/* Every member of obj must be in one of the lists (the second only when runtime is allowed). */
static qiao_err check_keys(const cJSON *obj, const char *const *terms, const char *const *state,
                           int terms_only, const char *where, struct qiao_diag *d)
{
    const cJSON *it;
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "%s: must be an object", where);
    cJSON_ArrayForEach(it, obj) {
        if (in_list(it->string, terms) || (!terms_only && in_list(it->string, state)))
            continue;
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-key", "%s.%.40s: unknown key%s", where,
                         it->string, in_list(it->string, state) ? " in a terms file" : "");
    }
    return QIAO_OK;
}

static qiao_err name_of(int *out, const cJSON *obj, const char *key, const char *const *names,
                        int n, const char *where, struct qiao_diag *d)
{
    const char *s;
    if (qiao_json_str(&s, obj, key, d))
        return qiao_diag_wrap(d, "%s", where);
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = i;
            return QIAO_OK;
        }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-value", "%s.%s: unknown value \"%.40s\"", where, key, s);
}

static qiao_err opt_u64(uint64_t *out, const cJSON *obj, const char *key, const char *where,
                        struct qiao_diag *d)
{
    if (!qiao_json_get(obj, key))
        return QIAO_OK;
    if (qiao_json_u64(out, obj, key, d))
        return qiao_diag_wrap(d, "%s", where);
    return QIAO_OK;
}

static qiao_err req_u64(uint64_t *out, const cJSON *obj, const char *key, uint64_t max,
                        const char *where, struct qiao_diag *d)
{
    if (qiao_json_u64(out, obj, key, d))
        return qiao_diag_wrap(d, "%s", where);
    if (*out > max)
        return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "%s.%s: %llu is above %llu", where, key,
                         (unsigned long long)*out, (unsigned long long)max);
    return QIAO_OK;
}

static qiao_err hex_field(uint8_t *out, size_t n, const cJSON *obj, const char *key,
                          const char *where, struct qiao_diag *d)
{
    if (qiao_json_hex_exact(out, n, obj, key, d))
        return qiao_diag_wrap(d, "%s", where);
    return QIAO_OK;
}

static qiao_err parse_hash(enum qiao_htlc_hash *h, const cJSON *leg, const char *where,
                           struct qiao_diag *d)
{
    const char *s;
    if (qiao_json_str(&s, leg, "hash", d))
        return qiao_diag_wrap(d, "%s", where);
    *h = strcmp(s, "sha256") == 0 ? QIAO_HTLC_SHA256 : strcmp(s, "keccak256") == 0
                                                           ? QIAO_HTLC_KECCAK256 : 0;
    if (!*h)
        return QIAO_FAIL(d, QIAO_EINVAL, "unsupported-hash", "%s.hash: \"%.40s\" (sha256 or "
                         "keccak256)", where, s);
    return QIAO_OK;
}

/* A Bitcoin leg's parties are compressed public keys: the receiver's signs the claim, the
 * sender's the refund.  Only the prefix is checked here (the pure engine has no curve); the
 * Bitcoin adapter refuses a key that is not on the curve when it builds the script. */
static qiao_err pubkey_field(uint8_t out[33], const cJSON *leg, const char *key,
                             const char *where, struct qiao_diag *d)
{
    QIAO_TRY(hex_field(out, 33, leg, key, where, d));
    if (out[0] != 0x02 && out[0] != 0x03)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-value", "%s.%s: not a compressed public key "
                         "(prefix %02x)", where, key, out[0]);
    return QIAO_OK;
}

static qiao_err u32_field(uint32_t *out, const cJSON *leg, const char *key, const char *where,
                          struct qiao_diag *d)
{
    uint64_t v;
    QIAO_TRY(req_u64(&v, leg, key, UINT32_MAX, where, d));
    *out = (uint32_t)v;
    return QIAO_OK;
}

/* An optional scriptPubKey: 1 to QIAO_HTLC_SPK_MAX bytes of hex with a 0x prefix. */
static qiao_err spk_field(uint8_t *out, size_t *len, const cJSON *leg, const char *key,
                          const char *where, struct qiao_diag *d)
{
    const char *s;
    if (!qiao_json_get(leg, key))
        return QIAO_OK;
    if (qiao_json_str(&s, leg, key, d))
        return qiao_diag_wrap(d, "%s", where);
    if (strncmp(s, "0x", 2) != 0 || strlen(s) < 4 || strlen(s) > 2 + 2 * QIAO_HTLC_SPK_MAX)
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-length", "%s.%s: 0x and 1 to %d bytes of hex",
                         where, key, QIAO_HTLC_SPK_MAX);
    if (qiao_hex_decode(out, QIAO_HTLC_SPK_MAX, len, s + 2, strlen(s) - 2, d))
        return qiao_diag_wrap(d, "%s.%s", where, key);
    return QIAO_OK;
}

static qiao_err parse_payout(struct qiao_htlc_leg_drive *dr, const cJSON *leg, const char *where,
                             struct qiao_diag *d)
{
    QIAO_TRY(spk_field(dr->claim_to, &dr->claim_to_len, leg, "claim_to", where, d));
    QIAO_TRY(spk_field(dr->refund_to, &dr->refund_to_len, leg, "refund_to", where, d));
    if (!qiao_json_get(leg, "fee_sat"))
        return QIAO_OK;
    return req_u64(&dr->fee_sat, leg, "fee_sat", 100000000u, where, d);
}

static qiao_err parse_bitcoin(struct qiao_htlc_leg_drive *dr, struct qiao_htlc_leg *l,
                              const cJSON *leg, const char *where, struct qiao_diag *d)
{
    dr->family = QIAO_HTLC_FAMILY_BITCOIN;
    l->addr_len = 33;
    if (qiao_json_get(leg, "contract"))
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-key", "%s.contract: a bitcoin leg has no "
                         "contract (its script follows from the terms)", where);
    QIAO_TRY(pubkey_field(l->sender, leg, "sender", where, d));
    QIAO_TRY(pubkey_field(l->receiver, leg, "receiver", where, d));
    QIAO_TRY(u32_field(&dr->height.height, leg, "timelock_height", where, d));
    QIAO_TRY(u32_field(&dr->height.block_s_min, leg, "block_s_min", where, d));
    QIAO_TRY(u32_field(&dr->height.block_s_max, leg, "block_s_max", where, d));
    return parse_payout(dr, leg, where, d);
}

static qiao_err parse_family(struct qiao_htlc_leg_drive *dr, struct qiao_htlc_leg *l,
                             const cJSON *leg, const char *where, struct qiao_diag *d)
{
    static const char *const btc_only[] = {"timelock_height", "block_s_min", "block_s_max",
                                           "claim_to", "refund_to", "fee_sat"};
    const char *s;
    if (qiao_json_str(&s, leg, "family", d))
        return qiao_diag_wrap(d, "%s", where);
    if (strcmp(s, "bitcoin") == 0)
        return parse_bitcoin(dr, l, leg, where, d);
    if (strcmp(s, "evm") != 0)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unsupported-family", "%s.family: \"%.40s\": "
                         "evm or bitcoin", where, s);
    for (int i = 0; i < 6; i++)
        if (qiao_json_get(leg, btc_only[i]))
            return QIAO_FAIL(d, QIAO_EINVAL, "unknown-key", "%s.%s: only a bitcoin leg has it",
                             where, btc_only[i]);
    dr->family = QIAO_HTLC_FAMILY_EVM;
    l->addr_len = 20;
    QIAO_TRY(hex_field(dr->contract, 20, leg, "contract", where, d));
    QIAO_TRY(hex_field(l->sender, 20, leg, "sender", where, d));
    return hex_field(l->receiver, 20, leg, "receiver", where, d);
}

/* Bitcoin amounts are satoshis and the script's hash is SHA-256 (OP_SHA256). */
static qiao_err check_bitcoin_leg(const struct qiao_htlc_leg *l, uint64_t amount,
                                  const char *where, struct qiao_diag *d)
{
    if (amount > 2100000000000000ull)
        return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "%s.amount: %llu sat is above 21 million "
                         "BTC", where, (unsigned long long)amount);
    if (l->hash != QIAO_HTLC_SHA256)
        return QIAO_FAIL(d, QIAO_EINVAL, "unsupported-hash", "%s.hash: a bitcoin leg's script "
                         "hashes with sha256 (OP_SHA256)", where);
    return QIAO_OK;
}

static qiao_err parse_terms_leg(struct qiao_htlc_record *r, int i, const cJSON *leg,
                                const char *where, struct qiao_diag *d)
{
    struct qiao_htlc_leg *l = &r->swap.terms.leg[i];
    struct qiao_htlc_leg_drive *dr = &r->drive[i];
    uint64_t v;
    QIAO_TRY(req_u64(&l->chain_id, leg, "chain", UINT64_MAX, where, d));
    QIAO_TRY(parse_family(dr, l, leg, where, d));
    QIAO_TRY(parse_hash(&l->hash, leg, where, d));
    QIAO_TRY(req_u64(&v, leg, "amount", UINT64_MAX, where, d));
    for (int b = 0; b < 8; b++)
        l->amount[31 - b] = (uint8_t)(v >> (8 * b));
    if (dr->family == QIAO_HTLC_FAMILY_BITCOIN)
        QIAO_TRY(check_bitcoin_leg(l, v, where, d));
    QIAO_TRY(req_u64(&l->timelock, leg, "timelock", UINT64_MAX, where, d));
    QIAO_TRY(req_u64(&v, leg, "finality_s", UINT32_MAX, where, d));
    l->finality_s = (uint32_t)v;
    QIAO_TRY(req_u64(&v, leg, "submit_s", UINT32_MAX, where, d));
    l->submit_s = (uint32_t)v;
    return opt_u64(&dr->from_height, leg, "from_height", where, d);
}

static qiao_err parse_state_leg(struct qiao_htlc_record *r, int i, const cJSON *leg,
                                const char *where, struct qiao_diag *d)
{
    struct qiao_htlc_leg_drive *dr = &r->drive[i];
    int st = 0, sent = 0;
    uint64_t v = 0;
    const char *err;
    QIAO_TRY(name_of(&st, leg, "status", status_names, 4, where, d));
    r->swap.status[i] = (enum qiao_htlc_status)st;
    if (qiao_json_get(leg, "lock_id")) {
        QIAO_TRY(hex_field(dr->lock_id, 32, leg, "lock_id", where, d));
        dr->has_lock_id = 1;
    }
    if (qiao_json_get(leg, "lock_vout")) {
        if (dr->family != QIAO_HTLC_FAMILY_BITCOIN || !dr->has_lock_id)
            return QIAO_FAIL(d, QIAO_EINVAL, "unknown-key", "%s.lock_vout: only a bitcoin leg "
                             "with a lock_id has it", where);
        QIAO_TRY(opt_u64(&v, leg, "lock_vout", where, d));
        if (v > UINT32_MAX)
            return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "%s.lock_vout: too large", where);
        dr->lock_vout = (uint32_t)v;
        v = 0;
    }
    QIAO_TRY(opt_u64(&dr->seen_height, leg, "seen_height", where, d));
    QIAO_TRY(name_of(&sent, leg, "sent", sent_names, 3, where, d));
    dr->sent = (enum qiao_htlc_sent)sent;
    if (dr->sent)
        QIAO_TRY(hex_field(dr->sent_tx, 32, leg, "sent_tx", where, d));
    QIAO_TRY(opt_u64(&v, leg, "attempts", where, d));
    if (v > UINT32_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "%s.attempts: too large", where);
    dr->attempts = (uint32_t)v;
    if (qiao_json_get(leg, "error")) {
        if (qiao_json_str(&err, leg, "error", d))
            return qiao_diag_wrap(d, "%s", where);
        if (strlen(err) >= QIAO_HTLC_NOTE_MAX)
            return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "%s.error: too long", where);
        snprintf(dr->error, sizeof(dr->error), "%s", err);
    }
    return QIAO_OK;
}

static qiao_err parse_leg(struct qiao_htlc_record *r, int i, const cJSON *obj, int terms_only,
                          struct qiao_diag *d)
{
    const cJSON *leg = qiao_json_get(obj, leg_key[i]);
    if (!leg)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "%s: missing", leg_key[i]);
    QIAO_TRY(check_keys(leg, terms_leg_keys, state_leg_keys, terms_only, leg_key[i], d));
    QIAO_TRY(parse_terms_leg(r, i, leg, leg_key[i], d));
    return terms_only ? QIAO_OK : parse_state_leg(r, i, leg, leg_key[i], d);
}

static qiao_err parse_top_terms(struct qiao_htlc_record *r, const cJSON *obj, struct qiao_diag *d)
{
    const char *fmt;
    uint64_t v;
    QIAO_TRY(qiao_json_str(&fmt, obj, "format", d));
    if (strcmp(fmt, QIAO_HTLC_RECORD_FORMAT) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-format", "format: \"%.40s\", expected \"%s\"", fmt,
                         QIAO_HTLC_RECORD_FORMAT);
    QIAO_TRY(hex_field(r->swap.terms.hashlock, 32, obj, "hashlock", "swap", d));
    /* Any length parses so that qiao_htlc_check_terms can refuse it with its own reason. */
    QIAO_TRY(req_u64(&v, obj, "preimage_len", 1u << 20, "swap", d));
    r->swap.terms.preimage_len = (size_t)v;
    QIAO_TRY(req_u64(&r->swap.terms.margin_s, obj, "margin_s", UINT32_MAX, "swap", d));
    if (qiao_json_get(obj, "claim_for_counterparty"))
        QIAO_TRY(qiao_json_bool(&r->swap.claim_for_counterparty, obj, "claim_for_counterparty",
                                d));
    return QIAO_OK;
}

static qiao_err parse_top_state(struct qiao_htlc_record *r, const cJSON *obj, struct qiao_diag *d)
{
    const char *note;
    uint64_t alerts = 0;
    QIAO_TRY(hex_field(r->id, 32, obj, "id", "swap", d));
    if (qiao_json_get(obj, "preimage")) {
        QIAO_TRY(hex_field(r->swap.preimage, QIAO_HTLC_PREIMAGE_LEN, obj, "preimage", "swap", d));
        r->swap.preimage_known = 1;
    }
    QIAO_TRY(opt_u64(&alerts, obj, "alerts", "swap", d));
    if (alerts > 3)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-value", "swap.alerts: unknown bits");
    r->swap.alerts = (uint32_t)alerts;
    QIAO_TRY(opt_u64(&r->created_at, obj, "created_at", "swap", d));
    if (qiao_json_get(obj, "note")) {
        QIAO_TRY(qiao_json_str(&note, obj, "note", d));
        if (strlen(note) >= QIAO_HTLC_NOTE_MAX)
            return QIAO_FAIL(d, QIAO_ERANGE, "out-of-range", "swap.note: too long");
        snprintf(r->note, sizeof(r->note), "%s", note);
    }
    return QIAO_OK;
}

qiao_err qiao_htlc_record_parse(struct qiao_htlc_record *r, const cJSON *obj, int terms_only,
                                struct qiao_diag *d)
{
    memset(r, 0, sizeof(*r));
    QIAO_TRY(check_keys(obj, terms_top_keys, state_top_keys, terms_only, "swap", d));
    QIAO_TRY(parse_top_terms(r, obj, d));
    for (int i = 0; i < 2; i++)
        QIAO_TRY(parse_leg(r, i, obj, terms_only, d));
    if (terms_only) {
        qiao_htlc_record_id(r->id, r);
        return QIAO_OK;
    }
    return parse_top_state(r, obj, d);
}

qiao_err qiao_htlc_record_parse_text(struct qiao_htlc_record *r, const char *text, size_t len,
                                     int terms_only, struct qiao_diag *d)
{
    cJSON *obj = NULL;
    QIAO_TRY(qiao_json_parse(&obj, text, len, QIAO_HTLC_RECORD_MAX_BYTES, 8, d));
    qiao_err err = qiao_htlc_record_parse(r, obj, terms_only, d);
    cJSON_Delete(obj);
    return err;
}

/* ---- encoding -------------------------------------------------------------------------------- */

static void add_hex(cJSON *o, const char *key, const uint8_t *p, size_t n)
{
    /* Hashes and ids are 32 bytes, a Bitcoin leg's keys 33 (QIAO_HTLC_ADDR_MAX). */
    char hex[2 * QIAO_HTLC_ADDR_MAX + 3];
    if (n > QIAO_HTLC_ADDR_MAX)
        return;
    qiao_hex_encode0x(hex, p, n);
    cJSON_AddStringToObject(o, key, hex);
}

static void add_spk(cJSON *o, const char *key, const uint8_t *p, size_t n)
{
    char hex[2 * QIAO_HTLC_SPK_MAX + 3];
    if (!n || n > QIAO_HTLC_SPK_MAX)
        return;
    qiao_hex_encode0x(hex, p, n);
    cJSON_AddStringToObject(o, key, hex);
}

static void add_u64(cJSON *o, const char *key, uint64_t v)
{
    /* Above 2^53 a JSON number loses digits; qiao_json_u64 reads decimal strings too. */
    if (v < (1ull << 53)) {
        cJSON_AddNumberToObject(o, key, (double)v);
    } else {
        char s[24];
        snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
        cJSON_AddStringToObject(o, key, s);
    }
}

static uint64_t amount_u64(const uint8_t a[32])
{
    uint64_t v = 0;
    for (int b = 24; b < 32; b++)
        v = v << 8 | a[b];
    return v;
}

static cJSON *leg_json(const struct qiao_htlc_record *r, int i)
{
    const struct qiao_htlc_leg *l = &r->swap.terms.leg[i];
    const struct qiao_htlc_leg_drive *dr = &r->drive[i];
    char amount[24];
    cJSON *o = cJSON_CreateObject();
    add_u64(o, "chain", l->chain_id);
    cJSON_AddStringToObject(o, "family", qiao_htlc_family_name(dr->family));
    if (dr->family == QIAO_HTLC_FAMILY_BITCOIN) {
        add_u64(o, "timelock_height", dr->height.height);
        add_u64(o, "block_s_min", dr->height.block_s_min);
        add_u64(o, "block_s_max", dr->height.block_s_max);
        add_spk(o, "claim_to", dr->claim_to, dr->claim_to_len);
        add_spk(o, "refund_to", dr->refund_to, dr->refund_to_len);
        if (dr->fee_sat)
            add_u64(o, "fee_sat", dr->fee_sat);
    } else {
        add_hex(o, "contract", dr->contract, 20);
    }
    cJSON_AddStringToObject(o, "hash", l->hash == QIAO_HTLC_KECCAK256 ? "keccak256" : "sha256");
    add_hex(o, "sender", l->sender, l->addr_len);
    add_hex(o, "receiver", l->receiver, l->addr_len);
    snprintf(amount, sizeof(amount), "%llu", (unsigned long long)amount_u64(l->amount));
    cJSON_AddStringToObject(o, "amount", amount);
    add_u64(o, "timelock", l->timelock);
    add_u64(o, "finality_s", l->finality_s);
    add_u64(o, "submit_s", l->submit_s);
    add_u64(o, "from_height", dr->from_height);
    cJSON_AddStringToObject(o, "status", status_names[r->swap.status[i] & 3]);
    if (dr->has_lock_id)
        add_hex(o, "lock_id", dr->lock_id, 32);
    if (dr->has_lock_id && dr->family == QIAO_HTLC_FAMILY_BITCOIN)
        add_u64(o, "lock_vout", dr->lock_vout);
    add_u64(o, "seen_height", dr->seen_height);
    cJSON_AddStringToObject(o, "sent", sent_names[dr->sent <= 2 ? dr->sent : 0]);
    if (dr->sent)
        add_hex(o, "sent_tx", dr->sent_tx, 32);
    add_u64(o, "attempts", dr->attempts);
    if (dr->error[0])
        cJSON_AddStringToObject(o, "error", dr->error);
    return o;
}

cJSON *qiao_htlc_record_to_json(const struct qiao_htlc_record *r)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "format", QIAO_HTLC_RECORD_FORMAT);
    add_hex(o, "id", r->id, 32);
    cJSON_AddStringToObject(o, "phase", qiao_htlc_phase(&r->swap));
    add_hex(o, "hashlock", r->swap.terms.hashlock, 32);
    add_u64(o, "preimage_len", r->swap.terms.preimage_len);
    add_u64(o, "margin_s", r->swap.terms.margin_s);
    cJSON_AddBoolToObject(o, "claim_for_counterparty", r->swap.claim_for_counterparty);
    if (r->swap.preimage_known)
        add_hex(o, "preimage", r->swap.preimage, QIAO_HTLC_PREIMAGE_LEN);
    add_u64(o, "alerts", r->swap.alerts);
    add_u64(o, "created_at", r->created_at);
    if (r->note[0])
        cJSON_AddStringToObject(o, "note", r->note);
    for (int i = 0; i < 2; i++)
        cJSON_AddItemToObject(o, leg_key[i], leg_json(r, i));
    return o;
}

/* ---- id and completion ----------------------------------------------------------------------- */

static void put_be64(uint8_t *p, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        p[7 - b] = (uint8_t)(v >> (8 * b));
}

static void put_be32(uint8_t *p, uint32_t v)
{
    for (int b = 0; b < 4; b++)
        p[3 - b] = (uint8_t)(v >> (8 * b));
}

void qiao_htlc_record_id(uint8_t id[32], const struct qiao_htlc_record *r)
{
    uint8_t buf[11 + 32 + 2 * (8 + 20 + 2 * QIAO_HTLC_ADDR_MAX + 32 + 8 + 12)];
    size_t n = 0;
    memcpy(buf, QIAO_HTLC_RECORD_FORMAT, 11), n = 11;
    memcpy(buf + n, r->swap.terms.hashlock, 32), n += 32;
    for (int i = 0; i < 2; i++) {
        const struct qiao_htlc_leg *l = &r->swap.terms.leg[i];
        size_t a = l->addr_len <= QIAO_HTLC_ADDR_MAX ? l->addr_len : QIAO_HTLC_ADDR_MAX;
        put_be64(buf + n, l->chain_id), n += 8;
        memcpy(buf + n, r->drive[i].contract, 20), n += 20;
        memcpy(buf + n, l->sender, a), n += a;
        memcpy(buf + n, l->receiver, a), n += a;
        memcpy(buf + n, l->amount, 32), n += 32;
        put_be64(buf + n, l->timelock), n += 8;
        if (r->drive[i].family == QIAO_HTLC_FAMILY_BITCOIN) { /* EVM ids stay as they were */
            const struct qiao_htlc_height_lock *h = &r->drive[i].height;
            put_be32(buf + n, h->height), put_be32(buf + n + 4, h->block_s_min);
            put_be32(buf + n + 8, h->block_s_max), n += 12;
        }
    }
    qiao_keccak256(id, buf, n);
}

static int settled(enum qiao_htlc_status s)
{
    return s == QIAO_HTLC_CLAIMED || s == QIAO_HTLC_REFUNDED;
}

int qiao_htlc_record_done(const struct qiao_htlc_record *r, uint64_t now_part)
{
    enum qiao_htlc_status a = r->swap.status[QIAO_HTLC_INIT], b = r->swap.status[QIAO_HTLC_PART];
    if (settled(a) && settled(b))
        return 1;
    /* The participant can no longer lock once its timelock is past (the contract refuses a lock
     * whose timelock is not in the future), so an initiator who got its refund is done. */
    return settled(a) && b == QIAO_HTLC_NONE &&
           now_part >= r->swap.terms.leg[QIAO_HTLC_PART].timelock;
}
