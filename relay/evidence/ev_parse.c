/*
 * ev_parse.c: strict parsing of `qiao-evidence/1` bundles.
 *
 * Hostile input: the JSON goes through qiao_json_parse (size and depth caps, duplicate keys,
 * trailing bytes), every object's members must be exactly the format's (unknown members are
 * refused, so a second reader cannot see data this one ignored), arrays and byte strings are
 * capped, and finally the bundle is rebuilt and must reproduce the input byte for byte
 * ("non-canonical"): one bundle, one encoding, one core digest.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/evidence/ev_canon.h"
#include "relay/evidence/evidence.h"

#define PROOF_MAX ((size_t)4 << 20)
#define HEADER_MAX ((size_t)64 << 10)
#define TOKEN_MAX ((size_t)64 << 10)

/* Refuse any member of obj not named in keys (NULL-terminated). */
static qiao_err only_keys(const cJSON *obj, const char *const *keys, const char *what,
                          struct qiao_diag *d)
{
    if (!cJSON_IsObject(obj))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "%s is not a JSON object", what);
    for (const cJSON *c = obj->child; c; c = c->next) {
        size_t i = 0;
        while (keys[i] && strcmp(keys[i], c->string) != 0)
            i++;
        if (!keys[i])
            return QIAO_FAIL(d, QIAO_EINVAL, "unknown-field", "%s has an unknown member \"%s\"",
                             what, c->string);
    }
    return QIAO_OK;
}

static qiao_err hex_bytes(struct qiao_ev_bytes *out, const cJSON *obj, const char *key,
                          size_t max, const char *what, struct qiao_diag *d)
{
    const char *s;
    QIAO_TRY(qiao_json_str(&s, obj, key, d));
    free(out->p);
    out->p = NULL, out->len = 0;
    if (qiao_hex_decode_alloc(&out->p, &out->len, s, max, d) != QIAO_OK)
        return qiao_diag_wrap(d, "%s.%s", what, key);
    return QIAO_OK;
}

static qiao_err hex_item(uint8_t *out, size_t n, const cJSON *item, const char *what, size_t i,
                         struct qiao_diag *d)
{
    if (!cJSON_IsString(item))
        return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "%s[%zu] is not a string", what, i);
    if (qiao_hex_decode_exact(out, n, item->valuestring, d) != QIAO_OK)
        return qiao_diag_wrap(d, "%s[%zu]", what, i);
    return QIAO_OK;
}

/* An array of fixed-size hex items into a fresh array of n-byte rows. */
static qiao_err hex_rows(uint8_t **rows, size_t *count, const cJSON *obj, const char *key,
                         size_t n, size_t max, const char *what, struct qiao_diag *d)
{
    const cJSON *a;
    QIAO_TRY(qiao_json_array(&a, obj, key, d));
    size_t c = (size_t)cJSON_GetArraySize(a);
    if (c > max)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-items", "%s.%s has %zu items (at most %zu)",
                         what, key, c, max);
    *rows = calloc(c ? c : 1, n);
    if (!*rows)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "no memory for %s.%s", what, key);
    size_t i = 0;
    for (const cJSON *it = a->child; it; it = it->next, i++)
        QIAO_TRY(hex_item(*rows + i * n, n, it, key, i, d));
    *count = c;
    return QIAO_OK;
}

static qiao_err parse_record(struct qiao_ev_bundle *b, const cJSON *o, struct qiao_diag *d)
{
    static const char *const keys[] = {"payload", "sha256", "subject", "sourceTime",
                                       "observedTime", NULL};
    const char *subject;
    QIAO_TRY(only_keys(o, keys, "record", d));
    QIAO_TRY(hex_bytes(&b->record.payload, o, "payload", QIAO_MSG_PAYLOAD_MAX, "record", d));
    QIAO_TRY(qiao_json_hex_exact(b->record.sha256, 32, o, "sha256", d));
    QIAO_TRY(qiao_json_str(&subject, o, "subject", d));
    if (strlen(subject) >= QIAO_EV_SUBJECT_MAX)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-long", "record.subject is over %d bytes",
                         QIAO_EV_SUBJECT_MAX - 1);
    strcpy(b->record.subject, subject);
    QIAO_TRY(qiao_json_u64(&b->record.source_time, o, "sourceTime", d));
    return qiao_json_u64(&b->record.observed_time, o, "observedTime", d);
}

