/*
 * test_btc_htlc.c: the HTLC script byte for byte (assembled here from the template), minimal
 * script numbers at every encoding boundary, parsing back with every truncation and every
 * single-byte mutation, bech32 addresses (BIP 173's own vectors and mutations), the claim and
 * refund transactions (witness layout, lock time, sequence, signature checked independently
 * against a BIP 143 digest), and htlc_match through the adapter table.
 */
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_adapter.h"
#include "adapters/bitcoin/btc_htlc.h"
#include "adapters/bitcoin/btc_script.h"
#include "adapters/bitcoin/btc_sighash.h"
#include "adapters/bitcoin/btc_tx.h"
#include "relay/core/hex.h"
#include "tests/qt.h"

static uint8_t arena_mem[1 << 16];

struct fixture;
static void test_match_spends(struct fixture *f, const struct qiao_buf *claim,
                              const struct qiao_buf *refund);
static void test_match_selectors(struct fixture *f, const struct qiao_buf *claim,
                                 const struct qiao_buf *refund);

static int htlc_eq(const struct qiao_btc_htlc *a, const struct qiao_btc_htlc *b)
{
    return !memcmp(a->hash, b->hash, 32) && !memcmp(a->recv_pub, b->recv_pub, 33) &&
           !memcmp(a->refund_pub, b->refund_pub, 33) && a->locktime == b->locktime;
}

struct fixture {
    struct qiao_crypto *cx;
    uint8_t recv_sk[32], refund_sk[32], preimage[32];
    struct qiao_btc_htlc h;
};

static void setup(struct fixture *f)
{
    struct qiao_diag d = {0};
    f->cx = qiao_crypto_create();
    memset(f->recv_sk, 0x11, 32);
    memset(f->refund_sk, 0x22, 32);
    for (int i = 0; i < 32; i++)
        f->preimage[i] = (uint8_t)(i * 7 + 3);
    qiao_sha256(f->cx, f->h.hash, f->preimage, 32);
    QT_CHECK(qiao_btc_pubkey33(f->cx, f->h.recv_pub, f->recv_sk, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_pubkey33(f->cx, f->h.refund_pub, f->refund_sk, &d) == QIAO_OK);
    f->h.locktime = 500;
}

/* The template assembled from its parts, for T whose minimal push is tpush. */
static size_t expected_script(uint8_t *out, const struct qiao_btc_htlc *h, const uint8_t *tpush,
                              size_t tlen)
{
    size_t n = 0;
    static const uint8_t head[] = {0x63, 0x82, 0x01, 0x20, 0x88, 0xa8, 0x20};
    memcpy(out + n, head, sizeof(head)), n += sizeof(head);
    memcpy(out + n, h->hash, 32), n += 32;
    out[n++] = 0x88, out[n++] = 0x21;
    memcpy(out + n, h->recv_pub, 33), n += 33;
    out[n++] = 0x67;
    memcpy(out + n, tpush, tlen), n += tlen;
    out[n++] = 0xb1, out[n++] = 0x75, out[n++] = 0x21;
    memcpy(out + n, h->refund_pub, 33), n += 33;
    out[n++] = 0x68, out[n++] = 0xac;
    return n;
}

static void test_locktime_encodings(struct fixture *f)
{
    static const struct {
        uint32_t t;
        uint8_t push[6];
        size_t len;
    } cases[] = {
        {1, {0x51}, 1},           {16, {0x60}, 1},
        {17, {0x01, 0x11}, 2},    {127, {0x01, 0x7f}, 2},
        {128, {0x02, 0x80, 0x00}, 3},   {500, {0x02, 0xf4, 0x01}, 3},
        {32767, {0x02, 0xff, 0x7f}, 3}, {32768, {0x03, 0x00, 0x80, 0x00}, 4},
        {499999999, {0x04, 0xff, 0x64, 0xcd, 0x1d}, 5},
        {0x7fffffff, {0x04, 0xff, 0xff, 0xff, 0x7f}, 5},
        {0x80000000u, {0x05, 0x00, 0x00, 0x00, 0x80, 0x00}, 6},
        {0xffffffffu, {0x05, 0xff, 0xff, 0xff, 0xff, 0x00}, 6},
    };
    struct qiao_diag d = {0};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct qiao_btc_htlc h = f->h, back;
        uint8_t got[QIAO_BTC_HTLC_SCRIPT_MAX], want[QIAO_BTC_HTLC_SCRIPT_MAX];
        size_t len = 0;
        h.locktime = cases[i].t;
        size_t wlen = expected_script(want, &h, cases[i].push, cases[i].len);
        QT_CHECK(qiao_btc_htlc_script(got, &len, &h, &d) == QIAO_OK);
        QT_CHECKF(len == wlen && !memcmp(got, want, len), "T=%u", cases[i].t);
        QT_CHECKF(qiao_btc_htlc_parse(f->cx, &back, got, len, &d) == QIAO_OK, "T=%u: %s",
                  cases[i].t, d.msg);
        QT_CHECK(htlc_eq(&back, &h));
    }
    struct qiao_btc_htlc z = f->h;
    uint8_t s[QIAO_BTC_HTLC_SCRIPT_MAX];
    size_t len;
    z.locktime = 0;
    QT_CHECK(qiao_btc_htlc_script(s, &len, &z, &d) == QIAO_EINVAL && !strcmp(d.reason,
                                                                               "locktime-zero"));
    z = f->h;
    z.recv_pub[0] = 0x04;
    QT_CHECK(qiao_btc_htlc_script(s, &len, &z, &d) == QIAO_EINVAL && !strcmp(d.reason,
                                                                               "bad-pubkey"));
}

