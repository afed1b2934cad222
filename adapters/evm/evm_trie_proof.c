/*
 * evm_trie_proof.c: verify Merkle-Patricia inclusion and exclusion proofs (see evm_trie.h).
 *
 * The walk keeps one "current node" (bytes of an RLP list) and a nibble position in the key.  A
 * child reference is either a 32-byte string, which must be the Keccak-256 of the next proof node,
 * or an embedded list under 32 bytes (an inline node), which becomes the current node directly.
 * Anything else is rejected, as are the non-canonical shapes an honest trie never holds: a hashed
 * node under 32 bytes, an empty extension path, a leaf with an empty value, hex-prefix padding that
 * is not zero.  This is the hot path of the receipt benchmark: no allocation, one Keccak per node.
 */
#include <string.h>

#include "adapters/evm/evm_trie.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"

struct walk {
    const uint8_t *key;
    size_t nibbles; /* key length in nibbles */
    size_t pos;     /* nibbles consumed */
    const struct qiao_evm_proof *proof;
    size_t next;    /* next proof node to use */
};

static unsigned key_nib(const struct walk *w, size_t i)
{
    return (w->key[i / 2] >> (i % 2 ? 0 : 4)) & 0x0f;
}

/* Take the next proof node, which must hash to want.  at_root allows a node under 32 bytes. */
static qiao_err take_hashed(struct qiao_rlp_item *node, struct walk *w, const uint8_t want[32],
                            int at_root, struct qiao_diag *d)
{
    if (w->next >= w->proof->count)
        return QIAO_FAIL(d, QIAO_EVERIFY, "proof-missing-node",
                         "proof ends after %zu nodes but the path continues at nibble %zu",
                         w->next, w->pos);
    const uint8_t *p = w->proof->node[w->next];
    size_t len = w->proof->len[w->next];
    uint8_t h[32];
    qiao_keccak256(h, p, len);
    if (memcmp(h, want, 32) != 0)
        return at_root ? QIAO_FAIL(d, QIAO_EVERIFY, "root-mismatch",
                                   "proof node 0 does not hash to the expected root")
                       : QIAO_FAIL(d, QIAO_EVERIFY, "node-hash-mismatch",
                                   "proof node %zu does not hash to its parent's reference",
                                   w->next);
    if (!at_root && len < 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "short-hashed-node",
                         "proof node %zu is %zu bytes: nodes under 32 bytes must be inline",
                         w->next, len);
    size_t used;
    qiao_err err = qiao_rlp_decode(node, &used, p, len, d);
    if (err)
        return qiao_diag_wrap(d, "proof node %zu", w->next);
    if (used != len || !node->list)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-node",
                         "proof node %zu is not exactly one RLP list", w->next);
    w->next++;
    return QIAO_OK;
}

/* Follow a child reference: a hash to the next proof node, or an inline list. */
static qiao_err follow(struct qiao_rlp_item *node, struct walk *w, const struct qiao_rlp_item *ref,
                       struct qiao_diag *d)
{
    if (!ref->list && ref->len == 32)
        return take_hashed(node, w, ref->p, 0, d);
    if (ref->list && ref->raw_len < 32) {
        *node = *ref;
        return QIAO_OK;
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-child-ref",
                     "child reference at nibble %zu is neither a 32-byte hash nor an inline node "
                     "under 32 bytes", w->pos);
}

/* Decode a hex-prefix path.  Out: *leaf, path bytes and its nibble count and odd start. */
static qiao_err hex_prefix(int *leaf, size_t *plen, const struct qiao_rlp_item *it,
                           const struct walk *w, struct qiao_diag *d)
{
    if (it->list || it->len == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-hex-prefix", "node path at nibble %zu is not a "
                         "non-empty string", w->pos);
    unsigned flag = it->p[0] >> 4;
    if (flag > 3 || (!(flag & 1) && (it->p[0] & 0x0f)))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-hex-prefix",
                         "node path at nibble %zu has hex-prefix byte 0x%02x", w->pos, it->p[0]);
    *leaf = flag >= 2;
    *plen = (it->len - 1) * 2 + (flag & 1);
    return QIAO_OK;
}

static unsigned path_nib(const struct qiao_rlp_item *it, size_t i)
{
    size_t j = i + ((it->p[0] & 0x10) ? 1 : 2); /* nibble index within the string */
    return (it->p[j / 2] >> (j % 2 ? 0 : 4)) & 0x0f;
}

/* Does the key continue with path?  (Divergence proves absence.) */
static int path_matches(const struct walk *w, const struct qiao_rlp_item *path, size_t plen)
{
    if (plen > w->nibbles - w->pos)
        return 0;
    for (size_t i = 0; i < plen; i++)
        if (path_nib(path, i) != key_nib(w, w->pos + i))
            return 0;
    return 1;
}

enum step { STEP_MORE, STEP_FOUND, STEP_ABSENT };

static qiao_err step_branch(enum step *st, struct qiao_rlp_item *node, struct walk *w,
                            const struct qiao_rlp_item items[17], const struct qiao_rlp_item **val,
                            struct qiao_diag *d)
{
    if (items[16].list)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-node", "branch value at nibble %zu is a list",
                         w->pos);
    if (w->pos == w->nibbles) {
        *val = &items[16];
        *st = items[16].len ? STEP_FOUND : STEP_ABSENT;
        return QIAO_OK;
    }
    const struct qiao_rlp_item *child = &items[key_nib(w, w->pos)];
    w->pos++;
    if (!child->list && child->len == 0) {
        *st = STEP_ABSENT;
        return QIAO_OK;
    }
    *st = STEP_MORE;
    return follow(node, w, child, d);
}

