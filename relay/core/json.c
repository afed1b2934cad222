/* json.c: strict parsing and typed getters over cJSON (see json.h). */
#include "relay/core/json.h"

#include <stdlib.h>
#include <string.h>

#include "relay/core/file.h"
#include "relay/core/hex.h"

#define QIAO_JSON_MAX_MEMBERS 4096 /* wider objects are refused outright */
#define SMALL_OBJECT 16             /* up to this many members a pairwise scan is cheapest */

static qiao_err duplicate(const char *key, struct qiao_diag *d)
{
    return QIAO_FAIL(d, QIAO_EINVAL, "duplicate-key", "JSON key \"%.64s\" appears twice", key);
}

static int key_cmp(const void *a, const void *b)
{
    return strcmp((*(const cJSON *const *)a)->string, (*(const cJSON *const *)b)->string);
}

/* Width cap and duplicate keys of one object.  Sorting the keys keeps this O(n log n): the
 * pairwise scan it replaces cost 8 million comparisons per 4096-member object, so one 16 MiB
 * reply of such objects (the RPC cap) held the relay's thread for about 15 s of CPU. */
static qiao_err check_keys(const cJSON *obj, struct qiao_diag *d)
{
    size_t n = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        if (++n > QIAO_JSON_MAX_MEMBERS)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-wide", "JSON object has over %d members",
                             QIAO_JSON_MAX_MEMBERS);
    if (n <= SMALL_OBJECT) {
        for (const cJSON *c = obj->child; c; c = c->next)
            for (const cJSON *p = obj->child; p != c; p = p->next)
                if (strcmp(p->string, c->string) == 0)
                    return duplicate(c->string, d);
        return QIAO_OK;
    }
    const cJSON **keys = malloc(n * sizeof(*keys));
    if (!keys)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "cannot sort %zu JSON keys", n);
    size_t i = 0;
    for (const cJSON *c = obj->child; c; c = c->next)
        keys[i++] = c;
    qsort(keys, n, sizeof(*keys), key_cmp);
    qiao_err err = QIAO_OK;
    for (i = 1; !err && i < n; i++)
        if (strcmp(keys[i - 1]->string, keys[i]->string) == 0)
            err = duplicate(keys[i]->string, d);
    free(keys);
    return err;
}

/* Walk the tree: depth cap, then each object's width and duplicate keys, then its members. */
static qiao_err check_tree(const cJSON *node, unsigned depth, unsigned max_depth,
                           struct qiao_diag *d)
{
    if (depth > max_depth)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-deep", "JSON nesting deeper than %u levels", max_depth);
    if (!cJSON_IsObject(node) && !cJSON_IsArray(node))
        return QIAO_OK;
    if (cJSON_IsObject(node))
        QIAO_TRY(check_keys(node, d));
    for (const cJSON *c = node->child; c; c = c->next)
        QIAO_TRY(check_tree(c, depth + 1, max_depth, d));
    return QIAO_OK;
}

/* cJSON turns the escape \u0000 (or a raw NUL byte) inside a string into a NUL in its C string,
 * which then ends early: "ab\u0000cd" would read as "ab", two texts for one value, and a key
 * "type\u0000x" as "type".  Walk the strings of the parsed span and refuse either form, except
 * that a caller may allow NULs inside string VALUES (never keys) where the sender controls the
 * whole document anyway (see json.h).  The text already parsed, so quotes and escapes are well
 * formed. */
static size_t string_end(const char *text, size_t len, size_t i)
{
    while (i < len && text[i] != '"')
        i += text[i] == '\\' ? 2 : 1;
    return i;
}

static int is_key(const char *text, size_t len, size_t close)
{
    size_t j = close + 1;
    while (j < len && strchr(" \t\r\n", text[j]) && text[j])
        j++;
    return j < len && text[j] == ':';
}

static qiao_err check_nul(const char *text, size_t len, int allow_in_values, struct qiao_diag *d)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        int nul = 0;
        if (in_string && text[i] == '\\') {
            nul = i + 5 < len && text[i + 1] == 'u' && !memcmp(text + i + 2, "0000", 4);
            if (!nul)
                i++; /* the escaped character, which may be a quote */
        } else if (in_string && text[i] == '\0') {
            nul = 1;
        } else if (text[i] == '"') {
            in_string = !in_string;
        }
        if (!nul)
            continue;
        size_t close = string_end(text, len, i);
        if (!allow_in_values || is_key(text, len, close))
            return QIAO_FAIL(d, QIAO_EINVAL, "nul-in-string",
                             "JSON string holds \\u0000 or a NUL byte at byte %zu", i);
        i = close;       /* skip the rest of this value string */
        in_string = 0;
    }
    return QIAO_OK;
}

static size_t line_of(const char *text, size_t off)
{
    size_t line = 1;
    for (size_t i = 0; i < off; i++)
        line += text[i] == '\n';
    return line;
}

qiao_err qiao_json_parse(cJSON **out, const char *text, size_t len, size_t max_bytes,
                         unsigned max_depth, struct qiao_diag *d)
{
    return qiao_json_parse_ex(out, text, len, max_bytes, max_depth, 0, d);
}

