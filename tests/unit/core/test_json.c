/* test_json.c: strict JSON input: caps, duplicate keys, trailing bytes, typed getters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/json.h"
#include "tests/qt.h"

static qiao_err parse(const char *text, cJSON **out, struct qiao_diag *d)
{
    return qiao_json_parse(out, text, strlen(text), 0, 0, d);
}

static void test_parse_rules(void)
{
    cJSON *j = NULL;
    struct qiao_diag d = {0};
    QT_CHECK(parse("{\"a\":1,\"b\":[1,2]} \n", &j, &d) == QIAO_OK && j);
    cJSON_Delete(j);
    QT_CHECK(parse("{\"a\":1,\"a\":2}", &j, &d) == QIAO_EINVAL && !j);
    QT_CHECK(strcmp(d.reason, "duplicate-key") == 0);
    QT_CHECK(parse("{\"x\":{\"a\":1,\"b\":{\"a\":2,\"a\":3}}}", &j, &d) == QIAO_EINVAL);
    QT_CHECK(parse("{\"A\":1,\"a\":2}", &j, &d) == QIAO_OK); /* keys are case-sensitive */
    cJSON_Delete(j);
    QT_CHECK(parse("{} {}", &j, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "trailing-bytes") == 0);
    QT_CHECK(parse("{\"a\":", &j, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-json") == 0);
    QT_CHECK(parse("", &j, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_json_parse(&j, "[1,2,3]", 7, 6, 0, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "too-large") == 0);
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 100);
    QT_CHECK(qiao_json_parse(&j, deep, 200, 0, 0, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "too-deep") == 0);
    QT_CHECK(qiao_json_parse(&j, deep + 80, 40, 0, 0, &d) == QIAO_OK);
    cJSON_Delete(j);
}

/* cJSON decodes \u0000 (and copies a raw NUL) into its C strings, which end there: "ab\u0000cd"
 * would read as "ab", so two texts would give one value, and a key "type\u0000x" would be the
 * key "type".  The parser must refuse a NUL inside any string or key. */
static void test_nul_in_strings(void)
{
    static const char *const bad[] = {
        "{\"a\":\"x\\u0000y\"}", "{\"a\\u0000b\":1}", "[\"\\u0000\"]",
        "{\"a\":\"\\u0000\"}", "{\"a\":[\"ok\",\"p\\u0000\"]}",
    };
    cJSON *j = NULL;
    struct qiao_diag d = {0};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        QT_CHECKF(parse(bad[i], &j, &d) == QIAO_EINVAL && !j, "case %zu: %s", i, bad[i]);
        QT_CHECKF(strcmp(d.reason, "nul-in-string") == 0, "case %zu: %s", i, d.reason);
        cJSON_Delete(j), j = NULL;
    }
    static const char raw[] = "{\"a\":\"x\0y\"}"; /* a raw NUL byte inside the string */
    QT_CHECK(qiao_json_parse(&j, raw, sizeof(raw) - 1, 0, 0, &d) == QIAO_EINVAL && !j);
    /* an escaped backslash followed by the letters u0000 is six ordinary characters */
    QT_CHECK(parse("{\"a\":\"\\\\u0000\",\"b\":\"\\u0001\\\"\\u0000x\"}", &j, &d) ==
             QIAO_EINVAL);
    QT_CHECK(parse("{\"a\":\"\\\\u0000\",\"b\":\"\\u0030\\\"\"}", &j, &d) == QIAO_OK);
    QT_CHECK(j && strcmp(cJSON_GetObjectItem(j, "a")->valuestring, "\\u0000") == 0);
    cJSON_Delete(j);
}

/* Build {"k0":0,...,"k<n-1>":0} with member `dup_at` renamed to the key of member `dup_of`. */
static char *wide_object(size_t n, size_t dup_at, size_t dup_of)
{
    char *t = malloc(n * 16 + 8), *p = t;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "%s\"k%zu\":0", i ? "," : "", i == dup_at ? dup_of : i);
    strcpy(p, "}");
    return t;
}

/* Duplicate keys are found in objects of every width the parser accepts, wherever they sit (the
 * wide-object path sorts the keys instead of comparing every pair). */
