/*
 * evm_header.c: decode and link-check Ethereum headers (see evm_header.h).
 *
 * Fields are read by a table of (name, kind, offset) so that each fork's layout is data, not code:
 * adding a fork that appends fields appends rows and accepts one more count.
 */
#include <stddef.h>
#include <string.h>

#include "adapters/evm/evm_header.h"
#include "relay/core/keccak.h"
#include "relay/core/rlp.h"

enum field_kind { F_HASH, F_ADDR, F_BLOOM, F_UINT256, F_U64, F_EXTRA, F_NONCE };

struct field {
    const char *name;
    enum field_kind kind;
    size_t off;
};

#define FIELD(n, k, m) {.name = n, .kind = k, .off = offsetof(struct qiao_evm_header, m)}

static const struct field fields[21] = {
    FIELD("parentHash", F_HASH, parent_hash),
    FIELD("ommersHash", F_HASH, ommers_hash),
    FIELD("coinbase", F_ADDR, coinbase),
    FIELD("stateRoot", F_HASH, state_root),
    FIELD("transactionsRoot", F_HASH, transactions_root),
    FIELD("receiptsRoot", F_HASH, receipts_root),
    FIELD("logsBloom", F_BLOOM, logs_bloom),
    FIELD("difficulty", F_UINT256, difficulty),
    FIELD("number", F_U64, number),
    FIELD("gasLimit", F_U64, gas_limit),
    FIELD("gasUsed", F_U64, gas_used),
    FIELD("timestamp", F_U64, timestamp),
    FIELD("extraData", F_EXTRA, extra_data),
    FIELD("mixHash", F_HASH, mix_hash),
    FIELD("nonce", F_NONCE, nonce),
    FIELD("baseFeePerGas", F_UINT256, base_fee),
    FIELD("withdrawalsRoot", F_HASH, withdrawals_root),
    FIELD("blobGasUsed", F_U64, blob_gas_used),
    FIELD("excessBlobGas", F_U64, excess_blob_gas),
    FIELD("parentBeaconBlockRoot", F_HASH, parent_beacon_root),
    FIELD("requestsHash", F_HASH, requests_hash),
};

static qiao_err read_field(struct qiao_evm_header *h, const struct field *f,
                           const struct qiao_rlp_item *it, struct qiao_diag *d)
{
    uint8_t *dst = (uint8_t *)h + f->off;
    switch (f->kind) {
    case F_HASH:
        return qiao_rlp_fixed(dst, 32, it, d);
    case F_ADDR:
        return qiao_rlp_fixed(dst, 20, it, d);
    case F_BLOOM:
        return qiao_rlp_fixed(dst, 256, it, d);
    case F_NONCE:
        return qiao_rlp_fixed(dst, 8, it, d);
    case F_UINT256:
        return qiao_rlp_uint_be(dst, 32, it, d);
    case F_U64:
        return qiao_rlp_u64((uint64_t *)(void *)dst, it, d);
    case F_EXTRA:
        if (it->list)
            return QIAO_FAIL(d, QIAO_EINVAL, "not-a-string", "extraData is a list");
        h->extra_data = it->p, h->extra_len = it->len;
        return QIAO_OK;
    }
    return QIAO_FAIL(d, QIAO_EINVAL, "bad-header-field", "unknown field kind");
}

static int known_count(size_t n)
{
    return n == QIAO_EVM_FORK_FRONTIER || n == QIAO_EVM_FORK_LONDON ||
           n == QIAO_EVM_FORK_SHANGHAI || n == QIAO_EVM_FORK_CANCUN || n == QIAO_EVM_FORK_PRAGUE;
}

qiao_err qiao_evm_header_decode(struct qiao_evm_header *h, const uint8_t *raw, size_t len,
                                struct qiao_diag *d)
{
    memset(h, 0, sizeof(*h));
    if (len > QIAO_EVM_HEADER_MAX_BYTES)
        return QIAO_FAIL(d, QIAO_ERANGE, "header-too-large", "header of %zu bytes exceeds %d",
                         len, QIAO_EVM_HEADER_MAX_BYTES);
    struct qiao_rlp_item top, items[22];
    size_t count;
    qiao_err err = qiao_rlp_decode_whole(&top, raw, len, d);
    if (!err)
        err = qiao_rlp_list(items, 22, &count, &top, d);
    if (err)
        return qiao_diag_wrap(d, "header RLP");
    if (!known_count(count))
        return QIAO_FAIL(d, QIAO_EINVAL, "header-field-count",
                         "header has %zu fields; known layouts have 15, 16, 17, 20 or 21", count);
    for (size_t i = 0; i < count; i++) {
        /* Not zero-initialised: clearing ~400 bytes per field showed up in the bench. */
        struct qiao_diag inner;
        inner.reason[0] = inner.msg[0] = 0;
        if (read_field(h, &fields[i], &items[i], &inner))
            return QIAO_FAIL(d, QIAO_EINVAL, "bad-header-field", "header field %zu (%s): %s (%s)",
                             i, fields[i].name, inner.msg, inner.reason);
    }
    h->fields = (unsigned)count;
    qiao_keccak256(h->hash, raw, len);
    return QIAO_OK;
}

qiao_err qiao_evm_header_check_link(const struct qiao_evm_header *child,
                                    const struct qiao_evm_header *parent, struct qiao_diag *d)
{
    if (memcmp(child->parent_hash, parent->hash, 32) != 0)
        return QIAO_FAIL(d, QIAO_EVERIFY, "parent-hash-mismatch",
                         "header %llu does not name header %llu's hash as its parent",
                         (unsigned long long)child->number, (unsigned long long)parent->number);
    if (parent->number == UINT64_MAX || child->number != parent->number + 1)
        return QIAO_FAIL(d, QIAO_EVERIFY, "non-sequential-number",
                         "header %llu follows header %llu", (unsigned long long)child->number,
                         (unsigned long long)parent->number);
    /* Mainnet requires a strictly greater timestamp, but anvil mines several blocks within one
     * second with equal timestamps, and the relay must follow it: only going backwards is refused. */
    if (child->timestamp < parent->timestamp)
        return QIAO_FAIL(d, QIAO_EVERIFY, "timestamp-decreasing",
                         "header %llu has timestamp %llu, parent %llu",
                         (unsigned long long)child->number, (unsigned long long)child->timestamp,
                         (unsigned long long)parent->timestamp);
    if (child->gas_used > child->gas_limit)
        return QIAO_FAIL(d, QIAO_EVERIFY, "gas-used-above-limit",
                         "header %llu uses %llu gas over its limit %llu",
                         (unsigned long long)child->number, (unsigned long long)child->gas_used,
                         (unsigned long long)child->gas_limit);
    if (child->fields < parent->fields)
        return QIAO_FAIL(d, QIAO_EVERIFY, "fork-regression",
                         "header %llu has %u fields, its parent %u",
                         (unsigned long long)child->number, child->fields, parent->fields);
    return QIAO_OK;
}