static int parse_reason(struct fixture *f, const uint8_t *s, size_t len, const char *reason)
{
    struct qiao_btc_htlc h;
    struct qiao_diag d = {0};
    return qiao_btc_htlc_parse(f->cx, &h, s, len, &d) != QIAO_OK && !strcmp(d.reason, reason);
}

static void test_non_canonical(struct fixture *f)
{
    uint8_t s[QIAO_BTC_HTLC_SCRIPT_MAX + 8];
    struct qiao_btc_htlc h = f->h;
    h.locktime = 17;
    static const uint8_t wide17[] = {0x02, 0x11, 0x00}, push5[] = {0x01, 0x05},
                         neg[] = {0x01, 0x81}, zero[] = {0x00}, pd1[] = {0x4c, 0x01, 0x11};
    QT_CHECK(parse_reason(f, s, expected_script(s, &h, wide17, 3), "non-minimal-locktime"));
    QT_CHECK(parse_reason(f, s, expected_script(s, &h, push5, 2), "non-minimal-locktime"));
    QT_CHECK(parse_reason(f, s, expected_script(s, &h, pd1, 3), "not-htlc-script"));
    QT_CHECK(parse_reason(f, s, expected_script(s, &h, neg, 2), "not-htlc-script"));
    QT_CHECK(parse_reason(f, s, expected_script(s, &h, zero, 1), "locktime-zero"));
    /* a key that is not on the curve (x = 5 has no point on secp256k1) */
    h.recv_pub[0] = 0x02;
    memset(h.recv_pub + 1, 0, 32);
    h.recv_pub[32] = 5;
    static const uint8_t t17[] = {0x01, 0x11};
    QT_CHECK(parse_reason(f, s, expected_script(s, &h, t17, 2), "bad-pubkey"));
}

/* Every prefix fails; every byte flip either fails or parses to different parameters that
 * re-encode to exactly the mutated script (a different but genuine HTLC). */
