/* test_auth.c: peer challenge-response: the right key passes; replays to another peer, another
 * nonce, another epoch or committee, an impostor key and a non-member all fail; rate limits. */
#include <string.h>

#include "relay/core/secp.h"
#include "relay/mesh/auth.h"
#include "relay/mesh/ratelimit.h"
#include "tests/qt.h"

struct notary {
    uint8_t sk[32];
    uint8_t pub[64];
    uint8_t addr[20];
};

static void make(struct qiao_crypto *cx, struct notary *n, uint8_t fill)
{
    memset(n->sk, fill, 32);
    qiao_secp_pubkey(cx, n->pub, n->addr, n->sk, NULL);
}

static void test_auth(struct qiao_crypto *cx)
{
    struct notary a, b, c, mallory;
    make(cx, &a, 1), make(cx, &b, 2), make(cx, &c, 3), make(cx, &mallory, 9);
    uint8_t allowed[3][20];
    memcpy(allowed[0], a.addr, 20), memcpy(allowed[1], b.addr, 20), memcpy(allowed[2], c.addr, 20);
    uint8_t committee[32], other_committee[32], nonce[32], nonce2[32], sig[65];
    memset(committee, 0xc0, 32), memset(other_committee, 0xc1, 32);
    memset(nonce, 0x77, 32), memset(nonce2, 0x78, 32);
    struct qiao_diag d = {0};

    /* b answers a's challenge. */
    QT_CHECK(qiao_mesh_auth_sign(cx, sig, b.sk, committee, 5, nonce, b.addr, a.addr, &d) == 0);
    QT_CHECK(qiao_mesh_auth_check(cx, sig, committee, 5, nonce, b.addr, a.addr, allowed, 3, &d) == 0);
    /* The same answer presented to c, or for another nonce, epoch or committee, fails. */
    QT_CHECK(qiao_mesh_auth_check(cx, sig, committee, 5, nonce, b.addr, c.addr, allowed, 3, &d) ==
             QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "auth-wrong-signer") == 0);
    QT_CHECK(qiao_mesh_auth_check(cx, sig, committee, 5, nonce2, b.addr, a.addr, allowed, 3, &d) ==
             QIAO_EVERIFY);
    QT_CHECK(qiao_mesh_auth_check(cx, sig, committee, 6, nonce, b.addr, a.addr, allowed, 3, &d) ==
             QIAO_EVERIFY);
    QT_CHECK(qiao_mesh_auth_check(cx, sig, other_committee, 5, nonce, b.addr, a.addr, allowed, 3,
                                  &d) == QIAO_EVERIFY);
    /* Mallory claims to be b but signs with her own key. */
    QT_CHECK(qiao_mesh_auth_sign(cx, sig, mallory.sk, committee, 5, nonce, b.addr, a.addr, &d) == 0);
    QT_CHECK(qiao_mesh_auth_check(cx, sig, committee, 5, nonce, b.addr, a.addr, allowed, 3, &d) ==
             QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "auth-wrong-signer") == 0);
    /* Mallory as herself is not a member. */
    QT_CHECK(qiao_mesh_auth_sign(cx, sig, mallory.sk, committee, 5, nonce, mallory.addr, a.addr,
                                 &d) == 0);
    QT_CHECK(qiao_mesh_auth_check(cx, sig, committee, 5, nonce, mallory.addr, a.addr, allowed, 3,
                                  &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "auth-not-member") == 0);
    /* A garbage signature fails with a canonical-form reason, not a crash. */
    memset(sig, 0xff, 65);
    QT_CHECK(qiao_mesh_auth_check(cx, sig, committee, 5, nonce, b.addr, a.addr, allowed, 3, &d) ==
             QIAO_EVERIFY);
}

static void test_bucket(void)
{
    struct qiao_bucket b;
    qiao_bucket_init(&b, 10, 5, 1000);
    int granted = 0;
    for (int i = 0; i < 20; i++)
        granted += qiao_bucket_take(&b, 1, 1000);
    QT_CHECK(granted == 5);
    QT_CHECK(qiao_bucket_take(&b, 1, 1100) == 1);  /* 100 ms refills one token */
    QT_CHECK(qiao_bucket_take(&b, 1, 1100) == 0);
    QT_CHECK(qiao_bucket_take(&b, 1, 500) == 0);   /* a clock stepping back mints nothing */
    QT_CHECK(qiao_bucket_take(&b, 5, 100000) == 1); /* refill is capped at the burst */
    QT_CHECK(qiao_bucket_take(&b, 1, 100000) == 0);
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    QT_CHECK(cx != NULL);
    if (cx)
        test_auth(cx);
    test_bucket();
    qiao_crypto_destroy(cx);
    return qt_finish();
}
