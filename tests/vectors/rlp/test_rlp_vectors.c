/*
 * test_rlp_vectors.c: ethereum/tests RLP vectors from ../shared/vectors/ethereum.
 *
 * rlptest.json: every case must encode to exactly `out`, and `out` must decode canonically and
 * re-encode to itself.  invalidRLPTest.json: every case must be rejected by the strict decoder.
 *
 * cJSON cannot hold a NUL inside a string, and one case's input is "\u0000", so string inputs are
 * read from the JSON source text with our own small literal decoder instead of from cJSON.  For
 * the same reason rlptest.json is parsed with cJSON directly: qiao_json_parse refuses any string
 * holding a NUL (it would be silently truncated), and this trusted vector file needs one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/json.h"
#include "relay/core/rlp.h"
#include "tests/qt.h"

/* Decode the JSON string literal starting at s (just after the opening quote) into out. */
static size_t json_literal(uint8_t *out, size_t cap, const char *s)
{
    size_t n = 0;
    while (*s && *s != '"' && n < cap) {
        if (*s != '\\') {
            out[n++] = (uint8_t)*s++;
            continue;
        }
        s++;
        if (*s == 'u') {
            char hex[5] = {s[1], s[2], s[3], s[4], 0};
            unsigned long v = strtoul(hex, NULL, 16);
            out[n++] = (uint8_t)v; /* the vectors only escape code points below 0x80 */
            s += 5;
        } else {
            out[n++] = (uint8_t)(*s == 'n' ? '\n' : *s == 't' ? '\t' : *s);
            s++;
        }
    }
    return n;
}

/* Find the raw text of case `name`'s "in" string literal. */
static const char *raw_in_literal(const char *text, const char *name)
{
    char key[128];
    snprintf(key, sizeof(key), "\"%s\"", name);
    const char *p = strstr(text, key);
    p = p ? strstr(p, "\"in\"") : NULL;
    p = p ? strchr(p + 4, '"') : NULL;
    return p ? p + 1 : NULL;
}

/* Decimal string to minimal big-endian bytes (for the "#bigint" inputs). */
static size_t decimal_to_be(uint8_t *out, size_t cap, const char *dec)
{
    size_t n = 0;
    memset(out, 0, cap);
    for (; *dec; dec++) {
        unsigned carry = (unsigned)(*dec - '0');
        for (size_t i = cap; i-- > 0;) {
            unsigned v = out[i] * 10u + carry;
            out[i] = (uint8_t)v;
            carry = v >> 8;
        }
    }
    while (n < cap && out[n] == 0)
        n++;
    memmove(out, out + n, cap - n);
    return cap - n;
}

static qiao_err encode_value(struct qiao_buf *b, const cJSON *v, const char *raw_literal)
{
    if (cJSON_IsNumber(v))
        return qiao_rlp_put_u64(b, (uint64_t)v->valuedouble, NULL);
    if (cJSON_IsString(v) && v->valuestring[0] == '#') {
        uint8_t be[64];
        size_t n = decimal_to_be(be, sizeof(be), v->valuestring + 1);
        return qiao_rlp_put_uint_be(b, be, n, NULL);
    }
    if (cJSON_IsString(v)) {
        uint8_t bytes[2048];
        size_t n = raw_literal ? json_literal(bytes, sizeof(bytes), raw_literal)
                               : strlen(v->valuestring);
        return qiao_rlp_put_bytes(b, raw_literal ? bytes : (const uint8_t *)v->valuestring, n,
                                  NULL);
    }
    size_t start = qiao_rlp_list_begin(b);
    for (const cJSON *c = v->child; c; c = c->next)
        QIAO_TRY(encode_value(b, c, NULL));
    return qiao_rlp_list_end(b, start, NULL);
}

/* Re-encode a decoded item from its parts (not its raw bytes) to prove the decoder's view. */
static qiao_err reencode(struct qiao_buf *b, const struct qiao_rlp_item *it)
{
    if (!it->list)
        return qiao_rlp_put_bytes(b, it->p, it->len, NULL);
    struct qiao_rlp_iter iter;
    QIAO_TRY(qiao_rlp_iter_init(&iter, it, NULL));
    size_t start = qiao_rlp_list_begin(b);
    for (;;) {
        struct qiao_rlp_item child;
        int have;
        QIAO_TRY(qiao_rlp_next(&iter, &child, &have, NULL));
        if (!have)
            break;
        QIAO_TRY(reencode(b, &child));
    }
    return qiao_rlp_list_end(b, start, NULL);
}

static void run_valid(void)
{
    const char *path = qt_vector_path("ethereum/rlptest.json");
    if (!path)
        return;
    char *text = qt_read_file(path, NULL);
    cJSON *root = text ? cJSON_Parse(text) : NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(root != NULL, "%s does not parse as JSON", path);
    int cases = 0;
    for (const cJSON *c = root ? root->child : NULL; c; c = c->next, cases++) {
        const cJSON *in = qiao_json_get(c, "in");
        const char *out_hex = NULL;
        uint8_t want[4096];
        size_t want_len = 0;
        QT_CHECK(in && qiao_json_str(&out_hex, c, "out", NULL) == QIAO_OK);
        QT_CHECK(qiao_hex_decode(want, sizeof(want), &want_len, out_hex, strlen(out_hex), NULL) == 0);
        const char *lit = cJSON_IsString(in) && in->valuestring[0] != '#'
                              ? raw_in_literal(text, c->string) : NULL;
        struct qiao_buf enc = {0}, re = {0};
        QT_CHECKF(encode_value(&enc, in, lit) == QIAO_OK, "%s: encode", c->string);
        QT_CHECKF(enc.len == want_len && memcmp(enc.p, want, want_len) == 0, "%s: encoding differs",
                  c->string);
        struct qiao_rlp_item item;
        QT_CHECKF(qiao_rlp_decode_whole(&item, want, want_len, &d) == QIAO_OK, "%s: %s", c->string,
                  d.msg);
        QT_CHECKF(reencode(&re, &item) == QIAO_OK && re.len == want_len &&
                      memcmp(re.p, want, want_len) == 0,
                  "%s: decode/re-encode round trip differs", c->string);
        qiao_buf_clear(&enc);
        qiao_buf_clear(&re);
    }
    QT_CHECKF(cases >= 28, "only %d valid cases found", cases);
    printf("rlptest.json: %d cases\n", cases);
    cJSON_Delete(root);
    free(text);
}

static void run_invalid(void)
{
    const char *path = qt_vector_path("ethereum/invalidRLPTest.json");
    if (!path)
        return;
    cJSON *root = NULL;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_json_parse_file(&root, path, 0, 0, &d) == QIAO_OK);
    int cases = 0;
    for (const cJSON *c = root ? root->child : NULL; c; c = c->next, cases++) {
        const char *out_hex = NULL;
        uint8_t bytes[4096];
        size_t n = 0;
        struct qiao_rlp_item item;
        QT_CHECK(qiao_json_str(&out_hex, c, "out", NULL) == QIAO_OK);
        QT_CHECK(qiao_hex_decode(bytes, sizeof(bytes), &n, out_hex, strlen(out_hex), NULL) == 0);
        qiao_err err = qiao_rlp_decode_whole(&item, bytes, n, &d);
        QT_CHECKF(err != QIAO_OK, "%s: invalid RLP was accepted", c->string);
        if (err)
            printf("  rejected %-34s %s\n", c->string, d.reason);
    }
    QT_CHECKF(cases >= 26, "only %d invalid cases found", cases);
    cJSON_Delete(root);
}

int main(void)
{
    run_valid();
    run_invalid();
    return qt_finish();
}
