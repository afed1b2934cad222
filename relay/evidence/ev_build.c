/*
 * ev_build.c: bundle → canonical JSON (docs/EVIDENCE_FORMAT.md §2).
 *
 * The builder assembles a cJSON tree with the format's member names and hands it to the one
 * canonical writer (ev_canon.c), so key order and number spelling are decided in one place.  The
 * parser rebuilds every bundle it reads with this code and compares bytes, which is what makes
 * "the canonical core" a well-defined byte string for RFC 3161 imprints.
 */
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/evidence/ev_canon.h"
#include "relay/evidence/evidence.h"

/* cJSON's Add functions ignore a NULL item, so an allocation failure would silently drop a
 * member; every adder here records it in ok instead, and the build fails as a whole. */
struct tree {
    int ok;
};

static void add(struct tree *t, cJSON *obj, const char *key, cJSON *item)
{
    if (!obj || !item || !cJSON_AddItemToObject(obj, key, item)) {
        t->ok = 0;
        cJSON_Delete(item);
    }
}

static void push(struct tree *t, cJSON *arr, cJSON *item)
{
    if (!arr || !item || !cJSON_AddItemToArray(arr, item)) {
        t->ok = 0;
        cJSON_Delete(item);
    }
}

static cJSON *hex_array(struct tree *t, const uint8_t *p, size_t stride, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++)
        push(t, a, qiao_ev_json_hex(p + i * stride, stride));
    return a;
}

static cJSON *headers_array(struct tree *t, const struct qiao_ev_segment *s)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < s->nheaders; i++)
        push(t, a, qiao_ev_json_hex(s->headers[i].p, s->headers[i].len));
    return a;
}

static cJSON *record_obj(struct tree *t, const struct qiao_ev_bundle *b)
{
    cJSON *o = cJSON_CreateObject();
    add(t, o, "payload", qiao_ev_json_hex(b->record.payload.p, b->record.payload.len));
    add(t, o, "sha256", qiao_ev_json_hex(b->record.sha256, 32));
    add(t, o, "subject", cJSON_CreateString(b->record.subject));
    add(t, o, "sourceTime", qiao_ev_json_u64(b->record.source_time));
    add(t, o, "observedTime", qiao_ev_json_u64(b->record.observed_time));
    return o;
}

static cJSON *message_obj(struct tree *t, const struct qiao_ev_bundle *b)
{
    const struct qiao_message *m = &b->message;
    cJSON *o = cJSON_CreateObject();
    add(t, o, "version", qiao_ev_json_u64(m->version));
    add(t, o, "srcChainId", qiao_ev_json_u64(m->src_chain_id));
    add(t, o, "srcEmitter", qiao_ev_json_hex(m->src_emitter, 20));
    add(t, o, "seq", qiao_ev_json_u64(m->seq));
    add(t, o, "dstChainId", qiao_ev_json_u64(m->dst_chain_id));
    add(t, o, "sender", qiao_ev_json_hex(m->sender, 20));
    add(t, o, "receiver", qiao_ev_json_hex(m->receiver, 20));
    add(t, o, "payloadHash", qiao_ev_json_hex(m->payload_hash, 32));
    add(t, o, "id", qiao_ev_json_hex(b->message_id, 32));
    return o;
}

/* evm and bitcoin segments share a shape; the names of proof and index differ. */
static cJSON *segment_obj(struct tree *t, const struct qiao_ev_segment *s, int bitcoin)
{
    cJSON *o = cJSON_CreateObject();
    add(t, o, "chainId", qiao_ev_json_u64(s->chain_id));
    add(t, o, "headers", headers_array(t, s));
    add(t, o, "block", qiao_ev_json_u64(s->block));
    add(t, o, bitcoin ? "merklePath" : "receiptProof", qiao_ev_json_hex(s->proof.p, s->proof.len));
    add(t, o, bitcoin ? "txIndex" : "logIndex", qiao_ev_json_u64(s->index));
    return o;
}

