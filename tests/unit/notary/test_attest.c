/*
 * test_attest.c: message ids, digests, signing and every certificate rejection reason, on the
 * fixed inputs of fixture.h.  The hex constants were computed independently with ethers.js and
 * the Node contract test asserts the same ones through the deployed Inbox's view functions.
 */
#include <string.h>

#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "relay/notary/attest.h"
#include "tests/qt.h"
#include "tests/unit/notary/fixture.h"

static const uint8_t n_order[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};

struct ctx {
    struct qiao_crypto *cx;
    struct qiao_committee c;
    uint8_t members[4][20];
    struct qiao_message m;
    uint8_t id[32], digest[32];
    uint8_t sig[6][65]; /* sig[i] by notary i (1..5) over digest */
};

static void setup(struct ctx *t)
{
    uint8_t sk[32];
    fix_committee(&t->c, t->members, t->cx);
    fix_message(&t->m);
    qiao_msg_id(t->id, &t->m);
    qiao_attest_digest(t->digest, t->c.id, t->c.epoch, t->id);
    for (int i = 1; i <= 5; i++) {
        fix_seckey(sk, i);
        QT_CHECK(qiao_attest_sign(t->cx, t->sig[i], sk, t->digest, NULL) == QIAO_OK);
    }
}

static void test_constants(struct ctx *t)
{
    uint8_t want[32], got[32], members_next[4][20];
    fix_hex(want, 32, FIX_PAYLOAD_HASH);
    QT_CHECK_MEM(t->m.payload_hash, want, 32);
    fix_hex(want, 32, FIX_MSG_ID);
    QT_CHECK_MEM(t->id, want, 32);
    fix_hex(want, 32, FIX_ATTEST_DIGEST);
    QT_CHECK_MEM(t->digest, want, 32);
    struct qiao_committee next = t->c;
    memcpy(members_next, t->members, sizeof(members_next));
    next.members = (const uint8_t(*)[20])members_next;
    next.epoch = 2;
    QT_CHECK(qiao_committee_digest(got, &next, NULL) == QIAO_OK);
    fix_hex(want, 32, FIX_COMMITTEE_DIGEST);
    QT_CHECK_MEM(got, want, 32);
    /* Notary 2 (0x22..22) is the lowest member; ethers produced this exact signature. */
    uint8_t want_sig[65];
    fix_hex(want_sig, 65, "0458dbf2d9a0563d9e228cf368c1a0f63e765d986a6356065ad27acc842dc2b0"
                          "77ab7422ca66adadccf1c7e185362137a993f680b01575c8bbc3a16c8ef4de941c");
    QT_CHECK_MEM(t->sig[2], want_sig, 65);
    QT_CHECK(t->sig[2][64] == 27 || t->sig[2][64] == 28);
}

