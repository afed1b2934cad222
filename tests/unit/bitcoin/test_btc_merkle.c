/*
 * test_btc_merkle.c: Merkle paths and Merkle blocks on trees built here the way Core builds them
 * (the last node of an odd level paired with itself; CPartialMerkleTree's TraverseAndBuild),
 * every index of several tree sizes, the CVE-2012-2459 duplicate in both forms, the 64-byte
 * transaction, byte-flip mutations of a path and of a whole Merkle block, and txids of legacy
 * and segwit encodings of the same transaction.
 */
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_adapter.h"
#include "adapters/bitcoin/btc_merkle.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/bytes.h"
#include "tests/qt.h"

#define MAXTX 1000

struct tree {
    struct qiao_crypto *cx;
    uint32_t n;
    uint8_t txid[MAXTX][32];
};

static uint32_t width(const struct tree *t, unsigned h)
{
    return (t->n + (1u << h) - 1) >> h;
}

static void node(const struct tree *t, unsigned h, uint32_t pos, uint8_t out[32])
{
    if (h == 0) {
        memcpy(out, t->txid[pos], 32);
        return;
    }
    uint8_t l[32], r[32];
    node(t, h - 1, pos * 2, l);
    if (pos * 2 + 1 < width(t, h - 1))
        node(t, h - 1, pos * 2 + 1, r);
    else
        memcpy(r, l, 32);
    qiao_btc_merkle_pair(t->cx, out, l, r);
}

static unsigned height_of(const struct tree *t)
{
    unsigned h = 0;
    while (width(t, h) > 1)
        h++;
    return h;
}

/* The path of index: at each level the sibling, or the node itself where it has none. */
static size_t path_of(const struct tree *t, uint32_t index, uint8_t *out)
{
    unsigned H = height_of(t);
    for (unsigned h = 0; h < H; h++) {
        uint32_t pos = index >> h, sib = pos ^ 1;
        node(t, h, sib < width(t, h) ? sib : pos, out + 32 * h);
    }
    return 32 * H;
}

static void fill(struct tree *t, uint32_t n, uint32_t seed)
{
    t->n = n;
    for (uint32_t i = 0; i < n; i++) {
        uint8_t in[8];
        qiao_store32le(in, seed), qiao_store32le(in + 4, i);
        qiao_sha256d(t->cx, t->txid[i], in, 8);
    }
}

static void paths_every_index(struct tree *t)
{
    static const uint32_t sizes[] = {1, 2, 3, 5, 7, 8, 13, 100};
    uint8_t path[32 * 20], root[32];
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        fill(t, sizes[s], (uint32_t)s);
        node(t, height_of(t), 0, root);
        int ok = 0;
        for (uint32_t i = 0; i < t->n; i++) {
            size_t len = path_of(t, i, path);
            ok += qiao_btc_merkle_verify(t->cx, root, t->txid[i], i, path, len, NULL) == QIAO_OK;
        }
        QT_CHECKF(ok == (int)t->n, "size %u: %d of %u paths verify", t->n, ok, t->n);
    }
}

