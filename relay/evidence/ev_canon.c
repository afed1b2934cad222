/* ev_canon.c: canonical JSON writer (see ev_canon.h). */
#include "relay/evidence/ev_canon.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"

static qiao_err put(struct qiao_buf *o, const char *s, struct qiao_diag *d)
{
    return qiao_buf_append(o, s, strlen(s), d);
}

static qiao_err put_string(struct qiao_buf *o, const char *s, struct qiao_diag *d)
{
    QIAO_TRY(qiao_buf_push(o, '"', d));
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\', esc[1] = (char)*p, esc[2] = 0;
            QIAO_TRY(put(o, esc, d));
        } else if (*p < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            QIAO_TRY(put(o, esc, d));
        } else {
            QIAO_TRY(qiao_buf_push(o, *p, d));
        }
    }
    return qiao_buf_push(o, '"', d);
}

static qiao_err put_number(struct qiao_buf *o, const cJSON *v, struct qiao_diag *d)
{
    double x = v->valuedouble;
    if (!isfinite(x) || x != floor(x) || fabs(x) >= 9007199254740992.0)
        return QIAO_FAIL(d, QIAO_EINVAL, "non-integer-number",
                         "JSON number %g is not an integer below 2^53 (canonical form has none)",
                         x);
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, (int64_t)x);
    return put(o, num, d);
}

static int key_cmp(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string);
}

static qiao_err canon(struct qiao_buf *o, const cJSON *v, unsigned depth, struct qiao_diag *d);

static qiao_err put_object(struct qiao_buf *o, const cJSON *v, unsigned depth, struct qiao_diag *d)
{
    const cJSON *m[QIAO_EV_CANON_MAX_MEMBERS];
    size_t n = 0;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (n == QIAO_EV_CANON_MAX_MEMBERS)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-many-members",
                             "a JSON object has more than %d members", QIAO_EV_CANON_MAX_MEMBERS);
        m[n++] = c;
    }
    qsort(m, n, sizeof(m[0]), key_cmp);
    QIAO_TRY(qiao_buf_push(o, '{', d));
    for (size_t i = 0; i < n; i++) {
        if (i)
            QIAO_TRY(qiao_buf_push(o, ',', d));
        QIAO_TRY(put_string(o, m[i]->string, d));
        QIAO_TRY(qiao_buf_push(o, ':', d));
        QIAO_TRY(canon(o, m[i], depth + 1, d));
    }
    return qiao_buf_push(o, '}', d);
}

static qiao_err canon(struct qiao_buf *o, const cJSON *v, unsigned depth, struct qiao_diag *d)
{
    if (depth > QIAO_JSON_MAX_DEPTH)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-deep", "JSON nested deeper than %d levels",
                         QIAO_JSON_MAX_DEPTH);
    if (cJSON_IsObject(v))
        return put_object(o, v, depth, d);
    if (cJSON_IsArray(v)) {
        QIAO_TRY(qiao_buf_push(o, '[', d));
        for (const cJSON *c = v->child; c; c = c->next) {
            if (c != v->child)
                QIAO_TRY(qiao_buf_push(o, ',', d));
            QIAO_TRY(canon(o, c, depth + 1, d));
        }
        return qiao_buf_push(o, ']', d);
    }
    if (cJSON_IsString(v))
        return put_string(o, v->valuestring, d);
    if (cJSON_IsNumber(v))
        return put_number(o, v, d);
    if (cJSON_IsTrue(v))
        return put(o, "true", d);
    if (cJSON_IsFalse(v))
        return put(o, "false", d);
    return put(o, "null", d);
}

qiao_err qiao_ev_canon(struct qiao_buf *out, const cJSON *v, struct qiao_diag *d)
{
    return canon(out, v, 0, d);
}

cJSON *qiao_ev_json_hex(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 3);
    if (!s)
        return NULL;
    qiao_hex_encode0x(s, p, n);
    cJSON *j = cJSON_CreateString(s);
    free(s);
    return j;
}

cJSON *qiao_ev_json_u64(uint64_t v)
{
    char s[24];
    snprintf(s, sizeof(s), "%" PRIu64, v);
    return cJSON_CreateString(s);
}
