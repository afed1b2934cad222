/*
 * test_sig.c: Ed25519 (RFC 8032 section 7.1 tests 1 and 2) and P-256 verification.  The P-256
 * vector was made by an independent implementation (Node's crypto, IEEE P1363 r ‖ s encoding).
 */
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/sig.h"
#include "tests/qt.h"

static void test_ed25519_rfc8032(void)
{
    uint8_t pk[32], sig[64], msg[1] = {0x72}, seed[32], derived[32];
    struct qiao_diag d = {0};
    QT_CHECK(qiao_hex_decode_exact(pk, 32,
             "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", NULL) == 0);
    QT_CHECK(qiao_hex_decode_exact(sig, 64,
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b", NULL) == 0);
    QT_CHECK(qiao_ed25519_verify(pk, sig, NULL, 0, &d) == QIAO_OK);
    sig[10] ^= 1;
    QT_CHECK(qiao_ed25519_verify(pk, sig, NULL, 0, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "bad-signature") == 0);

    QT_CHECK(qiao_hex_decode_exact(seed, 32,
             "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb", NULL) == 0);
    QT_CHECK(qiao_hex_decode_exact(pk, 32,
             "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", NULL) == 0);
    QT_CHECK(qiao_hex_decode_exact(sig, 64,
             "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00", NULL) == 0);
    QT_CHECK(qiao_ed25519_verify(pk, sig, msg, 1, &d) == QIAO_OK);
    QT_CHECK(qiao_ed25519_pubkey(derived, seed, NULL) == QIAO_OK);
    QT_CHECK_MEM(derived, pk, 32);
    uint8_t resig[64];
    QT_CHECK(qiao_ed25519_sign(resig, seed, msg, 1, NULL) == QIAO_OK);
    QT_CHECK_MEM(resig, sig, 64); /* Ed25519 signing is deterministic */
    msg[0] ^= 1;
    QT_CHECK(qiao_ed25519_verify(pk, sig, msg, 1, &d) == QIAO_EVERIFY);
}

static void test_p256(void)
{
    uint8_t pub[65], sig[64], pub33[33];
    struct qiao_diag d = {0};
    static const char msg[] = "qiao endorsement";
    QT_CHECK(qiao_hex_decode_exact(pub, 65,
             "04e9343360532cd8893cecfbdec088b10233da2fcbcbcd0738340924f2da8ab9f86ab7470cc0c71b58405097a6cff9700539957142ed622b6f18a0ed965a9cd7d1", NULL) == 0);
    QT_CHECK(qiao_hex_decode_exact(sig, 64,
             "3c8ce17c83419c238cf39464f381c104b6b56e6f34af570c12a7ce95a3c0f3d2471191aa09fe5eb1783171a91f50ff9ef5d3a81f71d973a301b4f0c698f524ed", NULL) == 0);
    const uint8_t *m = (const uint8_t *)msg;
    QT_CHECK(qiao_p256_verify(pub, 65, sig, m, strlen(msg), 0, &d) == QIAO_OK);
    QT_CHECK(qiao_p256_verify(pub, 65, sig, m, strlen(msg), 1, &d) == QIAO_OK); /* s < n/2 */
    pub33[0] = (uint8_t)(2 + (pub[64] & 1));
    memcpy(pub33 + 1, pub + 1, 32);
    QT_CHECK(qiao_p256_verify(pub33, 33, sig, m, strlen(msg), 0, &d) == QIAO_OK);
    QT_CHECK(qiao_p256_verify(pub, 65, sig, m, strlen(msg) - 1, 0, &d) == QIAO_EVERIFY);
    uint8_t bad[64];
    memcpy(bad, sig, 64);
    memset(bad, 0, 32);
    QT_CHECK(qiao_p256_verify(pub, 65, bad, m, strlen(msg), 0, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "zero-component") == 0);
    memset(bad, 0xff, 32);
    QT_CHECK(qiao_p256_verify(pub, 65, bad, m, strlen(msg), 0, &d) == QIAO_EVERIFY);
    QT_CHECK(strcmp(d.reason, "out-of-range") == 0);
    pub[10] ^= 1; /* no longer on the curve */
    QT_CHECK(qiao_p256_verify(pub, 65, sig, m, strlen(msg), 0, &d) == QIAO_EINVAL);
    QT_CHECK(strcmp(d.reason, "bad-pubkey") == 0);
    QT_CHECK(qiao_p256_verify(pub, 64, sig, m, strlen(msg), 0, &d) == QIAO_EINVAL);
}

int main(void)
{
    test_ed25519_rfc8032();
    test_p256();
    return qt_finish();
}
