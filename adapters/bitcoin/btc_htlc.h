/*
 * btc_htlc.h: the Bitcoin leg of a Qiao hash-locked swap: one P2WSH witness script,
 *
 *   OP_IF
 *       OP_SIZE 32 OP_EQUALVERIFY OP_SHA256 <hash> OP_EQUALVERIFY <receiver pubkey>
 *   OP_ELSE
 *       <T> OP_CHECKLOCKTIMEVERIFY OP_DROP <refund pubkey>
 *   OP_ENDIF
 *   OP_CHECKSIG
 *
 * its address, the transactions that spend it, and recognising those spends in a proven
 * transaction (the adapter's htlc_match).
 *
 * Claim: witness [sig, preimage, 0x01, script], signed by the receiver; nLockTime 0.  The
 * signature (SIGHASH_ALL) commits to the output, so whoever broadcasts a claim pays the receiver.
 * Refund: witness [sig, <empty>, script], signed by the refund key, nLockTime = T and nSequence
 * 0xfffffffe (below final, or CHECKLOCKTIMEVERIFY fails), so no block before T can hold it.  T
 * below 500,000,000 is a block height, otherwise a Unix time (Core's LOCKTIME_THRESHOLD); Qiao
 * uses heights (see docs/HTLC.md).  The claim branch itself has no deadline: after T both
 * branches are spendable, which is why the swap engine keeps its own deadline before T.
 *
 * Only this exact template is accepted: every push minimal, T a minimal script number, keys
 * compressed and on the curve.  Pure: no I/O, no globals; builders append to a qiao_buf.
 */
#ifndef QIAO_BTC_HTLC_H
#define QIAO_BTC_HTLC_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_bech32.h"
#include "adapters/bitcoin/btc_params.h"
#include "adapters/bitcoin/btc_sign.h"
#include "adapters/bitcoin/btc_txcodec.h"
#include "relay/core/adapter.h"
#include "relay/core/bytes.h"
#include "relay/core/crypto.h"
#include "relay/core/diag.h"

/** The template is 113 fixed bytes plus a T push of 1 to 6: at most 119 bytes. */
#define QIAO_BTC_HTLC_SCRIPT_MAX 128u
/** Below this a lock time is a block height, from it on a Unix time. */
#define QIAO_BTC_LOCKTIME_THRESHOLD 500000000u
/** The preimage length both legs require. */
#define QIAO_BTC_HTLC_PREIMAGE_LEN 32u
/** Smallest output a spend builder will create (Core's dust limit for any standard script). */
#define QIAO_BTC_DUST_SAT 546u
/** nSequence of a refund input: not final, so nLockTime is enforced. */
#define QIAO_BTC_REFUND_SEQUENCE 0xfffffffeu

/** The script's parameters. */
struct qiao_btc_htlc {
    uint8_t hash[32];       /* SHA-256 of the preimage */
    uint8_t recv_pub[33];   /* compressed key that claims with the preimage */
    uint8_t refund_pub[33]; /* compressed key that takes the coins back from T on */
    uint32_t locktime;      /* T: a height (< 500,000,000) or a Unix time; not 0 */
};

/**
 * Write the witness script.
 * Returns: QIAO_OK, QIAO_EINVAL "locktime-zero", "bad-pubkey" (prefix not 0x02/0x03).
 * Out: script (QIAO_BTC_HTLC_SCRIPT_MAX bytes of storage), *len.
 */
qiao_err qiao_btc_htlc_script(uint8_t script[QIAO_BTC_HTLC_SCRIPT_MAX], size_t *len,
                              const struct qiao_btc_htlc *h, struct qiao_diag *d);

/**
 * Parse a witness script back, refusing anything but the exact template.
 * Returns: QIAO_OK, QIAO_EINVAL "not-htlc-script" (the message names the offset and what was
 *          expected), "non-minimal-locktime", "locktime-zero", "bad-pubkey".
 * Out: *h.
 */
qiao_err qiao_btc_htlc_parse(struct qiao_crypto *cx, struct qiao_btc_htlc *h,
                             const uint8_t *script, size_t len, struct qiao_diag *d);

/**
 * The P2WSH funding address (bech32) and scriptPubKey of h on network net.
 * Out: addr (may be NULL), spk34 (may be NULL), program (may be NULL).
 */
qiao_err qiao_btc_htlc_address(struct qiao_crypto *cx, char addr[QIAO_BTC_ADDR_MAX],
                               uint8_t spk34[34], uint8_t program[32],
                               enum qiao_btc_network net, const struct qiao_btc_htlc *h,
                               struct qiao_diag *d);

/** Which way an HTLC output is spent. */
enum qiao_btc_htlc_branch { QIAO_BTC_HTLC_CLAIM = 1, QIAO_BTC_HTLC_REFUND = 2 };

/** The HTLC output a spend consumes and where the coins go. */
struct qiao_btc_htlc_spend {
    const struct qiao_btc_htlc *htlc;
    uint8_t prev_txid[32]; /* funding transaction, internal order */
    uint32_t prev_vout;
    uint64_t prev_value;   /* satoshis locked in the output */
    const uint8_t *dest_spk; /* scriptPubKey the coins go to (borrowed) */
    size_t dest_spk_len;
    uint64_t fee;          /* satoshis, from config */
};