qiao_err qiao_json_parse_ex(cJSON **out, const char *text, size_t len, size_t max_bytes,
                            unsigned max_depth, unsigned flags, struct qiao_diag *d)
{
    *out = NULL;
    if (!max_bytes)
        max_bytes = QIAO_JSON_MAX_BYTES;
    if (!max_depth)
        max_depth = QIAO_JSON_MAX_DEPTH;
    if (len > max_bytes)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-large", "JSON of %zu bytes exceeds the %zu-byte cap", len,
                         max_bytes);
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!root) {
        size_t off = end ? (size_t)(end - text) : 0;
        const char *err = cJSON_GetErrorPtr();
        if (err && err >= text && err <= text + len)
            off = (size_t)(err - text);
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-json", "malformed JSON at byte %zu (line %zu)", off,
                         line_of(text, off));
    }
    size_t off = (size_t)(end - text);
    while (off < len && text[off] && strchr(" \t\r\n", text[off]))
        off++;
    qiao_err err = QIAO_OK;
    if (off < len)
        err = QIAO_FAIL(d, QIAO_EINVAL, "trailing-bytes", "unexpected data after JSON at byte %zu", off);
    if (!err)
        err = check_nul(text, (size_t)(end - text), (flags & QIAO_JSON_NUL_IN_VALUES) != 0, d);
    if (!err)
        err = check_tree(root, 0, max_depth, d);
    if (err) {
        cJSON_Delete(root);
        return err;
    }
    *out = root;
    return QIAO_OK;
}

qiao_err qiao_json_parse_file(cJSON **out, const char *path, size_t max_bytes, unsigned max_depth,
                              struct qiao_diag *d)
{
    struct qiao_buf text = {0};
    *out = NULL;
    if (!max_bytes)
        max_bytes = QIAO_JSON_MAX_BYTES;
    qiao_err err = qiao_file_read(&text, path, max_bytes, d);
    if (!err && (err = qiao_json_parse(out, (const char *)text.p, text.len, max_bytes, max_depth,
                                       d)) != QIAO_OK)
        qiao_diag_wrap(d, "%s", path);
    qiao_buf_clear(&text);
    return err;
}

const cJSON *qiao_json_get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static qiao_err member(const cJSON **out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    *out = qiao_json_get(obj, key);
    if (!*out)
        return QIAO_FAIL(d, QIAO_EINVAL, "missing-field", "required field \"%s\" is missing", key);
    return QIAO_OK;
}

static qiao_err wrong_type(const char *key, const char *want, struct qiao_diag *d)
{
    return QIAO_FAIL(d, QIAO_EINVAL, "wrong-type", "field \"%s\" must be %s", key, want);
}

qiao_err qiao_json_str(const char **out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    const cJSON *v;
    QIAO_TRY(member(&v, obj, key, d));
    if (!cJSON_IsString(v))
        return wrong_type(key, "a string", d);
    *out = v->valuestring;
    return QIAO_OK;
}

qiao_err qiao_json_hex_exact(uint8_t *out, size_t n, const cJSON *obj, const char *key,
                             struct qiao_diag *d)
{
    const char *s;
    QIAO_TRY(qiao_json_str(&s, obj, key, d));
    if (qiao_hex_decode_exact(out, n, s, d))
        return qiao_diag_wrap(d, "field \"%s\"", key);
    return QIAO_OK;
}

qiao_err qiao_parse_u64(uint64_t *out, const char *s, const char *what, struct qiao_diag *d)
{
    uint64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-integer", "%s: \"%.32s\" is not a canonical unsigned integer",
                         what, s);
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-integer", "%s: \"%.32s\" is not a decimal integer", what,
                             s);
        unsigned digit = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - digit) / 10)
            return QIAO_FAIL(d, QIAO_ERANGE, "bad-integer", "%s: %.32s overflows 64 bits", what, s);
        v = v * 10 + digit;
    }
    *out = v;
    return QIAO_OK;
}

qiao_err qiao_json_u64(uint64_t *out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    const cJSON *v;
    QIAO_TRY(member(&v, obj, key, d));
    if (cJSON_IsString(v))
        return qiao_parse_u64(out, v->valuestring, key, d);
    if (!cJSON_IsNumber(v))
        return wrong_type(key, "an unsigned integer", d);
    double x = v->valuedouble;
    if (!(x >= 0) || x > 9007199254740991.0 || x != (double)(uint64_t)x)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-integer",
                         "field \"%s\" must be an exact unsigned integer below 2^53", key);
    *out = (uint64_t)x;
    return QIAO_OK;
}

qiao_err qiao_json_bool(int *out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    const cJSON *v;
    QIAO_TRY(member(&v, obj, key, d));
    if (!cJSON_IsBool(v))
        return wrong_type(key, "true or false", d);
    *out = cJSON_IsTrue(v);
    return QIAO_OK;
}

qiao_err qiao_json_array(const cJSON **out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    QIAO_TRY(member(out, obj, key, d));
    return cJSON_IsArray(*out) ? QIAO_OK : wrong_type(key, "an array", d);
}

qiao_err qiao_json_object(const cJSON **out, const cJSON *obj, const char *key, struct qiao_diag *d)
{
    QIAO_TRY(member(out, obj, key, d));
    return cJSON_IsObject(*out) ? QIAO_OK : wrong_type(key, "an object", d);
}