static void path_rejections(struct tree *t)
{
    uint8_t path[32 * 21], root[32];
    struct qiao_diag d = {0};
    fill(t, 3, 77); /* [a, b, c]: the root equals that of [a, b, c, c] */
    node(t, 2, 0, root);
    size_t len = path_of(t, 2, path);
    QT_CHECK(qiao_btc_merkle_verify(t->cx, root, t->txid[2], 2, path, len, &d) == QIAO_OK);
    /* CVE-2012-2459: claim the duplicate at index 3; the path is the same bytes. */
    QT_CHECK(qiao_btc_merkle_verify(t->cx, root, t->txid[2], 3, path, len, &d) == QIAO_EVERIFY &&
             !strcmp(d.reason, "duplicate-subtree"));
    QT_CHECK(qiao_btc_merkle_verify(t->cx, root, t->txid[2], 4, path, len, &d) &&
             !strcmp(d.reason, "index-out-of-range"));
    QT_CHECK(qiao_btc_merkle_verify(t->cx, root, t->txid[2], 2, path, len - 1, &d) &&
             !strcmp(d.reason, "bad-path-length"));
    memset(path, 0, sizeof(path));
    QT_CHECK(qiao_btc_merkle_verify(t->cx, root, t->txid[2], 0, path, 32 * 21, &d) &&
             !strcmp(d.reason, "path-too-long"));
    /* Flip every byte of leaf, path and root of a 13-leaf proof: all rejected. */
    fill(t, 13, 5);
    node(t, height_of(t), 0, root);
    len = path_of(t, 6, path);
    uint8_t blob[32 + 32 * 20 + 32];
    memcpy(blob, t->txid[6], 32), memcpy(blob + 32, path, len), memcpy(blob + 32 + len, root, 32);
    int rejected = 0, total = (int)(len + 64);
    for (int i = 0; i < total; i++) {
        blob[i] ^= 0x01;
        rejected += qiao_btc_merkle_verify(t->cx, blob + 32 + len, blob, 6, blob + 32, len, NULL) != 0;
        blob[i] ^= 0x01;
    }
    QT_CHECKF(rejected == total, "%d of %d path mutations rejected", rejected, total);
}

/* ---- partial Merkle trees (CPartialMerkleTree::TraverseAndBuild) ---- */

struct pmt_out {
    uint8_t hashes[2 * MAXTX][32];
    size_t nh;
    uint8_t bits[MAXTX];
    size_t nb;
};

static void pmt_build(const struct tree *t, const uint8_t *match, unsigned h, uint32_t pos,
                      struct pmt_out *o)
{
    int parent = 0;
    for (uint32_t p = pos << h; p < ((pos + 1) << h) && p < t->n; p++)
        parent |= match[p];
    if (parent)
        o->bits[o->nb / 8] |= (uint8_t)(1u << (o->nb % 8));
    o->nb++;
    if (h == 0 || !parent) {
        node(t, h, pos, o->hashes[o->nh++]);
        return;
    }
    pmt_build(t, match, h - 1, pos * 2, o);
    if (pos * 2 + 1 < width(t, h - 1))
        pmt_build(t, match, h - 1, pos * 2 + 1, o);
}

static size_t compact(uint8_t *p, size_t v)
{
    if (v < 0xfd)
        return p[0] = (uint8_t)v, 1;
    p[0] = 0xfd, p[1] = (uint8_t)v, p[2] = (uint8_t)(v >> 8);
    return 3;
}

/* Serialise a Merkle block whose header commits to t's root. */
static size_t merkleblock(const struct tree *t, const uint8_t *match, uint8_t *out)
{
    static struct pmt_out o;
    memset(&o, 0, sizeof(o));
    pmt_build(t, match, height_of(t), 0, &o);
    memset(out, 0x11, 80);
    node(t, height_of(t), 0, out + 36);
    size_t len = 80;
    qiao_store32le(out + len, t->n), len += 4;
    len += compact(out + len, o.nh);
    memcpy(out + len, o.hashes, 32 * o.nh), len += 32 * o.nh;
    len += compact(out + len, (o.nb + 7) / 8);
    memcpy(out + len, o.bits, (o.nb + 7) / 8), len += (o.nb + 7) / 8;
    return len;
}

static uint8_t arena_mem[MAXTX * sizeof(struct qiao_btc_pmt_match) + 64];
static uint8_t mb[80 + 4 + 3 + 2 * MAXTX * 32 + 3 + MAXTX];

static qiao_err mb_verify(struct qiao_crypto *cx, struct qiao_btc_merkleblock *out,
                          const uint8_t *p, size_t n, struct qiao_diag *d)
{
    struct qiao_arena a;
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    return qiao_btc_merkleblock_verify(cx, out, p, n, &a, d);
}

