/*
 * test_cert_exhaustive.c: for every committee size n <= 7, every threshold k and every subset of
 * signers, qiao_cert_verify accepts the subset's sorted certificate exactly when it has at least
 * k signers, and reports exactly those signers; qiao_cert_build agrees; and any certificate of
 * two or more signers in descending order is refused.  (libsecp256k1-style exhaustive testing
 * where the space is small.)
 */
#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/secp.h"
#include "relay/notary/attest.h"
#include "tests/qt.h"

#define NMAX 7

struct fixture {
    struct qiao_crypto *cx;
    uint8_t members[NMAX][20];
    uint8_t sig[NMAX][65]; /* sig[j] by the member at sorted position j */
    uint8_t id[32];
};

/* Members: keys 0x01.., 0x02.., ... 0x07.. (32 equal bytes), sorted by address. */
static void make_members(struct fixture *f, int n, uint8_t sk_of[NMAX][32])
{
    uint8_t pub[64], tmp_sk[32], tmp_a[20];
    for (int i = 0; i < n; i++) {
        memset(sk_of[i], 0x01 + i, 32);
        qiao_secp_pubkey(f->cx, pub, f->members[i], sk_of[i], NULL);
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && memcmp(f->members[j - 1], f->members[j], 20) > 0; j--) {
            memcpy(tmp_a, f->members[j], 20), memcpy(f->members[j], f->members[j - 1], 20);
            memcpy(f->members[j - 1], tmp_a, 20);
            memcpy(tmp_sk, sk_of[j], 32), memcpy(sk_of[j], sk_of[j - 1], 32);
            memcpy(sk_of[j - 1], tmp_sk, 32);
        }
}

static int check_subset(struct fixture *f, struct qiao_committee *c, unsigned mask)
{
    uint8_t cert[NMAX * 65], rev[NMAX * 65], signers[NMAX][20], built[NMAX * 65];
    uint8_t in[NMAX][65];
    size_t len = 0, count = 0, blen = 0;
    int ok = 1;
    for (size_t j = 0; j < c->n; j++)
        if (mask & (1u << j)) {
            memcpy(cert + len, f->sig[j], 65);
            memcpy(in[len / 65], f->sig[j], 65);
            len += 65;
        }
    size_t pop = len / 65;
    struct qiao_diag d = {0};
    qiao_err e = qiao_cert_verify(f->cx, c, f->id, cert, len, signers, &count, &d);
    if (pop >= c->k) {
        ok &= e == QIAO_OK && count == pop;
        for (size_t j = 0, s = 0; ok && j < c->n; j++)
            if (mask & (1u << j))
                ok &= memcmp(signers[s++], f->members[j], 20) == 0;
    } else {
        ok &= e == QIAO_EVERIFY && strcmp(d.reason, "below-threshold") == 0;
    }
    /* build from the reversed input order must give the same sorted certificate */
    uint8_t digest[32];
    qiao_attest_digest(digest, c->id, c->epoch, f->id);
    for (size_t i = 0; i < pop; i++)
        memcpy(rev + i * 65, in[pop - 1 - i], 65);
    e = qiao_cert_build(f->cx, c, digest, (const uint8_t(*)[65])rev, pop, 0, built, sizeof(built),
                        &blen, &d);
    if (pop >= c->k)
        ok &= e == QIAO_OK && blen == len && memcmp(built, cert, len) == 0;
    else
        ok &= e == QIAO_EVERIFY && strcmp(d.reason, "below-threshold") == 0;
    if (pop >= 2) {
        e = qiao_cert_verify(f->cx, c, f->id, rev, len, NULL, NULL, &d);
        ok &= e == QIAO_EVERIFY && strcmp(d.reason, "signers-not-ascending") == 0;
    }
    return ok;
}

int main(void)
{
    struct fixture f = {.cx = qiao_crypto_create()};
    uint8_t sk_of[NMAX][32];
    QT_CHECK(f.cx != NULL);
    if (!f.cx)
        return qt_finish();
    memset(f.id, 0xa5, 32);
    for (int n = 1; n <= NMAX; n++) {
        make_members(&f, n, sk_of);
        struct qiao_committee c = {.epoch = 3, .members = (const uint8_t(*)[20])f.members,
                                   .n = (size_t)n};
        memset(c.id, 0x5a, 32);
        uint8_t digest[32];
        qiao_attest_digest(digest, c.id, c.epoch, f.id);
        for (int j = 0; j < n; j++)
            QT_CHECK(qiao_attest_sign(f.cx, f.sig[j], sk_of[j], digest, NULL) == QIAO_OK);
        for (int k = 1; k <= n; k++) {
            c.k = (unsigned)k;
            int bad = 0;
            for (unsigned mask = 0; mask < (1u << n); mask++)
                bad += !check_subset(&f, &c, mask);
            QT_CHECKF(bad == 0, "n=%d k=%d: %d of %u subsets misjudged", n, k, bad, 1u << n);
        }
    }
    qiao_wipe(sk_of, sizeof(sk_of));
    qiao_crypto_destroy(f.cx);
    return qt_finish();
}
