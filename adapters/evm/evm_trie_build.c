/*
 * evm_trie_build.c: build a Merkle-Patricia trie root (and optionally one key's proof) from a set
 * of items, without materialising the trie.
 *
 * The canonical trie is a function of the item set alone, so we sort the items and build bottom-up
 * by recursion over key ranges: one item is a leaf; items sharing a longer prefix get an extension;
 * otherwise a branch splits them by their next nibble.  Each node is encoded straight into the
 * scratch buffer at its parent's position, then replaced by its hash when it is 32 bytes or more
 * (nodes under 32 bytes stay inline, as the yellow paper's c(J, i) requires).  An earlier draft
 * built a pointer-linked trie and encoded it afterwards; encoding in place needs no node storage
 * and no free pass.
 */
#include <stdlib.h>
#include <string.h>

#include "adapters/evm/evm_trie.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"

const uint8_t qiao_evm_empty_trie_root[32] = {
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
};

/* Build state.  target is the key whose proof we collect (NULL for a root only). */
struct builder {
    const struct qiao_evm_trie_item *items;
    struct qiao_buf *out;
    const uint8_t *target;
    size_t target_nibbles;
    struct qiao_buf *store;                     /* collected proof nodes, deepest first */
    size_t offs[QIAO_EVM_PROOF_MAX_NODES + 1];  /* node boundaries in store */
    size_t count;
};

static unsigned nib(const uint8_t *key, size_t i)
{
    return (key[i / 2] >> (i % 2 ? 0 : 4)) & 0x0f;
}

static size_t nibbles(const struct qiao_evm_trie_item *it)
{
    return it->key_len * 2;
}

static int item_cmp(const void *pa, const void *pb)
{
    const struct qiao_evm_trie_item *a = pa, *b = pb;
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(a->key, b->key, n);
    if (c)
        return c;
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* Append the hex-prefix encoding of key's nibbles [from, to) with the leaf flag as an RLP string. */
static qiao_err put_hex_prefix(struct qiao_buf *b, const uint8_t *key, size_t from, size_t to,
                               int leaf, struct qiao_diag *d)
{
    uint8_t hp[QIAO_EVM_TRIE_MAX_KEY + 1];
    size_t n = to - from, odd = n % 2, o = 0, i = from;
    hp[o++] = (uint8_t)((leaf ? 0x20 : 0x00) | (odd ? 0x10 | nib(key, i++) : 0));
    for (; i < to; i += 2)
        hp[o++] = (uint8_t)(nib(key, i) << 4 | nib(key, i + 1));
    return qiao_rlp_put_bytes(b, hp, o, d);
}

static qiao_err collect(struct builder *b, const uint8_t *node, size_t len, struct qiao_diag *d)
{
    if (b->count >= QIAO_EVM_PROOF_MAX_NODES)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-nodes", "proof would exceed %d nodes",
                         QIAO_EVM_PROOF_MAX_NODES);
    QIAO_TRY(qiao_buf_append(b->store, node, len, d));
    b->offs[++b->count] = b->store->len;
    return QIAO_OK;
}

static qiao_err build(struct builder *b, size_t lo, size_t hi, size_t depth, int on_path,
                      struct qiao_diag *d);

/* Build the node for [lo, hi) at the end of out, then replace it by its hash if it is >= 32 bytes. */
static qiao_err child_ref(struct builder *b, size_t lo, size_t hi, size_t depth, int on_path,
                          struct qiao_diag *d)
{
    size_t start = b->out->len;
    QIAO_TRY(build(b, lo, hi, depth, on_path, d));
    size_t len = b->out->len - start;
    if (len < 32)
        return QIAO_OK; /* embedded inline; a proof carries it inside its parent */
    uint8_t h[32];
    qiao_keccak256(h, b->out->p + start, len);
    if (on_path)
        QIAO_TRY(collect(b, b->out->p + start, len, d));
    b->out->len = start;
    return qiao_rlp_put_bytes(b->out, h, 32, d);
}

/* Does the target key continue through nibble k at depth (given that it matched so far)? */
static int target_takes(const struct builder *b, size_t depth, unsigned k)
{
    return b->target && depth < b->target_nibbles && nib(b->target, depth) == k;
}

static qiao_err build_leaf(struct builder *b, size_t i, size_t depth, struct qiao_diag *d)
{
    const struct qiao_evm_trie_item *it = &b->items[i];
    size_t start = qiao_rlp_list_begin(b->out);
    QIAO_TRY(put_hex_prefix(b->out, it->key, depth, nibbles(it), 1, d));
    QIAO_TRY(qiao_rlp_put_bytes(b->out, it->val, it->val_len, d));
    return qiao_rlp_list_end(b->out, start, d);
}

static qiao_err build_extension(struct builder *b, size_t lo, size_t hi, size_t depth, size_t cp,
                                int on_path, struct qiao_diag *d)
{
    const uint8_t *key = b->items[lo].key;
    for (size_t i = depth; on_path && i < depth + cp; i++)
        on_path = target_takes(b, i, nib(key, i));
    size_t start = qiao_rlp_list_begin(b->out);
    QIAO_TRY(put_hex_prefix(b->out, key, depth, depth + cp, 0, d));
    QIAO_TRY(child_ref(b, lo, hi, depth + cp, on_path, d));
    return qiao_rlp_list_end(b->out, start, d);
}