static cJSON *light_blocks(struct tree *t, const struct qiao_ev_source *s)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < s->nlight; i++) {
        cJSON *lb = cJSON_Parse(s->light_blocks[i]);
        if (!lb)
            t->ok = 0;
        push(t, a, lb);
    }
    return a;
}

static cJSON *source_obj(struct tree *t, const struct qiao_ev_source *s)
{
    cJSON *o;
    if (s->family == QIAO_EV_COMETBFT) {
        o = cJSON_CreateObject();
        add(t, o, "chainId", qiao_ev_json_u64(s->seg.chain_id));
        add(t, o, "lightBlocks", light_blocks(t, s));
        add(t, o, "field", cJSON_CreateString(s->field));
        add(t, o, "binding",
            cJSON_CreateString(s->binding == QIAO_EV_BIND_SHA256 ? "sha256" : "value"));
    } else {
        o = segment_obj(t, &s->seg, s->family == QIAO_EV_BITCOIN);
    }
    add(t, o, "family", cJSON_CreateString(qiao_ev_family_name(s->family)));
    return o;
}

static cJSON *cert_obj(struct tree *t, const struct qiao_ev_bundle *b)
{
    cJSON *o = cJSON_CreateObject();
    add(t, o, "committeeId", qiao_ev_json_hex(b->cert.committee_id, 32));
    add(t, o, "epoch", qiao_ev_json_u64(b->cert.epoch));
    add(t, o, "signatures", hex_array(t, b->cert.nsigs ? &b->cert.sigs[0][0] : NULL, 65, b->cert.nsigs));
    return o;
}

static cJSON *updates_array(struct tree *t, const struct qiao_ev_bundle *b)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < b->nupdates; i++) {
        const struct qiao_ev_update *u = &b->updates[i];
        cJSON *o = cJSON_CreateObject();
        add(t, o, "epoch", qiao_ev_json_u64(u->epoch));
        add(t, o, "k", qiao_ev_json_u64(u->k));
        add(t, o, "members", hex_array(t, u->n ? &u->members[0][0] : NULL, 20, u->n));
        add(t, o, "signatures", hex_array(t, u->nsigs ? &u->sigs[0][0] : NULL, 65, u->nsigs));
        push(t, a, o);
    }
    return a;
}

static cJSON *bundle_tree(struct tree *t, const struct qiao_ev_bundle *b, int with_timestamp)
{
    cJSON *root = cJSON_CreateObject();
    add(t, root, "format", cJSON_CreateString(QIAO_EV_FORMAT));
    add(t, root, "record", record_obj(t, b));
    add(t, root, "message", message_obj(t, b));
    add(t, root, "source", source_obj(t, &b->source));
    add(t, root, "certificate", cert_obj(t, b));
    add(t, root, "committeeUpdates", updates_array(t, b));
    add(t, root, "delivery", segment_obj(t, &b->delivery, 0));
    if (with_timestamp && b->timestamp.len) {
        cJSON *ts = cJSON_CreateObject();
        add(t, ts, "token", qiao_ev_json_hex(b->timestamp.p, b->timestamp.len));
        add(t, root, "timestamp", ts);
    }
    return root;
}

qiao_err qiao_ev_build(struct qiao_buf *out, const struct qiao_ev_bundle *b, int with_timestamp,
                       struct qiao_diag *d)
{
    if (b->source.family < QIAO_EV_EVM || b->source.family > QIAO_EV_COMETBFT)
        return QIAO_FAIL(d, QIAO_EINVAL, "unknown-family", "bundle source family %d unknown",
                         (int)b->source.family);
    struct tree t = {.ok = 1};
    cJSON *root = bundle_tree(&t, b, with_timestamp);
    qiao_err err = t.ok ? qiao_ev_canon(out, root, d)
                        : QIAO_FAIL(d, QIAO_EINVAL, "build-failed",
                                    "out of memory, or a CometBFT light block is not JSON");
    cJSON_Delete(root);
    return err;
}
