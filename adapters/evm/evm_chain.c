/* evm_chain.c: the verified header chain and finality (see evm_chain.h). */
#include <string.h>

#include "adapters/evm/evm_chain.h"

void qiao_evm_link_of(struct qiao_evm_link *l, const struct qiao_evm_header *h)
{
    memset(l, 0, sizeof(*l));
    l->number = h->number;
    l->timestamp = h->timestamp;
    l->fields = h->fields;
    memcpy(l->hash, h->hash, 32);
    memcpy(l->parent_hash, h->parent_hash, 32);
    memcpy(l->state_root, h->state_root, 32);
    memcpy(l->transactions_root, h->transactions_root, 32);
    memcpy(l->receipts_root, h->receipts_root, 32);
}

void qiao_evm_chain_init(struct qiao_evm_chain *c, const struct qiao_evm_header *anchor)
{
    memset(c, 0, sizeof(*c));
    qiao_evm_link_of(&c->ring[anchor->number % QIAO_EVM_CHAIN_WINDOW], anchor);
    c->tip = anchor->number;
    c->count = 1;
}

const struct qiao_evm_link *qiao_evm_chain_at(const struct qiao_evm_chain *c, uint64_t n)
{
    if (n > c->tip || c->tip - n >= c->count)
        return NULL;
    return &c->ring[n % QIAO_EVM_CHAIN_WINDOW];
}

const struct qiao_evm_link *qiao_evm_chain_tip(const struct qiao_evm_chain *c)
{
    return qiao_evm_chain_at(c, c->tip);
}

const struct qiao_evm_link *qiao_evm_chain_find(const struct qiao_evm_chain *c,
                                                const uint8_t hash[32])
{
    for (size_t i = 0; i < c->count; i++) {
        const struct qiao_evm_link *l = &c->ring[(c->tip - i) % QIAO_EVM_CHAIN_WINDOW];
        if (memcmp(l->hash, hash, 32) == 0)
            return l;
    }
    return NULL;
}

/* The link checks of qiao_evm_header_check_link against a stored parent summary. */
static qiao_err check_child(const struct qiao_evm_header *h, const struct qiao_evm_link *p,
                            struct qiao_diag *d)
{
    struct qiao_evm_header parent = {0};
    memcpy(parent.hash, p->hash, 32);
    parent.number = p->number;
    parent.timestamp = p->timestamp;
    parent.fields = p->fields;
    return qiao_evm_header_check_link(h, &parent, d);
}

static void append(struct qiao_evm_chain *c, const struct qiao_evm_header *h)
{
    qiao_evm_link_of(&c->ring[h->number % QIAO_EVM_CHAIN_WINDOW], h);
    c->tip = h->number;
    if (c->count < QIAO_EVM_CHAIN_WINDOW)
        c->count++;
}

/* Drop everything above the fork point `parent`, refusing to undo a final header. */
static qiao_err rewind_to(struct qiao_evm_chain *c, uint64_t *depth,
                          const struct qiao_evm_link *parent, struct qiao_diag *d)
{
    if (c->has_final && parent->number < c->final_number)
        return QIAO_FAIL(d, QIAO_EVERIFY, "reorg-below-finality",
                         "a branch from header %llu would replace header %llu, which is final",
                         (unsigned long long)parent->number,
                         (unsigned long long)parent->number + 1);
    *depth = c->tip - parent->number;
    c->count -= (size_t)*depth;
    c->tip = parent->number;
    return QIAO_OK;
}

qiao_err qiao_evm_chain_offer(struct qiao_evm_chain *c, enum qiao_evm_offer *res, uint64_t *depth,
                              const struct qiao_evm_header *h, struct qiao_diag *d)
{
    *depth = 0;
    if (qiao_evm_chain_find(c, h->hash)) {
        *res = QIAO_EVM_DUPLICATE;
        return QIAO_OK;
    }
    const struct qiao_evm_link *parent = qiao_evm_chain_find(c, h->parent_hash);
    if (!parent) {
        if (h->number >= c->tip) { /* a longer or competing branch: fetch its ancestors */
            *res = QIAO_EVM_NEED_PARENT;
            return QIAO_OK;
        }
        return QIAO_FAIL(d, QIAO_EVERIFY, "unknown-parent",
                         "header %llu names a parent that is not in the verified chain (tip %llu)",
                         (unsigned long long)h->number, (unsigned long long)c->tip);
    }
    QIAO_TRY(check_child(h, parent, d));
    if (parent->number == c->tip) {
        append(c, h);
        *res = QIAO_EVM_EXTENDED;
        return QIAO_OK;
    }
    if (h->number < c->tip)
        return QIAO_FAIL(d, QIAO_EVERIFY, "stale-head",
                         "header %llu forks below the tip %llu without overtaking it",
                         (unsigned long long)h->number, (unsigned long long)c->tip);
    QIAO_TRY(rewind_to(c, depth, parent, d));
    append(c, h);
    *res = QIAO_EVM_REORGED;
    return QIAO_OK;
}

qiao_err qiao_evm_chain_offer_branch(struct qiao_evm_chain *c, enum qiao_evm_offer *res,
                                     uint64_t *depth, const struct qiao_evm_header *hs, size_t n,
                                     struct qiao_diag *d)
{
    *depth = 0;
    if (n == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "empty-branch", "no headers offered");
    const struct qiao_evm_link *parent = qiao_evm_chain_find(c, hs[0].parent_hash);
    if (!parent)
        return QIAO_FAIL(d, QIAO_EVERIFY, "unknown-parent",
                         "branch from header %llu does not connect to the verified chain",
                         (unsigned long long)hs[0].number);
    if (hs[n - 1].number < c->tip)
        return QIAO_FAIL(d, QIAO_EVERIFY, "stale-head",
                         "branch ending at %llu does not reach the tip %llu",
                         (unsigned long long)hs[n - 1].number, (unsigned long long)c->tip);
    QIAO_TRY(check_child(&hs[0], parent, d));
    for (size_t i = 1; i < n; i++)
        QIAO_TRY(qiao_evm_header_check_link(&hs[i], &hs[i - 1], d));
    int reorg = parent->number != c->tip;
    if (reorg)
        QIAO_TRY(rewind_to(c, depth, parent, d));
    for (size_t i = 0; i < n; i++)
        append(c, &hs[i]);
    *res = reorg ? QIAO_EVM_REORGED : QIAO_EVM_EXTENDED;
    return QIAO_OK;
}

int qiao_evm_is_final(const struct qiao_evm_finality *policy, uint64_t number, uint64_t tip,
                      int64_t finalized)
{
    if (policy->use_finalized_tag) /* the tag alone decides: confirmations mean nothing there */
        return finalized >= 0 && number <= (uint64_t)finalized;
    return number <= tip && tip - number >= policy->confirmations;
}

void qiao_evm_chain_set_final(struct qiao_evm_chain *c, uint64_t number)
{
    if (!c->has_final || number > c->final_number)
        c->final_number = number, c->has_final = 1;
}