/**
 * Build and sign the claim: one input, one output of prev_value - fee, witness
 * [sig, preimage, 0x01, script].
 * Returns: QIAO_OK, QIAO_EINVAL "preimage-length" (not 32 bytes), "bad-preimage" (does not hash
 *          to the script's hash), "wrong-key" (seckey is not the receiver's), "fee-too-high",
 *          "fee-below-relay" (under 1 sat/vbyte), the builders' buffer errors.
 * Out: tx appended to out (serialised with witness).
 */
qiao_err qiao_btc_htlc_claim(struct qiao_crypto *cx, struct qiao_buf *out,
                             const struct qiao_btc_htlc_spend *sp, const uint8_t seckey[32],
                             const uint8_t *preimage, size_t preimage_len, struct qiao_diag *d);

/**
 * Build and sign the refund: nLockTime = T, nSequence 0xfffffffe, witness [sig, <empty>, script].
 * Returns: as qiao_btc_htlc_claim without the preimage reasons ("wrong-key": not the refund key).
 */
qiao_err qiao_btc_htlc_refund(struct qiao_crypto *cx, struct qiao_buf *out,
                              const struct qiao_btc_htlc_spend *sp, const uint8_t seckey[32],
                              struct qiao_diag *d);

/**
 * The builder under both: no preimage checks, the given lock time and branch argument.  For
 * tests that must show the NODE refusing a bad spend (31-, 33- or 521-byte preimages, a refund
 * with nLockTime below T); production code uses qiao_btc_htlc_claim / qiao_btc_htlc_refund.
 * In: preimage may be NULL for a refund (the witness then has an empty item).
 */
qiao_err qiao_btc_htlc_spend_raw(struct qiao_crypto *cx, struct qiao_buf *out,
                                 const struct qiao_btc_htlc_spend *sp, const uint8_t seckey[32],
                                 enum qiao_btc_htlc_branch branch, const uint8_t *preimage,
                                 size_t preimage_len, uint32_t locktime, struct qiao_diag *d);

/**
 * Sign input `index` of tx, which spends a P2WSH output of `amount` with witness script
 * `script`, under SIGHASH_ALL.  Out: sig (DER + 0x01), *sig_len.
 */
qiao_err qiao_btc_sign_p2wsh(struct qiao_crypto *cx, uint8_t sig[QIAO_BTC_SIG_MAX],
                             size_t *sig_len, const struct qiao_btc_txn *tx, size_t index,
                             const uint8_t *script, size_t script_len, uint64_t amount,
                             const uint8_t seckey[32], struct qiao_diag *d);

/** What htlc_match recognised. */
enum qiao_btc_htlc_kind { QIAO_BTC_HTLC_LOCK = 1, QIAO_BTC_HTLC_CLAIMED, QIAO_BTC_HTLC_REFUNDED };

/**
 * htlc_match's `out` for the Bitcoin family.  The caller may name the HTLC it watches by its
 * P2WSH program (want_program): then only spends of that script count and a LOCK is an output
 * paying it.  Without it, any spend of an HTLC-template script is reported and locks are not
 * (a P2WSH output does not reveal its script).
 */
struct qiao_btc_htlc_match {
    /* In */
    int want_program;
    uint8_t program[32];
    /* Out */
    enum qiao_btc_htlc_kind kind;
    uint32_t index;             /* LOCK: output index; spends: input index */
    uint64_t value;             /* LOCK: satoshis locked */
    struct qiao_btc_htlc htlc;  /* spends: the parsed witness script */
    uint8_t prev_txid[32];      /* spends: the outpoint spent */
    uint32_t prev_vout;
    uint8_t preimage[QIAO_BTC_HTLC_PREIMAGE_LEN]; /* CLAIMED: the revealed preimage */
    uint32_t locktime;          /* the transaction's nLockTime */
};

/**
 * Find the watched HTLC in a raw transaction: a spend (claim or refund witness of the template)
 * or, with want_program, a lock output.  Spends take precedence over locks.
 * Returns: QIAO_OK; QIAO_ENOTFOUND "no-htlc"; QIAO_EVERIFY "not-htlc-spend" (the script matches
 *          but the witness is not [sig, preimage, true, script] or [sig, false, script], the
 *          selector read as OP_IF reads it: consensus does not require 0x01 / empty),
 *          "preimage-length", "bad-preimage"; decode failures.
 * In/Out: *m.  In: raw, len, arena (for the decoded arrays).
 */
qiao_err qiao_btc_htlc_find(struct qiao_crypto *cx, struct qiao_btc_htlc_match *m,
                            const uint8_t *raw, size_t len, struct qiao_arena *arena,
                            struct qiao_diag *d);

/**
 * The adapter's htlc_match: item->leaf must be the raw transaction whose txid is item->id
 * (the proof verified the id; this binds the bytes to it), out a struct qiao_btc_htlc_match.
 * Returns: qiao_btc_htlc_find's results, QIAO_EINVAL "no-leaf", QIAO_EVERIFY "txid-mismatch".
 */
qiao_err qiao_btc_htlc_match(struct qiao_crypto *cx, void *out,
                             const struct qiao_proof_result *item, struct qiao_diag *d);

#endif
