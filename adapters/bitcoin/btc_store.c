/* btc_store.c: the in-memory header store and the fork-choice logic (see btc_store.h). */
#include "adapters/bitcoin/btc_store.h"

#include <stdlib.h>
#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/hex.h"

/* ---- in-memory store ---- */

static size_t slot_of(const struct qiao_btc_memstore *m, const uint8_t hash[32])
{
    /* Header hashes are uniformly distributed (double SHA-256), so their low bytes index well. */
    return (size_t)qiao_load64le(hash) & (m->index_cap - 1);
}

static long find(const struct qiao_btc_memstore *m, const uint8_t hash[32])
{
    if (!m->index_cap)
        return -1;
    for (size_t s = slot_of(m, hash);; s = (s + 1) & (m->index_cap - 1)) {
        uint32_t v = m->index[s];
        if (!v)
            return -1;
        if (memcmp(m->recs[v - 1].link.hash, hash, 32) == 0)
            return (long)(v - 1);
    }
}

static void index_insert(struct qiao_btc_memstore *m, size_t rec)
{
    size_t s = slot_of(m, m->recs[rec].link.hash);
    while (m->index[s])
        s = (s + 1) & (m->index_cap - 1);
    m->index[s] = (uint32_t)rec + 1;
}

static qiao_err grow_index(struct qiao_btc_memstore *m, struct qiao_diag *d)
{
    size_t cap = m->index_cap ? m->index_cap * 2 : 1024;
    uint32_t *idx = calloc(cap, sizeof(*idx));
    if (!idx)
        return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "header index of %zu slots", cap);
    free(m->index);
    m->index = idx;
    m->index_cap = cap;
    for (size_t i = 0; i < m->nrecs; i++)
        index_insert(m, i);
    return QIAO_OK;
}

static qiao_err mem_get(void *self, struct qiao_btc_record *out, const uint8_t hash[32],
                        struct qiao_diag *d)
{
    struct qiao_btc_memstore *m = self;
    long i = find(m, hash);
    if (i < 0) {
        char shown[65];
        qiao_hex_encode_rev(shown, hash, 32);
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "unknown-header", "header %s is not stored", shown);
    }
    *out = m->recs[i];
    return QIAO_OK;
}

static qiao_err mem_put(void *self, const struct qiao_btc_record *rec, struct qiao_diag *d)
{
    struct qiao_btc_memstore *m = self;
    if (m->nrecs >= m->max)
        return QIAO_FAIL(d, QIAO_ERANGE, "store-full", "header store holds at most %zu headers",
                         m->max);
    if (m->nrecs == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 256;
        struct qiao_btc_record *r = realloc(m->recs, cap * sizeof(*r));
        if (!r)
            return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "header store of %zu", cap);
        m->recs = r;
        m->cap = cap;
    }
    if ((m->nrecs + 1) * 2 > m->index_cap)
        QIAO_TRY(grow_index(m, d));
    m->recs[m->nrecs] = *rec;
    index_insert(m, m->nrecs++);
    return QIAO_OK;
}

static qiao_err mem_main_get(void *self, uint8_t hash[32], uint64_t height, struct qiao_diag *d)
{
    struct qiao_btc_memstore *m = self;
    if (height < m->main_base || height - m->main_base >= m->main_len)
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "not-on-best-chain",
                         "no best-chain header at height %llu", (unsigned long long)height);
    memcpy(hash, m->main[height - m->main_base], 32);
    return QIAO_OK;
}

static qiao_err mem_main_set(void *self, uint64_t height, const uint8_t hash[32],
                             struct qiao_diag *d)
{
    struct qiao_btc_memstore *m = self;
    if (m->main_len == 0)
        m->main_base = height;
    if (height < m->main_base || height - m->main_base >= m->max)
        return QIAO_FAIL(d, QIAO_ERANGE, "store-full", "best-chain height %llu out of range",
                         (unsigned long long)height);
    size_t at = (size_t)(height - m->main_base);
    if (at >= m->main_cap) {
        size_t cap = m->main_cap ? m->main_cap : 256;
        while (cap <= at)
            cap *= 2;
        uint8_t(*p)[32] = realloc(m->main, cap * 32);
        if (!p)
            return QIAO_FAIL(d, QIAO_ENOMEM, "out-of-memory", "best-chain index of %zu", cap);
        m->main = p;
        m->main_cap = cap;
    }
    memcpy(m->main[at], hash, 32);
    if (at >= m->main_len)
        m->main_len = at + 1;
    return QIAO_OK;
}

static qiao_err mem_main_truncate(void *self, uint64_t height, struct qiao_diag *d)
{
    struct qiao_btc_memstore *m = self;
    (void)d;
    if (m->main_len && height >= m->main_base && height - m->main_base + 1 < m->main_len)
        m->main_len = (size_t)(height - m->main_base + 1);
    return QIAO_OK;
}

static const struct qiao_btc_store_ops mem_ops = {
    .get = mem_get,
    .put = mem_put,
    .main_get = mem_main_get,
    .main_set = mem_main_set,
    .main_truncate = mem_main_truncate,
};

void qiao_btc_memstore_init(struct qiao_btc_memstore *m, struct qiao_btc_store *view, size_t max)
{
    memset(m, 0, sizeof(*m));
    m->max = max ? max : ((size_t)1 << 22);
    if (m->max > UINT32_MAX - 1)
        m->max = UINT32_MAX - 1;
    view->ops = &mem_ops;
    view->self = m;
}

