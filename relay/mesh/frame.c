/* frame.c: strict parsing and building of mesh frames (see frame.h). */
#include "relay/mesh/frame.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"

struct frame_kind {
    const char *name;
    enum qiao_mesh_type type;
    const char *fields[6]; /* every member the type allows, "type" included */
};

static const struct frame_kind kinds[] = {
    {.name = "hello", .type = QIAO_MESH_HELLO,
     .fields = {"type", "v", "committee", "epoch", "from", "nonce"}},
    {.name = "auth", .type = QIAO_MESH_AUTH, .fields = {"type", "sig"}},
    {.name = "att", .type = QIAO_MESH_ATT, .fields = {"type", "id", "epoch", "sig"}},
    {.name = "want", .type = QIAO_MESH_WANT, .fields = {"type", "ids"}},
    {.name = "hb", .type = QIAO_MESH_HB, .fields = {"type", "t"}},
};
#define KIND_COUNT (sizeof(kinds) / sizeof(kinds[0]))

const char *qiao_mesh_type_name(enum qiao_mesh_type t)
{
    for (size_t i = 0; i < KIND_COUNT; i++)
        if (kinds[i].type == t)
            return kinds[i].name;
    return "unknown";
}

static qiao_err check_fields(const cJSON *root, const struct frame_kind *k, struct qiao_diag *d)
{
    for (const cJSON *c = root->child; c; c = c->next) {
        int known = 0;
        for (size_t i = 0; i < 6 && k->fields[i]; i++)
            known |= strcmp(c->string, k->fields[i]) == 0;
        if (!known)
            return QIAO_FAIL(d, QIAO_EINVAL, "unknown-field", "%s frame: unknown field \"%.40s\"",
                             k->name, c->string);
    }
    return QIAO_OK;
}

static qiao_err parse_hello(struct qiao_mesh_frame *f, const cJSON *j, struct qiao_diag *d)
{
    uint64_t v;
    QIAO_TRY(qiao_json_u64(&v, j, "v", d));
    if (v != QIAO_MESH_VERSION)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "bad-version", "hello: protocol version %llu, this "
                         "notary speaks %d", (unsigned long long)v, QIAO_MESH_VERSION);
    QIAO_TRY(qiao_json_hex_exact(f->u.hello.committee, 32, j, "committee", d));
    QIAO_TRY(qiao_json_u64(&f->u.hello.epoch, j, "epoch", d));
    QIAO_TRY(qiao_json_hex_exact(f->u.hello.from, 20, j, "from", d));
    return qiao_json_hex_exact(f->u.hello.nonce, 32, j, "nonce", d);
}

static qiao_err parse_want(struct qiao_mesh_frame *f, const cJSON *j, struct qiao_diag *d)
{
    const cJSON *ids;
    QIAO_TRY(qiao_json_array(&ids, j, "ids", d));
    f->u.want.count = 0;
    for (const cJSON *c = ids->child; c; c = c->next) {
        if (f->u.want.count == QIAO_MESH_MAX_WANT)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-many-ids", "want: more than %d ids",
                             QIAO_MESH_MAX_WANT);
        if (!cJSON_IsString(c))
            return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "want: ids[%zu] is not a string",
                             f->u.want.count);
        if (qiao_hex_decode_exact(f->u.want.ids[f->u.want.count], 32, c->valuestring, d))
            return qiao_diag_wrap(d, "want: ids[%zu]", f->u.want.count);
        f->u.want.count++;
    }
    return QIAO_OK;
}

static qiao_err parse_body(struct qiao_mesh_frame *f, const cJSON *j, struct qiao_diag *d)
{
    switch (f->type) {
    case QIAO_MESH_HELLO:
        return parse_hello(f, j, d);
    case QIAO_MESH_AUTH:
        return qiao_json_hex_exact(f->u.auth.sig, 65, j, "sig", d);
    case QIAO_MESH_ATT:
        QIAO_TRY(qiao_json_hex_exact(f->u.att.id, 32, j, "id", d));
        QIAO_TRY(qiao_json_u64(&f->u.att.epoch, j, "epoch", d));
        return qiao_json_hex_exact(f->u.att.sig, 65, j, "sig", d);
    case QIAO_MESH_WANT:
        return parse_want(f, j, d);
    case QIAO_MESH_HB:
        return qiao_json_u64(&f->u.hb.t_ms, j, "t", d);
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "unknown-type", "unhandled frame type");
}