static void test_mutations(struct fixture *f)
{
    uint8_t s[QIAO_BTC_HTLC_SCRIPT_MAX + 1], m[QIAO_BTC_HTLC_SCRIPT_MAX + 1];
    size_t len;
    struct qiao_btc_htlc h;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_btc_htlc_script(s, &len, &f->h, &d) == QIAO_OK);
    int ok = 1;
    for (size_t n = 0; n < len; n++)
        ok &= qiao_btc_htlc_parse(f->cx, &h, s, n, NULL) != QIAO_OK;
    s[len] = 0xac;
    ok &= qiao_btc_htlc_parse(f->cx, &h, s, len + 1, NULL) != QIAO_OK;
    QT_CHECKF(ok, "a truncated or extended script parsed");
    int sound = 1;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(m, s, len);
            m[i] ^= (uint8_t)(1u << bit);
            if (qiao_btc_htlc_parse(f->cx, &h, m, len, NULL) != QIAO_OK)
                continue;
            uint8_t again[QIAO_BTC_HTLC_SCRIPT_MAX];
            size_t alen;
            sound &= qiao_btc_htlc_script(again, &alen, &h, NULL) == QIAO_OK && alen == len &&
                     !memcmp(again, m, len) && !htlc_eq(&h, &f->h);
        }
    }
    QT_CHECK(sound);
}