static void test_build_and_verify(struct ctx *t)
{
    uint8_t in[5][65], cert[5 * 65], want[32], h[32], signers[4][20];
    size_t len = 0, count = 0;
    struct qiao_diag d = {0};
    /* Arbitrary order with a repeat: build sorts, drops the repeat, keeps the lowest 3. */
    memcpy(in[0], t->sig[4], 65);
    memcpy(in[1], t->sig[1], 65);
    memcpy(in[2], t->sig[3], 65);
    memcpy(in[3], t->sig[2], 65);
    memcpy(in[4], t->sig[4], 65);
    QT_CHECK(qiao_cert_build(t->cx, &t->c, t->digest, (const uint8_t(*)[65])in, 5, 3, cert,
                             sizeof(cert), &len, &d) == QIAO_OK);
    QT_CHECK(len == 3 * 65);
    qiao_keccak256(h, cert, len);
    fix_hex(want, 32, FIX_CERT_KECCAK);
    QT_CHECK_MEM(h, want, 32);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, len, signers, &count, &d) == QIAO_OK);
    QT_CHECK(count == 3);
    QT_CHECK_MEM(signers, t->members, 3 * 20);
    /* want = 0 keeps all four. */
    QT_CHECK(qiao_cert_build(t->cx, &t->c, t->digest, (const uint8_t(*)[65])in, 5, 0, cert,
                             sizeof(cert), &len, &d) == QIAO_OK);
    QT_CHECK(len == 4 * 65);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, len, signers, &count, &d) == QIAO_OK);
    QT_CHECK(count == 4);
    QT_CHECK_MEM(signers, t->members, 4 * 20);
    /* Too small a buffer, too few distinct signers, a non-member. */
    QT_CHECK(qiao_cert_build(t->cx, &t->c, t->digest, (const uint8_t(*)[65])in, 5, 3, cert, 100,
                             &len, &d) == QIAO_ERANGE);
    QT_CHECK(strcmp(d.reason, "cert-buffer-small") == 0);
    memcpy(in[1], t->sig[4], 65);
    memcpy(in[2], t->sig[4], 65);
    QT_CHECK(qiao_cert_build(t->cx, &t->c, t->digest, (const uint8_t(*)[65])in, 4, 3, cert,
                             sizeof(cert), &len, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "below-threshold") == 0);
    memcpy(in[1], t->sig[5], 65);
    QT_CHECK(qiao_cert_build(t->cx, &t->c, t->digest, (const uint8_t(*)[65])in, 4, 3, cert,
                             sizeof(cert), &len, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "not-member") == 0);
    QT_CHECKF(strstr(d.msg, "attestation 1") != NULL, "msg: %s", d.msg);
}

/* Index (1..4) of the notary holding the j-th lowest member address. */
static int notary_at(struct ctx *t, int j)
{
    uint8_t sk[32], pub[64], a[20];
    for (int i = 1; i <= 4; i++) {
        fix_seckey(sk, i);
        qiao_secp_pubkey(t->cx, pub, a, sk, NULL);
        if (memcmp(a, t->members[j], 20) == 0)
            return i;
    }
    return 0;
}

/* Verify a certificate made of the given notaries' signatures (in this order); return reason. */
static const char *verdict(struct ctx *t, const int *who, int n, struct qiao_diag *d)
{
    uint8_t cert[8 * 65];
    for (int i = 0; i < n; i++)
        memcpy(cert + i * 65, t->sig[who[i]], 65);
    qiao_diag_clear(d);
    qiao_err e = qiao_cert_verify(t->cx, &t->c, t->id, cert, (size_t)n * 65, NULL, NULL, d);
    return e == QIAO_OK ? "ok" : d->reason;
}

