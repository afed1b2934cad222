/* btc_merkle.c: Merkle paths and partial Merkle trees (see btc_merkle.h). */
#include "adapters/bitcoin/btc_merkle.h"

#include <string.h>

#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/hex.h"

void qiao_btc_merkle_pair(struct qiao_crypto *cx, uint8_t out[32], const uint8_t left[32],
                          const uint8_t right[32])
{
    uint8_t once[32];
    qiao_sha256_2(cx, once, left, 32, right, 32);
    qiao_sha256(cx, out, once, 32);
}

qiao_err qiao_btc_merkle_path_root(struct qiao_crypto *cx, uint8_t root[32],
                                   const uint8_t leaf[32], uint64_t index,
                                   const uint8_t *siblings, size_t siblings_len,
                                   struct qiao_diag *d)
{
    if (siblings_len % 32)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-path-length",
                         "Merkle path of %zu bytes is not a whole number of 32-byte hashes",
                         siblings_len);
    size_t depth = siblings_len / 32;
    if (depth > QIAO_BTC_MAX_MERKLE_DEPTH)
        return QIAO_FAIL(d, QIAO_ERANGE, "path-too-long",
                         "Merkle path of %zu levels exceeds %u", depth, QIAO_BTC_MAX_MERKLE_DEPTH);
    if (index >> depth)
        return QIAO_FAIL(d, QIAO_EVERIFY, "index-out-of-range",
                         "index %llu does not fit a Merkle path of %zu levels",
                         (unsigned long long)index, depth);
    uint8_t node[32];
    memcpy(node, leaf, 32);
    for (size_t level = 0; level < depth; level++, index >>= 1) {
        const uint8_t *sib = siblings + 32 * level;
        if (index & 1) {
            /* A right child equal to its left sibling exists only by duplication. */
            if (memcmp(sib, node, 32) == 0)
                return QIAO_FAIL(d, QIAO_EVERIFY, "duplicate-subtree",
                                 "level %zu: the node is its own left sibling (CVE-2012-2459)",
                                 level);
            qiao_btc_merkle_pair(cx, node, sib, node);
        } else {
            qiao_btc_merkle_pair(cx, node, node, sib);
        }
    }
    memcpy(root, node, 32);
    return QIAO_OK;
}

qiao_err qiao_btc_merkle_verify(struct qiao_crypto *cx, const uint8_t root[32],
                                const uint8_t leaf[32], uint64_t index, const uint8_t *siblings,
                                size_t siblings_len, struct qiao_diag *d)
{
    uint8_t got[32];
    QIAO_TRY(qiao_btc_merkle_path_root(cx, got, leaf, index, siblings, siblings_len, d));
    if (memcmp(got, root, 32) != 0) {
        char g[65], w[65];
        qiao_hex_encode_rev(g, got, 32);
        qiao_hex_encode_rev(w, root, 32);
        return QIAO_FAIL(d, QIAO_EVERIFY, "merkle-root-mismatch",
                         "the path yields root %s, the header commits to %s", g, w);
    }
    return QIAO_OK;
}

qiao_err qiao_btc_spv_verify_tx(struct qiao_crypto *cx, uint8_t txid[32], const uint8_t root[32],
                                const uint8_t *tx, size_t tx_len, uint64_t index,
                                const uint8_t *siblings, size_t siblings_len,
                                struct qiao_diag *d)
{
    struct qiao_btc_tx_info info;
    QIAO_TRY(qiao_btc_tx_parse(cx, &info, tx, tx_len, d));
    if (info.stripped_len == 64)
        return QIAO_FAIL(d, QIAO_EVERIFY, "tx-64-bytes",
                         "a 64-byte transaction can pose as a Merkle inner node");
    if (txid)
        memcpy(txid, info.txid, 32);
    return qiao_btc_merkle_verify(cx, root, info.txid, index, siblings, siblings_len, d);
}

/* Traversal state of one partial Merkle tree (Core's CPartialMerkleTree). */
struct pmt {
    struct qiao_crypto *cx;
    uint32_t ntx;
    const uint8_t *hashes;
    size_t nhashes, hashes_used;
    const uint8_t *flags;
    size_t nbits, bits_used;
    struct qiao_btc_pmt_match *matches;
    size_t nmatches;
};

static uint32_t tree_width(const struct pmt *t, unsigned height)
{
    return (uint32_t)(((uint64_t)t->ntx + (1ull << height) - 1) >> height);
}

static qiao_err traverse(struct pmt *t, unsigned height, uint32_t pos, uint8_t out[32],
                         struct qiao_diag *d)
{
    if (t->bits_used >= t->nbits)
        return QIAO_FAIL(d, QIAO_EVERIFY, "flags-exhausted",
                         "partial Merkle tree ran out of flag bits at height %u", height);
    int parent_of_match = (t->flags[t->bits_used / 8] >> (t->bits_used % 8)) & 1;
    t->bits_used++;
    if (height == 0 || !parent_of_match) {
        if (t->hashes_used >= t->nhashes)
            return QIAO_FAIL(d, QIAO_EVERIFY, "hashes-exhausted",
                             "partial Merkle tree ran out of hashes at height %u", height);
        memcpy(out, t->hashes + 32 * t->hashes_used++, 32);
        if (height == 0 && parent_of_match) {
            memcpy(t->matches[t->nmatches].txid, out, 32);
            t->matches[t->nmatches++].index = pos;
        }
        return QIAO_OK;
    }
    uint8_t left[32], right[32];
    QIAO_TRY(traverse(t, height - 1, pos * 2, left, d));
    if ((uint64_t)pos * 2 + 1 < tree_width(t, height - 1)) {
        QIAO_TRY(traverse(t, height - 1, pos * 2 + 1, right, d));
        if (memcmp(left, right, 32) == 0)
            return QIAO_FAIL(d, QIAO_EVERIFY, "duplicate-subtree",
                             "height %u position %u: right subtree equals left (CVE-2012-2459)",
                             height, pos);
    } else {
        memcpy(right, left, 32);
    }
    qiao_btc_merkle_pair(t->cx, out, left, right);
    return QIAO_OK;
}

