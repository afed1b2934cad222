/* bft_hash.c: RFC 6962 Merkle roots, header hash and validator-set hash (see bft_hash.h). */
#include "adapters/cometbft/bft_hash.h"

#include <string.h>

/* Largest leaf encoding: a BlockID with two 64-byte hashes, or a 64-byte bytes field, plus tags. */
#define LEAF_MAX 192

static size_t split_point(size_t n)
{
    size_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

static qiao_err subtree(struct qiao_crypto *cx, uint8_t out[32], size_t lo, size_t n,
                        qiao_bft_leaf_fn leaf, const void *ctx, struct qiao_diag *d)
{
    if (n == 1) {
        uint8_t buf[1 + LEAF_MAX];
        size_t len = 0;
        buf[0] = 0x00;
        QIAO_TRY(leaf(ctx, lo, buf + 1, LEAF_MAX, &len, d));
        qiao_sha256(cx, out, buf, 1 + len);
        return QIAO_OK;
    }
    size_t k = split_point(n);
    uint8_t node[65];
    node[0] = 0x01;
    QIAO_TRY(subtree(cx, node + 1, lo, k, leaf, ctx, d));
    QIAO_TRY(subtree(cx, node + 33, lo + k, n - k, leaf, ctx, d));
    qiao_sha256(cx, out, node, sizeof(node));
    return QIAO_OK;
}

qiao_err qiao_bft_merkle_root(struct qiao_crypto *cx, uint8_t root[32], size_t n,
                              qiao_bft_leaf_fn leaf, const void *ctx, struct qiao_diag *d)
{
    if (n == 0) {
        qiao_sha256(cx, root, "", 0);
        return QIAO_OK;
    }
    return subtree(cx, root, 0, n, leaf, ctx, d);
}

void qiao_bft_pb_timestamp(struct qiao_bft_pb *w, struct qiao_bft_time t)
{
    qiao_bft_pb_uint(w, 1, (uint64_t)t.sec); /* int64: negative seconds as two's complement */
    qiao_bft_pb_uint(w, 2, (uint64_t)(int64_t)t.nsec);
}

/* BlockID {hash = 1, part_set_header = 2 (PartSetHeader {total = 1, hash = 2})}.  Protobuf
 * (gogoproto non-nullable) always writes part_set_header; amino omits it when empty. */
static void pb_block_id(struct qiao_bft_pb *w, const struct qiao_bft_block_id *id,
                        enum qiao_bft_encoding enc)
{
    uint8_t psh[16 + QIAO_BFT_MAX_HASH]; /* total (<= 6 bytes) + hash (<= 2 + 64 bytes) */
    struct qiao_bft_pb pw;
    qiao_bft_pb_init(&pw, psh, sizeof(psh));
    qiao_bft_pb_uint(&pw, 1, id->parts_total);
    qiao_bft_pb_bytes(&pw, 2, id->parts_hash.b, id->parts_hash.len);
    qiao_bft_pb_bytes(w, 1, id->hash.b, id->hash.len);
    if (enc == QIAO_BFT_ENC_PROTO)
        qiao_bft_pb_msg(w, 2, psh, pw.len);
    else
        qiao_bft_pb_bytes(w, 2, psh, pw.len);
    w->overflow |= pw.overflow;
}

/* A scalar header field.  Protobuf: Go's cdcEncode wraps it in a gogotypes wrapper
 * (StringValue, Int64Value, BytesValue) whose single field is number 1.  Amino: the bare value,
 * length-prefixed for bytes and strings.  Either way an empty or zero value is no bytes at all. */
static void scalar_bytes(struct qiao_bft_pb *w, const void *p, size_t n, enum qiao_bft_encoding enc)
{
    if (!n)
        return;
    if (enc == QIAO_BFT_ENC_PROTO) {
        qiao_bft_pb_msg(w, 1, p, n);
        return;
    }
    qiao_bft_pb_varint(w, n);
    qiao_bft_pb_raw(w, p, n);
}

static void scalar_uint(struct qiao_bft_pb *w, uint64_t v, enum qiao_bft_encoding enc)
{
    if (enc == QIAO_BFT_ENC_PROTO)
        qiao_bft_pb_uint(w, 1, v);
    else if (v)
        qiao_bft_pb_varint(w, v);
}

static void header_leaf_enc(struct qiao_bft_pb *w, const struct qiao_bft_header *h, size_t i)
{
    const struct qiao_bft_hash *hashes[] = {
        &h->last_commit_hash,  &h->data_hash,         &h->validators_hash, &h->next_validators_hash,
        &h->consensus_hash,    &h->app_hash,          &h->last_results_hash, &h->evidence_hash,
        &h->proposer_address,
    };
    enum qiao_bft_encoding enc = qiao_bft_encoding_of(h);
    switch (i) {
    case 0: /* version: Consensus {block = 1, app = 2}, the same in both encodings */
        qiao_bft_pb_uint(w, 1, h->version_block);
        qiao_bft_pb_uint(w, 2, h->version_app);
        break;
    case 1:
        scalar_bytes(w, h->chain_id, h->chain_id_len, enc);
        break;
    case 2:
        scalar_uint(w, (uint64_t)h->height, enc);
        break;
    case 3: /* Timestamp {seconds = 1, nanos = 2}; amino hand-encodes time the same way */
        qiao_bft_pb_timestamp(w, h->time);
        break;
    case 4:
        pb_block_id(w, &h->last_block_id, enc);
        break;
    default:
        scalar_bytes(w, hashes[i - 5]->b, hashes[i - 5]->len, enc);
        break;
    }
}

static qiao_err header_leaf(const void *ctx, size_t i, uint8_t *buf, size_t cap, size_t *len,
                            struct qiao_diag *d)
{
    struct qiao_bft_pb w;
    qiao_bft_pb_init(&w, buf, cap);
    header_leaf_enc(&w, ctx, i);
    *len = w.len;
    return qiao_bft_pb_finish(&w, "a header field", d);
}

qiao_err qiao_bft_header_hash(struct qiao_crypto *cx, uint8_t hash[32],
                              const struct qiao_bft_header *h, struct qiao_diag *d)
{
    return qiao_bft_merkle_root(cx, hash, 14, header_leaf, h, d);
}

struct valset_ctx {
    const struct qiao_bft_valset *vs;
    enum qiao_bft_encoding enc;
};

/* Amino's registered-type prefixes for "tendermint/PubKeyEd25519" and "tendermint/PubKeySecp256k1". */
static const uint8_t amino_prefix_ed25519[4] = {0x16, 0x24, 0xde, 0x64};
static const uint8_t amino_prefix_secp256k1[4] = {0xeb, 0x5a, 0xe9, 0x87};

/* The public key as SimpleValidator field 1 carries it.  Protobuf: PublicKey oneof {ed25519 = 1,
 * secp256k1 = 2}.  Amino: the type prefix, then the length-prefixed key. */
static void pub_key_enc(struct qiao_bft_pb *kw, const struct qiao_bft_validator *v,
                        enum qiao_bft_encoding enc)
{
    int ed = v->key_type == QIAO_BFT_KEY_ED25519;
    if (enc == QIAO_BFT_ENC_PROTO) {
        qiao_bft_pb_msg(kw, ed ? 1 : 2, v->pub, v->pub_len);
        return;
    }
    qiao_bft_pb_raw(kw, ed ? amino_prefix_ed25519 : amino_prefix_secp256k1, 4);
    qiao_bft_pb_varint(kw, v->pub_len);
    qiao_bft_pb_raw(kw, v->pub, v->pub_len);
}

/* SimpleValidator {pub_key = 1, voting_power = 2}. */
static qiao_err validator_leaf(const void *ctx, size_t i, uint8_t *buf, size_t cap, size_t *len,
                               struct qiao_diag *d)
{
    const struct valset_ctx *c = ctx;
    const struct qiao_bft_validator *v = &c->vs->v[i];
    uint8_t key[48];
    struct qiao_bft_pb kw, w;
    qiao_bft_pb_init(&kw, key, sizeof(key));
    pub_key_enc(&kw, v, c->enc);
    QIAO_TRY(qiao_bft_pb_finish(&kw, "a validator public key", d));
    qiao_bft_pb_init(&w, buf, cap);
    qiao_bft_pb_msg(&w, 1, key, kw.len);
    qiao_bft_pb_uint(&w, 2, (uint64_t)v->power);
    *len = w.len;
    return qiao_bft_pb_finish(&w, "a validator", d);
}

qiao_err qiao_bft_valset_hash(struct qiao_crypto *cx, uint8_t hash[32],
                              const struct qiao_bft_valset *vs, enum qiao_bft_encoding enc,
                              struct qiao_diag *d)
{
    struct valset_ctx c = {.vs = vs, .enc = enc};
    return qiao_bft_merkle_root(cx, hash, vs->n, validator_leaf, &c, d);
}
