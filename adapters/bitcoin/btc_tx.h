/*
 * btc_tx.h: Bitcoin transaction ids from raw transactions, legacy and segwit (BIP144): the txid
 * hashes the serialisation without marker, flag and witness; the wtxid hashes all of it.  Also
 * the canonical CompactSize reader the Merkle-block parser shares.
 *
 * The parser follows Core's UnserializeTransaction and rejects what Core rejects (unknown flags,
 * a superfluous witness record, trailing bytes), plus non-minimal CompactSize encodings.  It
 * validates structure only: scripts and amounts are not interpreted.  Pure: no heap.
 */
#ifndef QIAO_BTC_TX_H
#define QIAO_BTC_TX_H

#include <stddef.h>
#include <stdint.h>

#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** Largest raw transaction accepted (a block's whole weight budget, in bytes). */
#define QIAO_BTC_MAX_TX_BYTES 4000000u

/** What parsing a transaction yields. */
struct qiao_btc_tx_info {
    uint8_t txid[32];    /* internal order */
    uint8_t wtxid[32];   /* equals txid for a legacy transaction */
    size_t stripped_len; /* bytes of the serialisation the txid hashes */
    int segwit;          /* 1 when marker, flag and witness were present */
    uint64_t inputs;
    uint64_t outputs;
};

/**
 * Read a CompactSize integer, rejecting non-minimal forms and values above max.
 * Returns: QIAO_OK, QIAO_EINVAL "truncated" / "non-canonical-varint", QIAO_ERANGE
 *          "varint-too-large".  Out: *v.  In: c (advanced), max, what (names the field).
 */
qiao_err qiao_btc_read_compact(struct qiao_cursor *c, uint64_t *v, uint64_t max, const char *what,
                               struct qiao_diag *d);

/**
 * Parse a raw transaction and compute its ids.
 * Returns: QIAO_OK, or QIAO_EINVAL with "truncated", "non-canonical-varint", "no-inputs",
 *          "no-outputs", "unknown-tx-flags", "superfluous-witness", "trailing-bytes";
 *          QIAO_ERANGE "tx-too-large" / "varint-too-large".
 * Out: *info.  In: raw, len.
 */
qiao_err qiao_btc_tx_parse(struct qiao_crypto *cx, struct qiao_btc_tx_info *info,
                           const uint8_t *raw, size_t len, struct qiao_diag *d);

#endif
