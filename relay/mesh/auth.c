/* auth.c: challenge-response peer authentication (see auth.h). */
#include "relay/mesh/auth.h"

#include <string.h>

#include "relay/core/bytes.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"

static const char auth_domain[] = "\x19Qiao peer auth v1";

void qiao_mesh_auth_digest(uint8_t digest[32], const uint8_t committee[32], uint64_t epoch,
                           const uint8_t challenger_nonce[32], const uint8_t prover[20],
                           const uint8_t challenger[20])
{
    uint8_t be[8];
    struct qiao_keccak k;
    qiao_store64be(be, epoch);
    qiao_keccak_init(&k);
    qiao_keccak_update(&k, auth_domain, sizeof(auth_domain) - 1);
    qiao_keccak_update(&k, committee, 32);
    qiao_keccak_update(&k, be, 8);
    qiao_keccak_update(&k, challenger_nonce, 32);
    qiao_keccak_update(&k, prover, 20);
    qiao_keccak_update(&k, challenger, 20);
    qiao_keccak_final(&k, digest);
}

qiao_err qiao_mesh_auth_sign(struct qiao_crypto *cx, uint8_t sig65[65], const uint8_t seckey[32],
                             const uint8_t committee[32], uint64_t epoch,
                             const uint8_t challenger_nonce[32], const uint8_t prover[20],
                             const uint8_t challenger[20], struct qiao_diag *d)
{
    uint8_t digest[32];
    qiao_mesh_auth_digest(digest, committee, epoch, challenger_nonce, prover, challenger);
    return qiao_secp_sign(cx, sig65, seckey, digest, d);
}

qiao_err qiao_mesh_auth_check(struct qiao_crypto *cx, const uint8_t sig65[65],
                              const uint8_t committee[32], uint64_t epoch,
                              const uint8_t our_nonce[32], const uint8_t claimed[20],
                              const uint8_t ours[20], const uint8_t (*allowed)[20], size_t n,
                              struct qiao_diag *d)
{
    uint8_t digest[32], signer[20];
    size_t i = 0;
    while (i < n && memcmp(allowed[i], claimed, 20) != 0)
        i++;
    if (i == n)
        return QIAO_FAIL(d, QIAO_EVERIFY, "auth-not-member",
                         "peer claims an address that is not a configured committee peer");
    qiao_mesh_auth_digest(digest, committee, epoch, our_nonce, claimed, ours);
    if (qiao_secp_recover(cx, signer, NULL, sig65, digest, d))
        return qiao_diag_wrap(d, "peer auth signature");
    if (memcmp(signer, claimed, 20) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "auth-wrong-signer",
                         "peer auth signature was made by a different key than the one claimed");
    return QIAO_OK;
}