static void merkleblocks(struct tree *t)
{
    static const uint32_t sizes[] = {1, 2, 3, 7, 100, 1000};
    static uint8_t match[MAXTX];
    struct qiao_btc_merkleblock out;
    struct qiao_diag d = {0};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        fill(t, sizes[s], 100 + (uint32_t)s);
        size_t want = 0;
        for (uint32_t i = 0; i < t->n; i++)
            want += match[i] = (i % 7 == 3 || i == t->n - 1);
        size_t len = merkleblock(t, match, mb);
        QT_CHECKF(mb_verify(t->cx, &out, mb, len, &d) == QIAO_OK, "size %u: %s", t->n, d.msg);
        int same = out.nmatches == want && out.transactions == t->n;
        for (size_t k = 0; same && k < out.nmatches; k++)
            same = match[out.matches[k].index] &&
                   !memcmp(out.matches[k].txid, t->txid[out.matches[k].index], 32);
        QT_CHECKF(same, "size %u: %zu matches", t->n, out.nmatches);
    }
    memset(match, 0, sizeof(match));
    fill(t, 4, 9);
    memcpy(t->txid[3], t->txid[2], 32); /* [a, b, c, c]: the CVE-2012-2459 mutated block */
    match[3] = 1;
    size_t len = merkleblock(t, match, mb);
    QT_CHECK(mb_verify(t->cx, &out, mb, len, &d) == QIAO_EVERIFY &&
             !strcmp(d.reason, "duplicate-subtree"));
    fill(t, 5, 10);
    match[3] = 0;
    len = merkleblock(t, match, mb); /* no transaction matched */
    QT_CHECK(mb_verify(t->cx, &out, mb, len, &d) && !strcmp(d.reason, "no-match"));
}

