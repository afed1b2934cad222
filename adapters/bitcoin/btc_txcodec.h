/*
 * btc_txcodec.h: a Bitcoin transaction as data (inputs, outputs, witness stacks), decoded from
 * and encoded to the wire format, legacy and segwit (BIP 144).
 *
 * btc_tx.h computes ids over raw bytes; this file is for code that must read or build the fields:
 * the HTLC spend builders, the BIP 143 signature hash and htlc_match.  Decoding follows Core's
 * rules as btc_tx.h does (minimal CompactSizes, known flag, no superfluous witness, no trailing
 * bytes) and adds value checks (each output and the sum at most 21 million BTC).
 *
 * Ownership: a decoded struct qiao_btc_txn borrows the raw bytes (scripts and witness items
 * point into them) and takes its arrays from the caller's arena.  Builders fill the struct with
 * pointers to their own storage; encoding copies everything into a qiao_buf.
 */
#ifndef QIAO_BTC_TXCODEC_H
#define QIAO_BTC_TXCODEC_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/diag.h"

/** 21 million BTC in satoshis: Core's MAX_MONEY. */
#define QIAO_BTC_MAX_MONEY 2100000000000000ull
/** Witness stack items per input accepted when decoding (Core's policy limit is 100). */
#define QIAO_BTC_MAX_WITNESS_ITEMS 500u

/** A byte string borrowed from elsewhere. */
struct qiao_btc_bytes {
    const uint8_t *p;
    size_t len;
};

struct qiao_btc_txin {
    uint8_t prev_txid[32]; /* internal order */
    uint32_t prev_vout;
    struct qiao_btc_bytes script_sig;
    uint32_t sequence;
    struct qiao_btc_bytes *witness; /* nwitness items */
    size_t nwitness;
};

struct qiao_btc_txout {
    uint64_t value; /* satoshis */
    struct qiao_btc_bytes script;
};

struct qiao_btc_txn {
    uint32_t version;
    struct qiao_btc_txin *in;
    size_t nin;
    struct qiao_btc_txout *out;
    size_t nout;
    uint32_t locktime;
};

/**
 * Decode a raw transaction.
 * Returns: QIAO_OK, or QIAO_EINVAL "truncated", "non-canonical-varint", "no-inputs", "no-outputs",
 *          "unknown-tx-flags", "superfluous-witness", "trailing-bytes", "value-out-of-range";
 *          QIAO_ERANGE "tx-too-large", "varint-too-large"; QIAO_ENOMEM "arena-exhausted".
 * Out: *tx (borrows raw and arena).  In: raw, len.
 */
qiao_err qiao_btc_txn_decode(struct qiao_btc_txn *tx, const uint8_t *raw, size_t len,
                             struct qiao_arena *arena, struct qiao_diag *d);

/** 1 when some input carries a non-empty witness stack (so the encoding uses marker and flag). */
int qiao_btc_txn_has_witness(const struct qiao_btc_txn *tx);

/**
 * Append tx's serialisation to out: with marker, flag and witnesses when with_witness is set and
 * the transaction has any, else the stripped (txid) form.
 * Returns: QIAO_OK, or the buffer's QIAO_ERANGE / QIAO_ENOMEM.
 */
qiao_err qiao_btc_txn_encode(struct qiao_buf *out, const struct qiao_btc_txn *tx,
                             int with_witness, struct qiao_diag *d);

/** Append a CompactSize (minimal form). */
qiao_err qiao_btc_put_compact(struct qiao_buf *out, uint64_t v, struct qiao_diag *d);

#endif
