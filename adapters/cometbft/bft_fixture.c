/* bft_fixture.c: deterministic signed light blocks for tests and benchmarks (see bft_fixture.h). */
#include "adapters/cometbft/bft_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "adapters/cometbft/bft_hash.h"
#include "adapters/cometbft/bft_key.h"
#include "adapters/cometbft/bft_vote.h"
#include "relay/core/secp.h"
#include "relay/core/sig.h"

struct member {
    struct qiao_bft_validator v;
    uint8_t secret[32];
};

static int cmp_member(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    if (x->v.power != y->v.power)
        return x->v.power > y->v.power ? -1 : 1;
    return memcmp(x->v.address, y->v.address, QIAO_BFT_ADDRESS_LEN);
}

static int cmp_addr(const void *a, const void *b)
{
    const struct qiao_bft_validator *const *x = a, *const *y = b;
    return memcmp((*x)->address, (*y)->address, QIAO_BFT_ADDRESS_LEN);
}

static qiao_err member_make(struct qiao_crypto *cx, struct member *m, uint32_t tag, size_t i,
                            int key_type, int64_t power, struct qiao_diag *d)
{
    uint8_t in[16 + 8] = "qiao-bft-fixture", pub64[64];
    qiao_store32be(in + 16, tag);
    qiao_store32be(in + 20, (uint32_t)i);
    qiao_sha256(cx, m->secret, in, sizeof(in));
    memset(&m->v, 0, sizeof(m->v));
    m->v.key_type = (uint8_t)key_type;
    m->v.power = power;
    if (key_type == QIAO_BFT_KEY_ED25519) {
        m->v.pub_len = 32;
        QIAO_TRY(qiao_ed25519_pubkey(m->v.pub, m->secret, d));
    } else {
        m->v.pub_len = 33;
        QIAO_TRY(qiao_secp_pubkey(cx, pub64, NULL, m->secret, d));
        m->v.pub[0] = (uint8_t)(0x02 | (pub64[63] & 1));
        memcpy(m->v.pub + 1, pub64, 32);
    }
    return qiao_bft_key_address(cx, m->v.address, key_type, m->v.pub, m->v.pub_len, d);
}

qiao_err qiao_bft_fixture_set_make(struct qiao_crypto *cx, struct qiao_bft_fixture_set *s,
                                   size_t n, uint32_t tag, int key_type, int64_t base_power,
                                   struct qiao_arena *arena, struct qiao_diag *d)
{
    struct member *m = malloc(n ? n * sizeof(*m) : 1);
    qiao_err err = m ? QIAO_OK : QIAO_FAIL(d, QIAO_ENOMEM, "oom", "fixture members");
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; !err && i < n; i++)
        err = member_make(cx, &m[i], tag, i, key_type, base_power + (int64_t)i, d);
    s->vs.v = err || !n ? NULL : qiao_arena_alloc(arena, n * sizeof(*s->vs.v), d);
    s->vs.by_addr = err || !n ? NULL : qiao_arena_alloc(arena, n * sizeof(*s->vs.by_addr), d);
    s->secret = err || !n ? NULL : qiao_arena_alloc(arena, n * sizeof(*s->secret), d);
    if (!err && n && (!s->vs.v || !s->vs.by_addr || !s->secret))
        err = QIAO_ENOMEM;
    if (!err && n) {
        qsort(m, n, sizeof(*m), cmp_member);
        for (size_t i = 0; i < n; i++) {
            s->vs.v[i] = m[i].v;
            memcpy(s->secret[i], m[i].secret, 32);
            s->vs.by_addr[i] = &s->vs.v[i];
            s->vs.total_power += m[i].v.power;
        }
        qsort(s->vs.by_addr, n, sizeof(*s->vs.by_addr), cmp_addr);
        s->vs.n = n;
    }
    if (m)
        qiao_wipe(m, n * sizeof(*m));
    free(m);
    return err;
}

static void fill_hash(struct qiao_crypto *cx, struct qiao_bft_hash *h, const char *label,
                      int64_t height)
{
    uint8_t in[64];
    size_t n = strlen(label);
    memcpy(in, label, n);
    qiao_store64be(in + n, (uint64_t)height);
    qiao_sha256(cx, h->b, in, n + 8);
    h->len = 32;
}

static qiao_err sign_slot(struct qiao_crypto *cx, struct qiao_bft_light_block *lb, size_t i,
                          const uint8_t secret[32], int key_type, struct qiao_diag *d)
{
    uint8_t msg[QIAO_BFT_SIGN_BYTES_MAX], digest[32], sig65[65];
    size_t len = 0;
    QIAO_TRY(qiao_bft_vote_sign_bytes(msg, &len, qiao_bft_encoding_of(&lb->header),
                                      lb->header.chain_id, lb->header.chain_id_len, &lb->commit,
                                      &lb->commit.sigs[i], d));
    if (key_type == QIAO_BFT_KEY_ED25519)
        return qiao_ed25519_sign(lb->commit.sigs[i].sig, secret, msg, len, d);
    qiao_sha256(cx, digest, msg, len);
    QIAO_TRY(qiao_secp_sign(cx, sig65, secret, digest, d));
    memcpy(lb->commit.sigs[i].sig, sig65, 64);
    return QIAO_OK;
}

