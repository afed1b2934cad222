/*
 * test_state.c: EIP-1186 account and storage proofs over secure tries built here (the live
 * eth_getProof replies are checked in tests/integration/evm).  Present and absent accounts, a
 * storage value, a claim that disagrees with the proof, and a proof under the wrong root.
 */
#include <string.h>

#include "adapters/evm/evm_state.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"
#include "tests/qt.h"

#define NA 50

int main(void)
{
    uint8_t addrs[NA][20], keys[NA][32], root[32];
    struct qiao_buf vals[NA], scratch = {0}, store = {0};
    struct qiao_evm_trie_item items[NA];
    for (int i = 0; i < NA; i++) {
        memset(addrs[i], 0, 20);
        addrs[i][19] = (uint8_t)i, addrs[i][0] = 0xaa;
        qiao_keccak256(keys[i], addrs[i], 20);
        memset(&vals[i], 0, sizeof(vals[i]));
        size_t s = qiao_rlp_list_begin(&vals[i]);
        qiao_rlp_put_u64(&vals[i], (uint64_t)i, NULL);
        qiao_rlp_put_u64(&vals[i], 1000000 + (uint64_t)i, NULL);
        qiao_rlp_put_bytes(&vals[i], qiao_evm_empty_trie_root, 32, NULL);
        qiao_rlp_put_bytes(&vals[i], qiao_evm_empty_code_hash, 32, NULL);
        qiao_rlp_list_end(&vals[i], s, NULL);
        items[i] = (struct qiao_evm_trie_item){keys[i], 32, vals[i].p, vals[i].len};
    }
    struct qiao_evm_proof proof;
    struct qiao_evm_account acct;
    struct qiao_diag d = {0};
    QT_CHECK(qiao_evm_trie_prove(root, &proof, &store, items, NA, keys[7], 32, &scratch, NULL) == QIAO_OK);
    QT_CHECK(qiao_evm_account_verify(&acct, root, addrs[7], &proof, &d) == QIAO_OK && acct.exists &&
             acct.nonce == 7 && acct.balance[31] == (uint8_t)(1000007 & 0xff));
    struct qiao_evm_account claim = acct;
    claim.balance[31] ^= 1;
    QT_CHECK(qiao_evm_account_check_claim(&acct, &claim, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "account-claim-mismatch") == 0);
    /* an absent account: the proof shows absence, the account is empty */
    uint8_t ghost[20] = {0x01}, gkey[32];
    qiao_keccak256(gkey, ghost, 20);
    QT_CHECK(qiao_evm_trie_prove(root, &proof, &store, items, NA, gkey, 32, &scratch, NULL) == QIAO_OK);
    QT_CHECK(qiao_evm_account_verify(&acct, root, ghost, &proof, NULL) == QIAO_OK && !acct.exists &&
             memcmp(acct.code_hash, qiao_evm_empty_code_hash, 32) == 0);
    /* the same proof used for a present address fails (path diverges differently or root) */
    QT_CHECK(qiao_evm_account_verify(&acct, root, addrs[7], &proof, NULL) != QIAO_OK ||
             !acct.exists);
    root[0] ^= 1;
    QT_CHECK(qiao_evm_account_verify(&acct, root, ghost, &proof, &d) == QIAO_EVERIFY &&
             strcmp(d.reason, "root-mismatch") == 0);
    /* storage: slot 0 holds 0x2a; slot 1 is absent (zero) */
    uint8_t slot0[32] = {0}, slot1[32] = {0}, k0[32], sval[2] = {0x2a, 0}, v[32];
    slot1[31] = 1;
    qiao_keccak256(k0, slot0, 32);
    struct qiao_buf sv = {0};
    qiao_rlp_put_bytes(&sv, sval, 1, NULL);
    struct qiao_evm_trie_item st = {k0, 32, sv.p, sv.len};
    uint8_t sroot[32];
    QT_CHECK(qiao_evm_trie_prove(sroot, &proof, &store, &st, 1, k0, 32, &scratch, NULL) == QIAO_OK);
    QT_CHECK(qiao_evm_storage_verify(v, sroot, slot0, &proof, NULL) == QIAO_OK && v[31] == 0x2a);
    QT_CHECK(qiao_evm_storage_verify(v, sroot, slot1, &proof, NULL) == QIAO_OK && v[31] == 0);
    /* empty storage trie: no nodes needed to show absence */
    proof.count = 0;
    QT_CHECK(qiao_evm_storage_verify(v, qiao_evm_empty_trie_root, slot0, &proof, NULL) == QIAO_OK);
    for (int i = 0; i < NA; i++)
        qiao_buf_clear(&vals[i]);
    qiao_buf_clear(&sv), qiao_buf_clear(&scratch), qiao_buf_clear(&store);
    return qt_finish();
}
