/*
 * test_secp.c: secp256k1 sign, recover, verify, and the canonical-form rules (low-S, r and s in
 * range, recovery id).  The fixed vector (key 0x11..11, digest keccak256("qiao")) was produced by an
 * independent implementation (ethers.js); RFC 6979 makes the signature deterministic.
 */
#include <string.h>

#include "relay/core/crypto.h"
#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"
#include "tests/qt.h"

static const uint8_t n_order[32] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
    0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};

/* out = n - s (big-endian), turning a low-S signature into its high-S twin. */
static void negate_s(uint8_t out[32], const uint8_t s[32])
{
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int v = n_order[i] - s[i] - borrow;
        borrow = v < 0;
        out[i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
}

static void test_known_vector(struct qiao_crypto *cx)
{
    uint8_t sk[32], digest[32], sig[65], want_r[32], want_s[32], addr[20], want_addr[20], rec[20];
    memset(sk, 0x11, sizeof(sk));
    qiao_keccak256(digest, "qiao", 4);
    QT_CHECK(qiao_hex_decode_exact(want_addr, 20, "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A", NULL) == 0);
    QT_CHECK(qiao_hex_decode_exact(want_r, 32,
             "b6b6cea3762c5a22f454c0ddcfa367162c179c388f2f5f31a8d529873fa9db08", NULL) == 0);
    QT_CHECK(qiao_hex_decode_exact(want_s, 32,
             "743380e978b2c8ab69e5531f61fc1bb88341448923ff3f951eaa63de1f1104da", NULL) == 0);
    uint8_t pub[64];
    QT_CHECK(qiao_secp_pubkey(cx, pub, addr, sk, NULL) == QIAO_OK);
    QT_CHECK_MEM(addr, want_addr, 20);
    QT_CHECK(qiao_secp_sign(cx, sig, sk, digest, NULL) == QIAO_OK);
    QT_CHECK_MEM(sig, want_r, 32);
    QT_CHECK_MEM(sig + 32, want_s, 32);
    QT_CHECK(sig[64] == 0); /* ethers reported v = 27 */
    QT_CHECK(qiao_secp_recover(cx, rec, NULL, sig, digest, NULL) == QIAO_OK);
    QT_CHECK_MEM(rec, want_addr, 20);
}

static void test_roundtrip_and_verify(struct qiao_crypto *cx)
{
    uint8_t sk[32], pub[64], addr[20], rec[20], rec_pub[64], sig[65], digest[32], pub65[65];
    struct qiao_diag d = {0};
    for (int i = 0; i < 16; i++) {
        QT_CHECK(qiao_secp_keygen(cx, sk, NULL) == QIAO_OK);
        QT_CHECK(qiao_secp_pubkey(cx, pub, addr, sk, NULL) == QIAO_OK);
        memset(digest, i, sizeof(digest));
        QT_CHECK(qiao_secp_sign(cx, sig, sk, digest, NULL) == QIAO_OK);
        QT_CHECK(qiao_secp_recover(cx, rec, rec_pub, sig, digest, NULL) == QIAO_OK);
        QT_CHECK_MEM(rec, addr, 20);
        QT_CHECK_MEM(rec_pub, pub, 64);
        pub65[0] = 4;
        memcpy(pub65 + 1, pub, 64);
        QT_CHECK(qiao_secp_verify(cx, pub65, 65, sig, digest, NULL) == QIAO_OK);
        digest[0] ^= 1;
        QT_CHECK(qiao_secp_verify(cx, pub65, 65, sig, digest, &d) == QIAO_EVERIFY);
        QT_CHECK(qiao_secp_recover(cx, rec, NULL, sig, digest, NULL) != QIAO_OK ||
                 memcmp(rec, addr, 20) != 0);
    }
    QT_CHECK(qiao_secp_verify(cx, pub65, 64, sig, digest, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-pubkey") == 0);
}

static void test_canonical_rules(struct qiao_crypto *cx)
{
    uint8_t sk[32], sig[65], bad[65], digest[32], addr[20];
    struct qiao_diag d = {0};
    memset(sk, 0x22, sizeof(sk));
    memset(digest, 0x33, sizeof(digest));
    QT_CHECK(qiao_secp_sign(cx, sig, sk, digest, NULL) == QIAO_OK);

    memcpy(bad, sig, 65);
    negate_s(bad + 32, sig + 32);
    bad[64] ^= 1; /* the high-S twin recovers with the other parity: it is a valid ECDSA sig */
    QT_CHECK(qiao_secp_recover(cx, addr, NULL, bad, digest, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "high-s") == 0);

    memcpy(bad, sig, 65);
    memset(bad, 0, 32);
    QT_CHECK(qiao_secp_recover(cx, addr, NULL, bad, digest, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "r-zero") == 0);

    memcpy(bad, sig, 65);
    memset(bad + 32, 0, 32);
    QT_CHECK(qiao_secp_recover(cx, addr, NULL, bad, digest, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "s-zero") == 0);

    memcpy(bad, sig, 65);
    memcpy(bad + 32, n_order, 32);
    QT_CHECK(qiao_secp_sig_check(bad, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "s-out-of-range") == 0);

    memcpy(bad, sig, 65);
    memcpy(bad, n_order, 32);
    QT_CHECK(qiao_secp_sig_check(bad, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "r-out-of-range") == 0);

    memcpy(bad, sig, 65);
    bad[64] = 2;
    QT_CHECK(qiao_secp_recover(cx, addr, NULL, bad, digest, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "bad-recovery-id") == 0);

    uint8_t zero[32] = {0};
    QT_CHECK(qiao_secp_seckey_check(cx, zero, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_secp_seckey_check(cx, n_order, &d) == QIAO_EINVAL);
    QT_CHECK(qiao_secp_sign(cx, sig, zero, digest, &d) == QIAO_EINVAL);
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    QT_CHECK(cx != NULL);
    if (cx) {
        test_known_vector(cx);
        test_roundtrip_and_verify(cx);
        test_canonical_rules(cx);
    }
    qiao_crypto_destroy(cx);
    return qt_finish();
}
