/*
 * evm_tx.h: Ethereum transactions of every type Qiao meets: legacy (with or without EIP-155),
 * EIP-2930 (type 1), EIP-1559 (type 2), EIP-4844 (type 3) and EIP-7702 (type 4).
 *
 * The canonical encoding is the RLP list for legacy and `type ‖ rlp(fields)` for typed
 * transactions; it is what the transactions trie stores and what the hash covers.  Decoding is
 * strict (canonical integers, exact sizes, the nested shapes of access lists, blob hashes and
 * authorisations checked); list-valued fields are kept as their raw RLP so re-encoding reproduces
 * the input bit for bit.  Signing computes the type's signing hash and fills v/yParity, r, s.
 *
 * Ownership: data, access_list, blob_hashes and auth_list borrow the decoded input (or, when
 * building, the caller's bytes).
 */
#ifndef QIAO_EVM_TX_H
#define QIAO_EVM_TX_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Largest transaction accepted (the EVM's own mempool limit is 128 KiB). */
#define QIAO_EVM_TX_MAX_BYTES ((size_t)1 << 20)

enum qiao_evm_tx_type {
    QIAO_EVM_TX_LEGACY = 0,
    QIAO_EVM_TX_ACCESS_LIST = 1, /* EIP-2930 */
    QIAO_EVM_TX_DYNAMIC_FEE = 2, /* EIP-1559 */
    QIAO_EVM_TX_BLOB = 3,        /* EIP-4844 */
    QIAO_EVM_TX_SET_CODE = 4,    /* EIP-7702 */
};

/** A transaction.  Zero-initialise, set the fields the type uses; integers above 64 bits are BE. */
struct qiao_evm_tx {
    uint8_t type;
    uint64_t chain_id;              /* legacy: from v under EIP-155, 0 for pre-155 */
    uint64_t nonce;
    uint8_t gas_price[32];          /* legacy, 2930 */
    uint8_t max_priority_fee[32];   /* 1559, 4844, 7702 */
    uint8_t max_fee[32];            /* 1559, 4844, 7702 */
    uint64_t gas;
    int has_to;                     /* 0: contract creation (not allowed for types 3, 4) */
    uint8_t to[20];
    uint8_t value[32];
    const uint8_t *data;
    size_t data_len;
    const uint8_t *access_list;     /* raw RLP list; NULL means the empty list */
    size_t access_list_len;
    uint8_t max_fee_per_blob_gas[32];
    const uint8_t *blob_hashes;     /* raw RLP list of 32-byte hashes */
    size_t blob_hashes_len;
    const uint8_t *auth_list;       /* raw RLP list of [chainId, address, nonce, yParity, r, s] */
    size_t auth_list_len;
    int signed_;                    /* v, r, s present */
    uint8_t v[32];                  /* legacy v (27/28 or 35 + 2 chainId + parity); typed yParity */
    uint8_t r[32];
    uint8_t s[32];
};

/**
 * Decode the canonical encoding of one signed transaction (exactly len bytes).
 * Reasons: "unknown-tx-type", "tx-field-count", "bad-tx-field" (field named), "tx-too-large",
 *          "bad-access-list", "bad-blob-hashes", "bad-auth-list", "create-not-allowed",
 *          and the RLP reasons.
 */
qiao_err qiao_evm_tx_decode(struct qiao_evm_tx *tx, const uint8_t *raw, size_t len,
                            struct qiao_diag *d);

/** Append the canonical encoding of tx (signed: tx->signed_ must be set) to out. */
qiao_err qiao_evm_tx_encode(struct qiao_buf *out, const struct qiao_evm_tx *tx,
                            struct qiao_diag *d);

/**
 * The hash the sender signs: keccak256(type ‖ rlp(unsigned fields)) for typed transactions,
 * keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0])) for EIP-155 legacy
 * (chain_id > 0) and the six-field form for chain_id 0.
 */
qiao_err qiao_evm_tx_signing_hash(uint8_t out[32], const struct qiao_evm_tx *tx,
                                  struct qiao_diag *d);

/** Sign tx with seckey: fills v (EIP-155 for legacy), r, s and sets signed_.  Secrets not kept. */
qiao_err qiao_evm_tx_sign(struct qiao_crypto *cx, struct qiao_evm_tx *tx,
                          const uint8_t seckey[32], struct qiao_diag *d);

/** Recover the sender of a signed tx (low-S enforced).  Out: addr20. */
qiao_err qiao_evm_tx_sender(struct qiao_crypto *cx, uint8_t addr20[20],
                            const struct qiao_evm_tx *tx, struct qiao_diag *d);

/** Transaction hash: keccak256 of the canonical encoding. */
qiao_err qiao_evm_tx_hash(uint8_t out[32], const struct qiao_evm_tx *tx, struct qiao_diag *d);

#endif
