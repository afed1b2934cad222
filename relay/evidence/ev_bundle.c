/* ev_bundle.c: ownership helpers for bundles and trust files, and family names. */
#include <stdlib.h>
#include <string.h>

#include "relay/evidence/evidence.h"

static void segment_clear(struct qiao_ev_segment *s)
{
    for (size_t i = 0; i < s->nheaders; i++)
        free(s->headers[i].p);
    free(s->headers);
    free(s->proof.p);
}

void qiao_ev_bundle_clear(struct qiao_ev_bundle *b)
{
    if (!b)
        return;
    free(b->record.payload.p);
    segment_clear(&b->source.seg);
    for (size_t i = 0; i < b->source.nlight; i++)
        free(b->source.light_blocks[i]);
    free(b->source.light_blocks);
    free(b->cert.sigs);
    for (size_t i = 0; i < b->nupdates; i++) {
        free(b->updates[i].members);
        free(b->updates[i].sigs);
    }
    free(b->updates);
    segment_clear(&b->delivery);
    free(b->timestamp.p);
    memset(b, 0, sizeof(*b));
}

void qiao_ev_trust_clear(struct qiao_ev_trust *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->ntsa; i++)
        free(t->tsa_pem[i]);
    memset(t, 0, sizeof(*t));
}

qiao_err qiao_ev_bytes_set(struct qiao_ev_bytes *b, const void *p, size_t n, struct qiao_diag *d)
{
    uint8_t *copy = malloc(n ? n : 1);
    if (!copy)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "no memory for %zu bytes", n);
    if (n)
        memcpy(copy, p, n);
    free(b->p);
    b->p = copy;
    b->len = n;
    return QIAO_OK;
}

qiao_err qiao_ev_segment_push(struct qiao_ev_segment *s, const uint8_t *raw, size_t len,
                              struct qiao_diag *d)
{
    if (s->nheaders >= QIAO_EV_MAX_HEADERS)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-headers", "a segment holds at most %d headers",
                         QIAO_EV_MAX_HEADERS);
    struct qiao_ev_bytes *h = realloc(s->headers, (s->nheaders + 1) * sizeof(*h));
    if (!h)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "no memory for a header");
    s->headers = h;
    memset(&h[s->nheaders], 0, sizeof(*h));
    QIAO_TRY(qiao_ev_bytes_set(&h[s->nheaders], raw, len, d));
    s->nheaders++;
    return QIAO_OK;
}

const char *qiao_ev_family_name(enum qiao_ev_family f)
{
    switch (f) {
    case QIAO_EV_EVM: return "evm";
    case QIAO_EV_BITCOIN: return "bitcoin";
    case QIAO_EV_COMETBFT: return "cometbft";
    }
    return "unknown";
}

qiao_err qiao_ev_family_parse(enum qiao_ev_family *f, const char *s, struct qiao_diag *d)
{
    for (int i = QIAO_EV_EVM; i <= QIAO_EV_COMETBFT; i++)
        if (strcmp(s, qiao_ev_family_name((enum qiao_ev_family)i)) == 0) {
            *f = (enum qiao_ev_family)i;
            return QIAO_OK;
        }
    return QIAO_FAIL(d, QIAO_EINVAL, "unknown-family", "family \"%.32s\" is not evm, bitcoin or "
                     "cometbft", s);
}

const struct qiao_ev_chain *qiao_ev_trust_chain(const struct qiao_ev_trust *t, uint64_t chain_id)
{
    for (size_t i = 0; i < t->nchains; i++)
        if (t->chains[i].chain_id == chain_id)
            return &t->chains[i];
    return NULL;
}