void qiao_btc_memstore_clear(struct qiao_btc_memstore *m)
{
    free(m->recs);
    free(m->index);
    free(m->main);
    memset(m, 0, sizeof(*m));
}

/* ---- chain logic ---- */

qiao_err qiao_btc_chain_init(struct qiao_crypto *cx, struct qiao_btc_chain *chain,
                             const struct qiao_btc_params *params, struct qiao_btc_store store,
                             const uint8_t *raw, size_t len, uint64_t height,
                             const uint8_t *period_start, struct qiao_diag *d)
{
    struct qiao_btc_record rec;
    memset(chain, 0, sizeof(*chain));
    chain->params = params;
    chain->store = store;
    chain->anchor_height = height;
    chain->confirmations = QIAO_BTC_DEFAULT_CONFIRMATIONS;
    QIAO_TRY(qiao_btc_link_anchor(cx, &rec.link, params, raw, len, height, period_start, d));
    memcpy(rec.raw, raw, QIAO_BTC_HEADER_LEN);
    QIAO_TRY(store.ops->put(store.self, &rec, d));
    QIAO_TRY(store.ops->main_set(store.self, height, rec.link.hash, d));
    chain->tip = rec.link;
    return QIAO_OK;
}

/* Walk from the new tip down to the best chain, rewriting the best-chain index as it goes.
 * Depth is bounded only by what the store holds, and the walk keeps O(1) state. */
static qiao_err switch_tip(struct qiao_btc_chain *chain, const struct qiao_btc_record *tip,
                           struct qiao_btc_add_result *res, struct qiao_diag *d)
{
    struct qiao_btc_store *s = &chain->store;
    struct qiao_btc_link cur = tip->link;
    uint8_t main_hash[32];
    for (;;) {
        if (s->ops->main_get(s->self, main_hash, cur.height, NULL) == QIAO_OK &&
            memcmp(main_hash, cur.hash, 32) == 0)
            break;
        QIAO_TRY(s->ops->main_set(s->self, cur.height, cur.hash, d));
        if (cur.height == chain->anchor_height)
            return QIAO_FAIL(d, QIAO_ESTATE, "anchor-replaced",
                             "a branch replaced the trusted anchor, which cannot happen");
        struct qiao_btc_record parent;
        QIAO_TRY(s->ops->get(s->self, &parent, cur.prev, d));
        cur = parent.link;
    }
    QIAO_TRY(s->ops->main_truncate(s->self, tip->link.height, d));
    res->fork_height = cur.height;
    res->reorg_depth = chain->tip.height - cur.height;
    res->status = memcmp(cur.hash, chain->tip.hash, 32) == 0 ? QIAO_BTC_ADD_EXTENDED
                                                            : QIAO_BTC_ADD_REORG;
    chain->tip = tip->link;
    return QIAO_OK;
}

qiao_err qiao_btc_chain_add(struct qiao_crypto *cx, struct qiao_btc_chain *chain,
                            struct qiao_btc_add_result *res, const uint8_t *raw, size_t len,
                            int64_t now, struct qiao_diag *d)
{
    struct qiao_btc_store *s = &chain->store;
    struct qiao_btc_record parent, rec;
    struct qiao_btc_header h;
    memset(res, 0, sizeof(*res));
    QIAO_TRY(qiao_btc_header_decode(&h, raw, len, d));
    qiao_btc_header_hash(cx, res->hash, raw);
    if (s->ops->get(s->self, &rec, res->hash, NULL) == QIAO_OK) {
        res->status = QIAO_BTC_ADD_DUPLICATE;
        res->height = rec.link.height;
        return QIAO_OK;
    }
    if (s->ops->get(s->self, &parent, h.prev, NULL) != QIAO_OK) {
        char shown[65];
        qiao_hex_encode_rev(shown, h.prev, 32);
        return QIAO_FAIL(d, QIAO_ENOTFOUND, "unknown-parent", "parent %s is not stored", shown);
    }
    QIAO_TRY(qiao_btc_link_next(cx, &rec.link, chain->params, &parent.link, raw, len, now, d));
    memcpy(rec.raw, raw, QIAO_BTC_HEADER_LEN);
    QIAO_TRY(s->ops->put(s->self, &rec, d));
    res->height = rec.link.height;
    res->status = QIAO_BTC_ADD_SIDE;
    if (qiao_btc_u256_cmp(&rec.link.chainwork, &chain->tip.chainwork) <= 0)
        return QIAO_OK;
    return switch_tip(chain, &rec, res, d);
}

qiao_err qiao_btc_chain_confirmations(const struct qiao_btc_chain *chain, uint64_t *confirmations,
                                      const uint8_t hash[32], struct qiao_diag *d)
{
    const struct qiao_btc_store *s = &chain->store;
    struct qiao_btc_record rec;
    uint8_t main_hash[32];
    QIAO_TRY(s->ops->get(s->self, &rec, hash, d));
    *confirmations = 0;
    if (rec.link.height > chain->tip.height ||
        s->ops->main_get(s->self, main_hash, rec.link.height, NULL) != QIAO_OK ||
        memcmp(main_hash, hash, 32) != 0)
        return QIAO_OK;
    *confirmations = chain->tip.height - rec.link.height + 1;
    return QIAO_OK;
}

int qiao_btc_chain_is_final(const struct qiao_btc_chain *chain, const uint8_t hash[32])
{
    uint64_t confs;
    if (qiao_btc_chain_confirmations(chain, &confs, hash, NULL) != QIAO_OK)
        return 0;
    return confs >= chain->confirmations;
}
