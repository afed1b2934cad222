/*
 * evm_state.h: account and storage proofs as eth_getProof returns them (EIP-1186).
 *
 * Both tries are "secure": the path is keccak256 of the address (account trie, under the header's
 * stateRoot) or of the 32-byte slot (storage trie, under the account's storageRoot).  An account
 * leaf is rlp([nonce, balance, storageRoot, codeHash]); a storage leaf is rlp(value) with the value
 * as a minimal big-endian integer.  A valid exclusion proof means the empty account (nonce 0,
 * balance 0, the empty storage root and keccak256("")) or the storage value zero.  Pure; no heap.
 */
#ifndef QIAO_EVM_STATE_H
#define QIAO_EVM_STATE_H

#include <stdint.h>

#include "adapters/evm/evm_trie.h"
#include "relay/core/diag.h"

struct qiao_evm_account {
    int exists;
    uint64_t nonce;
    uint8_t balance[32]; /* big-endian */
    uint8_t storage_root[32];
    uint8_t code_hash[32];
};

/** keccak256(""): the code hash of an account without code. */
extern const uint8_t qiao_evm_empty_code_hash[32];

/**
 * Verify an account proof for addr under state_root.
 * Returns: QIAO_OK, the trie reasons, or QIAO_EINVAL "bad-account" for a malformed leaf.
 * Out: acct (the empty account when the proof shows absence).
 */
qiao_err qiao_evm_account_verify(struct qiao_evm_account *acct, const uint8_t state_root[32],
                                 const uint8_t addr[20], const struct qiao_evm_proof *proof,
                                 struct qiao_diag *d);

/**
 * Verify a storage proof for slot under storage_root.  Out: value (32-byte big-endian; zero when
 * absent).  Reasons: the trie reasons, "bad-storage-value" (not a canonical non-zero integer).
 */
qiao_err qiao_evm_storage_verify(uint8_t value[32], const uint8_t storage_root[32],
                                 const uint8_t slot[32], const struct qiao_evm_proof *proof,
                                 struct qiao_diag *d);

/**
 * Check that what a node claims for an account (its eth_getProof fields) is what the proof proves.
 * Reason "account-claim-mismatch" (QIAO_EVERIFY), naming the field.
 */
qiao_err qiao_evm_account_check_claim(const struct qiao_evm_account *proven,
                                      const struct qiao_evm_account *claimed, struct qiao_diag *d);

#endif