static qiao_err parse_pmt(struct pmt *t, struct qiao_cursor *c, struct qiao_diag *d)
{
    uint64_t n, nbytes;
    QIAO_TRY(qiao_cursor_u32le(c, &t->ntx, d));
    if (t->ntx == 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "no-transactions", "Merkle block of zero transactions");
    if (t->ntx > QIAO_BTC_MAX_BLOCK_TXS)
        return QIAO_FAIL(d, QIAO_ERANGE, "too-many-transactions",
                         "Merkle block claims %u transactions, above %u", t->ntx,
                         QIAO_BTC_MAX_BLOCK_TXS);
    QIAO_TRY(qiao_btc_read_compact(c, &n, QIAO_BTC_MAX_BLOCK_TXS, "hash count", d));
    if (n > t->ntx)
        return QIAO_FAIL(d, QIAO_EVERIFY, "too-many-hashes",
                         "%llu hashes for %u transactions", (unsigned long long)n, t->ntx);
    t->nhashes = (size_t)n;
    QIAO_TRY(qiao_cursor_take(c, &t->hashes, t->nhashes * 32, d));
    /* A tree over ntx leaves has fewer than 2*ntx nodes, one flag bit each. */
    QIAO_TRY(qiao_btc_read_compact(c, &nbytes, (2ull * t->ntx + 7) / 8, "flag byte count", d));
    QIAO_TRY(qiao_cursor_take(c, &t->flags, (size_t)nbytes, d));
    t->nbits = (size_t)nbytes * 8;
    if (t->nbits < t->nhashes)
        return QIAO_FAIL(d, QIAO_EVERIFY, "too-few-flags", "%zu flag bits for %zu hashes",
                         t->nbits, t->nhashes);
    return qiao_cursor_expect_end(c, "Merkle block", d);
}

static qiao_err check_consumed(const struct pmt *t, struct qiao_diag *d)
{
    if ((t->bits_used + 7) / 8 != t->nbits / 8)
        return QIAO_FAIL(d, QIAO_EVERIFY, "unused-flags", "%zu flag bits used of %zu",
                         t->bits_used, t->nbits);
    if (t->hashes_used != t->nhashes)
        return QIAO_FAIL(d, QIAO_EVERIFY, "unused-hashes", "%zu hashes used of %zu",
                         t->hashes_used, t->nhashes);
    for (size_t b = t->bits_used; b < t->nbits; b++)
        if ((t->flags[b / 8] >> (b % 8)) & 1)
            return QIAO_FAIL(d, QIAO_EINVAL, "non-canonical-flags",
                             "padding flag bit %zu is set", b);
    if (t->nmatches == 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "no-match", "the Merkle block proves no transaction");
    return QIAO_OK;
}

qiao_err qiao_btc_merkleblock_verify(struct qiao_crypto *cx, struct qiao_btc_merkleblock *mb,
                                     const uint8_t *raw, size_t len, struct qiao_arena *arena,
                                     struct qiao_diag *d)
{
    struct qiao_cursor c;
    struct pmt t = {.cx = cx};
    const uint8_t *hdr;
    memset(mb, 0, sizeof(*mb));
    qiao_cursor_init(&c, raw, len);
    QIAO_TRY(qiao_cursor_take(&c, &hdr, QIAO_BTC_HEADER_LEN, d));
    QIAO_TRY(qiao_btc_header_decode(&mb->header, hdr, QIAO_BTC_HEADER_LEN, d));
    qiao_btc_header_hash(cx, mb->block_hash, hdr);
    QIAO_TRY(parse_pmt(&t, &c, d));
    if (!arena)
        return QIAO_FAIL(d, QIAO_EINVAL, "no-arena", "Merkle block verification needs an arena");
    t.matches = qiao_arena_alloc(arena, (t.nhashes ? t.nhashes : 1) * sizeof(*t.matches), d);
    if (!t.matches)
        return QIAO_ENOMEM;
    unsigned height = 0;
    while (tree_width(&t, height) > 1)
        height++;
    uint8_t root[32];
    QIAO_TRY(traverse(&t, height, 0, root, d));
    QIAO_TRY(check_consumed(&t, d));
    if (memcmp(root, mb->header.merkle_root, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "merkle-root-mismatch",
                         "the partial Merkle tree does not hash to the header's Merkle root");
    mb->transactions = t.ntx;
    mb->matches = t.matches;
    mb->nmatches = t.nmatches;
    return QIAO_OK;
}
