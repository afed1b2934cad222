/* bft_key.c: validator key addresses and vote signatures (see bft_key.h). */
#include "adapters/cometbft/bft_key.h"

#include <openssl/evp.h>
#include <string.h>

#include "relay/core/secp.h"
#include "relay/core/sig.h"

qiao_err qiao_bft_key_address(struct qiao_crypto *cx, uint8_t addr[QIAO_BFT_ADDRESS_LEN],
                              int key_type, const uint8_t *pub, size_t pub_len,
                              struct qiao_diag *d)
{
    uint8_t h[32];
    qiao_sha256(cx, h, pub, pub_len);
    if (key_type == QIAO_BFT_KEY_ED25519) {
        memcpy(addr, h, QIAO_BFT_ADDRESS_LEN);
        return QIAO_OK;
    }
    /* OpenSSL 3.0.7+ serves RIPEMD-160 from the default provider; older builds need "legacy". */
    uint8_t r[EVP_MAX_MD_SIZE];
    unsigned rlen = 0;
    EVP_MD *md = EVP_MD_fetch(NULL, "RIPEMD160", NULL);
    int ok = md && EVP_Digest(h, sizeof(h), r, &rlen, md, NULL) == 1 && rlen == 20;
    EVP_MD_free(md);
    if (!ok)
        return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "unsupported-hash",
                         "RIPEMD-160 (secp256k1 validator addresses) is not available in OpenSSL");
    memcpy(addr, r, QIAO_BFT_ADDRESS_LEN);
    return QIAO_OK;
}

qiao_err qiao_bft_key_verify(struct qiao_crypto *cx, const struct qiao_bft_validator *v,
                             const uint8_t *msg, size_t len, const uint8_t sig[QIAO_BFT_SIG_LEN],
                             struct qiao_diag *d)
{
    if (v->key_type == QIAO_BFT_KEY_ED25519)
        return qiao_ed25519_verify(v->pub, sig, msg, len, d);
    uint8_t digest[32];
    qiao_sha256(cx, digest, msg, len);
    return qiao_secp_verify(cx, v->pub, v->pub_len, sig, digest, d);
}