/* Flip each byte of a Merkle block: verifying it against its true header must fail. */
static void merkleblock_mutations(struct tree *t)
{
    static uint8_t match[MAXTX];
    memset(match, 0, sizeof(match));
    fill(t, 13, 11);
    match[6] = 1;
    size_t len = merkleblock(t, match, mb);
    struct qiao_header_info header;
    struct qiao_proof_result res;
    struct qiao_arena a;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_adapter_header_decode(&qiao_adapter_bitcoin, t->cx, &header, mb, 80, NULL) == 0);
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    QT_CHECKF(qiao_adapter_proof_verify(&qiao_adapter_bitcoin, t->cx, &res, &header, mb, len, &a,
                                        &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(res.index == 6 && !memcmp(res.id, t->txid[6], 32));
    int rejected = 0, same_fact = 0;
    for (size_t i = 0; i < len; i++) {
        mb[i] ^= 0x01;
        qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
        int bad = qiao_adapter_proof_verify(&qiao_adapter_bitcoin, t->cx, &res, &header, mb,
                                            len, &a, NULL) != QIAO_OK;
        if (!bad && i >= 80 && i < 84) {
            /* nTransactions is not committed by the root: 13 -> 12 leaves the tree above the
             * matched leaf unchanged.  Accepted only because it proves the very same fact. */
            QT_CHECKF(res.index == 6 && !memcmp(res.id, t->txid[6], 32), "byte %zu", i);
            same_fact++;
            bad = 1;
        }
        QT_CHECKF(bad, "flipping byte %zu of %zu is accepted", i, len);
        rejected += bad;
        mb[i] ^= 0x01;
    }
    QT_CHECKF(rejected == (int)len, "%d of %zu Merkle-block mutations rejected", rejected, len);
    QT_CHECK(same_fact <= 1);
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    QT_CHECK(qiao_adapter_proof_verify(&qiao_adapter_bitcoin, t->cx, &res, &header, mb, len + 1,
                                       &a, &d) && !strcmp(d.reason, "trailing-bytes"));
}

/* A one-input one-output transaction; script_len sets its size (60 + script_len bytes). */
static size_t make_tx(uint8_t *p, size_t script_len)
{
    size_t n = 0;
    qiao_store32le(p, 2), n = 4;
    p[n++] = 1;
    memset(p + n, 0xab, 36), n += 36;
    p[n++] = 0;
    memset(p + n, 0xff, 4), n += 4;
    p[n++] = 1;
    memset(p + n, 0, 8), n += 8;
    p[n++] = (uint8_t)script_len;
    memset(p + n, 0x51, script_len), n += script_len;
    memset(p + n, 0, 4), n += 4;
    return n;
}

static void transactions(struct qiao_crypto *cx)
{
    uint8_t tx[200], sw[260], root[32];
    struct qiao_btc_tx_info a, b;
    struct qiao_diag d = {0};
    size_t n = make_tx(tx, 4);
    QT_CHECK(n == 64);
    QT_CHECK(qiao_btc_tx_parse(cx, &a, tx, n, &d) == QIAO_OK);
    memcpy(root, a.txid, 32);
    QT_CHECK(qiao_btc_spv_verify_tx(cx, NULL, root, tx, n, 0, NULL, 0, &d) == QIAO_EVERIFY &&
             !strcmp(d.reason, "tx-64-bytes"));
    n = make_tx(tx, 5);
    QT_CHECK(qiao_btc_tx_parse(cx, &a, tx, n, &d) == QIAO_OK && !a.segwit && a.stripped_len == n);
    QT_CHECK(qiao_btc_spv_verify_tx(cx, NULL, a.txid, tx, n, 0, NULL, 0, &d) == QIAO_OK);
    /* The same transaction with marker, flag and a two-item witness. */
    memcpy(sw, tx, 4);
    sw[4] = 0x00, sw[5] = 0x01;
    memcpy(sw + 6, tx + 4, n - 8);
    size_t m = 6 + n - 8;
    static const uint8_t witness[] = {0x02, 0x02, 0xaa, 0xbb, 0x01, 0xcc};
    memcpy(sw + m, witness, sizeof(witness)), m += sizeof(witness);
    memcpy(sw + m, tx + n - 4, 4), m += 4;
    QT_CHECK(qiao_btc_tx_parse(cx, &b, sw, m, &d) == QIAO_OK && b.segwit);
    QT_CHECK_MEM(a.txid, b.txid, 32);
    QT_CHECK(memcmp(b.wtxid, b.txid, 32) != 0 && b.stripped_len == n);
    uint8_t w[32];
    qiao_sha256d(cx, w, sw, m);
    QT_CHECK_MEM(w, b.wtxid, 32);
    sw[5] = 0x02;
    QT_CHECK(qiao_btc_tx_parse(cx, &b, sw, m, &d) && !strcmp(d.reason, "unknown-tx-flags"));
    sw[5] = 0x01;
    sw[m - 4 - 6] = 0x00, sw[m - 4 - 5] = 0x00; /* empty stack: then bytes are left over */
    QT_CHECK(qiao_btc_tx_parse(cx, &b, sw, m, &d) != QIAO_OK);
    QT_CHECK(qiao_btc_tx_parse(cx, &b, sw, m - 4, &d) && !strcmp(d.reason, "superfluous-witness"));
    uint8_t big[8] = {0xfd, 0x01, 0x00};
    struct qiao_cursor c;
    uint64_t v;
    qiao_cursor_init(&c, big, 3);
    QT_CHECK(qiao_btc_read_compact(&c, &v, 1000, "x", &d) && !strcmp(d.reason, "non-canonical-varint"));
    tx[n] = 0;
    QT_CHECK(qiao_btc_tx_parse(cx, &a, tx, n + 1, &d) && !strcmp(d.reason, "trailing-bytes"));
}

int main(void)
{
    static struct tree t;
    t.cx = qiao_crypto_create();
    paths_every_index(&t);
    path_rejections(&t);
    merkleblocks(&t);
    merkleblock_mutations(&t);
    transactions(t.cx);
    qiao_crypto_destroy(t.cx);
    return qt_finish();
}