static qiao_err parse_message(struct qiao_ev_bundle *b, const cJSON *o, struct qiao_diag *d)
{
    static const char *const keys[] = {"version", "srcChainId", "srcEmitter", "seq", "dstChainId",
                                       "sender", "receiver", "payloadHash", "id", NULL};
    struct qiao_message *m = &b->message;
    uint64_t version;
    QIAO_TRY(only_keys(o, keys, "message", d));
    QIAO_TRY(qiao_json_u64(&version, o, "version", d));
    if (version > 255)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-integer", "message.version %llu is above 255",
                         (unsigned long long)version);
    m->version = (uint8_t)version;
    QIAO_TRY(qiao_json_u64(&m->src_chain_id, o, "srcChainId", d));
    QIAO_TRY(qiao_json_hex_exact(m->src_emitter, 20, o, "srcEmitter", d));
    QIAO_TRY(qiao_json_u64(&m->seq, o, "seq", d));
    QIAO_TRY(qiao_json_u64(&m->dst_chain_id, o, "dstChainId", d));
    QIAO_TRY(qiao_json_hex_exact(m->sender, 20, o, "sender", d));
    QIAO_TRY(qiao_json_hex_exact(m->receiver, 20, o, "receiver", d));
    QIAO_TRY(qiao_json_hex_exact(m->payload_hash, 32, o, "payloadHash", d));
    return qiao_json_hex_exact(b->message_id, 32, o, "id", d);
}

static qiao_err parse_headers(struct qiao_ev_segment *s, const cJSON *o, const char *what,
                              struct qiao_diag *d)
{
    const cJSON *a;
    QIAO_TRY(qiao_json_array(&a, o, "headers", d));
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    if (n == 0 || n > QIAO_EV_MAX_HEADERS)
        return QIAO_FAIL(d, QIAO_ERANGE, "header-count", "%s.headers has %zu headers (1..%d)",
                         what, n, QIAO_EV_MAX_HEADERS);
    s->headers = calloc(n, sizeof(*s->headers));
    if (!s->headers)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "no memory for %s.headers", what);
    s->nheaders = n;
    for (const cJSON *it = a->child; it; it = it->next, i++) {
        if (!cJSON_IsString(it))
            return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "%s.headers[%zu] is not a string",
                             what, i);
        if (qiao_hex_decode_alloc(&s->headers[i].p, &s->headers[i].len, it->valuestring,
                                  HEADER_MAX, d) != QIAO_OK)
            return qiao_diag_wrap(d, "%s.headers[%zu]", what, i);
    }
    return QIAO_OK;
}

static qiao_err parse_segment(struct qiao_ev_segment *s, const cJSON *o, int bitcoin,
                              const char *what, struct qiao_diag *d)
{
    const char *proof = bitcoin ? "merklePath" : "receiptProof";
    const char *index = bitcoin ? "txIndex" : "logIndex";
    QIAO_TRY(qiao_json_u64(&s->chain_id, o, "chainId", d));
    QIAO_TRY(parse_headers(s, o, what, d));
    QIAO_TRY(qiao_json_u64(&s->block, o, "block", d));
    QIAO_TRY(hex_bytes(&s->proof, o, proof, PROOF_MAX, what, d));
    return qiao_json_u64(&s->index, o, index, d);
}

static qiao_err parse_light_blocks(struct qiao_ev_source *s, const cJSON *o, struct qiao_diag *d)
{
    const cJSON *a;
    QIAO_TRY(qiao_json_array(&a, o, "lightBlocks", d));
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    if (n < 2 || n > QIAO_EV_MAX_LIGHT_BLOCKS)
        return QIAO_FAIL(d, QIAO_ERANGE, "light-block-count",
                         "source.lightBlocks has %zu blocks (2..%d: the checkpoint, then steps)",
                         n, QIAO_EV_MAX_LIGHT_BLOCKS);
    s->light_blocks = calloc(n, sizeof(char *));
    if (!s->light_blocks)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "no memory for light blocks");
    s->nlight = n;
    for (const cJSON *it = a->child; it; it = it->next, i++) {
        struct qiao_buf text = {0};
        if (!cJSON_IsObject(it))
            return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "source.lightBlocks[%zu] is not an "
                             "object", i);
        qiao_err err = qiao_ev_canon(&text, it, d);
        if (!err)
            err = qiao_buf_push(&text, 0, d);
        if (err) {
            qiao_buf_clear(&text);
            return qiao_diag_wrap(d, "source.lightBlocks[%zu]", i);
        }
        s->light_blocks[i] = (char *)text.p; /* ownership moves to the bundle */
    }
    return QIAO_OK;
}

