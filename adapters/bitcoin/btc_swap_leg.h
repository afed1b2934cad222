/*
 * btc_swap_leg.h: a qiao-swap/1 Bitcoin leg (htlc/swap_record.h) as the Bitcoin HTLC it stands
 * for (btc_htlc.h), and the two directions between them that the relay needs:
 *
 * - terms → script: hash = the swap's hashlock, receiver key = the leg's receiver, refund key =
 *   the leg's sender, T = the leg's timelock_height.  Every agreed field of the leg except the
 *   amount is inside the script, so an output paying its P2WSH program with the agreed amount IS
 *   the agreed lock: nothing a node says can substitute another receiver or height.
 * - verified observation → engine event: a LOCK, CLAIMED or REFUNDED that qiao_btc_htlc_match
 *   found in a Merkle-proven transaction (qiao_btc_source_htlc_observe, with want_program set to
 *   the leg's program) becomes a qiao_htlc_event whose clock is the height clock
 *   (htlc/height_clock.h) of the block that carried it.
 * - engine action → transaction: the claim or refund of the leg's output, signed with a key the
 *   caller holds (the relay holds one only when a party delegated it; docs/HTLC.md).
 *
 * Pure: no I/O, no globals.  Ownership: everything is caller storage; an event's preimage points
 * into the match it came from.
 */
#ifndef QIAO_BTC_SWAP_LEG_H
#define QIAO_BTC_SWAP_LEG_H

#include <stddef.h>
#include <stdint.h>

#include "adapters/bitcoin/btc_htlc.h"
#include "htlc/swap_record.h"

/**
 * The script parameters of leg `leg` of r.
 * Returns: QIAO_OK; QIAO_EINVAL "not-bitcoin-leg", "bad-value" (a height not below the
 * threshold or zero).  Out: *h.
 */
qiao_err qiao_btc_swap_leg_htlc(struct qiao_btc_htlc *h, const struct qiao_htlc_record *r,
                                int leg, struct qiao_diag *d);

/**
 * The leg's P2WSH program (what to watch: qiao_btc_htlc_match.program) and scriptPubKey.
 * Returns: qiao_btc_swap_leg_htlc's and qiao_btc_htlc_address's results.
 * Out: program, spk34 (either may be NULL).
 */
qiao_err qiao_btc_swap_leg_program(struct qiao_crypto *cx, uint8_t program[32],
                                   uint8_t spk34[34], const struct qiao_htlc_record *r, int leg,
                                   struct qiao_diag *d);

/**
 * Turn a verified match on the leg into the engine's event.  A LOCK carries the agreed
 * hashlock, receiver and timelock (the program proved them) and the output's value as the amount
 * (the engine compares it: "lock-mismatch"); a spend must spend the leg's own script.
 * Returns: QIAO_OK; QIAO_EINVAL "not-bitcoin-leg"; QIAO_EVERIFY "wrong-htlc" (a spend of another
 * script).  Out: *ev (its preimage points into m).
 */
qiao_err qiao_btc_swap_leg_event(struct qiao_htlc_event *ev, const struct qiao_htlc_record *r,
                                 int leg, const struct qiao_btc_htlc_match *m,
                                 uint64_t height, uint64_t block_time, struct qiao_diag *d);

/** The leg's engine clock at a verified tip (height_clock.h).  Returns: that clock. */
uint64_t qiao_btc_swap_leg_clock(const struct qiao_htlc_record *r, int leg, uint64_t tip_height,
                                 uint64_t tip_time);

/** Where the leg's output is and where a spend pays. */
struct qiao_btc_swap_outpoint {
    uint8_t txid[32]; /* the funding transaction, internal order */
    uint32_t vout;
    uint64_t value;   /* satoshis in the output */
};

/**
 * Build and sign the leg's claim (branch QIAO_BTC_HTLC_CLAIM, with the 32-byte preimage) or
 * refund (QIAO_BTC_HTLC_REFUND; preimage ignored), paying value - fee to dest_spk.
 * Returns: qiao_btc_swap_leg_htlc's, qiao_btc_htlc_claim's and qiao_btc_htlc_refund's results
 * ("wrong-key" when seckey is not the branch's key).  Out: the raw transaction appended to out.
 */
qiao_err qiao_btc_swap_leg_spend(struct qiao_crypto *cx, struct qiao_buf *out,
                                 const struct qiao_htlc_record *r, int leg,
                                 const struct qiao_btc_swap_outpoint *op,
                                 enum qiao_btc_htlc_branch branch, const uint8_t seckey[32],
                                 const uint8_t *preimage, size_t preimage_len,
                                 const uint8_t *dest_spk, size_t dest_spk_len, uint64_t fee,
                                 struct qiao_diag *d);

#endif
