/* evm_state.c: EIP-1186 account and storage proofs (see evm_state.h). */
#include <string.h>

#include "adapters/evm/evm_state.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"

const uint8_t qiao_evm_empty_code_hash[32] = {
    0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
    0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70,
};

static void empty_account(struct qiao_evm_account *a)
{
    memset(a, 0, sizeof(*a));
    memcpy(a->storage_root, qiao_evm_empty_trie_root, 32);
    memcpy(a->code_hash, qiao_evm_empty_code_hash, 32);
}

static qiao_err decode_account(struct qiao_evm_account *a, const uint8_t *v, size_t n,
                               struct qiao_diag *d)
{
    struct qiao_rlp_item top, f[4];
    size_t count;
    int ok = !qiao_rlp_decode_whole(&top, v, n, NULL) && top.list &&
             !qiao_rlp_list(f, 4, &count, &top, NULL) && count == 4 &&
             !qiao_rlp_u64(&a->nonce, &f[0], NULL) && !qiao_rlp_uint_be(a->balance, 32, &f[1], NULL) &&
             !qiao_rlp_fixed(a->storage_root, 32, &f[2], NULL) &&
             !qiao_rlp_fixed(a->code_hash, 32, &f[3], NULL);
    if (!ok)
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-account",
                         "account leaf is not rlp([nonce, balance, storageRoot, codeHash])");
    a->exists = 1;
    return QIAO_OK;
}

qiao_err qiao_evm_account_verify(struct qiao_evm_account *acct, const uint8_t state_root[32],
                                 const uint8_t addr[20], const struct qiao_evm_proof *proof,
                                 struct qiao_diag *d)
{
    uint8_t key[32];
    const uint8_t *v;
    size_t n;
    int found;
    empty_account(acct);
    qiao_keccak256(key, addr, 20);
    QIAO_TRY(qiao_evm_proof_verify(&found, &v, &n, state_root, key, 32, proof, d));
    return found ? decode_account(acct, v, n, d) : QIAO_OK;
}

qiao_err qiao_evm_storage_verify(uint8_t value[32], const uint8_t storage_root[32],
                                 const uint8_t slot[32], const struct qiao_evm_proof *proof,
                                 struct qiao_diag *d)
{
    uint8_t key[32];
    const uint8_t *v;
    size_t n;
    int found;
    struct qiao_rlp_item it;
    memset(value, 0, 32);
    qiao_keccak256(key, slot, 32);
    QIAO_TRY(qiao_evm_proof_verify(&found, &v, &n, storage_root, key, 32, proof, d));
    if (!found)
        return QIAO_OK;
    if (qiao_rlp_decode_whole(&it, v, n, NULL) || it.list || it.len == 0 ||
        qiao_rlp_uint_be(value, 32, &it, NULL))
        return QIAO_FAIL(d, QIAO_EINVAL, "bad-storage-value",
                         "storage leaf is not rlp of a canonical non-zero integer");
    return QIAO_OK;
}

qiao_err qiao_evm_account_check_claim(const struct qiao_evm_account *proven,
                                      const struct qiao_evm_account *claimed, struct qiao_diag *d)
{
    const char *field = NULL;
    if (proven->nonce != claimed->nonce)
        field = "nonce";
    else if (memcmp(proven->balance, claimed->balance, 32) != 0)
        field = "balance";
    else if (memcmp(proven->storage_root, claimed->storage_root, 32) != 0)
        field = "storageHash";
    else if (memcmp(proven->code_hash, claimed->code_hash, 32) != 0)
        field = "codeHash";
    if (field)
        return QIAO_FAIL(d, QIAO_EVERIFY, "account-claim-mismatch",
                         "the node's %s differs from what the account proof proves", field);
    return QIAO_OK;
}