static qiao_err parse_source(struct qiao_ev_source *s, const cJSON *o, struct qiao_diag *d)
{
    static const char *const seg_keys[] = {"family", "chainId", "headers", "block", "receiptProof",
                                           "logIndex", "merklePath", "txIndex", NULL};
    static const char *const bft_keys[] = {"family", "chainId", "lightBlocks", "field", "binding",
                                           NULL};
    const char *fam, *field, *binding;
    QIAO_TRY(qiao_json_str(&fam, o, "family", d));
    QIAO_TRY(qiao_ev_family_parse(&s->family, fam, d));
    if (s->family != QIAO_EV_COMETBFT) {
        QIAO_TRY(only_keys(o, seg_keys, "source", d));
        return parse_segment(&s->seg, o, s->family == QIAO_EV_BITCOIN, "source", d);
    }
    QIAO_TRY(only_keys(o, bft_keys, "source", d));
    QIAO_TRY(qiao_json_u64(&s->seg.chain_id, o, "chainId", d));
    QIAO_TRY(parse_light_blocks(s, o, d));
    QIAO_TRY(qiao_json_str(&field, o, "field", d));
    if (strlen(field) >= sizeof(s->field))
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-field-name", "source.field \"%.32s\" is not a "
                         "header field", field);
    strcpy(s->field, field);
    QIAO_TRY(qiao_json_str(&binding, o, "binding", d));
    if (strcmp(binding, "value") && strcmp(binding, "sha256"))
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-binding",
                         "source.binding \"%.32s\" is neither \"value\" nor \"sha256\"", binding);
    s->binding = binding[0] == 'v' ? QIAO_EV_BIND_VALUE : QIAO_EV_BIND_SHA256;
    return QIAO_OK;
}

static qiao_err parse_cert(struct qiao_ev_bundle *b, const cJSON *o, struct qiao_diag *d)
{
    static const char *const keys[] = {"committeeId", "epoch", "signatures", NULL};
    QIAO_TRY(only_keys(o, keys, "certificate", d));
    QIAO_TRY(qiao_json_hex_exact(b->cert.committee_id, 32, o, "committeeId", d));
    QIAO_TRY(qiao_json_u64(&b->cert.epoch, o, "epoch", d));
    return hex_rows((uint8_t **)&b->cert.sigs, &b->cert.nsigs, o, "signatures", 65,
                    QIAO_COMMITTEE_MAX, "certificate", d);
}

static qiao_err parse_update(struct qiao_ev_update *u, const cJSON *o, size_t i,
                             struct qiao_diag *d)
{
    static const char *const keys[] = {"epoch", "k", "members", "signatures", NULL};
    uint64_t k;
    if (only_keys(o, keys, "committeeUpdates[]", d) ||
        qiao_json_u64(&u->epoch, o, "epoch", d) || qiao_json_u64(&k, o, "k", d) ||
        hex_rows((uint8_t **)&u->members, &u->n, o, "members", 20, QIAO_COMMITTEE_MAX,
                 "committeeUpdates[]", d) ||
        hex_rows((uint8_t **)&u->sigs, &u->nsigs, o, "signatures", 65, QIAO_COMMITTEE_MAX,
                 "committeeUpdates[]", d))
        return qiao_diag_wrap(d, "committeeUpdates[%zu]", i);
    if (k > 0xffff)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-threshold", "committeeUpdates[%zu].k is above "
                         "65535", i);
    u->k = (unsigned)k;
    return QIAO_OK;
}

