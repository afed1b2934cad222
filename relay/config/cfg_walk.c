/* cfg_walk.c: field paths, the unknown-key check and typed getters for the config parser. */
#include "relay/config/cfg_walk.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"

size_t cfg_push_key(struct cfg_walk *w, const char *key)
{
    size_t old = w->len;
    int n = snprintf(w->path + w->len, sizeof(w->path) - w->len, "%s%.48s",
                     w->len && key[0] != '[' ? "." : "", key);
    if (n > 0)
        w->len = strnlen(w->path, sizeof(w->path));
    return old;
}

size_t cfg_push_index(struct cfg_walk *w, size_t i)
{
    size_t old = w->len;
    snprintf(w->path + w->len, sizeof(w->path) - w->len, "[%zu]", i);
    w->len = strnlen(w->path, sizeof(w->path));
    return old;
}

void cfg_pop(struct cfg_walk *w, size_t len)
{
    w->len = len;
    w->path[len] = 0;
}

static qiao_err vfail(struct cfg_walk *w, qiao_err code, const char *reason, const char *fmt,
                      va_list ap)
{
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    return QIAO_FAIL(w->d, code, reason, "%s: %s", w->len ? w->path : "(top level)", msg);
}

qiao_err cfg_fail(struct cfg_walk *w, qiao_err code, const char *reason, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    qiao_err err = vfail(w, code, reason, fmt, ap);
    va_end(ap);
    return err;
}

qiao_err cfg_fail_at(struct cfg_walk *w, const char *key, qiao_err code, const char *reason,
                     const char *fmt, ...)
{
    size_t old = cfg_push_key(w, key);
    va_list ap;
    va_start(ap, fmt);
    qiao_err err = vfail(w, code, reason, fmt, ap);
    va_end(ap);
    cfg_pop(w, old);
    return err;
}

/* Levenshtein distance, capped: small keys only, used for "did you mean". */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *suggest(const char *key, const char *const *allowed)
{
    const char *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; allowed[i]; i++) {
        size_t dist = distance(key, allowed[i]);
        if (dist < bd)
            bd = dist, best = allowed[i];
    }
    return best;
}

static int is_allowed(const char *key, const char *const *allowed)
{
    for (size_t i = 0; allowed[i]; i++)
        if (strcmp(key, allowed[i]) == 0)
            return 1;
    return 0;
}

qiao_err cfg_keys(struct cfg_walk *w, const cJSON *obj, const char *const *allowed)
{
    if (!cJSON_IsObject(obj))
        return cfg_fail(w, QIAO_EINVAL, "wrong-type", "must be an object");
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (strcmp(c->string, "_comment") == 0) {
            if (!cJSON_IsString(c))
                return cfg_fail_at(w, "_comment", QIAO_EINVAL, "wrong-type", "must be a string");
            continue;
        }
        if (is_allowed(c->string, allowed))
            continue;
        const char *s = suggest(c->string, allowed);
        char hint[80] = "";
        if (s)
            snprintf(hint, sizeof(hint), " (did you mean \"%s\"?)", s);
        return cfg_fail_at(w, c->string, QIAO_EINVAL, "unknown-key", "unknown key%s", hint);
    }
    return QIAO_OK;
}

qiao_err cfg_member(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                    const cJSON **out)
{
    *out = qiao_json_get(obj, key);
    if (!*out && required)
        return cfg_fail_at(w, key, QIAO_EINVAL, "missing-field", "required field is missing");
    return QIAO_OK;
}

qiao_err cfg_object(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                    const cJSON **out)
{
    QIAO_TRY(cfg_member(w, obj, key, required, out));
    if (*out && !cJSON_IsObject(*out))
        return cfg_fail_at(w, key, QIAO_EINVAL, "wrong-type", "must be an object");
    return QIAO_OK;
}

qiao_err cfg_array(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                   size_t max, const cJSON **out)
{
    QIAO_TRY(cfg_member(w, obj, key, required, out));
    if (!*out)
        return QIAO_OK;
    if (!cJSON_IsArray(*out))
        return cfg_fail_at(w, key, QIAO_EINVAL, "wrong-type", "must be an array");
    int n = cJSON_GetArraySize(*out);
    if ((size_t)n > max)
        return cfg_fail_at(w, key, QIAO_ERANGE, "too-many", "%d entries; at most %zu", n, max);
    return QIAO_OK;
}