static void test_wide_objects(void)
{
    static const struct {
        size_t n, dup_at, dup_of;
        qiao_err want;
        const char *reason;
    } cases[] = {
        {4096, (size_t)-1, 0, QIAO_OK, ""},      {4096, 4095, 0, QIAO_EINVAL, "duplicate-key"},
        {4096, 1, 0, QIAO_EINVAL, "duplicate-key"}, {4096, 2048, 4095, QIAO_EINVAL, "duplicate-key"},
        {17, 16, 8, QIAO_EINVAL, "duplicate-key"},  {16, 15, 0, QIAO_EINVAL, "duplicate-key"},
        {17, (size_t)-1, 0, QIAO_OK, ""},        {4097, (size_t)-1, 0, QIAO_ERANGE, "too-wide"},
        {100, 10, 1, QIAO_EINVAL, "duplicate-key"}, /* member 10 renamed "k1" */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *t = wide_object(cases[i].n, cases[i].dup_at, cases[i].dup_of);
        cJSON *j = NULL;
        struct qiao_diag d = {0};
        qiao_err err = parse(t, &j, &d);
        QT_CHECKF(err == cases[i].want && (!err || !strcmp(d.reason, cases[i].reason)),
                  "case %zu: got %d %s", i, (int)err, d.reason);
        cJSON_Delete(j);
        free(t);
    }
    /* keys that are prefixes of each other ("k1", "k10", "k19") are not duplicates */
    char *t = wide_object(100, (size_t)-1, 0);
    cJSON *j = NULL;
    QT_CHECK(parse(t, &j, NULL) == QIAO_OK && cJSON_GetArraySize(j) == 100);
    cJSON_Delete(j);
    free(t);
    /* a duplicate nested inside a wide object is still found */
    char nested[256];
    snprintf(nested, sizeof(nested), "{\"a\":{\"x\":1,\"y\":{\"q\":1,\"q\":2}}}");
    QT_CHECK(parse(nested, &j, NULL) == QIAO_EINVAL);
}

static void test_getters(void)
{
    cJSON *j = NULL;
    struct qiao_diag d = {0};
    const char *s;
    uint64_t v;
    int b;
    uint8_t h[2];
    const cJSON *arr;
    QT_CHECK(parse("{\"s\":\"x\",\"n\":42,\"big\":\"18446744073709551615\",\"f\":1.5,"
                   "\"neg\":-1,\"t\":true,\"h\":\"0xabcd\",\"arr\":[],\"lz\":\"01\","
                   "\"over\":\"18446744073709551616\",\"Key\":1}", &j, &d) == QIAO_OK);
    QT_CHECK(qiao_json_str(&s, j, "s", &d) == QIAO_OK && strcmp(s, "x") == 0);
    QT_CHECK(qiao_json_u64(&v, j, "n", &d) == QIAO_OK && v == 42);
    QT_CHECK(qiao_json_u64(&v, j, "big", &d) == QIAO_OK && v == UINT64_MAX);
    QT_CHECK(qiao_json_u64(&v, j, "f", &d) == QIAO_EINVAL);
    QT_CHECK(qiao_json_u64(&v, j, "neg", &d) == QIAO_EINVAL);
    QT_CHECK(qiao_json_u64(&v, j, "lz", &d) == QIAO_EINVAL);
    QT_CHECK(qiao_json_u64(&v, j, "over", &d) == QIAO_ERANGE);
    QT_CHECK(qiao_json_bool(&b, j, "t", &d) == QIAO_OK && b == 1);
    QT_CHECK(qiao_json_hex_exact(h, 2, j, "h", &d) == QIAO_OK && h[0] == 0xab);
    QT_CHECK(qiao_json_array(&arr, j, "arr", &d) == QIAO_OK);
    QT_CHECK(qiao_json_str(&s, j, "n", &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "wrong-type") == 0 && strstr(d.msg, "\"n\""));
    QT_CHECK(qiao_json_str(&s, j, "missing", &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "missing-field") == 0);
    QT_CHECK(qiao_json_u64(&v, j, "key", &d) == QIAO_EINVAL); /* case-sensitive lookup */
    QT_CHECK(qiao_json_get(arr, "x") == NULL);
    cJSON_Delete(j);
}

/* RPC replies may carry NULs inside values (revert bytes in error messages); keys never. */
static void test_nul_in_values(void)
{
    cJSON *j = NULL;
    struct qiao_diag d = {0};
    static const char value[] = "{\"error\":{\"message\":\"reverted: \\u0000\\u0001x\",\"code\":3}}";
    static const char key[] = "{\"ty\\u0000pe\" : 1}";
    QT_CHECK(qiao_json_parse(&j, value, strlen(value), 0, 0, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_json_parse_ex(&j, value, strlen(value), 0, 0, QIAO_JSON_NUL_IN_VALUES, &d) ==
             QIAO_OK);
    const cJSON *e = qiao_json_get(j, "error");
    uint64_t code = 0;
    QT_CHECK(qiao_json_u64(&code, e, "code", &d) == QIAO_OK && code == 3); /* after the NUL */
    cJSON_Delete(j);
    j = NULL;
    QT_CHECK(qiao_json_parse_ex(&j, key, strlen(key), 0, 0, QIAO_JSON_NUL_IN_VALUES, &d) ==
             QIAO_EINVAL && !j);
    QT_CHECK(strcmp(d.reason, "nul-in-string") == 0);
}

int main(void)
{
    test_nul_in_values();
    test_parse_rules();
    test_nul_in_strings();
    test_wide_objects();
    test_getters();
    return qt_finish();
}