static void test_address(struct fixture *f)
{
    struct qiao_diag d = {0};
    char addr[QIAO_BTC_ADDR_MAX];
    uint8_t prog[32], spk[34], back[32];
    size_t plen;
    QT_CHECK(qiao_btc_htlc_address(f->cx, addr, spk, prog, QIAO_BTC_REGTEST, &f->h, &d) ==
             QIAO_OK);
    QT_CHECK(!strncmp(addr, "bcrt1q", 6) && strlen(addr) == 64);
    QT_CHECK(spk[0] == 0 && spk[1] == 32 && !memcmp(spk + 2, prog, 32));
    QT_CHECK(qiao_btc_address_decode(back, &plen, QIAO_BTC_REGTEST, addr, &d) == QIAO_OK &&
             plen == 32 && !memcmp(back, prog, 32));
    QT_CHECK(qiao_btc_address_decode(back, &plen, QIAO_BTC_MAIN, addr, &d) == QIAO_EINVAL &&
             !strcmp(d.reason, "wrong-network"));
    /* BIP 173's valid vectors */
    uint8_t want[32];
    size_t wlen;
    QT_CHECK(qiao_btc_address_decode(back, &plen, QIAO_BTC_MAIN,
                                     "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", &d) == QIAO_OK);
    QT_CHECK(qiao_hex_decode(want, 32, &wlen, "751e76e8199196d454941c45d1b3a323f1433bd6", 40,
                             &d) == QIAO_OK && plen == 20 && !memcmp(back, want, 20));
    QT_CHECK(qiao_btc_address_encode(addr, QIAO_BTC_MAIN, want, 20, &d) == QIAO_OK &&
             !strcmp(addr, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"));
    /* the same program under the regtest prefix (the live test has bcoin accept our addresses) */
    QT_CHECK(qiao_btc_address_encode(addr, QIAO_BTC_REGTEST, want, 20, &d) == QIAO_OK &&
             !strcmp(addr, "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"));
    static const char *tb = "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7";
    QT_CHECK(qiao_btc_address_decode(back, &plen, QIAO_BTC_TESTNET, tb, &d) == QIAO_OK);
    QT_CHECK(qiao_hex_decode(want, 32, &wlen, "1863143c14c5166804bd19203356da136c985678cd4d27a1b8"
                             "c6329604903262", 64, &d) == QIAO_OK && plen == 32 &&
             !memcmp(back, want, 32));
    QT_CHECK(qiao_btc_address_encode(addr, QIAO_BTC_TESTNET, want, 32, &d) == QIAO_OK &&
             !strcmp(addr, tb));
    /* mutations: every single-character change breaks the checksum or the character set */
    char m[QIAO_BTC_ADDR_MAX];
    int all = 1;
    for (size_t i = 3; i < strlen(tb); i++) {
        strcpy(m, tb);
        m[i] = m[i] == 'q' ? 'p' : 'q';
        all &= qiao_btc_address_decode(back, &plen, QIAO_BTC_TESTNET, m, NULL) != QIAO_OK;
    }
    QT_CHECK(all);
    strcpy(m, tb);
    m[5] = 'R';
    QT_CHECK(qiao_btc_address_decode(back, &plen, QIAO_BTC_TESTNET, m, &d) == QIAO_EINVAL &&
             !strcmp(d.reason, "mixed-case"));
    QT_CHECK(qiao_btc_address_encode(addr, QIAO_BTC_MAIN, want, 31, &d) == QIAO_EINVAL);
}

static void spend_params(struct fixture *f, struct qiao_btc_htlc_spend *sp, const uint8_t *dest,
                         size_t dest_len)
{
    memset(sp, 0, sizeof(*sp));
    sp->htlc = &f->h;
    memset(sp->prev_txid, 0xab, 32);
    sp->prev_vout = 1;
    sp->prev_value = 100000;
    sp->dest_spk = dest, sp->dest_spk_len = dest_len;
    sp->fee = 1000;
}

/* Decode a built spend, check its shape and its signature against an independent digest. */
static void check_spend(struct fixture *f, const struct qiao_buf *b, int claim,
                        const uint8_t *sign_pub)
{
    struct qiao_arena a;
    struct qiao_btc_txn tx;
    struct qiao_diag d = {0};
    uint8_t script[QIAO_BTC_HTLC_SCRIPT_MAX], digest[32];
    size_t slen;
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    QT_CHECK(qiao_btc_txn_decode(&tx, b->p, b->len, &a, &d) == QIAO_OK);
    QT_CHECK(tx.nin == 1 && tx.nout == 1 && tx.out[0].value == 99000 && tx.version == 2);
    QT_CHECK(qiao_btc_htlc_script(script, &slen, &f->h, &d) == QIAO_OK);
    const struct qiao_btc_txin *in = &tx.in[0];
    QT_CHECK(in->nwitness == (claim ? 4u : 3u) && in->prev_vout == 1);
    QT_CHECK(in->witness[in->nwitness - 1].len == slen &&
             !memcmp(in->witness[in->nwitness - 1].p, script, slen));
    if (claim) {
        QT_CHECK(in->witness[1].len == 32 && !memcmp(in->witness[1].p, f->preimage, 32));
        QT_CHECK(in->witness[2].len == 1 && in->witness[2].p[0] == 1);
        QT_CHECK(tx.locktime == 0 && in->sequence == 0xffffffffu);
    } else {
        QT_CHECK(in->witness[1].len == 0);
        QT_CHECK(tx.locktime == f->h.locktime && in->sequence == 0xfffffffeu);
    }
    QT_CHECK(qiao_btc_sighash_v0(f->cx, digest, &tx, 0, script, slen, 100000, 1, &d) == QIAO_OK);
    QT_CHECKF(qiao_btc_verify(f->cx, sign_pub, in->witness[0].p, in->witness[0].len, digest, &d) ==
              QIAO_OK, "%s", d.msg);
}

static void test_spends(struct fixture *f)
{
    static const uint8_t dest[22] = {0x00, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
                                     11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    struct qiao_btc_htlc_spend sp;
    struct qiao_buf claim = {0}, refund = {0}, junk = {0};
    struct qiao_diag d = {0};
    spend_params(f, &sp, dest, sizeof(dest));
    QT_CHECKF(qiao_btc_htlc_claim(f->cx, &claim, &sp, f->recv_sk, f->preimage, 32, &d) == QIAO_OK,
              "%s", d.msg);
    check_spend(f, &claim, 1, f->h.recv_pub);
    QT_CHECK(qiao_btc_htlc_refund(f->cx, &refund, &sp, f->refund_sk, &d) == QIAO_OK);
    check_spend(f, &refund, 0, f->h.refund_pub);
    /* refusals */
    QT_CHECK(qiao_btc_htlc_claim(f->cx, &junk, &sp, f->refund_sk, f->preimage, 32, &d) ==
             QIAO_EINVAL && !strcmp(d.reason, "wrong-key"));
    QT_CHECK(qiao_btc_htlc_refund(f->cx, &junk, &sp, f->recv_sk, &d) == QIAO_EINVAL &&
             !strcmp(d.reason, "wrong-key"));
    QT_CHECK(qiao_btc_htlc_claim(f->cx, &junk, &sp, f->recv_sk, f->preimage, 31, &d) ==
             QIAO_EINVAL && !strcmp(d.reason, "preimage-length"));
    uint8_t wrong[32];
    memcpy(wrong, f->preimage, 32);
    wrong[0] ^= 1;
    QT_CHECK(qiao_btc_htlc_claim(f->cx, &junk, &sp, f->recv_sk, wrong, 32, &d) == QIAO_EINVAL &&
             !strcmp(d.reason, "bad-preimage"));
    sp.fee = 99600;
    QT_CHECK(qiao_btc_htlc_refund(f->cx, &junk, &sp, f->refund_sk, &d) == QIAO_EINVAL &&
             !strcmp(d.reason, "fee-too-high"));
    sp.fee = 50;
    QT_CHECK(qiao_btc_htlc_refund(f->cx, &junk, &sp, f->refund_sk, &d) == QIAO_EINVAL &&
             !strcmp(d.reason, "fee-below-relay"));
    QT_CHECK(junk.len == 0);
    qiao_buf_clear(&junk);
    sp.fee = 1000;
    test_match_spends(f, &claim, &refund);
    test_match_selectors(f, &claim, &refund);
    qiao_buf_clear(&claim), qiao_buf_clear(&refund);
}

static qiao_err match(struct fixture *f, struct qiao_btc_htlc_match *m, const struct qiao_buf *b,
                      int flip_id, struct qiao_diag *d)
{
    struct qiao_btc_tx_info info;
    struct qiao_proof_result item = {.leaf = b->p, .leaf_len = b->len};
    QT_CHECK(qiao_btc_tx_parse(f->cx, &info, b->p, b->len, NULL) == QIAO_OK);
    memcpy(item.id, info.txid, 32);
    item.id[0] ^= (uint8_t)flip_id;
    QT_CHECK(qiao_adapter_bitcoin.caps & QIAO_CAP_HTLC);
    return qiao_adapter_bitcoin.htlc_match(f->cx, m, &item, d);
}

/* A funding transaction paying the HTLC at output 1. */
static void funding(struct fixture *f, struct qiao_buf *out, const uint8_t spk[34])
{
    static const uint8_t other[22] = {0x00, 0x14};
    static const uint8_t sig[3] = {1, 2, 3};
    struct qiao_btc_bytes wit[1] = {{sig, 3}};
    struct qiao_btc_txin in = {.prev_vout = 0, .sequence = 0xffffffffu, .witness = wit,
                               .nwitness = 1};
    struct qiao_btc_txout o[2] = {{5000, {other, 22}}, {100000, {spk, 34}}};
    struct qiao_btc_txn tx = {.version = 2, .in = &in, .nin = 1, .out = o, .nout = 2};
    (void)f;
    QT_CHECK(qiao_btc_txn_encode(out, &tx, 1, NULL) == QIAO_OK);
}

static void test_match_spends(struct fixture *f, const struct qiao_buf *claim,
                              const struct qiao_buf *refund)
{
    struct qiao_btc_htlc_match m;
    struct qiao_diag d = {0};
    uint8_t prog[32], spk[34];
    QT_CHECK(qiao_btc_htlc_address(f->cx, NULL, spk, prog, QIAO_BTC_REGTEST, &f->h, &d) ==
             QIAO_OK);
    memset(&m, 0, sizeof(m));
    QT_CHECKF(match(f, &m, claim, 0, &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(m.kind == QIAO_BTC_HTLC_CLAIMED && !memcmp(m.preimage, f->preimage, 32));
    QT_CHECK(htlc_eq(&m.htlc, &f->h) && m.prev_vout == 1 && m.index == 0);
    memset(&m, 0, sizeof(m));
    m.want_program = 1;
    memcpy(m.program, prog, 32);
    QT_CHECK(match(f, &m, refund, 0, &d) == QIAO_OK && m.kind == QIAO_BTC_HTLC_REFUNDED &&
             m.locktime == f->h.locktime);
    m.program[0] ^= 1; /* a different HTLC is not this one */
    QT_CHECK(match(f, &m, refund, 0, &d) == QIAO_ENOTFOUND && !strcmp(d.reason, "no-htlc"));
    QT_CHECK(match(f, &m, claim, 1, &d) == QIAO_EVERIFY && !strcmp(d.reason, "txid-mismatch"));
    struct qiao_proof_result empty = {0};
    QT_CHECK(qiao_adapter_bitcoin.htlc_match(f->cx, &m, &empty, &d) == QIAO_EINVAL &&
             !strcmp(d.reason, "no-leaf"));
    /* the lock: found only when the program is named */
    struct qiao_buf fund = {0};
    funding(f, &fund, spk);
    memset(&m, 0, sizeof(m));
    QT_CHECK(match(f, &m, &fund, 0, &d) == QIAO_ENOTFOUND);
    m.want_program = 1;
    memcpy(m.program, prog, 32);
    QT_CHECK(match(f, &m, &fund, 0, &d) == QIAO_OK && m.kind == QIAO_BTC_HTLC_LOCK &&
             m.index == 1 && m.value == 100000);
    qiao_buf_clear(&fund);
    /* a claim witness with a 31-byte preimage is reported, not believed */
    static const uint8_t dest[22] = {0x00, 0x14};
    struct qiao_btc_htlc_spend sp = {.htlc = &f->h, .prev_value = 100000, .dest_spk = dest,
                                     .dest_spk_len = 22, .fee = 1000};
    struct qiao_buf bad = {0};
    QT_CHECK(qiao_btc_htlc_spend_raw(f->cx, &bad, &sp, f->recv_sk, QIAO_BTC_HTLC_CLAIM,
                                     f->preimage, 31, 0, &d) == QIAO_OK);
    memset(&m, 0, sizeof(m));
    QT_CHECK(match(f, &m, &bad, 0, &d) == QIAO_EVERIFY && !strcmp(d.reason, "preimage-length"));
    qiao_buf_clear(&bad);
}

/* Re-encode src with witness item `item` of input 0 replaced by sel[0..n). */
static void reselect(struct qiao_buf *out, const struct qiao_buf *src, size_t item,
                     const uint8_t *sel, size_t n)
{
    struct qiao_btc_txn tx;
    struct qiao_arena a;
    struct qiao_diag d = {0};
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    out->len = 0;
    QT_CHECK(qiao_btc_txn_decode(&tx, src->p, src->len, &a, &d) == QIAO_OK);
    QT_CHECK(item < tx.in[0].nwitness);
    tx.in[0].witness[item].p = sel, tx.in[0].witness[item].len = n;
    QT_CHECK(qiao_btc_txn_encode(out, &tx, 1, &d) == QIAO_OK);
}

/* OP_IF's argument is a boolean by consensus in witness v0 (MINIMALIF is only relay policy), so a
 * mined claim may select the branch with any true value and a refund with any false one.  The
 * match must read such spends by the branch the script took, or a counterparty could hide a
 * revealed preimage from the relay by mining a claim whose selector is 0x02. */
static void test_match_selectors(struct fixture *f, const struct qiao_buf *claim,
                                 const struct qiao_buf *refund)
{
    static const uint8_t two[1] = {0x02}, wide_one[2] = {0x01, 0x00}, zero[1] = {0x00},
                         neg_zero[1] = {0x80}, zeros[3] = {0x00, 0x00, 0x80};
    static const struct {
        int claim_tx;
        const uint8_t *sel;
        size_t n;
        int kind; /* 0: refused as not-htlc-spend */
    } cases[] = {
        {1, two, 1, QIAO_BTC_HTLC_CLAIMED},     {1, wide_one, 2, QIAO_BTC_HTLC_CLAIMED},
        {1, zero, 1, 0},                        {1, neg_zero, 1, 0},
        {0, zero, 1, QIAO_BTC_HTLC_REFUNDED},   {0, neg_zero, 1, QIAO_BTC_HTLC_REFUNDED},
        {0, zeros, 3, QIAO_BTC_HTLC_REFUNDED},  {0, two, 1, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct qiao_buf tx = {0};
        struct qiao_btc_htlc_match m;
        struct qiao_diag d = {0};
        reselect(&tx, cases[i].claim_tx ? claim : refund, cases[i].claim_tx ? 2 : 1,
                 cases[i].sel, cases[i].n);
        memset(&m, 0, sizeof(m));
        qiao_err err = match(f, &m, &tx, 0, &d);
        if (cases[i].kind) {
            QT_CHECKF(err == QIAO_OK && (int)m.kind == cases[i].kind, "case %zu: %s (%s)", i,
                      d.msg, d.reason);
            if (cases[i].kind == QIAO_BTC_HTLC_CLAIMED)
                QT_CHECKF(!memcmp(m.preimage, f->preimage, 32), "case %zu: preimage", i);
        } else {
            QT_CHECKF(err == QIAO_EVERIFY && !strcmp(d.reason, "not-htlc-spend"),
                      "case %zu: %s", i, d.reason);
        }
        qiao_buf_clear(&tx);
    }
}

static void test_sig_encoding(struct fixture *f)
{
    uint8_t digest[32] = {7}, sig[QIAO_BTC_SIG_MAX], bad[QIAO_BTC_SIG_MAX];
    size_t len;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_btc_sign(f->cx, sig, &len, f->recv_sk, digest, 1, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_sig_check(sig, len, &d) == QIAO_OK);
    /* s -> n - s: the same signature in its high-S form */
    static const uint8_t n[32] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
        0x41, 0x41};
    size_t rlen = sig[3], slen = sig[5 + rlen];
    uint8_t s32[32] = {0}, hs[32];
    memcpy(s32 + 32 - slen, sig + 6 + rlen, slen);
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int v = n[i] - s32[i] - borrow;
        borrow = v < 0;
        hs[i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
    size_t k = 0;
    bad[k++] = 0x30, bad[k++] = 0, bad[k++] = 0x02, bad[k++] = (uint8_t)rlen;
    memcpy(bad + k, sig + 4, rlen), k += rlen;
    bad[k++] = 0x02, bad[k++] = 33, bad[k++] = 0x00; /* the high S has its top bit set */
    memcpy(bad + k, hs, 32), k += 32;
    bad[k++] = 0x01;
    bad[1] = (uint8_t)(k - 3);
    QT_CHECK(qiao_btc_sig_check(bad, k, &d) == QIAO_EINVAL && !strcmp(d.reason, "high-s"));
    memcpy(bad, sig, len);
    bad[0] = 0x31;
    QT_CHECK(qiao_btc_sig_check(bad, len, &d) == QIAO_EINVAL && !strcmp(d.reason, "bad-der"));
    memcpy(bad, sig, len);
    bad[len - 1] = 0x04;
    QT_CHECK(qiao_btc_sig_check(bad, len, &d) == QIAO_EINVAL && !strcmp(d.reason,
                                                                         "bad-hash-type"));
    int all = 1;
    for (size_t i = 0; i < len; i++)
        all &= qiao_btc_sig_check(sig, i, NULL) != QIAO_OK;
    QT_CHECK(all);
}

int main(void)
{
    struct fixture f;
    setup(&f);
    test_locktime_encodings(&f);
    test_non_canonical(&f);
    test_mutations(&f);
    test_address(&f);
    test_spends(&f);
    test_sig_encoding(&f);
    qiao_crypto_destroy(f.cx);
    return qt_finish();
}
