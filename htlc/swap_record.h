/*
 * swap_record.h: one swap as the relay keeps it, and its JSON form ("qiao-swap/1").
 *
 * A record is the engine's state (swap.h) plus what the relay needs to drive each leg on its
 * chain: the family, the HashedTimelock contract, the lock id once seen, where to start scanning,
 * and the last transaction the relay sent for the leg.  The same JSON form is the terms file that
 * `qiao swap propose` reads (only the agreed fields) and the blob the store keeps (everything), so
 * one strict parser serves both: unknown keys, duplicate keys, wrong types, non-canonical numbers
 * and oversize values are refused with a reason naming the field.
 *
 * Pure: no I/O, no globals.  Ownership: records are plain caller storage.
 */
#ifndef QIAO_HTLC_SWAP_RECORD_H
#define QIAO_HTLC_SWAP_RECORD_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "htlc/height_clock.h"
#include "htlc/swap.h"
#include "relay/core/diag.h"

#define QIAO_HTLC_RECORD_FORMAT "qiao-swap/1"
#define QIAO_HTLC_RECORD_MAX_BYTES 8192
#define QIAO_HTLC_NOTE_MAX 160
#define QIAO_HTLC_SPK_MAX 64 /* a payout scriptPubKey (P2WSH and P2TR are 34 bytes) */

enum qiao_htlc_family { QIAO_HTLC_FAMILY_EVM = 1, QIAO_HTLC_FAMILY_BITCOIN = 2 };

/** What the relay has sent on one leg (at most one transaction in flight per leg). */
enum qiao_htlc_sent { QIAO_HTLC_SENT_NONE = 0, QIAO_HTLC_SENT_CLAIM, QIAO_HTLC_SENT_REFUND };

/** The relay's per-leg driving state. */
struct qiao_htlc_leg_drive {
    enum qiao_htlc_family family;
    uint8_t contract[20];      /* EVM: the HashedTimelock (Bitcoin: zero) */
    struct qiao_htlc_height_lock height; /* Bitcoin: the CLTV height and block interval bounds */
    /* Bitcoin, optional: where the relay pays a claim or refund it signs for a party that
     * delegated that branch's key to it (scriptPubKeys), and the fee it pays (satoshis). */
    uint8_t claim_to[QIAO_HTLC_SPK_MAX], refund_to[QIAO_HTLC_SPK_MAX];
    size_t claim_to_len, refund_to_len;
    uint64_t fee_sat;
    int has_lock_id;
    uint8_t lock_id[32];       /* EVM: the contract's lock id, from the verified Locked event;
                                  Bitcoin: the funding txid (internal order) */
    uint32_t lock_vout;        /* Bitcoin: the funding output's index */
    uint64_t from_height;      /* first block scanned for this leg */
    uint64_t seen_height;      /* block of the last applied event (0: none) */
    enum qiao_htlc_sent sent;  /* the relay's last transaction on this leg */
    uint8_t sent_tx[32];
    uint32_t attempts;
    char error[QIAO_HTLC_NOTE_MAX]; /* the last submission failure, "" when none */
};

struct qiao_htlc_record {
    uint8_t id[32];
    struct qiao_htlc_swap swap;
    struct qiao_htlc_leg_drive drive[2];
    uint64_t created_at;         /* Unix seconds */
    char note[QIAO_HTLC_NOTE_MAX]; /* the last refused observation, "" when none */
};

/**
 * Parse a record (or, with terms_only, a terms file: the runtime fields are then refused and
 * left zero) from obj.  Does not run qiao_htlc_check_terms.
 * Reasons: "missing-field", "wrong-type", "unknown-key", "bad-hex-char", "wrong-length", "bad-integer", "bad-format",
 * "unsupported-hash", "unsupported-family", "out-of-range", "bad-value"; the message names the
 * field.  Out: *r (zeroed first).
 */
qiao_err qiao_htlc_record_parse(struct qiao_htlc_record *r, const cJSON *obj, int terms_only,
                                struct qiao_diag *d);

/** Parse text[0..len) with the caps above (qiao_json_parse's reasons, then the record's). */
qiao_err qiao_htlc_record_parse_text(struct qiao_htlc_record *r, const char *text, size_t len,
                                     int terms_only, struct qiao_diag *d);

/**
 * The record as JSON (every field, so that parse(to_json(r)) == r).  The preimage appears only
 * once known.  Returns: a new tree (caller frees), or NULL when out of memory.
 */
cJSON *qiao_htlc_record_to_json(const struct qiao_htlc_record *r);

/**
 * The swap id: keccak256("qiao-swap/1" ‖ hashlock ‖ for each leg: chain id (8 bytes BE),
 * contract, sender, receiver, amount, timelock (8 bytes BE)).  Two proposals of the same terms
 * get the same id, so the store refuses the second ("swap-exists").
 */
void qiao_htlc_record_id(uint8_t id[32], const struct qiao_htlc_record *r);

/** A leg's family name ("evm", "bitcoin"). */
const char *qiao_htlc_family_name(enum qiao_htlc_family f);

/** 1 when no leg can change any more: nothing is locked and nothing can still be locked. */
int qiao_htlc_record_done(const struct qiao_htlc_record *r, uint64_t now_part);

#endif