qiao_err qiao_mesh_frame_parse(struct qiao_mesh_frame *out, const char *text, size_t len,
                               size_t max_len, struct qiao_diag *d)
{
    if (!max_len)
        max_len = QIAO_MESH_MAX_FRAME;
    if (len > max_len)
        return QIAO_FAIL(d, QIAO_ERANGE, "frame-too-large", "frame of %zu bytes exceeds the %zu-byte cap",
                         len, max_len);
    cJSON *j = NULL;
    QIAO_TRY(qiao_json_parse(&j, text, len, max_len, 4, d));
    const char *type = NULL;
    const struct frame_kind *k = NULL;
    qiao_err err = cJSON_IsObject(j) ? qiao_json_str(&type, j, "type", d)
                                     : QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "frame is not a JSON object");
    for (size_t i = 0; !err && i < KIND_COUNT; i++)
        if (strcmp(type, kinds[i].name) == 0)
            k = &kinds[i];
    if (!err && !k)
        err = QIAO_FAIL(d, QIAO_EINVAL, "unknown-type", "unknown frame type \"%.32s\"", type);
    if (!err) {
        memset(out, 0, sizeof(*out));
        out->type = k->type;
        err = check_fields(j, k, d);
    }
    if (!err && (err = parse_body(out, j, d)) != QIAO_OK)
        qiao_diag_wrap(d, "%s frame", k->name);
    cJSON_Delete(j);
    return err;
}

static qiao_err build_want(struct qiao_buf *b, const struct qiao_mesh_frame *f, struct qiao_diag *d)
{
    char id[67];
    QIAO_TRY(qiao_buf_printf(b, d, "{\"type\":\"want\",\"ids\":["));
    for (size_t i = 0; i < f->u.want.count && i < QIAO_MESH_MAX_WANT; i++) {
        qiao_hex_encode0x(id, f->u.want.ids[i], 32);
        QIAO_TRY(qiao_buf_printf(b, d, "%s\"%s\"", i ? "," : "", id));
    }
    return qiao_buf_printf(b, d, "]}");
}

static qiao_err build_body(struct qiao_buf *b, const struct qiao_mesh_frame *f, struct qiao_diag *d)
{
    char h1[67], h2[67], h3[133];
    switch (f->type) {
    case QIAO_MESH_HELLO:
        qiao_hex_encode0x(h1, f->u.hello.committee, 32);
        qiao_hex_encode0x(h2, f->u.hello.from, 20);
        qiao_hex_encode0x(h3, f->u.hello.nonce, 32);
        return qiao_buf_printf(b, d, "{\"type\":\"hello\",\"v\":%d,\"committee\":\"%s\",\"epoch\":\"%llu\","
                   "\"from\":\"%s\",\"nonce\":\"%s\"}", QIAO_MESH_VERSION, h1,
                   (unsigned long long)f->u.hello.epoch, h2, h3);
    case QIAO_MESH_AUTH:
        qiao_hex_encode0x(h3, f->u.auth.sig, 65);
        return qiao_buf_printf(b, d, "{\"type\":\"auth\",\"sig\":\"%s\"}", h3);
    case QIAO_MESH_ATT:
        qiao_hex_encode0x(h1, f->u.att.id, 32);
        qiao_hex_encode0x(h3, f->u.att.sig, 65);
        return qiao_buf_printf(b, d, "{\"type\":\"att\",\"id\":\"%s\",\"epoch\":\"%llu\",\"sig\":\"%s\"}", h1,
                   (unsigned long long)f->u.att.epoch, h3);
    case QIAO_MESH_WANT:
        return build_want(b, f, d);
    case QIAO_MESH_HB:
        return qiao_buf_printf(b, d, "{\"type\":\"hb\",\"t\":\"%llu\"}", (unsigned long long)f->u.hb.t_ms);
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "unknown-type", "cannot build frame type %d", (int)f->type);
}

qiao_err qiao_mesh_frame_build(struct qiao_buf *b, const struct qiao_mesh_frame *f,
                               struct qiao_diag *d)
{
    QIAO_TRY(build_body(b, f, d));
    QIAO_TRY(qiao_buf_reserve(b, 1, d));
    b->p[b->len] = '\0';
    return QIAO_OK;
}