static void negate_s(uint8_t s[32])
{
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int v = n_order[i] - s[i] - borrow;
        borrow = v < 0;
        s[i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
}

static void test_rejections(struct ctx *t)
{
    struct qiao_diag d = {0};
    int a = notary_at(t, 0), b = notary_at(t, 1), c = notary_at(t, 2), e = notary_at(t, 3);
    QT_CHECK(strcmp(verdict(t, (int[]){a, b, c}, 3, &d), "ok") == 0);
    QT_CHECK(strcmp(verdict(t, (int[]){a, b, c, e}, 4, &d), "ok") == 0);
    QT_CHECK(strcmp(verdict(t, (int[]){a, b}, 2, &d), "below-threshold") == 0);
    QT_CHECK(strcmp(verdict(t, (int[]){0}, 0, &d), "below-threshold") == 0);
    QT_CHECK(strcmp(verdict(t, (int[]){a, a, b}, 3, &d), "signers-not-ascending") == 0);
    QT_CHECK(strcmp(verdict(t, (int[]){b, a, c}, 3, &d), "signers-not-ascending") == 0);
    QT_CHECK(strcmp(verdict(t, (int[]){a, b, c, e, 5}, 5, &d), "too-many-signatures") == 0);
    /* The forger (notary 5) placed where its address sorts: rejected as a non-member. */
    const char *r = verdict(t, (int[]){a, b, 5}, 3, &d);
    QT_CHECKF(strcmp(r, "not-member") == 0 || strcmp(r, "signers-not-ascending") == 0, "%s", r);
    QT_CHECK(strcmp(verdict(t, (int[]){5}, 1, &d), "not-member") == 0);

    uint8_t cert[3 * 65];
    memcpy(cert, t->sig[a], 65), memcpy(cert + 65, t->sig[b], 65), memcpy(cert + 130, t->sig[c], 65);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, 3 * 65 - 1, NULL, NULL, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "sigs-length") == 0);
    uint8_t save[65];
    memcpy(save, cert + 65, 65);
    uint8_t *s1 = cert + 65;
    negate_s(s1 + 32), s1[64] ^= 0x37; /* 27 <-> 28: the high-S twin of a valid signature */
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "high-s") == 0);
    QT_CHECKF(strstr(d.msg, "signature 1") != NULL, "msg: %s", d.msg);
    memcpy(s1, save, 65), s1[64] -= 27;
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "bad-v") == 0);
    memcpy(s1, save, 65), memset(s1, 0, 32);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "r-zero") == 0);
    memcpy(s1, save, 65), memset(s1 + 32, 0, 32);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "s-zero") == 0);
    memcpy(s1, save, 65), memcpy(s1, n_order, 32);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "r-out-of-range") == 0);
    memcpy(s1, save, 65), memcpy(s1 + 32, n_order, 32);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "s-out-of-range") == 0);
    /* An r that is no curve point's x: ecrecover returns 0.  About half of all r qualify. */
    int zero_signer = 0;
    for (uint8_t x = 1; x < 40; x++) {
        memcpy(s1, save, 65), memset(s1, 0, 32), s1[31] = x;
        qiao_err err = qiao_cert_verify(t->cx, &t->c, t->id, cert, 195, NULL, NULL, &d);
        QT_CHECK(err == QIAO_EVERIFY);
        zero_signer += strcmp(d.reason, "zero-signer") == 0;
        QT_CHECKF(strcmp(d.reason, "zero-signer") == 0 || strcmp(d.reason, "not-member") == 0 ||
                      strcmp(d.reason, "signers-not-ascending") == 0, "%s", d.reason);
    }
    QT_CHECK(zero_signer > 0);
}

static void test_replay_domains(struct ctx *t)
{
    uint8_t cert[3 * 65], id2[32];
    struct qiao_diag d = {0};
    int w[3] = {notary_at(t, 0), notary_at(t, 1), notary_at(t, 2)};
    for (int i = 0; i < 3; i++)
        memcpy(cert + i * 65, t->sig[w[i]], 65);
    /* Stale epoch: the same members at epoch 2 recover other addresses from epoch-1 sigs. */
    struct qiao_committee later = t->c;
    later.epoch = 2;
    QT_CHECK(qiao_cert_verify(t->cx, &later, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "not-member") == 0);
    /* Another committee id (another Inbox): likewise. */
    struct qiao_committee other = t->c;
    other.id[0] ^= 1;
    QT_CHECK(qiao_cert_verify(t->cx, &other, t->id, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "not-member") == 0);
    /* Another lane: the same message to chain 7002 has another id. */
    struct qiao_message m2 = t->m;
    m2.dst_chain_id = 7002;
    qiao_msg_id(id2, &m2);
    QT_CHECK(memcmp(id2, t->id, 32) != 0);
    QT_CHECK(qiao_cert_verify(t->cx, &t->c, id2, cert, 195, NULL, NULL, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "not-member") == 0);
    /* Every field is bound into the id. */
    struct qiao_message m3 = t->m;
    m3.sender[19] ^= 1;
    qiao_msg_id(id2, &m3);
    QT_CHECK(memcmp(id2, t->id, 32) != 0);
    m3 = t->m, m3.seq = 2, qiao_msg_id(id2, &m3);
    QT_CHECK(memcmp(id2, t->id, 32) != 0);
}

