/*
 * adapter.h: the interface every chain family implements (adapters/<family>/).
 *
 * An adapter is a const table of function pointers, versioned by an ABI number and described by
 * capability bits, in the manner of sqlite3_vfs and curl's vtls backends.  The table grows only by
 * appending members and bumping QIAO_ADAPTER_ABI, so an older adapter keeps working.
 *
 * The functions here are the PURE half: bytes in, verdict out, no I/O, no globals, allocation only
 * from a caller-supplied arena.  The daemon, the offline evidence verifier and the fuzz targets all
 * link this half.  The source half (RPC, subscriptions) is family-specific and lives beside it.
 *
 * The core never calls the table directly: it calls the qiao_adapter_* wrappers (adapter.c), which
 * check arguments, supply defaults for optional members, and host the fault-injection hook used by
 * tests.
 */
#ifndef QIAO_CORE_ADAPTER_H
#define QIAO_CORE_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

#define QIAO_ADAPTER_ABI 1

/** Capability bits. */
enum qiao_adapter_cap {
    QIAO_CAP_POW = 1u << 0,           /* proof-of-work headers, most-work fork choice */
    QIAO_CAP_BFT = 1u << 1,           /* committee-signed headers, instant finality */
    QIAO_CAP_TX_PROOF = 1u << 2,      /* transaction inclusion proofs */
    QIAO_CAP_RECEIPT_PROOF = 1u << 3, /* receipt / event inclusion proofs */
    QIAO_CAP_STATE_PROOF = 1u << 4,   /* account / storage proofs */
    QIAO_CAP_COMMITTEE = 1u << 5,     /* committee_update is implemented */
    QIAO_CAP_HTLC = 1u << 6,          /* htlc_match is implemented */
};

/** A family-neutral summary of one decoded header. */
struct qiao_header_info {
    uint64_t height;
    uint8_t hash[32];   /* the family's canonical header hash, internal byte order */
    uint8_t parent[32];
    uint64_t time;      /* seconds since the Unix epoch */
    uint8_t work[32];   /* big-endian cumulative weight for fork choice (chainwork, or height) */
    uint8_t root[32];   /* the root proofs are checked against (Merkle root, receipts root, ...) */
};

/** What an inclusion proof proved.  Pointers borrow the proof bytes or the arena. */
struct qiao_proof_result {
    const uint8_t *leaf; /* the proven item: transaction, receipt, leaf value */
    size_t leaf_len;
    uint64_t index;      /* position in the block, where the family has one */
    uint8_t id[32];      /* transaction id / hash of the proven item */
};

struct qiao_adapter {
    int abi;           /* QIAO_ADAPTER_ABI at the time the adapter was written */
    const char *family;/* "bitcoin", "evm", "cometbft" */
    uint32_t caps;

    /** Decode a raw header and fill its summary (work is the header's own weight). */
    qiao_err (*header_decode)(struct qiao_crypto *cx, struct qiao_header_info *out,
                              const uint8_t *raw, size_t len, struct qiao_diag *d);
    /**
     * Verify raw as the next header after the chain state `chain` (family-defined: ancestors for
     * PoW rules, the trusted validator set for BFT) and fill its summary with cumulative work.
     */
    qiao_err (*header_verify)(struct qiao_crypto *cx, struct qiao_header_info *out,
                              const void *chain, const uint8_t *raw, size_t len,
                              struct qiao_arena *arena, struct qiao_diag *d);
    /** Fork choice: > 0 when a is the better tip, < 0 when b is, 0 when equal. */
    int (*tip_cmp)(const struct qiao_header_info *a, const struct qiao_header_info *b);
    /** 1 when h is final under `policy` (family-defined) given the current tip. */
    int (*is_final)(const void *policy, const struct qiao_header_info *h,
                    const struct qiao_header_info *tip);
    /** Verify an inclusion proof against a verified header's root. */
    qiao_err (*proof_verify)(struct qiao_crypto *cx, struct qiao_proof_result *out,
                             const struct qiao_header_info *header, const uint8_t *proof,
                             size_t proof_len, struct qiao_arena *arena, struct qiao_diag *d);
    /** Optional: apply a committee (validator-set) change to the trusted state. */
    qiao_err (*committee_update)(struct qiao_crypto *cx, void *state, const uint8_t *update,
                                 size_t len, struct qiao_arena *arena, struct qiao_diag *d);
    /** Optional: recognise an HTLC lock or claim in a proven item. */
    qiao_err (*htlc_match)(struct qiao_crypto *cx, void *out, const struct qiao_proof_result *item,
                           struct qiao_diag *d);
};

/* Wrappers: the only way the core calls an adapter.  Each checks its arguments, answers
 * QIAO_EUNSUPPORTED for an absent optional member, and consults the fault hook first. */
qiao_err qiao_adapter_header_decode(const struct qiao_adapter *a, struct qiao_crypto *cx,
                                    struct qiao_header_info *out, const uint8_t *raw, size_t len,
                                    struct qiao_diag *d);
qiao_err qiao_adapter_header_verify(const struct qiao_adapter *a, struct qiao_crypto *cx,
                                    struct qiao_header_info *out, const void *chain,
                                    const uint8_t *raw, size_t len, struct qiao_arena *arena,
                                    struct qiao_diag *d);
int qiao_adapter_tip_cmp(const struct qiao_adapter *a, const struct qiao_header_info *x,
                         const struct qiao_header_info *y);
int qiao_adapter_is_final(const struct qiao_adapter *a, const void *policy,
                          const struct qiao_header_info *h, const struct qiao_header_info *tip);
qiao_err qiao_adapter_proof_verify(const struct qiao_adapter *a, struct qiao_crypto *cx,
                                   struct qiao_proof_result *out,
                                   const struct qiao_header_info *header, const uint8_t *proof,
                                   size_t proof_len, struct qiao_arena *arena, struct qiao_diag *d);

/** Default fork choice: compare the big-endian work fields. */
int qiao_adapter_default_tip_cmp(const struct qiao_header_info *a,
                                 const struct qiao_header_info *b);

/**
 * Test builds: a hook consulted before every wrapped call.  Returning non-zero makes the wrapper
 * fail with that code (reason "injected-fault"), as SQLite's os wrappers do.  NULL by default.
 */
typedef qiao_err (*qiao_adapter_fault_fn)(const struct qiao_adapter *a, const char *op);
void qiao_adapter_set_fault_hook(qiao_adapter_fault_fn fn);

#endif