qiao_err cfg_u64(struct cfg_walk *w, const cJSON *obj, const char *key, int required,
                 uint64_t min, uint64_t max, uint64_t *out, int *present)
{
    const cJSON *v;
    QIAO_TRY(cfg_member(w, obj, key, required, &v));
    if (present)
        *present = v != NULL;
    if (!v)
        return QIAO_OK;
    struct qiao_diag inner = {0};
    uint64_t x;
    if (qiao_json_u64(&x, obj, key, &inner) != QIAO_OK)
        return cfg_fail_at(w, key, inner.code, strcmp(inner.reason, "wrong-type") == 0
                                                   ? "wrong-type" : "out-of-range",
                           "must be an unsigned integer (a number below 2^53 or a decimal string)");
    if (x < min || x > max)
        return cfg_fail_at(w, key, QIAO_ERANGE, "out-of-range", "%llu is outside %llu..%llu",
                           (unsigned long long)x, (unsigned long long)min,
                           (unsigned long long)max);
    *out = x;
    return QIAO_OK;
}

qiao_err cfg_bool(struct cfg_walk *w, const cJSON *obj, const char *key, int required, int *out)
{
    const cJSON *v;
    QIAO_TRY(cfg_member(w, obj, key, required, &v));
    if (!v)
        return QIAO_OK;
    if (!cJSON_IsBool(v))
        return cfg_fail_at(w, key, QIAO_EINVAL, "wrong-type", "must be true or false");
    *out = cJSON_IsTrue(v);
    return QIAO_OK;
}

qiao_err cfg_str(struct cfg_walk *w, const cJSON *obj, const char *key, int required, char *out,
                 size_t cap, int *present)
{
    const cJSON *v;
    QIAO_TRY(cfg_member(w, obj, key, required, &v));
    if (present)
        *present = v != NULL;
    if (!v)
        return QIAO_OK;
    if (!cJSON_IsString(v))
        return cfg_fail_at(w, key, QIAO_EINVAL, "wrong-type", "must be a string");
    size_t n = strlen(v->valuestring);
    if (n == 0)
        return cfg_fail_at(w, key, QIAO_EINVAL, "bad-value", "must not be empty");
    if (n >= cap)
        return cfg_fail_at(w, key, QIAO_ERANGE, "too-long", "%zu bytes; at most %zu", n, cap - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)v->valuestring[i] < 0x20)
            return cfg_fail_at(w, key, QIAO_EINVAL, "bad-value", "contains a control character");
    memcpy(out, v->valuestring, n + 1);
    return QIAO_OK;
}

qiao_err cfg_hex(struct cfg_walk *w, const cJSON *obj, const char *key, int required, uint8_t *out,
                 size_t n, int *present)
{
    const cJSON *v;
    QIAO_TRY(cfg_member(w, obj, key, required, &v));
    if (present)
        *present = v != NULL;
    if (!v)
        return QIAO_OK;
    if (!cJSON_IsString(v))
        return cfg_fail_at(w, key, QIAO_EINVAL, "wrong-type", "must be a hex string");
    struct qiao_diag inner = {0};
    if (qiao_hex_decode_exact(out, n, v->valuestring, &inner) != QIAO_OK)
        return cfg_fail_at(w, key, QIAO_EINVAL, "bad-hex", "not %zu bytes of hex: %s", n,
                           inner.msg);
    return QIAO_OK;
}

qiao_err cfg_addr_value(struct cfg_walk *w, const cJSON *v, uint8_t out[20])
{
    static const uint8_t zero[20];
    if (!cJSON_IsString(v))
        return cfg_fail(w, QIAO_EINVAL, "wrong-type", "must be a 0x-prefixed address string");
    struct qiao_diag inner = {0};
    if (strncmp(v->valuestring, "0x", 2) != 0 ||
        qiao_hex_decode_exact(out, 20, v->valuestring, &inner) != QIAO_OK)
        return cfg_fail(w, QIAO_EINVAL, "bad-hex", "\"%.48s\" is not a 0x-prefixed 20-byte hex "
                        "address", v->valuestring);
    if (memcmp(out, zero, 20) == 0)
        return cfg_fail(w, QIAO_EINVAL, "zero-address", "the zero address is not allowed");
    return QIAO_OK;
}