static void test_single_attestation(struct ctx *t)
{
    uint8_t who[20];
    struct qiao_diag d = {0};
    int lo = notary_at(t, 0);
    QT_CHECK(qiao_attest_verify(t->cx, &t->c, t->id, t->sig[lo], who, &d) == QIAO_OK);
    QT_CHECK_MEM(who, t->members[0], 20);
    QT_CHECK(qiao_attest_verify(t->cx, &t->c, t->id, t->sig[5], who, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "not-member") == 0);
}

static void test_committee_rules(struct ctx *t)
{
    uint8_t m[3][20], dg[32];
    struct qiao_diag d = {0};
    struct qiao_committee c = t->c;
    c.members = (const uint8_t(*)[20])m;
    c.n = 3, c.k = 2;
    memcpy(m, t->members, sizeof(m));
    QT_CHECK(qiao_committee_check(&c, &d) == QIAO_OK);
    c.k = 0;
    QT_CHECK(qiao_committee_check(&c, &d) == QIAO_EINVAL && strcmp(d.reason, "bad-threshold") == 0);
    c.k = 4;
    QT_CHECK(qiao_committee_check(&c, &d) == QIAO_EINVAL && strcmp(d.reason, "bad-threshold") == 0);
    c.k = 2;
    memcpy(m[2], m[1], 20);
    QT_CHECK(qiao_committee_check(&c, &d) == QIAO_EINVAL &&
             strcmp(d.reason, "members-not-ascending") == 0);
    memset(m[0], 0, 20);
    QT_CHECK(qiao_committee_check(&c, &d) == QIAO_EINVAL && strcmp(d.reason, "member-zero") == 0);
    QT_CHECK(qiao_committee_digest(dg, &c, &d) == QIAO_EINVAL);
    c.n = 0;
    QT_CHECK(qiao_committee_check(&c, &d) == QIAO_EINVAL && strcmp(d.reason, "committee-empty") == 0);
    c.n = QIAO_COMMITTEE_MAX + 1;
    QT_CHECK(qiao_committee_check(&c, &d) == QIAO_EINVAL &&
             strcmp(d.reason, "committee-too-large") == 0);
}

static void test_message_rules(struct ctx *t)
{
    struct qiao_diag d = {0};
    struct qiao_message m = t->m;
    QT_CHECK(qiao_msg_check(&m, &d) == QIAO_OK);
    QT_CHECK(qiao_msg_check_route(&m, 7001, m.src_emitter, &d) == QIAO_OK);
    QT_CHECK(qiao_msg_check_route(&m, 7002, m.src_emitter, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "wrong-destination") == 0);
    QT_CHECK(qiao_msg_check_route(&m, 7001, NULL, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "unknown-source") == 0);
    uint8_t other[20];
    memcpy(other, m.src_emitter, 20), other[0] ^= 1;
    QT_CHECK(qiao_msg_check_route(&m, 7001, other, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "unknown-source") == 0);
    m.payload_hash[5] ^= 1;
    QT_CHECK(qiao_msg_check(&m, &d) == QIAO_EVERIFY && strcmp(d.reason, "bad-payload-hash") == 0);
    m = t->m, m.version = 2;
    QT_CHECK(qiao_msg_check(&m, &d) == QIAO_EVERIFY && strcmp(d.reason, "bad-version") == 0);
    m = t->m, m.payload_len = QIAO_MSG_PAYLOAD_MAX + 1;
    QT_CHECK(qiao_msg_check(&m, &d) == QIAO_EVERIFY && strcmp(d.reason, "payload-too-large") == 0);
}

int main(void)
{
    struct ctx t = {.cx = qiao_crypto_create()};
    QT_CHECK(t.cx != NULL);
    if (t.cx) {
        setup(&t);
        test_constants(&t);
        test_build_and_verify(&t);
        test_rejections(&t);
        test_replay_domains(&t);
        test_single_attestation(&t);
        test_committee_rules(&t);
        test_message_rules(&t);
    }
    qiao_crypto_destroy(t.cx);
    return qt_finish();
}