static qiao_err build_branch(struct builder *b, size_t lo, size_t hi, size_t depth, int on_path,
                             struct qiao_diag *d)
{
    size_t start = qiao_rlp_list_begin(b->out);
    size_t value = hi, i = lo;
    if (nibbles(&b->items[lo]) == depth)
        value = lo, i++; /* sorted: a key ending here sorts first */
    for (unsigned k = 0; k < 16; k++) {
        size_t j = i;
        while (j < hi && nib(b->items[j].key, depth) == k)
            j++;
        if (j == i)
            QIAO_TRY(qiao_rlp_put_bytes(b->out, NULL, 0, d));
        else
            QIAO_TRY(child_ref(b, i, j, depth + 1, on_path && target_takes(b, depth, k), d));
        i = j;
    }
    if (value < hi)
        QIAO_TRY(qiao_rlp_put_bytes(b->out, b->items[value].val, b->items[value].val_len, d));
    else
        QIAO_TRY(qiao_rlp_put_bytes(b->out, NULL, 0, d));
    return qiao_rlp_list_end(b->out, start, d);
}

/* Shared prefix length (in nibbles, from depth) of the first and last items: that of the range. */
static size_t common_prefix(const struct builder *b, size_t lo, size_t hi, size_t depth)
{
    const struct qiao_evm_trie_item *a = &b->items[lo], *z = &b->items[hi - 1];
    size_t n = nibbles(a) < nibbles(z) ? nibbles(a) : nibbles(z), i = depth;
    while (i < n && nib(a->key, i) == nib(z->key, i))
        i++;
    return i - depth;
}

static qiao_err build(struct builder *b, size_t lo, size_t hi, size_t depth, int on_path,
                      struct qiao_diag *d)
{
    if (hi - lo == 1)
        return build_leaf(b, lo, depth, d);
    size_t cp = common_prefix(b, lo, hi, depth);
    if (cp > 0)
        return build_extension(b, lo, hi, depth, cp, on_path, d);
    return build_branch(b, lo, hi, depth, on_path, d);
}

static qiao_err check_items(struct qiao_evm_trie_item *items, size_t n, struct qiao_diag *d)
{
    for (size_t i = 0; i < n; i++) {
        if (items[i].key_len > QIAO_EVM_TRIE_MAX_KEY)
            return QIAO_FAIL(d, QIAO_ERANGE, "key-too-long", "trie item %zu: key of %zu bytes "
                             "exceeds %d", i, items[i].key_len, QIAO_EVM_TRIE_MAX_KEY);
        if (items[i].val_len == 0)
            return QIAO_FAIL(d, QIAO_EINVAL, "empty-value",
                             "trie item %zu: empty value (an empty value means absent)", i);
    }
    if (n > 1)
        qsort(items, n, sizeof(*items), item_cmp);
    for (size_t i = 1; i < n; i++)
        if (item_cmp(&items[i - 1], &items[i]) == 0)
            return QIAO_FAIL(d, QIAO_EINVAL, "duplicate-key", "trie items hold a key twice");
    return QIAO_OK;
}

static qiao_err run(struct builder *b, uint8_t root[32], size_t n, struct qiao_diag *d)
{
    b->out->len = 0;
    if (n == 0)
        QIAO_TRY(qiao_rlp_put_bytes(b->out, NULL, 0, d));
    else
        QIAO_TRY(build(b, 0, n, 0, b->target != NULL, d));
    qiao_keccak256(root, b->out->p, b->out->len);
    if (b->target && n > 0)
        QIAO_TRY(collect(b, b->out->p, b->out->len, d)); /* the root is hashed at any size */
    return QIAO_OK;
}

qiao_err qiao_evm_trie_root(uint8_t root[32], struct qiao_evm_trie_item *items, size_t n,
                            struct qiao_buf *scratch, struct qiao_diag *d)
{
    QIAO_TRY(check_items(items, n, d));
    struct builder b = {.items = items, .out = scratch};
    return run(&b, root, n, d);
}

qiao_err qiao_evm_trie_prove(uint8_t root[32], struct qiao_evm_proof *proof, struct qiao_buf *store,
                             struct qiao_evm_trie_item *items, size_t n, const uint8_t *key,
                             size_t key_len, struct qiao_buf *scratch, struct qiao_diag *d)
{
    if (key_len > QIAO_EVM_TRIE_MAX_KEY)
        return QIAO_FAIL(d, QIAO_ERANGE, "key-too-long", "proof key of %zu bytes exceeds %d",
                         key_len, QIAO_EVM_TRIE_MAX_KEY);
    QIAO_TRY(check_items(items, n, d));
    struct builder b = {.items = items, .out = scratch, .target = key,
                        .target_nibbles = key_len * 2, .store = store};
    store->len = 0;
    QIAO_TRY(run(&b, root, n, d));
    /* Collected deepest first; a proof lists the root first. */
    proof->count = b.count;
    for (size_t i = 0; i < b.count; i++) {
        size_t k = b.count - 1 - i;
        proof->node[i] = store->p + b.offs[k];
        proof->len[i] = b.offs[k + 1] - b.offs[k];
    }
    return QIAO_OK;
}

size_t qiao_evm_index_key(uint8_t out[9], uint64_t i)
{
    if (i == 0) {
        out[0] = 0x80;
        return 1;
    }
    if (i < 0x80) {
        out[0] = (uint8_t)i;
        return 1;
    }
    size_t n = 0;
    for (uint64_t v = i; v; v >>= 8)
        n++;
    out[0] = (uint8_t)(0x80 + n);
    for (size_t k = 0; k < n; k++)
        out[n - k] = (uint8_t)(i >> (8 * k));
    return 1 + n;
}