static qiao_err step_short(enum step *st, struct qiao_rlp_item *node, struct walk *w,
                           const struct qiao_rlp_item items[2], const struct qiao_rlp_item **val,
                           struct qiao_diag *d)
{
    int leaf;
    size_t plen;
    QIAO_TRY(hex_prefix(&leaf, &plen, &items[0], w, d));
    if (leaf) {
        if (items[1].list || items[1].len == 0)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-leaf", "leaf at nibble %zu has no string value",
                             w->pos);
        int hit = plen == w->nibbles - w->pos && path_matches(w, &items[0], plen);
        *val = &items[1];
        *st = hit ? STEP_FOUND : STEP_ABSENT;
        return QIAO_OK;
    }
    if (plen == 0)
        return QIAO_FAIL(d, QIAO_EINVAL, "empty-extension", "extension at nibble %zu has an "
                         "empty path", w->pos);
    if (!path_matches(w, &items[0], plen)) {
        *st = STEP_ABSENT;
        return QIAO_OK;
    }
    w->pos += plen;
    *st = STEP_MORE;
    return follow(node, w, &items[1], d);
}

static qiao_err step(enum step *st, struct qiao_rlp_item *node, struct walk *w,
                     const struct qiao_rlp_item **val, struct qiao_rlp_item items[17],
                     struct qiao_diag *d)
{
    size_t count;
    qiao_err err = qiao_rlp_list(items, 17, &count, node, d);
    if (err)
        return qiao_diag_wrap(d, "trie node at nibble %zu", w->pos);
    if (count == 17)
        return step_branch(st, node, w, items, val, d);
    if (count == 2)
        return step_short(st, node, w, items, val, d);
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-node", "trie node at nibble %zu has %zu items (want 2 "
                     "or 17)", w->pos, count);
}

qiao_err qiao_evm_proof_verify(int *found, const uint8_t **value, size_t *value_len,
                               const uint8_t root[32], const uint8_t *key, size_t key_len,
                               const struct qiao_evm_proof *proof, struct qiao_diag *d)
{
    *found = 0, *value = NULL, *value_len = 0;
    if (key_len > QIAO_EVM_TRIE_MAX_KEY)
        return QIAO_FAIL(d, QIAO_ERANGE, "key-too-long", "proof key of %zu bytes exceeds %d",
                         key_len, QIAO_EVM_TRIE_MAX_KEY);
    if (proof->count > QIAO_EVM_PROOF_MAX_NODES)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-nodes", "proof holds %zu nodes", proof->count);
    struct walk w = {.key = key, .nibbles = key_len * 2, .proof = proof};
    if (proof->count == 0 && memcmp(root, qiao_evm_empty_trie_root, 32) == 0)
        return QIAO_OK; /* the empty trie holds nothing; no node is needed to show it */
    struct qiao_rlp_item node, items[17];
    const struct qiao_rlp_item *val = NULL;
    enum step st = STEP_MORE;
    QIAO_TRY(take_hashed(&node, &w, root, 1, d));
    while (st == STEP_MORE)
        QIAO_TRY(step(&st, &node, &w, &val, items, d));
    if (w.next != proof->count)
        return QIAO_FAIL(d, QIAO_EVERIFY, "proof-extra-nodes",
                         "proof holds %zu nodes but the path uses %zu", proof->count, w.next);
    if (st == STEP_FOUND) {
        *found = 1, *value = val->p, *value_len = val->len;
    }
    return QIAO_OK;
}

qiao_err qiao_evm_proof_decode(struct qiao_evm_proof *proof, const uint8_t *buf, size_t len,
                               struct qiao_diag *d)
{
    struct qiao_rlp_item list, it;
    struct qiao_rlp_iter iter;
    size_t used;
    int have;
    proof->count = 0;
    QIAO_TRY(qiao_rlp_decode(&list, &used, buf, len, d));
    if (used != len)
        return QIAO_FAIL(d, QIAO_EINVAL, "trailing-bytes", "%zu bytes follow the proof", len - used);
    QIAO_TRY(qiao_rlp_iter_init(&iter, &list, d));
    for (;;) {
        QIAO_TRY(qiao_rlp_next(&iter, &it, &have, d));
        if (!have)
            return QIAO_OK;
        if (it.list)
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-proof", "proof item %zu is a list, not a node "
                             "string", proof->count);
        if (proof->count == QIAO_EVM_PROOF_MAX_NODES)
            return QIAO_FAIL(d, QIAO_ERANGE, "too-many-nodes", "proof holds more than %d nodes",
                             QIAO_EVM_PROOF_MAX_NODES);
        if (it.len > QIAO_EVM_PROOF_MAX_NODE_BYTES)
            return QIAO_FAIL(d, QIAO_ERANGE, "node-too-large", "proof node %zu is %zu bytes",
                             proof->count, it.len);
        proof->node[proof->count] = it.p;
        proof->len[proof->count++] = it.len;
    }
}

qiao_err qiao_evm_proof_encode(struct qiao_buf *out, const struct qiao_evm_proof *proof,
                               struct qiao_diag *d)
{
    size_t start = qiao_rlp_list_begin(out);
    for (size_t i = 0; i < proof->count; i++)
        QIAO_TRY(qiao_rlp_put_bytes(out, proof->node[i], proof->len[i], d));
    return qiao_rlp_list_end(out, start, d);
}