static qiao_err parse_updates(struct qiao_ev_bundle *b, const cJSON *root, struct qiao_diag *d)
{
    const cJSON *a;
    QIAO_TRY(qiao_json_array(&a, root, "committeeUpdates", d));
    size_t n = (size_t)cJSON_GetArraySize(a), i = 0;
    if (n > QIAO_EV_MAX_UPDATES)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-updates", "%zu committee updates (at most "
                         "%d)", n, QIAO_EV_MAX_UPDATES);
    b->updates = calloc(n ? n : 1, sizeof(*b->updates));
    if (!b->updates)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "no memory for committee updates");
    b->nupdates = n;
    for (const cJSON *it = a->child; it; it = it->next, i++)
        QIAO_TRY(parse_update(&b->updates[i], it, i, d));
    return QIAO_OK;
}

static qiao_err parse_timestamp(struct qiao_ev_bundle *b, const cJSON *root, struct qiao_diag *d)
{
    static const char *const keys[] = {"token", NULL};
    const cJSON *ts = qiao_json_get(root, "timestamp");
    if (!ts)
        return QIAO_OK;
    QIAO_TRY(only_keys(ts, keys, "timestamp", d));
    QIAO_TRY(hex_bytes(&b->timestamp, ts, "token", TOKEN_MAX, "timestamp", d));
    if (!b->timestamp.len)
        return QIAO_FAIL(d, QIAO_EINVAL, "empty-token", "timestamp.token is empty");
    return QIAO_OK;
}

static qiao_err parse_tree(struct qiao_ev_bundle *b, const cJSON *root, struct qiao_diag *d)
{
    static const char *const keys[] = {"format", "record", "message", "source", "certificate",
                                       "committeeUpdates", "delivery", "timestamp", NULL};
    static const char *const dkeys[] = {"chainId", "headers", "block", "receiptProof", "logIndex",
                                        NULL};
    const char *format;
    const cJSON *o;
    QIAO_TRY(only_keys(root, keys, "bundle", d));
    QIAO_TRY(qiao_json_str(&format, root, "format", d));
    if (strcmp(format, QIAO_EV_FORMAT) != 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-format", "format \"%.40s\" is not \"%s\"",
                         format, QIAO_EV_FORMAT);
    QIAO_TRY(qiao_json_object(&o, root, "record", d));
    QIAO_TRY(parse_record(b, o, d));
    QIAO_TRY(qiao_json_object(&o, root, "message", d));
    QIAO_TRY(parse_message(b, o, d));
    QIAO_TRY(qiao_json_object(&o, root, "source", d));
    QIAO_TRY(parse_source(&b->source, o, d));
    QIAO_TRY(qiao_json_object(&o, root, "certificate", d));
    QIAO_TRY(parse_cert(b, o, d));
    QIAO_TRY(parse_updates(b, root, d));
    QIAO_TRY(qiao_json_object(&o, root, "delivery", d));
    QIAO_TRY(only_keys(o, dkeys, "delivery", d));
    QIAO_TRY(parse_segment(&b->delivery, o, 0, "delivery", d));
    return parse_timestamp(b, root, d);
}

static qiao_err check_canonical(const struct qiao_ev_bundle *b, const char *text, size_t len,
                                struct qiao_diag *d)
{
    struct qiao_buf again = {0};
    qiao_err err = qiao_ev_build(&again, b, 1, d);
    if (!err && (again.len != len || memcmp(again.p, text, len) != 0)) {
        size_t i = 0;
        while (i < len && i < again.len && again.p[i] == (uint8_t)text[i])
            i++;
        err = QIAO_FAIL(d, QIAO_EINVAL, "non-canonical",
                        "the bundle is not in canonical form (first difference at byte %zu)", i);
    }
    qiao_buf_clear(&again);
    return err;
}

qiao_err qiao_ev_parse(struct qiao_ev_bundle *b, const char *text, size_t len,
                       struct qiao_diag *d)
{
    cJSON *root = NULL;
    memset(b, 0, sizeof(*b));
    QIAO_TRY(qiao_json_parse(&root, text, len, QIAO_EV_MAX_BYTES, 0, d));
    qiao_err err = parse_tree(b, root, d);
    cJSON_Delete(root);
    b->message.payload = b->record.payload.p;
    b->message.payload_len = b->record.payload.len;
    return err ? err : check_canonical(b, text, len, d);
}