qiao_err qiao_bft_fixture_resign(struct qiao_crypto *cx, struct qiao_bft_light_block *lb,
                                 const struct qiao_bft_fixture_set *vals, struct qiao_diag *d)
{
    QIAO_TRY(qiao_bft_header_hash(cx, lb->commit.block_id.hash.b, &lb->header, d));
    lb->commit.block_id.hash.len = 32;
    for (size_t i = 0; i < lb->commit.n_sigs && i < vals->vs.n; i++)
        if (lb->commit.sigs[i].flag != QIAO_BFT_FLAG_ABSENT)
            QIAO_TRY(sign_slot(cx, lb, i, vals->secret[i], vals->vs.v[i].key_type, d));
    return QIAO_OK;
}

static void header_make(struct qiao_crypto *cx, struct qiao_bft_header *h, const char *chain_id,
                        int64_t height, struct qiao_bft_time time)
{
    memset(h, 0, sizeof(*h));
    h->version_block = QIAO_BFT_BLOCK_PROTOCOL_PROTO;
    h->chain_id_len = strlen(chain_id) > QIAO_BFT_MAX_CHAIN_ID ? QIAO_BFT_MAX_CHAIN_ID : strlen(chain_id);
    memcpy(h->chain_id, chain_id, h->chain_id_len);
    h->height = height;
    h->time = time;
    fill_hash(cx, &h->last_block_id.hash, "last-block", height);
    h->last_block_id.parts_total = 1;
    fill_hash(cx, &h->last_block_id.parts_hash, "last-parts", height);
    fill_hash(cx, &h->last_commit_hash, "last-commit", height);
    fill_hash(cx, &h->data_hash, "data", height);
    fill_hash(cx, &h->consensus_hash, "consensus", 0);
    fill_hash(cx, &h->app_hash, "app", height);
    fill_hash(cx, &h->last_results_hash, "results", height);
    fill_hash(cx, &h->evidence_hash, "evidence", height);
}

qiao_err qiao_bft_fixture_block(struct qiao_crypto *cx, struct qiao_bft_light_block *lb,
                                const char *chain_id, int64_t height, struct qiao_bft_time time,
                                const struct qiao_bft_fixture_set *vals,
                                const struct qiao_bft_fixture_set *next, const uint8_t *flags,
                                struct qiao_arena *arena, struct qiao_diag *d)
{
    memset(lb, 0, sizeof(*lb));
    header_make(cx, &lb->header, chain_id, height, time);
    QIAO_TRY(qiao_bft_valset_hash(cx, lb->header.validators_hash.b, &vals->vs, QIAO_BFT_ENC_PROTO, d));
    QIAO_TRY(qiao_bft_valset_hash(cx, lb->header.next_validators_hash.b, &next->vs,
                                  QIAO_BFT_ENC_PROTO, d));
    lb->header.validators_hash.len = lb->header.next_validators_hash.len = 32;
    lb->header.proposer_address.len = QIAO_BFT_ADDRESS_LEN;
    if (vals->vs.n)
        memcpy(lb->header.proposer_address.b, vals->vs.v[0].address, QIAO_BFT_ADDRESS_LEN);
    lb->vals = vals->vs, lb->next_vals = next->vs;
    lb->has_commit = lb->has_vals = lb->has_next_vals = 1;
    lb->commit.height = height;
    lb->commit.round = 1;
    lb->commit.block_id.parts_total = 1;
    fill_hash(cx, &lb->commit.block_id.parts_hash, "parts", height);
    lb->commit.n_sigs = vals->vs.n;
    lb->commit.sigs = vals->vs.n ? qiao_arena_alloc(arena, vals->vs.n * sizeof(*lb->commit.sigs), d) : NULL;
    if (vals->vs.n && !lb->commit.sigs)
        return QIAO_ENOMEM;
    for (size_t i = 0; i < vals->vs.n; i++) {
        struct qiao_bft_commit_sig *s = &lb->commit.sigs[i];
        memset(s, 0, sizeof(*s));
        s->flag = flags ? flags[i] : QIAO_BFT_FLAG_COMMIT;
        if (s->flag == QIAO_BFT_FLAG_ABSENT)
            continue;
        memcpy(s->address, vals->vs.v[i].address, QIAO_BFT_ADDRESS_LEN);
        s->timestamp = time;
        s->timestamp.sec += 1;
    }
    return qiao_bft_fixture_resign(cx, lb, vals, d);
}
