/*
 * evm_header.h: Ethereum block headers, every fork's layout, decoded strictly from RLP.
 *
 * The header is an RLP list whose length names its fork family:
 *   15 fields  Frontier .. Berlin   parentHash .. nonce
 *   16         London ..            + baseFeePerGas (EIP-1559)
 *   17         Shanghai             + withdrawalsRoot (EIP-4895)
 *   20         Cancun               + blobGasUsed, excessBlobGas, parentBeaconBlockRoot (4844, 4788)
 *   21         Prague               + requestsHash (EIP-7685); anvil 1.7.1's default emits this
 * Any other count is rejected.  The hash is keccak256 of the exact RLP bytes; we never take a node's
 * word for it.  Decoding is pure: fields borrow nothing except extra_data, which borrows the input.
 */
#ifndef QIAO_EVM_HEADER_H
#define QIAO_EVM_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/diag.h"

/** Largest header accepted (mainnet headers are ~600 bytes; PoA extraData can add a few KiB). */
#define QIAO_EVM_HEADER_MAX_BYTES 16384

/** Which optional fields the header carried. */
enum qiao_evm_fork {
    QIAO_EVM_FORK_FRONTIER = 15,
    QIAO_EVM_FORK_LONDON = 16,
    QIAO_EVM_FORK_SHANGHAI = 17,
    QIAO_EVM_FORK_CANCUN = 20,
    QIAO_EVM_FORK_PRAGUE = 21,
};

/** A decoded header.  Fixed-size value struct; extra_data borrows the decoded bytes. */
struct qiao_evm_header {
    uint8_t hash[32]; /* keccak256 of the RLP we decoded */
    uint8_t parent_hash[32];
    uint8_t ommers_hash[32];
    uint8_t coinbase[20];
    uint8_t state_root[32];
    uint8_t transactions_root[32];
    uint8_t receipts_root[32];
    uint8_t logs_bloom[256];
    uint8_t difficulty[32]; /* big-endian */
    uint64_t number;
    uint64_t gas_limit;
    uint64_t gas_used;
    uint64_t timestamp;
    const uint8_t *extra_data;
    size_t extra_len;
    uint8_t mix_hash[32]; /* prevRandao after the merge */
    uint8_t nonce[8];
    uint8_t base_fee[32]; /* London+, big-endian */
    uint8_t withdrawals_root[32];
    uint64_t blob_gas_used;
    uint64_t excess_blob_gas;
    uint8_t parent_beacon_root[32];
    uint8_t requests_hash[32];
    unsigned fields; /* the field count: an enum qiao_evm_fork value */
};

/**
 * Decode one header (exactly len bytes of RLP) and hash it.
 * Returns: QIAO_OK; QIAO_EINVAL ("header-field-count", "bad-header-field" with the field named,
 *          and the RLP reasons), QIAO_ERANGE ("header-too-large").
 * Out: h.  In: raw/len.
 */
qiao_err qiao_evm_header_decode(struct qiao_evm_header *h, const uint8_t *raw, size_t len,
                                struct qiao_diag *d);

/**
 * Check that child follows parent: parent link by hash, number = parent + 1, timestamp not
 * before the parent's (equal is allowed: anvil mines equal timestamps), gas used within the
 * limit, and no change of layout to an older fork.
 * Reasons: "parent-hash-mismatch", "non-sequential-number", "timestamp-decreasing",
 *          "gas-used-above-limit", "fork-regression".  All QIAO_EVERIFY.
 */
qiao_err qiao_evm_header_check_link(const struct qiao_evm_header *child,
                                    const struct qiao_evm_header *parent, struct qiao_diag *d);

#endif
