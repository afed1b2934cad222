/*
 * props.c: the property test.  For every component of a bundle, flip one byte (or one character
 * of an embedded light block, or bump one integer) in a copy, serialise, parse and verify it, and
 * require a rejection whose report names exactly that component.  Every mutated bundle goes
 * through the canonical JSON and the strict parser, as a file from disk would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "live.h"
#include "tests/qt.h"

int bundle_copy(struct qiao_ev_bundle *dst, const struct qiao_ev_bundle *src)
{
    struct qiao_buf out = {0};
    struct qiao_diag d = {0};
    int rc = qiao_ev_build(&out, src, 1, &d) ? -1 : 0;
    if (rc)
        fprintf(stderr, "bundle_copy: build: %s (%s)\n", d.msg, d.reason);
    if (!rc && qiao_ev_parse(dst, (const char *)out.p, out.len, &d)) {
        fprintf(stderr, "bundle_copy: %s (%s)\n", d.msg, d.reason);
        qiao_ev_bundle_clear(dst);
        rc = -1;
    }
    qiao_buf_clear(&out);
    return rc;
}

int verify_bundle(const struct qiao_ev_bundle *b, const struct qiao_ev_trust *t,
                  struct qiao_ev_report *r)
{
    struct qiao_ev_bundle x;
    struct qiao_diag d = {0};
    void *mem = malloc(QIAO_EV_ARENA_BYTES);
    struct qiao_arena arena;
    qiao_arena_init(&arena, mem, QIAO_EV_ARENA_BYTES);
    memset(r, 0, sizeof(*r));
    if (bundle_copy(&x, b)) {
        r->verdict = QIAO_EV_UNUSABLE;
    } else {
        qiao_ev_verify(g_cx, r, &x, t, &arena, &d);
        qiao_ev_bundle_clear(&x);
    }
    free(mem);
    return (int)r->verdict;
}

static void flip(struct qiao_ev_bytes *b, size_t at)
{
    if (b->len)
        b->p[at % b->len] ^= 0x01;
}

/* Change the first character of the string value of key in embedded JSON text (base64 and
 * upper-case hex both stay well-formed with 'A' <-> 'B'). */
static void flip_json_after(char *s, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof(pat), "\"%s\":\"", key);
    char *p = strstr(s, pat);
    while (p && p[strlen(pat)] == '"') /* skip empty values (absent votes) */
        p = strstr(p + 1, pat);
    QT_CHECKF(p != NULL, "light block has a non-empty %s", key);
    if (p) {
        p += strlen(pat);
        *p = *p == 'A' ? 'B' : 'A';
    }
}

struct mutation {
    const char *what;
    const char *component;
};

static void mutate(struct qiao_ev_bundle *x, int i)
{
    struct qiao_ev_segment *s = &x->source.seg, *dl = &x->delivery;
    switch (i) {
    case 0: flip(&x->record.payload, 0); break;
    case 1: x->record.sha256[5] ^= 1; break;
    case 2: x->record.source_time++; break;
    case 3: x->message.seq++; break;
    case 4: x->message.sender[3] ^= 1; break;
    case 5: x->message_id[0] ^= 1; break;
    case 6:
        if (x->source.family == QIAO_EV_COMETBFT)
            flip_json_after(x->source.light_blocks[x->source.nlight - 1], "signature");
        else
            flip(&s->headers[s->block], s->headers[s->block].len / 2);
        break;
    case 7:
        if (x->source.family == QIAO_EV_COMETBFT)
            strcpy(x->source.field, "app_hash");
        else
            flip(&s->proof, s->proof.len / 2);
        break;
    case 8:
        if (x->source.family != QIAO_EV_COMETBFT)
            flip(&s->headers[0], 7);
        else
            flip_json_after(x->source.light_blocks[0], "validators_hash");
        break;
    case 9: x->cert.sigs[0][10] ^= 1; break;
    case 10: x->cert.sigs[x->cert.nsigs - 1][40] ^= 1; break;
    case 11: x->updates[0].members[1][5] ^= 1; break;
    case 12: x->updates[0].sigs[0][20] ^= 1; break;
    case 13: flip(&dl->headers[dl->block], dl->headers[dl->block].len / 2); break;
    case 14: flip(&dl->proof, dl->proof.len / 2); break;
    case 15: flip(&dl->headers[0], 7); break;
    case 16: flip(&x->timestamp, x->timestamp.len / 2); break;
    }
}

static const struct mutation mutations[] = {
    {"record payload byte", "record"},         {"record sha256 byte", "record"},
    {"record sourceTime", "record"},           {"message seq", "message"},
    {"message sender byte", "message"},        {"message id byte", "message"},
    {"including block / light block", "source"}, {"inclusion proof / bound field", "source"},
    {"checkpoint header", "source"},           {"certificate signature r", "certificate"},
    {"certificate signature s", "certificate"}, {"committee update member", "committee"},
    {"committee update signature", "committee"}, {"delivery block header", "delivery"},
    {"delivery receipt proof", "delivery"},    {"delivery checkpoint", "delivery"},
    {"timestamp token", "timestamp"},
};

void props_run(const char *name, const struct qiao_ev_bundle *b, const struct qiao_ev_trust *t)
{
    struct qiao_ev_report *r = calloc(1, sizeof(*r));
    int ran = 0;
    for (int i = 0; i < (int)(sizeof(mutations) / sizeof(mutations[0])); i++) {
        struct qiao_ev_bundle x;
        if ((i == 11 || i == 12) && !b->nupdates)
            continue;
        if (i == 16 && !b->timestamp.len)
            continue;
        if (bundle_copy(&x, b)) {
            QT_CHECKF(0, "%s: copy for mutation %d", name, i);
            continue;
        }
        mutate(&x, i);
        int v = verify_bundle(&x, t, r);
        int named = r->fail_component && !strcmp(r->fail_component, mutations[i].component);
        QT_CHECKF(v == QIAO_EV_REJECTED && named, "%s: flipped %s: verdict %d, failed %s/%s "
                  "(%s), want component %s", name, mutations[i].what, v,
                  r->fail_component ? r->fail_component : "-",
                  r->fail_check ? r->fail_check : "-", r->fail.reason, mutations[i].component);
        ran++;
        qiao_ev_bundle_clear(&x);
    }
    printf("%s: %d one-byte mutations, each rejected naming its component\n", name, ran);
    free(r);
}
