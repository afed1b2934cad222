/*
 * evm_send.h: the write path: nonce tracking that survives restarts, gas estimation within caps,
 * EIP-1559 (or EIP-155 legacy) signing, submission, and confirmation by receipt.
 *
 * Nonces: the next nonce is max(what the store remembers, the node's pending count), and the store
 * is advanced and made durable BEFORE the transaction leaves, so a crash between the two can skip
 * a nonce (visible, recoverable by the node's count) but can never sign two transactions with one
 * nonce.  The store is a pair of callbacks so the relay can back it with SQLite; a small file
 * implementation is provided (write to a temporary file, fsync, rename).
 *
 * Fees: from config caps.  EIP-1559: priority = min(node's suggestion, cap), maxFee =
 * min(2 * baseFee + priority, cap), refused when the cap is below the current base fee.  Legacy:
 * gasPrice = min(node's eth_gasPrice, cap).  Gas: eth_estimateGas plus a margin, refused above the
 * gas cap.  The secret key is borrowed and never copied.
 */
#ifndef QIAO_EVM_SEND_H
#define QIAO_EVM_SEND_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/evm/evm_source.h"
#include "relay/core/crypto.h"

/** Durable next-nonce storage per (chain, sender). */
struct qiao_evm_nonce_store {
    /** Out: *next, *have (0 when nothing is stored yet). */
    qiao_err (*load)(void *user, uint64_t chain_id, const uint8_t addr[20], uint64_t *next,
                     int *have, struct qiao_diag *d);
    /** Durably record next; must not return before it would survive a crash. */
    qiao_err (*save)(void *user, uint64_t chain_id, const uint8_t addr[20], uint64_t next,
                     struct qiao_diag *d);
    void *user;
};

/** A store in one small file (one "chainId address next" line per sender).  path is borrowed. */
void qiao_evm_nonce_file(struct qiao_evm_nonce_store *store, const char *path);

/** Fee and gas caps from config (wei per gas; gas units). */
struct qiao_evm_fee_caps {
    uint64_t max_fee;          /* cap on maxFeePerGas (or gasPrice for legacy) */
    uint64_t max_priority_fee; /* cap on maxPriorityFeePerGas */
    uint64_t gas_cap;          /* refuse transactions estimated above this */
    unsigned gas_margin_pct;   /* added to the estimate, e.g. 20 */
    int legacy;                /* send EIP-155 legacy transactions instead of EIP-1559 */
};

/** A transaction to send. */
struct qiao_evm_call {
    uint8_t to[20];
    uint64_t value;
    const uint8_t *data;
    size_t data_len;
};

/**
 * Sign and submit call from the key's address.  The node's returned hash must equal ours.
 * Out: tx_hash, *nonce.  Reasons: "fee-cap-below-base-fee", "gas-above-cap", "hash-mismatch",
 *      the store's and the node's ("rpc-error" with the node's message).
 */
qiao_err qiao_evm_send(struct qiao_evm_source *s, struct qiao_crypto *cx, uint8_t tx_hash[32],
                       uint64_t *nonce, const uint8_t seckey[32],
                       const struct qiao_evm_nonce_store *store,
                       const struct qiao_evm_fee_caps *caps, const struct qiao_evm_call *call,
                       struct qiao_diag *d);

/**
 * Wait (polling every poll_ms, at most timeout_ms) for tx_hash's receipt.
 * Out: *status (1 success), *block_number, block_hash.  Reasons: "timeout", "bad-receipt".
 */
qiao_err qiao_evm_wait_receipt(struct qiao_evm_source *s, int *status, uint64_t *block_number,
                               uint8_t block_hash[32], const uint8_t tx_hash[32],
                               unsigned poll_ms, unsigned timeout_ms, struct qiao_diag *d);

#endif
